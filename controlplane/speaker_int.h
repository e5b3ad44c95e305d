/* SPDX-License-Identifier: BSD-3-Clause */
/* The control plane's internals, shared by speaker.c, cp_mgmt.c and cp_fib.c. */
#ifndef ROUTEHUB_CP_SPEAKER_INT_H
#define ROUTEHUB_CP_SPEAKER_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

#include "config.h"
#include "evloop.h"
#include "hub.h"
#include "mgmt.h"
#include "msg.h"
#include "session.h"
#include "speaker.h"

/* Every instance of every part with every peer of its family. */
#define CP_MAX_PEERS     (RH_MAX_INSTANCES * (RH_RS_MAX_PEERS + 2 * RH_MAX_GW_PEERS))
#define CP_MAX_LISTENERS (3 * RH_MAX_INSTANCES)

struct cp_peer {
	struct cp *cp;
	char name[BGP_SESSION_NAME_MAX]; /* "PART peer@instance" for logs */
	struct bgp_session *s;
	struct hub_peer *hp;
	struct bgp_codec_opts opts; /* negotiated when Established */
	bool families[BGP_AID_MAX];
	bool eor[BGP_AID_MAX]; /* End-of-RIB received since Established (RFC 4724 2) */
	bool established;
	bool flush_wanted;
	uint64_t up_since_ms;
	uint64_t sent_prefixes;
	uint16_t upd_afi;   /* AFI of the UPDATE being imported: the max-prefix NOTIFICATION's */
	bool enhanced_rr;   /* the peer announced Enhanced Route Refresh (RFC 7313) */
	bool route_refresh; /* the peer can be asked with ROUTE-REFRESH (RFC 2918, R15) */
	bool eorr_pending[BGP_AID_MAX]; /* a refresh answered with BoRR awaits its EoRR */
	/* Graceful restart, receiving speaker (cp_gr.c, RFC 4724 4.2). */
	bool gr_af[BGP_AID_MAX];    /* its last OPEN listed the family in its GR capability */
	uint16_t gr_time;           /* the Restart Time it announced */
	bool gr_stale[BGP_AID_MAX]; /* its routes of the family are kept stale now */
	struct rh_timer gr_timer;   /* restart timer while down, stale timer once back */
};

struct cp_listener {
	struct rh_addr addr;
	struct bgp_listener *l;
};

struct cp_fib;          /* cp_fib.c */
struct rh_metrics_http; /* common/metrics.h */

struct cp {
	struct rh_evloop *loop;
	struct rh_config cfg; /* the running configuration */
	struct cp_opts opts;
	struct hub *hub;
	unsigned n_peers;
	struct cp_peer peers[CP_MAX_PEERS];
	unsigned n_lis;
	struct cp_listener lis[CP_MAX_LISTENERS];
	struct rh_timer flush_timer;
	int mgmt_fd;
	struct rh_io mgmt_io;
	uint8_t *msgbuf; /* one UPDATE being encoded */
	struct cp_fib *fib;
	uint64_t fib_updates; /* effective-route changes handed to cp_fib (metrics) */
	struct rh_metrics_http *metrics;
	struct rh_io metrics_io;
	struct rh_timer metrics_timer;
};

void cp_schedule_flush(struct cp_peer *p);

/* Graceful restart, receiving speaker (cp_gr.c). */
void cp_gr_init(struct cp_peer *p);
void cp_gr_fini(struct cp_peer *p);
/* The session is Established (before the hub hears of it): new capabilities, and the end
 * of the restart timer when the peer was restarting. */
void cp_gr_established(struct cp_peer *p, const struct bgp_open *peer);
/* The session went down: true when the peer's routes were kept stale (the hub was told),
 * false when they must go as usual (hub_peer_down()). */
bool cp_gr_down(struct cp_peer *p);
/* End-of-RIB from the peer. */
void cp_gr_eor(struct cp_peer *p, enum bgp_aid aid);
/* Graceful restart ends now (operator's clear): the stale routes go. */
void cp_gr_end(struct cp_peer *p, const char *why);
/* "restarting, 87 s left" into buf; returns 0 when the peer holds no stale route. */
int cp_gr_state(const struct cp_peer *p, char *buf, size_t len);

/*
 * Reload (reload.c). cp_peer_add(): the sessions of a new peer, at every instance of its
 * role, started. cp_peer_remove(): every session of the peer, with Cease/subcode (RFC
 * 4486; 0: none sent), its routes withdrawn everywhere; returns how many. The cp_peer
 * array stays dense: the last entry moves into the hole, so pointers to entries do not
 * survive a removal. cp_peer_route_refresh(): R15, asks an established peer for its
 * routes again with ROUTE-REFRESH (2 returned), or resets its session when it has not
 * the capability (1); 0 when it is not established.
 */
int cp_peer_add(struct cp *cp, enum hub_role role, const struct rh_peer_cfg *pc);
unsigned cp_peer_remove(struct cp *cp, enum hub_role role, const struct rh_addr *addr,
                        uint8_t subcode);
void cp_peer_remove_at(struct cp *cp, unsigned i, uint8_t subcode);
int cp_peer_route_refresh(struct cp_peer *p);

/* The dataplane's FIB, programmed with the effective routes (cp_fib.c). */
int cp_fib_start(struct cp *cp);
void cp_fib_stop(struct cp *cp);
void cp_fib_changed(struct cp *cp, const struct rh_prefix *p);
/* A peer sent End-of-RIB: the first resync may be due (see cp_fib.c). */
void cp_fib_peer_synced(struct cp *cp);
/* For the metrics: the channel is up; routes the FIB should hold; changes not sent yet. */
bool cp_fib_connected(const struct cp *cp);
size_t cp_fib_routes(const struct cp *cp);
size_t cp_fib_pending(const struct cp *cp);

/*
 * The Prometheus endpoint (cp_metrics.c) of cp->cfg.cp.metrics, when a port is set; a
 * failure is logged and leaves it off. Calling it again (after a reload changed the
 * address or port) closes the running endpoint first. cp_metrics_stop() is idempotent.
 */
int cp_metrics_start(struct cp *cp);
void cp_metrics_stop(struct cp *cp);

/*
 * Writes an MRT TABLE_DUMP_V2 dump (RFC 6396) of the RIBs to file (mrt.c). file must be
 * an absolute path; the dump goes to a temporary file renamed into place. 0 or a negative
 * errno with a message in err.
 */
int cp_mrt_dump(struct cp *cp, const char *file, char *err, size_t errlen);

#endif
