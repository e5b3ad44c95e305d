/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Decodes OPEN and UPDATE messages captured from FRR bgpd 8.4, BIRD 2.0 and GoBGP 3.10
 * (tests/unit/fixtures/capture.sh made them).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <cmocka.h>

#include "msg.h"

struct capture {
	struct bgp_open open;
	unsigned updates;
	unsigned v4, v6; /* announced prefixes */
	bool eor[BGP_AID_MAX];
	struct bgp_attrs *first[BGP_AID_MAX]; /* attributes of the first announcement */
	struct bgp_attrs *last;               /* of the last UPDATE, if not a first */
};

static size_t load(const char *name, uint8_t *buf, size_t size)
{
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", FIXTURE_DIR, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(buf, 1, size, f);
	fclose(f);
	assert_true(n > 0);
	return n;
}

static unsigned count_nlri(const struct bgp_nlri_block *b, const struct bgp_codec_opts *o)
{
	struct rh_prefix p;
	struct rbuf r;
	unsigned n = 0;
	int rc;

	rbuf_init(&r, b->p, b->len);
	while ((rc = bgp_nlri_next(&r, b->aid, o->addpath_rx[b->aid], &p, NULL)) == 1)
		n++;
	assert_int_equal(rc, 0);
	return n;
}

static void take_update(struct capture *c, const uint8_t *body, size_t len,
                        const struct bgp_codec_opts *o)
{
	struct bgp_update u;
	unsigned n4, n6;

	assert_int_equal(bgp_update_decode(body, len, o, &u), 0);
	assert_int_equal(u.action, BGP_UPD_OK);
	c->updates++;
	if (u.eor)
		c->eor[u.eor_aid] = true;
	n4 = count_nlri(&u.nlri, o);
	n6 = u.mp_reach.len ? count_nlri(&u.mp_reach, o) : 0;
	c->v4 += n4;
	c->v6 += n6;
	if (n4 && !c->first[BGP_AID_IPV4]) {
		c->first[BGP_AID_IPV4] = u.attrs;
	} else if (n6 && !c->first[BGP_AID_IPV6]) {
		c->first[BGP_AID_IPV6] = u.attrs;
	} else {
		bgp_attrs_free(c->last);
		c->last = u.attrs;
	}
}

static void decode_capture(const char *name, const struct bgp_codec_opts *o, struct capture *c)
{
	static uint8_t buf[1 << 16];
	size_t len = load(name, buf, sizeof(buf)), off = 0;
	struct bgp_notify n;
	uint16_t mlen;
	uint8_t type;

	memset(c, 0, sizeof(*c));
	while (off < len) {
		assert_int_equal(bgp_hdr_decode(buf + off, len - off, &mlen, &type, o->max_msg, &n),
		                 0);
		assert_true(off + mlen <= len);
		if (type == BGP_OPEN)
			assert_int_equal(bgp_open_decode(buf + off + 19, mlen - 19u, &c->open, &n),
			                 0);
		else if (type == BGP_UPDATE)
			take_update(c, buf + off + 19, mlen - 19u, o);
		off += mlen;
	}
}

static void capture_free(struct capture *c)
{
	bgp_attrs_free(c->first[BGP_AID_IPV4]);
	bgp_attrs_free(c->first[BGP_AID_IPV6]);
	bgp_attrs_free(c->last);
}

static bool has_comm(const struct bgp_attrs *a, uint32_t comm)
{
	for (unsigned i = 0; i < a->n_comm; i++)
		if (a->comm[i] == comm)
			return true;
	return false;
}

