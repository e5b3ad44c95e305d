/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Neighbour resolution on the main lcore: ARP (RFC 826) for IPv4, Neighbor Discovery
 * (RFC 4861: NS to the solicited-node multicast address, NA) for IPv6.
 *
 * One table per port, of at most NEIGH_MAX_PER_PORT entries. An entry is
 *   INCOMPLETE  a request was sent; up to NEIGH_HOLD packets wait for the answer (the
 *               oldest is dropped when a newer one comes, RFC 1122 2.3.2.2); the request
 *               is sent again every NEIGH_RETRANS_MS, NEIGH_MAX_PROBES times in all, then
 *               the entry is removed and the packets it held are reported unreachable;
 *   REACHABLE   confirmed by a reply within NEIGH_REACHABLE_MS (RFC 4861 REACHABLE_TIME).
 *               It is refreshed before it expires: NEIGH_REFRESH_MS before the end, unicast
 *               requests (RFC 1122 2.3.2.1, RFC 4861 7.3.3's probes) go every
 *               NEIGH_RETRANS_MS; an answer renews it, so a live neighbour never leaves
 *               REACHABLE and forwarding to it never stops; NEIGH_MAX_PROBES unanswered
 *               ones and it is removed when its time is up (aging is bounded);
 *   STALE       has a MAC heard but not confirmed (learned from a request): usable, and
 *               probed like a REACHABLE entry at its end, from NEIGH_DELAY_MS on (RFC
 *               4861 DELAY_FIRST_PROBE_TIME): an answer makes it REACHABLE, silence
 *               removes it;
 *   STATIC      from the configuration: never probed, aged or changed by what is heard.
 * Entries are also created by what is addressed to us: a request (STALE), a reply (the
 * kernel's own resolutions: REACHABLE); an existing entry takes the MAC of any ARP packet
 * from its address (RFC 826's "merge"; RFC 4861 7.2.3, 7.2.5).
 *
 * The table answers nothing: the kernel behind the port's TAP answers requests for the
 * port's addresses. It learns from every ARP packet and NS/NA it is shown (neigh_input())
 * before the packet goes on to the kernel.
 *
 * Time is the caller's, in milliseconds (any monotonic origin), so that the tests drive it.
 * Everything runs on one thread: no locks.
 */
#ifndef ROUTEHUB_DP_NEIGH_H
#define ROUTEHUB_DP_NEIGH_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "config.h"

#define NEIGH_MAX_PER_PORT 256
#define NEIGH_HOLD         4
#define NEIGH_RETRANS_MS   1000u  /* RFC 4861 RETRANS_TIMER */
#define NEIGH_MAX_PROBES   3u     /* RFC 4861 MAX_MULTICAST_SOLICIT / MAX_UNICAST_SOLICIT */
#define NEIGH_REACHABLE_MS 30000u /* RFC 4861 REACHABLE_TIME */
#define NEIGH_DELAY_MS     5000u  /* RFC 4861 DELAY_FIRST_PROBE_TIME */
/* Refreshing starts this long before a REACHABLE entry would expire: time for every probe. */
#define NEIGH_REFRESH_MS (NEIGH_MAX_PROBES * NEIGH_RETRANS_MS)

/* Flags of a held packet, given back to the release and unreachable callbacks. */
#define NEIGH_F_ORIGINATED 0x01 /* built here (an ICMP error): not forwarded, TTL as is */

enum neigh_state {
	NEIGH_FREE = 0,
	NEIGH_INCOMPLETE,
	NEIGH_REACHABLE,
	NEIGH_STALE,
	NEIGH_STATIC,
};

struct neigh_entry {
	uint8_t state;  /* enum neigh_state */
	uint8_t family; /* RH_AF_INET / RH_AF_INET6 */
	uint8_t probes; /* requests sent in the current INCOMPLETE or STALE period */
	uint8_t n_held;
	uint16_t port; /* port index (configuration order) */
	uint16_t slot; /* index in the port's table: stable while the entry lives */
	uint8_t addr[16];
	struct rte_ether_addr mac; /* valid unless INCOMPLETE */
	uint64_t timer_ms;         /* next retransmission, probe or state change */
	uint64_t confirmed_ms;     /* last reply (or creation) */
	struct rte_mbuf *held[NEIGH_HOLD];
	uint8_t held_flags[NEIGH_HOLD];
};

/* What the table asks of its owner. Every callback that gets an mbuf takes it over. */
struct neigh_ops {
	/* Sends a frame the table built (ARP request, NS) out of port. */
	void (*send)(void *arg, uint16_t port, struct rte_mbuf *m);
	/* The entry has a MAC now, or a different one: program the FIB. */
	void (*resolved)(void *arg, const struct neigh_entry *e);
	/* The entry that had a MAC is about to be removed: unprogram the FIB. */
	void (*lost)(void *arg, const struct neigh_entry *e);
	/* A held packet may go to e->mac now. */
	void (*release)(void *arg, const struct neigh_entry *e, struct rte_mbuf *m, uint8_t flags);
	/* A held packet whose neighbour did not answer (RFC 1812 4.3.3.1 / RFC 4861 7.2.2:
	 * the sender should get a host / address unreachable). */
	void (*unreachable)(void *arg, const struct neigh_entry *e, struct rte_mbuf *m,
	                    uint8_t flags);
	void *arg;
};

struct neigh_stats {
	uint64_t requests;    /* ARP requests and NS sent (first tries and retries) */
	uint64_t probes;      /* of which unicast probes of a STALE entry */
	uint64_t replies;     /* ARP replies and NA that updated an entry */
	uint64_t learned;     /* entries created from a request addressed to us */
	uint64_t resolved;    /* INCOMPLETE entries that got an answer */
	uint64_t failed;      /* INCOMPLETE entries that got none */
	uint64_t expired;     /* STALE entries removed after unanswered probes */
	uint64_t held;        /* packets queued on an entry */
	uint64_t hold_drops;  /* packets dropped for a full hold queue or a full table */
	uint64_t invalid;     /* ARP / ND packets ignored as malformed (RFC 4861 7.1) */
	uint64_t no_source;   /* no address of the family on the port to ask from */
	uint64_t alloc_fails; /* no mbuf for a request */
};

struct neigh_table;

/* NULL and errno on failure. pool provides the requests' mbufs. */
struct neigh_table *neigh_create(struct rte_mempool *pool, const struct neigh_ops *ops);
/* Frees the held packets and the table. */
void neigh_destroy(struct neigh_table *t);

/*
 * Declares port `port` (< RH_MAX_PORTS): its MAC, and its addresses (the sources of the
 * requests: the one whose subnet holds the target, else the first of the family).
 * Returns 0 or -EINVAL.
 */
int neigh_port_add(struct neigh_table *t, uint16_t port, const struct rte_ether_addr *mac,
                   const struct rh_ifaddr *addrs, unsigned n_addrs);

/* A static entry (calls resolved at once). -EINVAL, -ENOSPC, or 0. */
int neigh_static_add(struct neigh_table *t, uint16_t port, const struct rh_addr *addr,
                     const struct rte_ether_addr *mac, uint64_t now_ms);

/*
 * Resolves addr on port for packet m: releases it at once when the MAC is known, else
 * holds it (starting a resolution if none runs). Returns 0, or a negative errno when m
 * was dropped (and freed): -ENOSPC (table full), -EADDRNOTAVAIL (no address of the family
 * on the port), -EINVAL.
 */
int neigh_resolve(struct neigh_table *t, uint16_t port, uint8_t family, const uint8_t addr[16],
                  struct rte_mbuf *m, uint8_t flags, uint64_t now_ms);

/*
 * Learns from a frame received on port (Ethernet header first): ARP requests and replies,
 * ICMPv6 NS and NA. Anything else is ignored. Does not take m.
 */
void neigh_input(struct neigh_table *t, uint16_t port, const struct rte_mbuf *m, uint64_t now_ms);

/* Retransmissions, probes and expiry due by now. Call every few tens of milliseconds. */
void neigh_timer(struct neigh_table *t, uint64_t now_ms);

/* The entry of addr on port, or NULL. */
const struct neigh_entry *neigh_lookup(const struct neigh_table *t, uint16_t port, uint8_t family,
                                       const uint8_t addr[16]);

/* Calls fn for every entry in use; stops at and returns fn's first non-zero value. */
typedef int (*neigh_walk_fn)(const struct neigh_entry *e, void *arg);
int neigh_walk(const struct neigh_table *t, neigh_walk_fn fn, void *arg);

void neigh_get_stats(const struct neigh_table *t, struct neigh_stats *st);
const char *neigh_state_name(enum neigh_state s);

#endif
