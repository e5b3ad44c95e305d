/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hub's per-route path, without sessions: N IPv4 prefixes from one NVA through the
 * route server part (import rules, RIB, the other NVA's Adj-RIB-Out, effective routes
 * and, with --fib, the FIB programmer's queue), then the collector NVA's flush, then the
 * withdrawal of everything. UPDATEs are built and decoded beforehand; what is timed is
 * hub_peer_update() and hub_peer_flush().
 *
 *   hub_bench [prefixes (default 1000000)] [--fib]
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fib_prog.h"
#include "hub.h"

#define PER_UPDATE 900

static struct fib_prog *fp;
static struct hub *hub;
static size_t changes, flushed;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static void on_effective(const struct rh_prefix *p, void *arg)
{
	struct hub_effective e;

	(void)arg;
	changes++;
	if (fp != NULL)
		fib_prog_effective(fp, p, hub_effective_get(hub, p, &e) == 0 ? &e : NULL);
}

static int count_cb(const struct bgp_out_batch *b, void *arg)
{
	(void)arg;
	flushed += b->n;
	return 0;
}

static const struct hub_ops ops = {.effective_changed = on_effective};

static const struct bgp_codec_opts opts = {.as4 = true, .ebgp = true, .max_msg = BGP_MAX_MSG};

struct msg {
	uint8_t *buf;
	size_t len;
};

/* UPDATEs of PER_UPDATE prefixes each, 11.0.0.0/24 on; a new AS path every UPDATE. */
static struct msg *build(size_t n, bool withdraw, size_t *n_msgs)
{
	size_t m = (n + PER_UPDATE - 1) / PER_UPDATE;
	struct msg *v = calloc(m, sizeof(*v));
	struct bgp_attrs *a = bgp_attrs_new();
	uint8_t path[2 + 8] = {BGP_AS_SEQUENCE, 2};
	uint32_t as = htonl(65001);

	memcpy(path + 2, &as, 4);
	a->aspath = malloc(sizeof(path));
	a->aspath_len = sizeof(path);
	rh_addr_parse("198.19.1.10", &a->next_hop);
	a->flags |= BGP_ATTRS_NEXT_HOP;
	for (size_t i = 0; i < m; i++) {
		struct bgp_upd_writer uw;
		uint32_t origin_as = htonl(64512 + (uint32_t)(i % 1000));

		memcpy(path + 6, &origin_as, 4);
		memcpy(a->aspath, path, sizeof(path));
		v[i].buf = malloc(BGP_MAX_MSG);
		bgp_upd_begin(&uw, v[i].buf, BGP_MAX_MSG, BGP_AID_IPV4, withdraw, a, &opts);
		for (size_t j = i * PER_UPDATE; j < n && j < (i + 1) * PER_UPDATE; j++) {
			struct rh_prefix p = {.family = RH_AF_INET, .len = 24};
			uint32_t net = htonl((uint32_t)(0x0b000000u + (j << 8)));

			memcpy(p.bytes, &net, 4);
			bgp_upd_add(&uw, &p, 0);
		}
		v[i].len = bgp_upd_finish(&uw);
	}
	bgp_attrs_free(a);
	*n_msgs = m;
	return v;
}

static double feed(struct hub_peer *p, struct msg *v, size_t m)
{
	double t0 = now();

	for (size_t i = 0; i < m; i++) {
		struct bgp_update u;

		bgp_update_decode(v[i].buf + BGP_HDR_LEN, v[i].len - BGP_HDR_LEN, &opts, &u);
		if (hub_peer_update(p, &u, &opts) < 0)
			fprintf(stderr, "update %zu refused\n", i);
		bgp_attrs_free(u.attrs);
	}
	return now() - t0;
}

static double drain(struct hub_peer *p)
{
	double t0 = now();

	flushed = 0;
	while (hub_peer_flush(p, 1024, count_cb, NULL) > 0)
		;
	return now() - t0;
}

int main(int argc, char **argv)
{
	static struct rh_config cfg;
	static const bool v4[BGP_AID_MAX] = {true, false};
	size_t n = argc > 1 && argv[1][0] != '-' ? strtoul(argv[1], NULL, 10) : 1000000;
	bool fib = argc > 1 && strcmp(argv[argc - 1], "--fib") == 0;
	struct hub_peer_info feeder = {.role = HUB_ROLE_NVA, .asn = 65001},
	                     collector = {.role = HUB_ROLE_NVA, .asn = 65002};
	struct hub_peer *pf, *pc;
	size_t m;
	struct msg *ann = build(n, false, &m), *wd = build(n, true, &m);
	long rss0 = rss_kib();
	double t;

	rh_addr_parse("198.19.0.4", &cfg.rs.instance[0]);
	cfg.rs.n_vnet = 1;
	rh_prefix_parse("198.18.0.0/16", &cfg.rs.vnet[0], true);
	cfg.rs.route_limit = 0; /* the benchmark's feeder is not an R11-sized NVA */
	/* An ExpressRoute gateway, for the switches' cost (R16 stops the exchange at once). */
	cfg.er.present = true;
	cfg.er.n_instances = 1;
	rh_addr_parse("198.19.2.4", &cfg.er.instance[0]);
	cfg.er.limit_to_er = 1000;
	rh_addr_parse("198.19.1.10", &feeder.addr);
	rh_addr_parse("198.19.1.11", &collector.addr);
	feeder.local = collector.local = cfg.rs.instance[0];
	hub = hub_new(&cfg, &ops, NULL);
	fp = fib ? fib_prog_new(&cfg) : NULL;
	pf = hub_peer_add(hub, &feeder);
	pc = hub_peer_add(hub, &collector);
	hub_peer_up(pf, v4, 1);
	hub_peer_up(pc, v4, 2);
	drain(pc);
	drain(pf);
	t = feed(pf, ann, m);
	printf("announce %zu prefixes in %zu UPDATEs: %.3f s, %.0f prefixes/s; %zu effective "
	       "changes%s\n",
	       n, m, t, (double)n / t, changes, fib ? " (FIB queue fed)" : "");
	t = drain(pc);
	printf("flush to the collector: %zu prefixes in %.3f s, %.0f prefixes/s\n", flushed, t,
	       (double)flushed / t);
	printf("memory: %ld MiB more RSS (%.0f bytes a prefix)\n", (rss_kib() - rss0) / 1024,
	       (double)(rss_kib() - rss0) * 1024 / (double)n);
	t = now();
	hub_set_branch_to_branch(hub, true);
	printf("branch-to-branch on: %.3f s (%s)\n", now() - t,
	       hub_er_exchange_status(hub) != NULL ? "R16: exchange with ER stopped" : "exchange");
	t = now();
	hub_set_preference(hub, RH_PREF_ASPATH);
	printf("preference ASPath: %.3f s\n", now() - t);
	t = drain(pc);
	printf("flush after the switches: %zu prefixes\n", flushed);
	changes = 0;
	t = feed(pf, wd, m);
	printf("withdraw %zu prefixes: %.3f s, %.0f prefixes/s; %zu effective changes\n", n, t,
	       (double)n / t, changes);
	t = drain(pc);
	printf("flush withdrawals: %zu prefixes in %.3f s\n", flushed, t);
	fib_prog_free(fp);
	hub_free(hub);
	for (size_t i = 0; i < m; i++) {
		free(ann[i].buf);
		free(wd[i].buf);
	}
	free(ann);
	free(wd);
	return 0;
}
