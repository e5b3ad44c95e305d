/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prefix hash table with incremental resize, and a fixed-size object pool (see ptable.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ptable.h"

#if defined(__SANITIZE_ADDRESS__)
#define POOL_USE_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_USE_MALLOC 1
#endif
#endif

/* Under AddressSanitizer, a freed ipool object is poisoned until handed out again. */
#ifdef POOL_USE_MALLOC
#include <sanitizer/asan_interface.h>
#define IPOOL_POISON(p, n)   ASAN_POISON_MEMORY_REGION(p, n)
#define IPOOL_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define IPOOL_POISON(p, n)   ((void)(p), (void)(n))
#define IPOOL_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define PTABLE_MIN_SLOTS 64
#define PTABLE_STEP      16 /* slots of the old table moved per insert or remove */
#define POOL_CHUNK       65536
#define HUGE_PAGE        (2u << 20)

/*
 * Slot arrays of 2 MiB and more are mapped on their own, 2 MiB aligned, and advised to
 * be backed by huge pages: a million-prefix table is 16 to 24 MiB touched at random, and
 * with 4 KiB pages nearly every lookup missed the TLB as well as the cache (the
 * page walk cost as much as the miss itself). Smaller arrays stay with malloc.
 */
static void *slots_alloc(size_t n, size_t ssz)
{
	size_t bytes = n * ssz;
	char *m, *a;
	size_t head;

	if (bytes < HUGE_PAGE)
		return calloc(n, ssz);
	/* Over-map by one huge page and trim, to get the alignment THP needs. */
	m = mmap(NULL, bytes + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
	         0);
	if (m == MAP_FAILED)
		return NULL;
	a = (char *)(((uintptr_t)m + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
	head = (size_t)(a - m);
	if (head > 0)
		munmap(m, head);
	munmap(a + bytes, HUGE_PAGE - head);
#ifdef MADV_HUGEPAGE
	madvise(a, bytes, MADV_HUGEPAGE); /* advice only: 4 KiB pages still work */
#endif
	return a; /* anonymous mappings come zeroed */
}

static void slots_free(void *s, size_t n, size_t ssz)
{
	size_t bytes = n * ssz;

	if (s == NULL)
		return;
	if (bytes < HUGE_PAGE)
		free(s);
	else
		munmap(s, bytes);
}

static uint64_t mix64(uint64_t x)
{
	/* MurmurHash3's finaliser: every input bit affects every output bit. */
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

uint32_t bgp_prefix_hash(const struct rh_prefix *p)
{
	uint64_t w0, w1, h;

	memcpy(&w0, p->bytes, sizeof(w0));
	h = mix64(w0 ^ ((uint64_t)p->len << 8 | p->family) * 0x9e3779b97f4a7c15ULL);
	if (p->family == RH_AF_INET6) {
		memcpy(&w1, p->bytes + 8, sizeof(w1));
		h = mix64(h ^ w1);
	}
	return (uint32_t)(h ^ h >> 32);
}

/* A multiplier of its own for each table (see home()); odd, so a bijection of the hash. */
static uint32_t table_mul(void)
{
	static uint32_t tables;
	uint32_t k = __atomic_add_fetch(&tables, 1, __ATOMIC_RELAXED);

	return (uint32_t)mix64(k) | 1u;
}

void bgp_ptable_init(struct bgp_ptable *t)
{
	memset(t, 0, sizeof(*t));
	t->ssz = sizeof(struct bgp_pslot);
	t->mul = table_mul();
}

void bgp_ptable_init_indexed(struct bgp_ptable *t, const struct bgp_ipool *pool, size_t node_off)
{
	memset(t, 0, sizeof(*t));
	t->ssz = sizeof(struct bgp_islot);
	t->pool = pool;
	t->node_off = node_off;
	t->mul = table_mul();
}

void bgp_ptable_fini(struct bgp_ptable *t)
{
	const struct bgp_ipool *pool = t->pool;
	size_t ssz = t->ssz, off = t->node_off;

	slots_free(t->s[0], t->n[0], ssz);
	slots_free(t->s[1], t->n[1], ssz);
	memset(t, 0, sizeof(*t));
	t->ssz = ssz;
	t->pool = pool;
	t->node_off = off;
}

/* Marks a removed or moved node: probes go on past it, inserts may reuse it. */
static struct bgp_pnode tombstone;
#define TOMB      (&tombstone)
#define ITOMB_REF UINT32_MAX

/* Slot i of array s: its node (NULL when empty, TOMB), its hash; setting it. */
static inline struct bgp_pnode *slot_node(const struct bgp_ptable *t, const void *s, size_t i)
{
	uint32_t ref;

	if (t->pool == NULL)
		return ((const struct bgp_pslot *)s)[i].node;
	ref = ((const struct bgp_islot *)s)[i].ref;
	if (ref == 0)
		return NULL;
	if (ref == ITOMB_REF)
		return TOMB;
	return (struct bgp_pnode *)(void *)((char *)bgp_ipool_at(t->pool, ref - 1) + t->node_off);
}

/* Whether slot i is empty, without resolving its node. */
static inline bool slot_empty(const struct bgp_ptable *t, const void *s, size_t i)
{
	if (t->pool == NULL)
		return ((const struct bgp_pslot *)s)[i].node == NULL;
	return ((const struct bgp_islot *)s)[i].ref == 0;
}

static inline uint32_t slot_hash(const struct bgp_ptable *t, const void *s, size_t i)
{
	if (t->pool == NULL)
		return ((const struct bgp_pslot *)s)[i].hash;
	return ((const struct bgp_islot *)s)[i].hash;
}

static inline void slot_set(const struct bgp_ptable *t, void *s, size_t i, struct bgp_pnode *n,
                            uint32_t hash)
{
	if (t->pool == NULL) {
		((struct bgp_pslot *)s)[i].node = n;
		((struct bgp_pslot *)s)[i].hash = hash;
		return;
	}
	((struct bgp_islot *)s)[i].ref =
	        n == TOMB ? ITOMB_REF : bgp_ipool_index((char *)n - t->node_off) + 1;
	((struct bgp_islot *)s)[i].hash = hash;
}

static inline bool slot_node_is_tomb(const struct bgp_ptable *t, const void *s, size_t i)
{
	if (t->pool == NULL)
		return ((const struct bgp_pslot *)s)[i].node == TOMB;
	return ((const struct bgp_islot *)s)[i].ref == ITOMB_REF;
}

static inline void slot_tomb(const struct bgp_ptable *t, void *s, size_t i)
{
	if (t->pool == NULL)
		((struct bgp_pslot *)s)[i].node = TOMB;
	else
		((struct bgp_islot *)s)[i].ref = ITOMB_REF;
}

static bool resizing(const struct bgp_ptable *t)
{
	return t->n[1] != 0;
}

/*
 * The home slot of a hash in a table of n slots: the hash scaled to [0, n) (Lemire's
 * multiply-shift) rather than masked, so that n need not be a power of two and a table
 * grows by half (16 to 24 bytes of slots a node) instead of doubling (16 to 32).
 * It also keeps the order of slots: a resize reads the old table and fills the new one
 * both front to back.
 */
static inline size_t home(const struct bgp_ptable *t, uint32_t hash, size_t n)
{
	/*
	 * Scaled after multiplying by the table's own odd number: two tables must not share
	 * one slot order. A walk of one table yields its prefixes in slot order; inserted in
	 * that order into another table with the same order (one hub part's RIB filled from
	 * another's walk), each arriving prefix's home would sit just past the previous one's,
	 * in a table sized for fewer prefixes: one cluster that every insert probes through.
	 * A new peer's 100,000 routes took 3.5 s of the event loop that way
	 * (tests/integration/test_hostile_peers.sh). Within one table the order stays
	 * monotonic in hash * mul, so a resize still fills the new array front to back.
	 */
	return (size_t)(((uint64_t)(uint32_t)(hash * t->mul) * n) >> 32);
}

static inline size_t next_slot(size_t i, size_t n)
{
	return i + 1 == n ? 0 : i + 1;
}

static bool node_is(const struct bgp_pnode *n, const struct rh_prefix *p)
{
	return n->prefix.len == p->len && n->prefix.family == p->family &&
	       memcmp(n->prefix.bytes, p->bytes, sizeof(p->bytes)) == 0;
}

static struct bgp_pnode *find_in(const struct bgp_ptable *t, const void *s, size_t n,
                                 const struct rh_prefix *p, uint32_t hash)
{
	/* Ends: a table always keeps empty slots (at most 3/4 used, or 7/8 while resizing). */
	for (size_t i = home(t, hash, n);; i = next_slot(i, n)) {
		struct bgp_pnode *node;

		if (slot_empty(t, s, i))
			return NULL;
		if (slot_hash(t, s, i) != hash)
			continue;
		node = slot_node(t, s, i);
		if (node != TOMB && node_is(node, p))
			return node;
	}
}

struct bgp_pnode *bgp_ptable_lookup(struct bgp_ptable *t, const struct rh_prefix *p, uint32_t hash)
{
	struct bgp_pnode *n = NULL;

	if (resizing(t))
		n = find_in(t, t->s[1], t->n[1], p, hash);
	if (n == NULL && t->n[0] != 0)
		n = find_in(t, t->s[0], t->n[0], p, hash);
	return n;
}

void bgp_ptable_prefetch(const struct bgp_ptable *t, uint32_t hash)
{
	unsigned k = resizing(t) ? 1 : 0;

	if (t->n[k] != 0)
		__builtin_prefetch((const char *)t->s[k] + home(t, hash, t->n[k]) * t->ssz);
}

void bgp_ptable_prefetch_node(const struct bgp_ptable *t, uint32_t hash)
{
	unsigned k = resizing(t) ? 1 : 0;
	size_t i;
	struct bgp_pnode *n;

	if (t->n[k] == 0)
		return;
	i = home(t, hash, t->n[k]);
	if (slot_hash(t, t->s[k], i) != hash || (n = slot_node(t, t->s[k], i)) == NULL || n == TOMB)
		return;
	__builtin_prefetch(n);
}

/*
 * Puts n (hash: its hash, taken from the old slot by a resize so that the node itself is
 * not read: reading n->hash there was a cache miss for every node moved, and place() the
 * control plane's hottest function) in the first empty or tombstone slot of its probe
 * sequence in table k.
 */
/* The first empty or tombstone slot of hash's probe sequence in table k, counted used. */
static size_t place_at(struct bgp_ptable *t, unsigned k, uint32_t hash)
{
	const void *s = t->s[k];
	size_t i = home(t, hash, t->n[k]);

	for (;; i = next_slot(i, t->n[k])) {
		struct bgp_pnode *n;

		if (slot_empty(t, s, i)) {
			t->used[k]++;
			return i;
		}
		if (t->pool == NULL)
			n = ((const struct bgp_pslot *)s)[i].node;
		else
			n = ((const struct bgp_islot *)s)[i].ref == ITOMB_REF ? TOMB : NULL;
		if (n == TOMB)
			return i;
	}
}

static void place(struct bgp_ptable *t, unsigned k, struct bgp_pnode *n, uint32_t hash)
{
	slot_set(t, t->s[k], place_at(t, k, hash), n, hash);
}

static void resize_finish(struct bgp_ptable *t)
{
	slots_free(t->s[0], t->n[0], t->ssz);
	t->s[0] = t->s[1];
	t->n[0] = t->n[1];
	t->used[0] = t->used[1];
	t->s[1] = NULL;
	t->n[1] = 0;
	t->used[1] = 0;
	t->moved = 0;
}

/* Moves up to `steps` slots of s[0] into s[1]; 0 steps means all. */
static void resize_step(struct bgp_ptable *t, size_t steps)
{
	size_t end;

	if (!resizing(t) || t->walking > 0)
		return;
	end = steps == 0 || t->n[0] - t->moved < steps ? t->n[0] : t->moved + steps;
	for (; t->moved < end; t->moved++) {
		char *from = (char *)t->s[0] + t->moved * t->ssz;
		size_t i;

		/* Copied as they are: an indexed slot's node is not even looked up. */
		if (slot_empty(t, t->s[0], t->moved) || slot_node_is_tomb(t, t->s[0], t->moved))
			continue;
		i = place_at(t, 1, slot_hash(t, t->s[0], t->moved));
		memcpy((char *)t->s[1] + i * t->ssz, from, t->ssz);
		/* A tombstone, not empty: probe sequences through this slot stay whole. */
		slot_tomb(t, t->s[0], t->moved);
	}
	if (t->moved == t->n[0])
		resize_finish(t);
}

/*
 * Half full after a resize, in whole 4 KiB pages (the mapping of a large array
 * is page-granular; a tail short of a huge page just gets small pages). Rounding to whole
 * huge pages instead cost 4 MiB a table at 100,000 prefixes.
 */
static size_t size_for(size_t count)
{
	/* Slots of 12 bytes: 1,024 of them fill 3 pages exactly. */
	size_t n = count * 2 + 2, page = 1024;

	if (n < PTABLE_MIN_SLOTS)
		return PTABLE_MIN_SLOTS;
	return (n + page - 1) / page * page;
}

/* Starts a resize when the table is too full (of nodes or tombstones) or too empty. */
static void resize_check(struct bgp_ptable *t)
{
	void *s;
	size_t n;

	if (t->walking > 0)
		return;
	/* A resize overtaken by inserts: finish it now rather than let s[1] fill. */
	if (resizing(t) && t->used[1] + 1 > t->n[1] / 8 * 7)
		resize_step(t, 0);
	if (resizing(t))
		return;
	if (t->used[0] + 1 <= t->n[0] / 4 * 3 &&
	    !(t->n[0] > PTABLE_MIN_SLOTS && t->count < t->n[0] / 8))
		return;
	n = size_for(t->count);
	s = slots_alloc(n, t->ssz);
	if (s == NULL)
		return; /* keeps its size, fuller; insert fails only when truly full */
	t->s[1] = s;
	t->n[1] = n;
	t->used[1] = 0;
	t->moved = 0;
	/*
	 * Moved all at once, not a few slots per update: the RIB, the Adj-RIB-Out and the
	 * effective routes hold the same prefixes and resize on the same update, and while
	 * an incremental resize ran every new prefix was looked up (a cache miss) in both
	 * arrays of each. Reading the old array and filling the new one front to back
	 * (home()), a million slots move in 12 to 32 ms (see ptable.h).
	 */
	resize_step(t, 0);
}

int bgp_ptable_insert(struct bgp_ptable *t, struct bgp_pnode *n)
{
	if (t->n[0] == 0) {
		if (t->mul == 0) /* zeroed rather than initialised */
			t->mul = table_mul();
		t->s[0] = slots_alloc(PTABLE_MIN_SLOTS, t->ssz);
		if (t->s[0] == NULL)
			return -ENOMEM;
		t->n[0] = PTABLE_MIN_SLOTS;
	}
	resize_check(t);
	resize_step(t, PTABLE_STEP);
	if (!resizing(t) && t->used[0] + 1 >= t->n[0])
		return -ENOMEM;
	place(t, resizing(t) ? 1 : 0, n, n->hash);
	t->count++;
	return 0;
}

static bool remove_from(const struct bgp_ptable *t, void *s, size_t n, struct bgp_pnode *node)
{
	for (size_t i = home(t, node->hash, n); !slot_empty(t, s, i); i = next_slot(i, n))
		if (slot_hash(t, s, i) == node->hash && slot_node(t, s, i) == node) {
			slot_tomb(t, s, i);
			return true;
		}
	return false;
}

void bgp_ptable_remove(struct bgp_ptable *t, struct bgp_pnode *n)
{
	if (!resizing(t) || !remove_from(t, t->s[1], t->n[1], n))
		remove_from(t, t->s[0], t->n[0], n);
	t->count--;
	resize_check(t);
	resize_step(t, PTABLE_STEP);
}

static int walk_slots(const struct bgp_ptable *t, void *s, size_t n,
                      int (*cb)(struct bgp_pnode *, void *), void *arg)
{
	for (size_t i = 0; i < n; i++) {
		int rc;

		if (slot_empty(t, s, i) || slot_node_is_tomb(t, s, i))
			continue;
		rc = cb(slot_node(t, s, i), arg);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int bgp_ptable_walk(struct bgp_ptable *t, int (*cb)(struct bgp_pnode *n, void *arg), void *arg)
{
	int rc;

	/* Nothing moves during a walk: a removal only leaves a tombstone. */
	t->walking++;
	rc = walk_slots(t, t->s[0], t->n[0], cb, arg);
	if (rc == 0)
		rc = walk_slots(t, t->s[1], t->n[1], cb, arg);
	t->walking--;
	return rc;
}

size_t bgp_ptable_memory(const struct bgp_ptable *t)
{
	return (t->n[0] + t->n[1]) * t->ssz;
}

/* ------------------------------------------------------------------ pool */

void bgp_pool_init(struct bgp_pool *p, size_t size)
{
	memset(p, 0, sizeof(*p));
	p->size = (size + sizeof(void *) - 1) & ~(sizeof(void *) - 1);
}

void bgp_pool_fini(struct bgp_pool *p)
{
	void *c = p->chunks, *next;

	for (; c != NULL; c = next) {
		memcpy(&next, c, sizeof(next));
		free(c);
	}
	p->chunks = NULL;
	p->free_list = NULL;
	p->n_chunks = 0;
	p->in_use = 0;
}

#ifdef POOL_USE_MALLOC
void *bgp_pool_get(struct bgp_pool *p)
{
	void *o = malloc(p->size);

	if (o == NULL)
		errno = ENOMEM;
	else
		p->in_use++;
	return o;
}

void bgp_pool_put(struct bgp_pool *p, void *obj)
{
	p->in_use--;
	free(obj);
}

size_t bgp_pool_memory(const struct bgp_pool *p)
{
	return p->in_use * p->size;
}
#else
static int pool_grow(struct bgp_pool *p)
{
	char *c = malloc(POOL_CHUNK);
	size_t n;

	if (c == NULL)
		return -ENOMEM;
	memcpy(c, &p->chunks, sizeof(void *));
	p->chunks = c;
	p->n_chunks++;
	/* The first word links the chunks; objects follow, pointer-aligned. */
	n = (POOL_CHUNK - sizeof(void *)) / p->size;
	for (size_t i = n; i > 0; i--) {
		void *o = c + sizeof(void *) + (i - 1) * p->size;

		memcpy(o, &p->free_list, sizeof(void *));
		p->free_list = o;
	}
	return 0;
}

void *bgp_pool_get(struct bgp_pool *p)
{
	void *o;

	if (p->free_list == NULL && pool_grow(p) < 0) {
		errno = ENOMEM;
		return NULL;
	}
	o = p->free_list;
	memcpy(&p->free_list, o, sizeof(void *));
	p->in_use++;
	return o;
}

void bgp_pool_put(struct bgp_pool *p, void *obj)
{
	memcpy(obj, &p->free_list, sizeof(void *));
	p->free_list = obj;
	p->in_use--;
}

size_t bgp_pool_memory(const struct bgp_pool *p)
{
	return p->n_chunks * POOL_CHUNK;
}
#endif

/* ------------------------------------------------------------------ indexed pool */

void bgp_ipool_init(struct bgp_ipool *p, size_t size)
{
	memset(p, 0, sizeof(*p));
	p->size = size < sizeof(uint32_t) ? sizeof(uint32_t) : size;
	p->per_chunk = (uint32_t)((BGP_IPOOL_ALIGN - BGP_IPOOL_HDR) / p->size);
}

void bgp_ipool_fini(struct bgp_ipool *p)
{
	for (uint32_t i = 0; i < p->n_chunks; i++) {
		IPOOL_UNPOISON(p->chunks[i], BGP_IPOOL_ALIGN);
		munmap(p->chunks[i], BGP_IPOOL_ALIGN);
	}
	free(p->chunks);
	bgp_ipool_init(p, p->size);
}

/* A chunk aligned on its size: twice that mapped, the rest given back. */
static uint8_t *ipool_chunk(void)
{
	size_t len = 2 * (size_t)BGP_IPOOL_ALIGN;
	uint8_t *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t a;
	size_t head;

	if (m == MAP_FAILED)
		return NULL;
	a = ((uintptr_t)m + BGP_IPOOL_ALIGN - 1) & ~(uintptr_t)(BGP_IPOOL_ALIGN - 1);
	head = a - (uintptr_t)m;
	if (head > 0)
		munmap(m, head);
	if (len - head > BGP_IPOOL_ALIGN)
		munmap((uint8_t *)a + BGP_IPOOL_ALIGN, len - head - BGP_IPOOL_ALIGN);
	return (uint8_t *)a;
}

void *bgp_ipool_get(struct bgp_ipool *p, uint32_t *idx)
{
	void *o;

	if (p->free_head != 0) {
		*idx = p->free_head - 1;
		o = bgp_ipool_at(p, *idx);
		IPOOL_UNPOISON(o, p->size);
		memcpy(&p->free_head, o, sizeof(uint32_t));
		p->in_use++;
		return o;
	}
	if (p->next >= UINT32_MAX - p->per_chunk)
		goto nomem;
	if (p->next / p->per_chunk == p->n_chunks) {
		struct bgp_ipool_hdr *hd;

		if (p->n_chunks == p->cap_chunks) {
			uint32_t cap = p->cap_chunks != 0 ? 2 * p->cap_chunks : 16;
			uint8_t **c = realloc(p->chunks, cap * sizeof(*c));

			if (c == NULL)
				goto nomem;
			p->chunks = c;
			p->cap_chunks = cap;
		}
		p->chunks[p->n_chunks] = ipool_chunk();
		if (p->chunks[p->n_chunks] == NULL)
			goto nomem;
		hd = (struct bgp_ipool_hdr *)(void *)p->chunks[p->n_chunks];
		hd->chunk = p->n_chunks;
		hd->size = (uint32_t)p->size;
		hd->per_chunk = p->per_chunk;
		p->n_chunks++;
	}
	*idx = p->next++;
	p->in_use++;
	return bgp_ipool_at(p, *idx);
nomem:
	errno = ENOMEM;
	return NULL;
}

void bgp_ipool_put(struct bgp_ipool *p, uint32_t idx)
{
	memcpy(bgp_ipool_at(p, idx), &p->free_head, sizeof(uint32_t));
	IPOOL_POISON(bgp_ipool_at(p, idx), p->size);
	p->free_head = idx + 1;
	p->in_use--;
}

size_t bgp_ipool_memory(const struct bgp_ipool *p)
{
	return (size_t)p->n_chunks * BGP_IPOOL_ALIGN + p->cap_chunks * sizeof(void *);
}

/* ------------------------------------------------------------------ extension arrays */

void bgp_ext_init(struct bgp_ext *x, size_t size)
{
	memset(x, 0, sizeof(*x));
	x->size = size;
}

void bgp_ext_fini(struct bgp_ext *x)
{
	for (uint32_t i = 0; i < x->n_chunks; i++)
		free(x->chunks[i]);
	free(x->chunks);
	bgp_ext_init(x, x->size);
}

/* bgp_ext_at() when the chunk is missing. */
void *bgp_ext_grow(struct bgp_ext *x, uint32_t idx)
{
	uint32_t c = idx / BGP_EXT_CHUNK;

	if (c >= x->n_chunks) {
		uint32_t n = x->n_chunks != 0 ? x->n_chunks : 16;
		uint8_t **v;

		while (n <= c)
			n *= 2;
		v = realloc(x->chunks, n * sizeof(*v));
		if (v == NULL)
			goto nomem;
		memset(v + x->n_chunks, 0, (n - x->n_chunks) * sizeof(*v));
		x->chunks = v;
		x->n_chunks = n;
	}
	if (x->chunks[c] == NULL) {
		x->chunks[c] = calloc(BGP_EXT_CHUNK, x->size);
		if (x->chunks[c] == NULL)
			goto nomem;
		x->used++;
	}
	return x->chunks[c] + (size_t)(idx % BGP_EXT_CHUNK) * x->size;
nomem:
	errno = ENOMEM;
	return NULL;
}

void bgp_ext_drop(struct bgp_ext *x, uint32_t c)
{
	if (c >= x->n_chunks || x->chunks[c] == NULL)
		return;
	free(x->chunks[c]);
	x->chunks[c] = NULL;
	x->used--;
}

size_t bgp_ext_memory(const struct bgp_ext *x)
{
	return (size_t)x->used * BGP_EXT_CHUNK * x->size + x->n_chunks * sizeof(void *);
}
