/* SPDX-License-Identifier: BSD-3-Clause */
/* routehubctl's tables: operational state JSON (routehub:state) printed for people. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "table.h"

static char *render(const char *json, int *rc)
{
	char *out = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);

	*rc = table_print_state(f, json);
	fclose(f);
	return out;
}

static void test_effective_routes_table(void **state)
{
	const char *json = "{\"routehub:state\":{\"effective-route\":["
	                   "{\"prefix\":\"192.0.2.0/"
	                   "24\",\"origin\":\"198.18.2.4\",\"instance\":\"198.18.0.4\","
	                   "\"source\":\"nva\",\"next-hop\":[\"198.18.2.4\",\"198.18.2.5\"],"
	                   "\"active\":true},"
	                   "{\"prefix\":\"198.18.4.0/"
	                   "24\",\"origin\":\"198.18.2.4\",\"instance\":\"198.18.0.4\","
	                   "\"source\":\"nva\",\"next-hop\":[\"198.18.2.4\"],"
	                   "\"active\":false,\"reason\":\"overlaps VNet address space\"}]}}";
	int rc;
	char *out = render(json, &rc);

	(void)state;
	assert_int_equal(rc, 0);
	/* Header in schema order, columns aligned, leaf-lists joined, missing cells "-". */
	assert_string_equal(out,
	                    "prefix         origin      instance    source  next-hop              "
	                    " as-path-length  active  reason                       stale\n"
	                    "192.0.2.0/24   198.18.2.4  198.18.0.4  nva     "
	                    "198.18.2.4,198.18.2.5  -               true    -                  "
	                    "          -\n"
	                    "198.18.4.0/24  198.18.2.4  198.18.0.4  nva     198.18.2.4            "
	                    " -               false   overlaps VNet address space  -\n");
	free(out);
}

static void test_nested_lists_get_tables_of_their_own(void **state)
{
	const char *json =
	        "{\"routehub:state\":{\"bgp-neighbor\":[{\"local-address\":\"198.19.0.4\","
	        "\"address\":\"198.19.1.10\",\"asn\":65001,\"received-route\":["
	        "{\"prefix\":\"192.0.2.0/24\",\"path-id\":0,\"as-path\":\"65001\","
	        "\"next-hop\":\"198.19.1.10\",\"accepted\":true}]}]}}";
	int rc;
	char *out = render(json, &rc);

	(void)state;
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out,
	                       "\nreceived-route of 198.19.0.4 198.19.1.10:\n"
	                       "prefix        path-id  as-path  next-hop     accepted  reason\n"
	                       "192.0.2.0/24  0        65001    198.19.1.10  true      -\n"));
	free(out);
}

static void test_not_the_schema(void **state)
{
	int rc;
	char *out = render("{\"routehub:state\":{\"bogus\":1}}", &rc);

	(void)state;
	assert_int_equal(rc, -EBADMSG);
	assert_string_equal(out, "");
	free(out);
	out = render("not json", &rc);
	assert_int_equal(rc, -EBADMSG);
	free(out);
}

/*
 * The control plane answers received-routes with the neighbour named by its keys only:
 * no row of keys and dashes (which read as an extra, empty neighbour), the routes' table
 * first, titled by the neighbour.
 */
static void test_keys_only_entry_has_no_row(void **state)
{
	const char *json =
	        "{\"routehub:state\":{\"bgp-neighbor\":[{\"local-address\":\"198.19.0.4\","
	        "\"address\":\"198.19.1.10\",\"received-route\":["
	        "{\"prefix\":\"192.0.2.0/24\",\"path-id\":0,\"as-path\":\"65001\","
	        "\"next-hop\":\"198.19.1.10\",\"accepted\":true}]}]}}";
	int rc;
	char *out = render(json, &rc);

	(void)state;
	assert_int_equal(rc, 0);
	assert_string_equal(out, "received-route of 198.19.0.4 198.19.1.10:\n"
	                         "prefix        path-id  as-path  next-hop     accepted  reason\n"
	                         "192.0.2.0/24  0        65001    198.19.1.10  true      -\n");
	free(out);
}

/* show routes: the rib-route list, communities joined, absent attributes "-". */
static void test_rib_routes_table(void **state)
{
	const char *json =
	        "{\"routehub:state\":{\"rib-route\":["
	        "{\"part\":\"route-server\",\"prefix\":\"10.1.0.0/16\",\"peer\":\"vnet\","
	        "\"instance\":\"local\",\"path-id\":0,\"as-path\":\"\",\"origin\":\"igp\","
	        "\"best\":true,\"multipath\":true,\"stale\":false},"
	        "{\"part\":\"route-server\",\"prefix\":\"192.0.2.0/24\",\"peer\":\"198.18.2.4\","
	        "\"instance\":\"198.18.0.4\",\"path-id\":0,\"next-hop\":\"198.18.2.4\","
	        "\"as-path\":\"65010\",\"origin\":\"igp\",\"med\":5,\"community\":[\"65010:1\","
	        "\"65010:2\"],\"best\":true,\"multipath\":true,\"stale\":false}]}}";
	int rc;
	char *out = render(json, &rc);

	(void)state;
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out,
	                       "part          prefix        peer        instance    path-id  "
	                       "next-hop    as-path  origin  med  local-pref  community        "
	                       "best  multipath  stale\n"));
	assert_non_null(strstr(out,
	                       "route-server  192.0.2.0/24  198.18.2.4  198.18.0.4  0        "
	                       "198.18.2.4  65010    igp     5    -           65010:1,65010:2  "
	                       "true  true       false\n"));
	free(out);
}

/* An answer with nothing in it (show routes of a prefix not in any RIB) says so. */
static void test_empty_state_says_none(void **state)
{
	int rc;
	char *out = render("{\"routehub:state\":{}}", &rc);

	(void)state;
	assert_int_equal(rc, 0);
	assert_string_equal(out, "(none)\n");
	free(out);
	out = render("{\"routehub:state\":{\"bgp-neighbor\":[{\"local-address\":\"198.19.0.4\","
	             "\"address\":\"198.19.1.10\"}]}}",
	             &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(out, "(none)\n");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_effective_routes_table),
	        cmocka_unit_test(test_nested_lists_get_tables_of_their_own),
	        cmocka_unit_test(test_not_the_schema),
	        cmocka_unit_test(test_keys_only_entry_has_no_row),
	        cmocka_unit_test(test_rib_routes_table),
	        cmocka_unit_test(test_empty_state_says_none),
	};

	return cmocka_run_group_tests_name("table", tests, NULL, NULL);
}
