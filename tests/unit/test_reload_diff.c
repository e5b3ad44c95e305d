/* SPDX-License-Identifier: BSD-3-Clause */
/* The configuration diff of `reload` (controlplane/reload_diff.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "reload_diff.h"

static struct rh_config *a, *b;
static struct cp_diff d;

static struct rh_addr A(const char *s) {
	struct rh_addr x;

	assert_int_equal(rh_addr_parse(s, &x), 0);
	return x;
}

static struct rh_prefix
P(const char *s) {
	struct rh_prefix p;

	assert_int_equal(rh_prefix_parse(s, &p, false), 0);
	return p;
}

static struct rh_peer_cfg
peer(const char *addr, uint32_t asn)
{
	struct rh_peer_cfg p = {.addr = A(addr), .asn = asn, .hold_time = 180, .multihop = 2};

	return p;
}

/* The running configuration: RS with two NVAs, ER with one on-premises peer. */
static int setup(void **state)
{
	(void)state;
	a = calloc(1, sizeof(*a));
	b = calloc(1, sizeof(*b));
	assert_non_null(a);
	assert_non_null(b);
	a->rs.asn = RH_RS_ASN;
	a->rs.instance[0] = A("198.18.1.4");
	a->rs.instance[1] = A("198.18.1.5");
	a->rs.n_vnet = 1;
	a->rs.vnet[0] = P("198.18.0.0/16");
	a->rs.route_limit = 1000;
	a->rs.n_peers = 2;
	a->rs.peer[0] = peer("198.18.2.4", 65001);
	a->rs.peer[1] = peer("198.18.3.4", 65002);
	a->er.present = true;
	a->er.n_instances = 1;
	a->er.instance[0] = A("198.19.1.1");
	a->er.n_peers = 1;
	a->er.peer[0] = peer("198.19.1.2", 65010);
	a->cp.router_id = A("198.18.1.4");
	strcpy(a->cp.mgmt_socket, "/run/routehub/controlplane.sock");
	strcpy(a->dp.fib_socket, "/run/routehub/fib.sock");
	*b = *a;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(a);
	free(b);
	return 0;
}

static bool has_line(const char *text)
{
	for (unsigned i = 0; i < d.n_lines; i++)
		if (strcmp(d.line[i].text, text) == 0)
			return true;
	return false;
}

static void unchanged_is_nothing(void **state)
{
	(void)state;
	assert_int_equal(cp_config_diff(a, b, &d), 0);
	assert_int_equal(d.n_lines, 0);
	assert_int_equal(d.n_fixed, 0);
}

static void hold_time_resets_that_peer_only(void **state)
{
	(void)state;
	b->rs.peer[1].hold_time = 30;
	assert_int_equal(cp_config_diff(a, b, &d), 1);
	assert_int_equal(d.n_peers, 1);
	assert_int_equal(d.peer[0].what, CP_PEER_CHANGED);
	assert_int_equal(d.peer[0].role, CP_DIFF_NVA);
	assert_ptr_equal(d.peer[0].old_pc, &a->rs.peer[1]);
	assert_ptr_equal(d.peer[0].new_pc, &b->rs.peer[1]);
	assert_true(has_line("peer 198.18.3.4 (nva): hold-time 180 -> 30, session reset"));
	assert_int_equal(d.n_fixed, 0);
}

/* ADD-PATH is negotiated in the OPEN: changing it resets that peer's sessions. */
static void add_path_resets_that_peer(void **state)
{
	(void)state;
	b->rs.peer[1].add_path = RH_ADD_PATH_SEND;
	assert_int_equal(cp_config_diff(a, b, &d), 1);
	assert_int_equal(d.n_peers, 1);
	assert_int_equal(d.peer[0].what, CP_PEER_CHANGED);
	assert_true(has_line("peer 198.18.3.4 (nva): add-path off -> send, session reset"));
}

static void several_parameters_one_line(void **state)
{
	(void)state;
	b->rs.peer[0].asn = 65009;
	b->rs.peer[0].multihop = 3;
	strcpy(b->rs.peer[0].password, "secret");
	assert_int_equal(cp_config_diff(a, b, &d), 1);
	assert_true(has_line(
	        "peer 198.18.2.4 (nva): asn 65001 -> 65009, multihop 2 -> 3, password set, session "
	        "reset"));
	/* The key never appears. */
	for (unsigned i = 0; i < d.n_lines; i++)
		assert_null(strstr(d.line[i].text, "secret"));
}

static void added_and_removed(void **state)
{
	(void)state;
	/* nva2 goes, an on-premises peer comes; the order of the others does not matter. */
	b->rs.n_peers = 1;
	b->er.n_peers = 2;
	b->er.peer[1] = peer("198.19.1.3", 65011);
	assert_int_equal(cp_config_diff(a, b, &d), 2);
	assert_int_equal(d.peer[0].what, CP_PEER_REMOVED);
	assert_null(d.peer[0].new_pc);
	assert_int_equal(d.peer[1].what, CP_PEER_ADDED);
	assert_int_equal(d.peer[1].role, CP_DIFF_ER_ONPREM);
	assert_null(d.peer[1].old_pc);
	assert_true(has_line("peer 198.18.3.4 (nva) removed: Cease/Peer De-configured"));
	assert_true(has_line("peer 198.19.1.3 (expressroute-on-premises) added"));
}

static void reordered_peers_are_unchanged(void **state)
{
	(void)state;
	b->rs.peer[0] = a->rs.peer[1];
	b->rs.peer[1] = a->rs.peer[0];
	assert_int_equal(cp_config_diff(a, b, &d), 0);
}

