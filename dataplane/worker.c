/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker packet path. A burst is handled in two passes so that the FIB is asked once
 * per family per burst:
 *   1. per packet, with the next packets' headers prefetched: Ethernet checks, IP header
 *      validation, own-address and martian checks; a packet still to be routed leaves its
 *      destination in the burst's lookup array;
 *   2. one bulk lookup per family, then per packet: next hop, TTL, MTU, rewrite, TX buffer.
 * Drops are freed in bulk and punts enqueued in bulk at the end of the burst.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_cpuflags.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_jhash.h>
#include <rte_mbuf_dyn.h>
#include <rte_prefetch.h>

#include "worker.h"

#define ETH_HLEN        ((uint32_t)sizeof(struct rte_ether_hdr))
#define IP4_MIN_HLEN    ((uint32_t)sizeof(struct rte_ipv4_hdr))
#define IP6_HLEN        ((uint32_t)sizeof(struct rte_ipv6_hdr))
#define PREFETCH_OFFSET 3
#define FLOW_HASH_SEED  0x5eed1e55u

/* rte_be_to_cpu_16() is an asm statement on x86, which the compiler can neither schedule
 * nor fold into a compare: the hot path uses the builtins. */
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
#define BE16(x) __builtin_bswap16(x)
#define BE32(x) __builtin_bswap32(x)
#else
#define BE16(x) (x)
#define BE32(x) (x)
#endif

_Static_assert(offsetof(struct dp_nh, src_mac) ==
                       offsetof(struct dp_nh, dst_mac) + RTE_ETHER_ADDR_LEN,
               "eth_rewrite() copies both MACs at once");

const char *const dp_drop_names[DP_DROP_MAX] = {
        [DP_DROP_BAD_PORT] = "bad_port",
        [DP_DROP_RUNT] = "runt",
        [DP_DROP_L2_OTHER_HOST] = "l2_other_host",
        [DP_DROP_L2_MCAST_FWD] = "l2_mcast_forward",
        [DP_DROP_VLAN] = "vlan",
        [DP_DROP_ETHERTYPE] = "ethertype",
        [DP_DROP_IP4_TRUNCATED] = "ip4_truncated",
        [DP_DROP_IP4_VERSION] = "ip4_version",
        [DP_DROP_IP4_IHL] = "ip4_ihl",
        [DP_DROP_IP4_LENGTH] = "ip4_length",
        [DP_DROP_IP4_CKSUM] = "ip4_checksum",
        [DP_DROP_IP4_MARTIAN_SRC] = "ip4_martian_src",
        [DP_DROP_IP4_MARTIAN_DST] = "ip4_martian_dst",
        [DP_DROP_IP6_TRUNCATED] = "ip6_truncated",
        [DP_DROP_IP6_VERSION] = "ip6_version",
        [DP_DROP_IP6_LENGTH] = "ip6_length",
        [DP_DROP_IP6_MARTIAN_SRC] = "ip6_martian_src",
        [DP_DROP_IP6_MARTIAN_DST] = "ip6_martian_dst",
        [DP_DROP_BLACKHOLE] = "blackhole",
        [DP_DROP_NH_INVALID] = "next_hop_invalid",
        [DP_DROP_TOO_BIG] = "too_big",
        [DP_DROP_RING_FULL] = "exception_ring_full",
        [DP_DROP_TX_FULL] = "tx_full",
};

const char *const dp_punt_names[DP_PUNT_MAX] = {
        [DP_PUNT_ARP] = "arp",
        [DP_PUNT_LOCAL] = "local",
        [DP_PUNT_IP6_LINK] = "ip6_link_local_multicast",
        [DP_PUNT_NH_LOCAL] = "next_hop_local",
        [DP_PUNT_TTL_EXCEEDED] = "ttl_exceeded",
        [DP_PUNT_NO_ROUTE] = "no_route",
        [DP_PUNT_TOO_BIG] = "too_big",
        [DP_PUNT_NEIGH] = "neighbour_unresolved",
};

int dp_punt_meta_offset = -1;

/* The next hop of a fib value, looked up once per burst while it repeats. */
struct nh_cache {
	uint64_t val;
	const struct dp_nh *nh; /* NULL: not a resolved next hop on a port of ours (or ECMP) */
};

/* What pass 1 leaves for pass 2 and for the end of the burst. */
struct burst {
	uint16_t n4, n6, n_punt, n_neigh, n_free;
	/* Pass 1 forwards a checked group of 8 itself while no IPv4 packet waits for pass 2
	 * (the order of the packets is kept): with a small table read directly (its
	 * first-level entries stay cached). */
	bool fuse;
	struct nh_cache nc;
	uint32_t grp4;     /* bit k: idx4[k..k+3] are a group of 4 common-case packets (pass 1) */
	uint32_t grp4_pad; /* bit k: that group has link-layer padding to trim */
	uint32_t grp4_bytes[DP_BURST]; /* at k: the group's frame bytes */
	uint16_t idx4[DP_BURST];
	uint16_t idx6[DP_BURST];
	uint32_t ip4[DP_BURST]; /* host byte order, as rte_fib takes it */
	uint8_t ip6[DP_BURST][16];
	uint64_t val4[DP_BURST];
	uint32_t ttl4[DP_BURST];  /* grouped: word 2 of the header (TTL, protocol, checksum)
	                           * once the TTL is decremented, from pass 1 */
	uint8_t *data4[DP_BURST]; /* grouped: the frame's first byte, from pass 1 */
	uint64_t val6[DP_BURST];
	uint8_t punt_reason[DP_BURST];
	uint8_t neigh_reason[DP_BURST];
	struct rte_mbuf *punt[DP_BURST];
	struct rte_mbuf *neigh[DP_BURST];
	struct rte_mbuf *free[DP_BURST];
};

