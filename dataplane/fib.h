/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane FIB: IPv4 rte_fib (DIR-24-8), IPv6 rte_fib6 (trie), a next-hop table and
 * ECMP groups, all programmed from the FIB channel (include/routehub/fib_channel.h).
 *
 * Writers (the main lcore) and readers (the workers) share the tables through RCU QSBR:
 * a worker reports quiescence every few loop iterations (dp_fib_quiescent()), and a
 * writer frees or reuses an entry only after every worker has passed a quiescent state
 * since it was unlinked. A lookup never sees a half-written entry: next hops and groups
 * are published by a single pointer store.
 *
 * The value a route holds in rte_fib is a 64-bit "fib value": a next-hop id, or a group
 * id with DP_FIB_GROUP set. Value 0 (DP_FIB_NONE) is the default: no route.
 */
#ifndef ROUTEHUB_DP_FIB_H
#define ROUTEHUB_DP_FIB_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>

#include "routehub/fib_channel.h"

#define DP_FIB_NONE  0ull
#define DP_FIB_GROUP (1ull << 32)

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
	uint32_t v4_max_routes;
	uint32_t v6_max_routes;
	uint32_t max_next_hops;
	uint32_t max_groups;
	unsigned n_workers; /* readers registered with the QSBR variable */
	int socket_id;
};

struct dp_fib;

/* Creates the tables; NULL and errno (rte_errno) on failure. Needs an initialised EAL. */
struct dp_fib *dp_fib_create(const struct dp_fib_conf *conf);
void dp_fib_destroy(struct dp_fib *fib);

/* Registers worker `id` (0..n_workers-1) as a reader; the worker calls it once. */
void dp_fib_reader_register(struct dp_fib *fib, unsigned id);
/* Reports a quiescent state of worker `id` (cheap: a store). */
void dp_fib_quiescent(struct dp_fib *fib, unsigned id);

/* Writers (main lcore only). Each returns 0 or a negative errno. */
int dp_fib_nh_add(struct dp_fib *fib, const struct fibc_nh *nh); /* adds or replaces */
int dp_fib_nh_del(struct dp_fib *fib, uint32_t id);              /* -EBUSY while a route uses it */
/* Sets the neighbour's MAC of every next hop with this address on this port. */
int dp_fib_nh_resolve(struct dp_fib *fib, uint16_t port, const uint8_t addr[16], uint8_t family,
                      const struct rte_ether_addr *mac, const struct rte_ether_addr *src_mac);
int dp_fib_group_add(struct dp_fib *fib, uint32_t id, const uint32_t *members, unsigned n);
int dp_fib_group_del(struct dp_fib *fib, uint32_t id);
int dp_fib_route_add(struct dp_fib *fib, const struct fibc_route *r); /* adds or replaces */
int dp_fib_route_del(struct dp_fib *fib, const struct fibc_route *r);
/* Resync: mark every entry stale; sweep the entries not added again since. */
void dp_fib_mark_stale(struct dp_fib *fib);
unsigned dp_fib_sweep_stale(struct dp_fib *fib);
/* Frees what was unlinked once the readers have moved on (call from the main loop). */
void dp_fib_reclaim(struct dp_fib *fib);

/* Readers (workers). ips in host byte order, as rte_fib takes them. */
void dp_fib_lookup4_bulk(struct dp_fib *fib, const uint32_t *ips, uint64_t *values, unsigned n);
void dp_fib_lookup6_bulk(struct dp_fib *fib, uint8_t (*ips)[16], uint64_t *values, unsigned n);
/* The next hop of a fib value; for a group, the member chosen by hash. NULL for none. */
const struct dp_nh *dp_fib_nh(const struct dp_fib *fib, uint64_t value, uint32_t hash);

struct dp_fib_stats {
	uint32_t routes_v4, routes_v6, next_hops, groups;
	uint64_t generation;
};
void dp_fib_stats(const struct dp_fib *fib, struct dp_fib_stats *st);

#endif
