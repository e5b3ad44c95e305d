/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Adj-RIBs-Out with update groups and coalescing queues (see rib_out.h).
 *
 * Per group and RIB entry, a state in the group's extension array: the advertised set
 * (a reference, or NULL) and the bucket of the pending change (or none). A state that is
 * not all zero holds the RIB entry, so that a withdrawal still pending after the
 * prefix's last path went has its prefix.
 *
 * A bucket queues the indices of its entries in an array, 4 bytes each: a change that
 * moves an entry to another bucket (or cancels it) leaves its index behind, and the flush
 * skips the indices whose state no longer names the bucket. A linked entry per pending
 * change (40 bytes) cost more than everything else the group keeps, since on the initial
 * table every prefix is pending at once. A bucket
 * lists the pending prefixes of one (attribute set, family), in the order they were queued; the
 * buckets themselves are flushed in the order they were created, withdrawals first (RFC 4271 9.2
 * leaves the order of UPDATEs free, and a withdrawal first frees the peer's memory first).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rib_out.h"
#include "rib_out_addpath.h"

struct bgp_amap_node {
	struct bgp_amap_node *next;
	const void *key;
	const void *key2;
	uint32_t aux;
};

/*
 * A group's state for RIB entry x is two words in two extension arrays: g->st[x], the
 * bgp_attrs_id() of the advertised set (a reference), 0 if none; and g->pe[x], the id of
 * the bucket of the pending change (0 if none) shifted by 2, with OUT_FORCED: resend even
 * if equal to what was advertised (route refresh); and OUT_GATHERED while the flush has
 * it in a batch (an index may be queued twice in one bucket). A chunk of g->pe goes back
 * once nothing in it is pending: changes are queued and flushed in waves of neighbouring
 * entries, so that the pending words cost little beyond the queue itself.
 */
#define OUT_FORCED   1u
#define OUT_GATHERED 2u
#define OUT_SHIFT    2

static inline uint32_t adv_id(const struct bgp_out_group *g, uint32_t x)
{
	const uint32_t *w = bgp_ext_peek(&g->st, x);

	return w != NULL ? *w : 0;
}

static inline uint32_t pend_of(const struct bgp_out_group *g, uint32_t x)
{
	const uint32_t *w = bgp_ext_peek(&g->pe, x);

	return w != NULL ? *w : 0;
}

static inline struct out_bucket *state_bucket(const struct bgp_out_group *g, uint32_t x)
{
	uint32_t p = pend_of(g, x);

	return p >> OUT_SHIFT != 0 ? g->bids[p >> OUT_SHIFT] : NULL;
}

static inline const struct bgp_attrs *state_adv(const struct bgp_out_group *g, uint32_t x)
{
	return bgp_attrs_by_id(adv_id(g, x));
}

static inline bool state_forced(const struct bgp_out_group *g, uint32_t x)
{
	return (pend_of(g, x) & OUT_FORCED) != 0;
}

static inline bool state_empty(const struct bgp_out_group *g, uint32_t x)
{
	return adv_id(g, x) == 0 && pend_of(g, x) == 0;
}

/* Sets g->st[x]; 0 or -ENOMEM. */
static int adv_set(struct bgp_out_group *g, uint32_t x, uint32_t id)
{
	uint32_t *w = id != 0 ? bgp_ext_at(&g->st, x) : bgp_ext_peek(&g->st, x);

	if (w == NULL)
		return id != 0 ? -ENOMEM : 0;
	*w = id;
	return 0;
}

/* Sets g->pe[x], counting the pending words of each chunk; 0 or -ENOMEM. */
static int pend_set(struct bgp_out_group *g, uint32_t x, uint32_t v)
{
	uint32_t c = x / BGP_EXT_CHUNK, old = pend_of(g, x);
	uint32_t *w;

	if (old == 0 && v == 0)
		return 0;
	if (c >= g->n_pe_live) {
		uint32_t n = g->n_pe_live != 0 ? g->n_pe_live : 16;
		uint32_t *l;

		while (n <= c)
			n *= 2;
		l = realloc(g->pe_live, n * sizeof(*l));
		if (l == NULL)
			return -ENOMEM;
		memset(l + g->n_pe_live, 0, (n - g->n_pe_live) * sizeof(*l));
		g->pe_live = l;
		g->n_pe_live = n;
	}
	w = bgp_ext_at(&g->pe, x);
	if (w == NULL)
		return -ENOMEM;
	*w = v;
	if (old == 0)
		g->pe_live[c]++;
	else if (v == 0 && --g->pe_live[c] == 0)
		bgp_ext_drop(&g->pe, c);
	return 0;
}

struct out_bucket {
	struct bgp_amap_node node;     /* attrs, src, aid; withdrawals are not in the map */
	const struct bgp_attrs *attrs; /* NULL: withdrawals; else the bucket holds a reference */
	const struct bgp_rib_peer *src;
	enum bgp_aid aid;
	uint32_t id;     /* g->bids[id] */
	uint32_t *items; /* RIB entry indices, queued from pos on (some stale) */
	size_t pos, n_items, cap;
	size_t count;            /* entries whose state names this bucket */
	struct out_bucket *next; /* g->queue */
	struct out_bucket **pprev;
};

struct cache_entry {
	struct bgp_amap_node node;     /* key: the input set, referenced */
	const struct bgp_attrs *attrs; /* exported set, referenced; NULL when rejected */
};

/* ------------------------------------------------------------------ attribute map */

static size_t amap_index(const struct bgp_amap *m, const void *key, const void *key2, uint32_t aux)
{
	uint64_t x = (uint64_t)(uintptr_t)key ^
	             ((uint64_t)(uintptr_t)key2 * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)aux << 1);

	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 32;
	return (size_t)x & (m->n - 1);
}

