/* SPDX-License-Identifier: BSD-3-Clause */
/* The dataplane FIB (dataplane/fib.c) against DPDK's rte_fib, with EAL in no-huge mode. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>

#include "fib.h"
#include "routehub/prefix.h"

static struct dp_fib *fib;

/* With 8-byte entries (more than 2^30 ids) the two tables take 128 MB of tbl24 each:
 * 256 MB of EAL memory is not enough for the two and the rest, hence -m 512. */
static int eal_setup(void **state)
{
	char prefix[64];
	char *argv[] = {"test_fib",          "--no-huge", "--no-pci", "-m", "512",
	                "--log-level=error", prefix,      "-l",       "0"};

	(void)state;
	/* A prefix of this process's own: test runs in other trees may share the machine. */
	snprintf(prefix, sizeof(prefix), "--file-prefix=rh_test_fib_%d", (int)getpid());
	return rte_eal_init(RTE_DIM(argv), argv) < 0 ? -1 : 0;
}

static int eal_teardown(void **state)
{
	(void)state;
	rte_eal_cleanup();
	return 0;
}

static int fib_setup(void **state)
{
	struct dp_fib_conf conf = {
	        .v4_max_routes = 4096,
	        .v6_max_routes = 1024,
	        .max_next_hops = 64,
	        .max_groups = 16,
	        .n_workers = 1,
	        .socket_id = 0,
	};

	(void)state;
	fib = dp_fib_create(&conf);
	return fib == NULL ? -1 : 0;
}

static int fib_teardown(void **state)
{
	(void)state;
	dp_fib_destroy(fib);
	fib = NULL;
	return 0;
}

static struct fibc_route R(const char *prefix, uint32_t nh_id, uint16_t flags) {
	struct fibc_route r = {.nh_id = nh_id, .flags = flags};
	struct rh_prefix p;

	assert_int_equal(rh_prefix_parse(prefix, &p, false), 0);
	r.family = p.family;
	r.len = p.len;
	memcpy(r.addr, p.bytes, sizeof(r.addr));
	return r;
}

static struct fibc_nh
NH(uint32_t id, const char *addr, uint16_t port) {
	struct fibc_nh nh = {.id = id, .port = port};
	struct rh_addr a;

	assert_int_equal(rh_addr_parse(addr, &a), 0);
	nh.family = a.family;
	memcpy(nh.addr, a.bytes, sizeof(nh.addr));
	return nh;
}

static void
add_nh(uint32_t id, const char *addr, uint16_t port)
{
	struct fibc_nh nh = NH(id, addr, port);

	assert_int_equal(dp_fib_nh_add(fib, &nh), 0);
}

static void add_route(const char *prefix, uint32_t nh_id, uint16_t flags)
{
	struct fibc_route r = R(prefix, nh_id, flags);

	assert_int_equal(dp_fib_route_add(fib, &r), 0);
}

static uint64_t look4(const char *addr)
{
	struct rh_addr a;
	uint32_t ip;
	uint64_t v;

	assert_int_equal(rh_addr_parse(addr, &a), 0);
	ip = (uint32_t)a.bytes[0] << 24 | (uint32_t)a.bytes[1] << 16 | (uint32_t)a.bytes[2] << 8 |
	     a.bytes[3];
	dp_fib_lookup4_bulk(fib, &ip, &v, 1);
	return v;
}

static uint64_t look6(const char *addr)
{
	uint8_t ip[1][16];
	struct rh_addr a;
	uint64_t v;

	assert_int_equal(rh_addr_parse(addr, &a), 0);
	memcpy(ip[0], a.bytes, 16);
	dp_fib_lookup6_bulk(fib, ip, &v, 1);
	return v;
}

static void test_v4_longest_match(void **state)
{
	struct fibc_route r;
	struct dp_fib_stats st;

	(void)state;
	add_nh(1, "192.0.2.1", 0);
	add_nh(2, "192.0.2.2", 0);
	add_nh(3, "192.0.2.3", 1);
	assert_int_equal(look4("10.1.2.3"), DP_FIB_NONE);
	add_route("0.0.0.0/0", 3, 0);
	add_route("10.0.0.0/8", 1, 0);
	add_route("10.1.0.0/16", 2, 0);
	add_route("10.1.2.128/25", 3, 0);
	add_route("10.1.2.3/32", 1, 0);
	assert_int_equal(look4("10.9.9.9"), 1);
	assert_int_equal(look4("10.1.9.9"), 2);
	assert_int_equal(look4("10.1.2.200"), 3);
	assert_int_equal(look4("10.1.2.3"), 1);
	assert_int_equal(look4("10.1.2.4"), 2);
	assert_int_equal(look4("203.0.113.1"), 3); /* default route */
	/* Replace in place, then delete: the shorter prefix shows through again. */
	add_route("10.1.0.0/16", 3, 0);
	assert_int_equal(look4("10.1.9.9"), 3);
	r = R("10.1.0.0/16", 0, 0);
	assert_int_equal(dp_fib_route_del(fib, &r), 0);
	assert_int_equal(look4("10.1.9.9"), 1);
	assert_int_equal(dp_fib_route_del(fib, &r), -ENOENT);
	r = R("0.0.0.0/0", 0, 0);
	assert_int_equal(dp_fib_route_del(fib, &r), 0);
	assert_int_equal(look4("203.0.113.1"), DP_FIB_NONE);
	/* Host bits are ignored: this is 10.0.0.0/8. */
	r = R("10.0.0.0/8", 2, 0);
	r.addr[3] = 7;
	assert_int_equal(dp_fib_route_add(fib, &r), 0);
	assert_int_equal(look4("10.9.9.9"), 2);
	dp_fib_stats(fib, &st);
	assert_int_equal(st.routes_v4, 3);
	assert_int_equal(st.next_hops, 3);
	assert_non_null(dp_fib_nh(fib, look4("10.9.9.9"), 0));
	assert_int_equal(dp_fib_nh(fib, look4("10.9.9.9"), 0)->id, 2);
	assert_null(dp_fib_nh(fib, DP_FIB_NONE, 0));
	r = R("10.0.0.0/8", 1, 0);
	r.len = 33;
	assert_int_equal(dp_fib_route_add(fib, &r), -EINVAL);
	r.family = 9;
	assert_int_equal(dp_fib_route_add(fib, &r), -EAFNOSUPPORT);
}

