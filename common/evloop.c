/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "evloop.h"

#define EVLOOP_MAX_EVENTS 64
#define EVLOOP_NSIG       65 /* signals 1..64 */

struct rh_evloop {
	int epfd;
	bool stop;
	uint64_t now_ms;
	uint64_t seq;

	/* Timers: a binary min-heap ordered by (expire_ms, seq). */
	struct rh_timer **heap;
	size_t n_timers;
	size_t heap_cap;

	/* The events of the iteration being dispatched, so that rh_io_del() can drop them. */
	struct epoll_event ev[EVLOOP_MAX_EVENTS];
	int n_ev;

	/* Signals */
	int sigfd;
	struct rh_io sig_io;
	sigset_t sigmask;
	struct {
		rh_signal_cb cb;
		void *arg;
	} sig[EVLOOP_NSIG];
};

static uint64_t clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

struct rh_evloop *rh_evloop_new(void)
{
	struct rh_evloop *loop = calloc(1, sizeof(*loop));

	if (loop == NULL)
		return NULL;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		int e = errno;

		free(loop);
		errno = e;
		return NULL;
	}
	loop->sigfd = -1;
	sigemptyset(&loop->sigmask);
	loop->now_ms = clock_ms();
	return loop;
}

void rh_evloop_free(struct rh_evloop *loop)
{
	if (loop == NULL)
		return;
	if (loop->sigfd >= 0) {
		sigprocmask(SIG_UNBLOCK, &loop->sigmask, NULL);
		close(loop->sigfd);
	}
	for (size_t i = 0; i < loop->n_timers; i++)
		loop->heap[i]->idx = SIZE_MAX;
	free(loop->heap);
	close(loop->epfd);
	free(loop);
}

uint64_t rh_evloop_now_ms(struct rh_evloop *loop)
{
	return loop->now_ms;
}

uint64_t rh_evloop_update_now(struct rh_evloop *loop)
{
	loop->now_ms = clock_ms();
	return loop->now_ms;
}

void rh_evloop_stop(struct rh_evloop *loop)
{
	loop->stop = true;
}

/* fd watchers */

void rh_io_init(struct rh_io *io, rh_io_cb cb, void *arg)
{
	io->fd = -1;
	io->events = 0;
	io->cb = cb;
	io->arg = arg;
}

static uint32_t epoll_bits(unsigned events)
{
	uint32_t e = 0;

	if (events & RH_EV_READ)
		e |= EPOLLIN | EPOLLRDHUP;
	if (events & RH_EV_WRITE)
		e |= EPOLLOUT;
	return e;
}

int rh_io_add(struct rh_evloop *loop, struct rh_io *io, int fd, unsigned events)
{
	struct epoll_event ev = {.events = epoll_bits(events), .data.ptr = io};

	if (io->fd >= 0)
		return -EEXIST;
	if (fd < 0)
		return -EBADF;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	io->fd = fd;
	io->events = events;
	return 0;
}

int rh_io_modify(struct rh_evloop *loop, struct rh_io *io, unsigned events)
{
	struct epoll_event ev = {.events = epoll_bits(events), .data.ptr = io};

	if (io->fd < 0)
		return -ENOENT;
	if (events == io->events)
		return 0;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, io->fd, &ev) < 0)
		return -errno;
	io->events = events;
	return 0;
}

void rh_io_del(struct rh_evloop *loop, struct rh_io *io)
{
	if (io->fd < 0)
		return;
	/* The fd may already be closed by the owner; then the kernel dropped it already. */
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, io->fd, NULL);
	io->fd = -1;
	io->events = 0;
	for (int i = 0; i < loop->n_ev; i++)
		if (loop->ev[i].data.ptr == io)
			loop->ev[i].data.ptr = NULL;
}

/* Timers */

void rh_timer_init(struct rh_timer *t, rh_timer_cb cb, void *arg)
{
	t->expire_ms = 0;
	t->seq = 0;
	t->idx = SIZE_MAX;
	t->cb = cb;
	t->arg = arg;
}

static bool timer_before(const struct rh_timer *a, const struct rh_timer *b)
{
	if (a->expire_ms != b->expire_ms)
		return a->expire_ms < b->expire_ms;
	return a->seq < b->seq;
}

static void heap_set(struct rh_evloop *loop, size_t i, struct rh_timer *t)
{
	loop->heap[i] = t;
	t->idx = i;
}

static void heap_up(struct rh_evloop *loop, size_t i)
{
	struct rh_timer *t = loop->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!timer_before(t, loop->heap[parent]))
			break;
		heap_set(loop, i, loop->heap[parent]);
		i = parent;
	}
	heap_set(loop, i, t);
}

static void heap_down(struct rh_evloop *loop, size_t i)
{
	struct rh_timer *t = loop->heap[i];
	size_t n = loop->n_timers;

	for (;;) {
		size_t child = 2 * i + 1;

		if (child >= n)
			break;
		if (child + 1 < n && timer_before(loop->heap[child + 1], loop->heap[child]))
			child++;
		if (!timer_before(loop->heap[child], t))
			break;
		heap_set(loop, i, loop->heap[child]);
		i = child;
	}
	heap_set(loop, i, t);
}

static void heap_remove(struct rh_evloop *loop, struct rh_timer *t)
{
	size_t i = t->idx;
	struct rh_timer *last = loop->heap[--loop->n_timers];

	t->idx = SIZE_MAX;
	if (last == t)
		return;
	heap_set(loop, i, last);
	/* The moved timer may belong above or below its new place. */
	if (i > 0 && timer_before(last, loop->heap[(i - 1) / 2]))
		heap_up(loop, i);
	else
		heap_down(loop, i);
}

