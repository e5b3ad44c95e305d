/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The routehub-dataplane process: what its main lcore owns, shared by main.c (startup,
 * loop, shutdown), punt.c (exception path, ICMP errors, the neighbours' packets), own.c
 * (the dataplane's own FIB entries) and mgmt.c (the management socket).
 *
 * Everything here is main-lcore state, but for the workers (which read fwd and write
 * their own counters) and the FIB's reader side.
 */
#ifndef ROUTEHUB_DP_MAIN_H
#define ROUTEHUB_DP_MAIN_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "fib.h"
#include "fib_server.h"
#include "icmp.h"
#include "neigh.h"
#include "port.h"
#include "worker.h"

/*
 * Next-hop ids above the configuration's max-next-hops are the dataplane's own: per port
 * a "connected" next hop per family (resolved per destination), a local next hop per
 * address, and a host next hop per neighbour slot. The FIB channel refuses them.
 */
#define DP_OWN_NH_COUNT \
	(2u * RH_MAX_PORTS + RH_MAX_PORTS * RH_MAX_PORT_ADDRS + RH_MAX_PORTS * NEIGH_MAX_PER_PORT)

/* ICMP errors: at most this many a second, in bursts of ICMP_BURST (RFC 1812 4.3.2.8). */
#define DP_ICMP_RATE  100
#define DP_ICMP_BURST 50

/*
 * Packets for the appliance itself that reach the kernel through the TAPs: at most this
 * many a second, so that a flood at the appliance's own addresses cannot starve the main
 * lcore and the kernel (RFC 6192 2: protect the router control plane). BGP (TCP port
 * 179, but not a connection request, which anyone can forge) has a bucket of its own, so
 * that a flood of ICMP echo or SYNs does not take the established sessions' segments'
 * room. ARP and ND are not policed: the neighbour table needs them.
 */
#define DP_PUNT_RATE      5000
#define DP_PUNT_BURST     500
#define DP_PUNT_BGP_RATE  20000
#define DP_PUNT_BGP_BURST 2000

struct dp_tap {
	bool up;
	uint16_t eth_port;
	unsigned ifindex;
	char ifname[IF_NAMESIZE];
	char devname[32];
};

/* Counters of the main lcore's slow path (`show stats`, worker "main"). */
struct dp_main_stats {
	uint64_t to_kernel;    /* punted packets written to a TAP */
	uint64_t from_kernel;  /* packets the kernel sent out of a port */
	uint64_t kernel_drops; /* TAP or port refused them */
	uint64_t own_echo;     /* our own frames seen again (af_packet): dropped */
	uint64_t icmp_sent;    /* ICMP errors built and sent on their way */
	uint64_t icmp_ratelimited;
	uint64_t icmp_suppressed; /* no error allowed about that packet (RFC 1812 4.3.2.7) */
	uint64_t neigh_pkts;      /* packets from the neighbour ring */
	uint64_t neigh_nh_gone;   /* their next hop was deleted meanwhile */
	uint64_t slow_fwd;        /* held packets forwarded once resolved */
	uint64_t slow_drops;      /* slow-path packets that could not be sent */
	uint64_t no_route;        /* ICMP errors with no route back */
	uint64_t punt_policed;    /* to the kernel, over DP_PUNT_RATE / DP_PUNT_BGP_RATE */
};

struct dp_main {
	struct rh_config *cfg;
	struct rte_mempool *pool;
	struct dp_fib *fib;
	struct fib_server *fsrv;
	struct neigh_table *neigh;
	struct dp_fwd_ctx *fwd;
	struct rte_ring *punt_ring;
	struct rte_ring *neigh_ring;
	unsigned n_ports;
	struct dp_port port[RH_MAX_PORTS];
	struct dp_tap tap[RH_MAX_PORTS];
	bool link_up[RH_MAX_PORTS];
	uint32_t link_speed[RH_MAX_PORTS];
	bool host_route[RH_MAX_PORTS][NEIGH_MAX_PER_PORT]; /* own.c installed it */
	unsigned n_workers;
	struct dp_worker *worker[RH_MAX_WORKERS];
	unsigned worker_lcore[RH_MAX_WORKERS];
	bool interleaved;  /* worker 0 runs in the main lcore's loop */
	uint16_t main_txq; /* the main lcore's TX queue on every port */
	uint32_t own_nh_base;
	struct icmp_bucket icmp_bucket;
	struct icmp_bucket punt_bucket;     /* to the kernel, but BGP */
	struct icmp_bucket punt_bgp_bucket; /* BGP segments to the kernel */
	struct dp_main_stats stats;
	struct neigh_stats neigh_stats; /* copied by the main loop, read by telemetry */
	int mgmt_fd;
	struct ly_ctx *ly;
};

/* Milliseconds of a monotonic clock. */
uint64_t dp_now_ms(void);

/* ---- punt.c: the exception path ---- */
/* Creates and starts a TAP per port (rh-<name>) with the port's MAC, MTU and addresses. */
int dp_punt_init(struct dp_main *d);
void dp_punt_fini(struct dp_main *d);
/* Serves the punt and neighbour rings and the TAPs once; returns the packets handled. */
unsigned dp_punt_poll(struct dp_main *d, uint64_t now_ms);
/* Sends m out of port from the main lcore's TX queue (m taken). */
void dp_tx(struct dp_main *d, uint16_t port, struct rte_mbuf *m);
/* The table's callbacks (neigh.h): they forward, drop or report held packets. */
void dp_neigh_ops(struct dp_main *d, struct neigh_ops *ops);

/* ---- own.c: the dataplane's own FIB entries ---- */
/* Connected subnets (to the per-destination next hop) and own addresses (local). */
int dp_own_install(struct dp_main *d);
/* A neighbour has a MAC: resolve the next hops to it; a host route when on a subnet. */
void dp_own_neigh_resolved(struct dp_main *d, const struct neigh_entry *e);
void dp_own_neigh_lost(struct dp_main *d, const struct neigh_entry *e);
/* The FIB channel's hooks (fib_server.h). */
void dp_own_hooks(struct dp_main *d, struct fib_server_hooks *h);
/* True for the per-destination next hop of a connected subnet. */
bool dp_own_is_connected(const struct dp_nh *nh);
/* Who made a next hop: "connected", "local", "neighbour" (ours) or "fib-channel". */
const char *dp_own_origin(const struct dp_main *d, uint32_t nh_id);

/* ---- mgmt.c: the management socket ---- */
/* A counter by name, as `show stats`, telemetry and the metrics list them. */
struct dp_counter {
	const char *name;
	uint64_t value;
};
/* The main lcore's slow-path and neighbour counters, into c (at most max): how many. One
 * list for every reader, so that none misses a counter the others show. */
unsigned dp_main_counters(const struct dp_main *d, struct dp_counter *c, unsigned max);

int dp_mgmt_init(struct dp_main *d);
void dp_mgmt_fini(struct dp_main *d);
/* Telemetry stops reading the process's counters (first thing at shutdown). */
void dp_mgmt_telemetry_off(void);
/* Answers at most one pending request. */
void dp_mgmt_poll(struct dp_main *d);

#endif
