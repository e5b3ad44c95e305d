/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ADD-PATH send (RFC 7911): the per-peer exporter (rib_out_addpath.h) and the OPEN
 * negotiation. Every batch the exporter hands out is encoded as an UPDATE with path ids
 * and decoded again, so that the tests see what a receiver would: (prefix, path id)
 * announced or withdrawn.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "attr.h"
#include "bgp.h"
#include "msg.h"
#include "rib.h"
#include "rib_out.h"
#include "rib_out_addpath.h"
#include "wire.h"

static const struct bgp_attrs *mk(uint32_t first_as, unsigned len, const char *nh)
{
	struct bgp_attrs *a = bgp_attrs_new();

	assert_non_null(a);
	for (unsigned i = len; i > 1; i--)
		assert_int_equal(bgp_aspath_prepend(a, 64500 + i, 1), 0);
	assert_int_equal(bgp_aspath_prepend(a, first_as, 1), 0);
	assert_int_equal(rh_addr_parse(nh, &a->next_hop), 0);
	a->flags |= BGP_ATTRS_NEXT_HOP;
	a->origin = BGP_ORIGIN_IGP;
	return bgp_attrs_intern(a);
}

static struct rh_prefix pfx(const char *s)
{
	struct rh_prefix p;

	assert_int_equal(rh_prefix_parse(s, &p, true), 0);
	return p;
}

/* ------------------------------------------------------------------ what a receiver sees */

#define MAXR 64
struct rx {
	bool withdraw;
	struct rh_prefix p;
	uint32_t id;
	uint32_t first_as; /* announcements: the AS_PATH's first AS */
};

static struct {
	unsigned n, n_eor, n_calls, n_batches;
	struct rx r[MAXR];
	int fail_at; /* call number that returns -EAGAIN, 0 never */
} got;

static void got_reset(void)
{
	memset(&got, 0, sizeof(got));
}

static uint32_t first_as(const struct bgp_attrs *a)
{
	uint32_t as = 0;

	assert_non_null(a->aspath);
	assert_true(a->aspath_len >= 6);
	/* segment type, count, then the first 4-octet ASN */
	as = (uint32_t)a->aspath[2] << 24 | (uint32_t)a->aspath[3] << 16 |
	     (uint32_t)a->aspath[4] << 8 | a->aspath[5];
	return as;
}

/* Encodes the batch with path ids, decodes it as a receiver with ADD-PATH would. */
static int rx_cb(const struct bgp_out_batch *b, void *arg)
{
	static uint8_t buf[BGP_MAX_MSG];
	struct bgp_codec_opts o = {.as4 = true, .ebgp = true, .max_msg = BGP_MAX_MSG};
	struct bgp_upd_writer uw;
	struct bgp_update u;
	struct bgp_nlri_block blk;
	struct rh_prefix q;
	struct rbuf r;
	uint32_t id;
	size_t len;

	(void)arg;
	if (got.fail_at != 0 && ++got.n_calls == (unsigned)got.fail_at)
		return -EAGAIN;
	if (b->eor) {
		got.n_eor++;
		return 0;
	}
	got.n_batches++;
	assert_non_null(b->path_ids);
	o.addpath_tx[b->aid] = true;
	assert_int_equal(bgp_upd_begin(&uw, buf, sizeof(buf), b->aid, b->withdraw,
	                               b->withdraw ? NULL : b->attrs, &o),
	                 0);
	for (size_t i = 0; i < b->n; i++)
		assert_int_equal(bgp_upd_add(&uw, b->prefixes[i], b->path_ids[i]), 0);
	len = bgp_upd_finish(&uw);
	assert_true(len > BGP_HDR_LEN);
	o.addpath_rx[b->aid] = true;
	memset(&u, 0, sizeof(u));
	assert_int_equal(bgp_update_decode(buf + BGP_HDR_LEN, len - BGP_HDR_LEN, &o, &u), 0);
	assert_int_equal(u.action, BGP_UPD_OK);
	if (b->aid == BGP_AID_IPV4)
		blk = b->withdraw ? u.withdrawn : u.nlri;
	else
		blk = b->withdraw ? u.mp_unreach : u.mp_reach;
	rbuf_init(&r, blk.p, blk.len);
	while (bgp_nlri_next(&r, b->aid, true, &q, &id) == 1) {
		assert_true(got.n < MAXR);
		got.r[got.n++] = (struct rx){.withdraw = b->withdraw,
		                             .p = q,
		                             .id = id,
		                             .first_as = b->withdraw ? 0 : first_as(u.attrs)};
	}
	bgp_attrs_free(u.attrs);
	return 0;
}

/* ------------------------------------------------------------------ fixture */

struct fx {
	struct bgp_rib *rib;
	struct bgp_rib_out *out;
	struct bgp_ap_out *ap;
	struct bgp_rib_peer a, b, c;
	const struct bgp_rib_peer *refuse; /* the policy rejects this peer's paths */
};

