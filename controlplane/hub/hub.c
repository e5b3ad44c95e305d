/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hub model (hub.h): the parts, the sessions attached to them, UPDATEs in (import
 * rules R7, R8, R11, R16), advertisements out, and the runtime switches (R5, R13).
 * The export policies and the exchange between parts are in hub_exchange.c, the
 * effective routes (R17) in hub_effective.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bgp.h"
#include "hub_internal.h"
#include "log.h"

/* ------------------------------------------------------------------ hub */

struct hub *hub_new(const struct rh_config *cfg, const struct hub_ops *ops, void *arg)
{
	struct hub *h = calloc(1, sizeof(*h));
	int rc;

	if (h == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	h->cfg = *cfg;
	h->ops = ops;
	h->arg = arg;
	h->quiet = true; /* no effective_changed before the caller has the hub */
	rc = hub_eff_init(h);
	/* A part exists only when configured; the route server when it has an instance. */
	if (rc == 0 && (cfg->rs.instance[0].family != 0 || cfg->rs.instance[1].family != 0))
		rc = hub_part_init(h, HUB_PART_RS);
	if (rc == 0 && cfg->er.present)
		rc = hub_part_init(h, HUB_PART_ER);
	if (rc == 0 && cfg->vpn.present)
		rc = hub_part_init(h, HUB_PART_VPN);
	if (rc == 0)
		rc = hub_exchange_repolicy(h);
	if (rc == 0) {
		hub_er_recount(h);
		rc = hub_settle(h);
	}
	for (unsigned i = 0; rc == 0 && i < cfg->rs.n_vnet; i++)
		rc = hub_eff_update(h, &cfg->rs.vnet[i]);
	for (unsigned i = 0; rc == 0 && cfg->vpn.present && i < cfg->vpn.n_local; i++)
		rc = hub_eff_update(h, &cfg->vpn.local[i]);
	if (rc < 0)
		goto fail;
	h->quiet = false;
	return h;
fail:
	hub_free(h);
	errno = rc < 0 ? -rc : ENOMEM;
	return NULL;
}

static void rejected_clear(struct hub_peer *p);

void hub_free(struct hub *h)
{
	if (h == NULL)
		return;
	/* The RIBs first: freeing one empties its peers' path lists. */
	for (unsigned i = 0; i < HUB_PART_MAX; i++)
		hub_part_fini(&h->part[i]);
	while (h->peers != NULL) {
		struct hub_peer *p = h->peers;

		h->peers = p->next;
		rejected_clear(p);
		for (unsigned aid = 0; aid < BGP_AID_MAX; aid++)
			bgp_ptable_fini(&p->rejected[aid]);
		bgp_pool_fini(&p->rej_pool);
		free(p);
	}
	hub_eff_fini(h);
	free(h->pfx);
	free(h->acc);
	free(h->pid);
	free(h->accid);
	free(h);
}

/* Tells the speaker about every session with something to send. */
void hub_notify(struct hub *h)
{
	for (struct hub_peer *p = h->peers; p != NULL; p = p->next) {
		bool ready;

		if (!p->up || p->g == NULL || h->ops == NULL || h->ops->peer_ready == NULL)
			continue;
		ready = bgp_out_group_pending(p->g) > 0 ||
		        (p->ap != NULL && bgp_ap_out_pending(p->ap) > 0);
		for (unsigned aid = 0; aid < BGP_AID_MAX; aid++)
			ready |= p->g->eor_pending[aid];
		if (ready)
			h->ops->peer_ready(p, h->arg);
	}
}

/* After every change: R16's check, then the exchange between parts. */
int hub_settle(struct hub *h)
{
	int rc = hub_er_limit_check(h);

	if (rc == 0)
		rc = hub_exchange_run(h);
	/* The exchange changed the RS part's best paths: R16 again (at most once more). */
	if (rc == 0 && h->er_check) {
		rc = hub_er_limit_check(h);
		if (rc == 0)
			rc = hub_exchange_run(h);
	}
	return rc;
}

/* ------------------------------------------------------------------ peers */

static struct hub_part *role_part(struct hub *h, enum hub_role role)
{
	static const enum hub_part_id part[] = {HUB_PART_RS, HUB_PART_ER, HUB_PART_VPN};

	if ((unsigned)role > HUB_ROLE_VPN_ONPREM || !h->part[part[role]].present)
		return NULL;
	return &h->part[part[role]];
}

/* R11, R16: what a session may advertise, from the configuration when not given. */
uint32_t hub_default_limit(const struct rh_config *cfg, enum hub_role role)
{
	switch (role) {
	case HUB_ROLE_NVA:
		return cfg->rs.route_limit;
	case HUB_ROLE_ER_ONPREM:
		return cfg->er.limit_from_onprem;
	default:
		return cfg->vpn.route_limit;
	}
}

struct hub_peer *hub_peer_add(struct hub *h, const struct hub_peer_info *info)
{
	struct hub_part *pt = role_part(h, info->role);
	struct hub_peer *p, **tail = &h->peers;
	uint32_t index = 0, max_index = 0;

