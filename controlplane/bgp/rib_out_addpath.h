/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Adj-RIB-Out of one peer with ADD-PATH send negotiated (RFC 7911).
 *
 * The update groups (rib_out.h) advertise one path a prefix. A peer that receives
 * ADD-PATH for a family gets that family from this exporter instead: per prefix, every
 * path the export policy lets through, each with a path identifier of its own (RFC 7911
 * 3) that stays the same while the path exists, and a path that goes is withdrawn alone,
 * by its identifier.
 *
 * State, per RIB entry index (bgp_ext), the id of a small set: the paths sent, as
 * (source peer id, source path id) -> (our path id, the attribute set sent). A change
 * of a prefix (any path: the RIB's change callback and the route server's re-export
 * both reach bgp_rib_out_change(), which calls bgp_ap_out_change()) queues its entry;
 * the flush runs the policy on every path of the entry and sends the difference with
 * what was sent: unchanged paths are not sent again when the best path changes.
 *
 * The policy (struct bgp_export_policy) is called once per path, with that path as
 * `best`: its answer is whether and with what attributes that path is advertised.
 * Announcements go out one path a batch (every path of a prefix has its own set),
 * withdrawals of one prefix in one batch: this is a feature for a few peers, not the
 * million-route feed path of the groups.
 */
#ifndef ROUTEHUB_BGP_RIB_OUT_ADDPATH_H
#define ROUTEHUB_BGP_RIB_OUT_ADDPATH_H

#include "rib_out.h"

/* Paths of one prefix considered; more are not sent (a route server has a path per client). */
#define BGP_AP_MAX_PATHS 64

struct bgp_ap_set;

struct bgp_ap_out {
	struct bgp_ap_out *next; /* in out->aps */
	struct bgp_rib_out *out;
	struct bgp_export_policy pol; /* families: those sent with ADD-PATH */
	struct bgp_ext slot;          /* per RIB entry: set id, 0 none */
	struct bgp_ap_set *sets;      /* by id; [0] unused */
	uint32_t n_sets, cap_sets;
	uint32_t *free_ids;
	uint32_t n_free;
	uint32_t *queue; /* RIB entry indices with a change pending */
	size_t q_head, q_len, q_cap;
	bool eor_pending[BGP_AID_MAX];
	size_t advertised; /* paths, all families */
};

/* A new exporter fed by out's RIB, attached to out; NULL and errno on failure. */
struct bgp_ap_out *bgp_ap_out_new(struct bgp_rib_out *out, const struct bgp_export_policy *pol);
/* Detaches and frees it with its state (nothing is sent). */
void bgp_ap_out_free(struct bgp_ap_out *ap);
/* Queues the RIB entry e (any of its paths changed). 0 or -ENOMEM. */
int bgp_ap_out_change(struct bgp_ap_out *ap, struct bgp_rib_entry *e);
/* Queues every entry of the families: the initial table (then End-of-RIB when eor), a
 * route refresh (resend true: every path is sent again) or a changed policy. */
int bgp_ap_out_export_all(struct bgp_ap_out *ap, uint32_t families, bool resend, bool eor);
/*
 * Drains the queue as bgp_out_group_flush() does: batches with path_ids set, at most
 * max_batch paths each, then End-of-RIB for each family whose initial table is out. The
 * callback's -EAGAIN (socket full) stops it; the prefix being sent stays queued, and
 * what of it was sent is recorded. Returns the number of paths handed over, or the
 * callback's negative value.
 */
long bgp_ap_out_flush(struct bgp_ap_out *ap, size_t max_batch, bgp_out_batch_cb cb, void *arg);
/* Entries queued (End-of-RIB pending counts one). */
size_t bgp_ap_out_pending(const struct bgp_ap_out *ap);
/* Whether ap keeps state for e (the RIB's holder asks, through rib_out.c). */
bool bgp_ap_out_holds(const struct bgp_ap_out *ap, const struct bgp_rib_entry *e);
/* The path id and set sent for (src, src_path_id) of p; 0 when not sent (tests, show). */
uint32_t bgp_ap_out_sent_id(const struct bgp_ap_out *ap, const struct rh_prefix *p,
                            const struct bgp_rib_peer *src, uint32_t src_path_id,
                            const struct bgp_attrs **attrs);

#endif
