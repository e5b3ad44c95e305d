/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ADD-PATH send (RFC 7911) from the hub: a route server client with add-path send gets
 * every path it may receive, each with its own path id and its attributes as the route
 * server passes them on (RFC 7947 2.2); the other clients still get one path; split
 * horizon holds per path; a path that goes is withdrawn by its id alone.
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

#include "bgp.h"
#include "hub_fixture.h"

static struct fx_peer nva1, nva2, rx;

static int teardown(void **state)
{
	(void)state;
	fx_stop();
	return 0;
}

/* The records of prefix in p->sent, at most 8. */
static unsigned records(const struct fx_peer *p, const char *prefix, const struct fx_sent **out)
{
	unsigned n = 0;

	for (unsigned i = 0; i < p->n_sent && n < 8; i++)
		if (strcmp(p->sent[i].prefix, prefix) == 0)
			out[n++] = &p->sent[i];
	return n;
}

static void up(void)
{
	fx_config(false);
	fx_start();
	fx_peer(&nva1, HUB_ROLE_NVA, "198.19.1.10", 65001, NULL);
	fx_peer(&nva2, HUB_ROLE_NVA, "198.19.1.11", 65002, NULL);
	fx_peer_addpath(&rx, HUB_ROLE_NVA, "198.19.1.12", 65003, NULL);
	fx_flush(&nva1);
	fx_flush(&nva2);
	fx_flush(&rx);
}

static void every_path_with_its_own_id(void **state)
{
	const struct fx_sent *r[8];
	struct hub_peer_counts c;
	uint32_t id1;

	(void)state;
	up();
	assert_int_equal(fx_announce(&nva1, "192.0.2.0/24", "65001", "198.19.1.10", NULL, 0), 0);
	assert_int_equal(fx_announce(&nva2, "192.0.2.0/24", "65002 65005", "198.19.1.11", NULL, 0),
	                 0);
	fx_flush(&rx);
	assert_int_equal(records(&rx, "192.0.2.0/24", r), 2);
	assert_int_not_equal(r[0]->path_id, r[1]->path_id);
	/* As the route server passes them on: AS path and next hop unchanged. */
	if (strcmp(r[0]->aspath, "65001") != 0) {
		const struct fx_sent *t = r[0];

		r[0] = r[1];
		r[1] = t;
	}
	assert_string_equal(r[0]->aspath, "65001");
	assert_string_equal(r[0]->nexthop, "198.19.1.10");
	assert_string_equal(r[1]->aspath, "65002 65005");
	assert_string_equal(r[1]->nexthop, "198.19.1.11");
	id1 = r[0]->path_id;
	hub_peer_counts(rx.hp, &c);
	assert_true(c.advertised >= 2);
	/* A client without ADD-PATH: one path (the best it may have), no path id. */
	fx_flush(&nva2);
	assert_int_equal(records(&nva2, "192.0.2.0/24", r), 1);
	assert_string_equal(r[0]->aspath, "65001");
	assert_int_equal(r[0]->path_id, 0);
	/* nva1 withdraws: rx gets one withdrawal, by nva1's path id; nva2's is not resent. */
	assert_int_equal(fx_withdraw(&nva1, "192.0.2.0/24"), 0);
	assert_int_equal(fx_flush(&rx), 1);
	assert_true(rx.sent[0].withdraw);
	assert_int_equal(rx.sent[0].path_id, id1);
}

/* Split horizon per path: rx's own path is not sent back to it, the others are. */
static void split_horizon_per_path(void **state)
{
	const struct fx_sent *r[8];

	(void)state;
	up();
	assert_int_equal(fx_announce(&nva1, "192.0.2.0/24", "65001", "198.19.1.10", NULL, 0), 0);
	assert_int_equal(fx_announce(&rx, "192.0.2.0/24", "65003", "198.19.1.12", NULL, 0), 0);
	fx_flush(&rx);
	assert_int_equal(records(&rx, "192.0.2.0/24", r), 1);
	assert_string_equal(r[0]->aspath, "65001");
	/* rx's path changes: still not sent back, and nva1's is not sent again. */
	assert_int_equal(fx_announce(&rx, "192.0.2.0/24", "65003 65009", "198.19.1.12", NULL, 0),
	                 0);
	assert_int_equal(fx_flush(&rx), 0);
}

/* The receiver restarts (graceful restart, its routes kept): a new session gets the
 * whole table again, every path, from a new exporter. */
static void restart_sends_again(void **state)
{
	static const bool keep[BGP_AID_MAX] = {true, true};
	static const bool both[BGP_AID_MAX] = {true, true};
	const struct fx_sent *r[8];

	(void)state;
	up();
	assert_int_equal(fx_announce(&nva1, "192.0.2.0/24", "65001", "198.19.1.10", NULL, 0), 0);
	assert_int_equal(fx_announce(&nva2, "192.0.2.0/24", "65002", "198.19.1.11", NULL, 0), 0);
	fx_flush(&rx);
	hub_peer_down_gr(rx.hp, keep);
	hub_peer_set_addpath(rx.hp, both);
	assert_int_equal(hub_peer_up(rx.hp, both, htonl(0x0a00000c)), 0);
	fx_flush(&rx);
	assert_int_equal(records(&rx, "192.0.2.0/24", r), 2);
	assert_int_equal(rx.eor, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_teardown(every_path_with_its_own_id, teardown),
	        cmocka_unit_test_teardown(split_horizon_per_path, teardown),
	        cmocka_unit_test_teardown(restart_sends_again, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
