/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the ICMP error generator (dataplane/icmp.c): message format (types,
 * codes, MTU field, quoted packet, lengths within RFC 1812 / RFC 4443 limits), IP and
 * ICMP checksums, when an error must not be sent, and the token bucket.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "icmp.h"
#include "routehub/prefix.h"

static struct rte_mempool *pool;

static const uint8_t src4[16] = {198, 18, 30, 1};
static const uint8_t src6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x30, [15] = 1};
static const uint8_t host6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x30, [15] = 0x10};
static const uint8_t dst6[16] = {0x20, 0x01, 0x0d, 0xb8, 0x71, [15] = 1};

/* A frame as a worker would punt it: IPv4 UDP from 198.18.30.10 to 203.0.113.1. */
static struct rte_mbuf *frame4(uint16_t l3_len, uint8_t proto, uint16_t frag, bool l2_bcast)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, 14 + l3_len);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	uint8_t *payload = (uint8_t *)(ip + 1);

	if (eth == NULL) {
		fail();
		return NULL;
	}
	memset(eth, 0, 14);
	eth->dst_addr.addr_bytes[0] = l2_bcast ? 0xff : 0x02;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(l3_len);
	ip->time_to_live = 1;
	ip->next_proto_id = proto;
	ip->fragment_offset = rte_cpu_to_be_16(frag);
	ip->src_addr = RTE_BE32(0xc6121e0a); /* 198.18.30.10 */
	ip->dst_addr = RTE_BE32(0xcb007101); /* 203.0.113.1 */
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	for (unsigned i = 0; i < l3_len - sizeof(*ip); i++)
		payload[i] = (uint8_t)i;
	return m;
}

static struct rte_mbuf *frame6(uint16_t payload_len, uint8_t proto, uint8_t first_byte)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ether_hdr *eth =
	        (struct rte_ether_hdr *)rte_pktmbuf_append(m, 14 + 40 + payload_len);
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(eth + 1);
	uint8_t *payload = (uint8_t *)(ip + 1);

	if (eth == NULL) {
		fail();
		return NULL;
	}
	memset(eth, 0, 14 + 40);
	eth->dst_addr.addr_bytes[0] = 0x02;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	ip->vtc_flow = RTE_BE32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16(payload_len);
	ip->proto = proto;
	ip->hop_limits = 1;
	memcpy(ip->src_addr, host6, 16);
	memcpy(ip->dst_addr, dst6, 16);
	for (unsigned i = 0; i < payload_len; i++)
		payload[i] = (uint8_t)i;
	payload[0] = first_byte;
	return m;
}

static uint16_t fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)((sum & 0xffff) + (sum >> 16));
}

static void test_time_exceeded4(void **state)
{
	struct rte_mbuf *orig = frame4(100, IPPROTO_UDP, 0, false), *m;
	const struct rte_ipv4_hdr *ip, *quoted;
	const uint8_t *icmp;

	(void)state;
	assert_true(icmp_error_allowed(orig, RH_AF_INET, ICMP_TIME_EXCEEDED));
	m = icmp_error_build(pool, orig, RH_AF_INET, ICMP_TIME_EXCEEDED, 0, src4);
	assert_non_null(m);
	assert_int_equal(rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->ether_type,
	                 RTE_BE16(RTE_ETHER_TYPE_IPV4));
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, 14);
	icmp = (const uint8_t *)(ip + 1);
	assert_int_equal(m->pkt_len, 14 + 20 + 8 + 100);
	assert_int_equal(rte_be_to_cpu_16(ip->total_length), 20 + 8 + 100);
	assert_int_equal(ip->version_ihl, 0x45);
	assert_int_equal(ip->time_to_live, ICMP_TTL);
	assert_int_equal(ip->next_proto_id, IPPROTO_ICMP);
	assert_memory_equal(&ip->src_addr, src4, 4);
	assert_int_equal(ip->dst_addr, RTE_BE32(0xc6121e0a));
	assert_int_equal(fold(rte_raw_cksum(ip, 20)), 0xffff); /* IP header checksum */
	assert_int_equal(icmp[0], 11);                         /* RFC 792 time exceeded */
	assert_int_equal(icmp[1], 0);                          /* in transit */
	assert_int_equal(fold(rte_raw_cksum(icmp, 8 + 100)), 0xffff);
	/* The whole offending packet is quoted, from its IP header. */
	quoted = (const struct rte_ipv4_hdr *)(icmp + 8);
	assert_memory_equal(quoted, rte_pktmbuf_mtod_offset(orig, void *, 14), 100);
	rte_pktmbuf_free(m);
	rte_pktmbuf_free(orig);
}

