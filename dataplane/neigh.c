/* SPDX-License-Identifier: BSD-3-Clause */
/* Neighbour resolution: ARP and IPv6 ND on the main lcore (see neigh.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include "neigh.h"

#define ETH_HLEN ((uint32_t)sizeof(struct rte_ether_hdr))
#define IP6_HLEN ((uint32_t)sizeof(struct rte_ipv6_hdr))

/* RFC 4861 4.3 / 4.4: type, code, checksum, 4 bytes (reserved / flags), target. */
#define ND_NS          135
#define ND_NA          136
#define ND_MSG_LEN     24
#define ND_OPT_SLLA    1
#define ND_OPT_TLLA    2
#define ND_NA_F_ROUTER 0x80
#define ND_NA_F_SOLICT 0x40
#define ND_NA_F_OVERR  0x20
#define ND_HOP_LIMIT   255

struct nd_msg {
	uint8_t type;
	uint8_t code;
	rte_be16_t cksum;
	uint8_t flags; /* NA: R S O; NS: reserved */
	uint8_t reserved[3];
	uint8_t target[16];
} __rte_packed;

struct nd_opt_lla {
	uint8_t type;
	uint8_t len; /* in units of 8 bytes */
	struct rte_ether_addr mac;
};

_Static_assert(sizeof(struct nd_opt_lla) == 8, "RFC 4861 4.6.1");
_Static_assert(sizeof(struct nd_msg) == ND_MSG_LEN, "RFC 4861 4.3");

struct neigh_port {
	bool enabled;
	struct rte_ether_addr mac;
	unsigned n_addrs;
	struct rh_ifaddr addr[RH_MAX_PORT_ADDRS];
	struct neigh_entry e[NEIGH_MAX_PER_PORT];
};

struct neigh_table {
	struct rte_mempool *pool;
	struct neigh_ops ops;
	struct neigh_stats stats;
	struct neigh_port port[RH_MAX_PORTS];
};

static unsigned addr_len(uint8_t family)
{
	return family == RH_AF_INET ? 4 : family == RH_AF_INET6 ? 16 : 0;
}

const char *neigh_state_name(enum neigh_state s)
{
	switch (s) {
	case NEIGH_INCOMPLETE:
		return "incomplete";
	case NEIGH_REACHABLE:
		return "reachable";
	case NEIGH_STALE:
		return "stale";
	case NEIGH_STATIC:
		return "static";
	default:
		return "free";
	}
}

struct neigh_table *neigh_create(struct rte_mempool *pool, const struct neigh_ops *ops)
{
	struct neigh_table *t;

