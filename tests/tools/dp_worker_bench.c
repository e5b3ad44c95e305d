/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp_worker_bench: the worker's per-packet cost, without NICs and without the machine's
 * load in the figure. It runs dp_worker_process_burst() + dp_worker_flush() (the whole
 * job: RFC 1812 checks, software checksum, own-address and martian checks, bulk FIB
 * lookup in the real FIB, next hop, TTL, rewrite, counters, TX) over bursts of 64-byte
 * IPv4/UDP frames toward random destinations of a random table, output on net_null.
 *
 *   dp_worker_bench [EAL args] -- [--routes N] [--bursts B] [--ecmp] [--seed S] [--no-group8]
 *                                  [--prefetch]
 *
 * The frames are written just before each burst, as a virtual device's PMD does, so the
 * input port does not prefetch them unless --prefetch (a PCI port's setting) says so.
 *
 * Prints TSC cycles per packet: the mean (noisy on a shared machine) and the least of the
 * blocks of 64 bursts (the host's noise only adds time: the least block is the closest to
 * the code's own cost; --no-group8 runs the groups of 4 for comparison). For a repeatable
 * instruction count, run it under callgrind, which counts only the worker's functions:
 *
 *   valgrind --tool=callgrind --toggle-collect=dp_worker_process_burst \
 *     --toggle-collect=dp_worker_flush build/tests/tools/dp_worker_bench --no-huge \
 *     --no-pci -m 1024 -l 0 --vdev=net_null0 --vdev=net_null1 -- --bursts 2000
 *
 * and divide the instructions ("summary") by the packets printed.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>
#include <rte_udp.h>

#include "fib.h"
#include "routehub/prefix.h"
#include "worker.h"

#define NB_MBUF  8192
#define N_DESTS  4096 /* distinct destinations, cycled through */
#define NH_ID    1
#define GROUP_ID 1

static const struct rte_ether_addr MAC_IN = {{0x02, 0, 0, 0, 0, 0x01}};
static const struct rte_ether_addr MAC_OUT = {{0x02, 0, 0, 0, 0, 0x02}};
static const struct rte_ether_addr MAC_PEER = {{0x02, 0, 0, 0, 0, 0xaa}};
static const struct rte_ether_addr MAC_NH = {{0x02, 0, 0, 0, 0, 0x10}};

static uint64_t rnd_state = 88172645463325252ull;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static int port_start(const char *name, struct rte_mempool *pool, uint16_t *id)
{
	struct rte_eth_conf conf;

	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_get_port_by_name(name, id) != 0 ||
	    rte_eth_dev_configure(*id, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(*id, 0, 512, SOCKET_ID_ANY, NULL, pool) != 0 ||
	    rte_eth_tx_queue_setup(*id, 0, 512, SOCKET_ID_ANY, NULL) != 0 ||
	    rte_eth_dev_start(*id) != 0)
		return -1;
	return 0;
}

/* A random prefix of the internet-like length mix, /16 to /24 mostly, a few longer. */
static void random_route(struct fibc_route *r)
{
	static const uint8_t lens[] = {16, 19, 20, 21, 22, 22, 23, 23, 24, 24, 24, 24,
	                               24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 25, 28};
	uint32_t a;
	uint8_t len = lens[rnd() % sizeof(lens)];

	do
		a = (uint32_t)rnd();
	while ((a >> 24) == 0 || (a >> 24) == 10 || (a >> 24) == 127 || (a >> 24) >= 224);
	a &= UINT32_MAX << (32 - len);
	memset(r, 0, sizeof(*r));
	r->family = RH_AF_INET;
	r->len = len;
	a = rte_cpu_to_be_32(a);
	memcpy(r->addr, &a, 4);
}

/* A frame's 60 bytes into buf (its own template: each burst copies them into the mbufs,
 * as net_pcap's infinite receive does from the frames it holds). */
static void frame(uint8_t *buf, rte_be32_t dst, uint16_t sport)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)(void *)buf;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

	eth->dst_addr = MAC_IN;
	eth->src_addr = MAC_PEER;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, 46);
	ip->version_ihl = 0x45;
	ip->total_length = RTE_BE16(46);
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = RTE_BE32(0xc6120001);
	ip->dst_addr = dst;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(sport);
	udp->dst_port = RTE_BE16(9);
	udp->dgram_len = RTE_BE16(26);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"routes", required_argument, NULL, 'r'},
	        {"bursts", required_argument, NULL, 'b'},
	        {"ecmp", no_argument, NULL, 'e'},
	        {"seed", required_argument, NULL, 's'},
	        {"no-group8", no_argument, NULL, 'g'},
	        {"prefetch", no_argument, NULL, 'p'},
	        {NULL, 0, NULL, 0},
	};
	unsigned routes = 16, bursts = 20000;
	bool ecmp = false, no_group8 = false, prefetch = false;
	uint16_t eth_in, eth_out;
	struct rte_mempool *pool;
	struct dp_fwd_ctx *ctx;
	struct dp_worker *w;
	struct dp_fib *fib;
	rte_be32_t *dests;
	uint8_t(*tmpl)[64];
	uint64_t cycles = 0, sent = 0, block = 0, least = UINT64_MAX;
	int n, o;

	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "dp_worker_bench: EAL init failed\n");
		return 1;
	}
	argc -= n;
	argv += n;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'r')
			routes = (unsigned)strtoul(optarg, NULL, 10);
		else if (o == 'b')
			bursts = (unsigned)strtoul(optarg, NULL, 10);
		else if (o == 'e')
			ecmp = true;
		else if (o == 'g')
			no_group8 = true;
		else if (o == 'p')
			prefetch = true;
		else if (o == 's')
			rnd_state = strtoull(optarg, NULL, 10) | 1;
		else
			return 2;
	}
	if (routes == 0)
		routes = 1;

	struct dp_fib_conf fc = {
	        .v4_max_routes = routes < 1024 ? 1024 : routes + routes / 8,
	        .v4_num_tbl8 = routes / 8 + 256,
	        .v6_max_routes = 1024,
	        .max_next_hops = 64,
	        .max_groups = 16,
	        .n_workers = 1,
	        .socket_id = SOCKET_ID_ANY,
	};
	pool = rte_pktmbuf_pool_create("bench_pool", NB_MBUF, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
	                               SOCKET_ID_ANY);
	ctx = rte_zmalloc("bench_ctx", sizeof(*ctx), RTE_CACHE_LINE_SIZE);
	w = rte_zmalloc("bench_w", sizeof(*w), RTE_CACHE_LINE_SIZE);
	fib = dp_fib_create(&fc);
	dests = calloc(N_DESTS, sizeof(*dests));
	tmpl = rte_zmalloc("bench_frames", N_DESTS * sizeof(*tmpl), RTE_CACHE_LINE_SIZE);
	if (pool == NULL || ctx == NULL || w == NULL || fib == NULL || dests == NULL ||
	    tmpl == NULL || dp_worker_global_init() != 0 ||
	    port_start("net_null0", pool, &eth_in) != 0 ||
	    port_start("net_null1", pool, &eth_out) != 0) {
		fprintf(stderr, "dp_worker_bench: setup failed (needs --vdev=net_null0 "
		                "--vdev=net_null1 and memory for the FIB)\n");
		return 1;
	}
	dp_fwd_ctx_init(ctx);
	ctx->fib = fib;
	ctx->punt_ring = rte_ring_create("bench_punt", 1024, SOCKET_ID_ANY, RING_F_SC_DEQ);
	ctx->neigh_ring = rte_ring_create("bench_neigh", 1024, SOCKET_ID_ANY, RING_F_SC_DEQ);
	if (ctx->punt_ring == NULL || ctx->neigh_ring == NULL ||
	    dp_fwd_ctx_set_port(ctx, 0, eth_in, &MAC_IN, 1500) != 0 ||
	    dp_fwd_ctx_set_port(ctx, 1, eth_out, &MAC_OUT, 1500) != 0)
		return 1;
	ctx->port[0].prefetch = prefetch;

	/* One resolved next hop on port 1 (and a second one for the ECMP group). */
	for (uint32_t id = NH_ID; id <= NH_ID + 1; id++) {
		struct fibc_nh nh = {.id = id, .port = 1, .family = RH_AF_INET};
		uint32_t gw = rte_cpu_to_be_32(0xc6130102 + id);

		memcpy(nh.addr, &gw, 4);
		if (dp_fib_nh_add(fib, &nh) != 0 ||
		    dp_fib_nh_resolve(fib, 1, nh.addr, RH_AF_INET, &MAC_NH, &MAC_OUT) != 0)
			return 1;
	}
	uint32_t members[] = {NH_ID, NH_ID + 1};
	if (dp_fib_group_add(fib, GROUP_ID, members, 2) != 0)
		return 1;
	for (unsigned i = 0; i < routes; i++) {
		struct fibc_route r;
		uint32_t a, host;

		random_route(&r);
		r.nh_id = ecmp ? GROUP_ID : NH_ID;
		r.flags = ecmp ? FIBC_RT_F_GROUP : 0;
		if (dp_fib_route_add(fib, &r) != 0) {
			fprintf(stderr, "dp_worker_bench: route %u refused\n", i);
			return 1;
		}
		if (i < N_DESTS) {
			memcpy(&a, r.addr, 4);
			host = r.len < 32 ? (uint32_t)rnd() & (UINT32_MAX >> r.len) : 0;
			dests[i] = a | rte_cpu_to_be_32(host);
		}
	}
	for (unsigned i = routes; i < N_DESTS; i++)
		dests[i] = dests[rnd() % routes];
	for (unsigned i = 0; i < N_DESTS; i++)
		frame(tmpl[i], dests[i], (uint16_t)(1024 + i % DP_BURST));
	if (dp_worker_init(w, ctx, 0, 0) != 0 || dp_fib_reader_register(fib, 0) != 0)
		return 1;
	if (no_group8)
		w->group8 = false;

	for (unsigned b = 0; b < bursts; b++) {
		struct rte_mbuf *pkts[DP_BURST];
		uint64_t t0;

		if (rte_pktmbuf_alloc_bulk(pool, pkts, DP_BURST) != 0)
			return 1;
		for (unsigned i = 0; i < DP_BURST; i++) {
			struct rte_mbuf *m = pkts[i];

			m->data_len = 60;
			m->pkt_len = 60;
			m->port = eth_in;
			rte_memcpy(rte_pktmbuf_mtod(m, void *), tmpl[(b * DP_BURST + i) % N_DESTS],
			           60);
		}
		t0 = rte_rdtsc();
		dp_worker_process_burst(w, pkts, DP_BURST);
		dp_worker_flush(w);
		t0 = rte_rdtsc() - t0;
		cycles += t0;
		block += t0;
		if (b % 64 == 63) {
			least = RTE_MIN(least, block);
			block = 0;
		}
		sent += DP_BURST;
		dp_fib_quiescent(fib, 0);
	}
	if (w->stats.fwd_pkts != sent) {
		fprintf(stderr, "dp_worker_bench: %" PRIu64 " of %" PRIu64 " packets forwarded\n",
		        w->stats.fwd_pkts, sent);
		return 1;
	}
	printf("dp_worker_bench: %u routes%s%s%s, %" PRIu64 " packets forwarded, %.1f TSC cycles "
	       "per packet (mean), %.1f (least block of 64 bursts)\n",
	       routes, ecmp ? " (ECMP)" : "", w->group8 ? ", groups of 8" : ", groups of 4",
	       prefetch ? ", prefetch" : "", sent, (double)cycles / (double)sent,
	       (double)least / (64.0 * DP_BURST));
	return 0;
}