int dp_worker_global_init(void)
{
	static const struct rte_mbuf_dynfield desc = {
	        .name = "routehub_dp_punt_meta",
	        .size = sizeof(struct dp_punt_meta),
	        .align = __alignof__(struct dp_punt_meta),
	};
	int off = rte_mbuf_dynfield_register(&desc);

	if (off < 0)
		return -rte_errno;
	dp_punt_meta_offset = off;
	return 0;
}

#if defined(RTE_ARCH_X86) && defined(__SSE4_1__)
static inline void fast8_init(struct dp_fast4 *f); /* worker_fast8.h */
#endif

int dp_worker_init(struct dp_worker *w, const struct dp_fwd_ctx *ctx, unsigned id,
                   uint16_t tx_queue)
{
	if (w == NULL || ctx == NULL || ctx->punt_ring == NULL || ctx->neigh_ring == NULL ||
	    dp_punt_meta_offset < 0)
		return -EINVAL;
	memset(w, 0, sizeof(*w));
	w->ctx = ctx;
	w->id = id;
	w->fast4.port = DP_PORT_NONE;
#if defined(RTE_ARCH_X86) && defined(__SSE4_1__)
	fast8_init(&w->fast4);
#endif
#if defined(RTE_ARCH_X86)
	/* Groups of 8 in AVX2 registers where the CPU has them and EAL allows 256 bits
	 * (--force-max-simd-bitwidth; the call is experimental API in DPDK 22.11). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
	w->group8 = rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX2) > 0 &&
	            rte_vect_get_max_simd_bitwidth() >= RTE_VECT_SIMD_256;
#pragma GCC diagnostic pop
#endif
	w->tx_queue = tx_queue;
	return 0;
}

int dp_worker_add_rxq(struct dp_worker *w, uint16_t port, uint16_t queue)
{
	if (port >= RTE_MAX_ETHPORTS || w->ctx->port_of_eth[port] == DP_PORT_NONE)
		return -EINVAL;
	if (w->n_rxq == DP_WORKER_MAX_RXQ)
		return -ENOSPC;
	w->rxq[w->n_rxq].port = port;
	w->rxq[w->n_rxq].queue = queue;
	w->n_rxq++;
	return 0;
}

uint64_t dp_worker_stats_accounted(const struct dp_worker_stats *st)
{
	uint64_t sum = st->fwd_pkts;
	unsigned i;

	for (i = 0; i < DP_DROP_MAX; i++)
		sum += st->drop[i];
	for (i = 0; i < DP_PUNT_MAX; i++)
		sum += st->punt[i];
	return sum;
}

/*
 * drop() and punt() take the packet out of the burst; they return 0 so that a check reads
 * "return drop(...);" in the int-returning input functions (whose result is not used).
 */
static inline int drop(struct dp_worker *w, struct burst *b, struct rte_mbuf *m, enum dp_drop r)
{
	w->stats.drop[r]++;
	b->free[b->n_free++] = m;
	return 0;
}

static inline int punt(struct burst *b, struct rte_mbuf *m, enum dp_punt r, uint8_t family,
                       uint32_t nh_id, uint16_t mtu)
{
	struct dp_punt_meta *meta = dp_punt_meta(m);

	meta->nh_id = nh_id;
	meta->mtu = mtu;
	meta->reason = (uint8_t)r;
	meta->family = family;
	if (r == DP_PUNT_NEIGH) {
		b->neigh_reason[b->n_neigh] = (uint8_t)r;
		b->neigh[b->n_neigh++] = m;
	} else {
		b->punt_reason[b->n_punt] = (uint8_t)r;
		b->punt[b->n_punt++] = m;
	}
	return 0;
}

/*
 * Mixes a 32-bit hash (murmur3's finaliser). The NIC picks the RX queue from the low bits
 * of the RSS hash, so all the packets one worker sees share those bits; a FIB choosing
 * the ECMP member by hash modulo would then send them all to one member.
 */
static inline uint32_t hash_mix(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

static inline bool l4_has_ports(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP;
}

/* The ECMP hash of an IPv4 packet: the RSS hash, else the 5-tuple (2-tuple for fragments). */
static uint32_t flow_hash4(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip)
{
	uint32_t hlen = (uint32_t)(ip->version_ihl & 0xf) * 4;
	uint32_t ports = 0;

	if (m->ol_flags & RTE_MBUF_F_RX_RSS_HASH)
		return hash_mix(m->hash.rss);
	/* Only an unfragmented packet has its ports: a flow's fragments must share a path. */
	if ((ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) ==
	            0 &&
	    l4_has_ports(ip->next_proto_id) && m->data_len >= ETH_HLEN + hlen + 4)
		memcpy(&ports, (const uint8_t *)ip + hlen, 4);
	return rte_jhash_3words(ip->src_addr, ip->dst_addr, ports ^ ip->next_proto_id,
	                        FLOW_HASH_SEED);
}

static inline uint32_t addr6_fold(const uint8_t a[16])
{
	uint64_t hi, lo;

	memcpy(&hi, a, 8);
	memcpy(&lo, a + 8, 8);
	hi ^= lo;
	return (uint32_t)hi ^ (uint32_t)(hi >> 32);
}

/* The ECMP hash of an IPv6 packet: the RSS hash, else addresses, flow label and ports. */
static uint32_t flow_hash6(const struct rte_mbuf *m, const struct rte_ipv6_hdr *ip)
{
	uint32_t extra = ip->proto ^ (ip->vtc_flow & RTE_BE32(RTE_IPV6_HDR_FL_MASK));
	uint32_t ports = 0;

	if (m->ol_flags & RTE_MBUF_F_RX_RSS_HASH)
		return hash_mix(m->hash.rss);
	if (l4_has_ports(ip->proto) && m->data_len >= ETH_HLEN + IP6_HLEN + 4)
		memcpy(&ports, (const uint8_t *)ip + IP6_HLEN, 4);
	return rte_jhash_3words(addr6_fold(ip->src_addr), addr6_fold(ip->dst_addr), ports ^ extra,
	                        FLOW_HASH_SEED);
}

/*
 * True when a 20-byte header's one's complement sum is 0xffff (RFC 1071 section 2: the sum
 * may be taken over 32-bit words and folded, in either byte order; 0xffff reads the same
 * both ways). Five 32-bit adds instead of rte_raw_cksum()'s loop over 16-bit words.
 */
static inline bool ip4_hdr20_ok(const struct rte_ipv4_hdr *ip)
{
	uint32_t w[5];
	uint64_t sum;

	memcpy(w, ip, sizeof(w));
	sum = (uint64_t)w[0] + w[1] + w[2] + w[3] + w[4];
	/* Folding keeps the value modulo 0xffff and yields 0 only for a zero sum: the
	 * folded sum is 0xffff exactly when sum is a non-zero multiple of 0xffff. */
	return sum != 0 && sum % 0xffff == 0;
}

/*
 * RFC 1812 5.2.2: trust the NIC's verdict when it gave one; else verify in software. A
 * header whose one's complement sum, checksum included, is 0xffff is intact (RFC 1071).
 */
static inline bool ip4_cksum_ok(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
                                uint32_t hlen)
{
	switch (m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) {
	case RTE_MBUF_F_RX_IP_CKSUM_GOOD:
	case RTE_MBUF_F_RX_IP_CKSUM_NONE:
		return true;
	case RTE_MBUF_F_RX_IP_CKSUM_BAD:
		return false;
	default:
		return likely(hlen == IP4_MIN_HLEN) ? ip4_hdr20_ok(ip)
		                                    : rte_raw_cksum(ip, hlen) == 0xffff;
	}
}

/*
 * RFC 1812 5.3.7: not forwarded from or to 0/8 and 127/8; class D and E are neither valid
 * sources nor (this appliance routes no multicast) destinations; 255.255.255.255 is in E.
 */
static inline bool ip4_martian(rte_be32_t a)
{
	uint8_t first;

	memcpy(&first, &a, 1); /* network order: the first octet comes first */
	/* 0 wraps to 255: one unsigned compare covers 0/8 and 224/3. */
	return (uint8_t)(first - 1) >= 223 || first == 127;
}

/* Pass 1 for IPv4: RFC 1812 5.2.2 header validation, then what needs no route. */
static int ip4_input(struct dp_worker *w, struct burst *b, struct rte_mbuf *m, uint16_t i,
                     bool l2_mcast)
{
	const struct rte_ipv4_hdr *ip;
	uint32_t hlen, tot;

	/* The link layer must carry at least a minimal header (5.2.2 (1)). */
	if (unlikely(m->data_len < ETH_HLEN + IP4_MIN_HLEN))
		return drop(w, b, m, DP_DROP_IP4_TRUNCATED);
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, ETH_HLEN);
	if (unlikely((ip->version_ihl >> 4) != 4)) /* 5.2.2 (3) */
		return drop(w, b, m, DP_DROP_IP4_VERSION);
	hlen = (uint32_t)(ip->version_ihl & 0xf) * 4;
	if (unlikely(hlen < IP4_MIN_HLEN)) /* 5.2.2 (4) */
		return drop(w, b, m, DP_DROP_IP4_IHL);
	if (unlikely(ETH_HLEN + hlen > m->data_len)) /* options past the first segment */
		return drop(w, b, m, DP_DROP_IP4_TRUNCATED);
	tot = rte_be_to_cpu_16(ip->total_length);
	if (unlikely(tot < hlen || tot > m->pkt_len - ETH_HLEN)) /* 5.2.2 (5) */
		return drop(w, b, m, DP_DROP_IP4_LENGTH);
	if (unlikely(!ip4_cksum_ok(m, ip, hlen))) /* 5.2.2 (2) */
		return drop(w, b, m, DP_DROP_IP4_CKSUM);
	/* Traffic to the appliance goes to the kernel, whatever its TTL (eBGP sends TTL 1). */
	if (unlikely(dp_local_has4(&w->ctx->local, ip->dst_addr)))
		return punt(b, m, DP_PUNT_LOCAL, RH_AF_INET, 0, 0);
	if (unlikely((int)ip4_martian(ip->src_addr) | (int)ip4_martian(ip->dst_addr)))
		return drop(w, b, m,
		            ip4_martian(ip->src_addr) ? DP_DROP_IP4_MARTIAN_SRC
		                                      : DP_DROP_IP4_MARTIAN_DST);
	/* 5.3.4: a unicast IP packet received as a link-layer broadcast is not forwarded. */
	if (unlikely(l2_mcast))
		return drop(w, b, m, DP_DROP_L2_MCAST_FWD);
	b->idx4[b->n4] = i;
	b->ip4[b->n4++] = rte_be_to_cpu_32(ip->dst_addr);
	return 0;
}

static inline bool ip6_is_loopback_or_unspec(const uint8_t a[16])
{
	uint64_t hi, lo;

	memcpy(&hi, a, 8);
	memcpy(&lo, a + 8, 8);
	return hi == 0 && (lo == 0 || lo == RTE_BE64(1));
}

/* RFC 4291 2.5.6: link-local fe80::/10; 2.7: multicast ff00::/8. */
static inline bool ip6_is_link_scope(const uint8_t a[16])
{
	return a[0] == 0xff || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80);
}

