/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration loading: libyang parses the JSON and checks everything the schema states;
 * then config_check_*() check what YANG cannot; then config_read_*() fill struct rh_config.
 *
 * libyang stops validating at the first failed constraint. To report every problem in
 * one go, the loader validates a copy of the tree, removes the node named by each error,
 * and validates again, a bounded number of times (RH_CONFIG_MAX_PROBLEMS).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <libyang/libyang.h>

#include "config.h"

#define RH_CONFIG_MAX_PROBLEMS 64

struct loader {
	const char *name; /* file name in messages */
	FILE *err;
	unsigned problems;
	char *last_path; /* path of the last YANG error, to detect one that repeats */
};

static void problem(struct loader *ld, const char *path, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void problem(struct loader *ld, const char *path, const char *fmt, ...)
{
	va_list ap;

	ld->problems++;
	if (ld->err == NULL)
		return;
	char msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* One line per problem, whatever libyang quoted from the file. */
	for (char *c = msg; *c != '\0'; c++)
		if (*c == '\n' || *c == '\r' || *c == '\t')
			*c = ' ';
	fprintf(ld->err, "%s: %s: %s\n", ld->name, path != NULL ? path : "/", msg);
}

static void node_problem(struct loader *ld, const struct lyd_node *node, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void node_problem(struct loader *ld, const struct lyd_node *node, const char *fmt, ...)
{
	char *path = lyd_path(node, LYD_PATH_STD, NULL, 0);
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	problem(ld, path, "%s", msg);
	free(path);
}

const char *rh_config_yang_dir(void)
{
	const char *env = getenv("ROUTEHUB_YANG_DIR");

	if (env != NULL && *env != '\0')
		return env;
#ifdef RH_SOURCE_YANG_DIR
	if (access(RH_SOURCE_YANG_DIR "/routehub.yang", R_OK) == 0)
		return RH_SOURCE_YANG_DIR;
#endif
#ifdef RH_INSTALLED_YANG_DIR
	return RH_INSTALLED_YANG_DIR;
#else
	return "/usr/share/routehub/yang";
#endif
}

const char *rh_hub_pref_name(enum rh_hub_pref p)
{
	switch (p) {
	case RH_PREF_VPNGATEWAY:
		return "VpnGateway";
	case RH_PREF_ASPATH:
		return "ASPath";
	case RH_PREF_EXPRESSROUTE:
	default:
		return "ExpressRoute";
	}
}

/*
 * libyang words its error paths 'Data location "/a/b", line number 7.'; keep the path,
 * and the line where there is one: "/a/b (line 7)". Returns a malloc'd string or NULL.
 */
static char *ly_error_path(const char *raw)
{
	const char *q1, *q2, *line;
	char *out;

	if (raw == NULL)
		return NULL;
	q1 = strchr(raw, '"');
	q2 = q1 != NULL ? strchr(q1 + 1, '"') : NULL;
	if (q1 == NULL || q2 == NULL)
		return strdup(raw);
	line = strstr(q2, "line number ");
	if (line != NULL) {
		unsigned long n = strtoul(line + strlen("line number "), NULL, 10);

		if (asprintf(&out, "%.*s (line %lu)", (int)(q2 - q1 - 1), q1 + 1, n) < 0)
			return NULL;
		return out;
	}
	return strndup(q1 + 1, (size_t)(q2 - q1 - 1));
}

/* Reports the errors libyang holds; returns the path of the last one (malloc'd) or NULL. */
static char *report_ly_errors(struct loader *ld, const struct ly_ctx *ctx)
{
	char *last = NULL;

	for (struct ly_err_item *e = ly_err_first(ctx); e != NULL; e = e->next) {
		if (e->level != LY_LLERR)
			continue;
		char *path = ly_error_path(e->path);

		problem(ld, path, "%s", e->msg != NULL ? e->msg : "invalid");
		free(last);
		last = path;
	}
	ly_err_clean((struct ly_ctx *)ctx, NULL);
	return last;
}

/*
 * libyang's error paths are data paths, sometimes with a note appended; keep the path.
 * Returns the node to remove so that validation can go on, or NULL.
 */
static struct lyd_node *error_node(struct lyd_node *tree, const char *path)
{
	struct lyd_node *node = NULL;
	char buf[1024];
	char *sp;

	if (path == NULL || path[0] != '/' || strlen(path) >= sizeof(buf))
		return NULL;
	strcpy(buf, path);
	sp = strchr(buf, ' ');
	if (sp != NULL)
		*sp = '\0';
	if (lyd_find_path(tree, buf, 0, &node) != LY_SUCCESS)
		return NULL;
	return node;
}

/* Validates, reporting and pruning until the tree is valid or nothing more can be pruned. */
static int validate_all_problems(struct loader *ld, struct ly_ctx *ctx, struct lyd_node **tree)
{
	int failed = 0;

	for (int i = 0; i < RH_CONFIG_MAX_PROBLEMS; i++) {
		char *path;
		struct lyd_node *bad;

		if (lyd_validate_all(tree, ctx, LYD_VALIDATE_PRESENT | LYD_VALIDATE_NO_STATE,
		                     NULL) == LY_SUCCESS)
			return failed;
		failed = -EINVAL;
		path = report_ly_errors(ld, ctx);
		bad = error_node(*tree, path);
		/* Removing a mandatory leaf or a key would only raise another error: remove
		 * the list entry or presence container that holds it. */
		while (bad != NULL && bad->schema != NULL &&
		       ((bad->schema->flags & LYS_MAND_TRUE) || lysc_is_key(bad->schema)))
			bad = lyd_parent(bad);
		if (bad == NULL || bad->schema == NULL ||
		    (bad->schema->nodetype == LYS_CONTAINER &&
		     !(bad->schema->flags & LYS_PRESENCE)) ||
		    (ld->last_path != NULL && path != NULL && strcmp(path, ld->last_path) == 0)) {
			free(path);
			return failed;
		}
		free(ld->last_path);
		ld->last_path = path;
		if (bad == *tree)
			*tree = (*tree)->next;
		lyd_free_tree(bad);
		if (*tree == NULL)
			return failed;
	}
	return failed;
}

/* ------------------------------------------------------------------ tree helpers */

static const char *leaf(const struct lyd_node *parent, const char *name)
{
	struct lyd_node *n = NULL;

	if (parent == NULL || lyd_find_path(parent, name, 0, &n) != LY_SUCCESS || n == NULL)
		return NULL;
	return lyd_get_value(n);
}

static const struct lyd_node *child(const struct lyd_node *parent, const char *name)
{
	struct lyd_node *n = NULL;

	if (parent == NULL || lyd_find_path(parent, name, 0, &n) != LY_SUCCESS)
		return NULL;
	return n;
}

static unsigned long leaf_ulong(const struct lyd_node *parent, const char *name, unsigned long dflt)
{
	const char *v = leaf(parent, name);

	return v != NULL ? strtoul(v, NULL, 10) : dflt;
}

static bool leaf_bool(const struct lyd_node *parent, const char *name, bool dflt)
{
	const char *v = leaf(parent, name);

	return v != NULL ? strcmp(v, "true") == 0 : dflt;
}

static bool is_named(const struct lyd_node *n, const char *name)
{
	return n->schema != NULL && strcmp(n->schema->name, name) == 0;
}

#define FOR_EACH_NAMED(parent, n, name)                                                         \
	for (const struct lyd_node *n = (parent) != NULL ? lyd_child(parent) : NULL; n != NULL; \
	     n = n->next)                                                                       \
		if (is_named(n, name))

static void copy_str(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src != NULL ? src : "");
}

/* ------------------------------------------------------------------ readers */

/* A leaf's value; "" for a missing node (lyd_get_value() gives NULL), never printed as NULL. */
static const char *value_of(const struct lyd_node *n)
{
	const char *v = lyd_get_value(n);

	return v != NULL ? v : "";
}

static int read_addr(struct loader *ld, const struct lyd_node *n, struct rh_addr *a)
{
	const char *v = value_of(n);

	if (rh_addr_parse(v, a) < 0) {
		node_problem(ld, n, "'%s' is not an IP address", v);
		return -EINVAL;
	}
	return 0;
}

static int read_prefix(struct loader *ld, const struct lyd_node *n, struct rh_prefix *p)
{
	const char *v = value_of(n);

	if (rh_prefix_parse(v, p, false) < 0) {
		node_problem(ld, n, "'%s' is not an IP prefix", v);
		return -EINVAL;
	}
	return 0;
}

const char *rh_add_path_name(uint8_t bits)
{
	static const char *const names[] = {"off", "receive", "send", "both"};

	return names[bits & (RH_ADD_PATH_RECEIVE | RH_ADD_PATH_SEND)];
}

uint8_t rh_add_path_parse(const char *v)
{
	if (v == NULL)
		return 0;
	if (strcmp(v, "receive") == 0)
		return RH_ADD_PATH_RECEIVE;
	if (strcmp(v, "send") == 0)
		return RH_ADD_PATH_SEND;
	if (strcmp(v, "both") == 0)
		return RH_ADD_PATH_RECEIVE | RH_ADD_PATH_SEND;
	return 0; /* "off"; the schema refuses anything else */
}

static void read_peer(struct loader *ld, const struct lyd_node *n, struct rh_peer_cfg *p)
{
	memset(p, 0, sizeof(*p));
	read_addr(ld, child(n, "address"), &p->addr);
	p->asn = (uint32_t)leaf_ulong(n, "asn", 0);
	p->hold_time = (uint16_t)leaf_ulong(n, "hold-time", 180);
	p->multihop = (uint8_t)leaf_ulong(n, "multihop", 1);
	copy_str(p->password, sizeof(p->password), leaf(n, "password"));
	p->add_path = rh_add_path_parse(leaf(n, "add-path"));
	p->gtsm = leaf_bool(n, "gtsm", false);
	p->passive = leaf_bool(n, "passive", false);
}

static void read_rs(struct loader *ld, const struct lyd_node *rs, struct rh_rs_cfg *c)
{
	const char *pref = leaf(rs, "hub-routing-preference");
	unsigned n_inst = 0;

	c->asn = (uint32_t)leaf_ulong(rs, "asn", RH_RS_ASN);
	FOR_EACH_NAMED(rs, n, "instance-address")
	{
		if (n_inst < RH_MAX_INSTANCES)
			read_addr(ld, n, &c->instance[n_inst++]);
	}
	FOR_EACH_NAMED(rs, n, "vnet-address-space")
	{
		if (c->n_vnet < RH_MAX_VNET)
			read_prefix(ld, n, &c->vnet[c->n_vnet++]);
	}
	c->branch_to_branch = leaf_bool(rs, "branch-to-branch", false);
	c->preference = RH_PREF_EXPRESSROUTE;
	if (pref != NULL && strcmp(pref, "VpnGateway") == 0)
		c->preference = RH_PREF_VPNGATEWAY;
	else if (pref != NULL && strcmp(pref, "ASPath") == 0)
		c->preference = RH_PREF_ASPATH;
	c->route_limit = (uint16_t)leaf_ulong(rs, "route-limit", 1000);
	FOR_EACH_NAMED(rs, n, "nva-peer")
	{
		if (c->n_peers < RH_RS_MAX_PEERS)
			read_peer(ld, n, &c->peer[c->n_peers++]);
	}
}

static void read_gw_peers(struct loader *ld, const struct lyd_node *gw, struct rh_peer_cfg *peer,
                          unsigned *n_peers)
{
	FOR_EACH_NAMED(gw, n, "on-premises-peer")
	{
		if (*n_peers < RH_MAX_GW_PEERS) {
			read_peer(ld, n, &peer[*n_peers]);
			/* Gateways peer with on-premises devices directly (eBGP, TTL 1). */
			peer[(*n_peers)++].multihop = 1;
		}
	}
}

static void read_er(struct loader *ld, const struct lyd_node *er, struct rh_er_cfg *c)
{
	const struct lyd_node *lim = child(er, "route-limits");

	c->present = er != NULL;
	if (!c->present)
		return;
	FOR_EACH_NAMED(er, n, "instance-address")
	{
		if (c->n_instances < RH_MAX_INSTANCES)
			read_addr(ld, n, &c->instance[c->n_instances++]);
	}
	c->premium = leaf_bool(er, "premium", false);
	c->limit_to_er = (uint16_t)leaf_ulong(lim, "to-expressroute", 1000);
	c->limit_from_onprem = (uint16_t)leaf_ulong(lim, "from-on-premises", 4000);
	read_gw_peers(ld, er, c->peer, &c->n_peers);
}

static void read_vpn(struct loader *ld, const struct lyd_node *vpn, struct rh_vpn_cfg *c)
{
	c->present = vpn != NULL;
	if (!c->present)
		return;
	c->active_active = leaf_bool(vpn, "active-active", true);
	FOR_EACH_NAMED(vpn, n, "instance-address")
	{
		if (c->n_instances < RH_MAX_INSTANCES)
			read_addr(ld, n, &c->instance[c->n_instances++]);
	}
	c->route_limit = (uint16_t)leaf_ulong(vpn, "route-limit", 4000);
	read_gw_peers(ld, vpn, c->peer, &c->n_peers);
	FOR_EACH_NAMED(vpn, n, "local-network-prefix")
	{
		if (c->n_local < RH_MAX_LOCAL_PREFIX)
			read_prefix(ld, n, &c->local[c->n_local++]);
	}
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];

	if (s == NULL ||
	    sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

static void read_ifaddr(struct loader *ld, const struct lyd_node *n, struct rh_ifaddr *ia)
{
	struct rh_prefix p;

	if (rh_prefix_parse(lyd_get_value(n), &p, false) < 0 ||
	    strchr(lyd_get_value(n), '/') == NULL) {
		node_problem(ld, n, "'%s' is not ADDRESS/LENGTH of IPv4 or IPv6", lyd_get_value(n));
		return;
	}
	/* Keep the host address: parse the part before the slash on its own. */
	char buf[RH_PREFIX_STRLEN];

	copy_str(buf, sizeof(buf), lyd_get_value(n));
	*strchr(buf, '/') = '\0';
	rh_addr_parse(buf, &ia->addr);
	ia->len = p.len;
}

static void read_port(struct loader *ld, const struct lyd_node *pn, struct rh_port_cfg *p)
{
	const char *pci = leaf(pn, "pci-address");

	copy_str(p->name, sizeof(p->name), leaf(pn, "name"));
	p->is_pci = pci != NULL;
	copy_str(p->device, sizeof(p->device), pci != NULL ? pci : leaf(pn, "vdev"));
	FOR_EACH_NAMED(pn, n, "address")
	{
		if (p->n_addrs < RH_MAX_PORT_ADDRS)
			read_ifaddr(ld, n, &p->addr[p->n_addrs++]);
	}
	p->mtu = (uint16_t)leaf_ulong(pn, "mtu", 1500);
	p->rx_queues = (uint8_t)leaf_ulong(pn, "rx-queues", 1);
	FOR_EACH_NAMED(pn, n, "neighbour")
	{
		struct rh_neigh_cfg *nb;

		if (p->n_neigh >= RH_MAX_NEIGHBOURS)
			continue;
		nb = &p->neigh[p->n_neigh++];
		read_addr(ld, child(n, "address"), &nb->addr);
		if (parse_mac(leaf(n, "mac"), nb->mac) < 0)
			node_problem(ld, n, "bad MAC address");
	}
}

static void read_metrics(const struct lyd_node *m, struct rh_metrics_cfg *c)
{
	copy_str(c->address, sizeof(c->address), leaf(m, "address"));
	if (c->address[0] == '\0')
		copy_str(c->address, sizeof(c->address), "127.0.0.1");
	c->port = (uint16_t)leaf_ulong(m, "port", 0);
}

static void read_dp(struct loader *ld, const struct lyd_node *dp, struct rh_dp_cfg *c)
{
	const struct lyd_node *fib = child(dp, "fib");

	FOR_EACH_NAMED(dp, n, "port")
	{
		if (c->n_ports < RH_MAX_PORTS)
			read_port(ld, n, &c->port[c->n_ports++]);
	}
	FOR_EACH_NAMED(dp, n, "worker-core")
	{
		if (c->n_workers < RH_MAX_WORKERS)
			c->worker[c->n_workers++] = (uint16_t)strtoul(lyd_get_value(n), NULL, 10);
	}
	c->fib4_max_routes = (uint32_t)leaf_ulong(fib, "ipv4-max-routes", 1048576);
	c->fib6_max_routes = (uint32_t)leaf_ulong(fib, "ipv6-max-routes", 131072);
	c->max_next_hops = (uint32_t)leaf_ulong(fib, "max-next-hops", 65536);
	c->fib4_tbl8 = (uint32_t)leaf_ulong(fib, "ipv4-tbl8-groups", 0);
	c->extra_mbufs = (uint32_t)leaf_ulong(dp, "extra-mbufs", 0);
	copy_str(c->fib_socket, sizeof(c->fib_socket), leaf(dp, "fib-socket"));
	if (c->fib_socket[0] == '\0')
		copy_str(c->fib_socket, sizeof(c->fib_socket), "/run/routehub/fib.sock");
	copy_str(c->mgmt_socket, sizeof(c->mgmt_socket), leaf(dp, "mgmt-socket"));
	if (c->mgmt_socket[0] == '\0')
		copy_str(c->mgmt_socket, sizeof(c->mgmt_socket), "/run/routehub/dataplane.sock");
	copy_str(c->eal_args, sizeof(c->eal_args), leaf(dp, "eal-args"));
	read_metrics(child(dp, "metrics"), &c->metrics);
}

static int log_level_of(const char *s)
{
	static const struct {
		const char *name;
		int level;
	} levels[] = {{"error", LOG_ERR},
	              {"warning", LOG_WARNING},
	              {"notice", LOG_NOTICE},
	              {"info", LOG_INFO},
	              {"debug", LOG_DEBUG}};

	for (size_t i = 0; s != NULL && i < sizeof(levels) / sizeof(levels[0]); i++)
		if (strcmp(s, levels[i].name) == 0)
			return levels[i].level;
	return LOG_INFO;
}

static void read_cp(const struct lyd_node *cp, const struct rh_config *cfg, struct rh_cp_cfg *c)
{
	const char *rid = leaf(cp, "router-id");

	if (rid == NULL || rh_addr_parse(rid, &c->router_id) < 0) {
		/* The first IPv4 instance address of the route server. */
		for (int i = 0; i < RH_MAX_INSTANCES; i++)
			if (cfg->rs.instance[i].family == RH_AF_INET) {
				c->router_id = cfg->rs.instance[i];
				break;
			}
	}
	copy_str(c->mgmt_socket, sizeof(c->mgmt_socket), leaf(cp, "mgmt-socket"));
	if (c->mgmt_socket[0] == '\0')
		copy_str(c->mgmt_socket, sizeof(c->mgmt_socket), "/run/routehub/controlplane.sock");
	c->log_level = log_level_of(leaf(cp, "log-level"));
	c->enforce_route_limits = leaf_bool(cp, "enforce-route-limits", true);
	c->gr_time_max = (uint16_t)leaf_ulong(cp, "graceful-restart-time-max", 300);
	c->gr_stale_time = (uint16_t)leaf_ulong(cp, "graceful-restart-stale-time", 360);
	read_metrics(child(cp, "metrics"), &c->metrics);
}

/* ------------------------------------------------------------------ checks YANG cannot state */

/* VNet spaces must be disjoint: R8 compares NVA routes against each space. */
static void check_vnet_overlap(struct loader *ld, const struct lyd_node *rs)
{
	const struct lyd_node *seen[RH_MAX_VNET];
	struct rh_prefix p[RH_MAX_VNET];
	unsigned n = 0;

	FOR_EACH_NAMED(rs, node, "vnet-address-space")
	{
		if (n >= RH_MAX_VNET || rh_prefix_parse(lyd_get_value(node), &p[n], false) < 0)
			continue;
		for (unsigned i = 0; i < n; i++)
			if (rh_prefix_overlaps(&p[i], &p[n])) {
				node_problem(ld, node, "VNet address space %s overlaps %s",
				             lyd_get_value(node), lyd_get_value(seen[i]));
				break;
			}
		seen[n++] = node;
	}
}

struct endpoint {
	struct rh_addr addr;
	const struct lyd_node *node;
};

struct endpoints {
	unsigned n;
	struct endpoint e[3 * RH_MAX_INSTANCES + RH_RS_MAX_PEERS + 2 * RH_MAX_GW_PEERS];
};

/* Every BGP endpoint (instance or peer address) is used once across the whole hub. */
static void add_endpoint(struct loader *ld, struct endpoints *eps, const struct lyd_node *node,
                         const char *what)
{
	struct rh_addr a;

	if (node == NULL || rh_addr_parse(lyd_get_value(node), &a) < 0 ||
	    eps->n >= sizeof(eps->e) / sizeof(eps->e[0]))
		return;
	for (unsigned i = 0; i < eps->n; i++)
		if (rh_addr_equal(&eps->e[i].addr, &a)) {
			char *other = lyd_path(eps->e[i].node, LYD_PATH_STD, NULL, 0);

			node_problem(ld, node, "duplicate %s: %s is already used at %s", what,
			             lyd_get_value(node), other != NULL ? other : "?");
			free(other);
			return;
		}
	eps->e[eps->n].addr = a;
	eps->e[eps->n++].node = node;
}

/*
 * The instances of one part are of one family (the two route server instances are the
 * same service at two addresses), and a peer needs an instance of its own family.
 */
static void check_peer_families(struct loader *ld, const struct lyd_node *part, const char *list,
                                const char *part_name)
{
	bool has[7] = {false};
	uint8_t first = 0;

	FOR_EACH_NAMED(part, n, "instance-address")
	{
		struct rh_addr a;

		if (rh_addr_parse(lyd_get_value(n), &a) < 0)
			continue;
		if (first != 0 && a.family != first) {
			node_problem(ld, n,
			             "address family: the %s instances are all IPv%u or all IPv%u",
			             part_name, first, a.family);
			continue;
		}
		first = a.family;
		has[a.family] = true;
	}
	FOR_EACH_NAMED(part, n, list)
	{
		const struct lyd_node *an = child(n, "address");
		struct rh_addr a;

		if (an == NULL || rh_addr_parse(lyd_get_value(an), &a) < 0 || has[a.family])
			continue;
		node_problem(ld, an, "address family: %s has no %s instance address of its family",
		             lyd_get_value(an), part_name);
	}
}

static void check_endpoints(struct loader *ld, const struct lyd_node *top)
{
	static const struct {
		const char *part, *name, *peers;
	} parts[] = {{"route-server", "route server", "nva-peer"},
	             {"expressroute-gateway", "ExpressRoute gateway", "on-premises-peer"},
	             {"vpn-gateway", "VPN gateway", "on-premises-peer"}};
	struct endpoints eps = {0};

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		const struct lyd_node *part = child(top, parts[i].part);

		FOR_EACH_NAMED(part, n, "instance-address") add_endpoint(ld, &eps, n, "address");
	}
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		const struct lyd_node *part = child(top, parts[i].part);

		FOR_EACH_NAMED(part, n, parts[i].peers)
		add_endpoint(ld, &eps, child(n, "address"), "peer");
		check_peer_families(ld, part, parts[i].peers, parts[i].name);
	}
}

