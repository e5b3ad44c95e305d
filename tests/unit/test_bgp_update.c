/* SPDX-License-Identifier: BSD-3-Clause */
/* UPDATE decoding: attributes, RFC 7606 error handling, RFC 6793, NLRI, End-of-RIB. */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <cmocka.h>

#include "msg.h"

#define ORIGIN_OK 0x40, 1, 1, 0
#define ASPATH_OK 0x40, 2, 6, 2, 1, 0, 0, 0xfd, 0xe9 /* 4-octet: 65001 */
#define NH_OK     0x40, 3, 4, 198, 18, 0, 1
#define BASE      ORIGIN_OK, ASPATH_OK, NH_OK
#define NLRI_1    24, 198, 51, 100 /* 198.51.100.0/24 */

static const struct bgp_codec_opts ibgp = {.as4 = true, .max_msg = BGP_MAX_MSG};
static const struct bgp_codec_opts ebgp = {.as4 = true, .ebgp = true, .max_msg = BGP_MAX_MSG};
static const struct bgp_codec_opts old_ebgp = {.as4 = false, .ebgp = true, .max_msg = BGP_MAX_MSG};

/* An UPDATE body from its three parts. */
static size_t body(uint8_t *b, const uint8_t *wd, size_t wl, const uint8_t *at, size_t al,
                   const uint8_t *nl, size_t nll)
{
	size_t o = 0;

	b[o++] = (uint8_t)(wl >> 8);
	b[o++] = (uint8_t)wl;
	if (wl)
		memcpy(b + o, wd, wl);
	o += wl;
	b[o++] = (uint8_t)(al >> 8);
	b[o++] = (uint8_t)al;
	if (al)
		memcpy(b + o, at, al);
	o += al;
	if (nll)
		memcpy(b + o, nl, nll);
	return o + nll;
}

/* Decodes attributes `at` with one IPv4 prefix of NLRI. */
static struct bgp_update run(const uint8_t *at, size_t al, const struct bgp_codec_opts *o)
{
	static const uint8_t nlri[] = {NLRI_1};
	static uint8_t b[BGP_MAX_MSG_EXT];
	struct bgp_update u;
	size_t len = body(b, NULL, 0, at, al, nlri, sizeof(nlri));

	assert_int_equal(bgp_update_decode(b, len, o, &u), 0);
	return u;
}

static void expect(const uint8_t *at, size_t al, const struct bgp_codec_opts *o,
                   enum bgp_upd_action act)
{
	struct bgp_update u = run(at, al, o);

	assert_int_equal(u.action, act);
	assert_non_null(u.reason);
	if (act >= BGP_UPD_TREAT_AS_WITHDRAW)
		assert_null(u.attrs);
	/* The NLRI are still found, to withdraw them. */
	if (act != BGP_UPD_SESSION_RESET)
		assert_int_equal(u.nlri.len, 4);
	bgp_attrs_free(u.attrs);
}

static void expect_reset(const uint8_t *at, size_t al, const struct bgp_codec_opts *o,
                         uint8_t subcode)
{
	struct bgp_update u = run(at, al, o);

	assert_int_equal(u.action, BGP_UPD_SESSION_RESET);
	assert_int_equal(u.notify.code, BGP_ERR_UPDATE);
	assert_int_equal(u.notify.subcode, subcode);
	assert_null(u.attrs);
}

/* ---- NLRI ---- */

static void test_nlri_walk(void **state)
{
	static const uint8_t v4[] = {0, 8, 10, 25, 192, 0, 2, 0xff, 32, 203, 0, 113, 9};
	/* clang-format off */
	static const uint8_t v6[] = {
		32, 0x20, 0x01, 0x0d, 0xb8,
		128, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	};
	/* clang-format on */
	static const uint8_t too_long[] = {33, 1, 2, 3, 4, 5};
	static const uint8_t short_[] = {24, 198, 51};
	char s[RH_PREFIX_STRLEN];
	struct rh_prefix p;
	struct rbuf r;
	uint32_t id;

	(void)state;
	rbuf_init(&r, v4, sizeof(v4));
	assert_int_equal(bgp_nlri_next(&r, BGP_AID_IPV4, false, &p, &id), 1);
	assert_int_equal(p.family, RH_AF_INET);
	assert_int_equal(p.len, 0);
	assert_int_equal(bgp_nlri_next(&r, BGP_AID_IPV4, false, &p, &id), 1);
	assert_int_equal(p.len, 8);
	assert_int_equal(p.bytes[0], 10);
	/* 192.0.2.255/25: the host bits past 25 are cleared. */
	assert_int_equal(bgp_nlri_next(&r, BGP_AID_IPV4, false, &p, &id), 1);
	assert_int_equal(p.len, 25);
	assert_int_equal(p.bytes[3], 0x80);
	assert_int_equal(bgp_nlri_next(&r, BGP_AID_IPV4, false, &p, &id), 1);
	assert_int_equal(p.len, 32);
	assert_int_equal(p.bytes[3], 9);
	assert_int_equal(bgp_nlri_next(&r, BGP_AID_IPV4, false, &p, &id), 0);

	rbuf_init(&r, v6, sizeof(v6));
	assert_int_equal(bgp_nlri_next(&r, BGP_AID_IPV6, false, &p, &id), 1);
	assert_int_equal(p.family, RH_AF_INET6);
	assert_int_equal(p.len, 32);
	assert_int_equal(bgp_nlri_next(&r, BGP_AID_IPV6, false, &p, &id), 1);
	assert_int_equal(p.len, 128);
	assert_int_equal(p.bytes[15], 1);
	assert_int_equal(bgp_nlri_next(&r, BGP_AID_IPV6, false, &p, &id), 0);
	(void)s;

	rbuf_init(&r, too_long, sizeof(too_long));
	assert_int_equal(bgp_nlri_next(&r, BGP_AID_IPV4, false, &p, &id), -EBADMSG);
	rbuf_init(&r, short_, sizeof(short_));
	assert_int_equal(bgp_nlri_next(&r, BGP_AID_IPV4, false, &p, &id), -EBADMSG);
	/* 129 bits for IPv6. */
	rbuf_init(&r, (const uint8_t[]){129}, 1);
	assert_int_equal(bgp_nlri_next(&r, BGP_AID_IPV6, false, &p, &id), -EBADMSG);
}

