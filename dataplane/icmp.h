/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP errors the dataplane originates for packets it cannot forward: time exceeded
 * (RFC 792, RFC 4443 3.3), destination unreachable (RFC 792, RFC 1812 4.3.3.1 / RFC 4443
 * 3.1) and fragmentation needed / packet too big (RFC 1191, RFC 4443 3.2). Built on the
 * main lcore from the packet a worker punted, rate-limited by a token bucket (RFC 1812
 * 4.3.2.8, RFC 4443 2.4 (f)).
 */
#ifndef ROUTEHUB_DP_ICMP_H
#define ROUTEHUB_DP_ICMP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

enum icmp_kind {
	ICMP_TIME_EXCEEDED, /* TTL / hop limit expired in transit */
	ICMP_NET_UNREACH,   /* no route: v4 type 3 code 0, v6 type 1 code 0 */
	ICMP_HOST_UNREACH,  /* the neighbour did not answer: v4 code 1, v6 code 3 */
	ICMP_TOO_BIG,       /* v4 type 3 code 4 with the next-hop MTU; v6 type 2 */
};

/* At most this much of the offending packet is quoted (RFC 1812 4.3.2.3: the whole
 * error within 576 bytes; RFC 4443 2.4 (c): within the minimum IPv6 MTU, 1280). */
#define ICMP4_MAX_LEN 576u
#define ICMP6_MAX_LEN 1280u
#define ICMP_TTL      64

/* A token bucket: `rate` tokens a second, at most `burst` saved up. */
struct icmp_bucket {
	uint64_t last_ms;
	uint32_t rate;
	uint32_t burst;
	uint64_t tokens_milli; /* thousandths of a token */
};

void icmp_bucket_init(struct icmp_bucket *b, uint32_t rate, uint32_t burst, uint64_t now_ms);
/* Takes a token if there is one. */
bool icmp_bucket_take(struct icmp_bucket *b, uint64_t now_ms);

/*
 * Whether an error may be sent about this packet (Ethernet frame as received, family
 * RH_AF_INET/RH_AF_INET6): never about an ICMP error, a non-first fragment, a packet to
 * or from a multicast or broadcast address, or from an unspecified / loopback source
 * (RFC 1812 4.3.2.7, RFC 4443 2.4 (e); RFC 4443 allows packet too big to multicast).
 */
bool icmp_error_allowed(const struct rte_mbuf *orig, uint8_t family, enum icmp_kind kind);

/*
 * Builds the error about orig in a new mbuf from pool: an Ethernet header whose addresses
 * are left zero for the output path (ether type set), the IP header from src (16 bytes,
 * IPv4 in the first 4) to orig's source, TTL / hop limit ICMP_TTL, and the ICMP message
 * quoting orig from its IP header on. mtu is the next-hop MTU for ICMP_TOO_BIG. Checksums
 * are complete. NULL when the packet is too short to quote or no mbuf is free.
 */
struct rte_mbuf *icmp_error_build(struct rte_mempool *pool, const struct rte_mbuf *orig,
                                  uint8_t family, enum icmp_kind kind, uint16_t mtu,
                                  const uint8_t src[16]);

#endif
