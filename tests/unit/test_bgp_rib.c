/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The RIB: paths from several peers and with ADD-PATH, the change events, removing a
 * peer, graceful-restart stale sweep, max-prefix, and a million prefixes.
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
#include "ptable.h"
#include "rib.h"

/* ------------------------------------------------------------------ helpers */

/* An interned set with an AS path of `len` ASNs starting at first_as. */
static const struct bgp_attrs *aspath_attrs(uint32_t first_as, unsigned len, uint32_t med)
{
	struct bgp_attrs *a = bgp_attrs_new();

	assert_non_null(a);
	for (unsigned i = len; i > 1; i--)
		assert_int_equal(bgp_aspath_prepend(a, 64500 + i, 1), 0);
	assert_int_equal(bgp_aspath_prepend(a, first_as, 1), 0);
	a->med = med;
	a->flags |= BGP_ATTRS_MED | BGP_ATTRS_NEXT_HOP;
	assert_int_equal(rh_addr_parse("192.0.2.1", &a->next_hop), 0);
	return bgp_attrs_intern(a);
}

static struct rh_prefix pfx(const char *s)
{
	struct rh_prefix p;

	assert_int_equal(rh_prefix_parse(s, &p, true), 0);
	return p;
}

static void peer(struct bgp_rib_peer *p, uint32_t id, uint32_t asn, bool ebgp)
{
	struct rh_addr a;
	char s[32];

	snprintf(s, sizeof(s), "198.51.100.%u", id);
	assert_int_equal(rh_addr_parse(s, &a), 0);
	bgp_rib_peer_init(p, id, &a, asn, htonl(id), ebgp);
}

struct rec {
	unsigned n;
	const struct bgp_path *old_best, *new_best;
	const struct bgp_attrs *old_attrs, *new_attrs;
	bool best_changed, mp_changed;
	unsigned mp_members;
	bool entry_has_old_best; /* the old best is still in the entry's list */
};

static struct rec rec;

static void on_change(struct bgp_rib *rib, const struct bgp_rib_change *c, void *arg)
{
	(void)rib;
	(void)arg;
	rec.n++;
	rec.old_best = c->old_best;
	rec.new_best = c->new_best;
	rec.old_attrs = c->old_attrs;
	rec.new_attrs = c->new_best != NULL ? c->new_best->attrs : NULL;
	rec.best_changed = c->best_changed;
	rec.mp_changed = c->mp_changed;
	rec.mp_members = 0;
	rec.entry_has_old_best = false;
	for (struct bgp_path *p = c->entry->paths; p != NULL; p = p->next) {
		if (p->flags & BGP_PATH_MULTIPATH)
			rec.mp_members++;
		if (p == c->old_best)
			rec.entry_has_old_best = true;
	}
}

static void rec_reset(void)
{
	memset(&rec, 0, sizeof(rec));
}

/* ------------------------------------------------------------------ tests */

