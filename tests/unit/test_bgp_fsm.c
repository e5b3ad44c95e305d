/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The RFC 4271 8.2.2 FSM, one table row per (state, event): the next state and the
 * actions, written as bgp_fsm_actions_fmt() prints them. Events a state ignores are
 * checked by a loop over every event not in the table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "bgp.h"
#include "fsm.h"

#define IDLE_INC    "stop(ConnectRetry) release drop crc++"
#define IDLE_RESET  "stop(ConnectRetry) release drop crc=0"
#define IDLE_KEEP   "stop(ConnectRetry) release drop"
#define TO_OPENSENT "stop(ConnectRetry) open start(Hold=240)"

struct row {
	enum bgp_fsm_state state;
	enum bgp_fsm_event event;
	uint8_t code, subcode; /* NOTIFICATION carried by the input */
	enum bgp_fsm_state next;
	const char *actions;
};

/* Configured hold time 90, peer's 90: keepalive 30. */
static const struct row rows[] = {
        /* Idle */
        {BGP_ST_IDLE, BGP_EV_MANUAL_START, 0, 0, BGP_ST_CONNECT,
         "crc=0 start(ConnectRetry=120) connect listen"},
        {BGP_ST_IDLE, BGP_EV_AUTOMATIC_START, 0, 0, BGP_ST_CONNECT,
         "crc=0 start(ConnectRetry=120) connect listen"},
        {BGP_ST_IDLE, BGP_EV_MANUAL_START_PASSIVE, 0, 0, BGP_ST_ACTIVE,
         "crc=0 start(ConnectRetry=120) listen"},
        {BGP_ST_IDLE, BGP_EV_AUTOMATIC_START_PASSIVE, 0, 0, BGP_ST_ACTIVE,
         "crc=0 start(ConnectRetry=120) listen"},

        /* Connect */
        {BGP_ST_CONNECT, BGP_EV_MANUAL_STOP, 0, 0, BGP_ST_IDLE, IDLE_RESET},
        {BGP_ST_CONNECT, BGP_EV_CONNECT_RETRY_EXPIRES, 0, 0, BGP_ST_CONNECT,
         "drop start(ConnectRetry=120) connect"},
        {BGP_ST_CONNECT, BGP_EV_TCP_CR_ACKED, 0, 0, BGP_ST_OPENSENT, TO_OPENSENT},
        {BGP_ST_CONNECT, BGP_EV_TCP_CONNECTION_CONFIRMED, 0, 0, BGP_ST_OPENSENT, TO_OPENSENT},
        {BGP_ST_CONNECT, BGP_EV_TCP_CONNECTION_FAILS, 0, 0, BGP_ST_IDLE, IDLE_KEEP},
        {BGP_ST_CONNECT, BGP_EV_AUTOMATIC_STOP, 0, 0, BGP_ST_IDLE, IDLE_INC},
        {BGP_ST_CONNECT, BGP_EV_HOLD_EXPIRES, 0, 0, BGP_ST_IDLE, IDLE_INC},
        {BGP_ST_CONNECT, BGP_EV_KEEPALIVE_EXPIRES, 0, 0, BGP_ST_IDLE, IDLE_INC},
        {BGP_ST_CONNECT, BGP_EV_OPEN, 0, 0, BGP_ST_IDLE, IDLE_INC},
        {BGP_ST_CONNECT, BGP_EV_HEADER_ERR, 1, 2, BGP_ST_IDLE, IDLE_INC},
        {BGP_ST_CONNECT, BGP_EV_OPEN_MSG_ERR, 2, 2, BGP_ST_IDLE, IDLE_INC},
        {BGP_ST_CONNECT, BGP_EV_OPEN_COLLISION_DUMP, 0, 0, BGP_ST_IDLE, IDLE_INC},
        {BGP_ST_CONNECT, BGP_EV_NOTIF_MSG_VER_ERR, 0, 0, BGP_ST_IDLE, IDLE_INC},
        {BGP_ST_CONNECT, BGP_EV_NOTIF_MSG, 0, 0, BGP_ST_IDLE, IDLE_INC},
        {BGP_ST_CONNECT, BGP_EV_KEEPALIVE_MSG, 0, 0, BGP_ST_IDLE, IDLE_INC},
        {BGP_ST_CONNECT, BGP_EV_UPDATE_MSG, 0, 0, BGP_ST_IDLE, IDLE_INC},
        {BGP_ST_CONNECT, BGP_EV_UPDATE_MSG_ERR, 3, 1, BGP_ST_IDLE, IDLE_INC},
        {BGP_ST_CONNECT, BGP_EV_ROUTE_REFRESH_MSG, 0, 0, BGP_ST_IDLE, IDLE_INC},
        {BGP_ST_CONNECT, BGP_EV_ROUTE_REFRESH_MSG_ERR, 7, 1, BGP_ST_IDLE, IDLE_INC},

        /* Active */
        {BGP_ST_ACTIVE, BGP_EV_MANUAL_STOP, 0, 0, BGP_ST_IDLE, IDLE_RESET},
        {BGP_ST_ACTIVE, BGP_EV_CONNECT_RETRY_EXPIRES, 0, 0, BGP_ST_CONNECT,
         "start(ConnectRetry=120) connect"},
        {BGP_ST_ACTIVE, BGP_EV_TCP_CR_ACKED, 0, 0, BGP_ST_OPENSENT, TO_OPENSENT},
        {BGP_ST_ACTIVE, BGP_EV_TCP_CONNECTION_CONFIRMED, 0, 0, BGP_ST_OPENSENT, TO_OPENSENT},
        {BGP_ST_ACTIVE, BGP_EV_TCP_CONNECTION_FAILS, 0, 0, BGP_ST_IDLE,
         "start(ConnectRetry=120) release drop crc++"},
        {BGP_ST_ACTIVE, BGP_EV_AUTOMATIC_STOP, 0, 0, BGP_ST_IDLE, IDLE_INC},
        {BGP_ST_ACTIVE, BGP_EV_HOLD_EXPIRES, 0, 0, BGP_ST_IDLE, IDLE_INC},
        {BGP_ST_ACTIVE, BGP_EV_KEEPALIVE_EXPIRES, 0, 0, BGP_ST_IDLE, IDLE_INC},
        {BGP_ST_ACTIVE, BGP_EV_OPEN, 0, 0, BGP_ST_IDLE, IDLE_INC},
        {BGP_ST_ACTIVE, BGP_EV_HEADER_ERR, 1, 1, BGP_ST_IDLE, IDLE_INC},
        {BGP_ST_ACTIVE, BGP_EV_OPEN_MSG_ERR, 2, 1, BGP_ST_IDLE, IDLE_INC},
        {BGP_ST_ACTIVE, BGP_EV_OPEN_COLLISION_DUMP, 0, 0, BGP_ST_IDLE, IDLE_INC},
        {BGP_ST_ACTIVE, BGP_EV_NOTIF_MSG_VER_ERR, 0, 0, BGP_ST_IDLE, IDLE_INC},
        {BGP_ST_ACTIVE, BGP_EV_NOTIF_MSG, 0, 0, BGP_ST_IDLE, IDLE_INC},
        {BGP_ST_ACTIVE, BGP_EV_KEEPALIVE_MSG, 0, 0, BGP_ST_IDLE, IDLE_INC},
        {BGP_ST_ACTIVE, BGP_EV_UPDATE_MSG, 0, 0, BGP_ST_IDLE, IDLE_INC},
        {BGP_ST_ACTIVE, BGP_EV_UPDATE_MSG_ERR, 3, 1, BGP_ST_IDLE, IDLE_INC},
        {BGP_ST_ACTIVE, BGP_EV_ROUTE_REFRESH_MSG, 0, 0, BGP_ST_IDLE, IDLE_INC},
        {BGP_ST_ACTIVE, BGP_EV_ROUTE_REFRESH_MSG_ERR, 7, 1, BGP_ST_IDLE, IDLE_INC},

        /* OpenSent */
        {BGP_ST_OPENSENT, BGP_EV_MANUAL_STOP, 0, 0, BGP_ST_IDLE, "notify(6/2) " IDLE_RESET},
        {BGP_ST_OPENSENT, BGP_EV_MANUAL_STOP, 6, 4, BGP_ST_IDLE, "notify(6/4,input) " IDLE_RESET},
        {BGP_ST_OPENSENT, BGP_EV_AUTOMATIC_STOP, 0, 0, BGP_ST_IDLE, "notify(6/0) " IDLE_INC},
        {BGP_ST_OPENSENT, BGP_EV_HOLD_EXPIRES, 0, 0, BGP_ST_IDLE, "notify(4/0) " IDLE_INC},
        {BGP_ST_OPENSENT, BGP_EV_TCP_CONNECTION_FAILS, 0, 0, BGP_ST_ACTIVE,
         "drop stop(Hold) start(ConnectRetry=120) listen"},
        {BGP_ST_OPENSENT, BGP_EV_OPEN, 0, 0, BGP_ST_OPENCONFIRM,
         "stop(ConnectRetry) keepalive start(Keepalive=30) start(Hold=90)"},
        {BGP_ST_OPENSENT, BGP_EV_HEADER_ERR, 1, 2, BGP_ST_IDLE, "notify(1/2,input) " IDLE_INC},
        {BGP_ST_OPENSENT, BGP_EV_OPEN_MSG_ERR, 2, 2, BGP_ST_IDLE, "notify(2/2,input) " IDLE_INC},
        {BGP_ST_OPENSENT, BGP_EV_OPEN_COLLISION_DUMP, 0, 0, BGP_ST_IDLE, "notify(6/7) " IDLE_INC},
        {BGP_ST_OPENSENT, BGP_EV_NOTIF_MSG_VER_ERR, 0, 0, BGP_ST_IDLE, IDLE_KEEP},
        {BGP_ST_OPENSENT, BGP_EV_NOTIF_MSG, 0, 0, BGP_ST_IDLE, IDLE_INC},
        {BGP_ST_OPENSENT, BGP_EV_CONNECT_RETRY_EXPIRES, 0, 0, BGP_ST_IDLE, "notify(5/0) " IDLE_INC},
        {BGP_ST_OPENSENT, BGP_EV_KEEPALIVE_EXPIRES, 0, 0, BGP_ST_IDLE, "notify(5/0) " IDLE_INC},
        {BGP_ST_OPENSENT, BGP_EV_KEEPALIVE_MSG, 0, 0, BGP_ST_IDLE, "notify(5/1) " IDLE_INC},
        {BGP_ST_OPENSENT, BGP_EV_UPDATE_MSG, 0, 0, BGP_ST_IDLE, "notify(5/1) " IDLE_INC},
        {BGP_ST_OPENSENT, BGP_EV_UPDATE_MSG_ERR, 3, 1, BGP_ST_IDLE, "notify(5/1) " IDLE_INC},
        {BGP_ST_OPENSENT, BGP_EV_ROUTE_REFRESH_MSG, 0, 0, BGP_ST_IDLE, "notify(5/1) " IDLE_INC},
        {BGP_ST_OPENSENT, BGP_EV_ROUTE_REFRESH_MSG_ERR, 7, 1, BGP_ST_IDLE, "notify(5/1) " IDLE_INC},

        /* OpenConfirm */
        {BGP_ST_OPENCONFIRM, BGP_EV_MANUAL_STOP, 0, 0, BGP_ST_IDLE, "notify(6/2) " IDLE_RESET},
        {BGP_ST_OPENCONFIRM, BGP_EV_AUTOMATIC_STOP, 0, 0, BGP_ST_IDLE, "notify(6/0) " IDLE_INC},
        {BGP_ST_OPENCONFIRM, BGP_EV_HOLD_EXPIRES, 0, 0, BGP_ST_IDLE, "notify(4/0) " IDLE_INC},
        {BGP_ST_OPENCONFIRM, BGP_EV_KEEPALIVE_EXPIRES, 0, 0, BGP_ST_OPENCONFIRM,
         "keepalive start(Keepalive=30)"},
        {BGP_ST_OPENCONFIRM, BGP_EV_TCP_CONNECTION_FAILS, 0, 0, BGP_ST_IDLE, IDLE_INC},
        {BGP_ST_OPENCONFIRM, BGP_EV_NOTIF_MSG, 0, 0, BGP_ST_IDLE, IDLE_INC},
        {BGP_ST_OPENCONFIRM, BGP_EV_NOTIF_MSG_VER_ERR, 0, 0, BGP_ST_IDLE, IDLE_KEEP},
        {BGP_ST_OPENCONFIRM, BGP_EV_HEADER_ERR, 1, 3, BGP_ST_IDLE, "notify(1/3,input) " IDLE_INC},
        {BGP_ST_OPENCONFIRM, BGP_EV_OPEN_MSG_ERR, 2, 4, BGP_ST_IDLE, "notify(2/4,input) " IDLE_INC},
        {BGP_ST_OPENCONFIRM, BGP_EV_OPEN_COLLISION_DUMP, 0, 0, BGP_ST_IDLE,
         "notify(6/7) " IDLE_INC},
        {BGP_ST_OPENCONFIRM, BGP_EV_KEEPALIVE_MSG, 0, 0, BGP_ST_ESTABLISHED,
         "start(Hold=90) established"},
        {BGP_ST_OPENCONFIRM, BGP_EV_CONNECT_RETRY_EXPIRES, 0, 0, BGP_ST_IDLE,
         "notify(5/0) " IDLE_INC},
        {BGP_ST_OPENCONFIRM, BGP_EV_OPEN, 0, 0, BGP_ST_IDLE, "notify(5/2) " IDLE_INC},
        {BGP_ST_OPENCONFIRM, BGP_EV_UPDATE_MSG, 0, 0, BGP_ST_IDLE, "notify(5/2) " IDLE_INC},
        {BGP_ST_OPENCONFIRM, BGP_EV_UPDATE_MSG_ERR, 3, 1, BGP_ST_IDLE, "notify(5/2) " IDLE_INC},
        {BGP_ST_OPENCONFIRM, BGP_EV_ROUTE_REFRESH_MSG, 0, 0, BGP_ST_IDLE, "notify(5/2) " IDLE_INC},
        {BGP_ST_OPENCONFIRM, BGP_EV_ROUTE_REFRESH_MSG_ERR, 7, 1, BGP_ST_IDLE,
         "notify(5/2) " IDLE_INC},

        /* Established */
        {BGP_ST_ESTABLISHED, BGP_EV_MANUAL_STOP, 0, 0, BGP_ST_IDLE, "notify(6/2) " IDLE_RESET},
        {BGP_ST_ESTABLISHED, BGP_EV_MANUAL_STOP, 6, 2, BGP_ST_IDLE,
         "notify(6/2,input) " IDLE_RESET},
        {BGP_ST_ESTABLISHED, BGP_EV_AUTOMATIC_STOP, 0, 0, BGP_ST_IDLE, "notify(6/0) " IDLE_INC},
        /* Max-prefix teardown (RFC 4486): Cease/1 with its data, from the input. */
        {BGP_ST_ESTABLISHED, BGP_EV_AUTOMATIC_STOP, 6, 1, BGP_ST_IDLE,
         "notify(6/1,input) " IDLE_INC},
        {BGP_ST_ESTABLISHED, BGP_EV_HOLD_EXPIRES, 0, 0, BGP_ST_IDLE, "notify(4/0) " IDLE_INC},
        {BGP_ST_ESTABLISHED, BGP_EV_KEEPALIVE_EXPIRES, 0, 0, BGP_ST_ESTABLISHED,
         "keepalive start(Keepalive=30)"},
        {BGP_ST_ESTABLISHED, BGP_EV_OPEN_COLLISION_DUMP, 0, 0, BGP_ST_IDLE,
         "notify(6/7) " IDLE_INC},
        {BGP_ST_ESTABLISHED, BGP_EV_TCP_CONNECTION_FAILS, 0, 0, BGP_ST_IDLE, IDLE_INC},
        {BGP_ST_ESTABLISHED, BGP_EV_NOTIF_MSG_VER_ERR, 0, 0, BGP_ST_IDLE, IDLE_INC},
        {BGP_ST_ESTABLISHED, BGP_EV_NOTIF_MSG, 0, 0, BGP_ST_IDLE, IDLE_INC},
        {BGP_ST_ESTABLISHED, BGP_EV_KEEPALIVE_MSG, 0, 0, BGP_ST_ESTABLISHED, "start(Hold=90)"},
        {BGP_ST_ESTABLISHED, BGP_EV_UPDATE_MSG, 0, 0, BGP_ST_ESTABLISHED, "start(Hold=90) update"},
        {BGP_ST_ESTABLISHED, BGP_EV_ROUTE_REFRESH_MSG, 0, 0, BGP_ST_ESTABLISHED,
         "start(Hold=90) refresh"},
        {BGP_ST_ESTABLISHED, BGP_EV_UPDATE_MSG_ERR, 3, 1, BGP_ST_IDLE,
         "notify(3/1,input) " IDLE_INC},
        {BGP_ST_ESTABLISHED, BGP_EV_ROUTE_REFRESH_MSG_ERR, 7, 1, BGP_ST_IDLE,
         "notify(7/1,input) " IDLE_INC},
        {BGP_ST_ESTABLISHED, BGP_EV_HEADER_ERR, 1, 2, BGP_ST_IDLE, "notify(1/2,input) " IDLE_INC},
        {BGP_ST_ESTABLISHED, BGP_EV_CONNECT_RETRY_EXPIRES, 0, 0, BGP_ST_IDLE,
         "notify(5/0) " IDLE_INC},
        {BGP_ST_ESTABLISHED, BGP_EV_OPEN, 0, 0, BGP_ST_IDLE, "notify(5/3) " IDLE_INC},
        {BGP_ST_ESTABLISHED, BGP_EV_OPEN_MSG_ERR, 2, 1, BGP_ST_IDLE, "notify(5/3) " IDLE_INC},
};

