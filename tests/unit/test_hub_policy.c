/* SPDX-License-Identifier: BSD-3-Clause */
/* The hub's rules as functions: one test per rule, named after it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policy.h"

static struct rh_config cfg;

static struct rh_prefix P(const char *s) {
	struct rh_prefix p;

	assert_int_equal(rh_prefix_parse(s, &p, false), 0);
	return p;
}

static int
setup(void **state)
{
	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.rs.n_vnet = 2;
	cfg.rs.vnet[0] = P("198.18.0.0/16");
	cfg.rs.vnet[1] = P("2001:db8:100::/48");
	cfg.rs.preference = RH_PREF_EXPRESSROUTE;
	return 0;
}

/* Shorthand: may a route from src/from reach dst/to, for 192.0.2.0/24? */
static bool may_export(enum hub_src src, uint32_t from, enum hub_dst dst, uint32_t to)
{
	struct rh_prefix p = P("192.0.2.0/24");

	return hub_export_allowed(&cfg, &p, src, from, dst, to, false);
}

static void test_R1_vnet_routes_go_to_every_peer(void **state)
{
	struct rh_prefix vnet = P("198.18.0.0/16");

	(void)state;
	for (int b2b = 0; b2b <= 1; b2b++) {
		cfg.rs.branch_to_branch = b2b;
		assert_true(hub_export_allowed(&cfg, &vnet, HUB_SRC_VNET, 0, HUB_TO_NVA, 1, false));
		assert_true(hub_export_allowed(&cfg, &vnet, HUB_SRC_VNET, 0, HUB_TO_ER_ONPREM, 2,
		                               false));
		assert_true(hub_export_allowed(&cfg, &vnet, HUB_SRC_VNET, 0, HUB_TO_VPN_ONPREM, 3,
		                               false));
	}
}

static void test_R3_ecmp_for_equal_as_path_length(void **state)
{
	struct hub_candidate c[] = {
	        {.src = HUB_SRC_NVA, .aspath_len = 1},
	        {.src = HUB_SRC_NVA, .aspath_len = 1},
	        {.src = HUB_SRC_NVA, .aspath_len = 1},
	};

	(void)state;
	assert_int_equal(hub_select(RH_PREF_EXPRESSROUTE, c, 3), 3);
	for (int i = 0; i < 3; i++) {
		assert_true(c[i].active);
		assert_null(c[i].why);
	}
}

static void test_R3_shorter_as_path_wins_alone(void **state)
{
	/* Active/passive by prepending: the NVA that prepends loses. */
	struct hub_candidate c[] = {
	        {.src = HUB_SRC_NVA, .aspath_len = 3},
	        {.src = HUB_SRC_NVA, .aspath_len = 1},
	};

	(void)state;
	assert_int_equal(hub_select(RH_PREF_EXPRESSROUTE, c, 2), 1);
	assert_false(c[0].active);
	assert_string_equal(c[0].why, HUB_WHY_LONGER_PATH);
	assert_true(c[1].active);
}

static void test_R4_no_exchange_by_default(void **state)
{
	(void)state;
	cfg.rs.branch_to_branch = false;
	assert_false(may_export(HUB_SRC_NVA, 1, HUB_TO_ER_ONPREM, 2));
	assert_false(may_export(HUB_SRC_NVA, 1, HUB_TO_VPN_ONPREM, 3));
	assert_false(may_export(HUB_SRC_ER, 2, HUB_TO_NVA, 1));
	assert_false(may_export(HUB_SRC_VPN, 3, HUB_TO_NVA, 1));
	assert_false(may_export(HUB_SRC_ER, 2, HUB_TO_VPN_ONPREM, 3));
	assert_false(may_export(HUB_SRC_VPN, 3, HUB_TO_ER_ONPREM, 2));
	/* The route server still reflects between NVAs. */
	assert_true(may_export(HUB_SRC_NVA, 1, HUB_TO_NVA, 4));
}

static void test_R5_exchange_on(void **state)
{
	(void)state;
	cfg.rs.branch_to_branch = true;
	assert_true(may_export(HUB_SRC_NVA, 1, HUB_TO_ER_ONPREM, 2));
	assert_true(may_export(HUB_SRC_NVA, 1, HUB_TO_VPN_ONPREM, 3));
	assert_true(may_export(HUB_SRC_ER, 2, HUB_TO_NVA, 1));
	assert_true(may_export(HUB_SRC_VPN, 3, HUB_TO_NVA, 1));
	assert_true(may_export(HUB_SRC_ER, 2, HUB_TO_VPN_ONPREM, 3));
	assert_true(may_export(HUB_SRC_VPN, 3, HUB_TO_ER_ONPREM, 2));
}

