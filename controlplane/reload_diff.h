/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The difference between the running configuration and a new one, for `reload` and
 * SIGHUP (reload.c applies it). A pure function of the two configurations: it decides
 * what changes, what it costs (a session reset, UPDATEs only, nothing) and what cannot
 * change at runtime, and words each change for the reply.
 *
 * Cannot change at runtime (the whole reload is refused, nothing is applied): the
 * route server's ASN and instance addresses, a gateway appearing or going, its
 * instances, VPN active-active, the router id, the management and FIB socket paths,
 * enforce-route-limits. These shape every session and every RIB; a restart applies them.
 * The dataplane section is the dataplane's: a change there is reported and ignored.
 */
#ifndef ROUTEHUB_CP_RELOAD_DIFF_H
#define ROUTEHUB_CP_RELOAD_DIFF_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

/* Roles of peers, numbered as enum hub_role (hub.h). */
enum cp_diff_role {
	CP_DIFF_NVA = 0,
	CP_DIFF_ER_ONPREM = 1,
	CP_DIFF_VPN_ONPREM = 2,
};

enum cp_peer_change {
	CP_PEER_ADDED = 1,   /* a new session (per instance) */
	CP_PEER_REMOVED = 2, /* Cease/Peer De-configured (RFC 4486 subcode 3) */
	CP_PEER_CHANGED = 3, /* Cease/Other Configuration Change (subcode 6), new parameters */
};

#define CP_DIFF_MAX_PEERS (2 * (RH_RS_MAX_PEERS + 2 * RH_MAX_GW_PEERS))
#define CP_DIFF_MAX_LINES 64
#define CP_DIFF_LINE      200

struct cp_peer_diff {
	enum cp_diff_role role;
	enum cp_peer_change what;
	const struct rh_peer_cfg *old_pc; /* NULL when added */
	const struct rh_peer_cfg *new_pc; /* NULL when removed */
};

struct cp_diff_line {
	bool fixed; /* a setting that cannot change at runtime */
	char text[CP_DIFF_LINE];
};

struct cp_diff {
	unsigned n_fixed; /* > 0: the reload is refused */
	unsigned n_peers;
	struct cp_peer_diff peer[CP_DIFF_MAX_PEERS];
	bool branch_to_branch; /* R4/R5 switch */
	bool preference;       /* R13 */
	bool limits;           /* R11/R16 route limits, ER premium */
	bool vnet;             /* VNet address spaces (R1, R8; R15 asks the peers again) */
	bool vpn_local;        /* the VPN gateway's local-network prefixes */
	bool log_level;
	bool metrics;          /* the control plane's Prometheus endpoint: restarted */
	bool graceful_restart; /* RFC 4724 timers: used from the next restart of a peer */
	bool dataplane;        /* the dataplane section: not the control plane's */
	unsigned n_lines;
	unsigned n_dropped; /* lines past CP_DIFF_MAX_LINES */
	struct cp_diff_line line[CP_DIFF_MAX_LINES];
};

/*
 * Fills d with what turns old into new. Both must be loaded configurations (valid).
 * Returns the number of changes (0: nothing to do).
 */
unsigned cp_config_diff(const struct rh_config *old, const struct rh_config *new,
                        struct cp_diff *d);

/* "nva", "expressroute-on-premises", "vpn-on-premises" (the YANG state's role names). */
const char *cp_diff_role_name(enum cp_diff_role r);

#endif