static const enum bgp_fsm_event all_events[] = {
        BGP_EV_MANUAL_START,
        BGP_EV_MANUAL_STOP,
        BGP_EV_AUTOMATIC_START,
        BGP_EV_MANUAL_START_PASSIVE,
        BGP_EV_AUTOMATIC_START_PASSIVE,
        BGP_EV_AUTOMATIC_STOP,
        BGP_EV_CONNECT_RETRY_EXPIRES,
        BGP_EV_HOLD_EXPIRES,
        BGP_EV_KEEPALIVE_EXPIRES,
        BGP_EV_TCP_CONNECTION_VALID,
        BGP_EV_TCP_CR_INVALID,
        BGP_EV_TCP_CR_ACKED,
        BGP_EV_TCP_CONNECTION_CONFIRMED,
        BGP_EV_TCP_CONNECTION_FAILS,
        BGP_EV_OPEN,
        BGP_EV_HEADER_ERR,
        BGP_EV_OPEN_MSG_ERR,
        BGP_EV_OPEN_COLLISION_DUMP,
        BGP_EV_NOTIF_MSG_VER_ERR,
        BGP_EV_NOTIF_MSG,
        BGP_EV_KEEPALIVE_MSG,
        BGP_EV_UPDATE_MSG,
        BGP_EV_UPDATE_MSG_ERR,
        BGP_EV_ROUTE_REFRESH_MSG,
        BGP_EV_ROUTE_REFRESH_MSG_ERR,
};
#define N_EVENTS (sizeof(all_events) / sizeof(all_events[0]))
#define N_ROWS   (sizeof(rows) / sizeof(rows[0]))

