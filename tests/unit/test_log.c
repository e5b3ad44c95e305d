/* SPDX-License-Identifier: BSD-3-Clause */
/* Logging: the journald stream detection, the line formats, and the flood limiter. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"

static void stream_of(int fd, char *buf, size_t size)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	snprintf(buf, size, "%llu:%llu", (unsigned long long)st.st_dev,
	         (unsigned long long)st.st_ino);
}

static void test_journal_stream_must_be_the_fd(void **state)
{
	FILE *a = tmpfile(), *b = tmpfile();
	char js[64];

	(void)state;
	stream_of(fileno(a), js, sizeof(js));
	assert_true(rh_log_is_journal(js, fileno(a)));
	/* Inherited by a child whose stderr is elsewhere: not the journal. */
	assert_false(rh_log_is_journal(js, fileno(b)));
	assert_false(rh_log_is_journal(NULL, fileno(a)));
	assert_false(rh_log_is_journal("", fileno(a)));
	assert_false(rh_log_is_journal("12", fileno(a)));
	assert_false(rh_log_is_journal("x:y", fileno(a)));
	strcat(js, "x");
	assert_false(rh_log_is_journal(js, fileno(a)));
	fclose(a);
	fclose(b);
}

/* Runs fn with stderr redirected to a file and returns what it wrote. */
static char *capture_stderr(bool journal, void (*fn)(void))
{
	FILE *f = tmpfile();
	int saved = dup(STDERR_FILENO);
	char js[64], *out = calloc(1, 65536);

	assert_non_null(out);
	fflush(stderr);
	assert_true(dup2(fileno(f), STDERR_FILENO) >= 0);
	stream_of(STDERR_FILENO, js, sizeof(js));
	if (journal)
		setenv("JOURNAL_STREAM", js, 1);
	else
		unsetenv("JOURNAL_STREAM");
	rh_log_init("test_log", LOG_INFO);
	fn();
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(f);
	(void)!fread(out, 1, 65535, f);
	fclose(f);
	unsetenv("JOURNAL_STREAM");
	return out;
}

static void log_three(void)
{
	log_warn("peer %s: down", "192.0.2.1");
	log_info("info line");
	log_debug("not at LOG_INFO");
}

static void test_journal_lines_carry_the_priority(void **state)
{
	char *out = capture_stderr(true, log_three);

	(void)state;
	assert_string_equal(out, "<4>peer 192.0.2.1: down\n<6>info line\n");
	free(out);
	out = capture_stderr(false, log_three);
	/* "HH:MM:SS.mmm test_log[PID] warning: ...": time and level for a terminal. */
	assert_non_null(strstr(out, " test_log["));
	assert_non_null(strstr(out, "] warning: peer 192.0.2.1: down\n"));
	assert_non_null(strstr(out, "] info: info line\n"));
	assert_null(strstr(out, "<4>"));
	assert_null(strstr(out, "not at LOG_INFO"));
	free(out);
}

static void test_limiter_first_then_once_per_interval_with_count(void **state)
{
	struct rh_log_limit l = {0};
	uint64_t count = 0;

	(void)state;
	/* The first event is logged at once. */
	assert_true(rh_log_limit_check(&l, 7, 1000, 60000, 3, &count));
	assert_int_equal(count, 3);
	/* Within the interval: counted, not logged. */
	for (unsigned i = 0; i < 1000; i++)
		assert_false(rh_log_limit_check(&l, 7, 1000 + i * 50, 60000, 1, &count));
	/* Past it: one line standing for every event since the last one. */
	assert_true(rh_log_limit_check(&l, 7, 61000, 60000, 2, &count));
	assert_int_equal(count, 1002);
	assert_false(rh_log_limit_check(&l, 7, 61001, 60000, 1, &count));
	/* Another key in the slot starts afresh. */
	assert_true(rh_log_limit_check(&l, 8, 61002, 60000, 1, &count));
	assert_int_equal(count, 1);
}

