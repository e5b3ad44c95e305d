/* SPDX-License-Identifier: BSD-3-Clause */
/* The difference between two configurations, for `reload` (reload_diff.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "reload_diff.h"

const char *cp_diff_role_name(enum cp_diff_role r)
{
	switch (r) {
	case CP_DIFF_ER_ONPREM:
		return "expressroute-on-premises";
	case CP_DIFF_VPN_ONPREM:
		return "vpn-on-premises";
	case CP_DIFF_NVA:
	default:
		return "nva";
	}
}

static void say(struct cp_diff *d, bool fixed, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void say(struct cp_diff *d, bool fixed, const char *fmt, ...)
{
	va_list ap;

	if (fixed)
		d->n_fixed++;
	if (d->n_lines >= CP_DIFF_MAX_LINES) {
		d->n_dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(d->line[d->n_lines].text, CP_DIFF_LINE, fmt, ap);
	va_end(ap);
	d->line[d->n_lines++].fixed = fixed;
}

static const char *onoff(bool b)
{
	return b ? "on" : "off";
}

/* The YANG names of the syslog priorities the configuration allows. */
static const char *level_name(int level)
{
	static const char *const names[] = {"emerg",   "alert",  "crit", "error",
	                                    "warning", "notice", "info", "debug"};

	return level >= 0 && level < 8 ? names[level] : "?";
}

static bool addrs_equal(const struct rh_addr *a, const struct rh_addr *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (a[i].family != b[i].family ||
		    (a[i].family != 0 && !rh_addr_equal(&a[i], &b[i])))
			return false;
	return true;
}

static bool prefix_in(const struct rh_prefix *p, const struct rh_prefix *set, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (rh_prefix_equal(p, &set[i]))
			return true;
	return false;
}

/* Prefixes of one list added and removed; true when any. */
static bool prefixes_diff(struct cp_diff *d, const char *what, const struct rh_prefix *o,
                          unsigned no, const struct rh_prefix *n, unsigned nn)
{
	char s[RH_PREFIX_STRLEN];
	bool any = false;

	for (unsigned i = 0; i < nn; i++)
		if (!prefix_in(&n[i], o, no)) {
			say(d, false, "%s %s added", what, rh_prefix_fmt(&n[i], s, sizeof(s)));
			any = true;
		}
	for (unsigned i = 0; i < no; i++)
		if (!prefix_in(&o[i], n, nn)) {
			say(d, false, "%s %s removed", what, rh_prefix_fmt(&o[i], s, sizeof(s)));
			any = true;
		}
	return any;
}

static const struct rh_peer_cfg *peer_find(const struct rh_peer_cfg *list, unsigned n,
                                           const struct rh_addr *a)
{
	for (unsigned i = 0; i < n; i++)
		if (rh_addr_equal(&list[i].addr, a))
			return &list[i];
	return NULL;
}

static void peer_push(struct cp_diff *d, enum cp_diff_role role, enum cp_peer_change what,
                      const struct rh_peer_cfg *o, const struct rh_peer_cfg *n)
{
	if (d->n_peers < CP_DIFF_MAX_PEERS)
		d->peer[d->n_peers++] =
		        (struct cp_peer_diff){.role = role, .what = what, .old_pc = o, .new_pc = n};
}

/* What changed in a peer's session parameters, as "hold-time 90 -> 30, ..."; "" if none. */
static void peer_params(const struct rh_peer_cfg *o, const struct rh_peer_cfg *n, char *buf,
                        size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
#define PARAM(cond, ...)                                                             \
	do {                                                                         \
		if ((cond) && len < size)                                            \
			len += (size_t)snprintf(buf + len, size - len, __VA_ARGS__); \
	} while (0)
	PARAM(o->asn != n->asn, "%sasn %u -> %u", len ? ", " : "", o->asn, n->asn);
	PARAM(o->hold_time != n->hold_time, "%shold-time %u -> %u", len ? ", " : "", o->hold_time,
	      n->hold_time);
	PARAM(o->multihop != n->multihop, "%smultihop %u -> %u", len ? ", " : "", o->multihop,
	      n->multihop);
	/* The key itself is never printed. */
	PARAM(strcmp(o->password, n->password) != 0, "%spassword %s", len ? ", " : "",
	      n->password[0] == '\0'   ? "removed"
	      : o->password[0] == '\0' ? "set"
	                               : "changed");
	PARAM(o->add_path != n->add_path, "%sadd-path %s -> %s", len ? ", " : "",
	      rh_add_path_name(o->add_path), rh_add_path_name(n->add_path));
	PARAM(o->passive != n->passive, "%spassive %s", len ? ", " : "", n->passive ? "on" : "off");
	PARAM(o->gtsm != n->gtsm, "%sgtsm %s", len ? ", " : "", n->gtsm ? "on" : "off");
#undef PARAM
}

