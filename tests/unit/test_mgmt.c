/* SPDX-License-Identifier: BSD-3-Clause */
/* The management protocol: a forked server answering a real client over a Unix socket. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "mgmt.h"

static char sock_path[108];

static enum mgmt_status handler(void *ctx, const char *cmd, char **body, size_t *len)
{
	(void)ctx;
	if (strcmp(cmd, "big") == 0) {
		*len = 10u << 20;
		*body = malloc(*len);
		memset(*body, 'x', *len);
		return MGMT_OK;
	}
	if (strncmp(cmd, "echo ", 5) == 0) {
		*body = strdup(cmd + 5);
		*len = strlen(*body);
		return MGMT_OK;
	}
	if (strcmp(cmd, "empty") == 0)
		return MGMT_OK;
	*body = strdup("unknown command");
	*len = strlen(*body);
	return MGMT_ERROR;
}

/* Serves `n` requests in a child process, then exits. */
static pid_t serve(int n)
{
	int fd = mgmt_listen(sock_path);
	pid_t pid;

	assert_true(fd >= 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		for (int served = 0; served < n;) {
			int rc = mgmt_serve_one(fd, handler, NULL, 500);

			if (rc == 1 || rc < 0)
				served++;
			else
				usleep(1000);
		}
		_exit(0);
	}
	close(fd);
	return pid;
}

static void reap(pid_t pid)
{
	int st;

	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(sock_path, sizeof(sock_path), "/tmp/routehub-test-mgmt-%d/d/ctl.sock", getpid());
	return 0;
}

static void test_request_response(void **state)
{
	pid_t pid = serve(3);
	enum mgmt_status st;
	char *body;
	size_t len;

	(void)state;
	assert_int_equal(mgmt_request(sock_path, "echo show bgp summary", 2000, &st, &body, &len),
	                 0);
	assert_int_equal(st, MGMT_OK);
	assert_string_equal(body, "show bgp summary");
	free(body);
	assert_int_equal(mgmt_request(sock_path, "bogus", 2000, &st, &body, &len), 0);
	assert_int_equal(st, MGMT_ERROR);
	assert_string_equal(body, "unknown command");
	free(body);
	assert_int_equal(mgmt_request(sock_path, "empty", 2000, &st, &body, &len), 0);
	assert_int_equal(st, MGMT_OK);
	assert_int_equal(len, 0);
	free(body);
	reap(pid);
}

static void test_large_response(void **state)
{
	pid_t pid = serve(1);
	enum mgmt_status st;
	char *body;
	size_t len;

	(void)state;
	assert_int_equal(mgmt_request(sock_path, "big", 5000, &st, &body, &len), 0);
	assert_int_equal(len, 10u << 20);
	assert_int_equal(body[0], 'x');
	assert_int_equal(body[len - 1], 'x');
	free(body);
	reap(pid);
}

/* A client that connects and says nothing is dropped; the next one is served. */
static void test_silent_client_dropped(void **state)
{
	pid_t pid = serve(2);
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	enum mgmt_status st;
	char *body;
	size_t len;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	(void)state;
	strcpy(sun.sun_path, sock_path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	usleep(700 * 1000); /* past the server's 500 ms */
	assert_int_equal(mgmt_request(sock_path, "echo hi", 2000, &st, &body, &len), 0);
	assert_string_equal(body, "hi");
	free(body);
	close(fd);
	reap(pid);
}

static void test_no_daemon(void **state)
{
	enum mgmt_status st;
	char *body;
	size_t len;
	int rc;

	(void)state;
	rc = mgmt_request("/tmp/routehub-test-mgmt-none/x.sock", "echo a", 500, &st, &body, &len);
	assert_int_equal(rc, -ENOENT);
	/* A stale socket file (nobody listening) is refused, then replaced by a new server. */
	rc = mgmt_request(sock_path, "echo a", 500, &st, &body, &len);
	assert_int_equal(rc, -ECONNREFUSED);
	pid_t pid = serve(1);
	assert_int_equal(mgmt_request(sock_path, "echo again", 2000, &st, &body, &len), 0);
	free(body);
	reap(pid);
}

static void test_socket_in_use_refused(void **state)
{
	int fd = mgmt_listen(sock_path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(mgmt_listen(sock_path), -EADDRINUSE);
	close(fd);
}

static int teardown(void **state)
{
	char dir[sizeof(sock_path)];

	(void)state;
	unlink(sock_path);
	snprintf(dir, sizeof(dir), "%s", sock_path);
	*strrchr(dir, '/') = '\0';
	rmdir(dir);
	*strrchr(dir, '/') = '\0';
	rmdir(dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_request_response),      cmocka_unit_test(test_large_response),
	        cmocka_unit_test(test_silent_client_dropped), cmocka_unit_test(test_no_daemon),
	        cmocka_unit_test(test_socket_in_use_refused),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("mgmt", tests, setup, teardown);
}
