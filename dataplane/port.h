/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports: from a configured port (common/config.h struct rh_port_cfg) to a started ethdev
 * with its RX queues spread by RSS, one TX queue per worker, the configured MTU, unicast
 * filtering on (promiscuous off), and the worker's view of it (struct dp_port_info).
 *
 * Main lcore only; none of these is called while the workers run, except dp_port_link().
 */
#ifndef ROUTEHUB_DP_PORT_H
#define ROUTEHUB_DP_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_mempool.h>

#include "config.h"
#include "worker.h"

#define DP_PORT_RX_DESC 1024
#define DP_PORT_TX_DESC 1024

struct dp_port {
	uint16_t index;    /* in the configuration's port list */
	uint16_t eth_port; /* ethdev port id */
	uint16_t n_rxq;
	uint16_t n_txq;
	uint16_t mtu;
	bool is_pci;
	bool attached; /* eth_port is ours to close */
	bool started;
	bool rss;         /* RX spread over n_rxq queues by RSS */
	bool promiscuous; /* the PMD cannot turn it off (net_null): the worker checks MACs */
	bool rx_ip_cksum; /* the NIC verifies IPv4 header checksums (RX offload on) */
	uint64_t rss_hf;  /* hash functions in use (RTE_ETH_RSS_*), 0 without RSS */
	struct rte_ether_addr mac;
};

/*
 * Finds or creates the ethdev of a configured port: a PCI device by its address (probed
 * by the EAL at start, else hot-plugged with rte_dev_probe()); a vdev by probing its
 * arguments ("net_null0,size=64"), or the one that EAL arguments already created.
 * Returns 0 and the ethdev id, or a negative errno (-ENODEV: no such device).
 */
int dp_port_attach(const struct rh_port_cfg *cfg, uint16_t *eth_port);

/*
 * Attaches, configures and starts port `index` of the configuration: cfg->rx_queues RX
 * queues (RSS over IP addresses and TCP/UDP ports when more than one; -ENOTSUP when the
 * device cannot), n_txq TX queues, MTU cfg->mtu (-EINVAL outside the device's range),
 * promiscuous off and all-multicast on (IPv6 neighbour discovery uses multicast), the RX
 * IPv4 checksum offload when the device has it. RX buffers come from pool. On failure
 * the device is left closed. Returns 0 or a negative errno.
 */
int dp_port_setup(struct dp_port *p, const struct rh_port_cfg *cfg, uint16_t index, uint16_t n_txq,
                  struct rte_mempool *pool);

/* The link state now (never waits). Returns 0 or a negative errno. */
int dp_port_link(const struct dp_port *p, struct rte_eth_link *link);

/*
 * Declares the port to the workers' context: index, ethdev id, MAC, MTU, and its
 * configured addresses as own addresses. Returns 0 or a negative errno.
 */
int dp_port_to_ctx(const struct dp_port *p, const struct rh_port_cfg *cfg, struct dp_fwd_ctx *ctx);

/* Stops and closes the port; a vdev is also removed so that it can be attached again. */
void dp_port_close(struct dp_port *p);

#endif