static void test_nlri_addpath(void **state)
{
	/* clang-format off */
	static const uint8_t b[] = {
		0, 0, 0, 1, 24, 198, 51, 100,
		0, 0, 0, 2, 24, 198, 51, 100,
		0, 0, 1,
	};
	/* clang-format on */
	struct rh_prefix p, q;
	struct rbuf r;
	uint32_t id;

	(void)state;
	rbuf_init(&r, b, sizeof(b));
	assert_int_equal(bgp_nlri_next(&r, BGP_AID_IPV4, true, &p, &id), 1);
	assert_int_equal(id, 1);
	assert_int_equal(bgp_nlri_next(&r, BGP_AID_IPV4, true, &q, &id), 1);
	assert_int_equal(id, 2);
	assert_memory_equal(&p, &q, sizeof(p));
	/* A path id with no room for the prefix after it. */
	assert_int_equal(bgp_nlri_next(&r, BGP_AID_IPV4, true, &q, &id), -EBADMSG);
	/* The same bytes read without ADD-PATH are garbage: 0/0 then a bad length... */
	rbuf_init(&r, b, sizeof(b));
	assert_int_equal(bgp_nlri_next(&r, BGP_AID_IPV4, false, &p, &id), 1);
	assert_int_equal(p.len, 0);
}

/* ---- decoding: good messages ---- */

static void test_decode_ipv4_all_attributes(void **state)
{
	/* clang-format off */
	static const uint8_t at[] = {
		ORIGIN_OK,
		0x40, 2, 20,
		2, 2, 0, 0, 0xfd, 0xe9, 0xfa, 0x56, 0xea, 0x01,	/* SEQ 65001 4200000001 */
		1, 2, 0, 0, 0xfd, 0xea, 0, 0, 0xfd, 0xeb,	/* SET {65002,65003} */
		NH_OK,
		0x80, 4, 4, 0, 0, 0, 50,			/* MED 50 */
		0x40, 5, 4, 0, 0, 0, 200,			/* LOCAL_PREF 200 */
		0x40, 6, 0,					/* ATOMIC_AGGREGATE */
		0xc0, 7, 8, 0, 0, 0xfd, 0xe9, 198, 18, 0, 9,	/* AGGREGATOR */
		0xc0, 8, 8, 0xff, 0xff, 0xff, 0x01, 0xfd, 0xe9, 0, 1, /* COMMUNITIES */
		0x80, 9, 4, 198, 18, 0, 7,			/* ORIGINATOR_ID */
		0x80, 10, 8, 198, 18, 0, 8, 198, 18, 0, 9,	/* CLUSTER_LIST */
		0xc0, 16, 8, 0, 2, 0xfd, 0xe9, 0, 0, 0, 100,	/* EXT_COMMUNITIES */
		0xc0, 32, 12, 0, 0, 0xfd, 0xe9, 0, 0, 0, 1, 0, 0, 0, 2, /* LARGE */
		0xc0, 99, 2, 0xab, 0xcd,			/* unknown optional transitive */
		0x80, 98, 1, 0xee,				/* unknown optional non-transitive */
	};
	/* clang-format on */
	static const uint8_t unknown[] = {0xe0, 99, 2, 0xab, 0xcd};
	struct bgp_update u = run(at, sizeof(at), &ibgp);
	struct bgp_attrs *a = u.attrs;

	(void)state;
	assert_int_equal(u.action, BGP_UPD_OK);
	assert_non_null(a);
	assert_int_equal(a->origin, BGP_ORIGIN_IGP);
	assert_int_equal(a->aspath_len, 20);
	assert_int_equal(a->aspath[0], BGP_AS_SEQUENCE);
	assert_int_equal(a->aspath[10], BGP_AS_SET);
	assert_true(a->flags & BGP_ATTRS_NEXT_HOP);
	assert_int_equal(a->next_hop.family, RH_AF_INET);
	assert_int_equal(a->next_hop.bytes[3], 1);
	assert_true(a->flags & BGP_ATTRS_MED);
	assert_int_equal(a->med, 50);
	assert_int_equal(a->local_pref, 200);
	assert_true(a->flags & BGP_ATTRS_ATOMIC_AGGR);
	assert_int_equal(a->aggregator_as, 65001);
	assert_int_equal(a->aggregator_id, htonl(0xc6120009));
	assert_int_equal(a->n_comm, 2);
	assert_int_equal(a->comm[0], BGP_COMM_NO_EXPORT);
	assert_int_equal(a->comm[1], 0xfde90001);
	assert_int_equal(a->originator_id, htonl(0xc6120007));
	assert_int_equal(a->n_cluster, 2);
	assert_int_equal(a->cluster[1], htonl(0xc6120009));
	assert_int_equal(a->n_ecomm, 1);
	assert_int_equal(a->ecomm[0][7], 100);
	assert_int_equal(a->n_lcomm, 1);
	assert_int_equal(a->lcomm[0][0], 65001);
	assert_int_equal(a->lcomm[0][2], 2);
	/* Kept with the Partial bit; the non-transitive one is gone. */
	assert_int_equal(a->unknown_len, sizeof(unknown));
	assert_memory_equal(a->unknown, unknown, sizeof(unknown));
	assert_false(u.eor);
	bgp_attrs_free(a);
}