static void test_R5_never_er_circuit_to_er_circuit(void **state)
{
	(void)state;
	for (int b2b = 0; b2b <= 1; b2b++) {
		cfg.rs.branch_to_branch = b2b;
		assert_false(may_export(HUB_SRC_ER, 2, HUB_TO_ER_ONPREM, 5));
	}
}

static void test_nothing_goes_back_to_its_sender(void **state)
{
	(void)state;
	cfg.rs.branch_to_branch = true;
	assert_false(may_export(HUB_SRC_NVA, 1, HUB_TO_NVA, 1));
	assert_false(may_export(HUB_SRC_VPN, 3, HUB_TO_VPN_ONPREM, 3));
	assert_true(may_export(HUB_SRC_VPN, 3, HUB_TO_VPN_ONPREM, 6));
}

static void test_R7_as_path_with_65515_rejected(void **state)
{
	struct rh_prefix p = P("192.0.2.0/24");

	(void)state;
	assert_string_equal(hub_import_reject(&cfg, HUB_SRC_NVA, &p, true), HUB_WHY_LOOP);
	assert_null(hub_import_reject(&cfg, HUB_SRC_NVA, &p, false));
}

static void test_R8_vnet_overlap_rejected_supernet_accepted(void **state)
{
	struct rh_prefix equal = P("198.18.0.0/16"), more = P("198.18.4.0/24"),
	                 super = P("198.0.0.0/8"), v6 = P("2001:db8:100:7::/64"),
	                 other = P("198.19.0.0/16");

	(void)state;
	assert_string_equal(hub_import_reject(&cfg, HUB_SRC_NVA, &equal, false),
	                    HUB_WHY_VNET_OVERLAP);
	assert_string_equal(hub_import_reject(&cfg, HUB_SRC_NVA, &more, false),
	                    HUB_WHY_VNET_OVERLAP);
	assert_string_equal(hub_import_reject(&cfg, HUB_SRC_ER, &more, false),
	                    HUB_WHY_VNET_OVERLAP);
	assert_string_equal(hub_import_reject(&cfg, HUB_SRC_NVA, &v6, false), HUB_WHY_VNET_OVERLAP);
	assert_null(hub_import_reject(&cfg, HUB_SRC_NVA, &super, false));
	assert_null(hub_import_reject(&cfg, HUB_SRC_NVA, &other, false));
}

static void test_R8_vnet_route_wins_over_bgp(void **state)
{
	struct hub_candidate c[] = {
	        {.src = HUB_SRC_ER, .aspath_len = 1},
	        {.src = HUB_SRC_VNET, .aspath_len = 0},
	};

	(void)state;
	assert_int_equal(hub_select(RH_PREF_EXPRESSROUTE, c, 2), 1);
	assert_true(c[1].active);
	assert_string_equal(c[0].why, HUB_WHY_VNET_WINS);
}

static void test_R9_no_advertise_goes_to_no_other_peer(void **state)
{
	struct rh_prefix p = P("192.0.2.0/24");

	(void)state;
	cfg.rs.branch_to_branch = true;
	assert_false(hub_export_allowed(&cfg, &p, HUB_SRC_NVA, 1, HUB_TO_NVA, 4, true));
	assert_false(hub_export_allowed(&cfg, &p, HUB_SRC_NVA, 1, HUB_TO_ER_ONPREM, 2, true));
	assert_false(hub_export_allowed(&cfg, &p, HUB_SRC_NVA, 1, HUB_TO_VPN_ONPREM, 3, true));
	/* ...but it is still programmed: selection does not look at communities. */
	struct hub_candidate c[] = {{.src = HUB_SRC_NVA, .aspath_len = 1}};
	assert_int_equal(hub_select(RH_PREF_EXPRESSROUTE, c, 1), 1);
}

static void test_R13_expressroute_preference(void **state)
{
	struct hub_candidate c[] = {
	        {.src = HUB_SRC_ER, .aspath_len = 4},
	        {.src = HUB_SRC_NVA, .aspath_len = 1},
	        {.src = HUB_SRC_VPN, .aspath_len = 1},
	};

	(void)state;
	assert_int_equal(hub_select(RH_PREF_EXPRESSROUTE, c, 3), 1);
	assert_true(c[0].active);
	assert_string_equal(c[1].why, HUB_WHY_PREF_ER);
	assert_string_equal(c[2].why, HUB_WHY_PREF_ER);
}

static void test_R13_vpngateway_preference(void **state)
{
	struct hub_candidate c[] = {
	        {.src = HUB_SRC_ER, .aspath_len = 1},
	        {.src = HUB_SRC_NVA, .aspath_len = 2},
	        {.src = HUB_SRC_VPN, .aspath_len = 3},
	};

	(void)state;
	/* VPN and NVA over ER; between VPN and NVA the shorter AS path. */
	assert_int_equal(hub_select(RH_PREF_VPNGATEWAY, c, 3), 1);
	assert_true(c[1].active);
	assert_string_equal(c[0].why, HUB_WHY_PREF_VPN);
	assert_string_equal(c[2].why, HUB_WHY_LONGER_PATH);
}

