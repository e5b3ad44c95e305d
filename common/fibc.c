/* SPDX-License-Identifier: BSD-3-Clause */
/* The control plane's end of the FIB channel: see fibc.h. */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "fibc.h"

/* Type recorded for a raw request too short to carry a seq: answered with seq 0. */
#define TYPE_SHORT 0xffff

struct fibc {
	int fd;
	int timeout_ms;
	unsigned window;
	uint32_t next_seq;  /* seq of the next request */
	unsigned in_flight; /* requests next_seq - in_flight .. next_seq - 1 await their ACK */
	uint16_t types[FIBC_MAX_WINDOW]; /* type of each request in flight, by seq % window */
	int broken;                      /* transport error met: every call returns it */
	struct fibc_error pending;       /* first refusal not yet reported */
	struct fibc_error reported;      /* the last refusal reported (fibc_last_error()) */
	struct fibc_ack last;
	size_t len; /* of the message being built; 0: none */
	_Alignas(8) uint8_t buf[FIBC_MAX_MSG];
};

struct fibc *fibc_attach(int fd, int timeout_ms, unsigned window)
{
	struct fibc *c = calloc(1, sizeof(*c));
	struct timeval tv;

	if (c == NULL)
		return NULL;
	c->fd = fd;
	c->timeout_ms = timeout_ms > 0 ? timeout_ms : FIBC_DEFAULT_TIMEOUT_MS;
	c->window = window == 0 ? FIBC_DEFAULT_WINDOW : window;
	if (c->window > FIBC_MAX_WINDOW)
		c->window = FIBC_MAX_WINDOW;
	c->next_seq = 1;
	/* A dataplane that stops reading must not hang the control plane forever. */
	tv.tv_sec = c->timeout_ms / 1000;
	tv.tv_usec = (c->timeout_ms % 1000) * 1000;
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return c;
}

struct fibc *fibc_connect(const char *path, int timeout_ms, unsigned window)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct fibc *c;
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = errno;
		close(fd);
		errno = err;
		return NULL;
	}
	c = fibc_attach(fd, timeout_ms, window);
	if (c == NULL)
		close(fd);
	return c;
}

void fibc_close(struct fibc *c)
{
	if (c == NULL)
		return;
	close(c->fd);
	free(c);
}

int fibc_fd(const struct fibc *c)
{
	return c->fd;
}

const struct fibc_error *fibc_last_error(const struct fibc *c)
{
	return &c->reported;
}

static int fibc_fail(struct fibc *c, int err)
{
	c->broken = err;
	return err;
}

/* Waits for the oldest ACK in flight and records a refusal. */
static int recv_ack(struct fibc *c)
{
	struct {
		struct fibc_hdr hdr;
		struct fibc_ack ack;
		uint8_t extra; /* catches an oversized datagram */
	} m;
	struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
	uint32_t want = c->next_seq - c->in_flight;
	ssize_t n;
	int ret;

	do
		ret = poll(&pfd, 1, c->timeout_ms);
	while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return fibc_fail(c, -errno);
	if (ret == 0)
		return fibc_fail(c, -ETIMEDOUT);
	n = recv(c->fd, &m, sizeof(m), 0);
	if (n < 0)
		return fibc_fail(c, -errno);
	if (n == 0)
		return fibc_fail(c, -ECONNRESET);
	if ((size_t)n != sizeof(m.hdr) + sizeof(m.ack) || m.hdr.version != FIBC_VERSION ||
	    m.hdr.type != FIBC_ACK)
		return fibc_fail(c, -EPROTO);
	if (m.ack.seq != want &&
	    !(m.ack.seq == 0 && c->types[want % FIBC_MAX_WINDOW] == TYPE_SHORT))
		return fibc_fail(c, -EPROTO);
	c->in_flight--;
	c->last = m.ack;
	if (m.ack.status < 0 && c->pending.status == 0) {
		c->pending.status = m.ack.status;
		c->pending.seq = want;
		c->pending.type = c->types[want % FIBC_MAX_WINDOW];
		c->pending.failed_index = m.ack.failed_index;
	}
	return 0;
}

