/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control plane's glue: sessions (bgp/session.h) <-> hub model (hub/hub.h), and the
 * hub's effective routes -> the dataplane's FIB (fib_prog.h). Everything runs on one
 * event loop; nothing here blocks but the FIB channel's bounded waits.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub.h"
#include "log.h"
#include "mgmt.h"
#include "session.h"
#include "speaker.h"
#include "speaker_int.h"

/* Prefixes handed to one peer per turn of the loop: keeps keepalives and other peers
 * served while a million routes go out. */
#define CP_FLUSH_BUDGET 65536
#define CP_BATCH_MAX    4096

/* ------------------------------------------------------------------ sending UPDATEs */

static int send_msg(struct cp_peer *p, const uint8_t *msg, size_t len)
{
	int rc = bgp_session_send(p->s, msg, len);

	if (rc < 0) /* once per message: a line a minute per peer, counted */
		rh_log_summary(LOG_WARNING, (unsigned long)(uintptr_t)p | 1ul, 60, 1,
		               "peer %s: cannot queue an UPDATE: %s", p->name, strerror(-rc));
	return rc;
}

/* One batch of the hub's export: as many UPDATEs as it takes, packed. */
static int send_batch(const struct bgp_out_batch *b, void *arg)
{
	struct cp_peer *p = arg;
	uint8_t *buf = p->cp->msgbuf;
	size_t i = 0;

	if (!bgp_session_can_send(p->s))
		return -EAGAIN;
	if (b->eor) {
		struct wbuf w;

		wbuf_init(&w, buf, BGP_MAX_MSG);
		if (bgp_eor_encode(&w, b->aid) < 0)
			return -EINVAL;
		return send_msg(p, buf, w.len);
	}
	while (i < b->n) {
		struct bgp_upd_writer uw;
		size_t len, first = i;
		int rc;

		rc = bgp_upd_begin(&uw, buf, p->opts.max_msg, b->aid, b->withdraw,
		                   b->withdraw ? NULL : b->attrs, &p->opts);
		if (rc < 0)
			return rc;
		for (; i < b->n; i++)
			if (bgp_upd_add(&uw, b->prefixes[i],
			                b->path_ids != NULL ? b->path_ids[i] : 0) == -ENOSPC)
				break;
		if (i == first)
			return -EMSGSIZE; /* attributes alone fill a message */
		len = bgp_upd_finish(&uw);
		if (len == 0)
			return -EINVAL;
		rc = send_msg(p, buf, len);
		if (rc < 0)
			return rc;
	}
	p->sent_prefixes += b->withdraw ? 0 : b->n;
	return 0;
}

/* RFC 7313 4: BoRR and EoRR frame the answer to a ROUTE-REFRESH. */
static int send_rr(struct cp_peer *p, enum bgp_aid aid, uint8_t subtype)
{
	uint8_t buf[BGP_HDR_LEN + 4];
	struct wbuf w;

	wbuf_init(&w, buf, sizeof(buf));
	if (bgp_rr_encode(&w, aid == BGP_AID_IPV6 ? BGP_AFI_IPV6 : BGP_AFI_IPV4, subtype,
	                  BGP_SAFI_UNICAST) < 0)
		return -EINVAL;
	return send_msg(p, buf, w.len);
}

static void flush_peer(struct cp_peer *p)
{
	long n;

	p->flush_wanted = false;
	if (!p->established)
		return;
	n = hub_peer_flush(p->hp, CP_BATCH_MAX, send_batch, p);
	/* Nothing left to send: a refreshed table is complete, its EoRR goes now. */
	if (n == 0 && bgp_session_can_send(p->s))
		for (unsigned a = 0; a < BGP_AID_MAX; a++)
			if (p->eorr_pending[a] && send_rr(p, (enum bgp_aid)a, BGP_RR_EORR) == 0)
				p->eorr_pending[a] = false;
	/* Budget spent or the socket full: go on later (writable callback or next turn). */
	if (n >= CP_FLUSH_BUDGET || (n > 0 && bgp_session_can_send(p->s)))
		cp_schedule_flush(p);
	else if (n < 0 && n != -EAGAIN)
		log_warn("peer %s: export failed: %s", p->name, strerror((int)-n));
}

