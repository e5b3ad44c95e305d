/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Graceful restart at the hub (RFC 4724 4.2, receiving speaker): a restarting peer's
 * routes stay stale in the RIB, in what other peers are sent and in the effective routes;
 * what it re-announces unchanged makes no UPDATE to the others; its End-of-RIB (or the
 * restart timer) removes the rest, which the others then see withdrawn.
 */
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

static struct fx_peer nva1, nva2;

static int teardown(void **state)
{
	(void)state;
	fx_stop();
	return 0;
}

static void assert_active(const char *prefix)
{
	struct hub_effective e;

	assert_int_equal(fx_effective(prefix, &e), 0);
	assert_true(e.active);
	assert_int_equal(e.n_nexthops, 1);
}

static void assert_withdrawn(const struct fx_peer *p, const char *prefix)
{
	const struct fx_sent *s = fx_sent(p, prefix);

	if (s == NULL)
		fail_msg("%s was not sent", prefix);
	assert_true(s->withdraw);
}

/* nva1 announces two IPv4 prefixes and one IPv6 prefix; nva2 has been sent them. */
static void populate(void)
{
	fx_config(false);
	fx_start();
	fx_peer(&nva1, HUB_ROLE_NVA, "198.19.1.10", 65001, NULL);
	fx_peer(&nva2, HUB_ROLE_NVA, "198.19.1.11", 65002, NULL);
	assert_int_equal(
	        fx_announce(&nva1, "192.0.2.0/24 198.51.100.0/24", "65001", "198.19.1.10", NULL, 0),
	        0);
	assert_int_equal(fx_announce(&nva1, "2001:db8:1::/48", "65001", "2001:db8:ff::10", NULL, 0),
	                 0);
	fx_flush(&nva1);
	assert_true(fx_flush(&nva2) >= 3);
}

static size_t json_count(const char *json, const char *needle)
{
	size_t n = 0;

	for (const char *s = strstr(json, needle); s != NULL; s = strstr(s + 1, needle))
		n++;
	return n;
}

static void test_restart_keeps_routes_until_end_of_rib(void **state)
{
	static const bool ipv4_only[BGP_AID_MAX] = {true, false};
	static const bool both[BGP_AID_MAX] = {true, true};
	struct hub_effective e;
	char *json;

	(void)state;
	populate();
	/* The session drops without a NOTIFICATION; the peer preserves IPv4 only. */
	hub_peer_down_gr(nva1.hp, ipv4_only);
	assert_int_equal(hub_peer_stale_count(nva1.hp), 2);
	/* IPv4 kept and still forwarded; IPv6 gone at once, and nva2 hears only of it. */
	assert_active("192.0.2.0/24");
	assert_active("198.51.100.0/24");
	assert_int_equal(fx_effective("2001:db8:1::/48", &e), -ENOENT);
	assert_int_equal(fx_flush(&nva2), 1);
	assert_withdrawn(&nva2, "2001:db8:1::/48");
	/* The effective routes mark both kept routes stale. */
	json = hub_effective_json(fx.h);
	assert_non_null(json);
	assert_int_equal(json_count(json, "\"stale\":true"), 2);
	free(json);

	/* Back: it announces 192.0.2.0/24 again, unchanged: nothing for nva2 (no flap). */
	assert_int_equal(hub_peer_up(nva1.hp, both, 1), 0);
	assert_int_equal(fx_announce(&nva1, "192.0.2.0/24", "65001", "198.19.1.10", NULL, 0), 0);
	assert_int_equal(hub_peer_stale_count(nva1.hp), 1);
	assert_int_equal(fx_flush(&nva2), 0);
	/* Its IPv4 End-of-RIB: 198.51.100.0/24, not announced again, goes everywhere. */
	assert_int_equal(hub_peer_sweep_stale(nva1.hp, BGP_AID_IPV4), 1);
	assert_int_equal(fx_effective("198.51.100.0/24", &e), -ENOENT);
	assert_active("192.0.2.0/24");
	assert_int_equal(fx_flush(&nva2), 1);
	assert_withdrawn(&nva2, "198.51.100.0/24");
	assert_int_equal(hub_peer_stale_count(nva1.hp), 0);
	json = hub_effective_json(fx.h);
	assert_non_null(json);
	assert_null(strstr(json, "\"stale\""));
	free(json);
}

static void test_restart_timer_removes_everything(void **state)
{
	static const bool both[BGP_AID_MAX] = {true, true};
	struct hub_effective e;

	(void)state;
	populate();
	hub_peer_down_gr(nva1.hp, both);
	assert_int_equal(hub_peer_stale_count(nva1.hp), 3);
	assert_int_equal(fx_flush(&nva2), 0);
	assert_active("2001:db8:1::/48");
	/* The peer stays away past its restart time. */
	assert_int_equal(hub_peer_sweep_stale(nva1.hp, BGP_AID_MAX), 3);
	assert_int_equal(fx_effective("192.0.2.0/24", &e), -ENOENT);
	assert_int_equal(fx_effective("2001:db8:1::/48", &e), -ENOENT);
	assert_int_equal(fx_flush(&nva2), 3);
	assert_withdrawn(&nva2, "192.0.2.0/24");
	assert_withdrawn(&nva2, "198.51.100.0/24");
	assert_withdrawn(&nva2, "2001:db8:1::/48");
	/* Nothing left to sweep. */
	assert_int_equal(hub_peer_sweep_stale(nva1.hp, BGP_AID_MAX), 0);
}

static void test_plain_down_after_restart_removes_stale_routes(void **state)
{
	static const bool both[BGP_AID_MAX] = {true, true};
	struct hub_effective e;

	(void)state;
	populate();
	hub_peer_down_gr(nva1.hp, both);
	assert_int_equal(hub_peer_up(nva1.hp, both, 1), 0);
	/* A NOTIFICATION before its End-of-RIB: the routes go at once. */
	hub_peer_down(nva1.hp);
	assert_int_equal(fx_effective("192.0.2.0/24", &e), -ENOENT);
	assert_int_equal(hub_peer_stale_count(nva1.hp), 0);
	assert_int_equal(fx_flush(&nva2), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_teardown(test_restart_keeps_routes_until_end_of_rib, teardown),
	        cmocka_unit_test_teardown(test_restart_timer_removes_everything, teardown),
	        cmocka_unit_test_teardown(test_plain_down_after_restart_removes_stale_routes,
	                                  teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
