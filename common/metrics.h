/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prometheus metrics of both daemons: a writer of the text exposition format (version
 * 0.0.4: "# HELP", "# TYPE", then `name{label="value",...} value` lines) and a small HTTP
 * server that answers GET /metrics with it.
 *
 * The server never blocks its caller: the listening socket and every connection are
 * non-blocking, and rh_metrics_http_poll() does what is possible at once and returns.
 * It is bounded: a request is at most RH_HTTP_MAX_REQUEST bytes, a connection lives at
 * most RH_HTTP_TIMEOUT_MS, and at most RH_HTTP_MAX_CONNS are open (more are answered 503
 * and closed). Every reply closes the connection (HTTP/1.0 style, with Content-Length).
 */
#ifndef ROUTEHUB_COMMON_METRICS_H
#define ROUTEHUB_COMMON_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RH_HTTP_MAX_REQUEST     8192
#define RH_HTTP_TIMEOUT_MS      5000
#define RH_HTTP_MAX_CONNS       16
#define RH_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* ------------------------------------------------------------------ exposition writer */

/* A growing text buffer; the first allocation failure sticks in err (-ENOMEM). */
struct rh_mtext {
	char *data;
	size_t len, cap;
	int err;
};

void rh_mtext_init(struct rh_mtext *t);
void rh_mtext_free(struct rh_mtext *t);
/* Appends formatted text (no escaping). */
void rh_mtext_printf(struct rh_mtext *t, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

enum rh_metric_type {
	RH_METRIC_COUNTER,
	RH_METRIC_GAUGE,
};

/*
 * "# HELP name help" and "# TYPE name type". Write it once per metric name, before its
 * samples, and never repeat a name later (the format requires a family to be one group).
 * A counter's name ends in _total.
 */
void rh_metric_family(struct rh_mtext *t, const char *name, enum rh_metric_type type,
                      const char *help);

/*
 * One sample: name{l0="v0",l1="v1"} value. labels is a NULL-terminated array of
 * name/value pairs (NULL for none); values are escaped as the format requires (\\, \",
 * \n). Label names must be valid ([a-zA-Z_][a-zA-Z0-9_]*); the caller's are constants.
 */
void rh_metric_u64(struct rh_mtext *t, const char *name, const char *const *labels, uint64_t v);
void rh_metric_f64(struct rh_mtext *t, const char *name, const char *const *labels, double v);

/* ------------------------------------------------------------------ HTTP request parsing */

struct rh_http_request {
	char method[16];
	char path[256]; /* without the query string */
	unsigned minor; /* HTTP/1.minor */
};

/*
 * Parses the request line of buf[0..len) once the header block is complete (an empty
 * line, CRLF or LF). Returns the length of the header block, -EAGAIN while it is not
 * complete, -EMSGSIZE when len reaches RH_HTTP_MAX_REQUEST without an end, or -EINVAL for
 * a malformed request line (not METHOD SP TARGET SP HTTP/1.x).
 */
int rh_http_parse_request(const char *buf, size_t len, struct rh_http_request *req);

/*
 * The reply to a request: status code and reason ("200 OK", "404 Not Found", "405 Method
 * Not Allowed"), for GET and HEAD of path "/metrics" 200.
 */
int rh_http_route(const struct rh_http_request *req, const char **status);

/* ------------------------------------------------------------------ HTTP server */

/* Writes the metrics into t (its caller frees t); returns 0 or a negative errno (500). */
typedef int (*rh_metrics_fn)(void *arg, struct rh_mtext *t);

struct rh_metrics_http;

/*
 * Listens on address (IPv4 or IPv6 literal) and port, non-blocking. NULL and errno
 * (EADDRINUSE, EADDRNOTAVAIL, EINVAL for a bad address).
 */
struct rh_metrics_http *rh_metrics_http_new(const char *address, uint16_t port, rh_metrics_fn fn,
                                            void *arg);
/* Closes the listening socket and every connection. NULL is ignored. */
void rh_metrics_http_free(struct rh_metrics_http *s);
/* The listening socket, to watch for readability (new connections). */
int rh_metrics_http_fd(const struct rh_metrics_http *s);
/* The port bound (useful when 0 was asked). */
uint16_t rh_metrics_http_port(const struct rh_metrics_http *s);
/*
 * Accepts pending connections, reads requests, writes replies, drops connections past
 * their time, all without blocking. now_ms is a monotonic clock. Returns the number of
 * connections still open (the caller polls again soon while it is not 0).
 */
unsigned rh_metrics_http_poll(struct rh_metrics_http *s, uint64_t now_ms);

#endif
