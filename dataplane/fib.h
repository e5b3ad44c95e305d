/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane FIB: IPv4 rte_fib (DIR-24-8), IPv6 rte_fib6 (trie), a next-hop table and
 * ECMP groups, all programmed from the FIB channel (include/routehub/fib_channel.h).
 *
 * Writers (the main lcore) and readers (the workers) share the tables through RCU QSBR:
 * a worker reports quiescence every few loop iterations (dp_fib_quiescent()), and a
 * writer frees or reuses an entry only after every worker has passed a quiescent state
 * since it was unlinked. A lookup never sees a half-written entry: next hops and groups
 * are published by a single pointer store. The grace periods are a FIFO of objects with
 * their rte_rcu_qsbr_start() token rather than rte_rcu_qsbr_dq, which is experimental
 * API in DPDK 22.11 and holds a fixed number of entries.
 *
 * Ids are the control plane's. A packet whose lookup raced with the deletion of a next
 * hop finds no next hop (NULL: dropped and counted by the caller) or, if the id was
 * reused in between, the new next hop of that id: never freed memory.
 *
 * All writer functions run on one thread (the main lcore); they are not locked.
 *
 * The value a route holds is a 64-bit "fib value": a next-hop id, or a group id with
 * DP_FIB_GROUP set. Value 0 (DP_FIB_NONE) is the default: no route. The tables store it in
 * the smallest entry that holds every id (fib.c, value_encode()): with fewer than 16,384
 * next-hop and group ids, 2 bytes (a 32 MB IPv4 tbl24), with fewer than 2^30 4 bytes
 * (64 MB); size the hugepage pool (or -m) accordingly. dp_fib_lookup*_bulk() return
 * the fib value.
 *
 * An ECMP group is an immutable table of DP_NHG_BUCKETS next-hop ids; a packet takes the
 * bucket of its hash. Replacing a group keeps every bucket whose member stays in the group
 * (and within its fair share), so removing a member moves only the flows it carried.
 *
 * The writer side keeps a shadow of every route (an rte_hash) with the epoch of the sync
 * in which it was last added: dp_fib_mark_stale() starts a new epoch in O(1), and
 * dp_fib_sweep_stale() removes what was not added again in that epoch.
 */
#ifndef ROUTEHUB_DP_FIB_H
#define ROUTEHUB_DP_FIB_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_ether.h>

#include "routehub/fib_channel.h"

#define DP_FIB_NONE  0ull
#define DP_FIB_GROUP (1ull << 32)

/* Buckets of an ECMP group: a power of two, several per member at FIBC_NHG_MAX_MEMBERS. */
#define DP_NHG_BUCKETS 256

enum dp_nh_state {
	DP_NH_INCOMPLETE = 0, /* neighbour not resolved yet: hold or punt the packet */
	DP_NH_RESOLVED = 1,   /* dst_mac is valid */
	DP_NH_BLACKHOLE = 2,  /* drop, counted */
	DP_NH_LOCAL = 3,      /* deliver to the exception path */
};

/* A next hop as the workers read it: immutable once published. */
struct dp_nh {
	uint32_t id;
	uint16_t port;  /* output port index */
	uint8_t state;  /* enum dp_nh_state */
	uint8_t family; /* RH_AF_INET / RH_AF_INET6 */
	struct rte_ether_addr dst_mac;
	struct rte_ether_addr src_mac;
	uint8_t addr[16];
};

struct dp_fib_conf {
	uint32_t v4_max_routes; /* 0: no IPv4 table (route adds get -EAFNOSUPPORT) */
	uint32_t v6_max_routes; /* 0: no IPv6 table */
	/*
	 * Second-level tables (256 entries each). 0 derives them from the route counts:
	 * IPv4 max_routes/32 (routes longer than /24 are a few percent of a real table),
	 * at most 32,767 when the ids fit 2-byte entries (which can name no more), IPv6 one
	 * per route. Running out makes route adds fail with -ENOSPC.
	 */
	uint32_t v4_num_tbl8;
	uint32_t v6_num_tbl8;
	uint32_t max_next_hops;
	uint32_t max_groups;
	unsigned n_workers; /* readers registered with the QSBR variable */
	int socket_id;
};