static void test_R13_vpn_and_nva_not_ranked_against_each_other(void **state)
{
	struct hub_candidate c[] = {
	        {.src = HUB_SRC_NVA, .aspath_len = 2},
	        {.src = HUB_SRC_VPN, .aspath_len = 2},
	};

	(void)state;
	assert_int_equal(hub_select(RH_PREF_EXPRESSROUTE, c, 2), 2);
	assert_int_equal(hub_select(RH_PREF_VPNGATEWAY, c, 2), 2);
}

static void test_R13_aspath_preference(void **state)
{
	struct hub_candidate c[] = {
	        {.src = HUB_SRC_ER, .aspath_len = 3},
	        {.src = HUB_SRC_NVA, .aspath_len = 2},
	};

	(void)state;
	assert_int_equal(hub_select(RH_PREF_ASPATH, c, 2), 1);
	assert_true(c[1].active);
	assert_string_equal(c[0].why, HUB_WHY_LONGER_PATH);
	/* A tie of length goes to ExpressRoute. */
	c[0].aspath_len = 2;
	assert_int_equal(hub_select(RH_PREF_ASPATH, c, 2), 1);
	assert_true(c[0].active);
	assert_string_equal(c[1].why, HUB_WHY_PREF_ER);
}

static void test_rejected_routes_are_never_active(void **state)
{
	struct hub_candidate c[] = {
	        {.src = HUB_SRC_NVA, .aspath_len = 1, .rejected = HUB_WHY_LOOP},
	        {.src = HUB_SRC_NVA, .aspath_len = 5},
	};

	(void)state;
	assert_int_equal(hub_select(RH_PREF_EXPRESSROUTE, c, 2), 1);
	assert_false(c[0].active);
	assert_string_equal(c[0].why, HUB_WHY_LOOP);
	assert_true(c[1].active);
	c[1].rejected = HUB_WHY_VNET_OVERLAP;
	assert_int_equal(hub_select(RH_PREF_EXPRESSROUTE, c, 2), 0);
}

static void test_vpn_static_prefixes_not_sent_back_to_vpn_sites(void **state)
{
	struct rh_prefix p = P("203.0.113.0/24");

	(void)state;
	for (int b2b = 0; b2b <= 1; b2b++) {
		cfg.rs.branch_to_branch = b2b;
		assert_false(
		        hub_export_allowed(&cfg, &p, HUB_SRC_VPN, 0, HUB_TO_VPN_ONPREM, 3, false));
		/* To the rest of the hub with the exchange (R5), not without (R4). */
		assert_int_equal(hub_export_allowed(&cfg, &p, HUB_SRC_VPN, 0, HUB_TO_NVA, 1, false),
		                 b2b);
		assert_int_equal(
		        hub_export_allowed(&cfg, &p, HUB_SRC_VPN, 0, HUB_TO_ER_ONPREM, 2, false),
		        b2b);
	}
}

static void test_vpn_never_advertises_default_route(void **state)
{
	struct rh_prefix def = P("0.0.0.0/0");

	(void)state;
	cfg.rs.branch_to_branch = true;
	assert_string_equal(hub_import_reject(&cfg, HUB_SRC_VPN, &def, false),
	                    HUB_WHY_DEFAULT_ROUTE);
	assert_false(hub_export_allowed(&cfg, &def, HUB_SRC_NVA, 1, HUB_TO_VPN_ONPREM, 3, false));
	assert_true(hub_export_allowed(&cfg, &def, HUB_SRC_NVA, 1, HUB_TO_ER_ONPREM, 2, false));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
	        T(test_R1_vnet_routes_go_to_every_peer),
	        T(test_R3_ecmp_for_equal_as_path_length),
	        T(test_R3_shorter_as_path_wins_alone),
	        T(test_R4_no_exchange_by_default),
	        T(test_R5_exchange_on),
	        T(test_R5_never_er_circuit_to_er_circuit),
	        T(test_nothing_goes_back_to_its_sender),
	        T(test_R7_as_path_with_65515_rejected),
	        T(test_R8_vnet_overlap_rejected_supernet_accepted),
	        T(test_R8_vnet_route_wins_over_bgp),
	        T(test_R9_no_advertise_goes_to_no_other_peer),
	        T(test_R13_expressroute_preference),
	        T(test_R13_vpngateway_preference),
	        T(test_R13_vpn_and_nva_not_ranked_against_each_other),
	        T(test_R13_aspath_preference),
	        T(test_rejected_routes_are_never_active),
	        T(test_vpn_never_advertises_default_route),
	        T(test_vpn_static_prefixes_not_sent_back_to_vpn_sites),
	};

	return cmocka_run_group_tests_name("hub_policy", tests, NULL, NULL);
}
