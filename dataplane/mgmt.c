/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane's management socket (include/routehub/mgmt.h): show ports, show fib
 * [PREFIX], show stats, show neighbours, each answered with JSON of the routehub:state
 * container built with libyang. The same counters are under rte_telemetry's
 * /routehub/stats.
 *
 * Requests are served on the main lcore between two passes of its loop, so they read
 * the FIB and the neighbour table without locks; the workers' counters are read as they
 * are (64-bit words, at most a burst behind).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libyang/libyang.h>
#include <rte_ethdev.h>
#include <rte_telemetry.h>

#include "dp.h"
#include "log.h"
#include "mgmt.h"

#define MGMT_WAIT_MS 20 /* a silent client must not stall the main lcore long */
/* Routes listed by `show fib` without a prefix: the answer is built on the main lcore
 * (about 30 us a route), which must not stop serving the FIB channel and the exception
 * path for long. `show fib PREFIX` finds any route. */
#define MGMT_FIB_MAX_LIST 10000

static struct dp_main *tel_dp; /* the telemetry callback has no argument */

/* Sets one leaf at a path built from fmt; the first error sticks in *rc. */
static void set_leaf(struct lyd_node *tree, int *rc, const char *value, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

static void set_leaf(struct lyd_node *tree, int *rc, const char *value, const char *fmt, ...)
{
	char path[512];
	va_list ap;

	if (*rc != 0)
		return;
	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (lyd_new_path(tree, NULL, path, value, LYD_NEW_PATH_UPDATE, NULL) != LY_SUCCESS) {
		log_err("management: %s: %s", path, ly_errmsg(LYD_CTX(tree)));
		*rc = -EINVAL;
	}
}

static void set_u64(struct lyd_node *tree, int *rc, const char *base, const char *leaf, uint64_t v)
{
	char val[24];

	snprintf(val, sizeof(val), "%" PRIu64, v);
	set_leaf(tree, rc, val, "%s/%s", base, leaf);
}

/* ---- show ports ---- */

static int ports_state(struct dp_main *d, struct lyd_node *tree)
{
	int rc = 0;

	for (uint16_t p = 0; p < d->n_ports && rc == 0; p++) {
		struct rte_eth_stats st = {0};
		char mac[RTE_ETHER_ADDR_FMT_SIZE], base[96];

		rte_eth_stats_get(d->port[p].eth_port, &st);
		rte_ether_format_addr(mac, sizeof(mac), &d->port[p].mac);
		snprintf(base, sizeof(base), "/routehub:state/port[name='%s']",
		         d->cfg->dp.port[p].name);
		set_leaf(tree, &rc, d->cfg->dp.port[p].device, "%s/device", base);
		set_leaf(tree, &rc, d->tap[p].ifname, "%s/kernel-interface", base);
		set_leaf(tree, &rc, mac, "%s/mac", base);
		set_leaf(tree, &rc, d->link_up[p] ? "up" : "down", "%s/link", base);
		set_u64(tree, &rc, base, "speed", d->link_speed[p]);
		set_u64(tree, &rc, base, "mtu", d->port[p].mtu);
		set_u64(tree, &rc, base, "rx-packets", st.ipackets);
		set_u64(tree, &rc, base, "tx-packets", st.opackets);
		set_u64(tree, &rc, base, "rx-bytes", st.ibytes);
		set_u64(tree, &rc, base, "tx-bytes", st.obytes);
		set_u64(tree, &rc, base, "drops",
		        st.imissed + st.ierrors + st.rx_nombuf + st.oerrors);
	}
	return rc;
}

/* ---- show fib [PREFIX] ---- */

struct fib_walk {
	struct dp_main *d;
	struct lyd_node *tree;
	const struct rh_prefix *filter; /* routes covering it; NULL: all */
	unsigned listed;
	int rc;
};

static const char *nh_state_name(const struct dp_nh *nh)
{
	switch (nh->state) {
	case DP_NH_RESOLVED:
		return "resolved";
	case DP_NH_INCOMPLETE:
		return "incomplete";
	case DP_NH_LOCAL:
		return "local";
	case DP_NH_BLACKHOLE:
		return "blackhole";
	default:
		return "invalid";
	}
}

/* What a route's next hops show: addresses (or kinds) and ports, each once. */
struct route_view {
	unsigned n_hops, n_ports;
	char hop[FIBC_NHG_MAX_MEMBERS][RH_ADDR_STRLEN];
	const char *port[FIBC_NHG_MAX_MEMBERS];
	const char *state;
};

static void view_add(struct route_view *v, const struct dp_main *d, const struct dp_nh *nh)
{
	char addr[RH_ADDR_STRLEN];
	const char *what = addr, *s = nh_state_name(nh);
	unsigned i;

	if (nh->state == DP_NH_LOCAL)
		what = "local";
	else if (nh->state == DP_NH_BLACKHOLE)
		what = "blackhole";
	else if (dp_own_is_connected(nh))
		what = "connected";
	else {
		struct rh_addr a = {.family = nh->family};

		memcpy(a.bytes, nh->addr, 16);
		rh_addr_fmt(&a, addr, sizeof(addr));
	}
	for (i = 0; i < v->n_hops && strcmp(v->hop[i], what) != 0; i++)
		;
	if (i == v->n_hops && i < FIBC_NHG_MAX_MEMBERS)
		snprintf(v->hop[v->n_hops++], sizeof(v->hop[0]), "%s", what);
	if (nh->port < d->n_ports && nh->state != DP_NH_LOCAL && nh->state != DP_NH_BLACKHOLE) {
		const char *pn = d->cfg->dp.port[nh->port].name;

		for (i = 0; i < v->n_ports && strcmp(v->port[i], pn) != 0; i++)
			;
		if (i == v->n_ports && i < FIBC_NHG_MAX_MEMBERS)
			v->port[v->n_ports++] = pn;
	}
	if (v->state == NULL)
		v->state = s;
	else if (strcmp(v->state, s) != 0)
		v->state = "partial";
}

static int fib_route_state(const struct fibc_route *r, bool stale, void *arg)
{
	struct fib_walk *fw = arg;
	struct rh_prefix p = {.family = r->family, .len = r->len};
	char pfx[RH_PREFIX_STRLEN], base[128];
	struct route_view v;

	(void)stale;
	memcpy(p.bytes, r->addr, 16);
	if (fw->filter != NULL && !rh_prefix_contains(&p, fw->filter))
		return 0;
	if (fw->filter == NULL && fw->listed == MGMT_FIB_MAX_LIST)
		return 1; /* enough: stops the walk */
	fw->listed++;
	memset(&v, 0, sizeof(v));
	rh_prefix_fmt(&p, pfx, sizeof(pfx));
	snprintf(base, sizeof(base), "/routehub:state/fib-route[prefix='%s']", pfx);
	if (r->flags & FIBC_RT_F_GROUP) {
		uint32_t m[FIBC_NHG_MAX_MEMBERS];
		int n = dp_fib_group_members(fw->d->fib, r->nh_id, m, FIBC_NHG_MAX_MEMBERS);

		set_leaf(fw->tree, &fw->rc, "fib-channel", "%s/origin", base);
		for (int i = 0; i < n; i++) {
			const struct dp_nh *nh = dp_fib_nh(fw->d->fib, m[i], 0);

			if (nh != NULL)
				view_add(&v, fw->d, nh);
		}
	} else {
		const struct dp_nh *nh = dp_fib_nh(fw->d->fib, r->nh_id, 0);

		set_leaf(fw->tree, &fw->rc, dp_own_origin(fw->d, r->nh_id), "%s/origin", base);
		if (nh != NULL)
			view_add(&v, fw->d, nh);
	}
	/* State leaf-lists take no predicate: each value is added once, in order. */
	for (unsigned i = 0; i < v.n_hops; i++)
		set_leaf(fw->tree, &fw->rc, v.hop[i], "%s/next-hop", base);
	for (unsigned i = 0; i < v.n_ports; i++)
		set_leaf(fw->tree, &fw->rc, v.port[i], "%s/port", base);
	set_leaf(fw->tree, &fw->rc, v.state != NULL ? v.state : "invalid", "%s/state", base);
	return fw->rc;
}

static int fib_state(struct dp_main *d, struct lyd_node *tree, const struct rh_prefix *filter)
{
	static const char *base = "/routehub:state/fib-summary";
	struct fib_walk fw = {.d = d, .tree = tree, .filter = filter};
	struct dp_fib_stats st;

	if (filter == NULL || filter->family == RH_AF_INET)
		dp_fib_route_walk(d->fib, RH_AF_INET, fib_route_state, &fw);
	if (fw.rc == 0 && (filter == NULL || filter->family == RH_AF_INET6))
		dp_fib_route_walk(d->fib, RH_AF_INET6, fib_route_state, &fw);
	dp_fib_stats(d->fib, &st);
	set_u64(tree, &fw.rc, base, "ipv4-routes", st.routes_v4);
	set_u64(tree, &fw.rc, base, "ipv6-routes", st.routes_v6);
	set_u64(tree, &fw.rc, base, "next-hops", st.next_hops);
	set_u64(tree, &fw.rc, base, "groups", st.groups);
	set_u64(tree, &fw.rc, base, "generation", st.generation);
	set_u64(tree, &fw.rc, base, "routes-listed", fw.listed);
	return fw.rc;
}

/* ---- show neighbours ---- */

static int neigh_state_cb(const struct neigh_entry *e, void *arg)
{
	struct fib_walk *fw = arg;
	struct rh_addr a = {.family = e->family};
	char addr[RH_ADDR_STRLEN], base[160], mac[RTE_ETHER_ADDR_FMT_SIZE];

	memcpy(a.bytes, e->addr, 16);
	rh_addr_fmt(&a, addr, sizeof(addr));
	snprintf(base, sizeof(base), "/routehub:state/neighbour[port='%s'][address='%s']",
	         fw->d->cfg->dp.port[e->port].name, addr);
	if (e->state != NEIGH_INCOMPLETE) {
		rte_ether_format_addr(mac, sizeof(mac), &e->mac);
		set_leaf(fw->tree, &fw->rc, mac, "%s/mac", base);
	}
	set_leaf(fw->tree, &fw->rc, neigh_state_name(e->state), "%s/state", base);
	set_u64(fw->tree, &fw->rc, base, "held-packets", e->n_held);
	return fw->rc;
}

/* ---- show stats ---- */

/*
 * The main lcore's counters, by name (also for telemetry, from its own thread: hence the
 * neighbour table's copy in d->neigh_stats, refreshed by the main loop, rather than the
 * table itself).
 */
unsigned dp_main_counters(const struct dp_main *d, struct dp_counter *c, unsigned max)
{
	const struct dp_main_stats *s = &d->stats;
	const struct neigh_stats *ns = &d->neigh_stats;
	const struct dp_counter all[] = {
	        {"to_kernel", s->to_kernel},
	        {"from_kernel", s->from_kernel},
	        {"kernel_drops", s->kernel_drops},
	        {"punt_policed", s->punt_policed},
	        {"own_echo", s->own_echo},
	        {"icmp_sent", s->icmp_sent},
	        {"icmp_ratelimited", s->icmp_ratelimited},
	        {"icmp_suppressed", s->icmp_suppressed},
	        {"icmp_no_route", s->no_route},
	        {"neigh_packets", s->neigh_pkts},
	        {"neigh_next_hop_gone", s->neigh_nh_gone},
	        {"slow_forwarded", s->slow_fwd},
	        {"slow_drops", s->slow_drops},
	        {"neigh_requests", ns->requests},
	        {"neigh_probes", ns->probes},
	        {"neigh_replies", ns->replies},
	        {"neigh_learned", ns->learned},
	        {"neigh_resolved", ns->resolved},
	        {"neigh_failed", ns->failed},
	        {"neigh_expired", ns->expired},
	        {"neigh_held", ns->held},
	        {"neigh_hold_drops", ns->hold_drops},
	        {"neigh_invalid", ns->invalid},
	        {"neigh_no_source", ns->no_source},
	        {"neigh_alloc_fails", ns->alloc_fails},
	};
	unsigned n = 0;

	for (unsigned i = 0; i < RTE_DIM(all) && n < max; i++)
		c[n++] = all[i];
	return n;
}

/* A worker's counters: in, forwarded, and every drop and punt reason. */
static unsigned worker_counters(const struct dp_worker *w, struct dp_counter *c, unsigned max)
{
	unsigned n = 0;

	if (w == NULL || max < 2 + DP_DROP_MAX + DP_PUNT_MAX)
		return 0; /* not created yet (telemetry may ask during startup) */
	c[n++] = (struct dp_counter){"in", w->stats.in_pkts};
	c[n++] = (struct dp_counter){"forwarded", w->stats.fwd_pkts};
	for (unsigned i = 0; i < DP_DROP_MAX; i++)
		c[n++] = (struct dp_counter){dp_drop_names[i], w->stats.drop[i]};
	for (unsigned i = 0; i < DP_PUNT_MAX; i++)
		c[n++] = (struct dp_counter){dp_punt_names[i], w->stats.punt[i]};
	return n;
}

static void stats_rows(struct lyd_node *tree, int *rc, const char *worker,
                       const struct dp_counter *c, unsigned n)
{
	char base[160];

	for (unsigned i = 0; i < n; i++) {
		/* Drop and punt counters share no name but "too_big": qualify them. */
		if (c[i].value == 0 && strcmp(c[i].name, "in") != 0 &&
		    strcmp(c[i].name, "forwarded") != 0)
			continue;
		snprintf(base, sizeof(base),
		         "/routehub:state/worker-stats[worker='%s'][counter='%s']", worker,
		         c[i].name);
		set_u64(tree, rc, base, "value", c[i].value);
	}
}

static int stats_state(struct dp_main *d, struct lyd_node *tree)
{
	struct dp_counter c[64];
	char name[16];
	int rc = 0;

	for (unsigned w = 0; w < d->n_workers; w++) {
		unsigned n = worker_counters(d->worker[w], c, RTE_DIM(c));

		snprintf(name, sizeof(name), "%u", w);
		stats_rows(tree, &rc, name, c, n);
	}
	stats_rows(tree, &rc, "main", c, dp_main_counters(d, c, RTE_DIM(c)));
	return rc;
}

/* ---- the handler ---- */

static enum mgmt_status reply_error(char **body, size_t *len, const char *msg)
{
	*body = strdup(msg);
	*len = *body != NULL ? strlen(*body) : 0;
	return MGMT_ERROR;
}

static enum mgmt_status dp_handler(void *ctx, const char *cmd, char **body, size_t *len)
{
	struct dp_main *d = ctx;
	struct lyd_node *tree = NULL;
	struct rh_prefix filter;
	char *out = NULL;
	int rc = 0;

	if (lyd_new_path(NULL, d->ly, "/routehub:state", NULL, 0, &tree) != LY_SUCCESS)
		return reply_error(body, len, "cannot build the state tree");
	if (strcmp(cmd, "show ports") == 0) {
		rc = ports_state(d, tree);
	} else if (strcmp(cmd, "show fib") == 0) {
		rc = fib_state(d, tree, NULL);
	} else if (strncmp(cmd, "show fib ", 9) == 0) {
		if (rh_prefix_parse(cmd + 9, &filter, false) < 0) {
			lyd_free_all(tree);
			return reply_error(body, len, "show fib: not a prefix");
		}
		rc = fib_state(d, tree, &filter);
	} else if (strcmp(cmd, "show stats") == 0) {
		rc = stats_state(d, tree);
	} else if (strcmp(cmd, "show neighbours") == 0) {
		struct fib_walk fw = {.d = d, .tree = tree};

		neigh_walk(d->neigh, neigh_state_cb, &fw);
		rc = fw.rc;
	} else {
		lyd_free_all(tree);
		return reply_error(body, len, "unknown command for the dataplane");
	}
	if (rc == 0 && lyd_print_mem(&out, tree, LYD_JSON, LYD_PRINT_WITHSIBLINGS) != LY_SUCCESS)
		rc = -ENOMEM;
	lyd_free_all(tree);
	if (rc != 0) {
		free(out);
		return reply_error(body, len, "cannot build the answer");
	}
	*body = out;
	*len = out != NULL ? strlen(out) : 0;
	return MGMT_OK;
}

/* ---- telemetry ---- */

/* Keys are worker<N>_<counter> and main_<counter>: telemetry names take only letters,
 * digits, '_' and '/'. */
static int tel_stats(const char *cmd, const char *params, struct rte_tel_data *t)
{
	struct dp_main *d = __atomic_load_n(&tel_dp, __ATOMIC_ACQUIRE);
	char key[RTE_TEL_MAX_STRING_LEN];
	struct dp_counter c[64];
	unsigned n;

	(void)cmd;
	(void)params;
	if (d == NULL)
		return -ENODEV;
	rte_tel_data_start_dict(t);
	for (unsigned w = 0; w < d->n_workers; w++) {
		n = worker_counters(d->worker[w], c, RTE_DIM(c));
		for (unsigned i = 0; i < n; i++) {
			snprintf(key, sizeof(key), "worker%u_%s", w, c[i].name);
			rte_tel_data_add_dict_u64(t, key, c[i].value);
		}
	}
	n = dp_main_counters(d, c, RTE_DIM(c));
	for (unsigned i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "main_%s", c[i].name);
		rte_tel_data_add_dict_u64(t, key, c[i].value);
	}
	return 0;
}