struct dp_fib;

/* Creates the tables; NULL and errno (rte_errno) on failure. Needs an initialised EAL. */
struct dp_fib *dp_fib_create(const struct dp_fib_conf *conf);
void dp_fib_destroy(struct dp_fib *fib);

/* Registers worker `id` (0..n_workers-1) as a reader and puts it online; the worker
 * calls it once, before its first lookup. -EINVAL for an id out of range. */
int dp_fib_reader_register(struct dp_fib *fib, unsigned id);
/* Takes worker `id` out of the grace-period accounting (a worker that stops). */
void dp_fib_reader_unregister(struct dp_fib *fib, unsigned id);
/* Reports a quiescent state of worker `id` (cheap: a store). */
void dp_fib_quiescent(struct dp_fib *fib, unsigned id);

/* Writers (main lcore only). Each returns 0 or a negative errno. */
/*
 * Adds or replaces a next hop (-ERANGE for an id outside 1..max_next_hops, -EINVAL for a
 * bad family). Re-adding the same address and port keeps its resolved MAC, so a resync
 * does not make a resolved next hop incomplete again.
 */
int dp_fib_nh_add(struct dp_fib *fib, const struct fibc_nh *nh);
/* -ENOENT if absent, -EBUSY while a route or a group uses it. */
int dp_fib_nh_del(struct dp_fib *fib, uint32_t id);
/*
 * Sets the neighbour's MAC of every next hop with this address on this port (that is
 * neither blackhole nor local). -ENOENT if none matched.
 */
int dp_fib_nh_resolve(struct dp_fib *fib, uint16_t port, const uint8_t addr[16], uint8_t family,
                      const struct rte_ether_addr *mac, const struct rte_ether_addr *src_mac);
/*
 * The neighbour is gone: every resolved next hop with this address on this port becomes
 * incomplete again (its packets go back to the neighbour ring). -ENOENT if none matched.
 */
int dp_fib_nh_unresolve(struct dp_fib *fib, uint16_t port, const uint8_t addr[16], uint8_t family);
/*
 * Adds or replaces group `id` (1..max_groups, else -ERANGE) with n (1..FIBC_NHG_MAX_MEMBERS,
 * else -EINVAL) members; a member listed k times gets k shares. -ENOENT if a member does
 * not exist.
 */
int dp_fib_group_add(struct dp_fib *fib, uint32_t id, const uint32_t *members, unsigned n);
/* Writer side: copies up to max member ids of group id (as listed when added); returns
 * how many, or -ENOENT. */
int dp_fib_group_members(const struct dp_fib *fib, uint32_t id, uint32_t *members, unsigned max);
/* -ENOENT if absent, -EBUSY while a route uses it. */
int dp_fib_group_del(struct dp_fib *fib, uint32_t id);
/*
 * Adds a route, or replaces its value in place (never removed first). Host bits past the
 * length are ignored. -EINVAL for a bad length, -EAFNOSUPPORT for a family without a
 * table, -ENOENT when the next hop (or group, FIBC_RT_F_GROUP) does not exist, -ENOSPC
 * when the table is full.
 */
int dp_fib_route_add(struct dp_fib *fib, const struct fibc_route *r);
/* Writer side: the fib value of exactly this prefix (a next-hop id, or a group id with
 * DP_FIB_GROUP). -ENOENT if there is no such route; -EINVAL, -EAFNOSUPPORT as route_add. */
int dp_fib_route_get(struct dp_fib *fib, const struct fibc_route *r, uint64_t *value);
/* -ENOENT if the route is absent. */
int dp_fib_route_del(struct dp_fib *fib, const struct fibc_route *r);
/*
 * Resync: mark every entry stale (O(1)); sweep the routes, then the groups, then the next
 * hops not added again since. A stale group or next hop still used by a route added again
 * stays. Returns the number of entries removed.
 */
