/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exception path, on the main lcore:
 *  - a net_tap vdev per port ("rh-<port name>" on the kernel side, the port's MAC, MTU
 *    and addresses): what the workers punt for the appliance itself (ARP, ND, BGP, ICMP
 *    echo, ...) is written into it, and what the kernel sends out of it leaves through
 *    the port. A BGP daemon on this host thus talks to its peers with ordinary sockets;
 *  - ARP and ND packets are shown to the neighbour table before they go to the kernel;
 *  - packets punted for TTL expiry, no route or size get their ICMP error (icmp.h);
 *  - packets waiting for a neighbour (the neighbour ring) are held by the neighbour
 *    table and forwarded from here once it answers (TTL decremented, as a worker would).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_ring.h>

#include "dp.h"
#include "log.h"
#include "netlink.h"

#define PUNT_BURST 32
#define ETH_HLEN   ((uint32_t)sizeof(struct rte_ether_hdr))

void dp_tx(struct dp_main *d, uint16_t port, struct rte_mbuf *m)
{
	if (port >= d->n_ports ||
	    rte_eth_tx_burst(d->port[port].eth_port, d->main_txq, &m, 1) != 1) {
		d->stats.slow_drops++;
		rte_pktmbuf_free(m);
	}
}

static void to_kernel(struct dp_main *d, uint16_t port, struct rte_mbuf *m)
{
	if (!d->tap[port].up || rte_eth_tx_burst(d->tap[port].eth_port, 0, &m, 1) != 1) {
		d->stats.kernel_drops++;
		rte_pktmbuf_free(m);
		return;
	}
	d->stats.to_kernel++;
}

static uint8_t ip_family(const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV4))
		return RH_AF_INET;
	if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV6))
		return RH_AF_INET6;
	return 0;
}

/* The destination of an IP packet (16 bytes, IPv4 in the first 4). */
static void ip_dst(const struct rte_mbuf *m, uint8_t family, uint8_t dst[16])
{
	memset(dst, 0, 16);
	if (family == RH_AF_INET)
		memcpy(dst,
		       &rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, ETH_HLEN)->dst_addr,
		       4);
	else
		memcpy(dst,
		       rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, ETH_HLEN)->dst_addr,
		       16);
}

/* The source of an error sent about a packet received on port: the port's address on the
 * sender's subnet, else its first one of the family (RFC 1812 4.3.2.4 lets the router
 * pick). NULL when the port has none. */
static const uint8_t *icmp_source(const struct dp_main *d, uint16_t port, uint8_t family,
                                  const struct rte_mbuf *m)
{
	const struct rh_port_cfg *pc = &d->cfg->dp.port[port];
	const uint8_t *first = NULL;
	struct rh_addr src = {.family = family};

	if (family == RH_AF_INET)
		memcpy(src.bytes,
		       &rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, ETH_HLEN)->src_addr,
		       4);
	else
		memcpy(src.bytes,
		       rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, ETH_HLEN)->src_addr,
		       16);
	for (unsigned i = 0; i < pc->n_addrs; i++) {
		struct rh_prefix p = {.family = family, .len = pc->addr[i].len};

		if (pc->addr[i].addr.family != family)
			continue;
		memcpy(p.bytes, pc->addr[i].addr.bytes, 16);
		rh_prefix_normalise(&p);
		if (rh_prefix_has_addr(&p, &src))
			return pc->addr[i].addr.bytes;
		if (first == NULL)
			first = pc->addr[i].addr.bytes;
	}
	return first;
}

static void eth_set(struct rte_mbuf *m, const struct rte_ether_addr *dst,
                    const struct rte_ether_addr *src)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	eth->dst_addr = *dst;
	eth->src_addr = *src;
}

/* Sends a packet built here (an ICMP error) by the FIB, as a worker would route it. */
static void route_out(struct dp_main *d, struct rte_mbuf *m, uint8_t family, uint64_t now_ms)
{
	uint8_t dst[16];
	uint64_t val = DP_FIB_NONE;
	const struct dp_nh *nh;

	ip_dst(m, family, dst);
	if (family == RH_AF_INET) {
		uint32_t ip4 = rte_be_to_cpu_32(*(const rte_be32_t *)dst);

		dp_fib_lookup4_bulk(d->fib, &ip4, &val, 1);
	} else {
		dp_fib_lookup6_bulk(d->fib, (uint8_t(*)[16])dst, &val, 1);
	}
	nh = val == DP_FIB_NONE ? NULL : dp_fib_nh(d->fib, val, 0);
	if (nh == NULL || nh->port >= d->n_ports ||
	    (nh->state != DP_NH_RESOLVED && nh->state != DP_NH_INCOMPLETE)) {
		d->stats.no_route++;
		rte_pktmbuf_free(m);
		return;
	}
	if (nh->state == DP_NH_RESOLVED) {
		eth_set(m, &nh->dst_mac, &nh->src_mac);
		dp_tx(d, nh->port, m);
		return;
	}
	neigh_resolve(d->neigh, nh->port, family, dp_own_is_connected(nh) ? dst : nh->addr, m,
	              NEIGH_F_ORIGINATED, now_ms);
}

