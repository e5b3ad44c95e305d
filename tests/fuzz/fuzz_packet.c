/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the dataplane's packet input path: the worker's burst processing
 * (dataplane/worker.c: L2, IPv4 and IPv6 checks, FIB lookup, rewrite) and, for what it
 * punts, the main lcore's exception path (dataplane/punt.c: neighbour snooping of ARP and
 * ND in neigh.c, ICMP errors from icmp.c routed back by the FIB, packets held for a
 * neighbour), over the real FIB programmed as the dataplane does it (own.c: connected
 * subnets, own addresses, neighbours' host routes) plus a few control-plane routes.
 * Two net_ring ports stand for the NICs (what goes out is read back and freed); no TAP
 * (what would go to the kernel is counted and freed).
 *
 * The FIB changes under the packets too: the control plane's messages go through the FIB
 * channel server with the dataplane's own hooks (own.c: reserved ids, FIBC_PORT_ANY, the
 * own entries re-added on a resync), between bursts, while punted and held packets still
 * wait; after such an input the FIB is resynchronised to its initial contents. Each input
 * starts from the state the first one started from (reset_state()): a failing input
 * fails alone, and its file reproduces it.
 *
 * Input: records, each [flags][split][length, 16-bit little-endian][bytes]. flags bit 6:
 * the bytes are a FIB channel datagram (routehub/fib_channel.h). Else a frame; bit 0:
 * received on port 1 (else 0); bit 1: the mbuf is a chain of two segments cut at `split`
 * (scattered RX); bits 2-3: the NIC's IPv4 checksum verdict (RTE_MBUF_F_RX_IP_CKSUM_*);
 * bit 4: the NIC set an RSS hash (split is its low byte); bit 5: received on an ethdev port
 * the dataplane does not own. Up to two bursts.
 * A broken contract aborts: the worker's counters add up (worker.h: in = forwarded +
 * dropped + punted), and once the exception path and the neighbour table's timers have
 * run, no mbuf is lost: every one is back in the pool or held by the neighbour table; what
 * the ports send is no larger than their MTU and has their MAC as its source.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>
#include <sys/socket.h>

#include "dp.h"
#include "fuzz_check.h"
#include "fuzz_eal.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
uint64_t dp_now_ms(void);

#define NB_MBUF      8192
#define MAX_NH       64
#define FRAME_MAX    2048
#define MAX_FRAMES   (2 * DP_BURST)
#define MAX_FIB_MSGS 16
#define NEIGH_SLACK  60000 /* ms: past every retransmission and reachable time of neigh.c */

static struct rh_config cfg;
static struct dp_main d;
static struct dp_fwd_ctx fwd;
static struct dp_worker worker;
static struct fib_server_hooks hooks;
static struct neigh_ops neigh_ops;
static int fib_client = -1; /* the control plane's end of the FIB channel */
static uint64_t now_ms = 1000;

uint64_t dp_now_ms(void)
{
	return now_ms;
}

static void port_cfg(unsigned p, uint8_t subnet)
{
	struct rh_port_cfg *pc = &cfg.dp.port[p];
	struct rh_ifaddr *a4 = &pc->addr[0], *a6 = &pc->addr[1];

	pc->name[0] = 'p';
	pc->name[1] = (char)('0' + p);
	pc->n_addrs = 2;
	pc->mtu = p == 0 ? 1500 : 1400;
	a4->addr = (struct rh_addr){.family = RH_AF_INET, .bytes = {198, 18, subnet, 1}};
	a4->len = 24;
	a6->addr = (struct rh_addr){.family = RH_AF_INET6,
	                            .bytes = {0x20, 0x01, 0x0d, 0xb8, 0, subnet, [15] = 1}};
	a6->len = 64;
}

