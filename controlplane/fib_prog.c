/* SPDX-License-Identifier: BSD-3-Clause */
/* The FIB programmer: see fib_prog.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fib_prog.h"
#include "log.h"
#include "ptable.h"

#define FP_BUCKETS 256

/* A next hop (FIBC_NH_ADD) or a next-hop group (FIBC_NHG_ADD), reference counted. */
struct fp_obj {
	struct fp_obj *next;  /* hash chain */
	struct fp_obj *dnext; /* dirty list: to add, or to delete when unused */
	uint32_t id;
	uint32_t hash;
	uint32_t refcnt;
	bool sent;   /* the FIB has it */
	bool listed; /* on the dirty list */
	/* Next hop: */
	struct rh_addr addr;
	uint16_t port;
	/* Group: members, sorted by id, each holding a reference. */
	unsigned n;
	struct fp_obj *m[];
};

struct fp_ids {
	uint32_t next;
	uint32_t *free;
	size_t n, cap;
};

struct fp_kind {
	struct fp_obj *b[FP_BUCKETS];
	struct fp_obj *dirty;
	struct fp_ids ids;
	size_t count;
};

struct fp_route {
	struct bgp_pnode node;
	struct fp_route *qnext;
	struct fp_obj *target; /* next hop or group; NULL: to be removed */
	bool installed;        /* the FIB has a version of it */
	bool queued;
};

struct fib_prog {
	const struct rh_config *cfg;
	struct fibc *c;
	struct fp_kind nh, nhg;
	struct bgp_ptable routes[2];
	struct bgp_pool pool;
	size_t n_routes; /* with a target */
	struct fp_route *q, **qtail;
	size_t pending;
};

/* ------------------------------------------------------------------ ids */

static uint32_t id_get(struct fp_ids *ids)
{
	if (ids->n > 0)
		return ids->free[--ids->n];
	return ++ids->next;
}

static void id_put(struct fp_ids *ids, uint32_t id)
{
	if (ids->n == ids->cap) {
		size_t cap = ids->cap != 0 ? ids->cap * 2 : 64;
		uint32_t *f = realloc(ids->free, cap * sizeof(*f));

		if (f == NULL)
			return; /* the id is lost, not reused: harmless */
		ids->free = f;
		ids->cap = cap;
	}
	ids->free[ids->n++] = id;
}

/* ------------------------------------------------------------------ objects */

static uint32_t mix(uint32_t h, uint32_t v)
{
	h ^= v;
	h *= 0x9e3779b1u;
	return h ^ (h >> 15);
}

static void obj_dirty(struct fp_kind *k, struct fp_obj *o)
{
	if (o->listed)
		return;
	o->listed = true;
	o->dnext = k->dirty;
	k->dirty = o;
}

static void obj_ref(struct fp_kind *k, struct fp_obj *o)
{
	if (o->refcnt++ == 0)
		obj_dirty(k, o); /* revived: must not be deleted */
}

static void obj_unref(struct fp_kind *k, struct fp_obj *o)
{
	if (--o->refcnt == 0)
		obj_dirty(k, o); /* deleted at the next flush unless used again by then */
}

static uint32_t nh_hash(const struct rh_addr *a, uint16_t port)
{
	uint32_t h = mix(a->family, port);

	for (unsigned i = 0; i < 16; i += 4)
		h = mix(h, (uint32_t)a->bytes[i] << 24 | (uint32_t)a->bytes[i + 1] << 16 |
		                   (uint32_t)a->bytes[i + 2] << 8 | a->bytes[i + 3]);
	return h;
}

/* The next hop (address, port) with a reference taken, created if new. */
static struct fp_obj *nh_get(struct fib_prog *fp, const struct rh_addr *a)
{
	int port = rh_config_port_for(fp->cfg, a);
	uint16_t p = port >= 0 ? (uint16_t)port : FIBC_PORT_ANY;
	uint32_t h = nh_hash(a, p);
	struct fp_obj **b = &fp->nh.b[h % FP_BUCKETS], *o;