static void flush_timer_cb(struct rh_evloop *loop, struct rh_timer *t, void *arg)
{
	struct cp *cp = arg;

	(void)loop;
	(void)t;
	for (unsigned i = 0; i < cp->n_peers; i++)
		if (cp->peers[i].flush_wanted)
			flush_peer(&cp->peers[i]);
}

void cp_schedule_flush(struct cp_peer *p)
{
	p->flush_wanted = true;
	if (!rh_timer_running(&p->cp->flush_timer))
		rh_timer_start(p->cp->loop, &p->cp->flush_timer, 0);
}

/* ------------------------------------------------------------------ session callbacks */

static void on_established(struct bgp_session *s, const struct bgp_open *peer, void *arg)
{
	struct cp_peer *p = arg;
	bool any_mp = peer->caps.mp[BGP_AID_IPV4] || peer->caps.mp[BGP_AID_IPV6];

	memset(&p->opts, 0, sizeof(p->opts));
	p->opts.as4 = peer->caps.as4;
	p->opts.ebgp = true;
	p->opts.max_msg = peer->caps.ext_msg ? BGP_MAX_MSG_EXT : BGP_MAX_MSG;
	bgp_addpath_negotiate(&bgp_session_cfg(s)->caps, &peer->caps, &p->opts);
	/* RFC 4760 8: a speaker that announces no multiprotocol capability does IPv4 unicast. */
	p->families[BGP_AID_IPV4] = !any_mp || peer->caps.mp[BGP_AID_IPV4];
	p->families[BGP_AID_IPV6] = peer->caps.mp[BGP_AID_IPV6];
	p->enhanced_rr = peer->caps.enhanced_rr;
	p->route_refresh = peer->caps.route_refresh || peer->caps.enhanced_rr;
	memset(p->eorr_pending, 0, sizeof(p->eorr_pending));
	p->established = true;
	memset(p->eor, 0, sizeof(p->eor));
	p->up_since_ms = rh_evloop_now_ms(p->cp->loop);
	p->sent_prefixes = 0;
	log_notice("peer %s: session established (AS %u)", p->name, bgp_open_peer_as(peer));
	for (unsigned aid = 0; aid < BGP_AID_MAX; aid++)
		if (p->opts.addpath_tx[aid] || p->opts.addpath_rx[aid])
			log_info("peer %s: ADD-PATH %s for %s (RFC 7911)", p->name,
			         p->opts.addpath_tx[aid] && p->opts.addpath_rx[aid]
			                 ? "send and receive"
			         : p->opts.addpath_tx[aid] ? "send"
			                                   : "receive",
			         aid == BGP_AID_IPV6 ? "IPv6" : "IPv4");
	cp_gr_established(p, peer);
	hub_peer_set_addpath(p->hp, p->opts.addpath_tx);
	if (hub_peer_up(p->hp, p->families, peer->bgp_id) < 0)
		log_err("peer %s: the hub could not take the session", p->name);
	cp_schedule_flush(p);
}