static int port_start(unsigned p)
{
	static const char *const names[] = {"net_ring0", "net_ring1"};
	struct rte_eth_conf conf;
	uint16_t id;

	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_get_port_by_name(names[p], &id) != 0 ||
	    rte_eth_dev_configure(id, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(id, 0, 4096, SOCKET_ID_ANY, NULL, d.pool) != 0 ||
	    rte_eth_tx_queue_setup(id, 0, 4096, SOCKET_ID_ANY, NULL) != 0 ||
	    rte_eth_dev_start(id) != 0)
		return -1;
	d.port[p] = (struct dp_port){.index = (uint16_t)p,
	                             .eth_port = id,
	                             .n_rxq = 1,
	                             .n_txq = 1,
	                             .mtu = cfg.dp.port[p].mtu,
	                             .mac = {{0x02, 0, 0, 0, 0, (uint8_t)(p + 1)}}};
	if (dp_fwd_ctx_set_port(&fwd, (uint16_t)p, id, &d.port[p].mac, d.port[p].mtu) != 0)
		return -1;
	for (unsigned i = 0; i < cfg.dp.port[p].n_addrs; i++)
		if (dp_local_add(&fwd.local, &cfg.dp.port[p].addr[i].addr) != 0)
			return -1;
	return 0;
}

/* What a control plane would program: a resolved next hop, an unresolved one, a
 * blackhole, a local one, an ECMP group, IPv4 and IPv6 routes to them. */
static int program_cp_routes(void)
{
	static const uint32_t members[] = {1, 2};
	const struct rte_ether_addr mac = {{0x02, 0, 0, 0, 0, 0x10}};
	struct fibc_nh nhs[] = {
	        {.id = 1, .port = 1, .family = RH_AF_INET, .addr = {198, 18, 1, 10}},
	        {.id = 2, .port = 1, .family = RH_AF_INET, .addr = {198, 18, 1, 11}},
	        {.id = 3, .port = 0, .family = RH_AF_INET, .flags = FIBC_NH_F_BLACKHOLE},
	        {.id = 4, .port = 0, .family = RH_AF_INET, .flags = FIBC_NH_F_LOCAL},
	        {.id = 5,
	         .port = 1,
	         .family = RH_AF_INET6,
	         .addr = {0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 10}},
	};
	struct fibc_route routes[] = {
	        {.family = RH_AF_INET, .len = 16, .nh_id = 1, .addr = {203, 0}},
	        {.family = RH_AF_INET,
	         .len = 24,
	         .nh_id = 1,
	         .flags = FIBC_RT_F_GROUP,
	         .addr = {192, 0, 2}},
	        {.family = RH_AF_INET, .len = 24, .nh_id = 3, .addr = {198, 51, 100}},
	        {.family = RH_AF_INET, .len = 24, .nh_id = 4, .addr = {198, 19, 4}},
	        {.family = RH_AF_INET6, .len = 32, .nh_id = 5, .addr = {0x20, 0x01, 0x0d, 0xb9}},
	};
	int rc = 0;

	for (unsigned i = 0; i < RTE_DIM(nhs) && rc == 0; i++)
		rc = dp_fib_nh_add(d.fib, &nhs[i]);
	/* Next hop 1 resolved from the start: the worker forwards without the slow path. */
	if (rc == 0)
		rc = dp_fib_nh_resolve(d.fib, 1, nhs[0].addr, RH_AF_INET, &mac, &d.port[1].mac);
	if (rc == 0)
		rc = dp_fib_group_add(d.fib, 1, members, 2);
	for (unsigned i = 0; i < RTE_DIM(routes) && rc == 0; i++)
		rc = dp_fib_route_add(d.fib, &routes[i]);
	return rc;
}

/* Sends one datagram on the FIB channel and has the server answer it. */
static void fib_msg(const void *p, size_t len)
{
	struct {
		struct fibc_hdr h;
		struct fibc_ack a;
	} ack;

	check(send(fib_client, p, len, MSG_NOSIGNAL) == (ssize_t)len);
	check(fib_server_poll(d.fsrv) == 1);
	check(recv(fib_client, &ack, sizeof(ack), MSG_DONTWAIT) == sizeof(ack));
	check(ack.h.type == FIBC_ACK && ack.a.status <= 0);
	if (getenv("FUZZ_VERBOSE") != NULL)
		fprintf(stderr, "fib channel: seq %u status %d\n", ack.a.seq, ack.a.status);
}