	for (o = *b; o != NULL; o = o->next)
		if (o->hash == h && o->port == p && rh_addr_equal(&o->addr, a)) {
			obj_ref(&fp->nh, o);
			return o;
		}
	o = calloc(1, sizeof(*o));
	if (o == NULL)
		return NULL;
	o->id = id_get(&fp->nh.ids);
	o->hash = h;
	o->addr = *a;
	o->port = p;
	o->next = *b;
	*b = o;
	fp->nh.count++;
	obj_ref(&fp->nh, o);
	return o;
}

static int member_cmp(const void *a, const void *b)
{
	uint32_t x = (*(struct fp_obj *const *)a)->id, y = (*(struct fp_obj *const *)b)->id;

	return x < y ? -1 : x > y;
}

/* The group of these members (each with a reference the group takes over or drops). */
static struct fp_obj *nhg_get(struct fib_prog *fp, struct fp_obj **m, unsigned n)
{
	struct fp_obj **b, *o;
	uint32_t h = 0;

	qsort(m, n, sizeof(*m), member_cmp);
	for (unsigned i = 0; i < n; i++)
		h = mix(h, m[i]->id);
	b = &fp->nhg.b[h % FP_BUCKETS];
	for (o = *b; o != NULL; o = o->next)
		if (o->hash == h && o->n == n && memcmp(o->m, m, n * sizeof(*m)) == 0) {
			/* The group holds its members already: drop the caller's references. */
			for (unsigned i = 0; i < n; i++)
				obj_unref(&fp->nh, m[i]);
			obj_ref(&fp->nhg, o);
			return o;
		}
	o = calloc(1, sizeof(*o) + n * sizeof(*m));
	if (o == NULL)
		return NULL;
	o->id = id_get(&fp->nhg.ids);
	o->hash = h;
	o->n = n;
	memcpy(o->m, m, n * sizeof(*m));
	o->next = *b;
	*b = o;
	fp->nhg.count++;
	obj_ref(&fp->nhg, o);
	return o;
}

static void obj_unlink_free(struct fib_prog *fp, struct fp_kind *k, struct fp_obj *o)
{
	struct fp_obj **pp = &k->b[o->hash % FP_BUCKETS];

	while (*pp != o)
		pp = &(*pp)->next;
	*pp = o->next;
	id_put(&k->ids, o->id);
	k->count--;
	/* A group lets go of its members. */
	for (unsigned i = 0; i < o->n; i++)
		obj_unref(&fp->nh, o->m[i]);
	free(o);
}

static void target_put(struct fib_prog *fp, struct fp_obj *t)
{
	if (t != NULL)
		obj_unref(t->n > 0 ? &fp->nhg : &fp->nh, t);
}

/* ------------------------------------------------------------------ routes */

static unsigned aid_of(uint8_t family)
{
	return family == RH_AF_INET6 ? 1 : 0;
}

static void route_queue(struct fib_prog *fp, struct fp_route *r)
{
	if (r->queued)
		return;
	r->queued = true;
	r->qnext = NULL;
	*fp->qtail = r;
	fp->qtail = &r->qnext;
	fp->pending++;
}

static struct fp_route *route_get(struct fib_prog *fp, const struct rh_prefix *p, bool create)
{
	uint32_t h = bgp_prefix_hash(p);
	struct bgp_pnode *n = bgp_ptable_lookup(&fp->routes[aid_of(p->family)], p, h);
	struct fp_route *r;

	if (n != NULL || !create)
		return n != NULL ? container_of(n, struct fp_route, node) : NULL;
	r = bgp_pool_get(&fp->pool);
	if (r == NULL)
		return NULL;
	memset(r, 0, sizeof(*r));
	r->node.prefix = *p;
	r->node.hash = h;
	if (bgp_ptable_insert(&fp->routes[aid_of(p->family)], &r->node) < 0) {
		bgp_pool_put(&fp->pool, r);
		return NULL;
	}
	return r;
}

static void route_free(struct fib_prog *fp, struct fp_route *r)
{
	bgp_ptable_remove(&fp->routes[aid_of(r->node.prefix.family)], &r->node);
	bgp_pool_put(&fp->pool, r);
}

/* The target for n next hops, with a reference; NULL and *rc on failure. */
static struct fp_obj *target_get(struct fib_prog *fp, const struct rh_addr *nh, unsigned n)
{
	struct fp_obj *m[FIBC_NHG_MAX_MEMBERS], *t;

