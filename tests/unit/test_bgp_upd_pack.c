/* SPDX-License-Identifier: BSD-3-Clause */
/* UPDATE encoding: attributes from struct bgp_attrs, packing prefixes, decoded back. */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <cmocka.h>

#include "msg.h"

static const struct bgp_codec_opts ibgp = {.as4 = true, .max_msg = BGP_MAX_MSG};
static const struct bgp_codec_opts ebgp = {.as4 = true, .ebgp = true, .max_msg = BGP_MAX_MSG};
static const struct bgp_codec_opts old_ebgp = {.as4 = false, .ebgp = true, .max_msg = BGP_MAX_MSG};

/* ---- encoding ---- */

static struct bgp_attrs *sample_attrs(uint8_t family)
{
	/* clang-format off */
	static const uint8_t path[] = {
		2, 3, 0, 0, 0xfd, 0xe9, 0xfa, 0x56, 0xea, 0x01, 0, 0, 0xfd, 0xea,
		1, 2, 0, 0, 0xfd, 0xeb, 0xfa, 0x56, 0xea, 0x02,
	};
	/* clang-format on */
	struct bgp_attrs *a = bgp_attrs_new();

	assert_non_null(a);
	a->origin = BGP_ORIGIN_INCOMPLETE;
	a->aspath = malloc(sizeof(path));
	memcpy(a->aspath, path, sizeof(path));
	a->aspath_len = sizeof(path);
	a->flags =
	        BGP_ATTRS_NEXT_HOP | BGP_ATTRS_MED | BGP_ATTRS_AGGREGATOR | BGP_ATTRS_ATOMIC_AGGR;
	if (family == RH_AF_INET) {
		assert_int_equal(rh_addr_parse("198.18.0.1", &a->next_hop), 0);
	} else {
		assert_int_equal(rh_addr_parse("2001:db8::1", &a->next_hop), 0);
		assert_int_equal(rh_addr_parse("fe80::1", &a->next_hop_ll), 0);
	}
	a->med = 7;
	a->aggregator_as = 4200000009u;
	a->aggregator_id = htonl(0xc6120009);
	a->n_comm = 80; /* 320 bytes: the extended-length flag */
	a->comm = malloc(80 * 4);
	for (unsigned i = 0; i < 80; i++)
		a->comm[i] = 0xfde90000 + i;
	a->n_lcomm = 1;
	a->lcomm = malloc(12);
	a->lcomm[0][0] = 4200000001u;
	a->lcomm[0][1] = 1;
	a->lcomm[0][2] = 2;
	return a;
}

static void assert_attrs_match(const struct bgp_attrs *a, const struct bgp_attrs *b)
{
	assert_int_equal(a->origin, b->origin);
	assert_int_equal(a->aspath_len, b->aspath_len);
	assert_memory_equal(a->aspath, b->aspath, a->aspath_len);
	assert_int_equal(a->flags, b->flags);
	assert_memory_equal(&a->next_hop, &b->next_hop, sizeof(a->next_hop));
	assert_memory_equal(&a->next_hop_ll, &b->next_hop_ll, sizeof(a->next_hop_ll));
	assert_int_equal(a->med, b->med);
	assert_int_equal(a->aggregator_as, b->aggregator_as);
	assert_int_equal(a->aggregator_id, b->aggregator_id);
	assert_int_equal(a->n_comm, b->n_comm);
	assert_memory_equal(a->comm, b->comm, a->n_comm * 4);
	assert_int_equal(a->n_lcomm, b->n_lcomm);
	assert_memory_equal(a->lcomm, b->lcomm, a->n_lcomm * 12);
}

