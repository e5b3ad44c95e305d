/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hub model's own structures, shared by hub.c (peers, UPDATEs, switches),
 * hub_exchange.c (export policies, the exchange between parts, R13, R16) and
 * hub_effective.c (effective routes, R17, and the JSON views). Not a public interface.
 */
#ifndef ROUTEHUB_HUB_INTERNAL_H
#define ROUTEHUB_HUB_INTERNAL_H

#include "hub.h"
#include "ptable.h"
#include "rib.h"
#include "rib_out.h"
#include "rib_out_addpath.h"

enum hub_part_id {
	HUB_PART_RS = 0,  /* route server: NVA peers */
	HUB_PART_ER = 1,  /* ExpressRoute gateway: ER on-premises peers */
	HUB_PART_VPN = 2, /* VPN gateway: VPN on-premises peers and static prefixes */
	HUB_PART_MAX = 3,
};

/* "route-server", "expressroute-gateway", "vpn-gateway". */
const char *hub_part_name(enum hub_part_id id);

/* What a RIB peer of a part stands for. */
enum hub_rp_kind {
	HUB_RP_VNET = 0,     /* the VNet address spaces (R1), local in every part */
	HUB_RP_STATIC = 1,   /* the VPN gateway's local-network prefixes */
	HUB_RP_SESSION = 2,  /* a BGP session of the part's role */
	HUB_RP_INTERNAL = 3, /* the exchange: the own routes of another part (R4/R5) */
};

/* RIB peer ids inside a part: small and unique per RIB (rib.h). */
#define HUB_RPID_VNET     1
#define HUB_RPID_STATIC   2
#define HUB_RPID_INTERNAL 3 /* + the sending part's id */
#define HUB_RPID_SESSION  8 /* + the session's index */

struct hub_part;

/* A RIB peer with what the hub knows of it; rp first, so a bgp_rib_peer casts back. */
struct hub_rpeer {
	struct bgp_rib_peer rp;
	struct hub_part *part;
	struct hub_peer *owner; /* the session (HUB_RP_SESSION), else NULL */
	enum hub_src src;       /* of every route it holds */
	enum hub_rp_kind kind;
};

static inline const struct hub_rpeer *hub_rpeer_of(const struct bgp_rib_peer *rp)
{
	return (const struct hub_rpeer *)(const void *)rp;
}

/* A route of the part's own sources (sessions, static), as opposed to VNet or exchanged. */
static inline bool hub_rpeer_own(const struct hub_rpeer *r)
{
	return r->kind == HUB_RP_SESSION || r->kind == HUB_RP_STATIC;
}

/* Argument of an internal export group: part `from` toward part `to`. */
struct hub_xctx {
	struct hub *h;
	enum hub_part_id from, to;
};

struct hub_part {
	struct hub *h;
	enum hub_part_id id;
	bool present;
	enum hub_src own_src; /* of its sessions' routes */
	enum hub_dst dst;     /* what its sessions are, for hub_export_allowed() */
	uint32_t local_asn;   /* presented to its sessions */
	struct bgp_rib *rib;
	struct bgp_rib_out *out;
	struct hub_rpeer vnet;                  /* R1 */
	struct hub_rpeer stat;                  /* VPN static prefixes */
	struct hub_rpeer from[HUB_PART_MAX];    /* routes of part j, carried in (R5) */
	struct bgp_out_group *to[HUB_PART_MAX]; /* own routes toward part j */
	struct hub_xctx xctx[HUB_PART_MAX];
};

/* A route the import rules refused (R7, R8, default route): kept for the peer's view. */
struct hub_rejected {
	struct bgp_pnode node;
	const struct bgp_attrs *attrs; /* interned, referenced */
	const char *why;
	bool stale; /* not sent again since the peer's BoRR (RFC 7313 4) */
};

struct hub_peer {
	struct hub *h;
	struct hub_peer *next;
	struct hub_peer_info info;
	uint32_t index; /* 1.. in the order added: the from/to id of hub_export_allowed() */
	struct hub_rpeer rp;
	struct hub_part *part;
	void *user;
	bool up;
	bool gr; /* may hold stale routes (graceful restart, RFC 4724 4.2) */
	bool families[BGP_AID_MAX];
	struct bgp_out_group *g;      /* its own Adj-RIB-Out while up */
	bool addpath_tx[BGP_AID_MAX]; /* ADD-PATH send negotiated (RFC 7911 4) */
	struct bgp_ap_out *ap;        /* while up with addpath_tx: those families' export */
	struct bgp_ptable rejected[BGP_AID_MAX];
	struct bgp_pool rej_pool;
	size_t n_rejected;
	uint64_t sent; /* prefixes handed to the speaker, for show */
};

/* A set of next hops, interned: every prefix with the same set shares it. */
struct hub_nhset {
	struct hub_nhset *next;
	uint32_t id; /* h->nh_ids[id] */
	uint32_t refcnt;
	uint32_t hash;
	unsigned n;
	struct rh_addr nh[];
};

/*
 * The effective state of one prefix (R17): what it was last reported as. Kept in an
 * extension array indexed by the prefix's entry in one RIB (h->eff_rib, whose entry the
 * state holds) rather than in a prefix table of its own: 4 bytes a prefix instead of 58.
 */