/* The VPN gateway never advertises the default route. */
static void check_vpn_prefixes(struct loader *ld, const struct lyd_node *vpn)
{
	FOR_EACH_NAMED(vpn, n, "local-network-prefix")
	{
		struct rh_prefix p;

		if (rh_prefix_parse(lyd_get_value(n), &p, false) == 0 && p.len == 0)
			node_problem(ld, n,
			             "%s: the VPN gateway never advertises the default route",
			             lyd_get_value(n));
	}
}

static void check_ports(struct loader *ld, const struct lyd_node *dp)
{
	struct {
		struct rh_ifaddr ia;
		const struct lyd_node *node;
	} seen[RH_MAX_PORTS * RH_MAX_PORT_ADDRS];
	unsigned n_seen = 0;
	const struct lyd_node *dev_node[RH_MAX_PORTS];
	unsigned n_dev = 0;

	FOR_EACH_NAMED(dp, pn, "port")
	{
		const struct lyd_node *dn = child(pn, "pci-address");
		struct rh_ifaddr mine[RH_MAX_PORT_ADDRS];
		unsigned n_mine = 0;

		if (dn == NULL)
			dn = child(pn, "vdev");
		for (unsigned i = 0; dn != NULL && i < n_dev; i++)
			if (strcmp(lyd_get_value(dn), lyd_get_value(dev_node[i])) == 0)
				node_problem(ld, dn, "duplicate device %s: another port has it",
				             lyd_get_value(dn));
		if (dn != NULL && n_dev < RH_MAX_PORTS)
			dev_node[n_dev++] = dn;

		FOR_EACH_NAMED(pn, an, "address")
		{
			struct rh_ifaddr ia = {0};
			unsigned before = ld->problems;

			read_ifaddr(ld, an, &ia);
			if (ld->problems != before || n_seen >= RH_MAX_PORTS * RH_MAX_PORT_ADDRS)
				continue;
			for (unsigned i = 0; i < n_seen; i++)
				if (rh_addr_equal(&seen[i].ia.addr, &ia.addr))
					node_problem(ld, an,
					             "duplicate address %s: another port has it",
					             lyd_get_value(an));
			seen[n_seen].ia = ia;
			seen[n_seen++].node = an;
			if (n_mine < RH_MAX_PORT_ADDRS)
				mine[n_mine++] = ia;
		}
		/* A static neighbour must be reachable on one of the port's subnets. */
		FOR_EACH_NAMED(pn, nn, "neighbour")
		{
			const struct lyd_node *an = child(nn, "address");
			struct rh_addr a;
			bool on_link = false;

			if (an == NULL || rh_addr_parse(lyd_get_value(an), &a) < 0)
				continue;
			for (unsigned i = 0; i < n_mine; i++) {
				struct rh_prefix p = {.family = mine[i].addr.family,
				                      .len = mine[i].len};

				memcpy(p.bytes, mine[i].addr.bytes, 16);
				rh_prefix_normalise(&p);
				on_link |= rh_prefix_has_addr(&p, &a);
			}
			if (!on_link)
				node_problem(ld, an,
				             "neighbour %s is on none of the port's subnets",
				             lyd_get_value(an));
		}
	}
}

