/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sessions over loopback TCP in one event loop: two bgp_sessions against each other
 * (127.0.0.1 and 127.0.0.2), and a session against a scripted peer on a plain socket that
 * sends exactly the bytes a test wants (errors, silence, no reading).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "evloop.h"
#include "log.h"
#include "msg.h"
#include "session.h"
#include "session_int.h"

struct side {
	struct bgp_session *s;
	struct bgp_listener *l;
	int established, downs, updates, refreshes, writable;
	size_t last_update_len;
	char reason[200];
	struct bgp_notify update_error; /* sent from the update callback when code != 0 */
};

static uint16_t base_port;
static uint16_t next_port(void)
{
	return base_port++;
}

static void on_established(struct bgp_session *s, const struct bgp_open *peer, void *arg)
{
	struct side *d = arg;

	(void)s;
	(void)peer;
	d->established++;
}

static void on_update(struct bgp_session *s, const uint8_t *body, size_t len, void *arg)
{
	struct side *d = arg;

	(void)body;
	d->updates++;
	d->last_update_len = len;
	if (d->update_error.code != 0)
		assert_int_equal(bgp_session_update_error(s, &d->update_error), 0);
}

static void on_refresh(struct bgp_session *s, uint16_t afi, uint8_t subtype, uint8_t safi,
                       void *arg)
{
	struct side *d = arg;

	(void)s;
	(void)afi;
	(void)subtype;
	(void)safi;
	d->refreshes++;
}

static void on_down(struct bgp_session *s, const char *reason, void *arg)
{
	struct side *d = arg;

	(void)s;
	d->downs++;
	snprintf(d->reason, sizeof(d->reason), "%s", reason);
}

static void on_writable(struct bgp_session *s, void *arg)
{
	struct side *d = arg;

	(void)s;
	d->writable++;
}

static const struct bgp_session_ops ops = {
        .established = on_established,
        .update = on_update,
        .route_refresh = on_refresh,
        .down = on_down,
        .writable = on_writable,
};

static struct bgp_session_cfg make_cfg(const char *local, const char *remote, uint32_t las,
                                       uint32_t ras, const char *id, uint16_t port)
{
	struct bgp_session_cfg c;
	struct in_addr a;

	memset(&c, 0, sizeof(c));
	assert_int_equal(rh_addr_parse(local, &c.local), 0);
	assert_int_equal(rh_addr_parse(remote, &c.remote), 0);
	c.local_as = las;
	c.remote_as = ras;
	assert_int_equal(inet_pton(AF_INET, id, &a), 1);
	c.router_id = a.s_addr;
	c.port = port;
	c.hold_time = 9;
	c.connect_retry_time = 2;
	c.idle_hold_time = 1;
	c.caps.mp[BGP_AID_IPV4] = true;
	c.caps.as4 = true;
	c.caps.route_refresh = true;
	return c;
}

static void side_open(struct rh_evloop *loop, struct side *d, const struct bgp_session_cfg *cfg,
                      uint16_t listen_port)
{
	memset(d, 0, sizeof(*d));
	d->s = bgp_session_new(loop, cfg, &ops, d);
	assert_non_null(d->s);
	if (listen_port != 0) {
		d->l = bgp_listener_new(loop, &cfg->local, listen_port);
		assert_non_null(d->l);
		assert_int_equal(bgp_listener_attach(d->l, d->s), 0);
	}
}

static void side_close(struct side *d)
{
	bgp_session_free(d->s);
	bgp_listener_free(d->l);
}

/* Runs the loop until *flag >= want or max_ms passed; returns whether it got there. */
static bool run_until(struct rh_evloop *loop, const int *flag, int want, unsigned max_ms)
{
	uint64_t end = rh_evloop_update_now(loop) + max_ms;

	while (*flag < want && rh_evloop_now_ms(loop) < end)
		assert_true(rh_evloop_run_once(loop, 10) >= 0);
	return *flag >= want;
}

static void run_for(struct rh_evloop *loop, unsigned ms)
{
	int never = 0;

	run_until(loop, &never, 1, ms);
}