struct hub_eff {
	/* Packed in 4 bytes, 4 MB at a million prefixes. */
	uint32_t nh : 20;        /* the set h->nh_ids[nh], 0 when none (HUB_MAX_NHSETS) */
	uint32_t src : 3;        /* enum hub_src */
	uint32_t why : 6;        /* when not active: h->whys[why] (0: none), HUB_MAX_WHYS */
	uint32_t active : 1;     /* some route is active */
	uint32_t er_counted : 1; /* counted in er_from_rs (R16) */
	uint32_t used : 1;       /* the prefix has effective state */
};

#define HUB_MAX_NHSETS ((1u << 20) - 1) /* distinct next-hop sets at once */

#define HUB_MAX_WHYS 64

#define HUB_NHSET_BUCKETS 1024
#define HUB_XBATCH        1024 /* prefixes a batch of the exchange */

struct hub {
	struct rh_config cfg; /* a copy: the switches change it */
	const struct hub_ops *ops;
	void *arg;
	struct hub_part part[HUB_PART_MAX];
	struct hub_peer *peers;
	uint32_t n_peers;

	/* Effective routes (hub_effective.c). */
	struct bgp_rib *eff_rib; /* the first part's RIB, or eff_own when there is none */
	struct bgp_rib *eff_own;
	struct bgp_ext eff; /* struct hub_eff by eff_rib's entry index */
	struct hub_nhset *nhsets[HUB_NHSET_BUCKETS];
	struct hub_nhset *nh_last; /* the set last looked up, NULL once freed */
	struct hub_nhset **nh_ids; /* [0] NULL; the sets by id */
	uint32_t n_nh_ids, cap_nh_ids;
	uint32_t *nh_free; /* ids free for reuse */
	uint32_t n_nh_free;
	const char *whys[HUB_MAX_WHYS]; /* [0] NULL; the reasons of hub_eff.why */
	unsigned n_whys;

	/* R16: routes toward the ExpressRoute gateway (VNet spaces + RS routes). */
	size_t er_from_rs; /* prefixes the RS has an NVA route for that may go to ER */
	bool er_stopped;   /* past er.limit_to_er: RS <-> ER exchange stopped */
	bool er_check;     /* er_from_rs changed: compare with the limit */
	char er_why[200];  /* the reason shown while stopped, "" otherwise */

	/* Scratch: a batch of the exchange, and one UPDATE's prefixes. */
	struct rh_prefix xpfx[HUB_XBATCH];
	struct rh_prefix *pfx, *acc;
	uint32_t *pid, *accid;
	size_t pfx_cap, n_pfx;
	bool quiet; /* while hub_new() runs: no effective_changed */
};

/* hub_exchange.c */
int hub_part_init(struct hub *h, enum hub_part_id id);
void hub_part_fini(struct hub_part *pt);
/* The export policy of a session's own Adj-RIB-Out. */
void hub_peer_policy(struct hub_peer *p, struct bgp_export_policy *pol);
/* The policy of its ADD-PATH families (rib_out_addpath.h): called once per path. */
void hub_peer_ap_policy(struct hub_peer *p, struct bgp_export_policy *pol);
/* (Re)sets the policies of the internal groups after a switch; 0 or -ENOMEM. */
int hub_exchange_repolicy(struct hub *h);
/* Exports p[0..n-1] of the RS part again (per-client best): all, or those with 2+ paths. */
void hub_rs_reexport(struct hub *h, const struct rh_prefix *p, size_t n, bool all);
/* Carries pending internal changes between parts until none is left. */
int hub_exchange_run(struct hub *h);
/* R16: stops or resumes the RS <-> ER exchange when er_from_rs crossed the limit. */
int hub_er_limit_check(struct hub *h);

bool hub_path_no_advertise(const struct bgp_path *p);

/* hub_effective.c */
int hub_eff_init(struct hub *h);
void hub_eff_fini(struct hub *h);
/* Recomputes the effective routes of p; reports a change with ops->effective_changed. */
int hub_eff_update(struct hub *h, const struct rh_prefix *p);
/* The same for p[0..n-1], fetching the effective table's slots ahead. */
int hub_eff_update_batch(struct hub *h, const struct rh_prefix *p, size_t n);
/* Recounts er_from_rs (R16) after a branch-to-branch switch. */
void hub_er_recount(struct hub *h);
/* Every prefix again (the routing preference changed). */
int hub_eff_update_all(struct hub *h);

/* hub.c */
struct hub_rejected *hub_rejected_find(struct hub_peer *p, const struct rh_prefix *pfx);
/* After every change: R16's check, then the exchange between parts. 0 or -ENOMEM. */
int hub_settle(struct hub *h);
/* Tells the speaker about every session with something to send. */
void hub_notify(struct hub *h);
/* Room for n prefixes in h->pfx/pid/acc/accid. 0 or -ENOMEM. */
int hub_scratch_room(struct hub *h, size_t n);
/* Recomputes the effective routes of h->pfx[from..h->n_pfx). */
int hub_eff_touched(struct hub *h, size_t from);
/* R11, R16: what a session of the role may advertise under cfg. */
uint32_t hub_default_limit(const struct rh_config *cfg, enum hub_role role);
/* Past its limit: the peer's routes go and ops->peer_teardown (Cease/1); -ECANCELED. */
int hub_peer_over_limit(struct hub_peer *p);

#endif