	for (unsigned i = 0; i < n; i++) {
		m[i] = nh_get(fp, &nh[i]);
		if (m[i] == NULL) {
			while (i-- > 0)
				obj_unref(&fp->nh, m[i]);
			return NULL;
		}
	}
	if (n == 1)
		return m[0];
	/* R3: ECMP through a group. */
	t = nhg_get(fp, m, n);
	if (t == NULL)
		for (unsigned i = 0; i < n; i++)
			obj_unref(&fp->nh, m[i]);
	return t;
}

int fib_prog_set(struct fib_prog *fp, const struct rh_prefix *p, const struct rh_addr *nh,
                 unsigned n)
{
	struct fp_route *r;
	struct fp_obj *t = NULL;

	if (n > FIBC_NHG_MAX_MEMBERS)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++)
		if (nh[i].family != p->family)
			return -EINVAL; /* the dataplane forwards a family to its own next hops */
	r = route_get(fp, p, n > 0);
	if (r == NULL)
		return n > 0 ? -ENOMEM : 0;
	if (n > 0 && (t = target_get(fp, nh, n)) == NULL)
		return -ENOMEM;
	if (t == r->target) {
		target_put(fp, t); /* the same route: nothing to send */
		return 0;
	}
	if (r->target != NULL)
		fp->n_routes--;
	if (t != NULL)
		fp->n_routes++;
	target_put(fp, r->target);
	r->target = t;
	if (t == NULL && !r->installed && !r->queued) {
		route_free(fp, r);
		return 0;
	}
	route_queue(fp, r);
	return 0;
}

int fib_prog_effective(struct fib_prog *fp, const struct rh_prefix *p,
                       const struct hub_effective *e)
{
	struct rh_addr nh[HUB_MAX_NEXTHOPS];
	unsigned n = 0;

	/* R17 programs the fast path; VNet spaces are the dataplane's connected subnets. */
	if (e == NULL || !e->active || e->src == HUB_SRC_VNET)
		return fib_prog_set(fp, p, NULL, 0);
	/* The dataplane forwards a family to next hops of that family only (an IPv6 route
	 * with an IPv4 next hop, RFC 8950, has nowhere to go). */
	for (unsigned i = 0; i < e->n_nexthops && i < HUB_MAX_NEXTHOPS; i++)
		if (e->nexthop[i].family == p->family)
			nh[n++] = e->nexthop[i];
	return fib_prog_set(fp, p, nh, n);
}

/* ------------------------------------------------------------------ channel */

static void fill_route(struct fibc_route *fr, const struct fp_route *r)
{
	memset(fr, 0, sizeof(*fr));
	fr->family = r->node.prefix.family;
	fr->len = r->node.prefix.len;
	memcpy(fr->addr, r->node.prefix.bytes, sizeof(fr->addr));
	if (r->target != NULL) {
		fr->nh_id = r->target->id;
		fr->flags = r->target->n > 0 ? FIBC_RT_F_GROUP : 0;
	}
}

static int send_nh(struct fibc *c, const struct fp_obj *o)
{
	struct fibc_nh nh = {.id = o->id, .port = o->port, .family = o->addr.family};

	memcpy(nh.addr, o->addr.bytes, sizeof(nh.addr));
	return fibc_nh_add(c, &nh);
}

static int send_nhg(struct fibc *c, const struct fp_obj *o)
{
	uint32_t ids[FIBC_NHG_MAX_MEMBERS];

	for (unsigned i = 0; i < o->n; i++)
		ids[i] = o->m[i]->id;
	return fibc_nhg_add(c, o->id, ids, o->n);
}

/* Additions of the dirty objects still used (phase 1 of a flush). */
static int flush_adds(struct fib_prog *fp, struct fp_kind *k, bool group)
{
	for (struct fp_obj *o = k->dirty; o != NULL; o = o->dnext) {
		int rc;

		if (o->refcnt == 0 || o->sent)
			continue;
		rc = group ? send_nhg(fp->c, o) : send_nh(fp->c, o);
		if (rc < 0)
			return rc;
		o->sent = true;
	}
	return 0;
}

