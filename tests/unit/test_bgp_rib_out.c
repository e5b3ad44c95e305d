/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Adj-RIB-Out: update groups, coalescing of pending changes, batches grouped by attribute
 * set, withdrawals, End-of-RIB, route-refresh re-dump, export policies.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "attr.h"
#include "bgp.h"
#include "rib.h"
#include "rib_out.h"

static const struct bgp_attrs *mk(uint32_t first_as, unsigned len, uint32_t comm)
{
	struct bgp_attrs *a = bgp_attrs_new();

	assert_non_null(a);
	for (unsigned i = len; i > 1; i--)
		assert_int_equal(bgp_aspath_prepend(a, 64500 + i, 1), 0);
	assert_int_equal(bgp_aspath_prepend(a, first_as, 1), 0);
	assert_int_equal(rh_addr_parse("192.0.2.1", &a->next_hop), 0);
	a->flags |= BGP_ATTRS_NEXT_HOP | BGP_ATTRS_MED;
	a->med = 7;
	if (comm != 0) {
		a->comm = malloc(sizeof(*a->comm));
		a->comm[0] = comm;
		a->n_comm = 1;
	}
	return bgp_attrs_intern(a);
}

static struct rh_prefix pfx(const char *s)
{
	struct rh_prefix p;

	assert_int_equal(rh_prefix_parse(s, &p, true), 0);
	return p;
}

static struct rh_prefix nth(unsigned i)
{
	char s[32];

	snprintf(s, sizeof(s), "198.18.%u.0/24", i);
	return pfx(s);
}

/* ------------------------------------------------------------------ fixture */

struct fx {
	struct bgp_rib *rib;
	struct bgp_rib_out *out;
	struct bgp_rib_peer a, b;
};

static void on_change(struct bgp_rib *rib, const struct bgp_rib_change *c, void *arg)
{
	struct fx *f = arg;

	(void)rib;
	assert_int_equal(bgp_rib_out_change(f->out, c), 0);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct rh_addr addr;

	assert_non_null(f);
	f->rib = bgp_rib_new(NULL, on_change, f);
	f->out = bgp_rib_out_new(f->rib);
	assert_non_null(f->rib);
	assert_non_null(f->out);
	f->rib->prefetch_cb = bgp_rib_out_prefetch;
	f->rib->prefetch_arg = f->out;
	assert_int_equal(rh_addr_parse("198.51.100.1", &addr), 0);
	bgp_rib_peer_init(&f->a, 1, &addr, 65001, htonl(1), true);
	assert_int_equal(rh_addr_parse("198.51.100.2", &addr), 0);
	bgp_rib_peer_init(&f->b, 2, &addr, 65002, htonl(2), true);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	bgp_rib_out_free(f->out);
	bgp_rib_free(f->rib);
	free(f);
	assert_int_equal(bgp_attrs_interned_count(), 0);
	return 0;
}

/* What flushes hand out. */
#define MAXB 64
struct got {
	unsigned n_batches, n_prefixes, n_eor, n_withdrawn;
	struct {
		enum bgp_aid aid;
		bool withdraw, eor;
		const struct bgp_attrs *attrs;
		const struct bgp_rib_peer *src;
		size_t n;
		struct rh_prefix first;
	} b[MAXB];
	int fail_at; /* batch number that returns -EAGAIN, 0 never */
};

static struct got got;

static int on_batch(const struct bgp_out_batch *b, void *arg)
{
	unsigned i = got.n_batches;

	(void)arg;
	if (got.fail_at != 0 && i + 1 == (unsigned)got.fail_at)
		return -EAGAIN;
	assert_true(i < MAXB);
	got.b[i].aid = b->aid;
	got.b[i].withdraw = b->withdraw;
	got.b[i].eor = b->eor;
	got.b[i].attrs = b->attrs;
	got.b[i].src = b->src;
	got.b[i].n = b->n;
	if (b->n > 0)
		got.b[i].first = *b->prefixes[0];
	got.n_batches++;
	got.n_prefixes += (unsigned)b->n;
	got.n_eor += b->eor;
	if (b->withdraw)
		got.n_withdrawn += (unsigned)b->n;
	/* Every batch is one family and one set. */
	for (size_t k = 0; k < b->n; k++)
		assert_int_equal(b->prefixes[k]->family,
		                 b->aid == BGP_AID_IPV6 ? RH_AF_INET6 : RH_AF_INET);
	return 0;
}

static long flush(struct bgp_out_group *g, size_t max)
{
	memset(&got, 0, sizeof(got));
	return bgp_out_group_flush(g, max, on_batch, NULL);
}