static void test_v6_longest_match(void **state)
{
	struct fibc_route r;
	struct dp_fib_stats st;

	(void)state;
	add_nh(1, "2001:db8::1", 0);
	add_nh(2, "2001:db8::2", 0);
	add_nh(3, "192.0.2.3", 0); /* an IPv4 gateway for IPv6 routes is allowed */
	add_route("::/0", 3, 0);
	add_route("2001:db8::/32", 1, 0);
	add_route("2001:db8:1::/48", 2, 0);
	add_route("2001:db8:1::42/128", 3, 0);
	assert_int_equal(look6("2001:db8:2::1"), 1);
	assert_int_equal(look6("2001:db8:1::1"), 2);
	assert_int_equal(look6("2001:db8:1::42"), 3);
	assert_int_equal(look6("2001:db9::1"), 3);
	add_route("2001:db8:1::/48", 1, 0);
	assert_int_equal(look6("2001:db8:1::1"), 1);
	r = R("2001:db8:1::/48", 0, 0);
	assert_int_equal(dp_fib_route_del(fib, &r), 0);
	assert_int_equal(look6("2001:db8:1::1"), 1);
	r = R("::/0", 0, 0);
	assert_int_equal(dp_fib_route_del(fib, &r), 0);
	assert_int_equal(look6("2001:db9::1"), DP_FIB_NONE);
	dp_fib_stats(fib, &st);
	assert_int_equal(st.routes_v6, 2);
	assert_int_equal(st.routes_v4, 0);
	r = R("2001:db8::/32", 1, 0);
	r.len = 129;
	assert_int_equal(dp_fib_route_add(fib, &r), -EINVAL);
}

static void test_refcounts(void **state)
{
	struct fibc_route r = R("198.51.100.0/24", 5, 0);
	struct fibc_nh nh = NH(0, "192.0.2.1", 0);
	uint32_t members[] = {1, 2};

	(void)state;
	assert_int_equal(dp_fib_route_add(fib, &r), -ENOENT); /* no next hop 5 */
	assert_int_equal(dp_fib_nh_add(fib, &nh), -ERANGE);
	nh.id = 65;
	assert_int_equal(dp_fib_nh_add(fib, &nh), -ERANGE);
	nh.id = 1;
	nh.family = 0;
	assert_int_equal(dp_fib_nh_add(fib, &nh), -EINVAL);
	add_nh(1, "192.0.2.1", 0);
	add_nh(2, "192.0.2.2", 0);
	add_route("198.51.100.0/24", 1, 0);
	assert_int_equal(dp_fib_nh_del(fib, 1), -EBUSY);
	assert_int_equal(dp_fib_group_add(fib, 1, members, 2), 0);
	assert_int_equal(dp_fib_nh_del(fib, 2), -EBUSY); /* member of group 1 */
	r = R("203.0.113.0/24", 1, FIBC_RT_F_GROUP);
	assert_int_equal(dp_fib_route_add(fib, &r), 0);
	r.nh_id = 2;
	assert_int_equal(dp_fib_route_add(fib, &r), -ENOENT); /* no group 2 */
	assert_int_equal(dp_fib_group_del(fib, 1), -EBUSY);
	/* Re-pointing the route from the group to next hop 2 frees the group. */
	r.flags = 0;
	assert_int_equal(dp_fib_route_add(fib, &r), 0);
	assert_int_equal(dp_fib_group_del(fib, 1), 0);
	assert_int_equal(dp_fib_group_del(fib, 1), -ENOENT);
	assert_int_equal(dp_fib_nh_del(fib, 2), -EBUSY); /* 203.0.113.0/24 */
	assert_int_equal(dp_fib_route_del(fib, &r), 0);
	assert_int_equal(dp_fib_nh_del(fib, 2), 0);
	r = R("198.51.100.0/24", 0, 0);
	assert_int_equal(dp_fib_route_del(fib, &r), 0);
	assert_int_equal(dp_fib_nh_del(fib, 1), 0);
	assert_int_equal(dp_fib_nh_del(fib, 1), -ENOENT);
	assert_int_equal(dp_fib_group_add(fib, 1, members, 2), -ENOENT);
	assert_int_equal(dp_fib_group_add(fib, 1, members, 0), -EINVAL);
	assert_int_equal(dp_fib_group_add(fib, 17, members, 1), -ERANGE);
}

/* Which member each bucket's hash picks. */
static void buckets_of(uint64_t value, uint32_t *ids)
{
	for (uint32_t h = 0; h < DP_NHG_BUCKETS; h++) {
		const struct dp_nh *nh = dp_fib_nh(fib, value, h);

		assert_non_null(nh);
		ids[h] = nh->id;
	}
}

static void test_nh_bulk(void **state)
{
	uint64_t values[4] = {DP_FIB_NONE, 1, 2, DP_FIB_GROUP | 1};
	uint32_t hashes[4] = {0, 0, 0, 1}, members[] = {2};
	const struct dp_nh *nhs[4];

	(void)state;
	add_nh(1, "192.0.2.1", 0);
	add_nh(2, "192.0.2.2", 0);
	assert_int_equal(dp_fib_group_add(fib, 1, members, 1), 0);
	dp_fib_nh_bulk(fib, values, hashes, nhs, 4);
	assert_null(nhs[0]);
	assert_int_equal(nhs[1]->id, 1);
	assert_int_equal(nhs[2]->id, 2);
	assert_int_equal(nhs[3]->id, 2);
}