static struct bgp_amap_node *amap_find(const struct bgp_amap *m, const void *key, const void *key2,
                                       uint32_t aux)
{
	if (m->n == 0)
		return NULL;
	for (struct bgp_amap_node *n = m->b[amap_index(m, key, key2, aux)]; n != NULL; n = n->next)
		if (n->key == key && n->key2 == key2 && n->aux == aux)
			return n;
	return NULL;
}

static void amap_grow(struct bgp_amap *m)
{
	size_t nn = m->n != 0 ? m->n * 2 : 64;
	struct bgp_amap_node **b = calloc(nn, sizeof(*b));
	struct bgp_amap old = *m;

	if (b == NULL)
		return; /* longer chains, still correct */
	m->b = b;
	m->n = nn;
	for (size_t i = 0; i < old.n; i++) {
		struct bgp_amap_node *n = old.b[i], *next;

		for (; n != NULL; n = next) {
			size_t j = amap_index(m, n->key, n->key2, n->aux);

			next = n->next;
			n->next = b[j];
			b[j] = n;
		}
	}
	free(old.b);
}

static int amap_add(struct bgp_amap *m, struct bgp_amap_node *n)
{
	size_t i;

	if (m->count >= m->n)
		amap_grow(m);
	if (m->n == 0)
		return -ENOMEM;
	i = amap_index(m, n->key, n->key2, n->aux);
	n->next = m->b[i];
	m->b[i] = n;
	m->count++;
	return 0;
}

static void amap_del(struct bgp_amap *m, struct bgp_amap_node *n)
{
	struct bgp_amap_node **pp = &m->b[amap_index(m, n->key, n->key2, n->aux)];

	while (*pp != n)
		pp = &(*pp)->next;
	*pp = n->next;
	m->count--;
}

static void amap_fini(struct bgp_amap *m)
{
	free(m->b);
	memset(m, 0, sizeof(*m));
}

/* ------------------------------------------------------------------ export */

static enum bgp_aid aid_of(uint8_t family)
{
	return family == RH_AF_INET6 ? BGP_AID_IPV6 : BGP_AID_IPV4;
}

static uint8_t family_of(enum bgp_aid aid)
{
	return aid == BGP_AID_IPV6 ? RH_AF_INET6 : RH_AF_INET;
}

static const struct bgp_attrs *run_policy(struct bgp_out_group *g, const struct rh_prefix *p,
                                          const struct bgp_path *best,
                                          const struct bgp_attrs **owned)
{
	const struct bgp_attrs *out = NULL;

	switch (g->pol.fn(p, best, &out, g->pol.arg)) {
	case BGP_EXPORT_ACCEPT:
		return best->attrs;
	case BGP_EXPORT_MODIFY:
		*owned = out;
		return out;
	case BGP_EXPORT_REJECT:
	default:
		return NULL;
	}
}

#define CACHE_MIN_SWEEP 1024

/* Drops the cached sets that only the cache still holds (keep = false: all of them). */
static void cache_sweep(struct bgp_out_group *g, bool keep)
{
	for (size_t i = 0; i < g->cache.n; i++) {
		struct bgp_amap_node **pp = &g->cache.b[i];

		while (*pp != NULL) {
			struct cache_entry *c = container_of(*pp, struct cache_entry, node);

			const struct bgp_attrs *in = c->node.key;

			/* The cache's own references: the key, and the result when accepted as is.
			 */
			if (keep && in->refcnt > 1u + (c->attrs == in)) {
				pp = &(*pp)->next;
				continue;
			}
			*pp = c->node.next;
			g->cache.count--;
			bgp_attrs_unref(c->node.key);
			bgp_attrs_unref(c->attrs);
			free(c);
		}
	}
	/* Amortised: the next sweep waits until the cache has doubled. */
	g->cache_sweep_at =
	        2 * g->cache.count > CACHE_MIN_SWEEP ? 2 * g->cache.count : CACHE_MIN_SWEEP;
}