static struct bgp_out_group *join(struct fx *f, const struct bgp_export_policy *pol)
{
	bool created;
	struct bgp_out_group *g = bgp_rib_out_join(f->out, pol, &created);

	assert_non_null(g);
	if (created)
		assert_int_equal(bgp_out_group_start(g), 0);
	return g;
}

static const struct bgp_export_policy rs_policy = {.families = BGP_EXPORT_AF_ALL};

/* ------------------------------------------------------------------ tests */

static void test_eor_once(void **state)
{
	struct fx *f = *state;
	const struct bgp_attrs *x = mk(65001, 1, 0);
	struct bgp_out_group *g;
	struct rh_prefix p = nth(1);

	/* A route already in the RIB goes out in the initial dump, then End-of-RIB. */
	assert_int_equal(bgp_rib_update(f->rib, &f->a, &p, 0, x), 0);
	g = join(f, &rs_policy);
	assert_int_equal(bgp_out_group_pending(g), 1);
	/* Backpressure: the first batch fails, nothing is committed and no EoR is sent. */
	memset(&got, 0, sizeof(got));
	got.fail_at = 1;
	assert_int_equal(bgp_out_group_flush(g, 16, on_batch, NULL), -EAGAIN);
	assert_int_equal(bgp_out_group_pending(g), 1);
	assert_null(bgp_out_group_advertised(g, &p));
	assert_int_equal(flush(g, 16), 1);
	assert_int_equal(got.n_batches, 3);
	assert_ptr_equal(got.b[0].attrs, x);
	assert_ptr_equal(got.b[0].src, &f->a); /* a member may skip what it sent */
	assert_true(got.b[1].eor && got.b[2].eor);
	assert_int_equal(got.b[1].aid, BGP_AID_IPV4);
	assert_int_equal(got.b[2].aid, BGP_AID_IPV6);
	assert_ptr_equal(bgp_out_group_advertised(g, &p), x);
	/* Once only. */
	assert_int_equal(flush(g, 16), 0);
	assert_int_equal(got.n_batches, 0);
	bgp_attrs_unref(x);
}

static void test_add_then_withdraw_cancels(void **state)
{
	struct fx *f = *state;
	const struct bgp_attrs *x = mk(65001, 1, 0);
	struct bgp_out_group *g = join(f, &rs_policy);
	struct rh_prefix p = nth(2);

	flush(g, 16); /* the End-of-RIBs of the empty table */
	assert_int_equal(got.n_eor, 2);
	assert_int_equal(bgp_rib_update(f->rib, &f->a, &p, 0, x), 0);
	assert_int_equal(bgp_out_group_pending(g), 1);
	assert_int_equal(bgp_rib_withdraw(f->rib, &f->a, &p, 0), 0);
	/* Never advertised: nothing to send, not even a withdrawal. */
	assert_int_equal(bgp_out_group_pending(g), 0);
	assert_int_equal(flush(g, 16), 0);
	assert_int_equal(got.n_batches, 0);
	bgp_attrs_unref(x);
}

static void test_replace_coalesces(void **state)
{
	struct fx *f = *state;
	const struct bgp_attrs *x = mk(65001, 1, 0), *y = mk(65001, 2, 0), *z = mk(65001, 3, 0);
	struct bgp_out_group *g = join(f, &rs_policy);
	struct rh_prefix p = nth(3);

	assert_int_equal(bgp_rib_update(f->rib, &f->a, &p, 0, x), 0);
	flush(g, 16);
	assert_ptr_equal(bgp_out_group_advertised(g, &p), x);
	/* Replaced twice: one update with the last attributes. */
	assert_int_equal(bgp_rib_update(f->rib, &f->a, &p, 0, y), 0);
	assert_int_equal(bgp_rib_update(f->rib, &f->a, &p, 0, z), 0);
	assert_int_equal(bgp_out_group_pending(g), 1);
	assert_int_equal(flush(g, 16), 1);
	assert_int_equal(got.n_batches, 1);
	assert_ptr_equal(got.b[0].attrs, z);
	assert_int_equal(got.b[0].n, 1);
	/* Changed and changed back: the peers already have it. */
	assert_int_equal(bgp_rib_update(f->rib, &f->a, &p, 0, y), 0);
	assert_int_equal(bgp_rib_update(f->rib, &f->a, &p, 0, z), 0);
	assert_int_equal(bgp_out_group_pending(g), 0);
	assert_int_equal(flush(g, 16), 0);
	/* Withdrawn then announced again with what was sent: nothing either. */
	assert_int_equal(bgp_rib_withdraw(f->rib, &f->a, &p, 0), 0);
	assert_int_equal(bgp_out_group_pending(g), 1);
	assert_int_equal(bgp_rib_update(f->rib, &f->a, &p, 0, z), 0);
	assert_int_equal(bgp_out_group_pending(g), 0);
	bgp_attrs_unref(x);
	bgp_attrs_unref(y);
	bgp_attrs_unref(z);
}

