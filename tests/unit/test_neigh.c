/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of neighbour resolution (dataplane/neigh.c): the ARP and ND state machine
 * (INCOMPLETE, REACHABLE, STALE, STATIC), the hold queue, retries, aging and its refresh,
 * static entries, learning from what is heard, and the frames the table sends. Time is
 * the test's; mbufs come from a pool under --no-huge.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_arp.h>
#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "neigh.h"

#define MAX_EVENTS 300

static struct rte_mempool *pool;

static const struct rte_ether_addr port_mac = {{0x02, 0, 0, 0, 0, 0x01}};
static const struct rte_ether_addr mac_b = {{0x02, 0, 0, 0, 0, 0x0b}};
static const struct rte_ether_addr mac_c = {{0x02, 0, 0, 0, 0, 0x0c}};

/* What the callbacks saw. */
static struct {
	unsigned n_sent, n_resolved, n_lost, n_released, n_unreach;
	struct rte_mbuf *sent[MAX_EVENTS];
	struct rte_mbuf *released[MAX_EVENTS];
	struct rte_ether_addr released_mac[MAX_EVENTS];
	struct rte_ether_addr resolved_mac;
} ev;

static void cb_send(void *arg, uint16_t port, struct rte_mbuf *m)
{
	(void)arg;
	(void)port;
	assert_true(ev.n_sent < MAX_EVENTS);
	ev.sent[ev.n_sent++] = m;
}

static void cb_resolved(void *arg, const struct neigh_entry *e)
{
	(void)arg;
	ev.n_resolved++;
	ev.resolved_mac = e->mac;
}

static void cb_lost(void *arg, const struct neigh_entry *e)
{
	(void)arg;
	(void)e;
	ev.n_lost++;
}

static void cb_release(void *arg, const struct neigh_entry *e, struct rte_mbuf *m, uint8_t flags)
{
	(void)arg;
	(void)flags;
	assert_int_not_equal(e->state, NEIGH_INCOMPLETE);
	ev.released_mac[ev.n_released] = e->mac;
	ev.released[ev.n_released++] = m;
}

static void cb_unreach(void *arg, const struct neigh_entry *e, struct rte_mbuf *m, uint8_t flags)
{
	(void)arg;
	(void)e;
	(void)flags;
	ev.n_unreach++;
	rte_pktmbuf_free(m);
}

static void events_clear(void)
{
	for (unsigned i = 0; i < ev.n_sent; i++)
		rte_pktmbuf_free(ev.sent[i]);
	for (unsigned i = 0; i < ev.n_released; i++)
		rte_pktmbuf_free(ev.released[i]);
	memset(&ev, 0, sizeof(ev));
}

static struct neigh_table *table(void)
{
	static const struct neigh_ops ops = {cb_send,    cb_resolved, cb_lost,
	                                     cb_release, cb_unreach,  NULL};
	struct rh_ifaddr addrs[2] = {
	        {.addr = {.family = RH_AF_INET, .bytes = {198, 18, 30, 1}}, .len = 24},
	        {.addr = {.family = RH_AF_INET6,
	                  .bytes = {0x20, 0x01, 0x0d, 0xb8, 0, 0x30, [15] = 1}},
	         .len = 64},
	};
	struct neigh_table *t = neigh_create(pool, &ops);

	assert_non_null(t);
	assert_int_equal(neigh_port_add(t, 0, &port_mac, addrs, 2), 0);
	events_clear();
	return t;
}

static void teardown_table(struct neigh_table *t)
{
	neigh_destroy(t);
	events_clear();
	/* Every mbuf went back: nothing leaked by the table. */
	assert_int_equal(rte_mempool_in_use_count(pool), 0);
}

static struct rte_mbuf *pkt(uint8_t tag)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	assert_non_null(m);
	*(uint8_t *)rte_pktmbuf_append(m, 1) = tag;
	return m;
}

static const uint8_t ip_b[16] = {198, 18, 30, 10};
static const uint8_t ip_us[16] = {198, 18, 30, 1};
static const uint8_t ip6_b[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x30, [15] = 0x10};
static const uint8_t ip6_us[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x30, [15] = 1};

