/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * OPEN message with optional parameters and capabilities (RFC 4271 4.2, 6.2; RFC 5492;
 * RFC 9072 extended optional parameters length).
 */
#include <errno.h>
#include <string.h>

#include "msg_internal.h"

#define BGP_OPT_PARAM_CAPA 2      /* RFC 5492 4 */
#define BGP_OPT_PARAM_EXT  255    /* RFC 9072 2 */
#define BGP_GR_R_BIT       0x8000 /* RFC 4724 3: Restart State */
#define BGP_GR_TIME_MASK   0x0fff
#define BGP_GR_F_BIT       0x80 /* RFC 4724 3: Forwarding State */

static void capa_hdr(struct wbuf *w, uint8_t code, uint8_t len)
{
	wbuf_u8(w, code);
	wbuf_u8(w, len);
}

static void capa_encode_gr(struct wbuf *w, const struct bgp_caps *c)
{
	uint8_t n = 0;
	int aid;

	for (aid = 0; aid < BGP_AID_MAX; aid++)
		n += c->gr_af[aid];
	capa_hdr(w, BGP_CAPA_GRACEFUL_RESTART, (uint8_t)(2 + 4 * n));
	wbuf_u16(w, (uint16_t)((c->gr_restarted ? BGP_GR_R_BIT : 0) |
	                       (c->gr_time & BGP_GR_TIME_MASK)));
	for (aid = 0; aid < BGP_AID_MAX; aid++) {
		if (!c->gr_af[aid])
			continue;
		wbuf_u16(w, bgp_aid_to_afi(aid));
		wbuf_u8(w, BGP_SAFI_UNICAST);
		wbuf_u8(w, c->gr_fwd[aid] ? BGP_GR_F_BIT : 0);
	}
}

static void capa_encode_addpath(struct wbuf *w, const struct bgp_caps *c)
{
	uint8_t n = 0;
	int aid;

	for (aid = 0; aid < BGP_AID_MAX; aid++)
		n += c->addpath[aid] != 0;
	if (n == 0)
		return;
	capa_hdr(w, BGP_CAPA_ADD_PATH, (uint8_t)(4 * n));
	for (aid = 0; aid < BGP_AID_MAX; aid++) {
		if (c->addpath[aid] == 0)
			continue;
		wbuf_u16(w, bgp_aid_to_afi(aid));
		wbuf_u8(w, BGP_SAFI_UNICAST);
		wbuf_u8(w, c->addpath[aid] & (BGP_ADDPATH_RECV | BGP_ADDPATH_SEND));
	}
}

/* Every capability in c, back to back (RFC 5492 4). */
static void capa_encode(struct wbuf *w, const struct bgp_caps *c)
{
	int aid;

	for (aid = 0; aid < BGP_AID_MAX; aid++) {
		if (!c->mp[aid])
			continue;
		capa_hdr(w, BGP_CAPA_MP, 4); /* RFC 4760 8 */
		wbuf_u16(w, bgp_aid_to_afi(aid));
		wbuf_u8(w, 0);
		wbuf_u8(w, BGP_SAFI_UNICAST);
	}
	if (c->route_refresh)
		capa_hdr(w, BGP_CAPA_ROUTE_REFRESH, 0);
	if (c->enhanced_rr)
		capa_hdr(w, BGP_CAPA_ENHANCED_RR, 0);
	if (c->ext_msg)
		capa_hdr(w, BGP_CAPA_EXT_MSG, 0);
	if (c->gr)
		capa_encode_gr(w, c);
	if (c->as4) {
		capa_hdr(w, BGP_CAPA_AS4, 4);
		wbuf_u32(w, c->as4_asn);
	}
	capa_encode_addpath(w, c);
}

int bgp_open_encode(struct wbuf *w, const struct bgp_open *o)
{
	uint8_t caps[255];
	struct wbuf cw;
	long start;
	uint16_t my_as = o->my_as;

	/* RFC 6793 4.1: a 4-octet ASN that does not fit goes as AS_TRANS. */
	if (o->caps.as4)
		my_as = o->caps.as4_asn <= 0xffff ? (uint16_t)o->caps.as4_asn : BGP_AS_TRANS;
	/*
	 * All our capabilities take at most 64 bytes, so one Capabilities parameter with a
	 * one-octet length always holds them and RFC 9072 is never needed to send.
	 */
	wbuf_init(&cw, caps, sizeof(caps) - 2);
	capa_encode(&cw, &o->caps);
	if (cw.err)
		return -EMSGSIZE;

	start = bgp_msg_begin(w, BGP_OPEN);
	wbuf_u8(w, o->version ? o->version : BGP_VERSION);
	wbuf_u16(w, my_as);
	wbuf_u16(w, o->hold_time);
	wbuf_bytes(w, &o->bgp_id, 4);
	if (cw.len == 0) {
		wbuf_u8(w, 0);
	} else {
		wbuf_u8(w, (uint8_t)(cw.len + 2));
		wbuf_u8(w, BGP_OPT_PARAM_CAPA);
		wbuf_u8(w, (uint8_t)cw.len);
		wbuf_bytes(w, caps, cw.len);
	}
	return bgp_msg_end(w, start);
}

