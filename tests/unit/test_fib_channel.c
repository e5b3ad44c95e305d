/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The FIB channel end to end: the fibc client (common/fibc.c) against the server
 * (dataplane/fib_server.c) over a socketpair, the server polled by a thread of its own
 * as the dataplane's main lcore would, the FIB real (EAL in no-huge mode).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>

#include "fib.h"
#include "fib_server.h"
#include "fibc.h"
#include "routehub/prefix.h"

static struct dp_fib *fib;
static struct fib_server *srv;
static struct fibc *cli;
static pthread_t srv_thread;
static bool srv_stop;

static int eal_setup(void **state)
{
	char prefix[64];
	/* 512 MB: both tables have a 128 MB tbl24 (8-byte entries). */
	char *argv[] = {"test_fib_channel",  "--no-huge", "--no-pci", "-m", "512",
	                "--log-level=error", prefix,      "-l",       "0"};

	(void)state;
	/* A prefix of this process's own: test runs in other trees may share the machine. */
	snprintf(prefix, sizeof(prefix), "--file-prefix=rh_test_fib_channel_%d", (int)getpid());
	return rte_eal_init(RTE_DIM(argv), argv) < 0 ? -1 : 0;
}

static int eal_teardown(void **state)
{
	(void)state;
	rte_eal_cleanup();
	return 0;
}

static void *srv_loop(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&srv_stop, __ATOMIC_ACQUIRE))
		if (fib_server_poll(srv) == 0)
			usleep(20);
	return NULL;
}

static void srv_start(void)
{
	__atomic_store_n(&srv_stop, false, __ATOMIC_RELEASE);
	assert_int_equal(pthread_create(&srv_thread, NULL, srv_loop, NULL), 0);
}

static void srv_halt(void)
{
	__atomic_store_n(&srv_stop, true, __ATOMIC_RELEASE);
	pthread_join(srv_thread, NULL);
}

/* A new client on a new socketpair; the server thread must be halted. */
static struct fibc *client_new(void)
{
	int sv[2];
	struct fibc *c;

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(fib_server_attach(srv, sv[0]), 0);
	c = fibc_attach(sv[1], 5000, 8);
	assert_non_null(c);
	return c;
}

static int setup(void **state)
{
	struct dp_fib_conf conf = {
	        .v4_max_routes = 65536,
	        .v6_max_routes = 4096,
	        .max_next_hops = 256,
	        .max_groups = 64,
	        .n_workers = 1,
	};

	(void)state;
	fib = dp_fib_create(&conf);
	if (fib == NULL)
		return -1;
	srv = fib_server_create(fib, NULL);
	if (srv == NULL)
		return -1;
	cli = client_new();
	srv_start();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fibc_close(cli);
	srv_halt();
	fib_server_destroy(srv);
	dp_fib_destroy(fib);
	return 0;
}

static struct fibc_nh NH(uint32_t id, const char *addr) {
	struct fibc_nh nh = {.id = id, .port = 0};
	struct rh_addr a;

	assert_int_equal(rh_addr_parse(addr, &a), 0);
	nh.family = a.family;
	memcpy(nh.addr, a.bytes, sizeof(nh.addr));
	return nh;
}

/* Route number i of a synthetic table: 10.0.0.0/24 + i, or 2001:db8:i::/48. */
static struct fibc_route
route_n(uint8_t family, uint32_t i, uint32_t nh)
{
	struct fibc_route r = {.family = family, .nh_id = nh};

	if (family == RH_AF_INET) {
		r.len = 24;
		r.addr[0] = (uint8_t)(10 + (i >> 16));
		r.addr[1] = (uint8_t)(i >> 8);
		r.addr[2] = (uint8_t)i;
	} else {
		r.len = 48;
		r.addr[0] = 0x20;
		r.addr[1] = 0x01;
		r.addr[2] = 0x0d;
		r.addr[3] = 0xb8;
		r.addr[4] = (uint8_t)(i >> 8);
		r.addr[5] = (uint8_t)i;
	}
	return r;
}

