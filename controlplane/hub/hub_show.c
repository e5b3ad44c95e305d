/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A session's routes as JSON of the routehub:state container (yang/routehub.yang):
 * bgp-neighbor/received-route (every route the peer holds with us, accepted or refused by
 * the import rules, with the reason: R7, R8, R17) and bgp-neighbor/advertised-route
 * (its Adj-RIB-Out, as the peer received it).
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

char *hub_peer_routes_json(struct hub_peer *p, bool advertised)
{
	struct show_list l = {0};
	char lb[RH_ADDR_STRLEN], ab[RH_ADDR_STRLEN];
	char *out = NULL;
	size_t size = 0;
	FILE *f;

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
	if (l.err < 0 || (f = open_memstream(&out, &size)) == NULL) {
		free(l.v);
		errno = ENOMEM;
		return NULL;
	}
	qsort(l.v, l.n, sizeof(*l.v), item_cmp);
	fprintf(f,
	        "{\"routehub:state\":{\"bgp-neighbor\":[{\"local-address\":\"%s\",\"address\":\"%"
	        "s\"",
	        rh_addr_fmt(&p->info.local, lb, sizeof(lb)),
	        rh_addr_fmt(&p->info.addr, ab, sizeof(ab)));
	if (l.n > 0)
		fprintf(f, ",\"%s\":[", advertised ? "advertised-route" : "received-route");
	for (size_t i = 0; i < l.n; i++)
		print_item(f, &l.v[i], !advertised, i == 0);
	fputs(l.n > 0 ? "]}]}}" : "}]}}", f);
	free(l.v);
	if (fclose(f) != 0) {
		free(out);
		errno = ENOMEM;
		return NULL;
	}
	return out;
}
