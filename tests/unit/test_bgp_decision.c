/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The decision process: each tie-break step decides when the earlier ones tie, and a
 * later step never overrides an earlier one (RFC 4271 9.1.2.2, RFC 4456 9); multipath.
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
#include "decision.h"
#include "rib.h"

struct opt {
	uint32_t first_as; /* 0: 65001 */
	unsigned aslen;    /* 0: 1 */
	bool as_set;       /* the path ends with an AS_SET of 3 ASNs (counts 1) */
	uint8_t origin;
	bool has_med;
	uint32_t med;
	bool has_lpref;
	uint32_t lpref;
	uint32_t originator; /* host order, 0: none */
	unsigned n_cluster;
	const char *nh; /* next hop, NULL: 192.0.2.1 */
};

static const struct bgp_attrs *mk(struct opt o)
{
	struct bgp_attrs *a = bgp_attrs_new();
	unsigned len = o.aslen != 0 ? o.aslen : 1;

	assert_non_null(a);
	if (o.as_set) {
		/* {64601,64602,64603} */
		a->aspath = malloc(14);
		a->aspath_len = 14;
		a->aspath[0] = BGP_AS_SET;
		a->aspath[1] = 3;
		for (unsigned i = 0; i < 3; i++) {
			uint32_t v = htonl(64601 + i);

			memcpy(a->aspath + 2 + 4 * i, &v, 4);
		}
		len--;
	}
	for (unsigned i = len; i > 1; i--)
		assert_int_equal(bgp_aspath_prepend(a, 64500 + i, 1), 0);
	assert_int_equal(bgp_aspath_prepend(a, o.first_as != 0 ? o.first_as : 65001, 1), 0);
	a->origin = o.origin;
	if (o.has_med) {
		a->flags |= BGP_ATTRS_MED;
		a->med = o.med;
	}
	if (o.has_lpref) {
		a->flags |= BGP_ATTRS_LOCAL_PREF;
		a->local_pref = o.lpref;
	}
	if (o.originator != 0) {
		a->flags |= BGP_ATTRS_ORIGINATOR;
		a->originator_id = htonl(o.originator);
	}
	if (o.n_cluster > 0) {
		a->cluster = calloc(o.n_cluster, sizeof(*a->cluster));
		a->n_cluster = (uint16_t)o.n_cluster;
	}
	assert_int_equal(rh_addr_parse(o.nh != NULL ? o.nh : "192.0.2.1", &a->next_hop), 0);
	a->flags |= BGP_ATTRS_NEXT_HOP;
	return bgp_attrs_intern(a);
}

#define MK(...) mk((struct opt){__VA_ARGS__})

static struct bgp_rib_peer mkpeer(const char *addr, uint32_t asn, uint32_t bgp_id, bool ebgp)
{
	struct bgp_rib_peer p;

	memset(&p, 0, sizeof(p));
	assert_int_equal(rh_addr_parse(addr, &p.addr), 0);
	p.asn = asn;
	p.bgp_id = htonl(bgp_id);
	p.ebgp = ebgp;
	return p;
}

static struct bgp_path mkpath(struct bgp_rib_peer *peer, const struct bgp_attrs *a)
{
	struct bgp_path p;

	memset(&p, 0, sizeof(p));
	p.peer = peer;
	p.attrs = a;
	return p;
}

static struct bgp_decision_cfg cfg;

static int setup(void **state)
{
	(void)state;
	bgp_decision_defaults(&cfg);
	return 0;
}

/* a must beat b at `step`, whatever the argument order. */
static void expect_wins(const struct bgp_path *a, const struct bgp_path *b,
                        enum bgp_decision_step step)
{
	enum bgp_decision_step s;

	assert_true(bgp_decision_compare(&cfg, a, b, &s) < 0);
	assert_string_equal(bgp_decision_step_name(s), bgp_decision_step_name(step));
	assert_true(bgp_decision_compare(&cfg, b, a, &s) > 0);
	assert_int_equal(s, step);
}

/* Two peers that differ in everything the late steps look at, b's values being better. */
static struct bgp_rib_peer pa, pb;

static void peers_default(void)
{
	pa = mkpeer("198.51.100.9", 65001, 9, true);
	pb = mkpeer("198.51.100.1", 65001, 1, true);
}

