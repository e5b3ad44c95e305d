/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane FIB (see fib.h for the model).
 *
 * Reader-visible state: the two rte_fib tables, and the arrays of pointers to immutable
 * next hops and groups. Everything else (reference counts, sync epochs, the route shadow,
 * the grace-period list) is the writer's alone and never read by a worker.
 *
 * rte_fib in DPDK 22.11 takes no RCU configuration: it stores a route's value with plain
 * 8-byte stores, so a reader sees the old or the new value of an entry, never a torn one.
 * What a value names (a next hop, a group) must therefore outlive every reader that may
 * still hold the value: objects are unlinked by a pointer store and freed only after a
 * QSBR grace period, and a next hop or group cannot be unlinked while a route names it.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_fib.h>
#include <rte_fib6.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>
#include <rte_rib.h>
#include <rte_rib6.h>

#include "fib.h"
#include "routehub/prefix.h"

_Static_assert((DP_NHG_BUCKETS & (DP_NHG_BUCKETS - 1)) == 0, "buckets: a power of two");
_Static_assert(DP_NHG_BUCKETS >= FIBC_NHG_MAX_MEMBERS, "every member needs a bucket");

/* An object waiting for its grace period before it is freed. */
struct gc_link {
	struct gc_link *next;
	void *obj;
	size_t poison_len; /* the reader-visible bytes at obj */
	uint64_t token;    /* rte_rcu_qsbr_start() when it was unlinked */
};

/* Written over what readers could see before an object is freed: a reader that broke
 * the QSBR rules reads ids and states that exist nowhere (the tests look for them),
 * rather than plausible stale data. A few hundred bytes per freed object. */
#define DP_FIB_POISON 0x5a

struct nh_obj {
	struct dp_nh nh; /* first: readers get &obj->nh */
	struct gc_link gc;
};

struct dp_nhg {
	uint32_t id;
	uint16_t n_members;
	uint32_t members[FIBC_NHG_MAX_MEMBERS];
	uint32_t buckets[DP_NHG_BUCKETS]; /* next-hop ids */
	struct gc_link gc;
};

/* Writer-only bookkeeping of a next hop or group. */
struct obj_meta {
	uint32_t refcnt; /* routes (and, for next hops, group buckets' owners) naming it */
	uint32_t epoch;  /* sync epoch of its last add */
};

/* Route shadow keys: the prefix, host bits cleared, padding zeroed (hashed as bytes). */
struct rt_key4 {
	uint32_t addr; /* host order, as rte_fib takes it */
	uint8_t len;
	uint8_t pad[3];
};

struct rt_key6 {
	uint8_t addr[16];
	uint8_t len;
	uint8_t pad[3];
};

union rt_key {
	struct rt_key4 k4;
	struct rt_key6 k6;
};

struct rt_slot {
	uint64_t value; /* DP_FIB_NONE: slot unused (no route ever has value 0) */
	uint32_t epoch;
};

struct rt_table {
	struct rte_hash *h;
	struct rt_slot *slots; /* indexed by the key's position in h */
	uint32_t n_slots;
	uint32_t count;
	uint32_t max;
};

struct dp_fib {
	struct dp_fib_view view; /* first: dp_fib_view() casts the pointer */
	struct dp_fib_conf conf;
	struct rte_fib *v4;
	struct rte_fib6 *v6;
	struct rte_fib6 *v6_old;  /* replaced by fib6_rebuild(), freed after a grace period */
	uint64_t v6_old_token;    /* rte_rcu_qsbr_start() when it was replaced */
	uint32_t v6_dels;         /* deletes of prefixes longer than /24 since it was built */
	uint32_t v6_rebuild_dels; /* v6_dels that allow a rebuild: 1/256 of its tbl8s, + 1 */
	unsigned v6_builds;       /* makes each table's name unique */
	struct dp_nhg **groups;   /* [max_groups + 1] */
	struct obj_meta *nh_meta; /* writer only, same indexes */
	struct obj_meta *group_meta;
	struct rt_table rt4, rt6;
	struct rte_rcu_qsbr *qsbr;
	struct gc_link *gc_head, **gc_tail;
	unsigned gc_pending;
	uint64_t generation;
	uint32_t epoch;
	uint32_t n_nhs, n_groups;
	unsigned serial; /* makes the rte object names unique in the process */
	unsigned gshift; /* DP_FIB_GROUP == view.gbit << gshift */
};

static unsigned fib_serial;

/* Reader-visible pointer publication: release so that a reader sees the object's fields. */
#define PUBLISH(slot, p) __atomic_store_n(&(slot), (p), __ATOMIC_RELEASE)
#define READ_PTR(slot)   __atomic_load_n(&(slot), __ATOMIC_ACQUIRE)

static void gc_defer(struct dp_fib *fib, struct gc_link *l, void *obj, size_t poison_len)
{
	/* The token is taken after the unlinking store: a reader that reports quiescence
	 * after it can no longer reach obj. */
	l->obj = obj;
	l->poison_len = poison_len;
	l->next = NULL;
	l->token = rte_rcu_qsbr_start(fib->qsbr);
	*fib->gc_tail = l;
	fib->gc_tail = &l->next;
	fib->gc_pending++;
}

unsigned dp_fib_reclaim(struct dp_fib *fib)
{
	unsigned freed = 0;

	if (fib->v6_old != NULL && rte_rcu_qsbr_check(fib->qsbr, fib->v6_old_token, false)) {
		rte_fib6_free(fib->v6_old);
		fib->v6_old = NULL;
		freed++;
	}

	/* Tokens grow along the list, so the first one not yet safe ends the walk. */
	while (fib->gc_head != NULL && rte_rcu_qsbr_check(fib->qsbr, fib->gc_head->token, false)) {
		struct gc_link *l = fib->gc_head;

		fib->gc_head = l->next;
		if (fib->gc_head == NULL)
			fib->gc_tail = &fib->gc_head;
		memset(l->obj, DP_FIB_POISON, l->poison_len);
		rte_free(l->obj);
		fib->gc_pending--;
		freed++;
	}
	return freed;
}

unsigned dp_fib_reclaim_pending(const struct dp_fib *fib)
{
	return fib->gc_pending;
}