/* ------------------------------------------------------------------ entry points */

static struct ly_ctx *config_ctx(struct loader *ld)
{
	struct ly_ctx *ctx = NULL;
	const char *dir = rh_config_yang_dir();

	ly_log_options(LY_LOSTORE);
	if (ly_ctx_new(dir, LY_CTX_DISABLE_SEARCHDIR_CWD, &ctx) != LY_SUCCESS) {
		problem(ld, NULL, "cannot create the YANG context");
		return NULL;
	}
	if (ly_ctx_load_module(ctx, "routehub", NULL, NULL) == NULL) {
		report_ly_errors(ld, ctx);
		problem(ld, NULL, "cannot load routehub.yang from %s", dir);
		ly_ctx_destroy(ctx);
		return NULL;
	}
	return ctx;
}

struct rh_config *rh_config_load_json(const char *json, const char *name, FILE *err,
                                      unsigned *n_problems)
{
	struct loader ld = {.name = name, .err = err};
	struct lyd_node *tree = NULL;
	struct rh_config *cfg = NULL;
	const struct lyd_node *top;
	struct ly_ctx *ctx;

	ctx = config_ctx(&ld);
	if (ctx == NULL)
		goto out;
	if (lyd_parse_data_mem(ctx, json, LYD_JSON, LYD_PARSE_STRICT | LYD_PARSE_ONLY, 0, &tree) !=
	    LY_SUCCESS) {
		free(report_ly_errors(&ld, ctx));
		if (ld.problems == 0)
			problem(&ld, NULL, "cannot parse the configuration");
		goto out;
	}
	validate_all_problems(&ld, ctx, &tree);

	top = NULL;
	for (const struct lyd_node *n = tree; n != NULL; n = n->next)
		if (is_named(n, "routehub"))
			top = n;
	if (top == NULL) {
		if (ld.problems == 0)
			problem(&ld, "/routehub:routehub", "the configuration is empty");
		goto out;
	}
	check_vnet_overlap(&ld, child(top, "route-server"));
	check_endpoints(&ld, top);
	check_vpn_prefixes(&ld, child(top, "vpn-gateway"));
	check_ports(&ld, child(top, "dataplane"));
	if (ld.problems > 0)
		goto out;

	cfg = calloc(1, sizeof(*cfg));
	if (cfg == NULL) {
		problem(&ld, NULL, "out of memory");
		goto out;
	}
	read_rs(&ld, child(top, "route-server"), &cfg->rs);
	read_er(&ld, child(top, "expressroute-gateway"), &cfg->er);
	read_vpn(&ld, child(top, "vpn-gateway"), &cfg->vpn);
	read_dp(&ld, child(top, "dataplane"), &cfg->dp);
	read_cp(child(top, "control-plane"), cfg, &cfg->cp);
	if (ld.problems > 0) {
		free(cfg);
		cfg = NULL;
	}
out:
	free(ld.last_path);
	lyd_free_all(tree);
	if (ctx != NULL)
		ly_ctx_destroy(ctx);
	if (n_problems != NULL)
		*n_problems = ld.problems;
	if (cfg == NULL)
		errno = EINVAL;
	return cfg;
}