static void cache_clear(struct bgp_out_group *g)
{
	cache_sweep(g, false);
	amap_fini(&g->cache);
}

/*
 * What the group advertises for p: NULL when rejected. A set the caller must unref is
 * returned in *owned as well.
 */
static const struct bgp_attrs *export_path(struct bgp_out_group *g, const struct rh_prefix *p,
                                           const struct bgp_path *best,
                                           const struct bgp_attrs **owned)
{
	struct bgp_amap_node *n;
	struct cache_entry *c;
	const struct bgp_attrs *a;

	if (g->pol.fn == NULL)
		return best->attrs;
	if (!(g->pol.flags & BGP_EXPORT_ATTRS_ONLY))
		return run_policy(g, p, best, owned);
	n = amap_find(&g->cache, best->attrs, NULL, 0);
	if (n != NULL)
		return container_of(n, struct cache_entry, node)->attrs;
	a = run_policy(g, p, best, owned);
	c = malloc(sizeof(*c));
	if (c == NULL)
		return a; /* uncached, still right */
	c->node.key = bgp_attrs_ref(best->attrs);
	c->node.key2 = NULL;
	c->node.aux = 0;
	c->attrs = a != NULL ? bgp_attrs_ref(a) : NULL;
	if (amap_add(&g->cache, &c->node) < 0) {
		bgp_attrs_unref(c->node.key);
		bgp_attrs_unref(c->attrs);
		free(c);
	} else if (g->cache.count > g->cache_sweep_at) {
		/* The cache holds its input sets alive: let go of those no route uses. */
		cache_sweep(g, true);
	}
	return a;
}

/* ------------------------------------------------------------------ buckets */

/* Numbers b (never 0: a state's 0 means no bucket). 0 or -ENOMEM. */
static int bucket_id(struct bgp_out_group *g, struct out_bucket *b)
{
	if (g->n_bfree > 0) {
		b->id = g->bfree[--g->n_bfree];
		g->bids[b->id] = b;
		return 0;
	}
	if (g->n_bids == 0)
		g->n_bids = 1;
	if (g->n_bids >= g->cap_bids) {
		uint32_t cap = g->cap_bids != 0 ? 2 * g->cap_bids : 64;
		struct out_bucket **v;
		uint32_t *f;

		if (cap > UINT32_MAX >> OUT_SHIFT)
			return -ENOMEM;
		v = realloc(g->bids, cap * sizeof(*v));
		if (v == NULL)
			return -ENOMEM;
		g->bids = v;
		f = realloc(g->bfree, cap * sizeof(*f));
		if (f == NULL)
			return -ENOMEM;
		g->bfree = f;
		g->cap_bids = cap;
	}
	b->id = g->n_bids++;
	g->bids[b->id] = b;
	return 0;
}

static void bucket_id_put(struct bgp_out_group *g, struct out_bucket *b)
{
	g->bids[b->id] = NULL;
	g->bfree[g->n_bfree++] = b->id; /* one slot per id given */
}

static struct out_bucket *bucket_get(struct bgp_out_group *g, const struct bgp_attrs *attrs,
                                     const struct bgp_rib_peer *src, enum bgp_aid aid)
{
	struct bgp_amap_node *n = amap_find(&g->buckets, attrs, src, aid);
	struct out_bucket *b;

	if (n != NULL)
		return container_of(n, struct out_bucket, node);
	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return NULL;
	b->node.key = attrs;
	b->node.key2 = src;
	b->node.aux = aid;
	if (bucket_id(g, b) < 0) {
		free(b);
		return NULL;
	}
	if (amap_add(&g->buckets, &b->node) < 0) {
		bucket_id_put(g, b);
		free(b);
		return NULL;
	}
	b->attrs = bgp_attrs_ref(attrs);
	b->src = src;
	b->aid = aid;
	b->pprev = g->queue_tail;
	*g->queue_tail = b;
	g->queue_tail = &b->next;
	return b;
}

static void bucket_free(struct bgp_out_group *g, struct out_bucket *b)
{
	amap_del(&g->buckets, &b->node);
	*b->pprev = b->next;
	if (b->next != NULL)
		b->next->pprev = b->pprev;
	else
		g->queue_tail = b->pprev;
	bucket_id_put(g, b);
	bgp_attrs_unref(b->attrs);
	free(b->items);
	free(b);
}

/* Drops the stale indices of b (those whose state names another bucket, or none). */
static void bucket_compact(struct bgp_out_group *g, struct out_bucket *b)
{
	size_t k = 0;

	for (size_t i = b->pos; i < b->n_items; i++) {
		if (state_bucket(g, b->items[i]) == b)
			b->items[k++] = b->items[i];
	}
	b->pos = 0;
	b->n_items = k;
}