void dp_fib_mark_stale(struct dp_fib *fib);
unsigned dp_fib_sweep_stale(struct dp_fib *fib);
/*
 * Frees what was unlinked once every registered reader has reported a quiescent state
 * since (call from the main loop). Returns the number of objects freed.
 */
unsigned dp_fib_reclaim(struct dp_fib *fib);
/* Objects unlinked and waiting for their grace period. */
unsigned dp_fib_reclaim_pending(const struct dp_fib *fib);

/* Calls fn for each route of the family (RH_AF_INET/RH_AF_INET6); stops when fn returns
 * non-zero and returns that value. Writer side only (main lcore). */
typedef int (*dp_fib_route_fn)(const struct fibc_route *r, bool stale, void *arg);
int dp_fib_route_walk(const struct dp_fib *fib, uint8_t family, dp_fib_route_fn fn, void *arg);

/* Readers (workers). ips in host byte order, as rte_fib takes them. */
void dp_fib_lookup4_bulk(struct dp_fib *fib, const uint32_t *ips, uint64_t *values, unsigned n);
void dp_fib_lookup6_bulk(struct dp_fib *fib, uint8_t (*ips)[16], uint64_t *values, unsigned n);
/*
 * The next hop of a fib value; for a group, the member in bucket hash % DP_NHG_BUCKETS.
 * NULL for none. The pointer stays valid until the caller's next quiescent state.
 */
const struct dp_nh *dp_fib_nh(const struct dp_fib *fib, uint64_t value, uint32_t hash);

/*
 * The workers' way, without a decode nor a call in the common case: dp_fib_lookup*_raw()
 * return the values as the tables store them ("raw": a next-hop id as is, a group id with
 * the view's gbit instead of DP_FIB_GROUP; DP_FIB_NONE is 0 in both), which
 * dp_fib_raw_nh() turns into the next hop. The view sits at the start of struct dp_fib and
 * is fixed for the FIB's life.
 */
struct dp_fib_view {
	uint64_t gbit;      /* the group flag in raw values */
	struct dp_nh **nhs; /* [max_next_hops + 1], index 0 NULL; readers READ_PTR() them */
	/* The IPv4 table's first level (rte_fib's tbl24) where its place is known (fib.c,
	 * fib4_find_tbl24()), else NULL; fixed. */
	const uint8_t *tbl24;
	unsigned tbl24_shift; /* log2 of an entry's size */
	/* tbl24 for dp_fib_prefetch4(); NULL while the table is small (its entries stay
	 * cached). Changes at runtime: readers load it relaxed. */
	const uint8_t *prefetch24;
};

/* IPv4 routes from which the workers prefetch the lookup's first-level entries. */
#define DP_FIB_PREFETCH_ROUTES 65536

/* Starts fetching the first-level entry of destination ip (host order) into the cache, so
 * that the bulk lookup that follows finds it there. Nothing else changes. */
static inline void dp_fib_prefetch4(const uint8_t *tbl24, unsigned shift, uint32_t ip)
{
	__builtin_prefetch(tbl24 + ((size_t)(ip >> 8) << shift), 0, 3);
}

static inline const struct dp_fib_view *dp_fib_view(const struct dp_fib *fib)
{
	return (const struct dp_fib_view *)(const void *)fib;
}

void dp_fib_lookup4_raw(struct dp_fib *fib, const uint32_t *ips, uint64_t *raw, unsigned n);
void dp_fib_lookup6_raw(struct dp_fib *fib, uint8_t (*ips)[16], uint64_t *raw, unsigned n);
/*
 * dp_fib_lookup4_raw() read from the first-level table itself when its place is known
 * and its entries take 2 or 4 bytes (an entry: the value shifted left by one, bit 0 set
 * when the prefix continues in a second-level table): no call for the common entry, as
 * rte_fib reads it; rte_fib looks up the rest.
 */
