/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hub model: the route server, the ExpressRoute gateway and the VPN gateway as three
 * parts, each with its own RIB, exchanging routes automatically (shared/hub-behaviour.md).
 *
 *   part      its RIB holds                                 it advertises to
 *   RS        NVA routes, VNet spaces, and with branch-to-   NVA peers
 *             branch on, the gateways' routes
 *   ER gw     ER on-premises routes, VNet spaces, and with   ER on-premises peers (as AS
 *             branch-to-branch on, RS and VPN routes         12076, private ASNs removed)
 *   VPN gw    VPN on-premises routes, its static prefixes,   VPN on-premises peers
 *             VNet spaces, and with it on, RS and ER routes
 *
 * The exchange between parts goes through internal peers (one per ordered pair of parts),
 * fed with the sending part's best paths where policy.h's rules allow. Switching
 * branch-to-branch or the routing preference re-runs only the exchange and the export
 * policies: peers receive the difference as UPDATEs and withdrawals, no session resets.
 *
 * The effective routes (R17) are computed from every source of every prefix with
 * hub_select(), and reported through ops->effective_changed so that the FIB programmer
 * (fib_prog.h) sends them to the dataplane.
 *
 * The BGP speaker owns the sessions; the hub owns the RIBs. The speaker tells the hub
 * about sessions going up and down and about decoded UPDATEs, and pulls what each peer
 * must be sent with hub_peer_flush().
 *
 * Changes to the lead's first version of this interface (docs/hub.md has the why):
 *  - Each session has an Adj-RIB-Out of its own (an update group of one member), so
 *    that hub_peer_flush() drains exactly one peer and split horizon is decided by the
 *    export policy, not by skipping batches; the route server sends each NVA the best
 *    path it may receive (RFC 7947 2.3.2).
 *  - struct hub_effective has `active` (a VNet space is active with no next hop).
 *  - hub_effective_walk() (resync of the FIB programmer, startup: hub_new() reports
 *    nothing through effective_changed, its caller does not have the hub yet).
 *  - hub_er_exchange_status() (R16: why the RS <-> ER exchange is stopped).
 *  - hub_peer_info.limit 0 means the configured limit of the role (R11, R16).
 *  - hub_peer_counts() (prefixes received, accepted, advertised).
 */
#ifndef ROUTEHUB_HUB_H
#define ROUTEHUB_HUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "msg.h"
#include "policy.h"
#include "rib_out.h"
#include "routehub/prefix.h"

enum hub_role {
	HUB_ROLE_NVA = 0,        /* peer of the route server (multihop eBGP) */
	HUB_ROLE_ER_ONPREM = 1,  /* on-premises router behind ExpressRoute */
	HUB_ROLE_VPN_ONPREM = 2, /* on-premises device behind the VPN gateway */
};

struct hub;

/* The name of the hub part whose peers have this role ("route-server",
 * "expressroute-gateway", "vpn-gateway"), as the logs, the state and the metrics say it. */
const char *hub_role_part_name(enum hub_role r);
struct hub_peer;

/* One BGP session of the hub: a configured peer address at one local instance address. */
struct hub_peer_info {
	enum hub_role role;
	struct rh_addr addr;  /* the peer's */
	struct rh_addr local; /* the instance address it peers with */
	uint32_t asn;         /* the peer's */
	uint32_t local_asn;   /* what the hub presents: 65515, or 12076 toward ER on-premises */
	uint32_t limit;       /* R11/R16: routes the peer may advertise; 0: the configured
	                         rs.route_limit, er.limit_from_onprem or vpn.route_limit */
};

struct hub_ops {
	/* The peer has something to send: the speaker calls hub_peer_flush() when it can. */
	void (*peer_ready)(struct hub_peer *p, void *arg);
	/*
	 * The hub wants the session reset with this NOTIFICATION (R11/R16 route limit:
	 * Cease, subcode 1). The hub has already withdrawn the peer's routes.
	 */
	void (*peer_teardown)(struct hub_peer *p, uint8_t code, uint8_t subcode, void *arg);
	/*
	 * What a VM sees for a prefix changed (R17): its active state, source, next hops or
	 * reason; hub_effective_get() returns -ENOENT when it has no route left. Called
	 * synchronously from the hub call that caused it; it must not call back into the
	 * hub except hub_effective_get().
	 */
	void (*effective_changed)(const struct rh_prefix *p, void *arg);
};