static int bucket_add(struct bgp_out_group *g, struct out_bucket *b, uint32_t idx)
{
	/* Amortised: stale indices never outnumber live ones by much. */
	if (b->n_items - b->pos > 2 * b->count + 64)
		bucket_compact(g, b);
	if (b->n_items == b->cap) {
		size_t cap = b->cap != 0 ? 2 * b->cap : 64;
		uint32_t *v = realloc(b->items, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		b->items = v;
		b->cap = cap;
	}
	if (pend_set(g, idx, b->id << OUT_SHIFT | (pend_of(g, idx) & OUT_FORCED)) < 0)
		return -ENOMEM;
	b->items[b->n_items++] = idx;
	b->count++;
	g->pending[b->aid]++;
	return 0;
}

/* Takes s out of its bucket (its index stays, stale); an announcement bucket left empty
 * goes. */
static void bucket_del(struct bgp_out_group *g, uint32_t x)
{
	struct out_bucket *b = state_bucket(g, x);

	pend_set(g, x, 0); /* no bucket, not forced */
	g->pending[b->aid]--;
	if (--b->count > 0)
		return;
	if (b->attrs != NULL) {
		bucket_free(g, b);
	} else {
		b->pos = 0;
		b->n_items = 0;
	}
}

/* ------------------------------------------------------------------ entries */

/*
 * Records that re (state x, not empty: it holds re) should now be advertised with attrs
 * (NULL: not advertised), learned from src (NULL: unknown), coalescing with what is
 * pending and what was sent. A state left empty releases re.
 */
static int state_set(struct bgp_out_group *g, struct bgp_rib_entry *re, enum bgp_aid aid,
                     const struct bgp_attrs *attrs, const struct bgp_rib_peer *src)
{
	uint32_t x = bgp_rib_entry_index(re);
	struct out_bucket *b;
	int rc = 0;

	if (attrs == state_adv(g, x) && !state_forced(g, x)) {
		/* Back to what the peers have: the pending change cancels out. */
		if (state_bucket(g, x) != NULL)
			bucket_del(g, x);
		pend_set(g, x, 0);
		goto out;
	}
	b = attrs != NULL ? bucket_get(g, attrs, src, aid) : g->withdraw[aid];
	if (b == NULL || (attrs != NULL && bgp_ext_at(&g->st, x) == NULL)) {
		rc = -ENOMEM;
		goto out;
	}
	if (state_bucket(g, x) == b)
		return 0;
	if (state_bucket(g, x) != NULL)
		bucket_del(g, x);
	rc = bucket_add(g, b, x);
	if (rc < 0 && b->count == 0 && b->attrs != NULL)
		bucket_free(g, b);
out:
	if (state_empty(g, x))
		bgp_rib_entry_release(g->out->rib, re);
	return rc;
}

static int group_set(struct bgp_out_group *g, struct bgp_rib_entry *re, enum bgp_aid aid,
                     const struct bgp_attrs *attrs, const struct bgp_rib_peer *src)
{
	uint32_t x = bgp_rib_entry_index(re);

	if (state_empty(g, x)) {
		if (attrs == NULL)
			return 0; /* never advertised, nothing to withdraw */
	} else if (pend_of(g, x) == 0 && state_adv(g, x) == attrs) {
		return 0; /* advertised already, nothing pending */
	}
	return state_set(g, re, aid, attrs, src);
}

static int group_export(struct bgp_out_group *g, struct bgp_rib_entry *e)
{
	const struct rh_prefix *p = bgp_rib_entry_prefix(e);
	const struct bgp_path *best = bgp_rib_entry_best(e);
	enum bgp_aid aid = aid_of(p->family);
	const struct bgp_attrs *owned = NULL, *a;
	int rc;

	if (!(g->pol.families & BGP_EXPORT_AF(aid)))
		return 0;
	a = best != NULL ? export_path(g, p, best, &owned) : NULL;
	rc = group_set(g, e, aid, a, best != NULL ? best->peer : NULL);
	bgp_attrs_unref(owned);
	return rc;
}

/* ------------------------------------------------------------------ groups */

/* The RIB's holder: an entry stays while a group has state for it. */
static bool out_holds(const struct bgp_rib_entry *e, void *arg)
{
	const struct bgp_rib_out *out = arg;
	uint32_t idx = bgp_rib_entry_index(e);

	for (const struct bgp_out_group *g = out->groups; g != NULL; g = g->next) {
		if (!state_empty(g, idx))
			return true;
	}
	for (const struct bgp_ap_out *ap = out->aps; ap != NULL; ap = ap->next)
		if (bgp_ap_out_holds(ap, e))
			return true;
	return false;
}

struct bgp_rib_out *bgp_rib_out_new(struct bgp_rib *rib)
{
	struct bgp_rib_out *out = calloc(1, sizeof(*out));

	if (out == NULL || bgp_rib_add_holder(rib, out_holds, out) < 0) {
		free(out);
		errno = ENOMEM;
		return NULL;
	}
	out->rib = rib;
	return out;
}

/* Drops every state: the sets' references and the holds on the RIB entries. */
static void group_drop_states(struct bgp_out_group *g)
{
	/* Every state has an advertised set or a pending word: both arrays are walked. */
	for (unsigned k = 0; k < 2; k++) {
		struct bgp_ext *a = k == 0 ? &g->st : &g->pe;

		for (uint32_t c = 0; c < a->n_chunks; c++)
			for (uint32_t i = 0; a->chunks[c] != NULL && i < BGP_EXT_CHUNK; i++) {
				uint32_t x = c * BGP_EXT_CHUNK + i;

				if (state_empty(g, x))
					continue;
				bgp_attrs_unref(state_adv(g, x));
				adv_set(g, x, 0);
				pend_set(g, x, 0); /* may free the chunk: the loop checks */
				bgp_rib_entry_release(g->out->rib,
				                      bgp_rib_entry_at(g->out->rib, x));
			}
	}
	bgp_ext_fini(&g->st);
	bgp_ext_fini(&g->pe);
	free(g->pe_live);
	g->pe_live = NULL;
	g->n_pe_live = 0;
}

static void group_free(struct bgp_out_group *g)
{
	group_drop_states(g);
	for (unsigned aid = 0; aid < BGP_AID_MAX; aid++) {
		if (g->withdraw[aid] != NULL)
			free(g->withdraw[aid]->items);
		free(g->withdraw[aid]);
	}
	while (g->queue != NULL) {
		struct out_bucket *b = g->queue;

		g->queue = b->next;
		bgp_attrs_unref(b->attrs);
		free(b->items);
		free(b);
	}
	amap_fini(&g->buckets);
	cache_clear(g);
	free(g->batch);
	free(g->batch_idx);
	free(g->bids);
	free(g->bfree);
	free(g);
}

void bgp_rib_out_free(struct bgp_rib_out *out)
{
	if (out == NULL)
		return;
	while (out->groups != NULL) {
		struct bgp_out_group *g = out->groups;

		out->groups = g->next;
		group_free(g);
	}
	while (out->aps != NULL)
		bgp_ap_out_free(out->aps);
	bgp_rib_del_holder(out->rib, out_holds, out);
	free(out);
}

static bool policy_equal(const struct bgp_export_policy *a, const struct bgp_export_policy *b)
{
	return a->fn == b->fn && a->arg == b->arg && a->flags == b->flags &&
	       a->families == b->families;
}

static struct bgp_out_group *group_new(struct bgp_rib_out *out, const struct bgp_export_policy *pol)
{
	struct bgp_out_group *g = calloc(1, sizeof(*g));

	if (g == NULL)
		goto nomem;
	g->out = out;
	g->pol = *pol;
	g->queue_tail = &g->queue;
	bgp_ext_init(&g->st, sizeof(uint32_t));
	bgp_ext_init(&g->pe, sizeof(uint32_t));
	for (unsigned aid = 0; aid < BGP_AID_MAX; aid++) {
		g->withdraw[aid] = calloc(1, sizeof(*g->withdraw[aid]));
		if (g->withdraw[aid] == NULL || bucket_id(g, g->withdraw[aid]) < 0) {
			group_free(g);
			goto nomem;
		}
		g->withdraw[aid]->aid = (enum bgp_aid)aid;
	}
	return g;
nomem:
	errno = ENOMEM;
	return NULL;
}

struct bgp_out_group *bgp_rib_out_join(struct bgp_rib_out *out, const struct bgp_export_policy *pol,
                                       bool *created)
{
	struct bgp_out_group *g;

	*created = false;
	for (g = out->groups; g != NULL; g = g->next)
		if (policy_equal(&g->pol, pol)) {
			g->members++;
			return g;
		}
	g = group_new(out, pol);
	if (g == NULL)
		return NULL;
	g->members = 1;
	g->next = out->groups;
	out->groups = g;
	*created = true;
	return g;
}

void bgp_rib_out_leave(struct bgp_rib_out *out, struct bgp_out_group *g)
{
	struct bgp_out_group **pp = &out->groups;

	if (--g->members > 0)
		return;
	while (*pp != g)
		pp = &(*pp)->next;
	*pp = g->next;
	group_free(g);
}

int bgp_rib_out_change(struct bgp_rib_out *out, const struct bgp_rib_change *c)
{
	int rc = 0;

	/* ADD-PATH send: any path of the prefix may have changed (RFC 7911). */
	for (struct bgp_ap_out *ap = out->aps; ap != NULL; ap = ap->next) {
		int r = bgp_ap_out_change(ap, c->entry);

		if (r < 0)
			rc = r;
	}
	/* Without ADD-PATH only the best path is advertised (RFC 4271 9.1.3). */
	if (!c->best_changed)
		return rc;
	for (struct bgp_out_group *g = out->groups; g != NULL; g = g->next) {
		int r = group_export(g, c->entry);

		if (r < 0)
			rc = r;
	}
	return rc;
}

void bgp_rib_out_prefetch(const struct rh_prefix *p, uint32_t hash, void *arg)
{
	/* The groups' state is indexed by the RIB entry, found by the RIB's own prefetch;
	 * entries made in sequence have neighbouring indices, so their words share lines. */
	(void)p;
	(void)hash;
	(void)arg;
}

static int export_entry_cb(struct bgp_rib_entry *e, void *arg)
{
	return group_export(arg, e);
}

static int export_rib(struct bgp_out_group *g)
{
	for (unsigned aid = 0; aid < BGP_AID_MAX; aid++) {
		int rc;

		if (!(g->pol.families & BGP_EXPORT_AF(aid)))
			continue;
		rc = bgp_rib_walk(g->out->rib, family_of((enum bgp_aid)aid), export_entry_cb, g);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int bgp_out_group_start(struct bgp_out_group *g)
{
	/* RFC 4724 2: End-of-RIB follows the initial routing update, once per family. */
	for (unsigned aid = 0; aid < BGP_AID_MAX; aid++)
		if (g->pol.families & BGP_EXPORT_AF(aid))
			g->eor_pending[aid] = true;
	return export_rib(g);
}

struct resend_ctx {
	struct bgp_out_group *g;
	enum bgp_aid aid;
};

static int resend_cb(struct bgp_rib_entry *re, void *arg)
{
	struct resend_ctx *r = arg;
	uint32_t x = bgp_rib_entry_index(re);

	/* A prefix with a change pending is sent anyway; a withdrawal stays one. */
	if (adv_id(r->g, x) == 0 || pend_of(r->g, x) != 0)
		return 0;
	if (pend_set(r->g, x, OUT_FORCED) < 0)
		return -ENOMEM;
	return state_set(r->g, re, r->aid, state_adv(r->g, x), NULL);
}

int bgp_out_group_resend(struct bgp_out_group *g, enum bgp_aid aid, bool eor)
{
	struct resend_ctx r = {.g = g, .aid = aid};

	if ((unsigned)aid >= BGP_AID_MAX)
		return -EINVAL;
	if (eor)
		g->eor_pending[aid] = true;
	return bgp_rib_walk_all(g->out->rib, family_of(aid), resend_cb, &r);
}

static int withdraw_cb(struct bgp_rib_entry *re, void *arg)
{
	struct bgp_out_group *g = arg;

	/* May release re (a pending announcement cancelled), which a walk allows. */
	return group_set(g, re, aid_of(re->node.prefix.family), NULL, NULL);
}

int bgp_out_group_set_policy(struct bgp_out_group *g, const struct bgp_export_policy *pol)
{
	uint32_t dropped = g->pol.families & ~pol->families;
	int rc = 0;

	cache_clear(g);
	g->pol = *pol;
	for (unsigned aid = 0; aid < BGP_AID_MAX && rc == 0; aid++)
		if (dropped & BGP_EXPORT_AF(aid)) {
			g->eor_pending[aid] = false;
			rc = bgp_rib_walk_all(g->out->rib, family_of((enum bgp_aid)aid),
			                      withdraw_cb, g);
		}
	return rc < 0 ? rc : export_rib(g);
}

/* ------------------------------------------------------------------ flush */

static void commit(struct bgp_out_group *g, uint32_t idx)
{
	const struct out_bucket *b = state_bucket(g, idx);
	const struct bgp_attrs *a = b->attrs;
	enum bgp_aid aid = b->aid;
	/* Set: state_set() made the word's chunk when it queued an announcement. */
	uint32_t *w = bgp_ext_peek(&g->st, idx), adv = w != NULL ? *w : 0;

	if (a != NULL && adv == 0)
		g->advertised[aid]++;
	else if (a == NULL && adv != 0)
		g->advertised[aid]--;
	bgp_attrs_unref(bgp_attrs_by_id(adv));
	adv = bgp_attrs_id(a != NULL ? bgp_attrs_ref(a) : NULL);
	if (w != NULL)
		*w = adv;
	bucket_del(g, idx);
	if (adv == 0)
		bgp_rib_entry_release(g->out->rib, bgp_rib_entry_at(g->out->rib, idx));
}

static int batch_room(struct bgp_out_group *g, size_t n)
{
	const struct rh_prefix **b;
	uint32_t *x;

	if (g->batch_cap >= n)
		return 0;
	b = realloc(g->batch, n * sizeof(*b));
	if (b == NULL)
		return -ENOMEM;
	g->batch = b;
	x = realloc(g->batch_idx, n * sizeof(*x));
	if (x == NULL)
		return -ENOMEM;
	g->batch_idx = x;
	g->batch_cap = n;
	return 0;
}

/* The next live indices of b, at most max, into g->batch and g->batch_idx. */
static size_t gather(struct bgp_out_group *g, struct out_bucket *b, size_t max, size_t *next)
{
	size_t n = 0, i = b->pos;

	for (; i < b->n_items && n < max; i++) {
		uint32_t x = b->items[i];
		uint32_t *w = bgp_ext_peek(&g->pe, x);

		/* Set, non-zero: the flag changes no chunk's count. */
		if (w == NULL || *w >> OUT_SHIFT != b->id || (*w & OUT_GATHERED))
			continue;
		*w |= OUT_GATHERED;
		g->batch_idx[n] = b->items[i];
		g->batch[n++] = bgp_rib_entry_prefix(bgp_rib_entry_at(g->out->rib, b->items[i]));
	}
	*next = i;
	return n;
}

/* Hands out a bucket's prefixes in batches; the bucket may be gone on return. */
static long flush_bucket(struct bgp_out_group *g, struct out_bucket *b, size_t max,
                         bgp_out_batch_cb cb, void *arg)
{
	long total = 0;

	while (b->count > 0) {
		struct bgp_out_batch batch = {
		        .aid = b->aid,
		        .withdraw = b->attrs == NULL,
		        .attrs = b->attrs,
		        .src = b->src,
		        .prefixes = g->batch,
		};
		size_t next;
		bool last;
		int rc;

		batch.n = gather(g, b, max, &next);
		if (batch.n == 0)
			break; /* cannot happen: count says some are queued */
		rc = cb(&batch, arg);
		if (rc < 0) {
			for (size_t i = 0; i < batch.n; i++)
				*(uint32_t *)bgp_ext_peek(&g->pe, g->batch_idx[i]) &= ~OUT_GATHERED;
			return rc;
		}
		b->pos = next;
		last = batch.n == b->count;
		for (size_t i = 0; i < batch.n; i++)
			commit(g, g->batch_idx[i]);
		total += (long)batch.n;
		if (last)
			break;
	}
	return total;
}

long bgp_out_group_flush(struct bgp_out_group *g, size_t max_batch, bgp_out_batch_cb cb, void *arg)
{
	long total = 0, n;

	if (max_batch == 0)
		return -EINVAL;
	if (batch_room(g, max_batch) < 0)
		return -ENOMEM;
	for (unsigned aid = 0; aid < BGP_AID_MAX; aid++) {
		n = flush_bucket(g, g->withdraw[aid], max_batch, cb, arg);
		if (n < 0)
			return n;
		total += n;
	}
	while (g->queue != NULL) {
		n = flush_bucket(g, g->queue, max_batch, cb, arg);
		if (n < 0)
			return n;
		total += n;
	}
	for (unsigned aid = 0; aid < BGP_AID_MAX; aid++) {
		struct bgp_out_batch eor = {.aid = (enum bgp_aid)aid, .eor = true};
		int rc;

		if (!g->eor_pending[aid] || g->pending[aid] != 0)
			continue;
		rc = cb(&eor, arg);
		if (rc < 0)
			return rc;
		g->eor_pending[aid] = false;
	}
	return total;
}

struct dump_item {
	const struct bgp_attrs *attrs;
	const struct rh_prefix *p;
};

struct dump_ctx {
	struct bgp_out_group *g;
	struct dump_item *items;
	size_t n, cap;
};

static int dump_collect(struct bgp_rib_entry *re, void *arg)
{
	struct dump_ctx *d = arg;
	const struct bgp_attrs *adv = state_adv(d->g, bgp_rib_entry_index(re));

	if (adv != NULL && d->n < d->cap)
		d->items[d->n++] = (struct dump_item){.attrs = adv, .p = bgp_rib_entry_prefix(re)};
	return 0;
}

static int dump_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const struct dump_item *)a)->attrs;
	uintptr_t y = (uintptr_t)((const struct dump_item *)b)->attrs;

	return x < y ? -1 : x > y;
}