/* Encodes n prefixes of a family into as many messages as needed, decodes them all back. */
static void pack_and_check(enum bgp_aid aid, bool withdraw, const struct bgp_codec_opts *o,
                           unsigned n, unsigned *messages)
{
	static uint8_t buf[BGP_MAX_MSG_EXT];
	struct bgp_attrs *a = sample_attrs(aid == BGP_AID_IPV4 ? RH_AF_INET : RH_AF_INET6);
	struct bgp_codec_opts dec = *o;
	struct bgp_upd_writer uw;
	struct bgp_nlri_block blk;
	unsigned i = 0, got = 0;
	struct rh_prefix p, q;
	struct bgp_update u;
	struct bgp_notify nt;
	uint16_t mlen;
	uint8_t type;
	uint32_t id;
	struct rbuf r;
	size_t len;

	dec.addpath_rx[aid] = o->addpath_tx[aid];
	*messages = 0;
	while (i < n) {
		assert_int_equal(bgp_upd_begin(&uw, buf, sizeof(buf), aid, withdraw, a, o), 0);
		for (; i < n; i++) {
			memset(&p, 0, sizeof(p));
			p.family = aid == BGP_AID_IPV4 ? RH_AF_INET : RH_AF_INET6;
			p.len = aid == BGP_AID_IPV4 ? 24 : 48;
			p.bytes[0] = aid == BGP_AID_IPV4 ? 10 : 0x20;
			p.bytes[1] = (uint8_t)(i >> 8);
			p.bytes[2] = (uint8_t)i;
			if (bgp_upd_add(&uw, &p, i + 100) == -ENOSPC)
				break;
		}
		assert_true(uw.count > 0);
		len = bgp_upd_finish(&uw);
		assert_true(len <= o->max_msg);
		/* Full: a message other than the last has no room left for one more prefix. */
		if (i < n)
			assert_true(len > o->max_msg - (4 + 1 + 16));
		(*messages)++;
		assert_int_equal(bgp_hdr_decode(buf, len, &mlen, &type, o->max_msg, &nt), 0);
		assert_int_equal(mlen, len);
		assert_int_equal(bgp_update_decode(buf + 19, len - 19, &dec, &u), 0);
		assert_int_equal(u.action, BGP_UPD_OK);
		if (aid == BGP_AID_IPV4)
			blk = withdraw ? u.withdrawn : u.nlri;
		else
			blk = withdraw ? u.mp_unreach : u.mp_reach;
		if (!withdraw)
			assert_attrs_match(a, u.attrs);
		bgp_attrs_free(u.attrs);
		rbuf_init(&r, blk.p, blk.len);
		while (bgp_nlri_next(&r, aid, dec.addpath_rx[aid], &q, &id) == 1) {
			assert_int_equal(q.bytes[1], (uint8_t)(got >> 8));
			assert_int_equal(q.bytes[2], (uint8_t)got);
			if (o->addpath_tx[aid])
				assert_int_equal(id, got + 100);
			got++;
		}
	}
	assert_int_equal(got, n);
	bgp_attrs_free(a);
}

static void test_pack_ipv4(void **state)
{
	unsigned msgs;

	(void)state;
	/* 1000 /24s at 4 bytes each need at least 2 messages of 4096 bytes. */
	pack_and_check(BGP_AID_IPV4, false, &ibgp, 1000, &msgs);
	assert_int_equal(msgs, 2);
	pack_and_check(BGP_AID_IPV4, true, &ibgp, 2000, &msgs);
	assert_int_equal(msgs, 2);
}

static void test_pack_ipv6(void **state)
{
	unsigned msgs;

	(void)state;
	pack_and_check(BGP_AID_IPV6, false, &ibgp, 1000, &msgs);
	assert_int_equal(msgs, 2);
	pack_and_check(BGP_AID_IPV6, true, &ibgp, 1000, &msgs);
	assert_int_equal(msgs, 2);
}

static void test_pack_addpath_and_ext_msg(void **state)
{
	struct bgp_codec_opts o = ibgp;
	unsigned msgs;

	(void)state;
	o.addpath_tx[BGP_AID_IPV4] = true;
	o.addpath_tx[BGP_AID_IPV6] = true;
	pack_and_check(BGP_AID_IPV4, false, &o, 1000, &msgs);
	assert_int_equal(msgs, 3);
	pack_and_check(BGP_AID_IPV6, true, &o, 500, &msgs);
	assert_int_equal(msgs, 2);
	/* RFC 8654: one extended message holds them all. */
	o.max_msg = BGP_MAX_MSG_EXT;
	pack_and_check(BGP_AID_IPV4, false, &o, 5000, &msgs);
	assert_int_equal(msgs, 1);
}

