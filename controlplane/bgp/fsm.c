/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RFC 4271 section 8.2.2, state by state. Each handler follows the RFC's text for the
 * state; the places where it departs from the letter of the RFC say why.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bgp.h"
#include "fsm.h"

/* RFC 6608 3: subcodes of the Finite State Machine Error. */
enum {
	BGP_FSM_ERR_UNSPECIFIED = 0,
	BGP_FSM_ERR_OPENSENT = 1,
	BGP_FSM_ERR_OPENCONFIRM = 2,
	BGP_FSM_ERR_ESTABLISHED = 3,
};

enum crc_op { CRC_KEEP, CRC_INC, CRC_RESET };

static void act(struct bgp_fsm_out *out, enum bgp_fsm_act_type type)
{
	/* BGP_FSM_MAX_ACTIONS bounds the longest sequence below; a longer one is a bug. */
	if (out->n < BGP_FSM_MAX_ACTIONS)
		out->act[out->n++] = (struct bgp_fsm_action){.type = (uint8_t)type};
}

static void timer_start(struct bgp_fsm_out *out, enum bgp_fsm_timer t, uint32_t secs)
{
	act(out, BGP_ACT_TIMER_START);
	out->act[out->n - 1].timer = (uint8_t)t;
	out->act[out->n - 1].value = secs;
}

static void timer_stop(struct bgp_fsm_out *out, enum bgp_fsm_timer t)
{
	act(out, BGP_ACT_TIMER_STOP);
	out->act[out->n - 1].timer = (uint8_t)t;
}

static void notify(struct bgp_fsm_out *out, uint8_t code, uint8_t subcode, bool from_input)
{
	act(out, BGP_ACT_SEND_NOTIFY);
	out->act[out->n - 1].code = code;
	out->act[out->n - 1].subcode = subcode;
	out->act[out->n - 1].from_input = from_input;
}

static void crc(struct bgp_fsm *f, struct bgp_fsm_out *out, enum crc_op op)
{
	if (op == CRC_INC) {
		f->connect_retry_counter++;
		act(out, BGP_ACT_CRC_INC);
	} else if (op == CRC_RESET) {
		f->connect_retry_counter = 0;
		act(out, BGP_ACT_CRC_RESET);
	}
}

/*
 * The common way down to Idle: "sets the ConnectRetryTimer to zero, releases all BGP
 * resources, drops the TCP connection" and updates the ConnectRetryCounter. Any
 * NOTIFICATION is sent before, so that it goes out before the connection closes.
 */
static enum bgp_fsm_state to_idle(struct bgp_fsm *f, struct bgp_fsm_out *out, enum crc_op op)
{
	timer_stop(out, BGP_TIMER_CONNECT_RETRY);
	act(out, BGP_ACT_RELEASE);
	act(out, BGP_ACT_TCP_DROP);
	crc(f, out, op);
	return BGP_ST_IDLE;
}

/* The NOTIFICATION of the input: its code, or the default when it gave none. */
static void notify_input(struct bgp_fsm_out *out, const struct bgp_fsm_input *in, uint8_t code,
                         uint8_t subcode)
{
	if (in->code != 0)
		notify(out, in->code, in->subcode, true);
	else
		notify(out, code, subcode, false);
}

static bool is_message_event(enum bgp_fsm_event e)
{
	switch (e) {
	case BGP_EV_OPEN:
	case BGP_EV_OPEN_MSG_ERR:
	case BGP_EV_KEEPALIVE_MSG:
	case BGP_EV_UPDATE_MSG:
	case BGP_EV_UPDATE_MSG_ERR:
	case BGP_EV_ROUTE_REFRESH_MSG:
	case BGP_EV_ROUTE_REFRESH_MSG_ERR:
		return true;
	default:
		return false;
	}
}

/*
 * "Any other event" of OpenSent, OpenConfirm and Established: a Finite State Machine
 * Error. RFC 6608 3 gives a subcode per state for an unexpected message; an unexpected
 * event that is not a message (a timer) keeps subcode 0, Unspecified.
 */