/* Hands out d's items, sorted by set, in batches of at most max sharing one set. */
static long dump_emit(struct bgp_out_group *g, struct dump_ctx *d, enum bgp_aid aid, size_t max,
                      bgp_out_batch_cb cb, void *arg)
{
	size_t i = 0;

	while (i < d->n) {
		struct bgp_out_batch b = {
		        .aid = aid, .attrs = d->items[i].attrs, .prefixes = g->batch};
		int rc;

		while (i < d->n && b.n < max && d->items[i].attrs == b.attrs)
			g->batch[b.n++] = d->items[i++].p;
		rc = cb(&b, arg);
		if (rc < 0)
			return rc;
	}
	return (long)d->n;
}

long bgp_out_group_dump(struct bgp_out_group *g, enum bgp_aid aid, size_t max_batch, bool eor,
                        bgp_out_batch_cb cb, void *arg)
{
	struct dump_ctx d = {.g = g};
	long n;

	if ((unsigned)aid >= BGP_AID_MAX || max_batch == 0)
		return -EINVAL;
	if (batch_room(g, max_batch) < 0)
		return -ENOMEM;
	if (g->advertised[aid] > 0) {
		d.cap = g->advertised[aid];
		d.items = malloc(d.cap * sizeof(*d.items));
		if (d.items == NULL)
			return -ENOMEM;
		bgp_rib_walk_all(g->out->rib, family_of(aid), dump_collect, &d);
		qsort(d.items, d.n, sizeof(*d.items), dump_cmp);
	}
	n = dump_emit(g, &d, aid, max_batch, cb, arg);
	free(d.items);
	if (n >= 0 && eor) {
		struct bgp_out_batch b = {.aid = aid, .eor = true};
		int rc = cb(&b, arg);

		if (rc < 0)
			return rc;
	}
	return n;
}

