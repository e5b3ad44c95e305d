/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control plane: one event loop that runs the BGP sessions of every hub part (route
 * server, ExpressRoute and VPN gateway instances), feeds their UPDATEs to the hub model,
 * sends each peer what the hub exports for it, programs the dataplane's FIB with the
 * effective routes, and answers the management socket.
 */
#ifndef ROUTEHUB_CP_SPEAKER_H
#define ROUTEHUB_CP_SPEAKER_H

#include <stdint.h>

#include "config.h"
#include "evloop.h"
#include "routehub/mgmt.h"

struct cp;

struct cp_opts {
	uint16_t bgp_port;       /* 0: 179 (tests and benchmarks may choose another) */
	const char *config_file; /* kept for `reload` */
};

/* Builds everything from the configuration and starts the sessions. NULL and errno. */
struct cp *cp_new(struct rh_evloop *loop, const struct rh_config *cfg, const struct cp_opts *o);
/* Stops every session with a shutdown communication and frees everything. */
void cp_free(struct cp *cp, const char *why);

/* Handles one management command (see cli/routehubctl.c for the grammar). */
enum mgmt_status cp_mgmt_handle(void *cp, const char *cmd, char **body, size_t *len);

/*
 * `reload` and SIGHUP (reload.c): reads the configuration file again and applies what
 * changed. The reply's body in *body (malloc'd): JSON of routehub:state/reload when
 * applied (MGMT_OK), the problems when refused (MGMT_ERROR; nothing changed).
 */
enum mgmt_status cp_reload(struct cp *cp, char **body, size_t *len);

#endif
