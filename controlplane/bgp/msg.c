/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BGP message header, KEEPALIVE, NOTIFICATION and ROUTE-REFRESH (RFC 4271 4, 6.1;
 * RFC 2918; RFC 7313; RFC 8203/9003).
 */
#include <errno.h>
#include <string.h>

#include "msg_internal.h"

static const uint8_t bgp_marker[16] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

long bgp_msg_begin(struct wbuf *w, uint8_t type)
{
	long start = (long)w->len;

	wbuf_bytes(w, bgp_marker, sizeof(bgp_marker));
	wbuf_u16(w, 0);
	wbuf_u8(w, type);
	return w->err ? -ENOSPC : start;
}

int bgp_msg_end(struct wbuf *w, long start)
{
	size_t len;

	if (w->err || start < 0)
		return -ENOSPC;
	len = w->len - (size_t)start;
	if (len > BGP_MAX_MSG_EXT)
		return -EMSGSIZE;
	wbuf_put_u16_at(w, (size_t)start + 16, (uint16_t)len);
	return 0;
}

void bgp_notify_set(struct bgp_notify *n, uint8_t code, uint8_t subcode, const void *data,
                    size_t len)
{
	n->code = code;
	n->subcode = subcode;
	if (len > BGP_NOTIFY_DATA_MAX)
		len = BGP_NOTIFY_DATA_MAX;
	n->data_len = (uint16_t)len;
	if (len > 0)
		memcpy(n->data, data, len);
}

int bgp_afi_to_aid(uint16_t afi, uint8_t safi)
{
	if (safi != BGP_SAFI_UNICAST)
		return -1;
	if (afi == BGP_AFI_IPV4)
		return BGP_AID_IPV4;
	if (afi == BGP_AFI_IPV6)
		return BGP_AID_IPV6;
	return -1;
}

uint16_t bgp_aid_to_afi(enum bgp_aid aid)
{
	return aid == BGP_AID_IPV6 ? BGP_AFI_IPV6 : BGP_AFI_IPV4;
}

/* Smallest length of each message type (RFC 4271 4.2-4.5, RFC 2918 3). */
static uint16_t bgp_min_len(uint8_t type)
{
	switch (type) {
	case BGP_OPEN:
		return 29;
	case BGP_UPDATE:
		return 23;
	case BGP_NOTIFICATION:
		return 21;
	case BGP_KEEPALIVE:
		return BGP_HDR_LEN;
	default:
		return BGP_HDR_LEN;
	}
}

int bgp_hdr_decode(const uint8_t *buf, size_t len, uint16_t *msg_len, uint8_t *type, size_t max_msg,
                   struct bgp_notify *n)
{
	struct rbuf r;
	size_t max;

	*msg_len = 0;
	*type = 0;
	if (len < BGP_HDR_LEN)
		return -EAGAIN;
	rbuf_init(&r, buf, len);
	rbuf_skip(&r, sizeof(bgp_marker));
	rbuf_u16(&r, msg_len);
	rbuf_u8(&r, type);

	/* RFC 4271 6.1: the marker must be all ones (no authentication in BGP-4). */
	if (memcmp(buf, bgp_marker, sizeof(bgp_marker)) != 0) {
		bgp_notify_set(n, BGP_ERR_HEADER, BGP_ERR_HDR_SYNC, NULL, 0);
		return -EBADMSG;
	}
	if (*type < BGP_OPEN || *type > BGP_ROUTE_REFRESH) {
		bgp_notify_set(n, BGP_ERR_HEADER, BGP_ERR_HDR_TYPE, type, 1);
		return -EBADMSG;
	}
	/*
	 * RFC 8654 3: the extended maximum applies to every message except OPEN and
	 * KEEPALIVE.
	 */
	max = max_msg > BGP_MAX_MSG_EXT ? BGP_MAX_MSG_EXT : max_msg;
	if (max < BGP_MAX_MSG || *type == BGP_OPEN || *type == BGP_KEEPALIVE)
		max = BGP_MAX_MSG;
	/* RFC 4271 6.1: Bad Message Length, with the length field as data. */
	if (*msg_len < bgp_min_len(*type) || *msg_len > max ||
	    (*type == BGP_KEEPALIVE && *msg_len != BGP_HDR_LEN)) {
		bgp_notify_set(n, BGP_ERR_HEADER, BGP_ERR_HDR_LEN, buf + 16, 2);
		return -EBADMSG;
	}
	return 0;
}

int bgp_keepalive_encode(struct wbuf *w)
{
	return bgp_msg_end(w, bgp_msg_begin(w, BGP_KEEPALIVE));
}

int bgp_notify_encode(struct wbuf *w, const struct bgp_notify *n)
{
	long start = bgp_msg_begin(w, BGP_NOTIFICATION);
	size_t dlen = n->data_len > BGP_NOTIFY_DATA_MAX ? BGP_NOTIFY_DATA_MAX : n->data_len;

	wbuf_u8(w, n->code);
	wbuf_u8(w, n->subcode);
	wbuf_bytes(w, n->data, dlen);
	return bgp_msg_end(w, start);
}

