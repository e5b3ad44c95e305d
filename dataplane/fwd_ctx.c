/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The workers' shared context: ports and own addresses, set up by the main lcore before
 * the workers start (kept apart from worker.c so that port setup links without the FIB).
 */
#include <errno.h>
#include <string.h>

#include "worker.h"

void dp_fwd_ctx_init(struct dp_fwd_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	memset(ctx->port_of_eth, DP_PORT_NONE, sizeof(ctx->port_of_eth));
}

int dp_fwd_ctx_set_port(struct dp_fwd_ctx *ctx, uint16_t index, uint16_t eth_port,
                        const struct rte_ether_addr *mac, uint16_t mtu)
{
	struct dp_port_info *p;

	if (index >= RH_MAX_PORTS || eth_port >= RTE_MAX_ETHPORTS || mac == NULL || mtu == 0)
		return -EINVAL;
	p = &ctx->port[index];
	p->enabled = true;
	p->eth_port = eth_port;
	p->mtu = mtu;
	p->prefetch = true;
	p->mac = *mac;
	p->mac64 = 0;
	memcpy(&p->mac64, mac, RTE_ETHER_ADDR_LEN);
	ctx->port_of_eth[eth_port] = (uint8_t)index;
	if (index >= ctx->n_ports)
		ctx->n_ports = index + 1;
	return 0;
}

int dp_local_add(struct dp_local_addrs *t, const struct rh_addr *a)
{
	rte_be32_t v4;

	if (a == NULL)
		return -EINVAL;
	if (a->family == RH_AF_INET) {
		memcpy(&v4, a->bytes, 4);
		if (dp_local_has4(t, v4))
			return 0;
		if (t->n4 == DP_MAX_LOCAL_ADDRS)
			return -ENOSPC;
		t->v4[t->n4++] = v4;
		t->filter4 |= dp_local_bit4(v4);
		return 0;
	}
	if (a->family == RH_AF_INET6) {
		if (dp_local_has6(t, a->bytes))
			return 0;
		if (t->n6 == DP_MAX_LOCAL_ADDRS)
			return -ENOSPC;
		memcpy(t->v6[t->n6++], a->bytes, 16);
		t->filter6 |= dp_local_bit6(a->bytes);
		return 0;
	}
	return -EINVAL;
}
