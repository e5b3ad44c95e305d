/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hub model, one test per rule of shared/hub-behaviour.md where the hub takes part,
 * named after the rule: real UPDATEs in, what each session is sent out (hub_peer_flush
 * batches), and what the effective routes say (R17).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bgp.h"
#include "hub_fixture.h"
#include "table.h"

static struct fx_peer nva1, nva1b, nva2, er1, er2, vpn1;

static const uint32_t no_advertise[] = {BGP_COMM_NO_ADVERTISE};

static int teardown(void **state)
{
	(void)state;
	fx_stop();
	return 0;
}

/* The session was sent prefix as an announcement with this AS path and next hop. */
static void assert_announced(const struct fx_peer *p, const char *prefix, const char *aspath,
                             const char *nh)
{
	const struct fx_sent *s = fx_sent(p, prefix);

	if (s == NULL)
		fail_msg("%s was not sent", prefix);
	assert_false(s->withdraw);
	assert_string_equal(s->aspath, aspath);
	if (nh != NULL)
		assert_string_equal(s->nexthop, nh);
}

static void assert_withdrawn(const struct fx_peer *p, const char *prefix)
{
	const struct fx_sent *s = fx_sent(p, prefix);

	if (s == NULL)
		fail_msg("%s was not sent", prefix);
	assert_true(s->withdraw);
}

static void assert_active(const char *prefix, enum hub_src src, unsigned n_nexthops)
{
	struct hub_effective e;

	assert_int_equal(fx_effective(prefix, &e), 0);
	assert_true(e.active);
	assert_int_equal(e.src, src);
	assert_int_equal(e.n_nexthops, n_nexthops);
}

/* The usual population: an NVA behind which is on-prem 1, ER (on-prem 2) and a VPN site. */
static void populate(void)
{
	fx_peer(&nva1, HUB_ROLE_NVA, "198.19.1.10", 65001, NULL);
	fx_peer(&er1, HUB_ROLE_ER_ONPREM, "198.19.2.10", 65020, NULL);
	fx_peer(&vpn1, HUB_ROLE_VPN_ONPREM, "198.19.3.10", 65030, NULL);
	fx_flush(&nva1);
	fx_flush(&er1);
	fx_flush(&vpn1);
	assert_int_equal(fx_announce(&nva1, "192.0.2.0/24", "65001", "198.19.1.10", NULL, 0), 0);
	assert_int_equal(fx_announce(&er1, "198.51.100.0/24", "65020", "198.19.2.10", NULL, 0), 0);
	assert_int_equal(fx_announce(&vpn1, "203.0.113.0/24", "65030", "198.19.3.10", NULL, 0), 0);
}

static void test_R1_vnet_routes_go_to_every_peer(void **state)
{
	(void)state;
	fx_config(false);
	fx_start();
	fx_peer(&nva1, HUB_ROLE_NVA, "198.19.1.10", 65001, NULL);
	fx_peer(&er1, HUB_ROLE_ER_ONPREM, "198.19.2.10", 65020, NULL);
	fx_peer(&vpn1, HUB_ROLE_VPN_ONPREM, "198.19.3.10", 65030, NULL);
	assert_true(nva1.ready > 0);
	fx_flush(&nva1);
	/* The hub's own route: AS 65515, next hop the hub's instance. */
	assert_announced(&nva1, "198.18.0.0/16", "65515", "198.19.0.4");
	assert_int_equal(nva1.eor, 2);
	fx_flush(&er1);
	assert_announced(&er1, "198.18.0.0/16", "12076", "198.19.2.4");
	fx_flush(&vpn1);
	assert_announced(&vpn1, "198.18.0.0/16", "65515", "198.19.3.4");
	/* Programmed as the VNet's own: active, no next hop. */
	assert_active("198.18.0.0/16", HUB_SRC_VNET, 0);
}

static void test_R2_next_hop_is_the_nvas(void **state)
{
	struct hub_effective e;

	(void)state;
	fx_config(false);
	fx_start();
	fx_peer(&nva1, HUB_ROLE_NVA, "198.19.1.10", 65001, "198.19.0.4");
	fx_peer(&nva1b, HUB_ROLE_NVA, "198.19.1.10", 65001, "198.19.0.5");
	fx_peer(&nva2, HUB_ROLE_NVA, "198.19.1.11", 65002, NULL);
	fx_flush(&nva1);
	fx_flush(&nva1b);
	fx_flush(&nva2);
	/* The NVA advertises another address of its (a load balancer's) on both sessions. */
	assert_int_equal(fx_announce(&nva1, "192.0.2.0/24", "65001", "198.19.1.100", NULL, 0), 0);
	assert_int_equal(fx_announce(&nva1b, "192.0.2.0/24", "65001", "198.19.1.100", NULL, 0), 0);
	assert_int_equal(fx_effective("192.0.2.0/24", &e), 0);
	assert_true(e.active);
	assert_int_equal(e.src, HUB_SRC_NVA);
	assert_int_equal(e.n_nexthops, 1);
	assert_true(rh_addr_equal(&e.nexthop[0], &(struct rh_addr){0}) == false);
	assert_string_equal(fx.last_changed, "192.0.2.0/24");
	{
		struct rh_addr lb = fx_addr("198.19.1.100");

		assert_true(rh_addr_equal(&e.nexthop[0], &lb));
	}
	/* Reflected to the other NVA as it came; never back to the NVA, on either session. */
	fx_flush(&nva2);
	assert_announced(&nva2, "192.0.2.0/24", "65001", "198.19.1.100");
	assert_int_equal(fx_flush(&nva1), 0);
	assert_int_equal(fx_flush(&nva1b), 0);
}

static void test_R3_ecmp_for_equal_as_path_length(void **state)
{
	struct hub_effective e;

	(void)state;
	fx_config(false);
	fx_start();
	fx_peer(&nva1, HUB_ROLE_NVA, "198.19.1.10", 65001, NULL);
	fx_peer(&nva2, HUB_ROLE_NVA, "198.19.1.11", 65002, NULL);
	assert_int_equal(fx_announce(&nva1, "192.0.2.0/24", "65001", "198.19.1.10", NULL, 0), 0);
	assert_int_equal(fx_announce(&nva2, "192.0.2.0/24", "65002", "198.19.1.11", NULL, 0), 0);
	assert_active("192.0.2.0/24", HUB_SRC_NVA, 2);
	/* Active/passive by prepending: the shorter AS path wins alone. */
	assert_int_equal(fx_announce(&nva2, "192.0.2.0/24", "65002 65002", "198.19.1.11", NULL, 0),
	                 0);
	assert_int_equal(fx_effective("192.0.2.0/24", &e), 0);
	assert_int_equal(e.n_nexthops, 1);
	{
		struct rh_addr a = fx_addr("198.19.1.10");

		assert_true(rh_addr_equal(&e.nexthop[0], &a));
	}
}