static void test_add_replace_withdraw(void **state)
{
	struct bgp_rib *rib = bgp_rib_new(NULL, on_change, NULL);
	struct bgp_rib_peer a, b;
	const struct bgp_attrs *a2 = aspath_attrs(65001, 2, 0), *a1 = aspath_attrs(65001, 1, 0),
	                       *b3 = aspath_attrs(65002, 3, 0), *b2 = aspath_attrs(65002, 2, 0);
	struct rh_prefix p = pfx("203.0.113.0/24");
	struct bgp_path *pa, *pb;

	(void)state;
	assert_non_null(rib);
	peer(&a, 1, 65001, true);
	peer(&b, 2, 65002, true);
	rec_reset();

	/* First path: best and multipath set change. */
	assert_int_equal(bgp_rib_update(rib, &a, &p, 0, a2), 0);
	pa = bgp_rib_path_find(bgp_rib_lookup(rib, &p), &a, 0);
	assert_int_equal(rec.n, 1);
	assert_null(rec.old_best);
	assert_ptr_equal(rec.new_best, pa);
	assert_true(rec.best_changed && rec.mp_changed);
	assert_int_equal(rec.mp_members, 1);

	/* A worse path: nothing to report. */
	assert_int_equal(bgp_rib_update(rib, &b, &p, 0, b3), 0);
	assert_int_equal(rec.n, 1);
	pb = bgp_rib_path_find(bgp_rib_lookup(rib, &p), &b, 0);
	assert_non_null(pb);
	assert_int_equal(pb->flags & BGP_PATH_MULTIPATH, 0);

	/* Effective routes: why b is not the best. */
	assert_int_equal(bgp_rib_path_why(rib, bgp_rib_lookup(rib, &p), pb), BGP_STEP_AS_PATH);
	assert_int_equal(bgp_rib_path_why(rib, bgp_rib_lookup(rib, &p), pa), BGP_STEP_EQUAL);

	/* Replaced by an equal-length path: joins the multipath set, same best. */
	assert_int_equal(bgp_rib_update(rib, &b, &p, 0, b2), 0);
	assert_int_equal(rec.n, 2);
	assert_false(rec.best_changed);
	assert_true(rec.mp_changed);
	assert_int_equal(rec.mp_members, 2);
	assert_ptr_equal(rec.new_best, pa);
	assert_int_equal(bgp_rib_path_why(rib, bgp_rib_lookup(rib, &p), pb), BGP_STEP_ROUTER_ID);

	/* The same set again: no event. */
	assert_int_equal(bgp_rib_update(rib, &b, &p, 0, b2), 0);
	assert_int_equal(rec.n, 2);

	/* The best gets a shorter path: same best path, new attributes; b leaves the set. */
	assert_int_equal(bgp_rib_update(rib, &a, &p, 0, a1), 0);
	assert_int_equal(rec.n, 3);
	assert_true(rec.best_changed && rec.mp_changed);
	assert_ptr_equal(rec.old_best, pa);
	assert_ptr_equal(rec.new_best, pa);
	assert_ptr_equal(rec.old_attrs, a2);
	assert_ptr_equal(rec.new_attrs, a1);
	assert_int_equal(rec.mp_members, 1);

	/* The best withdrawn: b takes over; the old best is readable but gone. */
	assert_int_equal(bgp_rib_withdraw(rib, &a, &p, 0), 0);
	assert_int_equal(rec.n, 4);
	assert_ptr_equal(rec.old_best, pa);
	assert_ptr_equal(rec.old_attrs, a1);
	assert_false(rec.entry_has_old_best);
	assert_ptr_equal(rec.new_best, pb);
	assert_true(rec.best_changed && rec.mp_changed);
	assert_int_equal(a.n_paths, 0);

	/* Not there: -ENOENT, no event. */
	assert_int_equal(bgp_rib_withdraw(rib, &a, &p, 0), -ENOENT);
	assert_int_equal(rec.n, 4);

	/* The last path: no best, and the entry goes. */
	assert_int_equal(bgp_rib_withdraw(rib, &b, &p, 0), 0);
	assert_int_equal(rec.n, 5);
	assert_null(rec.new_best);
	assert_true(rec.best_changed);
	assert_null(bgp_rib_lookup(rib, &p));
	assert_int_equal(bgp_rib_prefix_count(rib, RH_AF_INET), 0);
	assert_int_equal(bgp_rib_path_count(rib), 0);

	/* A family the RIB does not know. */
	p.family = 9;
	assert_int_equal(bgp_rib_update(rib, &a, &p, 0, a1), -EAFNOSUPPORT);
	bgp_rib_free(rib);
	bgp_attrs_unref(a1);
	bgp_attrs_unref(a2);
	bgp_attrs_unref(b2);
	bgp_attrs_unref(b3);
	assert_int_equal(bgp_attrs_interned_count(), 0);
}

static void test_non_best_multipath_leaves(void **state)
{
	struct bgp_rib *rib = bgp_rib_new(NULL, on_change, NULL);
	struct bgp_rib_peer a, b, c;
	const struct bgp_attrs *x = aspath_attrs(65001, 2, 0), *y = aspath_attrs(65002, 2, 0);
	struct rh_prefix p = pfx("2001:db8:1::/48");

	(void)state;
	peer(&a, 1, 65001, true);
	peer(&b, 2, 65002, true);
	peer(&c, 3, 65002, true);
	rec_reset();
	assert_int_equal(bgp_rib_update(rib, &a, &p, 0, x), 0);
	assert_int_equal(bgp_rib_update(rib, &b, &p, 0, y), 0);
	assert_int_equal(bgp_rib_update(rib, &c, &p, 0, y), 0);
	assert_int_equal(rec.n, 3);
	assert_int_equal(rec.mp_members, 3);
	/* A member that is not the best leaves: only the set changes. */
	assert_int_equal(bgp_rib_withdraw(rib, &b, &p, 0), 0);
	assert_int_equal(rec.n, 4);
	assert_false(rec.best_changed);
	assert_true(rec.mp_changed);
	assert_int_equal(rec.mp_members, 2);
	assert_int_equal(bgp_rib_prefix_count(rib, RH_AF_INET6), 1);
	assert_int_equal(c.n_paths_af[1], 1);
	bgp_rib_free(rib);
	assert_int_equal(a.n_paths, 0);
	bgp_attrs_unref(x);
	bgp_attrs_unref(y);
}

static void test_peer_remove(void **state)
{
	struct bgp_rib *rib = bgp_rib_new(NULL, on_change, NULL);
	struct bgp_rib_peer a, b;
	const struct bgp_attrs *good = aspath_attrs(65001, 1, 0),
	                       *worse = aspath_attrs(65002, 4, 0);
	char s[64];

	(void)state;
	peer(&a, 1, 65001, true);
	peer(&b, 2, 65002, true);
	for (unsigned i = 0; i < 300; i++) {
		struct rh_prefix p;

		snprintf(s, sizeof(s), "198.18.%u.0/24", i % 256);
		if (i >= 256)
			snprintf(s, sizeof(s), "2001:db8:%x::/48", i);
		p = pfx(s);
		assert_int_equal(bgp_rib_update(rib, &a, &p, 0, good), 0);
		if (i % 2 == 0)
			assert_int_equal(bgp_rib_update(rib, &b, &p, 0, worse), 0);
	}
	assert_int_equal(a.n_paths, 300);
	assert_int_equal(a.n_paths_af[0], 256);
	assert_int_equal(a.n_paths_af[1], 44);
	assert_int_equal(b.n_paths, 150);
	rec_reset();
	assert_int_equal(bgp_rib_peer_remove(rib, &a), 300);
	/* Every prefix lost its best: 150 moved to b, 150 are gone. */
	assert_int_equal(rec.n, 300);
	assert_int_equal(a.n_paths, 0);
	assert_int_equal(bgp_rib_prefix_count(rib, RH_AF_INET) +
	                         bgp_rib_prefix_count(rib, RH_AF_INET6),
	                 150);
	assert_int_equal(bgp_rib_path_count(rib), 150);
	assert_int_equal(bgp_rib_peer_remove(rib, &b), 150);
	assert_int_equal(bgp_rib_prefix_count(rib, RH_AF_INET), 0);
	bgp_rib_free(rib);
	bgp_attrs_unref(good);
	bgp_attrs_unref(worse);
}

