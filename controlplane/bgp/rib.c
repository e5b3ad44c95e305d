/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Adj-RIBs-In and Loc-RIB (see rib.h). Every update touches one entry: find or create it,
 * find the peer's path in its short list, re-sort that one path, re-mark the best and the
 * multipath set, and report what changed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rib.h"

static int family_index(uint8_t family)
{
	switch (family) {
	case RH_AF_INET:
		return 0;
	case RH_AF_INET6:
		return 1;
	default:
		return -1;
	}
}

void bgp_rib_peer_init(struct bgp_rib_peer *peer, uint32_t id, const struct rh_addr *addr,
                       uint32_t asn, uint32_t bgp_id, bool ebgp)
{
	memset(peer, 0, sizeof(*peer));
	peer->id = id;
	peer->addr = *addr;
	peer->asn = asn;
	peer->bgp_id = bgp_id;
	peer->ebgp = ebgp;
}

bool bgp_rib_peer_over_limit(const struct bgp_rib_peer *peer, size_t incoming)
{
	/* R11: "the routes held plus the routes in the incoming UPDATE". */
	return peer->max_prefix != 0 && (size_t)peer->n_paths + incoming > peer->max_prefix;
}

struct bgp_rib *bgp_rib_new(const struct bgp_decision_cfg *cfg, bgp_rib_change_cb cb, void *arg)
{
	struct bgp_rib *rib = calloc(1, sizeof(*rib));

	if (rib == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	if (cfg != NULL)
		rib->cfg = *cfg;
	else
		bgp_decision_defaults(&rib->cfg);
	rib->change_cb = cb;
	rib->change_arg = arg;
	bgp_ipool_init(&rib->entries, sizeof(struct bgp_rib_entry));
	for (unsigned i = 0; i < 2; i++)
		bgp_ptable_init_indexed(&rib->table[i], &rib->entries,
		                        offsetof(struct bgp_rib_entry, node));
	bgp_pool_init(&rib->paths, sizeof(struct bgp_path));
	return rib;
}

static void peer_unlink(struct bgp_path *p, int af)
{
	p->peer->n_paths--;
	p->peer->n_paths_af[af]--;
}

static void peer_link(struct bgp_rib_peer *peer, struct bgp_path *p, int af)
{
	p->peer = peer;
	peer->n_paths++;
	peer->n_paths_af[af]++;
}

static int free_entry_cb(struct bgp_pnode *n, void *arg)
{
	struct bgp_rib *rib = arg;
	struct bgp_rib_entry *e = container_of(n, struct bgp_rib_entry, node);
	struct bgp_path *p = e->paths, *next;

	for (; p != NULL; p = next) {
		next = p->next;
		peer_unlink(p, family_index(e->node.prefix.family));
		bgp_attrs_unref(p->attrs);
		bgp_pool_put(&rib->paths, p);
	}
	return 0;
}

void bgp_rib_free(struct bgp_rib *rib)
{
	if (rib == NULL)
		return;
	for (unsigned i = 0; i < 2; i++) {
		bgp_ptable_walk(&rib->table[i], free_entry_cb, rib);
		bgp_ptable_fini(&rib->table[i]);
	}
	bgp_ipool_fini(&rib->entries);
	bgp_pool_fini(&rib->paths);
	free(rib);
}

struct bgp_rib_entry *bgp_rib_entry_find_hashed(struct bgp_rib *rib, const struct rh_prefix *p,
                                                uint32_t hash)
{
	int af = family_index(p->family);
	struct bgp_pnode *n;

	if (af < 0)
		return NULL;
	n = bgp_ptable_lookup(&rib->table[af], p, hash);
	return n != NULL ? container_of(n, struct bgp_rib_entry, node) : NULL;
}

struct bgp_rib_entry *bgp_rib_entry_find(struct bgp_rib *rib, const struct rh_prefix *p)
{
	return bgp_rib_entry_find_hashed(rib, p, bgp_prefix_hash(p));
}

struct bgp_rib_entry *bgp_rib_lookup(struct bgp_rib *rib, const struct rh_prefix *p)
{
	struct bgp_rib_entry *e = bgp_rib_entry_find(rib, p);