static void test_R3_each_nva_gets_the_best_path_it_may_receive(void **state)
{
	(void)state;
	fx_config(false);
	fx_start();
	fx_peer(&nva1, HUB_ROLE_NVA, "198.19.1.10", 65001, NULL);
	fx_peer(&nva2, HUB_ROLE_NVA, "198.19.1.11", 65002, NULL);
	fx_flush(&nva1);
	fx_flush(&nva2);
	assert_int_equal(fx_announce(&nva1, "192.0.2.0/24", "65001", "198.19.1.10", NULL, 0), 0);
	assert_int_equal(fx_announce(&nva2, "192.0.2.0/24", "65002", "198.19.1.11", NULL, 0), 0);
	/* The best path is nva1's (lower BGP identifier): nva2 gets it, and nva1, which may
	 * not get its own, gets the next one (RFC 7947 2.3.2: no path hiding). */
	assert_int_equal(fx_flush(&nva2), 1);
	assert_announced(&nva2, "192.0.2.0/24", "65001", "198.19.1.10");
	assert_int_equal(fx_flush(&nva1), 1);
	assert_announced(&nva1, "192.0.2.0/24", "65002", "198.19.1.11");
	/* That second path goes: nva1 is told. */
	assert_int_equal(fx_withdraw(&nva2, "192.0.2.0/24"), 0);
	assert_int_equal(fx_flush(&nva1), 1);
	assert_withdrawn(&nva1, "192.0.2.0/24");
	assert_int_equal(fx_flush(&nva2), 0);
}

static void test_R4_no_exchange_by_default(void **state)
{
	(void)state;
	fx_config(false);
	fx_start();
	populate();
	fx_flush(&nva1);
	assert_null(fx_sent(&nva1, "198.51.100.0/24"));
	assert_null(fx_sent(&nva1, "203.0.113.0/24"));
	fx_flush(&er1);
	assert_null(fx_sent(&er1, "192.0.2.0/24"));
	assert_null(fx_sent(&er1, "203.0.113.0/24"));
	fx_flush(&vpn1);
	assert_null(fx_sent(&vpn1, "192.0.2.0/24"));
	assert_null(fx_sent(&vpn1, "198.51.100.0/24"));
	/* Both sets are still programmed. */
	assert_active("192.0.2.0/24", HUB_SRC_NVA, 1);
	assert_active("198.51.100.0/24", HUB_SRC_ER, 1);
	assert_active("203.0.113.0/24", HUB_SRC_VPN, 1);
}

static void test_R5_exchange_on_nva_gets_onprem2(void **state)
{
	(void)state;
	fx_config(true);
	fx_start();
	populate();
	/* The SD-WAN device receives on-prem 2 (via ExpressRoute) plus the VNet route. */
	fx_flush(&nva1);
	assert_announced(&nva1, "198.51.100.0/24", "65515 65020", "198.19.0.4");
	assert_announced(&nva1, "203.0.113.0/24", "65515 65030", "198.19.0.4");
	/* The ER gateway receives on-prem 1 plus the VNet route, as AS 12076. */
	fx_flush(&er1);
	assert_announced(&er1, "192.0.2.0/24", "12076", "198.19.2.4");
	assert_announced(&er1, "203.0.113.0/24", "12076", "198.19.2.4");
	/* The VPN gateway works the same. */
	fx_flush(&vpn1);
	assert_announced(&vpn1, "192.0.2.0/24", "65515 65001", "198.19.3.4");
	assert_announced(&vpn1, "198.51.100.0/24", "65515 65020", "198.19.3.4");
}

static void test_R5_switch_at_runtime_sends_only_the_difference(void **state)
{
	(void)state;
	fx_config(false);
	fx_start();
	populate();
	fx_flush(&nva1);
	fx_flush(&er1);
	fx_flush(&vpn1);
	assert_int_equal(hub_set_branch_to_branch(fx.h, true), 0);
	assert_int_equal(fx_flush(&nva1), 2);
	assert_announced(&nva1, "198.51.100.0/24", "65515 65020", "198.19.0.4");
	assert_announced(&nva1, "203.0.113.0/24", "65515 65030", "198.19.0.4");
	assert_int_equal(nva1.eor, 0);
	assert_int_equal(fx_flush(&er1), 2);
	assert_announced(&er1, "192.0.2.0/24", "12076", NULL);
	assert_announced(&er1, "203.0.113.0/24", "12076", NULL);
	assert_int_equal(fx_flush(&vpn1), 2);
	assert_announced(&vpn1, "192.0.2.0/24", "65515 65001", NULL);
	assert_announced(&vpn1, "198.51.100.0/24", "65515 65020", NULL);
	/* And back: withdrawals only; nobody's session reset. */
	assert_int_equal(hub_set_branch_to_branch(fx.h, false), 0);
	assert_int_equal(fx_flush(&nva1), 2);
	assert_withdrawn(&nva1, "198.51.100.0/24");
	assert_withdrawn(&nva1, "203.0.113.0/24");
	assert_int_equal(fx_flush(&er1), 2);
	assert_withdrawn(&er1, "192.0.2.0/24");
	assert_withdrawn(&er1, "203.0.113.0/24");
	assert_int_equal(fx_flush(&vpn1), 2);
	assert_withdrawn(&vpn1, "192.0.2.0/24");
	assert_withdrawn(&vpn1, "198.51.100.0/24");
	assert_int_equal(nva1.teardowns + er1.teardowns + vpn1.teardowns, 0);
	/* The same switch again changes nothing. */
	assert_int_equal(hub_set_branch_to_branch(fx.h, false), 0);
	assert_int_equal(fx_flush(&nva1), 0);
}

static void test_R5_never_er_circuit_to_er_circuit(void **state)
{
	(void)state;
	fx_config(true);
	fx_start();
	fx_peer(&er1, HUB_ROLE_ER_ONPREM, "198.19.2.10", 65020, NULL);
	fx_peer(&er2, HUB_ROLE_ER_ONPREM, "198.19.2.11", 65021, "198.19.2.5");
	fx_peer(&nva1, HUB_ROLE_NVA, "198.19.1.10", 65001, NULL);
	fx_flush(&er2);
	assert_int_equal(fx_announce(&er1, "198.51.100.0/24", "65020", "198.19.2.10", NULL, 0), 0);
	assert_int_equal(fx_flush(&er2), 0);
	fx_flush(&nva1);
	assert_announced(&nva1, "198.51.100.0/24", "65515 65020", "198.19.0.4");
}

