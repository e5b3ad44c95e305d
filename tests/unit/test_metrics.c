/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The metrics endpoint's pieces: the text exposition writer (format 0.0.4), the parsing of
 * HTTP requests, and the server over TCP on the loopback of a network namespace of the
 * test's own (unshare(CLONE_NEWNET)): replies, 404/405/400/431, the time limit and the
 * cap on connections.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "metrics.h"

/* ------------------------------------------------------------------ writer */

static void test_writer_format(void **state)
{
	struct rh_mtext t;
	const char *l[] = {"peer", "192.0.2.1", "why", "a \"quoted\"\\ line\nnext", NULL};

	(void)state;
	rh_mtext_init(&t);
	rh_metric_family(&t, "routehub_x_total", RH_METRIC_COUNTER, "Things\\done\nhere");
	rh_metric_u64(&t, "routehub_x_total", l, 18446744073709551615ull);
	rh_metric_family(&t, "routehub_y", RH_METRIC_GAUGE, "A gauge");
	rh_metric_u64(&t, "routehub_y", NULL, 0);
	rh_metric_f64(&t, "routehub_y", (const char *[]){"a", "b", NULL}, 1.5);
	assert_int_equal(t.err, 0);
	assert_string_equal(t.data,
	                    "# HELP routehub_x_total Things\\\\done\\nhere\n"
	                    "# TYPE routehub_x_total counter\n"
	                    "routehub_x_total{peer=\"192.0.2.1\",why=\"a \\\"quoted\\\"\\\\ "
	                    "line\\nnext\"} 18446744073709551615\n"
	                    "# HELP routehub_y A gauge\n"
	                    "# TYPE routehub_y gauge\n"
	                    "routehub_y 0\n"
	                    "routehub_y{a=\"b\"} 1.5\n");
	assert_int_equal(t.len, strlen(t.data));
	rh_mtext_free(&t);
}

static void test_writer_grows(void **state)
{
	struct rh_mtext t;
	char name[32];

	(void)state;
	rh_mtext_init(&t);
	for (int i = 0; i < 10000; i++) {
		snprintf(name, sizeof(name), "routehub_m%d", i);
		rh_metric_u64(&t, name, NULL, (uint64_t)i);
	}
	assert_int_equal(t.err, 0);
	assert_non_null(strstr(t.data, "\nroutehub_m9999 9999\n"));
	rh_mtext_free(&t);
}

/* ------------------------------------------------------------------ parsing */

static int parse(const char *s, struct rh_http_request *r)
{
	return rh_http_parse_request(s, strlen(s), r);
}

static void test_parse_requests(void **state)
{
	struct rh_http_request r;
	const char *status;
	const char *ok = "GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n";

	(void)state;
	assert_int_equal(parse(ok, &r), (int)strlen(ok));
	assert_string_equal(r.method, "GET");
	assert_string_equal(r.path, "/metrics");
	assert_int_equal(r.minor, 1);
	assert_int_equal(rh_http_route(&r, &status), 200);

	/* Bare LF line ends (RFC 9112 2.2 lets a server accept them); HTTP/1.0; a query. */
	assert_int_equal(parse("GET /metrics?name[]=x HTTP/1.0\n\n", &r), 32);
	assert_string_equal(r.path, "/metrics");
	assert_int_equal(r.minor, 0);

	/* Incomplete until the empty line. */
	assert_int_equal(parse("GET /metrics HTTP/1.1\r\nHost: x\r\n", &r), -EAGAIN);
	assert_int_equal(parse("GET /metr", &r), -EAGAIN);

	/* Routing: other paths 404, other methods 405, HEAD like GET. */
	parse("GET / HTTP/1.1\r\n\r\n", &r);
	assert_int_equal(rh_http_route(&r, &status), 404);
	assert_string_equal(status, "404 Not Found");
	parse("GET /metrics/ HTTP/1.1\r\n\r\n", &r);
	assert_int_equal(rh_http_route(&r, &status), 404);
	parse("POST /metrics HTTP/1.1\r\n\r\n", &r);
	assert_int_equal(rh_http_route(&r, &status), 405);
	parse("HEAD /metrics HTTP/1.1\r\n\r\n", &r);
	assert_int_equal(rh_http_route(&r, &status), 200);
}