	if (pool == NULL || ops == NULL) {
		errno = EINVAL;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->pool = pool;
	t->ops = *ops;
	return t;
}

static void entry_drop_held(struct neigh_entry *e)
{
	for (unsigned i = 0; i < e->n_held; i++)
		rte_pktmbuf_free(e->held[i]);
	e->n_held = 0;
}

void neigh_destroy(struct neigh_table *t)
{
	if (t == NULL)
		return;
	for (unsigned p = 0; p < RH_MAX_PORTS; p++)
		for (unsigned i = 0; i < NEIGH_MAX_PER_PORT; i++)
			entry_drop_held(&t->port[p].e[i]);
	free(t);
}

int neigh_port_add(struct neigh_table *t, uint16_t port, const struct rte_ether_addr *mac,
                   const struct rh_ifaddr *addrs, unsigned n_addrs)
{
	struct neigh_port *np;

	if (port >= RH_MAX_PORTS || mac == NULL || n_addrs > RH_MAX_PORT_ADDRS)
		return -EINVAL;
	np = &t->port[port];
	np->enabled = true;
	np->mac = *mac;
	np->n_addrs = n_addrs;
	if (n_addrs > 0)
		memcpy(np->addr, addrs, n_addrs * sizeof(*addrs));
	for (unsigned i = 0; i < NEIGH_MAX_PER_PORT; i++) {
		np->e[i].port = port;
		np->e[i].slot = (uint16_t)i;
	}
	return 0;
}

static struct neigh_entry *find(const struct neigh_table *t, uint16_t port, uint8_t family,
                                const uint8_t *addr)
{
	const struct neigh_port *np = &t->port[port];
	unsigned len = addr_len(family);

	for (unsigned i = 0; i < NEIGH_MAX_PER_PORT; i++) {
		const struct neigh_entry *e = &np->e[i];

		if (e->state != NEIGH_FREE && e->family == family &&
		    memcmp(e->addr, addr, len) == 0)
			return (struct neigh_entry *)(uintptr_t)e;
	}
	return NULL;
}

const struct neigh_entry *neigh_lookup(const struct neigh_table *t, uint16_t port, uint8_t family,
                                       const uint8_t addr[16])
{
	if (port >= RH_MAX_PORTS || addr_len(family) == 0)
		return NULL;
	return find(t, port, family, addr);
}

/* Removes an entry; one that had a MAC tells the owner first. */
static void entry_free(struct neigh_table *t, struct neigh_entry *e)
{
	if (e->state != NEIGH_INCOMPLETE && e->state != NEIGH_FREE && t->ops.lost != NULL)
		t->ops.lost(t->ops.arg, e);
	entry_drop_held(e);
	e->state = NEIGH_FREE;
}

/*
 * A free slot; when the table is full, the STALE entry confirmed longest ago is evicted
 * (an INCOMPLETE one is being resolved, a REACHABLE one was just confirmed).
 */
static struct neigh_entry *entry_new(struct neigh_table *t, uint16_t port, uint8_t family,
                                     const uint8_t *addr, uint64_t now_ms)
{
	struct neigh_port *np = &t->port[port];
	struct neigh_entry *e = NULL, *victim = NULL;

	for (unsigned i = 0; i < NEIGH_MAX_PER_PORT && e == NULL; i++) {
		if (np->e[i].state == NEIGH_FREE)
			e = &np->e[i];
		else if (np->e[i].state == NEIGH_STALE &&
		         (victim == NULL || np->e[i].confirmed_ms < victim->confirmed_ms))
			victim = &np->e[i];
	}
	if (e == NULL && victim != NULL) {
		entry_free(t, victim);
		e = victim;
	}
	if (e == NULL)
		return NULL;
	e->family = family;
	e->probes = 0;
	e->n_held = 0;
	memset(e->addr, 0, sizeof(e->addr));
	memcpy(e->addr, addr, addr_len(family));
	memset(&e->mac, 0, sizeof(e->mac));
	e->confirmed_ms = now_ms;
	e->timer_ms = now_ms;
	return e;
}

static bool on_subnet(const struct rh_ifaddr *ifa, uint8_t family, const uint8_t *addr)
{
	unsigned bits = ifa->len, i;

	if (ifa->addr.family != family)
		return false;
	for (i = 0; bits >= 8; i++, bits -= 8)
		if (ifa->addr.bytes[i] != addr[i])
			return false;
	return bits == 0 || ((ifa->addr.bytes[i] ^ addr[i]) & (uint8_t)(0xff00 >> bits)) == 0;
}

/* RFC 4861 7.2.2: the port's address on the target's subnet, else its first of the family. */
static const uint8_t *source_addr(const struct neigh_port *np, uint8_t family, const uint8_t *dst)
{
	const uint8_t *first = NULL;

	for (unsigned i = 0; i < np->n_addrs; i++) {
		if (np->addr[i].addr.family != family)
			continue;
		if (on_subnet(&np->addr[i], family, dst))
			return np->addr[i].addr.bytes;
		if (first == NULL)
			first = np->addr[i].addr.bytes;
	}
	return first;
}

static bool is_own(const struct neigh_port *np, uint8_t family, const uint8_t *a)
{
	for (unsigned i = 0; i < np->n_addrs; i++)
		if (np->addr[i].addr.family == family &&
		    memcmp(np->addr[i].addr.bytes, a, addr_len(family)) == 0)
			return true;
	return false;
}

static struct rte_mbuf *frame_alloc(struct neigh_table *t, uint32_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(t->pool);

	if (m == NULL) {
		t->stats.alloc_fails++;
		return NULL;
	}
	if (rte_pktmbuf_append(m, (uint16_t)len) == NULL) {
		rte_pktmbuf_free(m);
		t->stats.alloc_fails++;
		return NULL;
	}
	memset(rte_pktmbuf_mtod(m, void *), 0, len);
	return m;
}

/* RFC 826: a request, broadcast, or unicast to the known MAC when probing (RFC 1122). */
static struct rte_mbuf *arp_request(struct neigh_table *t, const struct neigh_port *np,
                                    const struct neigh_entry *e, const uint8_t *src, bool unicast)
{
	struct rte_mbuf *m = frame_alloc(t, ETH_HLEN + sizeof(struct rte_arp_hdr));
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;

	if (m == NULL)
		return NULL;
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	if (unicast)
		eth->dst_addr = e->mac;
	else
		memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	eth->src_addr = np->mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	arp = (struct rte_arp_hdr *)(eth + 1);
	arp->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = RTE_BE16(RTE_ARP_OP_REQUEST);
	arp->arp_data.arp_sha = np->mac;
	memcpy(&arp->arp_data.arp_sip, src, 4);
	memcpy(&arp->arp_data.arp_tip, e->addr, 4);
	return m;
}

/* RFC 4861 4.3 / 7.2.2: an NS to the solicited-node group (RFC 4291 2.7.1), or unicast to
 * the target when probing, hop limit 255, with our link-layer address. */
static struct rte_mbuf *nd_solicit(struct neigh_table *t, const struct neigh_port *np,
                                   const struct neigh_entry *e, const uint8_t *src, bool unicast)
{
	const uint32_t l4 = sizeof(struct nd_msg) + sizeof(struct nd_opt_lla);
	struct rte_mbuf *m = frame_alloc(t, ETH_HLEN + IP6_HLEN + l4);
	struct rte_ether_hdr *eth;
	struct rte_ipv6_hdr *ip;
	struct nd_msg *ns;
	struct nd_opt_lla *opt;

	if (m == NULL)
		return NULL;
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	ip = (struct rte_ipv6_hdr *)(eth + 1);
	ns = (struct nd_msg *)(ip + 1);
	opt = (struct nd_opt_lla *)(ns + 1);
	eth->src_addr = np->mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	ip->vtc_flow = RTE_BE32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16((uint16_t)l4);
	ip->proto = IPPROTO_ICMPV6;
	ip->hop_limits = ND_HOP_LIMIT;
	memcpy(ip->src_addr, src, 16);
	if (unicast) {
		eth->dst_addr = e->mac;
		memcpy(ip->dst_addr, e->addr, 16);
	} else {
		static const uint8_t snm[13] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff};

		memcpy(ip->dst_addr, snm, sizeof(snm));
		memcpy(ip->dst_addr + 13, e->addr + 13, 3);
		/* RFC 2464 7: 33:33 and the group's last four bytes. */
		eth->dst_addr.addr_bytes[0] = 0x33;
		eth->dst_addr.addr_bytes[1] = 0x33;
		memcpy(&eth->dst_addr.addr_bytes[2], ip->dst_addr + 12, 4);
	}
	ns->type = ND_NS;
	memcpy(ns->target, e->addr, 16);
	opt->type = ND_OPT_SLLA;
	opt->len = 1;
	opt->mac = np->mac;
	ns->cksum = rte_ipv6_udptcp_cksum(ip, ns);
	return m;
}