static struct rte_mbuf *arp(uint16_t op, const struct rte_ether_addr *sha, const uint8_t *sip,
                            const uint8_t *tip)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *a;

	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + sizeof(*a));
	if (eth == NULL) {
		fail();
		return NULL;
	}
	memset(eth, 0, sizeof(*eth) + sizeof(*a));
	eth->src_addr = *sha;
	eth->dst_addr = port_mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	a = (struct rte_arp_hdr *)(eth + 1);
	a->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = 6;
	a->arp_plen = 4;
	a->arp_opcode = rte_cpu_to_be_16(op);
	a->arp_data.arp_sha = *sha;
	memcpy(&a->arp_data.arp_sip, sip, 4);
	memcpy(&a->arp_data.arp_tip, tip, 4);
	return m;
}

static void hear(struct neigh_table *t, struct rte_mbuf *m, uint64_t now)
{
	neigh_input(t, 0, m, now);
	rte_pktmbuf_free(m);
}

static uint16_t sum16(const void *p, uint32_t len, uint32_t sum)
{
	sum += rte_raw_cksum(p, len);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)((sum & 0xffff) + (sum >> 16));
}

/* An NA (RFC 4861 4.4) from ip6_b with a target link-layer option. */
static struct rte_mbuf *na(uint8_t flags, uint8_t hop_limit, const struct rte_ether_addr *tlla)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	const uint32_t l4 = 32;
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, 14 + 40 + l4);
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(eth + 1);
	uint8_t *icmp = (uint8_t *)(ip + 1);
	uint16_t ck;

	if (eth == NULL) {
		fail();
		return NULL;
	}
	memset(eth, 0, 14 + 40 + l4);
	eth->src_addr = *tlla;
	eth->dst_addr = port_mac;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	ip->vtc_flow = RTE_BE32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16(l4);
	ip->proto = IPPROTO_ICMPV6;
	ip->hop_limits = hop_limit;
	memcpy(ip->src_addr, ip6_b, 16);
	memcpy(ip->dst_addr, ip6_us, 16);
	icmp[0] = 136;
	icmp[4] = flags;
	memcpy(icmp + 8, ip6_b, 16);
	icmp[24] = 2; /* target link-layer address */
	icmp[25] = 1;
	memcpy(icmp + 26, tlla, 6);
	ck = rte_ipv6_udptcp_cksum(ip, icmp);
	memcpy(icmp + 2, &ck, 2);
	return m;
}

/* ---- tests ---- */

static void test_arp_request_and_hold(void **state)
{
	struct neigh_table *t = table();
	const struct rte_ether_hdr *eth;
	const struct rte_arp_hdr *a;
	const struct neigh_entry *e;
	struct neigh_stats st;

	(void)state;
	assert_int_equal(neigh_resolve(t, 0, RH_AF_INET, ip_b, pkt(1), 0, 0), 0);
	/* RFC 826: one broadcast request from the port's address on the subnet. */
	assert_int_equal(ev.n_sent, 1);
	eth = rte_pktmbuf_mtod(ev.sent[0], const struct rte_ether_hdr *);
	assert_true(rte_is_broadcast_ether_addr(&eth->dst_addr));
	assert_true(rte_is_same_ether_addr(&eth->src_addr, &port_mac));
	assert_int_equal(eth->ether_type, RTE_BE16(RTE_ETHER_TYPE_ARP));
	a = (const struct rte_arp_hdr *)(eth + 1);
	assert_int_equal(a->arp_opcode, RTE_BE16(RTE_ARP_OP_REQUEST));
	assert_memory_equal(&a->arp_data.arp_sip, ip_us, 4);
	assert_memory_equal(&a->arp_data.arp_tip, ip_b, 4);
	assert_true(rte_is_same_ether_addr(&a->arp_data.arp_sha, &port_mac));
	e = neigh_lookup(t, 0, RH_AF_INET, ip_b);
	assert_non_null(e);
	assert_int_equal(e->state, NEIGH_INCOMPLETE);
	assert_int_equal(e->n_held, 1);
	/* Six more packets: the queue keeps the newest four, no second request. */
	for (uint8_t i = 2; i <= 7; i++)
		assert_int_equal(neigh_resolve(t, 0, RH_AF_INET, ip_b, pkt(i), 0, 10), 0);
	assert_int_equal(ev.n_sent, 1);
	assert_int_equal(e->n_held, NEIGH_HOLD);
	neigh_get_stats(t, &st);
	assert_int_equal(st.hold_drops, 3);
	/* The reply resolves it and releases 4..7 in order, to the right MAC. */
	hear(t, arp(RTE_ARP_OP_REPLY, &mac_b, ip_b, ip_us), 20);
	assert_int_equal(e->state, NEIGH_REACHABLE);
	assert_int_equal(ev.n_resolved, 1);
	assert_true(rte_is_same_ether_addr(&ev.resolved_mac, &mac_b));
	assert_int_equal(ev.n_released, 4);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(*rte_pktmbuf_mtod(ev.released[i], uint8_t *), 4 + i);
		assert_true(rte_is_same_ether_addr(&ev.released_mac[i], &mac_b));
	}
	/* Resolved: the next packet goes at once. */
	assert_int_equal(neigh_resolve(t, 0, RH_AF_INET, ip_b, pkt(8), 0, 30), 0);
	assert_int_equal(ev.n_released, 5);
	teardown_table(t);
}

