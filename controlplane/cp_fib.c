/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control plane's side of the FIB channel: the hub's effective routes (R17) go to the
 * dataplane through the FIB programmer (fib_prog.h). The channel is (re)connected every
 * second while the dataplane is away; every connection starts with a full resync, so a
 * restarted dataplane gets its FIB back and a restarted control plane never removes a
 * route that is still valid (the dataplane sweeps only what the resync did not re-add).
 *
 * A control plane that has just started knows no route yet: a resync then would sweep the
 * whole FIB the dataplane kept forwarding on. So the first connection waits, as a
 * restarting BGP speaker defers its route selection (RFC 4724 4.1), until every peer has
 * sent its End-of-RIB for each of its families, or the deferral time is over.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fib_prog.h"
#include "fibc.h"
#include "log.h"
#include "speaker_int.h"

#define CP_FIB_RETRY_MS   1000
#define CP_FIB_BATCH_MS   5 /* changes of one burst of UPDATEs go out together */
#define CP_FIB_TIMEOUT_MS 5000
#define CP_FIB_WINDOW     64
#define CP_FIB_DEFER_MS   10000 /* longest wait for the peers' End-of-RIB at start */

struct cp_fib {
	struct cp *cp;
	struct fib_prog *fp;
	struct rh_timer retry;
	struct rh_timer flush;
	struct rh_timer defer;
	struct rh_io io; /* the channel's socket: readable between requests = hang-up */
	bool warned;
	bool deferring; /* started, not every peer's End-of-RIB in yet: no resync */
	/* Changes arrived while detached: fp is out of date and is loaded again from the
	 * hub before the next attach (see cp_fib_changed()). */
	bool stale;
};

static void fib_lost(struct cp_fib *f, const char *why)
{
	if (rh_io_active(&f->io))
		rh_io_del(f->cp->loop, &f->io);
	fib_prog_detach(f->fp);
	log_warn("FIB channel: %s; the dataplane keeps forwarding on its FIB, retrying", why);
	rh_timer_start(f->cp->loop, &f->retry, CP_FIB_RETRY_MS);
}

static void on_channel(struct rh_evloop *loop, struct rh_io *io, unsigned events, void *arg)
{
	(void)loop;
	(void)io;
	(void)events;
	/* Every request is answered before fib_prog returns: anything readable now is
	 * the dataplane going away. */
	fib_lost(arg, "the dataplane closed the channel");
}

static void load_one(const struct rh_prefix *p, void *arg)
{
	struct cp_fib *f = arg;
	struct hub_effective e;

	if (hub_effective_get(f->cp->hub, p, &e) == 0)
		fib_prog_effective(f->fp, p, &e);
}

static void try_connect(struct rh_evloop *loop, struct rh_timer *t, void *arg)
{
	struct cp_fib *f = arg;
	struct fibc *c;
	int fd, rc;

	(void)t;
	c = fibc_connect(f->cp->cfg.dp.fib_socket, CP_FIB_TIMEOUT_MS, CP_FIB_WINDOW);
	if (c == NULL) {
		if (!f->warned)
			log_info("FIB channel: no dataplane at %s yet", f->cp->cfg.dp.fib_socket);
		f->warned = true;
		rh_timer_start(loop, &f->retry, CP_FIB_RETRY_MS);
		return;
	}
	fd = fibc_fd(c);
	if (f->stale) {
		/* The attach resynchronises the whole table anyway: the hub's effective routes
		 * are the desired state, read now rather than queued per change meanwhile. */
		fib_prog_clear(f->fp);
		hub_effective_walk(f->cp->hub, load_one, f);
		f->stale = false;
	}
	rc = fib_prog_attach(f->fp, c); /* HELLO, SYNC_BEGIN, the whole table, SYNC_END */
	if (rc < 0) {
		log_warn("FIB channel: resync refused: %s", strerror(-rc));
		fib_prog_detach(f->fp);
		rh_timer_start(loop, &f->retry, CP_FIB_RETRY_MS);
		return;
	}
	f->warned = false;
	rh_io_init(&f->io, on_channel, f);
	rh_io_add(loop, &f->io, fd, RH_EV_READ);
	log_notice("FIB channel: connected, %zu routes synchronised", fib_prog_routes(f->fp));
}

