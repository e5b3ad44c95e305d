/* SPDX-License-Identifier: BSD-3-Clause */
/* show routes: the RIB of each hub part as the schema's rib-route list (hub_routes_json). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "hub_fixture.h"
#include "log.h"
#include "table.h"

static struct fx_peer nva1, nva2, er1, nva1b;

static int teardown(void **state)
{
	(void)state;
	fx_stop();
	memset(&nva1, 0, sizeof(nva1));
	memset(&nva2, 0, sizeof(nva2));
	memset(&er1, 0, sizeof(er1));
	memset(&nva1b, 0, sizeof(nva1b));
	return 0;
}

static void start(void)
{
	static const uint32_t comm[] = {(65001u << 16) | 7, (65001u << 16) | 8};

	fx_config(true);
	fx_start();
	fx_peer(&nva1, HUB_ROLE_NVA, "198.19.1.10", 65001, NULL);
	fx_peer(&nva2, HUB_ROLE_NVA, "198.19.1.11", 65002, NULL);
	fx_peer(&er1, HUB_ROLE_ER_ONPREM, "198.19.2.10", 65020, NULL);
	assert_int_equal(fx_announce(&nva1, "192.0.2.0/24", "65001", "198.19.1.10", comm, 2), 0);
	assert_int_equal(fx_announce(&nva2, "192.0.2.0/24", "65002 65003", "198.19.1.11", NULL, 0),
	                 0);
	assert_int_equal(fx_announce(&nva2, "192.0.2.128/25", "65002", "198.19.1.11", NULL, 0), 0);
}

/* The JSON must follow the schema: routehubctl renders it (and -EBADMSG if not). */
static char *render(const char *json)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	assert_int_equal(table_print_state(f, json), 0);
	fclose(f);
	return text;
}

static void test_every_path_of_every_prefix(void **state)
{
	char *json, *text;

	(void)state;
	start();
	json = hub_routes_json(fx.h, NULL, false);
	assert_non_null(json);
	/* Both paths of 192.0.2.0/24 in the route server, the shorter AS path best (first). */
	const char *best = strstr(json, "{\"part\":\"route-server\",\"prefix\":\"192.0.2.0/24\","
	                                "\"peer\":\"198.19.1.10\",\"instance\":\"198.19.0.4\","
	                                "\"path-id\":0,\"next-hop\":\"198.19.1.10\","
	                                "\"as-path\":\"65001\",\"origin\":\"igp\","
	                                "\"community\":[\"65001:7\",\"65001:8\"],"
	                                "\"best\":true,");
	const char *other = strstr(json, "{\"part\":\"route-server\",\"prefix\":\"192.0.2.0/24\","
	                                 "\"peer\":\"198.19.1.11\"");

	assert_non_null(best);
	assert_non_null(other);
	assert_true(best < other);
	assert_non_null(strstr(other, "\"best\":false"));
	/* VNet spaces, and the ER gateway's RIB with the RS routes carried in (R5). */
	assert_non_null(strstr(json, "\"prefix\":\"198.18.0.0/16\",\"peer\":\"vnet\""));
	assert_non_null(strstr(json, "{\"part\":\"expressroute-gateway\",\"prefix\":\"192.0.2.0/"
	                             "24\",\"peer\":\"route-server\""));
	text = render(json);
	assert_non_null(strstr(text, "community"));
	free(text);
	free(json);
}

static void test_one_prefix_exact_or_longest_match(void **state)
{
	struct rh_prefix p = fx_prefix("192.0.2.0/24");
	char *json;

	(void)state;
	start();
	json = hub_routes_json(fx.h, &p, false);
	assert_non_null(strstr(json, "\"prefix\":\"192.0.2.0/24\""));
	assert_null(strstr(json, "192.0.2.128/25"));
	assert_null(strstr(json, "198.18.0.0/16"));
	free(json);
	/* An address: the longest prefix covering it, in each part. */
	p = fx_prefix("192.0.2.200/32");
	json = hub_routes_json(fx.h, &p, true);
	assert_non_null(strstr(json, "\"prefix\":\"192.0.2.128/25\""));
	assert_null(strstr(json, "\"prefix\":\"192.0.2.0/24\""));
	free(json);
	p = fx_prefix("192.0.2.1/32");
	json = hub_routes_json(fx.h, &p, true);
	assert_non_null(strstr(json, "\"prefix\":\"192.0.2.0/24\""));
	free(json);
	/* Nothing: an empty state, still the schema's. */
	p = fx_prefix("203.0.113.1/32");
	json = hub_routes_json(fx.h, &p, true);
	assert_string_equal(json, "{\"routehub:state\":{}}");
	free(render(json));
	free(json);
	p = fx_prefix("192.0.2.0/23");
	json = hub_routes_json(fx.h, &p, false);
	assert_string_equal(json, "{\"routehub:state\":{}}");
	free(json);
}

