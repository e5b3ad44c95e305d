/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The FIB programmer against a fake dataplane: the other end of a SOCK_SEQPACKET
 * socketpair, read by a thread that decodes every message (include/routehub/
 * fib_channel.h), records it and acknowledges it. Checked: next hops per (address, port),
 * shared ECMP groups, reference counting, batching, ordering, and the resync sequence.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "fib_prog.h"
#include "hub_fixture.h"

#define MAX_EV 256

/* One record as the dataplane received it. */
struct ev {
	uint16_t type;
	unsigned msg; /* index of the message that carried it */
	uint32_t id;  /* NH, NHG: its id; ROUTE: nh_id */
	uint16_t port;
	uint16_t flags;
	char text[RH_PREFIX_STRLEN]; /* NH: address; ROUTE: prefix */
	unsigned n_members;
	uint32_t members[16];
};

static struct {
	pthread_t thread;
	int fd;
	unsigned n_msgs;
	unsigned n;
	struct ev ev[MAX_EV];
} dp;

static struct rh_config cfg;
static struct fib_prog *fp;

static void record(uint16_t type, const void *rec, const uint8_t *extra, unsigned n_extra)
{
	struct ev *e;

	if (dp.n >= MAX_EV)
		return;
	e = &dp.ev[dp.n++];
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->msg = dp.n_msgs;
	if (type == FIBC_NH_ADD || type == FIBC_NH_DEL) {
		const struct fibc_nh *nh = rec;
		struct rh_addr a = {.family = nh->family};

		e->id = nh->id;
		e->port = nh->port;
		memcpy(a.bytes, nh->addr, 16);
		if (type == FIBC_NH_ADD)
			rh_addr_fmt(&a, e->text, sizeof(e->text));
	} else if (type == FIBC_NHG_ADD || type == FIBC_NHG_DEL) {
		e->id = ((const struct fibc_nhg *)rec)->id;
		e->n_members = n_extra;
		memcpy(e->members, extra, n_extra * sizeof(uint32_t));
	} else if (type == FIBC_ROUTE_ADD || type == FIBC_ROUTE_DEL) {
		const struct fibc_route *r = rec;
		struct rh_prefix p = {.family = r->family, .len = r->len};

		memcpy(p.bytes, r->addr, 16);
		rh_prefix_fmt(&p, e->text, sizeof(e->text));
		e->id = r->nh_id;
		e->flags = r->flags;
	}
}

static void decode(const uint8_t *m, size_t len)
{
	const struct fibc_hdr *h = (const void *)m;
	const uint8_t *body = m + sizeof(*h);
	size_t size = 0;

	switch (h->type) {
	case FIBC_NH_ADD:
	case FIBC_NH_DEL:
		size = sizeof(struct fibc_nh);
		break;
	case FIBC_ROUTE_ADD:
	case FIBC_ROUTE_DEL:
		size = sizeof(struct fibc_route);
		break;
	case FIBC_NHG_ADD:
	case FIBC_NHG_DEL:
		record(h->type, body, body + sizeof(struct fibc_nhg), h->count);
		return;
	default:
		record(h->type, NULL, NULL, 0);
		return;
	}
	for (uint32_t i = 0; i < h->count && sizeof(*h) + (i + 1) * size <= len; i++)
		record(h->type, body + i * size, NULL, 0);
}

static void *dp_loop(void *arg)
{
	static uint8_t buf[FIBC_MAX_MSG];

	(void)arg;
	for (;;) {
		ssize_t n = recv(dp.fd, buf, sizeof(buf), 0);
		struct {
			struct fibc_hdr hdr;
			struct fibc_ack ack;
		} a = {0};

		if (n <= 0)
			return NULL;
		decode(buf, (size_t)n);
		dp.n_msgs++;
		a.hdr.version = FIBC_VERSION;
		a.hdr.type = FIBC_ACK;
		a.hdr.len = sizeof(a);
		a.hdr.count = 1;
		a.hdr.seq = ((struct fibc_hdr *)buf)->seq;
		a.ack.seq = a.hdr.seq;
		a.ack.instance_id = 42;
		if (send(dp.fd, &a, sizeof(a), MSG_NOSIGNAL) < 0)
			return NULL;
	}
}

/* A new fake dataplane; returns the client's end, attached to fp. */
static int dp_connect(void)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	memset(&dp, 0, sizeof(dp));
	dp.fd = sv[1];
	assert_int_equal(pthread_create(&dp.thread, NULL, dp_loop, NULL), 0);
	return fib_prog_attach(fp, fibc_attach(sv[0], 2000, 4));
}