/* An ICMP error about m (received on port), which is freed. */
static void icmp_send(struct dp_main *d, struct rte_mbuf *m, uint16_t port, enum icmp_kind kind,
                      uint16_t mtu, uint64_t now_ms)
{
	uint8_t family = ip_family(m);
	const uint8_t *src = family != 0 ? icmp_source(d, port, family, m) : NULL;
	struct rte_mbuf *e = NULL;

	if (src == NULL || !icmp_error_allowed(m, family, kind))
		d->stats.icmp_suppressed++;
	else if (!icmp_bucket_take(&d->icmp_bucket, now_ms))
		d->stats.icmp_ratelimited++;
	else
		e = icmp_error_build(d->pool, m, family, kind, mtu, src);
	rte_pktmbuf_free(m);
	if (e == NULL)
		return;
	d->stats.icmp_sent++;
	route_out(d, e, family, now_ms);
}

/*
 * Whether m is a BGP segment of a session (TCP port 179 either side, not a bare SYN).
 * Only the first fragment has the ports; IPv6 extension headers make it "not BGP",
 * which only costs such a packet the general bucket.
 */
static bool punt_is_bgp(const struct rte_mbuf *m, uint8_t family)
{
	uint32_t off = ETH_HLEN, len = rte_pktmbuf_data_len(m);
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint8_t *tcp;

	if (family == RH_AF_INET) {
		if (len < off + 20 || p[off + 9] != IPPROTO_TCP || (p[off + 6] & 0x1f) != 0 ||
		    p[off + 7] != 0) /* a later fragment */
			return false;
		off += (uint32_t)(p[off] & 0xf) * 4;
	} else if (family == RH_AF_INET6) {
		if (len < off + 40 || p[off + 6] != IPPROTO_TCP)
			return false;
		off += 40;
	} else {
		return false;
	}
	if (len < off + 14)
		return false;
	tcp = p + off;
	if (((tcp[0] << 8 | tcp[1]) != 179 && (tcp[2] << 8 | tcp[3]) != 179))
		return false;
	/* flags (RFC 9293 3.1): SYN without ACK opens a connection. */
	return (tcp[13] & 0x12) != 0x02;
}

/* Neighbour Solicitation or Advertisement (RFC 4861 4.3, 4.4) without extension headers. */
static bool punt_is_nd(const struct rte_mbuf *m, uint8_t family)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);

	return family == RH_AF_INET6 && rte_pktmbuf_data_len(m) >= ETH_HLEN + 41 &&
	       p[ETH_HLEN + 6] == IPPROTO_ICMPV6 &&
	       (p[ETH_HLEN + 40] == 135 || p[ETH_HLEN + 40] == 136);
}

/* The policer of what goes to the kernel (DP_PUNT_RATE); true when m may pass. ND is
 * not policed, as ARP is not: the neighbour table needs it. */
static bool punt_police(struct dp_main *d, const struct rte_mbuf *m, uint64_t now_ms)
{
	uint8_t family = ip_family(m);
	struct icmp_bucket *b = punt_is_bgp(m, family) ? &d->punt_bgp_bucket : &d->punt_bucket;

	if (punt_is_nd(m, family))
		return true;

	if (icmp_bucket_take(b, now_ms))
		return true;
	d->stats.punt_policed++;
	return false;
}

static uint16_t port_index(const struct dp_main *d, const struct rte_mbuf *m)
{
	return m->port < RTE_MAX_ETHPORTS ? d->fwd->port_of_eth[m->port] : DP_PORT_NONE;
}

