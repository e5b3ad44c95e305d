/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Effective routes (R17): for one prefix, every candidate — the VNet space, each part's
 * own routes (sessions, VPN static prefixes; never the exchanged copies, which are the
 * same routes seen from another part), and the routes the import rules refused — goes
 * through hub_select() (R3, R8, R13). What is active, from which source and through which
 * next hops (R2: the BGP next hop as advertised) is kept per prefix, and a change is
 * reported with ops->effective_changed. Only the prefixes an UPDATE touched are computed
 * again; a change of preference is the one global recomputation.
 *
 * Next-hop sets are interned, so that a million prefixes behind one NVA share one set
 * and the state of a prefix is a few words.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp.h"
#include "hub_internal.h"

#define HUB_MAX_CAND 64

/* One candidate route of a prefix, and where it comes from. */
struct eff_cand {
	struct hub_candidate c;
	const struct hub_rpeer *rp;    /* NULL for the VNet space */
	const struct bgp_attrs *attrs; /* NULL for the VNet space */
	bool stale;                    /* kept across the peer's graceful restart */
};

/* ------------------------------------------------------------------ next-hop sets */

static uint32_t nh_hash(const struct rh_addr *nh, unsigned n)
{
	uint32_t h = 2166136261u;
	const uint8_t *b = (const uint8_t *)nh;

	for (size_t i = 0; i < n * sizeof(*nh); i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

/* Gives s an id (its index in h->nh_ids, never 0). 0 or -ENOMEM. */
static int nhset_id(struct hub *h, struct hub_nhset *s)
{
	if (h->n_nh_free > 0) {
		s->id = h->nh_free[--h->n_nh_free];
		h->nh_ids[s->id] = s;
		return 0;
	}
	if (h->n_nh_ids == 0)
		h->n_nh_ids = 1; /* [0] stands for no set */
	if (h->n_nh_ids > HUB_MAX_NHSETS)
		return -ENOMEM;
	if (h->n_nh_ids >= h->cap_nh_ids) {
		uint32_t cap = h->cap_nh_ids != 0 ? 2 * h->cap_nh_ids : 64;
		struct hub_nhset **v = realloc(h->nh_ids, cap * sizeof(*v));
		uint32_t *f;

		if (v == NULL)
			return -ENOMEM;
		h->nh_ids = v;
		f = realloc(h->nh_free, cap * sizeof(*f));
		if (f == NULL)
			return -ENOMEM;
		h->nh_free = f;
		h->cap_nh_ids = cap;
	}
	s->id = h->n_nh_ids++;
	h->nh_ids[s->id] = s;
	return 0;
}

static struct hub_nhset *nhset_of(const struct hub *h, uint32_t id)
{
	return id != 0 ? h->nh_ids[id] : NULL;
}

static struct hub_nhset *nhset_get(struct hub *h, const struct rh_addr *nh, unsigned n)
{
	uint32_t hash;
	struct hub_nhset **b, *s = h->nh_last;

	/* The prefixes of an UPDATE (a million from one feeder) nearly always share the set
	 * of the previous one: compare with it before hashing (the byte-wise hash was 4 % of
	 * the control plane's CPU in bgp.sh). */
	if (s != NULL && s->n == n && memcmp(s->nh, nh, n * sizeof(*nh)) == 0) {
		s->refcnt++;
		return s;
	}
	hash = nh_hash(nh, n);
	b = &h->nhsets[hash % HUB_NHSET_BUCKETS];

	for (s = *b; s != NULL; s = s->next)
		if (s->hash == hash && s->n == n && memcmp(s->nh, nh, n * sizeof(*nh)) == 0) {
			s->refcnt++;
			h->nh_last = s;
			return s;
		}
	s = malloc(sizeof(*s) + n * sizeof(*nh));
	if (s == NULL || nhset_id(h, s) < 0) {
		free(s);
		return NULL;
	}
	s->refcnt = 1;
	s->hash = hash;
	s->n = n;
	memcpy(s->nh, nh, n * sizeof(*nh));
	s->next = *b;
	*b = s;
	h->nh_last = s;
	return s;
}

static void nhset_put(struct hub *h, struct hub_nhset *cs)
{
	struct hub_nhset **pp;

	if (cs == NULL)
		return;
	pp = &h->nhsets[cs->hash % HUB_NHSET_BUCKETS];
	while (*pp != cs)
		pp = &(*pp)->next;
	if (--(*pp)->refcnt > 0)
		return;
	*pp = cs->next;
	if (h->nh_last == cs)
		h->nh_last = NULL;
	h->nh_ids[cs->id] = NULL;
	h->nh_free[h->n_nh_free++] = cs->id; /* room: one slot per id ever given */
	free(cs);
}

/* ------------------------------------------------------------------ candidates */

static void cand_add(struct eff_cand *c, size_t *n, const struct hub_rpeer *rp,
                     const struct bgp_attrs *a, enum hub_src src, const char *rejected)
{
	if (*n >= HUB_MAX_CAND)
		return;
	c[*n] = (struct eff_cand){
	        .c = {.src = src,
	              .aspath_len = a != NULL ? bgp_aspath_length(a) : 0,
	              .rejected = rejected},
	        .rp = rp,
	        .attrs = a,
	};
	(*n)++;
}

/* Every candidate of p, then hub_select(); returns the number of candidates. */
static size_t gather(struct hub *h, const struct rh_prefix *p, struct eff_cand *c,
                     unsigned *n_active)
{
	struct hub_candidate hc[HUB_MAX_CAND];
	size_t n = 0;

	for (unsigned i = 0; i < h->cfg.rs.n_vnet; i++)
		if (rh_prefix_equal(&h->cfg.rs.vnet[i], p))
			cand_add(c, &n, NULL, NULL, HUB_SRC_VNET, NULL);
	for (unsigned i = 0; i < HUB_PART_MAX; i++) {
		struct bgp_rib_entry *e;

		if (!h->part[i].present)
			continue;
		e = bgp_rib_lookup(h->part[i].rib, p);
		for (const struct bgp_path *q = e != NULL ? e->paths : NULL; q != NULL;
		     q = q->next) {
			const struct hub_rpeer *r = hub_rpeer_of(q->peer);

			size_t before = n;

			if (hub_rpeer_own(r))
				cand_add(c, &n, r, q->attrs, r->src, NULL);
			if (n > before)
				c[n - 1].stale = (q->flags & BGP_PATH_STALE) != 0;
		}
	}
	for (struct hub_peer *q = h->peers; q != NULL; q = q->next) {
		struct hub_rejected *r = hub_rejected_find(q, p);

		if (r != NULL)
			cand_add(c, &n, &q->rp, r->attrs, q->rp.src, r->why);
	}
	for (size_t i = 0; i < n; i++)
		hc[i] = c[i].c;
	*n_active = hub_select(h->cfg.rs.preference, hc, n);
	for (size_t i = 0; i < n; i++)
		c[i].c = hc[i];
	return n;
}

/*
 * R16: whether the route server has a route to p that it may advertise toward the
 * ExpressRoute gateway: an accepted NVA route, not NO_ADVERTISE, with the exchange on.
 * Counted whichever route wins the prefix, so that the count does not depend on whether
 * the exchange with ER runs (no hysteresis: stopping it brings no NVA route in).
 */
static bool er_carry(const struct hub *h, const struct rh_prefix *p, const struct eff_cand *c,
                     size_t n)
{
	if (!h->part[HUB_PART_ER].present)
		return false;
	for (size_t i = 0; i < n; i++) {
		const struct hub_rpeer *r = c[i].rp;

		if (r == NULL || r->part->id != HUB_PART_RS || !hub_rpeer_own(r) ||
		    c[i].c.rejected != NULL)
			continue;
		if (hub_export_allowed(
		            &h->cfg, p, r->src, r->owner != NULL ? r->owner->index : 0,
		            HUB_TO_ER_ONPREM, 0,
		            c[i].attrs->n_comm > 0 &&
		                    bgp_attrs_has_community(c[i].attrs, BGP_COMM_NO_ADVERTISE)))
			return true;
	}
	return false;
}

static void er_count(struct hub *h, struct hub_eff *e, bool carry)
{
	if ((bool)e->er_counted == carry)
		return;
	e->er_counted = carry;
	h->er_from_rs += carry ? 1 : (size_t)-1;
	h->er_check = true;
}

static int addr_cmp(const void *a, const void *b)
{
	return rh_addr_cmp(a, b);
}

/* The next hops of the active candidates: R2, the BGP next hops, sorted and unique. */
static unsigned active_nexthops(const struct eff_cand *c, size_t n, struct rh_addr *nh)
{
	unsigned k = 0, out = 0;

	for (size_t i = 0; i < n && k < HUB_MAX_NEXTHOPS; i++)
		if (c[i].c.active && c[i].attrs != NULL &&
		    (c[i].attrs->flags & BGP_ATTRS_NEXT_HOP) && c[i].attrs->next_hop.family != 0) {
			memset(&nh[k], 0, sizeof(nh[k]));
			nh[k].family = c[i].attrs->next_hop.family;
			memcpy(nh[k].bytes, c[i].attrs->next_hop.bytes, sizeof(nh[k].bytes));
			k++;
		}
	qsort(nh, k, sizeof(*nh), addr_cmp);
	for (unsigned i = 0; i < k; i++)
		if (out == 0 || !rh_addr_equal(&nh[out - 1], &nh[i]))
			nh[out++] = nh[i];
	return out;
}

/* ------------------------------------------------------------------ state */

/* The RIB the state hangs off: chosen on first use, once the parts exist. */
static bool eff_holds(const struct bgp_rib_entry *re, void *arg)
{
	const struct hub *h = arg;
	const struct hub_eff *e = bgp_ext_peek(&h->eff, bgp_rib_entry_index(re));

	return e != NULL && e->used;
}

static struct bgp_rib *eff_rib(struct hub *h)
{
	struct bgp_rib *rib = NULL;

	if (h->eff_rib != NULL)
		return h->eff_rib;
	for (unsigned i = 0; i < HUB_PART_MAX && rib == NULL; i++)
		if (h->part[i].present)
			rib = h->part[i].rib;
	if (rib == NULL)
		rib = h->eff_own = bgp_rib_new(NULL, NULL, NULL);
	if (rib == NULL || bgp_rib_add_holder(rib, eff_holds, h) < 0)
		return NULL;
	return h->eff_rib = rib;
}

static struct hub_eff *eff_state(struct hub *h, const struct bgp_rib_entry *re)
{
	struct hub_eff *e = bgp_ext_peek(&h->eff, bgp_rib_entry_index(re));

	return e != NULL && e->used ? e : NULL;
}

static struct hub_eff *eff_find(struct hub *h, const struct rh_prefix *p, uint32_t hash)
{
	struct bgp_rib *rib = eff_rib(h);
	struct bgp_rib_entry *re;

	if (rib == NULL)
		return NULL;
	re = bgp_rib_entry_find_hashed(rib, p, hash);
	return re != NULL ? eff_state(h, re) : NULL;
}

static void eff_del(struct hub *h, const struct rh_prefix *p, struct hub_eff *e)
{
	nhset_put(h, nhset_of(h, e->nh));
	memset(e, 0, sizeof(*e));
	bgp_rib_entry_release(h->eff_rib, bgp_rib_entry_find(h->eff_rib, p));
}

int hub_eff_init(struct hub *h)
{
	bgp_ext_init(&h->eff, sizeof(struct hub_eff));
	return 0;
}

/* Runs after the parts' RIBs are gone: touches only the states and their sets. */
void hub_eff_fini(struct hub *h)
{
	for (uint32_t c = 0; c < h->eff.n_chunks; c++) {
		struct hub_eff *e = (struct hub_eff *)(void *)h->eff.chunks[c];

		for (uint32_t i = 0; e != NULL && i < BGP_EXT_CHUNK; i++)
			if (e[i].used)
				nhset_put(h, nhset_of(h, e[i].nh));
	}
	bgp_ext_fini(&h->eff);
	free(h->nh_ids);
	free(h->nh_free);
	h->nh_ids = NULL;
	h->nh_free = NULL;
	h->n_nh_ids = h->cap_nh_ids = h->n_nh_free = 0;
	bgp_rib_free(h->eff_own);
	h->eff_own = h->eff_rib = NULL;
}

static void report(struct hub *h, const struct rh_prefix *p)
{
	if (!h->quiet && h->ops != NULL && h->ops->effective_changed != NULL)
		h->ops->effective_changed(p, h->arg);
}

static struct hub_eff *eff_new(struct hub *h, const struct rh_prefix *p)
{
	struct bgp_rib *rib = eff_rib(h);
	struct bgp_rib_entry *re = rib != NULL ? bgp_rib_entry_get(rib, p) : NULL;
	struct hub_eff *e;

	if (re == NULL)
		return NULL;
	e = bgp_ext_at(&h->eff, bgp_rib_entry_index(re));
	if (e == NULL) {
		bgp_rib_entry_release(rib, re);
		return NULL;
	}
	memset(e, 0, sizeof(*e));
	e->used = true;
	return e;
}

/* The index of a reason in h->whys, added if new; -ENOMEM past HUB_MAX_WHYS. */
static int why_index(struct hub *h, const char *why)
{
	if (why == NULL)
		return 0;
	for (unsigned i = 1; i < h->n_whys; i++)
		if (h->whys[i] == why)
			return (int)i;
	if (h->n_whys == 0)
		h->n_whys = 1; /* [0] stands for no reason */
	if (h->n_whys >= HUB_MAX_WHYS)
		return -ENOMEM;
	h->whys[h->n_whys] = why;
	return (int)h->n_whys++;
}

/* Stores what was computed for p; reports it when it differs from what was stored. */
static int eff_store(struct hub *h, const struct rh_prefix *p, struct hub_eff *e,
                     const struct eff_cand *c, size_t n, unsigned n_active)
{
	struct rh_addr nh[HUB_MAX_NEXTHOPS];
	unsigned k = active_nexthops(c, n, nh);
	struct hub_nhset *set = NULL;
	int why = 0;
	bool fresh = e == NULL;
	uint8_t src = 0;

	for (size_t i = 0; i < n; i++)
		if (c[i].c.active) {
			src = (uint8_t)c[i].c.src;
			break;
		}
	if (n_active == 0 && (why = why_index(h, c[0].c.why)) < 0)
		return why;
	if (k > 0 && (set = nhset_get(h, nh, k)) == NULL)
		return -ENOMEM;
	if (fresh && (e = eff_new(h, p)) == NULL) {
		nhset_put(h, set);
		return -ENOMEM;
	}
	er_count(h, e, er_carry(h, p, c, n));
	if (!fresh && nhset_of(h, e->nh) == set && (bool)e->active == (n_active > 0) &&
	    e->src == src && e->why == (unsigned)why) {
		nhset_put(h, set);
		return 0; /* nothing a VM would see differently */
	}
	nhset_put(h, nhset_of(h, e->nh));
	e->nh = set != NULL ? set->id : 0;
	e->active = n_active > 0;
	e->src = src & 7u;
	e->why = (unsigned)why & 63u;
	report(h, p);
	return 0;
}

static int eff_update_hashed(struct hub *h, const struct rh_prefix *p, uint32_t hash)
{
	struct eff_cand c[HUB_MAX_CAND];
	struct hub_eff *e = eff_find(h, p, hash);
	unsigned n_active;
	size_t n = gather(h, p, c, &n_active);

	if (n == 0) {
		if (e != NULL) {
			er_count(h, e, false);
			eff_del(h, p, e);
			report(h, p);
		}
		return 0;
	}
	return eff_store(h, p, e, c, n, n_active);
}

int hub_eff_update(struct hub *h, const struct rh_prefix *p)
{
	return eff_update_hashed(h, p, bgp_prefix_hash(p));
}

#define EFF_AHEAD 8

static void eff_prefetch(struct hub *h, const struct rh_prefix *p, uint32_t hash, bool node)
{
	const struct bgp_ptable *t = &h->eff_rib->table[p->family == RH_AF_INET6];

	if (node)
		bgp_ptable_prefetch_node(t, hash);
	else
		bgp_ptable_prefetch(t, hash);
}

int hub_eff_update_batch(struct hub *h, const struct rh_prefix *p, size_t n)
{
	uint32_t ring[EFF_AHEAD];
	int rc = 0;

	if (eff_rib(h) == NULL)
		return -ENOMEM;
	/* The table of a million prefixes is a cache miss a lookup: fetch the slot a few
	 * prefixes ahead, then the node it points to nearer (as the RIB's batches do). */
	for (size_t i = 0; i < n && i < EFF_AHEAD; i++) {
		ring[i] = bgp_prefix_hash(&p[i]);
		eff_prefetch(h, &p[i], ring[i], false);
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t hash = ring[i % EFF_AHEAD];
		size_t near = i + EFF_AHEAD / 2;
		int r;

		if (near < n)
			eff_prefetch(h, &p[near], ring[near % EFF_AHEAD], true);
		r = eff_update_hashed(h, &p[i], hash);
		if (r < 0)
			rc = r;
		if (i + EFF_AHEAD < n) {
			ring[i % EFF_AHEAD] = bgp_prefix_hash(&p[i + EFF_AHEAD]);
			eff_prefetch(h, &p[i + EFF_AHEAD], ring[i % EFF_AHEAD], false);
		}
	}
	return rc;
}

struct prefix_list {
	struct hub *h;
	struct rh_prefix *p;
	size_t n, cap;
};

static int list_cb(struct bgp_rib_entry *re, void *arg)
{
	struct prefix_list *l = arg;

	if (eff_state(l->h, re) == NULL)
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap != 0 ? l->cap * 2 : 256;
		struct rh_prefix *p = realloc(l->p, cap * sizeof(*p));

		if (p == NULL)
			return -ENOMEM;
		l->p = p;
		l->cap = cap;
	}
	l->p[l->n++] = *bgp_rib_entry_prefix(re);
	return 0;
}

static int prefix_cmp(const void *a, const void *b)
{
	return rh_prefix_cmp(a, b);
}

/* Every prefix with effective routes, sorted (the tables cannot change during a walk). */
static int eff_list(struct hub *h, struct prefix_list *l)
{
	int rc = 0;

	memset(l, 0, sizeof(*l));
	l->h = h;
	if (eff_rib(h) == NULL)
		return -ENOMEM;
	rc = bgp_rib_walk_all(h->eff_rib, RH_AF_INET, list_cb, l);
	if (rc == 0)
		rc = bgp_rib_walk_all(h->eff_rib, RH_AF_INET6, list_cb, l);
	if (rc < 0) {
		free(l->p);
		return rc;
	}
	qsort(l->p, l->n, sizeof(*l->p), prefix_cmp);
	return 0;
}

static int recount_cb(struct bgp_rib_entry *re, void *arg)
{
	struct hub *h = arg;
	struct hub_eff *e = eff_state(h, re);
	struct eff_cand c[HUB_MAX_CAND];
	unsigned n_active;
	size_t k;

	if (e == NULL)
		return 0;
	k = gather(h, bgp_rib_entry_prefix(re), c, &n_active);
	er_count(h, e, er_carry(h, bgp_rib_entry_prefix(re), c, k));
	return 0;
}

void hub_er_recount(struct hub *h)
{
	h->er_check = true;
	if (eff_rib(h) == NULL)
		return;
	bgp_rib_walk_all(h->eff_rib, RH_AF_INET, recount_cb, h);
	bgp_rib_walk_all(h->eff_rib, RH_AF_INET6, recount_cb, h);
}

int hub_eff_update_all(struct hub *h)
{
	struct prefix_list l;
	int rc = eff_list(h, &l);

	for (size_t i = 0; rc == 0 && i < l.n; i++)
		rc = hub_eff_update(h, &l.p[i]);
	free(l.p);
	return rc;
}

/* ------------------------------------------------------------------ public */

int hub_effective_get(struct hub *h, const struct rh_prefix *p, struct hub_effective *out)
{
	struct hub_eff *e = eff_find(h, p, bgp_prefix_hash(p));

	if (e == NULL)
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	out->prefix = *p;
	out->src = (enum hub_src)e->src;
	out->active = e->active;
	out->why = h->whys[e->why];
	if (e->nh != 0) {
		const struct hub_nhset *s = nhset_of(h, e->nh);

		out->n_nexthops = s->n;
		memcpy(out->nexthop, s->nh, s->n * sizeof(s->nh[0]));
	}
	return 0;
}

int hub_effective_walk(struct hub *h, void (*cb)(const struct rh_prefix *p, void *arg), void *arg)
{
	struct prefix_list l;
	int rc = eff_list(h, &l);

	for (size_t i = 0; rc == 0 && i < l.n; i++)
		cb(&l.p[i], arg);
	free(l.p);
	return rc;
}

void hub_effective_counts(struct hub *h, size_t *active, size_t *inactive)
{
	size_t c[2] = {0, 0};

	/* The states themselves, in one pass over their arrays. */
	for (uint32_t k = 0; k < h->eff.n_chunks; k++) {
		const struct hub_eff *e = (const struct hub_eff *)(void *)h->eff.chunks[k];

		for (uint32_t i = 0; e != NULL && i < BGP_EXT_CHUNK; i++)
			if (e[i].used)
				c[e[i].active ? 0 : 1]++;
	}
	*active = c[0];
	*inactive = c[1];
}

/* ------------------------------------------------------------------ JSON */

static void json_cand(FILE *f, struct hub *h, const struct rh_prefix *p, const struct eff_cand *c,
                      bool first)
{
	char pb[RH_PREFIX_STRLEN], ob[RH_ADDR_STRLEN], ib[RH_ADDR_STRLEN], nb[RH_ADDR_STRLEN];
	const char *origin = "vnet", *inst = "local";

	(void)h;
	if (c->rp != NULL && c->rp->kind == HUB_RP_STATIC)
		origin = "static";
	else if (c->rp != NULL && c->rp->owner != NULL) {
		origin = rh_addr_fmt(&c->rp->owner->info.addr, ob, sizeof(ob));
		inst = rh_addr_fmt(&c->rp->owner->info.local, ib, sizeof(ib));
	}
	fprintf(f, "%s{\"prefix\":\"%s\",\"origin\":\"%s\",\"instance\":\"%s\",\"source\":\"%s\"",
	        first ? "" : ",", rh_prefix_fmt(p, pb, sizeof(pb)), origin, inst,
	        hub_src_name(c->c.src));
	if (c->attrs != NULL && (c->attrs->flags & BGP_ATTRS_NEXT_HOP) &&
	    c->attrs->next_hop.family != 0)
		fprintf(f, ",\"next-hop\":[\"%s\"]",
		        rh_addr_fmt(&c->attrs->next_hop, nb, sizeof(nb)));
	fprintf(f, ",\"as-path-length\":%u,\"active\":%s", c->c.aspath_len,
	        c->c.active ? "true" : "false");
	if (c->c.why != NULL)
		fprintf(f, ",\"reason\":\"%s\"", c->c.why);
	if (c->stale)
		fputs(",\"stale\":true", f);
	fputc('}', f);
}

char *hub_effective_json(struct hub *h)
{
	struct prefix_list l;
	char *out = NULL;
	size_t size = 0;
	bool first = true;
	FILE *f;
	int rc = eff_list(h, &l);

	if (rc < 0) {
		errno = -rc;
		return NULL;
	}
	f = open_memstream(&out, &size);
	if (f == NULL) {
		free(l.p);
		return NULL;
	}
	fputs("{\"routehub:state\":{", f);
	if (h->er_stopped)
		fprintf(f, "\"expressroute-exchange\":\"%s\"", h->er_why);
	for (size_t i = 0; i < l.n; i++) {
		struct eff_cand c[HUB_MAX_CAND];
		unsigned n_active;
		size_t n = gather(h, &l.p[i], c, &n_active);

		for (size_t j = 0; j < n; j++, first = false) {
			if (first)
				fprintf(f, "%s\"effective-route\":[", h->er_stopped ? "," : "");
			json_cand(f, h, &l.p[i], &c[j], first);
		}
	}
	fputs(first ? "}}" : "]}}", f);
	free(l.p);
	if (fclose(f) != 0) {
		free(out);
		errno = ENOMEM;
		return NULL;
	}
	return out;
}