static void test_decode_ipv6_mp(void **state)
{
	/* clang-format off */
	static const uint8_t at[] = {
		0x90, 14, 0, 42, 0, 2, 1, 32,				/* MP_REACH, NH 32 */
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, /* 2001:db8::1 */
		0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,	/* fe80::1 */
		0,							/* reserved */
		32, 0x20, 0x01, 0x0d, 0xb8,				/* 2001:db8::/32 */
		0x80, 15, 10, 0, 2, 1, 48, 0x20, 0x01, 0x0d, 0xb9, 0, 1, /* MP_UNREACH */
		ORIGIN_OK, ASPATH_OK,
	};
	/* clang-format on */
	static uint8_t b[256];
	struct bgp_update u;
	struct rh_prefix p;
	struct rbuf r;
	uint32_t id;
	size_t len = body(b, NULL, 0, at, sizeof(at), NULL, 0);

	(void)state;
	assert_int_equal(bgp_update_decode(b, len, &ebgp, &u), 0);
	assert_int_equal(u.action, BGP_UPD_OK);
	assert_int_equal(u.mp_reach.aid, BGP_AID_IPV6);
	assert_int_equal(u.mp_reach.len, 5);
	assert_int_equal(u.mp_unreach.len, 7);
	assert_int_equal(u.attrs->next_hop.family, RH_AF_INET6);
	assert_int_equal(u.attrs->next_hop.bytes[15], 1);
	assert_int_equal(u.attrs->next_hop_ll.bytes[0], 0xfe);
	assert_int_equal(u.mp_nh_ll.family, RH_AF_INET6);
	rbuf_init(&r, u.mp_unreach.p, u.mp_unreach.len);
	assert_int_equal(bgp_nlri_next(&r, BGP_AID_IPV6, false, &p, &id), 1);
	assert_int_equal(p.len, 48);
	assert_int_equal(p.bytes[5], 1);
	bgp_attrs_free(u.attrs);
}

static void test_decode_withdraw_only(void **state)
{
	static const uint8_t wd[] = {24, 198, 51, 100, 16, 198, 18};
	uint8_t b[64];
	struct bgp_update u;
	size_t len = body(b, wd, sizeof(wd), NULL, 0, NULL, 0);

	(void)state;
	assert_int_equal(bgp_update_decode(b, len, &ebgp, &u), 0);
	assert_int_equal(u.action, BGP_UPD_OK);
	assert_null(u.attrs);
	assert_int_equal(u.withdrawn.len, sizeof(wd));
	assert_false(u.eor);
}

/* ---- RFC 6793: 2-octet sessions ---- */

static void test_as4_path_merge(void **state)
{
	/* AS_PATH SEQ 65001 23456 23456 65002; AS4_PATH SEQ 4200000001 4200000002 65002. */
	/* clang-format off */
	static const uint8_t at[] = {
		ORIGIN_OK,
		0x40, 2, 10, 2, 4, 0xfd, 0xe9, 0x5b, 0xa0, 0x5b, 0xa0, 0xfd, 0xea,
		NH_OK,
		0xc0, 17, 14, 2, 3, 0xfa, 0x56, 0xea, 0x01, 0xfa, 0x56, 0xea, 0x02, 0, 0, 0xfd, 0xea,
		0xc0, 7, 6, 0x5b, 0xa0, 198, 18, 0, 9,			/* AGGREGATOR AS_TRANS */
		0xc0, 18, 8, 0xfa, 0x56, 0xea, 0x01, 198, 18, 0, 9,	/* AS4_AGGREGATOR */
	};
	static const uint8_t want[] = {
		2, 4, 0, 0, 0xfd, 0xe9, 0xfa, 0x56, 0xea, 0x01,
		0xfa, 0x56, 0xea, 0x02, 0, 0, 0xfd, 0xea,
	};
	/* clang-format on */
	struct bgp_update u = run(at, sizeof(at), &old_ebgp);

	(void)state;
	assert_int_equal(u.action, BGP_UPD_OK);
	assert_int_equal(u.attrs->aspath_len, sizeof(want));
	assert_memory_equal(u.attrs->aspath, want, sizeof(want));
	assert_int_equal(u.attrs->aggregator_as, 4200000001u);
	bgp_attrs_free(u.attrs);
}

static void test_as4_path_merge_set_and_confed(void **state)
{
	/*
	 * AS_PATH: CONFED_SEQ 65100, SEQ 65001 23456, SET {65002,65003};
	 * AS4_PATH: SEQ 4200000001, SET {65002,65003}, and a confed segment (dropped).
	 * Count 3 vs 2: take 65001 (and the confed segment before it).
	 */
	/* clang-format off */
	static const uint8_t at[] = {
		ORIGIN_OK,
		0x40, 2, 16, 3, 1, 0xfe, 0x4c, 2, 2, 0xfd, 0xe9, 0x5b, 0xa0,
		1, 2, 0xfd, 0xea, 0xfd, 0xeb,
		NH_OK,
		0xc0, 17, 22, 2, 1, 0xfa, 0x56, 0xea, 0x01,
		1, 2, 0, 0, 0xfd, 0xea, 0, 0, 0xfd, 0xeb,
		3, 1, 0, 0, 0xfe, 0x4c,
	};
	static const uint8_t want[] = {
		3, 1, 0, 0, 0xfe, 0x4c,
		2, 2, 0, 0, 0xfd, 0xe9, 0xfa, 0x56, 0xea, 0x01,
		1, 2, 0, 0, 0xfd, 0xea, 0, 0, 0xfd, 0xeb,
	};
	/* clang-format on */
	static const struct bgp_codec_opts old_ibgp = {.max_msg = BGP_MAX_MSG};
	struct bgp_update u = run(at, sizeof(at), &old_ibgp);

	(void)state;
	/* Dropping the confed segment of AS4_PATH is logged as an attribute discard. */
	assert_int_equal(u.action, BGP_UPD_ATTR_DISCARD);
	assert_int_equal(u.attrs->aspath_len, sizeof(want));
	assert_memory_equal(u.attrs->aspath, want, sizeof(want));
	bgp_attrs_free(u.attrs);
}