static const struct bgp_fsm_cfg cfg90 = {.hold_time = 90, .connect_retry_time = 120};

/* An FSM put straight into a state, with the hold time negotiated at 90 when past OPEN. */
static void fsm_in(struct bgp_fsm *f, enum bgp_fsm_state st, const struct bgp_fsm_cfg *cfg)
{
	bgp_fsm_init(f, cfg);
	f->state = st;
	f->connect_retry_counter = 5;
	if (st >= BGP_ST_OPENCONFIRM)
		f->hold_time = bgp_hold_negotiate(cfg->hold_time, 90, &f->keepalive_time);
}

static void check_row(const struct row *r)
{
	struct bgp_fsm_input in = {.event = r->event, .peer_hold_time = 90};
	struct bgp_fsm_out out;
	struct bgp_fsm f;
	char buf[512];
	uint32_t crc_before;

	fsm_in(&f, r->state, &cfg90);
	crc_before = f.connect_retry_counter;
	in.code = r->code;
	in.subcode = r->subcode;
	assert_int_equal(bgp_fsm_event(&f, &in, &out), 0);
	bgp_fsm_actions_fmt(&out, buf, sizeof(buf));
	if (out.next != r->next || strcmp(buf, r->actions) != 0)
		fail_msg("%s + %s: got %s [%s], want %s [%s]", bgp_fsm_state_name(r->state),
		         bgp_fsm_event_name(r->event), bgp_fsm_state_name(out.next), buf,
		         bgp_fsm_state_name(r->next), r->actions);
	assert_int_equal(out.prev, r->state);
	assert_int_equal(f.state, r->next);
	/* The counter moves as the actions say. */
	if (strstr(buf, "crc++") != NULL)
		assert_int_equal(f.connect_retry_counter, crc_before + 1);
	else if (strstr(buf, "crc=0") != NULL)
		assert_int_equal(f.connect_retry_counter, 0);
	else
		assert_int_equal(f.connect_retry_counter, crc_before);
}

