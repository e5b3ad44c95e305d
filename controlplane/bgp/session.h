/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The transport of one BGP peer: non-blocking TCP connections driven by the event loop,
 * message framing by the BGP header, an output queue that never blocks, the timers of the
 * RFC 4271 FSM (fsm.h), and callbacks to the upper layer (the RIB).
 *
 * A session owns up to two connections to its peer while a connection collision is
 * being resolved (RFC 4271 6.8): the one it opened and the one the peer opened, each
 * with its own FSM. Incoming connections arrive through a bgp_listener, one per local
 * address, shared by the sessions of that address.
 *
 * Security of the transport: TCP MD5 signatures (RFC 2385) on the listener for each peer
 * and on the connecting socket; GTSM (RFC 5082) or a plain TTL for multihop peers.
 *
 * Callbacks run from the event loop. They may call any function here except
 * bgp_session_free() and bgp_listener_free() on the session or listener that called.
 */
#ifndef ROUTEHUB_BGP_SESSION_H
#define ROUTEHUB_BGP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evloop.h"
#include "fsm.h"
#include "msg.h"
#include "routehub/prefix.h"

#define BGP_SESSION_PASSWORD_MAX 80 /* TCP_MD5SIG_MAXKEYLEN */
#define BGP_OUTQ_DEFAULT_HIGH    (256u * 1024u)

struct bgp_session;
struct bgp_listener;

#define BGP_SESSION_NAME_MAX 128

struct bgp_session_cfg {
	struct rh_addr local;  /* source of connections we open; the listener's address */
	struct rh_addr remote; /* the peer */
	uint16_t port;         /* the peer's TCP port; 0 means 179 */
	uint32_t local_as;
	uint32_t remote_as;
	uint32_t router_id;          /* our BGP Identifier, network order */
	uint16_t hold_time;          /* 0 or >= 3 (RFC 4271 4.2) */
	uint16_t connect_retry_time; /* seconds; 0 means 120 */
	uint16_t idle_hold_time;     /* seconds before an automatic restart; 0 means 5 */
	uint8_t multihop;            /* TTL of our packets without GTSM; 0 means 1 */
	bool gtsm;                   /* RFC 5082 */
	bool passive; /* never connect, only accept (8.1.1 PassiveTcpEstablishment) */
	char password[BGP_SESSION_PASSWORD_MAX + 1]; /* TCP MD5 key; empty for none */
	struct bgp_caps caps;                        /* capabilities we announce */
	size_t outq_high; /* queued bytes above which bgp_session_can_send() is false */
	/* How logs name the session (hub part, peer@instance); empty: the peer's address. */
	char name[BGP_SESSION_NAME_MAX];
};

struct bgp_session_ops {
	/* Both OPENs exchanged and the first KEEPALIVE received. */
	void (*established)(struct bgp_session *s, const struct bgp_open *peer, void *arg);
	/* One UPDATE body (after the 19-byte header); valid during the call only. */
	void (*update)(struct bgp_session *s, const uint8_t *body, size_t len, void *arg);
	/* One ROUTE-REFRESH, checked by bgp_rr_decode(). */
	void (*route_refresh)(struct bgp_session *s, uint16_t afi, uint8_t subtype, uint8_t safi,
	                      void *arg);
	/* The Established session ended: every route learned from the peer is gone. */
	void (*down)(struct bgp_session *s, const char *reason, void *arg);
	/* The output queue drained below half its limit after bgp_session_can_send() was false. */
	void (*writable)(struct bgp_session *s, void *arg);
};

/* Counters of a session, over its lifetime. */
struct bgp_session_stats {
	uint64_t msgs_in[BGP_ROUTE_REFRESH + 1]; /* by message type */
	uint64_t msgs_out[BGP_ROUTE_REFRESH + 1];
	uint64_t bytes_in, bytes_out;
	uint32_t established; /* times it reached Established */
	uint32_t dropped;     /* times an Established session ended */
	uint32_t refused;     /* incoming connections refused */
};

/*
 * A session for one peer, in Idle (nothing happens before bgp_session_start()). The
 * configuration is copied. NULL and errno on failure (EINVAL for a bad configuration).
 */