static enum bgp_fsm_state fsm_error(struct bgp_fsm *f, struct bgp_fsm_out *out,
                                    enum bgp_fsm_event e, uint8_t state_subcode)
{
	notify(out, BGP_ERR_FSM, is_message_event(e) ? state_subcode : BGP_FSM_ERR_UNSPECIFIED,
	       false);
	return to_idle(f, out, CRC_INC);
}

/* Idle: RFC 4271 8.2.2 "Idle state". Everything but a start is ignored. */
static enum bgp_fsm_state st_idle(struct bgp_fsm *f, const struct bgp_fsm_input *in,
                                  struct bgp_fsm_out *out)
{
	switch (in->event) {
	case BGP_EV_MANUAL_START:
	case BGP_EV_AUTOMATIC_START:
		/* PassiveTcpEstablishment (8.1.1) set by configuration: every start is the
		 * passive one. */
		if (f->cfg.passive)
			goto passive;
		crc(f, out, CRC_RESET);
		timer_start(out, BGP_TIMER_CONNECT_RETRY, f->cfg.connect_retry_time);
		act(out, BGP_ACT_TCP_CONNECT);
		act(out, BGP_ACT_TCP_LISTEN);
		return BGP_ST_CONNECT;
	case BGP_EV_MANUAL_START_PASSIVE:
	case BGP_EV_AUTOMATIC_START_PASSIVE:
	passive:
		crc(f, out, CRC_RESET);
		timer_start(out, BGP_TIMER_CONNECT_RETRY, f->cfg.connect_retry_time);
		act(out, BGP_ACT_TCP_LISTEN);
		return BGP_ST_ACTIVE;
	default:
		return BGP_ST_IDLE;
	}
}

/* Connect and Active share the step to OpenSent once TCP is up (DelayOpen FALSE). */
static enum bgp_fsm_state send_open(struct bgp_fsm_out *out)
{
	timer_stop(out, BGP_TIMER_CONNECT_RETRY);
	act(out, BGP_ACT_SEND_OPEN);
	/* RFC 4271 8.2.2: "sets the HoldTimer to a large value"; 4 minutes suggested. */
	timer_start(out, BGP_TIMER_HOLD, BGP_LARGE_HOLD_TIME);
	return BGP_ST_OPENSENT;
}

/* Connect: RFC 4271 8.2.2 "Connect State". */
static enum bgp_fsm_state st_connect(struct bgp_fsm *f, const struct bgp_fsm_input *in,
                                     struct bgp_fsm_out *out)
{
	switch (in->event) {
	case BGP_EV_MANUAL_START:
	case BGP_EV_AUTOMATIC_START:
	case BGP_EV_MANUAL_START_PASSIVE:
	case BGP_EV_AUTOMATIC_START_PASSIVE:
	case BGP_EV_TCP_CONNECTION_VALID:
	case BGP_EV_TCP_CR_INVALID:
		return BGP_ST_CONNECT;
	case BGP_EV_MANUAL_STOP:
		return to_idle(f, out, CRC_RESET);
	case BGP_EV_CONNECT_RETRY_EXPIRES:
		act(out, BGP_ACT_TCP_DROP);
		timer_start(out, BGP_TIMER_CONNECT_RETRY, f->cfg.connect_retry_time);
		act(out, BGP_ACT_TCP_CONNECT);
		return BGP_ST_CONNECT;
	case BGP_EV_TCP_CR_ACKED:
	case BGP_EV_TCP_CONNECTION_CONFIRMED:
		return send_open(out);
	case BGP_EV_TCP_CONNECTION_FAILS:
		/* DelayOpenTimer not running: Idle, the counter unchanged. */
		return to_idle(f, out, CRC_KEEP);
	default:
		/* 21, 22 and 24 (DelayOpen FALSE, no NOTIFICATION without OPEN) and any other
		 * event: Idle with the counter incremented. */
		return to_idle(f, out, CRC_INC);
	}
}