static void test_addpath(void **state)
{
	struct bgp_rib *rib = bgp_rib_new(NULL, on_change, NULL);
	struct bgp_rib_peer a;
	const struct bgp_attrs *s[3] = {aspath_attrs(65001, 3, 0), aspath_attrs(65001, 1, 0),
	                                aspath_attrs(65001, 1, 5)};
	struct rh_prefix p = pfx("192.0.2.0/24");
	struct bgp_rib_entry *e;

	(void)state;
	peer(&a, 1, 65001, true);
	rec_reset();
	/* RFC 7911: several paths from one peer, told apart by path id. */
	for (uint32_t id = 1; id <= 3; id++)
		assert_int_equal(bgp_rib_update(rib, &a, &p, id, s[id - 1]), 0);
	e = bgp_rib_lookup(rib, &p);
	assert_int_equal(a.n_paths, 3);
	assert_ptr_equal(bgp_rib_entry_best(e), bgp_rib_path_find(e, &a, 2));
	assert_int_equal(bgp_rib_entry_best(e)->path_id, 2);
	assert_null(bgp_rib_path_find(e, &a, 4));
	/* Path 3 loses on MED within the same AS: not in the set. */
	assert_int_equal(rec.mp_members, 1);
	assert_int_equal(bgp_rib_withdraw(rib, &a, &p, 2), 0);
	assert_int_equal(bgp_rib_entry_best(e)->path_id, 3);
	assert_int_equal(bgp_rib_withdraw(rib, &a, &p, 2), -ENOENT);
	assert_int_equal(a.n_paths, 2);
	bgp_rib_free(rib);
	for (unsigned i = 0; i < 3; i++)
		bgp_attrs_unref(s[i]);
}

static void test_stale_sweep(void **state)
{
	struct bgp_rib *rib = bgp_rib_new(NULL, NULL, NULL);
	struct bgp_rib_peer a;
	const struct bgp_attrs *x = aspath_attrs(65001, 1, 0), *y = aspath_attrs(65001, 2, 0);
	struct rh_prefix p[4] = {pfx("198.18.0.0/24"), pfx("198.18.1.0/24"), pfx("198.18.2.0/24"),
	                         pfx("198.18.3.0/24")};

	(void)state;
	peer(&a, 1, 65001, true);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(bgp_rib_update(rib, &a, &p[i], 0, x), 0);
	/* RFC 4724 4.2: the session restarts, the routes stay, marked stale. */
	assert_int_equal(bgp_rib_peer_mark_stale(rib, &a), 4);
	assert_true(bgp_rib_path_find(bgp_rib_lookup(rib, &p[0]), &a, 0)->flags & BGP_PATH_STALE);
	/* Re-announced, same or other attributes: no longer stale. */
	assert_int_equal(bgp_rib_update(rib, &a, &p[0], 0, x), 0);
	assert_int_equal(bgp_rib_update(rib, &a, &p[1], 0, y), 0);
	assert_false(bgp_rib_path_find(bgp_rib_lookup(rib, &p[0]), &a, 0)->flags & BGP_PATH_STALE);
	/* End-of-RIB: the others go. */
	assert_int_equal(bgp_rib_peer_sweep_stale(rib, &a), 2);
	assert_non_null(bgp_rib_lookup(rib, &p[0]));
	assert_non_null(bgp_rib_lookup(rib, &p[1]));
	assert_null(bgp_rib_lookup(rib, &p[2]));
	assert_null(bgp_rib_lookup(rib, &p[3]));
	assert_int_equal(a.n_paths, 2);
	bgp_rib_free(rib);
	bgp_attrs_unref(x);
	bgp_attrs_unref(y);
}

/*
 * RFC 4724 4.2 per family: the routes re-announced unchanged by the restarted peer make no
 * change event (no withdraw/re-announce flap toward other peers), the End-of-RIB of one
 * family sweeps only that family, and a sweep withdraws (change event, other path best).
 */