static void test_as4_path_ignored(void **state)
{
	/* AS4_PATH longer than AS_PATH: ignored. */
	/* clang-format off */
	static const uint8_t longer[] = {
		ORIGIN_OK, 0x40, 2, 4, 2, 1, 0x5b, 0xa0, NH_OK,
		0xc0, 17, 10, 2, 2, 0xfa, 0x56, 0xea, 0x01, 0, 0, 0xfd, 0xea,
	};
	/* AGGREGATOR not AS_TRANS: AS4_PATH and AS4_AGGREGATOR ignored. */
	static const uint8_t old_aggr[] = {
		ORIGIN_OK, 0x40, 2, 4, 2, 1, 0x5b, 0xa0, NH_OK,
		0xc0, 17, 6, 2, 1, 0xfa, 0x56, 0xea, 0x01,
		0xc0, 7, 6, 0xfd, 0xe9, 198, 18, 0, 9,
		0xc0, 18, 8, 0xfa, 0x56, 0xea, 0x01, 198, 18, 0, 9,
	};
	/* clang-format on */
	struct bgp_update u;

	(void)state;
	u = run(longer, sizeof(longer), &old_ebgp);
	assert_int_equal(u.action, BGP_UPD_ATTR_DISCARD);
	assert_int_equal(u.attrs->aspath_len, 6);
	assert_int_equal(u.attrs->aspath[5], 0xa0);
	bgp_attrs_free(u.attrs);
	u = run(old_aggr, sizeof(old_aggr), &old_ebgp);
	assert_int_equal(u.action, BGP_UPD_ATTR_DISCARD);
	assert_int_equal(u.attrs->aspath[5], 0xa0);
	assert_int_equal(u.attrs->aggregator_as, 65001);
	bgp_attrs_free(u.attrs);
}

/* RFC 6793 6: AS4_PATH between two NEW speakers is discarded. */
static void test_7606_as4_path_on_as4_session(void **state)
{
	static const uint8_t at[] = {BASE, 0xc0, 17, 6, 2, 1, 0xfa, 0x56, 0xea, 0x01};
	struct bgp_update u = run(at, sizeof(at), &ebgp);

	(void)state;
	assert_int_equal(u.action, BGP_UPD_ATTR_DISCARD);
	assert_int_equal(u.attrs->aspath[5], 0xe9);
	bgp_attrs_free(u.attrs);
}

/* RFC 6793 6: malformed AS4_PATH (odd length) is an attribute discard. */
static void test_7606_as4_path_malformed(void **state)
{
	/* clang-format off */
	static const uint8_t at[] = {
		ORIGIN_OK, 0x40, 2, 4, 2, 1, 0x5b, 0xa0, NH_OK,
		0xc0, 17, 5, 2, 1, 0xfa, 0x56, 0xea,
	};
	/* clang-format on */

	(void)state;
	expect(at, sizeof(at), &old_ebgp, BGP_UPD_ATTR_DISCARD);
}

/* ---- RFC 7606 7: one test per attribute rule ---- */

static void test_7606_origin_length(void **state)
{
	static const uint8_t at[] = {0x40, 1, 2, 0, 0, ASPATH_OK, NH_OK};

	(void)state;
	expect(at, sizeof(at), &ebgp, BGP_UPD_TREAT_AS_WITHDRAW);
}

static void test_7606_origin_value(void **state)
{
	static const uint8_t at[] = {0x40, 1, 1, 3, ASPATH_OK, NH_OK};

	(void)state;
	expect(at, sizeof(at), &ebgp, BGP_UPD_TREAT_AS_WITHDRAW);
}

static void test_7606_aspath_zero_segment(void **state)
{
	static const uint8_t at[] = {ORIGIN_OK, 0x40, 2, 2, 2, 0, NH_OK};

	(void)state;
	expect(at, sizeof(at), &ebgp, BGP_UPD_TREAT_AS_WITHDRAW);
}

static void test_7606_aspath_bad_type(void **state)
{
	static const uint8_t at[] = {ORIGIN_OK, 0x40, 2, 6, 5, 1, 0, 0, 0xfd, 0xe9, NH_OK};

	(void)state;
	expect(at, sizeof(at), &ebgp, BGP_UPD_TREAT_AS_WITHDRAW);
}

static void test_7606_aspath_overrun(void **state)
{
	static const uint8_t at[] = {ORIGIN_OK, 0x40, 2, 6, 2, 2, 0, 0, 0xfd, 0xe9, NH_OK};

	(void)state;
	expect(at, sizeof(at), &ebgp, BGP_UPD_TREAT_AS_WITHDRAW);
}

