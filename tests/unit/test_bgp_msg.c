/* SPDX-License-Identifier: BSD-3-Clause */
/* OPEN, KEEPALIVE, NOTIFICATION, ROUTE-REFRESH and the message header. */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <arpa/inet.h>

#include <cmocka.h>

#include "msg.h"

#define MARKER                                                                                    \
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, \
	        0xff

static void test_header(void **state)
{
	uint8_t m[BGP_HDR_LEN] = {MARKER, 0, 19, BGP_KEEPALIVE};
	struct bgp_notify n;
	uint16_t len;
	uint8_t type;

	(void)state;
	assert_int_equal(bgp_hdr_decode(m, sizeof(m), &len, &type, BGP_MAX_MSG, &n), 0);
	assert_int_equal(len, 19);
	assert_int_equal(type, BGP_KEEPALIVE);
	assert_int_equal(bgp_hdr_decode(m, 10, &len, &type, BGP_MAX_MSG, &n), -EAGAIN);

	/* Marker not all ones: 1/1. */
	m[3] = 0;
	assert_int_equal(bgp_hdr_decode(m, sizeof(m), &len, &type, BGP_MAX_MSG, &n), -EBADMSG);
	assert_int_equal(n.code, BGP_ERR_HEADER);
	assert_int_equal(n.subcode, BGP_ERR_HDR_SYNC);
	m[3] = 0xff;

	/* Unknown type: 1/3 with the type as data. */
	m[18] = 9;
	assert_int_equal(bgp_hdr_decode(m, sizeof(m), &len, &type, BGP_MAX_MSG, &n), -EBADMSG);
	assert_int_equal(n.subcode, BGP_ERR_HDR_TYPE);
	assert_int_equal(n.data_len, 1);
	assert_int_equal(n.data[0], 9);

	/* KEEPALIVE must be exactly 19: 1/2 with the length field as data. */
	m[18] = BGP_KEEPALIVE;
	m[17] = 20;
	assert_int_equal(bgp_hdr_decode(m, sizeof(m), &len, &type, BGP_MAX_MSG, &n), -EBADMSG);
	assert_int_equal(n.subcode, BGP_ERR_HDR_LEN);
	assert_int_equal(n.data_len, 2);
	assert_int_equal(n.data[1], 20);

	/* UPDATE shorter than 23, and one over 4096 unless extended messages were agreed. */
	m[18] = BGP_UPDATE;
	m[17] = 22;
	assert_int_equal(bgp_hdr_decode(m, sizeof(m), &len, &type, BGP_MAX_MSG, &n), -EBADMSG);
	m[16] = 0x10;
	m[17] = 0x01;
	assert_int_equal(bgp_hdr_decode(m, sizeof(m), &len, &type, BGP_MAX_MSG, &n), -EBADMSG);
	assert_int_equal(n.subcode, BGP_ERR_HDR_LEN);
	assert_int_equal(bgp_hdr_decode(m, sizeof(m), &len, &type, BGP_MAX_MSG_EXT, &n), 0);
	assert_int_equal(len, 4097);
	/* RFC 8654 3: OPEN stays within 4096 even then. */
	m[18] = BGP_OPEN;
	assert_int_equal(bgp_hdr_decode(m, sizeof(m), &len, &type, BGP_MAX_MSG_EXT, &n), -EBADMSG);
	assert_int_equal(n.subcode, BGP_ERR_HDR_LEN);
	/* OPEN shorter than 29 and NOTIFICATION shorter than 21. */
	m[16] = 0;
	m[17] = 28;
	assert_int_equal(bgp_hdr_decode(m, sizeof(m), &len, &type, BGP_MAX_MSG, &n), -EBADMSG);
	m[18] = BGP_NOTIFICATION;
	m[17] = 20;
	assert_int_equal(bgp_hdr_decode(m, sizeof(m), &len, &type, BGP_MAX_MSG, &n), -EBADMSG);
	m[17] = 21;
	assert_int_equal(bgp_hdr_decode(m, sizeof(m), &len, &type, BGP_MAX_MSG, &n), 0);
}

