/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A session's routes as JSON of the routehub:state container (yang/routehub.yang):
 * bgp-neighbor/received-route (every route the peer holds with us, accepted or refused by
 * the import rules, with the reason: R7, R8, R17) and bgp-neighbor/advertised-route
 * (its Adj-RIB-Out, as the peer received it); and the RIB of each part (rib-route, `show
 * routes`), read through rib.h's public walk and path iterators only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub_internal.h"

struct show_item {
	struct rh_prefix p;
	uint32_t path_id;
	const struct bgp_attrs *attrs;
	const char *why; /* refused: the reason */
};

struct show_list {
	struct show_item *v;
	size_t n, cap;
	int err;
};

static void show_add(struct show_list *l, const struct rh_prefix *p, uint32_t path_id,
                     const struct bgp_attrs *attrs, const char *why)
{
	if (l->n == l->cap) {
		size_t cap = l->cap != 0 ? l->cap * 2 : 256;
		struct show_item *v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL) {
			l->err = -ENOMEM;
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = (struct show_item){.p = *p, .path_id = path_id, .attrs = attrs, .why = why};
}

static int item_cmp(const void *a, const void *b)
{
	const struct show_item *x = a, *y = b;
	int c = rh_prefix_cmp(&x->p, &y->p);

	if (c != 0)
		return c;
	return x->path_id < y->path_id ? -1 : x->path_id > y->path_id;
}

static int rejected_cb(struct bgp_pnode *n, void *arg)
{
	const struct hub_rejected *r = container_of(n, struct hub_rejected, node);

	show_add(arg, &n->prefix, 0, r->attrs, r->why);
	return 0;
}

static int dump_cb(const struct bgp_out_batch *b, void *arg)
{
	for (size_t i = 0; !b->eor && i < b->n; i++)
		show_add(arg, b->prefixes[i], 0, b->attrs, NULL);
	return 0;
}

static void print_item(FILE *f, const struct show_item *it, bool received, bool first)
{
	char pb[RH_PREFIX_STRLEN], nb[RH_ADDR_STRLEN], ab[1024];

	fprintf(f, "%s{\"prefix\":\"%s\"", first ? "" : ",", rh_prefix_fmt(&it->p, pb, sizeof(pb)));
	if (received)
		fprintf(f, ",\"path-id\":%u", it->path_id);
	fprintf(f, ",\"as-path\":\"%s\"", bgp_aspath_fmt(it->attrs, ab, sizeof(ab)));
	if ((it->attrs->flags & BGP_ATTRS_NEXT_HOP) && it->attrs->next_hop.family != 0)
		fprintf(f, ",\"next-hop\":\"%s\"",
		        rh_addr_fmt(&it->attrs->next_hop, nb, sizeof(nb)));
	if (received) {
		fprintf(f, ",\"accepted\":%s", it->why == NULL ? "true" : "false");
		if (it->why != NULL)
			fprintf(f, ",\"reason\":\"%s\"", it->why);
	}
	fputc('}', f);
}

static int peer_route_cb(struct bgp_rib_entry *e, struct bgp_path *q, void *arg)
{
	show_add(arg, bgp_rib_entry_prefix(e), q->path_id, q->attrs, NULL);
	return 0;
}

/* One bgp-neighbor entry, named by its keys, with its routes. 0 or -ENOMEM. */
static int peer_routes(FILE *f, struct hub_peer *p, bool advertised, bool first)
{
	struct show_list l = {0};
	char lb[RH_ADDR_STRLEN], ab[RH_ADDR_STRLEN];

	if (!advertised) {
		bgp_rib_peer_walk(p->part->rib, &p->rp.rp, peer_route_cb, &l);
		for (unsigned aid = 0; aid < BGP_AID_MAX; aid++)
			bgp_ptable_walk(&p->rejected[aid], rejected_cb, &l);
	} else if (p->g != NULL) {
		for (unsigned aid = 0; aid < BGP_AID_MAX; aid++)
			if (p->families[aid])
				bgp_out_group_dump(p->g, (enum bgp_aid)aid, 4096, false, dump_cb,
				                   &l);
	}
	if (l.err < 0) {
		free(l.v);
		return l.err;
	}
	qsort(l.v, l.n, sizeof(*l.v), item_cmp);
	fprintf(f, "%s{\"local-address\":\"%s\",\"address\":\"%s\"", first ? "" : ",",
	        rh_addr_fmt(&p->info.local, lb, sizeof(lb)),
	        rh_addr_fmt(&p->info.addr, ab, sizeof(ab)));
	if (l.n > 0)
		fprintf(f, ",\"%s\":[", advertised ? "advertised-route" : "received-route");
	for (size_t i = 0; i < l.n; i++)
		print_item(f, &l.v[i], !advertised, i == 0);
	fputs(l.n > 0 ? "]}" : "}", f);
	free(l.v);
	return 0;
}

char *hub_peers_routes_json(struct hub_peer *const *v, size_t n, bool advertised)
{
	char *out = NULL;
	size_t size = 0;
	int rc = 0;
	FILE *f = open_memstream(&out, &size);

	if (f == NULL)
		return NULL;
	fputs("{\"routehub:state\":{\"bgp-neighbor\":[", f);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = peer_routes(f, v[i], advertised, i == 0);
	fputs("]}}", f);
	if (fclose(f) != 0 || rc < 0) {
		free(out);
		errno = ENOMEM;
		return NULL;
	}
	return out;
}

char *hub_peer_routes_json(struct hub_peer *p, bool advertised)
{
	return hub_peers_routes_json(&p, 1, advertised);
}

/* ------------------------------------------------------------------ show routes */

struct prefix_vec {
	struct rh_prefix *v;
	size_t n, cap;
};

static int prefix_collect(struct bgp_rib_entry *e, void *arg)
{
	struct prefix_vec *l = arg;

	if (l->n == l->cap) {
		size_t cap = l->cap != 0 ? l->cap * 2 : 256;
		struct rh_prefix *v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *bgp_rib_entry_prefix(e);
	return 0;
}

static int prefix_sort_cmp(const void *a, const void *b)
{
	return rh_prefix_cmp(a, b);
}

/* Who a path came from: the session's peer and instance, vnet, static, or another part. */
static void path_source(const struct bgp_path *q, char *peer, char *inst)
{
	const struct hub_rpeer *r = hub_rpeer_of(q->peer);

	strcpy(inst, "local");
	switch (r->kind) {
	case HUB_RP_VNET:
		strcpy(peer, "vnet");
		break;
	case HUB_RP_STATIC:
		strcpy(peer, "static");
		break;
	case HUB_RP_INTERNAL:
		strcpy(peer, q->peer->id - HUB_RPID_INTERNAL < HUB_PART_MAX
		                     ? hub_part_name(q->peer->id - HUB_RPID_INTERNAL)
		                     : "internal");
		break;
	case HUB_RP_SESSION:
	default:
		if (r->owner != NULL) {
			rh_addr_fmt(&r->owner->info.addr, peer, RH_ADDR_STRLEN);
			rh_addr_fmt(&r->owner->info.local, inst, RH_ADDR_STRLEN);
		} else {
			rh_addr_fmt(&q->peer->addr, peer, RH_ADDR_STRLEN);
		}
		break;
	}
}

static void print_path(FILE *f, enum hub_part_id part, const struct rh_prefix *p,
                       const struct bgp_path *q, bool first)
{
	static const char *const origins[] = {"igp", "egp", "incomplete"};
	const struct bgp_attrs *a = q->attrs;
	char pb[RH_PREFIX_STRLEN], peer[RH_ADDR_STRLEN], inst[RH_ADDR_STRLEN], nb[RH_ADDR_STRLEN];
	char ab[1024];

	path_source(q, peer, inst);
	fprintf(f,
	        "%s{\"part\":\"%s\",\"prefix\":\"%s\",\"peer\":\"%s\",\"instance\":\"%s\","
	        "\"path-id\":%u",
	        first ? "" : ",", hub_part_name(part), rh_prefix_fmt(p, pb, sizeof(pb)), peer, inst,
	        q->path_id);
	if ((a->flags & BGP_ATTRS_NEXT_HOP) && a->next_hop.family != 0)
		fprintf(f, ",\"next-hop\":\"%s\"", rh_addr_fmt(&a->next_hop, nb, sizeof(nb)));
	fprintf(f, ",\"as-path\":\"%s\"", bgp_aspath_fmt(a, ab, sizeof(ab)));
	if (a->origin < 3)
		fprintf(f, ",\"origin\":\"%s\"", origins[a->origin]);
	if (a->flags & BGP_ATTRS_MED)
		fprintf(f, ",\"med\":%u", a->med);
	if (a->flags & BGP_ATTRS_LOCAL_PREF)
		fprintf(f, ",\"local-pref\":%u", a->local_pref);
	for (unsigned i = 0; i < a->n_comm; i++)
		fprintf(f, "%s\"%u:%u\"%s", i == 0 ? ",\"community\":[" : ",", a->comm[i] >> 16,
		        a->comm[i] & 0xffff, i + 1 == a->n_comm ? "]" : "");
	fprintf(f, ",\"best\":%s,\"multipath\":%s,\"stale\":%s}",
	        (q->flags & BGP_PATH_BEST) ? "true" : "false",
	        (q->flags & BGP_PATH_MULTIPATH) ? "true" : "false",
	        (q->flags & BGP_PATH_STALE) ? "true" : "false");
}

/* The entry of the longest prefix of the part's RIB covering `addr` (a host prefix). */
static struct bgp_rib_entry *longest_match(struct bgp_rib *rib, const struct rh_prefix *addr)
{
	for (int len = addr->len; len >= 0; len--) {
		struct rh_prefix p = *addr;
		struct bgp_rib_entry *e;

		p.len = (uint8_t)len;
		rh_prefix_normalise(&p);
		e = bgp_rib_lookup(rib, &p);
		if (e != NULL && bgp_rib_entry_first(e) != NULL)
			return e;
	}
	return NULL;
}

/* The prefixes of one part to list, sorted; 0 or -ENOMEM. */
static int part_prefixes(struct hub_part *pt, const struct rh_prefix *only, bool longest,
                         struct prefix_vec *l)
{
	int rc = 0;

	if (only != NULL) {
		struct bgp_rib_entry *e =
		        longest ? longest_match(pt->rib, only) : bgp_rib_lookup(pt->rib, only);

		return e != NULL ? prefix_collect(e, l) : 0;
	}
	rc = bgp_rib_walk(pt->rib, RH_AF_INET, prefix_collect, l);
	if (rc == 0)
		rc = bgp_rib_walk(pt->rib, RH_AF_INET6, prefix_collect, l);
	if (rc == 0)
		qsort(l->v, l->n, sizeof(*l->v), prefix_sort_cmp);
	return rc;
}

char *hub_routes_json(struct hub *h, const struct rh_prefix *only, bool longest)
{
	char *out = NULL;
	size_t size = 0;
	bool first = true;
	int rc = 0;
	FILE *f = open_memstream(&out, &size);

	if (f == NULL)
		return NULL;
	fputs("{\"routehub:state\":{", f);
	for (unsigned i = 0; i < HUB_PART_MAX && rc == 0; i++) {
		struct hub_part *pt = &h->part[i];
		struct prefix_vec l = {0};

		if (!pt->present)
			continue;
		rc = part_prefixes(pt, only, longest, &l);
		for (size_t k = 0; rc == 0 && k < l.n; k++) {
			struct bgp_rib_entry *e = bgp_rib_lookup(pt->rib, &l.v[k]);

			for (const struct bgp_path *q = e != NULL ? bgp_rib_entry_first(e) : NULL;
			     q != NULL; q = bgp_rib_path_next(q), first = false) {
				if (first)
					fputs("\"rib-route\":[", f);
				print_path(f, (enum hub_part_id)i, &l.v[k], q, first);
			}
		}
		free(l.v);
	}
	fputs(first ? "}}" : "]}}", f);
	if (fclose(f) != 0 || rc < 0) {
		free(out);
		errno = rc < 0 ? -rc : ENOMEM;
		return NULL;
	}
	return out;
}