static char *read_file(const char *file, FILE *err)
{
	FILE *f = fopen(file, "r");
	char *buf = NULL;
	long size;

	if (f == NULL) {
		if (err != NULL)
			fprintf(err, "%s: cannot open: %s\n", file, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && size < (16L << 20) &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)size + 1);
		if (buf != NULL && fread(buf, 1, (size_t)size, f) == (size_t)size) {
			buf[size] = '\0';
		} else {
			free(buf);
			buf = NULL;
		}
	}
	if (buf == NULL && err != NULL)
		fprintf(err, "%s: cannot read (a configuration is at most 16 MiB)\n", file);
	fclose(f);
	return buf;
}

struct rh_config *rh_config_load(const char *file, FILE *err, unsigned *n_problems)
{
	char *json = read_file(file, err);
	struct rh_config *cfg;
	int saved;

	if (json == NULL) {
		if (n_problems != NULL)
			*n_problems = 1;
		errno = ENOENT;
		return NULL;
	}
	cfg = rh_config_load_json(json, file, err, n_problems);
	saved = errno;
	free(json);
	errno = saved;
	return cfg;
}

void rh_config_free(struct rh_config *cfg)
{
	free(cfg);
}

int rh_config_port_for(const struct rh_config *cfg, const struct rh_addr *addr)
{
	for (unsigned i = 0; i < cfg->dp.n_ports; i++) {
		const struct rh_port_cfg *p = &cfg->dp.port[i];

		for (unsigned j = 0; j < p->n_addrs; j++) {
			struct rh_prefix pf = {.family = p->addr[j].addr.family,
			                       .len = p->addr[j].len};

			memcpy(pf.bytes, p->addr[j].addr.bytes, 16);
			rh_prefix_normalise(&pf);
			if (rh_prefix_has_addr(&pf, addr))
				return (int)i;
		}
	}
	return -1;
}