/* Pass 1 for IPv6: RFC 8200 section 3 header checks, then what needs no route. */
static int ip6_input(struct dp_worker *w, struct burst *b, struct rte_mbuf *m, uint16_t i,
                     bool l2_mcast)
{
	const struct rte_ipv6_hdr *ip;
	uint32_t plen;

	if (unlikely(m->data_len < ETH_HLEN + IP6_HLEN))
		return drop(w, b, m, DP_DROP_IP6_TRUNCATED);
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, ETH_HLEN);
	if (unlikely((rte_be_to_cpu_32(ip->vtc_flow) >> 28) != 6))
		return drop(w, b, m, DP_DROP_IP6_VERSION);
	plen = rte_be_to_cpu_16(ip->payload_len);
	/* A payload length of 0 with a hop-by-hop header is a jumbogram (RFC 2675): no. */
	if (unlikely(IP6_HLEN + plen > m->pkt_len - ETH_HLEN || (plen == 0 && ip->proto == 0)))
		return drop(w, b, m, DP_DROP_IP6_LENGTH);
	/* ND, router solicitations and the like are the kernel's, and never forwarded. */
	if (unlikely(ip6_is_link_scope(ip->dst_addr)))
		return punt(b, m, DP_PUNT_IP6_LINK, RH_AF_INET6, 0, 0);
	if (unlikely(dp_local_has6(&w->ctx->local, ip->dst_addr)))
		return punt(b, m, DP_PUNT_LOCAL, RH_AF_INET6, 0, 0);
	/* RFC 4291 2.5.2, 2.5.3, 2.5.6, 2.7: never forwarded from these. */
	if (unlikely(ip6_is_link_scope(ip->src_addr) || ip6_is_loopback_or_unspec(ip->src_addr)))
		return drop(w, b, m, DP_DROP_IP6_MARTIAN_SRC);
	if (unlikely(ip6_is_loopback_or_unspec(ip->dst_addr)))
		return drop(w, b, m, DP_DROP_IP6_MARTIAN_DST);
	if (unlikely(l2_mcast))
		return drop(w, b, m, DP_DROP_L2_MCAST_FWD);
	b->idx6[b->n6] = i;
	memcpy(b->ip6[b->n6++], ip->dst_addr, 16);
	return 0;
}