static void test_too_big4_and_clip(void **state)
{
	struct rte_mbuf *orig = frame4(1400, IPPROTO_TCP, RTE_IPV4_HDR_DF_FLAG, false), *m;
	const uint8_t *icmp;

	(void)state;
	m = icmp_error_build(pool, orig, RH_AF_INET, ICMP_TOO_BIG, 1280, src4);
	assert_non_null(m);
	/* RFC 1812 4.3.2.3: the error stays within 576 bytes of IP. */
	assert_int_equal(m->pkt_len - 14, ICMP4_MAX_LEN);
	icmp = rte_pktmbuf_mtod_offset(m, const uint8_t *, 14 + 20);
	assert_int_equal(icmp[0], 3);
	assert_int_equal(icmp[1], 4);                     /* fragmentation needed and DF set */
	assert_int_equal((icmp[6] << 8) | icmp[7], 1280); /* RFC 1191 next-hop MTU */
	assert_int_equal(fold(rte_raw_cksum(icmp, ICMP4_MAX_LEN - 20)), 0xffff);
	rte_pktmbuf_free(m);
	m = icmp_error_build(pool, orig, RH_AF_INET, ICMP_NET_UNREACH, 0, src4);
	icmp = rte_pktmbuf_mtod_offset(m, const uint8_t *, 14 + 20);
	assert_int_equal(icmp[0], 3);
	assert_int_equal(icmp[1], 0);
	rte_pktmbuf_free(m);
	m = icmp_error_build(pool, orig, RH_AF_INET, ICMP_HOST_UNREACH, 0, src4);
	icmp = rte_pktmbuf_mtod_offset(m, const uint8_t *, 14 + 20);
	assert_int_equal(icmp[1], 1);
	rte_pktmbuf_free(m);
	rte_pktmbuf_free(orig);
}

static void test_v6(void **state)
{
	struct rte_mbuf *orig = frame6(1400, IPPROTO_UDP, 0), *m;
	const struct rte_ipv6_hdr *ip;
	const uint8_t *icmp;
	uint32_t plen;

	(void)state;
	assert_true(icmp_error_allowed(orig, RH_AF_INET6, ICMP_TIME_EXCEEDED));
	m = icmp_error_build(pool, orig, RH_AF_INET6, ICMP_TIME_EXCEEDED, 0, src6);
	assert_non_null(m);
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, 14);
	icmp = (const uint8_t *)(ip + 1);
	plen = rte_be_to_cpu_16(ip->payload_len);
	/* RFC 4443 2.4 (c): within the minimum MTU. */
	assert_int_equal(40 + plen, ICMP6_MAX_LEN);
	assert_int_equal(m->pkt_len, 14 + ICMP6_MAX_LEN);
	assert_int_equal(ip->proto, IPPROTO_ICMPV6);
	assert_int_equal(ip->hop_limits, ICMP_TTL);
	assert_memory_equal(ip->src_addr, src6, 16);
	assert_memory_equal(ip->dst_addr, host6, 16);
	assert_int_equal(icmp[0], 3); /* RFC 4443 3.3 */
	assert_int_equal(icmp[1], 0);
	assert_int_equal(fold((uint32_t)rte_ipv6_phdr_cksum(ip, 0) + rte_raw_cksum(icmp, plen)),
	                 0xffff);
	assert_memory_equal(icmp + 8, rte_pktmbuf_mtod_offset(orig, void *, 14), plen - 8);
	rte_pktmbuf_free(m);
	m = icmp_error_build(pool, orig, RH_AF_INET6, ICMP_TOO_BIG, 1280, src6);
	icmp = rte_pktmbuf_mtod_offset(m, const uint8_t *, 14 + 40);
	assert_int_equal(icmp[0], 2); /* RFC 4443 3.2 */
	assert_int_equal((icmp[4] << 24) | (icmp[5] << 16) | (icmp[6] << 8) | icmp[7], 1280);
	rte_pktmbuf_free(m);
	m = icmp_error_build(pool, orig, RH_AF_INET6, ICMP_HOST_UNREACH, 0, src6);
	icmp = rte_pktmbuf_mtod_offset(m, const uint8_t *, 14 + 40);
	assert_int_equal(icmp[0], 1);
	assert_int_equal(icmp[1], 3); /* address unreachable */
	rte_pktmbuf_free(m);
	rte_pktmbuf_free(orig);
}