static void test_grouped_by_attrs(void **state)
{
	struct fx *f = *state;
	const struct bgp_attrs *x = mk(65001, 1, 0), *y = mk(65001, 2, 0);
	struct bgp_out_group *g = join(f, &rs_policy);
	char s[64];

	flush(g, 16);
	for (unsigned i = 0; i < 10; i++) {
		struct rh_prefix p = nth(i);

		assert_int_equal(bgp_rib_update(f->rib, &f->a, &p, 0, i % 2 ? y : x), 0);
	}
	for (unsigned i = 0; i < 3; i++) {
		struct rh_prefix p;

		snprintf(s, sizeof(s), "2001:db8:%u::/48", i);
		p = pfx(s);
		assert_int_equal(bgp_rib_update(f->rib, &f->a, &p, 0, x), 0);
	}
	/* One batch per (set, family), in the order the sets first appeared. */
	assert_int_equal(flush(g, 16), 13);
	assert_int_equal(got.n_batches, 3);
	assert_ptr_equal(got.b[0].attrs, x);
	assert_int_equal(got.b[0].n, 5);
	assert_int_equal(got.b[0].aid, BGP_AID_IPV4);
	assert_ptr_equal(got.b[1].attrs, y);
	assert_int_equal(got.b[1].n, 5);
	assert_ptr_equal(got.b[2].attrs, x);
	assert_int_equal(got.b[2].n, 3);
	assert_int_equal(got.b[2].aid, BGP_AID_IPV6);
	/* Batches are capped; each still carries one set. */
	for (unsigned i = 10; i < 17; i++) {
		struct rh_prefix p = nth(i);

		assert_int_equal(bgp_rib_update(f->rib, &f->a, &p, 0, y), 0);
	}
	assert_int_equal(flush(g, 3), 7);
	assert_int_equal(got.n_batches, 3);
	assert_int_equal(got.b[0].n + got.b[1].n + got.b[2].n, 7);
	assert_ptr_equal(got.b[2].attrs, y);
	/* In the order queued. */
	{
		struct rh_prefix first = nth(10);

		assert_true(rh_prefix_equal(&got.b[0].first, &first));
	}
	bgp_attrs_unref(x);
	bgp_attrs_unref(y);
}

static void test_withdrawals(void **state)
{
	struct fx *f = *state;
	const struct bgp_attrs *x = mk(65001, 1, 0), *y = mk(65002, 4, 0);
	struct bgp_out_group *g = join(f, &rs_policy);

	for (unsigned i = 0; i < 3; i++) {
		struct rh_prefix p = nth(i);

		assert_int_equal(bgp_rib_update(f->rib, &f->a, &p, 0, x), 0);
		assert_int_equal(bgp_rib_update(f->rib, &f->b, &p, 0, y), 0);
	}
	flush(g, 16);
	/* a goes away: prefix 0-2 fall back on b's path (replace), none withdrawn. */
	bgp_rib_peer_remove(f->rib, &f->a);
	assert_int_equal(flush(g, 16), 3);
	assert_int_equal(got.n_withdrawn, 0);
	assert_ptr_equal(got.b[0].attrs, y);
	/* b withdraws two: one withdrawal batch. */
	for (unsigned i = 0; i < 2; i++) {
		struct rh_prefix p = nth(i);

		assert_int_equal(bgp_rib_withdraw(f->rib, &f->b, &p, 0), 0);
	}
	assert_int_equal(flush(g, 16), 2);
	assert_int_equal(got.n_batches, 1);
	assert_true(got.b[0].withdraw);
	assert_null(got.b[0].attrs);
	assert_int_equal(got.b[0].n, 2);
	{
		struct rh_prefix p0 = nth(0), p2 = nth(2);

		assert_null(bgp_out_group_advertised(g, &p0));
		assert_ptr_equal(bgp_out_group_advertised(g, &p2), y);
	}
	assert_int_equal(g->advertised[BGP_AID_IPV4], 1);
	bgp_attrs_unref(x);
	bgp_attrs_unref(y);
}

