/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hub's side of `reload` (hub.h): new route limits (R11, R16) and new local routes
 * (R1 VNet spaces, the VPN gateway's static prefixes), applied by UPDATEs and withdrawals
 * like the runtime switches. Peers going and the refresh of a peer's routes (R15, RFC
 * 7313) are in hub.c, with the sessions.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bgp.h"
#include "hub_internal.h"
#include "log.h"

int hub_set_limits(struct hub *h, const struct rh_config *cfg)
{
	int rc;

	/* A session on its role's configured limit follows it; one given its own (lifted
	 * for benchmarks) keeps it. */
	for (struct hub_peer *p = h->peers; p != NULL; p = p->next)
		if (p->info.limit == hub_default_limit(&h->cfg, p->info.role))
			p->info.limit = hub_default_limit(cfg, p->info.role);
	h->cfg.rs.route_limit = cfg->rs.route_limit;
	h->cfg.er.limit_from_onprem = cfg->er.limit_from_onprem;
	h->cfg.er.premium = cfg->er.premium;
	h->cfg.vpn.route_limit = cfg->vpn.route_limit;
	h->cfg.er.limit_to_er = cfg->er.limit_to_er;
	/* R16 toward ExpressRoute: counted against the new limit, the exchange stopped or
	 * resumed by UPDATEs. */
	hub_er_recount(h);
	rc = hub_er_limit_check(h);
	if (rc == 0)
		rc = hub_settle(h);
	/* R11/R16 from the peers: a session already past its new limit drops, as it would on
	 * its next UPDATE. */
	for (struct hub_peer *p = h->peers; p != NULL && rc == 0; p = p->next)
		if (p->up && p->info.limit != 0 &&
		    (size_t)p->rp.rp.n_paths + p->n_rejected > p->info.limit) {
			h->n_pfx = 0;
			hub_peer_over_limit(p);
		}
	hub_notify(h);
	return rc;
}

/* The VPN static prefixes' next hop: the first VPN on-premises peer of their family. */
static const struct rh_addr *locals_static_nh(const struct rh_config *cfg, uint8_t family)
{
	for (unsigned i = 0; i < cfg->vpn.n_peers; i++)
		if (cfg->vpn.peer[i].addr.family == family)
			return &cfg->vpn.peer[i].addr;
	return NULL;
}

static const struct bgp_attrs *locals_attrs(const struct rh_addr *nh)
{
	struct bgp_attrs *a = bgp_attrs_new();

	if (a == NULL)
		return NULL;
	a->origin = BGP_ORIGIN_IGP;
	if (nh != NULL && nh->family != 0) {
		a->next_hop = *nh;
		a->flags |= BGP_ATTRS_NEXT_HOP;
	}
	return bgp_attrs_intern(a);
}

static bool locals_in(const struct rh_prefix *p, const struct rh_prefix *set, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (rh_prefix_equal(p, &set[i]))
			return true;
	return false;
}

/*
 * One list of local routes of a part (VNet spaces, or the VPN static prefixes): the
 * removed ones withdrawn, the new ones added, each changed prefix appended to h->pfx.
 */
static int locals_apply(struct hub_part *pt, struct hub_rpeer *r, const struct rh_prefix *o,
                        unsigned no, const struct rh_prefix *n, unsigned nn,
                        const struct rh_config *cfg)
{
	struct hub *h = pt->h;
	int rc = 0;

	if (hub_scratch_room(h, h->n_pfx + no + nn) < 0)
		return -ENOMEM;
	for (unsigned i = 0; i < no; i++)
		if (!locals_in(&o[i], n, nn) && bgp_rib_withdraw(pt->rib, &r->rp, &o[i], 0) == 0)
			h->pfx[h->n_pfx++] = o[i];
	for (unsigned i = 0; i < nn && rc == 0; i++) {
		const struct rh_addr *nh =
		        r->kind == HUB_RP_STATIC ? locals_static_nh(cfg, n[i].family) : NULL;
		const struct bgp_attrs *ia;

		if (locals_in(&n[i], o, no) && r->kind != HUB_RP_STATIC)
			continue;
		ia = locals_attrs(nh);
		if (ia == NULL)
			return -ENOMEM;
		/* A static prefix kept is updated in place: its next hop may have changed
		 * with the VPN peers; the same attributes leave the Adj-RIBs-Out as they were. */
		rc = bgp_rib_update(pt->rib, &r->rp, &n[i], 0, ia);
		bgp_attrs_unref(ia);
		h->pfx[h->n_pfx++] = n[i];
	}
	return rc;
}

int hub_set_locals(struct hub *h, const struct rh_config *cfg)
{
	/* The old lists are the hub's copy; they are replaced once every part has them. */
	struct rh_config *old = malloc(sizeof(*old));
	int rc = 0;

	if (old == NULL)
		return -ENOMEM;
	*old = h->cfg;
	h->cfg.rs.n_vnet = cfg->rs.n_vnet;
	memcpy(h->cfg.rs.vnet, cfg->rs.vnet, sizeof(cfg->rs.vnet));
	h->cfg.vpn.n_peers = cfg->vpn.n_peers;
	memcpy(h->cfg.vpn.peer, cfg->vpn.peer, sizeof(cfg->vpn.peer));
	h->cfg.vpn.n_local = cfg->vpn.n_local;
	memcpy(h->cfg.vpn.local, cfg->vpn.local, sizeof(cfg->vpn.local));
	for (unsigned i = 0; i < HUB_PART_MAX && rc == 0; i++) {
		struct hub_part *pt = &h->part[i];

		if (!pt->present)
			continue;
		h->n_pfx = 0;
		/* R1: the VNet spaces are routes of every part. */
		rc = locals_apply(pt, &pt->vnet, old->rs.vnet, old->rs.n_vnet, cfg->rs.vnet,
		                  cfg->rs.n_vnet, cfg);
		if (rc == 0 && pt->id == HUB_PART_VPN)
			rc = locals_apply(pt, &pt->stat, old->vpn.local, old->vpn.n_local,
			                  cfg->vpn.local, cfg->vpn.n_local, cfg);
		if (rc == 0 && pt->id == HUB_PART_RS)
			hub_rs_reexport(h, h->pfx, h->n_pfx, true);
		/* R17: what a VM sees of each changed prefix. */
		if (rc == 0)
			rc = hub_eff_touched(h, 0);
	}
	free(old);
	/* R16 counts the VNet spaces toward ExpressRoute: check the limit again. */
	h->er_check = true;
	if (rc == 0)
		rc = hub_settle(h);
	hub_notify(h);
	return rc;
}
