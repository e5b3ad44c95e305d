/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hub's side of `reload` (hub.h: hub_set_locals, hub_set_limits, hub_peer_remove):
 * real UPDATEs in, and each session is sent exactly the difference.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bgp.h"
#include "hub_fixture.h"

static struct fx_peer nva1, nva2, er1, vpn1;
static struct rh_config *next; /* the new configuration of a test */

static int setup(void **state)
{
	(void)state;
	next = malloc(sizeof(*next));
	return next == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	fx_stop();
	free(next);
	return 0;
}

static void assert_sent(const struct fx_peer *p, const char *prefix, bool withdraw)
{
	const struct fx_sent *s = fx_sent(p, prefix);

	if (s == NULL)
		fail_msg("%s was not sent", prefix);
	assert_int_equal(s->withdraw, withdraw);
}

static void up_all(void)
{
	fx_peer(&nva1, HUB_ROLE_NVA, "198.19.1.10", 65001, NULL);
	fx_peer(&nva2, HUB_ROLE_NVA, "198.19.1.11", 65002, NULL);
	fx_peer(&er1, HUB_ROLE_ER_ONPREM, "198.19.2.10", 65020, NULL);
	fx_peer(&vpn1, HUB_ROLE_VPN_ONPREM, "198.19.3.10", 65030, NULL);
	fx_flush(&nva1);
	fx_flush(&nva2);
	fx_flush(&er1);
	fx_flush(&vpn1);
}

static void vnet_change_sends_only_the_difference(void **state)
{
	struct hub_effective e;

	(void)state;
	fx_config(false);
	fx_start();
	up_all();
	*next = fx.cfg;
	next->rs.vnet[0] = fx_prefix("198.18.0.0/17");
	assert_int_equal(hub_set_locals(fx.h, next), 0);
	/* R1: every peer of every part: the old space withdrawn, the new one announced; the
	 * IPv6 space that did not change is not sent again. */
	assert_int_equal(fx_flush(&nva1), 2);
	assert_sent(&nva1, "198.18.0.0/16", true);
	assert_sent(&nva1, "198.18.0.0/17", false);
	assert_int_equal(fx_flush(&er1), 2);
	assert_int_equal(fx_flush(&vpn1), 2);
	/* R17: programmed as the VNet's. */
	assert_int_equal(fx_effective("198.18.0.0/16", &e), -ENOENT);
	assert_int_equal(fx_effective("198.18.0.0/17", &e), 0);
	assert_true(e.active);
	assert_int_equal(e.src, HUB_SRC_VNET);
	/* The same configuration again: nothing. */
	assert_int_equal(hub_set_locals(fx.h, next), 0);
	assert_int_equal(fx_flush(&nva1), 0);
}

static void r8_follows_the_new_space_when_routes_are_sent_again(void **state)
{
	struct hub_effective e;

	(void)state;
	fx_config(false);
	fx_start();
	up_all();
	assert_int_equal(fx_announce(&nva1, "198.18.200.0/24", "65001", "198.19.1.10", NULL, 0), 0);
	assert_int_equal(fx_effective("198.18.200.0/24", &e), 0);
	assert_false(e.active);
	assert_string_equal(e.why, HUB_WHY_VNET_OVERLAP);
	*next = fx.cfg;
	next->rs.vnet[0] = fx_prefix("198.18.0.0/17");
	assert_int_equal(hub_set_locals(fx.h, next), 0);
	/* R15: the route refresh's answer is an UPDATE like any: now outside the space. */
	assert_int_equal(fx_announce(&nva1, "198.18.200.0/24", "65001", "198.19.1.10", NULL, 0), 0);
	assert_int_equal(fx_effective("198.18.200.0/24", &e), 0);
	assert_true(e.active);
	assert_int_equal(e.src, HUB_SRC_NVA);
	fx_flush(&nva2);
	assert_sent(&nva2, "198.18.200.0/24", false);
	/* And back: the accepted route is refused and leaves the RIB when sent again. */
	assert_int_equal(hub_set_locals(fx.h, &fx.cfg), 0);
	assert_int_equal(fx_announce(&nva1, "198.18.200.0/24", "65001", "198.19.1.10", NULL, 0), 0);
	assert_int_equal(fx_effective("198.18.200.0/24", &e), 0);
	assert_false(e.active);
	fx_flush(&nva2);
	assert_sent(&nva2, "198.18.200.0/24", true);
}