	if (pt == NULL) {
		errno = ENOENT;
		return NULL;
	}
	/* Split horizon is by neighbour: the sessions of one NVA to both instances (R1)
	 * share an index, so that neither sends it back its own routes. */
	for (struct hub_peer *q = h->peers; q != NULL; q = q->next) {
		if (rh_addr_equal(&q->info.addr, &info->addr))
			index = q->index;
		if (q->index > max_index)
			max_index = q->index;
		tail = &q->next;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	p->h = h;
	p->info = *info;
	if (p->info.limit == 0)
		p->info.limit = hub_default_limit(&h->cfg, info->role);
	p->index = index != 0 ? index : max_index + 1;
	p->part = pt;
	bgp_rib_peer_init(&p->rp.rp, HUB_RPID_SESSION + h->n_peers, &info->addr, info->asn, 0,
	                  true);
	p->rp.part = pt;
	p->rp.owner = p;
	p->rp.kind = HUB_RP_SESSION;
	p->rp.src = pt->own_src;
	for (unsigned aid = 0; aid < BGP_AID_MAX; aid++)
		bgp_ptable_init(&p->rejected[aid]);
	bgp_pool_init(&p->rej_pool, sizeof(struct hub_rejected));
	h->n_peers++;
	*tail = p;
	return p;
}

const struct hub_peer_info *hub_peer_info(const struct hub_peer *p)
{
	return &p->info;
}

struct bgp_rib *hub_role_rib(struct hub *h, enum hub_role role)
{
	struct hub_part *pt = role_part(h, role);

	return pt != NULL ? pt->rib : NULL;
}

const struct bgp_rib_peer *hub_peer_rib_peer(const struct hub_peer *p)
{
	return &p->rp.rp;
}

void hub_peer_set_user(struct hub_peer *p, void *user)
{
	p->user = user;
}

void *hub_peer_user(const struct hub_peer *p)
{
	return p->user;
}

void hub_peer_set_addpath(struct hub_peer *p, const bool tx[BGP_AID_MAX])
{
	for (unsigned aid = 0; aid < BGP_AID_MAX; aid++)
		p->addpath_tx[aid] = tx != NULL && tx[aid];
}

/* ADD-PATH send families: their own exporter, the whole table, then End-of-RIB. */
static int peer_ap_start(struct hub_peer *p)
{
	struct bgp_export_policy pol;
	int rc;

	hub_peer_ap_policy(p, &pol);
	if (pol.families == 0)
		return 0;
	p->ap = bgp_ap_out_new(p->part->out, &pol);
	if (p->ap == NULL)
		return -errno;
	rc = bgp_ap_out_export_all(p->ap, pol.families, false, true);
	if (rc < 0) {
		bgp_ap_out_free(p->ap);
		p->ap = NULL;
	}
	return rc;
}

int hub_peer_up(struct hub_peer *p, const bool families[BGP_AID_MAX], uint32_t bgp_id)
{
	struct bgp_export_policy pol;
	bool created;
	int rc;

	if (p->up)
		return -EALREADY;
	for (unsigned aid = 0; aid < BGP_AID_MAX; aid++)
		p->families[aid] = families[aid];
	p->rp.rp.bgp_id = bgp_id;
	hub_peer_policy(p, &pol);
	p->g = bgp_rib_out_join(p->part->out, &pol, &created);
	if (p->g == NULL)
		return -errno;
	/* Its own group (the policy's arg is the session): the whole table, then EoR. */
	rc = bgp_out_group_start(p->g);
	if (rc == 0)
		rc = peer_ap_start(p);
	if (rc < 0) {
		bgp_rib_out_leave(p->part->out, p->g);
		p->g = NULL;
		return rc;
	}
	p->up = true;
	p->sent = 0;
	hub_notify(p->h);
	return 0;
}

void hub_peer_counts(const struct hub_peer *p, struct hub_peer_counts *c)
{
	c->accepted = p->rp.rp.n_paths;
	c->received = c->accepted + (uint32_t)p->n_rejected;
	c->advertised = p->ap != NULL ? (uint32_t)p->ap->advertised : 0; /* paths */
	for (unsigned aid = 0; p->g != NULL && aid < BGP_AID_MAX; aid++)
		c->advertised += (uint32_t)p->g->advertised[aid];
}

/* ------------------------------------------------------------------ scratch */

int hub_scratch_room(struct hub *h, size_t n)
{
	struct rh_prefix *pfx, *acc;
	uint32_t *pid, *accid;
	size_t cap;

	if (n <= h->pfx_cap)
		return 0;
	cap = n < 1024 ? 1024 : n * 2;
	pfx = realloc(h->pfx, cap * sizeof(*pfx));
	if (pfx == NULL)
		return -ENOMEM;
	h->pfx = pfx;
	acc = realloc(h->acc, cap * sizeof(*acc));
	if (acc == NULL)
		return -ENOMEM;
	h->acc = acc;
	pid = realloc(h->pid, cap * sizeof(*pid));
	if (pid == NULL)
		return -ENOMEM;
	h->pid = pid;
	accid = realloc(h->accid, cap * sizeof(*accid));
	if (accid == NULL)
		return -ENOMEM;
	h->accid = accid;
	h->pfx_cap = cap;
	return 0;
}

/* Appends the prefixes of an NLRI block to h->pfx/h->pid from h->n_pfx. */
static int collect(struct hub *h, const struct bgp_nlri_block *blk,
                   const struct bgp_codec_opts *opts)
{
	struct rbuf r;
	struct rh_prefix p;
	uint32_t id;
	int rc;

	if (blk->p == NULL || blk->len == 0 || (unsigned)blk->aid >= BGP_AID_MAX)
		return 0;
	rbuf_init(&r, blk->p, blk->len);
	while ((rc = bgp_nlri_next(&r, blk->aid, opts->addpath_rx[blk->aid], &p, &id)) == 1) {
		if (hub_scratch_room(h, h->n_pfx + 1) < 0)
			return -ENOMEM;
		h->pfx[h->n_pfx] = p;
		h->pid[h->n_pfx++] = id;
	}
	return rc;
}

/* ------------------------------------------------------------------ rejected routes */

struct hub_rejected *hub_rejected_find(struct hub_peer *p, const struct rh_prefix *pfx)
{
	unsigned aid = pfx->family == RH_AF_INET6 ? BGP_AID_IPV6 : BGP_AID_IPV4;
	struct bgp_pnode *n;