/* Sends the request of an INCOMPLETE entry, or the unicast probe of a STALE one. */
static void send_request(struct neigh_table *t, struct neigh_entry *e, bool unicast)
{
	const struct neigh_port *np = &t->port[e->port];
	const uint8_t *src = source_addr(np, e->family, e->addr);
	struct rte_mbuf *m;

	if (src == NULL) {
		t->stats.no_source++;
		return;
	}
	m = e->family == RH_AF_INET ? arp_request(t, np, e, src, unicast)
	                            : nd_solicit(t, np, e, src, unicast);
	e->probes++;
	if (m == NULL)
		return;
	t->stats.requests++;
	t->stats.probes += unicast;
	t->ops.send(t->ops.arg, e->port, m);
}

static void release_held(struct neigh_table *t, struct neigh_entry *e)
{
	struct rte_mbuf *held[NEIGH_HOLD];
	uint8_t flags[NEIGH_HOLD];
	unsigned n = e->n_held;

	/* Copied first: a callback may queue packets on this entry again. */
	memcpy(held, e->held, n * sizeof(held[0]));
	memcpy(flags, e->held_flags, n);
	e->n_held = 0;
	for (unsigned i = 0; i < n; i++)
		t->ops.release(t->ops.arg, e, held[i], flags[i]);
}