int rh_timer_start(struct rh_evloop *loop, struct rh_timer *t, uint64_t after_ms)
{
	if (t->idx == SIZE_MAX && loop->n_timers == loop->heap_cap) {
		size_t cap = loop->heap_cap ? loop->heap_cap * 2 : 16;
		struct rh_timer **h = realloc(loop->heap, cap * sizeof(*h));

		if (h == NULL)
			return -ENOMEM;
		loop->heap = h;
		loop->heap_cap = cap;
	}
	if (t->idx != SIZE_MAX)
		heap_remove(loop, t);
	t->expire_ms = loop->now_ms + after_ms;
	t->seq = ++loop->seq;
	loop->heap[loop->n_timers] = t;
	t->idx = loop->n_timers++;
	heap_up(loop, t->idx);
	return 0;
}

void rh_timer_stop(struct rh_evloop *loop, struct rh_timer *t)
{
	if (t->idx != SIZE_MAX)
		heap_remove(loop, t);
}

uint64_t rh_timer_remaining(struct rh_evloop *loop, const struct rh_timer *t)
{
	if (t->idx == SIZE_MAX)
		return UINT64_MAX;
	return t->expire_ms > loop->now_ms ? t->expire_ms - loop->now_ms : 0;
}

size_t rh_evloop_timer_count(const struct rh_evloop *loop)
{
	return loop->n_timers;
}

/*
 * Runs the timers due now. A timer started by a callback of this round carries a newer
 * sequence number and waits for the next round, so that a timer re-armed with 0 cannot
 * keep the loop here forever.
 */
static int run_timers(struct rh_evloop *loop)
{
	uint64_t last_seq = loop->seq;
	int n = 0;

	while (loop->n_timers > 0) {
		struct rh_timer *t = loop->heap[0];

		if (t->expire_ms > loop->now_ms || t->seq > last_seq)
			break;
		heap_remove(loop, t);
		t->cb(loop, t, t->arg);
		n++;
	}
	return n;
}

/* Signals */

static void signal_read(struct rh_evloop *loop, struct rh_io *io, unsigned events, void *arg)
{
	struct signalfd_siginfo si;

	(void)io;
	(void)events;
	(void)arg;
	while (read(loop->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		int signo = (int)si.ssi_signo;

		if (signo > 0 && signo < EVLOOP_NSIG && loop->sig[signo].cb != NULL)
			loop->sig[signo].cb(loop, signo, loop->sig[signo].arg);
	}
}

int rh_evloop_signal(struct rh_evloop *loop, int signo, rh_signal_cb cb, void *arg)
{
	sigset_t one;
	int fd;

	if (signo <= 0 || signo >= EVLOOP_NSIG)
		return -EINVAL;
	sigemptyset(&one);
	sigaddset(&one, signo);
	if (cb == NULL) {
		sigdelset(&loop->sigmask, signo);
		loop->sig[signo].cb = NULL;
		sigprocmask(SIG_UNBLOCK, &one, NULL);
	} else {
		sigaddset(&loop->sigmask, signo);
		loop->sig[signo].cb = cb;
		loop->sig[signo].arg = arg;
		if (sigprocmask(SIG_BLOCK, &one, NULL) < 0)
			return -errno;
	}
	fd = signalfd(loop->sigfd, &loop->sigmask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (loop->sigfd < 0) {
		int rc;

		loop->sigfd = fd;
		rh_io_init(&loop->sig_io, signal_read, NULL);
		rc = rh_io_add(loop, &loop->sig_io, fd, RH_EV_READ);
		if (rc < 0) {
			close(fd);
			loop->sigfd = -1;
			return rc;
		}
	}
	return 0;
}

/* The loop */

static int next_timeout(struct rh_evloop *loop, int timeout_ms)
{
	uint64_t left;

	if (loop->n_timers == 0)
		return timeout_ms;
	left = rh_timer_remaining(loop, loop->heap[0]);
	if (left > INT32_MAX)
		left = INT32_MAX;
	if (timeout_ms < 0 || (uint64_t)timeout_ms > left)
		return (int)left;
	return timeout_ms;
}

int rh_evloop_run_once(struct rh_evloop *loop, int timeout_ms)
{
	int n, ran = 0;

	n = epoll_wait(loop->epfd, loop->ev, EVLOOP_MAX_EVENTS, next_timeout(loop, timeout_ms));
	if (n < 0) {
		if (errno != EINTR)
			return -errno;
		n = 0;
	}
	loop->now_ms = clock_ms();
	loop->n_ev = n;
	for (int i = 0; i < n; i++) {
		struct rh_io *io = loop->ev[i].data.ptr;
		uint32_t e = loop->ev[i].events;
		unsigned ready = 0;

		if (io == NULL)
			continue; /* removed by an earlier callback of this round */
		if (e & (EPOLLIN | EPOLLRDHUP))
			ready |= RH_EV_READ;
		if (e & EPOLLOUT)
			ready |= RH_EV_WRITE;
		if (e & (EPOLLERR | EPOLLHUP))
			ready |= RH_EV_ERROR;
		io->cb(loop, io, ready, io->arg);
		ran++;
	}
	loop->n_ev = 0;
	return ran + run_timers(loop);
}

int rh_evloop_run(struct rh_evloop *loop)
{
	loop->stop = false;
	while (!loop->stop) {
		int rc = rh_evloop_run_once(loop, -1);

		if (rc < 0)
			return rc;
	}
	return 0;
}