void bgp_addpath_negotiate(const struct bgp_caps *local, const struct bgp_caps *peer,
                           struct bgp_codec_opts *opts)
{
	for (unsigned aid = 0; aid < BGP_AID_MAX; aid++) {
		opts->addpath_tx[aid] = (local->addpath[aid] & BGP_ADDPATH_SEND) &&
		                        (peer->addpath[aid] & BGP_ADDPATH_RECV);
		opts->addpath_rx[aid] = (local->addpath[aid] & BGP_ADDPATH_RECV) &&
		                        (peer->addpath[aid] & BGP_ADDPATH_SEND);
	}
}

uint32_t bgp_open_peer_as(const struct bgp_open *o)
{
	return o->caps.as4 ? o->caps.as4_asn : o->my_as;
}

/* Malformed optional parameter or capability: Unspecific subcode (RFC 4271 6.2). */
static int open_malformed(struct bgp_notify *n)
{
	bgp_notify_set(n, BGP_ERR_OPEN, BGP_ERR_OPEN_UNSPECIFIC, NULL, 0);
	return -EBADMSG;
}

static int capa_decode_gr(struct rbuf *v, struct bgp_caps *c)
{
	uint16_t flags, afi;
	uint8_t safi, afflags;
	int aid;

	/* RFC 4724 3: restart flags and time, then AFI/SAFI/flags tuples. */
	if (rbuf_left(v) < 2 || (rbuf_left(v) - 2) % 4 != 0)
		return -EBADMSG;
	rbuf_u16(v, &flags);
	c->gr = true;
	c->gr_restarted = (flags & BGP_GR_R_BIT) != 0;
	c->gr_time = flags & BGP_GR_TIME_MASK;
	while (rbuf_left(v) > 0) {
		rbuf_u16(v, &afi);
		rbuf_u8(v, &safi);
		rbuf_u8(v, &afflags);
		aid = bgp_afi_to_aid(afi, safi);
		if (aid < 0)
			continue;
		c->gr_af[aid] = true;
		c->gr_fwd[aid] = (afflags & BGP_GR_F_BIT) != 0;
	}
	return 0;
}

static int capa_decode_addpath(struct rbuf *v, struct bgp_caps *c)
{
	uint16_t afi;
	uint8_t safi, sr;
	int aid;

	/* RFC 7911 4: AFI, SAFI, Send/Receive tuples; Send/Receive is 1, 2 or 3. */
	if (rbuf_left(v) == 0 || rbuf_left(v) % 4 != 0)
		return -EBADMSG;
	while (rbuf_left(v) > 0) {
		rbuf_u16(v, &afi);
		rbuf_u8(v, &safi);
		rbuf_u8(v, &sr);
		if (sr < 1 || sr > 3)
			return -EBADMSG;
		aid = bgp_afi_to_aid(afi, safi);
		if (aid >= 0)
			c->addpath[aid] = sr;
	}
	return 0;
}

/* One capability; unknown ones are ignored (RFC 5492 4). */
static int capa_decode_one(uint8_t code, struct rbuf *v, struct bgp_caps *c)
{
	uint16_t afi;
	uint8_t res, safi;
	size_t len = rbuf_left(v);
	int aid;

	switch (code) {
	case BGP_CAPA_MP: /* RFC 4760 8 */
		if (len != 4)
			return -EBADMSG;
		rbuf_u16(v, &afi);
		rbuf_u8(v, &res);
		rbuf_u8(v, &safi);
		aid = bgp_afi_to_aid(afi, safi);
		if (aid >= 0)
			c->mp[aid] = true;
		return 0;
	case BGP_CAPA_ROUTE_REFRESH: /* RFC 2918 2 */
		c->route_refresh = true;
		return len == 0 ? 0 : -EBADMSG;
	case BGP_CAPA_ENHANCED_RR: /* RFC 7313 3 */
		c->enhanced_rr = true;
		return len == 0 ? 0 : -EBADMSG;
	case BGP_CAPA_EXT_MSG: /* RFC 8654 3 */
		c->ext_msg = true;
		return len == 0 ? 0 : -EBADMSG;
	case BGP_CAPA_GRACEFUL_RESTART:
		return capa_decode_gr(v, c);
	case BGP_CAPA_AS4: /* RFC 6793 3 */
		if (len != 4)
			return -EBADMSG;
		c->as4 = true;
		return rbuf_u32(v, &c->as4_asn);
	case BGP_CAPA_ADD_PATH:
		return capa_decode_addpath(v, c);
	default:
		return 0;
	}
}