static uint64_t look4(uint32_t host_order_ip)
{
	uint64_t v;

	dp_fib_lookup4_bulk(fib, &host_order_ip, &v, 1);
	return v;
}

static void hello_and_nhs(void)
{
	struct fibc_ack ack;
	struct fibc_nh nh1 = NH(1, "192.0.2.1"), nh2 = NH(2, "192.0.2.2");

	assert_int_equal(fibc_hello(cli, &ack), 0);
	assert_int_equal(fibc_nh_add(cli, &nh1), 0);
	assert_int_equal(fibc_nh_add(cli, &nh2), 0);
	assert_int_equal(fibc_flush(cli, &ack), 0);
}

static void add_routes(uint8_t family, uint32_t from, uint32_t n, uint32_t nh)
{
	for (uint32_t i = from; i < from + n; i++) {
		struct fibc_route r = route_n(family, i, nh);

		assert_int_equal(fibc_route_add(cli, &r), 0);
	}
}

static void test_hello(void **state)
{
	struct fibc_ack ack, ack2;

	(void)state;
	assert_int_equal(fibc_hello(cli, &ack), 0);
	assert_int_not_equal(ack.instance_id, 0);
	assert_true(ack.instance_id == fib_server_instance_id());
	assert_int_equal(ack.routes_v4, 0);
	assert_int_equal(ack.routes_v6, 0);
	assert_int_equal(fibc_hello(cli, &ack2), 0);
	assert_true(ack2.instance_id == ack.instance_id);
	assert_true(ack2.generation == ack.generation);
}

static void test_batches(void **state)
{
	struct fibc_ack ack;
	uint32_t members[] = {1, 2};
	struct fibc_route r;

	(void)state;
	hello_and_nhs();
	assert_int_equal(fibc_nhg_add(cli, 5, members, 2), 0);
	add_routes(RH_AF_INET, 0, 10000, 1);
	add_routes(RH_AF_INET6, 0, 1000, 2);
	r = route_n(RH_AF_INET, 20000, 5);
	r.flags = FIBC_RT_F_GROUP;
	assert_int_equal(fibc_route_add(cli, &r), 0);
	assert_int_equal(fibc_flush(cli, &ack), 0);
	assert_int_equal(ack.routes_v4, 10001);
	assert_int_equal(ack.routes_v6, 1000);
	assert_int_equal(look4(0x0a000001), 1); /* 10.0.0.1 */
	assert_int_equal(look4(0x0a270f01), 1); /* 10.39.15.1: route 9999 */
	assert_int_equal(look4(0x0a271001), 0); /* 10.39.16.1: route 10000, never added */
	assert_true(look4(0x0a4e2001) == (DP_FIB_GROUP | 5)); /* route 20000 */
	/* Replace 5,000 in place, delete the other 5,000. */
	add_routes(RH_AF_INET, 0, 5000, 2);
	for (uint32_t i = 5000; i < 10000; i++) {
		r = route_n(RH_AF_INET, i, 0);
		assert_int_equal(fibc_route_del(cli, &r), 0);
	}
	assert_int_equal(fibc_flush(cli, &ack), 0);
	assert_int_equal(ack.routes_v4, 5001);
	assert_int_equal(look4(0x0a000001), 2);
	assert_int_equal(look4(0x0a138801), 0); /* route 5000 */
	assert_int_equal(fibc_nhg_del(cli, 5), 0);
	assert_int_equal(fibc_flush(cli, NULL), -EBUSY); /* route 20000 uses it */
	assert_int_equal(fibc_last_error(cli)->type, FIBC_NHG_DEL);
}