static void test_retries_then_unreachable(void **state)
{
	struct neigh_table *t = table();
	struct neigh_stats st;

	(void)state;
	assert_int_equal(neigh_resolve(t, 0, RH_AF_INET, ip_b, pkt(1), 0, 1000), 0);
	assert_int_equal(neigh_resolve(t, 0, RH_AF_INET, ip_b, pkt(2), 0, 1001), 0);
	neigh_timer(t, 1500); /* not due */
	assert_int_equal(ev.n_sent, 1);
	neigh_timer(t, 2000);
	neigh_timer(t, 3000);
	assert_int_equal(ev.n_sent, NEIGH_MAX_PROBES);
	neigh_timer(t, 4000); /* three unanswered: give up */
	assert_int_equal(ev.n_sent, NEIGH_MAX_PROBES);
	assert_int_equal(ev.n_unreach, 2);
	assert_int_equal(ev.n_lost, 0); /* it never had a MAC */
	assert_null(neigh_lookup(t, 0, RH_AF_INET, ip_b));
	neigh_get_stats(t, &st);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.requests, NEIGH_MAX_PROBES);
	teardown_table(t);
}

static void test_aging_refresh_and_expiry(void **state)
{
	struct neigh_table *t = table();
	const struct neigh_entry *e;
	const struct rte_ether_hdr *eth;
	uint64_t now = 0;

	(void)state;
	neigh_resolve(t, 0, RH_AF_INET, ip_b, pkt(1), 0, now);
	hear(t, arp(RTE_ARP_OP_REPLY, &mac_b, ip_b, ip_us), now);
	e = neigh_lookup(t, 0, RH_AF_INET, ip_b);
	events_clear();
	/* Before REACHABLE_TIME is up, unicast probes refresh it (RFC 1122 2.3.2.1). */
	now += NEIGH_REACHABLE_MS - NEIGH_REFRESH_MS;
	neigh_timer(t, now - 1);
	assert_int_equal(ev.n_sent, 0);
	neigh_timer(t, now);
	assert_int_equal(e->state, NEIGH_REACHABLE);
	assert_int_equal(ev.n_sent, 1);
	eth = rte_pktmbuf_mtod(ev.sent[0], const struct rte_ether_hdr *);
	assert_true(rte_is_same_ether_addr(&eth->dst_addr, &mac_b));
	neigh_resolve(t, 0, RH_AF_INET, ip_b, pkt(2), 0, now);
	assert_int_equal(ev.n_released, 1); /* still forwarding while probed */
	/* It answers: renewed, no second resolution, never left REACHABLE. */
	hear(t, arp(RTE_ARP_OP_REPLY, &mac_b, ip_b, ip_us), now + 5);
	assert_int_equal(e->state, NEIGH_REACHABLE);
	assert_int_equal(ev.n_resolved, 0);
	neigh_timer(t, now + NEIGH_RETRANS_MS);
	assert_int_equal(ev.n_sent, 1); /* no more probes */
	/* Next time it is silent: three probes, then removed when its time is up. */
	now += 5 + NEIGH_REACHABLE_MS - NEIGH_REFRESH_MS;
	for (unsigned i = 0; i < NEIGH_MAX_PROBES; i++) {
		neigh_timer(t, now + i * NEIGH_RETRANS_MS);
		assert_int_equal(e->state, NEIGH_REACHABLE);
	}
	assert_int_equal(ev.n_sent, 1 + NEIGH_MAX_PROBES);
	assert_int_equal(ev.n_lost, 0);
	neigh_timer(t, now + NEIGH_REFRESH_MS);
	assert_int_equal(ev.n_lost, 1);
	assert_null(neigh_lookup(t, 0, RH_AF_INET, ip_b));
	teardown_table(t);
}

