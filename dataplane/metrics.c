/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane's Prometheus endpoint (common/metrics.h), served from the main lcore's
 * loop between two passes, like the management socket: it reads the FIB and the
 * neighbour table without locks, and the workers' counters as they are (64-bit words,
 * at most a burst behind). Polling never blocks: a slow client only delays its own reply.
 *
 * Per port (ethdev counters), per worker and port (the workers' own counters), drops and
 * exceptions per named reason (worker.h), the slow path's counters, the FIB's size and
 * generation, the FIB channel, the neighbour entries.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>

#include "dp.h"
#include "dp_metrics.h"
#include "log.h"
#include "metrics.h"

static struct rh_metrics_http *srv;

static void ports(struct dp_main *d, struct rh_mtext *t)
{
	static const struct {
		const char *name, *help;
	} fam[] = {
	        {"routehub_dp_port_rx_packets_total", "Packets received by the port (ethdev)"},
	        {"routehub_dp_port_tx_packets_total", "Packets sent by the port (ethdev)"},
	        {"routehub_dp_port_rx_bytes_total", "Bytes received by the port (ethdev)"},
	        {"routehub_dp_port_tx_bytes_total", "Bytes sent by the port (ethdev)"},
	        {"routehub_dp_port_dropped_total",
	         "Packets the device missed, could not store or failed to send, by reason"},
	};
	struct rte_eth_stats st[RH_MAX_PORTS];

	for (uint16_t p = 0; p < d->n_ports; p++) {
		memset(&st[p], 0, sizeof(st[p]));
		rte_eth_stats_get(d->port[p].eth_port, &st[p]);
	}
	for (size_t f = 0; f < RTE_DIM(fam); f++) {
		rh_metric_family(t, fam[f].name, RH_METRIC_COUNTER, fam[f].help);
		for (uint16_t p = 0; p < d->n_ports; p++) {
			const char *l[] = {"port", d->cfg->dp.port[p].name, NULL, NULL, NULL};
			const uint64_t v[] = {st[p].ipackets, st[p].opackets, st[p].ibytes,
			                      st[p].obytes};

			if (f < 4) {
				rh_metric_u64(t, fam[f].name, l, v[f]);
				continue;
			}
			l[2] = "reason";
			l[3] = "imissed";
			rh_metric_u64(t, fam[f].name, l, st[p].imissed);
			l[3] = "ierrors";
			rh_metric_u64(t, fam[f].name, l, st[p].ierrors);
			l[3] = "rx_nombuf";
			rh_metric_u64(t, fam[f].name, l, st[p].rx_nombuf);
			l[3] = "oerrors";
			rh_metric_u64(t, fam[f].name, l, st[p].oerrors);
		}
	}
	rh_metric_family(t, "routehub_dp_port_up", RH_METRIC_GAUGE,
	                 "1 while the port's link is up");
	for (uint16_t p = 0; p < d->n_ports; p++) {
		const char *l[] = {"port", d->cfg->dp.port[p].name, NULL};

		rh_metric_u64(t, "routehub_dp_port_up", l, d->link_up[p]);
	}
}

/* The workers' per-port counters: field f of struct dp_port_stats. */
static void worker_ports(struct dp_main *d, struct rh_mtext *t)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} fam[] = {
	        {"routehub_dp_worker_rx_packets_total", "Packets a worker received on a port",
	         offsetof(struct dp_port_stats, rx_pkts)},
	        {"routehub_dp_worker_rx_bytes_total", "Bytes a worker received on a port",
	         offsetof(struct dp_port_stats, rx_bytes)},
	        {"routehub_dp_worker_tx_packets_total", "Packets a worker sent on a port",
	         offsetof(struct dp_port_stats, tx_pkts)},
	        {"routehub_dp_worker_tx_bytes_total", "Bytes a worker sent on a port",
	         offsetof(struct dp_port_stats, tx_bytes)},
	};
	char wn[16];

	for (size_t f = 0; f < RTE_DIM(fam); f++) {
		rh_metric_family(t, fam[f].name, RH_METRIC_COUNTER, fam[f].help);
		for (unsigned w = 0; w < d->n_workers; w++) {
			if (d->worker[w] == NULL)
				continue;
			snprintf(wn, sizeof(wn), "%u", w);
			for (uint16_t p = 0; p < d->n_ports; p++) {
				const char *l[] = {"worker", wn, "port", d->cfg->dp.port[p].name,
				                   NULL};
				const uint8_t *ps = (const uint8_t *)&d->worker[w]->stats.port[p];
				uint64_t v;

				memcpy(&v, ps + fam[f].off, sizeof(v));
				rh_metric_u64(t, fam[f].name, l, v);
			}
		}
	}
}