static void test_stale_sweep_family(void **state)
{
	struct bgp_rib *rib = bgp_rib_new(NULL, on_change, NULL);
	struct bgp_rib_peer a, b;
	const struct bgp_attrs *x = aspath_attrs(65001, 1, 0), *y = aspath_attrs(65002, 2, 0);
	struct rh_prefix p[4] = {pfx("198.18.0.0/24"), pfx("198.18.1.0/24"), pfx("2001:db8:1::/48"),
	                         pfx("2001:db8:2::/48")};

	(void)state;
	peer(&a, 1, 65001, true);
	peer(&b, 2, 65002, true);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(bgp_rib_update(rib, &a, &p[i], 0, x), 0);
	/* b has a longer path to 198.18.1.0/24: the fallback once a's stale one goes. */
	assert_int_equal(bgp_rib_update(rib, &b, &p[1], 0, y), 0);
	assert_int_equal(bgp_rib_peer_mark_stale(rib, &a), 4);
	/* Stale paths stay best: traffic keeps flowing (RFC 4724 4.2, no depreference). */
	assert_ptr_equal(bgp_rib_entry_best(bgp_rib_lookup(rib, &p[1]))->peer, &a);

	memset(&rec, 0, sizeof(rec));
	assert_int_equal(bgp_rib_update(rib, &a, &p[0], 0, x), 0);
	assert_int_equal(bgp_rib_update(rib, &a, &p[2], 0, x), 0);
	assert_int_equal(rec.n, 0);

	/* IPv4 End-of-RIB: 198.18.1.0/24 (not re-announced) goes, b's path takes over. */
	assert_int_equal(bgp_rib_peer_sweep_stale_family(rib, &a, RH_AF_INET), 1);
	assert_int_equal(rec.n, 1);
	assert_true(rec.best_changed);
	assert_ptr_equal(bgp_rib_entry_best(bgp_rib_lookup(rib, &p[1]))->peer, &b);
	assert_non_null(bgp_rib_lookup(rib, &p[0]));
	/* IPv6 still waits for its own End-of-RIB. */
	assert_non_null(bgp_rib_lookup(rib, &p[3]));
	assert_true(bgp_rib_path_find(bgp_rib_lookup(rib, &p[3]), &a, 0)->flags & BGP_PATH_STALE);
	assert_int_equal(bgp_rib_peer_sweep_stale_family(rib, &a, RH_AF_INET), 0);
	assert_int_equal(bgp_rib_peer_sweep_stale_family(rib, &a, RH_AF_INET6), 1);
	assert_null(bgp_rib_lookup(rib, &p[3]));
	assert_non_null(bgp_rib_lookup(rib, &p[2]));
	assert_int_equal(a.n_paths, 2);
	assert_int_equal(a.n_paths_af[0], 1);
	assert_int_equal(a.n_paths_af[1], 1);
	/* Nothing stale left: the sweep of every family finds nothing. */
	assert_int_equal(bgp_rib_peer_sweep_stale(rib, &a), 0);
	bgp_rib_free(rib);
	bgp_attrs_unref(x);
	bgp_attrs_unref(y);
}

static unsigned limit_calls;

static void on_limit(struct bgp_rib_peer *p, void *arg)
{
	(void)arg;
	assert_int_equal(p->n_paths, 11);
	limit_calls++;
}

static void test_max_prefix(void **state)
{
	struct bgp_rib *rib = bgp_rib_new(NULL, NULL, NULL);
	struct bgp_rib_peer a;
	const struct bgp_attrs *x = aspath_attrs(65001, 1, 0), *y = aspath_attrs(65001, 2, 0);
	char s[32];

	(void)state;
	peer(&a, 1, 65001, true);
	a.max_prefix = 10;
	a.limit_cb = on_limit;
	limit_calls = 0;
	for (unsigned i = 0; i < 10; i++) {
		struct rh_prefix p;

		snprintf(s, sizeof(s), "198.18.%u.0/24", i);
		p = pfx(s);
		assert_int_equal(bgp_rib_update(rib, &a, &p, 0, x), 0);
		/* A replacement is not a new route. */
		assert_int_equal(bgp_rib_update(rib, &a, &p, 0, y), 0);
	}
	assert_int_equal(limit_calls, 0);
	/* R11: held plus incoming. */
	assert_false(bgp_rib_peer_over_limit(&a, 0));
	assert_true(bgp_rib_peer_over_limit(&a, 1));
	for (unsigned i = 10; i < 13; i++) {
		struct rh_prefix p;

		snprintf(s, sizeof(s), "198.18.%u.0/24", i);
		p = pfx(s);
		assert_int_equal(bgp_rib_update(rib, &a, &p, 0, x), 0);
	}
	assert_int_equal(limit_calls, 1);
	assert_true(a.limit_fired);
	bgp_rib_peer_remove(rib, &a);
	assert_false(a.limit_fired);
	a.max_prefix = 0;
	assert_false(bgp_rib_peer_over_limit(&a, 1000000));
	bgp_rib_free(rib);
	bgp_attrs_unref(x);
	bgp_attrs_unref(y);
}

static bool nh_up;

static bool resolvable(const struct bgp_path *p, void *arg)
{
	(void)arg;
	return nh_up || p->peer->id != 1;
}

