/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The decision process: RFC 4271 9.1.1 (degree of preference), 9.1.2 (resolvability and
 * selection), 9.1.2.2 (tie-breaking), RFC 4456 9 (route reflection), and the multipath set.
 * Each step is a function; the compare walks them in order and reports the first that
 * tells two paths apart.
 */
#include <arpa/inet.h>
#include <stddef.h>

#include "attr.h"
#include "decision.h"
#include "rib.h"

void bgp_decision_defaults(struct bgp_decision_cfg *cfg)
{
	*cfg = (struct bgp_decision_cfg){
	        .max_paths = BGP_DECISION_MAX_PATHS,
	        .default_local_pref = BGP_DECISION_DEFAULT_LPREF,
	};
}

uint32_t bgp_decision_local_pref(const struct bgp_decision_cfg *cfg, const struct bgp_path *p)
{
	return (p->attrs->flags & BGP_ATTRS_LOCAL_PREF) ? p->attrs->local_pref
	                                                : cfg->default_local_pref;
}

/* -1 when a wins (lower value preferred), 1 when b wins, 0 when equal. */
static int lower(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b ? 1 : 0;
}

static int step_resolvable(const struct bgp_decision_cfg *cfg, const struct bgp_path *a,
                           const struct bgp_path *b)
{
	/* RFC 4271 9.1.2: a route whose NEXT_HOP is not resolvable is not considered. */
	if (cfg->resolvable == NULL)
		return 0;
	return lower(!cfg->resolvable(a, cfg->arg), !cfg->resolvable(b, cfg->arg));
}

static int step_preference(const struct bgp_decision_cfg *cfg, const struct bgp_path *a,
                           const struct bgp_path *b)
{
	/* RFC 4271 9.1.1 and 9.1.2: the highest degree of preference. */
	if (cfg->preference != NULL)
		return lower(cfg->preference(b, cfg->arg), cfg->preference(a, cfg->arg));
	return lower(bgp_decision_local_pref(cfg, b), bgp_decision_local_pref(cfg, a));
}

static int step_as_path(const struct bgp_decision_cfg *cfg, const struct bgp_path *a,
                        const struct bgp_path *b)
{
	/* 9.1.2.2 a: the fewest AS numbers; an AS_SET counts as one (bgp_aspath_length). */
	(void)cfg;
	return lower(bgp_aspath_length(a->attrs), bgp_aspath_length(b->attrs));
}

static int step_origin(const struct bgp_decision_cfg *cfg, const struct bgp_path *a,
                       const struct bgp_path *b)
{
	/* 9.1.2.2 b: IGP < EGP < INCOMPLETE. */
	(void)cfg;
	return lower(a->attrs->origin, b->attrs->origin);
}

static uint32_t med_of(const struct bgp_decision_cfg *cfg, const struct bgp_attrs *a)
{
	/* 9.1.2.2 c: a route without MED has the lowest possible value, unless configured
	 * otherwise (as most implementations allow). */
	if (a->flags & BGP_ATTRS_MED)
		return a->med;
	return cfg->med_missing_as_worst ? UINT32_MAX : 0;
}

static int step_med(const struct bgp_decision_cfg *cfg, const struct bgp_path *a,
                    const struct bgp_path *b)
{
	/* 9.1.2.2 c: MED is compared only between routes from the same neighbour AS. */
	if (!cfg->always_compare_med &&
	    bgp_aspath_first_as(a->attrs) != bgp_aspath_first_as(b->attrs))
		return 0;
	return lower(med_of(cfg, a->attrs), med_of(cfg, b->attrs));
}

static int step_ebgp(const struct bgp_decision_cfg *cfg, const struct bgp_path *a,
                     const struct bgp_path *b)
{
	/* 9.1.2.2 d: routes learned by eBGP over routes learned by iBGP. */
	(void)cfg;
	return lower(!a->peer->ebgp, !b->peer->ebgp);
}

static int step_igp_cost(const struct bgp_decision_cfg *cfg, const struct bgp_path *a,
                         const struct bgp_path *b)
{
	/* 9.1.2.2 e: the lowest interior cost to the NEXT_HOP. */
	if (cfg->igp_cost == NULL)
		return 0;
	return lower(cfg->igp_cost(a, cfg->arg), cfg->igp_cost(b, cfg->arg));
}

static uint32_t router_id(const struct bgp_path *p)
{
	/* RFC 4456 9 a: a reflected route's ORIGINATOR_ID stands for the BGP identifier. */
	if (p->attrs->flags & BGP_ATTRS_ORIGINATOR)
		return ntohl(p->attrs->originator_id);
	return ntohl(p->peer->bgp_id);
}

static int step_router_id(const struct bgp_decision_cfg *cfg, const struct bgp_path *a,
                          const struct bgp_path *b)
{
	/* 9.1.2.2 f: the lowest BGP identifier. */
	(void)cfg;
	return lower(router_id(a), router_id(b));
}

