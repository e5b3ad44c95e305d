/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration tests: every shipped configuration loads, and every bad configuration is
 * refused with the expected path and message, and nothing is returned for it.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"

#ifndef RH_SOURCE_ROOT
#error RH_SOURCE_ROOT must name the source tree
#endif

struct bad_case {
	const char *file;
	unsigned problems; /* lines expected */
	const char *path;  /* a substring of the offending node's path */
	const char *msg;   /* a substring of the message */
};

static const struct bad_case bad_cases[] = {
        {"r6-vpn-not-active-active", 1, "/vpn-gateway",
         "R6: a VPN gateway that is not active-active"},
        {"r10-reserved-asn-65515", 1, "nva-peer[address='198.18.2.4']/asn",
         "R10: the ASN is reserved"},
        {"r10-reserved-asn-12076", 1, "nva-peer[address='198.18.2.4']/asn", "R10:"},
        {"r10-four-byte-asn", 1, "nva-peer[address='198.18.2.4']/asn", "not a 2-byte ASN"},
        {"r10-er-peer-12076", 1, "on-premises-peer[address='198.19.1.2']/asn", "R10: 12076"},
        {"r11-route-limit-too-high", 1, "/route-server/route-limit", "R11:"},
        {"r12-nine-peers", 1, "/route-server/nva-peer",
         "R12: a route server has at most 8 BGP peers"},
        {"r16-er-onprem-limit-without-premium", 1, "route-limits/from-on-premises", "R16:"},
        {"rs-asn-not-65515", 1, "/route-server/asn", "fixed at 65515"},
        {"duplicate-peer-same-list", 1, "nva-peer[address='198.18.2.4']", "Duplicate instance"},
        {"duplicate-peer-across-parts", 1, "on-premises-peer[address='198.18.2.4']/address",
         "duplicate peer: 198.18.2.4 is already used at /routehub:routehub/route-server/nva-peer"},
        {"duplicate-instance-address", 1, "expressroute-gateway/instance-address",
         "duplicate address: 198.18.1.5"},
        {"wrong-family-peer", 1, "nva-peer[address='2001:db8:2::4']/address", "address family"},
        {"wrong-family-instance", 1, "route-server/instance-address[.='2001:db8::5']",
         "address family"},
        {"vnet-overlap", 1, "vnet-address-space[.='198.18.4.0/24']",
         "VNet address space 198.18.4.0/24 overlaps 198.18.0.0/16"},
        {"vpn-default-route", 1, "local-network-prefix[.='0.0.0.0/0']",
         "never advertises the default route"},
        {"vpn-active-active-one-instance", 1, "/vpn-gateway", "two instance addresses"},
        {"type-asn-not-a-number", 1, "nva-peer[address='198.18.2.4']/asn (line 15)", "Invalid"},
        {"type-bad-address", 1, "nva-peer/address (line 13)", "198.18.2.400"},
        {"type-bad-prefix", 1, "vnet-address-space (line 10)", "198.18.0.0/33"},
        {"type-bad-hold-time", 1, "hold-time", "RFC 4271 4.2"},
        {"type-bad-add-path", 1, "nva-peer[address='198.18.2.4']/add-path",
         "Invalid enumeration value \"tx\""},
        {"type-bad-gr-time", 1, "control-plane/graceful-restart-time-max", "RFC 4724 3"},
        {"type-bad-preference", 1, "hub-routing-preference",
         "Invalid enumeration value \"Fastest\""},
        {"type-bad-boolean", 1, "branch-to-branch", "boolean"},
        {"unknown-leaf", 1, "/route-server", "\"branch-to-branch-mode\" not found"},
        {"missing-peer-asn", 1, "nva-peer/asn", "Mandatory node \"asn\""},
        {"one-instance-address", 1, "route-server/instance-address", "Too few"},
        {"port-bad-address", 1, "port[name='p0']/address", "not ADDRESS/LENGTH"},
        {"port-bad-vdev", 1, "port[name='p0']/vdev", "a vdev is one of"},
        {"port-duplicate-device", 1, "port[name='p1']/vdev", "duplicate device net_null0"},
        {"port-neighbour-off-subnet", 1, "neighbour[address='203.0.113.9']",
         "on none of the port's subnets"},
        {"syntax-error", 1, "(line 8)", "Invalid character sequence"},
        {"syntax-trailing-comma", 1, "(line 4)", "expected a JSON value"},
        {"empty", 1, "/routehub:routehub", "empty"},
        {"metrics-port-zero", 1, "/control-plane/metrics/port", "leave the port out"},
        {"fib-tbl8-too-few", 1, "/dataplane/fib/ipv4-tbl8-groups", "16"},
        {"metrics-address-name", 1, "/dataplane/metrics/address", "localhost"},
        {"multiple-problems", 4, "/vpn-gateway", "R6:"},
};

