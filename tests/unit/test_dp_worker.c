/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the worker packet path (dataplane/worker.c) with real mbufs holding
 * hand-made frames, two net_ring ports (each one's TX ring is its own RX ring, so what a
 * worker transmits can be read back), and a FIB.
 *
 * The FIB is the test double of dp_fib_fixture.c, or the real one when that file is built
 * with -DDP_TEST_REAL_FIB and dataplane/fib.c is linked in. Cases the real FIB's writers
 * cannot express (a next hop with an unknown state, on a port that does not exist) run
 * with the double only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_cpuflags.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "dp_fib_fixture.h"
#include "worker.h"

#define NB_MBUF   4096
#define PUNT_RING 64 /* capacity 63: small enough to fill in a test */
#define MTU_P0    1500
#define MTU_P1    1400

/* Next hops, groups and prefixes of the test FIB. */
enum {
	NH_P1 = 1,     /* resolved, port 1 */
	NH_P0 = 2,     /* resolved, port 0 */
	NH_ECMP_A = 4, /* resolved, port 1, MAC_A */
	NH_ECMP_B = 5, /* resolved, port 1, MAC_B */
	NH_INCOMPLETE = 6,
	NH_BLACKHOLE = 7,
	NH_LOCAL = 8,
	NH_BAD_PORT = 9,
	NH_BAD_STATE = 10,
	NH_P1_6 = 11, /* the IPv6 next hops: as NH_P1, NH_ECMP_A, NH_ECMP_B */
	NH_ECMP_A6 = 12,
	NH_ECMP_B6 = 13,
	GROUP_AB = 1,
	GROUP_AB6 = 2,
};

static const struct rte_ether_addr MAC_P0 = {{0x02, 0, 0, 0, 0, 0x01}};
static const struct rte_ether_addr MAC_P1 = {{0x02, 0, 0, 0, 0, 0x02}};
static const struct rte_ether_addr MAC_PEER = {{0x02, 0, 0, 0, 0, 0xaa}};
static const struct rte_ether_addr MAC_NH = {{0x02, 0, 0, 0, 0, 0x10}};
static const struct rte_ether_addr MAC_A = {{0x02, 0, 0, 0, 0, 0x0a}};
static const struct rte_ether_addr MAC_B = {{0x02, 0, 0, 0, 0, 0x0b}};

#define IP(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))
#define SRC4 IP(198, 51, 100, 7)
#define OWN4 IP(10, 0, 0, 1)
static const uint8_t OWN6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t SRC6[16] = {0x20, 0x01, 0x0d, 0xb8, 0xff, [15] = 7};
static const uint8_t DST6_P1[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 9};      /* via NH_P1 */
static const uint8_t DST6_ECMP[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x50, [15] = 9}; /* group */
static const uint8_t DST6_NONE[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x99, [15] = 9}; /* no route */

/* ---- Fixture ------------------------------------------------------------------------------ */

static struct {
	struct rte_mempool *pool;
	struct rte_ring *punt_ring, *neigh_ring;
	uint16_t eth[2]; /* ethdev ids of ports 0 and 1 */
	struct dp_fib *fib;
	struct dp_fwd_ctx ctx;
	struct dp_worker w;
} T;

static int port_start(const char *name, uint16_t *id)
{
	struct rte_eth_conf conf;

	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_get_port_by_name(name, id) != 0 ||
	    rte_eth_dev_configure(*id, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(*id, 0, 1024, SOCKET_ID_ANY, NULL, T.pool) != 0 ||
	    rte_eth_tx_queue_setup(*id, 0, 1024, SOCKET_ID_ANY, NULL) != 0 ||
	    rte_eth_dev_start(*id) != 0)
		return -1;
	return 0;
}

static void fib_populate(struct dp_fib *fib)
{
	static const uint32_t members[] = {NH_ECMP_A, NH_ECMP_B};
	static const uint32_t members6[] = {NH_ECMP_A6, NH_ECMP_B6};
	const uint8_t v4 = RH_AF_INET, v6 = RH_AF_INET6;

	fx_nh(fib, NH_P1, v4, 1, DP_NH_RESOLVED, &MAC_NH, &MAC_P1);
	fx_nh(fib, NH_P0, v4, 0, DP_NH_RESOLVED, &MAC_NH, &MAC_P0);
	fx_nh(fib, NH_ECMP_A, v4, 1, DP_NH_RESOLVED, &MAC_A, &MAC_P1);
	fx_nh(fib, NH_ECMP_B, v4, 1, DP_NH_RESOLVED, &MAC_B, &MAC_P1);
	fx_nh(fib, NH_INCOMPLETE, v4, 1, DP_NH_INCOMPLETE, NULL, &MAC_P1);
	fx_nh(fib, NH_BLACKHOLE, v4, 1, DP_NH_BLACKHOLE, NULL, &MAC_P1);
	fx_nh(fib, NH_LOCAL, v4, 0, DP_NH_LOCAL, NULL, &MAC_P0);
	fx_nh(fib, NH_P1_6, v6, 1, DP_NH_RESOLVED, &MAC_NH, &MAC_P1);
	fx_nh(fib, NH_ECMP_A6, v6, 1, DP_NH_RESOLVED, &MAC_A, &MAC_P1);
	fx_nh(fib, NH_ECMP_B6, v6, 1, DP_NH_RESOLVED, &MAC_B, &MAC_P1);
	fx_group(fib, GROUP_AB, members, 2);
	fx_group(fib, GROUP_AB6, members6, 2);
	fx_route4(fib, IP(10, 1, 0, 0), 16, NH_P1);
	fx_route4(fib, IP(10, 2, 0, 0), 16, NH_P0);
	fx_route4(fib, IP(10, 50, 0, 0), 16, DP_FIB_GROUP | GROUP_AB);
	fx_route4(fib, IP(10, 6, 0, 0), 16, NH_INCOMPLETE);
	fx_route4(fib, IP(10, 7, 0, 0), 16, NH_BLACKHOLE);
	fx_route4(fib, IP(10, 8, 0, 0), 16, NH_LOCAL);
	fx_route6(fib, DST6_P1, 48, NH_P1_6);
	fx_route6(fib, DST6_ECMP, 48, DP_FIB_GROUP | GROUP_AB6);
	if (fx_is_double()) {
		fx_nh(fib, NH_BAD_PORT, v4, 9, DP_NH_RESOLVED, &MAC_NH, &MAC_P1);
		fx_nh(fib, NH_BAD_STATE, v4, 1, (enum dp_nh_state)77, &MAC_NH, &MAC_P1);
		fx_route4(fib, IP(10, 9, 0, 0), 16, NH_BAD_PORT);
		fx_route4(fib, IP(10, 10, 0, 0), 16, NH_BAD_STATE);
	}
}

static int group_setup(void **state)
{
	char prefix[64];
	char *argv[] = {"test_dp_worker",    "--no-huge", "--no-pci", "-m", "256",
	                "--log-level=error", prefix,      "-l",       "0",  "--vdev=net_ring0",
	                "--vdev=net_ring1"};
	struct rh_addr own4 = {.family = RH_AF_INET}, own6 = {.family = RH_AF_INET6};
	rte_be32_t be = rte_cpu_to_be_32(OWN4);

	(void)state;
	snprintf(prefix, sizeof(prefix), "--file-prefix=rh_test_dp_worker_%d", (int)getpid());
	if (rte_eal_init((int)RTE_DIM(argv), argv) < 0)
		return -1;
	if (dp_worker_global_init() != 0)
		return -1;
	T.pool = rte_pktmbuf_pool_create("test_pool", NB_MBUF, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
	                                 SOCKET_ID_ANY);
	T.punt_ring = rte_ring_create("punt", PUNT_RING, SOCKET_ID_ANY, RING_F_SC_DEQ);
	T.neigh_ring = rte_ring_create("neigh", 1024, SOCKET_ID_ANY, RING_F_SC_DEQ);
	T.fib = fx_create();
	if (T.pool == NULL || T.punt_ring == NULL || T.neigh_ring == NULL || T.fib == NULL)
		return -1;
	if (port_start("net_ring0", &T.eth[0]) != 0 || port_start("net_ring1", &T.eth[1]) != 0)
		return -1;
	fib_populate(T.fib);
	dp_fwd_ctx_init(&T.ctx);
	T.ctx.fib = T.fib;
	T.ctx.punt_ring = T.punt_ring;
	T.ctx.neigh_ring = T.neigh_ring;
	memcpy(own4.bytes, &be, 4);
	memcpy(own6.bytes, OWN6, 16);
	if (dp_fwd_ctx_set_port(&T.ctx, 0, T.eth[0], &MAC_P0, MTU_P0) != 0 ||
	    dp_fwd_ctx_set_port(&T.ctx, 1, T.eth[1], &MAC_P1, MTU_P1) != 0 ||
	    dp_local_add(&T.ctx.local, &own4) != 0 || dp_local_add(&T.ctx.local, &own6) != 0)
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 2; i++) {
		rte_eth_dev_stop(T.eth[i]);
		rte_eth_dev_close(T.eth[i]);
	}
	fx_destroy(T.fib);
	rte_ring_free(T.punt_ring);
	rte_ring_free(T.neigh_ring);
	rte_mempool_free(T.pool);
	rte_eal_cleanup();
	return 0;
}

