/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A BGP session: the connections to one peer, each driven by its own RFC 4271 FSM
 * (fsm.c), and what the FSM's actions mean on a socket.
 *
 * Re-entrance: an action may cause another event (a connect that fails at once, the RIB
 * resetting the session from its update callback). Events are queued per connection and
 * run one after the other, never nested.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "session_int.h"

#define BGP_IDLE_HOLD_DEFAULT 5
#define BGP_IDLE_HOLD_MAX     120

/* Output queue */

static int outq_append(struct outq *q, const uint8_t *p, size_t n)
{
	if (q->off + q->len + n > q->cap && q->off > 0) {
		memmove(q->buf, q->buf + q->off, q->len);
		q->off = 0;
	}
	if (q->len + n > q->cap) {
		size_t cap = q->cap ? q->cap : 16384;
		uint8_t *b;

		while (cap < q->len + n)
			cap *= 2;
		b = realloc(q->buf, cap);
		if (b == NULL)
			return -ENOMEM;
		q->buf = b;
		q->cap = cap;
	}
	memcpy(q->buf + q->off + q->len, p, n);
	q->len += n;
	return 0;
}

static void outq_reset(struct outq *q)
{
	q->off = 0;
	q->len = 0;
	/* A large queue is given back; a small one is kept for the next connection. */
	if (q->cap > 65536) {
		free(q->buf);
		q->buf = NULL;
		q->cap = 0;
	}
}

/* Errors */

void bgp_session_error(struct bgp_session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->last_error, sizeof(s->last_error), fmt, ap);
	va_end(ap);
	s->error_fresh = true;
}

/* RFC 4271 4.5, RFC 4486 4, RFC 7313 5: what a NOTIFICATION means, for logs. */
const char *bgp_session_notify_name(uint8_t code, uint8_t subcode)
{
	static const char *const codes[] = {
	        "unknown",
	        "message header error",
	        "OPEN message error",
	        "UPDATE message error",
	        "hold timer expired",
	        "finite state machine error",
	        "cease",
	        "ROUTE-REFRESH message error",
	};
	static const char *const cease[] = {
	        "cease",
	        "maximum number of prefixes reached",
	        "administrative shutdown",
	        "peer de-configured",
	        "administrative reset",
	        "connection rejected",
	        "other configuration change",
	        "connection collision resolution",
	        "out of resources",
	        "hard reset",
	};

	if (code == BGP_ERR_CEASE && subcode < sizeof(cease) / sizeof(cease[0]))
		return cease[subcode];
	return code < sizeof(codes) / sizeof(codes[0]) ? codes[code] : codes[0];
}

static void conn_close(struct bgp_conn *c)
{
	uint8_t scratch[4096];

	if (c->fd < 0)
		return;
	/* Last chance for a queued NOTIFICATION, then read what the peer sent so that the
	 * close is a FIN, not an RST that could discard the NOTIFICATION (RFC 4271 6). */
	if (c->out.len > 0 && !c->connecting)
		(void)!send(c->fd, c->out.buf + c->out.off, c->out.len,
		            MSG_NOSIGNAL | MSG_DONTWAIT);
	for (int i = 0; i < 16 && read(c->fd, scratch, sizeof(scratch)) > 0; i++)
		;
	rh_io_del(c->s->loop, &c->io);
	close(c->fd);
	c->fd = -1;
	c->gen++;
	c->connecting = false;
	c->rx_len = 0;
	c->have_peer = false;
	c->max_msg = BGP_MAX_MSG;
	outq_reset(&c->out);
}

static void conn_update_interest(struct bgp_conn *c)
{
	unsigned ev = c->connecting ? RH_EV_WRITE : RH_EV_READ;

	if (c->out.len > 0)
		ev |= RH_EV_WRITE;
	rh_io_modify(c->s->loop, &c->io, ev);
}