static void on_update(struct bgp_session *s, const uint8_t *body, size_t len, void *arg)
{
	struct cp_peer *p = arg;
	struct bgp_update u;
	int rc;

	memset(&u, 0, sizeof(u));
	rc = bgp_update_decode(body, len, &p->opts, &u);
	if (rc < 0) {
		log_err("peer %s: cannot decode an UPDATE: %s", p->name, strerror(-rc));
		return;
	}
	if (u.action != BGP_UPD_OK)
		rh_log_ratelimited(LOG_WARNING, (unsigned long)(uintptr_t)p, 60,
		                   "peer %s: malformed UPDATE (%s): %s", p->name,
		                   u.reason != NULL ? u.reason : "?",
		                   u.action == BGP_UPD_SESSION_RESET       ? "session reset"
		                   : u.action == BGP_UPD_TREAT_AS_WITHDRAW ? "treat-as-withdraw"
		                                                           : "attribute discard");
	if (u.action == BGP_UPD_SESSION_RESET) {
		/* RFC 7606 3: the few errors that leave no NLRI to withdraw. */
		bgp_session_update_error(s, &u.notify);
	} else {
		/* The route limit counts every family; the NOTIFICATION names the one whose
		 * announcements crossed it (RFC 4486 4): MP_REACH_NLRI's, else IPv4. */
		p->upd_afi = u.mp_reach.len > 0 && u.mp_reach.aid == BGP_AID_IPV6 ? BGP_AFI_IPV6
		                                                                  : BGP_AFI_IPV4;
		hub_peer_update(p->hp, &u, &p->opts);
	}
	bgp_attrs_free(u.attrs);
	if (u.eor && u.eor_aid < BGP_AID_MAX) {
		p->eor[u.eor_aid] = true;
		cp_gr_eor(p, u.eor_aid);
		cp_fib_peer_synced(p->cp);
	}
}

static void on_route_refresh(struct bgp_session *s, uint16_t afi, uint8_t subtype, uint8_t safi,
                             void *arg)
{
	struct cp_peer *p = arg;

	(void)s;
	if (safi != BGP_SAFI_UNICAST || (afi != BGP_AFI_IPV4 && afi != BGP_AFI_IPV6))
		return;
	/* RFC 7313 4: BoRR and EoRR frame the peer's answer to our request (R15), or a table
	 * it re-sends on its own: what it did not send again between them is gone. Nothing to
	 * answer; ignored unless the peer announced Enhanced Route Refresh. */
	if (subtype == BGP_RR_BORR || subtype == BGP_RR_EORR) {
		if (!p->enhanced_rr)
			return;
		enum bgp_aid aid = afi == BGP_AFI_IPV4 ? BGP_AID_IPV4 : BGP_AID_IPV6;
		int rc = subtype == BGP_RR_BORR ? hub_peer_refresh_begin(p->hp, aid)
		                                : hub_peer_refresh_end(p->hp, aid);

		if (rc < 0)
			log_warn("peer %s: %s: %s", p->name,
			         subtype == BGP_RR_BORR ? "BoRR" : "EoRR", strerror(-rc));
		else
			log_info("peer %s: %s (%s, RFC 7313)", p->name,
			         subtype == BGP_RR_BORR ? "BoRR" : "EoRR",
			         aid == BGP_AID_IPV6 ? "IPv6" : "IPv4");
		return;
	}
	/* RFC 2918 4: a normal request asks for the whole table again. */
	if (subtype == BGP_RR_NORMAL) {
		enum bgp_aid aid = afi == BGP_AFI_IPV4 ? BGP_AID_IPV4 : BGP_AID_IPV6;

		/* RFC 7313 4: with Enhanced Route Refresh, the answer starts with a BoRR and
		 * ends with an EoRR once the whole table is out (flush_peer). */
		if (p->enhanced_rr && p->families[aid] && send_rr(p, aid, BGP_RR_BORR) == 0)
			p->eorr_pending[aid] = true;
		hub_peer_refresh(p->hp, aid);
		cp_schedule_flush(p);
	}
}

static void on_down(struct bgp_session *s, const char *reason, void *arg)
{
	struct cp_peer *p = arg;

	(void)s;
	log_notice("peer %s: session down: %s", p->name, reason != NULL ? reason : "");
	p->established = false;
	p->flush_wanted = false;
	/* RFC 4724 4.2: a restarting peer's routes stay, stale, while it comes back. */
	if (!cp_gr_down(p))
		hub_peer_down(p->hp);
}

static void on_writable(struct bgp_session *s, void *arg)
{
	(void)s;
	cp_schedule_flush(arg);
}

