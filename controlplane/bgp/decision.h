/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The BGP decision process (RFC 4271 9.1), route reflection tie-breaks (RFC 4456 9) and
 * multipath.
 *
 * bgp_decision_compare() orders two paths of one prefix and tells which step decided, so
 * that effective routes can say why a path is not the active one. The Loc-RIB keeps the
 * paths of a prefix sorted by it (bgp_decision_insert(), as OpenBGPD's prefix_evaluate):
 * the head is the best path, and the multipath set is the run of paths after it that tie
 * with it on every step before the router-id tie-break.
 *
 * MED makes the pairwise order not transitive when paths from several neighbour ASes
 * compete (RFC 4271 9.1.2.2 c compares MED only within one neighbour AS): three paths can
 * beat each other in a circle. With three paths or more, bgp_decision_mark() therefore
 * runs the RFC's elimination to choose the head, and leaves paths eliminated by MED out
 * of the multipath set, so that the outcome never depends on the order paths arrived.
 * The rest of the list keeps its insertion order.
 */
#ifndef ROUTEHUB_BGP_DECISION_H
#define ROUTEHUB_BGP_DECISION_H

#include <stdbool.h>
#include <stdint.h>

struct bgp_path;
struct bgp_rib_entry;

/* The step that ordered two paths, in the order they are applied. */
enum bgp_decision_step {
	BGP_STEP_EQUAL = 0,    /* no step told them apart */
	BGP_STEP_RESOLVABLE,   /* RFC 4271 9.1.2: next hop not resolvable */
	BGP_STEP_PREFERENCE,   /* 9.1.1: degree of preference (LOCAL_PREF or policy) */
	BGP_STEP_AS_PATH,      /* 9.1.2.2 a: AS_PATH length */
	BGP_STEP_ORIGIN,       /* 9.1.2.2 b: ORIGIN */
	BGP_STEP_MED,          /* 9.1.2.2 c: MED within one neighbour AS */
	BGP_STEP_EBGP,         /* 9.1.2.2 d: eBGP over iBGP */
	BGP_STEP_IGP_COST,     /* 9.1.2.2 e: interior cost to the next hop */
	BGP_STEP_ROUTER_ID,    /* 9.1.2.2 f, RFC 4456 9 a: BGP identifier or ORIGINATOR_ID */
	BGP_STEP_CLUSTER_LIST, /* RFC 4456 9 b: CLUSTER_LIST length */
	BGP_STEP_PEER_ADDRESS, /* 9.1.2.2 g: peer address */
	BGP_STEP_PATH_ID,      /* RFC 7911: two paths of one peer, lower path id (determinism) */
	BGP_STEP_MAX,
};

#define BGP_DECISION_MAX_PATHS     8
#define BGP_DECISION_DEFAULT_LPREF 100

struct bgp_decision_cfg {
	bool always_compare_med;     /* compare MED across neighbour ASes */
	bool med_missing_as_worst;   /* a missing MED is 2^32-1 instead of 0 (RFC 4271 9.1.2.2 c) */
	unsigned max_paths;          /* multipath set size, best included; 1 disables ECMP */
	uint32_t default_local_pref; /* degree of preference of a path without LOCAL_PREF */
	/*
	 * Degree of preference (RFC 4271 9.1.1), higher wins. NULL: LOCAL_PREF, or
	 * default_local_pref when absent (bgp_decision_local_pref()). The hub sets it to rank
	 * its sources (R13) and may fall back on bgp_decision_local_pref() for the others.
	 */
	uint32_t (*preference)(const struct bgp_path *p, void *arg);
	/* Whether the next hop is reachable (RFC 4271 9.1.2). NULL: always. */
	bool (*resolvable)(const struct bgp_path *p, void *arg);
	/* Interior cost to the next hop (RFC 4271 9.1.2.2 e), lower wins. NULL: 0. */
	uint32_t (*igp_cost)(const struct bgp_path *p, void *arg);
	void *arg;
};

/* Fills cfg with the defaults: RFC behaviour, max_paths 8, default LOCAL_PREF 100. */
void bgp_decision_defaults(struct bgp_decision_cfg *cfg);

/* The path's LOCAL_PREF, or cfg->default_local_pref when it has none. */
uint32_t bgp_decision_local_pref(const struct bgp_decision_cfg *cfg, const struct bgp_path *p);

/*
 * Compares two paths of one prefix: < 0 when a is preferred, > 0 when b is, 0 when no
 * step tells them apart (the same path). *step (may be NULL) gets the step that decided.
 */
int bgp_decision_compare(const struct bgp_decision_cfg *cfg, const struct bgp_path *a,
                         const struct bgp_path *b, enum bgp_decision_step *step);

/* "as-path", "med", ... for effective routes and logs; "?" for an unknown value. */
const char *bgp_decision_step_name(enum bgp_decision_step step);

/*
 * Whether a path that lost to the best at `step` still belongs to the multipath set:
 * equal through the IGP cost step (and so on AS_PATH length and MED).
 */
static inline bool bgp_decision_step_multipath(enum bgp_decision_step step)
{
	return step == BGP_STEP_EQUAL || step >= BGP_STEP_ROUTER_ID;
}

/*
 * Why p is not the best path of e (marked): the step at which it lost, for effective
 * routes (R17). BGP_STEP_EQUAL for the best itself, BGP_STEP_RESOLVABLE when e has no
 * usable path, BGP_STEP_MED for a path eliminated by a third path's MED.
 */
enum bgp_decision_step bgp_decision_why(const struct bgp_decision_cfg *cfg,
                                        const struct bgp_rib_entry *e, const struct bgp_path *p);

/* Inserts p (not yet in e's list) at its place in e's sorted path list. */
void bgp_decision_insert(const struct bgp_decision_cfg *cfg, struct bgp_rib_entry *e,
                         struct bgp_path *p);
/* Sorts e's whole path list again (after a change of policy or next-hop reachability). */
void bgp_decision_sort(const struct bgp_decision_cfg *cfg, struct bgp_rib_entry *e);
/*
 * Moves the best path to the head (RFC 4271 9.1.2.2 elimination when MED is not
 * transitive), sets BGP_PATH_BEST on it (when resolvable) and BGP_PATH_MULTIPATH on the
 * members of the multipath set (best included), clearing them elsewhere. Returns true
 * when the multipath membership changed.
 */
bool bgp_decision_mark(const struct bgp_decision_cfg *cfg, struct bgp_rib_entry *e);

#endif
