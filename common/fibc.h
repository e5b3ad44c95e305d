/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control plane's end of the FIB channel (include/routehub/fib_channel.h), also used
 * by the tests and the benchmarks. No DPDK: plain sockets.
 *
 * Records are batched: fibc_nh_add(), fibc_route_add() and the like append to the message
 * being built, which is sent when it is full (FIBC_MAX_MSG) or when a record of another
 * type comes. Up to `window` requests are in flight: sending one more first waits for
 * the oldest ACK. fibc_flush() sends what is built and waits for every ACK.
 *
 * Errors: transport errors (a send or receive failing, a timeout, an ACK out of order)
 * are returned by the call that met them, and the client is unusable after one. A
 * request the dataplane refused is reported by fibc_flush() (or by the synchronous
 * calls), which returns the status of the first refused request since the last flush;
 * fibc_last_error() tells which one and which record. Requests sent after a refused one
 * were still applied (the dataplane answers each independently).
 */
#ifndef ROUTEHUB_FIBC_H
#define ROUTEHUB_FIBC_H

#include <stddef.h>
#include <stdint.h>

#include "routehub/fib_channel.h"

#define FIBC_DEFAULT_TIMEOUT_MS 5000
#define FIBC_DEFAULT_WINDOW     16
/* More in flight would not go faster, and must stay well below the kernel's queue of
 * unread datagrams (net.unix.max_dgram_qlen) so that the ACKs never block the server. */
#define FIBC_MAX_WINDOW 64

struct fibc;

struct fibc_error {
	int status;    /* 0 or the negative errno of the first refused request */
	uint16_t type; /* its type */
	uint32_t seq;
	uint32_t failed_index;
};

/*
 * Connects to the dataplane's socket. timeout_ms bounds every wait for an ACK and every
 * send (<= 0: FIBC_DEFAULT_TIMEOUT_MS); window is clamped to 1..FIBC_MAX_WINDOW (0: the
 * default). NULL and errno on failure.
 */
struct fibc *fibc_connect(const char *path, int timeout_ms, unsigned window);
/* The same over an already connected SOCK_SEQPACKET socket; takes ownership of fd. */
struct fibc *fibc_attach(int fd, int timeout_ms, unsigned window);
/* Closes without flushing. */
void fibc_close(struct fibc *c);
int fibc_fd(const struct fibc *c);

/* Synchronous requests: flush, send, wait for their ACK (copied to ack if not NULL).
 * Return 0, the status of a refused request, or a transport error. */
int fibc_hello(struct fibc *c, struct fibc_ack *ack);
int fibc_sync_begin(struct fibc *c, struct fibc_ack *ack);
int fibc_sync_end(struct fibc *c, struct fibc_ack *ack);

/* Batched and pipelined: 0 or a transport error (see above). */
int fibc_nh_add(struct fibc *c, const struct fibc_nh *nh);
int fibc_nh_del(struct fibc *c, uint32_t id);
int fibc_nhg_add(struct fibc *c, uint32_t id, const uint32_t *members, unsigned n);
int fibc_nhg_del(struct fibc *c, uint32_t id);
int fibc_route_add(struct fibc *c, const struct fibc_route *r);
int fibc_route_del(struct fibc *c, const struct fibc_route *r);

/*
 * Sends the message being built and waits for every ACK. Returns 0, the status of the
 * first request refused since the last flush (then cleared), or a transport error. The
 * last ACK received is copied to ack if not NULL.
 */
int fibc_flush(struct fibc *c, struct fibc_ack *ack);
/* The first refused request since the last flush (status 0 if none). */
const struct fibc_error *fibc_last_error(const struct fibc *c);

/* Flushes, then sends len bytes as they are (any content: for tests of the server's
 * checks) and waits for the ACK. Returns its status or a transport error. */
int fibc_send_raw(struct fibc *c, const void *msg, size_t len, struct fibc_ack *ack);

#endif
