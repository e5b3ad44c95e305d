/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A stand-in control plane for routehubctl's tests: listens on a management socket and
 * answers every command with the same body (the second argument) until it has answered
 * `count` requests or `seconds` have passed, then exits. Bounded by construction.
 *   mgmt_fake SOCKET BODY COUNT SECONDS
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mgmt.h"

static const char *reply;

static enum mgmt_status handle(void *ctx, const char *cmd, char **body, size_t *len)
{
	(void)ctx;
	(void)cmd;
	*body = strdup(reply);
	*len = *body != NULL ? strlen(*body) : 0;
	return MGMT_OK;
}

int main(int argc, char **argv)
{
	int fd, left;
	time_t end;

	if (argc != 5) {
		fprintf(stderr, "usage: mgmt_fake SOCKET BODY COUNT SECONDS\n");
		return 2;
	}
	reply = argv[2];
	left = atoi(argv[3]);
	end = time(NULL) + atoi(argv[4]);
	fd = mgmt_listen(argv[1]);
	if (fd < 0) {
		fprintf(stderr, "mgmt_fake: %s: cannot listen\n", argv[1]);
		return 1;
	}
	while (left > 0 && time(NULL) < end) {
		struct pollfd p = {.fd = fd, .events = POLLIN};

		if (poll(&p, 1, 200) > 0 && mgmt_serve_one(fd, handle, NULL, 1000) == 1)
			left--;
	}
	close(fd);
	unlink(argv[1]);
	return 0;
}