/* An active and a passive session: Established, an UPDATE, then a shutdown with text. */
static void test_establish_and_shutdown(void **state)
{
	struct rh_evloop *loop = rh_evloop_new();
	uint16_t pa = next_port(), pb = next_port();
	struct bgp_session_cfg ca =
	        make_cfg("127.0.0.1", "127.0.0.2", 65001, 65002, "10.0.0.1", pb);
	struct bgp_session_cfg cb =
	        make_cfg("127.0.0.2", "127.0.0.1", 65002, 65001, "10.0.0.2", pa);
	/* An IPv4 End-of-RIB: an UPDATE with nothing in it (RFC 4724 2). */
	uint8_t eor[23];
	struct side a, b;

	(void)state;
	memset(eor, 0xff, 16);
	eor[16] = 0;
	eor[17] = 23;
	eor[18] = BGP_UPDATE;
	memset(eor + 19, 0, 4);
	cb.passive = true;
	cb.hold_time = 30;
	side_open(loop, &a, &ca, pa);
	side_open(loop, &b, &cb, pb);
	assert_int_equal(bgp_session_state(a.s), BGP_ST_IDLE);
	assert_int_equal(bgp_session_send(a.s, eor, sizeof(eor)), -ENOTCONN);
	assert_int_equal(bgp_session_start(b.s), 0);
	assert_int_equal(bgp_session_state(b.s), BGP_ST_ACTIVE);
	assert_int_equal(bgp_session_start(a.s), 0);
	assert_true(run_until(loop, &b.established, 1, 3000));
	assert_true(run_until(loop, &a.established, 1, 3000));
	assert_int_equal(bgp_session_state(a.s), BGP_ST_ESTABLISHED);
	assert_int_equal(bgp_session_state(b.s), BGP_ST_ESTABLISHED);
	/* Hold time: the smaller one, 9. */
	assert_int_equal(bgp_session_hold_time(a.s), 9);
	assert_int_equal(bgp_session_hold_time(b.s), 9);
	assert_int_equal(bgp_session_peer_open(a.s)->caps.as4_asn, 65002);
	assert_true(bgp_session_can_send(a.s));
	assert_int_equal(bgp_session_send(a.s, eor, sizeof(eor)), 0);
	assert_true(run_until(loop, &b.updates, 1, 2000));
	assert_int_equal(b.last_update_len, 4);
	/* ROUTE-REFRESH for IPv4 unicast, encoded by the codec. */
	{
		uint8_t buf[32];
		struct wbuf w;

		wbuf_init(&w, buf, sizeof(buf));
		assert_int_equal(bgp_rr_encode(&w, BGP_AFI_IPV4, BGP_RR_NORMAL, BGP_SAFI_UNICAST),
		                 0);
		assert_int_equal(bgp_session_send(b.s, buf, w.len), 0);
		assert_true(run_until(loop, &a.refreshes, 1, 2000));
	}
	/* Administrative shutdown with a shutdown communication (RFC 8203). */
	assert_int_equal(bgp_session_stop(a.s, "maintenance window"), 0);
	assert_int_equal(bgp_session_state(a.s), BGP_ST_IDLE);
	assert_int_equal(a.downs, 1);
	assert_true(run_until(loop, &b.downs, 1, 2000));
	assert_non_null(strstr(b.reason, "6/2"));
	assert_non_null(strstr(b.reason, "maintenance window"));
	/* Ended by a NOTIFICATION both ways: no graceful restart (RFC 4724 4.2). */
	assert_true(bgp_session_down_notified(a.s));
	assert_true(bgp_session_down_notified(b.s));
	/* B is passive and admin up: it waits for a new connection; A stays down. */
	run_for(loop, 1500);
	assert_int_equal(bgp_session_state(a.s), BGP_ST_IDLE);
	assert_int_equal(a.established, 1);
	side_close(&a);
	side_close(&b);
	rh_evloop_free(loop);
}

/* Administrative reset (Cease/4 with text); both sides come back by themselves. */
static void test_reset_and_restart(void **state)
{
	struct rh_evloop *loop = rh_evloop_new();
	uint16_t pa = next_port(), pb = next_port();
	struct bgp_session_cfg ca =
	        make_cfg("127.0.0.1", "127.0.0.2", 65001, 65002, "10.0.0.1", pb);
	struct bgp_session_cfg cb =
	        make_cfg("127.0.0.2", "127.0.0.1", 65002, 65001, "10.0.0.2", pa);
	struct side a, b;

	(void)state;
	cb.passive = true;
	side_open(loop, &a, &ca, pa);
	side_open(loop, &b, &cb, pb);
	bgp_session_start(b.s);
	bgp_session_start(a.s);
	assert_true(run_until(loop, &a.established, 1, 3000));
	assert_true(run_until(loop, &b.established, 1, 3000));
	assert_int_equal(bgp_session_reset(a.s, "new policy"), 0);
	assert_int_equal(a.downs, 1);
	assert_true(run_until(loop, &b.downs, 1, 2000));
	assert_non_null(strstr(b.reason, "6/4"));
	assert_non_null(strstr(b.reason, "new policy"));
	/* A starts again at once; B, passive, takes the new connection. */
	assert_true(run_until(loop, &a.established, 2, 5000));
	assert_true(run_until(loop, &b.established, 2, 5000));
	side_close(&a);
	side_close(&b);
	rh_evloop_free(loop);
}

/*
 * The peer vanishes without a word (its process died): A sees the connection close, goes
 * down, and after the idle hold time (1 s here) reaches the peer's new instance by itself.
 */
