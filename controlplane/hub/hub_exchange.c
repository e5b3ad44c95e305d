/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The parts' RIBs and what leaves them: the hub routing preference as the decision's
 * degree of preference (R13), the export policy of every session (R1, R4, R5, R9, the
 * attributes each role presents), and the exchange between parts (R4, R5, R16).
 *
 * The exchange: part X's Adj-RIB-Out has one internal group toward each other part Y. It
 * carries X's own best routes (learned from X's sessions, or X's static prefixes: never
 * VNet spaces, which every part has, nor routes X got from a third part, which Y gets
 * from that part directly) where hub_export_allowed() lets X's source reach Y's role.
 * hub_exchange_run() drains these groups into Y's RIB through Y's RIB peer for X, with
 * the attributes unchanged: the AS path is the one the route came with, so that R13's
 * AS-path comparison is the same in every part.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bgp.h"
#include "hub_internal.h"
#include "log.h"

/* ------------------------------------------------------------------ R13 */

/*
 * The degree of preference (RFC 4271 9.1.1) of a path in any part: VNet spaces first
 * (R8), then the hub routing preference (R13). VPN and NVA always share a value, so that
 * the AS path length decides between them (RFC 4271 9.1.2.2 a, the next step).
 */
static uint32_t hub_preference(const struct bgp_path *p, void *arg)
{
	const struct hub *h = arg;
	enum hub_src src = hub_rpeer_of(p->peer)->src;

	if (src == HUB_SRC_VNET)
		return 300;
	switch (h->cfg.rs.preference) {
	case RH_PREF_EXPRESSROUTE:
		return src == HUB_SRC_ER ? 200 : 100;
	case RH_PREF_VPNGATEWAY:
		return src == HUB_SRC_ER ? 100 : 200;
	case RH_PREF_ASPATH:
	default:
		return 100;
	}
}

/*
 * The interior-cost step (RFC 4271 9.1.2.2 e) breaks two kinds of ties, the same way in
 * every part. Every RIB peer of the hub is marked eBGP, so step d (eBGP over iBGP) never
 * tells a session's route from an exchanged one; then:
 *  - under ASPath, an ExpressRoute route wins a tie of AS path length (hub_select() does
 *    the same): ER 0, the others 2;
 *  - a part's own route wins a tie against an exchanged one (+1 for exchanged). Each part
 *    then exports its own route whenever it is as good as the others, so the exchange
 *    has one outcome whatever the order routes arrived in: were exchanged routes to win
 *    ties (by a lower BGP identifier, say), two parts with equal routes could each hold
 *    the other's and export nothing, or each their own, depending on history.
 */
static uint32_t hub_igp_cost(const struct bgp_path *p, void *arg)
{
	const struct hub *h = arg;
	const struct hub_rpeer *r = hub_rpeer_of(p->peer);
	uint32_t cost = r->kind == HUB_RP_INTERNAL ? 1 : 0;

	if (h->cfg.rs.preference == RH_PREF_ASPATH && r->src != HUB_SRC_ER)
		cost += 2;
	return cost;
}

bool hub_path_no_advertise(const struct bgp_path *p)
{
	/* R9, RFC 1997: NO_ADVERTISE. */
	return p->attrs->n_comm > 0 && bgp_attrs_has_community(p->attrs, BGP_COMM_NO_ADVERTISE);
}

static void part_changed(struct bgp_rib *rib, const struct bgp_rib_change *c, void *arg)
{
	struct hub_part *pt = arg;
	int rc;

	(void)rib;
	rc = bgp_rib_out_change(pt->out, c);
	if (rc < 0) /* once per prefix changed: a line a minute, counted */
		rh_log_summary(LOG_ERR, (unsigned long)(uintptr_t)pt, 60, 1,
		               "hub: Adj-RIB-Out update failed: %s", strerror(-rc));
}

/* ------------------------------------------------------------------ internal exports */

/* Whether part `from` may send its own routes to part `to` at all. */
static bool exchange_open(const struct hub *h, enum hub_part_id from, enum hub_part_id to)
{
	bool er_rs = (from == HUB_PART_RS && to == HUB_PART_ER) ||
	             (from == HUB_PART_ER && to == HUB_PART_RS);

	/* R16: past the limit toward ExpressRoute, the RS <-> ER exchange stops. */
	if (er_rs && h->er_stopped)
		return false;
	/* R6: a VPN gateway that is not active-active exchanges nothing with the others. */
	if ((from == HUB_PART_VPN || to == HUB_PART_VPN) && !h->cfg.vpn.active_active)
		return false;
	return true;
}