static int test_setup(void **state)
{
	int rc;

	(void)state;
	fx_set_ecmp_modulo(T.fib, false);
	rc = dp_worker_init(&T.w, &T.ctx, 0, 0);
#ifdef DP_TEST_NO_GROUP8
	T.w.group8 = false; /* the same cases through the groups of 4 alone */
#endif
	return rc;
}

/* Every test leaves the rings empty, the counters balanced and no mbuf leaked. */
static int test_teardown(void **state)
{
	(void)state;
	dp_worker_flush(&T.w);
	assert_int_equal(dp_worker_stats_accounted(&T.w.stats), T.w.stats.in_pkts);
	assert_int_equal(rte_ring_count(T.punt_ring), 0);
	assert_int_equal(rte_ring_count(T.neigh_ring), 0);
	for (unsigned i = 0; i < 2; i++) {
		struct rte_mbuf *m;

		assert_int_equal(rte_eth_rx_burst(T.eth[i], 0, &m, 1), 0);
	}
	assert_int_equal(rte_mempool_avail_count(T.pool), NB_MBUF);
	return 0;
}

/* ---- Frames ------------------------------------------------------------------------------- */

static struct rte_mbuf *mk_frame(unsigned port, const struct rte_ether_addr *dst,
                                 uint16_t ethertype, uint16_t l3_len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(T.pool);
	struct rte_ether_hdr *eth;

	assert_non_null(m);
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, (uint16_t)(sizeof(*eth) + l3_len));
	assert_non_null(eth);
	memset(eth, 0, sizeof(*eth) + l3_len);
	eth->dst_addr = *dst;
	eth->src_addr = MAC_PEER;
	eth->ether_type = rte_cpu_to_be_16(ethertype);
	m->port = T.eth[port];
	return m;
}

static struct rte_ipv4_hdr *ip4_of(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
}

static struct rte_ipv6_hdr *ip6_of(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, sizeof(struct rte_ether_hdr));
}

static void ip4_fix_cksum(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = ip4_of(m);

	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

static bool ip4_cksum_valid(const struct rte_ipv4_hdr *ip)
{
	return rte_raw_cksum(ip, rte_ipv4_hdr_len(ip)) == 0xffff;
}

/* An IPv4/UDP packet of `tot` bytes (>= 28) arriving on port 0 for our MAC. */
static struct rte_mbuf *mk_ip4(uint32_t src, uint32_t dst, uint8_t ttl, uint16_t sport,
                               uint16_t tot)
{
	struct rte_mbuf *m = mk_frame(0, &MAC_P0, RTE_ETHER_TYPE_IPV4, tot);
	struct rte_ipv4_hdr *ip = ip4_of(m);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(tot);
	ip->packet_id = rte_cpu_to_be_16(0x1234);
	ip->time_to_live = ttl;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(src);
	ip->dst_addr = rte_cpu_to_be_32(dst);
	udp->src_port = rte_cpu_to_be_16(sport);
	udp->dst_port = rte_cpu_to_be_16(4789);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(tot - sizeof(*ip)));
	ip4_fix_cksum(m);
	return m;
}

static struct rte_mbuf *mk_ip6(const uint8_t *src, const uint8_t *dst, uint8_t hlim, uint16_t sport,
                               uint16_t plen)
{
	struct rte_mbuf *m = mk_frame(0, &MAC_P0, RTE_ETHER_TYPE_IPV6,
	                              (uint16_t)(sizeof(struct rte_ipv6_hdr) + plen));
	struct rte_ipv6_hdr *ip = ip6_of(m);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

	ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16(plen);
	ip->proto = IPPROTO_UDP;
	ip->hop_limits = hlim;
	memcpy(ip->src_addr, src, 16);
	memcpy(ip->dst_addr, dst, 16);
	if (plen >= sizeof(*udp)) {
		udp->src_port = rte_cpu_to_be_16(sport);
		udp->dst_port = rte_cpu_to_be_16(4789);
	}
	return m;
}

/* ---- Verdicts ----------------------------------------------------------------------------- */

static void process1(struct rte_mbuf *m)
{
	dp_worker_process_burst(&T.w, &m, 1);
	dp_worker_flush(&T.w);
}

static void expect_drop(struct rte_mbuf *m, enum dp_drop r)
{
	uint64_t before = T.w.stats.drop[r], acc = dp_worker_stats_accounted(&T.w.stats);

	process1(m);
	if (T.w.stats.drop[r] != before + 1)
		fail_msg("expected drop %s", dp_drop_names[r]);
	assert_int_equal(dp_worker_stats_accounted(&T.w.stats), acc + 1);
}

/* The punted packet, unchanged, with its metadata; the caller frees it. */
static struct rte_mbuf *expect_punt(struct rte_mbuf *m, enum dp_punt r)
{
	struct rte_ring *ring = r == DP_PUNT_NEIGH ? T.neigh_ring : T.punt_ring;
	uint64_t before = T.w.stats.punt[r], acc = dp_worker_stats_accounted(&T.w.stats);
	void *out = NULL;

	process1(m);
	if (T.w.stats.punt[r] != before + 1)
		fail_msg("expected punt %s", dp_punt_names[r]);
	assert_int_equal(dp_worker_stats_accounted(&T.w.stats), acc + 1);
	assert_int_equal(rte_ring_dequeue(ring, &out), 0);
	assert_ptr_equal(out, m);
	assert_int_equal(dp_punt_meta(m)->reason, r);
	return m;
}

static void expect_punt_free(struct rte_mbuf *m, enum dp_punt r)
{
	rte_pktmbuf_free(expect_punt(m, r));
}

/* The forwarded packet as read back from the output port; the caller frees it. */
static struct rte_mbuf *expect_fwd(struct rte_mbuf *m, unsigned port)
{
	uint64_t before = T.w.stats.fwd_pkts, acc = dp_worker_stats_accounted(&T.w.stats);
	struct rte_mbuf *out = NULL;

	process1(m);
	if (T.w.stats.fwd_pkts != before + 1)
		fail_msg("expected the packet to be forwarded");
	assert_int_equal(dp_worker_stats_accounted(&T.w.stats), acc + 1);
	assert_int_equal(rte_eth_rx_burst(T.eth[port], 0, &out, 1), 1);
	assert_ptr_equal(out, m);
	return out;
}

/* ---- Tests -------------------------------------------------------------------------------- */

static void test_names(void **state)
{
	(void)state;
	for (unsigned i = 0; i < DP_DROP_MAX; i++) {
		assert_non_null(dp_drop_names[i]);
		for (unsigned j = 0; j < i; j++)
			assert_string_not_equal(dp_drop_names[i], dp_drop_names[j]);
	}
	for (unsigned i = 0; i < DP_PUNT_MAX; i++) {
		assert_non_null(dp_punt_names[i]);
		for (unsigned j = 0; j < i; j++)
			assert_string_not_equal(dp_punt_names[i], dp_punt_names[j]);
	}
}

static void test_ip4_forward_ttl2(void **state)
{
	struct rte_mbuf *m = mk_ip4(SRC4, IP(10, 1, 2, 3), 2, 1000, 100);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;

	(void)state;
	m = expect_fwd(m, 1);
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	ip = ip4_of(m);
	assert_true(rte_is_same_ether_addr(&eth->dst_addr, &MAC_NH));
	assert_true(rte_is_same_ether_addr(&eth->src_addr, &MAC_P1));
	assert_int_equal(ip->time_to_live, 1);
	assert_true(ip4_cksum_valid(ip));
	assert_int_equal(T.w.stats.port[0].rx_pkts, 1);
	assert_int_equal(T.w.stats.port[0].rx_bytes, 114);
	assert_int_equal(T.w.stats.port[1].tx_pkts, 1);
	assert_int_equal(T.w.stats.port[1].tx_bytes, 114);
	rte_pktmbuf_free(m);
}

