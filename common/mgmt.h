/* SPDX-License-Identifier: BSD-3-Clause */
/* Server and client ends of the management protocol (include/routehub/mgmt.h). */
#ifndef ROUTEHUB_COMMON_MGMT_H
#define ROUTEHUB_COMMON_MGMT_H

#include <stddef.h>

#include "routehub/mgmt.h"

/*
 * A handler answers one command: it sets *body (malloc'd, may be NULL for an empty body)
 * and *len, and returns MGMT_OK or MGMT_ERROR (then *body is the message).
 */
typedef enum mgmt_status (*mgmt_handler_fn)(void *ctx, const char *cmd, char **body, size_t *len);

/*
 * Creates the listening socket at path (its directory is created; a stale socket file is
 * replaced), non-blocking. Returns the fd or a negative errno.
 */
int mgmt_listen(const char *path);

/*
 * Accepts and answers at most one pending connection. Never blocks on accept; a client
 * that does not send its request within timeout_ms is dropped. Returns 1 if a request
 * was answered, 0 if none was pending, or a negative errno.
 */
int mgmt_serve_one(int listen_fd, mgmt_handler_fn handler, void *ctx, int timeout_ms);

/*
 * Sends a command and waits for the answer (at most timeout_ms for each step). On success
 * returns 0 with *status, *body (malloc'd, NUL-terminated) and *len. Returns -ENOENT or
 * -ECONNREFUSED when no daemon listens at path.
 */
int mgmt_request(const char *path, const char *cmd, int timeout_ms, enum mgmt_status *status,
                 char **body, size_t *len);

#endif
