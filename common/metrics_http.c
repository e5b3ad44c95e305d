/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The metrics endpoint's HTTP server: non-blocking sockets polled by the caller's loop
 * (the control plane's event loop, the dataplane's main lcore). Each connection reads one
 * request, gets one reply and is closed (RFC 9112 9.6: "Connection: close").
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "metrics.h"

struct http_conn {
	int fd; /* -1: free slot */
	uint64_t deadline_ms;
	size_t in_len;
	char in[RH_HTTP_MAX_REQUEST];
	char *out; /* reply being sent: header and body */
	size_t out_len, out_off;
};

struct rh_metrics_http {
	int fd;
	uint16_t port;
	rh_metrics_fn fn;
	void *arg;
	unsigned n_open;
	struct http_conn conn[RH_HTTP_MAX_CONNS];
};

static int parse_addr(const char *address, uint16_t port, struct sockaddr_storage *ss,
                      socklen_t *sl)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, address, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		*sl = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, address, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		*sl = sizeof(*s6);
		return 0;
	}
	return -EINVAL;
}

struct rh_metrics_http *rh_metrics_http_new(const char *address, uint16_t port, rh_metrics_fn fn,
                                            void *arg)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	struct rh_metrics_http *s;
	int one = 1, rc;

	rc = parse_addr(address, port, &ss, &sl);
	if (rc < 0) {
		errno = -rc;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	for (unsigned i = 0; i < RH_HTTP_MAX_CONNS; i++)
		s->conn[i].fd = -1;
	s->fn = fn;
	s->arg = arg;
	s->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		goto fail;
	setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(s->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(s->fd, (struct sockaddr *)&ss, sl) < 0 || listen(s->fd, RH_HTTP_MAX_CONNS) < 0 ||
	    getsockname(s->fd, (struct sockaddr *)&ss, &sl) < 0)
		goto fail;
	s->port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
	                                        : ((struct sockaddr_in6 *)&ss)->sin6_port);
	return s;
fail:
	rc = errno;
	if (s->fd >= 0)
		close(s->fd);
	free(s);
	errno = rc;
	return NULL;
}

static void conn_close(struct rh_metrics_http *s, struct http_conn *c)
{
	if (c->fd < 0)
		return;
	close(c->fd);
	free(c->out);
	c->fd = -1;
	c->out = NULL;
	c->in_len = c->out_len = c->out_off = 0;
	s->n_open--;
}

void rh_metrics_http_free(struct rh_metrics_http *s)
{
	if (s == NULL)
		return;
	for (unsigned i = 0; i < RH_HTTP_MAX_CONNS; i++)
		conn_close(s, &s->conn[i]);
	close(s->fd);
	free(s);
}

int rh_metrics_http_fd(const struct rh_metrics_http *s)
{
	return s->fd;
}

uint16_t rh_metrics_http_port(const struct rh_metrics_http *s)
{
	return s->port;
}

/* Builds the reply (header, and the body unless HEAD or an error without one). */
static void conn_reply(struct rh_metrics_http *s, struct http_conn *c, const char *status,
                       const char *extra, const char *body, size_t body_len, bool head)
{
	char hdr[256];
	int n = snprintf(hdr, sizeof(hdr),
	                 "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
	                 "Connection: close\r\n\r\n",
	                 status,
	                 body != NULL && strncmp(status, "200", 3) == 0
	                         ? RH_METRICS_CONTENT_TYPE
	                         : "text/plain; charset=utf-8",
	                 body_len, extra != NULL ? extra : "");

	(void)s;
	if (head)
		body_len = 0;
	c->out = malloc((size_t)n + body_len);
	if (c->out == NULL)
		return;
	memcpy(c->out, hdr, (size_t)n);
	if (body_len > 0)
		memcpy(c->out + n, body, body_len);
	c->out_len = (size_t)n + body_len;
	c->out_off = 0;
}