static void test_refused_record(void **state)
{
	struct fibc_ack ack;
	struct fibc_route r;

	(void)state;
	hello_and_nhs();
	add_routes(RH_AF_INET, 0, 100, 1);
	add_routes(RH_AF_INET, 100, 1, 99); /* no next hop 99 */
	add_routes(RH_AF_INET, 101, 100, 1);
	assert_int_equal(fibc_flush(cli, &ack), -ENOENT);
	assert_int_equal(fibc_last_error(cli)->failed_index, 100);
	assert_int_equal(fibc_last_error(cli)->type, FIBC_ROUTE_ADD);
	/* The records before it stay applied, the ones after it in the batch were not. */
	assert_int_equal(ack.routes_v4, 100);
	/* Next batch: fine again. */
	r = route_n(RH_AF_INET, 500, 2);
	assert_int_equal(fibc_route_add(cli, &r), 0);
	assert_int_equal(fibc_flush(cli, &ack), 0);
	assert_int_equal(ack.routes_v4, 101);
	assert_int_equal(fibc_last_error(cli)->status, 0);
	/* A refused request pipelined before a synchronous one is not lost. */
	add_routes(RH_AF_INET, 600, 1, 98);
	assert_int_equal(fibc_hello(cli, &ack), -ENOENT);
	assert_int_equal(fibc_last_error(cli)->type, FIBC_ROUTE_ADD);
}

struct raw {
	struct fibc_hdr h;
	union {
		struct fibc_route r[4];
		struct fibc_nh nh[4];
		struct {
			struct fibc_nhg g;
			uint32_t m[FIBC_NHG_MAX_MEMBERS + 1];
		} nhg;
	};
};

static void raw_init(struct raw *m, uint16_t type, uint32_t count, size_t body)
{
	memset(m, 0, sizeof(*m));
	m->h.version = FIBC_VERSION;
	m->h.type = type;
	m->h.count = count;
	m->h.len = (uint32_t)(sizeof(m->h) + body);
}

static void expect_badmsg(const void *msg, size_t len, const struct fibc_ack *before)
{
	struct fibc_ack ack;

	assert_int_equal(fibc_send_raw(cli, msg, len, &ack), -EBADMSG);
	assert_true(ack.generation == before->generation);
	assert_int_equal(ack.routes_v4, before->routes_v4);
	assert_int_equal(ack.routes_v6, before->routes_v6);
}

