/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The FIB of test_dp_worker: by default a test double of fib.h's reader functions (a
 * linear longest-prefix match, next hops by id, groups by id with a switchable member
 * choice); built with -DDP_TEST_REAL_FIB and linked with dataplane/fib.c, the real FIB
 * programmed through fib.h's writer functions instead.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_memory.h>

#include "dp_fib_fixture.h"
#include "routehub/prefix.h"

#ifndef DP_TEST_REAL_FIB
struct route4 {
	uint32_t addr; /* host order */
	uint8_t len;
	uint64_t value;
};

struct route6 {
	uint8_t addr[16];
	uint8_t len;
	uint64_t value;
};

struct dp_fib {
	struct dp_fib_view view; /* first, as in fib.c: gbit DP_FIB_GROUP, nhs = nh_ptr */
	struct dp_nh *nh_ptr[FX_MAX_NH];
	unsigned n4, n6;
	struct route4 r4[16];
	struct route6 r6[16];
	struct dp_nh nh[FX_MAX_NH];
	unsigned group_n[FX_MAX_GROUPS];
	uint32_t group_members[FX_MAX_GROUPS][4];
	bool ecmp_modulo; /* member = hash % n, else (hash * n) >> 32 */
	unsigned registered;
	unsigned quiescent;
};

int dp_fib_reader_register(struct dp_fib *fib, unsigned id)
{
	(void)id;
	__atomic_add_fetch(&fib->registered, 1, __ATOMIC_RELAXED);
	return 0;
}

void dp_fib_quiescent(struct dp_fib *fib, unsigned id)
{
	(void)id;
	__atomic_add_fetch(&fib->quiescent, 1, __ATOMIC_RELAXED);
}

void dp_fib_lookup4_bulk(struct dp_fib *fib, const uint32_t *ips, uint64_t *values, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		int best = -1;

		for (unsigned r = 0; r < fib->n4; r++) {
			uint32_t mask = fib->r4[r].len ? ~0u << (32 - fib->r4[r].len) : 0;

			if ((ips[i] & mask) == fib->r4[r].addr &&
			    (best < 0 || fib->r4[r].len > fib->r4[best].len))
				best = (int)r;
		}
		values[i] = best < 0 ? DP_FIB_NONE : fib->r4[best].value;
	}
}

static bool prefix6_match(const uint8_t *a, const uint8_t *p, unsigned len)
{
	unsigned bytes = len / 8, bits = len % 8;

	if (memcmp(a, p, bytes) != 0)
		return false;
	return bits == 0 || ((a[bytes] ^ p[bytes]) & (0xff << (8 - bits))) == 0;
}

void dp_fib_lookup6_bulk(struct dp_fib *fib, uint8_t (*ips)[16], uint64_t *values, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		int best = -1;

		for (unsigned r = 0; r < fib->n6; r++)
			if (prefix6_match(ips[i], fib->r6[r].addr, fib->r6[r].len) &&
			    (best < 0 || fib->r6[r].len > fib->r6[best].len))
				best = (int)r;
		values[i] = best < 0 ? DP_FIB_NONE : fib->r6[best].value;
	}
}

/* The double's raw values are the API's values (gbit is DP_FIB_GROUP). */
void dp_fib_lookup4_raw(struct dp_fib *fib, const uint32_t *ips, uint64_t *raw, unsigned n)
{
	dp_fib_lookup4_bulk(fib, ips, raw, n);
}

void dp_fib_lookup6_raw(struct dp_fib *fib, uint8_t (*ips)[16], uint64_t *raw, unsigned n)
{
	dp_fib_lookup6_bulk(fib, ips, raw, n);
}

const struct dp_nh *dp_fib_group_nh(const struct dp_fib *fib, uint32_t id, uint32_t hash)
{
	return dp_fib_nh(fib, DP_FIB_GROUP | id, hash);
}

const struct dp_nh *dp_fib_nh(const struct dp_fib *fib, uint64_t value, uint32_t hash)
{
	uint32_t id = (uint32_t)value, member;

	if (value & DP_FIB_GROUP) {
		if (id >= RTE_DIM(fib->group_n) || fib->group_n[id] == 0)
			return NULL;
		member = fib->ecmp_modulo ? hash % fib->group_n[id]
		                          : (uint32_t)(((uint64_t)hash * fib->group_n[id]) >> 32);
		id = fib->group_members[id][member];
	}
	return id > 0 && id < FX_MAX_NH && fib->nh[id].id == id ? &fib->nh[id] : NULL;
}

struct dp_fib *fx_create(void)
{
	struct dp_fib *fib = calloc(1, sizeof(struct dp_fib));

	if (fib != NULL) {
		fib->view.gbit = DP_FIB_GROUP;
		fib->view.nhs = fib->nh_ptr;
	}
	return fib;
}

void fx_destroy(struct dp_fib *fib)
{
	free(fib);
}

