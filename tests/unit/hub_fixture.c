/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bgp.h"
#include "hub_fixture.h"

struct fx fx;

static const struct bgp_codec_opts fx_opts = {
        .as4 = true, .ebgp = true, .max_msg = BGP_MAX_MSG_EXT};

struct rh_prefix fx_prefix(const char *s)
{
	struct rh_prefix p;

	assert_int_equal(rh_prefix_parse(s, &p, false), 0);
	return p;
}

struct rh_addr fx_addr(const char *s)
{
	struct rh_addr a;

	assert_int_equal(rh_addr_parse(s, &a), 0);
	return a;
}

void fx_config(bool b2b)
{
	struct rh_config *c = &fx.cfg;

	memset(&fx, 0, sizeof(fx));
	c->rs.asn = RH_RS_ASN;
	c->rs.instance[0] = fx_addr("198.19.0.4");
	c->rs.instance[1] = fx_addr("198.19.0.5");
	c->rs.n_vnet = 2;
	c->rs.vnet[0] = fx_prefix("198.18.0.0/16");
	c->rs.vnet[1] = fx_prefix("2001:db8:100::/48");
	c->rs.branch_to_branch = b2b;
	c->rs.preference = RH_PREF_EXPRESSROUTE;
	c->rs.route_limit = 1000;
	c->er.present = true;
	c->er.n_instances = 2;
	c->er.instance[0] = fx_addr("198.19.2.4");
	c->er.instance[1] = fx_addr("198.19.2.5");
	c->er.limit_to_er = 1000;
	c->er.limit_from_onprem = 4000;
	c->vpn.present = true;
	c->vpn.active_active = true;
	c->vpn.n_instances = 2;
	c->vpn.instance[0] = fx_addr("198.19.3.4");
	c->vpn.instance[1] = fx_addr("198.19.3.5");
	c->vpn.route_limit = 4000;
	c->vpn.n_peers = 1;
	c->vpn.peer[0].addr = fx_addr("198.19.3.10");
	c->vpn.peer[0].asn = 65030;
}

static void on_ready(struct hub_peer *p, void *arg)
{
	struct fx_peer *fp = hub_peer_user(p);

	(void)arg;
	fp->ready++;
}

static void on_teardown(struct hub_peer *p, uint8_t code, uint8_t subcode, void *arg)
{
	struct fx_peer *fp = hub_peer_user(p);

	(void)arg;
	fp->teardowns++;
	fp->code = code;
	fp->subcode = subcode;
}

static void on_effective(const struct rh_prefix *p, void *arg)
{
	(void)arg;
	fx.effective_changes++;
	rh_prefix_fmt(p, fx.last_changed, sizeof(fx.last_changed));
	if (fx.on_effective != NULL)
		fx.on_effective(p);
}

static const struct hub_ops fx_ops = {
        .peer_ready = on_ready,
        .peer_teardown = on_teardown,
        .effective_changed = on_effective,
};

void fx_start(void)
{
	fx.h = hub_new(&fx.cfg, &fx_ops, NULL);
	assert_non_null(fx.h);
}

void fx_stop(void)
{
	hub_free(fx.h);
	fx.h = NULL;
	assert_int_equal(bgp_attrs_interned_count(), 0);
}

static void peer_up(struct fx_peer *p, enum hub_role role, const char *addr, uint32_t asn,
                    const char *local, bool addpath)
{
	static const bool both[BGP_AID_MAX] = {true, true};
	const struct rh_addr *inst = role == HUB_ROLE_NVA         ? fx.cfg.rs.instance
	                             : role == HUB_ROLE_ER_ONPREM ? fx.cfg.er.instance
	                                                          : fx.cfg.vpn.instance;
	struct hub_peer_info info = {
	        .role = role,
	        .addr = fx_addr(addr),
	        .local = local != NULL ? fx_addr(local) : inst[0],
	        .asn = asn,
	        .local_asn = role == HUB_ROLE_ER_ONPREM ? RH_ER_EDGE_ASN : RH_RS_ASN,
	};

	memset(p, 0, sizeof(*p));
	p->hp = hub_peer_add(fx.h, &info);
	assert_non_null(p->hp);
	hub_peer_set_user(p->hp, p);
	hub_peer_set_addpath(p->hp, addpath ? both : NULL);
	assert_int_equal(hub_peer_up(p->hp, both, htonl(0x0a000000u + info.addr.bytes[3])), 0);
}

void fx_peer(struct fx_peer *p, enum hub_role role, const char *addr, uint32_t asn,
             const char *local)
{
	peer_up(p, role, addr, asn, local, false);
}

void fx_peer_addpath(struct fx_peer *p, enum hub_role role, const char *addr, uint32_t asn,
                     const char *local)
{
	peer_up(p, role, addr, asn, local, true);
}

static int flush_cb(const struct bgp_out_batch *b, void *arg)
{
	struct fx_peer *p = arg;

	if (b->eor) {
		p->eor++;
		return 0;
	}
	for (size_t i = 0; i < b->n; i++) {
		struct fx_sent *s;

		assert_true(p->n_sent < FX_MAX_SENT);
		s = &p->sent[p->n_sent++];
		memset(s, 0, sizeof(*s));
		rh_prefix_fmt(b->prefixes[i], s->prefix, sizeof(s->prefix));
		s->withdraw = b->withdraw;
		s->path_id = b->path_ids != NULL ? b->path_ids[i] : 0;
		if (b->withdraw)
			continue;
		bgp_aspath_fmt(b->attrs, s->aspath, sizeof(s->aspath));
		if (b->attrs->next_hop.family != 0)
			rh_addr_fmt(&b->attrs->next_hop, s->nexthop, sizeof(s->nexthop));
		s->no_advertise = bgp_attrs_has_community(b->attrs, BGP_COMM_NO_ADVERTISE);
	}
	return 0;
}