static void r16_counts_the_new_vnet_spaces(void **state)
{
	(void)state;
	fx_config(true);
	fx.cfg.er.limit_to_er = 3;
	fx_start();
	up_all();
	assert_int_equal(fx_announce(&nva1, "192.0.2.0/24", "65001", "198.19.1.10", NULL, 0), 0);
	assert_null(hub_er_exchange_status(fx.h)); /* 2 VNet spaces + 1 = 3 */
	*next = fx.cfg;
	next->rs.n_vnet = 3;
	next->rs.vnet[2] = fx_prefix("198.51.100.0/24");
	assert_int_equal(hub_set_locals(fx.h, next), 0);
	assert_non_null(hub_er_exchange_status(fx.h)); /* 4 > 3 */
	assert_int_equal(hub_set_locals(fx.h, &fx.cfg), 0);
	assert_null(hub_er_exchange_status(fx.h));
}

static void vpn_static_prefixes_come_and_go(void **state)
{
	struct hub_effective e;

	(void)state;
	fx_config(true);
	fx_start();
	up_all();
	*next = fx.cfg;
	next->vpn.n_local = 1;
	next->vpn.local[0] = fx_prefix("203.0.113.128/25");
	assert_int_equal(hub_set_locals(fx.h, next), 0);
	assert_int_equal(fx_flush(&nva1), 1);
	assert_sent(&nva1, "203.0.113.128/25", false);
	assert_int_equal(fx_effective("203.0.113.128/25", &e), 0);
	assert_true(e.active);
	assert_int_equal(e.src, HUB_SRC_VPN);
	/* Kept as it is: nothing sent. */
	assert_int_equal(hub_set_locals(fx.h, next), 0);
	assert_int_equal(fx_flush(&nva1), 0);
	next->vpn.n_local = 0;
	assert_int_equal(hub_set_locals(fx.h, next), 0);
	assert_int_equal(fx_flush(&nva1), 1);
	assert_sent(&nva1, "203.0.113.128/25", true);
	assert_int_equal(fx_effective("203.0.113.128/25", &e), -ENOENT);
}

static void removed_peer_is_withdrawn_everywhere(void **state)
{
	struct hub_effective e;

	(void)state;
	fx_config(true);
	fx_start();
	up_all();
	assert_int_equal(fx_announce(&nva1, "192.0.2.0/24", "65001", "198.19.1.10", NULL, 0), 0);
	fx_flush(&nva2);
	fx_flush(&er1);
	hub_peer_remove(nva1.hp);
	nva1.hp = NULL;
	assert_int_equal(fx_effective("192.0.2.0/24", &e), -ENOENT);
	assert_int_equal(fx_flush(&nva2), 1);
	assert_sent(&nva2, "192.0.2.0/24", true);
	assert_int_equal(fx_flush(&er1), 1);
	assert_sent(&er1, "192.0.2.0/24", true);
	/* The same address as a new peer: a fresh session, its routes taken. */
	fx_peer(&nva1, HUB_ROLE_NVA, "198.19.1.10", 65009, NULL);
	assert_int_equal(fx_announce(&nva1, "192.0.2.0/24", "65009", "198.19.1.10", NULL, 0), 0);
	assert_int_equal(fx_effective("192.0.2.0/24", &e), 0);
	assert_true(e.active);
	/* A peer down in graceful restart, its routes kept stale (RFC 4724 4.2): removed, they
	 * go too. */
	fx_flush(&nva2);
	hub_peer_down_gr(nva1.hp, (bool[BGP_AID_MAX]){true, true});
	assert_int_equal(fx_effective("192.0.2.0/24", &e), 0);
	assert_int_equal(fx_flush(&nva2), 0);
	hub_peer_remove(nva1.hp);
	nva1.hp = NULL;
	assert_int_equal(fx_effective("192.0.2.0/24", &e), -ENOENT);
	assert_int_equal(fx_flush(&nva2), 1);
	assert_sent(&nva2, "192.0.2.0/24", true);
	/* A peer that never came up goes quietly. */
	struct fx_peer idle = {0};

	idle.hp = hub_peer_add(fx.h, &(struct hub_peer_info){.role = HUB_ROLE_NVA,
	                                                     .addr = fx_addr("198.19.1.12"),
	                                                     .local = fx_addr("198.19.0.4"),
	                                                     .asn = 65003,
	                                                     .local_asn = RH_RS_ASN});
	assert_non_null(idle.hp);
	hub_peer_remove(idle.hp);
	assert_int_equal(fx_flush(&nva2), 0);
}