/*
 * Pass 1's fast path: a frame to the input port's MAC, untagged, carrying IPv4 with a
 * 20-byte header, a consistent total length and a right checksum, to an address neither
 * the appliance's own nor martian: the common transit packet, checked in a few loads and
 * compares. It returns false for anything else, which l2_input() then examines in full
 * and in the order of RFC 1812 5.2.2 (so the two paths always agree on a packet they
 * both take, and only l2_input() drops or punts).
 */
static inline bool ip4_fast_input(const struct dp_fwd_ctx *ctx, const struct rte_mbuf *m,
                                  uint8_t port, uint32_t *dst)
{
	/* Ethertype IPv4 and version 4, IHL 5: bytes 12..14 of the frame. */
	static const uint8_t want_b[4] = {0x08, 0x00, 0x45, 0x00}, mask_b[4] = {0xff, 0xff, 0xff};
	static const uint8_t mac_mask_b[8] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(p + ETH_HLEN);
	uint32_t want, mask, w12, tot;
	uint64_t mac, mac_mask, cks;

	if (unlikely(m->data_len < ETH_HLEN + IP4_MIN_HLEN))
		return false;
	memcpy(&want, want_b, 4);
	memcpy(&mask, mask_b, 4);
	memcpy(&mac_mask, mac_mask_b, 8);
	memcpy(&mac, p, 8); /* the destination MAC and 2 bytes of the source's */
	memcpy(&w12, p + 12, 4);
	if (unlikely(((mac ^ ctx->port[port].mac64) & mac_mask) != 0 || (w12 & mask) != want))
		return false;
	cks = m->ol_flags & (RTE_MBUF_F_RX_IP_CKSUM_MASK | RTE_MBUF_F_RX_VLAN_STRIPPED);
	if (likely(cks == RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN)) {
		if (unlikely(!ip4_hdr20_ok(ip)))
			return false;
	} else if (cks != RTE_MBUF_F_RX_IP_CKSUM_GOOD && cks != RTE_MBUF_F_RX_IP_CKSUM_NONE) {
		return false; /* BAD, or a stripped VLAN tag */
	}
	tot = BE16(ip->total_length);
	if (unlikely(tot < IP4_MIN_HLEN || tot > m->pkt_len - ETH_HLEN ||
	             dp_local_has4(&ctx->local, ip->dst_addr) ||
	             ((int)ip4_martian(ip->src_addr) | (int)ip4_martian(ip->dst_addr))))
		return false;
	*dst = BE32(ip->dst_addr);
	return true;
}

static void tx_flush_port(struct dp_worker *w, uint16_t port);

/* The next hop of raw value v when it is a resolved one on a port of ours, not an ECMP
 * group; else NULL. */
static inline const struct dp_nh *nh_cached(struct dp_worker *w, struct nh_cache *c, uint64_t v)
{
	if (unlikely(v != c->val)) {
		const struct dp_fwd_ctx *ctx = w->ctx;
		const struct dp_nh *nh = NULL;

		if ((v & dp_fib_view(ctx->fib)->gbit) == 0)
			nh = dp_fib_raw_nh(ctx->fib, v, 0);
		if (nh != NULL && (nh->state != DP_NH_RESOLVED || nh->port >= ctx->n_ports ||
		                   !ctx->port[nh->port].enabled))
			nh = NULL;
		c->val = v;
		c->nh = nh;
	}
	return c->nh;
}

