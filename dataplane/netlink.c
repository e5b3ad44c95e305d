/* SPDX-License-Identifier: BSD-3-Clause */
/* rtnetlink: addresses on the TAP interfaces (see netlink.h). */
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "netlink.h"

struct nl_req {
	struct nlmsghdr nh;
	struct ifaddrmsg ifa;
	char attrs[64];
};

static void add_attr(struct nl_req *r, unsigned short type, const void *data, unsigned short len)
{
	struct rtattr *rta = (struct rtattr *)((char *)r + NLMSG_ALIGN(r->nh.nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

/* Waits for the kernel's acknowledgement: its error code, 0 for success. */
static int nl_ack(int fd, uint32_t seq)
{
	char buf[4096];
	ssize_t n;

	for (int tries = 0; tries < 8; tries++) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (unsigned)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != seq || h->nlmsg_type != NLMSG_ERROR)
				continue;
			return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
		}
	}
	return -EPROTO;
}

int nl_addr_add(unsigned ifindex, const struct rh_ifaddr *a)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	struct timeval tv = {.tv_sec = 2};
	struct nl_req req;
	unsigned alen = a->addr.family == RH_AF_INET ? 4 : 16;
	uint32_t flags = IFA_F_NODAD;
	int fd, rc;

	if (a->addr.family != RH_AF_INET && a->addr.family != RH_AF_INET6)
		return -EAFNOSUPPORT;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
	req.nh.nlmsg_type = RTM_NEWADDR;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
	req.nh.nlmsg_seq = 1;
	req.ifa.ifa_family = a->addr.family == RH_AF_INET ? AF_INET : AF_INET6;
	req.ifa.ifa_prefixlen = a->len;
	req.ifa.ifa_scope = RT_SCOPE_UNIVERSE;
	req.ifa.ifa_index = ifindex;
	add_attr(&req, IFA_LOCAL, a->addr.bytes, (unsigned short)alen);
	add_attr(&req, IFA_ADDRESS, a->addr.bytes, (unsigned short)alen);
	if (a->addr.family == RH_AF_INET6)
		add_attr(&req, IFA_FLAGS, &flags, sizeof(flags));
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	/* Bounded: the kernel answers at once, but a stuck answer must not stall startup. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		rc = -errno;
	else
		rc = nl_ack(fd, req.nh.nlmsg_seq);
	close(fd);
	return rc == -EEXIST ? 0 : rc;
}