/* Deletions of the dirty objects no longer used, and the dirty list emptied. */
static int flush_dels(struct fib_prog *fp, struct fp_kind *k, bool group)
{
	int rc = 0;

	while (k->dirty != NULL) {
		struct fp_obj *o = k->dirty;

		k->dirty = o->dnext;
		o->listed = false;
		if (o->refcnt > 0)
			continue;
		if (o->sent && fp->c != NULL && rc == 0)
			rc = group ? fibc_nhg_del(fp->c, o->id) : fibc_nh_del(fp->c, o->id);
		obj_unlink_free(fp, k, o);
	}
	return rc;
}

/* The route queue: additions and replacements, then removals (two batched runs). */
static int flush_routes(struct fib_prog *fp)
{
	struct fibc_route fr;
	int rc = 0;

	for (struct fp_route *r = fp->q; r != NULL && rc == 0; r = r->qnext)
		if (r->target != NULL) {
			fill_route(&fr, r);
			rc = fibc_route_add(fp->c, &fr);
			r->installed = rc == 0;
		}
	while (fp->q != NULL) {
		struct fp_route *r = fp->q;

		fp->q = r->qnext;
		r->queued = false;
		fp->pending--;
		if (r->target != NULL)
			continue;
		if (r->installed && rc == 0) {
			fill_route(&fr, r);
			rc = fibc_route_del(fp->c, &fr);
		}
		route_free(fp, r);
	}
	fp->qtail = &fp->q;
	return rc;
}

static int fail(struct fib_prog *fp, int rc, const char *what)
{
	log_err("fib: %s: %s; the next connection resynchronises", what, strerror(-rc));
	fib_prog_detach(fp);
	return rc;
}

int fib_prog_flush(struct fib_prog *fp)
{
	int rc;

	if (fp->c == NULL)
		return 0;
	if (fp->pending == 0 && fp->nh.dirty == NULL && fp->nhg.dirty == NULL)
		return 0;
	rc = flush_adds(fp, &fp->nh, false);
	if (rc == 0)
		rc = flush_adds(fp, &fp->nhg, true);
	if (rc == 0)
		rc = flush_routes(fp);
	if (rc == 0)
		rc = flush_dels(fp, &fp->nhg, true);
	if (rc == 0)
		rc = flush_dels(fp, &fp->nh, false);
	if (rc < 0)
		return fail(fp, rc, "sending");
	rc = fibc_flush(fp->c, NULL);
	if (rc < 0 && fibc_last_error(fp->c)->status == rc) {
		const struct fibc_error *e = fibc_last_error(fp->c);

		/* Refused by the dataplane (full table...): the channel still works. Every
		 * flush would be refused while the table is full: a line a minute, counted. */
		rh_log_summary(LOG_ERR, (unsigned long)(uintptr_t)fp ^ (unsigned long)-rc, 60, 1,
		               "fib: request %u (type %u) refused at record %u: %s", e->seq,
		               e->type, e->failed_index, strerror(-rc));
		return rc;
	}
	return rc < 0 ? fail(fp, rc, "waiting for acknowledgements") : 0;
}

/* ------------------------------------------------------------------ resync */

static int resync_route_cb(struct bgp_pnode *n, void *arg)
{
	struct fib_prog *fp = arg;
	struct fp_route *r = container_of(n, struct fp_route, node);
	struct fibc_route fr;
	int rc;

	r->installed = r->target != NULL;
	if (r->target == NULL)
		return 0;
	fill_route(&fr, r);
	rc = fibc_route_add(fp->c, &fr);
	return rc;
}

/* After SYNC_BEGIN the FIB's content is stale: nothing counts as sent any more. */
static void mark_unsent(struct fp_kind *k)
{
	for (unsigned i = 0; i < FP_BUCKETS; i++)
		for (struct fp_obj *o = k->b[i]; o != NULL; o = o->next)
			o->sent = false;
}

static int resync_objs(struct fib_prog *fp, struct fp_kind *k, bool group)
{
	for (unsigned i = 0; i < FP_BUCKETS; i++)
		for (struct fp_obj *o = k->b[i]; o != NULL; o = o->next) {
			int rc;

			if (o->refcnt == 0)
				continue;
			rc = group ? send_nhg(fp->c, o) : send_nh(fp->c, o);
			if (rc < 0)
				return rc;
			o->sent = true;
		}
	return 0;
}