static void dp_stop(void)
{
	fib_prog_detach(fp);
	pthread_join(dp.thread, NULL);
	close(dp.fd);
	dp.fd = 0;
}

static void dp_clear(void)
{
	dp.n = 0;
}

static unsigned count(uint16_t type)
{
	unsigned n = 0;

	for (unsigned i = 0; i < dp.n; i++)
		n += dp.ev[i].type == type;
	return n;
}

static const struct ev *find(uint16_t type, const char *text)
{
	for (unsigned i = 0; i < dp.n; i++)
		if (dp.ev[i].type == type && (text == NULL || strcmp(dp.ev[i].text, text) == 0))
			return &dp.ev[i];
	return NULL;
}

static unsigned index_of(const struct ev *e)
{
	assert_non_null(e);
	return (unsigned)(e - dp.ev);
}

static struct rh_addr A(const char *s) {
	struct rh_addr a;

	assert_int_equal(rh_addr_parse(s, &a), 0);
	return a;
}

static struct rh_prefix
P(const char *s) {
	struct rh_prefix p;

	assert_int_equal(rh_prefix_parse(s, &p, false), 0);
	return p;
}

static void
set(const char *prefix, const char *nh1, const char *nh2)
{
	struct rh_addr nh[2];
	struct rh_prefix p = P(prefix);
	unsigned n = 0;

	if (nh1 != NULL)
		nh[n++] = A(nh1);
	if (nh2 != NULL)
		nh[n++] = A(nh2);
	assert_int_equal(fib_prog_set(fp, &p, nh, n), 0);
}

static int setup(void **state)
{
	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.dp.n_ports = 2;
	cfg.dp.port[0].n_addrs = 1;
	cfg.dp.port[0].addr[0] = (struct rh_ifaddr){.addr = A("198.19.1.1"), .len = 24};
	cfg.dp.port[1].n_addrs = 1;
	cfg.dp.port[1].addr[0] = (struct rh_ifaddr){.addr = A("198.19.2.1"), .len = 24};
	fp = fib_prog_new(&cfg);
	assert_non_null(fp);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fib_prog_free(fp);
	if (dp.fd > 0) {
		pthread_join(dp.thread, NULL);
		close(dp.fd);
	}
	memset(&dp, 0, sizeof(dp));
	return 0;
}

static void test_resync_sends_the_whole_table(void **state)
{
	const struct ev *nh1, *nh2, *nh3, *g;

	(void)state;
	/* Before any connection: single next hop, two ECMP routes with one member set. */
	set("192.0.2.0/24", "198.19.1.10", NULL);
	set("198.51.100.0/24", "198.19.1.10", "198.19.2.10");
	set("203.0.113.0/24", "198.19.2.10", "198.19.1.10");
	set("203.0.113.0/25", "198.51.100.1", NULL);
	assert_int_equal(fib_prog_groups(fp), 1);
	assert_int_equal(fib_prog_nexthops(fp), 3);
	assert_int_equal(dp_connect(), 0);
	/* HELLO, SYNC_BEGIN, next hops, the group, routes in one message, SYNC_END. */
	assert_int_equal(dp.ev[0].type, FIBC_HELLO);
	assert_int_equal(dp.ev[1].type, FIBC_SYNC_BEGIN);
	assert_int_equal(dp.ev[dp.n - 1].type, FIBC_SYNC_END);
	assert_int_equal(count(FIBC_NH_ADD), 3);
	assert_int_equal(count(FIBC_NHG_ADD), 1);
	assert_int_equal(count(FIBC_ROUTE_ADD), 4);
	nh1 = find(FIBC_NH_ADD, "198.19.1.10");
	nh2 = find(FIBC_NH_ADD, "198.19.2.10");
	nh3 = find(FIBC_NH_ADD, "198.51.100.1");
	/* The port is the one whose subnet holds the address, else any. */
	assert_int_equal(nh1->port, 0);
	assert_int_equal(nh2->port, 1);
	assert_int_equal(nh3->port, FIBC_PORT_ANY);
	g = find(FIBC_NHG_ADD, NULL);
	assert_int_equal(g->n_members, 2);
	assert_true(index_of(g) > index_of(nh2) &&
	            index_of(g) < index_of(find(FIBC_ROUTE_ADD, NULL)));
	assert_int_equal(find(FIBC_ROUTE_ADD, "192.0.2.0/24")->id, nh1->id);
	assert_int_equal(find(FIBC_ROUTE_ADD, "192.0.2.0/24")->flags, 0);
	assert_int_equal(find(FIBC_ROUTE_ADD, "198.51.100.0/24")->id, g->id);
	assert_int_equal(find(FIBC_ROUTE_ADD, "198.51.100.0/24")->flags, FIBC_RT_F_GROUP);
	assert_int_equal(find(FIBC_ROUTE_ADD, "203.0.113.0/24")->id, g->id);
	/* The routes went in one batch. */
	assert_int_equal(find(FIBC_ROUTE_ADD, "192.0.2.0/24")->msg,
	                 find(FIBC_ROUTE_ADD, "203.0.113.0/25")->msg);
	assert_int_equal(fib_prog_pending(fp), 0);
	dp_stop();
}