static void test_malformed(void **state)
{
	struct fib_server_stats st;
	struct raw m;
	struct fibc_ack before;
	uint8_t *big;

	(void)state;
	hello_and_nhs();
	add_routes(RH_AF_INET, 0, 10, 1);
	assert_int_equal(fibc_flush(cli, &before), 0);
	/* Shorter than a header, empty. */
	expect_badmsg("\x01\x00\x09", 3, &before);
	expect_badmsg("", 0, &before);
	/* Version, type, length against count. */
	raw_init(&m, FIBC_ROUTE_ADD, 1, sizeof(m.r[0]));
	m.r[0] = route_n(RH_AF_INET, 50, 1);
	m.h.version = 2;
	expect_badmsg(&m, m.h.len, &before);
	m.h.version = FIBC_VERSION;
	m.h.type = 99;
	expect_badmsg(&m, m.h.len, &before);
	m.h.type = FIBC_ACK;
	expect_badmsg(&m, m.h.len, &before);
	m.h.type = FIBC_ROUTE_ADD;
	m.h.count = 2; /* one record sent */
	expect_badmsg(&m, m.h.len, &before);
	m.h.count = 0x80000000u; /* count * size overflows 32 bits */
	expect_badmsg(&m, m.h.len, &before);
	m.h.count = 1;
	expect_badmsg(&m, m.h.len + 4, &before); /* datagram longer than hdr.len */
	/* Records: a good one first, then a bad one: nothing of the batch is applied. */
	raw_init(&m, FIBC_ROUTE_ADD, 2, 2 * sizeof(m.r[0]));
	m.r[0] = route_n(RH_AF_INET, 50, 1);
	m.r[1] = route_n(RH_AF_INET, 51, 1);
	m.r[1].family = 5;
	expect_badmsg(&m, m.h.len, &before);
	m.r[1] = route_n(RH_AF_INET, 51, 1);
	m.r[1].len = 33;
	expect_badmsg(&m, m.h.len, &before);
	m.r[1] = route_n(RH_AF_INET6, 51, 1);
	m.r[1].len = 129;
	expect_badmsg(&m, m.h.len, &before);
	m.r[1] = route_n(RH_AF_INET, 51, 1);
	m.r[1].addr[3] = 1; /* host bit of a /24 */
	expect_badmsg(&m, m.h.len, &before);
	m.r[1] = route_n(RH_AF_INET, 51, 1);
	m.r[1].addr[8] = 1; /* past the 4 bytes of IPv4 */
	expect_badmsg(&m, m.h.len, &before);
	m.r[1] = route_n(RH_AF_INET, 51, 1);
	m.r[1].flags = 0x8000;
	expect_badmsg(&m, m.h.len, &before);
	m.r[1] = route_n(RH_AF_INET, 51, 0); /* next hop 0 */
	expect_badmsg(&m, m.h.len, &before);
	/* Next hops and groups. */
	raw_init(&m, FIBC_NH_ADD, 1, sizeof(m.nh[0]));
	m.nh[0] = NH(0, "192.0.2.7");
	expect_badmsg(&m, m.h.len, &before);
	m.nh[0] = NH(7, "192.0.2.7");
	m.nh[0].flags = FIBC_NH_F_BLACKHOLE | FIBC_NH_F_LOCAL;
	expect_badmsg(&m, m.h.len, &before);
	m.nh[0].flags = 0x80;
	expect_badmsg(&m, m.h.len, &before);
	m.nh[0].flags = 0;
	m.nh[0].addr[4] = 1; /* past the 4 bytes of IPv4 */
	expect_badmsg(&m, m.h.len, &before);
	raw_init(&m, FIBC_NHG_ADD, 0, sizeof(m.nhg.g));
	m.nhg.g.id = 3;
	expect_badmsg(&m, m.h.len, &before); /* no member */
	raw_init(&m, FIBC_NHG_ADD, FIBC_NHG_MAX_MEMBERS + 1,
	         sizeof(m.nhg.g) + (FIBC_NHG_MAX_MEMBERS + 1) * 4);
	m.nhg.g.id = 3;
	for (unsigned i = 0; i <= FIBC_NHG_MAX_MEMBERS; i++)
		m.nhg.m[i] = 1;
	expect_badmsg(&m, m.h.len, &before);
	raw_init(&m, FIBC_NHG_ADD, 2, sizeof(m.nhg.g) + 8);
	m.nhg.g.id = 3;
	m.nhg.m[0] = 1;
	expect_badmsg(&m, m.h.len, &before); /* member 0 */
	raw_init(&m, FIBC_HELLO, 1, 0);
	expect_badmsg(&m, m.h.len, &before);
	/* Larger than FIBC_MAX_MSG. */
	big = calloc(1, FIBC_MAX_MSG + 1000);
	assert_non_null(big);
	raw_init(&m, FIBC_ROUTE_ADD, (FIBC_MAX_MSG + 1000 - 16) / 24, 0);
	m.h.len = FIBC_MAX_MSG + 1000;
	memcpy(big, &m.h, sizeof(m.h));
	expect_badmsg(big, FIBC_MAX_MSG + 1000, &before);
	free(big);
	/* The session goes on. */
	srv_halt();
	fib_server_stats(srv, &st);
	assert_int_equal(st.malformed, 24); /* the expect_badmsg() calls above */
	assert_int_equal(st.refusals, 0);
	srv_start();
	add_routes(RH_AF_INET, 10, 1, 1);
	assert_int_equal(fibc_flush(cli, &before), 0);
	assert_int_equal(before.routes_v4, 11);
}