static void test_peer_vanishes_and_returns(void **state)
{
	struct rh_evloop *loop = rh_evloop_new();
	uint16_t pa = next_port(), pb = next_port();
	struct bgp_session_cfg ca =
	        make_cfg("127.0.0.1", "127.0.0.2", 65001, 65002, "10.0.0.1", pb);
	struct bgp_session_cfg cb =
	        make_cfg("127.0.0.2", "127.0.0.1", 65002, 65001, "10.0.0.2", pa);
	struct side a, b;

	(void)state;
	cb.passive = true;
	side_open(loop, &a, &ca, pa);
	side_open(loop, &b, &cb, pb);
	bgp_session_start(b.s);
	bgp_session_start(a.s);
	assert_true(run_until(loop, &a.established, 1, 3000));
	side_close(&b);
	assert_true(run_until(loop, &a.downs, 1, 2000));
	assert_non_null(strstr(a.reason, "connection closed by peer"));
	/* No NOTIFICATION: the case where graceful restart keeps the routes (RFC 4724 4.2). */
	assert_false(bgp_session_down_notified(a.s));
	assert_int_equal(bgp_session_state(a.s), BGP_ST_IDLE);
	side_open(loop, &b, &cb, pb);
	bgp_session_start(b.s);
	assert_true(run_until(loop, &a.established, 2, 6000));
	assert_true(run_until(loop, &b.established, 1, 2000));
	assert_int_equal(bgp_session_stats(a.s)->dropped, 1);
	side_close(&a);
	side_close(&b);
	rh_evloop_free(loop);
}

/* Both sides connect at once (RFC 4271 6.8); one connection survives, each way. */
static void collision(const char *id_a, const char *id_b)
{
	struct rh_evloop *loop = rh_evloop_new();
	uint16_t pa = next_port(), pb = next_port();
	struct bgp_session_cfg ca = make_cfg("127.0.0.1", "127.0.0.2", 65001, 65002, id_a, pb);
	struct bgp_session_cfg cb = make_cfg("127.0.0.2", "127.0.0.1", 65002, 65001, id_b, pa);
	const struct bgp_session_stats *sa, *sb;
	struct side a, b;

	side_open(loop, &a, &ca, pa);
	side_open(loop, &b, &cb, pb);
	assert_int_equal(bgp_session_start(a.s), 0);
	assert_int_equal(bgp_session_start(b.s), 0);
	assert_true(run_until(loop, &a.established, 1, 5000));
	assert_true(run_until(loop, &b.established, 1, 5000));
	/* And it stays so: no flap after the collision was settled. */
	run_for(loop, 1000);
	sa = bgp_session_stats(a.s);
	sb = bgp_session_stats(b.s);
	assert_int_equal(sa->established, 1);
	assert_int_equal(sb->established, 1);
	assert_int_equal(a.downs + b.downs, 0);
	assert_int_equal(bgp_session_state(a.s), BGP_ST_ESTABLISHED);
	assert_int_equal(bgp_session_state(b.s), BGP_ST_ESTABLISHED);
	side_close(&a);
	side_close(&b);
	rh_evloop_free(loop);
}

static void test_collision_both_ways(void **state)
{
	(void)state;
	collision("10.0.0.1", "10.0.0.2");
	collision("10.0.0.9", "10.0.0.2");
}

/* Hold time 0 on one side: no KEEPALIVE after the one of OpenConfirm (RFC 4271 4.4). */
static void test_hold_time_zero(void **state)
{
	struct rh_evloop *loop = rh_evloop_new();
	uint16_t pa = next_port(), pb = next_port();
	struct bgp_session_cfg ca =
	        make_cfg("127.0.0.1", "127.0.0.2", 65001, 65002, "10.0.0.1", pb);
	struct bgp_session_cfg cb =
	        make_cfg("127.0.0.2", "127.0.0.1", 65002, 65001, "10.0.0.2", pa);
	struct side a, b;

	(void)state;
	ca.hold_time = 3;
	cb.hold_time = 0;
	cb.passive = true;
	side_open(loop, &a, &ca, pa);
	side_open(loop, &b, &cb, pb);
	bgp_session_start(b.s);
	bgp_session_start(a.s);
	assert_true(run_until(loop, &a.established, 1, 3000));
	assert_int_equal(bgp_session_hold_time(a.s), 0);
	/* Longer than a hold time of 3 would allow. */
	run_for(loop, 3500);
	assert_int_equal(bgp_session_state(a.s), BGP_ST_ESTABLISHED);
	assert_int_equal(bgp_session_stats(a.s)->msgs_out[BGP_KEEPALIVE], 1);
	assert_int_equal(bgp_session_stats(b.s)->msgs_in[BGP_KEEPALIVE], 1);
	side_close(&a);
	side_close(&b);
	rh_evloop_free(loop);
}

/* The peer is not the AS we expect: OPEN error Bad Peer AS (RFC 4271 6.2). */
static void test_bad_peer_as(void **state)
{
	struct rh_evloop *loop = rh_evloop_new();
	uint16_t pa = next_port(), pb = next_port();
	struct bgp_session_cfg ca =
	        make_cfg("127.0.0.1", "127.0.0.2", 65001, 65002, "10.0.0.1", pb);
	struct bgp_session_cfg cb =
	        make_cfg("127.0.0.2", "127.0.0.1", 65002, 65009, "10.0.0.2", pa);
	struct side a, b;

	(void)state;
	cb.passive = true;
	side_open(loop, &a, &ca, pa);
	side_open(loop, &b, &cb, pb);
	bgp_session_start(b.s);
	bgp_session_start(a.s);
	run_for(loop, 1000);
	assert_int_equal(a.established + b.established, 0);
	assert_true(bgp_session_stats(b.s)->msgs_out[BGP_NOTIFICATION] >= 1);
	assert_non_null(strstr(bgp_session_last_error(a.s), "received NOTIFICATION 2/2"));
	side_close(&a);
	side_close(&b);
	rh_evloop_free(loop);
}

