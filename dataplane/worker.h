/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker packet path: the run-to-completion hot path of the dataplane.
 *
 * A worker lcore polls its RX queues in bursts of DP_BURST, validates each packet
 * (RFC 1812 section 5.2.2 for IPv4, RFC 8200 for IPv6), looks the destinations of the
 * whole burst up in the FIB in one bulk call per family, rewrites the Ethernet header from
 * the next hop, decrements the TTL / hop limit and buffers the packet for transmission on
 * the output port's TX queue of this worker.
 *
 * Every packet that enters dp_worker_process_burst() ends in exactly one of three places,
 * and is counted there:
 *   - forwarded: handed to the driver by rte_eth_tx_burst() (stats.fwd_pkts);
 *   - dropped: freed, counted in stats.drop[reason] (one named reason per cause);
 *   - exception path: enqueued to the punt ring or the neighbour ring with a reason in its
 *     struct dp_punt_meta, counted in stats.punt[reason].
 * Once the TX buffers are flushed (dp_worker_flush()), in_pkts = fwd_pkts + sum(drop) +
 * sum(punt) holds exactly (dp_worker_stats_accounted()).
 *
 * A packet handed to the exception path is left as it was received (Ethernet header, TTL
 * and checksum untouched), so the slow path can quote it in an ICMP error or pass it to
 * the kernel as is.
 */
#ifndef ROUTEHUB_DP_WORKER_H
#define ROUTEHUB_DP_WORKER_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_ring.h>
#include <rte_vect.h>

#include "config.h"
#include "fib.h"

#define DP_BURST           32 /* packets per RX burst and per TX buffer */
#define DP_WORKER_MAX_RXQ  32 /* RX queues polled by one worker */
#define DP_MAX_LOCAL_ADDRS (RH_MAX_PORTS * RH_MAX_PORT_ADDRS)
#define DP_QSBR_INTERVAL   4 /* loop iterations between two quiescent-state reports */

/* Why a packet was dropped. Each reason has its own counter and a name in dp_drop_names. */
enum dp_drop {
	DP_DROP_BAD_PORT,        /* received on a port the dataplane does not own */
	DP_DROP_RUNT,            /* shorter than an Ethernet header */
	DP_DROP_L2_OTHER_HOST,   /* unicast MAC of another host */
	DP_DROP_L2_MCAST_FWD,    /* L2 broadcast/multicast that would be forwarded (5.3.4) */
	DP_DROP_VLAN,            /* 802.1Q / 802.1ad tagged: not supported */
	DP_DROP_ETHERTYPE,       /* neither IPv4, IPv6 nor ARP */
	DP_DROP_IP4_TRUNCATED,   /* fewer than 20 bytes, or the header runs past the data */
	DP_DROP_IP4_VERSION,     /* version != 4 */
	DP_DROP_IP4_IHL,         /* IHL < 5 */
	DP_DROP_IP4_LENGTH,      /* total length < IHL * 4, or > the frame's data */
	DP_DROP_IP4_CKSUM,       /* header checksum wrong */
	DP_DROP_IP4_MARTIAN_SRC, /* source in 0/8, 127/8, 224/4 or 240/4 (5.3.7) */
	DP_DROP_IP4_MARTIAN_DST, /* destination in 0/8, 127/8, 224/4 or 240/4 (5.3.7) */
	DP_DROP_IP6_TRUNCATED,   /* fewer than 40 bytes */
	DP_DROP_IP6_VERSION,     /* version != 6 */
	DP_DROP_IP6_LENGTH,      /* payload length past the frame, or a jumbogram */
	DP_DROP_IP6_MARTIAN_SRC, /* source ::, ::1, link-local or multicast */
	DP_DROP_IP6_MARTIAN_DST, /* destination :: or ::1 */
	DP_DROP_BLACKHOLE,       /* the route's next hop is a blackhole */
	DP_DROP_NH_INVALID,      /* the next hop names an unknown state or port */
	DP_DROP_TOO_BIG,         /* IPv4 larger than the output MTU without DF: no fragmentation */
	DP_DROP_RING_FULL,       /* the exception or neighbour ring had no room */
	DP_DROP_TX_FULL,         /* the output TX queue had no room */
	DP_DROP_MAX,
};

/* Why a packet went to the exception path. Named in dp_punt_names. */
enum dp_punt {
	DP_PUNT_ARP,          /* ARP: the kernel behind the TAP answers */
	DP_PUNT_LOCAL,        /* destination is one of the appliance's own addresses */
	DP_PUNT_IP6_LINK,     /* IPv6 link-local or multicast destination (ND, ...) */
	DP_PUNT_NH_LOCAL,     /* the route's next hop is LOCAL */
	DP_PUNT_TTL_EXCEEDED, /* TTL / hop limit <= 1: ICMP time exceeded (RFC 1812 5.3.1) */
	DP_PUNT_NO_ROUTE,     /* no route: ICMP destination unreachable (RFC 1812 5.2.7.1) */
	DP_PUNT_TOO_BIG,      /* ICMP fragmentation needed (IPv4 DF) / ICMPv6 packet too big */
	DP_PUNT_NEIGH,        /* next hop not resolved: to the main lcore's neighbour ring */
	DP_PUNT_MAX,
};