static void test_parse_malformed(void **state)
{
	static const char *const bad[] = {
	        "GET /metrics\r\n\r\n",            /* HTTP/0.9 */
	        "GET  /metrics HTTP/1.1\r\n\r\n",  /* two spaces */
	        "GET /metrics HTTP/2.0\r\n\r\n",   /* not 1.x */
	        "GET /metrics HTTP/1.1 x\r\n\r\n", /* trailing junk */
	        "GET metrics HTTP/1.1\r\n\r\n",    /* not origin form */
	        "G(T /metrics HTTP/1.1\r\n\r\n",   /* not a token */
	        "GETTINGLONGMETHODNAME / HTTP/1.1\r\n\r\n",
	        " /metrics HTTP/1.1\r\n\r\n",
	        "\r\n\r\n",
	};
	struct rh_http_request r;
	char big[RH_HTTP_MAX_REQUEST + 10];
	char longpath[600];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse(bad[i], &r), -EINVAL);
	/* A path longer than the request's buffer. */
	memset(longpath, 'a', sizeof(longpath));
	memcpy(longpath, "GET /", 5);
	strcpy(longpath + sizeof(longpath) - 20, " HTTP/1.1\r\n\r\n");
	assert_int_equal(parse(longpath, &r), -EINVAL);
	/* No end within the cap: too large, not "wait for more". */
	memset(big, 'a', sizeof(big));
	assert_int_equal(rh_http_parse_request(big, RH_HTTP_MAX_REQUEST, &r), -EMSGSIZE);
	assert_int_equal(rh_http_parse_request(big, RH_HTTP_MAX_REQUEST - 1, &r), -EAGAIN);
}

/* ------------------------------------------------------------------ server */

static int fill(void *arg, struct rh_mtext *t)
{
	int *calls = arg;

	(*calls)++;
	rh_metric_family(t, "routehub_test", RH_METRIC_GAUGE, "A test gauge");
	rh_metric_u64(t, "routehub_test", NULL, 42);
	return 0;
}