/* RFC 1624: the incremental update must agree with a full recomputation for any header. */
static void test_ip4_ttl_cksum_incremental(void **state)
{
	(void)state;
	for (unsigned ttl = 2; ttl <= 255; ttl += 11) {
		for (uint16_t id = 0; id < 2000; id += 97) {
			struct rte_mbuf *m =
			        mk_ip4(SRC4 + id, IP(10, 1, 2, 3), (uint8_t)ttl, id, 60);
			struct rte_ipv4_hdr *ip = ip4_of(m);
			uint16_t got;

			ip->packet_id = rte_cpu_to_be_16((uint16_t)(id * 31));
			ip4_fix_cksum(m);
			m = expect_fwd(m, 1);
			ip = ip4_of(m);
			assert_int_equal(ip->time_to_live, ttl - 1);
			got = ip->hdr_checksum;
			ip4_fix_cksum(m);
			assert_int_equal(got, ip->hdr_checksum);
			rte_pktmbuf_free(m);
		}
	}
}

/*
 * The same in groups of 4 (the grouped path computes the new TTL and checksum words four
 * at a time), including the checksums where the incremental update wraps: the header's
 * checksum bytes 0xfe 0xff, 0xff 0xfe and 0x00 0x00.
 */
static void test_ip4_ttl_cksum_grouped(void **state)
{
	static const uint16_t edges[] = {0xfffe, 0xfeff, 0x0000, 0x0100};

	(void)state;
	for (unsigned ttl = 2; ttl <= 255; ttl += 31) {
		struct rte_mbuf *pkts[8], *out[8];
		unsigned n = 0, found = 0;

		/* Packet ids that give the wanted checksum bytes (as the header holds them). */
		for (uint32_t id = 0; id <= UINT16_MAX && found < RTE_DIM(edges); id++) {
			struct rte_mbuf *m = mk_ip4(SRC4, IP(10, 1, 2, 3), (uint8_t)ttl, 7, 60);

			ip4_of(m)->packet_id = (uint16_t)id;
			ip4_fix_cksum(m);
			if (ip4_of(m)->hdr_checksum == edges[found]) {
				pkts[n++] = m;
				found++;
				id = (uint32_t)-1; /* the next edge: from id 0 again */
			} else {
				rte_pktmbuf_free(m);
			}
		}
		assert_int_equal(found, RTE_DIM(edges));
		while (n < 8) {
			pkts[n] = mk_ip4(SRC4, IP(10, 1, 2, 3), (uint8_t)ttl, (uint16_t)n, 60);
			ip4_of(pkts[n])->packet_id = rte_cpu_to_be_16((uint16_t)(n * 977 + ttl));
			ip4_fix_cksum(pkts[n]);
			n++;
		}
		dp_worker_process_burst(&T.w, pkts, 8);
		dp_worker_flush(&T.w);
		assert_int_equal(rte_eth_rx_burst(T.eth[1], 0, out, 8), 8);
		for (unsigned i = 0; i < 8; i++) {
			struct rte_ipv4_hdr *ip = ip4_of(out[i]);
			uint16_t got = ip->hdr_checksum;

			assert_int_equal(ip->time_to_live, ttl - 1);
			ip4_fix_cksum(out[i]);
			assert_int_equal(got, ip->hdr_checksum);
		}
		rte_pktmbuf_free_bulk(out, 8);
	}
}

static void test_ip4_ttl_expired(void **state)
{
	struct rte_mbuf *m;

	(void)state;
	for (unsigned ttl = 0; ttl <= 1; ttl++) {
		m = expect_punt(mk_ip4(SRC4, IP(10, 1, 2, 3), (uint8_t)ttl, 1000, 100),
		                DP_PUNT_TTL_EXCEEDED);
		/* Left as received for the ICMP error to quote. */
		assert_int_equal(ip4_of(m)->time_to_live, ttl);
		assert_true(ip4_cksum_valid(ip4_of(m)));
		assert_int_equal(dp_punt_meta(m)->family, RH_AF_INET);
		rte_pktmbuf_free(m);
	}
}

static void test_ip4_header_errors(void **state)
{
	struct rte_mbuf *m;

	(void)state;
	m = mk_ip4(SRC4, IP(10, 1, 2, 3), 64, 1000, 100);
	ip4_of(m)->hdr_checksum ^= 0x0100;
	expect_drop(m, DP_DROP_IP4_CKSUM);

	m = mk_ip4(SRC4, IP(10, 1, 2, 3), 64, 1000, 100);
	ip4_of(m)->version_ihl = 0x44; /* IHL 4 */
	ip4_fix_cksum(m);
	expect_drop(m, DP_DROP_IP4_IHL);

	m = mk_ip4(SRC4, IP(10, 1, 2, 3), 64, 1000, 100);
	ip4_of(m)->version_ihl = 0x55; /* version 5 */
	ip4_fix_cksum(m);
	expect_drop(m, DP_DROP_IP4_VERSION);

	/* A frame too short for an IP header. */
	m = mk_ip4(SRC4, IP(10, 1, 2, 3), 64, 1000, 28);
	rte_pktmbuf_trim(m, 9);
	expect_drop(m, DP_DROP_IP4_TRUNCATED);

	/* IHL 15: options that run past the frame. */
	m = mk_ip4(SRC4, IP(10, 1, 2, 3), 64, 1000, 40);
	ip4_of(m)->version_ihl = 0x4f;
	expect_drop(m, DP_DROP_IP4_TRUNCATED);

	/* Total length larger than the frame's data. */
	m = mk_ip4(SRC4, IP(10, 1, 2, 3), 64, 1000, 100);
	ip4_of(m)->total_length = rte_cpu_to_be_16(101);
	ip4_fix_cksum(m);
	expect_drop(m, DP_DROP_IP4_LENGTH);

	/* Total length smaller than the header. */
	m = mk_ip4(SRC4, IP(10, 1, 2, 3), 64, 1000, 100);
	ip4_of(m)->total_length = rte_cpu_to_be_16(19);
	ip4_fix_cksum(m);
	expect_drop(m, DP_DROP_IP4_LENGTH);

	/* Martians (RFC 1812 5.3.7). */
	expect_drop(mk_ip4(IP(127, 0, 0, 1), IP(10, 1, 2, 3), 64, 1, 100), DP_DROP_IP4_MARTIAN_SRC);
	expect_drop(mk_ip4(IP(224, 0, 0, 5), IP(10, 1, 2, 3), 64, 1, 100), DP_DROP_IP4_MARTIAN_SRC);
	expect_drop(mk_ip4(SRC4, IP(0, 1, 2, 3), 64, 1, 100), DP_DROP_IP4_MARTIAN_DST);
	expect_drop(mk_ip4(SRC4, IP(255, 255, 255, 255), 64, 1, 100), DP_DROP_IP4_MARTIAN_DST);
}

static void test_ip4_cksum_offload_flags(void **state)
{
	struct rte_mbuf *m;

	(void)state;
	/* The NIC says bad: dropped although the header is right. */
	m = mk_ip4(SRC4, IP(10, 1, 2, 3), 64, 1000, 100);
	m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_BAD;
	expect_drop(m, DP_DROP_IP4_CKSUM);
	/* The NIC says good: not verified again. */
	m = mk_ip4(SRC4, IP(10, 1, 2, 3), 64, 1000, 100);
	ip4_of(m)->hdr_checksum ^= 0x0100;
	m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_GOOD;
	rte_pktmbuf_free(expect_fwd(m, 1));
}

/* Ethernet padding of a short frame is not forwarded as if it were data. */
static void test_padding_trimmed(void **state)
{
	struct rte_mbuf *m = mk_ip4(SRC4, IP(10, 1, 2, 3), 64, 1000, 46);

	(void)state;
	ip4_of(m)->total_length = rte_cpu_to_be_16(28); /* 18 bytes of padding */
	ip4_fix_cksum(m);
	m = expect_fwd(m, 1);
	assert_int_equal(rte_pktmbuf_pkt_len(m), 14 + 28);
	assert_int_equal(T.w.stats.port[1].tx_bytes, 14 + 28);
	rte_pktmbuf_free(m);
	m = mk_ip6(SRC6, DST6_P1, 64, 1, 20);
	ip6_of(m)->payload_len = rte_cpu_to_be_16(8);
	m = expect_fwd(m, 1);
	assert_int_equal(rte_pktmbuf_pkt_len(m), 14 + 40 + 8);
	rte_pktmbuf_free(m);
}

