/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the dataplane's own FIB entries (dataplane/own.c) on a real FIB (EAL in
 * no-huge mode): connected subnets to the per-destination next hop, own addresses to
 * LOCAL, host routes that come and go with neighbours, the FIB channel's next-hop check
 * (own ids refused, FIBC_PORT_ANY resolved from the subnets) and the resync hook.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>

#include "dp.h"

static struct dp_main *d;
static struct rte_mempool *pool;

static uint64_t look4(const char *addr)
{
	struct rh_addr a;
	uint32_t ip;
	uint64_t v;

	assert_int_equal(rh_addr_parse(addr, &a), 0);
	ip = ((uint32_t)a.bytes[0] << 24) | ((uint32_t)a.bytes[1] << 16) |
	     ((uint32_t)a.bytes[2] << 8) | a.bytes[3];
	dp_fib_lookup4_bulk(d->fib, &ip, &v, 1);
	return v;
}

static const struct dp_nh *nh_of(const char *addr)
{
	uint64_t v = look4(addr);

	return v == DP_FIB_NONE ? NULL : dp_fib_nh(d->fib, v, 0);
}

static void ifaddr(struct rh_port_cfg *p, const char *addr, uint8_t len)
{
	assert_int_equal(rh_addr_parse(addr, &p->addr[p->n_addrs].addr), 0);
	p->addr[p->n_addrs++].len = len;
}

static int setup(void **state)
{
	struct dp_fib_conf fc = {
	        .v4_max_routes = 1024,
	        .v6_max_routes = 1024,
	        .max_next_hops = 64 + DP_OWN_NH_COUNT,
	        .max_groups = 16,
	        .n_workers = 1,
	};

	(void)state;
	d = calloc(1, sizeof(*d));
	d->cfg = calloc(1, sizeof(*d->cfg));
	if (d == NULL || d->cfg == NULL)
		return -1;
	d->cfg->dp.max_next_hops = 64;
	d->cfg->dp.n_ports = d->n_ports = 2;
	strcpy(d->cfg->dp.port[0].name, "a");
	strcpy(d->cfg->dp.port[1].name, "b");
	ifaddr(&d->cfg->dp.port[0], "198.18.30.1", 24);
	ifaddr(&d->cfg->dp.port[0], "2001:db8:30::1", 64);
	ifaddr(&d->cfg->dp.port[1], "198.18.31.1", 24);
	d->port[1].mac.addr_bytes[5] = 0xb1;
	d->own_nh_base = 65;
	d->fib = dp_fib_create(&fc);
	return d->fib == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	dp_fib_destroy(d->fib);
	free(d->cfg);
	free(d);
	return 0;
}

static void test_connected_and_local(void **state)
{
	const struct dp_nh *nh;

	(void)state;
	assert_int_equal(dp_own_install(d), 0);
	/* A host on a subnet: the port's connected next hop, resolved per destination. */
	nh = nh_of("198.18.31.77");
	assert_non_null(nh);
	assert_true(dp_own_is_connected(nh));
	assert_int_equal(nh->port, 1);
	assert_string_equal(dp_own_origin(d, nh->id), "connected");
	/* Own addresses: LOCAL. */
	nh = nh_of("198.18.30.1");
	assert_int_equal(nh->state, DP_NH_LOCAL);
	assert_string_equal(dp_own_origin(d, nh->id), "local");
	assert_null(nh_of("203.0.113.1"));
	/* Installing again (a resync) changes nothing. */
	assert_int_equal(dp_own_install(d), 0);
	assert_true(dp_own_is_connected(nh_of("198.18.31.77")));
}