int neigh_static_add(struct neigh_table *t, uint16_t port, const struct rh_addr *addr,
                     const struct rte_ether_addr *mac, uint64_t now_ms)
{
	struct neigh_entry *e;

	if (port >= RH_MAX_PORTS || !t->port[port].enabled || addr == NULL || mac == NULL ||
	    addr_len(addr->family) == 0)
		return -EINVAL;
	e = find(t, port, addr->family, addr->bytes);
	if (e == NULL)
		e = entry_new(t, port, addr->family, addr->bytes, now_ms);
	if (e == NULL)
		return -ENOSPC;
	e->state = NEIGH_STATIC;
	e->mac = *mac;
	if (t->ops.resolved != NULL)
		t->ops.resolved(t->ops.arg, e);
	release_held(t, e);
	return 0;
}

int neigh_resolve(struct neigh_table *t, uint16_t port, uint8_t family, const uint8_t addr[16],
                  struct rte_mbuf *m, uint8_t flags, uint64_t now_ms)
{
	struct neigh_entry *e;
	struct neigh_port *np;

	if (port >= RH_MAX_PORTS || !t->port[port].enabled || addr_len(family) == 0) {
		rte_pktmbuf_free(m);
		return -EINVAL;
	}
	np = &t->port[port];
	e = find(t, port, family, addr);
	if (e != NULL && e->state != NEIGH_INCOMPLETE) {
		t->ops.release(t->ops.arg, e, m, flags);
		return 0;
	}
	if (e == NULL) {
		if (source_addr(np, family, addr) == NULL) {
			t->stats.no_source++;
			t->stats.hold_drops++;
			rte_pktmbuf_free(m);
			return -EADDRNOTAVAIL;
		}
		e = entry_new(t, port, family, addr, now_ms);
		if (e == NULL) {
			t->stats.hold_drops++;
			rte_pktmbuf_free(m);
			return -ENOSPC;
		}
		e->state = NEIGH_INCOMPLETE;
		send_request(t, e, false);
		e->timer_ms = now_ms + NEIGH_RETRANS_MS;
	}
	if (e->n_held == NEIGH_HOLD) {
		/* Keep the newest packets (RFC 1122 2.3.2.2: at least the latest one). */
		rte_pktmbuf_free(e->held[0]);
		memmove(e->held, e->held + 1, (NEIGH_HOLD - 1) * sizeof(e->held[0]));
		memmove(e->held_flags, e->held_flags + 1, NEIGH_HOLD - 1);
		e->n_held--;
		t->stats.hold_drops++;
	}
	e->held[e->n_held] = m;
	e->held_flags[e->n_held++] = flags;
	t->stats.held++;
	return 0;
}

/*
 * What was heard from addr at mac: confirmed (a reply) or not (a request). An entry that
 * gets a MAC or a new one is reported to the owner and its packets released.
 */
static void learn(struct neigh_table *t, uint16_t port, uint8_t family, const uint8_t *addr,
                  const struct rte_ether_addr *mac, bool confirmed, bool create, uint64_t now_ms)
{
	struct neigh_entry *e = find(t, port, family, addr);
	bool changed;

	if (e != NULL && e->state == NEIGH_STATIC)
		return;
	if (e == NULL) {
		if (!create)
			return;
		e = entry_new(t, port, family, addr, now_ms);
		if (e == NULL)
			return;
		e->state = NEIGH_INCOMPLETE; /* made STALE or REACHABLE below */
		t->stats.learned += !confirmed;
	}
	changed = e->state == NEIGH_INCOMPLETE || !rte_is_same_ether_addr(&e->mac, mac);
	if (e->state == NEIGH_INCOMPLETE && confirmed)
		t->stats.resolved++;
	e->mac = *mac;
	if (confirmed) {
		t->stats.replies++;
		e->state = NEIGH_REACHABLE;
		e->probes = 0;
		e->confirmed_ms = now_ms;
		e->timer_ms = now_ms + NEIGH_REACHABLE_MS - NEIGH_REFRESH_MS;
	} else if (changed) {
		/* Heard, not confirmed: usable, and probed after a delay (RFC 4861 7.2.3). */
		e->state = NEIGH_STALE;
		e->probes = 0;
		e->timer_ms = now_ms + NEIGH_DELAY_MS;
	}
	if (changed && t->ops.resolved != NULL)
		t->ops.resolved(t->ops.arg, e);
	release_held(t, e);
}