static const struct bgp_session_ops session_ops = {
        .established = on_established,
        .update = on_update,
        .route_refresh = on_route_refresh,
        .down = on_down,
        .writable = on_writable,
};

/* ------------------------------------------------------------------ hub callbacks */

static void hub_peer_ready(struct hub_peer *hp, void *arg)
{
	(void)arg;
	cp_schedule_flush(hub_peer_user(hp));
}

static void hub_peer_teardown(struct hub_peer *hp, uint8_t code, uint8_t subcode, void *arg)
{
	struct cp_peer *p = hub_peer_user(hp);

	(void)arg;
	if (code == BGP_ERR_CEASE && subcode == BGP_CEASE_MAX_PREFIX) {
		log_warn("peer %s: route limit of %u exceeded: session torn down", p->name,
		         hub_peer_info(hp)->limit);
		bgp_session_max_prefix(p->s, p->upd_afi != 0 ? p->upd_afi : BGP_AFI_IPV4,
		                       BGP_SAFI_UNICAST, hub_peer_info(hp)->limit);
		return;
	}
	struct bgp_notify n = {.code = code, .subcode = subcode};

	bgp_session_update_error(p->s, &n);
}

static void hub_effective_changed(const struct rh_prefix *pfx, void *arg)
{
	struct cp *cp = arg;

	cp->fib_updates++;
	cp_fib_changed(cp, pfx);
}

static const struct hub_ops hub_ops = {
        .peer_ready = hub_peer_ready,
        .peer_teardown = hub_peer_teardown,
        .effective_changed = hub_effective_changed,
};

/* ------------------------------------------------------------------ construction */

static struct bgp_listener *listener_for(struct cp *cp, const struct rh_addr *local)
{
	for (unsigned i = 0; i < cp->n_lis; i++)
		if (rh_addr_equal(&cp->lis[i].addr, local))
			return cp->lis[i].l;
	if (cp->n_lis >= CP_MAX_LISTENERS)
		return NULL;
	struct bgp_listener *l = bgp_listener_new(cp->loop, local, cp->opts.bgp_port);

	if (l == NULL)
		return NULL;
	cp->lis[cp->n_lis].addr = *local;
	cp->lis[cp->n_lis++].l = l;
	return l;
}

static void session_cfg(const struct cp *cp, const struct hub_peer_info *hi,
                        const struct rh_peer_cfg *pc, struct bgp_session_cfg *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->local = hi->local;
	sc->remote = hi->addr;
	sc->port = cp->opts.bgp_port;
	sc->local_as = hi->local_asn;
	sc->remote_as = hi->asn;
	memcpy(&sc->router_id, cp->cfg.cp.router_id.bytes, 4);
	sc->hold_time = pc->hold_time; /* R14: 180 s, keepalive a third */
	sc->multihop = pc->multihop;
	sc->passive = pc->passive;
	sc->gtsm = pc->gtsm; /* RFC 5082: bgp_sock_ttl() sets TTL 255 and the minimum TTL */
	snprintf(sc->password, sizeof(sc->password), "%s", pc->password);
	sc->caps.mp[BGP_AID_IPV4] = true;
	sc->caps.mp[BGP_AID_IPV6] = true;
	sc->caps.as4 = true;
	sc->caps.as4_asn = hi->local_asn;
	sc->caps.route_refresh = true; /* R15 */
	sc->caps.enhanced_rr = true;
	sc->caps.ext_msg = true;
	/* RFC 7911 4: ADD-PATH for both unicast families when configured (off by default). */
	for (unsigned aid = 0; aid < BGP_AID_MAX; aid++)
		sc->caps.addpath[aid] =
		        (uint8_t)(((pc->add_path & RH_ADD_PATH_RECEIVE) ? BGP_ADDPATH_RECV : 0) |
		                  ((pc->add_path & RH_ADD_PATH_SEND) ? BGP_ADDPATH_SEND : 0));
	/* RFC 4724: the forwarding state is the dataplane's FIB, another process, which keeps
	 * forwarding while the control plane restarts (and gets no route removed by its
	 * return: cp_fib.c). Listing the families with F set lets the peers keep the routes
	 * they learned from the hub, stale, for the restart time and until our End-of-RIB,
	 * so that the return traffic still flows. The other way round, we keep theirs
	 * across their restarts (receiving speaker, cp_gr.c). */
	sc->caps.gr = true;
	sc->caps.gr_time = 120;
	for (unsigned aid = 0; aid < BGP_AID_MAX; aid++) {
		sc->caps.gr_af[aid] = true;
		sc->caps.gr_fwd[aid] = true;
	}
}