static void on_change(struct bgp_rib *rib, const struct bgp_rib_change *c, void *arg)
{
	struct fx *f = arg;

	(void)rib;
	assert_int_equal(bgp_rib_out_change(f->out, c), 0);
}

static enum bgp_export_result policy(const struct rh_prefix *p, const struct bgp_path *q,
                                     const struct bgp_attrs **out, void *arg)
{
	struct fx *f = arg;

	(void)p;
	(void)out;
	return q->peer == f->refuse ? BGP_EXPORT_REJECT : BGP_EXPORT_ACCEPT;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct bgp_export_policy pol = {.fn = policy, .families = BGP_EXPORT_AF_ALL};
	struct rh_addr addr;

	assert_non_null(f);
	pol.arg = f;
	f->rib = bgp_rib_new(NULL, on_change, f);
	assert_non_null(f->rib);
	f->out = bgp_rib_out_new(f->rib);
	assert_non_null(f->out);
	assert_int_equal(rh_addr_parse("198.51.100.1", &addr), 0);
	bgp_rib_peer_init(&f->a, 1, &addr, 65001, htonl(1), true);
	assert_int_equal(rh_addr_parse("198.51.100.2", &addr), 0);
	bgp_rib_peer_init(&f->b, 2, &addr, 65002, htonl(2), true);
	assert_int_equal(rh_addr_parse("198.51.100.3", &addr), 0);
	bgp_rib_peer_init(&f->c, 3, &addr, 65003, htonl(3), true);
	f->ap = bgp_ap_out_new(f->out, &pol);
	assert_non_null(f->ap);
	got_reset();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	bgp_rib_out_free(f->out); /* frees the exporter too */
	bgp_rib_free(f->rib);
	free(f);
	assert_int_equal(bgp_attrs_interned_count(), 0);
	return 0;
}

/* Adds a path; the RIB reports only best-path changes, so the entry is queued as the
 * route server's re-export does (hub_rs_reexport) for every other change. */
static void add(struct fx *f, struct bgp_rib_peer *peer, const char *p, uint32_t as, unsigned len)
{
	struct rh_prefix x = pfx(p);
	const struct bgp_attrs *a =
	        mk(as, len, strchr(p, ':') != NULL ? "2001:db8::1" : "192.0.2.1");

	assert_int_equal(bgp_rib_update(f->rib, peer, &x, 0, a), 0);
	bgp_attrs_unref(a);
	assert_int_equal(bgp_ap_out_change(f->ap, bgp_rib_entry_find(f->rib, &x)), 0);
}

static void del(struct fx *f, struct bgp_rib_peer *peer, const char *p)
{
	struct rh_prefix x = pfx(p);

	assert_int_equal(bgp_rib_withdraw(f->rib, peer, &x, 0), 0);
	/* The entry may be gone already (no paths, nothing sent): then nothing is queued. */
	if (bgp_rib_entry_find(f->rib, &x) != NULL)
		assert_int_equal(bgp_ap_out_change(f->ap, bgp_rib_entry_find(f->rib, &x)), 0);
}

static long flush(struct fx *f)
{
	return bgp_ap_out_flush(f->ap, 1000, rx_cb, NULL);
}

static const struct rx *find_rx(bool withdraw, uint32_t as)
{
	for (unsigned i = 0; i < got.n; i++)
		if (got.r[i].withdraw == withdraw && (withdraw || got.r[i].first_as == as))
			return &got.r[i];
	return NULL;
}

/* ------------------------------------------------------------------ tests */

/* Two paths of one prefix: two NLRI, distinct ids, each with its own AS path. */
static void test_two_paths(void **state)
{
	struct fx *f = *state;
	struct rh_prefix want = pfx("203.0.113.0/24");
	const struct rx *ra, *rb;

	add(f, &f->a, "203.0.113.0/24", 65001, 2);
	add(f, &f->b, "203.0.113.0/24", 65002, 3);
	assert_int_equal(bgp_ap_out_pending(f->ap), 1);
	assert_int_equal(flush(f), 2);
	assert_int_equal(got.n, 2);
	ra = find_rx(false, 65001);
	rb = find_rx(false, 65002);
	assert_non_null(ra);
	assert_non_null(rb);
	assert_true(rh_prefix_equal(&ra->p, &want));
	assert_true(rh_prefix_equal(&rb->p, &want));
	assert_int_not_equal(ra->id, rb->id);
	assert_int_equal(f->ap->advertised, 2);
	assert_int_equal(bgp_ap_out_pending(f->ap), 0);
	/* Nothing changed: a second flush sends nothing. */
	got_reset();
	assert_int_equal(bgp_ap_out_change(f->ap, bgp_rib_entry_find(f->rib, &want)), 0);
	assert_int_equal(flush(f), 0);
	assert_int_equal(got.n, 0);
}