/* Active: RFC 4271 8.2.2 "Active State". */
static enum bgp_fsm_state st_active(struct bgp_fsm *f, const struct bgp_fsm_input *in,
                                    struct bgp_fsm_out *out)
{
	switch (in->event) {
	case BGP_EV_MANUAL_START:
	case BGP_EV_AUTOMATIC_START:
	case BGP_EV_MANUAL_START_PASSIVE:
	case BGP_EV_AUTOMATIC_START_PASSIVE:
	case BGP_EV_TCP_CONNECTION_VALID:
	case BGP_EV_TCP_CR_INVALID:
		return BGP_ST_ACTIVE;
	case BGP_EV_MANUAL_STOP:
		return to_idle(f, out, CRC_RESET);
	case BGP_EV_CONNECT_RETRY_EXPIRES:
		timer_start(out, BGP_TIMER_CONNECT_RETRY, f->cfg.connect_retry_time);
		/* RFC 4271 has a passive FSM connect once this timer expires; a peer
		 * configured passive (as in FRR, BIRD, OpenBGPD) keeps waiting instead. */
		if (f->cfg.passive)
			return BGP_ST_ACTIVE;
		act(out, BGP_ACT_TCP_CONNECT);
		return BGP_ST_CONNECT;
	case BGP_EV_TCP_CR_ACKED:
	case BGP_EV_TCP_CONNECTION_CONFIRMED:
		return send_open(out);
	case BGP_EV_TCP_CONNECTION_FAILS:
		/* "restarts the ConnectRetryTimer (with the initial value) ... releases all
		 * BGP resources, increments the ConnectRetryCounter by 1 ... Idle". */
		timer_start(out, BGP_TIMER_CONNECT_RETRY, f->cfg.connect_retry_time);
		act(out, BGP_ACT_RELEASE);
		act(out, BGP_ACT_TCP_DROP);
		crc(f, out, CRC_INC);
		return BGP_ST_IDLE;
	default:
		return to_idle(f, out, CRC_INC);
	}
}

/* Stops (8.1.2 events 2 and 8): Cease, Administrative Shutdown by default (RFC 4486). */
static enum bgp_fsm_state stop_event(struct bgp_fsm *f, const struct bgp_fsm_input *in,
                                     struct bgp_fsm_out *out)
{
	bool manual = in->event == BGP_EV_MANUAL_STOP;

	notify_input(out, in, BGP_ERR_CEASE, manual ? BGP_CEASE_ADMIN_SHUTDOWN : 0);
	return to_idle(f, out, manual ? CRC_RESET : CRC_INC);
}