/* Buffers n (<= DP_BURST) packets, already rewritten, of `bytes` frame bytes for port:
 * what is buffered is sent first when they would not fit (a group is never split), and
 * the buffer when it is full. */
static inline void tx_put(struct dp_worker *w, uint16_t port, struct rte_mbuf *const *pk,
                          unsigned n, uint64_t bytes)
{
	struct dp_txbuf *t = &w->tx[port];

	if (unlikely(t->n > DP_BURST - n))
		tx_flush_port(w, port);
	memcpy(&t->pkts[t->n], pk, n * sizeof(pk[0]));
	t->n = (uint16_t)(t->n + n);
	t->bytes += bytes;
	if (t->n == DP_BURST)
		tx_flush_port(w, port);
}

/* Rewrites four IPv4 frames p[0..3] for next hop nh: the MACs, and word 2 of the header
 * (TTL, protocol, checksum) from w2[] (ip4_dec_ttl() of each, computed in pass 1). */
static inline void ip4_rewrite4(uint8_t *const p[4], const uint32_t w2[4], const struct dp_nh *nh)
{
	const size_t o = ETH_HLEN + offsetof(struct rte_ipv4_hdr, time_to_live);
	uint64_t macs_lo;
	uint32_t macs_hi;

	memcpy(&macs_lo, &nh->dst_mac, 8);
	memcpy(&macs_hi, (const uint8_t *)&nh->dst_mac + 8, 4);
#pragma GCC unroll 4
	for (unsigned j = 0; j < 4; j++) {
		memcpy(p[j] + o, &w2[j], 4);
		memcpy(p[j], &macs_lo, 8);
		memcpy(p[j] + 8, &macs_hi, 4);
	}
}

#include "worker_fast4.h"
#include "worker_fast8.h"

/* Pass 1: the Ethernet header, then the network layer's own checks. port: the input
 * port's index, already checked and counted. */
static int l2_input(struct dp_worker *w, struct burst *b, struct rte_mbuf *m, uint16_t i,
                    uint8_t port)
{
	const struct dp_fwd_ctx *ctx = w->ctx;
	const struct rte_ether_hdr *eth;
	bool l2_mcast = false;

	if (unlikely(m->data_len < ETH_HLEN))
		return drop(w, b, m, DP_DROP_RUNT);
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (unlikely(!rte_is_same_ether_addr(&eth->dst_addr, &ctx->port[port].mac))) {
		/* The group bit covers broadcast too. */
		if (!rte_is_multicast_ether_addr(&eth->dst_addr))
			return drop(w, b, m, DP_DROP_L2_OTHER_HOST);
		l2_mcast = true;
	}
	/* A tag the NIC stripped is still a tag: VLANs are not supported. */
	if (unlikely(m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED))
		return drop(w, b, m, DP_DROP_VLAN);
	switch (eth->ether_type) {
	case RTE_BE16(RTE_ETHER_TYPE_IPV4):
		return ip4_input(w, b, m, i, l2_mcast);
	case RTE_BE16(RTE_ETHER_TYPE_IPV6):
		return ip6_input(w, b, m, i, l2_mcast);
	case RTE_BE16(RTE_ETHER_TYPE_ARP):
		return punt(b, m, DP_PUNT_ARP, 0, 0, 0);
	case RTE_BE16(RTE_ETHER_TYPE_VLAN):
	case RTE_BE16(RTE_ETHER_TYPE_QINQ):
	case RTE_BE16(RTE_ETHER_TYPE_QINQ1):
		return drop(w, b, m, DP_DROP_VLAN);
	default:
		return drop(w, b, m, DP_DROP_ETHERTYPE);
	}
}

static void tx_flush_port(struct dp_worker *w, uint16_t port)
{
	struct dp_txbuf *t = &w->tx[port];
	uint64_t bytes = t->bytes;
	uint16_t sent, i;

	sent = rte_eth_tx_burst(w->ctx->port[port].eth_port, w->tx_queue, t->pkts, t->n);
	if (unlikely(sent < t->n)) {
		/* Only the packets the driver refused are still ours to read. */
		for (i = sent; i < t->n; i++)
			bytes -= t->pkts[i]->pkt_len;
		w->stats.drop[DP_DROP_TX_FULL] += t->n - sent;
		rte_pktmbuf_free_bulk(&t->pkts[sent], t->n - sent);
	}
	w->stats.fwd_pkts += sent;
	w->stats.port[port].tx_pkts += sent;
	w->stats.port[port].tx_bytes += bytes;
	t->n = 0;
	t->bytes = 0;
}

static inline void tx_enqueue(struct dp_worker *w, uint16_t port, struct rte_mbuf *m)
{
	tx_put(w, port, &m, 1, m->pkt_len);
}

void dp_worker_flush(struct dp_worker *w)
{
	uint16_t port;

	for (port = 0; port < w->ctx->n_ports; port++)
		if (w->tx[port].n > 0)
			tx_flush_port(w, port);
}

/*
 * Pass 2, common to both families: the next hop of a lookup result, or NULL when the
 * packet was punted or dropped instead. ttl is the packet's TTL or hop limit.
 */
static const struct dp_nh *route_nh_slow(struct dp_worker *w, struct burst *b, struct rte_mbuf *m,
                                         const struct dp_nh *nh, uint8_t family,
                                         uint8_t ttl) __rte_noinline;