static void test_transition_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ROWS; i++)
		check_row(&rows[i]);
}

static bool in_table(enum bgp_fsm_state st, enum bgp_fsm_event ev)
{
	for (size_t i = 0; i < N_ROWS; i++)
		if (rows[i].state == st && rows[i].event == ev)
			return true;
	return false;
}

/* Every (state, event) pair not in the table is ignored: same state, no action. */
static void test_ignored_events(void **state)
{
	unsigned ignored = 0;

	(void)state;
	for (int st = BGP_ST_IDLE; st < BGP_ST_COUNT; st++) {
		for (size_t e = 0; e < N_EVENTS; e++) {
			struct bgp_fsm_out out;
			struct bgp_fsm f;

			if (in_table(st, all_events[e]))
				continue;
			fsm_in(&f, st, &cfg90);
			assert_int_equal(bgp_fsm_simple(&f, all_events[e], &out), 0);
			if (out.n != 0 || out.next != (enum bgp_fsm_state)st)
				fail_msg("%s + %s: not ignored", bgp_fsm_state_name(st),
				         bgp_fsm_event_name(all_events[e]));
			ignored++;
		}
	}
	/* Idle ignores 21 events; the other states ignore starts and TCP indications. */
	assert_int_equal(ignored, 21 + 6 + 6 + 8 + 8 + 8);
}