static bool unresolvable_a(const struct bgp_path *p, void *arg)
{
	(void)arg;
	return p->peer != &pa;
}

static void test_resolvable_first(void **state)
{
	const struct bgp_attrs *good = MK(.has_lpref = true, .lpref = 500), *plain = MK(0);
	struct bgp_path a, b;

	(void)state;
	peers_default();
	a = mkpath(&pa, good);
	b = mkpath(&pb, plain);
	/* a's higher preference does not count: its next hop is unreachable. */
	cfg.resolvable = unresolvable_a;
	expect_wins(&b, &a, BGP_STEP_RESOLVABLE);
	bgp_attrs_unref(good);
	bgp_attrs_unref(plain);
}

static uint32_t pref_by_peer(const struct bgp_path *p, void *arg)
{
	(void)arg;
	return p->peer == &pa ? 300 : 200;
}

static void test_preference(void **state)
{
	/* Higher LOCAL_PREF wins over a shorter AS path and everything after. */
	const struct bgp_attrs *hi = MK(.has_lpref = true, .lpref = 200, .aslen = 5, .origin = 2),
	                       *lo = MK(.has_lpref = true, .lpref = 150), *none = MK(.aslen = 3);
	struct bgp_path a, b, c;

	(void)state;
	peers_default();
	a = mkpath(&pa, hi);
	b = mkpath(&pb, lo);
	c = mkpath(&pb, none);
	expect_wins(&a, &b, BGP_STEP_PREFERENCE);
	/* No LOCAL_PREF: the default 100. */
	expect_wins(&b, &c, BGP_STEP_PREFERENCE);
	cfg.default_local_pref = 160;
	expect_wins(&c, &b, BGP_STEP_PREFERENCE);
	/* A preference callback replaces LOCAL_PREF. */
	cfg.preference = pref_by_peer;
	b = mkpath(&pb, hi);
	a = mkpath(&pa, lo);
	expect_wins(&a, &b, BGP_STEP_PREFERENCE);
	bgp_attrs_unref(hi);
	bgp_attrs_unref(lo);
	bgp_attrs_unref(none);
}

static void test_as_path_length(void **state)
{
	/* Shorter AS_PATH wins over a better ORIGIN and MED. */
	const struct bgp_attrs *s = MK(.aslen = 2, .origin = BGP_ORIGIN_INCOMPLETE, .has_med = true,
	                               .med = 100),
	                       *l = MK(.aslen = 3);
	/* An AS_SET counts as one: 65001 {a,b,c} is 2 long, shorter than 3. */
	const struct bgp_attrs *set = MK(.aslen = 2, .as_set = true, .origin = 2);
	struct bgp_path a, b;

	(void)state;
	peers_default();
	a = mkpath(&pa, s);
	b = mkpath(&pb, l);
	expect_wins(&a, &b, BGP_STEP_AS_PATH);
	assert_int_equal(bgp_aspath_length(set), 2);
	a = mkpath(&pa, set);
	expect_wins(&a, &b, BGP_STEP_AS_PATH);
	bgp_attrs_unref(s);
	bgp_attrs_unref(l);
	bgp_attrs_unref(set);
}

static void test_origin(void **state)
{
	/* IGP < EGP < INCOMPLETE, over a worse MED. */
	const struct bgp_attrs *igp = MK(.origin = BGP_ORIGIN_IGP, .has_med = true, .med = 50),
	                       *egp = MK(.origin = BGP_ORIGIN_EGP),
	                       *inc = MK(.origin = BGP_ORIGIN_INCOMPLETE);
	struct bgp_path a, b, c;

	(void)state;
	peers_default();
	a = mkpath(&pa, igp);
	b = mkpath(&pb, egp);
	c = mkpath(&pb, inc);
	expect_wins(&a, &b, BGP_STEP_ORIGIN);
	expect_wins(&b, &c, BGP_STEP_ORIGIN);
	bgp_attrs_unref(igp);
	bgp_attrs_unref(egp);
	bgp_attrs_unref(inc);
}