static const struct dp_nh *route_nh_slow(struct dp_worker *w, struct burst *b, struct rte_mbuf *m,
                                         const struct dp_nh *nh, uint8_t family, uint8_t ttl)
{
	const struct dp_fwd_ctx *ctx = w->ctx;

	if (unlikely(nh == NULL)) {
		punt(b, m, DP_PUNT_NO_ROUTE, family, 0, 0);
		return NULL;
	}
	switch (nh->state) {
	case DP_NH_RESOLVED:
	case DP_NH_INCOMPLETE:
		break;
	case DP_NH_LOCAL:
		punt(b, m, DP_PUNT_NH_LOCAL, family, nh->id, 0);
		return NULL;
	case DP_NH_BLACKHOLE:
		drop(w, b, m, DP_DROP_BLACKHOLE);
		return NULL;
	default:
		drop(w, b, m, DP_DROP_NH_INVALID);
		return NULL;
	}
	/* RFC 1812 5.3.1: a packet to be forwarded with TTL 0 or 1 expires here. */
	if (unlikely(ttl <= 1)) {
		punt(b, m, DP_PUNT_TTL_EXCEEDED, family, 0, 0);
		return NULL;
	}
	if (unlikely(nh->state == DP_NH_INCOMPLETE)) {
		punt(b, m, DP_PUNT_NEIGH, family, nh->id, 0);
		return NULL;
	}
	if (unlikely(nh->port >= ctx->n_ports || !ctx->port[nh->port].enabled)) {
		drop(w, b, m, DP_DROP_NH_INVALID);
		return NULL;
	}
	return nh;
}

/* The common case first: a resolved next hop on a port of ours and a TTL to spare; the
 * rest, in the order of the checks above, in route_nh_slow(). */
static inline const struct dp_nh *route_nh(struct dp_worker *w, struct burst *b, struct rte_mbuf *m,
                                           uint64_t val, uint32_t hash, uint8_t family, uint8_t ttl)
{
	const struct dp_fwd_ctx *ctx = w->ctx;
	const struct dp_nh *nh;

	nh = dp_fib_raw_nh(ctx->fib, val, hash);
	if (likely(nh != NULL && nh->state == DP_NH_RESOLVED && ttl > 1 &&
	           nh->port < ctx->n_ports && ctx->port[nh->port].enabled))
		return nh;
	return route_nh_slow(w, b, m, nh, family, ttl);
}

/*
 * Link-layer padding (a short frame's, or trailing bytes past the IP length) is not part
 * of the datagram (RFC 1812 5.2.2): what leaves is exactly the IP packet. The padding
 * sits in the last segment, which is all rte_pktmbuf_trim() can shorten; a chain whose
 * last segment is shorter than the padding keeps it.
 */
static inline void trim_padding(struct rte_mbuf *m, uint32_t l3_len)
{
	uint32_t pad = m->pkt_len - ETH_HLEN - l3_len; /* pass 1 checked l3_len fits */

	if (unlikely(pad != 0) && pad <= UINT16_MAX)
		rte_pktmbuf_trim(m, (uint16_t)pad);
}

static inline void eth_rewrite(struct rte_mbuf *m, const struct dp_nh *nh)
{
	/* dst_mac and src_mac are adjacent in struct dp_nh as in the Ethernet header. */
	memcpy(rte_pktmbuf_mtod(m, struct rte_ether_hdr *), &nh->dst_mac, 2 * RTE_ETHER_ADDR_LEN);
}

/*
 * Decrements the TTL and updates the checksum incrementally (RFC 1624 eqn. 3:
 * HC' = ~(~HC + ~m + m'), m being the 16-bit word holding TTL and protocol), which stays
 * right where the RFC 1141 shortcut gets 0x0000/0xffff wrong.
 */
static inline void ip4_dec_ttl(struct rte_ipv4_hdr *ip)
{
	/* With m' = m - 0x100 (TTL >= 2: no borrow), ~m + m' is 0xfeff whatever m is, so
	 * HC' = ~(~HC + 0xfeff) with one end-around carry; done on the header's bytes as
	 * they are (one's complement sums commute with byte swapping, RFC 1071 2(B)).
	 * On a little-endian host the raw checksum c then becomes c + 1, except 0xfffe -> 0
	 * and 0xffff -> 1 (i.e. (c + 1) mod 0xffff): in the 32-bit word of TTL, protocol
	 * and checksum, TTL - 1 and that in one add. */
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	uint32_t x;

	memcpy(&x, &ip->time_to_live, 4);
	x += 0xffffu + ((uint32_t)(x >= 0xfffe0000u) << 16);
	memcpy(&ip->time_to_live, &x, 4);
#else
	uint32_t sum = (uint16_t)~ip->hdr_checksum + (uint32_t)RTE_BE16(0xfeff);

	sum = (sum & 0xffff) + (sum >> 16);
	ip->hdr_checksum = (uint16_t)~sum;
	ip->time_to_live--;
#endif
}

static int ip4_forward(struct dp_worker *w, struct burst *b, struct rte_mbuf *m, uint64_t val)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, ETH_HLEN);
	uint32_t hash = dp_fib_raw_is_group(w->ctx->fib, val) ? flow_hash4(m, ip) : 0;
	const struct dp_nh *nh;
	uint16_t mtu;

	nh = route_nh(w, b, m, val, hash, RH_AF_INET, ip->time_to_live);
	if (nh == NULL)
		return 0;
	mtu = w->ctx->port[nh->port].mtu;
	if (unlikely(BE16(ip->total_length) > mtu)) {
		/* RFC 1812 5.2.6 / RFC 1191: DF asks for "fragmentation needed"; else we would
		 * have to fragment, which this path does not do. */
		if (ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_DF_FLAG))
			return punt(b, m, DP_PUNT_TOO_BIG, RH_AF_INET, nh->id, mtu);
		return drop(w, b, m, DP_DROP_TOO_BIG);
	}
	trim_padding(m, BE16(ip->total_length));
	ip4_dec_ttl(ip);
	eth_rewrite(m, nh);
	tx_enqueue(w, nh->port, m);
	return 0;
}