static void peers_diff(struct cp_diff *d, enum cp_diff_role role, const struct rh_peer_cfg *o,
                       unsigned no, const struct rh_peer_cfg *n, unsigned nn)
{
	const char *rn = cp_diff_role_name(role);
	char a[RH_ADDR_STRLEN], what[CP_DIFF_LINE - 64];

	for (unsigned i = 0; i < no; i++) {
		const struct rh_peer_cfg *np = peer_find(n, nn, &o[i].addr);

		rh_addr_fmt(&o[i].addr, a, sizeof(a));
		if (np == NULL) {
			peer_push(d, role, CP_PEER_REMOVED, &o[i], NULL);
			say(d, false, "peer %s (%s) removed: Cease/Peer De-configured", a, rn);
			continue;
		}
		peer_params(&o[i], np, what, sizeof(what));
		if (what[0] != '\0') {
			peer_push(d, role, CP_PEER_CHANGED, &o[i], np);
			say(d, false, "peer %s (%s): %s, session reset", a, rn, what);
		}
	}
	for (unsigned i = 0; i < nn; i++)
		if (peer_find(o, no, &n[i].addr) == NULL) {
			peer_push(d, role, CP_PEER_ADDED, NULL, &n[i]);
			say(d, false, "peer %s (%s) added", rh_addr_fmt(&n[i].addr, a, sizeof(a)),
			    rn);
		}
}

/* What only a restart can change: every line of it refuses the reload. */
static void fixed_diff(const struct rh_config *o, const struct rh_config *n, struct cp_diff *d)
{
	const char *why = "cannot change at runtime (restart routehub-controlplane)";

	if (o->rs.asn != n->rs.asn)
		say(d, true, "route-server asn %u -> %u: %s", o->rs.asn, n->rs.asn, why);
	if (!addrs_equal(o->rs.instance, n->rs.instance, RH_MAX_INSTANCES))
		say(d, true, "route-server instance-address: %s", why);
	if (o->er.present != n->er.present || o->er.n_instances != n->er.n_instances ||
	    !addrs_equal(o->er.instance, n->er.instance, RH_MAX_INSTANCES))
		say(d, true, "expressroute-gateway (presence or instance-address): %s", why);
	if (o->vpn.present != n->vpn.present || o->vpn.n_instances != n->vpn.n_instances ||
	    o->vpn.active_active != n->vpn.active_active ||
	    !addrs_equal(o->vpn.instance, n->vpn.instance, RH_MAX_INSTANCES))
		say(d, true, "vpn-gateway (presence, active-active or instance-address): %s", why);
	if (!rh_addr_equal(&o->cp.router_id, &n->cp.router_id))
		say(d, true, "control-plane router-id: %s", why);
	if (strcmp(o->cp.mgmt_socket, n->cp.mgmt_socket) != 0)
		say(d, true, "control-plane mgmt-socket: %s", why);
	if (o->cp.enforce_route_limits != n->cp.enforce_route_limits)
		say(d, true, "control-plane enforce-route-limits: %s", why);
	if (strcmp(o->dp.fib_socket, n->dp.fib_socket) != 0)
		say(d, true, "dataplane fib-socket (the control plane's FIB channel): %s", why);
}