static void test_incremental_updates_and_reference_counts(void **state)
{
	const struct ev *g;

	(void)state;
	set("192.0.2.0/24", "198.19.1.10", NULL);
	set("198.51.100.0/24", "198.19.1.10", "198.19.2.10");
	assert_int_equal(dp_connect(), 0);
	g = find(FIBC_NHG_ADD, NULL);
	assert_non_null(g);
	uint32_t gid = g->id;

	dp_clear();
	/* A new next hop for one route: the next hop first, then the route replaced. */
	set("192.0.2.0/24", "198.19.1.20", NULL);
	set("192.0.2.0/24", "198.19.1.30", NULL); /* coalesced: only the last is sent */
	assert_int_equal(fib_prog_pending(fp), 1);
	assert_int_equal(fib_prog_flush(fp), 0);
	assert_int_equal(count(FIBC_NH_ADD), 1);
	assert_non_null(find(FIBC_NH_ADD, "198.19.1.30"));
	assert_int_equal(count(FIBC_ROUTE_ADD), 1);
	assert_true(index_of(find(FIBC_NH_ADD, NULL)) < index_of(find(FIBC_ROUTE_ADD, NULL)));
	/* 198.19.1.10 is still a member of the group; 198.19.1.20 was never sent. */
	assert_int_equal(count(FIBC_NH_DEL), 0);
	assert_int_equal(fib_prog_nexthops(fp), 3);

	dp_clear();
	/* A second route with the same member set shares the group. */
	set("203.0.113.0/24", "198.19.2.10", "198.19.1.10");
	assert_int_equal(fib_prog_flush(fp), 0);
	assert_int_equal(count(FIBC_NHG_ADD), 0);
	assert_int_equal(find(FIBC_ROUTE_ADD, "203.0.113.0/24")->id, gid);

	dp_clear();
	/* Both ECMP routes gone: routes deleted, then the group, then its members. */
	set("203.0.113.0/24", NULL, NULL);
	set("198.51.100.0/24", NULL, NULL);
	assert_int_equal(fib_prog_flush(fp), 0);
	assert_int_equal(count(FIBC_ROUTE_DEL), 2);
	assert_int_equal(find(FIBC_ROUTE_DEL, "203.0.113.0/24")->msg,
	                 find(FIBC_ROUTE_DEL, "198.51.100.0/24")->msg);
	assert_int_equal(count(FIBC_NHG_DEL), 1);
	assert_int_equal(find(FIBC_NHG_DEL, NULL)->id, gid);
	assert_int_equal(count(FIBC_NH_DEL), 2);
	assert_true(index_of(find(FIBC_ROUTE_DEL, NULL)) < index_of(find(FIBC_NHG_DEL, NULL)));
	assert_true(index_of(find(FIBC_NHG_DEL, NULL)) < index_of(find(FIBC_NH_DEL, NULL)));
	assert_int_equal(fib_prog_groups(fp), 0);
	assert_int_equal(fib_prog_nexthops(fp), 1);
	assert_int_equal(fib_prog_routes(fp), 1);

	dp_clear();
	/* Added and removed before a flush: nothing at all. */
	set("198.18.7.0/24", "198.19.1.99", NULL);
	set("198.18.7.0/24", NULL, NULL);
	assert_int_equal(fib_prog_flush(fp), 0);
	assert_int_equal(dp.n, 0);
	dp_stop();
}

