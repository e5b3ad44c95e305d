/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Adj-RIBs-Out (RFC 4271 3.2, 9.2) with update groups.
 *
 * Peers with the same export policy share one group (as FRR's update groups and
 * OpenBGPD's rde_update do): the export runs once per group, not once per peer, and the
 * group's UPDATEs are built once and sent to every member.
 *
 * A group keeps, per prefix, the attribute set it last advertised (or nothing), and a
 * queue of pending changes. The per-prefix state hangs off the RIB entry (an extension
 * array indexed by the entry's index, rib.h): 4 bytes a prefix (the id of the set),
 * and 8 more while queued (the bucket's id and the entry's index in the bucket), where a table of
 * its own cost 74. Queuing a change coalesces: a prefix changed many times is sent once with its
 * latest state, and a change undone before it is sent is dropped. The queue is kept in buckets, one
 * per (attribute set, source peer, family) plus one of withdrawals per family, so that a flush
 * hands out batches of prefixes sharing one set: the caller packs each batch into as few UPDATEs as
 * fit (msg.h's bgp_upd_begin/add/ finish), and can leave out the member the batch was learned from.
 * Routes sharing a set almost always share their source peer (the set holds its AS path and next
 * hop).
 *
 * A group advertises the best path of each prefix, path id 0. A peer's families with
 * ADD-PATH send are exported by rib_out_addpath.h instead, attached here (out->aps): it is
 * fed by bgp_rib_out_change() and its state holds RIB entries through this holder.
 */
#ifndef ROUTEHUB_BGP_RIB_OUT_H
#define ROUTEHUB_BGP_RIB_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attr.h"
#include "msg.h"
#include "ptable.h"
#include "rib.h"

enum bgp_export_result {
	BGP_EXPORT_REJECT = 0, /* not advertised (withdrawn if it was) */
	BGP_EXPORT_ACCEPT = 1, /* advertised with the path's attributes */
	BGP_EXPORT_MODIFY = 2, /* advertised with *out, an interned set whose reference passes */
};

/*
 * Export policy of a group: what to advertise for prefix p, whose best path is best.
 * Route-server mode (RFC 7947 2.2) accepts unchanged: AS_PATH and NEXT_HOP are kept.
 */
typedef enum bgp_export_result (*bgp_export_fn)(const struct rh_prefix *p,
                                                const struct bgp_path *best,
                                                const struct bgp_attrs **out, void *arg);

/* The result depends on the attribute set alone: the group caches it per set. */
#define BGP_EXPORT_ATTRS_ONLY 0x1

#define BGP_EXPORT_AF(aid) (1u << (aid))
#define BGP_EXPORT_AF_ALL  (BGP_EXPORT_AF(BGP_AID_IPV4) | BGP_EXPORT_AF(BGP_AID_IPV6))

struct bgp_export_policy {
	bgp_export_fn fn; /* NULL: accept every best path unchanged */
	void *arg;
	uint32_t flags;    /* BGP_EXPORT_* */
	uint32_t families; /* BGP_EXPORT_AF() of the families the members negotiated */
};

/* One batch of a flush: prefixes of one family that share one attribute set. */
struct bgp_out_batch {
	enum bgp_aid aid;
	bool withdraw;                 /* prefixes to withdraw (attrs NULL) */
	bool eor;                      /* End-of-RIB for aid (RFC 4724 2), no prefixes */
	const struct bgp_attrs *attrs; /* announcements: the set to send */
	/*
	 * Announcements: the peer the best paths were learned from, NULL when unknown (a
	 * resend). A member may skip a batch from itself: sending a route back to where it
	 * came from is useless (its own AS is in the path, or it has the route already).
	 */
	const struct bgp_rib_peer *src;
	size_t n;
	const struct rh_prefix *const *prefixes;
	/* ADD-PATH send (rib_out_addpath.h): the path id of each prefix; NULL: all 0. */
	const uint32_t *path_ids;
};

/*
 * Receives a batch. 0 to commit it (the prefixes are then recorded as advertised); a
 * negative value (e.g. -EAGAIN when the peers' buffers are full) stops the flush and
 * leaves this batch and the rest pending. It must not change the group.
 */
typedef int (*bgp_out_batch_cb)(const struct bgp_out_batch *b, void *arg);

struct out_bucket;
struct bgp_amap_node;
/* A small hash map keyed by attribute set (and family), private to rib_out.c. */
struct bgp_amap {
	struct bgp_amap_node **b;
	size_t n, count;
};

struct bgp_out_group {
	struct bgp_out_group *next;
	struct bgp_rib_out *out;
	struct bgp_export_policy pol;
	unsigned members;
	/*
	 * Per RIB entry (indexed by bgp_rib_entry_index()): what is advertised and the
	 * bucket of the pending change (rib_out.c). A non-empty state holds its RIB entry.
	 */
	struct bgp_ext st; /* advertised set ids */
	struct bgp_ext pe; /* pending bucket ids */
	uint32_t *pe_live; /* per chunk of pe: words not 0 */
	uint32_t n_pe_live;
	struct bgp_amap buckets;  /* (attrs, family) -> bucket of pending prefixes */
	struct out_bucket **bids; /* buckets by id, [0] NULL */
	uint32_t n_bids, cap_bids;
	uint32_t *bfree; /* ids free for reuse */
	uint32_t n_bfree;
	struct out_bucket *queue;       /* buckets in the order they were created */
	struct out_bucket **queue_tail; /* last bucket's next */
	struct out_bucket *withdraw[BGP_AID_MAX];
	size_t pending[BGP_AID_MAX];
	size_t advertised[BGP_AID_MAX];
	bool eor_pending[BGP_AID_MAX];
	struct bgp_amap cache; /* BGP_EXPORT_ATTRS_ONLY: input set -> exported set */
	size_t cache_sweep_at; /* cache size that triggers dropping unused sets */
	const struct rh_prefix **batch;
	uint32_t *batch_idx; /* the RIB entries of batch[] */
	size_t batch_cap;
};

struct bgp_ap_out;

struct bgp_rib_out {
	struct bgp_rib *rib;
	struct bgp_out_group *groups;
	struct bgp_ap_out *aps; /* ADD-PATH send exporters (rib_out_addpath.h) */
};

/* The Adj-RIBs-Out fed by rib. NULL and errno on failure. */
struct bgp_rib_out *bgp_rib_out_new(struct bgp_rib *rib);
/* Frees every group. */
void bgp_rib_out_free(struct bgp_rib_out *out);

/*
 * A member joins the group of its export policy, created if there is none; *created
 * tells whether it was (a new group then wants bgp_out_group_start()). An existing group
 * has advertised already: the newcomer gets that with bgp_out_group_dump(), and the
 * queue's later flushes like every member. NULL and errno on failure.
 */
struct bgp_out_group *bgp_rib_out_join(struct bgp_rib_out *out, const struct bgp_export_policy *pol,
                                       bool *created);
/* A member leaves; the last one frees the group and what it advertised. */
void bgp_rib_out_leave(struct bgp_rib_out *out, struct bgp_out_group *g);

/*
 * Feeds a Loc-RIB change (from the RIB's change callback) to every group: the new best
 * path goes through each group's export policy into its queue. 0 or -ENOMEM.
 */
int bgp_rib_out_change(struct bgp_rib_out *out, const struct bgp_rib_change *c);

/*
 * A bgp_rib_prefetch_cb (arg: the bgp_rib_out): starts fetching each group's slot for p,
 * so that the export of a batch of updates overlaps its cache misses.
 */
void bgp_rib_out_prefetch(const struct rh_prefix *p, uint32_t hash, void *arg);

/* Initial table: exports every best path of the RIB, then End-of-RIB per family. */
int bgp_out_group_start(struct bgp_out_group *g);
/*
 * Sends again everything advertised for a family (route refresh, RFC 2918; a member
 * that joined late), with an End-of-RIB after it when eor. 0 or -ENOMEM.
 */
int bgp_out_group_resend(struct bgp_out_group *g, enum bgp_aid aid, bool eor);
/*
 * Hands out what the group has advertised for a family, for one member only (a newcomer,
 * or a route refresh from one peer, RFC 2918), in batches grouped by attribute set, then
 * an End-of-RIB when eor; the queue and the group's state are untouched. Returns the
 * number of prefixes, or the callback's negative value (the dump is then incomplete), or
 * -ENOMEM.
 */
long bgp_out_group_dump(struct bgp_out_group *g, enum bgp_aid aid, size_t max_batch, bool eor,
                        bgp_out_batch_cb cb, void *arg);
/*
 * Changes the group's policy (e.g. route exchange switched, R5) and exports the whole
 * RIB again: only the differences are queued; a family no longer exported is withdrawn.
 * 0 or -ENOMEM.
 */
int bgp_out_group_set_policy(struct bgp_out_group *g, const struct bgp_export_policy *pol);

/*
 * Drains the queue: withdrawals first, then announcements bucket by bucket, at most
 * max_batch prefixes a batch, then End-of-RIB for each family whose initial table is
 * all out. Returns the number of prefixes committed, or the callback's negative value.
 */
long bgp_out_group_flush(struct bgp_out_group *g, size_t max_batch, bgp_out_batch_cb cb, void *arg);

/* Prefixes with a pending change, all families. */
size_t bgp_out_group_pending(const struct bgp_out_group *g);
/* The set advertised for p, or NULL. */
const struct bgp_attrs *bgp_out_group_advertised(struct bgp_out_group *g,
                                                 const struct rh_prefix *p);
/* Bytes held by the group's tables and entries. */
size_t bgp_out_group_memory(const struct bgp_out_group *g);

/*
 * The usual eBGP export (RFC 4271 5.1): local_as prepended (5.1.2), NEXT_HOP set to
 * next_hop_self unless NULL (5.1.3), MED not passed on (5.1.4), no LOCAL_PREF (5.1.5),
 * no ORIGINATOR_ID or CLUSTER_LIST (RFC 4456 8). An interned set, or NULL and errno.
 */
const struct bgp_attrs *bgp_export_ebgp_attrs(const struct bgp_attrs *in, uint32_t local_as,
                                              const struct rh_addr *next_hop_self);

/*
 * The usual iBGP export of best: LOCAL_PREF present (RFC 4271 5.1.5; default_local_pref
 * when the path has none). With cluster_id (network order, 0 when not a reflector), a
 * path learned over iBGP is reflected (RFC 4456 8): ORIGINATOR_ID set to its peer's BGP
 * identifier unless present, cluster_id prepended to CLUSTER_LIST. An interned set, or
 * NULL and errno.
 */
const struct bgp_attrs *bgp_export_ibgp_attrs(const struct bgp_path *best,
                                              uint32_t default_local_pref, uint32_t cluster_id);

#endif
