/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hub's rules (shared/hub-behaviour.md) as pure functions over routes: what the route
 * server accepts (R7, R8), who may receive what (R1, R4, R5, R9, never ER circuit to ER
 * circuit), which of several routes to one prefix a VM uses (R3, R8, R13), and why the
 * others are not active (R17). The BGP machinery calls these; they keep no state.
 */
#ifndef ROUTEHUB_HUB_POLICY_H
#define ROUTEHUB_HUB_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "routehub/prefix.h"

/* Where a route comes from. */
enum hub_src {
	HUB_SRC_VNET = 0, /* a VNet address space (R1) */
	HUB_SRC_NVA = 1,  /* an NVA peer of the route server */
	HUB_SRC_ER = 2,   /* an on-premises peer of the ExpressRoute gateway */
	HUB_SRC_VPN = 3,  /* an on-premises peer of the VPN gateway, or its static prefixes */
	HUB_SRC_MAX = 4,
};

/* Who receives advertisements. */
enum hub_dst {
	HUB_TO_NVA = 0,        /* NVA peers of the route server */
	HUB_TO_ER_ONPREM = 1,  /* on-premises routers behind ExpressRoute */
	HUB_TO_VPN_ONPREM = 2, /* on-premises devices behind the VPN gateway */
};

const char *hub_src_name(enum hub_src s); /* "vnet", "nva", "expressroute", "vpn" */

/* Reasons a route is not active or not accepted (R17 texts). */
#define HUB_WHY_LOOP          "AS path contains 65515"
#define HUB_WHY_VNET_OVERLAP  "overlaps VNet address space"
#define HUB_WHY_LIMIT         "route limit exceeded"
#define HUB_WHY_PREF_ER       "not preferred: ExpressRoute"
#define HUB_WHY_PREF_VPN      "not preferred: VpnGateway"
#define HUB_WHY_LONGER_PATH   "not preferred: longer AS path"
#define HUB_WHY_VNET_WINS     "not preferred: VNet"
#define HUB_WHY_DEFAULT_ROUTE "the VPN gateway never advertises the default route"

/*
 * Import (route server side): NULL when a route from `src` may be used, else the reason
 * it is rejected. R7: no route whose AS path contains 65515 is accepted from an NVA.
 * R8: a route equal to or more specific than a VNet space is neither programmed nor
 * advertised (a supernet is fine). `aspath_has_65515` is computed by the caller.
 */
const char *hub_import_reject(const struct rh_config *cfg, enum hub_src src,
                              const struct rh_prefix *p, bool aspath_has_65515);

/*
 * Export: may a route to prefix p from `src` (learned from peer `from_peer`; 0 for VNet
 * spaces and static prefixes) be advertised to a peer of kind `dst` (`to_peer`)?
 *  - R1: VNet spaces go to every NVA and, through the gateways, on-premises.
 *  - The route server reflects NVA routes to the other NVAs (it is a route reflector).
 *  - R4: with branch-to-branch off, NVA routes reach no gateway and gateway routes reach
 *    no NVA. R5: with it on, NVA <-> ER, NVA <-> VPN and ER <-> VPN exchange.
 *  - Never ER circuit to ER circuit. The VPN gateway passes routes between its own sites,
 *    but never sends its static local-network prefixes (from_peer 0) to its sites.
 *  - R9: NO_ADVERTISE routes go to no other peer. Nothing goes back to its sender.
 *  - The VPN gateway never advertises the default route, either way.
 */
bool hub_export_allowed(const struct rh_config *cfg, const struct rh_prefix *p, enum hub_src src,
                        uint32_t from_peer, enum hub_dst dst, uint32_t to_peer, bool no_advertise);

/* One candidate route to a prefix, as the effective-route selection sees it. */
struct hub_candidate {
	enum hub_src src;
	unsigned aspath_len;  /* RFC 4271 9.1.2.2 a (AS_SET counts 1); 0 for VNet and static */
	const char *rejected; /* import verdict: NULL if accepted */
	/* Outputs of hub_select(): */
	bool active;
	const char *why; /* NULL when active */
};

/*
 * Chooses the active candidates among n routes to one prefix (after longest-prefix match,
 * which the FIB does): rejected ones never; a VNet route beats every BGP route (R8);
 * then the hub routing preference (R13): ExpressRoute = ER over VPN and NVA; VpnGateway =
 * VPN and NVA over ER; ASPath = shortest AS path whatever the source. VPN and NVA are not
 * ranked against each other: the shorter AS path decides. All that remain with the
 * shortest AS path are active together (R3, ECMP). Under ASPath, an ExpressRoute route
 * wins a tie of AS path length (rather than ECMP over unrelated paths). Sets active/why of
 * every candidate and returns the number active.
 */
unsigned hub_select(enum rh_hub_pref pref, struct hub_candidate *c, size_t n);

#endif