static enum bgp_export_result export_internal(const struct rh_prefix *p,
                                              const struct bgp_path *best,
                                              const struct bgp_attrs **out, void *arg)
{
	const struct hub_xctx *x = arg;
	const struct hub_rpeer *r = hub_rpeer_of(best->peer);

	(void)out;
	if (!hub_rpeer_own(r) || !exchange_open(x->h, x->from, x->to))
		return BGP_EXPORT_REJECT;
	/* R4/R5, R9, never ER circuit to ER circuit, no default route toward VPN. */
	if (!hub_export_allowed(&x->h->cfg, p, r->src, r->owner != NULL ? r->owner->index : 0,
	                        x->h->part[x->to].dst, 0, hub_path_no_advertise(best)))
		return BGP_EXPORT_REJECT;
	return BGP_EXPORT_ACCEPT;
}

static void internal_policy(struct hub_part *pt, enum hub_part_id to, struct bgp_export_policy *pol)
{
	*pol = (struct bgp_export_policy){
	        .fn = export_internal,
	        .arg = &pt->xctx[to],
	        .families = BGP_EXPORT_AF_ALL,
	};
}

/* ------------------------------------------------------------------ session exports */

/* The part's instance address of p's family: the session's own when it fits (next hop self). */
static const struct rh_addr *nh_self(const struct hub_peer *to, uint8_t family)
{
	const struct rh_config *cfg = &to->h->cfg;
	const struct rh_addr *inst;
	unsigned n;

	if (to->info.local.family == family)
		return &to->info.local;
	switch (to->part->id) {
	case HUB_PART_RS:
		inst = cfg->rs.instance;
		n = RH_MAX_INSTANCES;
		break;
	case HUB_PART_ER:
		inst = cfg->er.instance;
		n = cfg->er.n_instances;
		break;
	default:
		inst = cfg->vpn.instance;
		n = cfg->vpn.n_instances;
		break;
	}
	for (unsigned i = 0; i < n; i++)
		if (inst[i].family == family)
			return &inst[i];
	return NULL;
}

/*
 * The route server's attributes toward an NVA for a route it did not learn from an NVA:
 * a VNet space or a gateway's route is the hub's own, AS 65515's, so it carries 65515
 * (RFC 4271 5.1.2; as the cloud's route server does) and the hub as next hop (its
 * dataplane forwards). That 65515 is what R7 catches when an NVA echoes such a route
 * back. Communities pass unchanged.
 */
static const struct bgp_attrs *rs_own_attrs(const struct bgp_attrs *in, const struct rh_addr *nh)
{
	return bgp_export_ebgp_attrs(in, RH_RS_ASN, nh);
}

/* Toward ER on-premises: private ASNs removed, then AS 12076 (the circuit's edge). */
static const struct bgp_attrs *er_attrs(const struct bgp_attrs *in, const struct rh_addr *nh)
{
	struct bgp_attrs *a = bgp_attrs_dup(in);
	const struct bgp_attrs *stripped, *out;

	if (a == NULL)
		return NULL;
	if (bgp_aspath_remove_private(a) < 0) {
		bgp_attrs_free(a);
		return NULL;
	}
	stripped = bgp_attrs_intern(a);
	if (stripped == NULL)
		return NULL;
	out = bgp_export_ebgp_attrs(stripped, RH_ER_EDGE_ASN, nh);
	bgp_attrs_unref(stripped);
	return out;
}

static bool allowed_to(const struct hub_peer *to, const struct rh_prefix *p,
                       const struct bgp_path *q)
{
	const struct hub_rpeer *r = hub_rpeer_of(q->peer);

	/* R1, R4, R5, R9, split horizon (by neighbour address: both sessions of an NVA). */
	return hub_export_allowed(&to->h->cfg, p, r->src, r->owner != NULL ? r->owner->index : 0,
	                          to->part->dst, to->index, hub_path_no_advertise(q));
}

