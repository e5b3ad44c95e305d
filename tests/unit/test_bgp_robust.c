/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Robustness: real and hand-made messages, mutated at random (a fixed seed, so runs are
 * repeatable), go through every decoder. Nothing may read out of bounds (the sanitizer
 * build checks), every result must be one the API allows, and an UPDATE that decodes
 * cleanly must encode back to the same attributes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "msg.h"

#define ITERATIONS 30000
#define MAX_SEEDS  32

struct seed {
	uint8_t buf[512];
	size_t len;
};

static struct seed seeds[MAX_SEEDS];
static unsigned n_seeds;
static uint32_t rng = 0x2545f491;

static uint32_t next_rand(void)
{
	/* xorshift32 */
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static void add_seed(const uint8_t *m, size_t len)
{
	if (n_seeds < MAX_SEEDS && len <= sizeof(seeds[0].buf)) {
		memcpy(seeds[n_seeds].buf, m, len);
		seeds[n_seeds++].len = len;
	}
}

static void load_fixture(const char *name)
{
	uint8_t buf[4096];
	char path[512];
	size_t len, off = 0, mlen;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", FIXTURE_DIR, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	while (off + 19 <= len) {
		mlen = (size_t)buf[off + 16] << 8 | buf[off + 17];
		add_seed(buf + off, mlen);
		off += mlen;
	}
}

static int setup(void **state)
{
	/* clang-format off */
	static const uint8_t all_attrs[] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 144, 2,
		0, 2, 16, 10,
		0, 113,
		0x40, 1, 1, 2,
		0x40, 2, 20, 2, 2, 0, 0, 0xfd, 0xe9, 0xfa, 0x56, 0xea, 0x01,
		1, 2, 0, 0, 0xfd, 0xea, 0, 0, 0xfd, 0xeb,
		0x40, 3, 4, 198, 18, 0, 1,
		0x80, 4, 4, 0, 0, 0, 50,
		0x40, 5, 4, 0, 0, 0, 200,
		0x40, 6, 0,
		0xc0, 7, 8, 0, 0, 0xfd, 0xe9, 198, 18, 0, 9,
		0xc0, 8, 8, 0xff, 0xff, 0xff, 0x01, 0xfd, 0xe9, 0, 1,
		0x80, 9, 4, 198, 18, 0, 7,
		0x80, 10, 8, 198, 18, 0, 8, 198, 18, 0, 9,
		0xc0, 16, 8, 0, 2, 0xfd, 0xe9, 0, 0, 0, 100,
		0xc0, 32, 12, 0, 0, 0xfd, 0xe9, 0, 0, 0, 1, 0, 0, 0, 2,
		0xd0, 99, 0, 2, 0xab, 0xcd,
		24, 198, 51, 100,
	};
	/* clang-format on */

	(void)state;
	add_seed(all_attrs, sizeof(all_attrs));
	load_fixture("frr.bin");
	load_fixture("bird.bin");
	load_fixture("gobgp-as2.bin");
	assert_true(n_seeds > 10);
	return 0;
}

static void mutate(uint8_t *m, size_t *len)
{
	unsigned n = 1 + next_rand() % 4, i;
	size_t at;

	for (i = 0; i < n; i++) {
		at = next_rand() % *len;
		switch (next_rand() % 6) {
		case 0:
			m[at] = (uint8_t)next_rand();
			break;
		case 1:
			m[at] ^= (uint8_t)(1u << (next_rand() % 8));
			break;
		case 2:
			m[at] = 0;
			break;
		case 3:
			m[at] = 0xff;
			break;
		case 4:
			/* Cut the message short (the header length is left saying otherwise). */
			if (at > 19)
				*len = at;
			break;
		default:
			m[at] = (uint8_t)(m[at] + 1);
			break;
		}
	}
}

static void walk(const struct bgp_nlri_block *b, const struct bgp_codec_opts *o)
{
	struct rh_prefix p;
	struct rbuf r;
	int rc;

	rbuf_init(&r, b->p, b->len);
	while ((rc = bgp_nlri_next(&r, b->aid, o->addpath_rx[b->aid], &p, NULL)) == 1)
		assert_true(p.len <= (b->aid == BGP_AID_IPV6 ? 128 : 32));
	/* The decoder checked the NLRI: walking them cannot fail. */
	assert_int_equal(rc, 0);
}

