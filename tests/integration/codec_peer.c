/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A throw-away BGP speaker built only from the message codec, to check the codec against
 * real implementations: connects to a peer, exchanges OPEN/KEEPALIVE, announces N IPv4
 * /30s from 198.19.0.0/16 and N IPv6 /64s from 2001:db8::/32 (packed by bgp_upd_*), sends
 * End-of-RIB for both families, keeps the session for a while decoding what the peer
 * sends, then closes with a Cease carrying a shutdown communication (RFC 9003).
 *
 * Usage: codec_peer PEER-IPV4 MY-ASN BGP-ID PREFIXES SECONDS
 * Prints "established", "sent N ipv4 in M messages", ..., "received ..." lines.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "msg.h"

static uint8_t rxbuf[BGP_MAX_MSG_EXT];
static size_t rxlen;

static int send_all(int fd, const uint8_t *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads one whole message into rxbuf within timeout_ms; 1, 0 on timeout, -1 on error. */
static int recv_msg(int fd, int timeout_ms, uint16_t *len, uint8_t *type)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	struct bgp_notify n;
	ssize_t got;
	int rc;

	for (;;) {
		if (rxlen >= BGP_HDR_LEN) {
			if (bgp_hdr_decode(rxbuf, rxlen, len, type, BGP_MAX_MSG, &n) < 0) {
				fprintf(stderr, "bad header %u/%u\n", n.code, n.subcode);
				return -1;
			}
			if (rxlen >= *len)
				return 1;
		}
		rc = poll(&pfd, 1, timeout_ms);
		if (rc <= 0)
			return rc;
		got = recv(fd, rxbuf + rxlen, sizeof(rxbuf) - rxlen, 0);
		if (got <= 0)
			return -1;
		rxlen += (size_t)got;
	}
}

static void consume(uint16_t len)
{
	memmove(rxbuf, rxbuf + len, rxlen - len);
	rxlen -= len;
}

static struct bgp_attrs *make_attrs(uint32_t asn, const struct rh_addr *nh)
{
	struct bgp_attrs *a = bgp_attrs_new();

	if (!a)
		return NULL;
	a->aspath = malloc(6);
	a->comm = malloc(2 * sizeof(*a->comm));
	a->lcomm = malloc(sizeof(*a->lcomm));
	if (!a->aspath || !a->comm || !a->lcomm) {
		bgp_attrs_free(a);
		return NULL;
	}
	a->origin = BGP_ORIGIN_IGP;
	a->aspath[0] = BGP_AS_SEQUENCE;
	a->aspath[1] = 1;
	a->aspath[2] = (uint8_t)(asn >> 24);
	a->aspath[3] = (uint8_t)(asn >> 16);
	a->aspath[4] = (uint8_t)(asn >> 8);
	a->aspath[5] = (uint8_t)asn;
	a->aspath_len = 6;
	a->flags = BGP_ATTRS_NEXT_HOP | BGP_ATTRS_MED;
	a->next_hop = *nh;
	a->med = 77;
	a->comm[0] = 0xfde90001; /* 65001:1 */
	a->comm[1] = BGP_COMM_NO_EXPORT;
	a->n_comm = 2;
	a->lcomm[0][0] = asn;
	a->lcomm[0][1] = 2;
	a->lcomm[0][2] = 3;
	a->n_lcomm = 1;
	return a;
}

static void nth_prefix(enum bgp_aid aid, unsigned i, struct rh_prefix *p)
{
	memset(p, 0, sizeof(*p));
	if (aid == BGP_AID_IPV4) {
		p->family = RH_AF_INET;
		p->len = 30;
		p->bytes[0] = 198;
		p->bytes[1] = 19;
		p->bytes[2] = (uint8_t)(i >> 6);
		p->bytes[3] = (uint8_t)((i & 63) << 2);
	} else {
		p->family = RH_AF_INET6;
		p->len = 64;
		p->bytes[0] = 0x20;
		p->bytes[1] = 0x01;
		p->bytes[2] = 0x0d;
		p->bytes[3] = 0xb8;
		p->bytes[6] = (uint8_t)(i >> 8);
		p->bytes[7] = (uint8_t)i;
	}
}

/* Announces n prefixes of a family, as many per message as fit; returns messages or -1. */
static int announce(int fd, enum bgp_aid aid, unsigned n, const struct bgp_attrs *a,
                    const struct bgp_codec_opts *o)
{
	static uint8_t buf[BGP_MAX_MSG];
	struct bgp_upd_writer uw;
	struct rh_prefix p;
	unsigned i = 0;
	int msgs = 0;
	size_t len;

	while (i < n) {
		if (bgp_upd_begin(&uw, buf, sizeof(buf), aid, false, a, o) < 0)
			return -1;
		for (; i < n; i++) {
			nth_prefix(aid, i, &p);
			if (bgp_upd_add(&uw, &p, 0) < 0)
				break;
		}
		len = bgp_upd_finish(&uw);
		if (len == 0 || send_all(fd, buf, len) < 0)
			return -1;
		msgs++;
	}
	return msgs;
}