static size_t session_queued(const struct bgp_session *s)
{
	return s->est != NULL ? s->est->out.len : 0;
}

static void conn_flush(struct bgp_conn *c)
{
	struct bgp_session *s = c->s;

	while (c->out.len > 0) {
		ssize_t n = send(c->fd, c->out.buf + c->out.off, c->out.len,
		                 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				break;
			bgp_session_error(s, "send: %s", strerror(errno));
			bgp_conn_event(c, BGP_EV_TCP_CONNECTION_FAILS, NULL);
			return;
		}
		s->stats.bytes_out += (uint64_t)n;
		c->out.off += (size_t)n;
		c->out.len -= (size_t)n;
	}
	if (c->out.len == 0)
		c->out.off = 0;
	conn_update_interest(c);
	/* Backpressure released at half the limit, so that the RIB works in large steps. */
	if (s->rib_blocked && c == s->est && session_queued(s) <= s->cfg.outq_high / 2) {
		s->rib_blocked = false;
		if (s->ops.writable != NULL)
			s->ops.writable(s, s->arg);
	}
}

/* Queues a whole message; sends at once what the socket takes. */
static int conn_send(struct bgp_conn *c, const uint8_t *msg, size_t len)
{
	int rc;

	if (c->fd < 0 || c->connecting)
		return -ENOTCONN;
	if (len >= BGP_HDR_LEN && msg[18] <= BGP_ROUTE_REFRESH)
		c->s->stats.msgs_out[msg[18]]++;
	rc = outq_append(&c->out, msg, len);
	if (rc < 0)
		return rc;
	if (c->out.len == len)
		conn_flush(c);
	else
		conn_update_interest(c);
	return 0;
}

static void conn_send_open(struct bgp_conn *c)
{
	const struct bgp_session_cfg *cfg = &c->s->cfg;
	struct bgp_open o = {
	        .version = BGP_VERSION,
	        .my_as = cfg->local_as > 0xffff ? BGP_AS_TRANS : (uint16_t)cfg->local_as,
	        .hold_time = cfg->hold_time,
	        .bgp_id = cfg->router_id,
	        .caps = cfg->caps,
	};
	uint8_t buf[BGP_MAX_MSG];
	struct wbuf w;

	/* RFC 6793 4.1: a 4-octet ASN travels in the capability. */
	if (cfg->local_as > 0xffff)
		o.caps.as4 = true;
	if (o.caps.as4)
		o.caps.as4_asn = cfg->local_as;
	wbuf_init(&w, buf, sizeof(buf));
	if (bgp_open_encode(&w, &o) < 0 || w.err) {
		log_err("bgp %s: cannot encode OPEN", c->s->name);
		return;
	}
	conn_send(c, buf, w.len);
}

static void conn_send_keepalive(struct bgp_conn *c)
{
	uint8_t buf[BGP_HDR_LEN];
	struct wbuf w;

	wbuf_init(&w, buf, sizeof(buf));
	if (bgp_keepalive_encode(&w) == 0 && !w.err)
		conn_send(c, buf, w.len);
}

static void conn_send_notify(struct bgp_conn *c, const struct bgp_fsm_action *a)
{
	struct bgp_notify n = {.code = a->code, .subcode = a->subcode};
	uint8_t buf[BGP_HDR_LEN + 2 + BGP_NOTIFY_DATA_MAX];
	char detail[sizeof(c->s->last_error)] = "", text[130];
	struct wbuf w;

	if (a->from_input)
		n = c->in_notify;
	wbuf_init(&w, buf, sizeof(buf));
	if (bgp_notify_encode(&w, &n) < 0 || w.err)
		return;
	/* Keep the detail the event recorded ("peer AS 65009, expected 65002"), or the
	 * shutdown communication of a Cease (RFC 9003). */
	if (c->s->error_fresh) {
		memcpy(detail, c->s->last_error, sizeof(detail));
	} else if (n.code == BGP_ERR_CEASE &&
	           bgp_notify_shutdown_text(&n, text, sizeof(text)) != NULL) {
		snprintf(detail, sizeof(detail), "\"%s\"", text);
	}
	bgp_session_error(c->s, "sent NOTIFICATION %u/%u (%s)%s%s", n.code, n.subcode,
	                  bgp_session_notify_name(n.code, n.subcode), detail[0] ? ": " : "",
	                  detail);
	log_notice("bgp %s: %s", c->s->name, c->s->last_error);
	c->notified = true;
	conn_send(c, buf, w.len);
}