size_t bgp_out_group_pending(const struct bgp_out_group *g)
{
	size_t n = 0;

	for (unsigned aid = 0; aid < BGP_AID_MAX; aid++)
		n += g->pending[aid];
	return n;
}

const struct bgp_attrs *bgp_out_group_advertised(struct bgp_out_group *g, const struct rh_prefix *p)
{
	struct bgp_rib_entry *re = bgp_rib_entry_find(g->out->rib, p);
	return re != NULL ? state_adv(g, bgp_rib_entry_index(re)) : NULL;
}

size_t bgp_out_group_memory(const struct bgp_out_group *g)
{
	return bgp_ext_memory(&g->st) + bgp_ext_memory(&g->pe) + g->buckets.n * sizeof(void *) +
	       sizeof(*g);
}

/* ------------------------------------------------------------------ helpers */

const struct bgp_attrs *bgp_export_ebgp_attrs(const struct bgp_attrs *in, uint32_t local_as,
                                              const struct rh_addr *next_hop_self)
{
	struct bgp_attrs *a = bgp_attrs_dup(in);
	int rc;

	if (a == NULL)
		return NULL;
	rc = bgp_aspath_prepend(a, local_as, 1); /* RFC 4271 5.1.2 */
	if (rc < 0) {
		bgp_attrs_free(a);
		errno = -rc;
		return NULL;
	}
	if (next_hop_self != NULL) { /* 5.1.3 */
		a->next_hop = *next_hop_self;
		memset(&a->next_hop_ll, 0, sizeof(a->next_hop_ll));
		a->flags |= BGP_ATTRS_NEXT_HOP;
	}
	/* 5.1.4: a MED received from a neighbour AS is not passed to another one; 5.1.5:
	 * LOCAL_PREF is not sent to external peers; RFC 4456 8: ORIGINATOR_ID and
	 * CLUSTER_LIST stay inside the AS. */
	a->flags &= (uint16_t) ~(BGP_ATTRS_MED | BGP_ATTRS_LOCAL_PREF | BGP_ATTRS_ORIGINATOR);
	a->med = 0;
	a->local_pref = 0;
	a->originator_id = 0;
	free(a->cluster);
	a->cluster = NULL;
	a->n_cluster = 0;
	return bgp_attrs_intern(a);
}