/* OpenSent: RFC 4271 8.2.2 "OpenSent". */
static enum bgp_fsm_state st_opensent(struct bgp_fsm *f, const struct bgp_fsm_input *in,
                                      struct bgp_fsm_out *out)
{
	switch (in->event) {
	case BGP_EV_MANUAL_START:
	case BGP_EV_AUTOMATIC_START:
	case BGP_EV_MANUAL_START_PASSIVE:
	case BGP_EV_AUTOMATIC_START_PASSIVE:
	case BGP_EV_TCP_CONNECTION_VALID:
	case BGP_EV_TCP_CR_INVALID:
	case BGP_EV_TCP_CR_ACKED:
	case BGP_EV_TCP_CONNECTION_CONFIRMED:
		/* A second connection is tracked by the session layer (6.8). */
		return BGP_ST_OPENSENT;
	case BGP_EV_MANUAL_STOP:
	case BGP_EV_AUTOMATIC_STOP:
		return stop_event(f, in, out);
	case BGP_EV_HOLD_EXPIRES:
		notify(out, BGP_ERR_HOLD, 0, false);
		return to_idle(f, out, CRC_INC);
	case BGP_EV_TCP_CONNECTION_FAILS:
		/* "closes the BGP connection": its (large) hold timer goes with it. */
		act(out, BGP_ACT_TCP_DROP);
		timer_stop(out, BGP_TIMER_HOLD);
		timer_start(out, BGP_TIMER_CONNECT_RETRY, f->cfg.connect_retry_time);
		act(out, BGP_ACT_TCP_LISTEN);
		return BGP_ST_ACTIVE;
	case BGP_EV_OPEN:
		timer_stop(out, BGP_TIMER_CONNECT_RETRY);
		act(out, BGP_ACT_SEND_KEEPALIVE);
		f->hold_time = bgp_hold_negotiate(f->cfg.hold_time, in->peer_hold_time,
		                                  &f->keepalive_time);
		if (f->hold_time == 0) {
			/* RFC 4271 4.4: hold time 0, no keepalives and no hold timer. */
			timer_stop(out, BGP_TIMER_HOLD);
		} else {
			timer_start(out, BGP_TIMER_KEEPALIVE, f->keepalive_time);
			timer_start(out, BGP_TIMER_HOLD, f->hold_time);
		}
		return BGP_ST_OPENCONFIRM;
	case BGP_EV_HEADER_ERR:
	case BGP_EV_OPEN_MSG_ERR:
		notify_input(out, in, BGP_ERR_OPEN, 0);
		return to_idle(f, out, CRC_INC);
	case BGP_EV_OPEN_COLLISION_DUMP:
		notify(out, BGP_ERR_CEASE, BGP_CEASE_COLLISION, false);
		return to_idle(f, out, CRC_INC);
	case BGP_EV_NOTIF_MSG_VER_ERR:
		return to_idle(f, out, CRC_KEEP);
	case BGP_EV_NOTIF_MSG:
		/* The RFC lists event 25 among those answered by an FSM Error; a NOTIFICATION
		 * is never answered (the peer closes right after it, RFC 4271 4.5), so the
		 * connection just closes as in OpenConfirm. */
		return to_idle(f, out, CRC_INC);
	default:
		return fsm_error(f, out, in->event, BGP_FSM_ERR_OPENSENT);
	}
}

/* OpenConfirm: RFC 4271 8.2.2 "OpenConfirm State". */
static enum bgp_fsm_state st_openconfirm(struct bgp_fsm *f, const struct bgp_fsm_input *in,
                                         struct bgp_fsm_out *out)
{
	switch (in->event) {
	case BGP_EV_MANUAL_START:
	case BGP_EV_AUTOMATIC_START:
	case BGP_EV_MANUAL_START_PASSIVE:
	case BGP_EV_AUTOMATIC_START_PASSIVE:
	case BGP_EV_TCP_CONNECTION_VALID:
	case BGP_EV_TCP_CR_INVALID:
	case BGP_EV_TCP_CR_ACKED:
	case BGP_EV_TCP_CONNECTION_CONFIRMED:
		return BGP_ST_OPENCONFIRM;
	case BGP_EV_MANUAL_STOP:
	case BGP_EV_AUTOMATIC_STOP:
		return stop_event(f, in, out);
	case BGP_EV_HOLD_EXPIRES:
		notify(out, BGP_ERR_HOLD, 0, false);
		return to_idle(f, out, CRC_INC);
	case BGP_EV_KEEPALIVE_EXPIRES:
		act(out, BGP_ACT_SEND_KEEPALIVE);
		if (f->keepalive_time != 0)
			timer_start(out, BGP_TIMER_KEEPALIVE, f->keepalive_time);
		return BGP_ST_OPENCONFIRM;
	case BGP_EV_TCP_CONNECTION_FAILS:
	case BGP_EV_NOTIF_MSG:
		return to_idle(f, out, CRC_INC);
	case BGP_EV_NOTIF_MSG_VER_ERR:
		return to_idle(f, out, CRC_KEEP);
	case BGP_EV_HEADER_ERR:
	case BGP_EV_OPEN_MSG_ERR:
		notify_input(out, in, BGP_ERR_OPEN, 0);
		return to_idle(f, out, CRC_INC);
	case BGP_EV_OPEN_COLLISION_DUMP:
		notify(out, BGP_ERR_CEASE, BGP_CEASE_COLLISION, false);
		return to_idle(f, out, CRC_INC);
	case BGP_EV_KEEPALIVE_MSG:
		if (f->hold_time != 0)
			timer_start(out, BGP_TIMER_HOLD, f->hold_time);
		act(out, BGP_ACT_ESTABLISHED);
		return BGP_ST_ESTABLISHED;
	default:
		/* An OPEN here is a second OPEN on this connection (collisions between two
		 * connections arrive as event 23): unexpected, like 9 and 27-30. */
		return fsm_error(f, out, in->event, BGP_FSM_ERR_OPENCONFIRM);
	}
}

