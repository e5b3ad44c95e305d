/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the BGP message codec. The input is a message, header included,
 * followed by one byte that chooses the session options (so that captured messages, such
 * as the captures in tests/unit/fixtures, make a useful seed corpus). A contract broken by the
 * decoders (a result the API does not allow, NLRI that fail after the decoder accepted them, a
 * clean UPDATE that does not re-encode to the same attributes) aborts.
 */
#include <stdlib.h>
#include <string.h>

#include "msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		abort();
}

static void walk(const struct bgp_nlri_block *b, const struct bgp_codec_opts *o)
{
	struct rh_prefix p;
	struct rbuf r;
	int rc;

	rbuf_init(&r, b->p, b->len);
	while ((rc = bgp_nlri_next(&r, b->aid, o->addpath_rx[b->aid], &p, NULL)) == 1)
		;
	check(rc == 0);
}

static void reencode(const struct bgp_update *u, const struct bgp_codec_opts *o)
{
	static uint8_t buf[BGP_MAX_MSG_EXT];
	struct rh_prefix p = {.family = RH_AF_INET, .len = 8, .bytes = {10}};
	struct bgp_codec_opts eo = *o;
	struct bgp_upd_writer uw;
	struct bgp_update again;
	size_t len;

	if (!u->attrs || u->nlri.len == 0 || u->mp_reach.len || u->action != BGP_UPD_OK ||
	    u->attrs->next_hop.family != RH_AF_INET)
		return;
	eo.addpath_tx[BGP_AID_IPV4] = o->addpath_rx[BGP_AID_IPV4];
	if (bgp_upd_begin(&uw, buf, sizeof(buf), BGP_AID_IPV4, false, u->attrs, &eo) < 0)
		return;
	check(bgp_upd_add(&uw, &p, 1) == 0);
	len = bgp_upd_finish(&uw);
	check(len > 0);
	check(bgp_update_decode(buf + 19, len - 19, o, &again) == 0);
	check(again.action == BGP_UPD_OK && bgp_attrs_equal(u->attrs, again.attrs));
	bgp_attrs_free(again.attrs);
}

static void update(const uint8_t *body, size_t len, const struct bgp_codec_opts *o)
{
	struct bgp_update u;

	if (bgp_update_decode(body, len, o, &u) < 0)
		return;
	if (u.action == BGP_UPD_SESSION_RESET) {
		check(u.attrs == NULL && u.notify.code == BGP_ERR_UPDATE);
		return;
	}
	walk(&u.withdrawn, o);
	walk(&u.nlri, o);
	walk(&u.mp_reach, o);
	walk(&u.mp_unreach, o);
	reencode(&u, o);
	bgp_attrs_free(u.attrs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bgp_codec_opts o = {0};
	struct bgp_notify n;
	struct bgp_open op;
	uint16_t mlen, afi;
	uint8_t type, sub, safi;
	char text[64];

	if (size < 1)
		return 0;
	size--;
	o.as4 = data[size] & 1;
	o.ebgp = data[size] & 2;
	o.addpath_rx[BGP_AID_IPV4] = data[size] & 4;
	o.addpath_rx[BGP_AID_IPV6] = data[size] & 8;
	o.max_msg = data[size] & 16 ? BGP_MAX_MSG_EXT : BGP_MAX_MSG;
	if (bgp_hdr_decode(data, size, &mlen, &type, o.max_msg, &n) < 0 || mlen > size)
		return 0;
	data += BGP_HDR_LEN;
	mlen -= BGP_HDR_LEN;
	switch (type) {
	case BGP_OPEN:
		bgp_open_decode(data, mlen, &op, &n);
		break;
	case BGP_UPDATE:
		update(data, mlen, &o);
		break;
	case BGP_NOTIFICATION:
		if (bgp_notify_decode(data, mlen, &n) == 0)
			bgp_notify_shutdown_text(&n, text, sizeof(text));
		break;
	case BGP_ROUTE_REFRESH:
		bgp_rr_decode(data, mlen, &afi, &sub, &safi, &n);
		break;
	default:
		break;
	}
	return 0;
}