static bool md5_supported(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct rh_addr a;
	int rc = -1;

	rh_addr_parse("127.0.0.2", &a);
	if (fd >= 0) {
		rc = bgp_sock_md5(fd, &a, "probe");
		close(fd);
	}
	return rc == 0;
}

/* TCP MD5 (RFC 2385): different keys keep the session down, equal keys bring it up. */
static void md5_case(const char *key_a, const char *key_b, bool up)
{
	struct rh_evloop *loop = rh_evloop_new();
	uint16_t pa = next_port(), pb = next_port();
	struct bgp_session_cfg ca =
	        make_cfg("127.0.0.1", "127.0.0.2", 65001, 65002, "10.0.0.1", pb);
	struct bgp_session_cfg cb =
	        make_cfg("127.0.0.2", "127.0.0.1", 65002, 65001, "10.0.0.2", pa);
	struct side a, b;

	snprintf(ca.password, sizeof(ca.password), "%s", key_a);
	snprintf(cb.password, sizeof(cb.password), "%s", key_b);
	cb.passive = true;
	side_open(loop, &a, &ca, pa);
	side_open(loop, &b, &cb, pb);
	bgp_session_start(b.s);
	bgp_session_start(a.s);
	assert_int_equal(run_until(loop, &b.established, 1, up ? 3000 : 2000), up);
	assert_int_equal(run_until(loop, &a.established, 1, up ? 3000 : 10), up);
	side_close(&a);
	side_close(&b);
	rh_evloop_free(loop);
}

static void test_md5(void **state)
{
	(void)state;
	if (!md5_supported())
		skip();
	md5_case("secret-1", "secret-2", false);
	md5_case("secret-1", "", false);
	md5_case("secret-1", "secret-1", true);
}

/*
 * GTSM (RFC 5082): both sides on, the session comes up. Only B on: A's segments leave
 * with TTL 1 (a directly connected peer, loopback does not decrement) and B's socket
 * drops them, so A's OPEN never arrives.
 */
static void gtsm_case(bool gtsm_a, bool up)
{
	struct rh_evloop *loop = rh_evloop_new();
	uint16_t pa = next_port(), pb = next_port();
	struct bgp_session_cfg ca =
	        make_cfg("127.0.0.1", "127.0.0.2", 65001, 65002, "10.0.0.1", pb);
	struct bgp_session_cfg cb =
	        make_cfg("127.0.0.2", "127.0.0.1", 65002, 65001, "10.0.0.2", pa);
	struct side a, b;

	ca.gtsm = gtsm_a;
	cb.gtsm = true;
	cb.passive = true;
	side_open(loop, &a, &ca, pa);
	side_open(loop, &b, &cb, pb);
	bgp_session_start(b.s);
	bgp_session_start(a.s);
	assert_int_equal(run_until(loop, &b.established, 1, up ? 3000 : 1500), up);
	if (!up)
		assert_int_equal(bgp_session_stats(b.s)->msgs_in[BGP_OPEN], 0);
	side_close(&a);
	side_close(&b);
	rh_evloop_free(loop);
}

static void test_gtsm(void **state)
{
	(void)state;
	gtsm_case(true, true);
	gtsm_case(false, false);
}

/* A connection from an address that is not a peer is closed at once. */
static void test_unconfigured_peer_refused(void **state)
{
	struct rh_evloop *loop = rh_evloop_new();
	uint16_t pa = next_port();
	struct bgp_session_cfg ca =
	        make_cfg("127.0.0.1", "127.0.0.2", 65001, 65002, "10.0.0.1", pa);
	struct sockaddr_storage ss;
	socklen_t sl;
	struct rh_addr src;
	struct side a;
	char c;
	int fd, got = -2;

	(void)state;
	ca.passive = true;
	side_open(loop, &a, &ca, pa);
	bgp_session_start(a.s);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	rh_addr_parse("127.0.0.3", &src);
	sl = rh_addr_to_sockaddr(&src, 0, &ss);
	assert_int_equal(bind(fd, (struct sockaddr *)&ss, sl), 0);
	sl = rh_addr_to_sockaddr(&ca.local, pa, &ss);
	assert_int_equal(connect(fd, (struct sockaddr *)&ss, sl), 0);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	for (int i = 0; i < 100 && got == -2; i++) {
		ssize_t n;

		rh_evloop_run_once(loop, 10);
		n = read(fd, &c, 1);
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			got = 0;
	}
	assert_int_equal(got, 0);
	assert_int_equal(bgp_session_state(a.s), BGP_ST_ACTIVE);
	close(fd);
	side_close(&a);
	rh_evloop_free(loop);
}

/*
 * A scripted peer on a plain socket: the session under test connects to it; the test
 * reads and writes whole messages while the loop runs.
 */
struct raw {
	int lfd, fd;
	uint8_t buf[70000];
	size_t len;
};