/* Established: RFC 4271 8.2.2 "Established State". */
static enum bgp_fsm_state st_established(struct bgp_fsm *f, const struct bgp_fsm_input *in,
                                         struct bgp_fsm_out *out)
{
	switch (in->event) {
	case BGP_EV_MANUAL_START:
	case BGP_EV_AUTOMATIC_START:
	case BGP_EV_MANUAL_START_PASSIVE:
	case BGP_EV_AUTOMATIC_START_PASSIVE:
	case BGP_EV_TCP_CONNECTION_VALID:
	case BGP_EV_TCP_CR_INVALID:
	case BGP_EV_TCP_CR_ACKED:
	case BGP_EV_TCP_CONNECTION_CONFIRMED:
		return BGP_ST_ESTABLISHED;
	case BGP_EV_MANUAL_STOP:
	case BGP_EV_AUTOMATIC_STOP:
		return stop_event(f, in, out);
	case BGP_EV_HOLD_EXPIRES:
		notify(out, BGP_ERR_HOLD, 0, false);
		return to_idle(f, out, CRC_INC);
	case BGP_EV_KEEPALIVE_EXPIRES:
		act(out, BGP_ACT_SEND_KEEPALIVE);
		if (f->keepalive_time != 0)
			timer_start(out, BGP_TIMER_KEEPALIVE, f->keepalive_time);
		return BGP_ST_ESTABLISHED;
	case BGP_EV_OPEN_COLLISION_DUMP:
		notify(out, BGP_ERR_CEASE, BGP_CEASE_COLLISION, false);
		return to_idle(f, out, CRC_INC);
	case BGP_EV_TCP_CONNECTION_FAILS:
	case BGP_EV_NOTIF_MSG_VER_ERR:
	case BGP_EV_NOTIF_MSG:
		return to_idle(f, out, CRC_INC);
	case BGP_EV_KEEPALIVE_MSG:
	case BGP_EV_UPDATE_MSG:
	case BGP_EV_ROUTE_REFRESH_MSG:
		/* The hold timer measures the time between messages (RFC 4271 4.4). */
		if (f->hold_time != 0)
			timer_start(out, BGP_TIMER_HOLD, f->hold_time);
		if (in->event == BGP_EV_UPDATE_MSG)
			act(out, BGP_ACT_DELIVER_UPDATE);
		else if (in->event == BGP_EV_ROUTE_REFRESH_MSG)
			act(out, BGP_ACT_DELIVER_REFRESH);
		return BGP_ST_ESTABLISHED;
	case BGP_EV_UPDATE_MSG_ERR:
		notify_input(out, in, BGP_ERR_UPDATE, 0);
		return to_idle(f, out, CRC_INC);
	case BGP_EV_ROUTE_REFRESH_MSG_ERR:
		notify_input(out, in, BGP_ERR_ROUTE_REFRESH, BGP_ERR_RR_INVALID_LEN);
		return to_idle(f, out, CRC_INC);
	case BGP_EV_HEADER_ERR:
		/* 8.2.2 lists event 21 among the FSM Errors here, but 6.1 prescribes the
		 * Message Header Error whatever the state; 6.1 is the one peers expect. */
		notify_input(out, in, BGP_ERR_HEADER, 0);
		return to_idle(f, out, CRC_INC);
	default:
		return fsm_error(f, out, in->event, BGP_FSM_ERR_ESTABLISHED);
	}
}

typedef enum bgp_fsm_state (*state_fn)(struct bgp_fsm *, const struct bgp_fsm_input *,
                                       struct bgp_fsm_out *);