static void test_keepalive(void **state)
{
	static const uint8_t want[] = {MARKER, 0, 19, 4};
	uint8_t buf[64];
	struct wbuf w;

	(void)state;
	wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(bgp_keepalive_encode(&w), 0);
	assert_int_equal(w.len, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	wbuf_init(&w, buf, 18);
	assert_int_equal(bgp_keepalive_encode(&w), -ENOSPC);
}

static void test_notify_round_trip(void **state)
{
	struct bgp_notify n = {.code = BGP_ERR_UPDATE,
	                       .subcode = BGP_ERR_UPD_ATTRLEN,
	                       .data_len = 3,
	                       .data = {0x40, 0x01, 0x02}};
	struct bgp_notify got;
	uint8_t buf[512];
	struct wbuf w;
	uint16_t len;
	uint8_t type;

	(void)state;
	wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(bgp_notify_encode(&w, &n), 0);
	assert_int_equal(w.len, 24);
	assert_int_equal(bgp_hdr_decode(buf, w.len, &len, &type, BGP_MAX_MSG, &got), 0);
	assert_int_equal(type, BGP_NOTIFICATION);
	assert_int_equal(len, 24);
	assert_int_equal(bgp_notify_decode(buf + BGP_HDR_LEN, len - BGP_HDR_LEN, &got), 0);
	assert_int_equal(got.code, n.code);
	assert_int_equal(got.subcode, n.subcode);
	assert_int_equal(got.data_len, 3);
	assert_memory_equal(got.data, n.data, 3);
	assert_int_equal(bgp_notify_decode(buf + BGP_HDR_LEN, 1, &got), -EBADMSG);
}

static void test_notify_shutdown(void **state)
{
	/* "shutdown: maintenance, é" with a 2-byte UTF-8 character at the end. */
	static const char text[] = "maintenance \xc3\xa9";
	struct bgp_notify n, got;
	char long_text[400], out[300];
	uint8_t buf[512];
	struct wbuf w;

	(void)state;
	bgp_notify_shutdown(&n, BGP_CEASE_ADMIN_SHUTDOWN, text);
	assert_int_equal(n.code, BGP_ERR_CEASE);
	assert_int_equal(n.data_len, 1 + strlen(text));
	assert_int_equal(n.data[0], strlen(text));
	wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(bgp_notify_encode(&w, &n), 0);
	assert_int_equal(bgp_notify_decode(buf + BGP_HDR_LEN, w.len - BGP_HDR_LEN, &got), 0);
	assert_string_equal(bgp_notify_shutdown_text(&got, out, sizeof(out)), text);
	/* Cut to fit the caller's buffer at a character boundary, never inside é. */
	assert_string_equal(bgp_notify_shutdown_text(&got, out, 14), "maintenance ");

	/* Longer than 255 bytes: cut to 255 (RFC 9003 2); 'é' straddling 255 is dropped. */
	memset(long_text, 'a', 254);
	long_text[254] = '\xc3';
	long_text[255] = '\xa9';
	long_text[256] = '\0';
	bgp_notify_shutdown(&n, BGP_CEASE_ADMIN_RESET, long_text);
	assert_int_equal(n.data[0], 254);
	assert_non_null(bgp_notify_shutdown_text(&n, out, sizeof(out)));
	assert_int_equal(strlen(out), 254);

	/* Not a Cease 2/4, a wrong length, or bad UTF-8: no text. */
	bgp_notify_shutdown(&n, BGP_CEASE_ADMIN_SHUTDOWN, "bye");
	n.subcode = BGP_CEASE_PEER_UNCONFIGURED;
	assert_null(bgp_notify_shutdown_text(&n, out, sizeof(out)));
	n.subcode = BGP_CEASE_ADMIN_SHUTDOWN;
	n.data[0] = 4;
	assert_null(bgp_notify_shutdown_text(&n, out, sizeof(out)));
	n.data[0] = 3;
	n.data[2] = 0xff;
	assert_null(bgp_notify_shutdown_text(&n, out, sizeof(out)));
	bgp_notify_shutdown(&n, BGP_CEASE_ADMIN_SHUTDOWN, "");
	assert_int_equal(n.data_len, 1);
	assert_null(bgp_notify_shutdown_text(&n, out, sizeof(out)));
}

static void test_route_refresh(void **state)
{
	static const uint8_t want[] = {MARKER, 0, 23, 5, 0, 2, 1, 1};
	struct bgp_notify n;
	uint8_t buf[64], subtype, safi;
	uint16_t afi;
	struct wbuf w;
	uint8_t bad[] = {0, 1, BGP_RR_BORR, 1, 0};

	(void)state;
	wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(bgp_rr_encode(&w, BGP_AFI_IPV6, BGP_RR_BORR, BGP_SAFI_UNICAST), 0);
	assert_int_equal(w.len, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(bgp_rr_decode(buf + 19, 4, &afi, &subtype, &safi, &n), 0);
	assert_int_equal(afi, BGP_AFI_IPV6);
	assert_int_equal(subtype, BGP_RR_BORR);
	assert_int_equal(safi, BGP_SAFI_UNICAST);

	/* RFC 7313 5: a BoRR of 5 bytes is 7/1 with the whole message as data. */
	assert_int_equal(bgp_rr_decode(bad, sizeof(bad), &afi, &subtype, &safi, &n), -EBADMSG);
	assert_int_equal(n.code, BGP_ERR_ROUTE_REFRESH);
	assert_int_equal(n.subcode, BGP_ERR_RR_INVALID_LEN);
	assert_int_equal(n.data_len, 19 + sizeof(bad));
	assert_int_equal(n.data[17], 24);
	assert_int_equal(n.data[18], BGP_ROUTE_REFRESH);
	assert_memory_equal(n.data + 19, bad, sizeof(bad));
	/* Too short for any subtype. */
	assert_int_equal(bgp_rr_decode(bad, 3, &afi, &subtype, &safi, &n), -EBADMSG);
	assert_int_equal(n.code, BGP_ERR_ROUTE_REFRESH);
	/* A normal request may carry ORF entries (RFC 5291): accepted. */
	bad[2] = BGP_RR_NORMAL;
	assert_int_equal(bgp_rr_decode(bad, sizeof(bad), &afi, &subtype, &safi, &n), 0);
}

static struct bgp_open full_open(void)
{
	struct bgp_open o = {.version = 4, .hold_time = 90, .bgp_id = htonl(0xc6120001)};

	o.caps.mp[BGP_AID_IPV4] = true;
	o.caps.mp[BGP_AID_IPV6] = true;
	o.caps.as4 = true;
	o.caps.as4_asn = 4200000001u;
	o.caps.route_refresh = true;
	o.caps.enhanced_rr = true;
	o.caps.ext_msg = true;
	o.caps.gr = true;
	o.caps.gr_restarted = true;
	o.caps.gr_time = 120;
	o.caps.gr_af[BGP_AID_IPV4] = true;
	o.caps.gr_fwd[BGP_AID_IPV4] = true;
	o.caps.gr_af[BGP_AID_IPV6] = true;
	o.caps.addpath[BGP_AID_IPV4] = BGP_ADDPATH_RECV | BGP_ADDPATH_SEND;
	o.caps.addpath[BGP_AID_IPV6] = BGP_ADDPATH_RECV;
	return o;
}

static void test_open_round_trip(void **state)
{
	struct bgp_open o = full_open(), got;
	struct bgp_notify n;
	uint8_t buf[BGP_MAX_MSG];
	struct wbuf w;
	uint16_t len;
	uint8_t type;

	(void)state;
	wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(bgp_open_encode(&w, &o), 0);
	assert_int_equal(bgp_hdr_decode(buf, w.len, &len, &type, BGP_MAX_MSG, &n), 0);
	assert_int_equal(type, BGP_OPEN);
	assert_int_equal(len, w.len);
	assert_int_equal(bgp_open_decode(buf + 19, len - 19, &got, &n), 0);
	/* The 4-octet ASN does not fit: My AS is AS_TRANS (RFC 6793 4.1). */
	assert_int_equal(got.my_as, BGP_AS_TRANS);
	assert_int_equal(bgp_open_peer_as(&got), 4200000001u);
	assert_int_equal(got.hold_time, 90);
	assert_int_equal(got.bgp_id, o.bgp_id);
	assert_memory_equal(&got.caps, &o.caps, sizeof(o.caps));

	/* A 2-octet ASN with AS4 goes in My AS as it is; without AS4 my_as is used. */
	o.caps.as4_asn = 65010;
	wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(bgp_open_encode(&w, &o), 0);
	assert_int_equal(bgp_open_decode(buf + 19, w.len - 19, &got, &n), 0);
	assert_int_equal(got.my_as, 65010);
	memset(&o.caps, 0, sizeof(o.caps));
	o.my_as = 65011;
	wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(bgp_open_encode(&w, &o), 0);
	assert_int_equal(w.len, 29);
	assert_int_equal(bgp_open_decode(buf + 19, w.len - 19, &got, &n), 0);
	assert_int_equal(bgp_open_peer_as(&got), 65011);
	assert_false(got.caps.as4);
}

/* An OPEN body from AS 65001, hold 180, id 198.18.0.1, with the given parameters. */
static size_t open_body(uint8_t *b, const uint8_t *params, size_t plen)
{
	static const uint8_t fixed[] = {4, 0xfd, 0xe9, 0, 180, 198, 18, 0, 1};

	memcpy(b, fixed, sizeof(fixed));
	b[9] = (uint8_t)plen;
	if (plen > 0)
		memcpy(b + 10, params, plen);
	return 10 + plen;
}

static void assert_open_error(const uint8_t *b, size_t len, uint8_t subcode)
{
	struct bgp_open o;
	struct bgp_notify n;

	assert_int_equal(bgp_open_decode(b, len, &o, &n), -EBADMSG);
	assert_int_equal(n.code, BGP_ERR_OPEN);
	assert_int_equal(n.subcode, subcode);
}

static void test_open_errors(void **state)
{
	static const uint8_t auth[] = {1, 2, 0, 0};           /* deprecated parameter type 1 */
	static const uint8_t overrun[] = {2, 6, 65, 4, 0, 0}; /* capability longer than param */
	static const uint8_t as4_len[] = {2, 5, 65, 3, 0, 0, 1};
	static const uint8_t mp_len[] = {2, 5, 1, 3, 0, 1, 0};
	static const uint8_t as4_zero[] = {2, 6, 65, 4, 0, 0, 0, 0};
	static const uint8_t addpath_bad[] = {2, 6, 69, 4, 0, 1, 1, 4};
	static const uint8_t gr_len[] = {2, 5, 64, 3, 0, 120, 0};
	struct bgp_notify n;
	struct bgp_open o;
	uint8_t b[64];
	size_t len;

	(void)state;
	len = open_body(b, NULL, 0);
	assert_int_equal(bgp_open_decode(b, len, &o, &n), 0);

	/* RFC 4271 6.2: version 3 -> 2/1 with the supported version as data. */
	b[0] = 3;
	assert_open_error(b, len, BGP_ERR_OPEN_VERSION);
	bgp_open_decode(b, len, &o, &n);
	assert_int_equal(n.data_len, 2);
	assert_int_equal(n.data[0], 0);
	assert_int_equal(n.data[1], 4);
	b[0] = 4;
	/* Hold time 1 and 2 -> 2/6; 0 and 3 are fine. */
	b[4] = 1;
	assert_open_error(b, len, BGP_ERR_OPEN_HOLD);
	b[4] = 2;
	assert_open_error(b, len, BGP_ERR_OPEN_HOLD);
	b[4] = 0;
	assert_int_equal(bgp_open_decode(b, len, &o, &n), 0);
	b[4] = 3;
	assert_int_equal(bgp_open_decode(b, len, &o, &n), 0);
	/* BGP Identifier 0 -> 2/3. */
	memset(b + 5, 0, 4);
	assert_open_error(b, len, BGP_ERR_OPEN_BGPID);
	b[5] = 198;
	/* AS 0 -> 2/2 (RFC 7607). */
	b[1] = b[2] = 0;
	assert_open_error(b, len, BGP_ERR_OPEN_AS);

	/* Unsupported optional parameter -> 2/4. */
	len = open_body(b, auth, sizeof(auth));
	assert_open_error(b, len, BGP_ERR_OPEN_OPT);
	/* Malformed parameters or capabilities -> 2/0. */
	len = open_body(b, overrun, sizeof(overrun));
	assert_open_error(b, len, BGP_ERR_OPEN_UNSPECIFIC);
	len = open_body(b, as4_len, sizeof(as4_len));
	assert_open_error(b, len, BGP_ERR_OPEN_UNSPECIFIC);
	len = open_body(b, mp_len, sizeof(mp_len));
	assert_open_error(b, len, BGP_ERR_OPEN_UNSPECIFIC);
	len = open_body(b, addpath_bad, sizeof(addpath_bad));
	assert_open_error(b, len, BGP_ERR_OPEN_UNSPECIFIC);
	len = open_body(b, gr_len, sizeof(gr_len));
	assert_open_error(b, len, BGP_ERR_OPEN_UNSPECIFIC);
	/* Parameter length past the end of the message. */
	len = open_body(b, auth, sizeof(auth));
	b[9] = 5;
	assert_open_error(b, len, BGP_ERR_OPEN_UNSPECIFIC);
	/* 4-octet ASN 0 -> 2/2. */
	len = open_body(b, as4_zero, sizeof(as4_zero));
	assert_open_error(b, len, BGP_ERR_OPEN_AS);
	/* Body too short for an OPEN: header length error. */
	assert_int_equal(bgp_open_decode(b, 9, &o, &n), -EBADMSG);
	assert_int_equal(n.code, BGP_ERR_HEADER);
	assert_int_equal(n.subcode, BGP_ERR_HDR_LEN);
}

static void test_open_capabilities(void **state)
{
	/*
	 * Two Capabilities parameters, as some speakers send: MP IPv6 unicast, MP for
	 * IPv4 multicast (ignored), an unknown capability 73 (FQDN, ignored), route
	 * refresh, GR with restart time 300 without R bit, IPv6 F bit, an unknown AFI,
	 * and AS4 65001.
	 */
	/* clang-format off */
	static const uint8_t p[] = {
		2, 12, 1, 4, 0, 2, 0, 1, 1, 4, 0, 1, 0, 2,
		2, 28, 73, 2, 'h', 'i', 2, 0,
		64, 14, 0x01, 0x2c, 0, 2, 1, 0x80, 0, 99, 1, 0x80, 0, 1, 1, 0,
		65, 4, 0, 0, 0xfd, 0xe9,
	};
	/* clang-format on */
	struct bgp_notify n;
	struct bgp_open o;
	uint8_t b[128];
	size_t len;

	(void)state;
	len = open_body(b, p, sizeof(p));
	assert_int_equal(bgp_open_decode(b, len, &o, &n), 0);
	assert_false(o.caps.mp[BGP_AID_IPV4]);
	assert_true(o.caps.mp[BGP_AID_IPV6]);
	assert_true(o.caps.route_refresh);
	assert_false(o.caps.enhanced_rr);
	assert_true(o.caps.gr);
	assert_false(o.caps.gr_restarted);
	assert_int_equal(o.caps.gr_time, 300);
	assert_true(o.caps.gr_af[BGP_AID_IPV6]);
	assert_true(o.caps.gr_fwd[BGP_AID_IPV6]);
	assert_true(o.caps.gr_af[BGP_AID_IPV4]);
	assert_false(o.caps.gr_fwd[BGP_AID_IPV4]);
	assert_true(o.caps.as4);
	assert_int_equal(o.caps.as4_asn, 65001);
	assert_int_equal(bgp_open_peer_as(&o), 65001);
}

static void test_open_extended_params(void **state)
{
	/* RFC 9072: 255, 255, 2-octet length, then parameters with 2-octet lengths. */
	/* clang-format off */
	static const uint8_t b[] = {
		4, 0xfd, 0xe9, 0, 180, 198, 18, 0, 1, 255,
		255, 0, 9,
		2, 0, 6, 65, 4, 0x00, 0x01, 0x00, 0x00,
	};
	/* clang-format on */
	uint8_t bad[sizeof(b)];
	struct bgp_notify n;
	struct bgp_open o;

	(void)state;
	assert_int_equal(bgp_open_decode(b, sizeof(b), &o, &n), 0);
	assert_true(o.caps.as4);
	assert_int_equal(o.caps.as4_asn, 65536);
	memcpy(bad, b, sizeof(b));
	bad[12] = 10;
	assert_open_error(bad, sizeof(bad), BGP_ERR_OPEN_UNSPECIFIC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_header),
	        cmocka_unit_test(test_keepalive),
	        cmocka_unit_test(test_notify_round_trip),
	        cmocka_unit_test(test_notify_shutdown),
	        cmocka_unit_test(test_route_refresh),
	        cmocka_unit_test(test_open_round_trip),
	        cmocka_unit_test(test_open_errors),
	        cmocka_unit_test(test_open_capabilities),
	        cmocka_unit_test(test_open_extended_params),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