static void lower_limit_tears_down_a_peer_past_it(void **state)
{
	(void)state;
	fx_config(false);
	fx_start();
	up_all();
	assert_int_equal(fx_announce(&nva1, "192.0.2.0/25 192.0.2.128/25 192.0.2.0/26", "65001",
	                             "198.19.1.10", NULL, 0),
	                 0);
	assert_int_equal(fx_announce(&nva2, "198.51.100.0/24", "65002", "198.19.1.11", NULL, 0), 0);
	*next = fx.cfg;
	next->rs.route_limit = 3;
	assert_int_equal(hub_set_limits(fx.h, next), 0);
	assert_int_equal(nva1.teardowns, 0); /* 3 of 3 */
	next->rs.route_limit = 2;
	assert_int_equal(hub_set_limits(fx.h, next), 0);
	assert_int_equal(nva1.teardowns, 1);
	assert_int_equal(nva1.code, BGP_ERR_CEASE);
	assert_int_equal(nva1.subcode, BGP_CEASE_MAX_PREFIX);
	assert_int_equal(nva2.teardowns, 0);
	assert_int_equal(hub_peer_info(nva1.hp)->limit, 2);
	/* The new limit holds for the next UPDATE too. */
	assert_int_equal(fx_announce(&nva2, "198.51.100.0/25 198.51.100.128/25", "65002",
	                             "198.19.1.11", NULL, 0),
	                 -ECANCELED);
	hub_peer_down(nva1.hp);
	hub_peer_down(nva2.hp);
}

static void enhanced_refresh_purges_what_was_not_sent_again(void **state)
{
	struct hub_effective e;
	struct hub_peer_counts c;

	(void)state;
	fx_config(false);
	fx_start();
	up_all();
	assert_int_equal(
	        fx_announce(&nva1, "192.0.2.0/25 192.0.2.128/25", "65001", "198.19.1.10", NULL, 0),
	        0);
	assert_int_equal(fx_announce(&nva1, "198.18.1.0/24", "65001", "198.19.1.10", NULL, 0), 0);
	assert_int_equal(fx_announce(&nva1, "2001:db8:1::/48", "65001", "2001:db8::10", NULL, 0),
	                 0);
	hub_peer_counts(nva1.hp, &c);
	assert_int_equal(c.received, 4); /* 198.18.1.0/24 refused (R8) */
	fx_flush(&nva2);
	/* RFC 7313 4: BoRR, one route sent again, EoRR. */
	assert_int_equal(hub_peer_refresh_begin(nva1.hp, BGP_AID_IPV4), 0);
	assert_int_equal(fx_announce(&nva1, "192.0.2.0/25", "65001", "198.19.1.10", NULL, 0), 0);
	assert_int_equal(fx_flush(&nva2), 0); /* the same route: nothing to send */
	assert_int_equal(hub_peer_refresh_end(nva1.hp, BGP_AID_IPV4), 0);
	assert_int_equal(fx_effective("192.0.2.0/25", &e), 0);
	assert_true(e.active);
	assert_int_equal(fx_effective("192.0.2.128/25", &e), -ENOENT);
	assert_int_equal(fx_effective("198.18.1.0/24", &e), -ENOENT);
	assert_int_equal(fx_flush(&nva2), 1);
	assert_sent(&nva2, "192.0.2.128/25", true);
	/* The other family was not refreshed: kept. */
	assert_int_equal(fx_effective("2001:db8:1::/48", &e), 0);
	hub_peer_counts(nva1.hp, &c);
	assert_int_equal(c.received, 2);
	assert_int_equal(c.accepted, 2);
	/* An EoRR with nothing stale changes nothing. */
	assert_int_equal(hub_peer_refresh_end(nva1.hp, BGP_AID_IPV4), 0);
	assert_int_equal(fx_flush(&nva2), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(vnet_change_sends_only_the_difference, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(r8_follows_the_new_space_when_routes_are_sent_again,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(r16_counts_the_new_vnet_spaces, setup, teardown),
	        cmocka_unit_test_setup_teardown(vpn_static_prefixes_come_and_go, setup, teardown),
	        cmocka_unit_test_setup_teardown(removed_peer_is_withdrawn_everywhere, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(lower_limit_tears_down_a_peer_past_it, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(enhanced_refresh_purges_what_was_not_sent_again,
	                                        setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