/* One path withdrawn: one withdrawal, by that path's id; the other path stays. */
static void test_withdraw_one(void **state)
{
	struct fx *f = *state;
	uint32_t id_a, id_b;

	add(f, &f->a, "203.0.113.0/24", 65001, 2);
	add(f, &f->b, "203.0.113.0/24", 65002, 3);
	flush(f);
	id_a = find_rx(false, 65001)->id;
	id_b = find_rx(false, 65002)->id;
	got_reset();
	del(f, &f->a, "203.0.113.0/24"); /* the best path goes */
	assert_int_equal(flush(f), 1);
	assert_int_equal(got.n, 1);
	assert_true(got.r[0].withdraw);
	assert_int_equal(got.r[0].id, id_a);
	assert_int_equal(f->ap->advertised, 1);
	/* The last one goes: its id, and the exporter lets the entry go. */
	got_reset();
	del(f, &f->b, "203.0.113.0/24");
	assert_int_equal(flush(f), 1);
	assert_true(got.r[0].withdraw);
	assert_int_equal(got.r[0].id, id_b);
	assert_int_equal(f->ap->advertised, 0);
	{
		struct rh_prefix p = pfx("203.0.113.0/24");

		assert_null(bgp_rib_entry_find(f->rib, &p));
	}
}

/* A new best path is sent alone; the old best, unchanged, is not sent again, and a path
 * replaced by another set keeps its id. */
static void test_best_change_no_resend(void **state)
{
	struct fx *f = *state;
	uint32_t id_a, id_b;

	add(f, &f->a, "203.0.113.0/24", 65001, 3);
	flush(f);
	id_a = find_rx(false, 65001)->id;
	got_reset();
	add(f, &f->b, "203.0.113.0/24", 65002, 1); /* shorter AS path: the new best */
	assert_int_equal(flush(f), 1);
	assert_int_equal(got.n, 1);
	assert_int_equal(got.r[0].first_as, 65002);
	id_b = got.r[0].id;
	assert_int_not_equal(id_a, id_b);
	/* a's path changes (new attributes, best again): sent with the same id, b not. */
	got_reset();
	add(f, &f->a, "203.0.113.0/24", 65001, 1);
	assert_int_equal(flush(f), 1);
	assert_int_equal(got.n, 1);
	assert_false(got.r[0].withdraw);
	assert_int_equal(got.r[0].first_as, 65001);
	assert_int_equal(got.r[0].id, id_a);
}

/* The policy's refusal is per path; a route refresh sends every path again, same ids. */
static void test_policy_and_refresh(void **state)
{
	struct fx *f = *state;
	uint32_t id_a, id_b;

	f->refuse = &f->c; /* e.g. split horizon: c's own path is not sent back to it */
	add(f, &f->a, "203.0.113.0/24", 65001, 2);
	add(f, &f->b, "203.0.113.0/24", 65002, 2);
	add(f, &f->c, "203.0.113.0/24", 65003, 1); /* the best, refused */
	add(f, &f->a, "198.51.100.0/24", 65001, 1);
	assert_int_equal(flush(f), 3);
	assert_null(find_rx(false, 65003));
	id_a = find_rx(false, 65001)->id;
	id_b = find_rx(false, 65002)->id;
	got_reset();
	assert_int_equal(bgp_ap_out_export_all(f->ap, BGP_EXPORT_AF(BGP_AID_IPV4), true, true), 0);
	assert_int_equal(flush(f), 3);
	assert_int_equal(got.n, 3);
	assert_int_equal(got.n_eor, 1);
	for (unsigned i = 0; i < got.n; i++)
		if (got.r[i].p.bytes[0] == 203)
			assert_int_equal(got.r[i].id, got.r[i].first_as == 65001 ? id_a : id_b);
}

/* A peer whose buffer is full: the prefix stays queued and goes out whole later. */
static void test_eagain(void **state)
{
	struct fx *f = *state;

	add(f, &f->a, "203.0.113.0/24", 65001, 2);
	add(f, &f->b, "203.0.113.0/24", 65002, 3);
	got.fail_at = 2; /* the second path's batch */
	assert_int_equal(flush(f), -EAGAIN);
	assert_int_equal(got.n, 1);
	assert_int_equal(bgp_ap_out_pending(f->ap), 1);
	got.fail_at = 0;
	assert_int_equal(flush(f), 1); /* only what was not sent */
	assert_int_equal(got.n, 2);
	assert_int_not_equal(got.r[0].id, got.r[1].id);
	assert_int_equal(bgp_ap_out_pending(f->ap), 0);
}