static void fib_hello(void)
{
	struct fibc_hdr h = {.version = FIBC_VERSION, .type = FIBC_HELLO, .len = sizeof(h)};

	fib_msg(&h, sizeof(h));
}

/* Back to the initial FIB: everything swept (a resync that re-adds nothing must empty
 * it), then the dataplane's own entries (own.c's resync hook) and the control plane's
 * routes added again; a HELLO ends any sync the input left open. */
static void fib_restore(void)
{
	struct dp_fib_stats st;
	int rc;

	fib_hello();
	dp_fib_mark_stale(d.fib);
	dp_fib_sweep_stale(d.fib);
	dp_fib_reclaim(d.fib);
	dp_fib_stats(d.fib, &st);
	check(st.routes_v4 == 0 && st.routes_v6 == 0 && st.next_hops == 0 && st.groups == 0);
	hooks.synced(hooks.arg);
	rc = program_cp_routes();
	if (rc != 0)
		fprintf(stderr, "fib_restore: %s\n", strerror(-rc));
	check(rc == 0);
}

static int fib_channel_start(void)
{
	int sv[2];

	d.fsrv = fib_server_create(d.fib, NULL);
	if (d.fsrv == NULL || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	dp_own_hooks(&d, &hooks);
	fib_server_set_hooks(d.fsrv, &hooks);
	if (fib_server_attach(d.fsrv, sv[0]) != 0)
		return -1;
	fib_client = sv[1];
	fib_hello();
	return 0;
}

/* An empty neighbour table on the two ports. */
static int neigh_start(void)
{
	d.neigh = neigh_create(d.pool, &neigh_ops);
	if (d.neigh == NULL)
		return -1;
	for (uint16_t p = 0; p < 2; p++)
		if (neigh_port_add(d.neigh, p, &d.port[p].mac, cfg.dp.port[p].addr,
		                   cfg.dp.port[p].n_addrs) != 0)
			return -1;
	return 0;
}

/* Back to the state LLVMFuzzerInitialize() left, so that an input's verdict depends on
 * that input alone and its file reproduces it: no neighbour learnt by an earlier input
 * (nor its host route, nor the MAC it gave a next hop), no held packet, the initial FIB,
 * full rate-limit buckets. (Before, a finding of a long run did not reproduce from its
 * input: see docs/architecture.md, "Fuzzing".) The neighbour table and the FIB only when
 * the table did anything (every new entry moves a counter): a new table is a few hundred
 * kB of zeroed pages, and most inputs never reach it. */
static void reset_state(void)
{
	static const struct neigh_stats none;
	struct neigh_stats st;

	icmp_bucket_init(&d.icmp_bucket, DP_ICMP_RATE, DP_ICMP_BURST, now_ms);
	memset(&d.punt_bucket, 0, sizeof(d.punt_bucket));
	memset(&d.punt_bgp_bucket, 0, sizeof(d.punt_bgp_bucket));
	neigh_get_stats(d.neigh, &st);
	if (memcmp(&st, &none, sizeof(st)) == 0)
		return;
	neigh_destroy(d.neigh); /* frees the packets it held */
	check(neigh_start() == 0);
	memset(d.host_route, 0, sizeof(d.host_route));
	fib_restore(); /* a resync: the own entries come back without the neighbours' */
	check(rte_mempool_avail_count(d.pool) == NB_MBUF);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const vdevs[] = {"--vdev=net_ring0", "--vdev=net_ring1", NULL};
	struct dp_fib_conf fc = {.v4_max_routes = 1024,
	                         .v6_max_routes = 1024,
	                         .max_next_hops = MAX_NH + DP_OWN_NH_COUNT,
	                         .max_groups = 16,
	                         .n_workers = 1,
	                         .socket_id = SOCKET_ID_ANY};
	(void)argc;
	(void)argv;
	fuzz_eal_init("fuzz_packet", vdevs);
	port_cfg(0, 0);
	port_cfg(1, 1);
	cfg.dp.n_ports = 2;
	cfg.dp.max_next_hops = MAX_NH;
	d.cfg = &cfg;
	d.n_ports = 2;
	d.n_workers = 1;
	d.fwd = &fwd;
	d.own_nh_base = MAX_NH + 1;
	icmp_bucket_init(&d.icmp_bucket, DP_ICMP_RATE, DP_ICMP_BURST, now_ms);
	dp_fwd_ctx_init(&fwd);
	/* No per-lcore cache: the pool's count is then exact for the leak check. */
	d.pool = rte_pktmbuf_pool_create("fuzz_pool", NB_MBUF, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
	                                 SOCKET_ID_ANY);
	d.punt_ring = rte_ring_create("fuzz_punt", 1024, SOCKET_ID_ANY, RING_F_SC_DEQ);
	d.neigh_ring = rte_ring_create("fuzz_neigh", 1024, SOCKET_ID_ANY, RING_F_SC_DEQ);
	d.fib = dp_fib_create(&fc);
	if (d.pool == NULL || d.punt_ring == NULL || d.neigh_ring == NULL || d.fib == NULL ||
	    dp_worker_global_init() != 0)
		abort();
	fwd.fib = d.fib;
	fwd.punt_ring = d.punt_ring;
	fwd.neigh_ring = d.neigh_ring;
	if (port_start(0) != 0 || port_start(1) != 0)
		abort();
	dp_neigh_ops(&d, &neigh_ops);
	if (neigh_start() != 0)
		abort();
	if (dp_own_install(&d) != 0 || program_cp_routes() != 0 || fib_channel_start() != 0 ||
	    dp_worker_init(&worker, &fwd, 0, 0) != 0)
		abort();
	return 0;
}

static const uint64_t cksum_flags[4] = {RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN, RTE_MBUF_F_RX_IP_CKSUM_BAD,
                                        RTE_MBUF_F_RX_IP_CKSUM_GOOD, RTE_MBUF_F_RX_IP_CKSUM_NONE};

/* One received frame as a NIC would hand it over; NULL when the pool is empty. */
static struct rte_mbuf *frame(const uint8_t *p, uint16_t len, uint8_t flags, uint8_t split)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(d.pool), *tail;
	uint16_t first = len;

	if (m == NULL)
		return NULL;
	if ((flags & 2) && split > 0 && split < len)
		first = split;
	memcpy(rte_pktmbuf_append(m, first), p, first);
	if (first < len) {
		tail = rte_pktmbuf_alloc(d.pool);
		if (tail == NULL) {
			rte_pktmbuf_free(m);
			return NULL;
		}
		memcpy(rte_pktmbuf_append(tail, (uint16_t)(len - first)), p + first, len - first);
		check(rte_pktmbuf_chain(m, tail) == 0);
	}
	m->port = flags & 32 ? RTE_MAX_ETHPORTS - 1 : d.port[flags & 1].eth_port;
	m->ol_flags = cksum_flags[(flags >> 2) & 3];
	if (flags & 16) {
		m->ol_flags |= RTE_MBUF_F_RX_RSS_HASH;
		m->hash.rss = split * 0x01000193u;
	}
	return m;
}