/*
 * The path the session is sent. The gateways advertise their best path or nothing. The
 * route server, as RFC 7947 2.3.2 asks of a route server, sends each client the best of
 * the paths it may send that client: when the best path came from that NVA (split
 * horizon) or is NO_ADVERTISE (R9), the next one in decision order.
 */
static const struct bgp_path *path_for(const struct hub_peer *to, const struct rh_prefix *p,
                                       const struct bgp_path *best)
{
	if (allowed_to(to, p, best))
		return best;
	if (to->part->id != HUB_PART_RS)
		return NULL;
	for (const struct bgp_path *q = best->next; q != NULL; q = q->next)
		if (allowed_to(to, p, q))
			return q;
	return NULL;
}

/* The attributes path q is sent to the session with (q allowed to it). */
static enum bgp_export_result export_path(const struct hub_peer *to, const struct rh_prefix *p,
                                          const struct bgp_path *q, bool as_is,
                                          const struct bgp_attrs **out)
{
	const struct rh_addr *nh;

	/* Route-server behaviour (R1, RFC 7947 2.2): an NVA's route goes to the other NVAs
	 * as it came, AS path, communities and next hop (R2) unchanged. */
	if (to->part->id == HUB_PART_RS && hub_rpeer_of(q->peer)->src == HUB_SRC_NVA) {
		if (as_is)
			return BGP_EXPORT_ACCEPT;
		*out = bgp_attrs_ref(q->attrs);
		return BGP_EXPORT_MODIFY;
	}
	nh = nh_self(to, p->family);
	if (nh == NULL)
		return BGP_EXPORT_REJECT; /* no address of that family to forward to */
	switch (to->part->id) {
	case HUB_PART_RS:
		*out = rs_own_attrs(q->attrs, nh);
		break;
	case HUB_PART_ER:
		*out = er_attrs(q->attrs, nh);
		break;
	default:
		/* The VPN gateway is an eBGP speaker of AS 65515 (RFC 4271 5.1.2, 5.1.3). */
		*out = bgp_export_ebgp_attrs(q->attrs, RH_VPN_ASN, nh);
		break;
	}
	return *out != NULL ? BGP_EXPORT_MODIFY : BGP_EXPORT_REJECT;
}

static enum bgp_export_result export_session(const struct rh_prefix *p, const struct bgp_path *best,
                                             const struct bgp_attrs **out, void *arg)
{
	const struct hub_peer *to = arg;
	const struct bgp_path *q = path_for(to, p, best);

	return q != NULL ? export_path(to, p, q, q == best, out) : BGP_EXPORT_REJECT;
}

/*
 * ADD-PATH send (RFC 7911), called for each path q of the prefix. The route server sends
 * every path the client may receive (R1, R4, R5, R9, split horizon), each with the
 * attributes it would have as the single path, as RFC 7947 2.3.2.2 has a route server
 * do with ADD-PATH: the client then runs its own decision on all of them. The gateways
 * advertise the best path only, as without ADD-PATH: their paths all carry the gateway
 * itself as next hop and its own AS, so more than one would tell a peer nothing new.
 */
static enum bgp_export_result export_session_path(const struct rh_prefix *p,
                                                  const struct bgp_path *q,
                                                  const struct bgp_attrs **out, void *arg)
{
	const struct hub_peer *to = arg;

	if (to->part->id != HUB_PART_RS)
		return (q->flags & BGP_PATH_BEST) ? export_session(p, q, out, arg)
		                                  : BGP_EXPORT_REJECT;
	if (!allowed_to(to, p, q))
		return BGP_EXPORT_REJECT;
	/* An NVA peers with both instances: its two sessions bring the same path twice.
	 * One is enough (the last in decision order: the paths after q are known here). */
	for (const struct bgp_path *r = q->next; r != NULL; r = r->next)
		if (r->attrs == q->attrs && r->path_id == q->path_id &&
		    rh_addr_equal(&r->peer->addr, &q->peer->addr))
			return BGP_EXPORT_REJECT;
	return export_path(to, p, q, true, out);
}

