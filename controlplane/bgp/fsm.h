/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The BGP finite state machine of RFC 4271 section 8, as a pure function: an event and
 * the current state give the next state and the list of actions the caller performs
 * (send a message, start or stop a timer, open or drop the TCP connection). It does no
 * I/O and keeps no clock, so every transition can be tested by a table.
 *
 * One FSM runs per TCP connection; while two connections to one peer race (RFC 4271
 * 6.8), the session layer runs one FSM for each and resolves the collision with
 * bgp_fsm_collision(), feeding BGP_EV_OPEN_COLLISION_DUMP to the loser.
 *
 * Optional session attributes of RFC 4271 8.1.1 as implemented: AllowAutomaticStart and
 * AllowAutomaticStop TRUE (the session layer restarts after an idle hold time),
 * PassiveTcpEstablishment per configuration, DelayOpen, DampPeerOscillations,
 * SendNOTIFICATIONwithoutOPEN, TrackTcpState and CollisionDetectEstablishedState FALSE.
 */
#ifndef ROUTEHUB_BGP_FSM_H
#define ROUTEHUB_BGP_FSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum bgp_fsm_state {
	BGP_ST_IDLE = 0,
	BGP_ST_CONNECT,
	BGP_ST_ACTIVE,
	BGP_ST_OPENSENT,
	BGP_ST_OPENCONFIRM,
	BGP_ST_ESTABLISHED,
	BGP_ST_COUNT,
};

/* Events, numbered as in RFC 4271 8.1; BGP_EV_ROUTE_REFRESH* added for RFC 2918/7313. */
enum bgp_fsm_event {
	BGP_EV_MANUAL_START = 1,
	BGP_EV_MANUAL_STOP = 2,
	BGP_EV_AUTOMATIC_START = 3,
	BGP_EV_MANUAL_START_PASSIVE = 4,
	BGP_EV_AUTOMATIC_START_PASSIVE = 5,
	BGP_EV_AUTOMATIC_STOP = 8,
	BGP_EV_CONNECT_RETRY_EXPIRES = 9,
	BGP_EV_HOLD_EXPIRES = 10,
	BGP_EV_KEEPALIVE_EXPIRES = 11,
	BGP_EV_TCP_CONNECTION_VALID = 14,
	BGP_EV_TCP_CR_INVALID = 15,
	BGP_EV_TCP_CR_ACKED = 16,
	BGP_EV_TCP_CONNECTION_CONFIRMED = 17,
	BGP_EV_TCP_CONNECTION_FAILS = 18,
	BGP_EV_OPEN = 19,
	BGP_EV_HEADER_ERR = 21,
	BGP_EV_OPEN_MSG_ERR = 22,
	BGP_EV_OPEN_COLLISION_DUMP = 23,
	BGP_EV_NOTIF_MSG_VER_ERR = 24,
	BGP_EV_NOTIF_MSG = 25,
	BGP_EV_KEEPALIVE_MSG = 26,
	BGP_EV_UPDATE_MSG = 27,
	BGP_EV_UPDATE_MSG_ERR = 28,
	BGP_EV_ROUTE_REFRESH_MSG = 29,     /* RFC 2918 */
	BGP_EV_ROUTE_REFRESH_MSG_ERR = 30, /* RFC 7313 5 */
	BGP_EV_MAX = 31,
};

enum bgp_fsm_timer {
	BGP_TIMER_CONNECT_RETRY = 0,
	BGP_TIMER_HOLD,
	BGP_TIMER_KEEPALIVE,
	BGP_TIMER_COUNT,
};

enum bgp_fsm_act_type {
	BGP_ACT_TCP_CONNECT = 1, /* initiate a TCP connection to the peer */
	BGP_ACT_TCP_LISTEN,      /* accept incoming connections from the peer */
	BGP_ACT_TCP_DROP,        /* close the TCP connection */
	BGP_ACT_SEND_OPEN,
	BGP_ACT_SEND_KEEPALIVE,
	BGP_ACT_SEND_NOTIFY,     /* code/subcode; data from the input when from_input */
	BGP_ACT_TIMER_START,     /* (re)start timer for value seconds */
	BGP_ACT_TIMER_STOP,      /* stop timer (RFC: "sets the timer to zero") */
	BGP_ACT_RELEASE,         /* release all BGP resources (routes of the peer included) */
	BGP_ACT_CRC_INC,         /* ConnectRetryCounter was incremented */
	BGP_ACT_CRC_RESET,       /* ConnectRetryCounter was set to zero */
	BGP_ACT_ESTABLISHED,     /* the session just reached Established */
	BGP_ACT_DELIVER_UPDATE,  /* hand the UPDATE to the RIB */
	BGP_ACT_DELIVER_REFRESH, /* hand the ROUTE-REFRESH to the RIB */
};