static void test_med_same_neighbour_as(void **state)
{
	const struct bgp_attrs *m10 = MK(.has_med = true, .med = 10),
	                       *m20 = MK(.has_med = true, .med = 20),
	                       *other = MK(.first_as = 65002, .has_med = true, .med = 5);
	struct bgp_rib_peer ibgp = mkpeer("198.51.100.1", 65515, 1, false);
	struct bgp_path a, b, c;

	(void)state;
	peers_default();
	/* Lower MED wins over eBGP-over-iBGP and the later steps. */
	a = mkpath(&ibgp, m10);
	b = mkpath(&pb, m20);
	expect_wins(&a, &b, BGP_STEP_MED);
	/* Another neighbour AS: MED is not compared, a later step decides. */
	c = mkpath(&pa, other);
	expect_wins(&b, &c, BGP_STEP_ROUTER_ID);
	expect_wins(&c, &a, BGP_STEP_EBGP);
	/* always-compare-med compares it across ASes. */
	cfg.always_compare_med = true;
	expect_wins(&c, &b, BGP_STEP_MED);
	bgp_attrs_unref(m10);
	bgp_attrs_unref(m20);
	bgp_attrs_unref(other);
}

static void test_med_missing(void **state)
{
	const struct bgp_attrs *none = MK(0), *m10 = MK(.has_med = true, .med = 10);
	struct bgp_path a, b;

	(void)state;
	peers_default();
	a = mkpath(&pa, none);
	b = mkpath(&pb, m10);
	/* RFC 4271 9.1.2.2 c: a missing MED is the lowest value. */
	expect_wins(&a, &b, BGP_STEP_MED);
	cfg.med_missing_as_worst = true;
	expect_wins(&b, &a, BGP_STEP_MED);
	bgp_attrs_unref(none);
	bgp_attrs_unref(m10);
}

static uint32_t cost_by_peer(const struct bgp_path *p, void *arg)
{
	(void)arg;
	return p->peer->ebgp ? 100 : 10;
}

static void test_ebgp_over_ibgp(void **state)
{
	const struct bgp_attrs *x = MK(0);
	struct bgp_rib_peer e = mkpeer("198.51.100.9", 65001, 9, true),
	                    i = mkpeer("198.51.100.1", 65515, 1, false);
	struct bgp_path a = mkpath(&e, x), b = mkpath(&i, x);

	(void)state;
	/* eBGP wins over a lower IGP cost, router id and address. */
	cfg.igp_cost = cost_by_peer;
	expect_wins(&a, &b, BGP_STEP_EBGP);
	bgp_attrs_unref(x);
}

static uint32_t cost_a_low(const struct bgp_path *p, void *arg)
{
	(void)arg;
	return p->peer == &pa ? 1 : 2;
}

static void test_igp_cost(void **state)
{
	const struct bgp_attrs *x = MK(0);
	struct bgp_path a, b;

	(void)state;
	peers_default();
	a = mkpath(&pa, x);
	b = mkpath(&pb, x);
	/* Default cost 0 for all: the router id decides (b's is lower). */
	expect_wins(&b, &a, BGP_STEP_ROUTER_ID);
	cfg.igp_cost = cost_a_low;
	expect_wins(&a, &b, BGP_STEP_IGP_COST);
	bgp_attrs_unref(x);
}

static void test_router_id_and_originator(void **state)
{
	const struct bgp_attrs *c3 = MK(.n_cluster = 3), *c1 = MK(.n_cluster = 1),
	                       *orig = MK(.originator = 2, .n_cluster = 3),
	                       *orig_hi = MK(.originator = 20);
	struct bgp_rib_peer lo = mkpeer("198.51.100.9", 65001, 5, true),
	                    hi = mkpeer("198.51.100.1", 65001, 10, true);
	struct bgp_path a = mkpath(&lo, c3), b = mkpath(&hi, c1);

	(void)state;
	/* Lower BGP identifier wins over a shorter CLUSTER_LIST and a lower address. */
	expect_wins(&a, &b, BGP_STEP_ROUTER_ID);
	/* RFC 4456 9: the ORIGINATOR_ID stands for the identifier. */
	b = mkpath(&hi, orig);
	expect_wins(&b, &a, BGP_STEP_ROUTER_ID);
	b = mkpath(&lo, orig_hi);
	expect_wins(&a, &b, BGP_STEP_ROUTER_ID);
	bgp_attrs_unref(c3);
	bgp_attrs_unref(c1);
	bgp_attrs_unref(orig);
	bgp_attrs_unref(orig_hi);
}