static void test_R6_vpn_not_active_active_exchanges_nothing(void **state)
{
	(void)state;
	fx_config(true);
	fx.cfg.vpn.active_active = false;
	fx_start();
	populate();
	fx_flush(&nva1);
	fx_flush(&vpn1);
	assert_null(fx_sent(&nva1, "203.0.113.0/24"));
	assert_null(fx_sent(&vpn1, "192.0.2.0/24"));
	assert_null(fx_sent(&vpn1, "198.51.100.0/24"));
	/* NVA <-> ER still exchange. */
	assert_announced(&nva1, "198.51.100.0/24", "65515 65020", "198.19.0.4");
	/* Its own sites and the VNet still work; its routes are still programmed. */
	assert_active("203.0.113.0/24", HUB_SRC_VPN, 1);
}

static void test_vpn_never_takes_nor_gives_the_default_route(void **state)
{
	struct hub_effective e;

	(void)state;
	fx_config(true);
	fx_start();
	populate();
	fx_flush(&vpn1);
	assert_int_equal(fx_announce(&vpn1, "0.0.0.0/0", "65030", "198.19.3.10", NULL, 0), 0);
	assert_int_equal(fx_effective("0.0.0.0/0", &e), 0);
	assert_false(e.active);
	assert_string_equal(e.why, HUB_WHY_DEFAULT_ROUTE);
	/* An NVA's default route reaches the NVAs and ER, not the VPN sites. */
	assert_int_equal(fx_announce(&nva1, "0.0.0.0/0", "65001", "198.19.1.10", NULL, 0), 0);
	assert_active("0.0.0.0/0", HUB_SRC_NVA, 1);
	assert_int_equal(fx_flush(&vpn1), 0);
	fx_flush(&er1);
	assert_announced(&er1, "0.0.0.0/0", "12076", "198.19.2.4");
}

static void test_R7_loop_prevention(void **state)
{
	struct hub_effective e;
	char *json;

	(void)state;
	fx_config(false);
	fx_start();
	fx_peer(&nva1, HUB_ROLE_NVA, "198.19.1.10", 65001, NULL);
	fx_peer(&nva2, HUB_ROLE_NVA, "198.19.1.11", 65002, NULL);
	fx_flush(&nva2);
	assert_int_equal(
	        fx_announce(&nva1, "192.0.2.0/24", "65001 65515 65010", "198.19.1.10", NULL, 0), 0);
	assert_int_equal(fx_effective("192.0.2.0/24", &e), 0);
	assert_false(e.active);
	assert_string_equal(e.why, HUB_WHY_LOOP);
	assert_int_equal(fx_flush(&nva2), 0);
	{
		struct hub_peer_counts n;

		hub_peer_counts(nva1.hp, &n);
		assert_int_equal(n.received, 1);
		assert_int_equal(n.accepted, 0);
		hub_peer_counts(nva2.hp, &n);
		assert_int_equal(n.advertised, 1); /* the VNet space */
	}
	/* Kept in the NVA's received routes with the reason. */
	json = hub_peer_routes_json(nva1.hp, false);
	assert_non_null(json);
	assert_non_null(strstr(json, "\"accepted\":false,\"reason\":\"" HUB_WHY_LOOP "\""));
	free(json);
	/* The same prefix without the loop replaces it. */
	assert_int_equal(fx_announce(&nva1, "192.0.2.0/24", "65001", "198.19.1.10", NULL, 0), 0);
	assert_active("192.0.2.0/24", HUB_SRC_NVA, 1);
	fx_flush(&nva2);
	assert_announced(&nva2, "192.0.2.0/24", "65001", "198.19.1.10");
}

static void test_R7_gateway_route_echoed_by_an_nva_is_refused(void **state)
{
	struct hub_effective e;

	(void)state;
	fx_config(true);
	fx_start();
	populate();
	fx_flush(&nva1);
	fx_flush(&er1);
	/* The NVA got on-prem 2 as "65515 65020" and advertises it back. */
	assert_int_equal(
	        fx_announce(&nva1, "198.51.100.0/24", "65001 65515 65020", "198.19.1.10", NULL, 0),
	        0);
	assert_int_equal(fx_flush(&er1), 0);
	assert_int_equal(fx_effective("198.51.100.0/24", &e), 0);
	assert_int_equal(e.src, HUB_SRC_ER);
}

static void test_R8_vnet_overlap(void **state)
{
	struct hub_effective e;

	(void)state;
	fx_config(false);
	fx_start();
	fx_peer(&nva1, HUB_ROLE_NVA, "198.19.1.10", 65001, NULL);
	fx_peer(&nva2, HUB_ROLE_NVA, "198.19.1.11", 65002, NULL);
	fx_flush(&nva2);
	assert_int_equal(fx_announce(&nva1, "198.18.1.0/24 198.18.0.0/16 198.18.0.0/15", "65001",
	                             "198.19.1.10", NULL, 0),
	                 0);
	/* More specific: neither programmed nor advertised. */
	assert_int_equal(fx_effective("198.18.1.0/24", &e), 0);
	assert_false(e.active);
	assert_string_equal(e.why, HUB_WHY_VNET_OVERLAP);
	/* Equal: the VNet route stays the one. */
	assert_active("198.18.0.0/16", HUB_SRC_VNET, 0);
	/* A supernet is accepted. */
	assert_active("198.18.0.0/15", HUB_SRC_NVA, 1);
	assert_int_equal(fx_flush(&nva2), 1);
	assert_announced(&nva2, "198.18.0.0/15", "65001", "198.19.1.10");
}