static void test_redecide(void **state)
{
	struct bgp_decision_cfg cfg;
	struct bgp_rib *rib;
	struct bgp_rib_peer a, b;
	const struct bgp_attrs *x = aspath_attrs(65001, 1, 0), *y = aspath_attrs(65002, 3, 0);
	struct rh_prefix p = pfx("198.51.100.0/24");

	(void)state;
	bgp_decision_defaults(&cfg);
	cfg.resolvable = resolvable;
	rib = bgp_rib_new(&cfg, on_change, NULL);
	peer(&a, 1, 65001, true);
	peer(&b, 2, 65002, true);
	nh_up = true;
	assert_int_equal(bgp_rib_update(rib, &a, &p, 0, x), 0);
	assert_int_equal(bgp_rib_update(rib, &b, &p, 0, y), 0);
	rec_reset();
	/* RFC 4271 9.1.2: a's next hop goes away; b takes over. */
	nh_up = false;
	bgp_rib_redecide_all(rib);
	assert_int_equal(rec.n, 1);
	assert_int_equal(rec.new_best->peer->id, 2);
	bgp_rib_redecide_all(rib);
	assert_int_equal(rec.n, 1);
	nh_up = true;
	bgp_rib_redecide(rib, bgp_rib_lookup(rib, &p));
	assert_int_equal(rec.n, 2);
	assert_int_equal(rec.new_best->peer->id, 1);
	bgp_rib_free(rib);
	bgp_attrs_unref(x);
	bgp_attrs_unref(y);
}

/* ------------------------------------------------------------------ random */

enum { RP = 40, RPEERS = 6, RSETS = 8 };

/* What the change events told, per prefix: the best (peer id, path id, set), the set size. */
static struct view {
	uint32_t peer, path_id;
	const struct bgp_attrs *attrs;
	unsigned mp;
} view[RP];

static void on_change_view(struct bgp_rib *rib, const struct bgp_rib_change *c, void *arg)
{
	struct view *v = &view[bgp_rib_entry_prefix(c->entry)->bytes[2]];

	(void)rib;
	(void)arg;
	v->peer = c->new_best != NULL ? c->new_best->peer->id : 0;
	v->path_id = c->new_best != NULL ? c->new_best->path_id : 0;
	v->attrs = c->new_best != NULL ? c->new_best->attrs : NULL;
	v->mp = 0;
	for (struct bgp_path *p = c->entry->paths; p != NULL; p = p->next)
		v->mp += (p->flags & BGP_PATH_MULTIPATH) != 0;
}

/*
 * An independent reading of RFC 4271 9.1.2.2 (and RFC 4456 9), from the attributes: the
 * candidates, minus those eliminated by MED within their neighbour AS. All resolvable,
 * no IGP cost, LOCAL_PREF absent.
 */
static bool ref_candidate(const struct bgp_path *p, const struct bgp_path *q)
{
	/* q ties with p on a) and b): same AS_PATH length and ORIGIN. */
	return bgp_aspath_length(p->attrs) == bgp_aspath_length(q->attrs) &&
	       p->attrs->origin == q->attrs->origin;
}

static bool ref_survives(const struct bgp_rib_entry *e, const struct bgp_path *p)
{
	for (const struct bgp_path *q = e->paths; q != NULL; q = q->next) {
		if (bgp_aspath_length(q->attrs) < bgp_aspath_length(p->attrs) ||
		    (ref_candidate(p, q) && q->attrs->origin < p->attrs->origin))
			return false;
		if (ref_candidate(p, q) &&
		    bgp_aspath_first_as(q->attrs) == bgp_aspath_first_as(p->attrs) &&
		    q->attrs->med < p->attrs->med)
			return false;
	}
	return true;
}

/* d) to g) and the path id: a total order on the survivors. */
static bool ref_before(const struct bgp_path *a, const struct bgp_path *b)
{
	if (a->peer->ebgp != b->peer->ebgp)
		return a->peer->ebgp;
	if (a->peer->bgp_id != b->peer->bgp_id)
		return ntohl(a->peer->bgp_id) < ntohl(b->peer->bgp_id);
	if (rh_addr_cmp(&a->peer->addr, &b->peer->addr) != 0)
		return rh_addr_cmp(&a->peer->addr, &b->peer->addr) < 0;
	return a->path_id < b->path_id;
}

static void check_reference(const struct bgp_rib *rib, const struct bgp_rib_entry *e)
{
	const struct bgp_path *best = NULL;
	unsigned eligible = 0, flagged = 0;

	for (const struct bgp_path *q = e->paths; q != NULL; q = q->next)
		if (ref_survives(e, q) && (best == NULL || ref_before(q, best)))
			best = q;
	if (bgp_rib_entry_best(e) != best)
		for (const struct bgp_path *q = e->paths; q != NULL; q = q->next)
			print_message(
			        "# DBG peer %u ebgp %d id %u len %u as %u med %u pid %u fl %x "
			        "surv %d ref %d\n",
			        q->peer->id, q->peer->ebgp, ntohl(q->peer->bgp_id),
			        bgp_aspath_length(q->attrs), bgp_aspath_first_as(q->attrs),
			        q->attrs->med, q->path_id, q->flags, ref_survives(e, q), q == best);
	assert_ptr_equal(bgp_rib_entry_best(e), best);
	/* Multipath: the survivors that tie with the best on d), e.g. both eBGP. */
	for (const struct bgp_path *q = e->paths; q != NULL; q = q->next) {
		bool ok = ref_survives(e, q) && q->peer->ebgp == best->peer->ebgp;

		eligible += ok;
		if (q->flags & BGP_PATH_MULTIPATH) {
			assert_true(ok);
			flagged++;
		}
	}
	assert_int_equal(flagged, eligible < rib->cfg.max_paths ? eligible : rib->cfg.max_paths);
}