static void test_7606_aspath_as0(void **state)
{
	static const uint8_t at[] = {ORIGIN_OK, 0x40, 2, 6, 2, 1, 0, 0, 0, 0, NH_OK};

	(void)state;
	expect(at, sizeof(at), &ebgp, BGP_UPD_TREAT_AS_WITHDRAW);
}

static void test_7606_aspath_confed_from_ebgp(void **state)
{
	static const uint8_t at[] = {ORIGIN_OK, 0x40, 2, 6, 3, 1, 0, 0, 0xfd, 0xe9, NH_OK};
	struct bgp_update u;

	(void)state;
	expect(at, sizeof(at), &ebgp, BGP_UPD_TREAT_AS_WITHDRAW);
	u = run(at, sizeof(at), &ibgp);
	assert_int_equal(u.action, BGP_UPD_OK);
	bgp_attrs_free(u.attrs);
}

static void test_7606_next_hop_length(void **state)
{
	static const uint8_t at[] = {ORIGIN_OK, ASPATH_OK, 0x40, 3, 3, 198, 18, 0};

	(void)state;
	expect(at, sizeof(at), &ebgp, BGP_UPD_TREAT_AS_WITHDRAW);
}

static void test_7606_next_hop_invalid(void **state)
{
	uint8_t at[] = {ORIGIN_OK, ASPATH_OK, 0x40, 3, 4, 0, 0, 0, 0};

	(void)state;
	expect(at, sizeof(at), &ebgp, BGP_UPD_TREAT_AS_WITHDRAW);
	at[sizeof(at) - 4] = 224; /* multicast */
	expect(at, sizeof(at), &ebgp, BGP_UPD_TREAT_AS_WITHDRAW);
}

static void test_7606_med_length(void **state)
{
	static const uint8_t at[] = {BASE, 0x80, 4, 2, 0, 1};

	(void)state;
	expect(at, sizeof(at), &ebgp, BGP_UPD_TREAT_AS_WITHDRAW);
}

static void test_7606_local_pref_length(void **state)
{
	static const uint8_t at[] = {BASE, 0x40, 5, 5, 0, 0, 0, 0, 100};

	(void)state;
	expect(at, sizeof(at), &ibgp, BGP_UPD_TREAT_AS_WITHDRAW);
}

static void test_7606_local_pref_from_ebgp(void **state)
{
	static const uint8_t at[] = {BASE, 0x40, 5, 4, 0, 0, 0, 100};
	struct bgp_update u = run(at, sizeof(at), &ebgp);

	(void)state;
	assert_int_equal(u.action, BGP_UPD_ATTR_DISCARD);
	assert_false(u.attrs->flags & BGP_ATTRS_LOCAL_PREF);
	bgp_attrs_free(u.attrs);
	u = run(at, sizeof(at), &ibgp);
	assert_int_equal(u.action, BGP_UPD_OK);
	assert_true(u.attrs->flags & BGP_ATTRS_LOCAL_PREF);
	bgp_attrs_free(u.attrs);
}

static void test_7606_atomic_aggregate_length(void **state)
{
	static const uint8_t at[] = {BASE, 0x40, 6, 1, 0};
	struct bgp_update u = run(at, sizeof(at), &ebgp);

	(void)state;
	assert_int_equal(u.action, BGP_UPD_ATTR_DISCARD);
	assert_false(u.attrs->flags & BGP_ATTRS_ATOMIC_AGGR);
	bgp_attrs_free(u.attrs);
}

static void test_7606_aggregator_length(void **state)
{
	/* 6 bytes on a 4-octet session. */
	static const uint8_t at[] = {BASE, 0xc0, 7, 6, 0xfd, 0xe9, 198, 18, 0, 9};
	struct bgp_update u = run(at, sizeof(at), &ebgp);

	(void)state;
	assert_int_equal(u.action, BGP_UPD_ATTR_DISCARD);
	assert_false(u.attrs->flags & BGP_ATTRS_AGGREGATOR);
	bgp_attrs_free(u.attrs);
}

static void test_7606_communities_length(void **state)
{
	static const uint8_t at[] = {BASE, 0xc0, 8, 6, 0, 0, 0, 1, 0, 2};
	static const uint8_t empty[] = {BASE, 0xc0, 8, 0};

	(void)state;
	expect(at, sizeof(at), &ebgp, BGP_UPD_TREAT_AS_WITHDRAW);
	expect(empty, sizeof(empty), &ebgp, BGP_UPD_TREAT_AS_WITHDRAW);
}

static void test_7606_ext_communities_length(void **state)
{
	static const uint8_t at[] = {BASE, 0xc0, 16, 4, 0, 2, 0, 1};

	(void)state;
	expect(at, sizeof(at), &ebgp, BGP_UPD_TREAT_AS_WITHDRAW);
}

static void test_7606_large_communities_length(void **state)
{
	static const uint8_t at[] = {BASE, 0xc0, 32, 8, 0, 0, 0, 1, 0, 0, 0, 2};

	(void)state;
	expect(at, sizeof(at), &ebgp, BGP_UPD_TREAT_AS_WITHDRAW);
}

static void test_7606_originator_id(void **state)
{
	static const uint8_t bad[] = {BASE, 0x80, 9, 3, 198, 18, 0};
	static const uint8_t good[] = {BASE, 0x80, 9, 4, 198, 18, 0, 7};
	struct bgp_update u;

	(void)state;
	expect(bad, sizeof(bad), &ibgp, BGP_UPD_TREAT_AS_WITHDRAW);
	/* From eBGP it is discarded whatever its length. */
	u = run(bad, sizeof(bad), &ebgp);
	assert_int_equal(u.action, BGP_UPD_ATTR_DISCARD);
	bgp_attrs_free(u.attrs);
	u = run(good, sizeof(good), &ebgp);
	assert_int_equal(u.action, BGP_UPD_ATTR_DISCARD);
	assert_false(u.attrs->flags & BGP_ATTRS_ORIGINATOR);
	bgp_attrs_free(u.attrs);
}