static inline void dp_fib_lookup4_fast(struct dp_fib *fib, const uint32_t *ips, uint64_t *raw,
                                       unsigned n)
{
	const struct dp_fib_view *v = dp_fib_view(fib);
	const uint8_t *t = v->tbl24;
	unsigned i;

	if (likely(t != NULL && v->tbl24_shift == 1)) {
		for (i = 0; i < n; i++) {
			uint16_t e;

			memcpy(&e, t + ((size_t)(ips[i] >> 8) << 1), 2);
			raw[i] = e >> 1;
			if (unlikely(e & 1))
				dp_fib_lookup4_raw(fib, &ips[i], &raw[i], 1);
		}
	} else if (t != NULL && v->tbl24_shift == 2) {
		for (i = 0; i < n; i++) {
			uint32_t e;

			memcpy(&e, t + ((size_t)(ips[i] >> 8) << 2), 4);
			raw[i] = e >> 1;
			if (unlikely(e & 1))
				dp_fib_lookup4_raw(fib, &ips[i], &raw[i], 1);
		}
	} else {
		dp_fib_lookup4_raw(fib, ips, raw, n);
	}
}

/* True when dp_fib_lookup4_same4() may be used: the first level read directly, 2-byte
 * entries. */
static inline bool dp_fib_view_same4_ok(const struct dp_fib_view *v)
{
	return v->tbl24 != NULL && v->tbl24_shift == 1;
}

/*
 * Four destinations (host order): true when all four have the same first-level entry and
 * it is not extended, its raw value in *raw; false says nothing (the caller looks them
 * up).
 */
static inline bool dp_fib_lookup4_same4(const struct dp_fib_view *v, const uint32_t *ips,
                                        uint64_t *raw)
{
	const uint16_t *t = (const uint16_t *)(const void *)v->tbl24;
	uint32_t e0 = t[ips[0] >> 8], e1 = t[ips[1] >> 8], e2 = t[ips[2] >> 8], e3 = t[ips[3] >> 8];

	if (((e0 ^ e1) | (e0 ^ e2) | (e0 ^ e3) | (e0 & 1)) != 0)
		return false;
	*raw = e0 >> 1;
	return true;
}

/* The member of group `id` in bucket hash % DP_NHG_BUCKETS; NULL when the group is gone. */
const struct dp_nh *dp_fib_group_nh(const struct dp_fib *fib, uint32_t id, uint32_t hash);

static inline bool dp_fib_raw_is_group(const struct dp_fib *fib, uint64_t raw)
{
	return (raw & dp_fib_view(fib)->gbit) != 0;
}

/* dp_fib_nh() of a raw value. */
static inline const struct dp_nh *dp_fib_raw_nh(const struct dp_fib *fib, uint64_t raw,
                                                uint32_t hash)
{
	const struct dp_fib_view *v = dp_fib_view(fib);

	if (unlikely(raw & v->gbit))
		return dp_fib_group_nh(fib, (uint32_t)(raw & (v->gbit - 1)), hash);
	/* A raw next-hop value is its id, below max_next_hops + 1 (the tables hold only
	 * ids that were valid when added); DP_FIB_NONE reads index 0: NULL. */
	return __atomic_load_n(&v->nhs[raw], __ATOMIC_ACQUIRE);
}

/* dp_fib_nh() for a burst: nhs[i] for values[i] and hashes[i]. */
void dp_fib_nh_bulk(const struct dp_fib *fib, const uint64_t *values, const uint32_t *hashes,
                    const struct dp_nh **nhs, unsigned n);

struct dp_fib_stats {
	uint32_t routes_v4, routes_v6, next_hops, groups;
	uint64_t generation;
};
void dp_fib_stats(const struct dp_fib *fib, struct dp_fib_stats *st);

#endif
