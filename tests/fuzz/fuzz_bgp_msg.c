/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the BGP message codec. The first input byte chooses the session's
 * negotiated options (bit 0 AS4, 1 eBGP, 2 ADD-PATH receive IPv4, 3 ADD-PATH receive
 * IPv6, 4 extended messages); the rest is a stream of messages, header included, decoded
 * one after the other as a session would (so a capture of a whole session, as those in
 * tests/unit/fixtures, makes a seed: see corpus/bgp_msg). OPEN, UPDATE (MP_REACH/UNREACH,
 * ADD-PATH, AS4_PATH merging), NOTIFICATION, ROUTE-REFRESH and KEEPALIVE are decoded. A
 * contract broken by the decoders (a result the API does not allow, NLRI that fail after
 * the decoder accepted them, a clean UPDATE that does not re-encode to the same
 * attributes, an OPEN that does not survive its own re-encoding) aborts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "fuzz_check.h"
#include "wire.h"

#define MAX_MSGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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

static unsigned count_nlri(const struct bgp_nlri_block *b, const struct bgp_codec_opts *o)
{
	struct rh_prefix p;
	struct rbuf r;
	unsigned n = 0;

	rbuf_init(&r, b->p, b->len);
	while (bgp_nlri_next(&r, b->aid, o->addpath_rx[b->aid], &p, NULL) == 1)
		n++;
	return n;
}

/* A distinct prefix per index: 10.x.y.0/24, 2001:db8:x:y::/64. */
static void nth_prefix(enum bgp_aid aid, unsigned i, struct rh_prefix *p)
{
	memset(p, 0, sizeof(*p));
	if (aid == BGP_AID_IPV4) {
		*p = (struct rh_prefix){.family = RH_AF_INET, .len = 24, .bytes = {10}};
		p->bytes[1] = (uint8_t)(i >> 8);
		p->bytes[2] = (uint8_t)i;
	} else {
		*p = (struct rh_prefix){
		        .family = RH_AF_INET6, .len = 64, .bytes = {0x20, 0x01, 0x0d, 0xb8}};
		p->bytes[5] = (uint8_t)(i >> 8);
		p->bytes[7] = (uint8_t)i;
	}
}

/*
 * A clean UPDATE's attributes, packed with as many prefixes as fit in one message of the
 * session's size (IPv4 NLRI, or IPv6 in MP_REACH_NLRI), decode to the same attributes and
 * to every prefix that bgp_upd_add() accepted.
 */