static void test_R9_no_advertise_is_programmed_not_advertised(void **state)
{
	(void)state;
	fx_config(true);
	fx_start();
	fx_peer(&nva1, HUB_ROLE_NVA, "198.19.1.10", 65001, NULL);
	fx_peer(&nva2, HUB_ROLE_NVA, "198.19.1.11", 65002, NULL);
	fx_peer(&er1, HUB_ROLE_ER_ONPREM, "198.19.2.10", 65020, NULL);
	fx_peer(&vpn1, HUB_ROLE_VPN_ONPREM, "198.19.3.10", 65030, NULL);
	fx_flush(&nva1);
	fx_flush(&nva2);
	fx_flush(&er1);
	fx_flush(&vpn1);
	assert_int_equal(
	        fx_announce(&nva1, "192.0.2.0/24", "65001", "198.19.1.10", no_advertise, 1), 0);
	assert_int_equal(
	        fx_announce(&er1, "198.51.100.0/24", "65020", "198.19.2.10", no_advertise, 1), 0);
	assert_active("192.0.2.0/24", HUB_SRC_NVA, 1);
	assert_active("198.51.100.0/24", HUB_SRC_ER, 1);
	assert_int_equal(fx_flush(&nva2), 0);
	assert_int_equal(fx_flush(&er1), 0);
	assert_int_equal(fx_flush(&vpn1), 0);
	assert_int_equal(fx_flush(&nva1), 0);
}

static void test_R11_route_limit_tears_down_and_withdraws(void **state)
{
	struct hub_effective e;

	(void)state;
	fx_config(false);
	fx.cfg.rs.route_limit = 3;
	fx_start();
	fx_peer(&nva1, HUB_ROLE_NVA, "198.19.1.10", 65001, NULL);
	fx_peer(&nva2, HUB_ROLE_NVA, "198.19.1.11", 65002, NULL);
	fx_flush(&nva2);
	assert_int_equal(
	        fx_announce(&nva1, "192.0.2.0/25 192.0.2.128/25", "65001", "198.19.1.10", NULL, 0),
	        0);
	/* Held 2 + 1 in the UPDATE = 3: at the limit, fine. */
	assert_int_equal(fx_announce(&nva1, "192.0.2.0/26", "65001", "198.19.1.10", NULL, 0), 0);
	assert_int_equal(nva1.teardowns, 0);
	assert_int_equal(fx_flush(&nva2), 3);
	/* Routes it already holds, re-announced with a longer AS path (R3 prepending): they
	 * replace themselves, the count stays 3. */
	assert_int_equal(fx_announce(&nva1, "192.0.2.0/25 192.0.2.128/25 192.0.2.0/26",
	                             "65001 65001", "198.19.1.10", NULL, 0),
	                 0);
	assert_int_equal(nva1.teardowns, 0);
	assert_int_equal(fx_flush(&nva2), 3);
	/* Held 3 + 1 new. */
	assert_int_equal(fx_announce(&nva1, "192.0.2.192/26", "65001", "198.19.1.10", NULL, 0),
	                 -ECANCELED);
	assert_int_equal(nva1.teardowns, 1);
	assert_int_equal(nva1.code, BGP_ERR_CEASE);
	assert_int_equal(nva1.subcode, BGP_CEASE_MAX_PREFIX);
	assert_int_equal(fx_effective("192.0.2.0/25", &e), -ENOENT);
	assert_int_equal(fx_flush(&nva2), 3);
	assert_withdrawn(&nva2, "192.0.2.0/25");
	assert_withdrawn(&nva2, "192.0.2.128/25");
	assert_withdrawn(&nva2, "192.0.2.0/26");
	/* The speaker closes the session afterwards. */
	hub_peer_down(nva1.hp);
}

static void r13_setup(enum rh_hub_pref pref)
{
	fx_config(true);
	fx.cfg.rs.preference = pref;
	fx_start();
	fx_peer(&nva1, HUB_ROLE_NVA, "198.19.1.10", 65001, NULL);
	fx_peer(&nva2, HUB_ROLE_NVA, "198.19.1.11", 65002, NULL);
	fx_peer(&er1, HUB_ROLE_ER_ONPREM, "198.19.2.10", 65020, NULL);
	fx_peer(&vpn1, HUB_ROLE_VPN_ONPREM, "198.19.3.10", 65030, NULL);
	fx_flush(&nva2);
	fx_flush(&vpn1);
	/* NVA: AS path 1 long; ER: 2 long. */
	assert_int_equal(fx_announce(&nva1, "192.0.2.0/24", "65001", "198.19.1.10", NULL, 0), 0);
	assert_int_equal(fx_announce(&er1, "192.0.2.0/24", "65020 65020", "198.19.2.10", NULL, 0),
	                 0);
}

static void test_R13_preference_expressroute(void **state)
{
	(void)state;
	r13_setup(RH_PREF_EXPRESSROUTE);
	assert_active("192.0.2.0/24", HUB_SRC_ER, 1);
	/* The route server's best is the ER route: the other NVA gets it, through the hub. */
	fx_flush(&nva2);
	assert_announced(&nva2, "192.0.2.0/24", "65515 65020 65020", "198.19.0.4");
	fx_flush(&vpn1);
	assert_announced(&vpn1, "192.0.2.0/24", "65515 65020 65020", "198.19.3.4");
}

static void test_R13_preference_vpngateway(void **state)
{
	(void)state;
	r13_setup(RH_PREF_VPNGATEWAY);
	assert_active("192.0.2.0/24", HUB_SRC_NVA, 1);
	fx_flush(&nva2);
	assert_announced(&nva2, "192.0.2.0/24", "65001", "198.19.1.10");
	/* The ER circuit gets the NVA's route (ER to ER never). */
	fx_flush(&er1);
	assert_announced(&er1, "192.0.2.0/24", "12076", "198.19.2.4");
}

static void test_R13_preference_aspath(void **state)
{
	struct hub_effective e;

	(void)state;
	r13_setup(RH_PREF_ASPATH);
	assert_active("192.0.2.0/24", HUB_SRC_NVA, 1);
	/* A tie of AS path length goes to ExpressRoute, alone, in the RIB as in the FIB:
	 * eBGP-over-iBGP (RFC 4271 9.1.2.2 d) does not decide for the NVA. */
	assert_int_equal(fx_announce(&er1, "192.0.2.0/24", "65020", "198.19.2.10", NULL, 0), 0);
	assert_int_equal(fx_effective("192.0.2.0/24", &e), 0);
	assert_int_equal(e.src, HUB_SRC_ER);
	assert_int_equal(e.n_nexthops, 1);
	fx_flush(&nva2);
	assert_announced(&nva2, "192.0.2.0/24", "65515 65020", "198.19.0.4");
}