static void test_7606_cluster_list(void **state)
{
	static const uint8_t bad[] = {BASE, 0x80, 10, 5, 198, 18, 0, 7, 1};
	static const uint8_t good[] = {BASE, 0x80, 10, 4, 198, 18, 0, 7};
	struct bgp_update u;

	(void)state;
	expect(bad, sizeof(bad), &ibgp, BGP_UPD_TREAT_AS_WITHDRAW);
	u = run(good, sizeof(good), &ebgp);
	assert_int_equal(u.action, BGP_UPD_ATTR_DISCARD);
	assert_int_equal(u.attrs->n_cluster, 0);
	bgp_attrs_free(u.attrs);
}

/* RFC 7606 3 (c): flags in conflict make the attribute malformed, with its own action. */
static void test_7606_flags_origin(void **state)
{
	static const uint8_t at[] = {0xc0, 1, 1, 0, ASPATH_OK, NH_OK};

	(void)state;
	expect(at, sizeof(at), &ebgp, BGP_UPD_TREAT_AS_WITHDRAW);
}

static void test_7606_flags_atomic_aggregate(void **state)
{
	static const uint8_t at[] = {BASE, 0xc0, 6, 0};

	(void)state;
	expect(at, sizeof(at), &ebgp, BGP_UPD_ATTR_DISCARD);
}

static void test_7606_flags_mp_reach(void **state)
{
	static const uint8_t at[] = {BASE, 0xc0, 14, 5, 0, 1, 1, 0, 0};

	(void)state;
	expect_reset(at, sizeof(at), &ebgp, BGP_ERR_UPD_ATTRFLAGS);
}

/* RFC 7606 3 (g): repeated attributes. */
static void test_7606_duplicate_attribute(void **state)
{
	static const uint8_t at[] = {BASE, 0x80, 4, 4, 0, 0, 0, 1, 0x80, 4, 4, 0, 0, 0, 2};
	struct bgp_update u = run(at, sizeof(at), &ebgp);

	(void)state;
	assert_int_equal(u.action, BGP_UPD_ATTR_DISCARD);
	assert_int_equal(u.attrs->med, 1);
	bgp_attrs_free(u.attrs);
}

static void test_7606_duplicate_mp_reach(void **state)
{
	/* clang-format off */
	static const uint8_t at[] = {
		BASE,
		0x80, 14, 9, 0, 1, 1, 4, 198, 18, 0, 1, 0,
		0x80, 14, 9, 0, 1, 1, 4, 198, 18, 0, 1, 0,
	};
	/* clang-format on */

	(void)state;
	expect_reset(at, sizeof(at), &ebgp, BGP_ERR_UPD_ATTRLIST);
}

/* RFC 7606 3 (d): missing well-known mandatory attributes. */
static void test_7606_missing_mandatory(void **state)
{
	static const uint8_t no_origin[] = {ASPATH_OK, NH_OK};
	static const uint8_t no_aspath[] = {ORIGIN_OK, NH_OK};
	static const uint8_t no_nh[] = {ORIGIN_OK, ASPATH_OK};
	static const uint8_t nlri[] = {NLRI_1};
	uint8_t b[64];
	struct bgp_update u;
	size_t len;

	(void)state;
	expect(no_origin, sizeof(no_origin), &ebgp, BGP_UPD_TREAT_AS_WITHDRAW);
	expect(no_aspath, sizeof(no_aspath), &ebgp, BGP_UPD_TREAT_AS_WITHDRAW);
	expect(no_nh, sizeof(no_nh), &ebgp, BGP_UPD_TREAT_AS_WITHDRAW);
	/* NLRI with no attributes at all. */
	len = body(b, NULL, 0, NULL, 0, nlri, sizeof(nlri));
	assert_int_equal(bgp_update_decode(b, len, &ebgp, &u), 0);
	assert_int_equal(u.action, BGP_UPD_TREAT_AS_WITHDRAW);
	/* Without NLRI nothing is mandatory, and the attributes describe nothing. */
	len = body(b, NULL, 0, no_nh, sizeof(no_nh), NULL, 0);
	assert_int_equal(bgp_update_decode(b, len, &ebgp, &u), 0);
	assert_int_equal(u.action, BGP_UPD_OK);
	assert_null(u.attrs);
}

/* RFC 4271 6.3: an unrecognised well-known attribute resets with it as data. */
static void test_unknown_well_known(void **state)
{
	static const uint8_t at[] = {BASE, 0x40, 77, 1, 0x55};
	struct bgp_update u = run(at, sizeof(at), &ebgp);

	(void)state;
	assert_int_equal(u.action, BGP_UPD_SESSION_RESET);
	assert_int_equal(u.notify.subcode, BGP_ERR_UPD_UNKNWN_WK_ATTR);
	assert_int_equal(u.notify.data_len, 4);
	assert_int_equal(u.notify.data[1], 77);
}

/* RFC 7606 4: an attribute longer than what is left. */
static void test_7606_attr_overrun_with_nlri(void **state)
{
	static const uint8_t at[] = {BASE, 0x80, 4, 9, 0, 0, 0, 1};

	(void)state;
	expect(at, sizeof(at), &ebgp, BGP_UPD_TREAT_AS_WITHDRAW);
}