/* Second-level tables run out: the add fails cleanly and nothing is half added. */
static void test_tbl8_exhausted(void **state)
{
	struct dp_fib_conf conf = {
	        .v4_max_routes = 256, .v4_num_tbl8 = 4, .max_next_hops = 4, .max_groups = 1};
	struct dp_fib *small = dp_fib_create(&conf);
	struct fibc_nh nh = NH(1, "192.0.2.1", 0);
	struct fibc_route r = R("10.0.0.0/25", 1, 0);
	struct dp_fib_stats st;
	int ret = 0;
	unsigned i;

	(void)state;
	assert_non_null(small);
	assert_int_equal(dp_fib_nh_add(small, &nh), 0);
	/* DIR-24-8 rounds the tbl8 count up to a multiple of 64. */
	for (i = 0; i < 200 && ret == 0; i++) {
		r.addr[2] = (uint8_t)i; /* one /25 per /24: a tbl8 each */
		ret = dp_fib_route_add(small, &r);
	}
	assert_int_equal(ret, -ENOSPC);
	dp_fib_stats(small, &st);
	assert_int_equal(st.routes_v4, 64);
	assert_int_equal(i - 1, 64);
	r.family = RH_AF_INET6;
	assert_int_equal(dp_fib_route_add(small, &r), -EAFNOSUPPORT); /* no IPv6 table */
	dp_fib_destroy(small);
}

/*
 * IPv6 churn: prefixes longer than /24 added and deleted many times over the table's
 * second-level tables. DPDK 22.11's trie leaks a reservation on each delete (see
 * fib6_rebuild() in fib.c); without the rebuild the adds fail with -ENOSPC after a few
 * rounds although the table is empty. Lookups stay right across the rebuilds.
 */
static void test_v6_churn(void **state)
{
	struct dp_fib_conf conf = {
	        .v6_max_routes = 64, .v6_num_tbl8 = 64, .max_next_hops = 4, .max_groups = 1};
	struct dp_fib *small = dp_fib_create(&conf);
	struct fibc_nh nh = NH(1, "2001:db8::1", 0);
	struct fibc_nh nh2 = NH(2, "2001:db8::2", 0);
	struct fibc_route keep = R("2001:db8:ffff::/48", 1, 0), r = R("2001:db8::/48", 1, 0);
	struct fibc_route grp = R("2001:db8:eeee::/48", 1, FIBC_RT_F_GROUP);
	uint32_t members[2] = {1, 2};
	uint8_t ip[1][16];
	uint64_t v = 0;

	(void)state;
	assert_non_null(small);
	assert_int_equal(dp_fib_nh_add(small, &nh), 0);
	assert_int_equal(dp_fib_route_add(small, &keep), 0);
	/* A route to an ECMP group survives the rebuilds with its group flag (rte_fib keeps it
	 * in a compact encoding, see value_encode()). */
	assert_int_equal(dp_fib_nh_add(small, &nh2), 0);
	assert_int_equal(dp_fib_group_add(small, 1, members, 2), 0);
	assert_int_equal(dp_fib_route_add(small, &grp), 0);
	/* 3 tbl8 per /48 (/32, /40, /48 levels): 10 of them take 30 of 64, 100 rounds. */
	for (unsigned round = 0; round < 100; round++) {
		for (unsigned i = 0; i < 10; i++) {
			r.addr[5] = (uint8_t)i;
			assert_int_equal(dp_fib_route_add(small, &r), 0);
		}
		for (unsigned i = 0; i < 10; i++) {
			r.addr[5] = (uint8_t)i;
			assert_int_equal(dp_fib_route_del(small, &r), 0);
		}
		dp_fib_reclaim(small);
	}
	memcpy(ip[0], keep.addr, 16);
	ip[0][15] = 1;
	dp_fib_lookup6_bulk(small, ip, &v, 1);
	assert_int_equal(v, 1);
	memcpy(ip[0], grp.addr, 16);
	ip[0][15] = 1;
	dp_fib_lookup6_bulk(small, ip, &v, 1);
	assert_int_equal(v, DP_FIB_GROUP | 1);
	memcpy(ip[0], r.addr, 16);
	dp_fib_lookup6_bulk(small, ip, &v, 1);
	assert_int_equal(v, DP_FIB_NONE);
	dp_fib_destroy(small);
}

static void test_ecmp(void **state)
{
	uint32_t four[] = {1, 2, 3, 4}, three[] = {1, 2, 4}, weighted[] = {1, 2, 4, 4};
	uint32_t before[DP_NHG_BUCKETS], after[DP_NHG_BUCKETS], count[5] = {0};
	uint64_t v;
	unsigned moved = 0;

	(void)state;
	for (uint32_t i = 1; i <= 4; i++)
		add_nh(i, "192.0.2.1", (uint16_t)i);
	assert_int_equal(dp_fib_group_add(fib, 7, four, 4), 0);
	add_route("10.0.0.0/8", 7, FIBC_RT_F_GROUP);
	v = look4("10.2.3.4");
	assert_true(v & DP_FIB_GROUP);
	assert_int_equal((uint32_t)v, 7);
	/* Spread: a hash of many flows lands evenly on the members. */
	for (uint32_t h = 0; h < 4096; h++)
		count[dp_fib_nh(fib, v, h * 2654435761u)->id]++;
	for (uint32_t i = 1; i <= 4; i++)
		assert_in_range(count[i], 1024 - 128, 1024 + 128);
	buckets_of(v, before);
	/* Removing member 3 moves its flows only. */
	assert_int_equal(dp_fib_group_add(fib, 7, three, 3), 0);
	assert_int_equal(dp_fib_nh_del(fib, 3), 0); /* no longer referenced */
	buckets_of(v, after);
	memset(count, 0, sizeof(count));
	for (uint32_t h = 0; h < DP_NHG_BUCKETS; h++) {
		assert_int_not_equal(after[h], 3);
		if (before[h] != 3)
			assert_int_equal(after[h], before[h]);
		count[after[h]]++;
	}
	for (uint32_t i = 1; i <= 4; i++)
		if (i != 3)
			assert_in_range(count[i], DP_NHG_BUCKETS / 3, DP_NHG_BUCKETS / 3 + 1);
	/* Weights: member 4 listed twice gets half the buckets; the others keep theirs
	 * as far as their smaller share allows. */
	memcpy(before, after, sizeof(before));
	assert_int_equal(dp_fib_group_add(fib, 7, weighted, 4), 0);
	buckets_of(v, after);
	memset(count, 0, sizeof(count));
	for (uint32_t h = 0; h < DP_NHG_BUCKETS; h++) {
		count[after[h]]++;
		moved += after[h] != before[h];
	}
	assert_int_equal(count[4], DP_NHG_BUCKETS / 2);
	assert_int_equal(count[1], DP_NHG_BUCKETS / 4);
	assert_int_equal(count[2], DP_NHG_BUCKETS / 4);
	/* Only the buckets that member 4 gains change hands. */
	for (uint32_t h = 0; h < DP_NHG_BUCKETS; h++)
		count[0] += before[h] == 4;
	assert_int_equal(moved, DP_NHG_BUCKETS / 2 - count[0]);
}

