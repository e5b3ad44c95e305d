/* SPDX-License-Identifier: BSD-3-Clause */
/* Ports: attach, configure and start an ethdev from the configuration. */
#include <errno.h>
#include <string.h>

#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include "port.h"

/* What RSS spreads on: addresses, and ports where there are some (same as l3fwd). */
#define DP_RSS_HF (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP)

/* The device name of vdev arguments: what comes before the first comma. */
static int vdev_name(const char *args, char *name, size_t size)
{
	size_t len = strcspn(args, ",");

	if (len == 0 || len >= size)
		return -EINVAL;
	memcpy(name, args, len);
	name[len] = '\0';
	return 0;
}

int dp_port_attach(const struct rh_port_cfg *cfg, uint16_t *eth_port)
{
	char name[RTE_DEV_NAME_MAX_LEN];
	int rc;

	if (cfg == NULL || eth_port == NULL || cfg->device[0] == '\0')
		return -EINVAL;
	if (cfg->is_pci) {
		if (strlen(cfg->device) >= sizeof(name))
			return -EINVAL;
		strcpy(name, cfg->device);
	} else if (vdev_name(cfg->device, name, sizeof(name)) != 0) {
		return -EINVAL;
	}
	/* Probed already: by the EAL at start (PCI, --vdev) or by an earlier attach. */
	if (rte_eth_dev_get_port_by_name(name, eth_port) == 0)
		return 0;
	rc = rte_dev_probe(cfg->device);
	if (rc < 0 && rc != -EEXIST)
		return rc == -EINVAL || rc == -ENOENT ? -ENODEV : rc;
	return rte_eth_dev_get_port_by_name(name, eth_port) == 0 ? 0 : -ENODEV;
}

/* The port configuration the device can take; -ENOTSUP / -EINVAL when it cannot. */
static int port_conf(struct dp_port *p, const struct rte_eth_dev_info *info,
                     struct rte_eth_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	if (p->n_rxq > info->max_rx_queues || p->n_txq > info->max_tx_queues)
		return -ENOTSUP;
	if (p->mtu < info->min_mtu || p->mtu > info->max_mtu)
		return -EINVAL;
	conf->rxmode.mtu = p->mtu;
	if (p->n_rxq > 1) {
		p->rss_hf = DP_RSS_HF & info->flow_type_rss_offloads;
		if (p->rss_hf == 0)
			return -ENOTSUP; /* queues that nothing would spread packets over */
		conf->rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf->rx_adv_conf.rss_conf.rss_hf = p->rss_hf;
		p->rss = true;
		/* The worker picks the ECMP member by the RSS hash when the NIC gives it. */
		if (info->rx_offload_capa & RTE_ETH_RX_OFFLOAD_RSS_HASH)
			conf->rxmode.offloads |= RTE_ETH_RX_OFFLOAD_RSS_HASH;
	}
	/* RFC 1812 5.2.2's checksum check costs the worker nothing when the NIC does it. */
	if (info->rx_offload_capa & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM) {
		conf->rxmode.offloads |= RTE_ETH_RX_OFFLOAD_IPV4_CKSUM;
		p->rx_ip_cksum = true;
	}
	return 0;
}

static int port_queues(struct dp_port *p, struct rte_mempool *pool)
{
	uint16_t nb_rxd = DP_PORT_RX_DESC, nb_txd = DP_PORT_TX_DESC, q;
	int socket = rte_eth_dev_socket_id(p->eth_port);
	int rc;

	if (socket < 0)
		socket = SOCKET_ID_ANY;
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(p->eth_port, &nb_rxd, &nb_txd);
	if (rc < 0)
		return rc;
	for (q = 0; q < p->n_rxq; q++) {
		rc = rte_eth_rx_queue_setup(p->eth_port, q, nb_rxd, (unsigned)socket, NULL, pool);
		if (rc < 0)
			return rc;
	}
	for (q = 0; q < p->n_txq; q++) {
		rc = rte_eth_tx_queue_setup(p->eth_port, q, nb_txd, (unsigned)socket, NULL);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* A mode a PMD does not implement is not an error: it then cannot filter at all. */
static int not_unsupported(int rc)
{
	return rc == -ENOTSUP ? 0 : rc;
}

int dp_port_setup(struct dp_port *p, const struct rh_port_cfg *cfg, uint16_t index, uint16_t n_txq,
                  struct rte_mempool *pool)
{
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf;
	int rc;

	if (p == NULL || cfg == NULL || pool == NULL || index >= RH_MAX_PORTS || n_txq == 0 ||
	    cfg->rx_queues == 0 || cfg->mtu == 0)
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	p->index = index;
	p->is_pci = cfg->is_pci;
	p->n_rxq = cfg->rx_queues;
	p->n_txq = n_txq;
	p->mtu = cfg->mtu;
	rc = dp_port_attach(cfg, &p->eth_port);
	if (rc < 0)
		return rc;
	p->attached = true;
	rc = p->eth_port < RTE_MAX_ETHPORTS ? 0 : -ERANGE;
	if (rc == 0)
		rc = rte_eth_dev_info_get(p->eth_port, &info);
	if (rc == 0)
		rc = port_conf(p, &info, &conf);
	if (rc == 0)
		rc = rte_eth_dev_configure(p->eth_port, p->n_rxq, p->n_txq, &conf);
	if (rc == 0)
		rc = port_queues(p, pool);
	if (rc == 0)
		rc = rte_eth_dev_start(p->eth_port);
	if (rc == 0) {
		p->started = true;
		rc = not_unsupported(rte_eth_promiscuous_disable(p->eth_port));
	}
	if (rc == 0)
		rc = not_unsupported(rte_eth_allmulticast_enable(p->eth_port));
	if (rc == 0)
		rc = rte_eth_macaddr_get(p->eth_port, &p->mac);
	if (rc == 0)
		p->promiscuous = rte_eth_promiscuous_get(p->eth_port) == 1;
	if (rc < 0) {
		dp_port_close(p);
		return rc;
	}
	return 0;
}

int dp_port_link(const struct dp_port *p, struct rte_eth_link *link)
{
	return rte_eth_link_get_nowait(p->eth_port, link);
}

int dp_port_to_ctx(const struct dp_port *p, const struct rh_port_cfg *cfg, struct dp_fwd_ctx *ctx)
{
	unsigned i;
	int rc;

	rc = dp_fwd_ctx_set_port(ctx, p->index, p->eth_port, &p->mac, p->mtu);
	if (rc == 0)
		ctx->port[p->index].prefetch = p->is_pci; /* a vdev's frames are in the cache */
	for (i = 0; rc == 0 && i < cfg->n_addrs; i++)
		rc = dp_local_add(&ctx->local, &cfg->addr[i].addr);
	return rc;
}

void dp_port_close(struct dp_port *p)
{
	struct rte_eth_dev_info info;
	struct rte_device *dev = NULL;

	if (!p->attached || !rte_eth_dev_is_valid_port(p->eth_port))
		return;
	p->attached = false;
	if (rte_eth_dev_info_get(p->eth_port, &info) == 0)
		dev = info.device;
	if (p->started)
		rte_eth_dev_stop(p->eth_port);
	p->started = false;
	rte_eth_dev_close(p->eth_port);
	/* A vdev would otherwise stay probed without a port, and a new attach fail. */
	if (!p->is_pci && dev != NULL)
		rte_dev_remove(dev);
}
