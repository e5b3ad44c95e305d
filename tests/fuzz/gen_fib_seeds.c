/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Writes the seed corpus of fuzz_fib_channel: what the control plane's real encoder
 * (common/fibc.c) sends in a few sessions, recorded by a stand-in dataplane that answers
 * every request with a successful ACK. One file per session, in the target's input
 * format (16-bit little-endian length, datagram). Run from the build tree:
 *   build/tests/fuzz/gen_fib_seeds tests/fuzz/corpus/fib_channel
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fibc.h"
#include "routehub/fib_channel.h"
#include "routehub/prefix.h"

struct ack_msg {
	struct fibc_hdr hdr;
	struct fibc_ack ack;
};

static struct fibc_nh nh4(uint32_t id, uint8_t last, uint8_t flags)
{
	struct fibc_nh nh = {.id = id, .port = 0, .family = RH_AF_INET, .flags = flags};

	nh.addr[0] = 192;
	nh.addr[2] = 2;
	nh.addr[3] = last;
	return nh;
}

static struct fibc_nh nh6(uint32_t id, uint8_t last)
{
	struct fibc_nh nh = {.id = id, .port = 1, .family = RH_AF_INET6};

	nh.addr[0] = 0x20;
	nh.addr[1] = 0x01;
	nh.addr[2] = 0x0d;
	nh.addr[3] = 0xb8;
	nh.addr[15] = last;
	return nh;
}

static struct fibc_route rt4(uint8_t a, uint8_t b, uint8_t len, uint32_t nh, uint16_t flags)
{
	struct fibc_route r = {.family = RH_AF_INET, .len = len, .flags = flags, .nh_id = nh};

	r.addr[0] = a;
	r.addr[1] = b;
	return r;
}

static struct fibc_route rt6(uint8_t b5, uint8_t len, uint32_t nh)
{
	struct fibc_route r = {.family = RH_AF_INET6, .len = len, .nh_id = nh};

	r.addr[0] = 0x20;
	r.addr[1] = 0x01;
	r.addr[2] = 0x0d;
	r.addr[3] = 0xb8;
	r.addr[5] = b5;
	return r;
}

static void session_full(struct fibc *c)
{
	static const uint32_t members[] = {1, 2};
	struct fibc_nh n[] = {nh4(1, 1, 0), nh4(2, 2, 0), nh4(3, 0, FIBC_NH_F_BLACKHOLE),
	                      nh4(4, 9, FIBC_NH_F_LOCAL), nh6(5, 1)};
	struct fibc_route r;

	fibc_hello(c, NULL);
	fibc_sync_begin(c, NULL);
	for (unsigned i = 0; i < sizeof(n) / sizeof(n[0]); i++)
		fibc_nh_add(c, &n[i]);
	fibc_nhg_add(c, 1, members, 2);
	for (uint8_t i = 0; i < 8; i++) {
		r = rt4(198, 51, 24, 2, 0);
		r.addr[2] = i;
		fibc_route_add(c, &r);
	}
	r = rt4(198, 18, 15, 1, 0);
	fibc_route_add(c, &r);
	r = rt4(203, 0, 16, 1, FIBC_RT_F_GROUP);
	fibc_route_add(c, &r);
	r = rt4(0, 0, 0, 3, 0);
	fibc_route_add(c, &r);
	r = rt6(1, 48, 5);
	fibc_route_add(c, &r);
	fibc_sync_end(c, NULL);
}

static void session_incremental(struct fibc *c)
{
	static const uint32_t members[] = {1, 2, 3};
	struct fibc_nh n[] = {nh4(1, 1, 0), nh4(2, 2, 0), nh4(3, 3, 0)};
	struct fibc_route r = rt4(198, 19, 16, 1, FIBC_RT_F_GROUP);

	fibc_hello(c, NULL);
	for (unsigned i = 0; i < 3; i++)
		fibc_nh_add(c, &n[i]);
	fibc_nhg_add(c, 1, members, 3);
	fibc_route_add(c, &r);
	fibc_nhg_add(c, 1, members, 2); /* replaced in place */
	fibc_route_del(c, &r);
	fibc_nhg_del(c, 1);
	fibc_nh_del(c, 3);
	fibc_flush(c, NULL);
}