/*
 * A path other than the best changed in the route server's RIB (RFC 7947 per-client
 * best, above): the RIB reports only changes of the best path, so the prefixes are
 * exported to the groups again; unchanged results cancel out in the groups' queues.
 * After announcements (all false) only prefixes with several paths need it: a path that
 * is alone is the best, and the RIB reported it. After withdrawals (all true) a prefix
 * left with one path needs it too (an alternative sent to its NVA goes). Prefixes with one
 * path, a million from one feeder, cost one lookup.
 */
/* RIB peers of the RS part holding routes, VNet spaces aside (R8 keeps them alone). */
static unsigned rs_sources(const struct hub *h)
{
	const struct hub_part *pt = &h->part[HUB_PART_RS];
	unsigned n = 0;

	for (unsigned j = 0; j < HUB_PART_MAX; j++)
		n += pt->from[j].rp.n_paths > 0;
	for (const struct hub_peer *p = h->peers; p != NULL && n < 2; p = p->next)
		n += p->part == pt && p->rp.rp.n_paths > 0;
	return n;
}

/* Whether a route server session receives ADD-PATH: every path change matters to it. */
static bool rs_addpath(const struct hub *h)
{
	for (const struct hub_peer *p = h->peers; p != NULL; p = p->next)
		if (p->ap != NULL && p->part->id == HUB_PART_RS)
			return true;
	return false;
}

void hub_rs_reexport(struct hub *h, const struct rh_prefix *p, size_t n, bool all)
{
	struct hub_part *pt = &h->part[HUB_PART_RS];

	/* One source: the other paths of a prefix are its own ADD-PATH paths, which split
	 * horizon keeps from every client that could want them; unless a client receives
	 * ADD-PATH (RFC 7911), which wants every path of every source. */
	if (!pt->present || (!all && rs_sources(h) < 2 && !rs_addpath(h)))
		return;
	for (size_t i = 0; i < n; i++) {
		struct bgp_rib_entry *e = bgp_rib_lookup(pt->rib, &p[i]);
		const struct bgp_path *best = e != NULL ? bgp_rib_entry_best(e) : NULL;
		struct bgp_rib_change c;

		if (best == NULL || (!all && best->next == NULL))
			continue;
		c = (struct bgp_rib_change){.entry = e,
		                            .old_best = best,
		                            .old_attrs = best->attrs,
		                            .new_best = best,
		                            .best_changed = true};
		bgp_rib_out_change(pt->out, &c);
	}
}

void hub_peer_policy(struct hub_peer *p, struct bgp_export_policy *pol)
{
	*pol = (struct bgp_export_policy){.fn = export_session, .arg = p};
	for (unsigned aid = 0; aid < BGP_AID_MAX; aid++)
		if (p->families[aid] && !p->addpath_tx[aid])
			pol->families |= BGP_EXPORT_AF(aid);
}

void hub_peer_ap_policy(struct hub_peer *p, struct bgp_export_policy *pol)
{
	*pol = (struct bgp_export_policy){.fn = export_session_path, .arg = p};
	for (unsigned aid = 0; aid < BGP_AID_MAX; aid++)
		if (p->families[aid] && p->addpath_tx[aid])
			pol->families |= BGP_EXPORT_AF(aid);
}

/* ------------------------------------------------------------------ parts */

static int add_local(struct hub_part *pt, struct hub_rpeer *r, const struct rh_prefix *pfx,
                     unsigned n, const struct rh_addr *nh)
{
	struct bgp_attrs *a = bgp_attrs_new();
	const struct bgp_attrs *ia;
	int rc = 0;

	if (a == NULL)
		return -ENOMEM;
	a->origin = BGP_ORIGIN_IGP;
	if (nh != NULL && nh->family != 0) {
		a->next_hop = *nh;
		a->flags |= BGP_ATTRS_NEXT_HOP;
	}
	ia = bgp_attrs_intern(a);
	if (ia == NULL)
		return -ENOMEM;
	for (unsigned i = 0; i < n && rc == 0; i++)
		rc = bgp_rib_update(pt->rib, &r->rp, &pfx[i], 0, ia);
	bgp_attrs_unref(ia);
	return rc;
}

static void rpeer_init(struct hub_part *pt, struct hub_rpeer *r, uint32_t id, enum hub_rp_kind kind,
                       enum hub_src src)
{
	struct rh_addr none = {0};