/*
 * Pass 2 for a group of 4 that pass 1 found common: when the four have one route to one
 * resolved next hop (no ECMP), TTLs to spare and a size within the port's MTU, they are
 * rewritten and queued together. false leaves them untouched, for ip4_forward().
 */
static inline bool ip4_forward_group(struct dp_worker *w, struct burst *b, struct rte_mbuf **pkts,
                                     uint16_t k, bool direct)
{
	struct rte_mbuf **pk = &pkts[b->idx4[k]]; /* pass 1 queued the four in a row */
	const struct dp_nh *nh;
	uint64_t v, bytes;
	unsigned j;

	/* One route for the four: read from the table here when it can be (direct), else
	 * the burst's bulk lookup gave the values. */
	if (direct) {
		if (!dp_fib_lookup4_same4(dp_fib_view(w->ctx->fib), &b->ip4[k], &v))
			return false;
	} else {
		v = b->val4[k];
		if (((v ^ b->val4[k + 1]) | (v ^ b->val4[k + 2]) | (v ^ b->val4[k + 3])) != 0)
			return false;
	}
	nh = nh_cached(w, &b->nc, v);
	if (unlikely(nh == NULL))
		return false;
	/* Pass 1 checked the TTLs and that the four fit every port's MTU, and computed their
	 * new TTL words. */
	ip4_rewrite4(&b->data4[k], &b->ttl4[k], nh);
	if (unlikely((b->grp4_pad >> k) & 1)) {
		bytes = 0;
		for (j = 0; j < 4; j++) {
			trim_padding(pk[j], BE16(rte_pktmbuf_mtod_offset(
			                                 pk[j], struct rte_ipv4_hdr *, ETH_HLEN)
			                                 ->total_length));
			bytes += pk[j]->pkt_len;
		}
	} else {
		bytes = b->grp4_bytes[k];
	}
	tx_put(w, nh->port, pk, 4, bytes);
	return true;
}

static int ip6_forward(struct dp_worker *w, struct burst *b, struct rte_mbuf *m, uint64_t val)
{
	struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, ETH_HLEN);
	uint32_t hash = dp_fib_raw_is_group(w->ctx->fib, val) ? flow_hash6(m, ip) : 0;
	const struct dp_nh *nh;
	uint16_t mtu;

	nh = route_nh(w, b, m, val, hash, RH_AF_INET6, ip->hop_limits);
	if (nh == NULL)
		return 0;
	mtu = w->ctx->port[nh->port].mtu;
	/* RFC 8200 section 5: routers never fragment; the source learns by ICMPv6. */
	if (unlikely(IP6_HLEN + rte_be_to_cpu_16(ip->payload_len) > mtu))
		return punt(b, m, DP_PUNT_TOO_BIG, RH_AF_INET6, nh->id, mtu);
	trim_padding(m, IP6_HLEN + rte_be_to_cpu_16(ip->payload_len));
	ip->hop_limits--;
	eth_rewrite(m, nh);
	tx_enqueue(w, nh->port, m);
	return 0;
}

/* Hands punted packets to a ring; what does not fit is dropped, never leaked. */
static void ring_out(struct dp_worker *w, struct rte_ring *r, struct rte_mbuf **pkts,
                     const uint8_t *reasons, uint16_t n)
{
	unsigned ok, i;

	if (n == 0)
		return;
	ok = rte_ring_enqueue_burst(r, (void **)pkts, n, NULL);
	/* Count from our copy of the reasons: the enqueued mbufs belong to the consumer now. */
	for (i = 0; i < ok; i++)
		w->stats.punt[reasons[i]]++;
	if (unlikely(ok < n)) {
		w->stats.drop[DP_DROP_RING_FULL] += n - ok;
		rte_pktmbuf_free_bulk(&pkts[ok], n - ok);
	}
}

/* The input port's counters of the packets of a burst so far. */
struct rx_acc {
	uint16_t eth_port; /* ethdev port id of the current run; UINT16_MAX: none */
	uint8_t port;      /* its index, or DP_PORT_NONE */
	uint64_t pkts, bytes;
};

/* Adds the current run's counts and starts a run on ethdev port eth_port. */
static inline void rx_switch(struct dp_worker *w, struct rx_acc *rx, uint16_t eth_port)
{
	if (rx->port != DP_PORT_NONE) {
		w->stats.port[rx->port].rx_pkts += rx->pkts;
		w->stats.port[rx->port].rx_bytes += rx->bytes;
	}
	rx->eth_port = eth_port;
	rx->port = eth_port < RTE_MAX_ETHPORTS ? w->ctx->port_of_eth[eth_port] : DP_PORT_NONE;
	rx->pkts = 0;
	rx->bytes = 0;
}

/* Pass 1 for one packet of port rx->port (counted by the caller): the common case, else
 * the full examination. */
static inline void input_classify(struct dp_worker *w, struct burst *b, struct rte_mbuf *m,
                                  uint16_t i, uint8_t port)
{
	if (likely(ip4_fast_input(w->ctx, m, port, &b->ip4[b->n4])))
		b->idx4[b->n4++] = i;
	else
		l2_input(w, b, m, i, port);
}