static int count_held(const struct neigh_entry *e, void *arg)
{
	*(unsigned *)arg += e->n_held;
	return 0;
}

/* Everything the ports sent comes back on their own RX (net_ring): checked and freed.
 * Nothing leaves a port larger than its MTU (RFC 1812 4.2.2.7: no IPv4 fragmentation
 * here, so too big is dropped or answered) or with a source MAC other than the port's. */
static void drain_ports(void)
{
	struct rte_mbuf *pkts[DP_BURST];
	uint16_t n;

	for (unsigned p = 0; p < 2; p++)
		while ((n = rte_eth_rx_burst(d.port[p].eth_port, 0, pkts, DP_BURST)) > 0) {
			for (uint16_t i = 0; i < n; i++) {
				const struct rte_ether_hdr *eth;

				check(rte_pktmbuf_pkt_len(pkts[i]) <=
				      sizeof(*eth) + (uint32_t)d.port[p].mtu);
				check(rte_pktmbuf_data_len(pkts[i]) >= sizeof(*eth));
				eth = rte_pktmbuf_mtod(pkts[i], const struct rte_ether_hdr *);
				check(rte_is_same_ether_addr(&eth->src_addr, &d.port[p].mac));
			}
			rte_pktmbuf_free_bulk(pkts, n);
		}
}