/* A clean IPv4 UPDATE: encoding its attributes again gives the same set back. */
static void reencode(const struct bgp_update *u, const struct bgp_codec_opts *o)
{
	static uint8_t buf[BGP_MAX_MSG];
	struct bgp_upd_writer uw;
	struct bgp_update again;
	struct rh_prefix p = {.family = RH_AF_INET, .len = 8, .bytes = {10}};
	struct bgp_codec_opts eo = *o;
	size_t len;

	if (!u->attrs || u->nlri.len == 0 || u->mp_reach.len || u->action != BGP_UPD_OK ||
	    u->attrs->next_hop.family != RH_AF_INET)
		return;
	/* Send path ids when the decoder expects them. */
	eo.addpath_tx[BGP_AID_IPV4] = o->addpath_rx[BGP_AID_IPV4];
	if (bgp_upd_begin(&uw, buf, sizeof(buf), BGP_AID_IPV4, false, u->attrs, &eo) < 0)
		return;
	assert_int_equal(bgp_upd_add(&uw, &p, 1), 0);
	len = bgp_upd_finish(&uw);
	assert_true(len > 0);
	assert_int_equal(bgp_update_decode(buf + 19, len - 19, o, &again), 0);
	assert_int_equal(again.action, BGP_UPD_OK);
	assert_true(bgp_attrs_equal(u->attrs, again.attrs));
	bgp_attrs_free(again.attrs);
}

static void decode_update(const uint8_t *body, size_t len, const struct bgp_codec_opts *o)
{
	struct bgp_update u;

	assert_int_equal(bgp_update_decode(body, len, o, &u), 0);
	assert_true(u.action <= BGP_UPD_SESSION_RESET);
	if (u.action == BGP_UPD_SESSION_RESET) {
		assert_int_equal(u.notify.code, BGP_ERR_UPDATE);
		assert_null(u.attrs);
		return;
	}
	if (u.action != BGP_UPD_OK)
		assert_non_null(u.reason);
	walk(&u.withdrawn, o);
	walk(&u.nlri, o);
	walk(&u.mp_reach, o);
	walk(&u.mp_unreach, o);
	reencode(&u, o);
	bgp_attrs_free(u.attrs);
}

static void decode_any(const uint8_t *m, size_t len, const struct bgp_codec_opts *o)
{
	struct bgp_notify n;
	struct bgp_open op;
	uint16_t mlen, afi;
	uint8_t type, sub, safi;
	char text[64];
	int rc;

	rc = bgp_hdr_decode(m, len, &mlen, &type, o->max_msg, &n);
	if (rc < 0) {
		assert_true(rc == -EBADMSG || rc == -EAGAIN);
		return;
	}
	/* Decode what is there even when the message was cut short of its length. */
	if (mlen > len)
		mlen = (uint16_t)len;
	m += 19;
	mlen -= 19;
	switch (type) {
	case BGP_OPEN:
		rc = bgp_open_decode(m, mlen, &op, &n);
		assert_true(rc == 0 || (rc == -EBADMSG && (n.code == 1 || n.code == 2)));
		break;
	case BGP_UPDATE:
		decode_update(m, mlen, o);
		break;
	case BGP_NOTIFICATION:
		if (bgp_notify_decode(m, mlen, &n) == 0)
			bgp_notify_shutdown_text(&n, text, sizeof(text));
		break;
	case BGP_ROUTE_REFRESH:
		rc = bgp_rr_decode(m, mlen, &afi, &sub, &safi, &n);
		assert_true(rc == 0 || n.code == BGP_ERR_ROUTE_REFRESH);
		break;
	default:
		break;
	}
}

static void test_mutations(void **state)
{
	struct bgp_codec_opts o;
	uint8_t m[512];
	size_t len;
	unsigned i;
	uint32_t r;

	(void)state;
	for (i = 0; i < ITERATIONS; i++) {
		const struct seed *s = &seeds[next_rand() % n_seeds];

		memcpy(m, s->buf, s->len);
		len = s->len;
		mutate(m, &len);
		r = next_rand();
		memset(&o, 0, sizeof(o));
		o.as4 = r & 1;
		o.ebgp = r & 2;
		o.addpath_rx[BGP_AID_IPV4] = (r & 12) == 12;
		o.addpath_rx[BGP_AID_IPV6] = (r & 48) == 48;
		o.max_msg = r & 64 ? BGP_MAX_MSG_EXT : BGP_MAX_MSG;
		decode_any(m, len, &o);
	}
}

/* The unmutated seeds decode as they are and re-encode to the same attributes. */
static void test_seeds(void **state)
{
	const struct bgp_codec_opts as4 = {.as4 = true, .ebgp = true, .max_msg = BGP_MAX_MSG};
	unsigned i;

	(void)state;
	for (i = 0; i < n_seeds; i++)
		decode_any(seeds[i].buf, seeds[i].len, &as4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_seeds),
	        cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