/* Withdrawals of one prefix go in batches of at most max_batch paths, every id once. */
static void test_withdraw_batches(void **state)
{
	struct fx *f = *state;
	uint32_t ids[3];

	add(f, &f->a, "203.0.113.0/24", 65001, 1);
	add(f, &f->b, "203.0.113.0/24", 65002, 2);
	add(f, &f->c, "203.0.113.0/24", 65003, 3);
	assert_int_equal(flush(f), 3);
	for (unsigned i = 0; i < 3; i++)
		ids[i] = got.r[i].id;
	got_reset();
	del(f, &f->b, "203.0.113.0/24");
	del(f, &f->c, "203.0.113.0/24");
	del(f, &f->a, "203.0.113.0/24");
	assert_int_equal(bgp_ap_out_flush(f->ap, 2, rx_cb, NULL), 3);
	assert_int_equal(got.n_batches, 2);
	assert_int_equal(got.n, 3);
	for (unsigned i = 0; i < 3; i++) {
		unsigned seen = 0;

		for (unsigned k = 0; k < got.n; k++)
			seen += got.r[k].withdraw && got.r[k].id == ids[i];
		assert_int_equal(seen, 1);
	}
	assert_int_equal(f->ap->advertised, 0);
}

/* IPv6 goes through MP_REACH/MP_UNREACH with path ids the same way. */
static void test_ipv6(void **state)
{
	struct fx *f = *state;

	add(f, &f->a, "2001:db8:1::/48", 65001, 2);
	add(f, &f->b, "2001:db8:1::/48", 65002, 3);
	assert_int_equal(flush(f), 2);
	assert_int_equal(got.r[0].p.family, RH_AF_INET6);
	assert_int_not_equal(got.r[0].id, got.r[1].id);
	got_reset();
	del(f, &f->b, "2001:db8:1::/48");
	assert_int_equal(flush(f), 1);
	assert_true(got.r[0].withdraw);
	assert_int_equal(got.r[0].p.family, RH_AF_INET6);
}

/* RFC 7911 4: we send when we announced send and the peer receive; per family. */
static void test_negotiate(void **state)
{
	struct bgp_caps l = {0}, p = {0};
	struct bgp_codec_opts o = {0};

	(void)state;
	l.addpath[BGP_AID_IPV4] = BGP_ADDPATH_SEND | BGP_ADDPATH_RECV;
	l.addpath[BGP_AID_IPV6] = BGP_ADDPATH_SEND;
	p.addpath[BGP_AID_IPV4] = BGP_ADDPATH_RECV;
	p.addpath[BGP_AID_IPV6] = BGP_ADDPATH_SEND;
	bgp_addpath_negotiate(&l, &p, &o);
	assert_true(o.addpath_tx[BGP_AID_IPV4]);
	assert_false(o.addpath_rx[BGP_AID_IPV4]); /* the peer does not send */
	assert_false(o.addpath_tx[BGP_AID_IPV6]); /* the peer does not receive */
	assert_false(o.addpath_rx[BGP_AID_IPV6]); /* we did not announce receive */
	/* Nothing configured: nothing negotiated whatever the peer says. */
	memset(&l, 0, sizeof(l));
	p.addpath[BGP_AID_IPV4] = BGP_ADDPATH_SEND | BGP_ADDPATH_RECV;
	bgp_addpath_negotiate(&l, &p, &o);
	assert_false(o.addpath_tx[BGP_AID_IPV4]);
	assert_false(o.addpath_rx[BGP_AID_IPV4]);
}

/* The capability as configured goes into the OPEN and comes back out of it. */
static void test_open_capability(void **state)
{
	uint8_t buf[BGP_MAX_MSG];
	struct bgp_open o = {.my_as = 65515, .hold_time = 180, .bgp_id = htonl(1)}, d;
	struct bgp_notify n;
	struct wbuf w;

	(void)state;
	o.caps.mp[BGP_AID_IPV4] = true;
	o.caps.addpath[BGP_AID_IPV4] = BGP_ADDPATH_SEND;
	o.caps.addpath[BGP_AID_IPV6] = BGP_ADDPATH_SEND | BGP_ADDPATH_RECV;
	wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(bgp_open_encode(&w, &o), 0);
	memset(&d, 0, sizeof(d));
	assert_int_equal(bgp_open_decode(buf + BGP_HDR_LEN, w.len - BGP_HDR_LEN, &d, &n), 0);
	assert_int_equal(d.caps.addpath[BGP_AID_IPV4], BGP_ADDPATH_SEND);
	assert_int_equal(d.caps.addpath[BGP_AID_IPV6], BGP_ADDPATH_SEND | BGP_ADDPATH_RECV);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_two_paths, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_withdraw_one, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_best_change_no_resend, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_policy_and_refresh, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_eagain, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_withdraw_batches, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_ipv6, setup, teardown),
	        cmocka_unit_test(test_negotiate),
	        cmocka_unit_test(test_open_capability),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