static void test_R13_switch_at_runtime(void **state)
{
	(void)state;
	r13_setup(RH_PREF_EXPRESSROUTE);
	fx_flush(&nva2);
	fx_flush(&er1);
	assert_int_equal(hub_set_preference(fx.h, RH_PREF_VPNGATEWAY), 0);
	assert_active("192.0.2.0/24", HUB_SRC_NVA, 1);
	assert_int_equal(fx_flush(&nva2), 1);
	assert_announced(&nva2, "192.0.2.0/24", "65001", "198.19.1.10");
	assert_int_equal(fx_flush(&er1), 1);
	assert_announced(&er1, "192.0.2.0/24", "12076", "198.19.2.4");
	assert_int_equal(hub_set_preference(fx.h, RH_PREF_EXPRESSROUTE), 0);
	assert_active("192.0.2.0/24", HUB_SRC_ER, 1);
	assert_int_equal(fx_flush(&er1), 1);
	assert_withdrawn(&er1, "192.0.2.0/24");
}

static void test_R13_vpn_and_nva_are_not_ranked(void **state)
{
	(void)state;
	fx_config(true);
	fx_start();
	populate();
	assert_int_equal(fx_announce(&vpn1, "192.0.2.0/24", "65030", "198.19.3.10", NULL, 0), 0);
	/* Same AS path length: both active (R3). */
	assert_active("192.0.2.0/24", HUB_SRC_NVA, 2);
	assert_int_equal(fx_announce(&vpn1, "192.0.2.0/24", "65030 65030", "198.19.3.10", NULL, 0),
	                 0);
	assert_active("192.0.2.0/24", HUB_SRC_NVA, 1);
}

static void test_R16_limit_toward_er_stops_the_exchange(void **state)
{
	(void)state;
	fx_config(true);
	fx.cfg.er.limit_to_er = 4; /* the 2 VNet spaces + 2 route server routes */
	fx_start();
	populate();
	fx_announce(&nva1, "192.0.2.0/24", "65001", "198.19.1.10", NULL, 0);
	assert_null(hub_er_exchange_status(fx.h));
	fx_flush(&er1);
	fx_flush(&nva1);
	assert_int_equal(fx_announce(&nva1, "203.0.113.128/25", "65001", "198.19.1.10", NULL, 0),
	                 0);
	assert_null(hub_er_exchange_status(fx.h));
	assert_int_equal(fx_flush(&er1), 1);
	assert_int_equal(fx_announce(&nva1, "203.0.113.64/26", "65001", "198.19.1.10", NULL, 0), 0);
	/* 5 > 4: the route server <-> ER exchange stops, both ways, and says why. */
	assert_non_null(hub_er_exchange_status(fx.h));
	assert_non_null(strstr(hub_er_exchange_status(fx.h), "R16"));
	assert_int_equal(fx_flush(&er1), 2);
	assert_withdrawn(&er1, "192.0.2.0/24");
	assert_withdrawn(&er1, "203.0.113.128/25");
	fx_flush(&nva1);
	assert_withdrawn(&nva1, "198.51.100.0/24");
	/* The VNet spaces and the VPN <-> ER exchange stay. */
	assert_active("198.51.100.0/24", HUB_SRC_ER, 1);
	{
		char *json = hub_effective_json(fx.h);

		FILE *null = fopen("/dev/null", "w");

		assert_non_null(strstr(json, "\"expressroute-exchange\":\"R16"));
		assert_int_equal(table_print_state(null, json), 0); /* the schema's */
		fclose(null);
		free(json);
	}
	/* Back under the limit: resumed. */
	assert_int_equal(fx_withdraw(&nva1, "203.0.113.64/26"), 0);
	assert_null(hub_er_exchange_status(fx.h));
	assert_int_equal(fx_flush(&er1), 2);
	assert_announced(&er1, "192.0.2.0/24", "12076", NULL);
	fx_flush(&nva1);
	assert_announced(&nva1, "198.51.100.0/24", "65515 65020", "198.19.0.4");
}

static void test_R16_onprem_limits_tear_down(void **state)
{
	(void)state;
	fx_config(true);
	fx.cfg.er.limit_from_onprem = 2;
	fx.cfg.vpn.route_limit = 1;
	fx_start();
	fx_peer(&er1, HUB_ROLE_ER_ONPREM, "198.19.2.10", 65020, NULL);
	fx_peer(&vpn1, HUB_ROLE_VPN_ONPREM, "198.19.3.10", 65030, NULL);
	assert_int_equal(fx_announce(&er1, "198.51.100.0/25 198.51.100.128/25 198.51.100.0/24",
	                             "65020", "198.19.2.10", NULL, 0),
	                 -ECANCELED);
	assert_int_equal(er1.teardowns, 1);
	assert_int_equal(er1.subcode, BGP_CEASE_MAX_PREFIX);
	assert_int_equal(fx_announce(&vpn1, "203.0.113.0/24", "65030", "198.19.3.10", NULL, 0), 0);
	assert_int_equal(fx_announce(&vpn1, "203.0.113.0/25", "65030", "198.19.3.10", NULL, 0),
	                 -ECANCELED);
	assert_int_equal(vpn1.teardowns, 1);
}

