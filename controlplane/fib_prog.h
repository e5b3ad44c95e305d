/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The FIB programmer: keeps the routes the dataplane must forward by (the hub's active
 * effective routes, R17) and sends them over the FIB channel (include/routehub/
 * fib_channel.h, common/fibc.h).
 *
 *  - Next hops are numbered per (address, port); the port is the dataplane port whose
 *    connected subnet holds the address (rh_config_port_for), FIBC_PORT_ANY when none.
 *  - A route with several next hops (ECMP, R3) points to a next-hop group; routes with
 *    the same member set share one group. Next hops and groups are reference counted
 *    (by routes, and by groups for next hops) and deleted from the FIB when unused.
 *  - Changes are queued and coalesced per prefix; fib_prog_flush() sends them in
 *    batches: next-hop and group additions, route additions and replacements, route
 *    deletions, then group and next-hop deletions, so the FIB never points to a missing
 *    object.
 *  - On every (re)connection, fib_prog_attach() sends HELLO, SYNC_BEGIN, the whole table
 *    and SYNC_END: the dataplane sweeps whatever it still had that is not in it.
 *  - VNet spaces are not routes of the FIB (the connected subnets are the dataplane's):
 *    fib_prog_effective() programs only active routes learned by BGP (or the VPN
 *    gateway's static prefixes) that have a next hop.
 *
 * Blocking: fibc waits for acknowledgements: fib_prog_flush() and fib_prog_attach()
 * block until the dataplane has acknowledged everything sent (each wait bounded by the
 * channel's timeout), and sending more than the window blocks until the oldest ACK. The
 * event loop calls fib_prog_flush() once per batch of hub changes, so that one wait
 * covers thousands of routes. fib_prog_set() never blocks. A transport error closes the
 * channel; the changes stay queued and the next fib_prog_attach() resynchronises. A
 * request the dataplane refuses (a full table) is logged and its status returned; the
 * programmer keeps the wanted state, which the next resynchronisation sends again.
 */
#ifndef ROUTEHUB_FIB_PROG_H
#define ROUTEHUB_FIB_PROG_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "fibc.h"
#include "hub.h"
#include "routehub/prefix.h"

struct fib_prog;

/* cfg (kept, not copied) resolves next-hop ports. NULL and errno on failure. */
struct fib_prog *fib_prog_new(const struct rh_config *cfg);
/* Frees the state and closes the channel if attached (nothing is sent). */
void fib_prog_free(struct fib_prog *fp);

/*
 * The route to p is now through these n next hops (n = 0: no route). Queued; 0, -EINVAL
 * (n too large, mixed families), or -ENOMEM.
 */
int fib_prog_set(struct fib_prog *fp, const struct rh_prefix *p, const struct rh_addr *nh,
                 unsigned n);
/*
 * The hub's effective routes of p (e NULL: it has none): an active route with next hops,
 * not a VNet space, becomes a FIB route; anything else removes p from the FIB.
 */
int fib_prog_effective(struct fib_prog *fp, const struct rh_prefix *p,
                       const struct hub_effective *e);

/*
 * Takes the channel (ownership passes, even on failure) and resynchronises: HELLO,
 * SYNC_BEGIN, every next hop, group and route, SYNC_END. 0, a refusal's status, or a
 * transport error (the channel is then closed).
 */
int fib_prog_attach(struct fib_prog *fp, struct fibc *c);
/* Closes the channel; changes queue until the next attach. */
void fib_prog_detach(struct fib_prog *fp);
/*
 * Forgets every route (and the queue), keeping the next hops and groups so that their ids
 * hold across a reload: for an owner that does not feed changes while detached and loads
 * the whole desired state again before the next attach (a million routes queued for an
 * absent dataplane cost as much memory as the RIB's entries).
 */
void fib_prog_clear(struct fib_prog *fp);
bool fib_prog_attached(const struct fib_prog *fp);

/*
 * Sends the queued changes and waits for their acknowledgements. 0 (also when not
 * attached: they stay queued), the status of a request the dataplane refused, or a
 * transport error (the channel is then closed).
 */
int fib_prog_flush(struct fib_prog *fp);

/* Prefixes with a change not yet sent. */
size_t fib_prog_pending(const struct fib_prog *fp);
/* Routes, next hops and groups the FIB should hold. */
size_t fib_prog_routes(const struct fib_prog *fp);
size_t fib_prog_nexthops(const struct fib_prog *fp);
size_t fib_prog_groups(const struct fib_prog *fp);

#endif
