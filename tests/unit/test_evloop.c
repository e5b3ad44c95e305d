/* SPDX-License-Identifier: BSD-3-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "evloop.h"

/* Records the order in which timers fire. */
struct order {
	int fired[64];
	int n;
};

struct tmr {
	struct rh_timer t;
	int id;
	struct order *o;
};

static void record(struct rh_evloop *loop, struct rh_timer *t, void *arg)
{
	struct tmr *x = arg;

	(void)loop;
	(void)t;
	x->o->fired[x->o->n++] = x->id;
}

/* Runs the loop until n callbacks have fired or 2 s have passed. */
static void run_until(struct rh_evloop *loop, const int *count, int n)
{
	for (int i = 0; i < 2000 && *count < n; i++)
		assert_true(rh_evloop_run_once(loop, 10) >= 0);
}

static void test_timers_fire_in_order(void **state)
{
	struct rh_evloop *loop = rh_evloop_new();
	/* Started out of order, with two equal times: they fire by time, then start order. */
	static const uint64_t after[] = {40, 10, 30, 20, 20, 0};
	struct order o = {0};
	struct tmr t[6];

	(void)state;
	assert_non_null(loop);
	for (int i = 0; i < 6; i++) {
		t[i].id = i;
		t[i].o = &o;
		rh_timer_init(&t[i].t, record, &t[i]);
		assert_false(rh_timer_running(&t[i].t));
		assert_int_equal(rh_timer_start(loop, &t[i].t, after[i]), 0);
		assert_true(rh_timer_running(&t[i].t));
	}
	assert_int_equal(rh_evloop_timer_count(loop), 6);
	run_until(loop, &o.n, 6);
	assert_int_equal(o.n, 6);
	assert_int_equal(o.fired[0], 5);
	assert_int_equal(o.fired[1], 1);
	assert_int_equal(o.fired[2], 3);
	assert_int_equal(o.fired[3], 4);
	assert_int_equal(o.fired[4], 2);
	assert_int_equal(o.fired[5], 0);
	assert_int_equal(rh_evloop_timer_count(loop), 0);
	for (int i = 0; i < 6; i++)
		assert_false(rh_timer_running(&t[i].t));
	rh_evloop_free(loop);
}

static void test_timer_rearm_and_cancel(void **state)
{
	struct rh_evloop *loop = rh_evloop_new();
	struct order o = {0};
	struct tmr a = {.id = 1, .o = &o}, b = {.id = 2, .o = &o}, c = {.id = 3, .o = &o};
	uint64_t start;

	(void)state;
	rh_timer_init(&a.t, record, &a);
	rh_timer_init(&b.t, record, &b);
	rh_timer_init(&c.t, record, &c);
	start = rh_evloop_update_now(loop);
	assert_int_equal(rh_timer_start(loop, &a.t, 10), 0);
	assert_int_equal(rh_timer_start(loop, &b.t, 20), 0);
	assert_int_equal(rh_timer_start(loop, &c.t, 30), 0);
	/* Re-arming moves a later; stopping c removes it; stopping twice is harmless. */
	assert_int_equal(rh_timer_start(loop, &a.t, 60), 0);
	assert_int_equal(rh_evloop_timer_count(loop), 3);
	assert_true(rh_timer_remaining(loop, &a.t) > 50);
	rh_timer_stop(loop, &c.t);
	rh_timer_stop(loop, &c.t);
	assert_false(rh_timer_running(&c.t));
	assert_int_equal(rh_timer_remaining(loop, &c.t), UINT64_MAX);
	assert_int_equal(rh_evloop_timer_count(loop), 2);
	run_until(loop, &o.n, 2);
	assert_int_equal(o.n, 2);
	assert_int_equal(o.fired[0], 2);
	assert_int_equal(o.fired[1], 1);
	assert_true(rh_evloop_now_ms(loop) - start >= 60);
	/* A stopped timer does not fire. */
	for (int i = 0; i < 5; i++)
		rh_evloop_run_once(loop, 10);
	assert_int_equal(o.n, 2);
	rh_evloop_free(loop);
}

/* A periodic timer: re-arms itself from its callback, 0 ms, and must not loop forever. */
struct periodic {
	struct rh_timer t;
	int n;
};

static void periodic_cb(struct rh_evloop *loop, struct rh_timer *t, void *arg)
{
	struct periodic *p = arg;

	p->n++;
	if (p->n < 5)
		assert_int_equal(rh_timer_start(loop, t, 0), 0);
}

static void test_timer_rearm_from_callback(void **state)
{
	struct rh_evloop *loop = rh_evloop_new();
	struct periodic p = {.n = 0};

	(void)state;
	rh_timer_init(&p.t, periodic_cb, &p);
	assert_int_equal(rh_timer_start(loop, &p.t, 0), 0);
	/* Each iteration runs it at most once. */
	assert_int_equal(rh_evloop_run_once(loop, 0), 1);
	assert_int_equal(p.n, 1);
	run_until(loop, &p.n, 5);
	assert_int_equal(p.n, 5);
	assert_false(rh_timer_running(&p.t));
	rh_evloop_free(loop);
}