static void conn_io(struct rh_evloop *loop, struct rh_io *io, unsigned events, void *arg);

static int conn_attach(struct bgp_conn *c, int fd, bool outgoing, bool connecting)
{
	int rc;

	if (c->rx == NULL) {
		c->rx = malloc(BGP_RX_CAP);
		if (c->rx == NULL)
			return -ENOMEM;
	}
	rc = rh_io_add(c->s->loop, &c->io, fd, connecting ? RH_EV_WRITE : RH_EV_READ);
	if (rc < 0)
		return rc;
	c->fd = fd;
	c->outgoing = outgoing;
	c->connecting = connecting;
	c->rx_len = 0;
	c->max_msg = BGP_MAX_MSG;
	c->notified = false;
	c->racing = false;
	return 0;
}

static void conn_connect(struct bgp_conn *c)
{
	struct bgp_session *s = c->s;
	int fd, rc;

	conn_close(c);
	fd = bgp_sock_connect(&s->cfg);
	if (fd >= 0) {
		rc = conn_attach(c, fd, true, true);
		if (rc == 0)
			return;
		close(fd);
		fd = rc;
	}
	bgp_session_error(s, "connect: %s", strerror(-fd));
	log_info("bgp %s: connect: %s", s->name, strerror(-fd));
	bgp_conn_event(c, BGP_EV_TCP_CONNECTION_FAILS, NULL);
}

/* Session-level consequences of actions */

struct bgp_conn *bgp_conn_other(struct bgp_conn *c)
{
	return c->s->conn[0] == c ? c->s->conn[1] : c->s->conn[0];
}

static void conn_release(struct bgp_conn *c)
{
	struct bgp_session *s = c->s;

	rh_timer_stop(s->loop, &c->timer[BGP_TIMER_HOLD]);
	rh_timer_stop(s->loop, &c->timer[BGP_TIMER_KEEPALIVE]);
	if (s->est != c)
		return;
	s->est = NULL;
	s->rib_blocked = false;
	s->stats.dropped++;
	s->down_notified = c->notified;
	log_notice("bgp %s: session down: %s", s->name, s->last_error);
	if (s->ops.down != NULL)
		s->ops.down(s, s->last_error, s->arg);
}

static void conn_established(struct bgp_conn *c)
{
	struct bgp_session *s = c->s;
	struct bgp_conn *o = bgp_conn_other(c);

	s->est = c;
	s->failures = 0;
	s->stats.established++;
	s->last_error[0] = '\0';
	/* RFC 8654 3: larger messages once both sides announced the capability. */
	if (s->cfg.caps.ext_msg && c->peer.caps.ext_msg)
		c->max_msg = BGP_MAX_MSG_EXT;
	log_notice("bgp %s: session established, hold time %u", s->name, c->fsm.hold_time);
	o->racing = o->fd >= 0;
	/* RFC 4271 6.8: a second connection loses against an Established one. */
	if (o->fsm.state >= BGP_ST_OPENSENT)
		bgp_conn_event(o, BGP_EV_OPEN_COLLISION_DUMP, NULL);
	if (s->ops.established != NULL)
		s->ops.established(s, &c->peer, s->arg);
}