static int capa_decode(struct rbuf *r, struct bgp_caps *c)
{
	struct rbuf v;
	uint8_t code, len;

	while (rbuf_left(r) > 0) {
		rbuf_u8(r, &code);
		rbuf_u8(r, &len);
		if (rbuf_sub(r, &v, len) < 0)
			return -EBADMSG;
		if (capa_decode_one(code, &v, c) < 0)
			return -EBADMSG;
	}
	return 0;
}

/*
 * The optional parameters: one-octet lengths, or with RFC 9072 a 255/255 escape followed
 * by a two-octet total and two-octet parameter lengths.
 */
static int open_params_decode(struct rbuf *r, uint8_t opt_len, struct bgp_caps *c,
                              struct bgp_notify *n)
{
	struct rbuf params, v;
	uint16_t total = opt_len, plen;
	uint8_t type, len8;
	bool ext = false;

	if (opt_len == BGP_OPT_PARAM_EXT && rbuf_left(r) > 0 && r->p[r->off] == BGP_OPT_PARAM_EXT) {
		ext = true;
		rbuf_skip(r, 1);
		if (rbuf_u16(r, &total) < 0)
			return open_malformed(n);
	}
	/* The parameters must fill the rest of the message exactly. */
	if (rbuf_left(r) != total)
		return open_malformed(n);
	rbuf_sub(r, &params, total);
	while (rbuf_left(&params) > 0) {
		rbuf_u8(&params, &type);
		if (ext) {
			rbuf_u16(&params, &plen);
		} else {
			rbuf_u8(&params, &len8);
			plen = len8;
		}
		if (params.err || rbuf_sub(&params, &v, plen) < 0)
			return open_malformed(n);
		if (type != BGP_OPT_PARAM_CAPA) {
			/* RFC 4271 6.2: Unsupported Optional Parameter. */
			bgp_notify_set(n, BGP_ERR_OPEN, BGP_ERR_OPEN_OPT, NULL, 0);
			return -EBADMSG;
		}
		if (capa_decode(&v, c) < 0)
			return open_malformed(n);
	}
	return 0;
}

int bgp_open_decode(const uint8_t *body, size_t len, struct bgp_open *o, struct bgp_notify *n)
{
	static const uint8_t supported[2] = {0, BGP_VERSION};
	struct rbuf r;
	uint8_t opt_len, hlen[2];

	memset(o, 0, sizeof(*o));
	rbuf_init(&r, body, len);
	rbuf_u8(&r, &o->version);
	rbuf_u16(&r, &o->my_as);
	rbuf_u16(&r, &o->hold_time);
	rbuf_bytes(&r, &o->bgp_id, 4);
	rbuf_u8(&r, &opt_len);
	if (r.err) {
		/* RFC 4271 6.1: shorter than the smallest OPEN. */
		hlen[0] = (uint8_t)((BGP_HDR_LEN + len) >> 8);
		hlen[1] = (uint8_t)(BGP_HDR_LEN + len);
		bgp_notify_set(n, BGP_ERR_HEADER, BGP_ERR_HDR_LEN, hlen, 2);
		return -EBADMSG;
	}
	/* RFC 4271 6.2: the data is the largest version we support. */
	if (o->version != BGP_VERSION) {
		bgp_notify_set(n, BGP_ERR_OPEN, BGP_ERR_OPEN_VERSION, supported, 2);
		return -EBADMSG;
	}
	/* RFC 7607 2: AS 0 is Bad Peer AS. */
	if (o->my_as == 0) {
		bgp_notify_set(n, BGP_ERR_OPEN, BGP_ERR_OPEN_AS, NULL, 0);
		return -EBADMSG;
	}
	/* RFC 4271 6.2: a hold time of 1 or 2 seconds is unacceptable. */
	if (o->hold_time == 1 || o->hold_time == 2) {
		bgp_notify_set(n, BGP_ERR_OPEN, BGP_ERR_OPEN_HOLD, NULL, 0);
		return -EBADMSG;
	}
	/* RFC 6286 2.2: the BGP Identifier is any non-zero 4-octet value. */
	if (o->bgp_id == 0) {
		bgp_notify_set(n, BGP_ERR_OPEN, BGP_ERR_OPEN_BGPID, NULL, 0);
		return -EBADMSG;
	}
	if (open_params_decode(&r, opt_len, &o->caps, n) < 0)
		return -EBADMSG;
	/* RFC 7607 2 applies to the 4-octet ASN as well. */
	if (o->caps.as4 && o->caps.as4_asn == 0) {
		bgp_notify_set(n, BGP_ERR_OPEN, BGP_ERR_OPEN_AS, NULL, 0);
		return -EBADMSG;
	}
	return 0;
}