/* Valid messages with random damage: one ACK each, never a crash, and a message refused
 * as malformed leaves the FIB as it was. */
static void test_random_damage(void **state)
{
	struct raw m;
	struct fibc_ack ack, prev;
	uint32_t seed = 12345;

	(void)state;
	hello_and_nhs();
	assert_int_equal(fibc_flush(cli, &prev), 0);
	for (unsigned i = 0; i < 3000; i++) {
		size_t len;
		int ret;

		switch (i % 3) {
		case 0:
			raw_init(&m, FIBC_ROUTE_ADD, 3, 3 * sizeof(m.r[0]));
			for (uint32_t k = 0; k < 3; k++)
				m.r[k] = route_n(k == 1 ? RH_AF_INET6 : RH_AF_INET, i + k,
				                 1 + k % 2);
			break;
		case 1:
			raw_init(&m, FIBC_NH_ADD, 2, 2 * sizeof(m.nh[0]));
			m.nh[0] = NH(3 + i % 7, "192.0.2.9");
			m.nh[1] = NH(4 + i % 7, "2001:db8::9");
			break;
		default:
			raw_init(&m, FIBC_NHG_ADD, 2, sizeof(m.nhg.g) + 8);
			m.nhg.g.id = 1 + i % 5;
			m.nhg.m[0] = 1;
			m.nhg.m[1] = 2;
			break;
		}
		len = m.h.len;
		/* One to four bytes changed, sometimes the length too. */
		for (unsigned k = 0; k <= (seed >> 8) % 4; k++) {
			seed = seed * 1103515245u + 12345u;
			((uint8_t *)&m)[(seed >> 8) % len] ^= (uint8_t)(1u << ((seed >> 4) % 8));
		}
		seed = seed * 1103515245u + 12345u;
		if ((seed >> 8) % 8 == 0)
			len = (seed >> 12) % sizeof(m);
		ret = fibc_send_raw(cli, &m, len, &ack);
		assert_true(ret == 0 || ret == -EBADMSG || ret == -ENOENT || ret == -ERANGE ||
		            ret == -EINVAL || ret == -EBUSY || ret == -EPROTO ||
		            ret == -EAFNOSUPPORT || ret == -ENOSPC);
		if (ret == -EBADMSG)
			assert_true(ack.generation == prev.generation);
		prev = ack;
	}
	/* Still serving. */
	assert_int_equal(fibc_hello(cli, &ack), 0);
}

static void test_protocol_order(void **state)
{
	struct fibc_ack ack;

	(void)state;
	/* Nothing before HELLO. */
	add_routes(RH_AF_INET, 0, 1, 1);
	assert_int_equal(fibc_flush(cli, &ack), -EPROTO);
	assert_int_equal(fibc_hello(cli, &ack), 0);
	assert_int_equal(fibc_sync_end(cli, &ack), -EPROTO);
	assert_int_equal(fibc_sync_begin(cli, &ack), 0);
	assert_int_equal(fibc_sync_end(cli, &ack), 0);
}