static void test_7606_attr_short_header(void **state)
{
	static const uint8_t at[] = {BASE, 0x80, 4};

	(void)state;
	expect(at, sizeof(at), &ebgp, BGP_UPD_TREAT_AS_WITHDRAW);
}

/* RFC 7606 3 (j): with no NLRI located, an overrun could hide MP_REACH: session reset. */
static void test_7606_attr_overrun_no_nlri(void **state)
{
	static const uint8_t at[] = {BASE, 0x80, 4, 9, 0, 0, 0, 1};
	uint8_t b[64];
	struct bgp_update u;
	size_t len = body(b, NULL, 0, at, sizeof(at), NULL, 0);

	(void)state;
	assert_int_equal(bgp_update_decode(b, len, &ebgp, &u), 0);
	assert_int_equal(u.action, BGP_UPD_SESSION_RESET);
	assert_int_equal(u.notify.subcode, BGP_ERR_UPD_ATTRLIST);
}

/* An overrun after MP_REACH_NLRI: its NLRI are located, so treat-as-withdraw suffices. */
static void test_7606_attr_overrun_after_mp_reach(void **state)
{
	/* clang-format off */
	static const uint8_t at[] = {
		0x80, 14, 26, 0, 2, 1, 16,
		0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0, 32, 0x20, 1, 0xd, 0xb8,
		ORIGIN_OK, ASPATH_OK,
		0x80, 4, 9, 0, 0, 0, 1,
	};
	/* clang-format on */
	uint8_t b[64];
	struct bgp_update u;
	size_t len = body(b, NULL, 0, at, sizeof(at), NULL, 0);

	(void)state;
	assert_int_equal(bgp_update_decode(b, len, &ebgp, &u), 0);
	assert_int_equal(u.action, BGP_UPD_TREAT_AS_WITHDRAW);
	assert_int_equal(u.mp_reach.aid, BGP_AID_IPV6);
	assert_int_equal(u.mp_reach.len, 5);
	assert_null(u.attrs);
}

static void test_total_attr_length_overrun(void **state)
{
	static const uint8_t b[] = {0, 0, 0, 30, ORIGIN_OK};
	struct bgp_update u;

	(void)state;
	assert_int_equal(bgp_update_decode(b, sizeof(b), &ebgp, &u), 0);
	assert_int_equal(u.action, BGP_UPD_SESSION_RESET);
	assert_int_equal(u.notify.subcode, BGP_ERR_UPD_ATTRLIST);
	assert_null(u.attrs);
}

static void test_withdrawn_length_overrun(void **state)
{
	static const uint8_t b[] = {0, 9, 24, 198, 51, 100, 0, 0};
	struct bgp_update u;

	(void)state;
	assert_int_equal(bgp_update_decode(b, sizeof(b), &ebgp, &u), 0);
	assert_int_equal(u.action, BGP_UPD_SESSION_RESET);
	assert_int_equal(u.notify.subcode, BGP_ERR_UPD_ATTRLIST);
}

/* RFC 7606 5.3: NLRI that cannot be parsed. */
static void test_7606_nlri_bad_length(void **state)
{
	static const uint8_t at[] = {BASE};
	static const uint8_t nlri[] = {33, 198, 51, 100, 0, 1};
	static const uint8_t wd[] = {24, 198, 51};
	uint8_t b[64];
	struct bgp_update u;
	size_t len;

	(void)state;
	len = body(b, NULL, 0, at, sizeof(at), nlri, sizeof(nlri));
	assert_int_equal(bgp_update_decode(b, len, &ebgp, &u), 0);
	assert_int_equal(u.action, BGP_UPD_SESSION_RESET);
	assert_int_equal(u.notify.subcode, BGP_ERR_UPD_NETWORK);
	len = body(b, wd, sizeof(wd), NULL, 0, NULL, 0);
	assert_int_equal(bgp_update_decode(b, len, &ebgp, &u), 0);
	assert_int_equal(u.action, BGP_UPD_SESSION_RESET);
	assert_int_equal(u.notify.subcode, BGP_ERR_UPD_NETWORK);
}

/* RFC 7606 7.11: a next hop length that does not fit the AFI: the NLRI are still found. */
static void test_7606_mp_reach_nh_length(void **state)
{
	/* clang-format off */
	static const uint8_t at[] = {
		ORIGIN_OK, ASPATH_OK,
		0x80, 14, 18, 0, 2, 1, 8, 0x20, 1, 0xd, 0xb8, 0, 0, 0, 1, 0,
		32, 0x20, 1, 0xd, 0xb8,
	};
	/* clang-format on */
	struct bgp_update u = run(at, sizeof(at), &ebgp);

	(void)state;
	assert_int_equal(u.action, BGP_UPD_TREAT_AS_WITHDRAW);
	assert_int_equal(u.mp_reach.aid, BGP_AID_IPV6);
	assert_int_equal(u.mp_reach.len, 5);
}

static void test_7606_mp_reach_nh_overrun(void **state)
{
	static const uint8_t at[] = {BASE, 0x80, 14, 6, 0, 2, 1, 16, 0x20, 1};

	(void)state;
	expect_reset(at, sizeof(at), &ebgp, BGP_ERR_UPD_OPTATTR);
}

static void test_7606_mp_reach_bad_nlri(void **state)
{
	/* clang-format off */
	static const uint8_t at[] = {
		ORIGIN_OK, ASPATH_OK,
		0x80, 14, 25, 0, 2, 1, 16,
		0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0, 129, 0x20, 1, 0xd,
	};
	/* clang-format on */

	(void)state;
	expect_reset(at, sizeof(at), &ebgp, BGP_ERR_UPD_OPTATTR);
}