static void punt_one(struct dp_main *d, struct rte_mbuf *m, uint64_t now_ms)
{
	const struct dp_punt_meta *meta = dp_punt_meta(m);
	uint16_t port = port_index(d, m);
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	if (port == DP_PORT_NONE) {
		rte_pktmbuf_free(m);
		return;
	}
	/* A port that also shows us what we send (af_packet on a veth) gives our own
	 * broadcasts back: neither the table nor the kernel must hear them twice. */
	if (rte_is_same_ether_addr(&eth->src_addr, &d->port[port].mac)) {
		d->stats.own_echo++;
		rte_pktmbuf_free(m);
		return;
	}
	switch (meta->reason) {
	case DP_PUNT_ARP:
	case DP_PUNT_IP6_LINK:
		neigh_input(d->neigh, port, m, now_ms);
		to_kernel(d, port, m);
		return;
	case DP_PUNT_LOCAL:
	case DP_PUNT_NH_LOCAL:
		/* Snoop before the kernel answers (unicast NS probes come as LOCAL). */
		if (meta->reason == DP_PUNT_LOCAL && meta->family == RH_AF_INET6)
			neigh_input(d->neigh, port, m, now_ms);
		if (!punt_police(d, m, now_ms)) {
			rte_pktmbuf_free(m);
			return;
		}
		to_kernel(d, port, m);
		return;
	case DP_PUNT_TTL_EXCEEDED:
		icmp_send(d, m, port, ICMP_TIME_EXCEEDED, 0, now_ms);
		return;
	case DP_PUNT_NO_ROUTE:
		icmp_send(d, m, port, ICMP_NET_UNREACH, 0, now_ms);
		return;
	case DP_PUNT_TOO_BIG:
		icmp_send(d, m, port, ICMP_TOO_BIG, meta->mtu, now_ms);
		return;
	default:
		rte_pktmbuf_free(m);
		return;
	}
}

/* A packet whose next hop has no MAC yet: to the neighbour table. */
static void neigh_one(struct dp_main *d, struct rte_mbuf *m, uint64_t now_ms)
{
	const struct dp_punt_meta *meta = dp_punt_meta(m);
	const struct dp_nh *nh = dp_fib_nh(d->fib, meta->nh_id, 0);
	const struct neigh_entry *e;
	uint8_t target[16];

	d->stats.neigh_pkts++;
	if (nh == NULL || nh->port >= d->n_ports ||
	    (nh->state != DP_NH_INCOMPLETE && nh->state != DP_NH_RESOLVED)) {
		d->stats.neigh_nh_gone++;
		rte_pktmbuf_free(m);
		return;
	}
	if (dp_own_is_connected(nh))
		ip_dst(m, meta->family, target);
	else
		memcpy(target, nh->addr, 16);
	/* A next hop added after its neighbour resolved: give it the MAC now, so that its
	 * next packets stay on the fast path. */
	e = neigh_lookup(d->neigh, nh->port, meta->family, target);
	if (e != NULL && e->state != NEIGH_INCOMPLETE && !dp_own_is_connected(nh) &&
	    nh->state == DP_NH_INCOMPLETE)
		dp_fib_nh_resolve(d->fib, nh->port, target, meta->family, &e->mac,
		                  &d->port[nh->port].mac);
	neigh_resolve(d->neigh, nh->port, meta->family, target, m, 0, now_ms);
}

static unsigned kernel_out(struct dp_main *d)
{
	struct rte_mbuf *pkts[PUNT_BURST];
	unsigned total = 0;

	for (uint16_t p = 0; p < d->n_ports; p++) {
		uint16_t n, sent;

		if (!d->tap[p].up)
			continue;
		n = rte_eth_rx_burst(d->tap[p].eth_port, 0, pkts, PUNT_BURST);
		if (n == 0)
			continue;
		sent = rte_eth_tx_burst(d->port[p].eth_port, d->main_txq, pkts, n);
		d->stats.from_kernel += sent;
		if (sent < n) {
			d->stats.kernel_drops += n - sent;
			rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
		}
		total += n;
	}
	return total;
}

unsigned dp_punt_poll(struct dp_main *d, uint64_t now_ms)
{
	struct rte_mbuf *pkts[PUNT_BURST];
	unsigned n, i, total;

	n = rte_ring_dequeue_burst(d->punt_ring, (void **)pkts, PUNT_BURST, NULL);
	for (i = 0; i < n; i++)
		punt_one(d, pkts[i], now_ms);
	total = n;
	n = rte_ring_dequeue_burst(d->neigh_ring, (void **)pkts, PUNT_BURST, NULL);
	for (i = 0; i < n; i++)
		neigh_one(d, pkts[i], now_ms);
	return total + n + kernel_out(d);
}

/* ---- the neighbour table's callbacks ---- */

static void cb_send(void *arg, uint16_t port, struct rte_mbuf *m)
{
	dp_tx(arg, port, m);
}

static void cb_resolved(void *arg, const struct neigh_entry *e)
{
	dp_own_neigh_resolved(arg, e);
}

