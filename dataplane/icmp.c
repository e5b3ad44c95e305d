/* SPDX-License-Identifier: BSD-3-Clause */
/* ICMP / ICMPv6 errors originated by the dataplane (see icmp.h). */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#include "icmp.h"
#include "routehub/prefix.h"

#define ETH_HLEN  ((uint32_t)sizeof(struct rte_ether_hdr))
#define IP4_HLEN  ((uint32_t)sizeof(struct rte_ipv4_hdr))
#define IP6_HLEN  ((uint32_t)sizeof(struct rte_ipv6_hdr))
#define ICMP_HLEN 8u /* type, code, checksum, and 4 bytes (unused / MTU) */

/* ICMPv6 types (RFC 4443 2.1): errors are below 128. */
#define ICMP6_DST_UNREACH    1
#define ICMP6_PACKET_TOO_BIG 2
#define ICMP6_TIME_EXCEEDED  3
/* ICMP types (RFC 792). */
#define ICMP4_DEST_UNREACH    3
#define ICMP4_TIME_EXCEEDED   11
#define ICMP4_TIMESTAMP       13
#define ICMP4_TIMESTAMP_REPLY 14

void icmp_bucket_init(struct icmp_bucket *b, uint32_t rate, uint32_t burst, uint64_t now_ms)
{
	b->rate = rate;
	b->burst = burst;
	b->last_ms = now_ms;
	b->tokens_milli = (uint64_t)burst * 1000;
}

bool icmp_bucket_take(struct icmp_bucket *b, uint64_t now_ms)
{
	uint64_t cap = (uint64_t)b->burst * 1000;

	if (now_ms > b->last_ms) {
		/* rate tokens a second = rate thousandths of a token a millisecond. */
		uint64_t add = (now_ms - b->last_ms) * b->rate;

		b->tokens_milli = b->tokens_milli + add > cap ? cap : b->tokens_milli + add;
		b->last_ms = now_ms;
	}
	if (b->tokens_milli < 1000)
		return false;
	b->tokens_milli -= 1000;
	return true;
}

static bool ip4_not_unique(rte_be32_t a)
{
	uint32_t h = rte_be_to_cpu_32(a);

	/* 0/8, 127/8, class D and E including the limited broadcast (RFC 1812 4.3.2.7). */
	return (h >> 24) == 0 || (h >> 24) == 127 || (h >> 28) >= 14;
}

static bool icmp4_allowed(const struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip;
	uint32_t hlen;

	if (m->data_len < ETH_HLEN + IP4_HLEN)
		return false;
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, ETH_HLEN);
	hlen = (uint32_t)(ip->version_ihl & 0xf) * 4;
	if (ip4_not_unique(ip->src_addr) || ip4_not_unique(ip->dst_addr))
		return false;
	if (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK))
		return false;
	if (ip->next_proto_id == IPPROTO_ICMP) {
		const struct rte_icmp_hdr *ic;

		if (m->data_len < ETH_HLEN + hlen + 1)
			return false;
		ic = rte_pktmbuf_mtod_offset(m, const struct rte_icmp_hdr *, ETH_HLEN + hlen);
		/* Only queries (echo, timestamp, ...) get errors; errors never do. */
		return ic->icmp_type == RTE_IP_ICMP_ECHO_REQUEST ||
		       ic->icmp_type == RTE_IP_ICMP_ECHO_REPLY ||
		       ic->icmp_type == ICMP4_TIMESTAMP || ic->icmp_type == ICMP4_TIMESTAMP_REPLY;
	}
	return true;
}

static bool ip6_bad_source(const uint8_t a[16])
{
	static const uint8_t zero[15];

	/* Unspecified, loopback, multicast. */
	return a[0] == 0xff || (memcmp(a, zero, 15) == 0 && (a[15] == 0 || a[15] == 1));
}

static bool icmp6_allowed(const struct rte_mbuf *m, enum icmp_kind kind)
{
	const struct rte_ipv6_hdr *ip;

	if (m->data_len < ETH_HLEN + IP6_HLEN)
		return false;
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, ETH_HLEN);
	if (ip6_bad_source(ip->src_addr))
		return false;
	if (ip->dst_addr[0] == 0xff && kind != ICMP_TOO_BIG)
		return false;
	if (ip->proto == IPPROTO_ICMPV6) {
		if (m->data_len < ETH_HLEN + IP6_HLEN + 1)
			return false;
		return *rte_pktmbuf_mtod_offset(m, const uint8_t *, ETH_HLEN + IP6_HLEN) >= 128;
	}
	return true;
}

bool icmp_error_allowed(const struct rte_mbuf *orig, uint8_t family, enum icmp_kind kind)
{
	const struct rte_ether_hdr *eth;

	if (orig->data_len < ETH_HLEN)
		return false;
	eth = rte_pktmbuf_mtod(orig, const struct rte_ether_hdr *);
	/* A packet sent to a link-layer broadcast or multicast gets no error (RFC 1812). */
	if (rte_is_multicast_ether_addr(&eth->dst_addr) && kind != ICMP_TOO_BIG)
		return false;
	if (family == RH_AF_INET)
		return icmp4_allowed(orig);
	if (family == RH_AF_INET6)
		return icmp6_allowed(orig, kind);
	return false;
}

