/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The FIB channel: how the control plane programs the dataplane's FIB.
 *
 * Transport: a Unix SOCK_SEQPACKET socket (the dataplane listens, the control plane
 * connects). One datagram carries one message: a fibc_hdr followed by `count` records
 * of the message's type. Numbers are in host byte order (both ends run on one machine);
 * addresses are in network byte order. A message is at most FIBC_MAX_MSG bytes.
 *
 * Every request is answered by exactly one FIBC_ACK carrying the request's seq, a status
 * (0 or a negative errno), the index of the first record that failed, and the FIB's
 * generation number after the request was applied. A batch is applied record by record:
 * on an error the records before the failing one stay applied.
 *
 * Session:
 *   control plane                         dataplane
 *   HELLO(version)                  --->
 *                                   <---  ACK(generation, instance id, route counts)
 *   SYNC_BEGIN                      --->  marks every entry stale
 *   NH_ADD / NHG_ADD / ROUTE_ADD ...--->  (re)adds entries, each one un-staled
 *   SYNC_END                        --->  sweeps entries still stale
 *   ROUTE_ADD / ROUTE_DEL ...       --->  incremental updates from then on
 *
 * A route added that already exists is replaced in place (never removed first), so a
 * resync never takes a valid route out of the FIB. The dataplane keeps its FIB when the
 * control plane goes away; a new control plane resynchronises it as above. The instance
 * id in the HELLO acknowledgement changes each time the dataplane starts, which tells a
 * reconnecting control plane that the FIB is empty and must be sent whole.
 */
#ifndef ROUTEHUB_FIB_CHANNEL_H
#define ROUTEHUB_FIB_CHANNEL_H

#include <stdint.h>

#define FIBC_VERSION 1
#define FIBC_MAX_MSG 65536

enum fibc_type {
	FIBC_HELLO = 1,      /* no records; hdr.count = 0 */
	FIBC_ACK = 2,        /* one struct fibc_ack */
	FIBC_SYNC_BEGIN = 3, /* no records */
	FIBC_SYNC_END = 4,   /* no records */
	FIBC_NH_ADD = 5,     /* count x struct fibc_nh */
	FIBC_NH_DEL = 6,     /* count x struct fibc_nh (only id is read) */
	FIBC_NHG_ADD = 7,    /* one struct fibc_nhg followed by count x uint32_t member ids */
	FIBC_NHG_DEL = 8,    /* one struct fibc_nhg, count = 0 */
	FIBC_ROUTE_ADD = 9,  /* count x struct fibc_route */
	FIBC_ROUTE_DEL = 10, /* count x struct fibc_route (nh_id ignored) */
};

struct fibc_hdr {
	uint16_t version; /* FIBC_VERSION */
	uint16_t type;    /* enum fibc_type */
	uint32_t len;     /* whole message, header included */
	uint32_t seq;     /* chosen by the sender of a request, echoed in its ACK */
	uint32_t count;   /* number of records */
};

/* Port value of a next hop whose port the dataplane finds from its connected subnets. */
#define FIBC_PORT_ANY 0xffff

#define FIBC_NH_F_BLACKHOLE 0x01 /* drop (counted) */
#define FIBC_NH_F_LOCAL     0x02 /* deliver to the exception path */

struct fibc_nh {
	uint32_t id;    /* 1..max next hops; 0 is invalid */
	uint16_t port;  /* index of the port in the configuration's dataplane/port list */
	uint8_t family; /* RH_AF_INET or RH_AF_INET6 */
	uint8_t flags;  /* FIBC_NH_F_* */
	uint8_t addr[16];
};

#define FIBC_NHG_MAX_MEMBERS 64

struct fibc_nhg {
	uint32_t id; /* its own id space, shared with nothing */
	uint32_t reserved;
};

#define FIBC_RT_F_GROUP 0x0001 /* nh_id names a next-hop group */

struct fibc_route {
	uint8_t family; /* RH_AF_INET or RH_AF_INET6 */
	uint8_t len;    /* prefix length */
	uint16_t flags; /* FIBC_RT_F_* */
	uint32_t nh_id; /* next hop (or group) id; ignored in ROUTE_DEL */
	uint8_t addr[16];
};

struct fibc_ack {
	uint32_t seq;          /* the request's */
	int32_t status;        /* 0 or a negative errno */
	uint32_t failed_index; /* first record that failed, when status < 0 */
	uint32_t reserved;
	uint64_t generation;  /* bumped on every change that was applied */
	uint64_t instance_id; /* new each time the dataplane starts */
	uint32_t routes_v4;   /* routes in the FIB after the request */
	uint32_t routes_v6;
};

/* The most records of each kind that fit in one message. */
#define FIBC_MAX_ROUTES ((FIBC_MAX_MSG - sizeof(struct fibc_hdr)) / sizeof(struct fibc_route))
#define FIBC_MAX_NHS    ((FIBC_MAX_MSG - sizeof(struct fibc_hdr)) / sizeof(struct fibc_nh))

_Static_assert(sizeof(struct fibc_hdr) == 16, "fibc_hdr is part of the wire format");
_Static_assert(sizeof(struct fibc_nh) == 24, "fibc_nh is part of the wire format");
_Static_assert(sizeof(struct fibc_nhg) == 8, "fibc_nhg is part of the wire format");
_Static_assert(sizeof(struct fibc_route) == 24, "fibc_route is part of the wire format");
_Static_assert(sizeof(struct fibc_ack) == 40, "fibc_ack is part of the wire format");

#endif
