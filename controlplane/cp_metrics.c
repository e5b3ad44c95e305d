/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control plane's Prometheus endpoint (common/metrics.h): sessions, prefixes and
 * messages per peer, the size of each hub part's RIB, the effective routes (R17) and the
 * FIB channel. Served on the event loop: the listening socket wakes it, and a short timer
 * keeps polling while a connection is open, so nothing ever waits on a client.
 *
 * Names and types follow the Prometheus conventions: counters end in _total, sizes and
 * states are gauges, times are in seconds.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "metrics.h"
#include "rib.h"
#include "speaker_int.h"

#define CP_METRICS_POLL_MS 10 /* while a connection is open */

static const char *role_label(enum hub_role r)
{
	switch (r) {
	case HUB_ROLE_ER_ONPREM:
		return "expressroute-on-premises";
	case HUB_ROLE_VPN_ONPREM:
		return "vpn-on-premises";
	case HUB_ROLE_NVA:
	default:
		return "nva";
	}
}

/* The labels of one session: peer, peer_asn, instance (the hub address), part, role. */
struct peer_labels {
	char addr[RH_ADDR_STRLEN], local[RH_ADDR_STRLEN], asn[12];
	const char *v[11];
	const char *typed[13]; /* v plus type="..." */
};

static void peer_labels(const struct cp_peer *p, struct peer_labels *l)
{
	const struct hub_peer_info *hi = hub_peer_info(p->hp);
	unsigned i = 0;

	rh_addr_fmt(&hi->addr, l->addr, sizeof(l->addr));
	rh_addr_fmt(&hi->local, l->local, sizeof(l->local));
	snprintf(l->asn, sizeof(l->asn), "%u", hi->asn);
	l->v[i++] = "peer";
	l->v[i++] = l->addr;
	l->v[i++] = "peer_asn";
	l->v[i++] = l->asn;
	l->v[i++] = "instance";
	l->v[i++] = l->local;
	l->v[i++] = "part";
	l->v[i++] = hub_role_part_name(hi->role);
	l->v[i++] = "role";
	l->v[i++] = role_label(hi->role);
	l->v[i] = NULL;
	memcpy(l->typed, l->v, sizeof(l->v));
	l->typed[10] = "type";
	l->typed[12] = NULL;
}

/* One value per session; what() reads it. */
typedef uint64_t (*peer_value_fn)(struct cp *cp, const struct cp_peer *p);

static void per_peer(struct cp *cp, struct rh_mtext *t, const char *name, enum rh_metric_type type,
                     const char *help, peer_value_fn what)
{
	rh_metric_family(t, name, type, help);
	for (unsigned i = 0; i < cp->n_peers; i++) {
		struct peer_labels l;

		peer_labels(&cp->peers[i], &l);
		rh_metric_u64(t, name, l.v, what(cp, &cp->peers[i]));
	}
}

static uint64_t v_up(struct cp *cp, const struct cp_peer *p)
{
	(void)cp;
	return bgp_session_state(p->s) == BGP_ST_ESTABLISHED;
}

/* RFC 4273 bgpPeerState: idle(1), connect(2), active(3), opensent(4), openconfirm(5),
 * established(6). */
static uint64_t v_state(struct cp *cp, const struct cp_peer *p)
{
	(void)cp;
	return (uint64_t)bgp_session_state(p->s) + 1;
}

static uint64_t v_uptime(struct cp *cp, const struct cp_peer *p)
{
	uint64_t now = rh_evloop_now_ms(cp->loop);

	return p->established && now >= p->up_since_ms ? (now - p->up_since_ms) / 1000 : 0;
}

static uint64_t v_received(struct cp *cp, const struct cp_peer *p)
{
	struct hub_peer_counts n = {0};

	(void)cp;
	hub_peer_counts(p->hp, &n);
	return n.received;
}

static uint64_t v_accepted(struct cp *cp, const struct cp_peer *p)
{
	struct hub_peer_counts n = {0};

	(void)cp;
	hub_peer_counts(p->hp, &n);
	return n.accepted;
}

static uint64_t v_advertised(struct cp *cp, const struct cp_peer *p)
{
	struct hub_peer_counts n = {0};

	(void)cp;
	hub_peer_counts(p->hp, &n);
	return n.advertised;
}