static void arp_input(struct neigh_table *t, uint16_t port, const struct rte_mbuf *m,
                      uint64_t now_ms)
{
	const struct neigh_port *np = &t->port[port];
	const struct rte_arp_hdr *arp;
	const struct rte_ether_addr *sha;
	bool to_us;

	if (m->data_len < ETH_HLEN + sizeof(*arp)) {
		t->stats.invalid++;
		return;
	}
	arp = rte_pktmbuf_mtod_offset(m, const struct rte_arp_hdr *, ETH_HLEN);
	if (arp->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
	    arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != 4) {
		t->stats.invalid++;
		return;
	}
	sha = &arp->arp_data.arp_sha;
	/* Our own requests (seen again on a shared medium), and RFC 5227 probes (sender
	 * 0.0.0.0) teach nothing. */
	if (rte_is_same_ether_addr(sha, &np->mac) || arp->arp_data.arp_sip == 0 ||
	    !rte_is_unicast_ether_addr(sha) ||
	    is_own(np, RH_AF_INET, (const uint8_t *)&arp->arp_data.arp_sip))
		return;
	/* RFC 826: update the sender if known ("merge"); add it when we are the target. */
	to_us = is_own(np, RH_AF_INET, (const uint8_t *)&arp->arp_data.arp_tip);
	learn(t, port, RH_AF_INET, (const uint8_t *)&arp->arp_data.arp_sip, sha,
	      arp->arp_opcode == RTE_BE16(RTE_ARP_OP_REPLY) && to_us, to_us, now_ms);
}

/* The link-layer address option of type `want`, or NULL (RFC 4861 4.6.1). -1: malformed. */
static int nd_lla(const uint8_t *opt, uint32_t len, uint8_t want, const struct rte_ether_addr **mac)
{
	*mac = NULL;
	while (len >= 2) {
		uint32_t olen = (uint32_t)opt[1] * 8;

		if (olen == 0 || olen > len)
			return -1; /* 7.1.1: every option has a length > 0 */
		if (opt[0] == want && olen >= sizeof(struct nd_opt_lla))
			*mac = &((const struct nd_opt_lla *)opt)->mac;
		opt += olen;
		len -= olen;
	}
	return 0;
}

/* RFC 4443 2.3: the sum over the pseudo-header and the message, checksum included, is
 * 0xffff when intact. */
static bool icmp6_cksum_ok(const struct rte_ipv6_hdr *ip, const void *l4, uint32_t len)
{
	uint32_t sum = (uint32_t)rte_ipv6_phdr_cksum(ip, 0) + rte_raw_cksum(l4, len);

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

static void nd_input(struct neigh_table *t, uint16_t port, const struct rte_mbuf *m,
                     uint64_t now_ms)
{
	const struct neigh_port *np = &t->port[port];
	const struct rte_ether_addr *lla;
	const struct rte_ipv6_hdr *ip;
	const struct nd_msg *nd;
	uint32_t plen;

	if (m->data_len < ETH_HLEN + IP6_HLEN + ND_MSG_LEN)
		return;
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, ETH_HLEN);
	if (ip->proto != IPPROTO_ICMPV6)
		return;
	nd = (const struct nd_msg *)(ip + 1);
	if (nd->type != ND_NS && nd->type != ND_NA)
		return;
	plen = rte_be_to_cpu_16(ip->payload_len);
	/* RFC 4861 7.1.1 / 7.1.2: hop limit 255 (not forwarded), code 0, length, checksum,
	 * target not multicast. */
	if (ip->hop_limits != ND_HOP_LIMIT || nd->code != 0 || plen < ND_MSG_LEN ||
	    ETH_HLEN + IP6_HLEN + plen > m->data_len || nd->target[0] == 0xff ||
	    !icmp6_cksum_ok(ip, nd, plen) ||
	    nd_lla((const uint8_t *)(nd + 1), plen - ND_MSG_LEN,
	           nd->type == ND_NS ? ND_OPT_SLLA : ND_OPT_TLLA, &lla) < 0) {
		t->stats.invalid++;
		return;
	}
	if (nd->type == ND_NS) {
		/* 7.2.3: the sender's address, when it has one (not DAD) and gave its MAC. */
		static const uint8_t unspec[16];

		if (lla == NULL || memcmp(ip->src_addr, unspec, 16) == 0 ||
		    rte_is_same_ether_addr(lla, &np->mac) || !is_own(np, RH_AF_INET6, nd->target))
			return;
		learn(t, port, RH_AF_INET6, ip->src_addr, lla, false, true, now_ms);
		return;
	}
	/* 7.2.5: an NA updates the target's entry; without the option, only one with a MAC
	 * already (then it confirms it). Solicited means reachable. */
	if (lla == NULL) {
		const struct neigh_entry *e = find(t, port, RH_AF_INET6, nd->target);

		if (e == NULL || e->state == NEIGH_INCOMPLETE)
			return;
		lla = &e->mac;
	}
	if (rte_is_same_ether_addr(lla, &np->mac))
		return;
	learn(t, port, RH_AF_INET6, nd->target, lla, (nd->flags & ND_NA_F_SOLICT) != 0,
	      (nd->flags & ND_NA_F_SOLICT) && is_own(np, RH_AF_INET6, ip->dst_addr), now_ms);
}

