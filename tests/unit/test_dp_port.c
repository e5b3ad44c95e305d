/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of port setup (dataplane/port.c) on net_null and net_ring vdevs under
 * --no-huge --no-pci: attach, RSS over several RX queues, one TX queue per worker, MTU,
 * promiscuous off, link state, and the failures the configuration can cause.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "port.h"

static struct rte_mempool *pool;

static int group_setup(void **state)
{
	char prefix[64];
	char *argv[] = {"test_dp_port",      "--no-huge", "--no-pci", "-m", "256",
	                "--log-level=error", prefix,      "-l",       "0",  "--vdev=net_null9"};

	(void)state;
	snprintf(prefix, sizeof(prefix), "--file-prefix=rh_test_dp_port_%d", (int)getpid());
	if (rte_eal_init((int)RTE_DIM(argv), argv) < 0)
		return -1;
	pool = rte_pktmbuf_pool_create("port_pool", 8192, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
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

static struct rh_port_cfg vdev_cfg(const char *device, uint8_t rxq, uint16_t mtu)
{
	struct rh_port_cfg cfg;

	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.name, sizeof(cfg.name), "p");
	snprintf(cfg.device, sizeof(cfg.device), "%s", device);
	cfg.rx_queues = rxq;
	cfg.mtu = mtu;
	return cfg;
}

static void test_attach(void **state)
{
	struct rh_port_cfg cfg = vdev_cfg("net_null0,size=128", 1, 1500);
	struct rh_port_cfg eal = vdev_cfg("net_null9", 1, 1500);
	uint16_t id, again, id9;
	char name[RTE_ETH_NAME_MAX_LEN];

	(void)state;
	assert_int_equal(dp_port_attach(&cfg, &id), 0);
	assert_int_equal(rte_eth_dev_get_name_by_port(id, name), 0);
	assert_string_equal(name, "net_null0");
	/* Attaching twice finds the same port. */
	assert_int_equal(dp_port_attach(&cfg, &again), 0);
	assert_int_equal(again, id);
	/* A vdev that the EAL arguments created is found, not created again. */
	assert_int_equal(dp_port_attach(&eal, &id9), 0);
	assert_int_not_equal(id9, id);
	assert_int_equal(rte_eth_dev_close(id), 0);
}

static void test_attach_errors(void **state)
{
	struct rh_port_cfg cfg = vdev_cfg("", 1, 1500);
	uint16_t id;

	(void)state;
	assert_int_equal(dp_port_attach(&cfg, &id), -EINVAL);
	cfg = vdev_cfg(",size=64", 1, 1500);
	assert_int_equal(dp_port_attach(&cfg, &id), -EINVAL);
	cfg = vdev_cfg("net_nosuchdriver0", 1, 1500);
	assert_true(dp_port_attach(&cfg, &id) < 0);
	cfg = vdev_cfg("0000:99:00.0", 1, 1500);
	cfg.is_pci = true;
	assert_true(dp_port_attach(&cfg, &id) < 0); /* --no-pci: no such device */
	assert_int_equal(dp_port_attach(NULL, &id), -EINVAL);
}

static void test_setup_rss(void **state)
{
	struct rh_port_cfg cfg = vdev_cfg("net_null1", 4, 9000);
	struct rte_eth_dev_info info;
	struct rte_eth_rss_conf rss;
	struct rte_eth_link link;
	struct dp_port p;
	uint8_t key[64];
	uint16_t mtu;

	(void)state;
	assert_int_equal(dp_port_setup(&p, &cfg, 3, 2, pool), 0);
	assert_true(p.started);
	assert_int_equal(p.index, 3);
	assert_int_equal(p.n_rxq, 4);
	assert_int_equal(p.n_txq, 2);
	assert_true(p.rss);
	assert_int_not_equal(p.rss_hf, 0);
	assert_int_equal(rte_eth_dev_info_get(p.eth_port, &info), 0);
	assert_int_equal(info.nb_rx_queues, 4);
	assert_int_equal(info.nb_tx_queues, 2);
	memset(&rss, 0, sizeof(rss));
	rss.rss_key = key;
	rss.rss_key_len = sizeof(key);
	assert_int_equal(rte_eth_dev_rss_hash_conf_get(p.eth_port, &rss), 0);
	assert_int_equal(rss.rss_hf & p.rss_hf, p.rss_hf);
	assert_int_equal(rte_eth_dev_get_mtu(p.eth_port, &mtu), 0);
	assert_int_equal(mtu, 9000);
	/* net_null cannot leave promiscuous mode; the port says so. */
	assert_int_equal(rte_eth_promiscuous_get(p.eth_port), p.promiscuous);
	assert_int_equal(dp_port_link(&p, &link), 0);
	assert_int_equal(link.link_status, RTE_ETH_LINK_UP);
	dp_port_close(&p);
	assert_false(rte_eth_dev_is_valid_port(p.eth_port));
	/* Closed and removed: the same vdev can be set up again. */
	assert_int_equal(dp_port_setup(&p, &cfg, 3, 1, pool), 0);
	dp_port_close(&p);
}

static void test_setup_errors(void **state)
{
	struct rh_port_cfg cfg = vdev_cfg("net_ring0", 2, 1500);
	struct dp_port p;

	(void)state;
	/* net_ring has one queue pair and no RSS: two RX queues cannot be spread. */
	assert_int_equal(dp_port_setup(&p, &cfg, 0, 1, pool), -ENOTSUP);
	assert_false(p.started);
	cfg.rx_queues = 1;
	assert_int_equal(dp_port_setup(&p, &cfg, 0, 1, pool), 0);
	assert_false(p.rss);
	dp_port_close(&p);
	cfg = vdev_cfg("net_null2", 1, 40); /* below the minimum IPv4 MTU (68) */
	assert_int_equal(dp_port_setup(&p, &cfg, 0, 1, pool), -EINVAL);
	cfg.mtu = 1500;
	assert_int_equal(dp_port_setup(&p, &cfg, 0, 1, pool), 0);
	dp_port_close(&p);
	assert_int_equal(dp_port_setup(&p, &cfg, RH_MAX_PORTS, 1, pool), -EINVAL);
	assert_int_equal(dp_port_setup(&p, &cfg, 0, 0, pool), -EINVAL);
	assert_int_equal(dp_port_setup(&p, &cfg, 0, 1, NULL), -EINVAL);
}

static void test_to_ctx(void **state)
{
	struct rh_port_cfg cfg = vdev_cfg("net_null3", 1, 1400);
	struct dp_fwd_ctx ctx;
	struct dp_port p;
	rte_be32_t a4;

	(void)state;
	cfg.n_addrs = 2;
	cfg.addr[0].addr.family = RH_AF_INET;
	cfg.addr[0].addr.bytes[0] = 192;
	cfg.addr[0].addr.bytes[1] = 0;
	cfg.addr[0].addr.bytes[2] = 2;
	cfg.addr[0].addr.bytes[3] = 1;
	cfg.addr[0].len = 24;
	cfg.addr[1].addr.family = RH_AF_INET6;
	cfg.addr[1].addr.bytes[0] = 0x20;
	cfg.addr[1].addr.bytes[1] = 0x01;
	cfg.addr[1].addr.bytes[15] = 1;
	cfg.addr[1].len = 64;
	assert_int_equal(dp_port_setup(&p, &cfg, 5, 1, pool), 0);
	dp_fwd_ctx_init(&ctx);
	assert_int_equal(dp_port_to_ctx(&p, &cfg, &ctx), 0);
	assert_int_equal(ctx.n_ports, 6);
	assert_int_equal(ctx.port_of_eth[p.eth_port], 5);
	assert_true(ctx.port[5].enabled);
	assert_int_equal(ctx.port[5].mtu, 1400);
	assert_true(rte_is_same_ether_addr(&ctx.port[5].mac, &p.mac));
	memcpy(&a4, cfg.addr[0].addr.bytes, 4);
	assert_true(dp_local_has4(&ctx.local, a4));
	assert_true(dp_local_has6(&ctx.local, cfg.addr[1].addr.bytes));
	dp_port_close(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_attach),    cmocka_unit_test(test_attach_errors),
	        cmocka_unit_test(test_setup_rss), cmocka_unit_test(test_setup_errors),
	        cmocka_unit_test(test_to_ctx),
	};

	return cmocka_run_group_tests_name("dp_port", tests, group_setup, group_teardown);
}