static void test_frr(void **state)
{
	const struct bgp_codec_opts o = {.as4 = true, .ebgp = true, .max_msg = BGP_MAX_MSG};
	struct bgp_attrs *a;
	struct capture c;
	char s[RH_ADDR_STRLEN];

	(void)state;
	decode_capture("frr.bin", &o, &c);
	assert_int_equal(bgp_open_peer_as(&c.open), 65001);
	assert_int_equal(c.open.bgp_id, htonl(0xc6120002));
	assert_true(c.open.caps.mp[BGP_AID_IPV4]);
	assert_true(c.open.caps.mp[BGP_AID_IPV6]);
	assert_true(c.open.caps.route_refresh);
	assert_true(c.open.caps.enhanced_rr);
	assert_true(c.open.caps.gr);
	assert_int_equal(c.open.caps.gr_time, 120);
	assert_int_equal(c.open.caps.addpath[BGP_AID_IPV4], BGP_ADDPATH_RECV);
	/* 198.19.1.0/24 and 198.19.2.0/25, and 2001:db8:1::/48; FRR sent them twice. */
	assert_int_equal(c.v4, 4);
	assert_int_equal(c.v6, 2);
	a = c.first[BGP_AID_IPV4];
	assert_non_null(a);
	assert_int_equal(a->med, 50);
	assert_true(has_comm(a, 0xfde90064));
	assert_true(has_comm(a, BGP_COMM_NO_EXPORT));
	assert_int_equal(a->n_lcomm, 1);
	assert_int_equal(a->lcomm[0][1], 1);
	assert_string_equal(rh_addr_fmt(&a->next_hop, s, sizeof(s)), "198.18.0.2");
	a = c.first[BGP_AID_IPV6];
	assert_non_null(a);
	assert_string_equal(rh_addr_fmt(&a->next_hop, s, sizeof(s)), "2001:db8::2");
	assert_int_equal(bgp_aspath_first_as(a), 65001);
	capture_free(&c);
}

static void test_bird(void **state)
{
	const struct bgp_codec_opts o = {.as4 = true, .ebgp = true, .max_msg = BGP_MAX_MSG};
	struct bgp_attrs *a;
	struct capture c;
	char s[RH_ADDR_STRLEN];

	(void)state;
	decode_capture("bird.bin", &o, &c);
	assert_int_equal(c.open.my_as, BGP_AS_TRANS);
	assert_int_equal(bgp_open_peer_as(&c.open), 4200000001u);
	assert_true(c.open.caps.gr);
	assert_int_equal(c.v4, 2);
	assert_int_equal(c.v6, 1);
	/* BIRD ends its initial table with End-of-RIB for both families (RFC 4724 2). */
	assert_true(c.eor[BGP_AID_IPV4]);
	assert_true(c.eor[BGP_AID_IPV6]);
	a = c.first[BGP_AID_IPV6];
	assert_non_null(a);
	assert_string_equal(rh_addr_fmt(&a->next_hop, s, sizeof(s)), "2001:db8::3");
	assert_int_equal(a->next_hop_ll.family, RH_AF_INET6);
	assert_int_equal(a->next_hop_ll.bytes[0], 0xfe);
	assert_int_equal(bgp_aspath_first_as(a), 4200000001u);
	capture_free(&c);
}

/* GoBGP with a 4-octet ASN to a 2-octet peer: AS_TRANS and AS4_PATH, merged back. */
static void test_gobgp_two_octet(void **state)
{
	const struct bgp_codec_opts o = {.as4 = false, .ebgp = true, .max_msg = BGP_MAX_MSG};
	struct bgp_attrs *a;
	struct capture c;
	char s[64];

	(void)state;
	decode_capture("gobgp-as2.bin", &o, &c);
	assert_int_equal(c.open.my_as, BGP_AS_TRANS);
	assert_int_equal(bgp_open_peer_as(&c.open), 4200000002u);
	assert_int_equal(c.v4, 2);
	a = c.first[BGP_AID_IPV4];
	assert_non_null(a);
	assert_string_equal(bgp_aspath_fmt(a, s, sizeof(s)), "4200000002");
	assert_int_equal(a->med, 40);
	assert_true(has_comm(a, 0xfde90190));
	/* The last UPDATE has AGGREGATOR AS_TRANS with AS4_AGGREGATOR. */
	a = c.last;
	assert_non_null(a);
	assert_true(a->flags & BGP_ATTRS_AGGREGATOR);
	assert_int_equal(a->aggregator_as, 4200000002u);
	assert_string_equal(bgp_aspath_fmt(a, s, sizeof(s)), "4200000002");
	capture_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_frr),
	        cmocka_unit_test(test_bird),
	        cmocka_unit_test(test_gobgp_two_octet),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
