/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * routehub-dataplane: the DPDK poll-mode forwarding process.
 *
 * Startup: the configuration, EAL arguments built from it (lcores, vdevs, PCI devices,
 * a file prefix of our own so that several instances can run), the ports, the FIB sized
 * from the configuration, the dataplane's own routes, the exception path (a TAP per
 * port), the FIB channel and management sockets, then the workers.
 *
 * The main lcore then loops: FIB channel, exception path and neighbour resolution,
 * neighbour timers, management requests and link state. When no worker core is
 * configured, one worker runs on the second CPU of the process, or in the main lcore's
 * loop itself ("interleaved") when there is one CPU, or when a port has too few TX queues
 * for a worker and the main lcore each (af_packet, TAP: one).
 *
 * SIGTERM / SIGINT: the workers stop, the ports and TAPs close, the sockets are unlinked.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_version.h>

#include "check.h"
#include "dp.h"
#include "dp_metrics.h"
#include "eal.h"
#include "log.h"

#define RING_SIZE       4096
#define MBUF_CACHE      256
#define MAX_GROUPS      4096
#define TIMER_MS        10   /* neighbour timers and management socket */
#define LINK_MS         1000 /* link state */
#define IDLE_NAP_US     50   /* an idle main lcore sleeps this long (see main_loop) */
#define IDLE_NAP_MAX_US 1000 /* ... doubling while idle, up to this, beside its workers */
#define CONTROL_EVERY   16   /* interleaved: worker passes per control pass under traffic */

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

uint64_t dp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: routehub-dataplane -c CONFIG\n"
	        "       routehub-dataplane --check FILE\n"
	        "  -c, --config FILE  run with this configuration\n"
	        "  --check FILE       validate a configuration file and exit (0 valid, 1 invalid)\n"
	        "  --version          print the version and the DPDK version\n");
}

/* ---- ports, FIB, workers ---- */

/* A worker and the main lcore each need a TX queue on every port; a single-queue device
 * (af_packet, TAP) makes the worker run in the main lcore's loop, on one queue. */
static int tx_queues(struct dp_main *d)
{
	for (uint16_t p = 0; p < d->n_ports; p++) {
		struct rte_eth_dev_info info;
		uint16_t id;
		int rc = dp_port_attach(&d->cfg->dp.port[p], &id);

		if (rc == 0)
			rc = rte_eth_dev_info_get(id, &info);
		if (rc < 0) {
			log_err("port %s: cannot attach %s: %s", d->cfg->dp.port[p].name,
			        d->cfg->dp.port[p].device, strerror(-rc));
			return rc;
		}
		if (info.max_tx_queues >= d->n_workers + (d->interleaved ? 0 : 1))
			continue;
		if (d->cfg->dp.n_workers > 0) {
			log_err("port %s has %u TX queues; %u workers and the main lcore need %u",
			        d->cfg->dp.port[p].name, info.max_tx_queues, d->n_workers,
			        d->n_workers + 1);
			return -ENOTSUP;
		}
		if (!d->interleaved)
			log_notice("port %s has one TX queue: the worker runs on the main lcore",
			           d->cfg->dp.port[p].name);
		d->interleaved = true;
	}
	d->main_txq = d->interleaved ? 0 : (uint16_t)d->n_workers;
	return 0;
}