/* A namespace of our own with its loopback up, so that no traffic leaves the test. */
static int own_netns(void **state)
{
	struct ifreq ifr;
	int fd;

	(void)state;
	if (unshare(CLONE_NEWNET) < 0)
		return 0; /* the server tests skip, saying why */
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

static bool netns_ok(void)
{
	struct rh_metrics_http *s = rh_metrics_http_new("127.0.0.1", 0, fill, NULL);
	char line[256];
	FILE *f = fopen("/proc/self/net/dev", "r");
	unsigned ifaces = 0;

	/* Our own namespace has nothing but lo. */
	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		ifaces += strchr(line, ':') != NULL;
	if (f != NULL)
		fclose(f);
	rh_metrics_http_free(s);
	return s != NULL && ifaces == 1;
}

#define skip_no_netns()                                                                  \
	do {                                                                             \
		print_message("# no network namespace of the test's own (unshare needs " \
		              "CAP_SYS_ADMIN): server test skipped\n");                  \
		skip();                                                                  \
	} while (0)

static int connect_to(uint16_t port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	return fd;
}

/* Polls the server until the client's reply is complete (closed); returns it. */
static char *exchange(struct rh_metrics_http *s, int fd, const char *req, uint64_t now)
{
	static char buf[65536];
	size_t n = 0;

	if (req != NULL)
		assert_int_equal(send(fd, req, strlen(req), 0), (ssize_t)strlen(req));
	for (int i = 0; i < 200; i++) {
		ssize_t r;

		rh_metrics_http_poll(s, now);
		r = recv(fd, buf + n, sizeof(buf) - 1 - n, MSG_DONTWAIT);
		if (r == 0)
			break;
		if (r > 0)
			n += (size_t)r;
		else
			usleep(1000);
	}
	buf[n] = '\0';
	close(fd);
	return buf;
}

static void test_server_replies(void **state)
{
	struct rh_metrics_http *s;
	int calls = 0;
	char *rep;

	(void)state;
	if (!netns_ok())
		skip_no_netns();
	s = rh_metrics_http_new("127.0.0.1", 0, fill, &calls);
	assert_non_null(s);
	assert_true(rh_metrics_http_port(s) != 0);

	rep = exchange(s, connect_to(rh_metrics_http_port(s)),
	               "GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n", 1000);
	assert_non_null(strstr(rep, "HTTP/1.1 200 OK\r\n"));
	assert_non_null(strstr(rep, "Content-Type: text/plain; version=0.0.4"));
	const char *body = strstr(rep, "\r\n\r\n") + 4;
	char cl[64];

	snprintf(cl, sizeof(cl), "Content-Length: %zu\r\n", strlen(body));
	assert_non_null(strstr(rep, cl));
	assert_non_null(strstr(body, "routehub_test 42\n"));
	assert_int_equal(calls, 1);

	/* HEAD: the length of what GET would send, no body. */
	rep = exchange(s, connect_to(rh_metrics_http_port(s)), "HEAD /metrics HTTP/1.0\r\n\r\n",
	               1000);
	assert_non_null(strstr(rep, "200 OK"));
	assert_string_equal(strstr(rep, "\r\n\r\n"), "\r\n\r\n");

	rep = exchange(s, connect_to(rh_metrics_http_port(s)), "GET /other HTTP/1.1\r\n\r\n", 1000);
	assert_non_null(strstr(rep, "HTTP/1.1 404 Not Found\r\n"));
	rep = exchange(s, connect_to(rh_metrics_http_port(s)), "PUT /metrics HTTP/1.1\r\n\r\n",
	               1000);
	assert_non_null(strstr(rep, "HTTP/1.1 405 Method Not Allowed\r\n"));
	assert_non_null(strstr(rep, "Allow: GET, HEAD\r\n"));
	rep = exchange(s, connect_to(rh_metrics_http_port(s)), "garbage\r\n\r\n", 1000);
	assert_non_null(strstr(rep, "400 Bad Request"));
	assert_int_equal(calls, 2); /* only GET and HEAD of /metrics collect */
	rh_metrics_http_free(s);
}

static void test_server_limits(void **state)
{
	struct rh_metrics_http *s;
	int calls = 0, fds[RH_HTTP_MAX_CONNS];
	char big[RH_HTTP_MAX_REQUEST + 1];
	char *rep;

	(void)state;
	if (!netns_ok())
		skip_no_netns();
	s = rh_metrics_http_new("127.0.0.1", 0, fill, &calls);
	assert_non_null(s);

	/* A request that never ends within the cap: 431, connection closed. */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "GET /metrics HTTP/1.1\r\nX: ", 26);
	rep = exchange(s, connect_to(rh_metrics_http_port(s)), big, 1000);
	assert_non_null(strstr(rep, "431 "));

	/* Silent clients fill every slot; one more is refused with 503 at once. */
	for (int i = 0; i < RH_HTTP_MAX_CONNS; i++)
		fds[i] = connect_to(rh_metrics_http_port(s));
	usleep(20000);
	assert_int_equal(rh_metrics_http_poll(s, 1000), RH_HTTP_MAX_CONNS);
	rep = exchange(s, connect_to(rh_metrics_http_port(s)), NULL, 1000);
	assert_non_null(strstr(rep, "503 Service Unavailable"));
	/* Past their time they are closed, and a new client is served. */
	assert_int_equal(rh_metrics_http_poll(s, 1000 + RH_HTTP_TIMEOUT_MS), 0);
	for (int i = 0; i < RH_HTTP_MAX_CONNS; i++) {
		char c;

		assert_int_equal(recv(fds[i], &c, 1, 0), 0); /* closed by the server */
		close(fds[i]);
	}
	rep = exchange(s, connect_to(rh_metrics_http_port(s)), "GET /metrics HTTP/1.1\r\n\r\n",
	               2000 + RH_HTTP_TIMEOUT_MS);
	assert_non_null(strstr(rep, "routehub_test 42"));
	rh_metrics_http_free(s);
}

static void test_server_addresses(void **state)
{
	struct rh_metrics_http *s;

	(void)state;
	/* Literals only: a name would need a resolver on the daemon's loop. */
	assert_null(rh_metrics_http_new("localhost", 9, fill, NULL));
	assert_int_equal(errno, EINVAL);
	if (!netns_ok())
		skip_no_netns();
	/* IPv6 (configs/baremetal-2port.json listens on ::1). */
	s = rh_metrics_http_new("::1", 0, fill, NULL);
	assert_non_null(s);
	rh_metrics_http_free(s);
	/* A port in use is reported, not hidden. */
	s = rh_metrics_http_new("127.0.0.1", 0, fill, NULL);
	assert_non_null(s);
	assert_null(rh_metrics_http_new("127.0.0.1", rh_metrics_http_port(s), fill, NULL));
	assert_int_equal(errno, EADDRINUSE);
	/* An address that is not local. */
	assert_null(rh_metrics_http_new("192.0.2.1", 9420, fill, NULL));
	assert_int_equal(errno, EADDRNOTAVAIL);
	rh_metrics_http_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_writer_format),    cmocka_unit_test(test_writer_grows),
	        cmocka_unit_test(test_parse_requests),   cmocka_unit_test(test_parse_malformed),
	        cmocka_unit_test(test_server_replies),   cmocka_unit_test(test_server_limits),
	        cmocka_unit_test(test_server_addresses),
	};

	return cmocka_run_group_tests_name("metrics", tests, own_netns, NULL);
}