/* The control plane goes away and comes back: the FIB stays, the resync sweeps. */
static void test_disconnect_resync(void **state)
{
	struct fibc_ack ack;
	uint64_t instance;
	struct dp_fib_stats st;

	(void)state;
	hello_and_nhs();
	add_routes(RH_AF_INET, 0, 3000, 1);
	add_routes(RH_AF_INET6, 0, 100, 2);
	assert_int_equal(fibc_flush(cli, &ack), 0);
	instance = ack.instance_id;
	/* Gone in the middle of a sync. */
	assert_int_equal(fibc_sync_begin(cli, NULL), 0);
	fibc_close(cli);
	srv_halt();
	fib_server_poll(srv); /* sees the hang-up if the thread did not */
	assert_false(fib_server_connected(srv));
	dp_fib_stats(fib, &st);
	assert_int_equal(st.routes_v4, 3000);
	assert_int_equal(st.routes_v6, 100);
	assert_int_equal(look4(0x0a000001), 1);
	/* Back: the same instance, the FIB as it was; a resync sends a part again. */
	cli = client_new();
	srv_start();
	assert_int_equal(fibc_hello(cli, &ack), 0);
	assert_true(ack.instance_id == instance);
	assert_int_equal(ack.routes_v4, 3000);
	assert_int_equal(fibc_sync_begin(cli, NULL), 0);
	{
		struct fibc_nh nh1 = NH(1, "192.0.2.1"), nh2 = NH(2, "192.0.2.2");

		assert_int_equal(fibc_nh_add(cli, &nh1), 0);
		assert_int_equal(fibc_nh_add(cli, &nh2), 0);
	}
	add_routes(RH_AF_INET, 0, 1000, 2); /* re-added, one next hop changed */
	add_routes(RH_AF_INET6, 50, 50, 2);
	assert_int_equal(fibc_flush(cli, NULL), 0);
	assert_int_equal(look4(0x0a000001), 2);
	assert_int_equal(look4(0x0a07cf01), 1); /* route 1999: stale, still forwarding */
	assert_int_equal(fibc_sync_end(cli, &ack), 0);
	assert_int_equal(ack.routes_v4, 1000);
	assert_int_equal(ack.routes_v6, 50);
	assert_int_equal(look4(0x0a07cf01), 0);
	assert_int_equal(look4(0x0a03e705), 2); /* route 999 */
}

static void send_hellos(int fd, uint32_t n)
{
	for (uint32_t seq = 1; seq <= n; seq++) {
		struct fibc_hdr h = {
		        .version = FIBC_VERSION, .type = FIBC_HELLO, .len = 16, .seq = seq};

		assert_int_equal(send(fd, &h, sizeof(h), MSG_DONTWAIT), (ssize_t)sizeof(h));
	}
}

/* Reads an ACK without waiting: its seq, or 0 if none was there. */
static uint32_t ack_seq(int fd)
{
	struct {
		struct fibc_hdr h;
		struct fibc_ack a;
	} m;

	if (recv(fd, &m, sizeof(m), MSG_DONTWAIT) != (ssize_t)sizeof(m))
		return 0;
	assert_int_equal(m.a.status, 0);
	return m.a.seq;
}

/* A dataplane that does not answer: the client gives up after its timeout, for good. */
static void test_client_timeout(void **state)
{
	struct fibc_route r = route_n(RH_AF_INET, 1, 1);
	struct fibc *c;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	c = fibc_attach(sv[1], 100, 4);
	assert_non_null(c);
	assert_int_equal(fibc_hello(c, NULL), -ETIMEDOUT);
	assert_int_equal(fibc_route_add(c, &r), -ETIMEDOUT);
	assert_int_equal(fibc_flush(c, NULL), -ETIMEDOUT);
	fibc_close(c);
	close(sv[0]);
	/* A dataplane that goes away: the client sees the hang-up. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	c = fibc_attach(sv[1], 1000, 4);
	assert_non_null(c);
	close(sv[0]);
	assert_true(fibc_hello(c, NULL) < 0);
	fibc_close(c);
}

/* A poll does a bounded amount of work. */
static void test_poll_budget(void **state)
{
	(void)state;
	srv_halt();
	fib_server_set_budget(srv, 2);
	send_hellos(fibc_fd(cli), 5);
	assert_int_equal(fib_server_poll(srv), 2);
	assert_int_equal(fib_server_poll(srv), 2);
	assert_int_equal(fib_server_poll(srv), 1);
	assert_int_equal(fib_server_poll(srv), 0);
	for (uint32_t seq = 1; seq <= 5; seq++)
		assert_int_equal(ack_seq(fibc_fd(cli)), seq);
	assert_int_equal(ack_seq(fibc_fd(cli)), 0);
	srv_start();
}

/* A client that does not read its ACKs: the server keeps the one it cannot send, reads
 * nothing more meanwhile, never blocks, and loses no ACK. */
static void test_ack_backpressure(void **state)
{
	struct fib_server_stats st;
	int sv[2], small = 1, polls = 0;
	uint32_t next = 1;

	(void)state;
	fibc_close(cli);
	srv_halt();
	fib_server_poll(srv); /* sees cli go */
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	/* The kernel rounds this up to its minimum: a few ACKs in flight at most. */
	assert_int_equal(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)), 0);
	assert_int_equal(fib_server_attach(srv, sv[0]), 0);
	fib_server_set_budget(srv, 1000);
	send_hellos(sv[1], 100);
	assert_in_range(fib_server_poll(srv), 1, 99); /* stopped at a full queue */
	fib_server_stats(srv, &st);
	assert_int_equal(st.acks_deferred, 1);
	while (next <= 100 && polls++ < 10000) {
		uint32_t seq;

		while ((seq = ack_seq(sv[1])) != 0)
			assert_int_equal(seq, next++);
		fib_server_poll(srv);
	}
	assert_int_equal(next, 101);
	fib_server_stats(srv, &st);
	assert_true(st.acks_deferred > 1);
	cli = fibc_attach(sv[1], 1000, 4); /* for the teardown */
	srv_start();
}