static void test_R17_effective_routes_reasons(void **state)
{
	struct hub_effective e;
	unsigned before;
	char *json;

	(void)state;
	fx_config(true);
	fx_start();
	populate();
	before = fx.effective_changes;
	assert_int_equal(fx_announce(&er1, "192.0.2.0/24", "65020", "198.19.2.10", NULL, 0), 0);
	assert_int_equal(fx.effective_changes, before + 1);
	assert_string_equal(fx.last_changed, "192.0.2.0/24");
	assert_int_equal(fx_announce(&nva1, "198.18.5.0/24", "65001", "198.19.1.10", NULL, 0), 0);
	assert_int_equal(fx_effective("192.0.2.0/24", &e), 0);
	assert_int_equal(e.src, HUB_SRC_ER);
	json = hub_effective_json(fx.h);
	assert_non_null(json);
	/* Every candidate with its source, origin and reason. */
	assert_non_null(strstr(json, "{\"prefix\":\"192.0.2.0/24\",\"origin\":\"198.19.1.10\","
	                             "\"instance\":\"198.19.0.4\",\"source\":\"nva\","
	                             "\"next-hop\":[\"198.19.1.10\"],\"as-path-length\":1,"
	                             "\"active\":false,\"reason\":\"" HUB_WHY_PREF_ER "\"}"));
	assert_non_null(strstr(json, "{\"prefix\":\"192.0.2.0/24\",\"origin\":\"198.19.2.10\","
	                             "\"instance\":\"198.19.2.4\",\"source\":\"expressroute\","
	                             "\"next-hop\":[\"198.19.2.10\"],\"as-path-length\":1,"
	                             "\"active\":true}"));
	assert_non_null(strstr(json, "\"reason\":\"" HUB_WHY_VNET_OVERLAP "\""));
	assert_non_null(strstr(json, "{\"prefix\":\"198.18.0.0/16\",\"origin\":\"vnet\""));
	/* The JSON is the schema's: routehubctl prints it as tables. */
	{
		char *text = NULL;
		size_t size = 0;
		FILE *f = open_memstream(&text, &size);

		assert_int_equal(table_print_state(f, json), 0);
		fclose(f);
		assert_non_null(strstr(text, "origin"));
		free(text);
	}
	free(json);
	/* Per-peer views, also the schema's. */
	json = hub_peer_routes_json(nva1.hp, false);
	assert_non_null(strstr(json, "\"received-route\""));
	{
		FILE *null = fopen("/dev/null", "w");

		assert_int_equal(table_print_state(null, json), 0);
		fclose(null);
	}
	free(json);
	/* The ER route is the route server's best: the NVA was sent it. */
	fx_flush(&nva1);
	json = hub_peer_routes_json(nva1.hp, true);
	assert_non_null(strstr(json, "\"advertised-route\":[{\"prefix\":\"192.0.2.0/24\""));
	{
		FILE *null = fopen("/dev/null", "w");

		assert_int_equal(table_print_state(null, json), 0);
		fclose(null);
	}
	free(json);
	/* Withdrawn everywhere: nothing left. */
	assert_int_equal(fx_withdraw(&nva1, "192.0.2.0/24"), 0);
	assert_int_equal(fx_withdraw(&er1, "192.0.2.0/24"), 0);
	assert_int_equal(fx_effective("192.0.2.0/24", &e), -ENOENT);
}

static void test_vpn_static_prefixes_advertised_with_no_bgp_session(void **state)
{
	struct hub_effective e;

	(void)state;
	fx_config(true);
	fx.cfg.vpn.n_local = 1;
	fx.cfg.vpn.local[0] = fx_prefix("203.0.113.128/25");
	fx_start();
	fx_peer(&nva1, HUB_ROLE_NVA, "198.19.1.10", 65001, NULL);
	fx_peer(&er1, HUB_ROLE_ER_ONPREM, "198.19.2.10", 65020, NULL);
	fx_flush(&nva1);
	assert_announced(&nva1, "203.0.113.128/25", "65515", "198.19.0.4");
	fx_flush(&er1);
	assert_announced(&er1, "203.0.113.128/25", "12076", "198.19.2.4");
	/* Programmed toward the VPN site. */
	assert_int_equal(fx_effective("203.0.113.128/25", &e), 0);
	assert_true(e.active);
	assert_int_equal(e.src, HUB_SRC_VPN);
	assert_int_equal(e.n_nexthops, 1);
	/* Not exchanged with branch-to-branch off (R4). */
	assert_int_equal(hub_set_branch_to_branch(fx.h, false), 0);
	fx_flush(&nva1);
	assert_withdrawn(&nva1, "203.0.113.128/25");
}

static void test_er_presents_12076_with_private_asns_stripped(void **state)
{
	(void)state;
	fx_config(true);
	fx_start();
	fx_peer(&nva1, HUB_ROLE_NVA, "198.19.1.10", 65001, NULL);
	fx_peer(&er1, HUB_ROLE_ER_ONPREM, "198.19.2.10", 65020, NULL);
	fx_flush(&er1);
	assert_int_equal(fx_announce(&nva1, "192.0.2.0/24", "65001 64512 3356 4200000001",
	                             "198.19.1.10", NULL, 0),
	                 0);
	fx_flush(&er1);
	assert_announced(&er1, "192.0.2.0/24", "12076 3356", "198.19.2.4");
}

static void test_session_down_withdraws_everywhere(void **state)
{
	struct hub_effective e;

	(void)state;
	fx_config(true);
	fx_start();
	populate();
	fx_flush(&er1);
	hub_peer_down(nva1.hp);
	assert_int_equal(fx_effective("192.0.2.0/24", &e), -ENOENT);
	assert_int_equal(fx_flush(&er1), 1);
	assert_withdrawn(&er1, "192.0.2.0/24");
	/* Up again: the whole table and End-of-RIB. */
	assert_int_equal(hub_peer_up(nva1.hp, (bool[BGP_AID_MAX]){true, true}, 1), 0);
	fx_flush(&nva1);
	assert_announced(&nva1, "198.51.100.0/24", "65515 65020", "198.19.0.4");
	assert_int_equal(nva1.eor, 2);
	/* A route refresh (RFC 2918) sends it all again. */
	assert_int_equal(hub_peer_refresh(nva1.hp, BGP_AID_IPV4), 0);
	assert_true(fx_flush(&nva1) >= 3);
}

static void test_treat_as_withdraw_removes_the_announced_prefixes(void **state)
{
	struct hub_effective e;

	(void)state;
	fx_config(false);
	fx_start();
	fx_peer(&nva1, HUB_ROLE_NVA, "198.19.1.10", 65001, NULL);
	fx_peer(&nva2, HUB_ROLE_NVA, "198.19.1.11", 65002, NULL);
	assert_int_equal(fx_announce(&nva1, "192.0.2.0/24", "65001", "198.19.1.10", NULL, 0), 0);
	fx_flush(&nva2);
	/* RFC 7606 2: an UPDATE with a bad attribute withdraws the routes it announces. */
	fx.action = BGP_UPD_TREAT_AS_WITHDRAW;
	assert_int_equal(fx_announce(&nva1, "192.0.2.0/24", "65001", "198.19.1.10", NULL, 0), 0);
	assert_int_equal(fx_effective("192.0.2.0/24", &e), -ENOENT);
	assert_int_equal(fx_flush(&nva2), 1);
	assert_withdrawn(&nva2, "192.0.2.0/24");
}