static void reencode(const struct bgp_update *u, const struct bgp_codec_opts *o)
{
	static uint8_t buf[BGP_MAX_MSG_EXT];
	struct bgp_codec_opts eo = *o;
	struct bgp_upd_writer uw;
	struct bgp_update again;
	struct rh_prefix p;
	enum bgp_aid aid;
	unsigned n;
	size_t len;
	int rc;

	if (!u->attrs || u->action != BGP_UPD_OK)
		return;
	/* RFC 6793 4.2.3: to a NEW speaker on a 2-octet session, an AGGREGATOR of a 2-octet
	 * AS (sent as such, 4.2.2) voids the AS4_PATH that carries the path's 4-octet ASes;
	 * the path does not come back whole, by the RFC's design (regress/bgp_msg). */
	if (!o->as4 && (u->attrs->flags & BGP_ATTRS_AGGREGATOR) &&
	    u->attrs->aggregator_as <= 0xffff && u->attrs->aggregator_as != BGP_AS_TRANS)
		return;
	if (u->attrs->next_hop.family == RH_AF_INET && u->nlri.len && !u->mp_reach.len)
		aid = BGP_AID_IPV4;
	else if (u->attrs->next_hop.family == RH_AF_INET6 && u->mp_reach.len &&
	         u->mp_reach.aid == BGP_AID_IPV6 && !u->nlri.len)
		aid = BGP_AID_IPV6;
	else
		return;
	eo.addpath_tx[aid] = o->addpath_rx[aid];
	if (bgp_upd_begin(&uw, buf, o->max_msg, aid, false, u->attrs, &eo) < 0)
		return;
	for (n = 0; n < 8192; n++) {
		nth_prefix(aid, n, &p);
		rc = bgp_upd_add(&uw, &p, n + 1);
		if (rc == -ENOSPC)
			break;
		check(rc == 0);
	}
	if (n == 0)
		return; /* the attributes left no room for a prefix */
	len = bgp_upd_finish(&uw);
	check(len > BGP_HDR_LEN && len <= o->max_msg);
	check(bgp_update_decode(buf + BGP_HDR_LEN, len - BGP_HDR_LEN, o, &again) == 0);
	check(again.action == BGP_UPD_OK && bgp_attrs_equal(u->attrs, again.attrs));
	check(count_nlri(aid == BGP_AID_IPV4 ? &again.nlri : &again.mp_reach, o) == n);
	bgp_attrs_free(again.attrs);
	if (getenv("FUZZ_VERBOSE") != NULL)
		fprintf(stderr, "re-encoded: %s, %u prefixes in %zu bytes\n",
		        aid == BGP_AID_IPV4 ? "IPv4" : "IPv6", n, len);
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

/* A decoded OPEN encodes (our capabilities only) to an OPEN that decodes to the same. */
static void open_roundtrip(const struct bgp_open *op)
{
	uint8_t buf[BGP_MAX_MSG];
	struct bgp_open again;
	struct bgp_notify n;
	struct wbuf w;
	uint16_t mlen = 0;
	uint8_t type = 0;

	wbuf_init(&w, buf, sizeof(buf));
	if (bgp_open_encode(&w, op) < 0)
		return;
	check(!w.err && bgp_hdr_decode(buf, w.len, &mlen, &type, BGP_MAX_MSG, &n) == 0);
	check(type == BGP_OPEN && mlen == w.len);
	check(bgp_open_decode(buf + BGP_HDR_LEN, mlen - BGP_HDR_LEN, &again, &n) == 0);
	check(bgp_open_peer_as(&again) == bgp_open_peer_as(op));
	check(again.hold_time == op->hold_time && again.bgp_id == op->bgp_id);
}

static void message(uint8_t type, const uint8_t *body, size_t len, const struct bgp_codec_opts *o)
{
	struct bgp_notify n;
	struct bgp_open op;
	uint16_t afi;
	uint8_t sub, safi;
	char text[64];

	switch (type) {
	case BGP_OPEN:
		if (bgp_open_decode(body, len, &op, &n) == 0)
			open_roundtrip(&op);
		break;
	case BGP_UPDATE:
		update(body, len, o);
		break;
	case BGP_NOTIFICATION:
		if (bgp_notify_decode(body, len, &n) == 0) {
			check(n.data_len <= BGP_NOTIFY_DATA_MAX);
			if (bgp_notify_shutdown_text(&n, text, sizeof(text)) != NULL)
				check(memchr(text, '\0', sizeof(text)) != NULL);
		}
		break;
	case BGP_ROUTE_REFRESH:
		bgp_rr_decode(body, len, &afi, &sub, &safi, &n);
		break;
	case BGP_KEEPALIVE:
		check(len == 0); /* RFC 4271 4.4: the header alone; bgp_hdr_decode() holds it */
		break;
	default:
		check(false); /* bgp_hdr_decode() accepts the five types only */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bgp_codec_opts o = {0};
	struct bgp_notify n;
	uint16_t mlen;
	uint8_t type;

	if (size < 1)
		return 0;
	o.as4 = data[0] & 1;
	o.ebgp = data[0] & 2;
	o.addpath_rx[BGP_AID_IPV4] = data[0] & 4;
	o.addpath_rx[BGP_AID_IPV6] = data[0] & 8;
	o.max_msg = data[0] & 16 ? BGP_MAX_MSG_EXT : BGP_MAX_MSG;
	data++;
	size--;
	for (unsigned i = 0; i < MAX_MSGS; i++) {
		if (bgp_hdr_decode(data, size, &mlen, &type, o.max_msg, &n) < 0 || mlen > size)
			break;
		check(mlen >= BGP_HDR_LEN);
		message(type, data + BGP_HDR_LEN, mlen - BGP_HDR_LEN, &o);
		data += mlen;
		size -= mlen;
	}
	return 0;
}