	if (p->n_rejected == 0)
		return NULL;
	n = bgp_ptable_lookup(&p->rejected[aid], pfx, bgp_prefix_hash(pfx));
	return n != NULL ? container_of(n, struct hub_rejected, node) : NULL;
}

static void rejected_del(struct hub_peer *p, struct hub_rejected *r)
{
	unsigned aid = r->node.prefix.family == RH_AF_INET6 ? BGP_AID_IPV6 : BGP_AID_IPV4;

	bgp_ptable_remove(&p->rejected[aid], &r->node);
	bgp_attrs_unref(r->attrs);
	bgp_pool_put(&p->rej_pool, r);
	p->n_rejected--;
}

/* Keeps a refused route in the peer's received view (R17: with its reason). */
static int rejected_set(struct hub_peer *p, const struct rh_prefix *pfx,
                        const struct bgp_attrs *attrs, const char *why)
{
	unsigned aid = pfx->family == RH_AF_INET6 ? BGP_AID_IPV6 : BGP_AID_IPV4;
	struct hub_rejected *r = hub_rejected_find(p, pfx);

	if (r == NULL) {
		r = bgp_pool_get(&p->rej_pool);
		if (r == NULL)
			return -ENOMEM;
		r->node.prefix = *pfx;
		r->node.hash = bgp_prefix_hash(pfx);
		r->attrs = NULL;
		if (bgp_ptable_insert(&p->rejected[aid], &r->node) < 0) {
			bgp_pool_put(&p->rej_pool, r);
			return -ENOMEM;
		}
		p->n_rejected++;
	}
	bgp_attrs_unref(r->attrs);
	r->attrs = bgp_attrs_ref(attrs);
	r->why = why;
	r->stale = false;
	return 0;
}

static int rejected_free_cb(struct bgp_pnode *n, void *arg)
{
	struct hub_peer *p = arg;

	rejected_del(p, container_of(n, struct hub_rejected, node));
	return 0;
}

static void rejected_clear(struct hub_peer *p)
{
	for (unsigned aid = 0; aid < BGP_AID_MAX; aid++)
		bgp_ptable_walk(&p->rejected[aid], rejected_free_cb, p);
}

static int rejected_collect_cb(struct bgp_pnode *n, void *arg)
{
	struct hub *h = arg;

	h->pfx[h->n_pfx++] = n->prefix;
	return 0;
}

/* ------------------------------------------------------------------ UPDATEs */

/* Recomputes the effective routes of h->pfx[from..h->n_pfx). */
int hub_eff_touched(struct hub *h, size_t from)
{
	return hub_eff_update_batch(h, h->pfx + from, h->n_pfx - from);
}

static int peer_prefix_cb(struct bgp_rib_entry *e, struct bgp_path *q, void *arg)
{
	struct hub *h = arg;

	(void)q;
	h->pfx[h->n_pfx++] = *bgp_rib_entry_prefix(e);
	return 0;
}

/* Every route of the session out of the hub (session down, R11 limit). */
static int peer_clear(struct hub_peer *p)
{
	struct hub *h = p->h;
	size_t n = p->rp.rp.n_paths + p->n_rejected;

	if (hub_scratch_room(h, n) < 0)
		return -ENOMEM;
	h->n_pfx = 0;
	bgp_rib_peer_walk(p->part->rib, &p->rp.rp, peer_prefix_cb, h);
	for (unsigned aid = 0; aid < BGP_AID_MAX; aid++)
		bgp_ptable_walk(&p->rejected[aid], rejected_collect_cb, h);
	bgp_rib_peer_remove(p->part->rib, &p->rp.rp);
	rejected_clear(p);
	if (p->part->id == HUB_PART_RS)
		hub_rs_reexport(h, h->pfx, h->n_pfx, true);
	return hub_eff_touched(h, 0);
}

/* The session is gone (its routes cleared, or kept stale: rc from that): no more export
 * to it, and the hub settles what changed. */
static void peer_session_gone(struct hub_peer *p, int rc, const char *what)
{
	struct hub *h = p->h;

	bgp_ap_out_free(p->ap);
	p->ap = NULL;
	if (p->g != NULL) {
		bgp_rib_out_leave(p->part->out, p->g);
		p->g = NULL;
	}
	p->up = false;
	if (rc == 0)
		rc = hub_settle(h);
	if (rc < 0)
		log_err("hub: session down%s: %s", what, strerror(-rc));
	hub_notify(h);
}

void hub_peer_down(struct hub_peer *p)
{
	int rc = peer_clear(p);

	p->gr = false;
	peer_session_gone(p, rc, "");
}

/* ------------------------------------------------------------------ graceful restart */

static unsigned family_aid(uint8_t family)
{
	return family == RH_AF_INET6 ? BGP_AID_IPV6 : BGP_AID_IPV4;
}

#define AID_BIT(aid) (1u << (aid))

struct stale_ctx {
	struct hub *h;
	unsigned aids; /* AID_BIT()s */
	uint32_t n;
};

static int stale_collect_cb(struct bgp_rib_entry *e, struct bgp_path *q, void *arg)
{
	struct stale_ctx *s = arg;
	const struct rh_prefix *pfx = bgp_rib_entry_prefix(e);

	if ((q->flags & BGP_PATH_STALE) && (s->aids & AID_BIT(family_aid(pfx->family))))
		s->h->pfx[s->h->n_pfx++] = *pfx;
	return 0;
}

static int stale_count_cb(struct bgp_rib_entry *e, struct bgp_path *q, void *arg)
{
	(void)e;
	((struct stale_ctx *)arg)->n += (q->flags & BGP_PATH_STALE) != 0;
	return 0;
}

/*
 * Removes the peer's stale paths of the families in `aids` (AID_BIT()s) and, with
 * `refused`, its refused routes, then what depends on them: the route server's re-export
 * and the effective routes. *n gets the number of paths removed.
 */
static int stale_drop(struct hub_peer *p, unsigned aids, bool refused, size_t *n)
{
	struct hub *h = p->h;

	*n = 0;
	if (hub_scratch_room(h, (size_t)p->rp.rp.n_paths + p->n_rejected) < 0)
		return -ENOMEM;
	h->n_pfx = 0;
	if (aids != 0) {
		struct stale_ctx s = {.h = h, .aids = aids};

		bgp_rib_peer_walk(p->part->rib, &p->rp.rp, stale_collect_cb, &s);
	}
	for (unsigned aid = 0; refused && aid < BGP_AID_MAX; aid++)
		bgp_ptable_walk(&p->rejected[aid], rejected_collect_cb, h);
	for (unsigned aid = 0; aid < BGP_AID_MAX; aid++)
		if (aids & AID_BIT(aid))
			*n += bgp_rib_peer_sweep_stale_family(p->part->rib, &p->rp.rp,
			                                      aid == BGP_AID_IPV6 ? RH_AF_INET6
			                                                          : RH_AF_INET);
	if (refused)
		rejected_clear(p);
	if (h->n_pfx == 0)
		return 0;
	if (p->part->id == HUB_PART_RS)
		hub_rs_reexport(h, h->pfx, h->n_pfx, true);
	return hub_eff_touched(h, 0);
}

void hub_peer_down_gr(struct hub_peer *p, const bool keep[BGP_AID_MAX])
{
	unsigned drop = 0;
	size_t n;
	int rc;

	/* RFC 4724 4.2: the routes of the families the peer preserves stay, marked stale,
	 * and go on being used and advertised; the others, and the refused ones (kept only
	 * for the peer's view), go now. */
	for (unsigned aid = 0; aid < BGP_AID_MAX; aid++)
		if (!keep[aid])
			drop |= AID_BIT(aid);
	bgp_rib_peer_mark_stale(p->part->rib, &p->rp.rp);
	p->gr = true;
	rc = stale_drop(p, drop, true, &n);
	peer_session_gone(p, rc, " (graceful restart)");
}

size_t hub_peer_sweep_stale(struct hub_peer *p, unsigned aid)
{
	size_t n = 0;
	int rc;

	if (!p->gr)
		return 0;
	rc = stale_drop(p, aid < BGP_AID_MAX ? AID_BIT(aid) : AID_BIT(BGP_AID_MAX) - 1, false, &n);
	if (rc == 0)
		rc = hub_settle(p->h);
	if (rc < 0)
		log_err("hub: stale routes: %s", strerror(-rc));
	if (aid >= BGP_AID_MAX)
		p->gr = false;
	hub_notify(p->h);
	return n;
}

uint32_t hub_peer_stale_count(const struct hub_peer *p)
{
	struct stale_ctx s = {.n = 0};

	if (p->gr)
		bgp_rib_peer_walk(p->part->rib, &p->rp.rp, stale_count_cb, &s);
	return s.n;
}

/* Withdraws h->pfx[from..h->n_pfx) of the peer (RFC 4271 3.1, RFC 7606 treat-as-withdraw). */
static void withdraw_range(struct hub_peer *p, size_t from)
{
	struct hub *h = p->h;

	for (size_t i = from; p->n_rejected > 0 && i < h->n_pfx; i++) {
		struct hub_rejected *r = hub_rejected_find(p, &h->pfx[i]);

		if (r != NULL)
			rejected_del(p, r);
	}
	bgp_rib_withdraw_batch(p->part->rib, &p->rp.rp, h->pfx + from, h->pid + from,
	                       h->n_pfx - from);
	if (p->part->id == HUB_PART_RS)
		hub_rs_reexport(h, h->pfx + from, h->n_pfx - from, true);
}

/*
 * A refused route is logged once with its reason, never a flood: the refusals of one
 * UPDATE are counted per reason (a handful of constant strings), then logged as one line
 * per peer and reason at once, and at most one a minute after that, with the count.
 */
#define REFUSED_WHYS 4

struct refused {
	const char *why[REFUSED_WHYS];
	struct rh_prefix first[REFUSED_WHYS];
	uint64_t n[REFUSED_WHYS];
};

static void refused_add(struct refused *r, const struct rh_prefix *pfx, const char *why)
{
	for (unsigned i = 0; i < REFUSED_WHYS; i++) {
		if (r->why[i] == NULL) {
			r->why[i] = why;
			r->first[i] = *pfx;
		}
		if (r->why[i] == why) {
			r->n[i]++;
			return;
		}
	}
}

const char *hub_part_name(enum hub_part_id id)
{
	static const char *const parts[HUB_PART_MAX] = {"route-server", "expressroute-gateway",
	                                                "vpn-gateway"};

	return (unsigned)id < HUB_PART_MAX ? parts[id] : "?";
}

const char *hub_role_part_name(enum hub_role r)
{
	return hub_part_name(r == HUB_ROLE_ER_ONPREM    ? HUB_PART_ER
	                     : r == HUB_ROLE_VPN_ONPREM ? HUB_PART_VPN
	                                                : HUB_PART_RS);
}

static void refused_log(const struct hub_peer *p, const struct refused *r)
{
	char pb[RH_PREFIX_STRLEN], ab[RH_ADDR_STRLEN], lb[RH_ADDR_STRLEN];

	for (unsigned i = 0; i < REFUSED_WHYS && r->why[i] != NULL; i++)
		rh_log_summary(LOG_NOTICE,
		               (unsigned long)(uintptr_t)p ^ (unsigned long)(uintptr_t)r->why[i],
		               60, r->n[i], "hub: %s %s@%s: refused %s%s: %s",
		               hub_part_name(p->part->id),
		               rh_addr_fmt(&p->info.addr, ab, sizeof(ab)),
		               rh_addr_fmt(&p->info.local, lb, sizeof(lb)),
		               rh_prefix_fmt(&r->first[i], pb, sizeof(pb)),
		               r->n[i] > 1 ? " and others" : "", r->why[i]);
}

/*
 * Announces h->pfx[from..to) with the interned attrs: the import rules (R7, R8, default
 * route from VPN) sort them into accepted ones, which go into the RIB as one batch, and
 * refused ones, kept aside with their reason (and out of the RIB if they were in).
 */
static int announce_range(struct hub_peer *p, size_t from, size_t to, const struct bgp_attrs *ia)
{
	struct hub *h = p->h;
	bool loop = bgp_aspath_contains(ia, RH_RS_ASN);
	struct refused refused = {0};
	size_t n = 0;
	int rc;

	for (size_t i = from; i < to; i++) {
		const char *why = hub_import_reject(&h->cfg, p->rp.src, &h->pfx[i], loop);

		if (why == NULL) {
			struct hub_rejected *r = hub_rejected_find(p, &h->pfx[i]);

			if (r != NULL)
				rejected_del(p, r);
			h->acc[n] = h->pfx[i];
			h->accid[n++] = h->pid[i];
			continue;
		}
		rc = rejected_set(p, &h->pfx[i], ia, why);
		if (rc < 0)
			return rc;
		refused_add(&refused, &h->pfx[i], why);
		if (bgp_rib_withdraw(p->part->rib, &p->rp.rp, &h->pfx[i], h->pid[i]) == 0 &&
		    p->part->id == HUB_PART_RS)
			hub_rs_reexport(h, &h->pfx[i], 1, true);
	}
	refused_log(p, &refused);
	rc = bgp_rib_update_batch(p->part->rib, &p->rp.rp, h->acc, h->accid, n, ia);
	if (rc == 0 && p->part->id == HUB_PART_RS)
		hub_rs_reexport(h, h->acc, n, false);
	return rc;
}

/* Interns the UPDATE's attributes, with the MP_REACH next hop for IPv6 (msg.h). */
static const struct bgp_attrs *intern_attrs(const struct bgp_update *u, bool mp)
{
	struct bgp_attrs *a = bgp_attrs_dup(u->attrs);

	if (a == NULL)
		return NULL;
	if (mp && u->mp_nh.family != 0) {
		a->next_hop = u->mp_nh;
		a->next_hop_ll = u->mp_nh_ll;
		a->flags |= BGP_ATTRS_NEXT_HOP;
	}
	return bgp_attrs_intern(a);
}

static int announce(struct hub_peer *p, const struct bgp_update *u, size_t n4)
{
	struct hub *h = p->h;
	const struct bgp_attrs *ia;
	int rc = 0;

	if (n4 > 0) {
		ia = intern_attrs(u, false);
		if (ia == NULL)
			return -ENOMEM;
		rc = announce_range(p, 0, n4, ia);
		bgp_attrs_unref(ia);
	}
	if (rc == 0 && h->n_pfx > n4) {
		ia = intern_attrs(u, true);
		if (ia == NULL)
			return -ENOMEM;
		rc = announce_range(p, n4, h->n_pfx, ia);
		bgp_attrs_unref(ia);
	}
	return rc;
}

/* R11/R16: past the limit, the session goes (RFC 4486 Cease/1) and its routes with it. */
int hub_peer_over_limit(struct hub_peer *p)
{
	struct hub *h = p->h;
	char addr[RH_ADDR_STRLEN];

	log_warn("hub: %s: %zu routes held + %zu in the UPDATE pass the limit of %u (%s)",
	         rh_addr_fmt(&p->info.addr, addr, sizeof(addr)),
	         (size_t)p->rp.rp.n_paths + p->n_rejected, h->n_pfx, p->info.limit,
	         p->info.role == HUB_ROLE_NVA ? "R11" : "R16");
	peer_clear(p);
	hub_settle(h);
	if (h->ops != NULL && h->ops->peer_teardown != NULL)
		h->ops->peer_teardown(p, BGP_ERR_CEASE, BGP_CEASE_MAX_PREFIX, h->arg);
	hub_notify(h);
	return -ECANCELED;
}

/*
 * R11/R16: how many of the announced h->pfx[0..na) the peer does not hold yet (accepted
 * or refused). A prefix it holds is replaced (RFC 4271 3.1 implicit withdraw), not added:
 * an NVA re-announcing its routes with a new AS path (R3 prepending, route refresh) keeps
 * its count. Only called when the cheap bound (held + na) passes the limit.
 */
static size_t new_routes(struct hub_peer *p, size_t na)
{
	struct hub *h = p->h;
	size_t n = 0;

	for (size_t i = 0; i < na; i++) {
		const struct bgp_rib_entry *e = bgp_rib_lookup(p->part->rib, &h->pfx[i]);

		if (e != NULL && bgp_rib_path_find(e, &p->rp.rp, h->pid[i]) != NULL)
			continue;
		if (p->n_rejected > 0 && hub_rejected_find(p, &h->pfx[i]) != NULL)
			continue;
		n++;
	}
	return n;
}

int hub_peer_update(struct hub_peer *p, const struct bgp_update *u,
                    const struct bgp_codec_opts *opts)
{
	struct hub *h = p->h;
	bool as_withdraw = u->action == BGP_UPD_TREAT_AS_WITHDRAW;
	size_t n4, na;
	int rc;

	if (u->action == BGP_UPD_SESSION_RESET)
		return -EINVAL;
	/* The announcements first, to count them against the limit. */
	h->n_pfx = 0;
	rc = collect(h, &u->nlri, opts);
	n4 = h->n_pfx;
	if (rc == 0)
		rc = collect(h, &u->mp_reach, opts);
	if (rc < 0)
		return rc;
	na = h->n_pfx;
	if (!as_withdraw && u->attrs != NULL && p->info.limit != 0 &&
	    (size_t)p->rp.rp.n_paths + p->n_rejected + na > p->info.limit &&
	    (size_t)p->rp.rp.n_paths + p->n_rejected + new_routes(p, na) > p->info.limit)
		return hub_peer_over_limit(p);
	/* RFC 4271 3.1: withdrawals, then announcements; treat-as-withdraw (RFC 7606 2)
	 * withdraws the announced prefixes as well. */
	rc = collect(h, &u->withdrawn, opts);
	if (rc == 0)
		rc = collect(h, &u->mp_unreach, opts);
	if (rc < 0)
		return rc;
	if (as_withdraw || u->attrs == NULL)
		withdraw_range(p, 0);
	else
		withdraw_range(p, na);
	if (!as_withdraw && u->attrs != NULL) {
		size_t all = h->n_pfx;

		h->n_pfx = na;
		rc = announce(p, u, n4);
		h->n_pfx = all;
	}
	if (rc == 0)
		rc = hub_eff_touched(h, 0);
	if (rc == 0)
		rc = hub_settle(h);
	hub_notify(h);
	return rc;
}

int hub_peer_refresh(struct hub_peer *p, enum bgp_aid aid)
{
	int rc;

	if (!p->up || p->g == NULL)
		return -ENOTCONN;
	if ((unsigned)aid >= BGP_AID_MAX || !p->families[aid])
		return -EINVAL;
	/* RFC 2918 3: the whole Adj-RIB-Out of that family again. */
	if (p->ap != NULL && (p->ap->pol.families & BGP_EXPORT_AF(aid)))
		rc = bgp_ap_out_export_all(p->ap, BGP_EXPORT_AF(aid), true, false);
	else
		rc = bgp_out_group_resend(p->g, aid, false);
	hub_notify(p->h);
	return rc;
}

/* RFC 7313 4: the family of a prefix, as the refresh names it. */
static bool aid_is(const struct rh_prefix *pfx, enum bgp_aid aid)
{
	return (pfx->family == RH_AF_INET6) == (aid == BGP_AID_IPV6);
}

static int rejected_mark_cb(struct bgp_pnode *n, void *arg)
{
	(void)arg;
	container_of(n, struct hub_rejected, node)->stale = true;
	return 0;
}

struct refresh_ctx {
	struct hub *h;
	enum bgp_aid aid;
};

static int refresh_mark_cb(struct bgp_rib_entry *e, struct bgp_path *q, void *arg)
{
	if (aid_is(bgp_rib_entry_prefix(e), ((struct refresh_ctx *)arg)->aid))
		q->flags |= BGP_PATH_STALE;
	return 0;
}

static int refresh_collect_cb(struct bgp_rib_entry *e, struct bgp_path *q, void *arg)
{
	struct refresh_ctx *r = arg;

	if ((q->flags & BGP_PATH_STALE) && aid_is(bgp_rib_entry_prefix(e), r->aid)) {
		r->h->pfx[r->h->n_pfx] = *bgp_rib_entry_prefix(e);
		r->h->pid[r->h->n_pfx++] = q->path_id;
	}
	return 0;
}

int hub_peer_refresh_begin(struct hub_peer *p, enum bgp_aid aid)
{
	struct refresh_ctx r = {.h = p->h, .aid = aid};

	if ((unsigned)aid >= BGP_AID_MAX)
		return -EINVAL;
	/* Every route of that family is stale until the peer sends it again; an UPDATE
	 * clears the flag (bgp_rib_update, rejected_set). */
	bgp_rib_peer_walk(p->part->rib, &p->rp.rp, refresh_mark_cb, &r);
	bgp_ptable_walk(&p->rejected[aid], rejected_mark_cb, NULL);
	return 0;
}

static int rejected_stale_cb(struct bgp_pnode *n, void *arg)
{
	struct hub *h = arg;

	if (container_of(n, struct hub_rejected, node)->stale) {
		h->pfx[h->n_pfx] = n->prefix;
		h->pid[h->n_pfx++] = 0;
	}
	return 0;
}

int hub_peer_refresh_end(struct hub_peer *p, enum bgp_aid aid)
{
	struct hub *h = p->h;
	struct refresh_ctx r = {.h = h, .aid = aid};
	int rc;

	if ((unsigned)aid >= BGP_AID_MAX)
		return -EINVAL;
	if (hub_scratch_room(h, p->rp.rp.n_paths + p->n_rejected) < 0)
		return -ENOMEM;
	/* RFC 7313 4: what the peer did not send again between BoRR and EoRR is gone. */
	h->n_pfx = 0;
	bgp_rib_peer_walk(p->part->rib, &p->rp.rp, refresh_collect_cb, &r);
	bgp_ptable_walk(&p->rejected[aid], rejected_stale_cb, h);
	if (h->n_pfx == 0)
		return 0;
	withdraw_range(p, 0); /* the refused ones leave the peer's view there too */
	rc = hub_eff_touched(h, 0);
	if (rc == 0)
		rc = hub_settle(h);
	hub_notify(h);
	return rc;
}

long hub_peer_flush(struct hub_peer *p, size_t max, bgp_out_batch_cb cb, void *arg)
{
	long n;

	if (!p->up || p->g == NULL)
		return 0;
	n = bgp_out_group_flush(p->g, max, cb, arg);
	if (n >= 0 && p->ap != NULL) {
		long m = bgp_ap_out_flush(p->ap, max, cb, arg);

		n = m < 0 ? m : n + m;
	}
	if (n > 0)
		p->sent += (uint64_t)n;
	return n;
}

/* ------------------------------------------------------------------ switches */

int hub_set_branch_to_branch(struct hub *h, bool on)
{
	int rc;

	if (h->cfg.rs.branch_to_branch == on)
		return 0;
	h->cfg.rs.branch_to_branch = on;
	/* R5: only the exchange changes. Re-running the internal groups' policy queues the
	 * difference; draining it into the other parts' RIBs changes their best paths, and
	 * their sessions' groups queue what each peer must be sent: UPDATEs and
	 * withdrawals, no session reset. R16 is counted anew first. */
	hub_er_recount(h);
	rc = hub_er_limit_check(h);
	if (rc == 0)
		rc = hub_exchange_repolicy(h);
	if (rc == 0)
		rc = hub_settle(h);
	hub_notify(h);
	return rc;
}

/* The order of the paths behind the best changed everywhere: the RS sessions' groups
 * export the whole RIB again (per-client best); only differences are queued. */
static int hub_rs_repolicy(struct hub *h)
{
	int rc = 0;

	for (struct hub_peer *p = h->peers; p != NULL && rc == 0; p = p->next)
		if (p->g != NULL && p->part->id == HUB_PART_RS) {
			struct bgp_export_policy pol;

			hub_peer_policy(p, &pol);
			rc = bgp_out_group_set_policy(p->g, &pol);
			if (rc == 0 && p->ap != NULL)
				rc = bgp_ap_out_export_all(p->ap, p->ap->pol.families, false,
				                           false);
		}
	return rc;
}

int hub_set_preference(struct hub *h, enum rh_hub_pref pref)
{
	int rc;

	if ((unsigned)pref > RH_PREF_ASPATH)
		return -EINVAL;
	if (h->cfg.rs.preference == pref)
		return 0;
	h->cfg.rs.preference = pref;
	/* R13 is the decision's degree of preference: decide again in every part; the RIBs
	 * report each changed best path to the groups, which queue the difference. */
	for (unsigned i = 0; i < HUB_PART_MAX; i++)
		if (h->part[i].present)
			bgp_rib_redecide_all(h->part[i].rib);
	rc = hub_rs_repolicy(h);
	if (rc == 0)
		rc = hub_settle(h);
	if (rc == 0)
		rc = hub_eff_update_all(h);
	hub_notify(h);
	return rc;
}

const char *hub_er_exchange_status(const struct hub *h)
{
	return h->er_stopped ? h->er_why : NULL;
}

/* ------------------------------------------------------------------ reload */

void hub_peer_remove(struct hub_peer *p)
{
	struct hub *h = p->h;

	/* Its routes withdrawn everywhere: those of a session up, and the stale ones a
	 * graceful restart keeps while it is down. */
	if (p->up || p->gr || p->rp.rp.n_paths > 0 || p->n_rejected > 0)
		hub_peer_down(p);
	for (struct hub_peer **pp = &h->peers; *pp != NULL; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	rejected_clear(p);
	for (unsigned aid = 0; aid < BGP_AID_MAX; aid++)
		bgp_ptable_fini(&p->rejected[aid]);
	bgp_pool_fini(&p->rej_pool);
	/* h->n_peers stays: it numbers the RIB peer ids, which must not be reused. */
	free(p);
}
