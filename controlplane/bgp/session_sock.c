/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sockets of BGP sessions: the options (TCP MD5, TTL/GTSM), the connecting socket, and
 * the listener that hands incoming connections to the session of their source address.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "session_int.h"

#ifndef IPV6_MINHOPCOUNT
#define IPV6_MINHOPCOUNT 73
#endif
#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

#define BGP_TOS_CS6 0xc0 /* internetwork control (RFC 4594 3.2) */

int bgp_sock_md5(int fd, const struct rh_addr *peer, const char *key)
{
	struct tcp_md5sig md5;
	size_t len = strlen(key);

	if (len > TCP_MD5SIG_MAXKEYLEN)
		return -EINVAL;
	memset(&md5, 0, sizeof(md5));
	rh_addr_to_sockaddr(peer, 0, &md5.tcpm_addr);
	md5.tcpm_keylen = (uint16_t)len;
	memcpy(md5.tcpm_key, key, len);
	if (setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &md5, sizeof(md5)) < 0) {
		/* Removing a key that was never set is not an error. */
		if (len == 0 && errno == ENOENT)
			return 0;
		return -errno;
	}
	return 0;
}

int bgp_sock_min_ttl(const struct bgp_session_cfg *cfg)
{
	int hops = cfg->multihop ? cfg->multihop : 1;

	/* RFC 5082 3: accept only packets whose TTL shows they came from within the trust
	 * radius; the configured hop count is the radius (254 for a direct peer). */
	return hops >= 255 ? 1 : 255 - hops;
}

int bgp_sock_syn_ttl(int fd)
{
	/* TCP_SAVE_SYN on the listener (bgp_listener_new) kept the SYN's IP and TCP headers;
	 * reading them also frees them. */
	uint8_t syn[320];
	socklen_t len = sizeof(syn);

	if (getsockopt(fd, IPPROTO_TCP, TCP_SAVED_SYN, syn, &len) < 0)
		return -errno;
	if (len >= 20 && syn[0] >> 4 == 4)
		return syn[8]; /* IPv4 TTL */
	if (len >= 40 && syn[0] >> 4 == 6)
		return syn[7]; /* IPv6 hop limit */
	return -EPROTO;
}

int bgp_sock_ttl(int fd, const struct bgp_session_cfg *cfg)
{
	int hops = cfg->multihop ? cfg->multihop : 1;
	int ttl = cfg->gtsm ? 255 : hops;
	int minttl = bgp_sock_min_ttl(cfg);
	int tos = BGP_TOS_CS6;

	if (cfg->local.family == RH_AF_INET6) {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof(ttl)) < 0)
			return -errno;
		if (cfg->gtsm &&
		    setsockopt(fd, IPPROTO_IPV6, IPV6_MINHOPCOUNT, &minttl, sizeof(minttl)) < 0)
			return -errno;
		setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof(tos));
		return 0;
	}
	if (setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) < 0)
		return -errno;
	if (cfg->gtsm && setsockopt(fd, IPPROTO_IP, IP_MINTTL, &minttl, sizeof(minttl)) < 0)
		return -errno;
	/* Best effort: a TOS refused by the system does not stop BGP. */
	setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
	return 0;
}

int bgp_sock_connect(const struct bgp_session_cfg *cfg)
{
	struct sockaddr_storage local, remote;
	socklen_t llen, rlen;
	int af = cfg->remote.family == RH_AF_INET6 ? AF_INET6 : AF_INET;
	int one = 1, fd, rc;

	llen = rh_addr_to_sockaddr(&cfg->local, 0, &local);
	rlen = rh_addr_to_sockaddr(&cfg->remote, cfg->port ? cfg->port : BGP_PORT, &remote);
	if (llen == 0 || rlen == 0)
		return -EAFNOSUPPORT;
	fd = socket(af, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (fd < 0)
		return -errno;
	/* The key must be on the socket before the SYN: every segment is signed. */
	if (cfg->password[0] != '\0') {
		rc = bgp_sock_md5(fd, &cfg->remote, cfg->password);
		if (rc < 0)
			goto fail;
	}
	rc = bgp_sock_ttl(fd, cfg);
	if (rc < 0)
		goto fail;
	/* The source is the instance address (the peer is configured with it). */
	setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&local, llen) < 0) {
		rc = -errno;
		goto fail;
	}
	if (connect(fd, (struct sockaddr *)&remote, rlen) < 0 && errno != EINPROGRESS) {
		rc = -errno;
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return rc;
}

/* The listener */

struct bgp_listener {
	struct rh_evloop *loop;
	struct rh_addr local;
	uint16_t port;
	int fd;
	struct rh_io io;
	struct bgp_session **sessions;
	size_t n_sessions, cap;
};

static unsigned long addr_key(const struct rh_addr *a)
{
	unsigned long h = 5381;

	for (size_t i = 0; i < sizeof(a->bytes); i++)
		h = h * 33 + a->bytes[i];
	return h ^ a->family;
}

static struct bgp_session *listener_find(struct bgp_listener *l, const struct rh_addr *a)
{
	for (size_t i = 0; i < l->n_sessions; i++)
		if (rh_addr_equal(&bgp_session_cfg(l->sessions[i])->remote, a))
			return l->sessions[i];
	return NULL;
}