static int step_cluster_list(const struct bgp_decision_cfg *cfg, const struct bgp_path *a,
                             const struct bgp_path *b)
{
	/* RFC 4456 9 b: the shortest CLUSTER_LIST, between steps f and g. */
	(void)cfg;
	return lower(a->attrs->n_cluster, b->attrs->n_cluster);
}

static int step_peer_address(const struct bgp_decision_cfg *cfg, const struct bgp_path *a,
                             const struct bgp_path *b)
{
	/* 9.1.2.2 g: the lowest peer address. */
	int c = rh_addr_cmp(&a->peer->addr, &b->peer->addr);

	(void)cfg;
	return c < 0 ? -1 : c > 0 ? 1 : 0;
}

static int step_path_id(const struct bgp_decision_cfg *cfg, const struct bgp_path *a,
                        const struct bgp_path *b)
{
	/* Not in RFC 4271: two ADD-PATH paths of one peer can tie on everything above. */
	(void)cfg;
	return lower(a->path_id, b->path_id);
}

typedef int (*step_fn)(const struct bgp_decision_cfg *, const struct bgp_path *,
                       const struct bgp_path *);

static const step_fn steps[BGP_STEP_MAX] = {
        [BGP_STEP_RESOLVABLE] = step_resolvable,
        [BGP_STEP_PREFERENCE] = step_preference,
        [BGP_STEP_AS_PATH] = step_as_path,
        [BGP_STEP_ORIGIN] = step_origin,
        [BGP_STEP_MED] = step_med,
        [BGP_STEP_EBGP] = step_ebgp,
        [BGP_STEP_IGP_COST] = step_igp_cost,
        [BGP_STEP_ROUTER_ID] = step_router_id,
        [BGP_STEP_CLUSTER_LIST] = step_cluster_list,
        [BGP_STEP_PEER_ADDRESS] = step_peer_address,
        [BGP_STEP_PATH_ID] = step_path_id,
};

static const char *const step_names[BGP_STEP_MAX] = {
        [BGP_STEP_EQUAL] = "equal",
        [BGP_STEP_RESOLVABLE] = "next-hop-unresolvable",
        [BGP_STEP_PREFERENCE] = "preference",
        [BGP_STEP_AS_PATH] = "as-path-length",
        [BGP_STEP_ORIGIN] = "origin",
        [BGP_STEP_MED] = "med",
        [BGP_STEP_EBGP] = "ebgp-over-ibgp",
        [BGP_STEP_IGP_COST] = "igp-cost",
        [BGP_STEP_ROUTER_ID] = "router-id",
        [BGP_STEP_CLUSTER_LIST] = "cluster-list-length",
        [BGP_STEP_PEER_ADDRESS] = "peer-address",
        [BGP_STEP_PATH_ID] = "path-id",
};

const char *bgp_decision_step_name(enum bgp_decision_step step)
{
	if ((unsigned)step >= BGP_STEP_MAX)
		return "?";
	return step_names[step];
}

int bgp_decision_compare(const struct bgp_decision_cfg *cfg, const struct bgp_path *a,
                         const struct bgp_path *b, enum bgp_decision_step *step)
{
	if (a != b) {
		for (unsigned s = BGP_STEP_RESOLVABLE; s < BGP_STEP_MAX; s++) {
			int c = steps[s](cfg, a, b);

			if (c != 0) {
				if (step != NULL)
					*step = (enum bgp_decision_step)s;
				return c;
			}
		}
	}
	if (step != NULL)
		*step = BGP_STEP_EQUAL;
	return 0;
}

/* Steps [from, to) of the compare. */
static int compare_steps(const struct bgp_decision_cfg *cfg, const struct bgp_path *a,
                         const struct bgp_path *b, unsigned from, unsigned to)
{
	for (unsigned s = from; s < to; s++) {
		int c = steps[s](cfg, a, b);

		if (c != 0)
			return c;
	}
	return 0;
}

/*
 * RFC 4271 9.1.2.2 c: p is out when a path that ties with it on the steps before MED
 * comes from the same neighbour AS with a lower MED. Only needed with three paths or more:
 * with two, the pairwise compare is that rule.
 */
static bool med_eliminated(const struct bgp_decision_cfg *cfg, const struct bgp_rib_entry *e,
                           const struct bgp_path *p)
{
	for (const struct bgp_path *q = e->paths; q != NULL; q = q->next)
		if (q != p && compare_steps(cfg, q, p, BGP_STEP_RESOLVABLE, BGP_STEP_MED) == 0 &&
		    step_med(cfg, q, p) < 0)
			return true;
	return false;
}