static void raw_listen(struct raw *r, const char *addr, uint16_t port)
{
	struct sockaddr_storage ss;
	struct rh_addr a;
	socklen_t sl;
	int one = 1;

	r->len = 0;
	r->fd = -1;
	rh_addr_parse(addr, &a);
	sl = rh_addr_to_sockaddr(&a, port, &ss);
	r->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	setsockopt(r->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	assert_int_equal(bind(r->lfd, (struct sockaddr *)&ss, sl), 0);
	assert_int_equal(listen(r->lfd, 4), 0);
}

static void raw_accept(struct rh_evloop *loop, struct raw *r)
{
	for (int i = 0; i < 300 && r->fd < 0; i++) {
		rh_evloop_run_once(loop, 10);
		r->fd = accept4(r->lfd, NULL, NULL, SOCK_NONBLOCK);
	}
	assert_true(r->fd >= 0);
}

/* Waits up to max_ms for a whole message; returns its type, 0 on EOF, -1 on timeout. */
static int raw_recv(struct rh_evloop *loop, struct raw *r, uint8_t *body, size_t *blen,
                    unsigned max_ms)
{
	uint64_t end = rh_evloop_update_now(loop) + max_ms;

	while (rh_evloop_now_ms(loop) < end) {
		ssize_t n;

		if (r->len >= BGP_HDR_LEN) {
			size_t mlen = (size_t)r->buf[16] << 8 | r->buf[17];
			uint8_t type = r->buf[18];

			if (r->len >= mlen) {
				*blen = mlen - BGP_HDR_LEN;
				if (body != NULL)
					memcpy(body, r->buf + BGP_HDR_LEN, *blen);
				memmove(r->buf, r->buf + mlen, r->len - mlen);
				r->len -= mlen;
				return type;
			}
		}
		n = read(r->fd, r->buf + r->len, sizeof(r->buf) - r->len);
		if (n == 0)
			return 0;
		if (n > 0) {
			r->len += (size_t)n;
			continue;
		}
		rh_evloop_run_once(loop, 5);
	}
	return -1;
}

static void raw_send(struct raw *r, const uint8_t *p, size_t n)
{
	assert_int_equal(write(r->fd, p, n), (ssize_t)n);
}

/* An OPEN, with the Graceful Restart capability for IPv4 (F and R bits set) when gr. */
static void raw_send_open_gr(struct raw *r, uint32_t as, uint16_t hold, bool gr)
{
	struct bgp_open o = {.version = 4, .my_as = (uint16_t)as, .hold_time = hold};
	uint8_t buf[BGP_MAX_MSG];
	struct wbuf w;

	o.bgp_id = htonl(0x0a000063);
	o.caps.mp[BGP_AID_IPV4] = true;
	o.caps.as4 = true;
	o.caps.as4_asn = as;
	o.caps.gr = gr;
	o.caps.gr_restarted = gr;
	o.caps.gr_time = 120;
	o.caps.gr_af[BGP_AID_IPV4] = gr;
	o.caps.gr_fwd[BGP_AID_IPV4] = gr;
	wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(bgp_open_encode(&w, &o), 0);
	raw_send(r, buf, w.len);
}

static void raw_send_open(struct raw *r, uint32_t as, uint16_t hold)
{
	raw_send_open_gr(r, as, hold, false);
}

static void raw_send_keepalive(struct raw *r)
{
	uint8_t buf[BGP_HDR_LEN];
	struct wbuf w;

	wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(bgp_keepalive_encode(&w), 0);
	raw_send(r, buf, w.len);
}

/* Expects a NOTIFICATION code/subcode within max_ms, skipping KEEPALIVEs. */
static void raw_expect_notify(struct rh_evloop *loop, struct raw *r, uint8_t code, uint8_t subcode,
                              unsigned max_ms, struct bgp_notify *out)
{
	uint8_t body[4096];
	struct bgp_notify n;
	size_t blen;
	int type;

	do
		type = raw_recv(loop, r, body, &blen, max_ms);
	while (type == BGP_KEEPALIVE);
	assert_int_equal(type, BGP_NOTIFICATION);
	assert_int_equal(bgp_notify_decode(body, blen, &n), 0);
	assert_int_equal(n.code, code);
	assert_int_equal(n.subcode, subcode);
	if (out != NULL)
		*out = n;
}

struct raw_case {
	struct rh_evloop *loop;
	struct raw r;
	struct side a;
};

/* The session under test (A, 127.0.0.1) connects to the scripted peer. */
static void raw_case_open_at(struct raw_case *t, bool establish, uint16_t hold, uint16_t port)
{
	struct bgp_session_cfg ca =
	        make_cfg("127.0.0.1", "127.0.0.2", 65001, 65002, "10.0.0.1", port);
	size_t blen;

	ca.hold_time = hold;
	t->loop = rh_evloop_new();
	raw_listen(&t->r, "127.0.0.2", port);
	side_open(t->loop, &t->a, &ca, 0);
	bgp_session_start(t->a.s);
	raw_accept(t->loop, &t->r);
	assert_int_equal(raw_recv(t->loop, &t->r, NULL, &blen, 2000), BGP_OPEN);
	assert_int_equal(bgp_session_state(t->a.s), BGP_ST_OPENSENT);
	if (!establish)
		return;
	raw_send_open(&t->r, 65002, 90);
	assert_int_equal(raw_recv(t->loop, &t->r, NULL, &blen, 2000), BGP_KEEPALIVE);
	raw_send_keepalive(&t->r);
	assert_true(run_until(t->loop, &t->a.established, 1, 2000));
}

static void raw_case_open(struct raw_case *t, bool establish, uint16_t hold)
{
	raw_case_open_at(t, establish, hold, next_port());
}

static void raw_case_close(struct raw_case *t)
{
	close(t->r.fd);
	close(t->r.lfd);
	side_close(&t->a);
	rh_evloop_free(t->loop);
}

/* A scripted peer's connection from `from` to the session's listener at 127.0.0.1:port. */
static void raw_connect(struct raw *r, const char *from, uint16_t port)
{
	struct sockaddr_storage ss;
	struct rh_addr a;
	socklen_t sl;

	r->len = 0;
	r->lfd = -1;
	r->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(r->fd >= 0);
	rh_addr_parse(from, &a);
	sl = rh_addr_to_sockaddr(&a, 0, &ss);
	assert_int_equal(bind(r->fd, (struct sockaddr *)&ss, sl), 0);
	rh_addr_parse("127.0.0.1", &a);
	sl = rh_addr_to_sockaddr(&a, port, &ss);
	assert_int_equal(connect(r->fd, (struct sockaddr *)&ss, sl), 0);
	fcntl(r->fd, F_SETFL, O_NONBLOCK);
}

/* The next message that is not a KEEPALIVE (0 on EOF, -1 on timeout). */
static int raw_recv_skip_keepalives(struct rh_evloop *loop, struct raw *r, unsigned max_ms)
{
	size_t blen;
	int type;

	do
		type = raw_recv(loop, r, NULL, &blen, max_ms);
	while (type == BGP_KEEPALIVE);
	return type;
}

/*
 * The peer restarts and its new connection arrives while the old one still looks
 * Established (its host rebooted: no FIN). With Graceful Restart in the new OPEN the old
 * connection is closed without a NOTIFICATION (RFC 4724 4.2: routes kept stale) and the
 * new one takes over; without it, the new one loses the collision (RFC 4271 6.8).
 */
static void peer_reopens(bool gr)
{
	struct rh_evloop *loop = rh_evloop_new();
	uint16_t pa = next_port(), pb = next_port();
	struct bgp_session_cfg ca =
	        make_cfg("127.0.0.1", "127.0.0.2", 65001, 65002, "10.0.0.1", pb);
	struct raw r1, r2;
	struct side a;
	size_t blen;

	side_open(loop, &a, &ca, pa);
	raw_listen(&r1, "127.0.0.2", pb);
	bgp_session_start(a.s);
	raw_accept(loop, &r1);
	assert_int_equal(raw_recv(loop, &r1, NULL, &blen, 2000), BGP_OPEN);
	raw_send_open_gr(&r1, 65002, 90, gr);
	assert_int_equal(raw_recv(loop, &r1, NULL, &blen, 2000), BGP_KEEPALIVE);
	raw_send_keepalive(&r1);
	assert_true(run_until(loop, &a.established, 1, 2000));

	raw_connect(&r2, "127.0.0.2", pa);
	raw_send_open_gr(&r2, 65002, 90, gr);
	assert_int_equal(raw_recv(loop, &r2, NULL, &blen, 2000), BGP_OPEN);
	if (gr) {
		assert_int_equal(raw_recv(loop, &r2, NULL, &blen, 2000), BGP_KEEPALIVE);
		assert_int_equal(a.downs, 1);
		assert_false(bgp_session_down_notified(a.s));
		assert_non_null(strstr(a.reason, "graceful restart"));
		/* The old connection just closes. */
		assert_int_equal(raw_recv_skip_keepalives(loop, &r1, 2000), 0);
		raw_send_keepalive(&r2);
		assert_true(run_until(loop, &a.established, 2, 2000));
		assert_int_equal(bgp_session_state(a.s), BGP_ST_ESTABLISHED);
	} else {
		/* Cease/Connection Collision Resolution on the new one; the old one stays. */
		raw_expect_notify(loop, &r2, BGP_ERR_CEASE, BGP_CEASE_COLLISION, 2000, NULL);
		run_for(loop, 300);
		assert_int_equal(a.downs, 0);
		assert_int_equal(bgp_session_state(a.s), BGP_ST_ESTABLISHED);
	}
	close(r1.fd);
	close(r1.lfd);
	close(r2.fd);
	side_close(&a);
	rh_evloop_free(loop);
}

static void test_gr_peer_reopens_while_established(void **state)
{
	(void)state;
	peer_reopens(true);
	peer_reopens(false);
}

/* The peer goes silent: Hold Timer Expired (RFC 4271 6.5) after 3 s. */
static void test_hold_timer_expires(void **state)
{
	struct raw_case t;
	uint64_t t0;

	(void)state;
	raw_case_open(&t, true, 3);
	t0 = rh_evloop_update_now(t.loop);
	raw_expect_notify(t.loop, &t.r, BGP_ERR_HOLD, 0, 5000, NULL);
	assert_true(rh_evloop_update_now(t.loop) - t0 >= 2500);
	assert_int_equal(t.a.downs, 1);
	assert_non_null(strstr(t.a.reason, "hold timer expired"));
	assert_true(bgp_session_down_notified(t.a.s)); /* RFC 4724: no GR (RFC 8538 would) */
	raw_case_close(&t);
}

/* A KEEPALIVE instead of an OPEN: FSM Error, OpenSent subcode (RFC 6608). */
static void test_unexpected_in_opensent(void **state)
{
	struct raw_case t;

	(void)state;
	raw_case_open(&t, false, 30);
	raw_send_keepalive(&t.r);
	raw_expect_notify(t.loop, &t.r, BGP_ERR_FSM, 1, 2000, NULL);
	assert_int_equal(bgp_session_state(t.a.s), BGP_ST_IDLE);
	raw_case_close(&t);
}

/* An OPEN on an Established session: FSM Error, Established subcode (RFC 6608). */
static void test_unexpected_in_established(void **state)
{
	struct raw_case t;

	(void)state;
	raw_case_open(&t, true, 30);
	raw_send_open(&t.r, 65002, 90);
	raw_expect_notify(t.loop, &t.r, BGP_ERR_FSM, 3, 2000, NULL);
	assert_int_equal(t.a.downs, 1);
	raw_case_close(&t);
}

/* A broken marker: Message Header Error, Connection Not Synchronized (RFC 4271 6.1). */
static void test_header_error(void **state)
{
	struct raw_case t;
	uint8_t bad[BGP_HDR_LEN];

	(void)state;
	raw_case_open(&t, true, 30);
	memset(bad, 0xff, sizeof(bad));
	bad[3] = 0;
	bad[16] = 0;
	bad[17] = BGP_HDR_LEN;
	bad[18] = BGP_KEEPALIVE;
	raw_send(&t.r, bad, sizeof(bad));
	raw_expect_notify(t.loop, &t.r, BGP_ERR_HEADER, BGP_ERR_HDR_SYNC, 2000, NULL);
	raw_case_close(&t);
}

/* The RIB finds an UPDATE malformed and resets the session from its callback. */
static void test_update_error_from_callback(void **state)
{
	static const uint8_t upd[] = {0xff, 0xff, 0xff,       0xff, 0xff, 0xff, 0xff, 0xff,
	                              0xff, 0xff, 0xff,       0xff, 0xff, 0xff, 0xff, 0xff,
	                              0,    23,   BGP_UPDATE, 0,    0,    0,    0};
	struct raw_case t;

	(void)state;
	raw_case_open(&t, true, 30);
	t.a.update_error.code = BGP_ERR_UPDATE;
	t.a.update_error.subcode = BGP_ERR_UPD_ATTRLIST;
	/* Two UPDATEs in one segment: the second must not be delivered. */
	{
		uint8_t two[sizeof(upd) * 2];

		memcpy(two, upd, sizeof(upd));
		memcpy(two + sizeof(upd), upd, sizeof(upd));
		raw_send(&t.r, two, sizeof(two));
	}
	raw_expect_notify(t.loop, &t.r, BGP_ERR_UPDATE, BGP_ERR_UPD_ATTRLIST, 2000, NULL);
	assert_int_equal(t.a.updates, 1);
	assert_int_equal(t.a.downs, 1);
	raw_case_close(&t);
}

/* Max-prefix: Cease/1 with AFI, SAFI and the limit (RFC 4486 4); stays down. */
static void test_max_prefix(void **state)
{
	static const uint8_t want[] = {0, 1, 1, 0, 0, 0, 100};
	struct bgp_notify n;
	struct raw_case t;

	(void)state;
	raw_case_open(&t, true, 30);
	assert_int_equal(bgp_session_max_prefix(t.a.s, BGP_AFI_IPV4, BGP_SAFI_UNICAST, 100), 0);
	raw_expect_notify(t.loop, &t.r, BGP_ERR_CEASE, BGP_CEASE_MAX_PREFIX, 2000, &n);
	assert_int_equal(n.data_len, sizeof(want));
	assert_memory_equal(n.data, want, sizeof(want));
	assert_int_equal(bgp_session_max_prefix(t.a.s, BGP_AFI_IPV4, BGP_SAFI_UNICAST, 100),
	                 -ENOTCONN);
	run_for(t.loop, 1500);
	assert_int_equal(bgp_session_state(t.a.s), BGP_ST_IDLE);
	raw_case_close(&t);
}

/* The peer stops reading: the queue fills, can_send turns false, then writable fires. */
static void test_backpressure(void **state)
{
	struct raw_case t;
	uint8_t *msg = calloc(1, BGP_MAX_MSG);
	int sent = 0, received = 0;
	size_t blen;

	(void)state;
	raw_case_open(&t, true, 30);
	memset(msg, 0xff, 16);
	msg[16] = BGP_MAX_MSG >> 8;
	msg[17] = BGP_MAX_MSG & 0xff;
	msg[18] = BGP_UPDATE;
	/* Without running the loop, the socket buffers fill, then the queue. */
	for (int i = 0; i < 100000 && bgp_session_can_send(t.a.s); i++) {
		assert_int_equal(bgp_session_send(t.a.s, msg, BGP_MAX_MSG), 0);
		sent++;
	}
	assert_false(bgp_session_can_send(t.a.s));
	assert_int_equal(t.a.writable, 0);
	/* Bounded: past four times the limit the queue refuses. */
	for (int i = 0; i < 100000; i++) {
		int rc = bgp_session_send(t.a.s, msg, BGP_MAX_MSG);

		if (rc == -ENOBUFS)
			break;
		assert_int_equal(rc, 0);
		sent++;
	}
	assert_int_equal(bgp_session_send(t.a.s, msg, BGP_MAX_MSG), -ENOBUFS);
	/* The peer reads again: every message arrives, and the RIB is told to go on. */
	while (received < sent) {
		int type = raw_recv(t.loop, &t.r, NULL, &blen, 2000);

		if (type == BGP_KEEPALIVE)
			continue;
		assert_int_equal(type, BGP_UPDATE);
		assert_int_equal(blen, BGP_MAX_MSG - BGP_HDR_LEN);
		received++;
	}
	assert_true(run_until(t.loop, &t.a.writable, 1, 1000));
	assert_true(bgp_session_can_send(t.a.s));
	free(msg);
	raw_case_close(&t);
}

/*
 * Garbage from the peer, in well-framed messages of every type, in OpenSent and in
 * Established: the session answers with a NOTIFICATION or goes on, and never crashes
 * (run under ASan/UBSan too). Seeded, so a failure repeats.
 */
static void test_random_messages(void **state)
{
	uint16_t port = next_port();
	unsigned notified = 0;

	(void)state;
	srand(4271);
	for (int round = 0; round < 60; round++) {
		struct raw_case t;
		uint8_t msg[BGP_HDR_LEN + 64], body[4096];
		size_t blen, len = BGP_HDR_LEN + (size_t)(rand() % 64);
		int type;

		raw_case_open_at(&t, round % 3 != 0, 30, port);
		memset(msg, 0xff, 16);
		msg[16] = (uint8_t)(len >> 8);
		msg[17] = (uint8_t)len;
		msg[18] = (uint8_t)(1 + rand() % 5);
		for (size_t i = BGP_HDR_LEN; i < len; i++)
			msg[i] = (uint8_t)(rand() % 4 == 0 ? 0 : rand());
		raw_send(&t.r, msg, len);
		do
			type = raw_recv(t.loop, &t.r, body, &blen, 200);
		while (type == BGP_KEEPALIVE);
		if (type == BGP_NOTIFICATION) {
			struct bgp_notify n;

			assert_int_equal(bgp_notify_decode(body, blen, &n), 0);
			assert_true(n.code >= BGP_ERR_HEADER && n.code <= BGP_ERR_ROUTE_REFRESH);
			assert_int_equal(bgp_session_state(t.a.s), BGP_ST_IDLE);
			notified++;
		} else {
			/* Nothing to answer (an UPDATE goes to the RIB as it is) or the peer's
			 * NOTIFICATION closed the session. */
			assert_true(type == -1 || type == 0);
		}
		raw_case_close(&t);
	}
	assert_true(notified > 0);
}

static void test_bad_config(void **state)
{
	struct rh_evloop *loop = rh_evloop_new();
	struct bgp_session_cfg c =
	        make_cfg("127.0.0.1", "127.0.0.2", 65001, 65002, "10.0.0.1", 179);

	(void)state;
	c.hold_time = 2;
	assert_null(bgp_session_new(loop, &c, &ops, NULL));
	assert_int_equal(errno, EINVAL);
	c = make_cfg("127.0.0.1", "::1", 65001, 65002, "10.0.0.1", 179);
	assert_null(bgp_session_new(loop, &c, &ops, NULL));
	c = make_cfg("127.0.0.1", "127.0.0.2", 65001, 0, "10.0.0.1", 179);
	assert_null(bgp_session_new(loop, &c, &ops, NULL));
	rh_evloop_free(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_establish_and_shutdown),
	        cmocka_unit_test(test_reset_and_restart),
	        cmocka_unit_test(test_peer_vanishes_and_returns),
	        cmocka_unit_test(test_collision_both_ways),
	        cmocka_unit_test(test_hold_time_zero),
	        cmocka_unit_test(test_bad_peer_as),
	        cmocka_unit_test(test_md5),
	        cmocka_unit_test(test_gtsm),
	        cmocka_unit_test(test_unconfigured_peer_refused),
	        cmocka_unit_test(test_hold_timer_expires),
	        cmocka_unit_test(test_gr_peer_reopens_while_established),
	        cmocka_unit_test(test_unexpected_in_opensent),
	        cmocka_unit_test(test_unexpected_in_established),
	        cmocka_unit_test(test_header_error),
	        cmocka_unit_test(test_update_error_from_callback),
	        cmocka_unit_test(test_max_prefix),
	        cmocka_unit_test(test_backpressure),
	        cmocka_unit_test(test_random_messages),
	        cmocka_unit_test(test_bad_config),
	};

	signal(SIGPIPE, SIG_IGN);
	rh_log_init("test_bgp_session", getenv("TEST_DEBUG") ? LOG_DEBUG : LOG_ERR);
	/* Ports of our own, so that parallel runs of the suite do not meet. */
	base_port = (uint16_t)(20000 + (getpid() % 1400) * 32);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