static void test_R2_R3_ipv6_routes(void **state)
{
	struct hub_effective e;

	(void)state;
	fx_config(false);
	fx_start();
	fx_peer(&nva1, HUB_ROLE_NVA, "198.19.1.10", 65001, NULL);
	fx_peer(&nva2, HUB_ROLE_NVA, "198.19.1.11", 65002, NULL);
	fx_flush(&nva2);
	assert_int_equal(fx_announce(&nva1, "2001:db8:1::/48", "65001", "2001:db8:ff::10", NULL, 0),
	                 0);
	assert_int_equal(fx_announce(&nva2, "2001:db8:1::/48", "65002", "2001:db8:ff::11", NULL, 0),
	                 0);
	assert_int_equal(fx_effective("2001:db8:1::/48", &e), 0);
	assert_true(e.active);
	assert_int_equal(e.n_nexthops, 2);
	assert_int_equal(e.nexthop[0].family, RH_AF_INET6);
	/* The best (lower BGP identifier: nva1's) reflected to the other NVA with its
	 * MP_REACH next hop (RFC 4760) unchanged. */
	fx_flush(&nva2);
	assert_announced(&nva2, "2001:db8:1::/48", "65001", "2001:db8:ff::10");
	/* R8 holds for IPv6 VNet spaces too. */
	assert_int_equal(
	        fx_announce(&nva1, "2001:db8:100:1::/64", "65001", "2001:db8:ff::10", NULL, 0), 0);
	assert_int_equal(fx_effective("2001:db8:100:1::/64", &e), 0);
	assert_false(e.active);
}

static void test_a_part_exists_only_when_configured(void **state)
{
	struct hub_peer_info info = {.role = HUB_ROLE_ER_ONPREM};

	(void)state;
	fx_config(false);
	fx.cfg.er.present = false;
	memset(fx.cfg.rs.instance, 0, sizeof(fx.cfg.rs.instance));
	fx_start();
	info.addr = fx_addr("198.19.2.10");
	assert_null(hub_peer_add(fx.h, &info));
	assert_int_equal(errno, ENOENT);
	info.role = HUB_ROLE_NVA;
	assert_null(hub_peer_add(fx.h, &info));
	/* The VPN gateway alone still has its sessions and the VNet spaces. */
	fx_peer(&vpn1, HUB_ROLE_VPN_ONPREM, "198.19.3.10", 65030, NULL);
	fx_flush(&vpn1);
	assert_announced(&vpn1, "198.18.0.0/16", "65515", "198.19.3.4");
}

/* ------------------------------------------------------------------ randomised */

#define RND_PEERS    5
#define RND_PREFIXES 12

/* What one peer holds from the hub: per prefix "as-path|next-hop", "" when nothing. */
struct rnd_view {
	char v[RND_PREFIXES][160];
};

static const char *rnd_prefix(unsigned i)
{
	static char buf[RND_PREFIXES][RH_PREFIX_STRLEN];

	snprintf(buf[i], sizeof(buf[i]), "192.0.2.%u/28", i * 16);
	if (i >= 8)
		snprintf(buf[i], sizeof(buf[i]), "198.51.100.%u/28", (i - 8) * 16);
	return buf[i];
}

static struct fx_peer *rnd_peers[RND_PEERS] = {&nva1, &nva2, &er1, &er2, &vpn1};

static void rnd_up(void)
{
	fx_peer(&nva1, HUB_ROLE_NVA, "198.19.1.10", 65001, NULL);
	fx_peer(&nva2, HUB_ROLE_NVA, "198.19.1.11", 65002, "198.19.0.5");
	fx_peer(&er1, HUB_ROLE_ER_ONPREM, "198.19.2.10", 65020, NULL);
	fx_peer(&er2, HUB_ROLE_ER_ONPREM, "198.19.2.11", 65021, "198.19.2.5");
	fx_peer(&vpn1, HUB_ROLE_VPN_ONPREM, "198.19.3.10", 65030, NULL);
}

/* Applies what each peer is sent to its view. */
static void rnd_flush(struct rnd_view *views)
{
	for (unsigned k = 0; k < RND_PEERS; k++) {
		fx_flush(rnd_peers[k]);
		for (unsigned i = 0; i < rnd_peers[k]->n_sent; i++) {
			const struct fx_sent *s = &rnd_peers[k]->sent[i];

			for (unsigned j = 0; j < RND_PREFIXES; j++)
				if (strcmp(s->prefix, rnd_prefix(j)) == 0)
					snprintf(views[k].v[j], sizeof(views[k].v[j]), "%s%s%s%s",
					         s->withdraw ? "" : s->aspath,
					         s->withdraw ? "" : "|",
					         s->withdraw ? "" : s->nexthop,
					         s->withdraw ? "" : (s->no_advertise ? "|na" : ""));
		}
	}
}

/* The route each peer currently announces for each prefix: path length, 0 = none. */
struct rnd_state {
	unsigned len[RND_PEERS][RND_PREFIXES];
	bool no_adv[RND_PEERS][RND_PREFIXES];
	bool b2b;
	enum rh_hub_pref pref;
};

static void rnd_announce(unsigned k, unsigned j, unsigned len, bool no_adv)
{
	static const uint32_t asn[RND_PEERS] = {65001, 65002, 65020, 65021, 65030};
	static const char *const nh[RND_PEERS] = {"198.19.1.10", "198.19.1.11", "198.19.2.10",
	                                          "198.19.2.11", "198.19.3.10"};
	char path[64] = "";

	for (unsigned i = 0; i < len; i++)
		snprintf(path + strlen(path), sizeof(path) - strlen(path), "%s%u", i ? " " : "",
		         asn[k]);
	if (len == 0)
		assert_int_equal(fx_withdraw(rnd_peers[k], rnd_prefix(j)), 0);
	else
		assert_int_equal(fx_announce(rnd_peers[k], rnd_prefix(j), path, nh[k],
		                             no_adv ? no_advertise : NULL, no_adv ? 1 : 0),
		                 0);
}