unsigned fx_flush(struct fx_peer *p)
{
	long n;

	p->n_sent = 0;
	p->eor = 0;
	n = hub_peer_flush(p->hp, 7, flush_cb, p);
	assert_true(n >= 0);
	assert_int_equal((unsigned)n, p->n_sent);
	return p->n_sent;
}

const struct fx_sent *fx_sent(const struct fx_peer *p, const char *prefix)
{
	for (unsigned i = 0; i < p->n_sent; i++)
		if (strcmp(p->sent[i].prefix, prefix) == 0)
			return &p->sent[i];
	return NULL;
}

/* Parses up to 64 prefixes separated by spaces. */
static unsigned parse_prefixes(const char *s, struct rh_prefix *p)
{
	char buf[4096], *save = NULL;
	unsigned n = 0;

	snprintf(buf, sizeof(buf), "%s", s);
	for (char *t = strtok_r(buf, " ", &save); t != NULL && n < 64;
	     t = strtok_r(NULL, " ", &save))
		p[n++] = fx_prefix(t);
	return n;
}

static struct bgp_attrs *make_attrs(const char *aspath, const char *nh, const uint32_t *comm,
                                    unsigned n_comm)
{
	struct bgp_attrs *a = bgp_attrs_new();
	uint32_t asn[64];
	unsigned n = 0;
	char buf[512], *save = NULL;

	assert_non_null(a);
	a->origin = BGP_ORIGIN_IGP;
	snprintf(buf, sizeof(buf), "%s", aspath);
	for (char *t = strtok_r(buf, " ", &save); t != NULL && n < 64;
	     t = strtok_r(NULL, " ", &save))
		asn[n++] = (uint32_t)strtoul(t, NULL, 10);
	if (n > 0) {
		a->aspath_len = (uint16_t)(2 + 4 * n);
		a->aspath = malloc(a->aspath_len);
		a->aspath[0] = BGP_AS_SEQUENCE;
		a->aspath[1] = (uint8_t)n;
		for (unsigned i = 0; i < n; i++) {
			uint32_t v = htonl(asn[i]);

			memcpy(a->aspath + 2 + 4 * i, &v, 4);
		}
	}
	a->next_hop = fx_addr(nh);
	a->flags |= BGP_ATTRS_NEXT_HOP;
	if (n_comm > 0) {
		a->comm = malloc(n_comm * sizeof(*a->comm));
		memcpy(a->comm, comm, n_comm * sizeof(*a->comm));
		a->n_comm = (uint16_t)n_comm;
	}
	return a;
}

/* Builds one UPDATE with the codec's writer, decodes it, hands it to the hub. */
static int send_update(struct fx_peer *p, const struct rh_prefix *pfx, unsigned n, bool withdraw,
                       const struct bgp_attrs *a)
{
	static uint8_t buf[BGP_MAX_MSG_EXT];
	struct bgp_upd_writer uw;
	struct bgp_update u;
	enum bgp_aid aid = pfx[0].family == RH_AF_INET6 ? BGP_AID_IPV6 : BGP_AID_IPV4;
	size_t len;
	int rc;

	assert_int_equal(bgp_upd_begin(&uw, buf, sizeof(buf), aid, withdraw, a, &fx_opts), 0);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(bgp_upd_add(&uw, &pfx[i], 0), 0);
	len = bgp_upd_finish(&uw);
	assert_true(len > BGP_HDR_LEN);
	assert_int_equal(bgp_update_decode(buf + BGP_HDR_LEN, len - BGP_HDR_LEN, &fx_opts, &u), 0);
	assert_int_equal(u.action, BGP_UPD_OK);
	if (fx.action == BGP_UPD_TREAT_AS_WITHDRAW) {
		/* As the decoder leaves it (msg.h): NLRI located, no attributes. */
		u.action = fx.action;
		bgp_attrs_free(u.attrs);
		u.attrs = NULL;
	}
	rc = hub_peer_update(p->hp, &u, &fx_opts);
	bgp_attrs_free(u.attrs);
	return rc;
}

int fx_announce(struct fx_peer *p, const char *prefixes, const char *aspath, const char *nh,
                const uint32_t *comm, unsigned n_comm)
{
	struct rh_prefix pfx[64];
	unsigned n = parse_prefixes(prefixes, pfx);
	struct bgp_attrs *a = make_attrs(aspath, nh, comm, n_comm);
	int rc = send_update(p, pfx, n, false, a);

	bgp_attrs_free(a);
	return rc;
}

int fx_withdraw(struct fx_peer *p, const char *prefixes)
{
	struct rh_prefix pfx[64];
	unsigned n = parse_prefixes(prefixes, pfx);

	return send_update(p, pfx, n, true, NULL);
}

int fx_effective(const char *prefix, struct hub_effective *e)
{
	struct rh_prefix p = fx_prefix(prefix);

	return hub_effective_get(fx.h, &p, e);
}