/* To an OLD speaker: AS_TRANS in AS_PATH/AGGREGATOR, AS4_PATH/AS4_AGGREGATOR, merged back. */
static void test_encode_two_octet(void **state)
{
	struct bgp_attrs *a = sample_attrs(RH_AF_INET);
	uint8_t buf[BGP_MAX_MSG];
	struct bgp_upd_writer uw;
	struct bgp_update u;
	struct rh_prefix p;
	size_t len;

	(void)state;
	assert_int_equal(rh_prefix_parse("198.51.100.0/24", &p, true), 0);
	assert_int_equal(bgp_upd_begin(&uw, buf, sizeof(buf), BGP_AID_IPV4, false, a, &old_ebgp),
	                 0);
	assert_int_equal(bgp_upd_add(&uw, &p, 0), 0);
	len = bgp_upd_finish(&uw);
	/* The AS_PATH on the wire: SEQ 65001 23456 65002, SET {65003, 23456}. */
	assert_non_null(memmem(buf, len,
	                       (const uint8_t[]){0x40, 2, 14, 2, 3, 0xfd, 0xe9, 0x5b, 0xa0, 0xfd,
	                                         0xea, 1, 2, 0xfd, 0xeb, 0x5b, 0xa0},
	                       17));
	assert_int_equal(bgp_update_decode(buf + 19, len - 19, &old_ebgp, &u), 0);
	assert_int_equal(u.action, BGP_UPD_OK);
	assert_attrs_match(a, u.attrs);
	bgp_attrs_free(u.attrs);
	bgp_attrs_free(a);
}

static void test_encode_errors(void **state)
{
	struct bgp_attrs *a = sample_attrs(RH_AF_INET);
	uint8_t buf[BGP_MAX_MSG];
	struct bgp_upd_writer uw;
	struct rh_prefix p;

	(void)state;
	/* An IPv4 next hop cannot go in MP_REACH for IPv6; no attributes to announce. */
	assert_int_equal(bgp_upd_begin(&uw, buf, sizeof(buf), BGP_AID_IPV6, false, a, &ibgp),
	                 -EINVAL);
	assert_int_equal(bgp_upd_begin(&uw, buf, sizeof(buf), BGP_AID_IPV4, false, NULL, &ibgp),
	                 -EINVAL);
	/* Attributes that do not fit. */
	assert_int_equal(bgp_upd_begin(&uw, buf, 100, BGP_AID_IPV4, false, a, &ibgp), -ENOSPC);
	/* A prefix of the other family. */
	assert_int_equal(bgp_upd_begin(&uw, buf, sizeof(buf), BGP_AID_IPV4, false, a, &ibgp), 0);
	assert_int_equal(rh_prefix_parse("2001:db8::/32", &p, true), 0);
	assert_int_equal(bgp_upd_add(&uw, &p, 0), -EINVAL);
	bgp_attrs_free(a);
}

/* eBGP: LOCAL_PREF, ORIGINATOR_ID and CLUSTER_LIST are not sent. */
static void test_encode_ebgp_drops_ibgp_attrs(void **state)
{
	struct bgp_attrs *a = sample_attrs(RH_AF_INET);
	uint8_t buf[BGP_MAX_MSG];
	struct bgp_upd_writer uw;
	struct bgp_update u;
	struct rh_prefix p;
	size_t len;

	(void)state;
	a->flags |= BGP_ATTRS_LOCAL_PREF | BGP_ATTRS_ORIGINATOR;
	a->local_pref = 300;
	a->originator_id = htonl(1);
	a->n_cluster = 1;
	a->cluster = malloc(4);
	a->cluster[0] = htonl(2);
	assert_int_equal(rh_prefix_parse("198.51.100.0/24", &p, true), 0);
	assert_int_equal(bgp_upd_begin(&uw, buf, sizeof(buf), BGP_AID_IPV4, false, a, &ebgp), 0);
	assert_int_equal(bgp_upd_add(&uw, &p, 0), 0);
	len = bgp_upd_finish(&uw);
	assert_int_equal(bgp_update_decode(buf + 19, len - 19, &ibgp, &u), 0);
	assert_int_equal(u.action, BGP_UPD_OK);
	assert_false(u.attrs->flags & (BGP_ATTRS_LOCAL_PREF | BGP_ATTRS_ORIGINATOR));
	assert_int_equal(u.attrs->n_cluster, 0);
	bgp_attrs_free(u.attrs);
	assert_int_equal(bgp_upd_begin(&uw, buf, sizeof(buf), BGP_AID_IPV4, false, a, &ibgp), 0);
	assert_int_equal(bgp_upd_add(&uw, &p, 0), 0);
	len = bgp_upd_finish(&uw);
	assert_int_equal(bgp_update_decode(buf + 19, len - 19, &ibgp, &u), 0);
	assert_int_equal(u.attrs->local_pref, 300);
	assert_int_equal(u.attrs->n_cluster, 1);
	bgp_attrs_free(u.attrs);
	bgp_attrs_free(a);
}