static void test_stale_sweep(void **state)
{
	struct dp_fib_stats st;
	uint32_t g[] = {2};

	(void)state;
	add_nh(1, "192.0.2.1", 0);
	add_nh(2, "192.0.2.2", 0);
	add_nh(3, "192.0.2.3", 0);
	assert_int_equal(dp_fib_group_add(fib, 1, g, 1), 0);
	add_route("10.0.0.0/8", 1, 0);
	add_route("10.1.0.0/16", 2, 0);
	add_route("11.2.0.0/16", 2, 0);
	add_route("11.3.0.0/16", 1, FIBC_RT_F_GROUP);
	add_route("2001:db8::/32", 1, 0);
	add_route("2001:db8:1::/48", 3, 0);
	dp_fib_mark_stale(fib);
	/* The resync sends part of it again, one route with a new next hop. */
	add_nh(1, "192.0.2.1", 0);
	add_nh(3, "192.0.2.3", 0);
	add_route("10.0.0.0/8", 1, 0);
	add_route("10.1.0.0/16", 1, 0);
	add_route("2001:db8:1::/48", 3, 0);
	/* Swept: 11.2/16, 11.3/16, 2001:db8::/32, then group 1, then next hop 2. */
	assert_int_equal(dp_fib_sweep_stale(fib), 5);
	dp_fib_stats(fib, &st);
	assert_int_equal(st.routes_v4, 2);
	assert_int_equal(st.routes_v6, 1);
	assert_int_equal(st.next_hops, 2);
	assert_int_equal(st.groups, 0);
	assert_int_equal(look4("10.0.0.1"), 1);
	assert_int_equal(look4("10.1.0.1"), 1);
	assert_int_equal(look4("11.2.0.1"), DP_FIB_NONE);
	assert_int_equal(look4("11.3.0.1"), DP_FIB_NONE);
	assert_int_equal(look6("2001:db8:1::1"), 3);
	assert_int_equal(look6("2001:db8:2::1"), DP_FIB_NONE);
	/* A stale next hop still used by a fresh route stays. */
	dp_fib_mark_stale(fib);
	add_route("10.0.0.0/8", 1, 0);
	assert_int_equal(dp_fib_sweep_stale(fib), 3); /* 10.1/16, 2001:db8:1::/48, nh 3 */
	dp_fib_stats(fib, &st);
	assert_int_equal(st.next_hops, 1);
	assert_int_equal(look4("10.0.0.1"), 1);
	/* Nothing stale: nothing swept. */
	assert_int_equal(dp_fib_sweep_stale(fib), 0);
}

static int count_route(const struct fibc_route *r, bool stale, void *arg)
{
	unsigned *n = arg;

	(void)r;
	n[stale]++;
	return 0;
}

static void test_sweep_many(void **state)
{
	struct dp_fib_stats st;
	unsigned n[2] = {0, 0};
	struct fibc_route r = {.family = RH_AF_INET, .len = 24, .nh_id = 1};

	(void)state;
	add_nh(1, "192.0.2.1", 0);
	r.addr[0] = 10;
	for (uint32_t i = 0; i < 4096; i++) {
		r.addr[1] = (uint8_t)(i >> 8);
		r.addr[2] = (uint8_t)i;
		assert_int_equal(dp_fib_route_add(fib, &r), 0);
	}
	r.addr[1] = 200;
	assert_int_equal(dp_fib_route_add(fib, &r), -ENOSPC); /* 4096 max */
	dp_fib_mark_stale(fib);
	add_nh(1, "192.0.2.1", 0);
	for (uint32_t i = 0; i < 4096; i += 2) {
		r.addr[1] = (uint8_t)(i >> 8);
		r.addr[2] = (uint8_t)i;
		assert_int_equal(dp_fib_route_add(fib, &r), 0);
	}
	assert_int_equal(dp_fib_route_walk(fib, RH_AF_INET, count_route, n), 0);
	assert_int_equal(n[0], 2048);
	assert_int_equal(n[1], 2048);
	assert_int_equal(dp_fib_sweep_stale(fib), 2048);
	dp_fib_stats(fib, &st);
	assert_int_equal(st.routes_v4, 2048);
	assert_int_equal(look4("10.0.2.1"), 1);
	assert_int_equal(look4("10.0.3.1"), DP_FIB_NONE);
}