/* What the sessions of a role share: the instances they peer with, the ASN presented. */
static void role_params(const struct cp *cp, enum hub_role role, const struct rh_addr **inst,
                        unsigned *n_inst, uint32_t *local_asn)
{
	const struct rh_config *c = &cp->cfg;

	switch (role) {
	case HUB_ROLE_ER_ONPREM:
		/* Toward on-premises the circuit's edge presents AS 12076. */
		*inst = c->er.instance;
		*n_inst = c->er.n_instances;
		*local_asn = RH_ER_EDGE_ASN;
		break;
	case HUB_ROLE_VPN_ONPREM:
		*inst = c->vpn.instance;
		*n_inst = c->vpn.n_instances;
		*local_asn = RH_VPN_ASN;
		break;
	case HUB_ROLE_NVA:
	default:
		*inst = c->rs.instance;
		*n_inst = RH_MAX_INSTANCES;
		*local_asn = RH_RS_ASN;
		break;
	}
}

/* One session for the peer at every instance address of its family (not started). */
static int add_peer(struct cp *cp, enum hub_role role, const struct rh_peer_cfg *pc)
{
	/* 0: the role's configured limit (R11, R16); lifted for benchmarks and big labs. */
	uint32_t limit = cp->cfg.cp.enforce_route_limits ? 0 : UINT32_MAX;
	const struct rh_addr *inst;
	unsigned n_inst;
	uint32_t local_asn;

	role_params(cp, role, &inst, &n_inst, &local_asn);
	for (unsigned j = 0; j < n_inst; j++) {
		struct hub_peer_info hi = {.role = role,
		                           .addr = pc->addr,
		                           .local = inst[j],
		                           .asn = pc->asn,
		                           .local_asn = local_asn,
		                           .limit = limit};
		struct bgp_session_cfg sc;
		struct cp_peer *p;
		char a[RH_ADDR_STRLEN], l[RH_ADDR_STRLEN];

		if (inst[j].family != pc->addr.family)
			continue;
		if (cp->n_peers >= CP_MAX_PEERS)
			return -ENOSPC;
		p = &cp->peers[cp->n_peers];
		memset(p, 0, sizeof(*p));
		p->cp = cp;
		snprintf(p->name, sizeof(p->name), "%s %s@%s", hub_role_part_name(hi.role),
		         rh_addr_fmt(&pc->addr, a, sizeof(a)), rh_addr_fmt(&inst[j], l, sizeof(l)));
		p->hp = hub_peer_add(cp->hub, &hi);
		if (p->hp == NULL)
			return -errno;
		hub_peer_set_user(p->hp, p);
		cp_gr_init(p);
		session_cfg(cp, &hi, pc, &sc);
		snprintf(sc.name, sizeof(sc.name), "%s", p->name);
		p->s = bgp_session_new(cp->loop, &sc, &session_ops, p);
		if (p->s == NULL) {
			hub_peer_remove(p->hp);
			return -errno;
		}
		cp->n_peers++;
		struct bgp_listener *lis = listener_for(cp, &inst[j]);

		if (lis == NULL || bgp_listener_attach(lis, p->s) < 0) {
			log_err("peer %s: cannot listen on %s: %s", p->name, l, strerror(errno));
			return -EADDRNOTAVAIL;
		}
	}
	return 0;
}