/* RFC 6608: unexpected messages in each state after OPEN give FSM Error subcode 1, 2, 3. */
static void test_unexpected_message_subcodes(void **state)
{
	static const struct {
		enum bgp_fsm_state st;
		uint8_t subcode;
	} cases[] = {
	        {BGP_ST_OPENSENT, 1},
	        {BGP_ST_OPENCONFIRM, 2},
	        {BGP_ST_ESTABLISHED, 3},
	};
	static const enum bgp_fsm_event unexpected[] = {
	        BGP_EV_OPEN, BGP_EV_KEEPALIVE_MSG, BGP_EV_UPDATE_MSG, BGP_EV_ROUTE_REFRESH_MSG};

	(void)state;
	for (size_t c = 0; c < 3; c++) {
		for (size_t e = 0; e < 4; e++) {
			struct bgp_fsm_out out;
			struct bgp_fsm f;

			/* Expected messages of each state are in the transition table. */
			if ((cases[c].st == BGP_ST_OPENSENT && unexpected[e] == BGP_EV_OPEN) ||
			    (cases[c].st == BGP_ST_OPENCONFIRM &&
			     unexpected[e] == BGP_EV_KEEPALIVE_MSG) ||
			    (cases[c].st == BGP_ST_ESTABLISHED && unexpected[e] != BGP_EV_OPEN))
				continue;
			fsm_in(&f, cases[c].st, &cfg90);
			assert_int_equal(bgp_fsm_simple(&f, unexpected[e], &out), 0);
			assert_int_equal(out.next, BGP_ST_IDLE);
			assert_true(out.n > 0);
			assert_int_equal(out.act[0].type, BGP_ACT_SEND_NOTIFY);
			assert_int_equal(out.act[0].code, BGP_ERR_FSM);
			assert_int_equal(out.act[0].subcode, cases[c].subcode);
		}
	}
}

