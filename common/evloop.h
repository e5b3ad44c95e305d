/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Single-threaded event loop on epoll: file descriptor watchers, monotonic timers kept in
 * a binary min-heap (start, re-arm and stop in O(log n)), and signals delivered through a
 * signalfd so that handlers run as ordinary callbacks, never in signal context.
 *
 * Watchers and timers are embedded in the caller's structures: the loop allocates nothing
 * per watcher and never frees them. A callback may add, change or remove any watcher or
 * timer, its own included, and may free the structure that holds them once removed.
 */
#ifndef ROUTEHUB_EVLOOP_H
#define ROUTEHUB_EVLOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rh_evloop;

/* Interest and readiness bits of an fd watcher. */
#define RH_EV_READ  0x1u
#define RH_EV_WRITE 0x2u
#define RH_EV_ERROR 0x4u /* error or hang-up; always reported, never asked for */

struct rh_io;
typedef void (*rh_io_cb)(struct rh_evloop *loop, struct rh_io *io, unsigned events, void *arg);

struct rh_io {
	int fd;          /* -1 while not added */
	unsigned events; /* current interest, RH_EV_READ | RH_EV_WRITE */
	rh_io_cb cb;
	void *arg;
};

struct rh_timer;
typedef void (*rh_timer_cb)(struct rh_evloop *loop, struct rh_timer *t, void *arg);

struct rh_timer {
	uint64_t expire_ms; /* on the loop's monotonic clock */
	uint64_t seq;       /* start order, breaks ties between equal expiry times */
	size_t idx;         /* position in the heap, SIZE_MAX while stopped */
	rh_timer_cb cb;
	void *arg;
};

typedef void (*rh_signal_cb)(struct rh_evloop *loop, int signo, void *arg);

/* A new loop. NULL and errno on failure. */
struct rh_evloop *rh_evloop_new(void);
/*
 * Frees the loop and closes its epoll and signal fds. Watchers still added are forgotten,
 * their fds left open; signals taken by rh_evloop_signal() are unblocked again.
 */
void rh_evloop_free(struct rh_evloop *loop);

/*
 * Runs until rh_evloop_stop() is called from a callback. Returns 0 after a stop, or a
 * negative errno if epoll_wait failed for a reason other than EINTR.
 */
int rh_evloop_run(struct rh_evloop *loop);
/*
 * One iteration: waits at most timeout_ms (-1: until something happens, but never past
 * the next timer), dispatches ready fds, then expired timers. Returns the number of
 * callbacks run, or a negative errno.
 */
int rh_evloop_run_once(struct rh_evloop *loop, int timeout_ms);
/* Makes rh_evloop_run() return after the current iteration. */
void rh_evloop_stop(struct rh_evloop *loop);

/* Milliseconds on CLOCK_MONOTONIC, refreshed at each iteration of the loop. */
uint64_t rh_evloop_now_ms(struct rh_evloop *loop);
/* Reads the clock again (for a callback that ran for long). */
uint64_t rh_evloop_update_now(struct rh_evloop *loop);

/* Prepares a watcher that is not added yet (fd -1). */
void rh_io_init(struct rh_io *io, rh_io_cb cb, void *arg);
/* Watches fd for events (RH_EV_READ/RH_EV_WRITE, may be 0). 0, -EEXIST if io is added. */
int rh_io_add(struct rh_evloop *loop, struct rh_io *io, int fd, unsigned events);
/* Changes the interest of an added watcher. 0 or negative errno. */
int rh_io_modify(struct rh_evloop *loop, struct rh_io *io, unsigned events);
/*
 * Stops watching. Pending readiness of this watcher in the current iteration is
 * dropped. Does not close the fd. A watcher not added is ignored.
 */
void rh_io_del(struct rh_evloop *loop, struct rh_io *io);
static inline bool rh_io_active(const struct rh_io *io)
{
	return io->fd >= 0;
}

/* Prepares a stopped timer. */
void rh_timer_init(struct rh_timer *t, rh_timer_cb cb, void *arg);
/*
 * Starts the timer to fire once, after_ms from the loop's current time; a running timer
 * is re-armed. 0, or -ENOMEM when the heap cannot grow.
 */
int rh_timer_start(struct rh_evloop *loop, struct rh_timer *t, uint64_t after_ms);
/* Stops the timer if running. */
void rh_timer_stop(struct rh_evloop *loop, struct rh_timer *t);
static inline bool rh_timer_running(const struct rh_timer *t)
{
	return t->idx != SIZE_MAX;
}
/* Milliseconds until the timer fires (0 if overdue), or UINT64_MAX when stopped. */
uint64_t rh_timer_remaining(struct rh_evloop *loop, const struct rh_timer *t);
/* Number of running timers. */
size_t rh_evloop_timer_count(const struct rh_evloop *loop);

/*
 * Handles signo through the loop: blocks it in the calling thread and runs cb from the
 * loop when it arrives. cb NULL restores the default (unblocks it). 0 or negative errno.
 */
int rh_evloop_signal(struct rh_evloop *loop, int signo, rh_signal_cb cb, void *arg);

#endif