	/* Every RIB peer is eBGP to the decision: see hub_igp_cost(). */
	bgp_rib_peer_init(&r->rp, id, &none, pt->local_asn, 0, true);
	r->part = pt;
	r->owner = NULL;
	r->kind = kind;
	r->src = src;
}

/* The VPN static prefixes' next hop: the first VPN on-premises peer of their family. */
static const struct rh_addr *static_nh(const struct rh_config *cfg, uint8_t family)
{
	for (unsigned i = 0; i < cfg->vpn.n_peers; i++)
		if (cfg->vpn.peer[i].addr.family == family)
			return &cfg->vpn.peer[i].addr;
	return NULL;
}

static int part_locals(struct hub_part *pt)
{
	const struct rh_config *cfg = &pt->h->cfg;
	int rc;

	/* R1: the VNet spaces are routes of every part. */
	rc = add_local(pt, &pt->vnet, cfg->rs.vnet, cfg->rs.n_vnet, NULL);
	if (rc < 0 || pt->id != HUB_PART_VPN)
		return rc;
	/* The VPN gateway's static prefixes: routes of its own, BGP or not. */
	for (unsigned i = 0; i < cfg->vpn.n_local && rc == 0; i++)
		rc = add_local(pt, &pt->stat, &cfg->vpn.local[i], 1,
		               static_nh(cfg, cfg->vpn.local[i].family));
	return rc;
}

int hub_part_init(struct hub *h, enum hub_part_id id)
{
	static const enum hub_src own[HUB_PART_MAX] = {HUB_SRC_NVA, HUB_SRC_ER, HUB_SRC_VPN};
	static const enum hub_dst dst[HUB_PART_MAX] = {HUB_TO_NVA, HUB_TO_ER_ONPREM,
	                                               HUB_TO_VPN_ONPREM};
	struct hub_part *pt = &h->part[id];
	struct bgp_decision_cfg dc;

	pt->h = h;
	pt->id = id;
	pt->present = true;
	pt->own_src = own[id];
	pt->dst = dst[id];
	pt->local_asn = id == HUB_PART_ER ? RH_ER_EDGE_ASN : RH_RS_ASN;
	bgp_decision_defaults(&dc);
	dc.preference = hub_preference;
	dc.igp_cost = hub_igp_cost;
	dc.arg = h;
	dc.max_paths = HUB_MAX_NEXTHOPS;
	pt->rib = bgp_rib_new(&dc, part_changed, pt);
	if (pt->rib == NULL)
		return -ENOMEM;
	pt->out = bgp_rib_out_new(pt->rib);
	if (pt->out == NULL)
		return -ENOMEM;
	/* The batches of an UPDATE fetch the Adj-RIB-Out slots ahead too. */
	pt->rib->prefetch_cb = bgp_rib_out_prefetch;
	pt->rib->prefetch_arg = pt->out;
	rpeer_init(pt, &pt->vnet, HUB_RPID_VNET, HUB_RP_VNET, HUB_SRC_VNET);
	rpeer_init(pt, &pt->stat, HUB_RPID_STATIC, HUB_RP_STATIC, HUB_SRC_VPN);
	for (unsigned j = 0; j < HUB_PART_MAX; j++) {
		rpeer_init(pt, &pt->from[j], HUB_RPID_INTERNAL + j, HUB_RP_INTERNAL, own[j]);
		/* Distinct identifiers: a tie between two exchanged routes has one outcome. */
		pt->from[j].rp.bgp_id = htonl(j + 1);
		pt->xctx[j] = (struct hub_xctx){.h = h, .from = id, .to = (enum hub_part_id)j};
	}
	return part_locals(pt);
}

/* Joins the internal groups once every part exists. */
static int part_join_internal(struct hub_part *pt)
{
	for (unsigned j = 0; j < HUB_PART_MAX; j++) {
		struct bgp_export_policy pol;
		bool created;

		if (j == pt->id || !pt->h->part[j].present)
			continue;
		internal_policy(pt, (enum hub_part_id)j, &pol);
		pt->to[j] = bgp_rib_out_join(pt->out, &pol, &created);
		if (pt->to[j] == NULL)
			return -ENOMEM;
		if (bgp_out_group_start(pt->to[j]) < 0)
			return -ENOMEM;
	}
	return 0;
}