/* Over a listening socket: one control plane at a time. */
static void test_listener(void **state)
{
	struct {
		struct fibc_hdr h;
		struct fibc_ack a;
	} reply;
	struct fibc_hdr hello = {.version = FIBC_VERSION, .type = FIBC_HELLO, .len = 16, .seq = 7};
	struct fib_server_stats sst;
	struct fib_server *lsrv;
	struct fibc *a, *b;
	struct stat st;
	char path[64];

	(void)state;
	srv_halt(); /* one writer of the FIB at a time: this test polls lsrv itself */
	snprintf(path, sizeof(path), "/tmp/rh-fibc-test-%d.sock", (int)getpid());
	lsrv = fib_server_create(fib, path);
	assert_non_null(lsrv);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0660);
	a = fibc_connect(path, 2000, 4);
	assert_non_null(a);
	b = fibc_connect(path, 2000, 4); /* queued by the kernel until accepted */
	assert_non_null(b);
	fib_server_poll(lsrv); /* accepts a */
	fib_server_poll(lsrv); /* accepts b and closes it */
	assert_true(fib_server_connected(lsrv));
	assert_int_equal(send(fibc_fd(a), &hello, sizeof(hello), 0), (ssize_t)sizeof(hello));
	fib_server_poll(lsrv);
	assert_int_equal(recv(fibc_fd(a), &reply, sizeof(reply), MSG_DONTWAIT),
	                 (ssize_t)sizeof(reply));
	assert_int_equal(reply.h.type, FIBC_ACK);
	assert_int_equal(reply.a.seq, 7);
	assert_int_equal(reply.a.status, 0);
	assert_int_equal(recv(fibc_fd(b), &reply, sizeof(reply), MSG_DONTWAIT), 0); /* refused */
	fib_server_stats(lsrv, &sst);
	assert_int_equal(sst.connections, 1);
	assert_int_equal(sst.refused, 1);
	assert_int_equal(sst.requests, 1);
	/* A client that hung up with its EOF still unread does not make its successor a
	 * second control plane (a fibctl exits, the next one connects at once). */
	fibc_close(b);
	fibc_close(a);
	a = fibc_connect(path, 2000, 4);
	assert_non_null(a);
	fib_server_poll(lsrv); /* a's predecessor finished, a accepted */
	assert_int_equal(send(fibc_fd(a), &hello, sizeof(hello), 0), (ssize_t)sizeof(hello));
	fib_server_poll(lsrv);
	assert_int_equal(recv(fibc_fd(a), &reply, sizeof(reply), MSG_DONTWAIT),
	                 (ssize_t)sizeof(reply));
	assert_int_equal(reply.a.status, 0);
	fib_server_stats(lsrv, &sst);
	assert_int_equal(sst.connections, 2);
	assert_int_equal(sst.refused, 1);
	fibc_close(a);
	fib_server_poll(lsrv);
	assert_false(fib_server_connected(lsrv));
	fib_server_destroy(lsrv);
	assert_int_equal(access(path, F_OK), -1); /* socket file removed */
	/* A file that is not a socket is not replaced. */
	fclose(fopen(path, "w"));
	assert_null(fib_server_create(fib, path));
	assert_int_equal(errno, EEXIST);
	assert_int_equal(access(path, F_OK), 0);
	unlink(path);
	srv_start();
}