static int rt_table_init(struct rt_table *t, const char *name, uint32_t max, uint32_t key_len,
                         int socket)
{
	/* Cuckoo hashing fills poorly near 100%: give the table an eighth of headroom so
	 * that `max` routes always fit; the count enforces the limit. */
	struct rte_hash_parameters hp = {
	        .name = name,
	        .entries = max + max / 8 + 16,
	        .key_len = key_len,
	        .hash_func = rte_hash_crc,
	        .socket_id = socket,
	};

	t->max = max;
	t->h = rte_hash_create(&hp);
	if (t->h == NULL)
		return -rte_errno;
	t->n_slots = hp.entries;
	t->slots = rte_zmalloc_socket(name, sizeof(*t->slots) * t->n_slots, 0, socket);
	if (t->slots == NULL)
		return -ENOMEM;
	return 0;
}

static void rt_table_free(struct rt_table *t)
{
	rte_hash_free(t->h);
	rte_free(t->slots);
}

/*
 * rte_fib stores values of 2, 4 or 8 bytes, one bit of which it keeps for itself. The
 * smaller the entries, the smaller the tables a lookup walks through at random: with
 * 4-byte entries the IPv4 tbl24 takes 64 MB (as rte_lpm's, which l3fwd uses) instead of
 * 128 MB, with 2-byte entries 32 MB, which a 32 MB L3 cache mostly holds. So the tables
 * store a compact value, the group flag at bit 14 or 30 when every id fits below it, and
 * the readers get the API's value (DP_FIB_GROUP) back from dp_fib_lookup*_bulk().
 */
static uint64_t value_gbit(const struct dp_fib_conf *c)
{
	uint32_t ids = RTE_MAX(c->max_next_hops, c->max_groups);

	if (ids < (1u << 14))
		return 1ull << 14;
	if (ids < (1u << 30))
		return 1ull << 30;
	return DP_FIB_GROUP;
}

static uint64_t value_encode(const struct dp_fib *fib, uint64_t value)
{
	return (value & DP_FIB_GROUP) ? fib->view.gbit | (uint32_t)value : value;
}

/* The smallest entry (0: 2 bytes, 1: 4, 2: 8) that holds every value and n8 tbl8 groups,
 * whose index an entry holds too. */
static unsigned value_size(const struct dp_fib *fib, uint32_t n8)
{
	uint64_t need = RTE_MAX(fib->view.gbit * 2 - 1, (uint64_t)n8);

	return need <= INT16_MAX ? 0 : need <= INT32_MAX ? 1 : 2;
}

static struct rte_fib6 *fib6_create(struct dp_fib *fib)
{
	const struct dp_fib_conf *c = &fib->conf;
	uint32_t n8 = c->v6_num_tbl8 ? c->v6_num_tbl8 : RTE_MAX(c->v6_max_routes, 256u);
	struct rte_fib6_conf fc = {
	        .type = RTE_FIB6_TRIE,
	        .default_nh = DP_FIB_NONE,
	        .max_routes = (int)c->v6_max_routes,
	        .trie = {.nh_sz = RTE_FIB6_TRIE_2B + value_size(fib, n8), .num_tbl8 = n8},
	};
	struct rte_fib6 *v6;
	char name[32];

	snprintf(name, sizeof(name), "rhfib%u_6_%u", fib->serial, fib->v6_builds++);
	fib->v6_dels = 0;
	fib->v6_rebuild_dels = n8 / 256 + 1;
	v6 = rte_fib6_create(name, c->socket_id, &fc);
	if (v6 != NULL && rte_fib6_select_lookup(v6, RTE_FIB6_LOOKUP_TRIE_VECTOR_AVX512) != 0)
		rte_fib6_select_lookup(v6, RTE_FIB6_LOOKUP_TRIE_SCALAR);
	return v6;
}

/*
 * Where rte_fib keeps the IPv4 first-level table (tbl24), for the workers' prefetch
 * (dp_fib_prefetch4()) and lookups (dp_fib_lookup4_fast()). DPDK 22.11 does not publish its
 * DIR-24-8 layout: a small header (tbl8 counters, entry size, default value, two pointers), then
 * tbl24 on a cache line boundary. It is looked for with a probe route whose entry must appear where
 * the layout puts it, with the entry format the lookups assume; not found, the workers neither
 * prefetch nor read the table themselves (rte_fib looks up everything).
 */
static uint64_t fib4_entry(const uint8_t *tbl24, unsigned shift, uint32_t ip)
{
	uint64_t v = 0;

	memcpy(&v, tbl24 + ((size_t)(ip >> 8) << shift), (size_t)1 << shift); /* x86: LE */
	return v;
}

static void fib4_find_tbl24(struct dp_fib *fib, unsigned shift)
{
	const uint32_t probe = 0xc6120000u; /* 198.18.0.0/24, never a route at creation */
	const uint8_t *dp = rte_fib_get_dp(fib->v4), *t = NULL;
	uint32_t ip = probe;
	uint64_t got = 0;
	size_t off;

	fib->view.tbl24_shift = shift;
	if (dp == NULL || rte_fib_add(fib->v4, probe, 24, 5) != 0)
		return;
	/* Next hop 5, not extended: 5 << 1. */
	for (off = RTE_CACHE_LINE_SIZE; t == NULL && off <= 4 * RTE_CACHE_LINE_SIZE;
	     off += RTE_CACHE_LINE_SIZE)
		if (fib4_entry(dp + off, shift, probe) == 5u << 1)
			t = dp + off;
	/* A longer prefix inside it makes the entry extended (bit 0), which the lookups
	 * leave to rte_fib; rte_fib finds 6 for it. */
	if (t != NULL && rte_fib_add(fib->v4, probe, 25, 6) == 0) {
		rte_fib_lookup_bulk(fib->v4, &ip, &got, 1);
		if ((fib4_entry(t, shift, probe) & 1) == 1 && got == 6)
			fib->view.tbl24 = t;
		rte_fib_delete(fib->v4, probe, 25);
	}
	rte_fib_delete(fib->v4, probe, 24);
}

/* The workers prefetch from a large table only. */
static void fib4_prefetch_update(struct dp_fib *fib)
{
	const uint8_t *t = fib->rt4.count >= DP_FIB_PREFETCH_ROUTES ? fib->view.tbl24 : NULL;

	if (fib->view.prefetch24 != t)
		__atomic_store_n(&fib->view.prefetch24, t, __ATOMIC_RELAXED);
}