static void test_cluster_list(void **state)
{
	const struct bgp_attrs *c1 = MK(.originator = 7, .n_cluster = 1),
	                       *c2 = MK(.originator = 7, .n_cluster = 2);
	struct bgp_rib_peer hi = mkpeer("198.51.100.9", 65001, 9, true),
	                    lo = mkpeer("198.51.100.1", 65001, 1, true);
	struct bgp_path a = mkpath(&hi, c1), b = mkpath(&lo, c2);

	(void)state;
	/* Same ORIGINATOR_ID: the shorter CLUSTER_LIST wins over the lower address. */
	expect_wins(&a, &b, BGP_STEP_CLUSTER_LIST);
	bgp_attrs_unref(c1);
	bgp_attrs_unref(c2);
}

static void test_peer_address_last(void **state)
{
	const struct bgp_attrs *x = MK(0);
	struct bgp_rib_peer p1 = mkpeer("198.51.100.1", 65001, 7, true),
	                    p2 = mkpeer("198.51.100.2", 65001, 7, true);
	struct bgp_path a = mkpath(&p1, x), b = mkpath(&p2, x), c = mkpath(&p1, x);
	enum bgp_decision_step s;

	(void)state;
	expect_wins(&a, &b, BGP_STEP_PEER_ADDRESS);
	/* ADD-PATH: two paths of one peer, then the path id. */
	c.path_id = 2;
	a.path_id = 1;
	expect_wins(&a, &c, BGP_STEP_PATH_ID);
	assert_int_equal(bgp_decision_compare(&cfg, &a, &a, &s), 0);
	assert_int_equal(s, BGP_STEP_EQUAL);
	bgp_attrs_unref(x);
}

static void test_step_names(void **state)
{
	(void)state;
	for (unsigned s = 0; s < BGP_STEP_MAX; s++) {
		assert_non_null(bgp_decision_step_name((enum bgp_decision_step)s));
		assert_string_not_equal(bgp_decision_step_name((enum bgp_decision_step)s), "?");
	}
	assert_string_equal(bgp_decision_step_name(BGP_STEP_MAX), "?");
	assert_string_equal(bgp_decision_step_name(BGP_STEP_MED), "med");
	assert_false(bgp_decision_step_multipath(BGP_STEP_IGP_COST));
	assert_true(bgp_decision_step_multipath(BGP_STEP_ROUTER_ID));
}

/* ------------------------------------------------------------------ multipath */

#define NP 10
static struct bgp_rib_peer mp_peers[NP];
static struct bgp_path mp_paths[NP];

static unsigned mark_all(struct bgp_rib_entry *e, unsigned n)
{
	unsigned members = 0;

	memset(e, 0, sizeof(*e));
	for (unsigned i = 0; i < n; i++)
		bgp_decision_insert(&cfg, e, &mp_paths[i]);
	bgp_decision_mark(&cfg, e);
	for (struct bgp_path *p = e->paths; p != NULL; p = p->next)
		if (p->flags & BGP_PATH_MULTIPATH)
			members++;
	return members;
}