const struct bgp_attrs *bgp_export_ibgp_attrs(const struct bgp_path *best,
                                              uint32_t default_local_pref, uint32_t cluster_id)
{
	struct bgp_attrs *a = bgp_attrs_dup(best->attrs);

	if (a == NULL)
		return NULL;
	if (!(a->flags & BGP_ATTRS_LOCAL_PREF)) {
		a->flags |= BGP_ATTRS_LOCAL_PREF;
		a->local_pref = default_local_pref;
	}
	if (cluster_id != 0 && !best->peer->ebgp) {
		uint32_t *cl = malloc(((size_t)a->n_cluster + 1) * sizeof(*cl));

		if (cl == NULL || a->n_cluster == UINT16_MAX) {
			free(cl);
			bgp_attrs_free(a);
			errno = cl == NULL ? ENOMEM : E2BIG;
			return NULL;
		}
		if (!(a->flags & BGP_ATTRS_ORIGINATOR)) {
			a->flags |= BGP_ATTRS_ORIGINATOR;
			a->originator_id = best->peer->bgp_id;
		}
		cl[0] = cluster_id;
		if (a->n_cluster > 0)
			memcpy(cl + 1, a->cluster, a->n_cluster * sizeof(*cl));
		free(a->cluster);
		a->cluster = cl;
		a->n_cluster++;
	}
	return bgp_attrs_intern(a);
}