/* Forgets the queue: a resync sends the whole desired state. */
static void drop_queue(struct fib_prog *fp)
{
	while (fp->q != NULL) {
		struct fp_route *r = fp->q;

		fp->q = r->qnext;
		r->queued = false;
		if (r->target == NULL)
			route_free(fp, r);
	}
	fp->qtail = &fp->q;
	fp->pending = 0;
}

int fib_prog_attach(struct fib_prog *fp, struct fibc *c)
{
	int rc;

	fib_prog_detach(fp);
	fp->c = c;
	rc = fibc_hello(c, NULL);
	if (rc == 0)
		rc = fibc_sync_begin(c, NULL);
	if (rc < 0)
		return fail(fp, rc, "starting the resync");
	/* Unused objects are simply not sent: the dataplane sweeps them at SYNC_END. */
	drop_queue(fp);
	mark_unsent(&fp->nh);
	mark_unsent(&fp->nhg);
	rc = flush_dels(fp, &fp->nhg, true);
	if (rc == 0)
		rc = flush_dels(fp, &fp->nh, false);
	if (rc == 0)
		rc = resync_objs(fp, &fp->nh, false);
	if (rc == 0)
		rc = resync_objs(fp, &fp->nhg, true);
	for (unsigned aid = 0; aid < 2 && rc == 0; aid++)
		rc = bgp_ptable_walk(&fp->routes[aid], resync_route_cb, fp);
	if (rc == 0)
		rc = fibc_sync_end(c, NULL);
	if (rc < 0)
		return fail(fp, rc, "resync");
	return 0;
}

/* ------------------------------------------------------------------ life */

struct fib_prog *fib_prog_new(const struct rh_config *cfg)
{
	struct fib_prog *fp = calloc(1, sizeof(*fp));

	if (fp == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	fp->cfg = cfg;
	for (unsigned aid = 0; aid < 2; aid++)
		bgp_ptable_init(&fp->routes[aid]);
	bgp_pool_init(&fp->pool, sizeof(struct fp_route));
	fp->qtail = &fp->q;
	return fp;
}

static int free_route_cb(struct bgp_pnode *n, void *arg)
{
	struct fib_prog *fp = arg;
	struct fp_route *r = container_of(n, struct fp_route, node);

	target_put(fp, r->target);
	route_free(fp, r); /* a walk's callback may remove its node */
	return 0;
}

void fib_prog_clear(struct fib_prog *fp)
{
	drop_queue(fp);
	for (unsigned aid = 0; aid < 2; aid++) {
		bgp_ptable_walk(&fp->routes[aid], free_route_cb, fp);
		/* Empty now: give the slots and the chunks back rather than keep them. */
		bgp_ptable_fini(&fp->routes[aid]);
		bgp_ptable_init(&fp->routes[aid]);
	}
	bgp_pool_fini(&fp->pool);
	bgp_pool_init(&fp->pool, sizeof(struct fp_route));
	fp->n_routes = 0;
}

void fib_prog_detach(struct fib_prog *fp)
{
	fibc_close(fp->c);
	fp->c = NULL;
}

bool fib_prog_attached(const struct fib_prog *fp)
{
	return fp->c != NULL;
}

void fib_prog_free(struct fib_prog *fp)
{
	if (fp == NULL)
		return;
	fib_prog_detach(fp);
	for (unsigned aid = 0; aid < 2; aid++) {
		bgp_ptable_walk(&fp->routes[aid], free_route_cb, fp);
		bgp_ptable_fini(&fp->routes[aid]);
	}
	bgp_pool_fini(&fp->pool);
	/* Everything is unused now: the deletions free it (nothing is sent, detached). */
	flush_dels(fp, &fp->nhg, true);
	flush_dels(fp, &fp->nh, false);
	free(fp->nh.ids.free);
	free(fp->nhg.ids.free);
	free(fp);
}

size_t fib_prog_pending(const struct fib_prog *fp)
{
	return fp->pending;
}

size_t fib_prog_routes(const struct fib_prog *fp)
{
	return fp->n_routes;
}

size_t fib_prog_nexthops(const struct fib_prog *fp)
{
	return fp->nh.count;
}

size_t fib_prog_groups(const struct fib_prog *fp)
{
	return fp->nhg.count;
}