	return e != NULL && e->paths != NULL ? e : NULL;
}

struct bgp_path *bgp_rib_path_find(const struct bgp_rib_entry *e, const struct bgp_rib_peer *peer,
                                   uint32_t path_id)
{
	for (struct bgp_path *p = e->paths; p != NULL; p = p->next)
		if (p->peer == peer && p->path_id == path_id)
			return p;
	return NULL;
}

/*
 * Re-marks the best path and the multipath set of e after `changed` (a path added with
 * new attributes, replaced, removed; NULL for a re-sort) and reports the outcome.
 * `was_mp` tells whether `changed` was in the multipath set before the change.
 */
static void settle(struct bgp_rib *rib, struct bgp_rib_entry *e, const struct bgp_path *old_best,
                   const struct bgp_attrs *old_attrs, const struct bgp_path *changed, bool was_mp)
{
	struct bgp_rib_change c = {.entry = e, .old_best = old_best, .old_attrs = old_attrs};

	c.mp_changed = bgp_decision_mark(&rib->cfg, e);
	c.new_best = bgp_rib_entry_best(e);
	c.best_changed =
	        c.new_best != old_best || (c.new_best != NULL && c.new_best->attrs != old_attrs);
	/* A member that left, or whose attributes (next hop) changed, changes the set. */
	if (changed != NULL && (was_mp || (changed->flags & BGP_PATH_MULTIPATH)))
		c.mp_changed = true;
	if ((c.best_changed || c.mp_changed) && rib->change_cb != NULL)
		rib->change_cb(rib, &c, rib->change_arg);
}

static void entry_unlink_path(struct bgp_rib_entry *e, struct bgp_path *p)
{
	struct bgp_path **pp = &e->paths;

	while (*pp != p)
		pp = &(*pp)->next;
	*pp = p->next;
	p->next = NULL;
}

static void entry_free(struct bgp_rib *rib, struct bgp_rib_entry *e, int af)
{
	bgp_ptable_remove(&rib->table[af], &e->node);
	bgp_ipool_put(&rib->entries, bgp_ipool_index(e));
}

static bool entry_held(const struct bgp_rib *rib, const struct bgp_rib_entry *e)
{
	for (unsigned i = 0; i < rib->n_holders; i++)
		if (rib->holders[i].fn(e, rib->holders[i].arg))
			return true;
	return false;
}

int bgp_rib_add_holder(struct bgp_rib *rib, bgp_rib_holder_fn fn, void *arg)
{
	if (rib->n_holders == BGP_RIB_MAX_HOLDERS)
		return -ENOSPC;
	rib->holders[rib->n_holders].fn = fn;
	rib->holders[rib->n_holders].arg = arg;
	rib->n_holders++;
	return 0;
}

void bgp_rib_del_holder(struct bgp_rib *rib, bgp_rib_holder_fn fn, void *arg)
{
	for (unsigned i = 0; i < rib->n_holders; i++)
		if (rib->holders[i].fn == fn && rib->holders[i].arg == arg) {
			rib->holders[i] = rib->holders[--rib->n_holders];
			return;
		}
}

/* After e lost its last path: frees it unless a holder holds it. */
static void entry_release(struct bgp_rib *rib, struct bgp_rib_entry *e, int af)
{
	if (e->paths != NULL)
		return;
	if (!entry_held(rib, e))
		entry_free(rib, e, af);
	else
		rib->n_empty[af]++;
}

void bgp_rib_entry_release(struct bgp_rib *rib, struct bgp_rib_entry *e)
{
	int af = family_index(e->node.prefix.family);

	/* The entry being settled is decided on once the change is reported. */
	if (e->paths != NULL || e == rib->settling || entry_held(rib, e))
		return;
	rib->n_empty[af]--;
	entry_free(rib, e, af);
}

/* The entry of p, created (*created) without paths if there is none. */
static struct bgp_rib_entry *entry_get(struct bgp_rib *rib, int af, const struct rh_prefix *p,
                                       uint32_t h, bool *created)
{
	struct bgp_pnode *n = bgp_ptable_lookup(&rib->table[af], p, h);
	struct bgp_rib_entry *e;
	uint32_t idx;

	*created = n == NULL;
	if (n != NULL)
		return container_of(n, struct bgp_rib_entry, node);
	e = bgp_ipool_get(&rib->entries, &idx);
	if (e == NULL)
		return NULL;
	e->node.hash = h;
	e->node.prefix = *p;
	e->paths = NULL;
	if (bgp_ptable_insert(&rib->table[af], &e->node) < 0) {
		bgp_ipool_put(&rib->entries, idx);
		errno = ENOMEM;
		return NULL;
	}
	return e;
}

static void path_replace(struct bgp_rib *rib, struct bgp_rib_entry *e, struct bgp_path *p,
                         const struct bgp_attrs *attrs)
{
	struct bgp_path *old_best = bgp_rib_entry_best(e);
	const struct bgp_attrs *old_attrs = old_best != NULL ? old_best->attrs : NULL;
	const struct bgp_attrs *prev = p->attrs;
	bool was_mp = p->flags & BGP_PATH_MULTIPATH;

	p->attrs = bgp_attrs_ref(attrs);
	/* Moving to its new place is enough: the other paths keep their order. */
	if (e->paths != p || p->next != NULL) {
		entry_unlink_path(e, p);
		bgp_decision_insert(&rib->cfg, e, p);
	}
	settle(rib, e, old_best, old_attrs, p, was_mp);
	bgp_attrs_unref(prev);
}

static int update_hashed(struct bgp_rib *rib, struct bgp_rib_peer *peer, const struct rh_prefix *p,
                         uint32_t h, uint32_t path_id, const struct bgp_attrs *attrs)
{
	int af = family_index(p->family);
	struct bgp_rib_entry *e;
	struct bgp_path *path, *old_best;
	bool created, held;

	if (af < 0)
		return -EAFNOSUPPORT;
	e = entry_get(rib, af, p, h, &created);
	if (e == NULL)
		return -ENOMEM;
	/* An entry without paths that was there already is one a holder keeps. */
	held = !created && e->paths == NULL;
	path = bgp_rib_path_find(e, peer, path_id);
	if (path != NULL) {
		path->flags &= ~(uint32_t)BGP_PATH_STALE;
		if (path->attrs != attrs)
			path_replace(rib, e, path, attrs);
		return 0;
	}
	path = bgp_pool_get(&rib->paths);
	if (path == NULL) {
		if (e->paths == NULL && !held)
			entry_free(rib, e, af);
		return -ENOMEM;
	}
	if (e->paths == NULL && held)
		rib->n_empty[af]--; /* a held entry without paths gets one again */
	old_best = bgp_rib_entry_best(e);
	path->attrs = bgp_attrs_ref(attrs);
	path->path_id = path_id;
	path->flags = 0;
	peer_link(peer, path, af);
	rib->n_paths++;
	bgp_decision_insert(&rib->cfg, e, path);
	settle(rib, e, old_best, old_best != NULL ? old_best->attrs : NULL, path, false);
	if (peer->max_prefix != 0 && peer->n_paths > peer->max_prefix && !peer->limit_fired) {
		peer->limit_fired = true;
		if (peer->limit_cb != NULL)
			peer->limit_cb(peer, peer->limit_arg);
	}
	return 0;
}

int bgp_rib_update(struct bgp_rib *rib, struct bgp_rib_peer *peer, const struct rh_prefix *p,
                   uint32_t path_id, const struct bgp_attrs *attrs)
{
	return update_hashed(rib, peer, p, bgp_prefix_hash(p), path_id, attrs);
}

/* How far ahead a batch fetches slots, and entries (half as far). */
#define RIB_AHEAD 8

static void prefetch(const struct bgp_rib *rib, const struct rh_prefix *p, uint32_t h, bool node)
{
	int af = family_index(p->family);

	if (af < 0)
		return;
	if (node) {
		bgp_ptable_prefetch_node(&rib->table[af], h);
	} else {
		bgp_ptable_prefetch(&rib->table[af], h);
		if (rib->prefetch_cb != NULL)
			rib->prefetch_cb(p, h, rib->prefetch_arg);
	}
}

/*
 * Walks p[0..n-1] with their hashes, fetching slots RIB_AHEAD prefixes ahead and entries
 * RIB_AHEAD / 2 ahead, and calls fn on each; stops at the first negative return.
 */
static int batch_walk(struct bgp_rib *rib, const struct rh_prefix *p, size_t n,
                      int (*fn)(struct bgp_rib *rib, size_t i, uint32_t h, void *arg), void *arg)
{
	uint32_t ring[RIB_AHEAD];

	for (size_t i = 0; i < n && i < RIB_AHEAD; i++) {
		ring[i] = bgp_prefix_hash(&p[i]);
		prefetch(rib, &p[i], ring[i], false);
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t h = ring[i % RIB_AHEAD];
		size_t near = i + RIB_AHEAD / 2;
		int rc;

		if (i + RIB_AHEAD < n) {
			ring[i % RIB_AHEAD] = bgp_prefix_hash(&p[i + RIB_AHEAD]);
			prefetch(rib, &p[i + RIB_AHEAD], ring[i % RIB_AHEAD], false);
		}
		if (near < n)
			prefetch(rib, &p[near], ring[near % RIB_AHEAD], true);
		rc = fn(rib, i, h, arg);
		if (rc < 0)
			return rc;
	}
	return 0;
}

struct batch_ctx {
	struct bgp_rib_peer *peer;
	const struct rh_prefix *p;
	const uint32_t *path_ids;
	const struct bgp_attrs *attrs;
	size_t found;
};

static int batch_update(struct bgp_rib *rib, size_t i, uint32_t h, void *arg)
{
	struct batch_ctx *b = arg;

	return update_hashed(rib, b->peer, &b->p[i], h, b->path_ids != NULL ? b->path_ids[i] : 0,
	                     b->attrs);
}

int bgp_rib_update_batch(struct bgp_rib *rib, struct bgp_rib_peer *peer, const struct rh_prefix *p,
                         const uint32_t *path_ids, size_t n, const struct bgp_attrs *attrs)
{
	struct batch_ctx b = {.peer = peer, .p = p, .path_ids = path_ids, .attrs = attrs};

	return batch_walk(rib, p, n, batch_update, &b);
}

/* Removes one path, reports the change, and frees the entry when it was the last path. */
static void path_remove(struct bgp_rib *rib, struct bgp_rib_entry *e, struct bgp_path *p)
{
	int af = family_index(e->node.prefix.family);
	struct bgp_path *old_best = bgp_rib_entry_best(e);
	bool was_mp = p->flags & BGP_PATH_MULTIPATH;

	entry_unlink_path(e, p);
	peer_unlink(p, af);
	rib->n_paths--;
	/* p stays readable through the callback as the old best; e stays too, whatever
	 * holds the callback drops. */
	p->flags &= ~(uint32_t)(BGP_PATH_BEST | BGP_PATH_MULTIPATH);
	rib->settling = e;
	settle(rib, e, old_best, old_best != NULL ? old_best->attrs : NULL, p, was_mp);
	rib->settling = NULL;
	bgp_attrs_unref(p->attrs);
	bgp_pool_put(&rib->paths, p);
	entry_release(rib, e, af);
}

static int withdraw_hashed(struct bgp_rib *rib, struct bgp_rib_peer *peer,
                           const struct rh_prefix *p, uint32_t h, uint32_t path_id)
{
	int af = family_index(p->family);
	struct bgp_pnode *n = af >= 0 ? bgp_ptable_lookup(&rib->table[af], p, h) : NULL;
	struct bgp_rib_entry *e;
	struct bgp_path *path;

	if (n == NULL)
		return -ENOENT;
	e = container_of(n, struct bgp_rib_entry, node);
	path = bgp_rib_path_find(e, peer, path_id);
	if (path == NULL)
		return -ENOENT;
	path_remove(rib, e, path);
	return 0;
}

int bgp_rib_withdraw(struct bgp_rib *rib, struct bgp_rib_peer *peer, const struct rh_prefix *p,
                     uint32_t path_id)
{
	return withdraw_hashed(rib, peer, p, bgp_prefix_hash(p), path_id);
}

static int batch_withdraw(struct bgp_rib *rib, size_t i, uint32_t h, void *arg)
{
	struct batch_ctx *b = arg;

	if (withdraw_hashed(rib, b->peer, &b->p[i], h, b->path_ids != NULL ? b->path_ids[i] : 0) ==
	    0)
		b->found++;
	return 0;
}

size_t bgp_rib_withdraw_batch(struct bgp_rib *rib, struct bgp_rib_peer *peer,
                              const struct rh_prefix *p, const uint32_t *path_ids, size_t n)
{
	struct batch_ctx b = {.peer = peer, .p = p, .path_ids = path_ids};

	batch_walk(rib, p, n, batch_withdraw, &b);
	return b.found;
}

struct peer_ctx {
	struct bgp_rib *rib;
	const struct bgp_rib_peer *peer;
	int (*cb)(struct bgp_rib_entry *e, struct bgp_path *p, void *arg);
	void *arg;
	uint32_t mask; /* remove the peer's paths with (flags & mask) == want */
	uint32_t want;
	size_t n, left;
};

static int peer_walk_cb(struct bgp_rib_entry *e, void *arg)
{
	struct peer_ctx *w = arg;

	for (struct bgp_path *p = e->paths; p != NULL; p = p->next)
		if (p->peer == w->peer) {
			int rc = w->cb(e, p, w->arg);

			if (rc != 0)
				return rc;
			if (--w->left == 0)
				return 1;
		}
	return 0;
}

static int peer_walk(struct bgp_rib *rib, struct peer_ctx *w)
{
	int rc = 0;

	w->left = w->peer->n_paths;
	for (unsigned af = 0; af < 2 && rc == 0 && w->left > 0; af++)
		rc = bgp_rib_walk(rib, af == 0 ? RH_AF_INET : RH_AF_INET6, peer_walk_cb, w);
	return rc == 1 ? 0 : rc;
}

int bgp_rib_peer_walk(struct bgp_rib *rib, const struct bgp_rib_peer *peer,
                      int (*cb)(struct bgp_rib_entry *e, struct bgp_path *p, void *arg), void *arg)
{
	struct peer_ctx w = {.rib = rib, .peer = peer, .cb = cb, .arg = arg};

	return peer_walk(rib, &w);
}

/*
 * Removes the peer's paths of e whose flags match; e may be freed by the last one (the
 * walk allows it for the entry it is on), so nothing of e is read after that.
 */
static int peer_remove_cb(struct bgp_rib_entry *e, void *arg)
{
	struct peer_ctx *w = arg;
	struct bgp_path *p = e->paths;

	while (p != NULL) {
		bool last;

		if (p->peer != w->peer) {
			p = p->next;
			continue;
		}
		if ((p->flags & w->mask) != w->want) {
			p = p->next;
			continue;
		}
		w->left--;
		/* The removal re-sorts the list: start again from its head, unless it was
		 * the entry's last path. */
		last = e->paths == p && p->next == NULL;
		path_remove(w->rib, e, p);
		w->n++;
		if (last)
			break;
		p = e->paths;
	}
	return w->left == 0 ? 1 : 0;
}

static int peer_remove_node_cb(struct bgp_pnode *n, void *arg)
{
	struct bgp_rib_entry *e = container_of(n, struct bgp_rib_entry, node);

	return e->paths != NULL ? peer_remove_cb(e, arg) : 0;
}

/* family: RH_AF_INET or RH_AF_INET6, 0 for both. */
static size_t peer_remove_matching(struct bgp_rib *rib, struct bgp_rib_peer *peer, uint32_t mask,
                                   uint32_t want, uint8_t family)
{
	struct peer_ctx w = {.rib = rib, .peer = peer, .mask = mask, .want = want};

	for (unsigned af = 0; af < 2; af++) {
		if (family != 0 && family_index(family) != (int)af)
			continue;
		w.left = peer->n_paths_af[af];
		if (w.left > 0)
			bgp_ptable_walk(&rib->table[af], peer_remove_node_cb, &w);
	}
	return w.n;
}

size_t bgp_rib_peer_remove(struct bgp_rib *rib, struct bgp_rib_peer *peer)
{
	size_t n = peer_remove_matching(rib, peer, 0, 0, 0);

	peer->limit_fired = false;
	return n;
}

static int mark_cb(struct bgp_rib_entry *e, struct bgp_path *p, void *arg)
{
	(void)e;
	p->flags |= BGP_PATH_STALE;
	(*(size_t *)arg)++;
	return 0;
}

size_t bgp_rib_peer_mark_stale(struct bgp_rib *rib, struct bgp_rib_peer *peer)
{
	size_t n = 0;

	bgp_rib_peer_walk(rib, peer, mark_cb, &n);
	return n;
}

size_t bgp_rib_peer_sweep_stale(struct bgp_rib *rib, struct bgp_rib_peer *peer)
{
	return bgp_rib_peer_sweep_stale_family(rib, peer, 0);
}

size_t bgp_rib_peer_sweep_stale_family(struct bgp_rib *rib, struct bgp_rib_peer *peer,
                                       uint8_t family)
{
	return peer_remove_matching(rib, peer, BGP_PATH_STALE, BGP_PATH_STALE, family);
}

enum bgp_decision_step bgp_rib_path_why(const struct bgp_rib *rib, const struct bgp_rib_entry *e,
                                        const struct bgp_path *p)
{
	return bgp_decision_why(&rib->cfg, e, p);
}

void bgp_rib_redecide(struct bgp_rib *rib, struct bgp_rib_entry *e)
{
	struct bgp_path *old_best = bgp_rib_entry_best(e);

	bgp_decision_sort(&rib->cfg, e);
	settle(rib, e, old_best, old_best != NULL ? old_best->attrs : NULL, NULL, false);
}

static int redecide_cb(struct bgp_rib_entry *e, void *arg)
{
	bgp_rib_redecide(arg, e);
	return 0;
}

void bgp_rib_redecide_all(struct bgp_rib *rib)
{
	bgp_rib_walk(rib, RH_AF_INET, redecide_cb, rib);
	bgp_rib_walk(rib, RH_AF_INET6, redecide_cb, rib);
}

struct walk_ctx {
	int (*cb)(struct bgp_rib_entry *e, void *arg);
	void *arg;
};

static int walk_cb(struct bgp_pnode *n, void *arg)
{
	struct walk_ctx *w = arg;
	struct bgp_rib_entry *e = container_of(n, struct bgp_rib_entry, node);

	return e->paths != NULL ? w->cb(e, w->arg) : 0;
}

static int walk_all_cb(struct bgp_pnode *n, void *arg)
{
	struct walk_ctx *w = arg;

	return w->cb(container_of(n, struct bgp_rib_entry, node), w->arg);
}

int bgp_rib_walk_all(struct bgp_rib *rib, uint8_t family,
                     int (*cb)(struct bgp_rib_entry *e, void *arg), void *arg)
{
	struct walk_ctx w = {.cb = cb, .arg = arg};
	int af = family_index(family);

	if (af < 0)
		return -EAFNOSUPPORT;
	return bgp_ptable_walk(&rib->table[af], walk_all_cb, &w);
}

struct bgp_rib_entry *bgp_rib_entry_get(struct bgp_rib *rib, const struct rh_prefix *p)
{
	int af = family_index(p->family);
	struct bgp_rib_entry *e;
	bool created;