static void session_v6(struct fibc *c)
{
	struct fibc_nh n = nh6(7, 7);

	fibc_hello(c, NULL);
	fibc_nh_add(c, &n);
	for (uint8_t i = 0; i < 4; i++) {
		struct fibc_route r = rt6(i, (uint8_t)(48 + i * 16), 7);

		r.addr[6] = (uint8_t)(i ? 1 : 0);
		fibc_route_add(c, &r);
	}
	fibc_flush(c, NULL);
}

/* Requests the server must refuse: out of order, malformed. */
static void session_refused(struct fibc *c)
{
	struct fibc_hdr h = {.version = FIBC_VERSION, .type = FIBC_SYNC_END, .len = sizeof(h)};
	struct {
		struct fibc_hdr h;
		struct fibc_route r;
	} bad = {{FIBC_VERSION, FIBC_ROUTE_ADD, sizeof(bad), 9, 1}, rt4(10, 1, 8, 1, 0)};

	fibc_sync_end(c, NULL); /* before HELLO */
	fibc_hello(c, NULL);
	fibc_send_raw(c, &h, sizeof(h), NULL);     /* SYNC_END without SYNC_BEGIN */
	fibc_send_raw(c, &bad, sizeof(bad), NULL); /* host bits past the length */
	bad.h.count = 2;                           /* count and length disagree */
	fibc_send_raw(c, &bad, sizeof(bad), NULL);
}

typedef void (*session_fn)(struct fibc *c);

/* Plays the dataplane: records each datagram and acknowledges it. */
static int record(int fd, FILE *out)
{
	static uint8_t buf[FIBC_MAX_MSG];
	struct pollfd p = {.fd = fd, .events = POLLIN};

	while (poll(&p, 1, 3000) == 1) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct ack_msg a = {{FIBC_VERSION, FIBC_ACK, sizeof(a), 0, 1}, {0}};
		uint8_t len[2] = {(uint8_t)n, (uint8_t)(n >> 8)};

		if (n <= 0)
			return n == 0 ? 0 : -errno;
		if (n >= (ssize_t)sizeof(struct fibc_hdr))
			memcpy(&a.hdr.seq, buf + 8, 4);
		a.ack.seq = a.hdr.seq;
		fwrite(len, 1, 2, out);
		fwrite(buf, 1, (size_t)n, out);
		if (send(fd, &a, sizeof(a), MSG_NOSIGNAL) != sizeof(a))
			return 0; /* the client is gone */
	}
	return -ETIMEDOUT;
}

static int run(const char *dir, const char *name, session_fn fn)
{
	char path[4096];
	FILE *out;
	int sv[2], rc;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0 || (out = fopen(path, "wb")) == NULL)
		return -errno;
	pid = fork();
	if (pid == 0) {
		struct fibc *c;

		close(sv[0]);
		c = fibc_attach(sv[1], 2000, 1);
		fn(c);
		fibc_flush(c, NULL);
		fibc_close(c);
		_exit(0);
	}
	close(sv[1]);
	rc = record(sv[0], out);
	close(sv[0]);
	fclose(out);
	waitpid(pid, NULL, 0);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	if (run(argv[1], "session-full", session_full) < 0 ||
	    run(argv[1], "session-incremental", session_incremental) < 0 ||
	    run(argv[1], "session-v6", session_v6) < 0 ||
	    run(argv[1], "session-refused", session_refused) < 0) {
		fprintf(stderr, "%s: a session failed\n", argv[0]);
		return 1;
	}
	return 0;
}