static uint64_t v_established(struct cp *cp, const struct cp_peer *p)
{
	(void)cp;
	return bgp_session_stats(p->s)->established;
}

static uint64_t v_dropped(struct cp *cp, const struct cp_peer *p)
{
	(void)cp;
	return bgp_session_stats(p->s)->dropped;
}

static void messages(struct cp *cp, struct rh_mtext *t, bool in)
{
	static const char *const types[] = {NULL,           "open",      "update",
	                                    "notification", "keepalive", "route_refresh"};
	const char *name =
	        in ? "routehub_bgp_messages_received_total" : "routehub_bgp_messages_sent_total";

	rh_metric_family(t, name, RH_METRIC_COUNTER,
	                 in ? "BGP messages received from the peer, by type"
	                    : "BGP messages sent to the peer, by type");
	for (unsigned i = 0; i < cp->n_peers; i++) {
		const struct bgp_session_stats *st = bgp_session_stats(cp->peers[i].s);
		struct peer_labels l;

		peer_labels(&cp->peers[i], &l);
		for (unsigned ty = BGP_OPEN; ty <= BGP_ROUTE_REFRESH; ty++) {
			l.typed[11] = types[ty];
			rh_metric_u64(t, name, l.typed, in ? st->msgs_in[ty] : st->msgs_out[ty]);
		}
	}
}

static void sessions(struct cp *cp, struct rh_mtext *t)
{
	per_peer(cp, t, "routehub_bgp_session_up", RH_METRIC_GAUGE,
	         "1 while the BGP session is Established, else 0", v_up);
	per_peer(cp, t, "routehub_bgp_session_state", RH_METRIC_GAUGE,
	         "BGP FSM state as RFC 4273 bgpPeerState: 1 idle, 2 connect, 3 active, "
	         "4 opensent, 5 openconfirm, 6 established",
	         v_state);
	per_peer(cp, t, "routehub_bgp_session_uptime_seconds", RH_METRIC_GAUGE,
	         "Seconds since the session became Established (0 while it is not)", v_uptime);
	per_peer(cp, t, "routehub_bgp_prefixes_received", RH_METRIC_GAUGE,
	         "Routes the peer advertised and holds with the hub, accepted or refused",
	         v_received);
	per_peer(cp, t, "routehub_bgp_prefixes_accepted", RH_METRIC_GAUGE,
	         "Routes of the peer the import rules accepted (in its part's RIB)", v_accepted);
	per_peer(cp, t, "routehub_bgp_prefixes_advertised", RH_METRIC_GAUGE,
	         "Prefixes the hub advertises to the peer now (its Adj-RIB-Out)", v_advertised);
	per_peer(cp, t, "routehub_bgp_session_established_total", RH_METRIC_COUNTER,
	         "Times the session reached Established", v_established);
	per_peer(cp, t, "routehub_bgp_session_flaps_total", RH_METRIC_COUNTER,
	         "Times an Established session went down", v_dropped);
	messages(cp, t, true);
	messages(cp, t, false);
}

static void ribs(struct cp *cp, struct rh_mtext *t)
{
	static const enum hub_role roles[] = {HUB_ROLE_NVA, HUB_ROLE_ER_ONPREM,
	                                      HUB_ROLE_VPN_ONPREM};

	rh_metric_family(t, "routehub_rib_prefixes", RH_METRIC_GAUGE,
	                 "Prefixes in the RIB of each hub part, by address family");
	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		struct bgp_rib *rib = hub_role_rib(cp->hub, roles[i]);

		for (int af = 0; rib != NULL && af < 2; af++) {
			const char *l[] = {"part", hub_role_part_name(roles[i]), "family",
			                   af ? "ipv6" : "ipv4", NULL};

			rh_metric_u64(t, "routehub_rib_prefixes", l,
			              bgp_rib_prefix_count(rib, af ? RH_AF_INET6 : RH_AF_INET));
		}
	}
	rh_metric_family(t, "routehub_rib_paths", RH_METRIC_GAUGE,
	                 "Paths in the RIB of each hub part (every peer's, the exchanged ones "
	                 "and the local ones)");
	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		struct bgp_rib *rib = hub_role_rib(cp->hub, roles[i]);
		const char *l[] = {"part", hub_role_part_name(roles[i]), NULL};

		if (rib != NULL)
			rh_metric_u64(t, "routehub_rib_paths", l, bgp_rib_path_count(rib));
	}
}

