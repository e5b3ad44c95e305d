/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Graceful restart as the receiving speaker (RFC 4724 4.2), per session.
 *
 * When the session of a peer that announced the Graceful Restart capability ends without
 * a NOTIFICATION (its TCP connection closed or was reset: the peer's BGP process died or
 * restarts), the routes it sent for the families it listed stay, marked stale: in the
 * hub's RIBs, in what the other peers are sent and in the effective routes, so that the
 * traffic keeps flowing through the peer's preserved forwarding state. The restart timer
 * runs for the Restart Time the peer announced, capped by control-plane
 * graceful-restart-time-max:
 *  - the peer does not come back in time: its stale routes go;
 *  - it comes back: the families its new OPEN does not list with the Forwarding State bit
 *    lose their stale routes at once; in the others, the routes it announces again replace
 *    the stale ones (unchanged ones without any UPDATE to the other peers), and its
 *    End-of-RIB for a family removes those still stale. The stale timer
 *    (graceful-restart-stale-time) bounds the wait for the End-of-RIB.
 * A NOTIFICATION either way, including our own Cease of `clear bgp neighbor`, ends it:
 * the routes go at once (RFC 4724; RFC 8538 would keep them across a NOTIFICATION when
 * both sides announce the N bit, which is not done here). A hold timer expiry is one:
 * we send a NOTIFICATION.
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "speaker_int.h"

static bool any_stale(const struct cp_peer *p)
{
	for (unsigned aid = 0; aid < BGP_AID_MAX; aid++)
		if (p->gr_stale[aid])
			return true;
	return false;
}

/* Every stale route of the peer goes; GR is over. */
static void gr_finish(struct cp_peer *p, const char *why)
{
	size_t n;

	rh_timer_stop(p->cp->loop, &p->gr_timer);
	memset(p->gr_stale, 0, sizeof(p->gr_stale));
	n = hub_peer_sweep_stale(p->hp, BGP_AID_MAX);
	if (n > 0)
		log_notice("peer %s: graceful restart: %zu stale routes removed (%s)", p->name, n,
		           why);
}

static void gr_timer_cb(struct rh_evloop *loop, struct rh_timer *t, void *arg)
{
	struct cp_peer *p = arg;

	(void)loop;
	(void)t;
	gr_finish(p, p->established ? "no End-of-RIB before the stale timer"
	                            : "the peer did not come back within its restart time");
}

void cp_gr_init(struct cp_peer *p)
{
	rh_timer_init(&p->gr_timer, gr_timer_cb, p);
}

void cp_gr_fini(struct cp_peer *p)
{
	rh_timer_stop(p->cp->loop, &p->gr_timer);
}

void cp_gr_established(struct cp_peer *p, const struct bgp_open *peer)
{
	const struct bgp_caps *c = &peer->caps;

	/* What the peer asks of us for its next restart. */
	p->gr_time = c->gr ? c->gr_time : 0;
	for (unsigned aid = 0; aid < BGP_AID_MAX; aid++)
		p->gr_af[aid] = c->gr && c->gr_af[aid];
	if (!any_stale(p))
		return;
	rh_timer_stop(p->cp->loop, &p->gr_timer);
	/* RFC 4724 4.2: a family the new OPEN does not list, or lists with the Forwarding
	 * State bit clear, was not preserved: its stale routes go now. */
	for (unsigned aid = 0; aid < BGP_AID_MAX; aid++) {
		if (!p->gr_stale[aid] ||
		    (c->gr && c->gr_af[aid] && c->gr_fwd[aid] && p->families[aid]))
			continue;
		p->gr_stale[aid] = false;
		log_notice("peer %s: graceful restart: forwarding state of %s not preserved: "
		           "%zu stale routes removed",
		           p->name, aid == BGP_AID_IPV6 ? "IPv6" : "IPv4",
		           hub_peer_sweep_stale(p->hp, aid));
	}
	if (!any_stale(p)) {
		gr_finish(p, "forwarding state not preserved");
		return;
	}
	/* The rest waits for the End-of-RIB, within a bound (RFC 4724 4.2). */
	rh_timer_start(p->cp->loop, &p->gr_timer, (uint64_t)p->cp->cfg.cp.gr_stale_time * 1000);
	log_notice("peer %s: graceful restart: back, stale routes kept until its End-of-RIB "
	           "(at most %u s)",
	           p->name, p->cp->cfg.cp.gr_stale_time);
}

bool cp_gr_down(struct cp_peer *p)
{
	const struct rh_cp_cfg *cfg = &p->cp->cfg.cp;
	unsigned t = p->gr_time < cfg->gr_time_max ? p->gr_time : cfg->gr_time_max;
	bool keep[BGP_AID_MAX] = {false}, any = false;

	/* RFC 4724 4.2: only when the TCP session ended, not after a NOTIFICATION; a Restart
	 * Time of 0 leaves nothing to wait for. */
	if (t > 0 && !bgp_session_down_notified(p->s))
		for (unsigned aid = 0; aid < BGP_AID_MAX; aid++) {
			keep[aid] = p->gr_af[aid] && p->families[aid];
			any = any || keep[aid];
		}
	if (!any) {
		rh_timer_stop(p->cp->loop, &p->gr_timer);
		memset(p->gr_stale, 0, sizeof(p->gr_stale));
		return false;
	}
	memcpy(p->gr_stale, keep, sizeof(p->gr_stale));
	hub_peer_down_gr(p->hp, keep);
	rh_timer_start(p->cp->loop, &p->gr_timer, (uint64_t)t * 1000);
	log_notice("peer %s: graceful restart: %u routes kept stale for at most %u s", p->name,
	           hub_peer_stale_count(p->hp), t);
	return true;
}

void cp_gr_eor(struct cp_peer *p, enum bgp_aid aid)
{
	size_t n;

	if ((unsigned)aid >= BGP_AID_MAX || !p->gr_stale[aid])
		return;
	/* RFC 4724 4.2: at the End-of-RIB, what the peer did not announce again is gone. */
	p->gr_stale[aid] = false;
	n = hub_peer_sweep_stale(p->hp, aid);
	log_notice("peer %s: graceful restart: End-of-RIB for %s, %zu stale routes removed",
	           p->name, aid == BGP_AID_IPV6 ? "IPv6" : "IPv4", n);
	if (!any_stale(p))
		gr_finish(p, "End-of-RIB");
}

void cp_gr_end(struct cp_peer *p, const char *why)
{
	if (any_stale(p))
		gr_finish(p, why);
}

int cp_gr_state(const struct cp_peer *p, char *buf, size_t len)
{
	uint64_t left;

	if (!any_stale(p))
		return 0;
	left = rh_timer_remaining(p->cp->loop, &p->gr_timer);
	left = left == UINT64_MAX ? 0 : (left + 999) / 1000;
	return snprintf(buf, len, "%s, %llu s left",
	                p->established ? "waiting for End-of-RIB" : "restarting",
	                (unsigned long long)left);
}