/* Builds the parts from the configuration (VNet spaces, VPN static prefixes). */
struct hub *hub_new(const struct rh_config *cfg, const struct hub_ops *ops, void *arg);
void hub_free(struct hub *h);

/* Adds a session (at configuration). The hub keeps the info; NULL and errno on failure. */
struct hub_peer *hub_peer_add(struct hub *h, const struct hub_peer_info *info);
const struct hub_peer_info *hub_peer_info(const struct hub_peer *p);
void hub_peer_set_user(struct hub_peer *p, void *user);
void *hub_peer_user(const struct hub_peer *p);

/*
 * The session is established with these negotiated families and the peer's BGP id: the
 * peer gets its Adj-RIB-Out in its part, queued with the whole table, then End-of-RIB.
 * -EALREADY when it is up, -ENOMEM.
 */
int hub_peer_up(struct hub_peer *p, const bool families[BGP_AID_MAX], uint32_t bgp_id);
/*
 * Added: the families negotiated with ADD-PATH send (RFC 7911 4), set before
 * hub_peer_up(): those get every path the peer may receive, each with its path id
 * (rib_out_addpath.h), instead of one path a prefix. All false by default.
 */
void hub_peer_set_addpath(struct hub_peer *p, const bool tx[BGP_AID_MAX]);
/*
 * For show bgp summary (state bgp-neighbor): routes the peer holds with us (accepted or
 * refused by the import rules), accepted ones, and prefixes advertised to it now.
 */
struct hub_peer_counts {
	uint32_t received;
	uint32_t accepted;
	uint32_t advertised;
};
void hub_peer_counts(const struct hub_peer *p, struct hub_peer_counts *c);

/*
 * Read-only views for metrics and MRT dumps (controlplane/cp_metrics.c, mrt.c), through
 * rib.h's public functions only: the RIB of the part whose sessions have this role (NULL
 * when the part is not deployed), and the RIB peer that holds a session's Adj-RIB-In in
 * it (a path whose peer is this one came from that session, attributes as received).
 */
struct bgp_rib;
struct bgp_rib_peer;
struct bgp_rib *hub_role_rib(struct hub *h, enum hub_role role);
const struct bgp_rib_peer *hub_peer_rib_peer(const struct hub_peer *p);

/* The session is gone: its routes are withdrawn everywhere. */
void hub_peer_down(struct hub_peer *p);
/*
 * Graceful restart, receiving speaker (RFC 4724 4.2): the session ended without a
 * NOTIFICATION and the peer preserves its forwarding state for the families in keep[].
 * Like hub_peer_down(), except that its routes of those families stay, marked stale (in
 * the RIB, in what the other peers are sent, in the effective routes) until the peer
 * re-announces them or hub_peer_sweep_stale() removes them. Its routes of the other
 * families, and its refused ones, go at once. Called again while routes are stale, it
 * marks every route stale again.
 */
void hub_peer_down_gr(struct hub_peer *p, const bool keep[BGP_AID_MAX]);
/*
 * Removes the peer's routes still stale in family aid (End-of-RIB; the new OPEN does not
 * preserve it), or with aid BGP_AID_MAX in every family (restart or stale timer), and
 * withdraws them everywhere. Returns how many.
 */
size_t hub_peer_sweep_stale(struct hub_peer *p, unsigned aid);
/* The peer's routes marked stale now (walks its routes: for show). */
uint32_t hub_peer_stale_count(const struct hub_peer *p);

/*
 * A decoded UPDATE from the peer; u is only read (the caller frees u->attrs after the
 * call; the hub interns its own copy). u->action is already applied by the caller: for
 * BGP_UPD_TREAT_AS_WITHDRAW, pass it and the hub withdraws every NLRI). Import rules
 * (R7, R8, the default route from VPN) mark rejected routes, which stay visible in the
 * peer's received-routes view. Returns 0, or -ECANCELED when the peer passed its route
 * limit (R11: routes held plus routes in this UPDATE): then ops->peer_teardown was called.
 * -EINVAL for BGP_UPD_SESSION_RESET (the speaker resets the session instead), -ENOMEM.
 */
int hub_peer_update(struct hub_peer *p, const struct bgp_update *u,
                    const struct bgp_codec_opts *opts);

