/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The receive path of a session's connection: framing by the BGP header (RFC 4271 4.1),
 * the checks of a received OPEN that need the configuration, collision resolution (6.8),
 * and the event each message means to the FSM.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "session_int.h"

#define BGP_READS_PER_ROUND 16

/* Received messages */

/*
 * RFC 4271 6.8: an OPEN on c while the other connection is past Active. Returns true
 * when c lost (and was dumped).
 */
static bool conn_collision(struct bgp_conn *c)
{
	struct bgp_session *s = c->s;
	struct bgp_conn *o = bgp_conn_other(c), *loser;
	uint32_t peer_as;

	if (o->fsm.state < BGP_ST_OPENSENT)
		return false;
	if (o->fsm.state == BGP_ST_ESTABLISHED && c->peer.caps.gr && !c->racing) {
		/* RFC 4724 4.2: a peer that announces Graceful Restart and opens a new session
		 * while ours is Established has restarted before we saw its old connection go
		 * (its host rebooted: no FIN, no RST). The old connection is dead: close it as a
		 * lost TCP connection, without a NOTIFICATION, so that its routes are kept
		 * stale, and go on with the new one. A connection that was already open when the
		 * other reached Established is a collision of the start (RFC 4271 6.8). */
		bgp_session_error(s, "the peer restarted: new connection announcing graceful "
		                     "restart while Established");
		log_notice("bgp %s: %s", s->name, s->last_error);
		bgp_conn_event(o, BGP_EV_TCP_CONNECTION_FAILS, NULL);
		return false;
	}
	if (o->fsm.state == BGP_ST_ESTABLISHED) {
		loser = c;
	} else if (c->outgoing == o->outgoing) {
		/* Two connections opened the same way: the peer gave up the older one. */
		loser = s->conn[0];
	} else {
		peer_as = c->peer.caps.as4 ? c->peer.caps.as4_asn : c->peer.my_as;
		enum bgp_collision_keep keep = bgp_fsm_collision(
		        ntohl(s->cfg.router_id), s->cfg.local_as, ntohl(c->peer.bgp_id), peer_as);
		bool keep_c = (keep == BGP_KEEP_OUTGOING) == c->outgoing;

		loser = keep_c ? o : c;
	}
	log_notice("bgp %s: connection collision, closing the %s connection", s->name,
	           loser->outgoing ? "outgoing" : "incoming");
	bgp_conn_event(loser, BGP_EV_OPEN_COLLISION_DUMP, NULL);
	return loser == c;
}

/* RFC 4271 6.2 checks that need the configuration; the codec did the others. */
static int open_check(struct bgp_conn *c, struct bgp_notify *n)
{
	const struct bgp_session_cfg *cfg = &c->s->cfg;
	uint32_t peer_as = c->peer.caps.as4 ? c->peer.caps.as4_asn : c->peer.my_as;

	memset(n, 0, sizeof(*n));
	n->code = BGP_ERR_OPEN;
	if (peer_as != cfg->remote_as) {
		bgp_session_error(c->s, "peer AS %u, expected %u", peer_as, cfg->remote_as);
		n->subcode = BGP_ERR_OPEN_AS;
		return -EBADMSG;
	}
	/* RFC 6286 2.2: within an AS the identifiers must differ. */
	if (peer_as == cfg->local_as && c->peer.bgp_id == cfg->router_id) {
		bgp_session_error(c->s, "peer uses our BGP Identifier");
		n->subcode = BGP_ERR_OPEN_BGPID;
		return -EBADMSG;
	}
	return 0;
}

static void recv_open(struct bgp_conn *c, const uint8_t *body, size_t len)
{
	struct bgp_fsm_input in = {.event = BGP_EV_OPEN};
	struct bgp_notify n;

	/* Outside OpenSent an OPEN is unexpected whatever it holds (RFC 6608). */
	if (c->fsm.state == BGP_ST_OPENSENT) {
		if (bgp_open_decode(body, len, &c->peer, &n) < 0) {
			bgp_session_error(c->s, "bad OPEN: %u/%u", n.code, n.subcode);
			bgp_conn_event(c, BGP_EV_OPEN_MSG_ERR, &n);
			return;
		}
		if (open_check(c, &n) < 0) {
			bgp_conn_event(c, BGP_EV_OPEN_MSG_ERR, &n);
			return;
		}
		c->have_peer = true;
		if (conn_collision(c))
			return;
		in.peer_hold_time = c->peer.hold_time;
	}
	bgp_conn_event_in(c, &in, NULL);
}