/* Sends one request, first making room in the window. */
static int send_msg(struct fibc *c, void *msg, size_t len, uint16_t type)
{
	struct fibc_hdr *h = msg;
	ssize_t n;
	int ret;

	while (c->in_flight >= c->window) {
		ret = recv_ack(c);
		if (ret < 0)
			return ret;
	}
	if (len >= sizeof(*h))
		h->seq = c->next_seq;
	do
		n = send(c->fd, msg, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return fibc_fail(c, errno == EAGAIN ? -ETIMEDOUT : -errno);
	c->types[c->next_seq % FIBC_MAX_WINDOW] = type;
	c->next_seq++;
	c->in_flight++;
	return 0;
}

/* Sends the message being built, if any. */
static int send_built(struct fibc *c)
{
	struct fibc_hdr *h = (struct fibc_hdr *)c->buf;
	int ret;

	if (c->len == 0)
		return 0;
	h->len = (uint32_t)c->len;
	ret = send_msg(c, c->buf, c->len, h->type);
	c->len = 0;
	return ret;
}

static int wait_all(struct fibc *c)
{
	int ret;

	while (c->in_flight > 0) {
		ret = recv_ack(c);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int fibc_flush(struct fibc *c, struct fibc_ack *ack)
{
	int ret;

	if (c->broken)
		return c->broken;
	ret = send_built(c);
	if (ret == 0)
		ret = wait_all(c);
	if (ret < 0)
		return ret;
	if (ack != NULL)
		*ack = c->last;
	c->reported = c->pending;
	memset(&c->pending, 0, sizeof(c->pending));
	return c->reported.status;
}

/* Appends a record of the given type, sending the built message first if it cannot
 * take it. */
static int append(struct fibc *c, uint16_t type, const void *rec, size_t size)
{
	struct fibc_hdr *h = (struct fibc_hdr *)c->buf;
	int ret;

	if (c->broken)
		return c->broken;
	if (c->len != 0 && (h->type != type || c->len + size > FIBC_MAX_MSG)) {
		ret = send_built(c);
		if (ret < 0)
			return ret;
	}
	if (c->len == 0) {
		memset(h, 0, sizeof(*h));
		h->version = FIBC_VERSION;
		h->type = type;
		c->len = sizeof(*h);
	}
	memcpy(c->buf + c->len, rec, size);
	c->len += size;
	h->count++;
	return 0;
}

int fibc_nh_add(struct fibc *c, const struct fibc_nh *nh)
{
	return append(c, FIBC_NH_ADD, nh, sizeof(*nh));
}

int fibc_nh_del(struct fibc *c, uint32_t id)
{
	struct fibc_nh nh = {.id = id};

	return append(c, FIBC_NH_DEL, &nh, sizeof(nh));
}

int fibc_route_add(struct fibc *c, const struct fibc_route *r)
{
	return append(c, FIBC_ROUTE_ADD, r, sizeof(*r));
}

int fibc_route_del(struct fibc *c, const struct fibc_route *r)
{
	return append(c, FIBC_ROUTE_DEL, r, sizeof(*r));
}

/* A group is a message of its own (its header names the group). */
static int send_group(struct fibc *c, uint16_t type, uint32_t id, const uint32_t *members,
                      unsigned n)
{
	struct {
		struct fibc_hdr hdr;
		struct fibc_nhg nhg;
		uint32_t members[FIBC_NHG_MAX_MEMBERS];
	} m;
	size_t len = sizeof(m.hdr) + sizeof(m.nhg) + n * sizeof(uint32_t);
	int ret;

	if (c->broken)
		return c->broken;
	if (n > FIBC_NHG_MAX_MEMBERS)
		return -EINVAL;
	ret = send_built(c);
	if (ret < 0)
		return ret;
	memset(&m, 0, sizeof(m));
	m.hdr.version = FIBC_VERSION;
	m.hdr.type = type;
	m.hdr.len = (uint32_t)len;
	m.hdr.count = n;
	m.nhg.id = id;
	if (n > 0)
		memcpy(m.members, members, n * sizeof(uint32_t));
	return send_msg(c, &m, len, type);
}

int fibc_nhg_add(struct fibc *c, uint32_t id, const uint32_t *members, unsigned n)
{
	return send_group(c, FIBC_NHG_ADD, id, members, n);
}

int fibc_nhg_del(struct fibc *c, uint32_t id)
{
	return send_group(c, FIBC_NHG_DEL, id, NULL, 0);
}

/*
 * Flushes, sends one message and waits for it. Returns its status; when it succeeded
 * but a request pipelined before it was refused, that refusal (nothing is lost).
 */
static int request(struct fibc *c, void *msg, size_t len, uint16_t type, struct fibc_ack *ack)
{
	struct fibc_error before;
	int ret;

	if (c->broken)
		return c->broken;
	ret = send_built(c);
	if (ret == 0)
		ret = wait_all(c);
	if (ret < 0)
		return ret;
	before = c->pending;
	memset(&c->pending, 0, sizeof(c->pending));
	ret = send_msg(c, msg, len, type);
	if (ret == 0)
		ret = wait_all(c);
	if (ret < 0)
		return ret;
	if (ack != NULL)
		*ack = c->last;
	c->reported = c->pending.status < 0 ? c->pending : before;
	memset(&c->pending, 0, sizeof(c->pending));
	return c->reported.status;
}

static int request_empty(struct fibc *c, uint16_t type, struct fibc_ack *ack)
{
	struct fibc_hdr h = {.version = FIBC_VERSION, .type = type, .len = sizeof(h)};

	return request(c, &h, sizeof(h), type, ack);
}

int fibc_hello(struct fibc *c, struct fibc_ack *ack)
{
	return request_empty(c, FIBC_HELLO, ack);
}

int fibc_sync_begin(struct fibc *c, struct fibc_ack *ack)
{
	return request_empty(c, FIBC_SYNC_BEGIN, ack);
}

int fibc_sync_end(struct fibc *c, struct fibc_ack *ack)
{
	return request_empty(c, FIBC_SYNC_END, ack);
}

int fibc_send_raw(struct fibc *c, const void *msg, size_t len, struct fibc_ack *ack)
{
	void *copy;
	int ret;

	/* send_msg() stamps the seq into a header: work on a copy, keep the caller's. */
	copy = malloc(len ? len : 1);
	if (copy == NULL)
		return -ENOMEM;
	memcpy(copy, msg, len);
	ret = request(c, copy, len,
	              len >= sizeof(struct fibc_hdr) ? ((const struct fibc_hdr *)msg)->type
	                                             : TYPE_SHORT,
	              ack);
	free(copy);
	return ret;
}
