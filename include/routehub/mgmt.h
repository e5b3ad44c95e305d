/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The management protocol, spoken by routehubctl to either daemon over its Unix stream
 * socket (control-plane/mgmt-socket, dataplane/mgmt-socket in the configuration).
 *
 * One request per connection:
 *   request:  u32 length (host order) + the command as text, e.g. "show bgp summary"
 *   response: u32 length (host order) + u8 status + body
 * status MGMT_OK: the body is JSON data of the routehub YANG module's operational state
 * (the "routehub:state" container, printed by libyang), or empty for a command that only
 * acts. status MGMT_ERROR: the body is a one-line message for people.
 */
#ifndef ROUTEHUB_MGMT_H
#define ROUTEHUB_MGMT_H

#include <stddef.h>
#include <stdint.h>

#define MGMT_MAX_REQUEST  4096
#define MGMT_MAX_RESPONSE (256u << 20)

enum mgmt_status {
	MGMT_OK = 0,
	MGMT_ERROR = 1,
};

#endif