/* Runs events and checks the actions of the last one. */
static const char *step(struct bgp_fsm *f, enum bgp_fsm_event ev, uint16_t peer_hold, char *buf,
                        size_t size)
{
	struct bgp_fsm_input in = {.event = ev, .peer_hold_time = peer_hold};
	struct bgp_fsm_out out;

	assert_int_equal(bgp_fsm_event(f, &in, &out), 0);
	return bgp_fsm_actions_fmt(&out, buf, size);
}

/* A whole session, active side, and the hold time taken from the smaller side. */
static void test_active_session_to_established(void **state)
{
	struct bgp_fsm_cfg cfg = {.hold_time = 180, .connect_retry_time = 30};
	struct bgp_fsm f;
	char buf[256];

	(void)state;
	bgp_fsm_init(&f, &cfg);
	assert_int_equal(f.state, BGP_ST_IDLE);
	assert_string_equal(step(&f, BGP_EV_MANUAL_START, 0, buf, sizeof(buf)),
	                    "crc=0 start(ConnectRetry=30) connect listen");
	assert_string_equal(step(&f, BGP_EV_TCP_CR_ACKED, 0, buf, sizeof(buf)), TO_OPENSENT);
	assert_string_equal(step(&f, BGP_EV_OPEN, 9, buf, sizeof(buf)),
	                    "stop(ConnectRetry) keepalive start(Keepalive=3) start(Hold=9)");
	assert_int_equal(f.hold_time, 9);
	assert_int_equal(f.keepalive_time, 3);
	assert_string_equal(step(&f, BGP_EV_KEEPALIVE_MSG, 0, buf, sizeof(buf)),
	                    "start(Hold=9) established");
	assert_int_equal(f.state, BGP_ST_ESTABLISHED);
	assert_string_equal(step(&f, BGP_EV_KEEPALIVE_EXPIRES, 0, buf, sizeof(buf)),
	                    "keepalive start(Keepalive=3)");
	assert_string_equal(step(&f, BGP_EV_HOLD_EXPIRES, 0, buf, sizeof(buf)),
	                    "notify(4/0) " IDLE_INC);
	assert_int_equal(f.state, BGP_ST_IDLE);
	assert_int_equal(f.connect_retry_counter, 1);
	assert_int_equal(f.hold_time, 0);
}

/* Passive: waits in Active for the peer's connection. */
static void test_passive_session(void **state)
{
	struct bgp_fsm f;
	char buf[256];

	(void)state;
	bgp_fsm_init(&f, &cfg90);
	assert_string_equal(step(&f, BGP_EV_MANUAL_START_PASSIVE, 0, buf, sizeof(buf)),
	                    "crc=0 start(ConnectRetry=120) listen");
	assert_int_equal(f.state, BGP_ST_ACTIVE);
	/* A refused connection (wrong source) leaves it waiting. */
	assert_string_equal(step(&f, BGP_EV_TCP_CR_INVALID, 0, buf, sizeof(buf)), "");
	assert_string_equal(step(&f, BGP_EV_TCP_CONNECTION_CONFIRMED, 0, buf, sizeof(buf)),
	                    TO_OPENSENT);
	/* The connection drops in OpenSent: back to Active, listening. */
	step(&f, BGP_EV_TCP_CONNECTION_FAILS, 0, buf, sizeof(buf));
	assert_int_equal(f.state, BGP_ST_ACTIVE);
	step(&f, BGP_EV_TCP_CONNECTION_CONFIRMED, 0, buf, sizeof(buf));
	step(&f, BGP_EV_OPEN, 90, buf, sizeof(buf));
	step(&f, BGP_EV_KEEPALIVE_MSG, 0, buf, sizeof(buf));
	assert_int_equal(f.state, BGP_ST_ESTABLISHED);
}

/* Hold time 0 on either side: no hold timer, no keepalives (RFC 4271 4.2, 4.4). */
/* A peer configured passive never connects, also when ConnectRetryTimer expires. */
static void test_passive_never_connects(void **state)
{
	struct bgp_fsm_cfg cfg = {.hold_time = 90, .connect_retry_time = 120, .passive = true};
	struct bgp_fsm f;
	char buf[256];

	(void)state;
	bgp_fsm_init(&f, &cfg);
	step(&f, BGP_EV_MANUAL_START_PASSIVE, 0, buf, sizeof(buf));
	assert_string_equal(step(&f, BGP_EV_CONNECT_RETRY_EXPIRES, 0, buf, sizeof(buf)),
	                    "start(ConnectRetry=120)");
	assert_int_equal(f.state, BGP_ST_ACTIVE);
	/* A start that is not the passive one is taken as the passive one. */
	bgp_fsm_init(&f, &cfg);
	assert_string_equal(step(&f, BGP_EV_AUTOMATIC_START, 0, buf, sizeof(buf)),
	                    "crc=0 start(ConnectRetry=120) listen");
	assert_int_equal(f.state, BGP_ST_ACTIVE);
}