extern const char *const dp_drop_names[DP_DROP_MAX];
extern const char *const dp_punt_names[DP_PUNT_MAX];

/* What the exception path learns about a punted packet: an mbuf dynamic field. */
struct dp_punt_meta {
	uint32_t nh_id; /* DP_PUNT_NEIGH: the next hop to resolve; else 0 */
	uint16_t mtu;   /* DP_PUNT_TOO_BIG: the output port's MTU; else 0 */
	uint8_t reason; /* enum dp_punt */
	uint8_t family; /* RH_AF_INET / RH_AF_INET6; 0 for ARP */
};

/* Offset of struct dp_punt_meta in the mbuf; valid after dp_worker_global_init(). */
extern int dp_punt_meta_offset;

static inline struct dp_punt_meta *dp_punt_meta(struct rte_mbuf *m)
{
	return RTE_MBUF_DYNFIELD(m, dp_punt_meta_offset, struct dp_punt_meta *);
}

#define DP_PORT_NONE 0xff /* in dp_fwd_ctx.port_of_eth: not one of our ports */

/*
 * A port as the workers see it. Ports are named by their index in the configuration's
 * port list (as next hops name them); the ethdev port id may differ.
 */
struct dp_port_info {
	bool enabled;
	uint16_t eth_port; /* ethdev port id */
	uint16_t mtu;      /* largest IP packet (L3) sent on the port */
	/* Pass 1 prefetches the headers of the next packets received on the port: set for a
	 * device that writes the frames by DMA (PCI); a virtual device's PMD has just written
	 * or copied them itself, in the cache (a prefetch there costs ~10 % of the worker's
	 * cycles: dp_worker_bench). dp_fwd_ctx_set_port() sets it. */
	bool prefetch;
	struct rte_ether_addr mac;
	uint64_t mac64; /* mac in the first 6 bytes of a 64-bit word, the rest 0 */
};

/*
 * The appliance's own addresses. Small: a linear scan behind a 64-bit filter that holds
 * one bit per address, so that a transit packet costs one test.
 */
struct dp_local_addrs {
	uint64_t filter4;
	uint64_t filter6;
	unsigned n4;
	unsigned n6;
	rte_be32_t v4[DP_MAX_LOCAL_ADDRS];
	uint8_t v6[DP_MAX_LOCAL_ADDRS][16];
};

/* What every worker reads and nothing changes while the workers run. */
struct dp_fwd_ctx {
	struct dp_fib *fib;
	struct rte_ring *punt_ring;  /* exception path (TAP, ICMP errors): multi-producer */
	struct rte_ring *neigh_ring; /* packets held for neighbour resolution: multi-producer */
	uint16_t n_ports;
	struct dp_port_info port[RH_MAX_PORTS];
	uint8_t port_of_eth[RTE_MAX_ETHPORTS]; /* ethdev port id -> port index, or DP_PORT_NONE */
	struct dp_local_addrs local;
};

struct dp_port_stats {
	uint64_t rx_pkts;
	uint64_t rx_bytes;
	uint64_t tx_pkts;
	uint64_t tx_bytes;
};

/*
 * Counters of one worker, written by that worker only. Readers on other lcores read
 * 64-bit words that may be one burst behind.
 */
struct dp_worker_stats {
	uint64_t in_pkts;
	uint64_t fwd_pkts;
	uint64_t drop[DP_DROP_MAX];
	uint64_t punt[DP_PUNT_MAX];
	struct dp_port_stats port[RH_MAX_PORTS]; /* by port index */
};

struct dp_rxq {
	uint16_t port; /* ethdev port id */
	uint16_t queue;
};

struct dp_txbuf {
	uint16_t n;
	uint64_t bytes;
	struct rte_mbuf *pkts[DP_BURST];
};

#define DP_FAST4_OWN 8  /* own IPv4 addresses the grouped path compares exactly */
#define DP_FAST8_NK  12 /* constants of the groups of 8 */

/*
 * The grouped IPv4 fast path's template for one input port (worker_fast4.h), kept by the
 * worker while its packets come from that port.
 */
struct dp_fast4 {
	xmm_t want, mask;        /* frame bytes 0..15: the port's MAC, 0x0800, version 4, IHL 5 */
	xmm_t meta_mask;         /* the mbuf's port and offload flags, 16 bytes from data_off */
	xmm_t meta_want[2];      /* checksum unverified / GOOD by the NIC: last matched first */
	xmm_t filter4;           /* the own-address filter, beyond DP_FAST4_OWN addresses */
	xmm_t mtu;               /* the smallest MTU of the ports, in 4 lanes */
	xmm_t own[DP_FAST4_OWN]; /* each own address in 4 lanes; unused ones repeat one */
	/* The groups of 8's constants (worker_fast8.h), 8 lanes each. */
	uint32_t k8[DP_FAST8_NK][8] __attribute__((aligned(32)));
	const struct dp_fib_view *fib; /* for the lookup's prefetch */
	unsigned n_own;
	bool nic_cksum; /* meta_want[0] is the GOOD one: no software checksum */
	uint8_t port;   /* the port index it is for; DP_PORT_NONE: none yet */
};