static void test_reconnect_resyncs_the_current_table(void **state)
{
	(void)state;
	set("192.0.2.0/24", "198.19.1.10", NULL);
	set("198.51.100.0/24", "198.19.1.11", NULL);
	assert_int_equal(dp_connect(), 0);
	dp_stop();
	/* While the dataplane is away, changes queue. */
	set("198.51.100.0/24", NULL, NULL);
	set("203.0.113.0/24", "198.19.1.12", "198.19.1.13");
	assert_int_equal(fib_prog_flush(fp), 0);
	assert_false(fib_prog_attached(fp));
	assert_int_equal(dp_connect(), 0);
	/* The table as it is now, nothing about what was removed: SYNC_END sweeps it. */
	assert_int_equal(count(FIBC_ROUTE_ADD), 2);
	assert_non_null(find(FIBC_ROUTE_ADD, "192.0.2.0/24"));
	assert_non_null(find(FIBC_ROUTE_ADD, "203.0.113.0/24"));
	assert_int_equal(count(FIBC_ROUTE_DEL), 0);
	assert_int_equal(count(FIBC_NH_DEL), 0);
	assert_int_equal(count(FIBC_NH_ADD), 3);
	assert_null(find(FIBC_NH_ADD, "198.19.1.11"));
	assert_int_equal(dp.ev[dp.n - 1].type, FIBC_SYNC_END);
	assert_int_equal(fib_prog_pending(fp), 0);
	dp_stop();
}

/* cp_fib's way while detached: nothing fed, then cleared and loaded again before attach. */
static void test_clear_and_reload_resyncs_the_same_table(void **state)
{
	uint32_t id1, id2;

	(void)state;
	set("192.0.2.0/24", "198.19.1.10", NULL);
	set("198.51.100.0/24", "198.19.1.10", "198.19.1.11");
	assert_int_equal(dp_connect(), 0);
	id1 = find(FIBC_NH_ADD, "198.19.1.10")->id;
	id2 = find(FIBC_NH_ADD, "198.19.1.11")->id;
	dp_stop();
	fib_prog_clear(fp);
	assert_int_equal(fib_prog_routes(fp), 0);
	assert_int_equal(fib_prog_pending(fp), 0);
	/* The desired state now: one route gone, one changed, one new. */
	set("198.51.100.0/24", "198.19.1.11", "198.19.1.10");
	set("203.0.113.0/24", "198.19.1.12", NULL);
	assert_int_equal(fib_prog_routes(fp), 2);
	assert_int_equal(dp_connect(), 0);
	assert_int_equal(count(FIBC_ROUTE_ADD), 2);
	assert_null(find(FIBC_ROUTE_ADD, "192.0.2.0/24"));
	assert_non_null(find(FIBC_ROUTE_ADD, "203.0.113.0/24"));
	/* Next hops still used keep their ids across the reload. */
	assert_int_equal(find(FIBC_NH_ADD, "198.19.1.10")->id, id1);
	assert_int_equal(find(FIBC_NH_ADD, "198.19.1.11")->id, id2);
	assert_int_equal(count(FIBC_NH_ADD), 3);
	assert_int_equal(count(FIBC_NHG_ADD), 1);
	assert_int_equal(fib_prog_pending(fp), 0);
	dp_stop();
}

static void test_effective_routes_program_only_bgp_routes(void **state)
{
	struct hub_effective e = {.active = true, .src = HUB_SRC_VNET};
	struct rh_prefix vnet = P("198.18.0.0/16"), p = P("192.0.2.0/24");

	(void)state;
	assert_int_equal(dp_connect(), 0);
	dp_clear();
	/* VNet spaces are the dataplane's connected subnets, not FIB routes. */
	assert_int_equal(fib_prog_effective(fp, &vnet, &e), 0);
	e = (struct hub_effective){.active = true, .src = HUB_SRC_NVA, .n_nexthops = 2};
	e.nexthop[0] = A("198.19.1.10");
	e.nexthop[1] = A("198.19.1.11");
	assert_int_equal(fib_prog_effective(fp, &p, &e), 0);
	assert_int_equal(fib_prog_flush(fp), 0);
	assert_int_equal(count(FIBC_ROUTE_ADD), 1);
	assert_int_equal(find(FIBC_ROUTE_ADD, "192.0.2.0/24")->flags, FIBC_RT_F_GROUP);
	dp_clear();
	/* Not active any more (e.g. R8): out of the FIB. */
	e.active = false;
	assert_int_equal(fib_prog_effective(fp, &p, &e), 0);
	assert_int_equal(fib_prog_flush(fp), 0);
	assert_int_equal(count(FIBC_ROUTE_DEL), 1);
	/* A next hop of another family is refused. */
	{
		struct rh_addr v6 = A("2001:db8::1");

		assert_int_equal(fib_prog_set(fp, &p, &v6, 1), -EINVAL);
	}
	dp_stop();
}