static unsigned synced_calls;

/* As the dataplane does: ids above 200 are its own; FIBC_PORT_ANY becomes port 3. */
static int hook_nh_check(void *arg, struct fibc_nh *nh, bool add)
{
	(void)arg;
	if (nh->id > 200)
		return -ERANGE;
	if (add && nh->port == FIBC_PORT_ANY)
		nh->port = 3;
	return 0;
}

/* Re-adds an entry of the dataplane's own (next hop 250, 198.51.100.0/24). */
static void hook_synced(void *arg)
{
	struct fibc_nh own = NH(250, "198.51.100.1");
	struct fibc_route r = {
	        .family = RH_AF_INET, .len = 24, .nh_id = 250, .addr = {198, 51, 100}};

	(void)arg;
	synced_calls++;
	assert_int_equal(dp_fib_nh_add(fib, &own), 0);
	assert_int_equal(dp_fib_route_add(fib, &r), 0);
}

static void test_hooks(void **state)
{
	struct fib_server_hooks hooks = {hook_nh_check, hook_synced, NULL};
	struct fibc_nh mine = NH(201, "192.0.2.201"), any = NH(5, "192.0.2.5");
	struct fibc_ack ack;

	(void)state;
	srv_halt();
	fib_server_set_hooks(srv, &hooks);
	hook_synced(NULL); /* the dataplane's entries, there before any sync */
	synced_calls = 0;
	srv_start();
	assert_int_equal(fibc_hello(cli, &ack), 0);
	/* The channel cannot touch the dataplane's ids. */
	assert_int_equal(fibc_nh_add(cli, &mine), 0);
	assert_int_equal(fibc_flush(cli, &ack), -ERANGE);
	assert_int_equal(fibc_nh_del(cli, 250), 0);
	assert_int_equal(fibc_flush(cli, &ack), -ERANGE);
	any.port = FIBC_PORT_ANY;
	assert_int_equal(fibc_nh_add(cli, &any), 0);
	assert_int_equal(fibc_flush(cli, &ack), 0);
	/* A resync that does not name the dataplane's entries leaves them in place. */
	assert_int_equal(fibc_sync_begin(cli, &ack), 0);
	assert_int_equal(fibc_nh_add(cli, &any), 0);
	assert_int_equal(fibc_flush(cli, &ack), 0);
	assert_int_equal(fibc_sync_end(cli, &ack), 0);
	assert_int_equal(ack.routes_v4, 1);
	srv_halt();
	assert_int_equal(synced_calls, 1);
	assert_int_equal(dp_fib_nh(fib, 5, 0)->port, 3);
	assert_int_equal(look4(0xc6336401), 250); /* 198.51.100.1 */
	srv_start();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_hello, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_batches, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_refused_record, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_random_damage, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_protocol_order, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_disconnect_resync, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_poll_budget, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_client_timeout, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_ack_backpressure, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_listener, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_hooks, setup, teardown),
	};

	return cmocka_run_group_tests(tests, eal_setup, eal_teardown);
}