static void cb_lost(void *arg, const struct neigh_entry *e)
{
	dp_own_neigh_lost(arg, e);
}

/* RFC 1624 eqn. 3, as the worker does: TTL decrement with an incremental checksum. */
static void ip4_dec_ttl(struct rte_ipv4_hdr *ip)
{
	uint32_t old = ((uint32_t)ip->time_to_live << 8) | ip->next_proto_id;
	uint32_t sum;

	sum = (uint16_t)~rte_be_to_cpu_16(ip->hdr_checksum) + (uint16_t)~old + (old - 0x100);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ip->hdr_checksum = rte_cpu_to_be_16((uint16_t)~sum);
	ip->time_to_live--;
}

/* Ethernet padding past the IP packet goes, as the worker's trim_padding() does: a padded
 * frame would otherwise leave longer than the IP length the MTU test saw. False when the
 * padding cannot be trimmed (spread over segments): the packet is not sent then. */
static bool release_trim(struct rte_mbuf *m, uint32_t l3_len)
{
	uint32_t want = ETH_HLEN + l3_len;

	if (m->pkt_len <= want)
		return true;
	return m->pkt_len - want <= UINT16_MAX &&
	       rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - want)) == 0;
}

/* A held packet goes: forwarded as the worker would have (it was left untouched). */
static void cb_release(void *arg, const struct neigh_entry *e, struct rte_mbuf *m, uint8_t flags)
{
	struct dp_main *d = arg;
	uint16_t mtu = d->port[e->port].mtu;

	if (!(flags & NEIGH_F_ORIGINATED)) {
		uint8_t family = ip_family(m);

		if (family == RH_AF_INET) {
			struct rte_ipv4_hdr *ip =
			        rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, ETH_HLEN);

			if (rte_be_to_cpu_16(ip->total_length) > mtu) {
				uint16_t in = port_index(d, m);

				if ((ip->fragment_offset & RTE_BE16(RTE_IPV4_HDR_DF_FLAG)) &&
				    in != DP_PORT_NONE)
					icmp_send(d, m, in, ICMP_TOO_BIG, mtu, dp_now_ms());
				else
					rte_pktmbuf_free(m);
				return;
			}
			if (!release_trim(m, rte_be_to_cpu_16(ip->total_length))) {
				d->stats.slow_drops++;
				rte_pktmbuf_free(m);
				return;
			}
			ip4_dec_ttl(ip);
		} else if (family == RH_AF_INET6) {
			struct rte_ipv6_hdr *ip =
			        rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, ETH_HLEN);
			uint16_t in = port_index(d, m);

			if (sizeof(*ip) + rte_be_to_cpu_16(ip->payload_len) > mtu) {
				if (in != DP_PORT_NONE)
					icmp_send(d, m, in, ICMP_TOO_BIG, mtu, dp_now_ms());
				else
					rte_pktmbuf_free(m);
				return;
			}
			if (!release_trim(m, sizeof(*ip) + rte_be_to_cpu_16(ip->payload_len))) {
				d->stats.slow_drops++;
				rte_pktmbuf_free(m);
				return;
			}
			ip->hop_limits--;
		} else {
			d->stats.slow_drops++;
			rte_pktmbuf_free(m);
			return;
		}
		d->stats.slow_fwd++;
	}
	eth_set(m, &e->mac, &d->port[e->port].mac);
	dp_tx(d, e->port, m);
}

static void cb_unreachable(void *arg, const struct neigh_entry *e, struct rte_mbuf *m,
                           uint8_t flags)
{
	struct dp_main *d = arg;
	uint16_t in = port_index(d, m);

	(void)e;
	/* An error about our own error would be pointless (RFC 1812 4.3.2.7). */
	if ((flags & NEIGH_F_ORIGINATED) || in == DP_PORT_NONE) {
		rte_pktmbuf_free(m);
		return;
	}
	icmp_send(d, m, in, ICMP_HOST_UNREACH, 0, dp_now_ms());
}

void dp_neigh_ops(struct dp_main *d, struct neigh_ops *ops)
{
	ops->send = cb_send;
	ops->resolved = cb_resolved;
	ops->lost = cb_lost;
	ops->release = cb_release;
	ops->unreachable = cb_unreachable;
	ops->arg = d;
}

/* ---- TAP devices ---- */