static int build_peers(struct cp *cp)
{
	const struct rh_config *c = &cp->cfg;
	int rc = 0;

	for (unsigned i = 0; rc == 0 && i < c->rs.n_peers; i++)
		rc = add_peer(cp, HUB_ROLE_NVA, &c->rs.peer[i]);
	for (unsigned i = 0; rc == 0 && c->er.present && i < c->er.n_peers; i++)
		rc = add_peer(cp, HUB_ROLE_ER_ONPREM, &c->er.peer[i]);
	for (unsigned i = 0; rc == 0 && c->vpn.present && i < c->vpn.n_peers; i++)
		rc = add_peer(cp, HUB_ROLE_VPN_ONPREM, &c->vpn.peer[i]);
	return rc;
}

/* ------------------------------------------------------------------ reload */

int cp_peer_add(struct cp *cp, enum hub_role role, const struct rh_peer_cfg *pc)
{
	unsigned first = cp->n_peers;
	int rc = add_peer(cp, role, pc);

	if (rc < 0) {
		/* Nothing half made stays: the sessions of this peer made so far go. */
		while (cp->n_peers > first)
			cp_peer_remove_at(cp, cp->n_peers - 1, 0);
		return rc;
	}
	for (unsigned i = first; i < cp->n_peers; i++)
		bgp_session_start(cp->peers[i].s);
	return 0;
}

void cp_peer_remove_at(struct cp *cp, unsigned i, uint8_t subcode)
{
	struct cp_peer *p = &cp->peers[i], *last = &cp->peers[cp->n_peers - 1];

	/* RFC 4486 3: the Cease says why; the down callback withdraws its routes (after a
	 * NOTIFICATION graceful restart keeps none). */
	if (subcode != 0)
		bgp_session_cease(p->s, subcode);
	cp_gr_fini(p);
	hub_peer_remove(p->hp);
	bgp_session_free(p->s);
	/* The last session fills the hole: its session, hub peer and timer learn where it
	 * went (a running GR timer keeps its time left). */
	if (p != last) {
		bool running = rh_timer_running(&last->gr_timer);
		uint64_t left = running ? rh_timer_remaining(cp->loop, &last->gr_timer) : 0;

		cp_gr_fini(last);
		*p = *last;
		bgp_session_set_arg(p->s, p);
		hub_peer_set_user(p->hp, p);
		cp_gr_init(p);
		if (running)
			rh_timer_start(cp->loop, &p->gr_timer, left);
	}
	memset(last, 0, sizeof(*last));
	cp->n_peers--;
}

unsigned cp_peer_remove(struct cp *cp, enum hub_role role, const struct rh_addr *addr,
                        uint8_t subcode)
{
	unsigned n = 0;

	for (unsigned i = cp->n_peers; i-- > 0;) {
		const struct hub_peer_info *hi = hub_peer_info(cp->peers[i].hp);

		if (hi->role == role && rh_addr_equal(&hi->addr, addr)) {
			cp_peer_remove_at(cp, i, subcode);
			n++;
		}
	}
	return n;
}

int cp_peer_route_refresh(struct cp_peer *p)
{
	uint8_t buf[BGP_HDR_LEN + 4];
	int rc = 0;

	if (!p->established)
		return 0; /* it will send everything when it comes up */
	if (!p->route_refresh) {
		/* R15: a peer that cannot be asked is reset, and sends everything again. */
		log_notice("peer %s: no route refresh capability: session reset (R15)", p->name);
		bgp_session_cease(p->s, BGP_CEASE_CONFIG_CHANGE);
		bgp_session_start(p->s);
		return 1;
	}
	for (unsigned aid = 0; aid < BGP_AID_MAX && rc == 0; aid++) {
		struct wbuf w;

		if (!p->families[aid])
			continue;
		/* RFC 2918 3 (a normal request also with RFC 7313: the peer then frames its
		 * answer with BoRR and EoRR). */
		wbuf_init(&w, buf, sizeof(buf));
		if (bgp_rr_encode(&w, aid == BGP_AID_IPV6 ? BGP_AFI_IPV6 : BGP_AFI_IPV4,
		                  BGP_RR_NORMAL, BGP_SAFI_UNICAST) < 0)
			return -EINVAL;
		rc = send_msg(p, buf, w.len);
	}
	if (rc == 0)
		log_info("peer %s: ROUTE-REFRESH sent (R15)", p->name);
	return rc < 0 ? rc : 2;
}