static void hub_to_fib(const struct rh_prefix *p)
{
	struct hub_effective e;

	assert_int_equal(fib_prog_effective(fp, p, hub_effective_get(fx.h, p, &e) == 0 ? &e : NULL),
	                 0);
}

static void walk_cb(const struct rh_prefix *p, void *arg)
{
	(void)arg;
	hub_to_fib(p);
}

/* R17: the hub's effective routes are what programs the fast path. */
static void test_R17_hub_effective_routes_program_the_fib(void **state)
{
	struct fx_peer nva1, nva2, er1;
	const struct ev *g;

	(void)state;
	fx_config(false);
	fx.cfg.vpn.n_local = 1;
	fx.cfg.vpn.local[0] = P("203.0.113.128/25");
	fx.cfg.dp = cfg.dp;
	fx_start();
	fx.on_effective = hub_to_fib;
	/* What hub_new() has (VNet spaces: not FIB routes; the VPN static prefix: one). */
	assert_int_equal(hub_effective_walk(fx.h, walk_cb, NULL), 0);
	fx_peer(&nva1, HUB_ROLE_NVA, "198.19.1.10", 65001, NULL);
	fx_peer(&nva2, HUB_ROLE_NVA, "198.19.1.11", 65002, NULL);
	fx_peer(&er1, HUB_ROLE_ER_ONPREM, "198.19.2.10", 65020, NULL);
	/* R2 + R3: two NVAs, equal AS path length, next hops as advertised. */
	assert_int_equal(fx_announce(&nva1, "192.0.2.0/24", "65001", "198.19.1.100", NULL, 0), 0);
	assert_int_equal(fx_announce(&nva2, "192.0.2.0/24", "65002", "198.19.1.11", NULL, 0), 0);
	assert_int_equal(fx_announce(&er1, "198.51.100.0/24", "65020", "198.19.2.10", NULL, 0), 0);
	/* R8: refused, never programmed. */
	assert_int_equal(fx_announce(&nva1, "198.18.1.0/24", "65001", "198.19.1.10", NULL, 0), 0);
	assert_int_equal(dp_connect(), 0);
	assert_int_equal(count(FIBC_ROUTE_ADD), 3);
	assert_null(find(FIBC_ROUTE_ADD, "198.18.0.0/16"));
	assert_null(find(FIBC_ROUTE_ADD, "198.18.1.0/24"));
	g = find(FIBC_NHG_ADD, NULL);
	assert_non_null(g);
	assert_int_equal(g->n_members, 2);
	assert_int_equal(find(FIBC_ROUTE_ADD, "192.0.2.0/24")->id, g->id);
	assert_non_null(find(FIBC_NH_ADD, "198.19.1.100"));
	assert_int_equal(find(FIBC_NH_ADD, "198.19.2.10")->port, 1);
	/* The static prefix goes to the VPN site's device. */
	assert_non_null(find(FIBC_ROUTE_ADD, "203.0.113.128/25"));
	assert_non_null(find(FIBC_NH_ADD, "198.19.3.10"));
	dp_clear();
	/* Incremental: one NVA prepends, the ECMP group goes. */
	assert_int_equal(fx_announce(&nva2, "192.0.2.0/24", "65002 65002", "198.19.1.11", NULL, 0),
	                 0);
	assert_int_equal(fib_prog_flush(fp), 0);
	assert_int_equal(count(FIBC_ROUTE_ADD), 1);
	assert_int_equal(find(FIBC_ROUTE_ADD, "192.0.2.0/24")->flags, 0);
	assert_int_equal(count(FIBC_NHG_DEL), 1);
	assert_int_equal(count(FIBC_NH_DEL), 1); /* 198.19.1.11: used by nothing now */
	dp_clear();
	hub_peer_down(er1.hp);
	assert_int_equal(fib_prog_flush(fp), 0);
	assert_int_equal(count(FIBC_ROUTE_DEL), 1);
	assert_non_null(find(FIBC_ROUTE_DEL, "198.51.100.0/24"));
	dp_stop();
	fx_stop();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_resync_sends_the_whole_table, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_incremental_updates_and_reference_counts,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(test_reconnect_resyncs_the_current_table, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_clear_and_reload_resyncs_the_same_table, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_effective_routes_program_only_bgp_routes,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(test_R17_hub_effective_routes_program_the_fib,
	                                        setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