static int tap_start(struct dp_main *d, uint16_t p)
{
	struct rte_eth_conf conf = {0};
	struct dp_tap *t = &d->tap[p];
	int rc;

	rc = rte_eth_dev_configure(t->eth_port, 1, 1, &conf);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(t->eth_port, 0, 512, (unsigned)rte_socket_id(), NULL,
		                            d->pool);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(t->eth_port, 0, 512, (unsigned)rte_socket_id(), NULL);
	/* The kernel side takes the port's MTU, so that it never sends what the port drops. */
	if (rc == 0)
		rc = rte_eth_dev_set_mtu(t->eth_port, d->port[p].mtu);
	if (rc == 0)
		rc = rte_eth_dev_start(t->eth_port);
	return rc;
}

static void sysctl_write(const char *fmt, const char *ifname, const char *value)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), fmt, ifname);
	f = fopen(path, "w");
	if (f == NULL) {
		log_debug("%s: %s", path, strerror(errno));
		return;
	}
	fputs(value, f);
	fclose(f);
}

/*
 * The kernel side of a TAP speaks for a router (best effort: the lab works without):
 *  - it answers ARP for an address only on the TAP that holds it (arp_ignore 1): by
 *    default Linux answers for any of its addresses on any interface, which would make
 *    port b answer for port a's address;
 *  - its neighbour advertisements carry the Router flag (RFC 4861 4.4), which Linux sets
 *    from the interface's IPv6 forwarding switch. The kernel forwards nothing here: the
 *    TAP only carries what is addressed to the appliance.
 */
static void tap_sysctls(const char *ifname)
{
	sysctl_write("/proc/sys/net/ipv4/conf/%s/arp_ignore", ifname, "1\n");
	sysctl_write("/proc/sys/net/ipv6/conf/%s/forwarding", ifname, "1\n");
}

static int tap_create(struct dp_main *d, uint16_t p)
{
	const struct rh_port_cfg *pc = &d->cfg->dp.port[p];
	const struct rte_ether_addr *mac = &d->port[p].mac;
	struct dp_tap *t = &d->tap[p];
	char args[160];
	int rc;

	/* IFNAMSIZ: "rh-" and at most 12 characters of the port name. */
	snprintf(t->ifname, sizeof(t->ifname), "rh-%.12s", pc->name);
	snprintf(t->devname, sizeof(t->devname), "net_tap_rh%u", p);
	snprintf(args, sizeof(args), "%s,iface=%s,mac=" RTE_ETHER_ADDR_PRT_FMT, t->devname,
	         t->ifname, RTE_ETHER_ADDR_BYTES(mac));
	rc = rte_dev_probe(args);
	if (rc < 0)
		return rc;
	if (rte_eth_dev_get_port_by_name(t->devname, &t->eth_port) != 0)
		return -ENODEV;
	rc = tap_start(d, p);
	if (rc < 0)
		return rc;
	t->up = true;
	t->ifindex = if_nametoindex(t->ifname);
	if (t->ifindex == 0)
		return -errno;
	tap_sysctls(t->ifname);
	for (unsigned i = 0; i < pc->n_addrs; i++) {
		rc = nl_addr_add(t->ifindex, &pc->addr[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int dp_punt_init(struct dp_main *d)
{
	icmp_bucket_init(&d->icmp_bucket, DP_ICMP_RATE, DP_ICMP_BURST, dp_now_ms());
	icmp_bucket_init(&d->punt_bucket, DP_PUNT_RATE, DP_PUNT_BURST, dp_now_ms());
	icmp_bucket_init(&d->punt_bgp_bucket, DP_PUNT_BGP_RATE, DP_PUNT_BGP_BURST, dp_now_ms());
	for (uint16_t p = 0; p < d->n_ports; p++) {
		int rc = tap_create(d, p);

		if (rc < 0) {
			log_err("port %s: TAP %s: %s", d->cfg->dp.port[p].name, d->tap[p].ifname,
			        strerror(-rc));
			return rc;
		}
		log_info("port %s: exception path through %s", d->cfg->dp.port[p].name,
		         d->tap[p].ifname);
	}
	return 0;
}

void dp_punt_fini(struct dp_main *d)
{
	for (uint16_t p = 0; p < RH_MAX_PORTS; p++) {
		struct dp_tap *t = &d->tap[p];

		struct rte_eth_dev_info info;
		uint16_t id;

		if (t->devname[0] == '\0' || rte_eth_dev_get_port_by_name(t->devname, &id) != 0)
			continue;
		if (rte_eth_dev_info_get(id, &info) != 0)
			info.device = NULL;
		if (t->up)
			rte_eth_dev_stop(id);
		rte_eth_dev_close(id);
		/* Removing the vdev deletes the kernel interface with it. */
		if (info.device != NULL)
			rte_dev_remove(info.device);
		t->up = false;
		t->devname[0] = '\0';
	}
}
