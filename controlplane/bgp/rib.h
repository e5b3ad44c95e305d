/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The RIB: Adj-RIBs-In and Loc-RIB in one table (RFC 4271 3.2).
 *
 * One entry per prefix (IPv4 and IPv6 in separate tables), holding every path received
 * for it: from several peers, and with ADD-PATH (RFC 7911) several per peer, a path being
 * identified by (peer, path id). The paths of an entry are kept sorted by the decision
 * process (decision.h): the head is the best path (the Loc-RIB route) when it is
 * resolvable, and the paths flagged BGP_PATH_MULTIPATH form the ECMP set.
 *
 * A peer's Adj-RIB-In is its paths in the table (bgp_rib_peer_walk()), with a count of
 * them for the max-prefix limit (RFC 4486 Cease/1, hub rule R11). It used to be a list
 * threaded through the paths as well, so that a session going down found its paths
 * without walking the table; those two pointers were 16 of the path's 56 bytes, on every
 * path, to save a walk of the table (tens of milliseconds at a million prefixes) per
 * session down.
 *
 * Attribute sets are interned (attr.h): a path holds one reference to its set, and a
 * million paths share a few thousand sets. Entries and paths come from pools: about 120
 * bytes per prefix with one path, table slots included (88 since the peer list and the
 * path's pointer to its entry went).
 *
 * Every change re-runs the decision for its prefix only, and when the best path or the
 * multipath set changed the RIB calls its change callback once, synchronously: that is
 * where the hub and the Adj-RIBs-Out (rib_out.h) react. The callback may read the RIB but
 * must not change it.
 */
#ifndef ROUTEHUB_BGP_RIB_H
#define ROUTEHUB_BGP_RIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attr.h"
#include "decision.h"
#include "ptable.h"
#include "routehub/prefix.h"

#define BGP_RIB_PEER_LOCAL 0x1 /* routes the hub originates itself (R1 VNet routes) */

struct bgp_rib_peer;
typedef void (*bgp_rib_limit_cb)(struct bgp_rib_peer *peer, void *arg);

/*
 * A peer as the RIB and the decision process see it. The owner fills the first fields.
 * It feeds one RIB: a session whose routes go into several (hub parts) has one of these
 * per RIB.
 */
struct bgp_rib_peer {
	uint32_t id; /* small, unique among the peers of a RIB */
	uint32_t asn;
	uint32_t bgp_id; /* BGP identifier, network order */
	bool ebgp;
	uint16_t flags; /* BGP_RIB_PEER_* */
	struct rh_addr addr;

	/* Max-prefix: 0 = no limit. The callback fires once when the count passes it. */
	uint32_t max_prefix;
	bgp_rib_limit_cb limit_cb;
	void *limit_arg;

	/* Maintained by the RIB: the size of the Adj-RIB-In. */
	uint32_t n_paths;       /* all families */
	uint32_t n_paths_af[2]; /* IPv4, IPv6 */
	bool limit_fired;
};

#define BGP_PATH_BEST      0x1 /* the Loc-RIB route of its prefix */
#define BGP_PATH_MULTIPATH 0x2 /* in the ECMP set (the best included) */
#define BGP_PATH_STALE     0x4 /* kept across a graceful restart, RFC 4724 4.2 */

struct bgp_rib_entry;

struct bgp_path {
	struct bgp_path *next; /* the entry's paths, in decision order */
	struct bgp_rib_peer *peer;
	const struct bgp_attrs *attrs; /* interned; the RIB holds one reference */
	uint32_t path_id;              /* RFC 7911; 0 without ADD-PATH */
	uint32_t flags;                /* BGP_PATH_* */
};

struct bgp_rib_entry {
	struct bgp_pnode node;  /* node.prefix is the prefix */
	struct bgp_path *paths; /* sorted by the decision process, best first */
};

/*
 * The one prefix table: the layers fed by the RIB (each Adj-RIB-Out group, the hub's
 * effective routes) keep their per-prefix state in extension arrays (ptable.h) indexed
 * by the entry's index rather than in tables of their own. State that outlives the
 * prefix's last path (a withdrawal not yet sent) holds the entry: an entry without paths
 * stays while one of the RIB's holders (bgp_rib_add_holder()) says it holds it. Such an
 * entry is invisible to bgp_rib_lookup(), bgp_rib_walk() and the counts;
 * bgp_rib_entry_find() and bgp_rib_walk_all() see it. (A holder is asked rather than a
 * count kept in the entry: with its index computed from its address, the entry is 32
 * bytes instead of 40.)
 */
static inline uint32_t bgp_rib_entry_index(const struct bgp_rib_entry *e)
{
	return bgp_ipool_index(e);
}

/* Whether the holder keeps state for e (e has no paths). */
typedef bool (*bgp_rib_holder_fn)(const struct bgp_rib_entry *e, void *arg);
#define BGP_RIB_MAX_HOLDERS 4

static inline const struct rh_prefix *bgp_rib_entry_prefix(const struct bgp_rib_entry *e)
{
	return &e->node.prefix;
}

/* The best path, NULL when no path is usable. */
static inline struct bgp_path *bgp_rib_entry_best(const struct bgp_rib_entry *e)
{
	return e->paths != NULL && (e->paths->flags & BGP_PATH_BEST) ? e->paths : NULL;
}

/*
 * The paths of an entry in decision order (best first), for readers outside the RIB
 * (show routes): bgp_rib_entry_first(), then bgp_rib_path_next() until NULL.
 */
static inline const struct bgp_path *bgp_rib_entry_first(const struct bgp_rib_entry *e)
{
	return e->paths;
}

static inline const struct bgp_path *bgp_rib_path_next(const struct bgp_path *p)
{
	return p->next;
}

/* What one change did to a prefix; valid only during the callback. */
struct bgp_rib_change {
	struct bgp_rib_entry *entry;
	/* The best path before the change, NULL if none. If the change removed it, it is no
	 * longer in entry's list but still readable until the callback returns. */
	const struct bgp_path *old_best;
	const struct bgp_attrs *old_attrs; /* old_best's attributes before the change */
	const struct bgp_path *new_best;   /* NULL when the prefix has no usable path left */
	bool best_changed; /* another best path, or the same with other attributes */
	bool mp_changed;   /* the multipath set changed (members or their attributes) */
};

struct bgp_rib;
typedef void (*bgp_rib_change_cb)(struct bgp_rib *rib, const struct bgp_rib_change *c, void *arg);

/*
 * Called by the batch functions a few prefixes ahead of each update, with the prefix's
 * hash, so that the layers the change callback feeds can fetch their own tables' slots
 * early (bgp_rib_out_prefetch()). Must only prefetch.
 */
typedef void (*bgp_rib_prefetch_cb)(const struct rh_prefix *p, uint32_t hash, void *arg);

struct bgp_rib {
	struct bgp_decision_cfg cfg;
	bgp_rib_change_cb change_cb;
	void *change_arg;
	bgp_rib_prefetch_cb prefetch_cb; /* NULL: none */
	void *prefetch_arg;
	struct bgp_ptable table[2]; /* IPv4, IPv6 */
	struct bgp_ipool entries;
	struct bgp_pool paths;
	size_t n_paths;
	size_t n_empty[2]; /* held entries without paths, per family */
	struct {
		bgp_rib_holder_fn fn;
		void *arg;
	} holders[BGP_RIB_MAX_HOLDERS];
	unsigned n_holders;
	struct bgp_rib_entry *settling; /* the entry whose change is being reported */
};

/* Fills the fields of a peer the owner sets, and clears the rest. */
void bgp_rib_peer_init(struct bgp_rib_peer *peer, uint32_t id, const struct rh_addr *addr,
                       uint32_t asn, uint32_t bgp_id, bool ebgp);
/*
 * R11's check before applying an UPDATE: whether the routes held plus `incoming` (the
 * routes the UPDATE announces) pass the peer's limit. False when there is no limit.
 */
bool bgp_rib_peer_over_limit(const struct bgp_rib_peer *peer, size_t incoming);

/* A RIB; cfg NULL for the defaults; cb may be NULL. NULL and errno on failure. */
struct bgp_rib *bgp_rib_new(const struct bgp_decision_cfg *cfg, bgp_rib_change_cb cb, void *arg);
/* Frees every entry and path (without callbacks) and empties the peers' lists. */
void bgp_rib_free(struct bgp_rib *rib);

/*
 * Adds or replaces the path (peer, path_id) of prefix p (normalised) with the interned
 * attrs; the RIB takes its own reference. A replacement by the same set only clears
 * BGP_PATH_STALE. A new path counts against the peer's max-prefix and may fire its
 * callback (after the path is added). 0, -EAFNOSUPPORT, or -ENOMEM.
 */
int bgp_rib_update(struct bgp_rib *rib, struct bgp_rib_peer *peer, const struct rh_prefix *p,
                   uint32_t path_id, const struct bgp_attrs *attrs);
/*
 * The NLRI of one UPDATE: bgp_rib_update() for p[0..n-1] with one attribute set (path_ids
 * NULL: all 0), fetching table slots and entries a few prefixes ahead so that their cache
 * misses overlap. Stops at the first error and returns it; the prefixes before it are in.
 */
int bgp_rib_update_batch(struct bgp_rib *rib, struct bgp_rib_peer *peer, const struct rh_prefix *p,
                         const uint32_t *path_ids, size_t n, const struct bgp_attrs *attrs);
/* Removes the path (peer, path_id) of p. 0, or -ENOENT when there is none. */
int bgp_rib_withdraw(struct bgp_rib *rib, struct bgp_rib_peer *peer, const struct rh_prefix *p,
                     uint32_t path_id);
/* The withdrawn routes of one UPDATE, prefetching as above; returns how many were there. */
size_t bgp_rib_withdraw_batch(struct bgp_rib *rib, struct bgp_rib_peer *peer,
                              const struct rh_prefix *p, const uint32_t *path_ids, size_t n);
/* Removes every path of the peer (session down); returns how many. Clears limit_fired. */
size_t bgp_rib_peer_remove(struct bgp_rib *rib, struct bgp_rib_peer *peer);
/*
 * Calls cb on every path of the peer (its Adj-RIB-In), with its entry, in no particular
 * order; a non-zero return stops the walk and is returned. cb must not change the RIB.
 */
int bgp_rib_peer_walk(struct bgp_rib *rib, const struct bgp_rib_peer *peer,
                      int (*cb)(struct bgp_rib_entry *e, struct bgp_path *p, void *arg), void *arg);
/* Graceful restart (RFC 4724 4.2): flags every path of the peer stale; returns how many. */
size_t bgp_rib_peer_mark_stale(struct bgp_rib *rib, struct bgp_rib_peer *peer);
/* Removes the peer's paths still stale (End-of-RIB or restart timer); returns how many. */
size_t bgp_rib_peer_sweep_stale(struct bgp_rib *rib, struct bgp_rib_peer *peer);
/*
 * The same for one family (RH_AF_INET or RH_AF_INET6; 0: all): graceful restart runs per
 * AFI/SAFI (RFC 4724 4.2: End-of-RIB of one family, a family the new OPEN lacks).
 */
size_t bgp_rib_peer_sweep_stale_family(struct bgp_rib *rib, struct bgp_rib_peer *peer,
                                       uint8_t family);

/* The entry of prefix p (normalised), or NULL. */
struct bgp_rib_entry *bgp_rib_lookup(struct bgp_rib *rib, const struct rh_prefix *p);
/* The entry of prefix p, with or without paths, or NULL. */
struct bgp_rib_entry *bgp_rib_entry_find(struct bgp_rib *rib, const struct rh_prefix *p);
/* The same with the prefix's hash (bgp_prefix_hash()) known. */
struct bgp_rib_entry *bgp_rib_entry_find_hashed(struct bgp_rib *rib, const struct rh_prefix *p,
                                                uint32_t hash);
/* Registers a holder (0, or -ENOSPC past BGP_RIB_MAX_HOLDERS); removes one. */
int bgp_rib_add_holder(struct bgp_rib *rib, bgp_rib_holder_fn fn, void *arg);
void bgp_rib_del_holder(struct bgp_rib *rib, bgp_rib_holder_fn fn, void *arg);
/* The entry of p, created without paths if there is none (the caller's state for it must
 * exist before it calls bgp_rib_entry_release()). */
struct bgp_rib_entry *bgp_rib_entry_get(struct bgp_rib *rib, const struct rh_prefix *p);
/* The entry with index idx (one that exists). */
static inline struct bgp_rib_entry *bgp_rib_entry_at(const struct bgp_rib *rib, uint32_t idx)
{
	return (struct bgp_rib_entry *)bgp_ipool_at(&rib->entries, idx);
}
/* A holder dropped its state for e: frees e if it has no paths and no holder holds it
 * (allowed inside a walk on e). */
void bgp_rib_entry_release(struct bgp_rib *rib, struct bgp_rib_entry *e);

/* The path (peer, path_id) of an entry, or NULL. */
struct bgp_path *bgp_rib_path_find(const struct bgp_rib_entry *e, const struct bgp_rib_peer *peer,
                                   uint32_t path_id);

/* Why p is not the best path of its entry (effective routes, R17): bgp_decision_why(). */
/* (A path does not point back at its entry: 8 bytes of each path, 8 MB at a million.) */
enum bgp_decision_step bgp_rib_path_why(const struct bgp_rib *rib, const struct bgp_rib_entry *e,
                                        const struct bgp_path *p);

/*
 * Re-runs the decision for one entry, or for all, after something the decision depends
 * on changed outside the RIB (preference policy, next-hop reachability, IGP cost).
 */
void bgp_rib_redecide(struct bgp_rib *rib, struct bgp_rib_entry *e);
void bgp_rib_redecide_all(struct bgp_rib *rib);

/*
 * Calls cb on every entry of a family (RH_AF_INET or RH_AF_INET6) in no particular order;
 * a non-zero return stops the walk and is returned. cb must not change the RIB.
 */
int bgp_rib_walk(struct bgp_rib *rib, uint8_t family, int (*cb)(struct bgp_rib_entry *e, void *arg),
                 void *arg);

/* bgp_rib_walk() including the held entries without paths; cb may release e. */
int bgp_rib_walk_all(struct bgp_rib *rib, uint8_t family,
                     int (*cb)(struct bgp_rib_entry *e, void *arg), void *arg);

/* Prefixes of a family; paths of all families. */
size_t bgp_rib_prefix_count(const struct bgp_rib *rib, uint8_t family);
size_t bgp_rib_path_count(const struct bgp_rib *rib);
/* Bytes held by tables, entries and paths (attribute sets are shared and not counted). */
size_t bgp_rib_memory(const struct bgp_rib *rib);

#endif