/* A chained mbuf: the header in the first segment, the payload in the second. */
static void test_multi_segment(void **state)
{
	struct rte_mbuf *m = mk_ip4(SRC4, IP(10, 1, 2, 3), 64, 1000, 128);
	struct rte_mbuf *tail = rte_pktmbuf_alloc(T.pool);

	(void)state;
	assert_non_null(tail);
	rte_pktmbuf_trim(m, 100);
	assert_non_null(rte_pktmbuf_append(tail, 100));
	assert_int_equal(rte_pktmbuf_chain(m, tail), 0);
	m = expect_fwd(m, 1);
	assert_int_equal(m->nb_segs, 2);
	assert_int_equal(rte_pktmbuf_pkt_len(m), 14 + 128);
	assert_int_equal(ip4_of(m)->time_to_live, 63);
	rte_pktmbuf_free(m);
	/* The IP header itself split over two segments is not read past the first. */
	m = mk_ip4(SRC4, IP(10, 1, 2, 3), 64, 1000, 128);
	tail = rte_pktmbuf_alloc(T.pool);
	assert_non_null(tail);
	rte_pktmbuf_trim(m, 128 - 10);
	assert_non_null(rte_pktmbuf_append(tail, 128 - 10));
	assert_int_equal(rte_pktmbuf_chain(m, tail), 0);
	expect_drop(m, DP_DROP_IP4_TRUNCATED);
}

static void test_ip4_options_forwarded(void **state)
{
	struct rte_mbuf *m = mk_ip4(SRC4, IP(10, 1, 2, 3), 9, 1000, 100);
	uint8_t *opt = (uint8_t *)(ip4_of(m) + 1);

	(void)state;
	ip4_of(m)->version_ihl = 0x46;
	memset(opt, 1, 4); /* four NOPs */
	ip4_fix_cksum(m);
	m = expect_fwd(m, 1);
	assert_int_equal(ip4_of(m)->time_to_live, 8);
	assert_true(ip4_cksum_valid(ip4_of(m)));
	rte_pktmbuf_free(m);
}

static void test_l2(void **state)
{
	static const struct rte_ether_addr other = {{0x02, 0, 0, 0, 0, 0x77}};
	struct rte_mbuf *m;

	(void)state;
	m = mk_ip4(SRC4, IP(10, 1, 2, 3), 64, 1000, 100);
	rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr = other;
	expect_drop(m, DP_DROP_L2_OTHER_HOST);

	/* RFC 1812 5.3.4: link-layer broadcast of a unicast IP packet. */
	m = mk_ip4(SRC4, IP(10, 1, 2, 3), 64, 1000, 100);
	memset(rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr.addr_bytes, 0xff, 6);
	expect_drop(m, DP_DROP_L2_MCAST_FWD);

	/* Broadcast ARP to the exception path. */
	m = mk_frame(0, &MAC_P0, RTE_ETHER_TYPE_ARP, 28);
	memset(rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr.addr_bytes, 0xff, 6);
	m = expect_punt(m, DP_PUNT_ARP);
	assert_int_equal(dp_punt_meta(m)->family, 0);
	rte_pktmbuf_free(m);

	expect_drop(mk_frame(0, &MAC_P0, RTE_ETHER_TYPE_VLAN, 50), DP_DROP_VLAN);
	expect_drop(mk_frame(0, &MAC_P0, RTE_ETHER_TYPE_QINQ, 50), DP_DROP_VLAN);
	m = mk_ip4(SRC4, IP(10, 1, 2, 3), 64, 1000, 100);
	m->ol_flags |= RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
	expect_drop(m, DP_DROP_VLAN);
	expect_drop(mk_frame(0, &MAC_P0, 0x88cc, 50), DP_DROP_ETHERTYPE); /* LLDP */

	m = mk_frame(0, &MAC_P0, RTE_ETHER_TYPE_IPV4, 0);
	rte_pktmbuf_trim(m, 4);
	expect_drop(m, DP_DROP_RUNT);

	m = mk_ip4(SRC4, IP(10, 1, 2, 3), 64, 1000, 100);
	m->port = RTE_MAX_ETHPORTS - 1;
	expect_drop(m, DP_DROP_BAD_PORT);
	m = mk_ip4(SRC4, IP(10, 1, 2, 3), 64, 1000, 100);
	m->port = UINT16_MAX;
	expect_drop(m, DP_DROP_BAD_PORT);
}

static void test_exception_destinations(void **state)
{
	static const uint8_t ll[16] = {0xfe, 0x80, [15] = 1};
	static const uint8_t sol[16] = {0xff, 0x02, [11] = 1, 0xff, 0, 0, 1};
	static const struct rte_ether_addr mc = {{0x33, 0x33, 0xff, 0, 0, 1}};
	struct rte_mbuf *m;

	(void)state;
	/* To an own address with TTL 1 (eBGP): the kernel's, not an expiry. */
	expect_punt_free(mk_ip4(SRC4, OWN4, 1, 179, 60), DP_PUNT_LOCAL);
	expect_punt_free(mk_ip6(SRC6, OWN6, 1, 179, 20), DP_PUNT_LOCAL);
	expect_punt_free(mk_ip6(SRC6, ll, 255, 1, 20), DP_PUNT_IP6_LINK);
	m = mk_ip6(ll, sol, 255, 1, 32);
	rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr = mc;
	ip6_of(m)->proto = IPPROTO_ICMPV6;
	expect_punt_free(m, DP_PUNT_IP6_LINK);
	/* A route whose next hop is LOCAL. */
	m = expect_punt(mk_ip4(SRC4, IP(10, 8, 0, 1), 64, 1, 60), DP_PUNT_NH_LOCAL);
	assert_int_equal(dp_punt_meta(m)->nh_id, NH_LOCAL);
	rte_pktmbuf_free(m);
}

static void test_lookup_verdicts(void **state)
{
	struct rte_mbuf *m;

	(void)state;
	expect_punt_free(mk_ip4(SRC4, IP(192, 0, 2, 1), 64, 1, 60), DP_PUNT_NO_ROUTE);
	expect_punt_free(mk_ip6(SRC6, DST6_NONE, 64, 1, 20), DP_PUNT_NO_ROUTE);
	expect_drop(mk_ip4(SRC4, IP(10, 7, 0, 1), 64, 1, 60), DP_DROP_BLACKHOLE);
	m = expect_punt(mk_ip4(SRC4, IP(10, 6, 0, 1), 64, 1, 60), DP_PUNT_NEIGH);
	assert_int_equal(dp_punt_meta(m)->nh_id, NH_INCOMPLETE);
	assert_int_equal(ip4_of(m)->time_to_live, 64); /* untouched until resolved */
	rte_pktmbuf_free(m);
	/* Expiry wins over resolution: a TTL-1 packet is not held for a neighbour. */
	expect_punt_free(mk_ip4(SRC4, IP(10, 6, 0, 1), 1, 1, 60), DP_PUNT_TTL_EXCEEDED);
	if (fx_is_double()) {
		expect_drop(mk_ip4(SRC4, IP(10, 9, 0, 1), 64, 1, 60), DP_DROP_NH_INVALID);
		expect_drop(mk_ip4(SRC4, IP(10, 10, 0, 1), 64, 1, 60), DP_DROP_NH_INVALID);
	}
}

static void test_mtu(void **state)
{
	struct rte_mbuf *m;

	(void)state;
	rte_pktmbuf_free(expect_fwd(mk_ip4(SRC4, IP(10, 1, 0, 1), 64, 1, MTU_P1), 1));
	m = mk_ip4(SRC4, IP(10, 1, 0, 1), 64, 1, MTU_P1 + 1);
	ip4_of(m)->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip4_fix_cksum(m);
	m = expect_punt(m, DP_PUNT_TOO_BIG);
	assert_int_equal(dp_punt_meta(m)->mtu, MTU_P1);
	rte_pktmbuf_free(m);
	expect_drop(mk_ip4(SRC4, IP(10, 1, 0, 1), 64, 1, MTU_P1 + 1), DP_DROP_TOO_BIG);
	/* Port 0's MTU is larger: the same packet goes through there. */
	rte_pktmbuf_free(expect_fwd(mk_ip4(SRC4, IP(10, 2, 0, 1), 64, 1, MTU_P1 + 1), 0));
	/* IPv6: never fragmented by a router (RFC 8200 section 5). */
	rte_pktmbuf_free(expect_fwd(mk_ip6(SRC6, DST6_P1, 64, 1, MTU_P1 - 40), 1));
	m = expect_punt(mk_ip6(SRC6, DST6_P1, 64, 1, MTU_P1 - 39), DP_PUNT_TOO_BIG);
	assert_int_equal(dp_punt_meta(m)->mtu, MTU_P1);
	assert_int_equal(dp_punt_meta(m)->family, RH_AF_INET6);
	rte_pktmbuf_free(m);
}

