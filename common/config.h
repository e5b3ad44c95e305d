/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration: a JSON file validated by libyang against yang/routehub.yang, then by the
 * checks that YANG cannot state (prefix overlap, address families, duplicates across
 * lists), then turned into the plain structures below that both daemons use.
 *
 * Loading never changes a running configuration: rh_config_load() builds a new
 * struct rh_config or reports every problem it found and returns NULL.
 */
#ifndef ROUTEHUB_CONFIG_H
#define ROUTEHUB_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "routehub/prefix.h"

#define RH_RS_ASN           65515u
#define RH_VPN_ASN          65515u
#define RH_ER_EDGE_ASN      12076u
#define RH_RS_MAX_PEERS     8 /* R12 */
#define RH_MAX_VNET         64
#define RH_MAX_INSTANCES    2
#define RH_MAX_GW_PEERS     16
#define RH_MAX_PORTS        16
#define RH_MAX_PORT_ADDRS   8
#define RH_MAX_NEIGHBOURS   64
#define RH_MAX_WORKERS      64
#define RH_MAX_LOCAL_PREFIX 1024
#define RH_PASSWORD_MAX     80
#define RH_PATH_MAX         108 /* sun_path */

enum rh_hub_pref {
	RH_PREF_EXPRESSROUTE = 0,
	RH_PREF_VPNGATEWAY = 1,
	RH_PREF_ASPATH = 2,
};

#define RH_ADD_PATH_RECEIVE 0x1
#define RH_ADD_PATH_SEND    0x2

struct rh_peer_cfg {
	struct rh_addr addr;
	uint32_t asn;
	uint16_t hold_time;
	uint8_t multihop;                   /* TTL; 1 = directly connected */
	char password[RH_PASSWORD_MAX + 1]; /* empty = no TCP MD5 */
	uint8_t add_path;                   /* RH_ADD_PATH_* bits; 0 = off (RFC 7911) */
	bool gtsm;                          /* RFC 5082 */
	bool passive;                       /* only accept (RFC 4271 8.1.1) */
};

struct rh_rs_cfg {
	uint32_t asn;
	struct rh_addr instance[RH_MAX_INSTANCES];
	unsigned n_vnet;
	struct rh_prefix vnet[RH_MAX_VNET];
	bool branch_to_branch;
	enum rh_hub_pref preference;
	uint16_t route_limit;
	unsigned n_peers;
	struct rh_peer_cfg peer[RH_RS_MAX_PEERS];
};

struct rh_er_cfg {
	bool present;
	unsigned n_instances;
	struct rh_addr instance[RH_MAX_INSTANCES];
	bool premium;
	uint16_t limit_to_er;       /* R16: routes sent toward ExpressRoute */
	uint16_t limit_from_onprem; /* R16: routes taken from on-premises */
	unsigned n_peers;
	struct rh_peer_cfg peer[RH_MAX_GW_PEERS];
};

struct rh_vpn_cfg {
	bool present;
	bool active_active;
	unsigned n_instances;
	struct rh_addr instance[RH_MAX_INSTANCES];
	uint16_t route_limit;
	unsigned n_peers;
	struct rh_peer_cfg peer[RH_MAX_GW_PEERS];
	unsigned n_local;
	struct rh_prefix local[RH_MAX_LOCAL_PREFIX];
};

struct rh_ifaddr {
	struct rh_addr addr;
	uint8_t len; /* length of the connected prefix */
};

struct rh_neigh_cfg {
	struct rh_addr addr;
	uint8_t mac[6];
};

struct rh_port_cfg {
	char name[16];
	bool is_pci;
	char device[256]; /* PCI address or vdev arguments */
	unsigned n_addrs;
	struct rh_ifaddr addr[RH_MAX_PORT_ADDRS];
	uint16_t mtu;
	uint8_t rx_queues;
	unsigned n_neigh;
	struct rh_neigh_cfg neigh[RH_MAX_NEIGHBOURS];
};

/* The Prometheus endpoint of a daemon (common/metrics.h); port 0: disabled. */
struct rh_metrics_cfg {
	char address[48]; /* an IPv4 or IPv6 literal; "127.0.0.1" when unset */
	uint16_t port;
};

struct rh_dp_cfg {
	unsigned n_ports;
	struct rh_port_cfg port[RH_MAX_PORTS];
	unsigned n_workers;
	uint16_t worker[RH_MAX_WORKERS];
	uint32_t fib4_max_routes;
	uint32_t fib4_tbl8; /* 0: derived by the FIB (fib.c) */
	uint32_t fib6_max_routes;
	uint32_t max_next_hops;
	uint32_t extra_mbufs;
	char fib_socket[RH_PATH_MAX];
	char mgmt_socket[RH_PATH_MAX];
	char eal_args[1025]; /* separated by spaces */
	struct rh_metrics_cfg metrics;
};

struct rh_cp_cfg {
	struct rh_addr router_id; /* IPv4 */
	char mgmt_socket[RH_PATH_MAX];
	int log_level;             /* syslog priority: LOG_ERR..LOG_DEBUG */
	bool enforce_route_limits; /* R11/R16; false only for benchmarks and big labs */
	uint16_t gr_time_max;      /* cap of a peer's Restart Time (RFC 4724); 0: no GR */
	uint16_t gr_stale_time;    /* End-of-RIB wait of a restarted peer (RFC 4724 4.2) */
	struct rh_metrics_cfg metrics;
};

struct rh_config {
	struct rh_rs_cfg rs;
	struct rh_er_cfg er;
	struct rh_vpn_cfg vpn;
	struct rh_cp_cfg cp;
	struct rh_dp_cfg dp;
};

/*
 * Directory holding routehub.yang: $ROUTEHUB_YANG_DIR, else the build tree's yang/,
 * else the installed one.
 */
const char *rh_config_yang_dir(void);

/*
 * Loads and validates a configuration file. On success returns a new configuration
 * (free with rh_config_free()). On failure returns NULL, sets errno, and writes one line
 * per problem to err (if not NULL): "FILE: PATH: MESSAGE", PATH being the data path of
 * the offending node and MESSAGE starting with the rule ("R10: ...") where one applies.
 * Returns the number of problems in *n_problems when that is not NULL.
 */
struct rh_config *rh_config_load(const char *file, FILE *err, unsigned *n_problems);
/* The same from JSON text; name is used in messages. */
struct rh_config *rh_config_load_json(const char *json, const char *name, FILE *err,
                                      unsigned *n_problems);
void rh_config_free(struct rh_config *cfg);

/* Index of the port that has the address on one of its connected subnets, or -1. */
int rh_config_port_for(const struct rh_config *cfg, const struct rh_addr *addr);

const char *rh_hub_pref_name(enum rh_hub_pref p);
/* The add-path leaf's value <-> RH_ADD_PATH_* bits ("off" and NULL: 0). */
uint8_t rh_add_path_parse(const char *v);
const char *rh_add_path_name(uint8_t bits);

#endif