static int pool_create(struct dp_main *d)
{
	unsigned n =
	        2 * RING_SIZE + 2048 + MBUF_CACHE * (d->n_workers + 1) + d->cfg->dp.extra_mbufs;

	for (unsigned p = 0; p < d->n_ports; p++)
		n += d->cfg->dp.port[p].rx_queues * DP_PORT_RX_DESC +
		     (d->n_workers + 1) * DP_PORT_TX_DESC + 1024 + NEIGH_MAX_PER_PORT * NEIGH_HOLD;
	d->pool = rte_pktmbuf_pool_create("rh_mbufs", rte_align32pow2(n) - 1, MBUF_CACHE, 0,
	                                  RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	return d->pool == NULL ? -rte_errno : 0;
}

static int ports_setup(struct dp_main *d)
{
	uint16_t n_txq = (uint16_t)(d->interleaved ? 1 : d->n_workers + 1);

	for (uint16_t p = 0; p < d->n_ports; p++) {
		const struct rh_port_cfg *pc = &d->cfg->dp.port[p];
		int rc = dp_port_setup(&d->port[p], pc, p, n_txq, d->pool);

		if (rc == 0)
			rc = dp_port_to_ctx(&d->port[p], pc, d->fwd);
		if (rc < 0) {
			log_err("port %s (%s): %s", pc->name, pc->device, strerror(-rc));
			return rc;
		}
		log_info("port %s: %s, MAC " RTE_ETHER_ADDR_PRT_FMT ", MTU %u, %u RX queue(s)",
		         pc->name, pc->device, RTE_ETHER_ADDR_BYTES(&d->port[p].mac),
		         d->port[p].mtu, d->port[p].n_rxq);
	}
	return 0;
}

static int fib_setup(struct dp_main *d)
{
	const struct rh_dp_cfg *dp = &d->cfg->dp;
	struct dp_fib_conf fc = {
	        .v4_max_routes = dp->fib4_max_routes,
	        .v4_num_tbl8 = dp->fib4_tbl8,
	        .v6_max_routes = dp->fib6_max_routes,
	        .max_next_hops = dp->max_next_hops + DP_OWN_NH_COUNT,
	        .max_groups = MAX_GROUPS,
	        .n_workers = d->n_workers,
	        .socket_id = (int)rte_socket_id(),
	};

	d->own_nh_base = dp->max_next_hops + 1;
	d->fib = dp_fib_create(&fc);
	if (d->fib == NULL)
		return -errno;
	d->fwd->fib = d->fib;
	return 0;
}

static int rings_create(struct dp_main *d)
{
	/* Many workers enqueue, the main lcore alone dequeues. */
	d->punt_ring = rte_ring_create("rh_punt", RING_SIZE, (int)rte_socket_id(), RING_F_SC_DEQ);
	d->neigh_ring = rte_ring_create("rh_neigh", RING_SIZE, (int)rte_socket_id(), RING_F_SC_DEQ);
	if (d->punt_ring == NULL || d->neigh_ring == NULL)
		return -rte_errno;
	d->fwd->punt_ring = d->punt_ring;
	d->fwd->neigh_ring = d->neigh_ring;
	return 0;
}

static int neigh_setup(struct dp_main *d)
{
	struct neigh_ops ops;
	uint64_t now = dp_now_ms();
	int rc = 0;

	dp_neigh_ops(d, &ops);
	d->neigh = neigh_create(d->pool, &ops);
	if (d->neigh == NULL)
		return -errno;
	for (uint16_t p = 0; p < d->n_ports && rc == 0; p++) {
		const struct rh_port_cfg *pc = &d->cfg->dp.port[p];

		rc = neigh_port_add(d->neigh, p, &d->port[p].mac, pc->addr, pc->n_addrs);
		for (unsigned i = 0; i < pc->n_neigh && rc == 0; i++) {
			struct rte_ether_addr mac;

			memcpy(mac.addr_bytes, pc->neigh[i].mac, sizeof(mac.addr_bytes));
			rc = neigh_static_add(d->neigh, p, &pc->neigh[i].addr, &mac, now);
		}
	}
	return rc;
}

/* Spreads the ports' RX queues over the workers, round robin. */
static int workers_create(struct dp_main *d)
{
	unsigned next = 0;

	for (unsigned w = 0; w < d->n_workers; w++) {
		d->worker[w] = rte_zmalloc_socket("rh_worker", sizeof(struct dp_worker),
		                                  RTE_CACHE_LINE_SIZE,
		                                  (int)rte_lcore_to_socket_id(d->worker_lcore[w]));
		if (d->worker[w] == NULL)
			return -ENOMEM;
		/* Worker w sends on TX queue w; the main lcore on queue n_workers. */
		if (dp_worker_init(d->worker[w], d->fwd, w, (uint16_t)w) < 0)
			return -EINVAL;
	}
	for (uint16_t p = 0; p < d->n_ports; p++)
		for (uint16_t q = 0; q < d->port[p].n_rxq; q++) {
			int rc = dp_worker_add_rxq(d->worker[next++ % d->n_workers],
			                           d->port[p].eth_port, q);

			if (rc < 0)
				return rc;
		}
	return 0;
}

static int workers_launch(struct dp_main *d)
{
	if (d->interleaved)
		return dp_fib_reader_register(d->fib, 0);
	for (unsigned w = 0; w < d->n_workers; w++) {
		int rc = rte_eal_remote_launch(dp_worker_main, d->worker[w], d->worker_lcore[w]);

		if (rc < 0) {
			log_err("worker %u on lcore %u: %s", w, d->worker_lcore[w], strerror(-rc));
			return rc;
		}
		log_info("worker %u on lcore %u", w, d->worker_lcore[w]);
	}
	return 0;
}

static void workers_stop(struct dp_main *d)
{
	for (unsigned w = 0; w < d->n_workers; w++)
		if (d->worker[w] != NULL)
			dp_worker_stop(d->worker[w]);
	rte_eal_mp_wait_lcore();
	if (d->interleaved && d->fib != NULL && d->worker[0] != NULL) {
		dp_worker_flush(d->worker[0]);
		dp_fib_reader_unregister(d->fib, 0);
	}
}

/* ---- the main lcore's loop ---- */

/* One pass of worker 0 in interleaved mode: the same as dp_worker_main()'s loop body. */
static unsigned worker_pass(struct dp_main *d)
{
	struct dp_worker *w = d->worker[0];
	struct rte_mbuf *pkts[DP_BURST];
	unsigned total = 0;

	for (uint16_t q = 0; q < w->n_rxq; q++) {
		uint16_t n = rte_eth_rx_burst(w->rxq[q].port, w->rxq[q].queue, pkts, DP_BURST);

		if (n > 0)
			dp_worker_process_burst(w, pkts, n);
		total += n;
	}
	dp_worker_flush(w);
	dp_fib_quiescent(d->fib, w->id);
	return total;
}

static void link_poll(struct dp_main *d)
{
	for (uint16_t p = 0; p < d->n_ports; p++) {
		struct rte_eth_link link;

		if (dp_port_link(&d->port[p], &link) < 0)
			continue;
		if ((bool)link.link_status != d->link_up[p])
			log_notice("port %s: link %s", d->cfg->dp.port[p].name,
			           link.link_status ? "up" : "down");
		d->link_up[p] = link.link_status;
		d->link_speed[p] = link.link_speed;
	}
}

static void main_loop(struct dp_main *d)
{
	uint64_t last_timer = 0, last_link = 0;
	unsigned pass = 0, nap = IDLE_NAP_US;

	while (!stop_signal) {
		unsigned work = 0;
		uint64_t now;

		/* Interleaved: while the worker has traffic, the control work (system calls on
		 * the sockets and TAPs) runs every CONTROL_EVERY passes only. */
		if (d->interleaved) {
			work = worker_pass(d);
			if (work > 0 && ++pass % CONTROL_EVERY != 0)
				continue;
		}
		work += (unsigned)fib_server_poll(d->fsrv);
		now = dp_now_ms();
		work += dp_punt_poll(d, now);
		if (now - last_timer >= TIMER_MS) {
			neigh_timer(d->neigh, now);
			neigh_get_stats(d->neigh, &d->neigh_stats);
			dp_mgmt_poll(d);
			dp_metrics_poll(now);
			last_timer = now;
		}
		if (now - last_link >= LINK_MS) {
			link_poll(d);
			last_link = now;
		}
		/* The main lcore has no line rate to keep: when a pass found nothing, it naps
		 * rather than burn a core (in interleaved mode, the lab mode, this also adds at
		 * most a nap to a packet's latency; the af_packet and TAP rings hold bursts).
		 * Beside workers of their own, the naps grow while nothing comes (an exception
		 * packet waits 1 ms at most), so that an idle main lcore takes neither a core's
		 * time nor, on a host that shares cores, a worker's. */
		if (work > 0) {
			nap = IDLE_NAP_US;
		} else {
			usleep(nap);
			if (!d->interleaved)
				nap = RTE_MIN(nap * 2, (unsigned)IDLE_NAP_MAX_US);
		}
	}
}

/* ---- startup and shutdown ---- */

static int dp_start(struct dp_main *d)
{
	struct fib_server_hooks hooks;
	int rc;

	d->n_ports = d->cfg->dp.n_ports;
	d->fwd = rte_zmalloc("rh_fwd_ctx", sizeof(*d->fwd), RTE_CACHE_LINE_SIZE);
	if (d->fwd == NULL)
		return -ENOMEM;
	dp_fwd_ctx_init(d->fwd);
	rc = dp_worker_global_init();
	rc = rc ?: tx_queues(d);
	rc = rc ?: pool_create(d);
	rc = rc ?: ports_setup(d);
	rc = rc ?: rings_create(d);
	rc = rc ?: fib_setup(d);
	rc = rc ?: neigh_setup(d);
	rc = rc ?: dp_own_install(d);
	rc = rc ?: dp_punt_init(d);
	if (rc < 0)
		return rc;
	d->fsrv = fib_server_create(d->fib, d->cfg->dp.fib_socket);
	if (d->fsrv == NULL) {
		log_err("FIB channel %s: %s", d->cfg->dp.fib_socket, strerror(errno));
		return -errno;
	}
	dp_own_hooks(d, &hooks);
	fib_server_set_hooks(d->fsrv, &hooks);
	rc = dp_mgmt_init(d);
	if (rc == 0)
		dp_metrics_init(d); /* optional: forwarding runs without it */
	rc = rc ?: workers_create(d);
	rc = rc ?: workers_launch(d);
	return rc;
}

static void ring_drain(struct rte_ring *r)
{
	void *m = NULL;

	while (r != NULL && rte_ring_dequeue(r, &m) == 0)
		rte_pktmbuf_free(m);
}

static void dp_stop(struct dp_main *d)
{
	dp_mgmt_telemetry_off();
	workers_stop(d);
	for (uint16_t p = 0; p < d->n_ports; p++)
		dp_port_close(&d->port[p]);
	dp_punt_fini(d);
	fib_server_destroy(d->fsrv);
	dp_mgmt_fini(d);
	dp_metrics_fini();
	neigh_destroy(d->neigh);
	ring_drain(d->punt_ring);
	ring_drain(d->neigh_ring);
	rte_ring_free(d->punt_ring);
	rte_ring_free(d->neigh_ring);
	dp_fib_destroy(d->fib);
	for (unsigned w = 0; w < d->n_workers; w++)
		rte_free(d->worker[w]);
	rte_free(d->fwd);
	rte_mempool_free(d->pool);
}

/* Initialises the EAL with the arguments the configuration asks for. */
static int eal_init(struct dp_main *d, const char *prog)
{
	struct dp_eal_plan plan;
	char **argv = NULL;
	cpu_set_t cpus;
	int rc;

	if (sched_getaffinity(0, sizeof(cpus), &cpus) < 0)
		return -errno;
	rc = dp_eal_plan(&d->cfg->dp, &cpus, prog, &plan);
	if (rc == 0) {
		d->n_workers = plan.n_workers;
		d->interleaved = plan.interleaved;
		memcpy(d->worker_lcore, plan.worker_lcore, sizeof(d->worker_lcore));
		/* rte_eal_init() permutes argv: give it a copy of the pointers we free. */
		argv = calloc((size_t)plan.argc + 1, sizeof(char *));
		rc = argv == NULL ? -ENOMEM : 0;
	}
	if (rc == 0) {
		memcpy(argv, plan.argv, (size_t)plan.argc * sizeof(char *));
		if (rte_eal_init(plan.argc, argv) < 0) {
			rc = -rte_errno;
			log_err("EAL: %s", rte_strerror(rte_errno));
		}
	} else {
		log_err("EAL arguments: %s", strerror(-rc));
	}
	free(argv);
	dp_eal_plan_free(&plan);
	return rc;
}

/*
 * The EAL leaves its runtime files (config, fbarrays: megabytes on a tmpfs) behind; with
 * a prefix per socket path, each lab run would add a directory. This process is the only
 * one of its prefix (no secondary processes), so it removes them on its way out.
 */
static void runtime_dir_remove(const char *dir)
{
	struct dirent *de;
	DIR *dh = opendir(dir);

	if (dh == NULL)
		return;
	while ((de = readdir(dh)) != NULL) {
		char path[PATH_MAX];

		if (de->d_type == DT_DIR)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) < (int)sizeof(path))
			unlink(path);
	}
	closedir(dh);
	rmdir(dir);
}