static void conn_apply(struct bgp_conn *c, const struct bgp_fsm_out *out)
{
	struct bgp_session *s = c->s;

	for (unsigned i = 0; i < out->n; i++) {
		const struct bgp_fsm_action *a = &out->act[i];

		switch (a->type) {
		case BGP_ACT_TCP_CONNECT:
			conn_connect(c);
			break;
		case BGP_ACT_TCP_LISTEN:
			c->listening = true;
			break;
		case BGP_ACT_TCP_DROP:
			conn_close(c);
			break;
		case BGP_ACT_SEND_OPEN:
			conn_send_open(c);
			break;
		case BGP_ACT_SEND_KEEPALIVE:
			conn_send_keepalive(c);
			break;
		case BGP_ACT_SEND_NOTIFY:
			conn_send_notify(c, a);
			break;
		case BGP_ACT_TIMER_START:
			rh_timer_start(s->loop, &c->timer[a->timer], (uint64_t)a->value * 1000);
			break;
		case BGP_ACT_TIMER_STOP:
			rh_timer_stop(s->loop, &c->timer[a->timer]);
			break;
		case BGP_ACT_RELEASE:
			conn_release(c);
			break;
		case BGP_ACT_ESTABLISHED:
			conn_established(c);
			break;
		case BGP_ACT_DELIVER_UPDATE:
			if (s->ops.update != NULL)
				s->ops.update(s, c->body, c->body_len, s->arg);
			break;
		case BGP_ACT_DELIVER_REFRESH:
			if (s->ops.route_refresh != NULL)
				s->ops.route_refresh(s, c->rr_afi, c->rr_subtype, c->rr_safi,
				                     s->arg);
			break;
		default:
			/* The ConnectRetryCounter lives in the FSM: nothing to do here. */
			break;
		}
	}
}

/* After a connection fell to Idle: promote the other one, or plan a restart. */
static void conn_idle(struct bgp_conn *c)
{
	struct bgp_session *s = c->s;
	struct bgp_conn *o = bgp_conn_other(c);
	uint64_t delay;

	c->listening = false;
	for (int t = 0; t < BGP_TIMER_COUNT; t++)
		rh_timer_stop(s->loop, &c->timer[t]);
	if (c != s->conn[0])
		return;
	if (o->fsm.state != BGP_ST_IDLE) {
		s->conn[0] = o;
		s->conn[1] = c;
		return;
	}
	if (!s->admin_up)
		return;
	/* AllowAutomaticStart (RFC 4271 8.1.1): again after an idle hold time that doubles
	 * with each consecutive failure, so that a broken peer is not hammered. */
	delay = s->cfg.idle_hold_time;
	for (unsigned i = 0; i < s->failures && delay < BGP_IDLE_HOLD_MAX; i++)
		delay *= 2;
	if (delay > BGP_IDLE_HOLD_MAX)
		delay = BGP_IDLE_HOLD_MAX;
	s->failures++;
	rh_timer_start(s->loop, &s->idle_hold, delay * 1000);
}

static void conn_run(struct bgp_conn *c, const struct queued_event *qe)
{
	struct bgp_fsm_out out;

	if (qe->has_notify)
		c->in_notify = qe->n;
	else
		memset(&c->in_notify, 0, sizeof(c->in_notify));
	if (bgp_fsm_event(&c->fsm, &qe->in, &out) < 0)
		return;
	if (out.prev != out.next)
		log_info("bgp %s: %s -> %s (%s)", c->s->name, bgp_fsm_state_name(out.prev),
		         bgp_fsm_state_name(out.next), bgp_fsm_event_name(qe->in.event));
	conn_apply(c, &out);
	if (out.next == BGP_ST_IDLE && out.prev != BGP_ST_IDLE)
		conn_idle(c);
}