static void test_static(void **state)
{
	struct neigh_table *t = table();
	struct rh_addr a = {.family = RH_AF_INET, .bytes = {198, 18, 30, 99}};
	const struct neigh_entry *e;

	(void)state;
	assert_int_equal(neigh_static_add(t, 0, &a, &mac_c, 0), 0);
	assert_int_equal(ev.n_resolved, 1);
	e = neigh_lookup(t, 0, RH_AF_INET, a.bytes);
	assert_int_equal(e->state, NEIGH_STATIC);
	/* Never probed nor aged, never changed by what is heard. */
	neigh_timer(t, 10 * NEIGH_REACHABLE_MS);
	hear(t, arp(RTE_ARP_OP_REPLY, &mac_b, a.bytes, ip_us), 1);
	assert_int_equal(e->state, NEIGH_STATIC);
	assert_true(rte_is_same_ether_addr(&e->mac, &mac_c));
	assert_int_equal(ev.n_sent, 0);
	neigh_resolve(t, 0, RH_AF_INET, a.bytes, pkt(1), 0, 2);
	assert_int_equal(ev.n_released, 1);
	assert_int_equal(neigh_static_add(t, 9, &a, &mac_c, 0), -EINVAL); /* no such port */
	teardown_table(t);
}

static void test_learning(void **state)
{
	struct neigh_table *t = table();
	const uint8_t other[16] = {198, 18, 30, 2};
	const struct neigh_entry *e;

	(void)state;
	/* A request for another host teaches nothing new (RFC 826: merge only). */
	hear(t, arp(RTE_ARP_OP_REQUEST, &mac_b, ip_b, other), 0);
	assert_null(neigh_lookup(t, 0, RH_AF_INET, ip_b));
	/* A request to us creates the sender, STALE, probed after the delay. */
	hear(t, arp(RTE_ARP_OP_REQUEST, &mac_b, ip_b, ip_us), 0);
	e = neigh_lookup(t, 0, RH_AF_INET, ip_b);
	assert_non_null(e);
	assert_int_equal(e->state, NEIGH_STALE);
	assert_int_equal(ev.n_resolved, 1);
	neigh_timer(t, NEIGH_DELAY_MS - 1);
	assert_int_equal(ev.n_sent, 0);
	neigh_timer(t, NEIGH_DELAY_MS);
	assert_int_equal(ev.n_sent, 1);
	/* A new MAC for a known sender (merge) is reported. */
	hear(t, arp(RTE_ARP_OP_REQUEST, &mac_c, ip_b, other), NEIGH_DELAY_MS + 1);
	assert_true(rte_is_same_ether_addr(&e->mac, &mac_c));
	assert_int_equal(ev.n_resolved, 2);
	/* Our own frames seen again teach nothing. */
	hear(t, arp(RTE_ARP_OP_REQUEST, &port_mac, other, ip_us), 0);
	assert_null(neigh_lookup(t, 0, RH_AF_INET, other));
	teardown_table(t);
}