static void icmp_type_code(uint8_t family, enum icmp_kind kind, uint8_t *type, uint8_t *code)
{
	static const uint8_t v4[][2] = {
	        [ICMP_TIME_EXCEEDED] = {ICMP4_TIME_EXCEEDED, 0},
	        [ICMP_NET_UNREACH] = {ICMP4_DEST_UNREACH, 0},
	        [ICMP_HOST_UNREACH] = {ICMP4_DEST_UNREACH, 1},
	        [ICMP_TOO_BIG] = {ICMP4_DEST_UNREACH, 4},
	};
	static const uint8_t v6[][2] = {
	        [ICMP_TIME_EXCEEDED] = {ICMP6_TIME_EXCEEDED, 0},
	        [ICMP_NET_UNREACH] = {ICMP6_DST_UNREACH, 0},
	        [ICMP_HOST_UNREACH] = {ICMP6_DST_UNREACH, 3},
	        [ICMP_TOO_BIG] = {ICMP6_PACKET_TOO_BIG, 0},
	};
	const uint8_t *tc = family == RH_AF_INET ? v4[kind] : v6[kind];

	*type = tc[0];
	*code = tc[1];
}

/* The quoted packet: from orig's IP header on, clipped to what fits in max bytes. */
static uint32_t quote_len(const struct rte_mbuf *orig, uint32_t hdr_len, uint32_t max)
{
	uint32_t have = orig->pkt_len - ETH_HLEN;

	return have + hdr_len > max ? max - hdr_len : have;
}

struct rte_mbuf *icmp_error_build(struct rte_mempool *pool, const struct rte_mbuf *orig,
                                  uint8_t family, enum icmp_kind kind, uint16_t mtu,
                                  const uint8_t src[16])
{
	uint32_t ip_len = family == RH_AF_INET ? IP4_HLEN : IP6_HLEN;
	uint32_t max = family == RH_AF_INET ? ICMP4_MAX_LEN : ICMP6_MAX_LEN;
	uint32_t qlen, l4_len;
	struct rte_ether_hdr *eth;
	struct rte_mbuf *m;
	const void *q;
	uint8_t *icmp;

	if (orig->pkt_len < ETH_HLEN + ip_len || (family != RH_AF_INET && family != RH_AF_INET6))
		return NULL;
	qlen = quote_len(orig, ip_len + ICMP_HLEN, max);
	l4_len = ICMP_HLEN + qlen;
	m = rte_pktmbuf_alloc(pool);
	if (m == NULL)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, (uint16_t)(ETH_HLEN + ip_len + l4_len));
	if (eth == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(eth, 0, ETH_HLEN + ip_len + ICMP_HLEN);
	icmp = (uint8_t *)eth + ETH_HLEN + ip_len;
	icmp_type_code(family, kind, &icmp[0], &icmp[1]);
	if (kind == ICMP_TOO_BIG) {
		/* RFC 1191 4: the next-hop MTU in the low 16 bits; RFC 4443 3.2: a 32-bit MTU. */
		icmp[6] = (uint8_t)(mtu >> 8);
		icmp[7] = (uint8_t)mtu;
	}
	/* rte_pktmbuf_read() returns the data in place, or copied into our buffer when orig
	 * is chained: either way it ends up after the ICMP header. */
	q = rte_pktmbuf_read(orig, ETH_HLEN, qlen, icmp + ICMP_HLEN);
	if (q == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	if (q != icmp + ICMP_HLEN)
		memcpy(icmp + ICMP_HLEN, q, qlen);
	if (family == RH_AF_INET) {
		const struct rte_ipv4_hdr *oip =
		        rte_pktmbuf_mtod_offset(orig, const struct rte_ipv4_hdr *, ETH_HLEN);
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
		uint16_t ck;

		eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(IP4_HLEN + l4_len));
		ip->time_to_live = ICMP_TTL;
		ip->next_proto_id = IPPROTO_ICMP;
		memcpy(&ip->src_addr, src, 4);
		ip->dst_addr = oip->src_addr;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		ck = (uint16_t)~rte_raw_cksum(icmp, l4_len);
		memcpy(icmp + 2, &ck, 2); /* rte_raw_cksum sums in memory order */
	} else {
		const struct rte_ipv6_hdr *oip =
		        rte_pktmbuf_mtod_offset(orig, const struct rte_ipv6_hdr *, ETH_HLEN);
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(eth + 1);
		uint16_t ck;

		eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
		ip->vtc_flow = RTE_BE32(6u << 28);
		ip->payload_len = rte_cpu_to_be_16((uint16_t)l4_len);
		ip->proto = IPPROTO_ICMPV6;
		ip->hop_limits = ICMP_TTL;
		memcpy(ip->src_addr, src, 16);
		memcpy(ip->dst_addr, oip->src_addr, 16);
		ck = rte_ipv6_udptcp_cksum(ip, icmp);
		memcpy(icmp + 2, &ck, 2);
	}
	return m;
}