static int run(const char *prog, const char *file)
{
	struct sigaction sa = {.sa_handler = on_signal};
	struct dp_main *d = calloc(1, sizeof(*d));
	char runtime_dir[PATH_MAX];
	int rc;

	if (d == NULL)
		return 1;
	d->mgmt_fd = -1;
	d->cfg = rh_config_load(file, stderr, NULL);
	if (d->cfg == NULL || eal_init(d, prog) < 0) {
		rh_config_free(d->cfg);
		free(d);
		return 1;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	rc = dp_start(d);
	if (rc == 0) {
		log_notice("running: %u port(s), %u worker(s)%s, FIB channel %s, management %s",
		           d->n_ports, d->n_workers, d->interleaved ? " on the main lcore" : "",
		           d->cfg->dp.fib_socket, d->cfg->dp.mgmt_socket);
		rh_sd_notify("READY=1"); /* systemd, Type=notify: ports and sockets up */
		main_loop(d);
		rh_sd_notify("STOPPING=1");
		log_notice("signal %d: stopping", (int)stop_signal);
	} else {
		log_err("startup failed: %s", strerror(-rc));
	}
	dp_stop(d);
	snprintf(runtime_dir, sizeof(runtime_dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	runtime_dir_remove(runtime_dir);
	rh_config_free(d->cfg);
	free(d);
	return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"config", required_argument, NULL, 'c'},
	        {"check", required_argument, NULL, 'k'},
	        {"version", no_argument, NULL, 'V'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	const char *config = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "c:k:Vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'k':
			return rh_config_check_main("routehub-dataplane", optarg);
		case 'V':
			printf("routehub-dataplane %s (%s)\n", RH_VERSION, rte_version());
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (config == NULL || optind != argc) {
		usage(stderr);
		return 2;
	}
	rh_log_init("routehub-dataplane", LOG_INFO);
	return run(argv[0], config);
}