int dp_mgmt_init(struct dp_main *d)
{
	int fd;

	ly_log_options(LY_LOSTORE);
	if (ly_ctx_new(rh_config_yang_dir(), LY_CTX_DISABLE_SEARCHDIR_CWD, &d->ly) != LY_SUCCESS)
		return -ENOMEM;
	if (ly_ctx_load_module(d->ly, "routehub", NULL, NULL) == NULL) {
		log_err("management: routehub.yang not found in %s", rh_config_yang_dir());
		return -ENOENT;
	}
	fd = mgmt_listen(d->cfg->dp.mgmt_socket);
	if (fd < 0) {
		log_err("management socket %s: %s", d->cfg->dp.mgmt_socket, strerror(-fd));
		return fd;
	}
	d->mgmt_fd = fd;
	__atomic_store_n(&tel_dp, d, __ATOMIC_RELEASE);
	/* Telemetry is optional (EAL --no-telemetry): its absence is not an error. */
	rte_telemetry_register_cmd("/routehub/stats", tel_stats,
	                           "routehub worker and slow-path counters. No parameters");
	return 0;
}

void dp_mgmt_telemetry_off(void)
{
	__atomic_store_n(&tel_dp, NULL, __ATOMIC_RELEASE);
}

void dp_mgmt_fini(struct dp_main *d)
{
	dp_mgmt_telemetry_off();
	if (d->mgmt_fd >= 0) {
		close(d->mgmt_fd);
		unlink(d->cfg->dp.mgmt_socket);
		d->mgmt_fd = -1;
	}
	ly_ctx_destroy(d->ly);
	d->ly = NULL;
}

void dp_mgmt_poll(struct dp_main *d)
{
	if (d->mgmt_fd >= 0)
		mgmt_serve_one(d->mgmt_fd, dp_handler, d, MGMT_WAIT_MS);
}
