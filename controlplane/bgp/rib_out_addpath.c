/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ADD-PATH send (RFC 7911): the Adj-RIB-Out of one peer that receives several paths a
 * prefix (see rib_out_addpath.h). Kept apart from the update groups' single-path
 * machinery (rib_out.c), which only calls bgp_ap_out_change() and asks
 * bgp_ap_out_holds().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rib_out_addpath.h"

/* One path sent: who it came from, the id we gave it, the set we sent (a reference). */
struct ap_path {
	uint32_t src_peer; /* bgp_rib_peer.id */
	uint32_t src_id;   /* its path id from the source (ADD-PATH receive), usually 0 */
	uint32_t out_id;   /* the path identifier sent (RFC 7911 3) */
	uint32_t attrs_id; /* bgp_attrs_id() of the set sent */
};

struct bgp_ap_set {
	struct ap_path *v;
	uint16_t n, cap;
	uint8_t queued; /* its entry is in the queue */
	uint8_t forced; /* route refresh: send every path again */
	uint32_t x;     /* the RIB entry's index */
};

/* What the policy lets through for one path of the prefix being flushed. */
struct ap_want {
	const struct bgp_path *q;
	const struct bgp_attrs *a;
	bool owned; /* a reference of ours (BGP_EXPORT_MODIFY) */
};

static enum bgp_aid aid_of(uint8_t family)
{
	return family == RH_AF_INET6 ? BGP_AID_IPV6 : BGP_AID_IPV4;
}

static uint8_t family_of(enum bgp_aid aid)
{
	return aid == BGP_AID_IPV6 ? RH_AF_INET6 : RH_AF_INET;
}

static uint32_t slot_of(const struct bgp_ap_out *ap, uint32_t x)
{
	const uint32_t *w = bgp_ext_peek(&ap->slot, x);

	return w != NULL ? *w : 0;
}

/* The set of entry x, created when create; NULL when none (or -ENOMEM: *err). */
static struct bgp_ap_set *set_get(struct bgp_ap_out *ap, uint32_t x, bool create, int *err)
{
	uint32_t id = slot_of(ap, x), *w;

	if (id != 0 || !create)
		return id != 0 ? &ap->sets[id] : NULL;
	if (ap->n_free > 0) {
		id = ap->free_ids[--ap->n_free];
	} else {
		if (ap->n_sets + 1 >= ap->cap_sets) {
			uint32_t cap = ap->cap_sets != 0 ? ap->cap_sets * 2 : 64;
			struct bgp_ap_set *s = realloc(ap->sets, cap * sizeof(*s));
			uint32_t *f = realloc(ap->free_ids, cap * sizeof(*f));

			if (s != NULL)
				ap->sets = s;
			if (f != NULL)
				ap->free_ids = f;
			if (s == NULL || f == NULL)
				goto nomem;
			ap->cap_sets = cap;
		}
		id = ++ap->n_sets;
	}
	w = bgp_ext_at(&ap->slot, x);
	if (w == NULL) {
		ap->free_ids[ap->n_free++] = id;
		goto nomem;
	}
	*w = id;
	memset(&ap->sets[id], 0, sizeof(ap->sets[id]));
	ap->sets[id].x = x;
	return &ap->sets[id];
nomem:
	*err = -ENOMEM;
	return NULL;
}

/* Drops the set of entry x if it has nothing sent and nothing queued; may free e. */
static void set_put(struct bgp_ap_out *ap, struct bgp_ap_set *s)
{
	uint32_t x = s->x, *w = bgp_ext_peek(&ap->slot, x);

	if (s->n > 0 || s->queued || w == NULL)
		return;
	ap->free_ids[ap->n_free++] = *w;
	*w = 0;
	free(s->v);
	memset(s, 0, sizeof(*s));
	bgp_rib_entry_release(ap->out->rib, bgp_rib_entry_at(ap->out->rib, x));
}

static int queue_push(struct bgp_ap_out *ap, uint32_t x)
{
	if (ap->q_len == ap->q_cap && ap->q_head > 0) {
		memmove(ap->queue, ap->queue + ap->q_head, (ap->q_len - ap->q_head) * sizeof(x));
		ap->q_len -= ap->q_head;
		ap->q_head = 0;
	}
	if (ap->q_len == ap->q_cap) {
		size_t cap = ap->q_cap != 0 ? ap->q_cap * 2 : 256;
		uint32_t *q = realloc(ap->queue, cap * sizeof(*q));

		if (q == NULL)
			return -ENOMEM;
		ap->queue = q;
		ap->q_cap = cap;
	}
	ap->queue[ap->q_len++] = x;
	return 0;
}