static void test_multipath_membership(void **state)
{
	/* R3: several NVAs (different ASes) with the same AS-path length are all used. */
	const struct bgp_attrs *as1 = MK(.first_as = 65001, .aslen = 2),
	                       *as2 = MK(.first_as = 65002, .aslen = 2, .nh = "192.0.2.2"),
	                       *longer = MK(.first_as = 65003, .aslen = 3),
	                       *med = MK(.first_as = 65001, .aslen = 2, .has_med = true, .med = 9);
	struct bgp_rib_peer ibgp = mkpeer("198.51.100.50", 65515, 50, false);
	struct bgp_rib_entry e;

	(void)state;
	for (unsigned i = 0; i < 5; i++)
		mp_peers[i] =
		        mkpeer(i == 0 ? "198.51.100.10" : "198.51.100.11", 65001 + i, 10 + i, true);
	mp_paths[0] = mkpath(&mp_peers[0], as1);
	mp_paths[1] = mkpath(&mp_peers[1], as2);
	mp_paths[2] = mkpath(&mp_peers[2], longer);
	mp_paths[3] = mkpath(&mp_peers[3], med);
	mp_paths[4] = mkpath(&ibgp, as2);
	assert_int_equal(mark_all(&e, 5), 2);
	assert_ptr_equal(e.paths, &mp_paths[0]);
	assert_true(mp_paths[0].flags & BGP_PATH_BEST);
	assert_true(mp_paths[1].flags & BGP_PATH_MULTIPATH);
	assert_false(mp_paths[1].flags & BGP_PATH_BEST);
	assert_false(mp_paths[2].flags & BGP_PATH_MULTIPATH); /* longer AS path */
	assert_false(mp_paths[3].flags & BGP_PATH_MULTIPATH); /* higher MED, same AS */
	assert_false(mp_paths[4].flags & BGP_PATH_MULTIPATH); /* iBGP against eBGP */
	/* max_paths 1: the best alone. */
	cfg.max_paths = 1;
	assert_int_equal(mark_all(&e, 5), 1);
	bgp_attrs_unref(as1);
	bgp_attrs_unref(as2);
	bgp_attrs_unref(longer);
	bgp_attrs_unref(med);
}

static void test_multipath_max_paths(void **state)
{
	const struct bgp_attrs *x = MK(.aslen = 2);
	struct bgp_rib_entry e;
	char addr[32];

	(void)state;
	for (unsigned i = 0; i < NP; i++) {
		snprintf(addr, sizeof(addr), "198.51.100.%u", 20 + i);
		mp_peers[i] = mkpeer(addr, 65001, 100 - i, true);
		mp_paths[i] = mkpath(&mp_peers[i], x);
	}
	assert_int_equal(mark_all(&e, NP), BGP_DECISION_MAX_PATHS);
	/* The lowest router id is best; the two with the highest ids are left out. */
	assert_ptr_equal(e.paths, &mp_paths[NP - 1]);
	assert_false(mp_paths[0].flags & BGP_PATH_MULTIPATH);
	assert_false(mp_paths[1].flags & BGP_PATH_MULTIPATH);
	assert_true(mp_paths[2].flags & BGP_PATH_MULTIPATH);
	cfg.max_paths = 4;
	assert_int_equal(mark_all(&e, NP), 4);
	/* Unresolvable best: no best and no set. */
	cfg.resolvable = unresolvable_a;
	peers_default();
	mp_paths[0] = mkpath(&pa, x);
	assert_int_equal(mark_all(&e, 1), 0);
	assert_false(mp_paths[0].flags & BGP_PATH_BEST);
	bgp_attrs_unref(x);
}