/* ROUTE-REFRESH from the peer (RFC 2918): queue the whole table again. */
int hub_peer_refresh(struct hub_peer *p, enum bgp_aid aid);
/*
 * Enhanced Route Refresh (RFC 7313 4), the peer re-sending its routes of a family:
 * _begin() at its BoRR marks them stale, UPDATEs refresh them, _end() at its EoRR
 * withdraws those still stale (accepted or refused). 0, -EINVAL, -ENOMEM.
 */
int hub_peer_refresh_begin(struct hub_peer *p, enum bgp_aid aid);
int hub_peer_refresh_end(struct hub_peer *p, enum bgp_aid aid);

/*
 * Hands the peer's pending advertisements to cb in batches of at most max prefixes
 * (attributes already as this peer must receive them), withdrawals first, then End-of-RIB
 * per family once the initial table is out. Stops early when cb returns -EAGAIN (socket
 * full): that batch stays pending. Returns the number of prefixes handed over, or a
 * negative errno. A session that is not up has nothing to send (0).
 */
long hub_peer_flush(struct hub_peer *p, size_t max, bgp_out_batch_cb cb, void *arg);

/* Runtime switches (R5, R13): take effect by UPDATEs and withdrawals only. */
int hub_set_branch_to_branch(struct hub *h, bool on);
int hub_set_preference(struct hub *h, enum rh_hub_pref pref);

/*
 * Reload (controlplane/reload.c). hub_peer_remove(): the session is gone for good (its
 * routes withdrawn everywhere if it was up) and p is freed. hub_set_limits(): the
 * R11/R16 route limits of cfg; sessions on their role's configured limit take the new
 * one, and one already past it is torn down (Cease/1) as on its next UPDATE.
 * hub_set_locals(): the VNet address spaces (R1) and the VPN static prefixes (and their
 * next hops, from the VPN peers) of cfg; the peers receive the difference as UPDATEs.
 * The import rules (R8) use the new spaces from now on: re-learning what the peers sent
 * is R15, the speaker's ROUTE-REFRESH. 0 or a negative errno.
 */
void hub_peer_remove(struct hub_peer *p);
int hub_set_limits(struct hub *h, const struct rh_config *cfg);
int hub_set_locals(struct hub *h, const struct rh_config *cfg);

/* Effective routes (R17) of one prefix, for the FIB programmer and `show`. */
#define HUB_MAX_NEXTHOPS 16
struct hub_effective {
	struct rh_prefix prefix;
	enum hub_src src;    /* of the best active route */
	bool active;         /* some route is active (a VNet space: with no next hop) */
	unsigned n_nexthops; /* the active routes' BGP next hops (R2), sorted, unique */
	struct rh_addr nexthop[HUB_MAX_NEXTHOPS];
	const char *why; /* when not active */
};
/* 0 with *e filled, -ENOENT when the prefix has no route at all. */
int hub_effective_get(struct hub *h, const struct rh_prefix *p, struct hub_effective *e);
/* Calls cb for every prefix that has effective routes, sorted. 0 or -ENOMEM. */
int hub_effective_walk(struct hub *h, void (*cb)(const struct rh_prefix *p, void *arg), void *arg);
/* Prefixes with effective routes, active or not (metrics): one pass, no sorting. */
void hub_effective_counts(struct hub *h, size_t *active, size_t *inactive);
/* R16: NULL while the RS <-> ER exchange runs, else why it is stopped. */
const char *hub_er_exchange_status(const struct hub *h);

/*
 * Operational state as JSON of the routehub:state container (effective routes with every
 * candidate and its reason; per-peer received and advertised routes). Returns a malloc'd
 * string or NULL and errno.
 */
char *hub_effective_json(struct hub *h);
char *hub_peer_routes_json(struct hub_peer *p, bool advertised);
/* The same for several sessions (one peer address at several instances). */
char *hub_peers_routes_json(struct hub_peer *const *v, size_t n, bool advertised);
/*
 * `show routes [PREFIX]`: the RIB of each part (state rib-route), every path of every
 * prefix in decision order. only NULL: every prefix; else only that prefix (exact match),
 * or with longest, the longest prefix of each part that covers it (`show ip bgp A.B.C.D`).
 */
char *hub_routes_json(struct hub *h, const struct rh_prefix *only, bool longest);

#endif