static void test_route_refresh_resend(void **state)
{
	struct fx *f = *state;
	const struct bgp_attrs *x = mk(65001, 1, 0), *y = mk(65001, 2, 0);
	struct bgp_out_group *g = join(f, &rs_policy);

	for (unsigned i = 0; i < 5; i++) {
		struct rh_prefix p = nth(i);

		assert_int_equal(bgp_rib_update(f->rib, &f->a, &p, 0, i < 3 ? x : y), 0);
	}
	flush(g, 16);
	assert_int_equal(flush(g, 16), 0);
	/* RFC 2918: everything again, grouped by set, no End-of-RIB unless asked. */
	assert_int_equal(bgp_out_group_resend(g, BGP_AID_IPV4, false), 0);
	assert_int_equal(bgp_out_group_pending(g), 5);
	/* A resend is not cancelled by a change back to the same state: another best path
	 * with the same attributes. */
	{
		struct rh_prefix p = nth(0);

		assert_int_equal(bgp_rib_update(f->rib, &f->b, &p, 0, x), 0);
		assert_int_equal(bgp_rib_withdraw(f->rib, &f->a, &p, 0), 0);
		assert_int_equal(bgp_rib_entry_best(bgp_rib_lookup(f->rib, &p))->peer, &f->b);
		assert_int_equal(bgp_out_group_pending(g), 5);
	}
	/* A resend has no source; p0 now comes from b: three batches (x from b, x, y). */
	assert_int_equal(flush(g, 16), 5);
	assert_int_equal(got.n_batches, 3);
	assert_int_equal(got.n_eor, 0);
	assert_ptr_equal(got.b[0].attrs, x);
	assert_ptr_equal(got.b[0].src, NULL);
	assert_ptr_equal(got.b[2].src, &f->b);
	assert_int_equal(got.b[2].n, 1);
	assert_int_equal(bgp_out_group_resend(g, BGP_AID_IPV6, true), 0);
	assert_int_equal(flush(g, 16), 0);
	assert_int_equal(got.n_eor, 1);
	assert_int_equal(bgp_out_group_resend(g, BGP_AID_MAX, true), -EINVAL);
	bgp_attrs_unref(x);
	bgp_attrs_unref(y);
}

static void test_dump_for_newcomer(void **state)
{
	struct fx *f = *state;
	const struct bgp_attrs *x = mk(65001, 1, 0), *y = mk(65001, 2, 0), *z = mk(65001, 3, 0);
	struct bgp_out_group *g = join(f, &rs_policy);
	bool created;

	for (unsigned i = 0; i < 9; i++) {
		struct rh_prefix p = nth(i);

		assert_int_equal(bgp_rib_update(f->rib, &f->a, &p, 0, i % 3 == 0 ? x : y), 0);
	}
	flush(g, 16);
	/* One change pending: the dump gives what was advertised; the flush gives the rest. */
	{
		struct rh_prefix p = nth(0);

		assert_int_equal(bgp_rib_update(f->rib, &f->a, &p, 0, z), 0);
	}
	assert_ptr_equal(bgp_rib_out_join(f->out, &rs_policy, &created), g);
	assert_false(created);
	memset(&got, 0, sizeof(got));
	assert_int_equal(bgp_out_group_dump(g, BGP_AID_IPV4, 4, true, on_batch, NULL), 9);
	/* x: 3 prefixes in one batch; y: 6 in batches of at most 4; then End-of-RIB. */
	assert_int_equal(got.n_batches, 4);
	assert_int_equal(got.n_prefixes, 9);
	assert_int_equal(got.n_eor, 1);
	assert_true(got.b[3].eor);
	for (unsigned i = 0; i < 3; i++)
		assert_true(got.b[i].n <= 4);
	assert_int_equal(bgp_out_group_pending(g), 1);
	assert_int_equal(flush(g, 16), 1);
	assert_ptr_equal(got.b[0].attrs, z);
	/* An empty family: the End-of-RIB alone. */
	memset(&got, 0, sizeof(got));
	assert_int_equal(bgp_out_group_dump(g, BGP_AID_IPV6, 4, true, on_batch, NULL), 0);
	assert_int_equal(got.n_eor, 1);
	assert_int_equal(bgp_out_group_dump(g, BGP_AID_MAX, 4, true, on_batch, NULL), -EINVAL);
	bgp_rib_out_leave(f->out, g);
	bgp_attrs_unref(x);
	bgp_attrs_unref(y);
	bgp_attrs_unref(z);
}

struct ebgp_policy {
	uint32_t local_as;
	struct rh_addr self;
	unsigned calls;
	bool reject_all;
};