static void do_flush(struct rh_evloop *loop, struct rh_timer *t, void *arg)
{
	struct cp_fib *f = arg;
	int rc;

	(void)loop;
	(void)t;
	if (!fib_prog_attached(f->fp))
		return; /* queued until the next resync */
	rc = fib_prog_flush(f->fp);
	if (rc < 0 && !fib_prog_attached(f->fp))
		fib_lost(f, strerror(-rc));
	else if (rc < 0)
		log_warn("FIB channel: the dataplane refused an update: %s", strerror(-rc));
}

static void end_deferral(struct cp_fib *f, const char *why)
{
	f->deferring = false;
	rh_timer_stop(f->cp->loop, &f->defer);
	log_notice("FIB channel: %s: the dataplane's FIB can be resynchronised", why);
	rh_timer_start(f->cp->loop, &f->retry, 0);
}

static void defer_expired(struct rh_evloop *loop, struct rh_timer *t, void *arg)
{
	(void)loop;
	(void)t;
	end_deferral(arg, "End-of-RIB not received from every peer within the deferral time");
}

static bool peers_synced(const struct cp *cp)
{
	for (unsigned i = 0; i < cp->n_peers; i++) {
		const struct cp_peer *p = &cp->peers[i];

		if (!p->established)
			return false;
		for (unsigned aid = 0; aid < BGP_AID_MAX; aid++)
			if (p->families[aid] && !p->eor[aid])
				return false;
	}
	return true;
}

void cp_fib_peer_synced(struct cp *cp)
{
	struct cp_fib *f = cp->fib;

	if (f != NULL && f->deferring && peers_synced(cp))
		end_deferral(f, "End-of-RIB received from every peer");
}

int cp_fib_start(struct cp *cp)
{
	struct cp_fib *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -ENOMEM;
	f->cp = cp;
	f->fp = fib_prog_new(&cp->cfg);
	if (f->fp == NULL) {
		free(f);
		return -errno;
	}
	rh_timer_init(&f->retry, try_connect, f);
	rh_timer_init(&f->flush, do_flush, f);
	rh_timer_init(&f->defer, defer_expired, f);
	rh_io_init(&f->io, on_channel, f);
	cp->fib = f;
	/* What the hub holds from the start (VPN static prefixes; hub_new() reports nothing
	 * through effective_changed) is loaded with the rest before the first attach. */
	f->stale = true;
	f->deferring = cp->n_peers > 0;
	if (f->deferring) {
		log_info("FIB channel: first resync after every peer's End-of-RIB (at most %d s)",
		         CP_FIB_DEFER_MS / 1000);
		rh_timer_start(cp->loop, &f->defer, CP_FIB_DEFER_MS);
	} else {
		rh_timer_start(cp->loop, &f->retry, 0);
	}
	return 0;
}

void cp_fib_stop(struct cp *cp)
{
	struct cp_fib *f = cp->fib;

	if (f == NULL)
		return;
	rh_timer_stop(cp->loop, &f->retry);
	rh_timer_stop(cp->loop, &f->flush);
	rh_timer_stop(cp->loop, &f->defer);
	if (rh_io_active(&f->io))
		rh_io_del(cp->loop, &f->io);
	/* The dataplane keeps its FIB: closing the channel removes nothing. */
	fib_prog_free(f->fp);
	free(f);
	cp->fib = NULL;
}

void cp_fib_changed(struct cp *cp, const struct rh_prefix *p)
{
	struct cp_fib *f = cp->fib;
	struct hub_effective e;

	if (f == NULL)
		return; /* during hub_new(): the first attach loads the table */
	/* No dataplane: keep nothing per prefix (the benchmark's million routes would
	 * otherwise sit in fp's table and queue); the next attach reloads from the hub. */
	if (!fib_prog_attached(f->fp)) {
		f->stale = true;
		return;
	}
	if (hub_effective_get(cp->hub, p, &e) == 0)
		fib_prog_effective(f->fp, p, &e);
	else
		fib_prog_effective(f->fp, p, NULL);
	if (!rh_timer_running(&f->flush))
		rh_timer_start(cp->loop, &f->flush, CP_FIB_BATCH_MS);
}

bool cp_fib_connected(const struct cp *cp)
{
	return cp->fib != NULL && fib_prog_attached(cp->fib->fp);
}

/* Detached, fib_prog keeps nothing (see cp_fib_changed()): nothing is programmed. */
size_t cp_fib_routes(const struct cp *cp)
{
	return cp_fib_connected(cp) ? fib_prog_routes(cp->fib->fp) : 0;
}

size_t cp_fib_pending(const struct cp *cp)
{
	return cp->fib != NULL ? fib_prog_pending(cp->fib->fp) : 0;
}
