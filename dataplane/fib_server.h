/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane's end of the FIB channel (include/routehub/fib_channel.h).
 *
 * The main lcore owns the server and calls fib_server_poll() from its loop: a call never
 * blocks, accepts a pending connection, and handles at most a budget of requests, so
 * that a control plane pushing a million routes cannot starve the main lcore's other
 * duties (neighbours, exception path, stats).
 *
 * One control plane at a time: a second connection while one is served is closed at
 * once. When the control plane goes away the FIB stays as it is (the workers keep
 * forwarding on it); a new one says HELLO, learns the instance id and resynchronises.
 *
 * Every request gets exactly one ACK. A malformed request (bad length for its count,
 * version, type, family, prefix length, host bits, flags, zero id) is answered with
 * -EBADMSG and changes nothing; a request out of order (anything before HELLO, SYNC_END
 * without SYNC_BEGIN) with -EPROTO. A well-formed batch is applied record by record and
 * stops at the first record the FIB refuses (its errno and index are in the ACK).
 *
 * When the control plane does not read its ACKs, the server keeps the one it could not
 * send and reads no further request until it is sent: back pressure, not loss.
 */
#ifndef ROUTEHUB_DP_FIB_SERVER_H
#define ROUTEHUB_DP_FIB_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "fib.h"

/* Requests handled per fib_server_poll() call unless set otherwise. */
#define FIB_SERVER_DEFAULT_BUDGET 8

struct fib_server;

/*
 * Creates a server for fib. With a path, listens there (an existing socket file is
 * replaced); with NULL, serves only what fib_server_attach() gives it. NULL and errno on
 * failure.
 */
struct fib_server *fib_server_create(struct dp_fib *fib, const char *path);
/* Closes the sockets (and removes the socket file) and frees srv; the FIB is not touched. */
void fib_server_destroy(struct fib_server *srv);

/*
 * What the process owning the server adds to the channel's checks (all optional):
 *   nh_check: called for each NH_ADD and NH_DEL record before the FIB sees it; may set
 *             the port of a next hop sent with FIBC_PORT_ANY, or refuse the record with a
 *             negative errno (which the ACK carries), e.g. an id the dataplane keeps for
 *             its own entries.
 *   synced:   called right after SYNC_BEGIN marked every entry stale, so that the
 *             dataplane re-adds its own entries (connected routes, neighbours) and the
 *             sweep at SYNC_END leaves them in place.
 */
struct fib_server_hooks {
	int (*nh_check)(void *arg, struct fibc_nh *nh, bool add);
	void (*synced)(void *arg);
	void *arg;
};
void fib_server_set_hooks(struct fib_server *srv, const struct fib_server_hooks *hooks);

/* Serves an already connected SOCK_SEQPACKET socket, taking ownership of fd (made
 * non-blocking). -EBUSY while a client is served (fd is then left to the caller). */
int fib_server_attach(struct fib_server *srv, int fd);

/*
 * Accepts a pending connection and handles at most the budget of requests, without
 * blocking. Returns the number of requests handled. Also reclaims the FIB objects whose
 * grace period ended (dp_fib_reclaim()).
 */
int fib_server_poll(struct fib_server *srv);
void fib_server_set_budget(struct fib_server *srv, unsigned max_requests);
bool fib_server_connected(const struct fib_server *srv);

/* Counters since the server was created (for `show fib channel` and the tests). */
struct fib_server_stats {
	uint64_t connections;   /* control planes accepted or attached */
	uint64_t refused;       /* connections closed because one was already served */
	uint64_t requests;      /* requests answered */
	uint64_t malformed;     /* answered -EBADMSG */
	uint64_t refusals;      /* well-formed but answered with another error */
	uint64_t acks_deferred; /* an ACK the client's queue could not take at once */
};
void fib_server_stats(const struct fib_server *srv, struct fib_server_stats *st);

/* The instance id sent in every ACK: random, drawn once per process, never 0. */
uint64_t fib_server_instance_id(void);

#endif