static void test_qsbr_defers_free(void **state)
{
	const struct dp_nh *held;
	struct fibc_nh nh = NH(1, "192.0.2.9", 2);

	(void)state;
	assert_int_equal(dp_fib_reader_register(fib, 1), -EINVAL); /* n_workers is 1 */
	assert_int_equal(dp_fib_reader_register(fib, 0), 0);
	add_nh(1, "192.0.2.1", 0);
	held = dp_fib_nh(fib, 1, 0);
	assert_non_null(held);
	/* Replace, then delete: both old versions wait for the reader. */
	assert_int_equal(dp_fib_nh_add(fib, &nh), 0);
	assert_int_equal(dp_fib_nh(fib, 1, 0)->port, 2);
	assert_int_equal(dp_fib_nh_del(fib, 1), 0);
	assert_null(dp_fib_nh(fib, 1, 0));
	assert_int_equal(dp_fib_reclaim_pending(fib), 2);
	assert_int_equal(dp_fib_reclaim(fib), 0);
	assert_int_equal(dp_fib_reclaim(fib), 0);
	assert_int_equal(held->id, 1); /* still readable: not freed */
	assert_int_equal(held->port, 0);
	dp_fib_quiescent(fib, 0);
	assert_int_equal(dp_fib_reclaim(fib), 2);
	assert_int_equal(dp_fib_reclaim_pending(fib), 0);
	/* An unchanged re-add publishes nothing new. */
	add_nh(2, "192.0.2.2", 0);
	add_nh(2, "192.0.2.2", 0);
	assert_int_equal(dp_fib_reclaim_pending(fib), 0);
	dp_fib_reader_unregister(fib, 0);
	/* No reader left: nothing to wait for. */
	assert_int_equal(dp_fib_nh_del(fib, 2), 0);
	assert_int_equal(dp_fib_reclaim(fib), 1);
}

static void test_resolve_survives_readd(void **state)
{
	struct rte_ether_addr mac = {{2, 0, 0, 0, 0, 1}}, src = {{2, 0, 0, 0, 0, 2}};
	struct fibc_nh nh = NH(1, "192.0.2.1", 3);
	const struct dp_nh *p;

	(void)state;
	add_nh(1, "192.0.2.1", 3);
	add_nh(2, "192.0.2.1", 4); /* same address, other port */
	assert_int_equal(dp_fib_nh(fib, 1, 0)->state, DP_NH_INCOMPLETE);
	assert_int_equal(dp_fib_nh_resolve(fib, 3, nh.addr, RH_AF_INET, &mac, &src), 0);
	p = dp_fib_nh(fib, 1, 0);
	assert_int_equal(p->state, DP_NH_RESOLVED);
	assert_memory_equal(&p->dst_mac, &mac, sizeof(mac));
	assert_int_equal(dp_fib_nh(fib, 2, 0)->state, DP_NH_INCOMPLETE);
	assert_int_equal(dp_fib_nh_add(fib, &nh), 0); /* a resync re-adds it */
	assert_int_equal(dp_fib_nh(fib, 1, 0)->state, DP_NH_RESOLVED);
	nh.flags = FIBC_NH_F_BLACKHOLE;
	assert_int_equal(dp_fib_nh_add(fib, &nh), 0);
	assert_int_equal(dp_fib_nh(fib, 1, 0)->state, DP_NH_BLACKHOLE);
	assert_int_equal(dp_fib_nh_resolve(fib, 9, nh.addr, RH_AF_INET, &mac, &src), -ENOENT);
}

static void test_unresolve_and_members(void **state)
{
	struct rte_ether_addr mac = {{2, 0, 0, 0, 0, 1}}, src = {{2, 0, 0, 0, 0, 2}};
	struct fibc_nh nh = NH(1, "192.0.2.1", 3);
	uint32_t members[] = {1, 2, 1}, got[8];

	(void)state;
	add_nh(1, "192.0.2.1", 3);
	add_nh(2, "192.0.2.2", 3);
	assert_int_equal(dp_fib_nh_unresolve(fib, 3, nh.addr, RH_AF_INET), -ENOENT);
	assert_int_equal(dp_fib_nh_resolve(fib, 3, nh.addr, RH_AF_INET, &mac, &src), 0);
	/* The neighbour is gone: incomplete again, its MAC forgotten. */
	assert_int_equal(dp_fib_nh_unresolve(fib, 3, nh.addr, RH_AF_INET), 0);
	assert_int_equal(dp_fib_nh(fib, 1, 0)->state, DP_NH_INCOMPLETE);
	assert_true(rte_is_zero_ether_addr(&dp_fib_nh(fib, 1, 0)->dst_mac));
	assert_int_equal(dp_fib_nh(fib, 2, 0)->state, DP_NH_INCOMPLETE);
	/* Group members, as listed (with their weights). */
	assert_int_equal(dp_fib_group_add(fib, 7, members, 3), 0);
	assert_int_equal(dp_fib_group_members(fib, 7, got, 8), 3);
	assert_memory_equal(got, members, sizeof(members));
	assert_int_equal(dp_fib_group_members(fib, 7, got, 2), 2);
	assert_int_equal(dp_fib_group_members(fib, 8, got, 8), -ENOENT);
}

struct stress {
	bool started, stop;
	unsigned long reads, nulls, bad;
};

/* A worker: looks up, reads the next hop, reports quiescence every 16 lookups. */
static void *stress_reader(void *arg)
{
	struct stress *st = arg;
	uint32_t ip = 0x0a000001;

	dp_fib_reader_register(fib, 0);
	__atomic_store_n(&st->started, true, __ATOMIC_RELEASE);
	for (uint32_t i = 0; !__atomic_load_n(&st->stop, __ATOMIC_ACQUIRE); i++) {
		const struct dp_nh *nh;
		uint64_t v;

		dp_fib_lookup4_bulk(fib, &ip, &v, 1);
		nh = dp_fib_nh(fib, v, i * 2654435761u);
		st->reads++;
		/* NULL is allowed (a member deleted after the group was read); a freed
		 * object would show the poison instead of these invariants. */
		if (nh == NULL)
			st->nulls++;
		else if (nh->id < 1 || nh->id > 4 || nh->port % 100 != nh->id ||
		         nh->state != DP_NH_INCOMPLETE || nh->family != RH_AF_INET)
			st->bad++;
		if ((i & 15) == 0)
			dp_fib_quiescent(fib, 0);
	}
	dp_fib_reader_unregister(fib, 0);
	return NULL;
}

