/* SPDX-License-Identifier: BSD-3-Clause */
/* Between session.c (connections and the FSM) and session_sock.c (sockets, listener). */
#ifndef ROUTEHUB_BGP_SESSION_INT_H
#define ROUTEHUB_BGP_SESSION_INT_H

#include "session.h"

/* TCP MD5 key for the peer's address on fd (RFC 2385); an empty key removes it. */
int bgp_sock_md5(int fd, const struct rh_addr *peer, const char *key);
/* TTL or GTSM (RFC 5082), and the TOS of control traffic, on a connected socket. */
int bgp_sock_ttl(int fd, const struct bgp_session_cfg *cfg);
/* RFC 5082: the lowest TTL a segment of this session may arrive with. */
int bgp_sock_min_ttl(const struct bgp_session_cfg *cfg);
/* The TTL (hop limit) the accepted connection fd's SYN arrived with, or -errno. */
int bgp_sock_syn_ttl(int fd);
/*
 * A non-blocking socket bound to cfg->local, with MD5 and TTL set, connecting to the peer.
 * Returns the fd (connection in progress or done), or a negative errno.
 */
int bgp_sock_connect(const struct bgp_session_cfg *cfg);

/* From the listener: a connection from the session's peer. Takes fd. */
void bgp_session_incoming(struct bgp_session *s, int fd);
/* Whether the session takes incoming connections now. */
bool bgp_session_accepting(const struct bgp_session *s);
/* The listener was freed under the session. */
void bgp_session_listener_gone(struct bgp_session *s);
void bgp_session_set_listener(struct bgp_session *s, struct bgp_listener *l);

/* Private state, shared by session.c (actions, API) and session_rx.c (receive path). */
#define BGP_RX_CAP  (BGP_MAX_MSG_EXT + 1)
#define BGP_EVQ_LEN 8

struct outq {
	uint8_t *buf;
	size_t off, len, cap;
};

struct queued_event {
	struct bgp_fsm_input in;
	bool has_notify;
	struct bgp_notify n;
};

struct bgp_conn {
	struct bgp_session *s;
	struct bgp_fsm fsm;
	bool outgoing;   /* we opened it */
	bool connecting; /* connect() in progress */
	bool listening;  /* the FSM asked to accept connections */
	int fd;
	uint32_t gen; /* bumped when the socket closes */
	struct rh_io io;
	struct rh_timer timer[BGP_TIMER_COUNT];
	uint8_t *rx;
	size_t rx_len;
	struct outq out;
	struct bgp_open peer;
	bool have_peer;
	size_t max_msg;

	struct bgp_notify in_notify; /* what the event being run describes */
	bool notified;               /* a NOTIFICATION went either way on this socket */
	bool racing;         /* open when the other connection reached Established: a collision of
	                        the session's start, not a restarted peer (RFC 4724 4.2) */
	const uint8_t *body; /* the UPDATE being delivered */
	size_t body_len;
	uint16_t rr_afi; /* the ROUTE-REFRESH being delivered */
	uint8_t rr_subtype, rr_safi;

	struct queued_event q[BGP_EVQ_LEN];
	unsigned q_head, q_len;
	bool busy;
};

struct bgp_session {
	struct rh_evloop *loop;
	struct bgp_session_cfg cfg;
	struct bgp_session_ops ops;
	void *arg;
	struct bgp_listener *listener;
	char name[BGP_SESSION_NAME_MAX];

	/* conn[0] is the main connection; conn[1] the second one during a collision. */
	struct bgp_conn *conn[2];
	struct bgp_conn *est; /* the Established connection, or NULL */
	bool admin_up;
	unsigned failures; /* consecutive, for the idle hold back-off */
	struct rh_timer idle_hold;
	bool rib_blocked;
	struct bgp_session_stats stats;
	char last_error[192];
	bool error_fresh;   /* last_error was set by the event being run */
	bool down_notified; /* the last Established connection ended with a NOTIFICATION */
};

/* Feeds an event to the connection's FSM; queued when the connection is busy. */
void bgp_conn_event(struct bgp_conn *c, enum bgp_fsm_event ev, const struct bgp_notify *n);
void bgp_conn_event_in(struct bgp_conn *c, const struct bgp_fsm_input *in,
                       const struct bgp_notify *n);
/* The other connection of the session. */
struct bgp_conn *bgp_conn_other(struct bgp_conn *c);
/* Reads what the socket has and runs the messages in it. */
void bgp_conn_read(struct bgp_conn *c);
/* Records why the session is going (or went) down; shown by bgp_session_last_error(). */
void bgp_session_error(struct bgp_session *s, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
/* The name of a NOTIFICATION code/subcode, for logs. */
const char *bgp_session_notify_name(uint8_t code, uint8_t subcode);

#endif