static void test_ip6(void **state)
{
	static const uint8_t lo[16] = {[15] = 1};
	static const uint8_t ll[16] = {0xfe, 0x80, [15] = 1};
	struct rte_mbuf *m;

	(void)state;
	m = expect_fwd(mk_ip6(SRC6, DST6_P1, 2, 1, 20), 1);
	assert_int_equal(ip6_of(m)->hop_limits, 1);
	assert_true(rte_is_same_ether_addr(&rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr,
	                                   &MAC_NH));
	rte_pktmbuf_free(m);
	for (unsigned hl = 0; hl <= 1; hl++) {
		m = expect_punt(mk_ip6(SRC6, DST6_P1, (uint8_t)hl, 1, 20), DP_PUNT_TTL_EXCEEDED);
		assert_int_equal(ip6_of(m)->hop_limits, hl);
		rte_pktmbuf_free(m);
	}
	m = mk_ip6(SRC6, DST6_P1, 64, 1, 20);
	ip6_of(m)->vtc_flow = rte_cpu_to_be_32(4u << 28);
	expect_drop(m, DP_DROP_IP6_VERSION);
	m = mk_ip6(SRC6, DST6_P1, 64, 1, 20);
	ip6_of(m)->payload_len = rte_cpu_to_be_16(21);
	expect_drop(m, DP_DROP_IP6_LENGTH);
	m = mk_ip6(SRC6, DST6_P1, 64, 1, 20);
	ip6_of(m)->payload_len = 0;
	ip6_of(m)->proto = 0; /* hop-by-hop: a jumbogram */
	expect_drop(m, DP_DROP_IP6_LENGTH);
	m = mk_ip6(SRC6, DST6_P1, 64, 1, 0);
	rte_pktmbuf_trim(m, 1);
	expect_drop(m, DP_DROP_IP6_TRUNCATED);
	expect_drop(mk_ip6(ll, DST6_P1, 64, 1, 20), DP_DROP_IP6_MARTIAN_SRC);
	expect_drop(mk_ip6(lo, DST6_P1, 64, 1, 20), DP_DROP_IP6_MARTIAN_SRC);
	expect_drop(mk_ip6(SRC6, lo, 64, 1, 20), DP_DROP_IP6_MARTIAN_DST);
}

/* Sends 1,000 flows to the ECMP group and counts the packets each member got. */
static void ecmp_spread(bool v6, bool rss, unsigned *a, unsigned *b)
{
	*a = *b = 0;
	for (unsigned f = 0; f < 1000; f++) {
		struct rte_mbuf *m =
		        v6 ? mk_ip6(SRC6, DST6_ECMP, 64, (uint16_t)(1024 + f), 20)
		           : mk_ip4(SRC4 + f % 7, IP(10, 50, 0, 1), 64, (uint16_t)(1024 + f), 60);
		struct rte_ether_hdr *eth;

		if (rss) {
			/* As on queue 0 of 4: the NIC's RETA used the low bits, all zero here. */
			m->hash.rss = (f * 2654435761u) & ~3u;
			m->ol_flags |= RTE_MBUF_F_RX_RSS_HASH;
		}
		m = expect_fwd(m, 1);
		eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
		if (rte_is_same_ether_addr(&eth->dst_addr, &MAC_A))
			(*a)++;
		else if (rte_is_same_ether_addr(&eth->dst_addr, &MAC_B))
			(*b)++;
		rte_pktmbuf_free(m);
	}
}

static void test_ecmp_spread(void **state)
{
	unsigned a, b;

	(void)state;
	for (unsigned mode = 0; mode < 8; mode++) {
		fx_set_ecmp_modulo(T.fib, (mode & 4) != 0);
		ecmp_spread(mode & 1, mode & 2, &a, &b);
		assert_int_equal(a + b, 1000);
		/* Binomial(1000, 0.5): sd ~16, so 400..600 is > 6 sd. */
		if (a < 400 || b < 400)
			fail_msg("mode %u: uneven spread %u / %u", mode, a, b);
	}
}

static void test_ecmp_flow_sticks(void **state)
{
	int seen[3] = {-1, -1, -1};

	(void)state;
	for (unsigned i = 0; i < 30; i++) {
		unsigned kind = i % 3; /* 0: software 5-tuple, 1: RSS, 2: fragments */
		struct rte_mbuf *m = mk_ip4(SRC4, IP(10, 50, 3, 4), 64, 4242, (uint16_t)(60 + i));
		struct rte_ether_hdr *eth;
		int member;

		ip4_of(m)->packet_id = rte_cpu_to_be_16((uint16_t)i);
		if (kind == 1) {
			m->hash.rss = 0xdeadbeef;
			m->ol_flags |= RTE_MBUF_F_RX_RSS_HASH;
		}
		if (kind == 2) {
			/* Fragments of one datagram (first, then later ones whose bytes at the
			 * port offset are data): hashed on addresses only, one path. */
			ip4_of(m)->fragment_offset = rte_cpu_to_be_16(
			        (uint16_t)(i < 3 ? RTE_IPV4_HDR_MF_FLAG : (i / 3) * 10));
			((struct rte_udp_hdr *)(ip4_of(m) + 1))->src_port = (uint16_t)(i * 77);
		}
		ip4_fix_cksum(m);
		m = expect_fwd(m, 1);
		eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
		member = rte_is_same_ether_addr(&eth->dst_addr, &MAC_A) ? 0 : 1;
		if (seen[kind] < 0)
			seen[kind] = member;
		assert_int_equal(member, seen[kind]);
		rte_pktmbuf_free(m);
	}
}

/* One burst of every kind of packet: each counted once, in exactly one place. */
static void test_counter_identity(void **state)
{
	struct rte_mbuf *pkts[45], *out[64];
	void *punted[64];
	unsigned n = 0, fwd, punt, nb;

	(void)state;
	for (unsigned r = 0; r < 3; r++) {
		pkts[n++] = mk_ip4(SRC4, IP(10, 1, 0, r), 64, 1, 60);             /* fwd */
		pkts[n++] = mk_ip4(SRC4, IP(10, 50, 0, r), 64, 1, 60);            /* fwd */
		pkts[n++] = mk_ip6(SRC6, DST6_P1, 64, 1, 20);                     /* fwd */
		pkts[n++] = mk_ip4(SRC4, IP(10, 1, 0, r), 1, 1, 60);              /* ttl */
		pkts[n++] = mk_ip4(SRC4, IP(192, 0, 2, r), 64, 1, 60);            /* no route */
		pkts[n++] = mk_ip4(SRC4, OWN4, 64, 1, 60);                        /* local */
		pkts[n++] = mk_ip4(SRC4, IP(10, 6, 0, r), 64, 1, 60);             /* neigh */
		pkts[n++] = mk_ip4(SRC4, IP(10, 7, 0, r), 64, 1, 60);             /* blackhole */
		pkts[n++] = mk_frame(0, &MAC_P0, RTE_ETHER_TYPE_ARP, 28);         /* arp */
		pkts[n++] = mk_frame(0, &MAC_P0, RTE_ETHER_TYPE_VLAN, 50);        /* vlan */
		pkts[n++] = mk_frame(0, &MAC_P0, 0x88cc, 50);                     /* ethertype */
		pkts[n++] = mk_ip6(SRC6, DST6_NONE, 64, 1, 20);                   /* no route */
		pkts[n++] = mk_ip6(SRC6, DST6_P1, 1, 1, 20);                      /* ttl */
		pkts[n++] = mk_ip4(SRC4, IP(10, 1, 0, r), 64, 1, MTU_P1 + 1);     /* too big */
		pkts[n++] = mk_ip4(IP(127, 0, 0, 1), IP(10, 1, 0, r), 64, 1, 60); /* martian */
	}
	ip4_of(pkts[0])->hdr_checksum ^= 1; /* one bad checksum among them */
	dp_worker_process_burst(&T.w, pkts, (uint16_t)n);
	dp_worker_flush(&T.w);
	assert_int_equal(T.w.stats.in_pkts, n);
	assert_int_equal(dp_worker_stats_accounted(&T.w.stats), n);
	assert_int_equal(T.w.stats.port[0].rx_pkts, n);
	fwd = 3 * 3 - 1;
	assert_int_equal(T.w.stats.fwd_pkts, fwd);
	assert_int_equal(T.w.stats.port[1].tx_pkts, fwd);
	assert_int_equal(T.w.stats.drop[DP_DROP_IP4_CKSUM], 1);
	assert_int_equal(T.w.stats.drop[DP_DROP_BLACKHOLE], 3);
	assert_int_equal(T.w.stats.drop[DP_DROP_TOO_BIG], 3);
	assert_int_equal(T.w.stats.punt[DP_PUNT_TTL_EXCEEDED], 6);
	assert_int_equal(T.w.stats.punt[DP_PUNT_NO_ROUTE], 6);
	assert_int_equal(T.w.stats.punt[DP_PUNT_NEIGH], 3);
	punt = 3 * 6; /* ttl x2, no route x2, local, arp; the neighbour ring is separate */
	nb = rte_eth_rx_burst(T.eth[1], 0, out, RTE_DIM(out));
	assert_int_equal(nb, fwd);
	rte_pktmbuf_free_bulk(out, nb);
	nb = rte_ring_dequeue_burst(T.punt_ring, punted, RTE_DIM(punted), NULL);
	assert_int_equal(nb, punt);
	rte_pktmbuf_free_bulk((struct rte_mbuf **)punted, nb);
	nb = rte_ring_dequeue_burst(T.neigh_ring, punted, RTE_DIM(punted), NULL);
	assert_int_equal(nb, 3);
	rte_pktmbuf_free_bulk((struct rte_mbuf **)punted, nb);
}