static void flood(void)
{
	for (unsigned i = 0; i < 10000; i++)
		rh_log_summary(LOG_NOTICE, 42, 60, 1, "peer %s: route refused: %s", "192.0.2.1",
		               "AS path contains 65515");
	rh_log_summary(LOG_NOTICE, 43, 60, 5, "another key");
	/* Two sessions whose keys (pointers) differ only above the low byte, alternating:
	 * each logged once, neither evicting the other. */
	for (unsigned i = 0; i < 100; i++)
		rh_log_summary(LOG_NOTICE, 0x7f0000001000ul + (i % 2) * 0x100ul, 60, 1,
		               "session %u", i % 2);
}

static void test_summary_is_not_a_flood(void **state)
{
	char *out = capture_stderr(true, flood);

	(void)state;
	assert_string_equal(out, "<5>peer 192.0.2.1: route refused: AS path contains 65515\n"
	                         "<5>another key (5 times since the last report)\n"
	                         "<5>session 0\n<5>session 1\n");
	free(out);
}

static void many_keys(void)
{
	for (unsigned round = 0; round < 20; round++)
		for (unsigned long k = 0; k < 200; k++)
			rh_log_summary(LOG_NOTICE, 0x7f0000000000ul + k * 0x10000ul, 60, 1,
			               "key %lu", k);
}

/* 200 keys (one per peer and reason), interleaved 20 times: 200 lines, not 4000. */
static void test_keys_do_not_evict_each_other(void **state)
{
	char *out = capture_stderr(true, many_keys);
	unsigned lines = 0;

	(void)state;
	for (const char *p = out; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	assert_int_equal(lines, 200);
	free(out);
}

/* A datagram socket where systemd's would be; returns its fd. */
static int notify_listener(struct sockaddr_un *sun, const char *name, bool abstract)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	socklen_t len;

	assert_true(fd >= 0);
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	snprintf(sun->sun_path, sizeof(sun->sun_path), "%s", name);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(name) + !abstract);
	if (abstract)
		sun->sun_path[0] = '\0';
	assert_int_equal(bind(fd, (struct sockaddr *)sun, len), 0);
	return fd;
}

static void test_sd_notify(void **state)
{
	struct sockaddr_un sun;
	char path[64], abs[64], buf[64];
	int fd;
	ssize_t n;

	(void)state;
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(rh_sd_notify("READY=1"), 0); /* not under systemd: nothing */
	snprintf(path, sizeof(path), "/tmp/rh-test-notify-%d", (int)getpid());
	unlink(path);
	fd = notify_listener(&sun, path, false);
	setenv("NOTIFY_SOCKET", path, 1);
	assert_int_equal(rh_sd_notify("READY=1"), 1);
	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	assert_int_equal(n, 7);
	buf[n] = '\0';
	assert_string_equal(buf, "READY=1");
	close(fd);
	unlink(path);
	/* The abstract namespace ("@name"). */
	snprintf(abs, sizeof(abs), "@rh-test-notify-%d", (int)getpid());
	fd = notify_listener(&sun, abs, true);
	setenv("NOTIFY_SOCKET", abs, 1);
	assert_int_equal(rh_sd_notify("STOPPING=1"), 1);
	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	assert_int_equal(n, 10);
	close(fd);
	/* Nobody listens: an error, not a crash. */
	setenv("NOTIFY_SOCKET", "/nonexistent/notify", 1);
	assert_true(rh_sd_notify("READY=1") < 0);
	setenv("NOTIFY_SOCKET", "relative", 1);
	assert_int_equal(rh_sd_notify("READY=1"), -EINVAL);
	unsetenv("NOTIFY_SOCKET");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_journal_stream_must_be_the_fd),
	        cmocka_unit_test(test_journal_lines_carry_the_priority),
	        cmocka_unit_test(test_limiter_first_then_once_per_interval_with_count),
	        cmocka_unit_test(test_summary_is_not_a_flood),
	        cmocka_unit_test(test_keys_do_not_evict_each_other),
	        cmocka_unit_test(test_sd_notify),
	};

	return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