static int fib_tables_create(struct dp_fib *fib)
{
	const struct dp_fib_conf *c = &fib->conf;
	char name[32]; /* RTE_HASH_NAMESIZE; rte_fib copies names into its own */
	int ret;

	if (c->v4_max_routes > 0) {
		/* Derived: max_routes / 32, but no more than 2-byte entries can name when the
		 * ids fit them (value_size()). */
		uint32_t n8 = c->v4_num_tbl8 ? c->v4_num_tbl8
		                             : RTE_MAX(fib->view.gbit * 2 - 1 <= INT16_MAX
		                                               ? RTE_MIN(c->v4_max_routes / 32,
		                                                         (uint32_t)INT16_MAX)
		                                               : c->v4_max_routes / 32,
		                                       256u);
		struct rte_fib_conf fc = {
		        .type = RTE_FIB_DIR24_8,
		        .default_nh = DP_FIB_NONE,
		        .max_routes = (int)c->v4_max_routes,
		        .dir24_8 = {.nh_sz = RTE_FIB_DIR24_8_2B + value_size(fib, n8),
		                    .num_tbl8 = n8},
		};

		snprintf(name, sizeof(name), "rhfib%u_4", fib->serial);
		fib->v4 = rte_fib_create(name, c->socket_id, &fc);
		if (fib->v4 == NULL)
			return -rte_errno;
		/* The AVX-512 bulk lookup when the CPU has it and EAL allows 512-bit vectors
		 * (--force-max-simd-bitwidth=512); else it refuses and the scalar one stays. */
		if (rte_fib_select_lookup(fib->v4, RTE_FIB_LOOKUP_DIR24_8_VECTOR_AVX512) != 0)
			rte_fib_select_lookup(fib->v4, RTE_FIB_LOOKUP_DIR24_8_SCALAR_MACRO);
		/* nh_sz's enum counts from 1-byte entries: it is the entry size's log2. */
		if (RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN)
			fib4_find_tbl24(fib, (unsigned)fc.dir24_8.nh_sz);
		snprintf(name, sizeof(name), "rhrt%u_4", fib->serial);
		ret = rt_table_init(&fib->rt4, name, c->v4_max_routes, sizeof(struct rt_key4),
		                    c->socket_id);
		if (ret < 0)
			return ret;
	}
	if (c->v6_max_routes > 0) {
		fib->v6 = fib6_create(fib);
		if (fib->v6 == NULL)
			return -rte_errno;
		if (rte_fib6_select_lookup(fib->v6, RTE_FIB6_LOOKUP_TRIE_VECTOR_AVX512) != 0)
			rte_fib6_select_lookup(fib->v6, RTE_FIB6_LOOKUP_TRIE_SCALAR);
		snprintf(name, sizeof(name), "rhrt%u_6", fib->serial);
		ret = rt_table_init(&fib->rt6, name, c->v6_max_routes, sizeof(struct rt_key6),
		                    c->socket_id);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int fib_create_objects(struct dp_fib *fib)
{
	const struct dp_fib_conf *c = &fib->conf;
	unsigned readers = c->n_workers ? c->n_workers : 1;
	size_t sz;
	int ret;

	ret = fib_tables_create(fib);
	if (ret < 0)
		return ret;
	fib->view.nhs = rte_zmalloc_socket(
	        "rh_nhs", sizeof(*fib->view.nhs) * (c->max_next_hops + 1), 0, c->socket_id);
	fib->groups = rte_zmalloc_socket("rh_nhgs", sizeof(*fib->groups) * (c->max_groups + 1), 0,
	                                 c->socket_id);
	fib->nh_meta =
	        rte_zmalloc("rh_nh_meta", sizeof(struct obj_meta) * (c->max_next_hops + 1), 0);
	fib->group_meta =
	        rte_zmalloc("rh_nhg_meta", sizeof(struct obj_meta) * (c->max_groups + 1), 0);
	sz = rte_rcu_qsbr_get_memsize(readers);
	fib->qsbr = rte_zmalloc_socket("rh_qsbr", sz, RTE_CACHE_LINE_SIZE, c->socket_id);
	if (fib->view.nhs == NULL || fib->groups == NULL || fib->nh_meta == NULL ||
	    fib->group_meta == NULL || fib->qsbr == NULL)
		return -ENOMEM;
	return rte_rcu_qsbr_init(fib->qsbr, readers);
}

struct dp_fib *dp_fib_create(const struct dp_fib_conf *conf)
{
	struct dp_fib *fib;
	int ret;

	if (conf->max_next_hops == 0 || conf->max_groups == 0 || conf->v4_max_routes > INT32_MAX ||
	    conf->v6_max_routes > INT32_MAX) {
		errno = EINVAL;
		return NULL;
	}
	fib = rte_zmalloc("rh_fib", sizeof(*fib), RTE_CACHE_LINE_SIZE);
	if (fib == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	fib->conf = *conf;
	fib->view.gbit = value_gbit(conf);
	fib->gshift = (unsigned)(__builtin_ctzll(DP_FIB_GROUP) - __builtin_ctzll(fib->view.gbit));
	fib->serial = __atomic_fetch_add(&fib_serial, 1, __ATOMIC_RELAXED);
	fib->gc_tail = &fib->gc_head;
	ret = fib_create_objects(fib);
	if (ret < 0) {
		dp_fib_destroy(fib);
		errno = -ret;
		return NULL;
	}
	return fib;
}

void dp_fib_destroy(struct dp_fib *fib)
{
	if (fib == NULL)
		return;
	/* No reader may run any more: free without waiting for grace periods. */
	while (fib->gc_head != NULL) {
		struct gc_link *l = fib->gc_head;

		fib->gc_head = l->next;
		rte_free(l->obj);
	}
	for (uint32_t i = 0; fib->view.nhs != NULL && i <= fib->conf.max_next_hops; i++)
		rte_free(fib->view.nhs[i]);
	for (uint32_t i = 0; fib->groups != NULL && i <= fib->conf.max_groups; i++)
		rte_free(fib->groups[i]);
	rte_fib_free(fib->v4);
	rte_fib6_free(fib->v6);
	rte_fib6_free(fib->v6_old);
	rt_table_free(&fib->rt4);
	rt_table_free(&fib->rt6);
	rte_free(fib->view.nhs);
	rte_free(fib->groups);
	rte_free(fib->nh_meta);
	rte_free(fib->group_meta);
	rte_free(fib->qsbr);
	rte_free(fib);
}

int dp_fib_reader_register(struct dp_fib *fib, unsigned id)
{
	/* It returns 1 (not an errno) for its only failure, an id out of range. */
	if (rte_rcu_qsbr_thread_register(fib->qsbr, id) != 0)
		return -EINVAL;
	rte_rcu_qsbr_thread_online(fib->qsbr, id);
	return 0;
}

void dp_fib_reader_unregister(struct dp_fib *fib, unsigned id)
{
	rte_rcu_qsbr_thread_offline(fib->qsbr, id);
	rte_rcu_qsbr_thread_unregister(fib->qsbr, id);
}

void dp_fib_quiescent(struct dp_fib *fib, unsigned id)
{
	rte_rcu_qsbr_quiescent(fib->qsbr, id);
}

/* ---- next hops ---- */

static bool family_ok(uint8_t family)
{
	return family == RH_AF_INET || family == RH_AF_INET6;
}

static bool nh_same_target(const struct dp_nh *a, const struct dp_nh *b)
{
	return a->port == b->port && a->family == b->family &&
	       memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

int dp_fib_nh_add(struct dp_fib *fib, const struct fibc_nh *nh)
{
	struct dp_nh *old, next = {0};
	struct nh_obj *obj;

	if (nh->id == 0 || nh->id > fib->conf.max_next_hops)
		return -ERANGE;
	if (!family_ok(nh->family))
		return -EINVAL;
	next.id = nh->id;
	next.port = nh->port;
	next.family = nh->family;
	memcpy(next.addr, nh->addr, sizeof(next.addr));
	if (nh->flags & FIBC_NH_F_BLACKHOLE)
		next.state = DP_NH_BLACKHOLE;
	else if (nh->flags & FIBC_NH_F_LOCAL)
		next.state = DP_NH_LOCAL;
	else
		next.state = DP_NH_INCOMPLETE;

	old = fib->view.nhs[nh->id];
	/* A re-add of the same gateway keeps what ARP/ND found, so that a resync does not
	 * stop forwarding until the neighbour is resolved again. */
	if (old != NULL && next.state == DP_NH_INCOMPLETE && nh_same_target(old, &next) &&
	    old->state == DP_NH_RESOLVED) {
		next.state = DP_NH_RESOLVED;
		next.dst_mac = old->dst_mac;
		next.src_mac = old->src_mac;
	}
	fib->nh_meta[nh->id].epoch = fib->epoch;
	if (old != NULL && memcmp(old, &next, sizeof(next)) == 0)
		return 0; /* unchanged: no churn for the readers */

	obj = rte_zmalloc_socket("rh_nh", sizeof(*obj), 0, fib->conf.socket_id);
	if (obj == NULL)
		return -ENOMEM;
	obj->nh = next;
	PUBLISH(fib->view.nhs[nh->id], &obj->nh);
	if (old != NULL)
		gc_defer(fib, &((struct nh_obj *)old)->gc, old, sizeof(*old));
	else
		fib->n_nhs++;
	fib->generation++;
	return 0;
}

static void nh_unlink(struct dp_fib *fib, uint32_t id)
{
	struct dp_nh *old = fib->view.nhs[id];

	PUBLISH(fib->view.nhs[id], NULL);
	gc_defer(fib, &((struct nh_obj *)old)->gc, old, sizeof(*old));
	fib->n_nhs--;
	fib->generation++;
}

int dp_fib_nh_del(struct dp_fib *fib, uint32_t id)
{
	if (id == 0 || id > fib->conf.max_next_hops || fib->view.nhs[id] == NULL)
		return -ENOENT;
	if (fib->nh_meta[id].refcnt > 0)
		return -EBUSY;
	nh_unlink(fib, id);
	return 0;
}

int dp_fib_nh_resolve(struct dp_fib *fib, uint16_t port, const uint8_t addr[16], uint8_t family,
                      const struct rte_ether_addr *mac, const struct rte_ether_addr *src_mac)
{
	struct dp_nh key = {.port = port, .family = family};
	int found = 0;

	memcpy(key.addr, addr, sizeof(key.addr));
	for (uint32_t id = 1; id <= fib->conf.max_next_hops; id++) {
		struct dp_nh *old = fib->view.nhs[id];
		struct nh_obj *obj;

		if (old == NULL || !nh_same_target(old, &key) ||
		    (old->state != DP_NH_INCOMPLETE && old->state != DP_NH_RESOLVED))
			continue;
		found = 1;
		if (old->state == DP_NH_RESOLVED && rte_is_same_ether_addr(&old->dst_mac, mac) &&
		    rte_is_same_ether_addr(&old->src_mac, src_mac))
			continue;
		obj = rte_zmalloc_socket("rh_nh", sizeof(*obj), 0, fib->conf.socket_id);
		if (obj == NULL)
			return -ENOMEM;
		obj->nh = *old;
		obj->nh.state = DP_NH_RESOLVED;
		obj->nh.dst_mac = *mac;
		obj->nh.src_mac = *src_mac;
		PUBLISH(fib->view.nhs[id], &obj->nh);
		gc_defer(fib, &((struct nh_obj *)old)->gc, old, sizeof(*old));
		fib->generation++;
	}
	return found ? 0 : -ENOENT;
}

int dp_fib_nh_unresolve(struct dp_fib *fib, uint16_t port, const uint8_t addr[16], uint8_t family)
{
	struct dp_nh key = {.port = port, .family = family};
	int found = 0;

	memcpy(key.addr, addr, sizeof(key.addr));
	for (uint32_t id = 1; id <= fib->conf.max_next_hops; id++) {
		struct dp_nh *old = fib->view.nhs[id];
		struct nh_obj *obj;

		if (old == NULL || old->state != DP_NH_RESOLVED || !nh_same_target(old, &key))
			continue;
		found = 1;
		obj = rte_zmalloc_socket("rh_nh", sizeof(*obj), 0, fib->conf.socket_id);
		if (obj == NULL)
			return -ENOMEM;
		obj->nh = *old;
		obj->nh.state = DP_NH_INCOMPLETE;
		memset(&obj->nh.dst_mac, 0, sizeof(obj->nh.dst_mac));
		PUBLISH(fib->view.nhs[id], &obj->nh);
		gc_defer(fib, &((struct nh_obj *)old)->gc, old, sizeof(*old));
		fib->generation++;
	}
	return found ? 0 : -ENOENT;
}

/* ---- ECMP groups ---- */

/*
 * Fills g->buckets from the old group's buckets (or from nothing): each distinct member
 * gets a quota of buckets proportional to its weight (how often it is listed); an old
 * bucket stays with its member while that member is in the group and under quota, and
 * only the buckets left over are handed out again. The buckets that do not fit a quota
 * rounding go to the members that held the most before, so that a removal moves nothing
 * but the removed member's buckets.
 */
static void group_fill_buckets(struct dp_nhg *g, const struct dp_nhg *old)
{
	uint32_t ids[FIBC_NHG_MAX_MEMBERS], quota[FIBC_NHG_MAX_MEMBERS] = {0};
	uint32_t had[FIBC_NHG_MAX_MEMBERS] = {0}, used[FIBC_NHG_MAX_MEMBERS] = {0};
	bool extra[FIBC_NHG_MAX_MEMBERS] = {false};
	unsigned k = 0, given = 0, j;

	for (unsigned i = 0; i < g->n_members; i++) {
		for (j = 0; j < k && ids[j] != g->members[i]; j++)
			;
		if (j == k)
			ids[k++] = g->members[i];
		quota[j]++; /* the weight, for now */
	}
	for (j = 0; j < k; j++) {
		quota[j] = quota[j] * DP_NHG_BUCKETS / g->n_members;
		given += quota[j];
	}
	for (unsigned b = 0; old != NULL && b < DP_NHG_BUCKETS; b++)
		for (j = 0; j < k; j++)
			if (ids[j] == old->buckets[b])
				had[j]++;
	/* Fewer than k buckets remain: one more each for the members that held the most
	 * beyond their quota (ties: listed first). */
	for (; given < DP_NHG_BUCKETS; given++) {
		int best = -1;

		for (j = 0; j < k; j++)
			if (!extra[j] && (best < 0 || (int64_t)had[j] - quota[j] >
			                                      (int64_t)had[best] - quota[best]))
				best = (int)j;
		extra[best] = true;
		quota[best]++;
	}
	for (unsigned b = 0; b < DP_NHG_BUCKETS; b++) {
		g->buckets[b] = 0;
		for (j = 0; old != NULL && j < k; j++)
			if (ids[j] == old->buckets[b] && used[j] < quota[j]) {
				g->buckets[b] = ids[j];
				used[j]++;
				break;
			}
	}
	j = 0;
	for (unsigned b = 0; b < DP_NHG_BUCKETS; b++) {
		if (g->buckets[b] != 0)
			continue;
		while (used[j] >= quota[j])
			j++;
		g->buckets[b] = ids[j];
		used[j]++;
	}
}

static void group_unref_members(struct dp_fib *fib, const struct dp_nhg *g)
{
	for (unsigned i = 0; i < g->n_members; i++)
		fib->nh_meta[g->members[i]].refcnt--;
}

int dp_fib_group_add(struct dp_fib *fib, uint32_t id, const uint32_t *members, unsigned n)
{
	struct dp_nhg *g, *old;

	if (id == 0 || id > fib->conf.max_groups)
		return -ERANGE;
	if (n == 0 || n > FIBC_NHG_MAX_MEMBERS)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++)
		if (members[i] == 0 || members[i] > fib->conf.max_next_hops ||
		    fib->view.nhs[members[i]] == NULL)
			return -ENOENT;
	old = fib->groups[id];
	fib->group_meta[id].epoch = fib->epoch;
	if (old != NULL && old->n_members == n &&
	    memcmp(old->members, members, n * sizeof(*members)) == 0)
		return 0;
	g = rte_zmalloc_socket("rh_nhg", sizeof(*g), RTE_CACHE_LINE_SIZE, fib->conf.socket_id);
	if (g == NULL)
		return -ENOMEM;
	g->id = id;
	g->n_members = n;
	memcpy(g->members, members, n * sizeof(*members));
	group_fill_buckets(g, old);
	for (unsigned i = 0; i < n; i++)
		fib->nh_meta[members[i]].refcnt++;
	PUBLISH(fib->groups[id], g);
	if (old != NULL) {
		group_unref_members(fib, old);
		gc_defer(fib, &old->gc, old, offsetof(struct dp_nhg, gc));
	} else {
		fib->n_groups++;
	}
	fib->generation++;
	return 0;
}

static void group_unlink(struct dp_fib *fib, uint32_t id)
{
	struct dp_nhg *old = fib->groups[id];

	PUBLISH(fib->groups[id], NULL);
	group_unref_members(fib, old);
	gc_defer(fib, &old->gc, old, offsetof(struct dp_nhg, gc));
	fib->n_groups--;
	fib->generation++;
}

int dp_fib_group_members(const struct dp_fib *fib, uint32_t id, uint32_t *members, unsigned max)
{
	const struct dp_nhg *g;
	unsigned n;

	if (id == 0 || id > fib->conf.max_groups || fib->groups[id] == NULL)
		return -ENOENT;
	g = fib->groups[id];
	n = RTE_MIN((unsigned)g->n_members, max);
	memcpy(members, g->members, n * sizeof(*members));
	return (int)n;
}

int dp_fib_group_del(struct dp_fib *fib, uint32_t id)
{
	if (id == 0 || id > fib->conf.max_groups || fib->groups[id] == NULL)
		return -ENOENT;
	if (fib->group_meta[id].refcnt > 0)
		return -EBUSY;
	group_unlink(fib, id);
	return 0;
}

/* ---- routes ---- */

static struct obj_meta *value_meta(struct dp_fib *fib, uint64_t value)
{
	if (value & DP_FIB_GROUP)
		return &fib->group_meta[(uint32_t)value];
	return &fib->nh_meta[(uint32_t)value];
}

/* The fib value of a route's target, or 0 when the target does not exist. */
static uint64_t route_value(const struct dp_fib *fib, const struct fibc_route *r)
{
	if (r->flags & FIBC_RT_F_GROUP) {
		if (r->nh_id == 0 || r->nh_id > fib->conf.max_groups ||
		    fib->groups[r->nh_id] == NULL)
			return DP_FIB_NONE;
		return DP_FIB_GROUP | r->nh_id;
	}
	if (r->nh_id == 0 || r->nh_id > fib->conf.max_next_hops || fib->view.nhs[r->nh_id] == NULL)
		return DP_FIB_NONE;
	return r->nh_id;
}

/* Builds the shadow key (host bits cleared) and picks the family's table. */
static struct rt_table *route_key(struct dp_fib *fib, const struct fibc_route *r, union rt_key *k)
{
	memset(k, 0, sizeof(*k));
	if (r->family == RH_AF_INET) {
		uint32_t a;

		if (r->len > 32)
			return NULL;
		memcpy(&a, r->addr, 4);
		a = rte_be_to_cpu_32(a);
		k->k4.addr = r->len == 0 ? 0 : a & (UINT32_MAX << (32 - r->len));
		k->k4.len = r->len;
		return fib->v4 != NULL ? &fib->rt4 : NULL;
	}
	if (r->family == RH_AF_INET6) {
		if (r->len > 128)
			return NULL;
		for (unsigned i = 0; i < 16; i++) {
			unsigned bits = r->len > i * 8 ? r->len - i * 8 : 0;

			k->k6.addr[i] =
			        bits >= 8 ? r->addr[i] : r->addr[i] & (uint8_t)(0xff00 >> bits);
		}
		k->k6.len = r->len;
		return fib->v6 != NULL ? &fib->rt6 : NULL;
	}
	return NULL;
}

static int route_bad(const struct dp_fib *fib, const struct fibc_route *r)
{
	if (r->family == RH_AF_INET)
		return r->len > 32 ? -EINVAL : fib->v4 == NULL ? -EAFNOSUPPORT : 0;
	if (r->family == RH_AF_INET6)
		return r->len > 128 ? -EINVAL : fib->v6 == NULL ? -EAFNOSUPPORT : 0;
	return -EAFNOSUPPORT;
}

/*
 * DPDK 22.11's rte_fib (DIR-24-8) and rte_fib6 (trie) reserve the second-level tables
 * (tbl8) that a prefix longer than /24 may need when it is added, so that no later change
 * runs out of them half-way; but an add whose parent in their RIB (the longest shorter
 * route that holds it) has the same value only goes into the RIB: the tables do not
 * change, and nothing is reserved. DIR-24-8 gives a reservation back all the same when
 * the last prefix longer than /24 of a /24 goes: with such a route added and deleted, the
 * count of reserved tbl8s drops below what the routes hold, wraps below zero (it is
 * unsigned), and from then on every add of a prefix longer than /24 fails with -ENOSPC
 * on an empty table (found by tests/fuzz/fuzz_fib_channel: a resync's room check; see
 * test_fib's test_v4_same_value_room). Until then, a change of the parent could need a
 * tbl8 that nobody reserved. So the add is made to take the path that reserves: the
 * parent's value in the RIB (read by the writer alone; readers only read the tables) is
 * changed for the duration of the add, which then writes the route's value over its
 * range, where lookups already find that same value (the parent's): no reader sees a
 * change, and the reservation is taken as for any other value.
 */
static struct rte_rib_node *rib4_parent(struct rte_fib *v4, uint32_t addr, uint8_t len)
{
	struct rte_rib_node *n = rte_rib_lookup(rte_fib_get_rib(v4), addr);
	uint8_t depth;

	/* The longest route holding addr may be inside the prefix: walk up out of it. */
	while (n != NULL && rte_rib_get_depth(n, &depth) == 0 && depth >= len)
		n = rte_rib_lookup_parent(n);
	return n;
}

static int fib4_add(struct rte_fib *v4, uint32_t addr, uint8_t len, uint64_t v)
{
	struct rte_rib_node *parent = len > 24 ? rib4_parent(v4, addr, len) : NULL;
	uint64_t pv;
	int ret;

	if (parent == NULL || rte_rib_get_nh(parent, &pv) != 0 || pv != v)
		return rte_fib_add(v4, addr, len, v);
	rte_rib_set_nh(parent, v ^ 1);
	ret = rte_fib_add(v4, addr, len, v);
	rte_rib_set_nh(parent, pv);
	return ret;
}

static struct rte_rib6_node *rib6_parent(struct rte_fib6 *v6, const uint8_t *addr, uint8_t len)
{
	struct rte_rib6_node *n = rte_rib6_lookup(rte_fib6_get_rib(v6), addr);
	uint8_t depth;

	while (n != NULL && rte_rib6_get_depth(n, &depth) == 0 && depth >= len)
		n = rte_rib6_lookup_parent(n);
	return n;
}

static int fib6_add(struct rte_fib6 *v6, const uint8_t *addr, uint8_t len, uint64_t v)
{
	struct rte_rib6_node *parent = len > 24 ? rib6_parent(v6, addr, len) : NULL;
	uint64_t pv;
	int ret;

	if (parent == NULL || rte_rib6_get_nh(parent, &pv) != 0 || pv != v)
		return rte_fib6_add(v6, addr, len, v);
	rte_rib6_set_nh(parent, v ^ 1);
	ret = rte_fib6_add(v6, addr, len, v);
	rte_rib6_set_nh(parent, pv);
	return ret;
}

/*
 * DPDK 22.11's DIR-24-8 writes a change of 0.0.0.0/0 as the ranges between the routes it
 * holds. When the last of them ends inside the first /24 (besides the default, the table
 * holds only prefixes longer than /24 within 0.0.0.0/24), the last range, from there to
 * the end of the space, wraps to 0 and is not written at all: a default route added is
 * not installed, one deleted or changed keeps its old value everywhere (found by
 * tests/fuzz/fuzz_fib_channel: a lookup after a resync; see test_fib's
 * test_v4_default_wrap). So, in that case alone, a helper 0.0.0.0/24 goes into rte_fib
 * (not the shadow) for the duration of the change: the last range then starts at its
 * end, a /24 boundary. Its value is what lookups find in 0.0.0.0/24 before the change,
 * so adding it changes nothing; deleting it writes the new value there (which readers
 * see a few microseconds after the rest: these are "this network" addresses, RFC 1122
 * 3.2.1.3, never forwarded to anyway).
 */
static bool v4_default_wraps(const struct dp_fib *fib)
{
	const struct rt_table *t = &fib->rt4;
	uint32_t seen = 0;
	bool any = false;

	/* At most 510 prefixes longer than /24 fit in a /24, and the default. */
	if (t->count > 511)
		return false;
	for (uint32_t pos = 0; pos < t->n_slots && seen < t->count; pos++) {
		const struct rt_key4 *k;
		void *key;

		if (t->slots[pos].value == DP_FIB_NONE ||
		    rte_hash_get_key_with_position(t->h, (int32_t)pos, &key) < 0)
			continue;
		seen++;
		k = key;
		if (k->len == 0)
			continue;
		if (k->len <= 24 || (k->addr >> 8) != 0)
			return false;
		any = true;
	}
	return any;
}

/* Adds (or changes, del false) or deletes 0.0.0.0/0 with value v (encoded). */
static int fib4_default(struct dp_fib *fib, uint64_t v, bool del)
{
	struct rte_rib_node *cur = rte_rib_lookup_exact(rte_fib_get_rib(fib->v4), 0, 0);
	uint64_t was = DP_FIB_NONE;
	bool helper;
	int ret;

	if (cur != NULL)
		rte_rib_get_nh(cur, &was);
	helper = v4_default_wraps(fib) && rte_fib_add(fib->v4, 0, 24, was) == 0;
	ret = del ? rte_fib_delete(fib->v4, 0, 0) : rte_fib_add(fib->v4, 0, 0, v);
	if (helper)
		rte_fib_delete(fib->v4, 0, 24);
	return ret;
}

static int fib_table_set(struct dp_fib *fib, const struct rt_table *t, const union rt_key *k,
                         uint64_t value)
{
	value = value_encode(fib, value);
	if (t == &fib->rt4)
		return k->k4.len == 0 ? fib4_default(fib, value, false)
		                      : fib4_add(fib->v4, k->k4.addr, k->k4.len, value);
	return fib6_add(fib->v6, k->k6.addr, k->k6.len, value);
}

static int fib_table_del(struct dp_fib *fib, const struct rt_table *t, const union rt_key *k)
{
	if (t == &fib->rt4)
		return k->k4.len == 0 ? fib4_default(fib, DP_FIB_NONE, true)
		                      : rte_fib_delete(fib->v4, k->k4.addr, k->k4.len);
	return rte_fib6_delete(fib->v6, k->k6.addr, k->k6.len);
}

/*
 * DPDK 22.11's rte_fib6 trie reserves the second-level tables (tbl8) that a prefix longer
 * than /24 may need when it is added (rsvd_tbl8s), but a delete looks for covering routes
 * while the deleted prefix is still in its RIB, finds that prefix itself, and gives
 * nothing back: each add/delete cycle leaks its reservation, until every add of such a
 * prefix fails with -ENOSPC however empty the table is (found by tests/fuzz: a resync's
 * room check). A table built from the routes it holds reserves exactly what they need.
 * So, when an add fails with -ENOSPC after deletes, the writer builds a new table from
 * the shadow, publishes it (readers take the pointer once per lookup) and frees the old
 * one after a grace period. One old table at a time: another rebuild waits for it. A
 * table that is really full is not rebuilt on every add: only after deletes of 1/256
 * of its tbl8 count (at most that many, times 13 for /128s, reservations are lost).
 */
static int fib6_rebuild(struct dp_fib *fib)
{
	const struct rt_table *t = &fib->rt6;
	struct rte_fib6 *v6;

	if (fib->v6_dels < fib->v6_rebuild_dels)
		return -ENOSPC; /* too little can have leaked: the table is full */
	if (fib->v6_old != NULL)
		dp_fib_reclaim(fib);
	if (fib->v6_old != NULL)
		return -ENOSPC;
	v6 = fib6_create(fib);
	if (v6 == NULL)
		return -ENOSPC;
	for (uint32_t pos = 0; pos < t->n_slots; pos++) {
		void *key;

		if (t->slots[pos].value == DP_FIB_NONE ||
		    rte_hash_get_key_with_position(t->h, (int32_t)pos, &key) < 0)
			continue;
		if (fib6_add(v6, ((const struct rt_key6 *)key)->addr,
		             ((const struct rt_key6 *)key)->len,
		             value_encode(fib, t->slots[pos].value)) < 0) {
			rte_fib6_free(v6);
			return -ENOSPC;
		}
	}
	fib->v6_old = fib->v6;
	PUBLISH(fib->v6, v6);
	fib->v6_old_token = rte_rcu_qsbr_start(fib->qsbr);
	return 0;
}

int dp_fib_route_add(struct dp_fib *fib, const struct fibc_route *r)
{
	struct rt_table *t;
	union rt_key k;
	uint64_t value;
	int32_t pos;
	int ret;

	ret = route_bad(fib, r);
	if (ret < 0)
		return ret;
	t = route_key(fib, r, &k);
	value = route_value(fib, r);
	if (value == DP_FIB_NONE)
		return -ENOENT;
	pos = rte_hash_lookup(t->h, &k);
	if (pos >= 0) {
		struct rt_slot *s = &t->slots[pos];

		if (s->value != value) {
			/* rte_fib replaces the value of an existing prefix in place. */
			ret = fib_table_set(fib, t, &k, value);
			if (ret < 0)
				return ret;
			value_meta(fib, value)->refcnt++;
			value_meta(fib, s->value)->refcnt--;
			s->value = value;
			fib->generation++;
		}
		s->epoch = fib->epoch;
		return 0;
	}
	if (t->count >= t->max)
		return -ENOSPC;
	ret = fib_table_set(fib, t, &k, value);
	if (ret == -ENOSPC && t == &fib->rt6 && fib6_rebuild(fib) == 0)
		ret = fib_table_set(fib, t, &k, value);
	if (ret < 0)
		return ret;
	pos = rte_hash_add_key(t->h, &k);
	if (pos < 0 || (uint32_t)pos >= t->n_slots) {
		fib_table_del(fib, t, &k);
		if (pos >= 0)
			rte_hash_del_key(t->h, &k);
		return pos < 0 ? pos : -ENOSPC;
	}
	t->slots[pos].value = value;
	t->slots[pos].epoch = fib->epoch;
	t->count++;
	if (t == &fib->rt4)
		fib4_prefetch_update(fib);
	value_meta(fib, value)->refcnt++;
	fib->generation++;
	return 0;
}

/* Removes the route at shadow position pos whose key is k. */
static int route_remove(struct dp_fib *fib, struct rt_table *t, const union rt_key *k, int32_t pos)
{
	int ret = fib_table_del(fib, t, k);

	if (ret < 0)
		return ret;
	rte_hash_del_key(t->h, k);
	if (t == &fib->rt6 && k->k6.len > 24)
		fib->v6_dels++;
	value_meta(fib, t->slots[pos].value)->refcnt--;
	t->slots[pos].value = DP_FIB_NONE;
	t->count--;
	if (t == &fib->rt4)
		fib4_prefetch_update(fib);
	fib->generation++;
	return 0;
}

int dp_fib_route_get(struct dp_fib *fib, const struct fibc_route *r, uint64_t *value)
{
	struct rt_table *t;
	union rt_key k;
	int32_t pos;
	int ret;

	ret = route_bad(fib, r);
	if (ret < 0)
		return ret;
	t = route_key(fib, r, &k);
	pos = rte_hash_lookup(t->h, &k);
	if (pos < 0)
		return -ENOENT;
	*value = t->slots[pos].value;
	return 0;
}

int dp_fib_route_del(struct dp_fib *fib, const struct fibc_route *r)
{
	struct rt_table *t;
	union rt_key k;
	int32_t pos;
	int ret;

	ret = route_bad(fib, r);
	if (ret < 0)
		return ret;
	t = route_key(fib, r, &k);
	pos = rte_hash_lookup(t->h, &k);
	if (pos < 0)
		return -ENOENT;
	return route_remove(fib, t, &k, pos);
}

/* ---- resync ---- */

void dp_fib_mark_stale(struct dp_fib *fib)
{
	/* Entries remember the epoch of their last add: a new epoch makes all of them
	 * stale at once, however many there are. */
	fib->epoch++;
}

static unsigned rt_sweep(struct dp_fib *fib, struct rt_table *t)
{
	unsigned removed = 0;

	if (t->h == NULL)
		return 0;
	/* Walk the positions, not the hash buckets: removing a key frees only its own
	 * position, so the walk neither skips nor repeats a route. */
	for (uint32_t pos = 0; pos < t->n_slots && t->count > 0; pos++) {
		union rt_key k;
		void *key;

		if (t->slots[pos].value == DP_FIB_NONE || t->slots[pos].epoch == fib->epoch)
			continue;
		if (rte_hash_get_key_with_position(t->h, (int32_t)pos, &key) < 0)
			continue;
		memset(&k, 0, sizeof(k));
		memcpy(&k, key, t == &fib->rt4 ? sizeof(k.k4) : sizeof(k.k6));
		if (route_remove(fib, t, &k, (int32_t)pos) == 0)
			removed++;
	}
	return removed;
}

unsigned dp_fib_sweep_stale(struct dp_fib *fib)
{
	unsigned removed = rt_sweep(fib, &fib->rt4) + rt_sweep(fib, &fib->rt6);

	/* Groups before next hops: a stale group holds references on its members. */
	for (uint32_t id = 1; id <= fib->conf.max_groups; id++)
		if (fib->groups[id] != NULL && fib->group_meta[id].epoch != fib->epoch &&
		    fib->group_meta[id].refcnt == 0) {
			group_unlink(fib, id);
			removed++;
		}
	for (uint32_t id = 1; id <= fib->conf.max_next_hops; id++)
		if (fib->view.nhs[id] != NULL && fib->nh_meta[id].epoch != fib->epoch &&
		    fib->nh_meta[id].refcnt == 0) {
			nh_unlink(fib, id);
			removed++;
		}
	return removed;
}

int dp_fib_route_walk(const struct dp_fib *fib, uint8_t family, dp_fib_route_fn fn, void *arg)
{
	const struct rt_table *t = family == RH_AF_INET ? &fib->rt4 : &fib->rt6;

	if (!family_ok(family) || t->h == NULL)
		return 0;
	for (uint32_t pos = 0; pos < t->n_slots; pos++) {
		const struct rt_slot *s = &t->slots[pos];
		struct fibc_route r = {.family = family};
		void *key;
		int ret;

		if (s->value == DP_FIB_NONE ||
		    rte_hash_get_key_with_position(t->h, (int32_t)pos, &key) < 0)
			continue;
		if (family == RH_AF_INET) {
			const struct rt_key4 *k = key;
			uint32_t a = rte_cpu_to_be_32(k->addr);

			memcpy(r.addr, &a, 4);
			r.len = k->len;
		} else {
			const struct rt_key6 *k = key;

			memcpy(r.addr, k->addr, 16);
			r.len = k->len;
		}
		r.nh_id = (uint32_t)s->value;
		r.flags = (s->value & DP_FIB_GROUP) ? FIBC_RT_F_GROUP : 0;
		ret = fn(&r, s->epoch != fib->epoch, arg);
		if (ret != 0)
			return ret;
	}
	return 0;
}

/* ---- readers ---- */

/* The API's values from the tables' (value_encode() undone), branch-free. */
static inline void values_decode(const struct dp_fib *fib, uint64_t *values, unsigned n)
{
	uint64_t gbit = fib->view.gbit;
	unsigned shift = fib->gshift;

	if (gbit == DP_FIB_GROUP)
		return;
	for (unsigned i = 0; i < n; i++) {
		uint64_t v = values[i], g = v & gbit;

		values[i] = (v ^ g) | (g << shift);
	}
}

void dp_fib_lookup4_raw(struct dp_fib *fib, const uint32_t *ips, uint64_t *raw, unsigned n)
{
	if (fib->v4 == NULL) {
		memset(raw, 0, sizeof(*raw) * n);
		return;
	}
	/* rte_fib_lookup_bulk() only reads ips; its prototype lacks the const. */
	rte_fib_lookup_bulk(fib->v4, (uint32_t *)(uintptr_t)ips, raw, (int)n);
}

void dp_fib_lookup6_raw(struct dp_fib *fib, uint8_t (*ips)[16], uint64_t *raw, unsigned n)
{
	/* Once: fib6_rebuild() may publish a new table meanwhile. */
	struct rte_fib6 *t = READ_PTR(fib->v6);

	if (t == NULL) {
		memset(raw, 0, sizeof(*raw) * n);
		return;
	}
	rte_fib6_lookup_bulk(t, ips, raw, (int)n);
}

void dp_fib_lookup4_bulk(struct dp_fib *fib, const uint32_t *ips, uint64_t *values, unsigned n)
{
	dp_fib_lookup4_raw(fib, ips, values, n);
	values_decode(fib, values, n);
}

void dp_fib_lookup6_bulk(struct dp_fib *fib, uint8_t (*ips)[16], uint64_t *values, unsigned n)
{
	dp_fib_lookup6_raw(fib, ips, values, n);
	values_decode(fib, values, n);
}

const struct dp_nh *dp_fib_group_nh(const struct dp_fib *fib, uint32_t id, uint32_t hash)
{
	const struct dp_nhg *g = READ_PTR(fib->groups[id]);

	return g == NULL ? NULL : READ_PTR(fib->view.nhs[g->buckets[hash & (DP_NHG_BUCKETS - 1)]]);
}

const struct dp_nh *dp_fib_nh(const struct dp_fib *fib, uint64_t value, uint32_t hash)
{
	/* Values come from the tables, which hold only ids that were valid when added;
	 * index 0 is never published, so DP_FIB_NONE yields NULL. */
	if (value & DP_FIB_GROUP)
		return dp_fib_group_nh(fib, (uint32_t)value, hash);
	return READ_PTR(fib->view.nhs[(uint32_t)value]);
}

void dp_fib_nh_bulk(const struct dp_fib *fib, const uint64_t *values, const uint32_t *hashes,
                    const struct dp_nh **nhs, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		nhs[i] = dp_fib_nh(fib, values[i], hashes[i]);
}

void dp_fib_stats(const struct dp_fib *fib, struct dp_fib_stats *st)
{
	st->routes_v4 = fib->rt4.count;
	st->routes_v6 = fib->rt6.count;
	st->next_hops = fib->n_nhs;
	st->groups = fib->n_groups;
	st->generation = fib->generation;
}