/* ---- Groups of 4 ---------------------------------------------------------------------------- */

/* One packet that is not the common case, and what becomes of it. */
enum odd_fate { ODD_FWD1, ODD_FWD0, ODD_DROP, ODD_PUNT };

struct odd_kind {
	const char *name;
	enum odd_fate fate;
	unsigned reason; /* enum dp_drop or dp_punt */
};

static const struct odd_kind ODD[] = {
        {"bad checksum", ODD_DROP, DP_DROP_IP4_CKSUM},
        {"ttl 1", ODD_PUNT, DP_PUNT_TTL_EXCEEDED},
        {"arp", ODD_PUNT, DP_PUNT_ARP},
        {"no route", ODD_PUNT, DP_PUNT_NO_ROUTE},
        {"martian source", ODD_DROP, DP_DROP_IP4_MARTIAN_SRC},
        {"own address", ODD_PUNT, DP_PUNT_LOCAL},
        {"unresolved next hop", ODD_PUNT, DP_PUNT_NEIGH},
        {"too big", ODD_DROP, DP_DROP_TOO_BIG},
        {"other port's route", ODD_FWD0, 0},
        {"ecmp route", ODD_FWD1, 0},
        {"padded", ODD_FWD1, 0},
        {"nic checksum good", ODD_FWD1, 0},
        {"ip options", ODD_FWD1, 0},
        {"other host's mac", ODD_DROP, DP_DROP_L2_OTHER_HOST},
};

static struct rte_mbuf *mk_odd(unsigned kind, uint16_t tag)
{
	struct rte_mbuf *m = NULL;
	struct rte_ipv4_hdr *ip;

	switch (kind) {
	case 0:
		m = mk_ip4(SRC4, IP(10, 1, 0, 9), 64, 1, 60);
		ip4_of(m)->hdr_checksum ^= 1;
		return m;
	case 1:
		return mk_ip4(SRC4, IP(10, 1, 0, 9), 1, 1, 60);
	case 2:
		return mk_frame(0, &MAC_P0, RTE_ETHER_TYPE_ARP, 28);
	case 3:
		return mk_ip4(SRC4, IP(192, 0, 2, 9), 64, 1, 60);
	case 4:
		return mk_ip4(IP(0, 0, 0, 1), IP(10, 1, 0, 9), 64, 1, 60);
	case 5:
		return mk_ip4(SRC4, OWN4, 64, 1, 60);
	case 6:
		return mk_ip4(SRC4, IP(10, 6, 0, 9), 64, 1, 60);
	case 7:
		return mk_ip4(SRC4, IP(10, 1, 0, 9), 64, 1, MTU_P1 + 1);
	case 8:
		m = mk_ip4(SRC4, IP(10, 2, 0, 9), 64, 1, 60);
		break;
	case 9:
		m = mk_ip4(SRC4, IP(10, 50, 0, 9), 64, 1, 60);
		break;
	case 10:
		m = mk_ip4(SRC4, IP(10, 1, 0, 9), 64, 1, 60);
		ip4_of(m)->total_length = rte_cpu_to_be_16(40);
		break;
	case 11:
		m = mk_ip4(SRC4, IP(10, 1, 0, 9), 64, 1, 60);
		m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_GOOD;
		break;
	case 12:
		m = mk_ip4(SRC4, IP(10, 1, 0, 9), 64, 1, 60);
		ip = ip4_of(m);
		ip->version_ihl = 0x46; /* 4 bytes of options (zeros: end of list) */
		break;
	default:
		m = mk_frame(0, &MAC_B, RTE_ETHER_TYPE_IPV4, 60);
		return m;
	}
	ip = ip4_of(m);
	ip->packet_id = rte_cpu_to_be_16(tag);
	ip4_fix_cksum(m);
	return m;
}

/*
 * A burst of 12 (three groups of 4) where one packet of the middle group is not the
 * common case, in each position, for each kind: the others are forwarded in their order,
 * the odd one meets its own fate (in its place in its port's output when forwarded), and
 * every counter moves by exactly what it should.
 */
static void test_group_mixed(void **state)
{
	(void)state;
	for (unsigned kind = 0; kind < RTE_DIM(ODD); kind++) {
		for (unsigned pos = 0; pos < 12; pos++) {
			struct rte_mbuf *pkts[12], *out[16];
			struct dp_worker_stats before = T.w.stats;
			const struct odd_kind *k = &ODD[kind];
			unsigned n1 = 0, nb, i;
			uint64_t bytes1 = 0;
			void *q = NULL;

			for (i = 0; i < 12; i++) {
				pkts[i] = i == pos ? mk_odd(kind, (uint16_t)(100 + i))
				                   : mk_ip4(SRC4, IP(10, 1, 0, i), 64, 1, 60);
				if (i != pos) {
					ip4_of(pkts[i])->packet_id =
					        rte_cpu_to_be_16((uint16_t)(100 + i));
					ip4_fix_cksum(pkts[i]);
				}
			}
			dp_worker_process_burst(&T.w, pkts, 12);
			dp_worker_flush(&T.w);
			nb = rte_eth_rx_burst(T.eth[1], 0, out, RTE_DIM(out));
			for (i = 0; i < 12; i++) {
				if (i == pos && k->fate != ODD_FWD1)
					continue;
				if (n1 >= nb)
					fail_msg("%s at %u: packet %u not forwarded", k->name, pos,
					         i);
				if (rte_be_to_cpu_16(ip4_of(out[n1])->packet_id) != 100 + i)
					fail_msg("%s at %u: output %u out of order", k->name, pos,
					         n1);
				assert_int_equal(ip4_of(out[n1])->time_to_live, 63);
				assert_true(ip4_cksum_valid(ip4_of(out[n1])));
				bytes1 += rte_pktmbuf_pkt_len(out[n1]);
				n1++;
			}
			assert_int_equal(nb, n1);
			rte_pktmbuf_free_bulk(out, nb);
			nb = rte_eth_rx_burst(T.eth[0], 0, out, RTE_DIM(out));
			assert_int_equal(nb, k->fate == ODD_FWD0 ? 1 : 0);
			rte_pktmbuf_free_bulk(out, nb);
			assert_int_equal(T.w.stats.in_pkts - before.in_pkts, 12);
			assert_int_equal(T.w.stats.port[0].rx_pkts - before.port[0].rx_pkts, 12);
			assert_int_equal(T.w.stats.port[1].tx_pkts - before.port[1].tx_pkts, n1);
			assert_int_equal(T.w.stats.port[1].tx_bytes - before.port[1].tx_bytes,
			                 bytes1);
			assert_int_equal(T.w.stats.fwd_pkts - before.fwd_pkts,
			                 k->fate <= ODD_FWD0 ? 12 : 11);
			for (i = 0; i < DP_DROP_MAX; i++)
				assert_int_equal(T.w.stats.drop[i] - before.drop[i],
				                 k->fate == ODD_DROP && k->reason == i ? 1 : 0);
			for (i = 0; i < DP_PUNT_MAX; i++)
				assert_int_equal(T.w.stats.punt[i] - before.punt[i],
				                 k->fate == ODD_PUNT && k->reason == i ? 1 : 0);
			if (k->fate == ODD_PUNT) {
				struct rte_ring *r =
				        k->reason == DP_PUNT_NEIGH ? T.neigh_ring : T.punt_ring;

				assert_int_equal(rte_ring_dequeue(r, &q), 0);
				assert_ptr_equal(q, pkts[pos]);
				rte_pktmbuf_free(q);
			}
		}
	}
}