static void mgmt_cb(struct rh_evloop *loop, struct rh_io *io, unsigned events, void *arg)
{
	(void)loop;
	(void)io;
	(void)events;
	/* Answer what is pending, a few at a time, so BGP is never starved. */
	for (int i = 0;
	     i < 8 && mgmt_serve_one(((struct cp *)arg)->mgmt_fd, cp_mgmt_handle, arg, 1000) == 1;
	     i++)
		;
}

struct cp *cp_new(struct rh_evloop *loop, const struct rh_config *cfg, const struct cp_opts *o)
{
	struct cp *cp = calloc(1, sizeof(*cp));
	int rc;

	if (cp == NULL)
		return NULL;
	cp->loop = loop;
	cp->cfg = *cfg;
	cp->opts = *o;
	if (!cfg->cp.enforce_route_limits)
		cp->cfg.er.limit_to_er = UINT16_MAX; /* R16 toward ExpressRoute lifted too */
	cp->mgmt_fd = -1;
	cp->msgbuf = malloc(BGP_MAX_MSG_EXT);
	cp->hub = hub_new(&cp->cfg, &hub_ops, cp);
	if (cp->msgbuf == NULL || cp->hub == NULL)
		goto fail;
	rh_timer_init(&cp->flush_timer, flush_timer_cb, cp);
	rc = build_peers(cp);
	if (rc < 0) {
		errno = -rc;
		goto fail;
	}
	cp->mgmt_fd = mgmt_listen(cfg->cp.mgmt_socket);
	if (cp->mgmt_fd < 0) {
		log_err("management socket %s: %s", cfg->cp.mgmt_socket, strerror(-cp->mgmt_fd));
		errno = -cp->mgmt_fd;
		goto fail;
	}
	rh_io_init(&cp->mgmt_io, mgmt_cb, cp);
	if (rh_io_add(loop, &cp->mgmt_io, cp->mgmt_fd, RH_EV_READ) < 0)
		goto fail;
	if (cp_fib_start(cp) < 0)
		goto fail;
	cp_metrics_start(cp); /* optional: the hub runs without it */
	for (unsigned i = 0; i < cp->n_peers; i++)
		bgp_session_start(cp->peers[i].s);
	log_notice("control plane up: %u sessions, %u listeners", cp->n_peers, cp->n_lis);
	return cp;
fail:
	rc = errno;
	cp_free(cp, NULL);
	errno = rc != 0 ? rc : ENOMEM;
	return NULL;
}

void cp_free(struct cp *cp, const char *why)
{
	if (cp == NULL)
		return;
	for (unsigned i = 0; i < cp->n_peers; i++) {
		cp_gr_fini(&cp->peers[i]);
		if (why != NULL && cp->peers[i].s != NULL)
			bgp_session_stop(cp->peers[i].s, why);
		bgp_session_free(cp->peers[i].s);
	}
	for (unsigned i = 0; i < cp->n_lis; i++)
		bgp_listener_free(cp->lis[i].l);
	cp_fib_stop(cp);
	cp_metrics_stop(cp);
	if (cp->mgmt_fd >= 0) {
		if (rh_io_active(&cp->mgmt_io))
			rh_io_del(cp->loop, &cp->mgmt_io);
		close(cp->mgmt_fd);
		unlink(cp->cfg.cp.mgmt_socket);
	}
	rh_timer_stop(cp->loop, &cp->flush_timer);
	hub_free(cp->hub);
	free(cp->msgbuf);
	free(cp);
}