static void listener_accept_one(struct bgp_listener *l, int fd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char buf[RH_ADDR_STRLEN];
	struct bgp_session *s;
	struct rh_addr a;

	if (getpeername(fd, (struct sockaddr *)&ss, &sl) < 0 ||
	    rh_addr_from_sockaddr((struct sockaddr *)&ss, &a) < 0) {
		close(fd);
		return;
	}
	s = listener_find(l, &a);
	if (s == NULL) {
		/* Not a peer: close at once, and say so once a minute per source. */
		rh_log_ratelimited(LOG_WARNING, addr_key(&a), 60,
		                   "bgp: refused connection from %s: not a configured peer",
		                   rh_addr_fmt(&a, buf, sizeof(buf)));
		close(fd);
		return;
	}
	if (!bgp_session_accepting(s)) {
		rh_log_ratelimited(LOG_INFO, addr_key(&a), 60,
		                   "bgp: refused connection from %s: session administratively down",
		                   rh_addr_fmt(&a, buf, sizeof(buf)));
		close(fd);
		return;
	}
	bgp_session_incoming(s, fd);
}

static void listener_read(struct rh_evloop *loop, struct rh_io *io, unsigned events, void *arg)
{
	struct bgp_listener *l = arg;

	(void)loop;
	(void)events;
	/* A bounded number per round, so that a flood does not starve the sessions. */
	for (int i = 0; i < 32; i++) {
		int fd = accept4(io->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				log_warn("bgp: accept: %s", strerror(errno));
			return;
		}
		listener_accept_one(l, fd);
	}
}

struct bgp_listener *bgp_listener_new(struct rh_evloop *loop, const struct rh_addr *local,
                                      uint16_t port)
{
	struct bgp_listener *l = calloc(1, sizeof(*l));
	struct sockaddr_storage ss;
	socklen_t sl;
	int one = 1, ttl = 255, e;

	if (l == NULL)
		return NULL;
	l->loop = loop;
	l->local = *local;
	l->port = port ? port : BGP_PORT;
	rh_io_init(&l->io, listener_read, l);
	sl = rh_addr_to_sockaddr(local, l->port, &ss);
	if (sl == 0) {
		free(l);
		errno = EAFNOSUPPORT;
		return NULL;
	}
	l->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (l->fd < 0)
		goto fail;
	setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* Keep each SYN's headers: GTSM checks the TTL it arrived with (bgp_sock_syn_ttl). */
	setsockopt(l->fd, IPPROTO_TCP, TCP_SAVE_SYN, &one, sizeof(one));
	/* The SYN-ACK leaves from the listener, before the accepted socket gets the peer's
	 * TTL: a GTSM peer (RFC 5082) drops it unless it has TTL 255. Harmless to others. */
	if (ss.ss_family == AF_INET6) {
		setsockopt(l->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		setsockopt(l->fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof(ttl));
	} else {
		setsockopt(l->fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
	}
	if (bind(l->fd, (struct sockaddr *)&ss, sl) < 0 || listen(l->fd, 64) < 0)
		goto fail;
	e = rh_io_add(loop, &l->io, l->fd, RH_EV_READ);
	if (e < 0) {
		errno = -e;
		goto fail;
	}
	return l;
fail:
	e = errno;
	if (l->fd >= 0)
		close(l->fd);
	free(l);
	errno = e;
	return NULL;
}

void bgp_listener_free(struct bgp_listener *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n_sessions; i++)
		bgp_session_listener_gone(l->sessions[i]);
	rh_io_del(l->loop, &l->io);
	close(l->fd);
	free(l->sessions);
	free(l);
}

int bgp_listener_attach(struct bgp_listener *l, struct bgp_session *s)
{
	const struct bgp_session_cfg *cfg = bgp_session_cfg(s);
	int rc;

	if (!rh_addr_equal(&cfg->local, &l->local))
		return -EINVAL;
	if (listener_find(l, &cfg->remote) != NULL)
		return -EEXIST;
	if (l->n_sessions == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 8;
		struct bgp_session **v = realloc(l->sessions, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		l->sessions = v;
		l->cap = cap;
	}
	/* RFC 2385: the listener must know the key before the peer's SYN arrives. */
	if (cfg->password[0] != '\0') {
		rc = bgp_sock_md5(l->fd, &cfg->remote, cfg->password);
		if (rc < 0)
			return rc;
	}
	l->sessions[l->n_sessions++] = s;
	bgp_session_set_listener(s, l);
	return 0;
}

void bgp_listener_detach(struct bgp_listener *l, struct bgp_session *s)
{
	for (size_t i = 0; i < l->n_sessions; i++) {
		if (l->sessions[i] != s)
			continue;
		if (bgp_session_cfg(s)->password[0] != '\0')
			bgp_sock_md5(l->fd, &bgp_session_cfg(s)->remote, "");
		l->sessions[i] = l->sessions[--l->n_sessions];
		bgp_session_set_listener(s, NULL);
		return;
	}
}

uint16_t bgp_listener_port(const struct bgp_listener *l)
{
	return l->port;
}