static void test_not_allowed(void **state)
{
	struct rte_mbuf *m;

	(void)state;
	/* RFC 1812 4.3.2.7: not about an ICMP error, but about an echo request. */
	m = frame4(60, IPPROTO_ICMP, 0, false);
	rte_pktmbuf_mtod_offset(m, uint8_t *, 34)[0] = 11;
	assert_false(icmp_error_allowed(m, RH_AF_INET, ICMP_TIME_EXCEEDED));
	rte_pktmbuf_mtod_offset(m, uint8_t *, 34)[0] = 8;
	assert_true(icmp_error_allowed(m, RH_AF_INET, ICMP_TIME_EXCEEDED));
	rte_pktmbuf_free(m);
	/* Not about a fragment other than the first. */
	m = frame4(60, IPPROTO_UDP, 100, false);
	assert_false(icmp_error_allowed(m, RH_AF_INET, ICMP_TIME_EXCEEDED));
	rte_pktmbuf_free(m);
	/* Not about a link-layer broadcast. */
	m = frame4(60, IPPROTO_UDP, 0, true);
	assert_false(icmp_error_allowed(m, RH_AF_INET, ICMP_NET_UNREACH));
	rte_pktmbuf_free(m);
	/* Not to a multicast source. */
	m = frame4(60, IPPROTO_UDP, 0, false);
	rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14)->src_addr = RTE_BE32(0xe0000001);
	assert_false(icmp_error_allowed(m, RH_AF_INET, ICMP_NET_UNREACH));
	rte_pktmbuf_free(m);
	/* RFC 4443 2.4 (e): not about an ICMPv6 error (type < 128), but about an echo. */
	m = frame6(40, IPPROTO_ICMPV6, 1);
	assert_false(icmp_error_allowed(m, RH_AF_INET6, ICMP_TIME_EXCEEDED));
	rte_pktmbuf_free(m);
	m = frame6(40, IPPROTO_ICMPV6, 128);
	assert_true(icmp_error_allowed(m, RH_AF_INET6, ICMP_TIME_EXCEEDED));
	/* Multicast destination: only packet too big (RFC 4443 2.4 (e.2)). */
	rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, 14)->dst_addr[0] = 0xff;
	assert_false(icmp_error_allowed(m, RH_AF_INET6, ICMP_NET_UNREACH));
	assert_true(icmp_error_allowed(m, RH_AF_INET6, ICMP_TOO_BIG));
	rte_pktmbuf_free(m);
	assert_int_equal(rte_mempool_in_use_count(pool), 0);
}

static void test_rate_limit(void **state)
{
	struct icmp_bucket b;
	unsigned ok = 0;

	(void)state;
	icmp_bucket_init(&b, 100, 5, 1000);
	for (unsigned i = 0; i < 10; i++)
		ok += icmp_bucket_take(&b, 1000);
	assert_int_equal(ok, 5);                  /* the burst */
	assert_false(icmp_bucket_take(&b, 1009)); /* 0.9 token */
	assert_true(icmp_bucket_take(&b, 1010));  /* 1 token after 10 ms at 100/s */
	assert_false(icmp_bucket_take(&b, 1010));
	ok = 0;
	for (unsigned i = 0; i < 10; i++)
		ok += icmp_bucket_take(&b, 60000); /* long idle: refilled to the burst only */
	assert_int_equal(ok, 5);
	/* Over a second at a steady ask, 100 go. */
	ok = 0;
	for (uint64_t t = 60001; t <= 61000; t++)
		ok += icmp_bucket_take(&b, t);
	assert_int_equal(ok, 100);
	/* A clock that steps back takes nothing and gives nothing. */
	assert_false(icmp_bucket_take(&b, 100));
}

static int group_setup(void **state)
{
	char *argv[] = {"test_icmp",         "--no-huge",   "--no-pci", "-m", "64",
	                "--log-level=error", "--no-shconf", "-l",       "0"};

	(void)state;
	if (rte_eal_init((int)RTE_DIM(argv), argv) < 0)
		return -1;
	pool = rte_pktmbuf_pool_create("icmp_pool", 511, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
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
	        cmocka_unit_test(test_time_exceeded4),
	        cmocka_unit_test(test_too_big4_and_clip),
	        cmocka_unit_test(test_v6),
	        cmocka_unit_test(test_not_allowed),
	        cmocka_unit_test(test_rate_limit),
	};

	return cmocka_run_group_tests_name("icmp", tests, group_setup, group_teardown);
}