/*
 * RFC 4271 9.1.2.2 as written: eliminate rather than compare pairwise. With MED compared
 * only within a neighbour AS, three paths can beat each other in a circle, and the head
 * of a sorted insertion would depend on the order the paths arrived: two route-server
 * instances fed the same routes could disagree. The elimination does not; its winner
 * moves to the head of the list.
 */
static void select_best(const struct bgp_decision_cfg *cfg, struct bgp_rib_entry *e)
{
	struct bgp_path *top = e->paths, *win = NULL, **pp;

	/* a), b) and the preference: transitive, so a minimum exists. */
	for (struct bgp_path *p = e->paths; p != NULL; p = p->next)
		if (compare_steps(cfg, p, top, BGP_STEP_RESOLVABLE, BGP_STEP_MED) < 0)
			top = p;
	for (struct bgp_path *p = e->paths; p != NULL; p = p->next) {
		if (compare_steps(cfg, p, top, BGP_STEP_RESOLVABLE, BGP_STEP_MED) != 0 ||
		    med_eliminated(cfg, e, p))
			continue;
		/* d) to g): transitive again among the survivors of c). */
		if (win == NULL || compare_steps(cfg, p, win, BGP_STEP_EBGP, BGP_STEP_MAX) < 0)
			win = p;
	}
	if (win == NULL || win == e->paths)
		return;
	for (pp = &e->paths; *pp != win; pp = &(*pp)->next)
		;
	*pp = win->next;
	win->next = e->paths;
	e->paths = win;
}

enum bgp_decision_step bgp_decision_why(const struct bgp_decision_cfg *cfg,
                                        const struct bgp_rib_entry *e, const struct bgp_path *p)
{
	const struct bgp_path *best = e->paths;
	enum bgp_decision_step step;

	if (best == NULL || !(best->flags & BGP_PATH_BEST))
		return BGP_STEP_RESOLVABLE;
	if (p == best)
		return BGP_STEP_EQUAL;
	/* Beating the best pairwise, or losing only after MED while a third path has a lower
	 * MED in p's neighbour AS: p was eliminated at c). */
	if (bgp_decision_compare(cfg, best, p, &step) > 0 ||
	    (step > BGP_STEP_MED && !cfg->always_compare_med && med_eliminated(cfg, e, p)))
		return BGP_STEP_MED;
	return step;
}

void bgp_decision_insert(const struct bgp_decision_cfg *cfg, struct bgp_rib_entry *e,
                         struct bgp_path *p)
{
	struct bgp_path **pp = &e->paths;

	/* After the paths it ties with: an older path keeps its place. */
	while (*pp != NULL && bgp_decision_compare(cfg, p, *pp, NULL) >= 0)
		pp = &(*pp)->next;
	p->next = *pp;
	*pp = p;
}

void bgp_decision_sort(const struct bgp_decision_cfg *cfg, struct bgp_rib_entry *e)
{
	struct bgp_path *p = e->paths, *next;

	e->paths = NULL;
	for (; p != NULL; p = next) {
		next = p->next;
		bgp_decision_insert(cfg, e, p);
	}
}

bool bgp_decision_mark(const struct bgp_decision_cfg *cfg, struct bgp_rib_entry *e)
{
	struct bgp_path *best = e->paths;
	bool usable, intransitive, changed = false;
	unsigned n = 0, max = cfg->max_paths > 0 ? cfg->max_paths : 1;

	if (best == NULL)
		return false;
	intransitive = !cfg->always_compare_med && best->next != NULL && best->next->next != NULL;
	if (intransitive) {
		select_best(cfg, e);
		best = e->paths;
	} else if (best->next != NULL && bgp_decision_compare(cfg, best->next, best, NULL) < 0) {
		/* Two paths left of an intransitive three: their order may be stale. */
		e->paths = best->next;
		best->next = e->paths->next;
		e->paths->next = best;
		best = e->paths;
	}
	/* The head is the best: if it is not resolvable, no path is (RFC 4271 9.1.2). */
	usable = cfg->resolvable == NULL || cfg->resolvable(best, cfg->arg);
	for (struct bgp_path *p = e->paths; p != NULL; p = p->next) {
		uint32_t f = p->flags & ~(uint32_t)(BGP_PATH_BEST | BGP_PATH_MULTIPATH);
		enum bgp_decision_step step;

		if (usable && p == best) {
			f |= BGP_PATH_BEST | BGP_PATH_MULTIPATH;
			n++;
		} else if (usable && n < max) {
			/* R3: equal up to the router-id tie-break, so equal AS_PATH length. */
			bgp_decision_compare(cfg, best, p, &step);
			if (bgp_decision_step_multipath(step) &&
			    !(intransitive && med_eliminated(cfg, e, p))) {
				f |= BGP_PATH_MULTIPATH;
				n++;
			}
		}
		if ((f ^ p->flags) & (BGP_PATH_BEST | BGP_PATH_MULTIPATH))
			changed = true;
		p->flags = f;
	}
	return changed;
}
