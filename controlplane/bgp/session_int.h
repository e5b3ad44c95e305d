/* SPDX-License-Identifier: BSD-3-Clause */
/* Between session.c (connections and the FSM) and session_sock.c (sockets, listener). */
#ifndef ROUTEHUB_BGP_SESSION_INT_H
#define ROUTEHUB_BGP_SESSION_INT_H

#include "session.h"

/* TCP MD5 key for the peer's address on fd (RFC 2385); an empty key removes it. */
int bgp_sock_md5(int fd, const struct rh_addr *peer, const char *key);
/* TTL or GTSM (RFC 5082), and the TOS of control traffic, on a connected socket. */
int bgp_sock_ttl(int fd, const struct bgp_session_cfg *cfg);
/*
 * A non-blocking socket bound to cfg->local, with MD5 and TTL set, connecting to the peer.
 * Returns the fd (connection in progress or done), or a negative errno.
 */
int bgp_sock_connect(const struct bgp_session_cfg *cfg);

/* From the listener: a connection from the session's peer. Takes fd. */
void bgp_session_incoming(struct bgp_session *s, int fd);
/* Whether the session takes incoming connections now. */
bool bgp_session_accepting(const struct bgp_session *s);
/* The listener was freed under the session. */
void bgp_session_listener_gone(struct bgp_session *s);
void bgp_session_set_listener(struct bgp_session *s, struct bgp_listener *l);

#endif