static void hub_settings(void **state)
{
	(void)state;
	b->rs.branch_to_branch = true;
	b->rs.preference = RH_PREF_ASPATH;
	b->rs.route_limit = 500;
	assert_int_equal(cp_config_diff(a, b, &d), 3);
	assert_true(d.branch_to_branch && d.preference && d.limits);
	assert_int_equal(d.n_peers, 0);
	assert_true(has_line("branch-to-branch off -> on"));
	assert_true(has_line("route-server route-limit 1000 -> 500"));
	assert_non_null(strstr(d.line[1].text, "hub-routing-preference"));
}

static void vnet_spaces(void **state)
{
	(void)state;
	b->rs.vnet[0] = P("198.18.0.0/17");
	b->rs.n_vnet = 2;
	b->rs.vnet[1] = P("2001:db8:100::/48");
	assert_int_equal(cp_config_diff(a, b, &d), 1);
	assert_true(d.vnet);
	assert_true(has_line("vnet-address-space 198.18.0.0/17 added"));
	assert_true(has_line("vnet-address-space 2001:db8:100::/48 added"));
	assert_true(has_line("vnet-address-space 198.18.0.0/16 removed"));
	assert_int_equal(d.n_fixed, 0);
}

static void fixed_settings_refuse(void **state)
{
	(void)state;
	b->cp.router_id = A("198.18.1.99");
	b->rs.instance[1] = A("198.18.1.6");
	b->er.present = false;
	b->rs.peer[1].hold_time = 30;
	cp_config_diff(a, b, &d);
	assert_int_equal(d.n_fixed, 3);
	assert_true(d.line[0].fixed);
	assert_true(has_line("control-plane router-id: cannot change at runtime (restart "
	                     "routehub-controlplane)"));
	/* The rest is still worded (the reply shows only the refusal). */
	assert_int_equal(d.n_peers, 1);
}

static void dataplane_is_not_ours(void **state)
{
	(void)state;
	b->dp.n_workers = 2;
	assert_int_equal(cp_config_diff(a, b, &d), 1);
	assert_true(d.dataplane);
	assert_int_equal(d.n_fixed, 0);
	strcpy(b->dp.fib_socket, "/tmp/other.sock");
	cp_config_diff(a, b, &d);
	assert_int_equal(d.n_fixed, 1);
	assert_false(d.dataplane);
}

static void metrics_endpoint_restarts(void **state)
{
	(void)state;
	strcpy(a->cp.metrics.address, "127.0.0.1");
	strcpy(b->cp.metrics.address, "127.0.0.1");
	b->cp.metrics.port = 9101;
	assert_int_equal(cp_config_diff(a, b, &d), 1);
	assert_true(d.metrics);
	assert_int_equal(d.n_fixed, 0);
	assert_true(has_line("control-plane metrics 127.0.0.1 port 0 -> 127.0.0.1 port 9101 (0: "
	                     "off), endpoint restarted"));
}

static void graceful_restart_timers(void **state)
{
	(void)state;
	a->cp.gr_time_max = b->cp.gr_time_max = 120;
	a->cp.gr_stale_time = 360;
	b->cp.gr_stale_time = 60;
	assert_int_equal(cp_config_diff(a, b, &d), 1);
	assert_true(d.graceful_restart);
	assert_non_null(strstr(d.line[0].text, "graceful-restart-stale-time 360 -> 60"));
}

static void many_changes_are_counted(void **state)
{
	(void)state;
	b->vpn.present = a->vpn.present = true;
	a->vpn.n_instances = b->vpn.n_instances = 1;
	a->vpn.instance[0] = b->vpn.instance[0] = A("198.19.2.1");
	b->vpn.n_local = 100;
	for (unsigned i = 0; i < 100; i++) {
		b->vpn.local[i].family = RH_AF_INET;
		b->vpn.local[i].len = 32;
		b->vpn.local[i].bytes[0] = 203;
		b->vpn.local[i].bytes[2] = 113;
		b->vpn.local[i].bytes[3] = (uint8_t)i;
	}
	assert_int_equal(cp_config_diff(a, b, &d), 1);
	assert_true(d.vpn_local);
	assert_int_equal(d.n_lines, CP_DIFF_MAX_LINES);
	assert_int_equal(d.n_lines + d.n_dropped, 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(unchanged_is_nothing, setup, teardown),
	        cmocka_unit_test_setup_teardown(hold_time_resets_that_peer_only, setup, teardown),
	        cmocka_unit_test_setup_teardown(add_path_resets_that_peer, setup, teardown),
	        cmocka_unit_test_setup_teardown(several_parameters_one_line, setup, teardown),
	        cmocka_unit_test_setup_teardown(added_and_removed, setup, teardown),
	        cmocka_unit_test_setup_teardown(reordered_peers_are_unchanged, setup, teardown),
	        cmocka_unit_test_setup_teardown(hub_settings, setup, teardown),
	        cmocka_unit_test_setup_teardown(vnet_spaces, setup, teardown),
	        cmocka_unit_test_setup_teardown(fixed_settings_refuse, setup, teardown),
	        cmocka_unit_test_setup_teardown(dataplane_is_not_ours, setup, teardown),
	        cmocka_unit_test_setup_teardown(metrics_endpoint_restarts, setup, teardown),
	        cmocka_unit_test_setup_teardown(graceful_restart_timers, setup, teardown),
	        cmocka_unit_test_setup_teardown(many_changes_are_counted, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