static int open_session(int fd, uint32_t asn, uint32_t id, struct bgp_codec_opts *o)
{
	struct bgp_open op = {.hold_time = 90, .bgp_id = id}, peer;
	uint8_t buf[BGP_MAX_MSG];
	struct bgp_notify n;
	struct wbuf w;
	uint16_t len;
	uint8_t type;

	op.caps.mp[BGP_AID_IPV4] = op.caps.mp[BGP_AID_IPV6] = true;
	op.caps.as4 = true;
	op.caps.as4_asn = asn;
	op.caps.route_refresh = true;
	wbuf_init(&w, buf, sizeof(buf));
	if (bgp_open_encode(&w, &op) < 0 || bgp_keepalive_encode(&w) < 0 ||
	    send_all(fd, buf, w.len) < 0)
		return -1;
	if (recv_msg(fd, 10000, &len, &type) != 1 || type != BGP_OPEN)
		return -1;
	if (bgp_open_decode(rxbuf + BGP_HDR_LEN, len - BGP_HDR_LEN, &peer, &n) < 0) {
		fprintf(stderr, "peer OPEN rejected: %u/%u\n", n.code, n.subcode);
		return -1;
	}
	consume(len);
	printf("peer as %u hold %u as4 %d mp4 %d mp6 %d\n", bgp_open_peer_as(&peer), peer.hold_time,
	       peer.caps.as4, peer.caps.mp[0], peer.caps.mp[1]);
	o->as4 = peer.caps.as4;
	o->ebgp = true;
	o->max_msg = BGP_MAX_MSG;
	/* Established once the peer's KEEPALIVE arrives. */
	if (recv_msg(fd, 10000, &len, &type) != 1 || type != BGP_KEEPALIVE)
		return -1;
	consume(len);
	printf("established\n");
	return 0;
}

/* Decodes what the peer sends until `seconds` pass; keeps the session up. */
static int listen_for(int fd, int seconds, const struct bgp_codec_opts *o)
{
	time_t end = time(NULL) + seconds, last_ka = time(NULL);
	unsigned updates = 0, bad = 0;
	uint8_t ka[BGP_HDR_LEN];
	struct bgp_update u;
	struct bgp_notify n;
	struct wbuf w;
	uint16_t len;
	uint8_t type;
	int rc;

	while (time(NULL) < end) {
		if (time(NULL) - last_ka >= 20) {
			wbuf_init(&w, ka, sizeof(ka));
			if (bgp_keepalive_encode(&w) < 0 || send_all(fd, ka, w.len) < 0)
				return -1;
			last_ka = time(NULL);
		}
		rc = recv_msg(fd, 1000, &len, &type);
		if (rc < 0)
			return -1;
		if (rc == 0)
			continue;
		if (type == BGP_UPDATE) {
			updates++;
			if (bgp_update_decode(rxbuf + BGP_HDR_LEN, len - BGP_HDR_LEN, o, &u) < 0 ||
			    u.action != BGP_UPD_OK)
				bad++;
			bgp_attrs_free(u.attrs);
		} else if (type == BGP_NOTIFICATION) {
			bgp_notify_decode(rxbuf + BGP_HDR_LEN, len - BGP_HDR_LEN, &n);
			fprintf(stderr, "peer sent NOTIFICATION %u/%u\n", n.code, n.subcode);
			return -1;
		}
		consume(len);
	}
	printf("received %u updates, %u not clean\n", updates, bad);
	return bad ? -1 : 0;
}

static int run(int fd, uint32_t asn, uint32_t id, unsigned n, int seconds)
{
	struct bgp_codec_opts o = {0};
	struct sockaddr_in local;
	socklen_t sl = sizeof(local);
	struct bgp_attrs *a4, *a6;
	struct rh_addr nh4 = {.family = RH_AF_INET}, nh6;
	uint8_t buf[64];
	struct bgp_notify cease;
	struct wbuf w;
	int m4, m6, rc = -1;

	if (open_session(fd, asn, id, &o) < 0)
		return -1;
	getsockname(fd, (struct sockaddr *)&local, &sl);
	memcpy(nh4.bytes, &local.sin_addr, 4);
	rh_addr_parse("2001:db8::1", &nh6);
	a4 = make_attrs(asn, &nh4);
	a6 = make_attrs(asn, &nh6);
	if (!a4 || !a6)
		goto out;
	m4 = announce(fd, BGP_AID_IPV4, n, a4, &o);
	m6 = announce(fd, BGP_AID_IPV6, n, a6, &o);
	wbuf_init(&w, buf, sizeof(buf));
	if (m4 < 0 || m6 < 0 || bgp_eor_encode(&w, BGP_AID_IPV4) < 0 ||
	    bgp_eor_encode(&w, BGP_AID_IPV6) < 0 || send_all(fd, buf, w.len) < 0)
		goto out;
	printf("sent %u ipv4 in %d messages, %u ipv6 in %d messages, end-of-rib\n", n, m4, n, m6);
	fflush(stdout);
	if (listen_for(fd, seconds, &o) < 0)
		goto out;
	bgp_notify_shutdown(&cease, BGP_CEASE_ADMIN_SHUTDOWN, "routehub codec test done");
	wbuf_init(&w, buf, sizeof(buf));
	if (bgp_notify_encode(&w, &cease) == 0 && send_all(fd, buf, w.len) == 0)
		rc = 0;
out:
	bgp_attrs_free(a4);
	bgp_attrs_free(a6);
	return rc;
}

int main(int argc, char **argv)
{
	struct sockaddr_in peer = {.sin_family = AF_INET, .sin_port = htons(BGP_PORT)};
	struct in_addr id;
	int fd, rc;

	if (argc != 6 || inet_pton(AF_INET, argv[1], &peer.sin_addr) != 1 ||
	    inet_pton(AF_INET, argv[3], &id) != 1) {
		fprintf(stderr, "usage: codec_peer PEER-IPV4 MY-ASN BGP-ID PREFIXES SECONDS\n");
		return 2;
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&peer, sizeof(peer)) < 0) {
		perror("connect");
		return 1;
	}
	rc = run(fd, (uint32_t)strtoul(argv[2], NULL, 10), id.s_addr,
	         (unsigned)strtoul(argv[4], NULL, 10), atoi(argv[5]));
	close(fd);
	printf("%s\n", rc == 0 ? "done" : "failed");
	return rc == 0 ? 0 : 1;
}
