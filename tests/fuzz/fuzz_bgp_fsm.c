/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the BGP FSM (controlplane/bgp/fsm.c). The first byte chooses the
 * configuration (hold time, passive); each following pair of bytes is one input: an event
 * number and the peer's hold time. A broken invariant of RFC 4271 8 aborts:
 * - actions never overflow the output, and the FSM ends in the state it reports;
 * - falling to Idle always drops the connection and releases the resources;
 * - OPEN is sent only on the way to OpenSent, Established is announced only from
 *   OpenConfirm, a passive FSM never connects;
 * - a negotiated hold time is 0 or at least 3 and never above ours, keepalive a third.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "fsm.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool has(const struct bgp_fsm_out *out, enum bgp_fsm_act_type t)
{
	for (unsigned i = 0; i < out->n; i++)
		if (out->act[i].type == t)
			return true;
	return false;
}

static void check_step(const struct bgp_fsm *f, const struct bgp_fsm_out *out, uint32_t crc_before)
{
	check(out->n < BGP_FSM_MAX_ACTIONS);
	check(out->next == f->state && f->state < BGP_ST_COUNT);
	if (out->next == BGP_ST_IDLE && out->prev != BGP_ST_IDLE)
		check(has(out, BGP_ACT_TCP_DROP) && has(out, BGP_ACT_RELEASE));
	check(has(out, BGP_ACT_SEND_OPEN) ==
	      (out->next == BGP_ST_OPENSENT && out->prev != BGP_ST_OPENSENT));
	check(has(out, BGP_ACT_ESTABLISHED) ==
	      (out->prev == BGP_ST_OPENCONFIRM && out->next == BGP_ST_ESTABLISHED));
	if (f->cfg.passive)
		check(!has(out, BGP_ACT_TCP_CONNECT));
	if (has(out, BGP_ACT_CRC_RESET))
		check(f->connect_retry_counter == 0);
	else if (has(out, BGP_ACT_CRC_INC))
		check(f->connect_retry_counter == crc_before + 1);
	else
		check(f->connect_retry_counter == crc_before);
	for (unsigned i = 0; i < out->n; i++) {
		const struct bgp_fsm_action *a = &out->act[i];

		if (a->type == BGP_ACT_TIMER_START)
			check(a->timer < BGP_TIMER_COUNT && a->value > 0);
		if (a->type == BGP_ACT_SEND_NOTIFY)
			check(a->code >= 1 && a->code <= 7);
	}
	if (f->state >= BGP_ST_OPENCONFIRM) {
		check(f->hold_time == 0 || f->hold_time >= BGP_MIN_HOLD_TIME);
		check(f->hold_time <= f->cfg.hold_time);
		check(f->keepalive_time == f->hold_time / 3);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Not 1 or 2: an OPEN with those fails the checks of RFC 4271 6.2 before the FSM. */
	static const uint16_t holds[] = {0, 3, 9, 90, 180, 65535};
	struct bgp_fsm_cfg cfg;
	struct bgp_fsm f;

	if (size < 1)
		return 0;
	cfg.hold_time = holds[(data[0] & 0x7f) % 6];
	cfg.connect_retry_time = 120;
	cfg.passive = data[0] & 0x80;
	bgp_fsm_init(&f, &cfg);
	for (size_t i = 1; i + 1 < size; i += 2) {
		struct bgp_fsm_input in = {
		        .event = (enum bgp_fsm_event)(data[i] % (BGP_EV_MAX + 2)),
		        .peer_hold_time = holds[data[i + 1] % 6],
		        .code = data[i + 1] & 1 ? 6 : 0,
		        .subcode = 2,
		};
		struct bgp_fsm_out out;
		enum bgp_fsm_state before = f.state;
		uint32_t crc = f.connect_retry_counter;

		if (bgp_fsm_event(&f, &in, &out) < 0) {
			check(out.n == 0 && f.state == before);
			continue;
		}
		check_step(&f, &out, crc);
	}
	return 0;
}