static char *load_bad(const char *name, unsigned *problems, struct rh_config **cfg)
{
	char file[512], *out = NULL;
	size_t size = 0;
	FILE *err = open_memstream(&out, &size);

	assert_non_null(err);
	snprintf(file, sizeof(file), "%s/tests/config/bad/%s.json", RH_SOURCE_ROOT, name);
	*cfg = rh_config_load(file, err, problems);
	fclose(err);
	return out;
}

static void test_bad_configs(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *bc = &bad_cases[i];
		struct rh_config *cfg = NULL;
		unsigned problems = 0, lines = 0;
		char *out = load_bad(bc->file, &problems, &cfg);

		char *copy = strdup(out), *save = NULL;

		for (char *line = strtok_r(copy, "\n", &save); line != NULL;
		     line = strtok_r(NULL, "\n", &save))
			print_message("# %s\n", line);
		free(copy);
		assert_null(cfg);
		assert_int_equal(errno, EINVAL);
		assert_int_equal(problems, bc->problems);
		for (char *c = out; *c != '\0'; c++)
			lines += *c == '\n';
		assert_int_equal(lines, bc->problems);
		/* Each line names the file, the offending node's path and the problem. */
		assert_non_null(strstr(out, bc->file));
		assert_non_null(strstr(out, bc->path));
		assert_non_null(strstr(out, bc->msg));
		free(out);
	}
}

/* Every bad file in tests/config/bad has a case above: none is left untested. */
static void test_every_bad_file_has_a_case(void **state)
{
	char dir[512];
	DIR *d;
	struct dirent *e;
	unsigned files = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/tests/config/bad", RH_SOURCE_ROOT);
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		bool found = false;

		if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0)
			continue;
		files++;
		for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++)
			found |= strncmp(bad_cases[i].file, e->d_name, n - 5) == 0 &&
			         strlen(bad_cases[i].file) == n - 5;
		if (!found)
			fail_msg("tests/config/bad/%s has no expected message", e->d_name);
	}
	closedir(d);
	assert_int_equal(files, sizeof(bad_cases) / sizeof(bad_cases[0]));
}

static struct rh_config *load_shipped(const char *name)
{
	char file[512];
	unsigned problems = 99;
	struct rh_config *cfg;

	snprintf(file, sizeof(file), "%s/configs/%s", RH_SOURCE_ROOT, name);
	cfg = rh_config_load(file, stderr, &problems);
	if (cfg == NULL)
		fail_msg("configs/%s does not load", name);
	assert_int_equal(problems, 0);
	return cfg;
}

static void test_shipped_configs_load(void **state)
{
	char dir[512];
	DIR *d;
	struct dirent *e;
	unsigned n = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/configs", RH_SOURCE_ROOT);
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		rh_config_free(load_shipped(e->d_name));
		n++;
	}
	closedir(d);
	assert_true(n >= 4);
}