static const state_fn state_fns[BGP_ST_COUNT] = {
        [BGP_ST_IDLE] = st_idle,
        [BGP_ST_CONNECT] = st_connect,
        [BGP_ST_ACTIVE] = st_active,
        [BGP_ST_OPENSENT] = st_opensent,
        [BGP_ST_OPENCONFIRM] = st_openconfirm,
        [BGP_ST_ESTABLISHED] = st_established,
};

static const char *const event_names[BGP_EV_MAX] = {
        [BGP_EV_MANUAL_START] = "ManualStart",
        [BGP_EV_MANUAL_STOP] = "ManualStop",
        [BGP_EV_AUTOMATIC_START] = "AutomaticStart",
        [BGP_EV_MANUAL_START_PASSIVE] = "ManualStart_with_PassiveTcpEstablishment",
        [BGP_EV_AUTOMATIC_START_PASSIVE] = "AutomaticStart_with_PassiveTcpEstablishment",
        [BGP_EV_AUTOMATIC_STOP] = "AutomaticStop",
        [BGP_EV_CONNECT_RETRY_EXPIRES] = "ConnectRetryTimer_Expires",
        [BGP_EV_HOLD_EXPIRES] = "HoldTimer_Expires",
        [BGP_EV_KEEPALIVE_EXPIRES] = "KeepaliveTimer_Expires",
        [BGP_EV_TCP_CONNECTION_VALID] = "TcpConnection_Valid",
        [BGP_EV_TCP_CR_INVALID] = "Tcp_CR_Invalid",
        [BGP_EV_TCP_CR_ACKED] = "Tcp_CR_Acked",
        [BGP_EV_TCP_CONNECTION_CONFIRMED] = "TcpConnectionConfirmed",
        [BGP_EV_TCP_CONNECTION_FAILS] = "TcpConnectionFails",
        [BGP_EV_OPEN] = "BGPOpen",
        [BGP_EV_HEADER_ERR] = "BGPHeaderErr",
        [BGP_EV_OPEN_MSG_ERR] = "BGPOpenMsgErr",
        [BGP_EV_OPEN_COLLISION_DUMP] = "OpenCollisionDump",
        [BGP_EV_NOTIF_MSG_VER_ERR] = "NotifMsgVerErr",
        [BGP_EV_NOTIF_MSG] = "NotifMsg",
        [BGP_EV_KEEPALIVE_MSG] = "KeepAliveMsg",
        [BGP_EV_UPDATE_MSG] = "UpdateMsg",
        [BGP_EV_UPDATE_MSG_ERR] = "UpdateMsgErr",
        [BGP_EV_ROUTE_REFRESH_MSG] = "RouteRefreshMsg",
        [BGP_EV_ROUTE_REFRESH_MSG_ERR] = "RouteRefreshMsgErr",
};

void bgp_fsm_init(struct bgp_fsm *f, const struct bgp_fsm_cfg *cfg)
{
	memset(f, 0, sizeof(*f));
	f->state = BGP_ST_IDLE;
	f->cfg = *cfg;
	if (f->cfg.hold_time > 0 && f->cfg.hold_time < BGP_MIN_HOLD_TIME)
		f->cfg.hold_time = BGP_MIN_HOLD_TIME;
	if (f->cfg.connect_retry_time == 0)
		f->cfg.connect_retry_time = BGP_CONNECT_RETRY_TIME;
}

int bgp_fsm_event(struct bgp_fsm *f, const struct bgp_fsm_input *in, struct bgp_fsm_out *out)
{
	out->prev = f->state;
	out->next = f->state;
	out->n = 0;
	if (in->event <= 0 || in->event >= BGP_EV_MAX || event_names[in->event] == NULL)
		return -EINVAL;
	out->next = state_fns[f->state](f, in, out);
	f->state = out->next;
	if (f->state == BGP_ST_IDLE) {
		f->hold_time = 0;
		f->keepalive_time = 0;
	}
	return 0;
}

