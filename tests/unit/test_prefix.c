/* SPDX-License-Identifier: BSD-3-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "routehub/prefix.h"

static struct rh_prefix P(const char *s) {
	struct rh_prefix p;

	assert_int_equal(rh_prefix_parse(s, &p, false), 0);
	return p;
}

static void
test_parse_format(void **state)
{
	char buf[RH_PREFIX_STRLEN];
	struct rh_prefix p;
	struct rh_addr a;

	(void)state;
	p = P("198.51.100.0/24");
	assert_int_equal(p.family, RH_AF_INET);
	assert_int_equal(p.len, 24);
	assert_string_equal(rh_prefix_fmt(&p, buf, sizeof(buf)), "198.51.100.0/24");
	p = P("2001:DB8:0::/32");
	assert_string_equal(rh_prefix_fmt(&p, buf, sizeof(buf)), "2001:db8::/32");
	p = P("192.0.2.1");
	assert_int_equal(p.len, 32);
	/* Host bits: cleared when lax, refused when strict. */
	p = P("192.0.2.77/25");
	assert_string_equal(rh_prefix_fmt(&p, buf, sizeof(buf)), "192.0.2.0/25");
	assert_int_equal(rh_prefix_parse("192.0.2.77/25", &p, true), -EINVAL);
	assert_int_equal(rh_prefix_parse("192.0.2.0/33", &p, false), -EINVAL);
	assert_int_equal(rh_prefix_parse("2001:db8::/129", &p, false), -EINVAL);
	assert_int_equal(rh_prefix_parse("192.0.2.0/", &p, false), -EINVAL);
	assert_int_equal(rh_prefix_parse("192.0.2.0/2x", &p, false), -EINVAL);
	assert_int_equal(rh_prefix_parse("not-an-address/8", &p, false), -EINVAL);
	assert_int_equal(rh_addr_parse("203.0.113.256", &a), -EINVAL);
	assert_int_equal(rh_addr_parse("2001:db8::1", &a), 0);
	assert_string_equal(rh_addr_fmt(&a, buf, sizeof(buf)), "2001:db8::1");
}

static void test_contains_overlaps(void **state)
{
	struct rh_prefix vnet = P("198.18.0.0/16"), sub = P("198.18.4.0/24"),
	                 super = P("198.0.0.0/8"), other = P("198.19.0.0/16"),
	                 v6 = P("2001:db8::/32");
	struct rh_addr a;

	(void)state;
	assert_true(rh_prefix_contains(&vnet, &sub));
	assert_true(rh_prefix_contains(&vnet, &vnet));
	assert_false(rh_prefix_contains(&sub, &vnet));
	assert_true(rh_prefix_contains(&super, &vnet));
	assert_false(rh_prefix_contains(&vnet, &other));
	assert_false(rh_prefix_overlaps(&vnet, &other));
	assert_true(rh_prefix_overlaps(&sub, &vnet));
	assert_false(rh_prefix_overlaps(&vnet, &v6));
	rh_addr_parse("198.18.4.9", &a);
	assert_true(rh_prefix_has_addr(&sub, &a));
	assert_false(rh_prefix_has_addr(&other, &a));
	/* A non-byte-aligned length. */
	struct rh_prefix p19 = P("198.18.32.0/19");
	assert_true(rh_prefix_contains(&p19, &(struct rh_prefix){0}) == false);
	rh_addr_parse("198.18.63.255", &a);
	assert_true(rh_prefix_has_addr(&p19, &a));
	rh_addr_parse("198.18.64.0", &a);
	assert_false(rh_prefix_has_addr(&p19, &a));
}

static void test_cmp(void **state)
{
	struct rh_prefix a = P("192.0.2.0/24"), b = P("192.0.2.0/25"), c = P("2001:db8::/32");

	(void)state;
	assert_true(rh_prefix_cmp(&a, &b) < 0);
	assert_true(rh_prefix_cmp(&b, &a) > 0);
	assert_true(rh_prefix_cmp(&a, &c) < 0);
	assert_true(rh_prefix_equal(
	        &a, &(struct rh_prefix){.family = 4, .len = 24, .bytes = {192, 0, 2}}));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_parse_format),
	        cmocka_unit_test(test_contains_overlaps),
	        cmocka_unit_test(test_cmp),
	};

	return cmocka_run_group_tests_name("prefix", tests, NULL, NULL);
}