static void recv_notify(struct bgp_conn *c, const uint8_t *body, size_t len)
{
	struct bgp_notify n;
	char text[256];
	const char *t = NULL;

	if (bgp_notify_decode(body, len, &n) < 0)
		memset(&n, 0, sizeof(n));
	if (n.code == BGP_ERR_CEASE)
		t = bgp_notify_shutdown_text(&n, text, sizeof(text));
	bgp_session_error(c->s, "received NOTIFICATION %u/%u (%s)%s%s%s", n.code, n.subcode,
	                  bgp_session_notify_name(n.code, n.subcode), t ? " \"" : "", t ? t : "",
	                  t ? "\"" : "");
	log_notice("bgp %s: %s", c->s->name, c->s->last_error);
	c->notified = true;
	/* RFC 4271 8.1.3 event 24: the peer does not speak our version. */
	if (n.code == BGP_ERR_OPEN && n.subcode == BGP_ERR_OPEN_VERSION)
		bgp_conn_event(c, BGP_EV_NOTIF_MSG_VER_ERR, NULL);
	else
		bgp_conn_event(c, BGP_EV_NOTIF_MSG, NULL);
}

static void recv_message(struct bgp_conn *c, uint8_t type, const uint8_t *body, size_t len)
{
	struct bgp_notify n;

	c->s->stats.msgs_in[type <= BGP_ROUTE_REFRESH ? type : 0]++;
	switch (type) {
	case BGP_OPEN:
		recv_open(c, body, len);
		break;
	case BGP_UPDATE:
		c->body = body;
		c->body_len = len;
		bgp_conn_event(c, BGP_EV_UPDATE_MSG, NULL);
		c->body = NULL;
		break;
	case BGP_NOTIFICATION:
		recv_notify(c, body, len);
		break;
	case BGP_KEEPALIVE:
		bgp_conn_event(c, BGP_EV_KEEPALIVE_MSG, NULL);
		break;
	case BGP_ROUTE_REFRESH:
		if (bgp_rr_decode(body, len, &c->rr_afi, &c->rr_subtype, &c->rr_safi, &n) < 0)
			bgp_conn_event(c, BGP_EV_ROUTE_REFRESH_MSG_ERR, &n);
		else
			bgp_conn_event(c, BGP_EV_ROUTE_REFRESH_MSG, NULL);
		break;
	default:
		/* bgp_hdr_decode() refused unknown types already. */
		break;
	}
}

/* Frames complete messages out of the receive buffer (RFC 4271 4.1). */
static void conn_frame(struct bgp_conn *c)
{
	uint32_t gen = c->gen;
	size_t off = 0;

	while (c->rx_len - off >= BGP_HDR_LEN) {
		struct bgp_notify n;
		uint16_t mlen;
		uint8_t type;

		if (bgp_hdr_decode(c->rx + off, c->rx_len - off, &mlen, &type, c->max_msg, &n) <
		    0) {
			bgp_session_error(c->s, "bad message header: %u/%u", n.code, n.subcode);
			bgp_conn_event(c, BGP_EV_HEADER_ERR, &n);
			return;
		}
		if (c->rx_len - off < mlen)
			break;
		recv_message(c, type, c->rx + off + BGP_HDR_LEN, mlen - BGP_HDR_LEN);
		if (c->fd < 0 || c->gen != gen)
			return; /* the connection closed under the message */
		off += mlen;
	}
	if (off > 0) {
		memmove(c->rx, c->rx + off, c->rx_len - off);
		c->rx_len -= off;
	}
}

void bgp_conn_read(struct bgp_conn *c)
{
	uint32_t gen = c->gen;

	for (int i = 0; i < BGP_READS_PER_ROUND; i++) {
		ssize_t n = read(c->fd, c->rx + c->rx_len, BGP_RX_CAP - c->rx_len);

		if (n == 0) {
			bgp_session_error(c->s, "connection closed by peer");
			bgp_conn_event(c, BGP_EV_TCP_CONNECTION_FAILS, NULL);
			return;
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			bgp_session_error(c->s, "read: %s", strerror(errno));
			bgp_conn_event(c, BGP_EV_TCP_CONNECTION_FAILS, NULL);
			return;
		}
		c->s->stats.bytes_in += (uint64_t)n;
		c->rx_len += (size_t)n;
		conn_frame(c);
		if (c->fd < 0 || c->gen != gen)
			return;
	}
}