int bgp_fsm_simple(struct bgp_fsm *f, enum bgp_fsm_event ev, struct bgp_fsm_out *out)
{
	struct bgp_fsm_input in = {.event = ev};

	return bgp_fsm_event(f, &in, out);
}

uint16_t bgp_hold_negotiate(uint16_t local, uint16_t peer, uint16_t *keepalive)
{
	uint16_t hold = local < peer ? local : peer;

	/* RFC 4271 4.2: "the smaller of its configured Hold Time and the Hold Time received
	 * in the OPEN message"; 0 on either side disables it. 10: keepalive one third. */
	if (keepalive != NULL)
		*keepalive = hold == 0 ? 0 : hold < BGP_MIN_HOLD_TIME ? 1 : hold / 3;
	return hold;
}

enum bgp_collision_keep bgp_fsm_collision(uint32_t local_id, uint32_t local_as, uint32_t remote_id,
                                          uint32_t remote_as)
{
	if (local_id != remote_id)
		return local_id > remote_id ? BGP_KEEP_OUTGOING : BGP_KEEP_INCOMING;
	return local_as > remote_as ? BGP_KEEP_OUTGOING : BGP_KEEP_INCOMING;
}

const char *bgp_fsm_state_name(enum bgp_fsm_state s)
{
	static const char *const names[BGP_ST_COUNT] = {
	        "Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established",
	};

	return (unsigned)s < BGP_ST_COUNT ? names[s] : "?";
}

const char *bgp_fsm_event_name(enum bgp_fsm_event e)
{
	if ((unsigned)e >= BGP_EV_MAX || event_names[e] == NULL)
		return "?";
	return event_names[e];
}

const char *bgp_fsm_timer_name(enum bgp_fsm_timer t)
{
	static const char *const names[BGP_TIMER_COUNT] = {"ConnectRetry", "Hold", "Keepalive"};

	return (unsigned)t < BGP_TIMER_COUNT ? names[t] : "?";
}

static int action_fmt(const struct bgp_fsm_action *a, char *buf, size_t size)
{
	static const char *const simple[] = {
	        [BGP_ACT_TCP_CONNECT] = "connect",
	        [BGP_ACT_TCP_LISTEN] = "listen",
	        [BGP_ACT_TCP_DROP] = "drop",
	        [BGP_ACT_SEND_OPEN] = "open",
	        [BGP_ACT_SEND_KEEPALIVE] = "keepalive",
	        [BGP_ACT_RELEASE] = "release",
	        [BGP_ACT_CRC_INC] = "crc++",
	        [BGP_ACT_CRC_RESET] = "crc=0",
	        [BGP_ACT_ESTABLISHED] = "established",
	        [BGP_ACT_DELIVER_UPDATE] = "update",
	        [BGP_ACT_DELIVER_REFRESH] = "refresh",
	};

	switch (a->type) {
	case BGP_ACT_SEND_NOTIFY:
		return snprintf(buf, size, "notify(%u/%u%s)", a->code, a->subcode,
		                a->from_input ? ",input" : "");
	case BGP_ACT_TIMER_START:
		return snprintf(buf, size, "start(%s=%u)", bgp_fsm_timer_name(a->timer), a->value);
	case BGP_ACT_TIMER_STOP:
		return snprintf(buf, size, "stop(%s)", bgp_fsm_timer_name(a->timer));
	default:
		if (a->type < sizeof(simple) / sizeof(simple[0]) && simple[a->type] != NULL)
			return snprintf(buf, size, "%s", simple[a->type]);
		return snprintf(buf, size, "?%u", a->type);
	}
}

const char *bgp_fsm_actions_fmt(const struct bgp_fsm_out *out, char *buf, size_t size)
{
	size_t len = 0;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	for (unsigned i = 0; i < out->n && len < size; i++) {
		int n;

		if (i > 0 && len + 1 < size) {
			buf[len++] = ' ';
			buf[len] = '\0';
		}
		n = action_fmt(&out->act[i], buf + len, size - len);
		if (n < 0)
			break;
		len += (size_t)n;
	}
	return buf;
}