/* Next hops, groups and the route they hang off are replaced and deleted while a
 * reader runs: it never sees a freed object. */
static void test_qsbr_concurrent(void **state)
{
	uint32_t three[] = {1, 2, 3}, four[] = {1, 2, 3, 4};
	struct stress st = {0};
	pthread_t t;

	(void)state;
	for (uint32_t k = 1; k <= 4; k++)
		add_nh(k, "192.0.2.1", (uint16_t)k);
	assert_int_equal(dp_fib_group_add(fib, 1, four, 4), 0);
	add_route("10.0.0.0/8", 1, FIBC_RT_F_GROUP);
	assert_int_equal(pthread_create(&t, NULL, stress_reader, &st), 0);
	while (!__atomic_load_n(&st.started, __ATOMIC_ACQUIRE))
		;
	for (uint32_t it = 0; it < 30000; it++) {
		uint32_t k = 1 + it % 4;

		add_nh(k, "192.0.2.1", (uint16_t)((it / 4) % 2 ? k + 100 : k));
		if (it % 3 == 0) {
			assert_int_equal(dp_fib_group_add(fib, 1, three, 3), 0);
			assert_int_equal(dp_fib_nh_del(fib, 4), 0);
			add_nh(4, "192.0.2.1", 4);
		} else {
			assert_int_equal(dp_fib_group_add(fib, 1, four, 4), 0);
		}
		if (it % 5 == 0)
			add_route("10.0.0.0/8", it % 2 ? 2 : 1, it % 2 ? 0 : FIBC_RT_F_GROUP);
		dp_fib_reclaim(fib);
	}
	__atomic_store_n(&st.stop, true, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	print_message("# %lu reads, %lu NULL, %lu freed objects seen; %u objects still waiting\n",
	              st.reads, st.nulls, st.bad, dp_fib_reclaim_pending(fib));
	assert_true(st.reads > 0);
	assert_int_equal(st.bad, 0);
	dp_fib_reclaim(fib); /* the reader is gone: everything goes */
	assert_int_equal(dp_fib_reclaim_pending(fib), 0);
}

/*
 * The tables store values in 2-byte entries while every id is below 2^14, in 4-byte ones
 * above: at the edge of each encoding, the highest next-hop id and the highest group id
 * come back from a lookup as themselves, never one as the other.
 */
/*
 * The workers prefetch the lookup's first-level entries of a large IPv4 table: the FIB
 * finds where rte_fib keeps them (the entry of a route must read as its value there) and
 * offers it from DP_FIB_PREFETCH_ROUTES routes on, with 2- and 4-byte entries.
 */
static void test_prefetch_table(void **state)
{
	static const uint32_t max_ids[] = {64, 1u << 14};

	(void)state;
	for (unsigned k = 0; k < RTE_DIM(max_ids); k++) {
		struct dp_fib_conf conf = {
		        .v4_max_routes = DP_FIB_PREFETCH_ROUTES + 16,
		        .v4_num_tbl8 = 16,
		        .max_next_hops = max_ids[k],
		        .max_groups = 16,
		        .n_workers = 1,
		        .socket_id = 0,
		};
		struct fibc_route r = {.family = RH_AF_INET, .len = 24, .nh_id = 7};
		const struct dp_fib_view *v;
		uint64_t e = 0;

		fib = dp_fib_create(&conf);
		assert_non_null(fib);
		v = dp_fib_view(fib);
		add_nh(7, "192.0.2.1", 0);
		r.addr[0] = 10;
		for (uint32_t i = 0; i < DP_FIB_PREFETCH_ROUTES; i++) {
			r.addr[1] = (uint8_t)(i >> 8);
			r.addr[2] = (uint8_t)i;
			if (i + 1 == DP_FIB_PREFETCH_ROUTES)
				assert_null(v->prefetch24); /* small table: no prefetch */
			assert_int_equal(dp_fib_route_add(fib, &r), 0);
		}
		assert_ptr_equal(v->prefetch24, v->tbl24);
		assert_non_null(v->tbl24);
		assert_int_equal(v->tbl24_shift, k == 0 ? 1 : 2);
		/* 10.1.2.0/24's entry: next hop 7, not extended (bit 0). */
		memcpy(&e, v->tbl24 + ((size_t)0x0a0102 << v->tbl24_shift),
		       (size_t)1 << v->tbl24_shift);
		assert_int_equal(e, 7u << 1);
		assert_int_equal(dp_fib_route_del(fib, &r), 0);
		assert_null(v->prefetch24);
		assert_non_null(v->tbl24);
		dp_fib_destroy(fib);
		fib = NULL;
	}
}

/*
 * The workers' own first-level reads (dp_fib_lookup4_fast()) give what rte_fib gives, for
 * prefixes of every length (longer than /24: extended entries, left to rte_fib), with 2-
 * and 4-byte entries, addresses in and around the routes.
 */
static void test_lookup_fast_agrees(void **state)
{
	static const uint32_t max_ids[] = {64, 1u << 14};

	(void)state;
	for (unsigned k = 0; k < RTE_DIM(max_ids); k++) {
		struct dp_fib_conf conf = {
		        .v4_max_routes = 4096,
		        .v4_num_tbl8 = 1024,
		        .max_next_hops = max_ids[k],
		        .max_groups = 16,
		        .n_workers = 1,
		        .socket_id = 0,
		};
		uint32_t ips[64], seed = 12345 + k, added = 0, same4 = 0;
		uint64_t fast[64], ref[64];

		fib = dp_fib_create(&conf);
		assert_non_null(fib);
		assert_non_null(dp_fib_view(fib)->tbl24);
		for (uint32_t id = 1; id <= 8; id++) {
			char a[32];

			snprintf(a, sizeof(a), "192.0.2.%u", id);
			add_nh(id, a, 0);
		}
		for (unsigned i = 0; i < 3000; i++) {
			struct fibc_route r = {.family = RH_AF_INET};
			uint32_t a;

			seed = seed * 1103515245u + 12345u;
			a = seed & 0x00ffffffu; /* all in one /8: prefixes nest */
			r.len = (uint8_t)(8 + (seed >> 24) % 25);
			r.nh_id = 1 + (seed >> 8) % 8;
			a = (a | 0x0a000000u) & (r.len == 32 ? ~0u : ~(~0u >> r.len));
			a = rte_cpu_to_be_32(a);
			memcpy(r.addr, &a, 4);
			if (dp_fib_route_add(fib, &r) == 0)
				added++;
		}
		assert_true(added > 2000);
		for (unsigned round = 0; round < 300; round++) {
			for (unsigned i = 0; i < RTE_DIM(ips); i++) {
				seed = seed * 1103515245u + 12345u;
				ips[i] = (i & 1) ? (0x0a000000u | (seed & 0x00ffffffu)) : seed;
			}
			/* Every other round, groups of 4 within one /24 (as a burst to one
			 * network has them), for dp_fib_lookup4_same4(). */
			for (unsigned i = 0; (round & 1) && i < RTE_DIM(ips); i++)
				if (i % 4 != 0)
					ips[i] = (ips[i - 1] & ~0xffu) | (ips[i] & 0xffu);
			dp_fib_lookup4_fast(fib, ips, fast, RTE_DIM(ips));
			dp_fib_lookup4_raw(fib, ips, ref, RTE_DIM(ips));
			for (unsigned i = 0; i < RTE_DIM(ips); i++)
				if (fast[i] != ref[i])
					fail_msg("%08x: fast %" PRIu64 ", rte_fib %" PRIu64, ips[i],
					         fast[i], ref[i]);
			for (unsigned i = 0; i < RTE_DIM(ips); i += 4) {
				uint64_t v = UINT64_MAX;

				if (!dp_fib_view_same4_ok(dp_fib_view(fib)) ||
				    !dp_fib_lookup4_same4(dp_fib_view(fib), &ips[i], &v))
					continue;
				same4++;
				for (unsigned j = 0; j < 4; j++)
					assert_int_equal(v, ref[i + j]);
			}
		}
		if (k == 0)
			assert_true(same4 > 1000); /* 2-byte entries: read directly */
		else
			assert_true(dp_fib_view_same4_ok(dp_fib_view(fib)) == false);
		dp_fib_destroy(fib);
		fib = NULL;
	}
}

static void test_value_widths(void **state)
{
	static const uint32_t max_ids[] = {(1u << 14) - 1, 1u << 14};

	(void)state;
	for (unsigned k = 0; k < RTE_DIM(max_ids); k++) {
		struct dp_fib_conf conf = {
		        .v4_max_routes = 1024,
		        .v6_max_routes = 256,
		        .max_next_hops = max_ids[k],
		        .max_groups = max_ids[k],
		        .n_workers = 1,
		        .socket_id = 0,
		};
		uint32_t top = max_ids[k], members[] = {top, 1};

		fib = dp_fib_create(&conf);
		assert_non_null(fib);
		add_nh(top, "198.51.100.1", 0);
		add_nh(1, "198.51.100.2", 0);
		add_nh(top - 1, "2001:db8::1", 0);
		assert_int_equal(dp_fib_group_add(fib, top, members, 2), 0);
		add_route("192.0.2.0/25", top, 0);
		add_route("192.0.2.128/25", top, FIBC_RT_F_GROUP);
		add_route("203.0.113.0/24", 1, 0);
		add_route("2001:db8:1::/48", top - 1, 0);
		add_route("2001:db8:2::/48", top, FIBC_RT_F_GROUP);
		assert_int_equal(look4("192.0.2.1"), top);
		assert_int_equal(look4("192.0.2.200"), DP_FIB_GROUP | top);
		assert_int_equal(look4("203.0.113.9"), 1);
		assert_int_equal(look4("198.18.0.1"), DP_FIB_NONE);
		assert_int_equal(look6("2001:db8:1::5"), top - 1);
		assert_int_equal(look6("2001:db8:2::5"), DP_FIB_GROUP | top);
		assert_int_equal(dp_fib_nh(fib, look4("192.0.2.1"), 0)->id, top);
		dp_fib_destroy(fib);
		fib = NULL;
	}
}

/* How many host routes, each in a /24 of its own (a second-level table each), still fit
 * in an IPv4 table with 64 tbl8s (next hop 4); they are removed again. */
static unsigned v4_room(struct dp_fib *f)
{
	struct fibc_route r = R("10.0.0.1/32", 4, 0);
	unsigned n;

	for (n = 0; n < 128; n++) {
		r.addr[1] = (uint8_t)(n >> 8);
		r.addr[2] = (uint8_t)n;
		if (dp_fib_route_add(f, &r) != 0)
			break;
	}
	for (unsigned i = 0; i < n; i++) {
		r.addr[1] = (uint8_t)(i >> 8);
		r.addr[2] = (uint8_t)i;
		assert_int_equal(dp_fib_route_del(f, &r), 0);
	}
	return n;
}

static uint64_t look4_in(struct dp_fib *f, uint32_t ip)
{
	uint64_t v;

	dp_fib_lookup4_bulk(f, &ip, &v, 1);
	return v;
}

/*
 * A /25 added under a /15 of the same next hop, then both deleted: every host route
 * that fit before still fits. DPDK 22.11's DIR-24-8 did not reserve a tbl8 for the /25
 * (its parent has the same value: nothing to write) but gave one back on its delete; the
 * reserved count wrapped below zero and no prefix longer than /24 could be added any
 * more (room 0 of 64). fib.c makes such an add reserve (fib4_add()); lookups are the
 * same throughout.
 */
static void test_v4_same_value_room(void **state)
{
	struct dp_fib_conf conf = {
	        .v4_max_routes = 256, .v4_num_tbl8 = 64, .max_next_hops = 4, .max_groups = 1};
	struct dp_fib *small = dp_fib_create(&conf);
	struct fibc_nh nh = NH(1, "192.0.2.1", 0), probe = NH(4, "192.0.2.4", 0);
	struct fibc_route wide = R("198.18.0.0/15", 1, 0), narrow = R("198.18.0.0/25", 1, 0);
	const uint32_t in = 0xc6120001, out = 0xc6120081, end = 0xc613ffff; /* .0.1 .0.129 */

	(void)state;
	assert_non_null(small);
	assert_int_equal(dp_fib_nh_add(small, &nh), 0);
	assert_int_equal(dp_fib_nh_add(small, &probe), 0);
	assert_int_equal(v4_room(small), 64);
	assert_int_equal(dp_fib_route_add(small, &wide), 0);
	assert_int_equal(dp_fib_route_add(small, &narrow), 0);
	assert_int_equal(look4_in(small, in), 1);
	assert_int_equal(look4_in(small, out), 1);
	assert_int_equal(look4_in(small, end), 1);
	assert_int_equal(dp_fib_route_del(small, &narrow), 0);
	assert_int_equal(look4_in(small, in), 1);
	assert_int_equal(dp_fib_route_del(small, &wide), 0);
	assert_int_equal(look4_in(small, in), DP_FIB_NONE);
	assert_int_equal(v4_room(small), 64);
	/* The other order: the /15 goes first, then the /25 alone holds its range. */
	assert_int_equal(dp_fib_route_add(small, &wide), 0);
	assert_int_equal(dp_fib_route_add(small, &narrow), 0);
	assert_int_equal(dp_fib_route_del(small, &wide), 0);
	assert_int_equal(look4_in(small, in), 1);
	assert_int_equal(look4_in(small, out), DP_FIB_NONE);
	assert_int_equal(dp_fib_route_del(small, &narrow), 0);
	assert_int_equal(look4_in(small, in), DP_FIB_NONE);
	assert_int_equal(v4_room(small), 64);
	dp_fib_destroy(small);
}

/*
 * The default route when, besides it, the table holds only a host route in 0.0.0.0/24:
 * DPDK 22.11's DIR-24-8 wrote no change of 0.0.0.0/0 past that route (its last range
 * wraps to 0): deleted, the default route kept forwarding; added, it was not installed
 * (fib.c: fib4_default()).
 */
static void test_v4_default_wrap(void **state)
{
	struct fibc_route dflt = R("0.0.0.0/0", 1, 0), host = R("0.0.0.5/32", 2, 0);

	(void)state;
	add_nh(1, "198.51.100.1", 0);
	add_nh(2, "198.51.100.2", 0);
	add_nh(3, "198.51.100.3", 0);
	add_route("0.0.0.0/0", 1, 0);
	add_route("0.0.0.5/32", 2, 0);
	assert_int_equal(look4("10.0.0.1"), 1);
	assert_int_equal(dp_fib_route_del(fib, &dflt), 0);
	assert_int_equal(look4("10.0.0.1"), DP_FIB_NONE);
	assert_int_equal(look4("255.255.255.255"), DP_FIB_NONE);
	assert_int_equal(look4("0.0.0.5"), 2);
	add_route("0.0.0.0/0", 3, 0);
	assert_int_equal(look4("10.0.0.1"), 3);
	assert_int_equal(look4("255.255.255.255"), 3);
	assert_int_equal(look4("0.0.0.1"), 3);
	assert_int_equal(look4("0.0.0.5"), 2);
	add_route("0.0.0.0/0", 1, 0); /* a new value in place */
	assert_int_equal(look4("10.0.0.1"), 1);
	assert_int_equal(look4("0.0.0.6"), 1);
	assert_int_equal(dp_fib_route_del(fib, &host), 0);
	assert_int_equal(look4("0.0.0.5"), 1);
	add_route("0.0.0.5/32", 2, 0);
	assert_int_equal(dp_fib_route_del(fib, &dflt), 0);
	assert_int_equal(look4("10.0.0.1"), DP_FIB_NONE);
	assert_int_equal(look4("0.0.0.4"), DP_FIB_NONE);
	assert_int_equal(dp_fib_route_del(fib, &host), 0);
	assert_int_equal(look4("0.0.0.5"), DP_FIB_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_v4_longest_match, fib_setup, fib_teardown),
	        cmocka_unit_test_setup_teardown(test_v6_longest_match, fib_setup, fib_teardown),
	        cmocka_unit_test_setup_teardown(test_refcounts, fib_setup, fib_teardown),
	        cmocka_unit_test_setup_teardown(test_ecmp, fib_setup, fib_teardown),
	        cmocka_unit_test_setup_teardown(test_nh_bulk, fib_setup, fib_teardown),
	        cmocka_unit_test(test_tbl8_exhausted),
	        cmocka_unit_test(test_v6_churn),
	        cmocka_unit_test_setup_teardown(test_stale_sweep, fib_setup, fib_teardown),
	        cmocka_unit_test_setup_teardown(test_sweep_many, fib_setup, fib_teardown),
	        cmocka_unit_test_setup_teardown(test_qsbr_defers_free, fib_setup, fib_teardown),
	        cmocka_unit_test_setup_teardown(test_qsbr_concurrent, fib_setup, fib_teardown),
	        cmocka_unit_test_setup_teardown(test_resolve_survives_readd, fib_setup,
	                                        fib_teardown),
	        cmocka_unit_test_setup_teardown(test_unresolve_and_members, fib_setup,
	                                        fib_teardown),
	        cmocka_unit_test(test_value_widths),
	        cmocka_unit_test(test_prefetch_table),
	        cmocka_unit_test(test_lookup_fast_agrees),
	        cmocka_unit_test(test_v4_same_value_room),
	        cmocka_unit_test_setup_teardown(test_v4_default_wrap, fib_setup, fib_teardown),
	};

	return cmocka_run_group_tests(tests, eal_setup, eal_teardown);
}