void bgp_conn_event_in(struct bgp_conn *c, const struct bgp_fsm_input *in,
                       const struct bgp_notify *n)
{
	struct queued_event *qe;

	if (c->q_len == BGP_EVQ_LEN) {
		/* Only a loop of events could fill it: a bug, but not worth a crash. */
		log_err("bgp %s: event queue full, %s dropped", c->s->name,
		        bgp_fsm_event_name(in->event));
		return;
	}
	qe = &c->q[(c->q_head + c->q_len++) % BGP_EVQ_LEN];
	qe->in = *in;
	qe->has_notify = n != NULL;
	if (n != NULL)
		qe->n = *n;
	if (c->busy)
		return;
	c->busy = true;
	while (c->q_len > 0) {
		struct queued_event e = c->q[c->q_head];

		c->q_head = (c->q_head + 1) % BGP_EVQ_LEN;
		c->q_len--;
		conn_run(c, &e);
	}
	c->busy = false;
	c->s->error_fresh = false;
}

void bgp_conn_event(struct bgp_conn *c, enum bgp_fsm_event ev, const struct bgp_notify *n)
{
	struct bgp_fsm_input in = {.event = ev};

	if (n != NULL) {
		in.code = n->code;
		in.subcode = n->subcode;
	}
	bgp_conn_event_in(c, &in, n);
}

static void conn_connected(struct bgp_conn *c)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err == EINPROGRESS)
		return;
	if (err != 0) {
		bgp_session_error(c->s, "connect: %s", strerror(err));
		log_info("bgp %s: connect: %s", c->s->name, strerror(err));
		bgp_conn_event(c, BGP_EV_TCP_CONNECTION_FAILS, NULL);
		return;
	}
	c->connecting = false;
	conn_update_interest(c);
	bgp_conn_event(c, BGP_EV_TCP_CR_ACKED, NULL);
}

static void conn_io(struct rh_evloop *loop, struct rh_io *io, unsigned events, void *arg)
{
	struct bgp_conn *c = arg;
	uint32_t gen = c->gen;

	(void)loop;
	(void)io;
	if (c->connecting) {
		conn_connected(c);
		return;
	}
	if (events & (RH_EV_READ | RH_EV_ERROR))
		bgp_conn_read(c);
	if (c->fd >= 0 && c->gen == gen && (events & RH_EV_WRITE))
		conn_flush(c);
}

static void conn_timer(struct rh_evloop *loop, struct rh_timer *t, void *arg)
{
	static const enum bgp_fsm_event ev[BGP_TIMER_COUNT] = {
	        [BGP_TIMER_CONNECT_RETRY] = BGP_EV_CONNECT_RETRY_EXPIRES,
	        [BGP_TIMER_HOLD] = BGP_EV_HOLD_EXPIRES,
	        [BGP_TIMER_KEEPALIVE] = BGP_EV_KEEPALIVE_EXPIRES,
	};
	struct bgp_conn *c = arg;
	size_t i = (size_t)(t - c->timer);

	(void)loop;
	if (i < BGP_TIMER_COUNT)
		bgp_conn_event(c, ev[i], NULL);
}

/* The session */

static struct bgp_conn *conn_new(struct bgp_session *s)
{
	struct bgp_conn *c = calloc(1, sizeof(*c));
	struct bgp_fsm_cfg fc = {
	        .hold_time = s->cfg.hold_time,
	        .connect_retry_time = s->cfg.connect_retry_time,
	        .passive = s->cfg.passive,
	};

	if (c == NULL)
		return NULL;
	c->s = s;
	c->fd = -1;
	c->max_msg = BGP_MAX_MSG;
	bgp_fsm_init(&c->fsm, &fc);
	rh_io_init(&c->io, conn_io, c);
	for (int t = 0; t < BGP_TIMER_COUNT; t++)
		rh_timer_init(&c->timer[t], conn_timer, c);
	return c;
}

static void conn_free(struct bgp_conn *c)
{
	if (c == NULL)
		return;
	if (c->fd >= 0) {
		rh_io_del(c->s->loop, &c->io);
		close(c->fd);
	}
	for (int t = 0; t < BGP_TIMER_COUNT; t++)
		rh_timer_stop(c->s->loop, &c->timer[t]);
	free(c->rx);
	free(c->out.buf);
	free(c);
}