/* Walks the attributes of an encoded UPDATE: the flags of attribute `type`, or -1. */
static int attr_flags(const uint8_t *msg, size_t len, uint8_t type, unsigned *index)
{
	size_t wlen = (size_t)msg[19] << 8 | msg[20];
	size_t off = 21 + wlen, end, alen;
	unsigned i = 0;

	alen = (size_t)msg[off] << 8 | msg[off + 1];
	off += 2;
	end = off + alen;
	assert_true(end <= len);
	while (off < end) {
		uint8_t f = msg[off], t = msg[off + 1];
		size_t l = f & BGP_ATTR_F_EXTLEN ? ((size_t)msg[off + 2] << 8 | msg[off + 3])
		                                 : msg[off + 2];

		if (t == type) {
			*index = i;
			return f;
		}
		off += (f & BGP_ATTR_F_EXTLEN ? 4 : 3) + l;
		i++;
	}
	return -1;
}

/*
 * The wire layout: MP_REACH_NLRI first (RFC 7606 5.1), the extended-length flag on an
 * attribute over 255 bytes and not on a short one, and no AS4_PATH when the only
 * 4-octet ASNs are in confederation segments (RFC 6793 3).
 */
static void test_encode_wire_layout(void **state)
{
	struct bgp_attrs *a = sample_attrs(RH_AF_INET6);
	static const uint8_t confed_path[] = {3, 1, 0xfa, 0x56, 0xea, 0x05, 2, 1, 0, 0, 0xfd, 0xe9};
	uint8_t buf[BGP_MAX_MSG];
	struct bgp_upd_writer uw;
	struct rh_prefix p;
	unsigned idx;
	size_t len;

	(void)state;
	assert_int_equal(rh_prefix_parse("2001:db8:1::/48", &p, true), 0);
	assert_int_equal(bgp_upd_begin(&uw, buf, sizeof(buf), BGP_AID_IPV6, false, a, &ebgp), 0);
	assert_int_equal(bgp_upd_add(&uw, &p, 0), 0);
	len = bgp_upd_finish(&uw);
	assert_int_not_equal(attr_flags(buf, len, BGP_ATTR_MP_REACH_NLRI, &idx), -1);
	assert_int_equal(idx, 0);
	assert_int_equal(attr_flags(buf, len, BGP_ATTR_COMMUNITIES, &idx) & BGP_ATTR_F_EXTLEN,
	                 BGP_ATTR_F_EXTLEN);
	assert_int_equal(attr_flags(buf, len, BGP_ATTR_ORIGIN, &idx), BGP_ATTR_F_TRANSITIVE);

	free(a->aspath);
	a->aspath = malloc(sizeof(confed_path));
	memcpy(a->aspath, confed_path, sizeof(confed_path));
	a->aspath_len = sizeof(confed_path);
	a->aggregator_as = 65009;
	assert_int_equal(bgp_upd_begin(&uw, buf, sizeof(buf), BGP_AID_IPV6, false, a, &old_ebgp),
	                 0);
	assert_int_equal(bgp_upd_add(&uw, &p, 0), 0);
	len = bgp_upd_finish(&uw);
	assert_int_equal(attr_flags(buf, len, BGP_ATTR_AS4_PATH, &idx), -1);
	assert_int_equal(attr_flags(buf, len, BGP_ATTR_AS4_AGGREGATOR, &idx), -1);
	bgp_attrs_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_pack_ipv4),
	        cmocka_unit_test(test_pack_ipv6),
	        cmocka_unit_test(test_pack_addpath_and_ext_msg),
	        cmocka_unit_test(test_encode_two_octet),
	        cmocka_unit_test(test_encode_errors),
	        cmocka_unit_test(test_encode_ebgp_drops_ibgp_attrs),
	        cmocka_unit_test(test_encode_wire_layout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
