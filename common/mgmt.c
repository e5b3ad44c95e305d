/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "mgmt.h"

static int make_addr(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	strcpy(sun->sun_path, path);
	return 0;
}

static void mkdir_parents(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];

	snprintf(dir, sizeof(dir), "%s", path);
	for (char *p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(dir, 0755);
		*p = '/';
	}
}

int mgmt_listen(const char *path)
{
	struct sockaddr_un sun;
	int fd, rc;

	rc = make_addr(path, &sun);
	if (rc < 0)
		return rc;
	mkdir_parents(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* A socket file left by a daemon that died is stale: nobody can be listening on it
	 * if connect() is refused. Never remove one that still answers. */
	if (access(path, F_OK) == 0) {
		int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (probe >= 0 && connect(probe, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
			close(probe);
			close(fd);
			return -EADDRINUSE;
		}
		if (probe >= 0)
			close(probe);
		unlink(path);
	}
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(fd, 16) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	chmod(path, 0660);
	return fd;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads or writes exactly n bytes before the deadline. */
static int io_all(int fd, void *buf, size_t n, bool writing, long long deadline)
{
	uint8_t *p = buf;

	while (n > 0) {
		long long left = deadline - now_ms();
		struct pollfd pfd = {.fd = fd, .events = writing ? POLLOUT : POLLIN};
		ssize_t r;

		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (pfd.revents == 0)
			continue;
		r = writing ? send(fd, p, n, MSG_NOSIGNAL) : recv(fd, p, n, 0);
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		if (r == 0)
			return -ECONNRESET;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int mgmt_serve_one(int listen_fd, mgmt_handler_fn handler, void *ctx, int timeout_ms)
{
	char cmd[MGMT_MAX_REQUEST + 1];
	char *body = NULL;
	size_t len = 0;
	uint32_t n;
	uint8_t status;
	long long deadline;
	int fd, rc;

	fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
	deadline = now_ms() + timeout_ms;
	rc = io_all(fd, &n, sizeof(n), false, deadline);
	if (rc == 0 && (n == 0 || n > MGMT_MAX_REQUEST))
		rc = -EMSGSIZE;
	if (rc == 0)
		rc = io_all(fd, cmd, n, false, deadline);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	cmd[n] = '\0';
	status = (uint8_t)handler(ctx, cmd, &body, &len);
	if (len > MGMT_MAX_RESPONSE) {
		free(body);
		body = strdup("response too large");
		len = body != NULL ? strlen(body) : 0;
		status = MGMT_ERROR;
	}
	n = (uint32_t)len + 1;
	/* The answer may be large (every effective route): give writing its own time. */
	deadline = now_ms() + timeout_ms + (long long)(len >> 16);
	rc = io_all(fd, &n, sizeof(n), true, deadline);
	if (rc == 0)
		rc = io_all(fd, &status, 1, true, deadline);
	if (rc == 0 && len > 0)
		rc = io_all(fd, body, len, true, deadline);
	free(body);
	close(fd);
	return rc < 0 ? rc : 1;
}

int mgmt_request(const char *path, const char *cmd, int timeout_ms, enum mgmt_status *status,
                 char **body, size_t *len)
{
	struct sockaddr_un sun;
	long long deadline = now_ms() + timeout_ms;
	uint32_t n = (uint32_t)strlen(cmd);
	uint8_t st;
	char *buf;
	int fd, rc;

	*body = NULL;
	*len = 0;
	if (n == 0 || n > MGMT_MAX_REQUEST)
		return -EMSGSIZE;
	rc = make_addr(path, &sun);
	if (rc < 0)
		return rc;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	rc = io_all(fd, &n, sizeof(n), true, deadline);
	if (rc == 0)
		rc = io_all(fd, (void *)cmd, n, true, deadline);
	if (rc == 0)
		rc = io_all(fd, &n, sizeof(n), false, deadline);
	if (rc == 0 && (n == 0 || n > MGMT_MAX_RESPONSE + 1))
		rc = -EMSGSIZE;
	if (rc == 0)
		rc = io_all(fd, &st, 1, false, deadline);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	buf = malloc(n);
	if (buf == NULL) {
		close(fd);
		return -ENOMEM;
	}
	rc = n > 1 ? io_all(fd, buf, n - 1, false, deadline + (long long)(n >> 16)) : 0;
	close(fd);
	if (rc < 0) {
		free(buf);
		return rc;
	}
	buf[n - 1] = '\0';
	*body = buf;
	*len = n - 1;
	*status = (enum mgmt_status)st;
	return 0;
}
