/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane's own FIB entries, next to the control plane's:
 *
 *  - each port address's subnet is a route to the port's "connected" next hop: an
 *    INCOMPLETE next hop with no address. A packet that takes it is punted to the
 *    neighbour ring, and the main lcore resolves the packet's own destination;
 *  - once a neighbour on a connected subnet has a MAC, a host route (/32, /128) to a host
 *    next hop of that neighbour is added, resolved: from then on the workers forward to it
 *    without the main lcore. The host route goes when the neighbour does. (Chosen over a
 *    per-destination lookup in the workers: the fast path stays one FIB lookup);
 *  - each own address is a host route to a LOCAL next hop (the workers punt own addresses
 *    before the lookup anyway; the routes make them visible in `show fib`);
 *  - every next hop (the control plane's too) to a neighbour that resolves gets its MAC.
 *
 * A control-plane resync (SYNC_BEGIN .. SYNC_END) would sweep these entries, which the
 * control plane does not send: the synced hook adds them again right after SYNC_BEGIN.
 */
#include <errno.h>
#include <string.h>

#include "dp.h"
#include "log.h"

static uint32_t id_connected(const struct dp_main *d, uint16_t port, uint8_t family)
{
	return d->own_nh_base + port * 2u + (family == RH_AF_INET6);
}

static uint32_t id_local(const struct dp_main *d, uint16_t port, unsigned i)
{
	return d->own_nh_base + 2u * RH_MAX_PORTS + port * RH_MAX_PORT_ADDRS + i;
}

static uint32_t id_host(const struct dp_main *d, uint16_t port, uint16_t slot)
{
	return d->own_nh_base + 2u * RH_MAX_PORTS + RH_MAX_PORTS * RH_MAX_PORT_ADDRS +
	       port * NEIGH_MAX_PER_PORT + slot;
}

bool dp_own_is_connected(const struct dp_nh *nh)
{
	static const uint8_t zero[16];

	return nh->state == DP_NH_INCOMPLETE && memcmp(nh->addr, zero, sizeof(zero)) == 0;
}

static unsigned family_bits(uint8_t family)
{
	return family == RH_AF_INET ? 32 : 128;
}

static int route_to(struct dp_main *d, uint8_t family, const uint8_t *addr, uint8_t len,
                    uint32_t nh_id)
{
	struct fibc_route r = {.family = family, .len = len, .nh_id = nh_id};
	struct rh_prefix p = {.family = family, .len = len};

	memcpy(p.bytes, addr, 16);
	rh_prefix_normalise(&p);
	memcpy(r.addr, p.bytes, 16);
	return dp_fib_route_add(d->fib, &r);
}

static int port_install(struct dp_main *d, uint16_t port)
{
	const struct rh_port_cfg *pc = &d->cfg->dp.port[port];
	int rc = 0;

	for (unsigned i = 0; i < pc->n_addrs && rc == 0; i++) {
		const struct rh_ifaddr *a = &pc->addr[i];
		struct fibc_nh conn = {.id = id_connected(d, port, a->addr.family),
		                       .port = port,
		                       .family = a->addr.family};
		struct fibc_nh local = {.id = id_local(d, port, i),
		                        .port = port,
		                        .family = a->addr.family,
		                        .flags = FIBC_NH_F_LOCAL};

		memcpy(local.addr, a->addr.bytes, 16);
		rc = dp_fib_nh_add(d->fib, &conn);
		if (rc == 0 && a->len < family_bits(a->addr.family))
			rc = route_to(d, a->addr.family, a->addr.bytes, a->len, conn.id);
		if (rc == 0)
			rc = dp_fib_nh_add(d->fib, &local);
		if (rc == 0)
			rc = route_to(d, a->addr.family, a->addr.bytes,
			              (uint8_t)family_bits(a->addr.family), local.id);
	}
	return rc;
}

int dp_own_install(struct dp_main *d)
{
	for (uint16_t p = 0; p < d->n_ports; p++) {
		int rc = port_install(d, p);

		if (rc < 0) {
			log_err("port %s: connected routes: %s", d->cfg->dp.port[p].name,
			        strerror(-rc));
			return rc;
		}
	}
	return 0;
}

static bool on_connected_subnet(const struct dp_main *d, const struct neigh_entry *e)
{
	const struct rh_port_cfg *pc = &d->cfg->dp.port[e->port];
	struct rh_addr a = {.family = e->family};

	memcpy(a.bytes, e->addr, 16);
	for (unsigned i = 0; i < pc->n_addrs; i++) {
		struct rh_prefix p = {.family = pc->addr[i].addr.family, .len = pc->addr[i].len};

		memcpy(p.bytes, pc->addr[i].addr.bytes, 16);
		rh_prefix_normalise(&p);
		if (rh_prefix_has_addr(&p, &a))
			return true;
	}
	return false;
}

/* Whether the control plane holds a route for exactly this host (it then wins). */
static bool host_route_taken(struct dp_main *d, const struct neigh_entry *e, uint32_t host_id)
{
	struct fibc_route r = {.family = e->family, .len = (uint8_t)family_bits(e->family)};
	uint64_t val;

	memcpy(r.addr, e->addr, 16);
	return dp_fib_route_get(d->fib, &r, &val) == 0 && val != host_id;
}

void dp_own_neigh_resolved(struct dp_main *d, const struct neigh_entry *e)
{
	const struct rte_ether_addr *src = &d->port[e->port].mac;
	struct fibc_nh host = {
	        .id = id_host(d, e->port, e->slot), .port = e->port, .family = e->family};
	bool want = on_connected_subnet(d, e) && !host_route_taken(d, e, host.id);
	int rc = 0;

	memcpy(host.addr, e->addr, 16);
	if (want)
		rc = dp_fib_nh_add(d->fib, &host);
	/* The host next hop and every control-plane next hop to this neighbour. */
	dp_fib_nh_resolve(d->fib, e->port, e->addr, e->family, &e->mac, src);
	if (want && rc == 0)
		rc = route_to(d, e->family, e->addr, (uint8_t)family_bits(e->family), host.id);
	d->host_route[e->port][e->slot] = want && rc == 0;
	if (rc < 0)
		log_warn("port %s: host route of a neighbour: %s", d->cfg->dp.port[e->port].name,
		         strerror(-rc));
}

void dp_own_neigh_lost(struct dp_main *d, const struct neigh_entry *e)
{
	uint32_t host_id = id_host(d, e->port, e->slot);

	if (d->host_route[e->port][e->slot]) {
		struct fibc_route r = {.family = e->family, .len = (uint8_t)family_bits(e->family)};

		memcpy(r.addr, e->addr, 16);
		/* Only ours: the control plane may have put its own route there since. */
		if (!host_route_taken(d, e, host_id))
			dp_fib_route_del(d->fib, &r);
		d->host_route[e->port][e->slot] = false;
	}
	dp_fib_nh_del(d->fib, host_id);
	dp_fib_nh_unresolve(d->fib, e->port, e->addr, e->family);
}

/* The next hops of the FIB channel: never one of our ids; FIBC_PORT_ANY found from the
 * connected subnets. */
static int own_nh_check(void *arg, struct fibc_nh *nh, bool add)
{
	struct dp_main *d = arg;
	struct rh_addr a = {.family = nh->family};
	int port;

	if (nh->id >= d->own_nh_base)
		return -ERANGE;
	if (!add)
		return 0;
	if (nh->flags & (FIBC_NH_F_BLACKHOLE | FIBC_NH_F_LOCAL)) {
		if (nh->port == FIBC_PORT_ANY)
			nh->port = 0;
		return 0;
	}
	if (nh->port != FIBC_PORT_ANY)
		return nh->port < d->n_ports ? 0 : -ENODEV;
	memcpy(a.bytes, nh->addr, 16);
	port = rh_config_port_for(d->cfg, &a);
	if (port < 0)
		return -ENETUNREACH; /* not on any connected subnet: no port to resolve it on */
	nh->port = (uint16_t)port;
	return 0;
}

static int readd_host(const struct neigh_entry *e, void *arg)
{
	if (e->state != NEIGH_INCOMPLETE)
		dp_own_neigh_resolved(arg, e);
	return 0;
}

static void own_synced(void *arg)
{
	struct dp_main *d = arg;

	dp_own_install(d);
	neigh_walk(d->neigh, readd_host, d);
}

void dp_own_hooks(struct dp_main *d, struct fib_server_hooks *h)
{
	h->nh_check = own_nh_check;
	h->synced = own_synced;
	h->arg = d;
}

const char *dp_own_origin(const struct dp_main *d, uint32_t nh_id)
{
	if (nh_id < d->own_nh_base)
		return "fib-channel";
	if (nh_id < id_local(d, 0, 0))
		return "connected";
	if (nh_id < id_host(d, 0, 0))
		return "local";
	return "neighbour";
}