/* The entry agrees with the events, and with a brute-force decision over its paths. */
static void check_entry(struct bgp_rib *rib, unsigned i)
{
	struct rh_prefix p = {.family = RH_AF_INET, .len = 24, .bytes = {198, 18, (uint8_t)i, 0}};
	struct bgp_rib_entry *e = bgp_rib_lookup(rib, &p);
	struct bgp_path *best, *q;
	unsigned mp = 0;

	if (e == NULL) {
		assert_int_equal(view[i].peer, 0);
		return;
	}
	assert_non_null(e->paths);
	best = bgp_rib_entry_best(e);
	assert_non_null(best);
	assert_int_equal(view[i].peer, best->peer->id);
	assert_int_equal(view[i].path_id, best->path_id);
	assert_ptr_equal(view[i].attrs, best->attrs);
	if (!rib->cfg.always_compare_med) {
		check_reference(rib, e);
		for (q = e->paths; q != NULL; q = q->next)
			mp += (q->flags & BGP_PATH_MULTIPATH) != 0;
		assert_int_equal(view[i].mp, mp);
		return;
	}
	for (q = e->paths; q != NULL; q = q->next) {
		enum bgp_decision_step step;

		assert_true(bgp_decision_compare(&rib->cfg, best, q, &step) <= 0);
		if (q != best && bgp_decision_step_multipath(step) && mp < rib->cfg.max_paths) {
			assert_true(q->flags & BGP_PATH_MULTIPATH);
			mp++;
		} else if (q == best) {
			mp++;
		} else {
			assert_false(q->flags & BGP_PATH_MULTIPATH);
		}
		if (q->next != NULL)
			assert_true(bgp_decision_compare(&rib->cfg, q, q->next, NULL) <= 0);
	}
	assert_int_equal(view[i].mp, mp);
}

static void random_consistency(bool always_compare_med)
{
	struct bgp_decision_cfg cfg;
	struct bgp_rib *rib;
	struct bgp_rib_peer peers[RPEERS];
	const struct bgp_attrs *sets[RSETS];
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	/* always-compare-med: a total order that a pairwise brute force can check; without
	 * it, the reference elimination above. */
	bgp_decision_defaults(&cfg);
	cfg.always_compare_med = always_compare_med;
	cfg.max_paths = 3;
	rib = bgp_rib_new(&cfg, on_change_view, NULL);
	memset(view, 0, sizeof(view));
	for (unsigned i = 0; i < RPEERS; i++)
		peer(&peers[i], i + 1, 65001 + i % 3, i != 5);
	for (unsigned i = 0; i < RSETS; i++)
		sets[i] = aspath_attrs(65001 + i % 2, 1 + i / 4, (i / 2) % 2 * 10);
	for (unsigned op = 0; op < 30000; op++) {
		unsigned i, pr, act;
		struct rh_prefix p = {.family = RH_AF_INET, .len = 24};

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		i = (unsigned)(x % RP);
		pr = (unsigned)((x >> 16) % RPEERS);
		act = (unsigned)((x >> 32) % 1000);
		p.bytes[0] = 198;
		p.bytes[1] = 18;
		p.bytes[2] = (uint8_t)i;
		if (act < 600)
			assert_int_equal(bgp_rib_update(rib, &peers[pr], &p, (x >> 40) % 2,
			                                sets[(x >> 48) % RSETS]),
			                 0);
		else if (act < 995)
			bgp_rib_withdraw(rib, &peers[pr], &p, (x >> 40) % 2);
		else
			bgp_rib_peer_remove(rib, &peers[pr]);
		check_entry(rib, i);
		if (op % 1000 == 0)
			for (unsigned k = 0; k < RP; k++)
				check_entry(rib, k);
	}
	for (unsigned k = 0; k < RP; k++)
		check_entry(rib, k);
	bgp_rib_free(rib);
	for (unsigned i = 0; i < RSETS; i++)
		bgp_attrs_unref(sets[i]);
}

static void test_random_consistency(void **state)
{
	(void)state;
	random_consistency(true);
}

static void test_random_med_elimination(void **state)
{
	(void)state;
	random_consistency(false);
}

/* ------------------------------------------------------------------ scale */

struct tnode {
	struct bgp_pnode node;
	bool in;
};

static struct rh_prefix nth_v4(uint32_t i)
{
	/* Spread over 10.0.0.0/8 and beyond as /24s, /32s for the upper half. */
	struct rh_prefix p = {.family = RH_AF_INET, .len = 24};
	uint32_t a = (10u << 24) + (i << 8);

	if (i >= (1u << 16) * 8) {
		p.len = 32;
		a = (11u << 24) + i;
	}
	a = htonl(a);
	memcpy(p.bytes, &a, 4);
	return p;
}