static void test_hold_time_zero(void **state)
{
	static const struct {
		uint16_t local, peer;
	} cases[] = {{0, 90}, {90, 0}, {0, 0}};

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct bgp_fsm_cfg cfg = {.hold_time = cases[i].local, .connect_retry_time = 120};
		struct bgp_fsm f;
		char buf[256];

		bgp_fsm_init(&f, &cfg);
		step(&f, BGP_EV_MANUAL_START, 0, buf, sizeof(buf));
		step(&f, BGP_EV_TCP_CR_ACKED, 0, buf, sizeof(buf));
		/* The large hold timer of OpenSent is stopped, no keepalive timer. */
		assert_string_equal(step(&f, BGP_EV_OPEN, cases[i].peer, buf, sizeof(buf)),
		                    "stop(ConnectRetry) keepalive stop(Hold)");
		assert_int_equal(f.hold_time, 0);
		assert_int_equal(f.keepalive_time, 0);
		assert_string_equal(step(&f, BGP_EV_KEEPALIVE_MSG, 0, buf, sizeof(buf)),
		                    "established");
		assert_string_equal(step(&f, BGP_EV_KEEPALIVE_MSG, 0, buf, sizeof(buf)), "");
		assert_string_equal(step(&f, BGP_EV_UPDATE_MSG, 0, buf, sizeof(buf)), "update");
		/* A stray keepalive timer event sends one but does not re-arm. */
		assert_string_equal(step(&f, BGP_EV_KEEPALIVE_EXPIRES, 0, buf, sizeof(buf)),
		                    "keepalive");
	}
}

static void test_hold_negotiate(void **state)
{
	uint16_t ka;

	(void)state;
	assert_int_equal(bgp_hold_negotiate(180, 90, &ka), 90);
	assert_int_equal(ka, 30);
	assert_int_equal(bgp_hold_negotiate(90, 180, &ka), 90);
	assert_int_equal(bgp_hold_negotiate(3, 180, &ka), 3);
	assert_int_equal(ka, 1);
	assert_int_equal(bgp_hold_negotiate(180, 0, &ka), 0);
	assert_int_equal(ka, 0);
	assert_int_equal(bgp_hold_negotiate(0, 180, NULL), 0);
	assert_int_equal(bgp_hold_negotiate(10, 65535, &ka), 10);
	assert_int_equal(ka, 3);
}

/* Hold times 1 and 2 are not allowed (RFC 4271 4.2); the FSM raises them to 3. */
static void test_config_bounds(void **state)
{
	struct bgp_fsm_cfg cfg = {.hold_time = 2, .connect_retry_time = 0};
	struct bgp_fsm f;

	(void)state;
	bgp_fsm_init(&f, &cfg);
	assert_int_equal(f.cfg.hold_time, 3);
	assert_int_equal(f.cfg.connect_retry_time, BGP_CONNECT_RETRY_TIME);
}

/* RFC 4271 6.8: the connection opened by the higher identifier survives. */
static void test_collision(void **state)
{
	(void)state;
	/* Our id 10.0.0.2 > theirs 10.0.0.1: our outgoing connection survives. */
	assert_int_equal(bgp_fsm_collision(0x0a000002, 65001, 0x0a000001, 65002),
	                 BGP_KEEP_OUTGOING);
	/* Theirs higher: the connection they opened survives. */
	assert_int_equal(bgp_fsm_collision(0x0a000001, 65001, 0x0a000002, 65002),
	                 BGP_KEEP_INCOMING);
	/* Compared as unsigned: 200.0.0.1 > 10.0.0.1. */
	assert_int_equal(bgp_fsm_collision(0xc8000001, 1, 0x0a000001, 2), BGP_KEEP_OUTGOING);
	/* Equal identifiers (eBGP, RFC 6286 2.3): the higher AS wins. */
	assert_int_equal(bgp_fsm_collision(0x0a000001, 65010, 0x0a000001, 65002),
	                 BGP_KEEP_OUTGOING);
	assert_int_equal(bgp_fsm_collision(0x0a000001, 65001, 0x0a000001, 65002),
	                 BGP_KEEP_INCOMING);
}

/*
 * Collision both ways, as the session layer plays it: two FSMs for one peer, one per
 * connection, both reach OpenSent/OpenConfirm; the loser gets OpenCollisionDump and sends
 * Cease/7, the winner goes on to Established.
 */