/* Packets in, forwarded, dropped per reason and sent to the exception path per reason. */
static void worker_reasons(struct dp_main *d, struct rh_mtext *t)
{
	char wn[16];

	rh_metric_family(t, "routehub_dp_worker_packets_total", RH_METRIC_COUNTER,
	                 "Packets a worker took in");
	for (unsigned w = 0; w < d->n_workers; w++) {
		const char *l[] = {"worker", wn, NULL};

		if (d->worker[w] == NULL)
			continue;
		snprintf(wn, sizeof(wn), "%u", w);
		rh_metric_u64(t, "routehub_dp_worker_packets_total", l,
		              d->worker[w]->stats.in_pkts);
	}
	rh_metric_family(t, "routehub_dp_worker_forwarded_total", RH_METRIC_COUNTER,
	                 "Packets a worker forwarded");
	for (unsigned w = 0; w < d->n_workers; w++) {
		const char *l[] = {"worker", wn, NULL};

		if (d->worker[w] == NULL)
			continue;
		snprintf(wn, sizeof(wn), "%u", w);
		rh_metric_u64(t, "routehub_dp_worker_forwarded_total", l,
		              d->worker[w]->stats.fwd_pkts);
	}
	rh_metric_family(t, "routehub_dp_dropped_packets_total", RH_METRIC_COUNTER,
	                 "Packets a worker dropped, by reason");
	for (unsigned w = 0; w < d->n_workers; w++) {
		if (d->worker[w] == NULL)
			continue;
		snprintf(wn, sizeof(wn), "%u", w);
		for (unsigned r = 0; r < DP_DROP_MAX; r++) {
			const char *l[] = {"worker", wn, "reason", dp_drop_names[r], NULL};

			rh_metric_u64(t, "routehub_dp_dropped_packets_total", l,
			              d->worker[w]->stats.drop[r]);
		}
	}
	rh_metric_family(t, "routehub_dp_exception_packets_total", RH_METRIC_COUNTER,
	                 "Packets a worker handed to the exception path (kernel, ICMP errors, "
	                 "neighbour resolution), by reason");
	for (unsigned w = 0; w < d->n_workers; w++) {
		if (d->worker[w] == NULL)
			continue;
		snprintf(wn, sizeof(wn), "%u", w);
		for (unsigned r = 0; r < DP_PUNT_MAX; r++) {
			const char *l[] = {"worker", wn, "reason", dp_punt_names[r], NULL};

			rh_metric_u64(t, "routehub_dp_exception_packets_total", l,
			              d->worker[w]->stats.punt[r]);
		}
	}
}

/* The main lcore's slow path and neighbour resolution (show stats, worker "main"). */
static void slow_path(struct dp_main *d, struct rh_mtext *t)
{
	struct dp_counter ev[64];
	unsigned n = dp_main_counters(d, ev, RTE_DIM(ev));

	rh_metric_family(t, "routehub_dp_slowpath_events_total", RH_METRIC_COUNTER,
	                 "Events of the main lcore's exception path and neighbour resolution");
	for (unsigned i = 0; i < n; i++) {
		const char *l[] = {"event", ev[i].name, NULL};

		rh_metric_u64(t, "routehub_dp_slowpath_events_total", l, ev[i].value);
	}
}

struct neigh_count {
	uint64_t n[NEIGH_STATIC + 1];
};