static int count_cb(struct bgp_pnode *n, void *arg)
{
	(void)n;
	(*(size_t *)arg)++;
	return 0;
}

static void test_ptable_resize(void **state)
{
	enum { N = 200000 };
	struct tnode *nodes = calloc(N, sizeof(*nodes));
	struct bgp_ptable t;
	size_t walked = 0, peak = 0;

	(void)state;
	assert_non_null(nodes);
	bgp_ptable_init(&t);
	/* Inserts, with every third removed right away: removals land mid-resize. */
	for (uint32_t i = 0; i < N; i++) {
		nodes[i].node.prefix = nth_v4(i);
		nodes[i].node.hash = bgp_prefix_hash(&nodes[i].node.prefix);
		assert_int_equal(bgp_ptable_insert(&t, &nodes[i].node), 0);
		nodes[i].in = true;
		if (bgp_ptable_memory(&t) > peak)
			peak = bgp_ptable_memory(&t);
		if (i % 3 == 0) {
			bgp_ptable_remove(&t, &nodes[i].node);
			nodes[i].in = false;
		}
	}
	for (uint32_t i = 0; i < N; i++) {
		struct bgp_pnode *n =
		        bgp_ptable_lookup(&t, &nodes[i].node.prefix, nodes[i].node.hash);

		assert_ptr_equal(n, nodes[i].in ? &nodes[i].node : NULL);
	}
	assert_int_equal(bgp_ptable_walk(&t, count_cb, &walked), 0);
	assert_int_equal(walked, t.count);
	/* Remove nearly all: the table shrinks, still correct. */
	for (uint32_t i = 0; i < N - 10; i++)
		if (nodes[i].in) {
			bgp_ptable_remove(&t, &nodes[i].node);
			nodes[i].in = false;
		}
	for (uint32_t i = 0; i < N; i++) {
		struct bgp_pnode *n =
		        bgp_ptable_lookup(&t, &nodes[i].node.prefix, nodes[i].node.hash);

		assert_ptr_equal(n, nodes[i].in ? &nodes[i].node : NULL);
	}
	assert_int_equal(t.count, 7); /* of the last 10, three were removed (i % 3 == 0) */
	assert_true(bgp_ptable_memory(&t) < peak / 8);
	/* Insert again over the tombstones. */
	for (uint32_t i = 0; i < N / 2; i++)
		assert_int_equal(bgp_ptable_insert(&t, &nodes[i].node), 0);
	for (uint32_t i = 0; i < N / 2; i++)
		assert_ptr_equal(bgp_ptable_lookup(&t, &nodes[i].node.prefix, nodes[i].node.hash),
		                 &nodes[i].node);
	bgp_ptable_fini(&t);
	free(nodes);
}

static void check_all(struct bgp_ptable *t, struct tnode *nodes, uint32_t n)
{
	size_t walked = 0, in = 0;

	for (uint32_t i = 0; i < n; i++) {
		struct bgp_pnode *x =
		        bgp_ptable_lookup(t, &nodes[i].node.prefix, nodes[i].node.hash);

		assert_ptr_equal(x, nodes[i].in ? &nodes[i].node : NULL);
		in += nodes[i].in;
	}
	assert_int_equal(bgp_ptable_walk(t, count_cb, &walked), 0);
	assert_int_equal(walked, in);
	assert_int_equal(t->count, in);
}