struct bgp_ap_out *bgp_ap_out_new(struct bgp_rib_out *out, const struct bgp_export_policy *pol)
{
	struct bgp_ap_out *ap = calloc(1, sizeof(*ap));

	if (ap == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	ap->out = out;
	ap->pol = *pol;
	bgp_ext_init(&ap->slot, sizeof(uint32_t));
	ap->next = out->aps;
	out->aps = ap;
	return ap;
}

void bgp_ap_out_free(struct bgp_ap_out *ap)
{
	struct bgp_ap_out **pp;

	if (ap == NULL)
		return;
	/* Detached first: the RIB's holder must not see it while the entries go. */
	for (pp = &ap->out->aps; *pp != NULL && *pp != ap; pp = &(*pp)->next)
		;
	if (*pp == ap)
		*pp = ap->next;
	for (uint32_t id = 1; id <= ap->n_sets; id++) {
		struct bgp_ap_set *s = &ap->sets[id];
		uint32_t *w = bgp_ext_peek(&ap->slot, s->x);

		if (w == NULL || *w != id)
			continue; /* a free id */
		for (unsigned i = 0; i < s->n; i++)
			bgp_attrs_unref(bgp_attrs_by_id(s->v[i].attrs_id));
		free(s->v);
		*w = 0;
		bgp_rib_entry_release(ap->out->rib, bgp_rib_entry_at(ap->out->rib, s->x));
	}
	bgp_ext_fini(&ap->slot);
	free(ap->sets);
	free(ap->free_ids);
	free(ap->queue);
	free(ap);
}

bool bgp_ap_out_holds(const struct bgp_ap_out *ap, const struct bgp_rib_entry *e)
{
	return slot_of(ap, bgp_rib_entry_index(e)) != 0;
}

int bgp_ap_out_change(struct bgp_ap_out *ap, struct bgp_rib_entry *e)
{
	uint32_t x = bgp_rib_entry_index(e);
	bool ours = ap->pol.families & BGP_EXPORT_AF(aid_of(bgp_rib_entry_prefix(e)->family));
	struct bgp_ap_set *s;
	int err = 0;

	/* A family not (or no longer) ours: only what was sent needs the flush. */
	s = set_get(ap, x, ours, &err);
	if (s == NULL || s->queued)
		return err;
	if (queue_push(ap, x) < 0) {
		set_put(ap, s);
		return -ENOMEM;
	}
	s->queued = 1;
	return 0;
}

struct export_ctx {
	struct bgp_ap_out *ap;
	bool resend;
};

static int export_cb(struct bgp_rib_entry *e, void *arg)
{
	struct export_ctx *c = arg;
	int rc = bgp_ap_out_change(c->ap, e);
	uint32_t id = slot_of(c->ap, bgp_rib_entry_index(e));

	if (rc == 0 && c->resend && id != 0)
		c->ap->sets[id].forced = 1;
	return rc;
}

int bgp_ap_out_export_all(struct bgp_ap_out *ap, uint32_t families, bool resend, bool eor)
{
	struct export_ctx c = {.ap = ap, .resend = resend};

	for (unsigned aid = 0; aid < BGP_AID_MAX; aid++) {
		int rc;

		if (!(families & BGP_EXPORT_AF(aid)))
			continue;
		if (eor && (ap->pol.families & BGP_EXPORT_AF(aid)))
			ap->eor_pending[aid] = true;
		rc = bgp_rib_walk_all(ap->out->rib, family_of((enum bgp_aid)aid), export_cb, &c);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static struct ap_path *set_find(struct bgp_ap_set *s, uint32_t peer, uint32_t src_id)
{
	for (unsigned i = 0; i < s->n; i++)
		if (s->v[i].src_peer == peer && s->v[i].src_id == src_id)
			return &s->v[i];
	return NULL;
}

/*
 * A path id for a new path: derived from the source peer (and its own id), so that a
 * path keeps its id across sessions of the receiver; the next free one on a clash.
 */
static uint32_t alloc_id(const struct bgp_ap_set *s, uint32_t peer, uint32_t src_id)
{
	uint32_t id = (peer + 1) ^ (src_id << 16);
	bool used = true;

	while (used) {
		used = false;
		for (unsigned i = 0; i < s->n && !used; i++)
			used = s->v[i].out_id == id;
		if (used)
			id++;
	}
	return id;
}

/* The paths the policy lets through for e (n_max at most); returns how many. */
static size_t wanted(struct bgp_ap_out *ap, const struct bgp_rib_entry *e, struct ap_want *w,
                     size_t n_max)
{
	const struct rh_prefix *p = bgp_rib_entry_prefix(e);
	size_t n = 0;

	if (!(ap->pol.families & BGP_EXPORT_AF(aid_of(p->family))) || bgp_rib_entry_best(e) == NULL)
		return 0;
	for (const struct bgp_path *q = e->paths; q != NULL && n < n_max; q = q->next) {
		const struct bgp_attrs *o = NULL;
		enum bgp_export_result r =
		        ap->pol.fn != NULL ? ap->pol.fn(p, q, &o, ap->pol.arg) : BGP_EXPORT_ACCEPT;

		if (r == BGP_EXPORT_REJECT)
			continue;
		w[n++] = (struct ap_want){.q = q,
		                          .a = r == BGP_EXPORT_MODIFY ? o : q->attrs,
		                          .owned = r == BGP_EXPORT_MODIFY};
	}
	return n;
}

static bool is_wanted(const struct ap_path *sp, const struct ap_want *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (w[i].q->peer->id == sp->src_peer && w[i].q->path_id == sp->src_id)
			return true;
	return false;
}

/* Drops the paths with ids ids[0..n-1] from s (withdrawn). */
static void set_drop(struct bgp_ap_out *ap, struct bgp_ap_set *s, const uint32_t *ids, size_t n)
{
	for (unsigned i = 0; i < s->n;) {
		bool gone = false;

		for (size_t k = 0; k < n && !gone; k++)
			gone = s->v[i].out_id == ids[k];
		if (!gone) {
			i++;
			continue;
		}
		bgp_attrs_unref(bgp_attrs_by_id(s->v[i].attrs_id));
		s->v[i] = s->v[--s->n];
		ap->advertised--;
	}
}

/* Withdraws the paths sent that are no longer wanted, by their ids (RFC 7911 3), at most
 * max a batch. */
static int flush_withdraw(struct bgp_ap_out *ap, struct bgp_ap_set *s, const struct rh_prefix *p,
                          const struct ap_want *w, size_t nw, size_t max, bgp_out_batch_cb cb,
                          void *arg, size_t *sent)
{
	const struct rh_prefix *pp[BGP_AP_MAX_PATHS];
	uint32_t ids[BGP_AP_MAX_PATHS];
	size_t n = 0;

	for (unsigned i = 0; i < s->n && n < BGP_AP_MAX_PATHS; i++)
		if (!is_wanted(&s->v[i], w, nw)) {
			pp[n] = p;
			ids[n++] = s->v[i].out_id;
		}
	for (size_t off = 0; off < n;) {
		size_t k = n - off < max ? n - off : max;
		int rc = cb(&(struct bgp_out_batch){.aid = aid_of(p->family),
		                                    .withdraw = true,
		                                    .n = k,
		                                    .prefixes = pp + off,
		                                    .path_ids = ids + off},
		            arg);

		if (rc < 0)
			return rc;
		set_drop(ap, s, ids + off, k);
		*sent += k;
		off += k;
	}
	return 0;
}

/* Announces one wanted path if it is new, changed, or refreshed. */
static int flush_announce(struct bgp_ap_out *ap, struct bgp_ap_set *s, const struct rh_prefix *p,
                          const struct ap_want *w, bgp_out_batch_cb cb, void *arg, size_t *sent)
{
	const struct rh_prefix *pp[1] = {p};
	struct ap_path *sp = set_find(s, w->q->peer->id, w->q->path_id);
	uint32_t id;
	int rc;

	if (sp != NULL && sp->attrs_id == bgp_attrs_id(w->a) && !s->forced)
		return 0; /* unchanged: not sent again */
	if (sp == NULL && s->n == s->cap) {
		uint16_t cap = s->cap != 0 ? (uint16_t)(s->cap * 2) : 2;
		struct ap_path *v = realloc(s->v, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	id = sp != NULL ? sp->out_id : alloc_id(s, w->q->peer->id, w->q->path_id);
	rc = cb(&(struct bgp_out_batch){.aid = aid_of(p->family),
	                                .attrs = w->a,
	                                .src = w->q->peer,
	                                .n = 1,
	                                .prefixes = pp,
	                                .path_ids = &id},
	        arg);
	if (rc < 0)
		return rc;
	if (sp == NULL) {
		sp = &s->v[s->n++];
		*sp = (struct ap_path){
		        .src_peer = w->q->peer->id, .src_id = w->q->path_id, .out_id = id};
		ap->advertised++;
	} else {
		bgp_attrs_unref(bgp_attrs_by_id(sp->attrs_id));
	}
	sp->attrs_id = bgp_attrs_id(bgp_attrs_ref(w->a));
	(*sent)++;
	return 0;
}

/* The difference between what entry x's paths want and what was sent. */
static int flush_entry(struct bgp_ap_out *ap, uint32_t x, size_t max, bgp_out_batch_cb cb,
                       void *arg, size_t *sent)
{
	struct bgp_ap_set *s = &ap->sets[slot_of(ap, x)];
	struct bgp_rib_entry *e = bgp_rib_entry_at(ap->out->rib, x);
	const struct rh_prefix *p = bgp_rib_entry_prefix(e);
	struct ap_want w[BGP_AP_MAX_PATHS];
	size_t nw = wanted(ap, e, w, BGP_AP_MAX_PATHS);
	int rc = flush_withdraw(ap, s, p, w, nw, max, cb, arg, sent);

	for (size_t i = 0; i < nw && rc == 0; i++)
		rc = flush_announce(ap, s, p, &w[i], cb, arg, sent);
	for (size_t i = 0; i < nw; i++)
		if (w[i].owned)
			bgp_attrs_unref(w[i].a);
	if (rc < 0)
		return rc;
	s->queued = 0;
	s->forced = 0;
	set_put(ap, s); /* may free e */
	return 0;
}

long bgp_ap_out_flush(struct bgp_ap_out *ap, size_t max_batch, bgp_out_batch_cb cb, void *arg)
{
	size_t sent = 0;

	if (max_batch == 0)
		return -EINVAL;
	while (ap->q_head < ap->q_len) {
		uint32_t x = ap->queue[ap->q_head];
		int rc = flush_entry(ap, x, max_batch, cb, arg, &sent);

		if (rc < 0)
			return rc;
		ap->q_head++;
	}
	ap->q_head = ap->q_len = 0;
	/* RFC 4724 2: End-of-RIB once the initial table is out. */
	for (unsigned aid = 0; aid < BGP_AID_MAX; aid++) {
		int rc;

		if (!ap->eor_pending[aid])
			continue;
		rc = cb(&(struct bgp_out_batch){.aid = (enum bgp_aid)aid, .eor = true}, arg);
		if (rc < 0)
			return rc;
		ap->eor_pending[aid] = false;
	}
	return (long)sent;
}

size_t bgp_ap_out_pending(const struct bgp_ap_out *ap)
{
	size_t n = ap->q_len - ap->q_head;

	for (unsigned aid = 0; aid < BGP_AID_MAX; aid++)
		n += ap->eor_pending[aid];
	return n;
}

uint32_t bgp_ap_out_sent_id(const struct bgp_ap_out *ap, const struct rh_prefix *p,
                            const struct bgp_rib_peer *src, uint32_t src_path_id,
                            const struct bgp_attrs **attrs)
{
	struct bgp_rib_entry *e = bgp_rib_entry_find(ap->out->rib, p);
	uint32_t id = e != NULL ? slot_of(ap, bgp_rib_entry_index(e)) : 0;
	struct ap_path *sp = id != 0 ? set_find(&ap->sets[id], src->id, src_path_id) : NULL;

	if (attrs != NULL)
		*attrs = sp != NULL ? bgp_attrs_by_id(sp->attrs_id) : NULL;
	return sp != NULL ? sp->out_id : 0;
}