static int neigh_count_cb(const struct neigh_entry *e, void *arg)
{
	struct neigh_count *c = arg;

	if (e->state <= NEIGH_STATIC)
		c->n[e->state]++;
	return 0;
}

static void fib_and_neigh(struct dp_main *d, struct rh_mtext *t)
{
	struct dp_fib_stats fs;
	struct fib_server_stats ss;
	struct neigh_count nc = {{0}};
	const char *v4[] = {"family", "ipv4", NULL}, *v6[] = {"family", "ipv6", NULL};

	dp_fib_stats(d->fib, &fs);
	rh_metric_family(t, "routehub_dp_fib_routes", RH_METRIC_GAUGE,
	                 "Routes in the FIB (own, connected and programmed), by family");
	rh_metric_u64(t, "routehub_dp_fib_routes", v4, fs.routes_v4);
	rh_metric_u64(t, "routehub_dp_fib_routes", v6, fs.routes_v6);
	rh_metric_family(t, "routehub_dp_fib_next_hops", RH_METRIC_GAUGE, "Next hops in the FIB");
	rh_metric_u64(t, "routehub_dp_fib_next_hops", NULL, fs.next_hops);
	rh_metric_family(t, "routehub_dp_fib_groups", RH_METRIC_GAUGE,
	                 "ECMP next-hop groups in the FIB");
	rh_metric_u64(t, "routehub_dp_fib_groups", NULL, fs.groups);
	rh_metric_family(t, "routehub_dp_fib_updates_total", RH_METRIC_COUNTER,
	                 "Changes applied to the FIB (its generation; rate() gives updates per "
	                 "second)");
	rh_metric_u64(t, "routehub_dp_fib_updates_total", NULL, fs.generation);
	fib_server_stats(d->fsrv, &ss);
	rh_metric_family(t, "routehub_dp_fib_channel_connected", RH_METRIC_GAUGE,
	                 "1 while a control plane is connected to the FIB channel");
	rh_metric_u64(t, "routehub_dp_fib_channel_connected", NULL, fib_server_connected(d->fsrv));
	rh_metric_family(t, "routehub_dp_fib_channel_requests_total", RH_METRIC_COUNTER,
	                 "Requests of the FIB channel answered");
	rh_metric_u64(t, "routehub_dp_fib_channel_requests_total", NULL, ss.requests);
	neigh_walk(d->neigh, neigh_count_cb, &nc);
	rh_metric_family(t, "routehub_dp_neighbours", RH_METRIC_GAUGE,
	                 "ARP and ND entries, by state");
	for (unsigned s = NEIGH_INCOMPLETE; s <= NEIGH_STATIC; s++) {
		const char *l[] = {"state", neigh_state_name((enum neigh_state)s), NULL};

		rh_metric_u64(t, "routehub_dp_neighbours", l, nc.n[s]);
	}
}

static int collect(void *arg, struct rh_mtext *t)
{
	struct dp_main *d = arg;

	ports(d, t);
	worker_ports(d, t);
	worker_reasons(d, t);
	slow_path(d, t);
	fib_and_neigh(d, t);
	return 0;
}

int dp_metrics_init(struct dp_main *d)
{
	const struct rh_metrics_cfg *mc = &d->cfg->dp.metrics;

	if (mc->port == 0)
		return 0;
	srv = rh_metrics_http_new(mc->address, mc->port, collect, d);
	if (srv == NULL) {
		/* Forwarding does not need it: say so loudly, and go on. */
		log_err("metrics endpoint %s port %u: %s; running without it", mc->address,
		        mc->port, strerror(errno));
		return -errno;
	}
	log_notice("metrics endpoint: port %u on %s", mc->port, mc->address);
	return 0;
}

void dp_metrics_fini(void)
{
	rh_metrics_http_free(srv);
	srv = NULL;
}

void dp_metrics_poll(uint64_t now_ms)
{
	if (srv != NULL)
		rh_metrics_http_poll(srv, now_ms);
}