/* Groups whose packets come from two ports: each port's counters stay exact. */
static void test_group_two_ports(void **state)
{
	struct rte_mbuf *pkts[16], *out[16];
	unsigned nb;

	(void)state;
	for (unsigned i = 0; i < 16; i++) {
		pkts[i] = mk_ip4(SRC4, IP(10, 1, 0, i), 64, 1, 60);
		if (i == 6 || i == 13) {
			/* Received on port 1, for port 1's MAC: forwarded back out of port 1. */
			pkts[i]->port = T.eth[1];
			memcpy(rte_pktmbuf_mtod(pkts[i], void *), &MAC_P1, RTE_ETHER_ADDR_LEN);
		}
	}
	dp_worker_process_burst(&T.w, pkts, 16);
	dp_worker_flush(&T.w);
	assert_int_equal(T.w.stats.port[0].rx_pkts, 14);
	assert_int_equal(T.w.stats.port[1].rx_pkts, 2);
	assert_int_equal(T.w.stats.port[0].rx_bytes, 14 * 74);
	assert_int_equal(T.w.stats.port[1].rx_bytes, 2 * 74);
	assert_int_equal(T.w.stats.fwd_pkts, 16);
	nb = rte_eth_rx_burst(T.eth[1], 0, out, RTE_DIM(out));
	assert_int_equal(nb, 16);
	rte_pktmbuf_free_bulk(out, nb);
}

/*
 * Groups of 4 whose checksums the NIC verified, then groups it did not, then verified
 * again: a verified group is trusted as it is (a header with a wrong checksum still
 * forwarded, as one packet alone would be), an unverified one is checked (the wrong one
 * dropped, the other three forwarded), whichever kind came before.
 */
static void test_group_nic_cksum(void **state)
{
	struct rte_mbuf *pkts[8], *out[8];
	unsigned nb;

	(void)state;
	for (unsigned round = 0; round < 3; round++) {
		bool good = round != 1;
		struct dp_worker_stats before = T.w.stats;

		for (unsigned i = 0; i < 8; i++) {
			pkts[i] = mk_ip4(SRC4, IP(10, 1, 0, i), 64, 1, 60);
			if (good)
				pkts[i]->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_GOOD;
		}
		ip4_of(pkts[5])->hdr_checksum ^= 0x0100;
		dp_worker_process_burst(&T.w, pkts, 8);
		dp_worker_flush(&T.w);
		nb = rte_eth_rx_burst(T.eth[1], 0, out, RTE_DIM(out));
		assert_int_equal(nb, good ? 8 : 7);
		assert_int_equal(T.w.stats.drop[DP_DROP_IP4_CKSUM] - before.drop[DP_DROP_IP4_CKSUM],
		                 good ? 0 : 1);
		for (unsigned i = 0; i < nb; i++)
			assert_int_equal(ip4_of(out[i])->time_to_live, 63);
		rte_pktmbuf_free_bulk(out, nb);
	}
}

/*
 * A packet forwarded alone leaves the TX buffer at 1; the groups of a full burst that
 * follows no longer fit exactly: the buffer is sent when a group would overflow it, and
 * every packet leaves, in order.
 */
static void test_group_tx_unaligned(void **state)
{
	struct rte_mbuf *first, *pkts[32], *out[40];
	unsigned nb = 0, got;

	(void)state;
	first = mk_ip4(SRC4, IP(10, 1, 0, 200), 64, 1, 60);
	ip4_of(first)->packet_id = rte_cpu_to_be_16(999);
	ip4_fix_cksum(first);
	dp_worker_process_burst(&T.w, &first, 1);
	for (unsigned i = 0; i < 32; i++) {
		pkts[i] = mk_ip4(SRC4, IP(10, 1, 0, i), 64, 1, 60);
		ip4_of(pkts[i])->packet_id = rte_cpu_to_be_16((uint16_t)i);
		ip4_fix_cksum(pkts[i]);
	}
	dp_worker_process_burst(&T.w, pkts, 32);
	dp_worker_flush(&T.w);
	while (nb < RTE_DIM(out) &&
	       (got = rte_eth_rx_burst(T.eth[1], 0, out + nb, (uint16_t)(RTE_DIM(out) - nb))) > 0)
		nb += got;
	assert_int_equal(nb, 33);
	assert_int_equal(rte_be_to_cpu_16(ip4_of(out[0])->packet_id), 999);
	for (unsigned i = 1; i < nb; i++)
		assert_int_equal(rte_be_to_cpu_16(ip4_of(out[i])->packet_id), i - 1);
	assert_int_equal(T.w.stats.fwd_pkts, 33);
	assert_int_equal(dp_worker_stats_accounted(&T.w.stats), T.w.stats.in_pkts);
	rte_pktmbuf_free_bulk(out, nb);
}

/*
 * Bursts whose groups of 4 take different routes: groups to one next hop each (two in a
 * group of 8 apart), a group whose route has a longer prefix inside it (an extended
 * first-level entry), a group half to one and half to the other, and an ECMP group, in
 * four orders (each of the last three first), with and without the input port's prefetch.
 * Every packet leaves by its route's port with its next hop's MACs, TTL 63 and a valid
 * checksum, and each port's output keeps the order of the input.
 */
static void test_group_routes(void **state)
{
	static const struct {
		uint32_t dst;
		unsigned port; /* 2: by packet, the /25 for hosts >= 128 */
	} G[8] = {
	        {IP(10, 1, 0, 0), 1}, {IP(10, 2, 0, 0), 0},   {IP(10, 1, 0, 0), 1},
	        {IP(10, 3, 0, 0), 1}, {IP(10, 3, 0, 126), 2}, {IP(10, 50, 0, 0), 1},
	        {IP(10, 2, 0, 0), 0}, {IP(10, 1, 0, 0), 1},
	};
	static const unsigned rot[] = {0, 3, 4, 5};

	(void)state;
	fx_route4(T.fib, IP(10, 3, 0, 0), 16, NH_P1);
	fx_route4(T.fib, IP(10, 3, 0, 128), 25, NH_P0);
	for (unsigned r = 0; r < RTE_DIM(rot); r++) {
		struct rte_mbuf *pkts[32], *out[32];
		unsigned grp[32], port_of[32], next[2] = {0, 0}, nb, i, port;
		uint64_t fwd0 = T.w.stats.fwd_pkts;

		T.ctx.port[0].prefetch = r % 2 == 0;
		for (i = 0; i < 32; i++) {
			uint32_t dst;

			grp[i] = (i / 4 + rot[r]) % 8;
			dst = G[grp[i]].dst + i % 4;
			pkts[i] = mk_ip4(SRC4, dst, 64, (uint16_t)(1000 + i), 60);
			ip4_of(pkts[i])->packet_id = rte_cpu_to_be_16((uint16_t)i);
			ip4_fix_cksum(pkts[i]);
			port_of[i] = G[grp[i]].port != 2   ? G[grp[i]].port
			             : (dst & 0xff) >= 128 ? 0
			                                   : 1;
		}
		dp_worker_process_burst(&T.w, pkts, 32);
		dp_worker_flush(&T.w);
		for (port = 0; port < 2; port++) {
			unsigned want = 0;

			for (i = 0; i < 32; i++)
				want += port_of[i] == port;
			nb = rte_eth_rx_burst(T.eth[port], 0, out, RTE_DIM(out));
			assert_int_equal(nb, want);
			for (unsigned o = 0; o < nb; o++) {
				struct rte_ether_hdr *eth =
				        rte_pktmbuf_mtod(out[o], struct rte_ether_hdr *);
				bool ecmp;

				while (port_of[next[port]] != port)
					next[port]++;
				i = next[port]++;
				if (rte_be_to_cpu_16(ip4_of(out[o])->packet_id) != i)
					fail_msg(
					        "order %u, port %u: output %u is packet %u, not %u",
					        rot[r], port, o,
					        rte_be_to_cpu_16(ip4_of(out[o])->packet_id), i);
				ecmp = G[grp[i]].dst == IP(10, 50, 0, 0);
				assert_true(rte_is_same_ether_addr(&eth->src_addr,
				                                   port ? &MAC_P1 : &MAC_P0));
				assert_true(ecmp ? rte_is_same_ether_addr(&eth->dst_addr, &MAC_A) ||
				                            rte_is_same_ether_addr(&eth->dst_addr,
				                                                   &MAC_B)
				                 : rte_is_same_ether_addr(&eth->dst_addr, &MAC_NH));
				assert_int_equal(ip4_of(out[o])->time_to_live, 63);
				assert_true(ip4_cksum_valid(ip4_of(out[o])));
			}
			rte_pktmbuf_free_bulk(out, nb);
		}
		assert_int_equal(T.w.stats.fwd_pkts - fwd0, 32);
	}
	T.ctx.port[0].prefetch = true;
}