/* The values of the lab configuration, and the defaults the schema fills in. */
static void test_lab_values_and_defaults(void **state)
{
	struct rh_config *cfg = load_shipped("lab-sdwan-er.json");
	char buf[RH_PREFIX_STRLEN];

	(void)state;
	assert_int_equal(cfg->rs.asn, 65515);
	assert_string_equal(rh_addr_fmt(&cfg->rs.instance[0], buf, sizeof(buf)), "198.18.1.4");
	assert_string_equal(rh_addr_fmt(&cfg->rs.instance[1], buf, sizeof(buf)), "198.18.1.5");
	assert_int_equal(cfg->rs.n_vnet, 2);
	assert_string_equal(rh_prefix_fmt(&cfg->rs.vnet[1], buf, sizeof(buf)), "2001:db8:100::/48");
	assert_false(cfg->rs.branch_to_branch); /* R4: off by default */
	assert_int_equal(cfg->rs.preference, RH_PREF_EXPRESSROUTE);
	assert_int_equal(cfg->rs.route_limit, 1000);
	assert_int_equal(cfg->rs.n_peers, 1);
	assert_int_equal(cfg->rs.peer[0].asn, 65001);
	assert_int_equal(cfg->rs.peer[0].hold_time, 180); /* R14 */
	assert_int_equal(cfg->rs.peer[0].multihop, 2);
	assert_true(cfg->er.present);
	assert_int_equal(cfg->er.limit_to_er, 1000);       /* R16 */
	assert_int_equal(cfg->er.limit_from_onprem, 4000); /* R16 */
	assert_int_equal(cfg->er.peer[0].multihop, 1);
	assert_false(cfg->vpn.present);
	assert_int_equal(cfg->dp.n_ports, 3);
	assert_string_equal(cfg->dp.port[0].name, "nva");
	assert_false(cfg->dp.port[0].is_pci);
	assert_string_equal(cfg->dp.port[0].device, "net_af_packet0,iface=dp-nva");
	assert_int_equal(cfg->dp.port[0].n_addrs, 3);
	assert_string_equal(rh_addr_fmt(&cfg->dp.port[0].addr[0].addr, buf, sizeof(buf)),
	                    "198.18.2.1");
	assert_int_equal(cfg->dp.port[0].addr[0].len, 24);
	assert_int_equal(cfg->dp.port[0].rx_queues, 1);
	assert_int_equal(cfg->dp.fib4_max_routes, 65536);
	assert_int_equal(cfg->dp.fib4_tbl8, 0); /* derived by the FIB */
	assert_string_equal(cfg->dp.eal_args, "--no-huge --no-pci -m 512");
	assert_string_equal(cfg->cp.mgmt_socket, "/run/routehub/lab/controlplane.sock");
	assert_true(cfg->cp.enforce_route_limits); /* R11 by default */
	/* Graceful restart (RFC 4724 4.2) with the YANG defaults. */
	assert_int_equal(cfg->cp.gr_time_max, 300);
	assert_int_equal(cfg->cp.gr_stale_time, 360);
	assert_string_equal(cfg->cp.metrics.address, "127.0.0.1");
	assert_int_equal(cfg->cp.metrics.port, 9420);
	/* The address is the loopback when unset. */
	assert_string_equal(cfg->dp.metrics.address, "127.0.0.1");
	assert_int_equal(cfg->dp.metrics.port, 9421);
	rh_config_free(cfg);
}

static void test_vpn_lab_values(void **state)
{
	struct rh_config *cfg = load_shipped("lab-vpn-er.json");
	char buf[RH_PREFIX_STRLEN];
	struct rh_addr a;

	(void)state;
	assert_true(cfg->rs.branch_to_branch);
	assert_true(cfg->vpn.present);
	assert_true(cfg->vpn.active_active);
	assert_int_equal(cfg->vpn.n_instances, 2);
	assert_int_equal(cfg->vpn.route_limit, 4000);
	assert_int_equal(cfg->vpn.n_local, 1);
	assert_string_equal(rh_prefix_fmt(&cfg->vpn.local[0], buf, sizeof(buf)), "203.0.113.0/24");
	/* The port whose connected subnet holds a next hop. */
	rh_addr_parse("198.19.1.2", &a);
	assert_int_equal(rh_config_port_for(cfg, &a), 1);
	rh_addr_parse("203.0.113.7", &a);
	assert_int_equal(rh_config_port_for(cfg, &a), -1);
	/* No metrics container: both endpoints disabled (port 0). */
	assert_int_equal(cfg->cp.metrics.port, 0);
	assert_int_equal(cfg->dp.metrics.port, 0);
	assert_string_equal(cfg->cp.metrics.address, "127.0.0.1");
	rh_config_free(cfg);
}