static enum bgp_export_result ebgp_export(const struct rh_prefix *p, const struct bgp_path *best,
                                          const struct bgp_attrs **out, void *arg)
{
	struct ebgp_policy *pol = arg;

	(void)p;
	pol->calls++;
	/* R9: NO_ADVERTISE is sent to nobody. */
	if (pol->reject_all || bgp_attrs_has_community(best->attrs, BGP_COMM_NO_ADVERTISE))
		return BGP_EXPORT_REJECT;
	*out = bgp_export_ebgp_attrs(best->attrs, pol->local_as, &pol->self);
	return *out != NULL ? BGP_EXPORT_MODIFY : BGP_EXPORT_REJECT;
}

static void test_export_policy(void **state)
{
	struct fx *f = *state;
	const struct bgp_attrs *x = mk(65001, 2, 0), *noadv = mk(65001, 2, BGP_COMM_NO_ADVERTISE);
	struct ebgp_policy ep = {.local_as = 65515};
	struct bgp_export_policy pol = {.fn = ebgp_export,
	                                .arg = &ep,
	                                .flags = BGP_EXPORT_ATTRS_ONLY,
	                                .families = BGP_EXPORT_AF(BGP_AID_IPV4)};
	struct bgp_out_group *g, *rs;
	bool created;
	const struct bgp_attrs *sent;
	char buf[64];

	assert_int_equal(rh_addr_parse("192.0.2.254", &ep.self), 0);
	g = join(f, &pol);
	rs = join(f, &rs_policy);
	/* Same policy, same group; another policy, another group. */
	assert_ptr_equal(bgp_rib_out_join(f->out, &pol, &created), g);
	assert_false(created);
	assert_int_equal(g->members, 2);
	bgp_rib_out_leave(f->out, g);
	assert_ptr_not_equal(g, rs);
	for (unsigned i = 0; i < 20; i++) {
		struct rh_prefix p = nth(i);

		assert_int_equal(bgp_rib_update(f->rib, &f->a, &p, 0, i < 15 ? x : noadv), 0);
	}
	{
		struct rh_prefix p6 = pfx("2001:db8::/32");

		assert_int_equal(bgp_rib_update(f->rib, &f->a, &p6, 0, x), 0);
	}
	/* Cached per set: the policy ran once per distinct set. */
	assert_int_equal(ep.calls, 2);
	assert_int_equal(flush(g, 64), 15);
	assert_int_equal(got.n_batches, 2); /* the announcements, then IPv4 End-of-RIB */
	assert_int_equal(got.n_eor, 1);
	sent = got.b[0].attrs;
	assert_string_equal(bgp_aspath_fmt(sent, buf, sizeof(buf)), "65515 65001 64502");
	assert_false(sent->flags & BGP_ATTRS_MED);
	assert_string_equal(rh_addr_fmt(&sent->next_hop, buf, sizeof(buf)), "192.0.2.254");
	/* The route-server group keeps the path and next hop unchanged (RFC 7947). */
	assert_int_equal(flush(rs, 64), 21);
	assert_ptr_equal(got.b[0].attrs, x);
	/* R5 switched at runtime: withdrawals only, no session reset. */
	ep.reject_all = true;
	assert_int_equal(bgp_out_group_set_policy(g, &pol), 0);
	assert_int_equal(flush(g, 64), 15);
	assert_int_equal(got.n_withdrawn, 15);
	ep.reject_all = false;
	assert_int_equal(bgp_out_group_set_policy(g, &pol), 0);
	assert_int_equal(flush(g, 64), 15);
	assert_int_equal(got.n_withdrawn, 0);
	assert_int_equal(flush(rs, 64), 0);
	/* A family the members no longer negotiate: withdrawn. */
	pol.families = 0;
	assert_int_equal(bgp_out_group_set_policy(g, &pol), 0);
	assert_int_equal(flush(g, 64), 15);
	assert_int_equal(got.n_withdrawn, 15);
	assert_int_equal(got.n_eor, 0);
	bgp_rib_out_leave(f->out, g);
	bgp_rib_out_leave(f->out, rs);
	assert_null(f->out->groups);
	bgp_attrs_unref(x);
	bgp_attrs_unref(noadv);
}

struct count {
	size_t batches, prefixes;
};

static int on_batch_count(const struct bgp_out_batch *b, void *arg)
{
	struct count *c = arg;

	c->batches++;
	c->prefixes += b->n;
	return 0;
}