static inline void input_one(struct dp_worker *w, struct burst *b, struct rx_acc *rx,
                             struct rte_mbuf *m, uint16_t i)
{
	/* A burst comes from one queue of one port: the input port's counters are added once
	 * per run of packets of one port, not once per packet. */
	if (unlikely(m->port != rx->eth_port))
		rx_switch(w, rx, m->port);
	if (unlikely(rx->port == DP_PORT_NONE)) {
		drop(w, b, m, DP_DROP_BAD_PORT);
		return;
	}
	rx->pkts++;
	rx->bytes += m->pkt_len;
	input_classify(w, b, m, i, rx->port);
}

/* Starts fetching a received packet's headers: where a receive puts them (data_off is
 * RTE_PKTMBUF_HEADROOM then), without reading data_off; a prefetch elsewhere is harmless. */
static inline void prefetch_hdr(const struct rte_mbuf *m)
{
	rte_prefetch0((const uint8_t *)m->buf_addr + RTE_PKTMBUF_HEADROOM);
}

#define INPUT_NAME   input_burst_sse
#define INPUT_ATTR   inline
#define INPUT_GROUP8 0
#include "worker_input.h"

#if defined(RTE_ARCH_X86) && defined(__SSE4_1__)
#define INPUT_NAME   input_burst_avx2
#define INPUT_ATTR   DP_AVX2
#define INPUT_GROUP8 1
#include "worker_input.h"
#endif

static void input_burst(struct dp_worker *w, struct burst *b, struct rte_mbuf **pkts, uint16_t n)
{
#if defined(RTE_ARCH_X86) && defined(__SSE4_1__)
	if (w->group8) {
		input_burst_avx2(w, b, pkts, n);
		return;
	}
#endif
	input_burst_sse(w, b, pkts, n);
}

static void process_chunk(struct dp_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	struct dp_fib *fib = w->ctx->fib;
	/* With the table's first level read directly, a group of 4 is looked up where it is
	 * forwarded, and the rest as they come; else one bulk lookup for the burst. */
	const bool direct = dp_fib_view_same4_ok(dp_fib_view(fib));
	struct burst b;
	uint16_t i, end;

	b.n4 = b.n6 = b.n_punt = b.n_neigh = b.n_free = 0;
	b.grp4 = b.grp4_pad = 0;
	b.nc.val = DP_FIB_NONE; /* whose next hop is none */
	b.nc.nh = NULL;
	b.fuse = direct && __atomic_load_n(&dp_fib_view(fib)->prefetch24, __ATOMIC_RELAXED) == NULL;
	w->stats.in_pkts += n;
	input_burst(w, &b, pkts, n);
	if (b.n4 > 0 && !direct)
		dp_fib_lookup4_fast(fib, b.ip4, b.val4, b.n4);
	if (b.n6 > 0)
		dp_fib_lookup6_raw(fib, b.ip6, b.val6, b.n6);
	for (i = 0; i < b.n4;) {
		if (((b.grp4 >> i) & 1) != 0) {
			if (ip4_forward_group(w, &b, pkts, i, direct)) {
				i = (uint16_t)(i + 4);
				continue;
			}
			end = (uint16_t)(i + 4);
		} else {
			end = (uint16_t)(i + 1);
		}
		if (direct)
			dp_fib_lookup4_fast(fib, &b.ip4[i], &b.val4[i], (unsigned)(end - i));
		for (; i < end; i++)
			ip4_forward(w, &b, pkts[b.idx4[i]], b.val4[i]);
	}
	for (i = 0; i < b.n6; i++)
		ip6_forward(w, &b, pkts[b.idx6[i]], b.val6[i]);
	if (unlikely(b.n_punt > 0))
		ring_out(w, w->ctx->punt_ring, b.punt, b.punt_reason, b.n_punt);
	if (unlikely(b.n_neigh > 0))
		ring_out(w, w->ctx->neigh_ring, b.neigh, b.neigh_reason, b.n_neigh);
	if (b.n_free > 0)
		rte_pktmbuf_free_bulk(b.free, b.n_free);
}

void dp_worker_process_burst(struct dp_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t done, len;

	for (done = 0; done < n; done += len) {
		len = RTE_MIN((uint16_t)(n - done), (uint16_t)DP_BURST);
		process_chunk(w, pkts + done, len);
	}
}

int dp_worker_main(void *arg)
{
	struct dp_worker *w = arg;
	struct rte_mbuf *pkts[DP_BURST];
	struct dp_fib *fib = w->ctx->fib;
	unsigned iter = 0;
	uint16_t q, n;
	int rc;

	/* A worker the FIB cannot track would read entries freed under it: refuse to run. */
	rc = dp_fib_reader_register(fib, w->id);
	if (rc < 0)
		return rc;
	while (!__atomic_load_n(&w->stop, __ATOMIC_RELAXED)) {
		for (q = 0; q < w->n_rxq; q++) {
			n = rte_eth_rx_burst(w->rxq[q].port, w->rxq[q].queue, pkts, DP_BURST);
			if (n > 0)
				process_chunk(w, pkts, n);
		}
		dp_worker_flush(w);
		/* Quiescent: this worker holds no FIB pointer between two iterations. */
		if (++iter % DP_QSBR_INTERVAL == 0)
			dp_fib_quiescent(fib, w->id);
	}
	dp_worker_flush(w);
	dp_fib_quiescent(fib, w->id);
	return 0;
}

void dp_worker_stop(struct dp_worker *w)
{
	__atomic_store_n(&w->stop, true, __ATOMIC_RELAXED);
}
