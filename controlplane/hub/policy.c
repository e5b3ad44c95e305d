/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "policy.h"

const char *hub_src_name(enum hub_src s)
{
	static const char *const names[HUB_SRC_MAX] = {"vnet", "nva", "expressroute", "vpn"};

	return (unsigned)s < HUB_SRC_MAX ? names[s] : "?";
}

const char *hub_import_reject(const struct rh_config *cfg, enum hub_src src,
                              const struct rh_prefix *p, bool aspath_has_65515)
{
	if (src == HUB_SRC_VNET)
		return NULL;
	/* R7: the route server does not accept routes whose AS path holds its own ASN. */
	if (src == HUB_SRC_NVA && aspath_has_65515)
		return HUB_WHY_LOOP;
	/* R8: equal to or more specific than a VNet space; a supernet is accepted. System
	 * routes win over BGP routes whatever their source, so gateway routes too. */
	for (unsigned i = 0; i < cfg->rs.n_vnet; i++)
		if (rh_prefix_contains(&cfg->rs.vnet[i], p))
			return HUB_WHY_VNET_OVERLAP;
	if (src == HUB_SRC_VPN && p->len == 0)
		return HUB_WHY_DEFAULT_ROUTE;
	return NULL;
}

bool hub_export_allowed(const struct rh_config *cfg, const struct rh_prefix *p, enum hub_src src,
                        uint32_t from_peer, enum hub_dst dst, uint32_t to_peer, bool no_advertise)
{
	bool b2b = cfg->rs.branch_to_branch;

	if (src == HUB_SRC_VNET)
		return true; /* R1 */
	if (no_advertise || (from_peer != 0 && from_peer == to_peer))
		return false; /* R9; split horizon */
	if (dst == HUB_TO_VPN_ONPREM && p->len == 0)
		return false;
	switch (src) {
	case HUB_SRC_NVA:
		/* Reflected to the other NVAs; to on-premises only with the exchange on. */
		return dst == HUB_TO_NVA || b2b;
	case HUB_SRC_ER:
		/* Never ER circuit to ER circuit (R5); to NVAs and VPN sites with it on. */
		return dst != HUB_TO_ER_ONPREM && b2b;
	case HUB_SRC_VPN:
		/* The static local-network prefixes (from no peer) are the VPN sites' own
		 * networks: never sent back to those sites, where a device that takes them
		 * would loop traffic; they reach the rest of the hub with the exchange.
		 * Learned routes pass between the gateway's sites, elsewhere with it on. */
		if (from_peer == 0)
			return dst != HUB_TO_VPN_ONPREM && b2b;
		return dst == HUB_TO_VPN_ONPREM || b2b;
	default:
		return false;
	}
}

/*
 * R13 as a rank, lower preferred: under ExpressRoute, ER ranks before VPN and NVA; under
 * VpnGateway, VPN and NVA before ER; under ASPath every source ranks the same. VPN and
 * NVA always share a rank: the AS path decides between them.
 */
static unsigned src_rank(enum rh_hub_pref pref, enum hub_src src)
{
	if (src == HUB_SRC_VNET)
		return 0; /* R8: system routes win */
	switch (pref) {
	case RH_PREF_EXPRESSROUTE:
		return src == HUB_SRC_ER ? 1 : 2;
	case RH_PREF_VPNGATEWAY:
		return src == HUB_SRC_ER ? 2 : 1;
	case RH_PREF_ASPATH:
	default:
		return 1;
	}
}

static const char *rank_loss(enum rh_hub_pref pref, enum hub_src winner)
{
	if (winner == HUB_SRC_VNET)
		return HUB_WHY_VNET_WINS;
	if (pref == RH_PREF_EXPRESSROUTE)
		return HUB_WHY_PREF_ER;
	return HUB_WHY_PREF_VPN;
}

/*
 * Under ASPath, routes of equal AS path length are ranked ExpressRoute first, as under
 * the default preference, rather than spread by ECMP over unrelated paths.
 */
static unsigned tie_rank(enum rh_hub_pref pref, enum hub_src src)
{
	return pref == RH_PREF_ASPATH && src != HUB_SRC_ER && src != HUB_SRC_VNET ? 1 : 0;
}

static int cand_cmp(enum rh_hub_pref pref, const struct hub_candidate *a,
                    const struct hub_candidate *b)
{
	unsigned ra = src_rank(pref, a->src), rb = src_rank(pref, b->src);

	if (ra != rb)
		return ra < rb ? -1 : 1;
	if (a->aspath_len != b->aspath_len)
		return a->aspath_len < b->aspath_len ? -1 : 1;
	ra = tie_rank(pref, a->src);
	rb = tie_rank(pref, b->src);
	return ra == rb ? 0 : ra < rb ? -1 : 1;
}

unsigned hub_select(enum rh_hub_pref pref, struct hub_candidate *c, size_t n)
{
	const struct hub_candidate *best = NULL;
	unsigned active = 0;

	for (size_t i = 0; i < n; i++) {
		c[i].active = false;
		c[i].why = c[i].rejected;
		if (c[i].rejected == NULL && (best == NULL || cand_cmp(pref, &c[i], best) < 0))
			best = &c[i];
	}
	if (best == NULL)
		return 0;
	/* Copy what decides: c[] is rewritten below and best points into it. */
	struct hub_candidate b = *best;

	for (size_t i = 0; i < n; i++) {
		if (c[i].rejected != NULL)
			continue;
		if (src_rank(pref, c[i].src) != src_rank(pref, b.src))
			c[i].why = rank_loss(pref, b.src);
		else if (c[i].aspath_len != b.aspath_len)
			c[i].why = HUB_WHY_LONGER_PATH;
		else if (tie_rank(pref, c[i].src) != tie_rank(pref, b.src))
			c[i].why = HUB_WHY_PREF_ER;
		else {
			/* R3: every route as good as the best is active (ECMP). */
			c[i].active = true;
			c[i].why = NULL;
			active++;
		}
	}
	return active;
}