static enum bgp_export_result accept_all(const struct rh_prefix *p, const struct bgp_path *best,
                                         const struct bgp_attrs **out, void *arg)
{
	(void)p;
	(void)best;
	(void)out;
	(void)arg;
	return BGP_EXPORT_ACCEPT;
}

static void test_export_cache_lets_go(void **state)
{
	struct fx *f = *state;
	struct bgp_export_policy pol = {
	        .fn = accept_all, .flags = BGP_EXPORT_ATTRS_ONLY, .families = BGP_EXPORT_AF_ALL};
	struct bgp_out_group *g = join(f, &pol);
	const struct bgp_attrs *x = mk(65001, 1, 0);
	size_t before;

	for (unsigned i = 0; i < 1100; i++) {
		const struct bgp_attrs *s = mk(65001, 1, 5000 + i);
		struct rh_prefix p = {.family = RH_AF_INET, .len = 32, .bytes = {10, 0, i >> 8, i}};

		assert_int_equal(bgp_rib_update(f->rib, &f->a, &p, 0, s), 0);
		bgp_attrs_unref(s);
	}
	assert_int_equal(g->cache.count, 1100);
	/* Every route moves to x: the 1,100 sets are now held by the cache alone. */
	for (unsigned i = 0; i < 1100; i++) {
		struct rh_prefix p = {.family = RH_AF_INET, .len = 32, .bytes = {10, 0, i >> 8, i}};

		assert_int_equal(bgp_rib_update(f->rib, &f->a, &p, 0, x), 0);
	}
	before = bgp_attrs_interned_count();
	/* More sets come: past twice its size after the last sweep, the cache sweeps. */
	for (unsigned i = 0; i < 1000; i++) {
		const struct bgp_attrs *s = mk(65001, 1, 9000 + i);
		struct rh_prefix p = {.family = RH_AF_INET, .len = 32, .bytes = {10, 1, i >> 8, i}};

		assert_int_equal(bgp_rib_update(f->rib, &f->a, &p, 0, s), 0);
		bgp_attrs_unref(s);
	}
	assert_true(g->cache.count < 1100);
	assert_true(bgp_attrs_interned_count() < before);
	{
		struct count c = {0};

		assert_int_equal(bgp_out_group_flush(g, 4096, on_batch_count, &c), 2100);
		assert_int_equal(c.batches, 1001 + 2); /* x, the 1,000 new sets, 2 End-of-RIB */
	}
	bgp_attrs_unref(x);
}

struct sync_ctx {
	struct bgp_out_group *g;
	size_t sent;
};

/* Nothing is sent that the peers already have. */
static int on_batch_check(const struct bgp_out_batch *b, void *arg)
{
	struct sync_ctx *c = arg;

	for (size_t k = 0; k < b->n; k++) {
		const struct bgp_attrs *adv = bgp_out_group_advertised(c->g, b->prefixes[k]);

		if (b->withdraw)
			assert_non_null(adv);
		else
			assert_ptr_not_equal(adv, b->attrs);
	}
	c->sent += b->n;
	return 0;
}

static void test_random_sync(void **state)
{
	struct fx *f = *state;
	struct bgp_out_group *g = join(f, &rs_policy);
	struct sync_ctx c = {.g = g};
	const struct bgp_attrs *sets[4];
	uint64_t x = 0x2545f4914f6cdd1dULL;

	for (unsigned i = 0; i < 4; i++)
		sets[i] = mk(65001, 1 + i, 0);
	for (unsigned op = 0; op < 20000; op++) {
		struct rh_prefix p = nth((unsigned)(x % 50));
		struct bgp_rib_peer *pr = (x >> 8) % 2 ? &f->a : &f->b;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if ((x >> 16) % 3 != 0)
			assert_int_equal(bgp_rib_update(f->rib, pr, &p, 0, sets[(x >> 24) % 4]), 0);
		else
			bgp_rib_withdraw(f->rib, pr, &p, 0);
		if ((x >> 32) % 50 == 0)
			assert_true(bgp_out_group_flush(g, 7, on_batch_check, &c) >= 0);
	}
	assert_true(bgp_out_group_flush(g, 7, on_batch_check, &c) >= 0);
	assert_int_equal(bgp_out_group_pending(g), 0);
	/* After a full flush the peers have exactly the Loc-RIB. */
	for (unsigned i = 0; i < 50; i++) {
		struct rh_prefix p = nth(i);
		struct bgp_rib_entry *e = bgp_rib_lookup(f->rib, &p);

		assert_ptr_equal(bgp_out_group_advertised(g, &p),
		                 e != NULL ? bgp_rib_entry_best(e)->attrs : NULL);
	}
	assert_true(c.sent > 0);
	for (unsigned i = 0; i < 4; i++)
		bgp_attrs_unref(sets[i]);
}