static void test_host_routes(void **state)
{
	struct neigh_entry e = {.state = NEIGH_REACHABLE,
	                        .family = RH_AF_INET,
	                        .port = 1,
	                        .slot = 7,
	                        .addr = {198, 18, 31, 10},
	                        .mac = {{2, 0, 0, 0, 0, 0x0b}}};
	struct fibc_nh gw = {.id = 3, .port = 1, .family = RH_AF_INET, .addr = {198, 18, 31, 10}};
	const struct dp_nh *nh;

	(void)state;
	assert_int_equal(dp_own_install(d), 0);
	assert_int_equal(dp_fib_nh_add(d->fib, &gw), 0); /* the control plane's, to the same host */
	dp_own_neigh_resolved(d, &e);
	nh = nh_of("198.18.31.10");
	assert_int_equal(nh->state, DP_NH_RESOLVED);
	assert_string_equal(dp_own_origin(d, nh->id), "neighbour");
	assert_memory_equal(&nh->dst_mac, &e.mac, 6);
	assert_memory_equal(&nh->src_mac, &d->port[1].mac, 6);
	assert_int_equal(dp_fib_nh(d->fib, 3, 0)->state, DP_NH_RESOLVED);
	/* Its neighbour is gone: back to the connected next hop, the gateway incomplete. */
	dp_own_neigh_lost(d, &e);
	assert_true(dp_own_is_connected(nh_of("198.18.31.10")));
	assert_int_equal(dp_fib_nh(d->fib, 3, 0)->state, DP_NH_INCOMPLETE);
	/* A host route of the control plane's is left alone, now and when the neighbour goes. */
	{
		struct fibc_route cp = {
		        .family = RH_AF_INET, .len = 32, .nh_id = 3, .addr = {198, 18, 31, 10}};

		assert_int_equal(dp_fib_route_add(d->fib, &cp), 0);
		dp_own_neigh_resolved(d, &e);
		assert_int_equal(nh_of("198.18.31.10")->id, 3);
		assert_int_equal(nh_of("198.18.31.10")->state, DP_NH_RESOLVED);
		dp_own_neigh_lost(d, &e);
		assert_int_equal(nh_of("198.18.31.10")->id, 3);
		assert_int_equal(dp_fib_route_del(d->fib, &cp), 0);
	}
	/* Off every subnet (a static neighbour elsewhere): no host route. */
	e.addr[2] = 99;
	dp_own_neigh_resolved(d, &e);
	assert_null(nh_of("198.18.99.10"));
}

static void test_channel_hooks(void **state)
{
	struct fib_server_hooks h;
	struct fibc_nh nh = {
	        .id = 5, .port = FIBC_PORT_ANY, .family = RH_AF_INET, .addr = {198, 18, 31, 20}};

	(void)state;
	dp_own_hooks(d, &h);
	assert_int_equal(h.nh_check(h.arg, &nh, true), 0);
	assert_int_equal(nh.port, 1); /* 198.18.31.0/24 is port b's */
	nh.port = FIBC_PORT_ANY;
	nh.addr[0] = 203;
	assert_int_equal(h.nh_check(h.arg, &nh, true), -ENETUNREACH);
	nh.port = 7;
	assert_int_equal(h.nh_check(h.arg, &nh, true), -ENODEV);
	nh.flags = FIBC_NH_F_BLACKHOLE;
	nh.port = FIBC_PORT_ANY;
	assert_int_equal(h.nh_check(h.arg, &nh, true), 0);
	/* The dataplane's own ids are not the channel's. */
	nh.id = 65;
	assert_int_equal(h.nh_check(h.arg, &nh, true), -ERANGE);
	assert_int_equal(h.nh_check(h.arg, &nh, false), -ERANGE);
	nh.id = 64;
	assert_int_equal(h.nh_check(h.arg, &nh, false), 0);
}

static void test_resync_keeps_own(void **state)
{
	struct fib_server_hooks h;

	(void)state;
	d->neigh = neigh_create(pool, &(struct neigh_ops){.send = NULL});
	assert_non_null(d->neigh);
	assert_int_equal(dp_own_install(d), 0);
	dp_own_hooks(d, &h);
	/* SYNC_BEGIN marks everything stale, the hook re-adds ours, SYNC_END sweeps. */
	dp_fib_mark_stale(d->fib);
	h.synced(h.arg);
	dp_fib_sweep_stale(d->fib);
	assert_true(dp_own_is_connected(nh_of("198.18.31.77")));
	assert_int_equal(nh_of("198.18.30.1")->state, DP_NH_LOCAL);
	/* Without the hook they would be gone. */
	dp_fib_mark_stale(d->fib);
	dp_fib_sweep_stale(d->fib);
	assert_null(nh_of("198.18.31.77"));
	neigh_destroy(d->neigh);
	d->neigh = NULL;
}

static int eal_setup(void **state)
{
	char *argv[] = {"test_dp_own",       "--no-huge",   "--no-pci", "-m", "512",
	                "--log-level=error", "--no-shconf", "-l",       "0"};

	(void)state;
	if (rte_eal_init((int)RTE_DIM(argv), argv) < 0)
		return -1;
	pool = rte_pktmbuf_pool_create("own_pool", 255, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
	                               SOCKET_ID_ANY);
	return pool == NULL ? -1 : 0;
}

static int eal_teardown(void **state)
{
	(void)state;
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_connected_and_local, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_host_routes, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_channel_hooks, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_resync_keeps_own, setup, teardown),
	};

	return cmocka_run_group_tests_name("dp_own", tests, eal_setup, eal_teardown);
}