static void test_switches_and_updates_leave_what_a_fresh_hub_sends(void **state)
{
	static struct rnd_view inc[RND_PEERS], fresh[RND_PEERS];
	struct hub_effective e1[RND_PREFIXES], e2[RND_PREFIXES];
	int r1[RND_PREFIXES], r2[RND_PREFIXES];
	struct rnd_state st = {.pref = RH_PREF_EXPRESSROUTE};
	unsigned seed = 12345;

	(void)state;
	for (unsigned round = 0; round < 300; round++) {
		memset(inc, 0, sizeof(inc));
		memset(fresh, 0, sizeof(fresh));
		memset(&st, 0, sizeof(st));
		fx_config(false);
		fx.cfg.er.limit_to_er = 8; /* R16 stops and resumes the exchange now and then */
		fx_start();
		rnd_up();
		rnd_flush(inc);
		for (unsigned step = 0; step < 60; step++) {
			unsigned r = (unsigned)rand_r(&seed);

			if (r % 10 == 0) {
				st.b2b = !st.b2b;
				assert_int_equal(hub_set_branch_to_branch(fx.h, st.b2b), 0);
			} else if (r % 10 == 1) {
				st.pref = (enum rh_hub_pref)((r / 10) % 3);
				assert_int_equal(hub_set_preference(fx.h, st.pref), 0);
			} else if (r % 20 == 2) {
				/* A session resets: its routes go; the peer starts afresh. */
				unsigned k = (r / 20) % RND_PEERS;

				hub_peer_down(rnd_peers[k]->hp);
				memset(&st.len[k], 0, sizeof(st.len[k]));
				memset(&st.no_adv[k], 0, sizeof(st.no_adv[k]));
				memset(&inc[k], 0, sizeof(inc[k]));
				assert_int_equal(
				        hub_peer_up(
				                rnd_peers[k]->hp, (bool[BGP_AID_MAX]){true, true},
				                htonl(0x0a000000u + hub_peer_info(rnd_peers[k]->hp)
				                                            ->addr.bytes[3])),
				        0);
			} else {
				unsigned k = (r / 10) % RND_PEERS, j = (r / 50) % RND_PREFIXES;
				unsigned len = (r / 600) % 4;
				bool na = (r / 2400) % 8 == 0;

				st.len[k][j] = len;
				st.no_adv[k][j] = na && len > 0;
				rnd_announce(k, j, len, st.no_adv[k][j]);
			}
			if (r % 3 == 0)
				rnd_flush(inc); /* sometimes several changes coalesce */
		}
		rnd_flush(inc);
		for (unsigned j = 0; j < RND_PREFIXES; j++)
			r1[j] = fx_effective(rnd_prefix(j), &e1[j]);
		fx_stop();
		/* The same final state, built directly. */
		fx_config(st.b2b);
		fx.cfg.rs.preference = st.pref;
		fx.cfg.er.limit_to_er = 8;
		fx_start();
		rnd_up();
		for (unsigned k = 0; k < RND_PEERS; k++)
			for (unsigned j = 0; j < RND_PREFIXES; j++)
				if (st.len[k][j] > 0)
					rnd_announce(k, j, st.len[k][j], st.no_adv[k][j]);
		rnd_flush(fresh);
		for (unsigned k = 0; k < RND_PEERS; k++)
			for (unsigned j = 0; j < RND_PREFIXES; j++)
				if (strcmp(inc[k].v[j], fresh[k].v[j]) != 0)
					fail_msg(
					        "round %u peer %u %s: incremental '%s', fresh '%s' "
					        "(b2b %d, preference %d, lengths %u %u %u %u %u, "
					        "R16 %s)",
					        round, k, rnd_prefix(j), inc[k].v[j], fresh[k].v[j],
					        st.b2b, st.pref, st.len[0][j], st.len[1][j],
					        st.len[2][j], st.len[3][j], st.len[4][j],
					        hub_er_exchange_status(fx.h) ? "stopped"
					                                     : "running");
		for (unsigned j = 0; j < RND_PREFIXES; j++) {
			r2[j] = fx_effective(rnd_prefix(j), &e2[j]);
			assert_int_equal(r1[j], r2[j]);
			if (r1[j] == 0) {
				assert_int_equal(e1[j].active, e2[j].active);
				assert_int_equal(e1[j].src, e2[j].src);
				assert_int_equal(e1[j].n_nexthops, e2[j].n_nexthops);
				assert_memory_equal(e1[j].nexthop, e2[j].nexthop,
				                    e1[j].n_nexthops * sizeof(e1[j].nexthop[0]));
			}
		}
		fx_stop();
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_teardown(test_R1_vnet_routes_go_to_every_peer, teardown),
	        cmocka_unit_test_teardown(test_R2_next_hop_is_the_nvas, teardown),
	        cmocka_unit_test_teardown(test_R3_ecmp_for_equal_as_path_length, teardown),
	        cmocka_unit_test_teardown(test_R3_each_nva_gets_the_best_path_it_may_receive,
	                                  teardown),
	        cmocka_unit_test_teardown(test_R4_no_exchange_by_default, teardown),
	        cmocka_unit_test_teardown(test_R5_exchange_on_nva_gets_onprem2, teardown),
	        cmocka_unit_test_teardown(test_R5_switch_at_runtime_sends_only_the_difference,
	                                  teardown),
	        cmocka_unit_test_teardown(test_R5_never_er_circuit_to_er_circuit, teardown),
	        cmocka_unit_test_teardown(test_R6_vpn_not_active_active_exchanges_nothing,
	                                  teardown),
	        cmocka_unit_test_teardown(test_vpn_never_takes_nor_gives_the_default_route,
	                                  teardown),
	        cmocka_unit_test_teardown(test_R7_loop_prevention, teardown),
	        cmocka_unit_test_teardown(test_R7_gateway_route_echoed_by_an_nva_is_refused,
	                                  teardown),
	        cmocka_unit_test_teardown(test_R8_vnet_overlap, teardown),
	        cmocka_unit_test_teardown(test_R9_no_advertise_is_programmed_not_advertised,
	                                  teardown),
	        cmocka_unit_test_teardown(test_R11_route_limit_tears_down_and_withdraws, teardown),
	        cmocka_unit_test_teardown(test_R13_preference_expressroute, teardown),
	        cmocka_unit_test_teardown(test_R13_preference_vpngateway, teardown),
	        cmocka_unit_test_teardown(test_R13_preference_aspath, teardown),
	        cmocka_unit_test_teardown(test_R13_switch_at_runtime, teardown),
	        cmocka_unit_test_teardown(test_R13_vpn_and_nva_are_not_ranked, teardown),
	        cmocka_unit_test_teardown(test_R16_limit_toward_er_stops_the_exchange, teardown),
	        cmocka_unit_test_teardown(test_R16_onprem_limits_tear_down, teardown),
	        cmocka_unit_test_teardown(test_R17_effective_routes_reasons, teardown),
	        cmocka_unit_test_teardown(test_vpn_static_prefixes_advertised_with_no_bgp_session,
	                                  teardown),
	        cmocka_unit_test_teardown(test_er_presents_12076_with_private_asns_stripped,
	                                  teardown),
	        cmocka_unit_test_teardown(test_session_down_withdraws_everywhere, teardown),
	        cmocka_unit_test_teardown(test_treat_as_withdraw_removes_the_announced_prefixes,
	                                  teardown),
	        cmocka_unit_test_teardown(test_R2_R3_ipv6_routes, teardown),
	        cmocka_unit_test_teardown(test_a_part_exists_only_when_configured, teardown),
	        cmocka_unit_test(test_switches_and_updates_leave_what_a_fresh_hub_sends),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
