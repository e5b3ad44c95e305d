/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "attr.h"
#include "bgp.h"

/* Builds a set with an AS_SEQUENCE of the given ASNs. */
static struct bgp_attrs *with_path(const uint32_t *asns, unsigned n)
{
	struct bgp_attrs *a = bgp_attrs_new();

	assert_non_null(a);
	for (unsigned i = n; i > 0; i--)
		assert_int_equal(bgp_aspath_prepend(a, asns[i - 1], 1), 0);
	return a;
}

static void test_intern_shares_equal_sets(void **state)
{
	uint32_t p1[] = {65001, 65002};
	struct bgp_attrs *a = with_path(p1, 2), *b = with_path(p1, 2), *c = with_path(p1, 1);
	const struct bgp_attrs *ia, *ib, *ic;
	size_t before = bgp_attrs_interned_count();

	(void)state;
	a->local_pref = b->local_pref = c->local_pref = 100;
	ia = bgp_attrs_intern(a);
	ib = bgp_attrs_intern(b);
	ic = bgp_attrs_intern(c);
	assert_ptr_equal(ia, ib);
	assert_ptr_not_equal(ia, ic);
	assert_int_equal(ia->refcnt, 2);
	assert_int_equal(bgp_attrs_interned_count(), before + 2);
	bgp_attrs_unref(ib);
	assert_int_equal(ia->refcnt, 1);
	bgp_attrs_unref(ia);
	bgp_attrs_unref(ic);
	assert_int_equal(bgp_attrs_interned_count(), before);
}

static void test_intern_many_grows(void **state)
{
	const struct bgp_attrs *sets[5000];

	(void)state;
	for (unsigned i = 0; i < 5000; i++) {
		struct bgp_attrs *a = bgp_attrs_new();

		a->med = i;
		a->flags = BGP_ATTRS_MED;
		sets[i] = bgp_attrs_intern(a);
		assert_non_null(sets[i]);
	}
	assert_int_equal(bgp_attrs_interned_count(), 5000);
	for (unsigned i = 0; i < 5000; i++) {
		struct bgp_attrs *a = bgp_attrs_new();

		a->med = i;
		a->flags = BGP_ATTRS_MED;
		assert_ptr_equal(bgp_attrs_intern(a), sets[i]);
		bgp_attrs_unref(sets[i]);
		bgp_attrs_unref(sets[i]);
	}
	assert_int_equal(bgp_attrs_interned_count(), 0);
}

static void test_aspath_length_and_contains(void **state)
{
	/* 65001 65002 {65003,65004}: a set counts as one (RFC 4271 9.1.2.2 a). */
	uint8_t path[] = {BGP_AS_SEQUENCE, 2, 0, 0, 0xfd, 0xe9, 0, 0, 0xfd, 0xea,
	                  BGP_AS_SET,      2, 0, 0, 0xfd, 0xeb, 0, 0, 0xfd, 0xec};
	struct bgp_attrs *a = bgp_attrs_new();
	char buf[128];

	(void)state;
	a->aspath = malloc(sizeof(path));
	memcpy(a->aspath, path, sizeof(path));
	a->aspath_len = sizeof(path);
	assert_int_equal(bgp_aspath_length(a), 3);
	assert_true(bgp_aspath_contains(a, 65004));
	assert_false(bgp_aspath_contains(a, 65515));
	assert_int_equal(bgp_aspath_first_as(a), 65001);
	assert_string_equal(bgp_aspath_fmt(a, buf, sizeof(buf)), "65001 65002 {65003,65004}");
	assert_int_equal(bgp_aspath_prepend(a, 65515, 2), 0);
	assert_string_equal(bgp_aspath_fmt(a, buf, sizeof(buf)),
	                    "65515 65515 65001 65002 {65003,65004}");
	assert_int_equal(bgp_aspath_length(a), 5);
	bgp_attrs_free(a);
}

static void test_aspath_prepend_past_255(void **state)
{
	struct bgp_attrs *a = bgp_attrs_new();

	(void)state;
	assert_int_equal(bgp_aspath_prepend(a, 65001, 300), 0);
	assert_int_equal(bgp_aspath_length(a), 300);
	/* Two segments: 255 + 45 ASNs. */
	assert_int_equal(a->aspath_len, 2 + 255 * 4 + 2 + 45 * 4);
	assert_int_equal(a->aspath[1], 45); /* the newest prepends lead */
	bgp_attrs_free(a);
}

static void test_remove_private(void **state)
{
	uint32_t p[] = {65001, 3356, 12076, 4200000001u};
	struct bgp_attrs *a = with_path(p, 4);
	char buf[64];

	(void)state;
	assert_int_equal(bgp_aspath_remove_private(a), 0);
	assert_string_equal(bgp_aspath_fmt(a, buf, sizeof(buf)), "3356 12076");
	bgp_attrs_free(a);
	uint32_t q[] = {65001};
	a = with_path(q, 1);
	assert_int_equal(bgp_aspath_remove_private(a), 0);
	assert_int_equal(a->aspath_len, 0);
	assert_int_equal(bgp_aspath_length(a), 0);
	bgp_attrs_free(a);
}

static void test_dup_is_deep_and_equal(void **state)
{
	uint32_t p[] = {65001};
	struct bgp_attrs *a = with_path(p, 1), *d;

	(void)state;
	a->n_comm = 1;
	a->comm = malloc(sizeof(uint32_t));
	a->comm[0] = BGP_COMM_NO_ADVERTISE;
	d = bgp_attrs_dup(a);
	assert_true(bgp_attrs_equal(a, d));
	assert_ptr_not_equal(a->comm, d->comm);
	assert_true(bgp_attrs_has_community(d, BGP_COMM_NO_ADVERTISE));
	assert_false(bgp_attrs_has_community(d, BGP_COMM_NO_EXPORT));
	d->comm[0] = BGP_COMM_NO_EXPORT;
	assert_false(bgp_attrs_equal(a, d));
	bgp_attrs_free(a);
	bgp_attrs_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_intern_shares_equal_sets),
	        cmocka_unit_test(test_intern_many_grows),
	        cmocka_unit_test(test_aspath_length_and_contains),
	        cmocka_unit_test(test_aspath_prepend_past_255),
	        cmocka_unit_test(test_remove_private),
	        cmocka_unit_test(test_dup_is_deep_and_equal),
	};

	return cmocka_run_group_tests_name("bgp_attr", tests, NULL, NULL);
}