static void test_nd(void **state)
{
	struct neigh_table *t = table();
	const struct rte_ether_hdr *eth;
	const struct rte_ipv6_hdr *ip;
	const uint8_t *icmp;
	const struct neigh_entry *e;
	static const uint8_t snm[16] = {0xff, 0x02, [11] = 0x01, 0xff, 0, 0, 0x10};
	struct neigh_stats st;

	(void)state;
	assert_int_equal(neigh_resolve(t, 0, RH_AF_INET6, ip6_b, pkt(1), 0, 0), 0);
	assert_int_equal(ev.n_sent, 1);
	/* RFC 4861 7.2.2: NS to the solicited-node group, hop limit 255, with our MAC. */
	eth = rte_pktmbuf_mtod(ev.sent[0], const struct rte_ether_hdr *);
	ip = (const struct rte_ipv6_hdr *)(eth + 1);
	icmp = (const uint8_t *)(ip + 1);
	assert_int_equal(eth->dst_addr.addr_bytes[0], 0x33);
	assert_int_equal(eth->dst_addr.addr_bytes[1], 0x33);
	assert_int_equal(eth->dst_addr.addr_bytes[2], 0xff);
	assert_int_equal(eth->dst_addr.addr_bytes[5], 0x10);
	assert_memory_equal(ip->dst_addr, snm, 16);
	assert_memory_equal(ip->src_addr, ip6_us, 16);
	assert_int_equal(ip->hop_limits, 255);
	assert_int_equal(icmp[0], 135);
	assert_memory_equal(icmp + 8, ip6_b, 16);
	assert_int_equal(icmp[24], 1); /* source link-layer address */
	assert_memory_equal(icmp + 26, &port_mac, 6);
	assert_int_equal(sum16(icmp, rte_be_to_cpu_16(ip->payload_len), rte_ipv6_phdr_cksum(ip, 0)),
	                 0xffff);
	/* RFC 4861 7.1.2: an NA that may have been forwarded (hop limit < 255) is ignored. */
	hear(t, na(0x60, 64, &mac_b), 1);
	e = neigh_lookup(t, 0, RH_AF_INET6, ip6_b);
	assert_int_equal(e->state, NEIGH_INCOMPLETE);
	neigh_get_stats(t, &st);
	assert_int_equal(st.invalid, 1);
	/* A solicited NA resolves it. */
	hear(t, na(0x60, 255, &mac_b), 2);
	assert_int_equal(e->state, NEIGH_REACHABLE);
	assert_true(rte_is_same_ether_addr(&e->mac, &mac_b));
	assert_int_equal(ev.n_released, 1);
	teardown_table(t);
}

static void test_table_full(void **state)
{
	struct neigh_table *t = table();
	uint8_t a[16] = {198, 18, 30};

	(void)state;
	for (unsigned i = 0; i < NEIGH_MAX_PER_PORT; i++) {
		a[2] = (uint8_t)(30 + i / 250);
		a[3] = (uint8_t)(2 + i % 250);
		assert_int_equal(neigh_resolve(t, 0, RH_AF_INET, a, pkt(0), 0, 0), 0);
	}
	a[2] = 31;
	a[3] = 200;
	/* Every entry is being resolved: none to evict. */
	assert_int_equal(neigh_resolve(t, 0, RH_AF_INET, a, pkt(0), 0, 0), -ENOSPC);
	teardown_table(t);
}

static int group_setup(void **state)
{
	char *argv[] = {"test_neigh",        "--no-huge",   "--no-pci", "-m", "64",
	                "--log-level=error", "--no-shconf", "-l",       "0"};

	(void)state;
	if (rte_eal_init((int)RTE_DIM(argv), argv) < 0)
		return -1;
	pool = rte_pktmbuf_pool_create("neigh_pool", 2047, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
	                               SOCKET_ID_ANY);
	return pool == NULL ? -1 : 0;
}

static int group_teardown(void **state)
{
	(void)state;
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_arp_request_and_hold),
	        cmocka_unit_test(test_retries_then_unreachable),
	        cmocka_unit_test(test_aging_refresh_and_expiry),
	        cmocka_unit_test(test_static),
	        cmocka_unit_test(test_learning),
	        cmocka_unit_test(test_nd),
	        cmocka_unit_test(test_table_full),
	};

	return cmocka_run_group_tests_name("neigh", tests, group_setup, group_teardown);
}