/*
 * One per worker lcore, allocated cache-line aligned on that lcore's socket
 * (rte_zmalloc_socket()) so that two workers never share a line of counters.
 */
struct dp_worker {
	const struct dp_fwd_ctx *ctx;
	unsigned id;       /* QSBR reader id, 0..n_workers-1 */
	uint16_t tx_queue; /* this worker's TX queue on every port */
	uint16_t n_rxq;
	struct dp_rxq rxq[DP_WORKER_MAX_RXQ];
	bool stop;   /* read and written with __atomic builtins */
	bool group8; /* pass 1 in groups of 8 (AVX2); tests may turn it off */
	struct dp_txbuf tx[RH_MAX_PORTS] __rte_cache_aligned; /* by port index */
	struct dp_fast4 fast4 __rte_cache_aligned;
	struct dp_worker_stats stats __rte_cache_aligned;
};

/*
 * Registers the mbuf dynamic field of struct dp_punt_meta. Call once after rte_eal_init()
 * and before any worker runs. Returns 0 or a negative errno.
 */
int dp_worker_global_init(void);

/* Empties a context: no ports, no own addresses; the caller sets fib and the rings. */
void dp_fwd_ctx_init(struct dp_fwd_ctx *ctx);
/* Declares port `index` (configuration order) as ethdev `eth_port`. Returns 0 or -EINVAL. */
int dp_fwd_ctx_set_port(struct dp_fwd_ctx *ctx, uint16_t index, uint16_t eth_port,
                        const struct rte_ether_addr *mac, uint16_t mtu);

/* Adds an own address (IPv4 or IPv6); adding one twice is not an error.
 * Returns 0, -EINVAL or -ENOSPC. */
int dp_local_add(struct dp_local_addrs *t, const struct rh_addr *a);

/* One bit of the filter per address: a multiplicative hash to 0..63. */
static inline uint64_t dp_local_bit4(rte_be32_t a)
{
	return 1ull << (((uint32_t)a * 0x9e3779b1u) >> 26);
}

static inline uint64_t dp_local_bit6(const uint8_t a[16])
{
	uint64_t hi, lo;

	memcpy(&hi, a, 8);
	memcpy(&lo, a + 8, 8);
	return 1ull << (((hi ^ lo) * 0x9e3779b97f4a7c15ull) >> 58);
}

/* True when the address (network byte order) is an own address. */
static inline bool dp_local_has4(const struct dp_local_addrs *t, rte_be32_t a)
{
	unsigned i;

	if (likely((t->filter4 & dp_local_bit4(a)) == 0))
		return false;
	for (i = 0; i < t->n4; i++)
		if (t->v4[i] == a)
			return true;
	return false;
}

static inline bool dp_local_has6(const struct dp_local_addrs *t, const uint8_t a[16])
{
	unsigned i;

	if (likely((t->filter6 & dp_local_bit6(a)) == 0))
		return false;
	for (i = 0; i < t->n6; i++)
		if (memcmp(t->v6[i], a, 16) == 0)
			return true;
	return false;
}

/* Prepares a worker: no RX queues yet, zero counters. Returns 0 or -EINVAL. */
int dp_worker_init(struct dp_worker *w, const struct dp_fwd_ctx *ctx, unsigned id,
                   uint16_t tx_queue);
/* Adds an RX queue (ethdev port id, queue) to poll. Returns 0, -EINVAL or -ENOSPC. */
int dp_worker_add_rxq(struct dp_worker *w, uint16_t port, uint16_t queue);

/*
 * Processes n received packets (any n; m->port is the ethdev input port): every packet is
 * freed, queued to the exception path, or buffered for TX. Buffers that fill up are sent;
 * the rest waits for dp_worker_flush().
 */
void dp_worker_process_burst(struct dp_worker *w, struct rte_mbuf **pkts, uint16_t n);
/* Sends every buffered packet; what the TX queue refuses is dropped (DP_DROP_TX_FULL). */
void dp_worker_flush(struct dp_worker *w);

/*
 * The worker lcore's loop (an lcore_function_t: arg is a struct dp_worker *). Registers
 * as a FIB reader (or returns its negative errno), polls until dp_worker_stop(), flushes,
 * and returns 0.
 */
int dp_worker_main(void *arg);
void dp_worker_stop(struct dp_worker *w);

/* fwd_pkts + every drop + every punt: equals in_pkts once the TX buffers are flushed. */
uint64_t dp_worker_stats_accounted(const struct dp_worker_stats *st);

#endif