/* Many timers, random start and stop: the heap must pop them sorted. */
static void test_timer_heap_random(void **state)
{
	struct rh_evloop *loop = rh_evloop_new();
	enum { N = 500 };
	struct order o = {0};
	struct tmr *t = calloc(N, sizeof(*t));
	uint64_t last = 0;
	size_t running = 0;

	(void)state;
	assert_non_null(t);
	srand(42);
	for (int i = 0; i < N; i++) {
		t[i].id = i;
		t[i].o = &o;
		rh_timer_init(&t[i].t, record, &t[i]);
		assert_int_equal(rh_timer_start(loop, &t[i].t, 1000 + (uint64_t)(rand() % 5000)),
		                 0);
	}
	for (int i = 0; i < N; i += 3)
		rh_timer_stop(loop, &t[i].t);
	for (int i = 1; i < N; i += 7)
		assert_int_equal(rh_timer_start(loop, &t[i].t, 1000 + (uint64_t)(rand() % 5000)),
		                 0);
	for (int i = 0; i < N; i++)
		running += rh_timer_running(&t[i].t);
	assert_int_equal(rh_evloop_timer_count(loop), running);
	/* Pop by stopping the earliest each time: the expiry times never go down. */
	while (rh_evloop_timer_count(loop) > 0) {
		struct rh_timer *first = NULL;

		for (int i = 0; i < N; i++)
			if (rh_timer_running(&t[i].t) &&
			    (first == NULL || t[i].t.expire_ms < first->expire_ms ||
			     (t[i].t.expire_ms == first->expire_ms && t[i].t.seq < first->seq)))
				first = &t[i].t;
		assert_int_equal(first->idx, 0);
		assert_true(first->expire_ms >= last);
		last = first->expire_ms;
		rh_timer_stop(loop, first);
	}
	free(t);
	rh_evloop_free(loop);
}

struct pipe_ctx {
	struct rh_io rd, wr;
	int reads, writes;
	char got[16];
	size_t got_len;
};

static void pipe_read(struct rh_evloop *loop, struct rh_io *io, unsigned events, void *arg)
{
	struct pipe_ctx *c = arg;
	ssize_t n;

	(void)loop;
	assert_true(events & RH_EV_READ);
	n = read(io->fd, c->got + c->got_len, sizeof(c->got) - c->got_len);
	if (n > 0)
		c->got_len += (size_t)n;
	c->reads++;
}

static void pipe_write(struct rh_evloop *loop, struct rh_io *io, unsigned events, void *arg)
{
	struct pipe_ctx *c = arg;

	assert_true(events & RH_EV_WRITE);
	assert_int_equal(write(io->fd, "bgp", 3), 3);
	c->writes++;
	/* Written once: drop the write interest. */
	assert_int_equal(rh_io_modify(loop, io, 0), 0);
}

static void test_fd_readiness(void **state)
{
	struct rh_evloop *loop = rh_evloop_new();
	struct pipe_ctx c = {.reads = 0};
	int fds[2];

	(void)state;
	assert_int_equal(pipe(fds), 0);
	rh_io_init(&c.rd, pipe_read, &c);
	rh_io_init(&c.wr, pipe_write, &c);
	assert_false(rh_io_active(&c.rd));
	assert_int_equal(rh_io_add(loop, &c.rd, fds[0], RH_EV_READ), 0);
	assert_int_equal(rh_io_add(loop, &c.rd, fds[0], RH_EV_READ), -EEXIST);
	assert_int_equal(rh_io_add(loop, &c.wr, fds[1], 0), 0);
	/* Nothing is ready: the loop times out without callbacks. */
	assert_int_equal(rh_evloop_run_once(loop, 10), 0);
	assert_int_equal(c.reads + c.writes, 0);
	/* Asking for write makes the writer run, which makes the reader run. */
	assert_int_equal(rh_io_modify(loop, &c.wr, RH_EV_WRITE), 0);
	run_until(loop, &c.reads, 1);
	assert_int_equal(c.writes, 1);
	assert_int_equal(c.reads, 1);
	assert_int_equal(c.got_len, 3);
	assert_memory_equal(c.got, "bgp", 3);
	/* Once removed, the reader is not called although data waits. */
	assert_int_equal(write(fds[1], "x", 1), 1);
	rh_io_del(loop, &c.rd);
	assert_false(rh_io_active(&c.rd));
	assert_int_equal(rh_evloop_run_once(loop, 10), 0);
	assert_int_equal(c.reads, 1);
	rh_io_del(loop, &c.wr);
	close(fds[0]);
	close(fds[1]);
	rh_evloop_free(loop);
}