/* Where the CPU has AVX2, pass 1 takes groups of 8 (and this build's cases test them). */
static void test_group8_selected(void **state)
{
	(void)state;
#ifdef DP_TEST_NO_GROUP8
	assert_false(T.w.group8);
#else
	if (rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX2) <= 0)
		skip(); /* no AVX2 on this CPU: only the groups of 4 are tested */
	assert_true(T.w.group8);
#endif
}

/* A full exception ring drops what does not fit, counted, and leaks nothing. */
static void test_ring_full(void **state)
{
	struct rte_mbuf *pkts[PUNT_RING + 8];
	void *punted[PUNT_RING];
	unsigned nb;

	(void)state;
	for (unsigned i = 0; i < RTE_DIM(pkts); i++)
		pkts[i] = mk_frame(0, &MAC_P0, RTE_ETHER_TYPE_ARP, 28);
	dp_worker_process_burst(&T.w, pkts, RTE_DIM(pkts));
	assert_int_equal(T.w.stats.punt[DP_PUNT_ARP], PUNT_RING - 1);
	assert_int_equal(T.w.stats.drop[DP_DROP_RING_FULL], RTE_DIM(pkts) - (PUNT_RING - 1));
	assert_int_equal(dp_worker_stats_accounted(&T.w.stats), RTE_DIM(pkts));
	nb = rte_ring_dequeue_burst(T.punt_ring, punted, RTE_DIM(punted), NULL);
	assert_int_equal(nb, PUNT_RING - 1);
	rte_pktmbuf_free_bulk((struct rte_mbuf **)punted, nb);
}

/* A full TX queue (net_ring's ring holds 1,023) drops the rest, counted. */
static void test_tx_full(void **state)
{
	struct rte_mbuf *pkts[DP_BURST], *out[DP_BURST];
	unsigned total = 0, nb;

	(void)state;
	for (unsigned b = 0; b < 34; b++) {
		for (unsigned i = 0; i < DP_BURST; i++)
			pkts[i] = mk_ip4(SRC4, IP(10, 1, 0, 1), 64, 1, 60);
		dp_worker_process_burst(&T.w, pkts, DP_BURST);
		total += DP_BURST;
	}
	dp_worker_flush(&T.w);
	assert_int_equal(T.w.stats.fwd_pkts, 1023);
	assert_int_equal(T.w.stats.drop[DP_DROP_TX_FULL], total - 1023);
	assert_int_equal(T.w.stats.port[1].tx_pkts, 1023);
	assert_int_equal(T.w.stats.port[1].tx_bytes, 1023 * 74);
	assert_int_equal(dp_worker_stats_accounted(&T.w.stats), total);
	while ((nb = rte_eth_rx_burst(T.eth[1], 0, out, DP_BURST)) > 0)
		rte_pktmbuf_free_bulk(out, nb);
}

static void *worker_thread(void *arg)
{
	dp_worker_main(arg);
	return NULL;
}

/* The loop: polls its queue, forwards, flushes, reports quiescence, stops when told. */
static void test_worker_main(void **state)
{
	struct rte_mbuf *pkts[100], *out[DP_BURST];
	unsigned got = 0, nb, spins = 0;
	pthread_t th;

	(void)state;
	assert_int_equal(dp_worker_add_rxq(&T.w, T.eth[0], 0), 0);
	assert_int_equal(dp_worker_add_rxq(&T.w, RTE_MAX_ETHPORTS, 0), -EINVAL);
	/* net_ring0 loops its TX back to its RX: that is how the frames arrive. */
	for (unsigned i = 0; i < RTE_DIM(pkts); i++)
		pkts[i] = mk_ip4(SRC4, IP(10, 1, 0, 1), 64, (uint16_t)i, 60);
	assert_int_equal(rte_eth_tx_burst(T.eth[0], 0, pkts, RTE_DIM(pkts)), RTE_DIM(pkts));
	assert_int_equal(pthread_create(&th, NULL, worker_thread, &T.w), 0);
	while (__atomic_load_n(&T.w.stats.fwd_pkts, __ATOMIC_RELAXED) < RTE_DIM(pkts) &&
	       spins++ < 5000)
		usleep(1000);
	dp_worker_stop(&T.w);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(T.w.stats.fwd_pkts, RTE_DIM(pkts));
	assert_true(fx_registered(T.fib) >= 1);
	assert_true(fx_quiescent(T.fib) >= 1);
	while ((nb = rte_eth_rx_burst(T.eth[1], 0, out, DP_BURST)) > 0) {
		for (unsigned i = 0; i < nb; i++)
			assert_int_equal(ip4_of(out[i])->time_to_live, 63);
		got += nb;
		rte_pktmbuf_free_bulk(out, nb);
	}
	assert_int_equal(got, RTE_DIM(pkts));
}

static void test_api_errors(void **state)
{
	struct rh_addr bad = {.family = 9};
	struct dp_worker w;
	struct dp_fwd_ctx ctx;

	(void)state;
	dp_fwd_ctx_init(&ctx);
	assert_int_equal(dp_worker_init(&w, &ctx, 0, 0), -EINVAL); /* no rings */
	assert_int_equal(dp_fwd_ctx_set_port(&ctx, RH_MAX_PORTS, 0, &MAC_P0, 1500), -EINVAL);
	assert_int_equal(dp_fwd_ctx_set_port(&ctx, 0, RTE_MAX_ETHPORTS, &MAC_P0, 1500), -EINVAL);
	assert_int_equal(dp_local_add(&ctx.local, &bad), -EINVAL);
	assert_false(dp_local_has4(&ctx.local, rte_cpu_to_be_32(OWN4)));
	assert_true(dp_local_has4(&T.ctx.local, rte_cpu_to_be_32(OWN4)));
	assert_true(dp_local_has6(&T.ctx.local, OWN6));
	assert_false(dp_local_has6(&T.ctx.local, SRC6));
}

int main(void)
{
#define T_(f) cmocka_unit_test_setup_teardown(f, test_setup, test_teardown)
	const struct CMUnitTest tests[] = {
	        T_(test_names),
	        T_(test_ip4_forward_ttl2),
	        T_(test_ip4_ttl_cksum_incremental),
	        T_(test_ip4_ttl_cksum_grouped),
	        T_(test_ip4_ttl_expired),
	        T_(test_ip4_header_errors),
	        T_(test_ip4_cksum_offload_flags),
	        T_(test_ip4_options_forwarded),
	        T_(test_padding_trimmed),
	        T_(test_multi_segment),
	        T_(test_l2),
	        T_(test_exception_destinations),
	        T_(test_lookup_verdicts),
	        T_(test_mtu),
	        T_(test_ip6),
	        T_(test_ecmp_spread),
	        T_(test_ecmp_flow_sticks),
	        T_(test_counter_identity),
	        T_(test_group_mixed),
	        T_(test_group_two_ports),
	        T_(test_group_nic_cksum),
	        T_(test_group_routes),
	        T_(test_group8_selected),
	        T_(test_group_tx_unaligned),
	        T_(test_ring_full),
	        T_(test_tx_full),
	        T_(test_worker_main),
	        T_(test_api_errors),
	};
#undef T_

	return cmocka_run_group_tests_name("dp_worker", tests, group_setup, group_teardown);
}