static void test_med_intransitive(void **state)
{
	/* RFC 4271 9.1.2.2 c with three paths: r1 (AS 100, MED 100, id 1), r2 (AS 200, MED 50,
	 * id 2), r3 (AS 100, MED 20, id 3). Pairwise, r1 beats r2 (id), r2 beats r3 (id), r3
	 * beats r1 (MED): a circle. The RFC eliminates r1 (r3's lower MED in AS 100), then r2
	 * beats r3 on the identifier, whatever the order the paths arrived in. */
	const struct bgp_attrs *a1 = MK(.first_as = 100, .has_med = true, .med = 100),
	                       *a2 = MK(.first_as = 200, .has_med = true, .med = 50),
	                       *a3 = MK(.first_as = 100, .has_med = true, .med = 20);
	static const unsigned orders[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
	                                      {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
	struct bgp_rib_entry e;

	(void)state;
	mp_peers[0] = mkpeer("198.51.100.1", 100, 1, true);
	mp_peers[1] = mkpeer("198.51.100.2", 200, 2, true);
	mp_peers[2] = mkpeer("198.51.100.3", 100, 3, true);
	for (unsigned o = 0; o < 6; o++) {
		struct bgp_path r[3];

		r[0] = mkpath(&mp_peers[0], a1);
		r[1] = mkpath(&mp_peers[1], a2);
		r[2] = mkpath(&mp_peers[2], a3);
		memset(&e, 0, sizeof(e));
		for (unsigned i = 0; i < 3; i++)
			bgp_decision_insert(&cfg, &e, &r[orders[o][i]]);
		bgp_decision_mark(&cfg, &e);
		assert_ptr_equal(e.paths, &r[1]);
		assert_true(r[1].flags & BGP_PATH_BEST);
		/* r3 ties with r2 through the IGP step: multipath. r1 is out on MED even though
		 * it ties with r2 up to the identifier. */
		assert_true(r[2].flags & BGP_PATH_MULTIPATH);
		assert_false(r[0].flags & BGP_PATH_MULTIPATH);
		assert_int_equal(bgp_decision_why(&cfg, &e, &r[0]), BGP_STEP_MED);
		assert_int_equal(bgp_decision_why(&cfg, &e, &r[2]), BGP_STEP_ROUTER_ID);
		assert_int_equal(bgp_decision_why(&cfg, &e, &r[1]), BGP_STEP_EQUAL);
	}
	/* always-compare-med: a total order, r3 (MED 20) wins. */
	cfg.always_compare_med = true;
	{
		struct bgp_path r[3] = {mkpath(&mp_peers[0], a1), mkpath(&mp_peers[1], a2),
		                        mkpath(&mp_peers[2], a3)};

		memset(&e, 0, sizeof(e));
		for (unsigned i = 0; i < 3; i++)
			bgp_decision_insert(&cfg, &e, &r[i]);
		bgp_decision_mark(&cfg, &e);
		assert_ptr_equal(e.paths, &r[2]);
	}
	bgp_attrs_unref(a1);
	bgp_attrs_unref(a2);
	bgp_attrs_unref(a3);
}

static uint32_t pref_by_path_id(const struct bgp_path *p, void *arg)
{
	(void)arg;
	return p->path_id;
}

static void test_sort_order(void **state)
{
	const struct bgp_attrs *a2 = MK(.aslen = 2), *a3 = MK(.aslen = 3), *a1 = MK(.aslen = 1);
	struct bgp_rib_entry e;
	struct bgp_path *p;

	(void)state;
	peers_default();
	mp_paths[0] = mkpath(&pa, a2);
	mp_paths[1] = mkpath(&pa, a3);
	mp_paths[2] = mkpath(&pa, a1);
	mp_paths[1].path_id = 1;
	mp_paths[2].path_id = 2;
	mark_all(&e, 3);
	p = e.paths;
	assert_ptr_equal(p, &mp_paths[2]);
	assert_ptr_equal(p->next, &mp_paths[0]);
	assert_ptr_equal(p->next->next, &mp_paths[1]);
	/* A change of preference and a re-sort reorder it. */
	cfg.preference = pref_by_path_id;
	bgp_decision_sort(&cfg, &e);
	p = e.paths;
	assert_ptr_equal(p, &mp_paths[2]);
	assert_ptr_equal(p->next, &mp_paths[1]);
	assert_ptr_equal(p->next->next, &mp_paths[0]);
	bgp_attrs_unref(a1);
	bgp_attrs_unref(a2);
	bgp_attrs_unref(a3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup(test_resolvable_first, setup),
	        cmocka_unit_test_setup(test_preference, setup),
	        cmocka_unit_test_setup(test_as_path_length, setup),
	        cmocka_unit_test_setup(test_origin, setup),
	        cmocka_unit_test_setup(test_med_same_neighbour_as, setup),
	        cmocka_unit_test_setup(test_med_missing, setup),
	        cmocka_unit_test_setup(test_ebgp_over_ibgp, setup),
	        cmocka_unit_test_setup(test_igp_cost, setup),
	        cmocka_unit_test_setup(test_router_id_and_originator, setup),
	        cmocka_unit_test_setup(test_cluster_list, setup),
	        cmocka_unit_test_setup(test_peer_address_last, setup),
	        cmocka_unit_test_setup(test_step_names, setup),
	        cmocka_unit_test_setup(test_multipath_membership, setup),
	        cmocka_unit_test_setup(test_multipath_max_paths, setup),
	        cmocka_unit_test_setup(test_sort_order, setup),
	        cmocka_unit_test_setup(test_med_intransitive, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