	if (af < 0) {
		errno = EAFNOSUPPORT;
		return NULL;
	}
	e = entry_get(rib, af, p, bgp_prefix_hash(p), &created);
	if (e != NULL && created)
		rib->n_empty[af]++; /* new: counted as held, which the caller is about to */
	return e;
}

int bgp_rib_walk(struct bgp_rib *rib, uint8_t family, int (*cb)(struct bgp_rib_entry *e, void *arg),
                 void *arg)
{
	struct walk_ctx w = {.cb = cb, .arg = arg};
	int af = family_index(family);

	if (af < 0)
		return -EAFNOSUPPORT;
	return bgp_ptable_walk(&rib->table[af], walk_cb, &w);
}

size_t bgp_rib_prefix_count(const struct bgp_rib *rib, uint8_t family)
{
	int af = family_index(family);

	return af < 0 ? 0 : rib->table[af].count - rib->n_empty[af];
}

size_t bgp_rib_path_count(const struct bgp_rib *rib)
{
	return rib->n_paths;
}

size_t bgp_rib_memory(const struct bgp_rib *rib)
{
	return bgp_ptable_memory(&rib->table[0]) + bgp_ptable_memory(&rib->table[1]) +
	       bgp_ipool_memory(&rib->entries) + bgp_pool_memory(&rib->paths) + sizeof(*rib);
}