static void test_ebgp_attrs_helper(void **state)
{
	const struct bgp_attrs *x = mk(65001, 1, 0), *e;
	struct bgp_attrs *in = bgp_attrs_dup(x);
	char buf[64];

	(void)state;
	in->flags |= BGP_ATTRS_LOCAL_PREF | BGP_ATTRS_ORIGINATOR;
	in->local_pref = 200;
	in->originator_id = htonl(1);
	in->cluster = calloc(2, sizeof(*in->cluster));
	in->n_cluster = 2;
	e = bgp_export_ebgp_attrs(in, 65515, NULL);
	assert_non_null(e);
	assert_string_equal(bgp_aspath_fmt(e, buf, sizeof(buf)), "65515 65001");
	assert_int_equal(e->flags & (BGP_ATTRS_LOCAL_PREF | BGP_ATTRS_ORIGINATOR | BGP_ATTRS_MED),
	                 0);
	assert_int_equal(e->n_cluster, 0);
	/* Without a next hop of its own, the next hop stays. */
	assert_true(rh_addr_equal(&e->next_hop, &x->next_hop));
	bgp_attrs_free(in);
	bgp_attrs_unref(e);
	bgp_attrs_unref(x);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * The benchmark's path: a million prefixes from one peer into the RIB, UPDATE by UPDATE
 * (BATCH prefixes sharing a set), through the route-server group's queue, and out.
 */
static void test_scale(void **state)
{
	enum { N = 1000000, SETS = 1000, BATCH = 512 };
	struct fx *f = *state;
	const struct bgp_attrs **sets = calloc(SETS, sizeof(*sets));
	struct rh_prefix *pfx4 = calloc(N, sizeof(*pfx4));
	struct bgp_out_group *g = join(f, &rs_policy);
	struct count c = {0};
	double t0, t1, t2;
	long n;

	assert_non_null(sets);
	assert_non_null(pfx4);
	for (unsigned i = 0; i < SETS; i++)
		sets[i] = mk(65001, 1 + i % 5, 1000 + i);
	for (uint32_t i = 0; i < N; i++) {
		uint32_t a = htonl((10u << 24) + (i << 4));

		pfx4[i] = (struct rh_prefix){.family = RH_AF_INET, .len = 28};
		memcpy(pfx4[i].bytes, &a, 4);
	}
	t0 = now();
	for (uint32_t i = 0; i < N; i += BATCH) {
		size_t k = N - i < BATCH ? N - i : BATCH;

		assert_int_equal(bgp_rib_update_batch(f->rib, &f->a, &pfx4[i], NULL, k,
		                                      sets[(i / BATCH) % SETS]),
		                 0);
	}
	t1 = now();
	assert_int_equal(bgp_out_group_pending(g), N);
	print_message("# rib_out: %d prefixes pending in one group: %zu bytes, %.1f bytes/prefix\n",
	              N, bgp_out_group_memory(g), (double)bgp_out_group_memory(g) / N);
	n = bgp_out_group_flush(g, 1024, on_batch_count, &c);
	t2 = now();
	assert_int_equal(n, N);
	assert_int_equal(c.prefixes, N);
	/* 1,954 UPDATEs over 1,000 sets: a bucket per set, at most 1,024 prefixes each, so one
	 * batch per set, then the two End-of-RIBs. */
	assert_int_equal(c.batches, SETS + 2);
	print_message("# rib_out: RIB in + export %.0f ns/prefix, flush %.0f ns/prefix\n",
	              (t1 - t0) * 1e9 / N, (t2 - t1) * 1e9 / N);
	/* Memory a prefix once flushed: the group keeps the advertised set's id (4 bytes);
	 * the RIB its entry (32), path (32) and table slot (8, 61 % full here). */
	print_message("# rib_out: after the flush, group %.1f and RIB %.1f bytes/prefix\n",
	              (double)bgp_out_group_memory(g) / N, (double)bgp_rib_memory(f->rib) / N);
	assert_true(bgp_out_group_memory(g) < (size_t)N * 6);
	assert_true(bgp_rib_memory(f->rib) < (size_t)N * 80);
	for (unsigned i = 0; i < SETS; i++)
		bgp_attrs_unref(sets[i]);
	free(sets);
	free(pfx4);
}

/*
 * The group's state hangs off the RIB entry: an entry whose last path went stays, unseen,
 * until its withdrawal is sent, and a prefix announced again meanwhile finds it.
 */
static void test_withdraw_outlives_entry(void **state)
{
	struct fx *f = *state;
	const struct bgp_attrs *x = mk(65001, 1, 0);
	struct bgp_out_group *g = join(f, &rs_policy);
	struct rh_prefix p = nth(7);

	flush(g, 16); /* the End-of-RIBs */
	assert_int_equal(bgp_rib_update(f->rib, &f->a, &p, 0, x), 0);
	assert_int_equal(flush(g, 16), 1);
	assert_int_equal(bgp_rib_withdraw(f->rib, &f->a, &p, 0), 0);
	assert_null(bgp_rib_lookup(f->rib, &p));
	assert_int_equal(bgp_rib_prefix_count(f->rib, RH_AF_INET), 0);
	assert_non_null(bgp_rib_entry_find(f->rib, &p));
	/* Back before the flush: the change cancels, the entry has its path again. */
	assert_int_equal(bgp_rib_update(f->rib, &f->a, &p, 0, x), 0);
	assert_int_equal(bgp_rib_prefix_count(f->rib, RH_AF_INET), 1);
	assert_int_equal(bgp_out_group_pending(g), 0);
	assert_int_equal(flush(g, 16), 0);
	/* Gone again: the withdrawal goes out with the prefix, and then the entry. */
	assert_int_equal(bgp_rib_withdraw(f->rib, &f->a, &p, 0), 0);
	assert_int_equal(flush(g, 16), 1);
	assert_int_equal(got.n_withdrawn, 1);
	assert_true(rh_prefix_equal(&got.b[0].first, &p));
	assert_null(bgp_out_group_advertised(g, &p));
	assert_null(bgp_rib_entry_find(f->rib, &p));
	assert_int_equal(bgp_rib_prefix_count(f->rib, RH_AF_INET), 0);
	bgp_attrs_unref(x);
}

static void test_ibgp_attrs_helper(void **state)
{
	const struct bgp_attrs *x = mk(65001, 1, 0), *e, *r, *rr;
	struct bgp_rib_peer ext, in;
	struct rh_addr addr;
	struct bgp_path pe = {.peer = &ext, .attrs = x}, pi = {.peer = &in, .attrs = x};

	(void)state;
	assert_int_equal(rh_addr_parse("198.51.100.1", &addr), 0);
	bgp_rib_peer_init(&ext, 1, &addr, 65001, htonl(1), true);
	bgp_rib_peer_init(&in, 2, &addr, 65515, htonl(0x0a000002), false);
	/* Learned over eBGP: LOCAL_PREF added, nothing reflected. */
	e = bgp_export_ibgp_attrs(&pe, 100, htonl(7));
	assert_true(e->flags & BGP_ATTRS_LOCAL_PREF);
	assert_int_equal(e->local_pref, 100);
	assert_false(e->flags & BGP_ATTRS_ORIGINATOR);
	assert_int_equal(e->n_cluster, 0);
	/* Reflected: ORIGINATOR_ID = the peer's identifier, our cluster id first. */
	r = bgp_export_ibgp_attrs(&pi, 100, htonl(7));
	assert_true(r->flags & BGP_ATTRS_ORIGINATOR);
	assert_int_equal(r->originator_id, htonl(0x0a000002));
	assert_int_equal(r->n_cluster, 1);
	assert_int_equal(r->cluster[0], htonl(7));
	/* Reflected again by another reflector: the ORIGINATOR_ID stays, the list grows. */
	pi.attrs = r;
	rr = bgp_export_ibgp_attrs(&pi, 100, htonl(8));
	assert_int_equal(rr->originator_id, htonl(0x0a000002));
	assert_int_equal(rr->n_cluster, 2);
	assert_int_equal(rr->cluster[0], htonl(8));
	assert_int_equal(rr->cluster[1], htonl(7));
	bgp_attrs_unref(e);
	bgp_attrs_unref(r);
	bgp_attrs_unref(rr);
	bgp_attrs_unref(x);
	assert_int_equal(bgp_attrs_interned_count(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_eor_once, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_add_then_withdraw_cancels, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_replace_coalesces, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_grouped_by_attrs, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_withdrawals, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_route_refresh_resend, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_dump_for_newcomer, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_export_policy, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_export_cache_lets_go, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_random_sync, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_withdraw_outlives_entry, setup, teardown),
	        cmocka_unit_test(test_ebgp_attrs_helper),
	        cmocka_unit_test(test_ibgp_attrs_helper),
	        cmocka_unit_test_setup_teardown(test_scale, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