int bgp_notify_decode(const uint8_t *body, size_t len, struct bgp_notify *n)
{
	struct rbuf r;
	size_t dlen;

	memset(n, 0, sizeof(*n));
	rbuf_init(&r, body, len);
	rbuf_u8(&r, &n->code);
	rbuf_u8(&r, &n->subcode);
	if (r.err)
		return -EBADMSG;
	/* The data is kept up to BGP_NOTIFY_DATA_MAX bytes; the rest is dropped. */
	dlen = rbuf_left(&r);
	if (dlen > BGP_NOTIFY_DATA_MAX)
		dlen = BGP_NOTIFY_DATA_MAX;
	rbuf_bytes(&r, n->data, dlen);
	n->data_len = (uint16_t)dlen;
	return 0;
}

/* Length of the valid UTF-8 sequence starting at s (at most left bytes), 0 if invalid. */
static size_t utf8_seq_len(const uint8_t *s, size_t left)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n > left)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are not UTF-8 (RFC 3629). */
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/* Bytes of s (at most max) that form whole valid UTF-8 characters; *valid false if not. */
static size_t utf8_prefix(const uint8_t *s, size_t len, size_t max, bool *valid)
{
	size_t off = 0, n;

	*valid = true;
	while (off < len) {
		n = utf8_seq_len(s + off, len - off);
		if (n == 0) {
			*valid = false;
			return off;
		}
		if (off + n > max)
			break;
		off += n;
	}
	return off;
}

void bgp_notify_shutdown(struct bgp_notify *n, uint8_t subcode, const char *text)
{
	size_t len = text ? strlen(text) : 0;
	bool valid;

	/* RFC 9003 2: a length octet and up to 255 bytes of UTF-8, cut at a character. */
	len = utf8_prefix((const uint8_t *)text, len, 255, &valid);
	n->code = BGP_ERR_CEASE;
	n->subcode = subcode;
	n->data[0] = (uint8_t)len;
	if (len > 0)
		memcpy(n->data + 1, text, len);
	n->data_len = (uint16_t)(len + 1);
}

const char *bgp_notify_shutdown_text(const struct bgp_notify *n, char *buf, size_t size)
{
	size_t len;
	bool valid;

	/* RFC 9003 2: only Administrative Shutdown and Administrative Reset carry one. */
	if (n->code != BGP_ERR_CEASE ||
	    (n->subcode != BGP_CEASE_ADMIN_SHUTDOWN && n->subcode != BGP_CEASE_ADMIN_RESET))
		return NULL;
	if (n->data_len < 1 || n->data[0] == 0 || n->data[0] > n->data_len - 1 || size == 0)
		return NULL;
	len = n->data[0];
	/* RFC 9003 3: an invalid length or invalid UTF-8 is logged, not shown. */
	if (utf8_prefix(n->data + 1, len, len, &valid) != len || !valid)
		return NULL;
	len = utf8_prefix(n->data + 1, len, size - 1, &valid);
	memcpy(buf, n->data + 1, len);
	buf[len] = '\0';
	return buf;
}

int bgp_rr_encode(struct wbuf *w, uint16_t afi, uint8_t subtype, uint8_t safi)
{
	long start = bgp_msg_begin(w, BGP_ROUTE_REFRESH);

	wbuf_u16(w, afi);
	wbuf_u8(w, subtype);
	wbuf_u8(w, safi);
	return bgp_msg_end(w, start);
}

int bgp_rr_decode(const uint8_t *body, size_t len, uint16_t *afi, uint8_t *subtype, uint8_t *safi,
                  struct bgp_notify *n)
{
	uint8_t msg[BGP_NOTIFY_DATA_MAX];
	struct wbuf w;
	struct rbuf r;

	rbuf_init(&r, body, len);
	rbuf_u16(&r, afi);
	rbuf_u8(&r, subtype);
	rbuf_u8(&r, safi);
	/*
	 * RFC 7313 5: a BoRR or EoRR whose body is not 4 bytes is an Invalid Message Length,
	 * with the whole message as data. A body too short for any subtype is treated the
	 * same way; a normal request may be longer (ORF entries, RFC 5291, are ignored).
	 */
	if (r.err || ((*subtype == BGP_RR_BORR || *subtype == BGP_RR_EORR) && len != 4)) {
		wbuf_init(&w, msg, sizeof(msg));
		wbuf_bytes(&w, bgp_marker, sizeof(bgp_marker));
		wbuf_u16(&w, (uint16_t)(BGP_HDR_LEN + len));
		wbuf_u8(&w, BGP_ROUTE_REFRESH);
		w.err = false;
		len = len > sizeof(msg) - w.len ? sizeof(msg) - w.len : len;
		wbuf_bytes(&w, body, len);
		bgp_notify_set(n, BGP_ERR_ROUTE_REFRESH, BGP_ERR_RR_INVALID_LEN, msg, w.len);
		return -EBADMSG;
	}
	return 0;
}