static void limits_diff(const struct rh_config *o, const struct rh_config *n, struct cp_diff *d)
{
#define LIMIT(field, name)                                                     \
	do {                                                                   \
		if (o->field != n->field) {                                    \
			say(d, false, "%s %u -> %u", name, (unsigned)o->field, \
			    (unsigned)n->field);                               \
			d->limits = true;                                      \
		}                                                              \
	} while (0)
	LIMIT(rs.route_limit, "route-server route-limit");
	LIMIT(er.limit_to_er, "expressroute-gateway route-limits to-expressroute");
	LIMIT(er.limit_from_onprem, "expressroute-gateway route-limits from-on-premises");
	LIMIT(vpn.route_limit, "vpn-gateway route-limit");
#undef LIMIT
	if (o->er.premium != n->er.premium) {
		say(d, false, "expressroute-gateway premium %s -> %s", onoff(o->er.premium),
		    onoff(n->er.premium));
		d->limits = true;
	}
}

unsigned cp_config_diff(const struct rh_config *o, const struct rh_config *n, struct cp_diff *d)
{
	memset(d, 0, sizeof(*d));
	fixed_diff(o, n, d);
	peers_diff(d, CP_DIFF_NVA, o->rs.peer, o->rs.n_peers, n->rs.peer, n->rs.n_peers);
	if (o->er.present && n->er.present)
		peers_diff(d, CP_DIFF_ER_ONPREM, o->er.peer, o->er.n_peers, n->er.peer,
		           n->er.n_peers);
	if (o->vpn.present && n->vpn.present)
		peers_diff(d, CP_DIFF_VPN_ONPREM, o->vpn.peer, o->vpn.n_peers, n->vpn.peer,
		           n->vpn.n_peers);
	if (o->rs.branch_to_branch != n->rs.branch_to_branch) {
		d->branch_to_branch = true;
		say(d, false, "branch-to-branch %s -> %s", onoff(o->rs.branch_to_branch),
		    onoff(n->rs.branch_to_branch));
	}
	if (o->rs.preference != n->rs.preference) {
		d->preference = true;
		say(d, false, "hub-routing-preference %s -> %s", rh_hub_pref_name(o->rs.preference),
		    rh_hub_pref_name(n->rs.preference));
	}
	limits_diff(o, n, d);
	d->vnet = prefixes_diff(d, "vnet-address-space", o->rs.vnet, o->rs.n_vnet, n->rs.vnet,
	                        n->rs.n_vnet);
	if (o->vpn.present && n->vpn.present)
		d->vpn_local = prefixes_diff(d, "vpn-gateway local-network-prefix", o->vpn.local,
		                             o->vpn.n_local, n->vpn.local, n->vpn.n_local);
	if (o->cp.log_level != n->cp.log_level) {
		d->log_level = true;
		say(d, false, "control-plane log-level %s -> %s", level_name(o->cp.log_level),
		    level_name(n->cp.log_level));
	}
	/* Read when a peer's session ends or comes back (cp_gr.c): the next restart uses them. */
	if (o->cp.gr_time_max != n->cp.gr_time_max || o->cp.gr_stale_time != n->cp.gr_stale_time) {
		d->graceful_restart = true;
		say(d, false,
		    "control-plane graceful-restart-time-max %u -> %u, graceful-restart-stale-time "
		    "%u -> %u (from the next restart of a peer)",
		    o->cp.gr_time_max, n->cp.gr_time_max, o->cp.gr_stale_time, n->cp.gr_stale_time);
	}
	if (strcmp(o->cp.metrics.address, n->cp.metrics.address) != 0 ||
	    o->cp.metrics.port != n->cp.metrics.port) {
		d->metrics = true;
		say(d, false,
		    "control-plane metrics %s port %u -> %s port %u (0: off), endpoint restarted",
		    o->cp.metrics.address, o->cp.metrics.port, n->cp.metrics.address,
		    n->cp.metrics.port);
	}
	if (memcmp(&o->dp, &n->dp, sizeof(o->dp)) != 0 &&
	    strcmp(o->dp.fib_socket, n->dp.fib_socket) == 0) {
		d->dataplane = true;
		say(d, false,
		    "dataplane settings changed: not applied (the dataplane reads them "
		    "when it starts)");
	}
	return d->n_fixed + d->n_peers + d->branch_to_branch + d->preference + d->limits + d->vnet +
	       d->vpn_local + d->log_level + d->metrics + d->graceful_restart + d->dataplane;
}