static void conn_answer(struct rh_metrics_http *s, struct http_conn *c)
{
	struct rh_http_request req;
	const char *status;
	int rc = rh_http_parse_request(c->in, c->in_len, &req);

	if (rc == -EAGAIN)
		return;
	if (rc == -EMSGSIZE) {
		static const char msg[] = "request too large\n";

		conn_reply(s, c, "431 Request Header Fields Too Large", NULL, msg, sizeof(msg) - 1,
		           false);
		return;
	}
	if (rc < 0) {
		static const char msg[] = "bad request\n";

		conn_reply(s, c, "400 Bad Request", NULL, msg, sizeof(msg) - 1, false);
		return;
	}
	switch (rh_http_route(&req, &status)) {
	case 405: {
		static const char msg[] = "only GET and HEAD\n";

		conn_reply(s, c, status, "Allow: GET, HEAD\r\n", msg, sizeof(msg) - 1, false);
		return;
	}
	case 404: {
		static const char msg[] = "not found: the metrics are at /metrics\n";

		conn_reply(s, c, status, NULL, msg, sizeof(msg) - 1, false);
		return;
	}
	default:
		break;
	}
	struct rh_mtext t;

	rh_mtext_init(&t);
	rc = s->fn(s->arg, &t);
	if (rc == 0 && t.err == 0) {
		conn_reply(s, c, status, NULL, t.data != NULL ? t.data : "", t.len,
		           strcmp(req.method, "HEAD") == 0);
	} else {
		static const char msg[] = "cannot collect the metrics\n";

		conn_reply(s, c, "500 Internal Server Error", NULL, msg, sizeof(msg) - 1, false);
	}
	rh_mtext_free(&t);
}

/* Reads what is there; answers a complete request; writes what the socket takes. */
static void conn_run(struct rh_metrics_http *s, struct http_conn *c, uint64_t now_ms)
{
	while (c->out == NULL && c->in_len < sizeof(c->in)) {
		ssize_t r = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, 0);

		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			break;
		if (r <= 0) {
			conn_close(s, c);
			return;
		}
		c->in_len += (size_t)r;
		conn_answer(s, c);
		if (c->out == NULL && c->in_len == sizeof(c->in))
			break; /* cannot happen: a full buffer is an answered -EMSGSIZE */
	}
	while (c->out != NULL && c->out_off < c->out_len) {
		ssize_t w = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);

		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			break;
		if (w <= 0) {
			conn_close(s, c);
			return;
		}
		c->out_off += (size_t)w;
	}
	/* Done; or out of time (a slow client, or one that never finishes its request). */
	if ((c->out != NULL && c->out_off == c->out_len) || now_ms >= c->deadline_ms)
		conn_close(s, c);
}

static void accept_new(struct rh_metrics_http *s, uint64_t now_ms)
{
	/* At most a few per poll, so that a flood cannot hold the caller's loop. */
	for (int i = 0; i < RH_HTTP_MAX_CONNS; i++) {
		int fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct http_conn *c = NULL;

		if (fd < 0)
			return;
		for (unsigned j = 0; j < RH_HTTP_MAX_CONNS && c == NULL; j++)
			if (s->conn[j].fd < 0)
				c = &s->conn[j];
		if (c == NULL) {
			static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\n"
			                           "Content-Length: 0\r\nConnection: close\r\n\r\n";

			/* Best effort: a fresh socket's buffer takes this much. */
			if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
				log_debug("metrics: 503 not sent: %s", strerror(errno));
			close(fd);
			continue;
		}
		c->fd = fd;
		c->deadline_ms = now_ms + RH_HTTP_TIMEOUT_MS;
		c->in_len = 0;
		s->n_open++;
	}
}

unsigned rh_metrics_http_poll(struct rh_metrics_http *s, uint64_t now_ms)
{
	accept_new(s, now_ms);
	for (unsigned i = 0; i < RH_HTTP_MAX_CONNS; i++)
		if (s->conn[i].fd >= 0)
			conn_run(s, &s->conn[i], now_ms);
	return s->n_open;
}