/*
 * One peer address with a session to each route server instance: received-routes lists
 * both sessions, each named by its keys only (the table shows no empty neighbour row).
 */
static void test_received_routes_of_every_session_of_a_peer(void **state)
{
	struct hub_peer *v[2];
	char *json, *text;

	(void)state;
	start();
	fx_peer(&nva1b, HUB_ROLE_NVA, "198.19.1.10", 65001, "198.19.0.5");
	assert_int_equal(fx_announce(&nva1b, "192.0.2.0/24", "65001", "198.19.1.10", NULL, 0), 0);
	v[0] = nva1.hp;
	v[1] = nva1b.hp;
	json = hub_peers_routes_json(v, 2, false);
	assert_non_null(strstr(json,
	                       "{\"local-address\":\"198.19.0.4\",\"address\":\"198.19.1.10\","
	                       "\"received-route\":[{\"prefix\":\"192.0.2.0/24\""));
	assert_non_null(strstr(json,
	                       "{\"local-address\":\"198.19.0.5\",\"address\":\"198.19.1.10\","
	                       "\"received-route\":[{\"prefix\":\"192.0.2.0/24\""));
	text = render(json);
	assert_true(strncmp(text, "received-route of 198.19.0.4 198.19.1.10:\n", 42) == 0);
	assert_non_null(strstr(text, "\n\nreceived-route of 198.19.0.5 198.19.1.10:\n"));
	assert_null(strstr(text, "local-address"));
	free(text);
	free(json);
}

/*
 * Refused routes are logged once with the reason, not once each: an NVA that reflects
 * 60 prefixes with 65515 in their AS path (R7), twice, makes one line.
 */
static void test_refused_routes_are_not_a_flood(void **state)
{
	char prefixes[200 * 20], js[64], out[4096] = "";
	FILE *f = tmpfile();
	int saved = dup(STDERR_FILENO);
	struct stat st;
	size_t n = 0;

	(void)state;
	start();
	for (unsigned i = 0; i < 60; i++)
		n += (size_t)snprintf(prefixes + n, sizeof(prefixes) - n, "%s10.%u.%u.0/24",
		                      i ? " " : "", i / 10, i % 10);
	fflush(stderr);
	assert_true(dup2(fileno(f), STDERR_FILENO) >= 0);
	assert_int_equal(fstat(STDERR_FILENO, &st), 0);
	snprintf(js, sizeof(js), "%llu:%llu", (unsigned long long)st.st_dev,
	         (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", js, 1);
	rh_log_init("test_hub_show", LOG_INFO);
	assert_int_equal(fx_announce(&nva1, prefixes, "65001 65515", "198.19.1.10", NULL, 0), 0);
	assert_int_equal(fx_announce(&nva1, prefixes, "65001 65515 65002", "198.19.1.10", NULL, 0),
	                 0);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	unsetenv("JOURNAL_STREAM");
	rh_log_init("test_hub_show", LOG_INFO);
	rewind(f);
	(void)!fread(out, 1, sizeof(out) - 1, f);
	fclose(f);
	assert_string_equal(out, "<5>hub: route-server 198.19.1.10@198.19.0.4: refused 10.0.0.0/24 "
	                         "and others: AS path contains 65515 (60 times since the last "
	                         "report)\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_teardown(test_every_path_of_every_prefix, teardown),
	        cmocka_unit_test_teardown(test_one_prefix_exact_or_longest_match, teardown),
	        cmocka_unit_test_teardown(test_received_routes_of_every_session_of_a_peer,
	                                  teardown),
	        cmocka_unit_test_teardown(test_refused_routes_are_not_a_flood, teardown),
	};

	return cmocka_run_group_tests_name("hub_show", tests, NULL, NULL);
}