void fx_nh(struct dp_fib *fib, uint32_t id, uint8_t family, uint16_t port, enum dp_nh_state state,
           const struct rte_ether_addr *mac, const struct rte_ether_addr *src)
{
	struct dp_nh *nh = &fib->nh[id];

	assert_true(id < FX_MAX_NH);
	fib->nh_ptr[id] = id > 0 ? nh : NULL;
	nh->id = id;
	nh->port = port;
	nh->state = (uint8_t)state;
	nh->family = family;
	if (mac != NULL) {
		nh->dst_mac = *mac;
		nh->src_mac = *src;
	}
}

void fx_group(struct dp_fib *fib, uint32_t id, const uint32_t *members, unsigned n)
{
	assert_true(id < RTE_DIM(fib->group_n) && n <= RTE_DIM(fib->group_members[0]));
	memcpy(fib->group_members[id], members, n * sizeof(*members));
	fib->group_n[id] = n;
}

void fx_route4(struct dp_fib *fib, uint32_t addr, uint8_t len, uint64_t value)
{
	assert_true(fib->n4 < RTE_DIM(fib->r4));
	fib->r4[fib->n4++] = (struct route4){addr, len, value};
}

void fx_route6(struct dp_fib *fib, const uint8_t *addr, uint8_t len, uint64_t value)
{
	struct route6 *r;

	assert_true(fib->n6 < RTE_DIM(fib->r6));
	r = &fib->r6[fib->n6++];

	memcpy(r->addr, addr, 16);
	r->len = len;
	r->value = value;
}

bool fx_is_double(void)
{
	return true;
}

unsigned fx_quiescent(const struct dp_fib *fib)
{
	return __atomic_load_n(&fib->quiescent, __ATOMIC_RELAXED);
}

unsigned fx_registered(const struct dp_fib *fib)
{
	return __atomic_load_n(&fib->registered, __ATOMIC_RELAXED);
}

void fx_set_ecmp_modulo(struct dp_fib *fib, bool on)
{
	fib->ecmp_modulo = on;
}

#else /* DP_TEST_REAL_FIB: program the real FIB through its writers */

struct dp_fib *fx_create(void)
{
	struct dp_fib_conf conf = {
	        .v4_max_routes = 1024,
	        .v6_max_routes = 1024,
	        .max_next_hops = 4 * FX_MAX_NH, /* room whether ids count from 0 or 1 */
	        .max_groups = 4 * FX_MAX_GROUPS,
	        .n_workers = 1,
	        .socket_id = SOCKET_ID_ANY,
	};

	return dp_fib_create(&conf);
}

void fx_destroy(struct dp_fib *fib)
{
	dp_fib_destroy(fib);
}

void fx_nh(struct dp_fib *fib, uint32_t id, uint8_t family, uint16_t port, enum dp_nh_state state,
           const struct rte_ether_addr *mac, const struct rte_ether_addr *src)
{
	static const uint8_t base4[4] = {192, 0, 2, 0};
	static const uint8_t base6[16] = {0x20, 0x01, 0x0d, 0xb8, 0xee};
	struct fibc_nh nh = {.id = id, .port = port, .family = family};

	if (family == RH_AF_INET) {
		memcpy(nh.addr, base4, 4);
		nh.addr[3] = (uint8_t)id;
	} else {
		memcpy(nh.addr, base6, 16);
		nh.addr[15] = (uint8_t)id;
	}
	if (state == DP_NH_BLACKHOLE)
		nh.flags = FIBC_NH_F_BLACKHOLE;
	if (state == DP_NH_LOCAL)
		nh.flags = FIBC_NH_F_LOCAL;
	assert_int_equal(dp_fib_nh_add(fib, &nh), 0);
	if (state == DP_NH_RESOLVED)
		assert_int_equal(dp_fib_nh_resolve(fib, port, nh.addr, family, mac, src), 0);
}

void fx_group(struct dp_fib *fib, uint32_t id, const uint32_t *members, unsigned n)
{
	assert_int_equal(dp_fib_group_add(fib, id, members, n), 0);
}

static void fx_route(struct dp_fib *fib, uint8_t family, const uint8_t *addr, uint8_t len,
                     uint64_t value)
{
	struct fibc_route r = {.family = family, .len = len, .nh_id = (uint32_t)value};

	if (value & DP_FIB_GROUP)
		r.flags = FIBC_RT_F_GROUP;
	memcpy(r.addr, addr, family == RH_AF_INET ? 4 : 16);
	assert_int_equal(dp_fib_route_add(fib, &r), 0);
}

void fx_route4(struct dp_fib *fib, uint32_t addr, uint8_t len, uint64_t value)
{
	rte_be32_t be = rte_cpu_to_be_32(addr);

	fx_route(fib, RH_AF_INET, (const uint8_t *)&be, len, value);
}

void fx_route6(struct dp_fib *fib, const uint8_t *addr, uint8_t len, uint64_t value)
{
	fx_route(fib, RH_AF_INET6, addr, len, value);
}

bool fx_is_double(void)
{
	return false;
}

/* The real FIB keeps its QSBR state to itself: nothing to count. */
unsigned fx_quiescent(const struct dp_fib *fib)
{
	(void)fib;
	return 1;
}

unsigned fx_registered(const struct dp_fib *fib)
{
	(void)fib;
	return 1;
}

void fx_set_ecmp_modulo(struct dp_fib *fib, bool on)
{
	(void)fib;
	(void)on;
}
#endif