/* The main lcore's work until nothing is left: punt and neighbour rings, timers. */
static void slow_path(void)
{
	unsigned held = 0;

	for (unsigned i = 0; i < 64 && dp_punt_poll(&d, now_ms) > 0; i++)
		;
	drain_ports();
	/* Let every resolution run out (retransmissions, then failure and the held
	 * packets' ICMP errors), so that each input starts from the same held state. */
	for (unsigned i = 0; i < 8; i++) {
		now_ms += NEIGH_SLACK / 8;
		neigh_timer(d.neigh, now_ms);
		for (unsigned j = 0; j < 64 && dp_punt_poll(&d, now_ms) > 0; j++)
			;
		drain_ports();
	}
	neigh_walk(d.neigh, count_held, &held);
	check(rte_ring_count(d.punt_ring) == 0 && rte_ring_count(d.neigh_ring) == 0);
	check(rte_mempool_avail_count(d.pool) + held == NB_MBUF);
}

/* FUZZ_VERBOSE=1: what the worker and the slow path did so far (to check a seed). */
static void verbose(void)
{
	const struct dp_worker_stats *st = &worker.stats;

	fprintf(stderr, "in %" PRIu64 " fwd %" PRIu64, st->in_pkts, st->fwd_pkts);
	for (unsigned i = 0; i < DP_DROP_MAX; i++)
		if (st->drop[i])
			fprintf(stderr, " drop:%s %" PRIu64, dp_drop_names[i], st->drop[i]);
	for (unsigned i = 0; i < DP_PUNT_MAX; i++)
		if (st->punt[i])
			fprintf(stderr, " punt:%s %" PRIu64, dp_punt_names[i], st->punt[i]);
	fprintf(stderr,
	        " | icmp %" PRIu64 " suppressed %" PRIu64 " kernel %" PRIu64 " slow_fwd %" PRIu64
	        "\n",
	        d.stats.icmp_sent, d.stats.icmp_suppressed, d.stats.kernel_drops, d.stats.slow_fwd);
}

/* The frames received so far go through the worker (what it punts waits in the rings). */
static void burst(struct rte_mbuf **pkts, uint16_t n)
{
	for (uint16_t i = 0; i < n; i += DP_BURST)
		dp_worker_process_burst(&worker, pkts + i, RTE_MIN((uint16_t)DP_BURST, n - i));
	dp_worker_flush(&worker);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rte_mbuf *pkts[MAX_FRAMES];
	unsigned frames = 0, fib_msgs = 0;
	uint16_t n = 0;

	reset_state();
	while (size >= 4 && frames < MAX_FRAMES && fib_msgs < MAX_FIB_MSGS) {
		uint8_t flags = data[0], split = data[1];
		size_t len = (size_t)data[2] | (size_t)data[3] << 8;

		data += 4;
		size -= 4;
		if (len > size)
			len = size;
		if (flags & 64) {
			burst(pkts, n);
			n = 0;
			fib_msg(data, len);
			fib_msgs++;
		} else {
			if (len > FRAME_MAX)
				len = FRAME_MAX;
			pkts[n] = frame(data, (uint16_t)len, flags, split);
			if (pkts[n] == NULL)
				break;
			n++;
			frames++;
		}
		data += len;
		size -= len;
	}
	burst(pkts, n);
	check(dp_worker_stats_accounted(&worker.stats) == worker.stats.in_pkts);
	slow_path();
	if (fib_msgs > 0) {
		/* The resync on a FIB the input changed, while its neighbours are still known. */
		fib_restore();
		slow_path();
	}
	if (getenv("FUZZ_VERBOSE") != NULL)
		verbose();
	return 0;
}