void neigh_input(struct neigh_table *t, uint16_t port, const struct rte_mbuf *m, uint64_t now_ms)
{
	const struct rte_ether_hdr *eth;

	if (port >= RH_MAX_PORTS || !t->port[port].enabled || m->data_len < ETH_HLEN)
		return;
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP))
		arp_input(t, port, m, now_ms);
	else if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV6))
		nd_input(t, port, m, now_ms);
}

static void entry_timer(struct neigh_table *t, struct neigh_entry *e, uint64_t now_ms)
{
	switch (e->state) {
	case NEIGH_INCOMPLETE:
		if (e->probes < NEIGH_MAX_PROBES) {
			send_request(t, e, false);
			e->timer_ms = now_ms + NEIGH_RETRANS_MS;
			return;
		}
		t->stats.failed++;
		while (e->n_held > 0) {
			struct rte_mbuf *m = e->held[0];
			uint8_t flags = e->held_flags[0];

			memmove(e->held, e->held + 1, (e->n_held - 1) * sizeof(e->held[0]));
			memmove(e->held_flags, e->held_flags + 1, e->n_held - 1u);
			e->n_held--;
			t->ops.unreachable(t->ops.arg, e, m, flags);
		}
		entry_free(t, e);
		return;
	case NEIGH_REACHABLE:
	case NEIGH_STALE:
		/* Refresh: unicast probes while the entry still forwards (see neigh.h). */
		if (e->probes < NEIGH_MAX_PROBES) {
			send_request(t, e, true);
			e->timer_ms = now_ms + NEIGH_RETRANS_MS;
			return;
		}
		t->stats.expired++;
		entry_free(t, e);
		return;
	default:
		return;
	}
}

void neigh_timer(struct neigh_table *t, uint64_t now_ms)
{
	for (unsigned p = 0; p < RH_MAX_PORTS; p++) {
		if (!t->port[p].enabled)
			continue;
		for (unsigned i = 0; i < NEIGH_MAX_PER_PORT; i++) {
			struct neigh_entry *e = &t->port[p].e[i];

			if (e->state != NEIGH_FREE && e->state != NEIGH_STATIC &&
			    e->timer_ms <= now_ms)
				entry_timer(t, e, now_ms);
		}
	}
}

int neigh_walk(const struct neigh_table *t, neigh_walk_fn fn, void *arg)
{
	for (unsigned p = 0; p < RH_MAX_PORTS; p++) {
		if (!t->port[p].enabled)
			continue;
		for (unsigned i = 0; i < NEIGH_MAX_PER_PORT; i++) {
			int rc;

			if (t->port[p].e[i].state == NEIGH_FREE)
				continue;
			rc = fn(&t->port[p].e[i], arg);
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

void neigh_get_stats(const struct neigh_table *t, struct neigh_stats *st)
{
	*st = t->stats;
}