struct bgp_fsm_action {
	uint8_t type;  /* enum bgp_fsm_act_type */
	uint8_t timer; /* enum bgp_fsm_timer, for TIMER_* */
	uint8_t code;  /* for SEND_NOTIFY */
	uint8_t subcode;
	bool from_input; /* SEND_NOTIFY: the NOTIFICATION the input described, with its data */
	uint32_t value;  /* TIMER_START: seconds */
};

#define BGP_FSM_MAX_ACTIONS 12

/* RFC 4271 10: suggested values. */
#define BGP_CONNECT_RETRY_TIME 120
#define BGP_LARGE_HOLD_TIME    240 /* RFC 4271 8.2.2: "4 minutes" in OpenSent */
#define BGP_MIN_HOLD_TIME      3   /* RFC 4271 4.2: 0 or at least 3 seconds */

struct bgp_fsm_cfg {
	uint16_t hold_time;          /* our configured hold time: 0 or >= 3 */
	uint16_t connect_retry_time; /* seconds, > 0 */
	bool passive;                /* every start is passive; never connects */
};

struct bgp_fsm {
	enum bgp_fsm_state state;
	struct bgp_fsm_cfg cfg;
	uint32_t connect_retry_counter;
	uint16_t hold_time;      /* negotiated, valid from OpenConfirm on */
	uint16_t keepalive_time; /* negotiated / 3, 0 = no keepalives */
};

/* What happened, with the data some events carry. */
struct bgp_fsm_input {
	enum bgp_fsm_event event;
	uint16_t peer_hold_time; /* BGP_EV_OPEN: the peer's Hold Time */
	uint8_t code;            /* *_ERR events: the NOTIFICATION to send */
	uint8_t subcode;
};

struct bgp_fsm_out {
	enum bgp_fsm_state prev;
	enum bgp_fsm_state next;
	unsigned n;
	struct bgp_fsm_action act[BGP_FSM_MAX_ACTIONS];
};

/* An FSM in Idle. cfg->hold_time 1 or 2 is raised to 3 (RFC 4271 4.2). */
void bgp_fsm_init(struct bgp_fsm *f, const struct bgp_fsm_cfg *cfg);

/*
 * Feeds one event: fills out with the actions to perform, in order, and moves f to
 * out->next. Returns 0, or -EINVAL for an event number that does not exist (f unchanged,
 * no actions). Events that a state ignores give no actions and no change.
 */
int bgp_fsm_event(struct bgp_fsm *f, const struct bgp_fsm_input *in, struct bgp_fsm_out *out);

/* Shorthand for an event without data. */
int bgp_fsm_simple(struct bgp_fsm *f, enum bgp_fsm_event ev, struct bgp_fsm_out *out);

/*
 * Hold time negotiation (RFC 4271 4.2): the smaller of ours and the peer's; 0 when either
 * is 0, which means no hold timer and no keepalives. *keepalive is one third of it.
 */
uint16_t bgp_hold_negotiate(uint16_t local, uint16_t peer, uint16_t *keepalive);

enum bgp_collision_keep {
	BGP_KEEP_OUTGOING, /* the connection we opened survives */
	BGP_KEEP_INCOMING, /* the connection the peer opened survives */
};

/*
 * Connection collision (RFC 4271 6.8): the connection opened by the speaker with the
 * higher BGP Identifier survives. Identifiers are compared as 4-octet unsigned integers
 * in host order. When they are equal (allowed between ASes, RFC 6286 2.1), the connection
 * opened by the speaker with the higher AS number survives (RFC 6286 2.3).
 */
enum bgp_collision_keep bgp_fsm_collision(uint32_t local_id, uint32_t local_as, uint32_t remote_id,
                                          uint32_t remote_as);

const char *bgp_fsm_state_name(enum bgp_fsm_state s);
const char *bgp_fsm_event_name(enum bgp_fsm_event e);
const char *bgp_fsm_timer_name(enum bgp_fsm_timer t);
/*
 * The actions as text, for logs and tests: "notify(5/1) stop(ConnectRetry) release drop
 * crc++", separated by spaces. Returns buf.
 */
const char *bgp_fsm_actions_fmt(const struct bgp_fsm_out *out, char *buf, size_t size);

#endif