struct bgp_session *bgp_session_new(struct rh_evloop *loop, const struct bgp_session_cfg *cfg,
                                    const struct bgp_session_ops *ops, void *arg);
/* Closes its connections without sending anything and frees it. NULL is ignored. */
void bgp_session_free(struct bgp_session *s);

/* ManualStart (RFC 4271 8.1.2), passive when configured so. 0 or negative errno. */
int bgp_session_start(struct bgp_session *s);
/*
 * ManualStop: Cease/Administrative Shutdown with an RFC 8203/9003 shutdown communication
 * (text may be NULL), and the session stays down until bgp_session_start().
 */
int bgp_session_stop(struct bgp_session *s, const char *text);
/* Cease/Administrative Reset with a shutdown communication, then a new start at once. */
int bgp_session_reset(struct bgp_session *s, const char *text);

/*
 * ManualStop with Cease/subcode and no data (RFC 4486 3: 3 Peer De-configured, 6 Other
 * Configuration Change): for a reload that removes or changes the peer. The session
 * stays down until bgp_session_start().
 */
int bgp_session_cease(struct bgp_session *s, uint8_t subcode);
/* The arg given to the callbacks (the owner moved its per-peer structure). */
void bgp_session_set_arg(struct bgp_session *s, void *arg);

/*
 * For the RIB, when the peer sent more prefixes than allowed: Cease/Maximum Number of
 * Prefixes Reached (RFC 4486 4) with AFI, SAFI and the limit as data. The session stays
 * down until bgp_session_start().
 */
int bgp_session_max_prefix(struct bgp_session *s, uint16_t afi, uint8_t safi, uint32_t limit);

/*
 * For the RIB, when an UPDATE must reset the session (RFC 7606 session reset): sends n
 * and closes. Safe to call from the update callback.
 */
int bgp_session_update_error(struct bgp_session *s, const struct bgp_notify *n);

/*
 * Queues a whole encoded message (UPDATE, ROUTE-REFRESH, End-of-RIB) for the peer.
 * -ENOTCONN unless Established; -ENOBUFS when the queue is full (4 times the limit):
 * a caller that respects bgp_session_can_send() never sees it.
 */
int bgp_session_send(struct bgp_session *s, const uint8_t *msg, size_t len);
/* False when the output queue is over its limit: stop producing until ops->writable. */
bool bgp_session_can_send(const struct bgp_session *s);

enum bgp_fsm_state bgp_session_state(const struct bgp_session *s);
const struct bgp_session_stats *bgp_session_stats(const struct bgp_session *s);
const struct bgp_session_cfg *bgp_session_cfg(const struct bgp_session *s);
/* The peer's OPEN, while Established; else NULL. */
const struct bgp_open *bgp_session_peer_open(const struct bgp_session *s);
/* The negotiated hold time while Established. */
uint16_t bgp_session_hold_time(const struct bgp_session *s);
/* Why the session last went down ("" if never): for logs and the management socket. */
const char *bgp_session_last_error(const struct bgp_session *s);
/*
 * Whether the Established session that went down last ended with a NOTIFICATION, sent or
 * received (hold timer expiry, a Cease of ours or the peer's, an error). Valid from the
 * down callback on. RFC 4724 4.2: graceful restart applies only when it did not, when the
 * TCP connection just ended (RFC 8538 would extend it to NOTIFICATIONs; not done).
 */
bool bgp_session_down_notified(const struct bgp_session *s);

/*
 * A listening socket on a local address and port (179 when port is 0). Connections from
 * addresses of no attached session are closed at once and logged, rate-limited.
 */
struct bgp_listener *bgp_listener_new(struct rh_evloop *loop, const struct rh_addr *local,
                                      uint16_t port);
/* Closes the socket and frees it; attached sessions are detached. NULL is ignored. */
void bgp_listener_free(struct bgp_listener *l);
/*
 * Attaches a session of this local address: its incoming connections arrive through l,
 * and its TCP MD5 key is set on the listening socket for the peer's address.
 */
int bgp_listener_attach(struct bgp_listener *l, struct bgp_session *s);
void bgp_listener_detach(struct bgp_listener *l, struct bgp_session *s);
/* The port the listener is bound to. */
uint16_t bgp_listener_port(const struct bgp_listener *l);

#endif