static void test_bench_bgp_lifts_limits(void **state)
{
	struct rh_config *cfg = load_shipped("bench-bgp.json");

	(void)state;
	assert_false(cfg->cp.enforce_route_limits);
	assert_int_equal(cfg->rs.n_peers, 2);
	rh_config_free(cfg);
}

static void test_baremetal_values(void **state)
{
	struct rh_config *cfg = load_shipped("baremetal-2port.json");

	(void)state;
	assert_true(cfg->dp.port[0].is_pci);
	assert_string_equal(cfg->dp.port[0].device, "0000:3b:00.0");
	assert_int_equal(cfg->dp.port[0].mtu, 9000);
	assert_int_equal(cfg->dp.n_workers, 4);
	assert_true(cfg->er.premium);
	assert_int_equal(cfg->er.limit_from_onprem, 10000);
	assert_string_equal(cfg->rs.peer[0].password, "change-me");
	assert_string_equal(cfg->cp.metrics.address, "::1");
	assert_int_equal(cfg->dp.metrics.port, 9421);
	assert_int_equal(cfg->dp.fib4_tbl8, 131072);
	rh_config_free(cfg);
}

/* ADD-PATH (RFC 7911) per peer: off unless set; the values map to receive/send bits. */
static void test_add_path(void **state)
{
	struct rh_config *cfg = load_shipped("lab-sdwan-er.json");
	char file[512], json[8192], fixed[8300], *at;
	unsigned problems = 0;
	size_t size;
	FILE *f;

	(void)state;
	for (unsigned i = 0; i < cfg->rs.n_peers; i++)
		assert_int_equal(cfg->rs.peer[i].add_path, 0);
	rh_config_free(cfg);
	assert_int_equal(rh_add_path_parse("off"), 0);
	assert_int_equal(rh_add_path_parse("receive"), RH_ADD_PATH_RECEIVE);
	assert_int_equal(rh_add_path_parse("send"), RH_ADD_PATH_SEND);
	assert_int_equal(rh_add_path_parse("both"), RH_ADD_PATH_RECEIVE | RH_ADD_PATH_SEND);
	assert_string_equal(rh_add_path_name(RH_ADD_PATH_SEND), "send");
	/* The bad file with a valid value loads, and only that peer has ADD-PATH. */
	snprintf(file, sizeof(file), "%s/tests/config/bad/type-bad-add-path.json", RH_SOURCE_ROOT);
	f = fopen(file, "r");
	assert_non_null(f);
	size = fread(json, 1, sizeof(json) - 1, f);
	fclose(f);
	json[size] = '\0';
	at = strstr(json, "\"tx\"");
	assert_non_null(at);
	snprintf(fixed, sizeof(fixed), "%.*s\"send\"%s", (int)(at - json), json, at + 4);
	cfg = rh_config_load_json(fixed, "add-path", stderr, &problems);
	assert_non_null(cfg);
	assert_int_equal(problems, 0);
	assert_int_equal(cfg->rs.peer[0].add_path, RH_ADD_PATH_SEND);
	assert_int_equal(cfg->er.peer[0].add_path, 0);
	rh_config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_shipped_configs_load),
	        cmocka_unit_test(test_lab_values_and_defaults),
	        cmocka_unit_test(test_vpn_lab_values),
	        cmocka_unit_test(test_baremetal_values),
	        cmocka_unit_test(test_bench_bgp_lifts_limits),
	        cmocka_unit_test(test_add_path),
	        cmocka_unit_test(test_bad_configs),
	        cmocka_unit_test(test_every_bad_file_has_a_case),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