static void play_collision(uint32_t local_id, uint32_t remote_id, bool outgoing_wins)
{
	struct bgp_fsm out_f, in_f, *winner, *loser;
	struct bgp_fsm_out o;
	char buf[256];

	bgp_fsm_init(&out_f, &cfg90);
	bgp_fsm_init(&in_f, &cfg90);
	step(&out_f, BGP_EV_MANUAL_START, 0, buf, sizeof(buf));
	step(&out_f, BGP_EV_TCP_CR_ACKED, 0, buf, sizeof(buf));
	step(&out_f, BGP_EV_OPEN, 90, buf, sizeof(buf));
	assert_int_equal(out_f.state, BGP_ST_OPENCONFIRM);
	step(&in_f, BGP_EV_MANUAL_START_PASSIVE, 0, buf, sizeof(buf));
	step(&in_f, BGP_EV_TCP_CONNECTION_CONFIRMED, 0, buf, sizeof(buf));
	assert_int_equal(in_f.state, BGP_ST_OPENSENT);
	/* The OPEN arrives on the incoming connection: collision detected. */
	assert_int_equal(bgp_fsm_collision(local_id, 65001, remote_id, 65002),
	                 outgoing_wins ? BGP_KEEP_OUTGOING : BGP_KEEP_INCOMING);
	winner = outgoing_wins ? &out_f : &in_f;
	loser = outgoing_wins ? &in_f : &out_f;
	assert_int_equal(bgp_fsm_simple(loser, BGP_EV_OPEN_COLLISION_DUMP, &o), 0);
	assert_string_equal(bgp_fsm_actions_fmt(&o, buf, sizeof(buf)), "notify(6/7) " IDLE_INC);
	assert_int_equal(loser->state, BGP_ST_IDLE);
	if (!outgoing_wins)
		step(winner, BGP_EV_OPEN, 90, buf, sizeof(buf));
	step(winner, BGP_EV_KEEPALIVE_MSG, 0, buf, sizeof(buf));
	assert_int_equal(winner->state, BGP_ST_ESTABLISHED);
}

static void test_collision_both_ways(void **state)
{
	(void)state;
	play_collision(0x0a000002, 0x0a000001, true);
	play_collision(0x0a000001, 0x0a000002, false);
}

/* The counter: reset by a start and a manual stop, raised by failures. */
static void test_connect_retry_counter(void **state)
{
	struct bgp_fsm f;
	char buf[256];

	(void)state;
	bgp_fsm_init(&f, &cfg90);
	step(&f, BGP_EV_MANUAL_START, 0, buf, sizeof(buf));
	step(&f, BGP_EV_TCP_CR_ACKED, 0, buf, sizeof(buf));
	step(&f, BGP_EV_HOLD_EXPIRES, 0, buf, sizeof(buf));
	assert_int_equal(f.connect_retry_counter, 1);
	/* Retries in Connect do not count. */
	step(&f, BGP_EV_MANUAL_START, 0, buf, sizeof(buf));
	assert_int_equal(f.connect_retry_counter, 0);
	step(&f, BGP_EV_CONNECT_RETRY_EXPIRES, 0, buf, sizeof(buf));
	step(&f, BGP_EV_CONNECT_RETRY_EXPIRES, 0, buf, sizeof(buf));
	assert_int_equal(f.connect_retry_counter, 0);
	step(&f, BGP_EV_KEEPALIVE_MSG, 0, buf, sizeof(buf));
	assert_int_equal(f.connect_retry_counter, 1);
}

static void test_bad_event_and_names(void **state)
{
	struct bgp_fsm_out out;
	struct bgp_fsm f;
	char buf[8];

	(void)state;
	bgp_fsm_init(&f, &cfg90);
	assert_int_equal(bgp_fsm_simple(&f, (enum bgp_fsm_event)0, &out), -EINVAL);
	assert_int_equal(bgp_fsm_simple(&f, (enum bgp_fsm_event)6, &out), -EINVAL);
	assert_int_equal(bgp_fsm_simple(&f, BGP_EV_MAX, &out), -EINVAL);
	assert_int_equal(out.n, 0);
	assert_int_equal(f.state, BGP_ST_IDLE);
	assert_string_equal(bgp_fsm_state_name(BGP_ST_OPENCONFIRM), "OpenConfirm");
	assert_string_equal(bgp_fsm_state_name(BGP_ST_COUNT), "?");
	assert_string_equal(bgp_fsm_event_name(BGP_EV_OPEN_COLLISION_DUMP), "OpenCollisionDump");
	assert_string_equal(bgp_fsm_event_name((enum bgp_fsm_event)12), "?");
	assert_string_equal(bgp_fsm_timer_name(BGP_TIMER_KEEPALIVE), "Keepalive");
	/* Formatting truncates safely. */
	bgp_fsm_simple(&f, BGP_EV_MANUAL_START, &out);
	bgp_fsm_actions_fmt(&out, buf, sizeof(buf));
	assert_true(strlen(buf) < sizeof(buf));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_transition_table),
	        cmocka_unit_test(test_ignored_events),
	        cmocka_unit_test(test_unexpected_message_subcodes),
	        cmocka_unit_test(test_active_session_to_established),
	        cmocka_unit_test(test_passive_session),
	        cmocka_unit_test(test_passive_never_connects),
	        cmocka_unit_test(test_hold_time_zero),
	        cmocka_unit_test(test_hold_negotiate),
	        cmocka_unit_test(test_config_bounds),
	        cmocka_unit_test(test_collision),
	        cmocka_unit_test(test_collision_both_ways),
	        cmocka_unit_test(test_connect_retry_counter),
	        cmocka_unit_test(test_bad_event_and_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