void hub_part_fini(struct hub_part *pt)
{
	if (!pt->present)
		return;
	bgp_rib_out_free(pt->out);
	bgp_rib_free(pt->rib);
	pt->present = false;
}

int hub_exchange_repolicy(struct hub *h)
{
	int rc = 0;

	for (unsigned i = 0; i < HUB_PART_MAX; i++) {
		struct hub_part *pt = &h->part[i];

		if (!pt->present)
			continue;
		if (pt->to[0] == NULL && pt->to[1] == NULL && pt->to[2] == NULL) {
			rc = part_join_internal(pt);
			if (rc < 0)
				return rc;
			continue;
		}
		for (unsigned j = 0; j < HUB_PART_MAX; j++) {
			struct bgp_export_policy pol;

			if (pt->to[j] == NULL)
				continue;
			internal_policy(pt, (enum hub_part_id)j, &pol);
			/* The same policy again: the whole RIB is exported anew and only the
			 * differences are queued (rib_out.h). */
			rc = bgp_out_group_set_policy(pt->to[j], &pol);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ exchange */

struct xflush {
	struct hub *h;
	struct hub_part *to;
	struct hub_rpeer *via;
};

static int xflush_cb(const struct bgp_out_batch *b, void *arg)
{
	struct xflush *x = arg;
	struct hub *h = x->h;
	size_t n = b->n < HUB_XBATCH ? b->n : HUB_XBATCH;
	int rc;

	if (b->eor || b->n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		h->xpfx[i] = *b->prefixes[i];
	if (b->withdraw)
		bgp_rib_withdraw_batch(x->to->rib, &x->via->rp, h->xpfx, NULL, n);
	else if ((rc = bgp_rib_update_batch(x->to->rib, &x->via->rp, h->xpfx, NULL, n, b->attrs)) <
	         0)
		return rc;
	if (x->to->id == HUB_PART_RS)
		hub_rs_reexport(h, h->xpfx, n, b->withdraw);
	return 0;
}

int hub_exchange_run(struct hub *h)
{
	bool again = true;

	/* One hop suffices (a part exports only its own routes), but a route arriving in
	 * part Y can displace Y's own best, which Y then withdraws from the others. */
	for (unsigned round = 0; again && round < 8; round++) {
		again = false;
		for (unsigned i = 0; i < HUB_PART_MAX; i++) {
			struct hub_part *pt = &h->part[i];

			for (unsigned j = 0; pt->present && j < HUB_PART_MAX; j++) {
				struct xflush x = {.h = h, .to = &h->part[j], .via = NULL};
				long n;

				if (pt->to[j] == NULL || bgp_out_group_pending(pt->to[j]) == 0)
					continue;
				x.via = &x.to->from[i];
				n = bgp_out_group_flush(pt->to[j], HUB_XBATCH, xflush_cb, &x);
				if (n < 0)
					return (int)n;
				again = true;
			}
		}
	}
	return 0;
}

int hub_er_limit_check(struct hub *h)
{
	size_t total = h->cfg.rs.n_vnet + h->er_from_rs;
	bool stop;

	if (!h->er_check)
		return 0;
	h->er_check = false;
	/* R16: VNet spaces plus RS routes toward the ER gateway, at most er.limit_to_er. */
	stop = h->part[HUB_PART_ER].present && h->cfg.rs.branch_to_branch &&
	       total > h->cfg.er.limit_to_er;
	if (stop == h->er_stopped)
		return 0;
	h->er_stopped = stop;
	if (stop) {
		snprintf(h->er_why, sizeof(h->er_why),
		         "R16: %zu routes toward ExpressRoute (VNet %u + route server %zu) pass "
		         "the limit of %u: route server <-> ExpressRoute exchange stopped",
		         total, h->cfg.rs.n_vnet, h->er_from_rs, (unsigned)h->cfg.er.limit_to_er);
		log_warn("hub: %s", h->er_why);
	} else {
		h->er_why[0] = '\0';
		log_notice("hub: R16: %zu routes toward ExpressRoute, within the limit of %u: "
		           "route server <-> ExpressRoute exchange resumed",
		           total, (unsigned)h->cfg.er.limit_to_er);
	}
	return hub_exchange_repolicy(h);
}
