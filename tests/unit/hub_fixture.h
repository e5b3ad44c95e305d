/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Drives the hub model with real UPDATEs (built by the codec's writer, decoded by its
 * decoder) and records what each session is sent (hub_peer_flush batches) and what the
 * hub reports (effective changes, teardowns). No sessions, no sockets.
 */
#ifndef ROUTEHUB_TEST_HUB_FIXTURE_H
#define ROUTEHUB_TEST_HUB_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "hub.h"

#define FX_MAX_SENT 256

/* One prefix a session was sent. */
struct fx_sent {
	char prefix[RH_PREFIX_STRLEN];
	bool withdraw;
	char aspath[128];
	char nexthop[RH_ADDR_STRLEN];
	bool no_advertise;
	uint32_t path_id; /* ADD-PATH send (RFC 7911); 0 without */
};

struct fx_peer {
	struct hub_peer *hp;
	unsigned n_sent;
	struct fx_sent sent[FX_MAX_SENT];
	unsigned eor;
	unsigned ready;
	unsigned teardowns;
	uint8_t code, subcode;
};

struct fx {
	struct rh_config cfg;
	struct hub *h;
	unsigned effective_changes;
	char last_changed[RH_PREFIX_STRLEN];
	/* Called on every effective change too when set (the FIB programmer's tests). */
	void (*on_effective)(const struct rh_prefix *p);
	/* The RFC 7606 action the next UPDATEs are handed over with (default OK). */
	enum bgp_upd_action action;
};

extern struct fx fx;

/* The lab hub: VNet 198.18.0.0/16 and 2001:db8:100::/48, RS, ER and VPN gateways. */
void fx_config(bool b2b);
/* hub_new() on fx.cfg. */
void fx_start(void);
void fx_stop(void);

/* A session of the role at instance `local` (NULL: the first of the part); brought up. */
void fx_peer(struct fx_peer *p, enum hub_role role, const char *addr, uint32_t asn,
             const char *local);
/* The same with ADD-PATH send negotiated for both families (RFC 7911). */
void fx_peer_addpath(struct fx_peer *p, enum hub_role role, const char *addr, uint32_t asn,
                     const char *local);
/* Flushes what the session has pending into p->sent (cleared first); returns n_sent. */
unsigned fx_flush(struct fx_peer *p);
/* The record of prefix in p->sent, NULL if not sent. */
const struct fx_sent *fx_sent(const struct fx_peer *p, const char *prefix);

/*
 * An UPDATE from the session: prefixes separated by spaces (IPv4 or IPv6, one family a
 * call), AS path "65001 65002", next hop, optional communities (n of them). Returns what
 * hub_peer_update() returned.
 */
int fx_announce(struct fx_peer *p, const char *prefixes, const char *aspath, const char *nh,
                const uint32_t *comm, unsigned n_comm);
int fx_withdraw(struct fx_peer *p, const char *prefixes);

/* The effective routes of a prefix: -ENOENT or 0. */
int fx_effective(const char *prefix, struct hub_effective *e);
struct rh_prefix fx_prefix(const char *s);
struct rh_addr fx_addr(const char *s);

#endif