static int effective_and_fib(struct cp *cp, struct rh_mtext *t)
{
	const char *act[] = {"state", "active", NULL}, *inact[] = {"state", "inactive", NULL};
	size_t active, inactive;

	hub_effective_counts(cp->hub, &active, &inactive);
	rh_metric_family(t, "routehub_effective_routes", RH_METRIC_GAUGE,
	                 "Prefixes of the effective routes (R17), active or not");
	rh_metric_u64(t, "routehub_effective_routes", act, active);
	rh_metric_u64(t, "routehub_effective_routes", inact, inactive);
	rh_metric_family(t, "routehub_fib_channel_connected", RH_METRIC_GAUGE,
	                 "1 while the FIB channel to the dataplane is connected");
	rh_metric_u64(t, "routehub_fib_channel_connected", NULL, cp_fib_connected(cp));
	rh_metric_family(t, "routehub_fib_routes", RH_METRIC_GAUGE,
	                 "Routes the control plane programs into the dataplane's FIB");
	rh_metric_u64(t, "routehub_fib_routes", NULL, cp_fib_routes(cp));
	rh_metric_family(t, "routehub_fib_pending", RH_METRIC_GAUGE,
	                 "Prefixes with a change not yet sent to the dataplane");
	rh_metric_u64(t, "routehub_fib_pending", NULL, cp_fib_pending(cp));
	rh_metric_family(t, "routehub_fib_updates_total", RH_METRIC_COUNTER,
	                 "Changes of effective routes handed to the FIB programmer "
	                 "(rate() gives FIB updates per second)");
	rh_metric_u64(t, "routehub_fib_updates_total", NULL, cp->fib_updates);
	return 0;
}

static int collect(void *arg, struct rh_mtext *t)
{
	struct cp *cp = arg;

	sessions(cp, t);
	ribs(cp, t);
	return effective_and_fib(cp, t);
}

static void poll_now(struct cp *cp)
{
	if (rh_metrics_http_poll(cp->metrics, rh_evloop_update_now(cp->loop)) > 0)
		rh_timer_start(cp->loop, &cp->metrics_timer, CP_METRICS_POLL_MS);
	else
		rh_timer_stop(cp->loop, &cp->metrics_timer);
}

static void on_listen(struct rh_evloop *loop, struct rh_io *io, unsigned events, void *arg)
{
	(void)loop;
	(void)io;
	(void)events;
	poll_now(arg);
}

static void on_timer(struct rh_evloop *loop, struct rh_timer *tm, void *arg)
{
	(void)loop;
	(void)tm;
	poll_now(arg);
}

int cp_metrics_start(struct cp *cp)
{
	const struct rh_metrics_cfg *mc = &cp->cfg.cp.metrics;
	int rc;

	cp_metrics_stop(cp); /* a reload may start it again with another address or port */
	if (mc->port == 0)
		return 0;
	rh_timer_init(&cp->metrics_timer, on_timer, cp);
	rh_io_init(&cp->metrics_io, on_listen, cp);
	cp->metrics = rh_metrics_http_new(mc->address, mc->port, collect, cp);
	if (cp->metrics == NULL) {
		/* The router works without its metrics: say so loudly, and go on. */
		log_err("metrics endpoint %s port %u: %s; running without it", mc->address,
		        mc->port, strerror(errno));
		return -errno;
	}
	rc = rh_io_add(cp->loop, &cp->metrics_io, rh_metrics_http_fd(cp->metrics), RH_EV_READ);
	if (rc < 0) {
		rh_metrics_http_free(cp->metrics);
		cp->metrics = NULL;
		return rc;
	}
	log_notice("metrics endpoint: http://%s%s%s:%u/metrics",
	           strchr(mc->address, ':') ? "[" : "", mc->address,
	           strchr(mc->address, ':') ? "]" : "", mc->port);
	return 0;
}

void cp_metrics_stop(struct cp *cp)
{
	if (cp->metrics == NULL)
		return;
	rh_io_del(cp->loop, &cp->metrics_io);
	rh_timer_stop(cp->loop, &cp->metrics_timer);
	rh_metrics_http_free(cp->metrics);
	cp->metrics = NULL;
}