static enum bgp_fsm_event start_event(const struct bgp_session *s, bool manual)
{
	if (s->cfg.passive)
		return manual ? BGP_EV_MANUAL_START_PASSIVE : BGP_EV_AUTOMATIC_START_PASSIVE;
	return manual ? BGP_EV_MANUAL_START : BGP_EV_AUTOMATIC_START;
}

static void idle_hold_expired(struct rh_evloop *loop, struct rh_timer *t, void *arg)
{
	struct bgp_session *s = arg;

	(void)loop;
	(void)t;
	if (s->admin_up && s->conn[0]->fsm.state == BGP_ST_IDLE)
		bgp_conn_event(s->conn[0], start_event(s, false), NULL);
}

static int cfg_check(const struct bgp_session_cfg *cfg)
{
	if (cfg->local.family == 0 || cfg->local.family != cfg->remote.family)
		return -EINVAL;
	if (cfg->local_as == 0 || cfg->remote_as == 0 || cfg->router_id == 0)
		return -EINVAL;
	if (cfg->hold_time == 1 || cfg->hold_time == 2)
		return -EINVAL;
	if (strnlen(cfg->password, sizeof(cfg->password)) == sizeof(cfg->password))
		return -EINVAL;
	return 0;
}

struct bgp_session *bgp_session_new(struct rh_evloop *loop, const struct bgp_session_cfg *cfg,
                                    const struct bgp_session_ops *ops, void *arg)
{
	struct bgp_session *s;
	char a[RH_ADDR_STRLEN];

	if (cfg_check(cfg) < 0) {
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->loop = loop;
	s->cfg = *cfg;
	if (s->cfg.idle_hold_time == 0)
		s->cfg.idle_hold_time = BGP_IDLE_HOLD_DEFAULT;
	if (s->cfg.outq_high == 0)
		s->cfg.outq_high = BGP_OUTQ_DEFAULT_HIGH;
	if (ops != NULL)
		s->ops = *ops;
	s->arg = arg;
	snprintf(s->name, sizeof(s->name), "%s",
	         cfg->name[0] != '\0' ? cfg->name : rh_addr_fmt(&cfg->remote, a, sizeof(a)));
	rh_timer_init(&s->idle_hold, idle_hold_expired, s);
	s->conn[0] = conn_new(s);
	s->conn[1] = conn_new(s);
	if (s->conn[0] == NULL || s->conn[1] == NULL) {
		conn_free(s->conn[0]);
		conn_free(s->conn[1]);
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	return s;
}

void bgp_session_free(struct bgp_session *s)
{
	if (s == NULL)
		return;
	if (s->listener != NULL)
		bgp_listener_detach(s->listener, s);
	rh_timer_stop(s->loop, &s->idle_hold);
	conn_free(s->conn[0]);
	conn_free(s->conn[1]);
	free(s);
}

int bgp_session_start(struct bgp_session *s)
{
	s->admin_up = true;
	s->failures = 0;
	rh_timer_stop(s->loop, &s->idle_hold);
	if (s->conn[0]->fsm.state == BGP_ST_IDLE)
		bgp_conn_event(s->conn[0], start_event(s, true), NULL);
	return 0;
}

/* Stops both connections with n; the session stays down. */
static void session_stop(struct bgp_session *s, enum bgp_fsm_event ev, const struct bgp_notify *n)
{
	s->admin_up = false;
	rh_timer_stop(s->loop, &s->idle_hold);
	for (int i = 1; i >= 0; i--)
		if (s->conn[i]->fsm.state != BGP_ST_IDLE)
			bgp_conn_event(s->conn[i], ev, n);
	s->error_fresh = false;
}

int bgp_session_stop(struct bgp_session *s, const char *text)
{
	struct bgp_notify n;

	/* RFC 8203/9003: the operator's reason travels with the Cease. */
	bgp_notify_shutdown(&n, BGP_CEASE_ADMIN_SHUTDOWN, text ? text : "");
	session_stop(s, BGP_EV_MANUAL_STOP, &n);
	return 0;
}

int bgp_session_reset(struct bgp_session *s, const char *text)
{
	struct bgp_notify n;

	bgp_notify_shutdown(&n, BGP_CEASE_ADMIN_RESET, text ? text : "");
	session_stop(s, BGP_EV_MANUAL_STOP, &n);
	return bgp_session_start(s);
}

int bgp_session_cease(struct bgp_session *s, uint8_t subcode)
{
	struct bgp_notify n = {.code = BGP_ERR_CEASE, .subcode = subcode};

	/* RFC 4486 3: Peer De-configured and Other Configuration Change carry no data. */
	session_stop(s, BGP_EV_MANUAL_STOP, &n);
	return 0;
}

void bgp_session_set_arg(struct bgp_session *s, void *arg)
{
	s->arg = arg;
}

int bgp_session_max_prefix(struct bgp_session *s, uint16_t afi, uint8_t safi, uint32_t limit)
{
	struct bgp_notify n = {.code = BGP_ERR_CEASE, .subcode = BGP_CEASE_MAX_PREFIX};

	if (s->est == NULL)
		return -ENOTCONN;
	/* RFC 4486 4: AFI (2 octets), SAFI (1), the prefix upper bound (4). */
	n.data_len = 7;
	n.data[0] = (uint8_t)(afi >> 8);
	n.data[1] = (uint8_t)afi;
	n.data[2] = safi;
	n.data[3] = (uint8_t)(limit >> 24);
	n.data[4] = (uint8_t)(limit >> 16);
	n.data[5] = (uint8_t)(limit >> 8);
	n.data[6] = (uint8_t)limit;
	bgp_session_error(s, "maximum number of prefixes reached (%u)", limit);
	log_notice("bgp %s: %s", s->name, s->last_error);
	session_stop(s, BGP_EV_AUTOMATIC_STOP, &n);
	return 0;
}

int bgp_session_update_error(struct bgp_session *s, const struct bgp_notify *n)
{
	if (s->est == NULL)
		return -ENOTCONN;
	bgp_session_error(s, "malformed UPDATE: %u/%u", n->code, n->subcode);
	bgp_conn_event(s->est, BGP_EV_UPDATE_MSG_ERR, n);
	return 0;
}

int bgp_session_send(struct bgp_session *s, const uint8_t *msg, size_t len)
{
	struct bgp_conn *c = s->est;
	int rc;

	if (c == NULL || c->fd < 0)
		return -ENOTCONN;
	if (len < BGP_HDR_LEN || len > c->max_msg)
		return -EMSGSIZE;
	if (c->out.len + len > 4 * s->cfg.outq_high)
		return -ENOBUFS;
	rc = conn_send(c, msg, len);
	if (rc < 0)
		return rc;
	if (c->out.len > s->cfg.outq_high)
		s->rib_blocked = true;
	/* RFC 4271 8.2.2 Established: sending an UPDATE restarts the KeepaliveTimer. */
	if (c->fsm.keepalive_time != 0 && s->est == c)
		rh_timer_start(s->loop, &c->timer[BGP_TIMER_KEEPALIVE],
		               (uint64_t)c->fsm.keepalive_time * 1000);
	return 0;
}

bool bgp_session_can_send(const struct bgp_session *s)
{
	return s->est != NULL && !s->rib_blocked;
}

enum bgp_fsm_state bgp_session_state(const struct bgp_session *s)
{
	/* The more advanced of the two connections tells where the session is. */
	return s->conn[0]->fsm.state >= s->conn[1]->fsm.state ? s->conn[0]->fsm.state
	                                                      : s->conn[1]->fsm.state;
}

const struct bgp_session_stats *bgp_session_stats(const struct bgp_session *s)
{
	return &s->stats;
}

const struct bgp_session_cfg *bgp_session_cfg(const struct bgp_session *s)
{
	return &s->cfg;
}

const struct bgp_open *bgp_session_peer_open(const struct bgp_session *s)
{
	return s->est != NULL ? &s->est->peer : NULL;
}

uint16_t bgp_session_hold_time(const struct bgp_session *s)
{
	return s->est != NULL ? s->est->fsm.hold_time : 0;
}

const char *bgp_session_last_error(const struct bgp_session *s)
{
	return s->last_error;
}

bool bgp_session_down_notified(const struct bgp_session *s)
{
	return s->down_notified;
}

/* From the listener */

bool bgp_session_accepting(const struct bgp_session *s)
{
	/* Also while waiting out the idle hold time: the peer's connection is as good as ours
	 * would be, and refusing it would only delay the session by its retry time. */
	return s->admin_up;
}

/*
 * RFC 5082 3: a GTSM peer's connection is refused when its SYN arrived with a TTL below
 * the radius. IP_MINTTL on the accepted socket filters only what arrives after accept():
 * a peer that sends its OPEN and KEEPALIVE at once would have both queued unchecked, so
 * the SYN (kept by the listener, TCP_SAVE_SYN) is checked too.
 */
static bool gtsm_refuses(struct bgp_session *s, int fd)
{
	int ttl, min;

	if (!s->cfg.gtsm)
		return false;
	ttl = bgp_sock_syn_ttl(fd);
	min = bgp_sock_min_ttl(&s->cfg);
	if (ttl < 0 || ttl >= min)
		return false; /* no saved SYN: IP_MINTTL alone, as before */
	s->stats.refused++;
	log_warn("bgp %s: GTSM: connection refused, its SYN arrived with TTL %d, below %d "
	         "(RFC 5082)",
	         s->name, ttl, min);
	return true;
}

void bgp_session_incoming(struct bgp_session *s, int fd)
{
	struct bgp_conn *c = s->conn[0];
	char a[RH_ADDR_STRLEN];

	if (gtsm_refuses(s, fd)) {
		close(fd);
		return;
	}
	if (c->fsm.state == BGP_ST_IDLE) {
		rh_timer_stop(s->loop, &s->idle_hold);
		bgp_conn_event(c, BGP_EV_AUTOMATIC_START_PASSIVE, NULL);
	}
	if (c->fsm.state == BGP_ST_CONNECT || c->fsm.state == BGP_ST_ACTIVE) {
		/* Our own attempt, if any, gives way to the established TCP connection. */
		conn_close(c);
	} else {
		c = s->conn[1];
		if (c->fsm.state != BGP_ST_IDLE) {
			s->stats.refused++;
			log_info("bgp %s: refused a third connection", s->name);
			close(fd);
			return;
		}
		bgp_conn_event(c, BGP_EV_MANUAL_START_PASSIVE, NULL);
	}
	/* GTSM on an accepted socket filters from now on (its SYN was checked above); the
	 * shared listener cannot filter per peer. */
	if (bgp_sock_ttl(fd, &s->cfg) < 0 || conn_attach(c, fd, false, false) < 0) {
		log_warn("bgp %s: cannot set up incoming connection from %s", s->name,
		         rh_addr_fmt(&s->cfg.remote, a, sizeof(a)));
		close(fd);
		bgp_conn_event(c, BGP_EV_TCP_CONNECTION_FAILS, NULL);
		return;
	}
	bgp_conn_event(c, BGP_EV_TCP_CONNECTION_CONFIRMED, NULL);
}

void bgp_session_listener_gone(struct bgp_session *s)
{
	s->listener = NULL;
}

void bgp_session_set_listener(struct bgp_session *s, struct bgp_listener *l)
{
	s->listener = l;
}