static void test_ptable_random(void **state)
{
	enum { N = 20000, OPS = 400000 };
	struct tnode *nodes = calloc(N, sizeof(*nodes));
	struct bgp_ptable t;
	uint64_t x = 88172645463325252ULL;

	(void)state;
	assert_non_null(nodes);
	bgp_ptable_init(&t);
	for (uint32_t i = 0; i < N; i++) {
		nodes[i].node.prefix = nth_v4(i * 7919 % (1u << 19));
		nodes[i].node.hash = bgp_prefix_hash(&nodes[i].node.prefix);
	}
	/* Phases that fill, churn and drain, against a reference; tombstones, growth and
	 * shrinking all happen. */
	for (uint32_t op = 0; op < OPS; op++) {
		uint32_t phase = op / (OPS / 8), i, fill;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		i = (uint32_t)(x % N);
		fill = phase % 2 == 0 ? 80 : 20; /* percent chance to insert */
		if ((x >> 32) % 100 < fill) {
			if (!nodes[i].in) {
				assert_int_equal(bgp_ptable_insert(&t, &nodes[i].node), 0);
				nodes[i].in = true;
			}
		} else if (nodes[i].in) {
			bgp_ptable_remove(&t, &nodes[i].node);
			nodes[i].in = false;
		}
		if (op % (OPS / 40) == 0)
			check_all(&t, nodes, N);
	}
	check_all(&t, nodes, N);
	bgp_ptable_fini(&t);
	free(nodes);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct rh_prefix nth_v6(uint32_t i)
{
	struct rh_prefix p = {.family = RH_AF_INET6, .len = 64};
	uint32_t a = htonl(0x20010db8), b = htonl(i);

	memcpy(p.bytes, &a, 4);
	memcpy(p.bytes + 4, &b, 4);
	return p;
}

#define BATCH 512 /* prefixes of one UPDATE, about, for IPv4 /24s in 4 KiB */

static void test_million_prefixes(void **state)
{
	enum { N = 1000000, SETS = 1000 };
	const struct bgp_attrs **sets = calloc(SETS, sizeof(*sets));
	struct rh_prefix *pfx4 = calloc(N, sizeof(*pfx4));
	struct bgp_rib *rib = bgp_rib_new(NULL, NULL, NULL);
	struct bgp_rib_peer a, b;
	double t[8];
	size_t mem, mem4, removed = 0;

	(void)state;
	assert_non_null(sets);
	assert_non_null(pfx4);
	peer(&a, 1, 65001, true);
	peer(&b, 2, 65002, true);
	for (unsigned i = 0; i < SETS; i++)
		sets[i] = aspath_attrs(65001, 2, i);
	for (uint32_t i = 0; i < N; i++)
		pfx4[i] = nth_v4(i);

	/* IPv4 as a session feeds it: UPDATEs of BATCH prefixes sharing one set. */
	t[0] = now();
	for (uint32_t i = 0; i < N; i += BATCH) {
		size_t n = N - i < BATCH ? N - i : BATCH;

		assert_int_equal(
		        bgp_rib_update_batch(rib, &a, &pfx4[i], NULL, n, sets[(i / BATCH) % SETS]),
		        0);
	}
	t[1] = now();
	assert_int_equal(bgp_rib_prefix_count(rib, RH_AF_INET), N);
	for (uint32_t i = 0; i < N; i++) {
		struct bgp_rib_entry *e = bgp_rib_lookup(rib, &pfx4[i]);

		assert_non_null(e);
		assert_ptr_equal(bgp_rib_entry_best(e)->attrs, sets[(i / BATCH) % SETS]);
	}
	t[2] = now();
	mem4 = bgp_rib_memory(rib);
	/* Churn: every route replaced by another set. */
	for (uint32_t i = 0; i < N; i += BATCH) {
		size_t n = N - i < BATCH ? N - i : BATCH;

		assert_int_equal(bgp_rib_update_batch(rib, &a, &pfx4[i], NULL, n,
		                                      sets[(i / BATCH + 1) % SETS]),
		                 0);
	}
	t[3] = now();

	/* IPv6 one prefix at a time, from another peer. */
	for (uint32_t i = 0; i < N; i++) {
		struct rh_prefix p = nth_v6(i);

		assert_int_equal(bgp_rib_update(rib, &b, &p, 0, sets[i % SETS]), 0);
	}
	t[4] = now();
	assert_int_equal(bgp_rib_prefix_count(rib, RH_AF_INET6), N);
	mem = bgp_rib_memory(rib);

	for (uint32_t i = 0; i < N; i += BATCH) {
		size_t n = N - i < BATCH ? N - i : BATCH;

		removed += bgp_rib_withdraw_batch(rib, &a, &pfx4[i], NULL, n);
	}
	t[5] = now();
	assert_int_equal(removed, N);
	assert_int_equal(bgp_rib_peer_remove(rib, &b), N);
	t[6] = now();

	print_message("# rib: %d IPv4 prefixes, one path each: %zu bytes, %.1f bytes/prefix\n", N,
	              mem4, (double)mem4 / N);
	print_message("# rib: + %d IPv6 prefixes: %zu bytes, %.1f bytes/prefix\n", N, mem,
	              (double)mem / (2.0 * N));
	print_message("# rib: IPv4 batch insert %.0f ns/prefix, lookup %.0f, batch replace %.0f, "
	              "batch withdraw %.0f\n",
	              (t[1] - t[0]) * 1e9 / N, (t[2] - t[1]) * 1e9 / N, (t[3] - t[2]) * 1e9 / N,
	              (t[5] - t[4]) * 1e9 / N);
	print_message("# rib: IPv6 single insert %.0f ns/prefix, peer removal %.0f ns/prefix\n",
	              (t[4] - t[3]) * 1e9 / N, (t[6] - t[5]) * 1e9 / N);
	assert_true(mem4 / N < 200);
	assert_true(mem / (2 * N) < 200);
	assert_int_equal(
	        bgp_rib_prefix_count(rib, RH_AF_INET) + bgp_rib_prefix_count(rib, RH_AF_INET6), 0);
	bgp_rib_free(rib);
	for (unsigned i = 0; i < SETS; i++)
		bgp_attrs_unref(sets[i]);
	free(sets);
	free(pfx4);
	assert_int_equal(bgp_attrs_interned_count(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_add_replace_withdraw),
	        cmocka_unit_test(test_non_best_multipath_leaves),
	        cmocka_unit_test(test_peer_remove),
	        cmocka_unit_test(test_addpath),
	        cmocka_unit_test(test_stale_sweep),
	        cmocka_unit_test(test_stale_sweep_family),
	        cmocka_unit_test(test_max_prefix),
	        cmocka_unit_test(test_redecide),
	        cmocka_unit_test(test_random_consistency),
	        cmocka_unit_test(test_random_med_elimination),
	        cmocka_unit_test(test_ptable_resize),
	        cmocka_unit_test(test_ptable_random),
	        cmocka_unit_test(test_million_prefixes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
