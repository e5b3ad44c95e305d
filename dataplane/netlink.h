/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The little rtnetlink the exception path needs: putting the port's addresses on the
 * kernel side of its TAP, so that the kernel answers ARP / ND and runs TCP (BGP) for them.
 * No shell, no `ip` binary: one request on a NETLINK_ROUTE socket, acknowledged.
 */
#ifndef ROUTEHUB_DP_NETLINK_H
#define ROUTEHUB_DP_NETLINK_H

#include "config.h"

/*
 * Adds an address with its connected prefix length to interface ifindex (IPv6 without
 * duplicate address detection: the address is the appliance's and must work at once).
 * An address already there is not an error. Returns 0 or a negative errno.
 */
int nl_addr_add(unsigned ifindex, const struct rh_ifaddr *a);

#endif