/* Two watchers ready in the same round; the first removes the second. */
struct pair {
	struct rh_io a, b;
	int calls;
};

static void remove_other(struct rh_evloop *loop, struct rh_io *io, unsigned events, void *arg)
{
	struct pair *p = arg;

	(void)events;
	p->calls++;
	rh_io_del(loop, io == &p->a ? &p->b : &p->a);
	rh_io_del(loop, io);
}

static void test_fd_removed_during_dispatch(void **state)
{
	struct rh_evloop *loop = rh_evloop_new();
	struct pair p = {.calls = 0};
	int p1[2], p2[2];

	(void)state;
	assert_int_equal(pipe(p1), 0);
	assert_int_equal(pipe(p2), 0);
	assert_int_equal(write(p1[1], "a", 1), 1);
	assert_int_equal(write(p2[1], "b", 1), 1);
	rh_io_init(&p.a, remove_other, &p);
	rh_io_init(&p.b, remove_other, &p);
	assert_int_equal(rh_io_add(loop, &p.a, p1[0], RH_EV_READ), 0);
	assert_int_equal(rh_io_add(loop, &p.b, p2[0], RH_EV_READ), 0);
	assert_int_equal(rh_evloop_run_once(loop, 100), 1);
	assert_int_equal(p.calls, 1);
	assert_int_equal(rh_evloop_run_once(loop, 10), 0);
	for (int i = 0; i < 2; i++) {
		close(p1[i]);
		close(p2[i]);
	}
	rh_evloop_free(loop);
}

static void hangup(struct rh_evloop *loop, struct rh_io *io, unsigned events, void *arg)
{
	unsigned *seen = arg;

	*seen = events;
	rh_io_del(loop, io);
}

static void test_fd_hangup(void **state)
{
	struct rh_evloop *loop = rh_evloop_new();
	struct rh_io io;
	unsigned seen = 0;
	int fds[2];

	(void)state;
	assert_int_equal(pipe(fds), 0);
	rh_io_init(&io, hangup, &seen);
	assert_int_equal(rh_io_add(loop, &io, fds[0], RH_EV_READ), 0);
	close(fds[1]);
	assert_int_equal(rh_evloop_run_once(loop, 100), 1);
	assert_true(seen & RH_EV_ERROR);
	close(fds[0]);
	rh_evloop_free(loop);
}

static void stop_cb(struct rh_evloop *loop, struct rh_timer *t, void *arg)
{
	int *n = arg;

	(void)t;
	(*n)++;
	rh_evloop_stop(loop);
}

static void test_stop(void **state)
{
	struct rh_evloop *loop = rh_evloop_new();
	struct rh_timer t, later;
	int n = 0, m = 0;

	(void)state;
	rh_timer_init(&t, stop_cb, &n);
	rh_timer_init(&later, stop_cb, &m);
	assert_int_equal(rh_timer_start(loop, &t, 5), 0);
	assert_int_equal(rh_timer_start(loop, &later, 60000), 0);
	assert_int_equal(rh_evloop_run(loop), 0);
	assert_int_equal(n, 1);
	assert_int_equal(m, 0);
	assert_true(rh_timer_running(&later));
	rh_evloop_free(loop);
}

static void on_signal(struct rh_evloop *loop, int signo, void *arg)
{
	int *got = arg;

	*got = signo;
	rh_evloop_stop(loop);
}

static void test_signal(void **state)
{
	struct rh_evloop *loop = rh_evloop_new();
	struct rh_timer guard;
	int got = 0, guard_fired = 0;

	(void)state;
	assert_int_equal(rh_evloop_signal(loop, SIGUSR1, on_signal, &got), 0);
	assert_int_equal(rh_evloop_signal(loop, 0, on_signal, &got), -EINVAL);
	/* A guard so that a lost signal fails the test instead of hanging it. */
	rh_timer_init(&guard, stop_cb, &guard_fired);
	assert_int_equal(rh_timer_start(loop, &guard, 2000), 0);
	assert_int_equal(kill(getpid(), SIGUSR1), 0);
	assert_int_equal(rh_evloop_run(loop), 0);
	assert_int_equal(got, SIGUSR1);
	assert_int_equal(guard_fired, 0);
	assert_int_equal(rh_evloop_signal(loop, SIGUSR1, NULL, NULL), 0);
	rh_evloop_free(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_timers_fire_in_order),
	        cmocka_unit_test(test_timer_rearm_and_cancel),
	        cmocka_unit_test(test_timer_rearm_from_callback),
	        cmocka_unit_test(test_timer_heap_random),
	        cmocka_unit_test(test_fd_readiness),
	        cmocka_unit_test(test_fd_removed_during_dispatch),
	        cmocka_unit_test(test_fd_hangup),
	        cmocka_unit_test(test_stop),
	        cmocka_unit_test(test_signal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