static void test_7606_mp_unreach_short(void **state)
{
	static const uint8_t at[] = {BASE, 0x80, 15, 2, 0, 2};

	(void)state;
	expect_reset(at, sizeof(at), &ebgp, BGP_ERR_UPD_OPTATTR);
}

/* RFC 7606 3 (h): several errors: the strongest action. */
static void test_7606_strongest_action(void **state)
{
	static const uint8_t at[] = {BASE, 0x40, 6, 1, 0, 0x80, 4, 2, 0, 1, 0x40, 6, 0};

	(void)state;
	expect(at, sizeof(at), &ebgp, BGP_UPD_TREAT_AS_WITHDRAW);
}

/* ---- End-of-RIB ---- */

static void test_eor(void **state)
{
	uint8_t buf[64];
	struct bgp_update u;
	struct wbuf w;
	int aid;

	(void)state;
	for (aid = 0; aid < BGP_AID_MAX; aid++) {
		wbuf_init(&w, buf, sizeof(buf));
		assert_int_equal(bgp_eor_encode(&w, aid), 0);
		assert_int_equal(w.len, aid == BGP_AID_IPV4 ? 23 : 29);
		assert_int_equal(bgp_update_decode(buf + 19, w.len - 19, &ebgp, &u), 0);
		assert_int_equal(u.action, BGP_UPD_OK);
		assert_true(u.eor);
		assert_int_equal(u.eor_aid, aid);
		assert_null(u.attrs);
	}
}

static void test_not_eor(void **state)
{
	/* An MP_UNREACH with prefixes, or with other attributes, is no End-of-RIB. */
	static const uint8_t at[] = {0x80, 15, 5, 0, 2, 1, 8, 0x20};
	static const uint8_t at2[] = {0x80, 15, 3, 0, 2, 1, ORIGIN_OK};
	uint8_t b[64];
	struct bgp_update u;
	size_t len;

	(void)state;
	len = body(b, NULL, 0, at, sizeof(at), NULL, 0);
	assert_int_equal(bgp_update_decode(b, len, &ebgp, &u), 0);
	assert_false(u.eor);
	bgp_attrs_free(u.attrs);
	len = body(b, NULL, 0, at2, sizeof(at2), NULL, 0);
	assert_int_equal(bgp_update_decode(b, len, &ebgp, &u), 0);
	assert_false(u.eor);
	bgp_attrs_free(u.attrs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_nlri_walk),
	        cmocka_unit_test(test_nlri_addpath),
	        cmocka_unit_test(test_decode_ipv4_all_attributes),
	        cmocka_unit_test(test_decode_ipv6_mp),
	        cmocka_unit_test(test_decode_withdraw_only),
	        cmocka_unit_test(test_as4_path_merge),
	        cmocka_unit_test(test_as4_path_merge_set_and_confed),
	        cmocka_unit_test(test_as4_path_ignored),
	        cmocka_unit_test(test_7606_as4_path_on_as4_session),
	        cmocka_unit_test(test_7606_as4_path_malformed),
	        cmocka_unit_test(test_7606_origin_length),
	        cmocka_unit_test(test_7606_origin_value),
	        cmocka_unit_test(test_7606_aspath_zero_segment),
	        cmocka_unit_test(test_7606_aspath_bad_type),
	        cmocka_unit_test(test_7606_aspath_overrun),
	        cmocka_unit_test(test_7606_aspath_as0),
	        cmocka_unit_test(test_7606_aspath_confed_from_ebgp),
	        cmocka_unit_test(test_7606_next_hop_length),
	        cmocka_unit_test(test_7606_next_hop_invalid),
	        cmocka_unit_test(test_7606_med_length),
	        cmocka_unit_test(test_7606_local_pref_length),
	        cmocka_unit_test(test_7606_local_pref_from_ebgp),
	        cmocka_unit_test(test_7606_atomic_aggregate_length),
	        cmocka_unit_test(test_7606_aggregator_length),
	        cmocka_unit_test(test_7606_communities_length),
	        cmocka_unit_test(test_7606_ext_communities_length),
	        cmocka_unit_test(test_7606_large_communities_length),
	        cmocka_unit_test(test_7606_originator_id),
	        cmocka_unit_test(test_7606_cluster_list),
	        cmocka_unit_test(test_7606_flags_origin),
	        cmocka_unit_test(test_7606_flags_atomic_aggregate),
	        cmocka_unit_test(test_7606_flags_mp_reach),
	        cmocka_unit_test(test_7606_duplicate_attribute),
	        cmocka_unit_test(test_7606_duplicate_mp_reach),
	        cmocka_unit_test(test_7606_missing_mandatory),
	        cmocka_unit_test(test_unknown_well_known),
	        cmocka_unit_test(test_7606_attr_overrun_with_nlri),
	        cmocka_unit_test(test_7606_attr_short_header),
	        cmocka_unit_test(test_7606_attr_overrun_no_nlri),
	        cmocka_unit_test(test_7606_attr_overrun_after_mp_reach),
	        cmocka_unit_test(test_total_attr_length_overrun),
	        cmocka_unit_test(test_withdrawn_length_overrun),
	        cmocka_unit_test(test_7606_nlri_bad_length),
	        cmocka_unit_test(test_7606_mp_reach_nh_length),
	        cmocka_unit_test(test_7606_mp_reach_nh_overrun),
	        cmocka_unit_test(test_7606_mp_reach_bad_nlri),
	        cmocka_unit_test(test_7606_mp_unreach_short),
	        cmocka_unit_test(test_7606_strongest_action),
	        cmocka_unit_test(test_eor),
	        cmocka_unit_test(test_not_eor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
