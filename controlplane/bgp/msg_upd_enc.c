/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * UPDATE encoding: path attributes from struct bgp_attrs (RFC 4271 4.3, 5; RFC 6793 4.2.2
 * for OLD peers), prefixes packed until the message is full, End-of-RIB (RFC 4724 2).
 */
#include <errno.h>
#include <string.h>

#include "msg_internal.h"

#define F_WK  BGP_ATTR_F_TRANSITIVE
#define F_OT  (BGP_ATTR_F_OPTIONAL | BGP_ATTR_F_TRANSITIVE)
#define F_ONT BGP_ATTR_F_OPTIONAL

/* Attribute header; the extended-length flag when the value exceeds 255 bytes (RFC 4271 4.3). */
static void attr_hdr(struct wbuf *w, uint8_t flags, uint8_t type, size_t len)
{
	if (len > UINT16_MAX) {
		w->err = true;
		return;
	}
	if (len > 255) {
		wbuf_u8(w, flags | BGP_ATTR_F_EXTLEN);
		wbuf_u8(w, type);
		wbuf_u16(w, (uint16_t)len);
	} else {
		wbuf_u8(w, flags);
		wbuf_u8(w, type);
		wbuf_u8(w, (uint8_t)len);
	}
}

static uint32_t seg_asn(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * The AS path with 2-octet ASNs, AS_TRANS for those that do not fit (RFC 6793 4.2.2).
 * Returns whether an AS4_PATH is needed.
 */
static bool aspath_encode2(struct wbuf *w, const struct bgp_attrs *a)
{
	size_t off, len = 0, i;
	bool need_as4 = false;
	uint32_t asn;
	uint8_t n, type;

	for (off = 0; off + 2 <= a->aspath_len; off += 2 + (size_t)n * 4) {
		n = a->aspath[off + 1];
		len += 2 + (size_t)n * 2;
	}
	attr_hdr(w, F_WK, BGP_ATTR_AS_PATH, len);
	for (off = 0; off + 2 <= a->aspath_len; off += 2 + (size_t)n * 4) {
		n = a->aspath[off + 1];
		type = a->aspath[off];
		wbuf_u8(w, type);
		wbuf_u8(w, n);
		for (i = 0; i < n; i++) {
			asn = seg_asn(a->aspath + off + 2 + i * 4);
			/* AS4_PATH carries no confed segments (RFC 6793 3). */
			if (asn > 0xffff && (type == BGP_AS_SET || type == BGP_AS_SEQUENCE))
				need_as4 = true;
			wbuf_u16(w, asn > 0xffff ? BGP_AS_TRANS : (uint16_t)asn);
		}
	}
	return need_as4;
}

/* RFC 6793 4.2.2: the 4-octet path without confederation segments (RFC 6793 6). */
static void as4_path_encode(struct wbuf *w, const struct bgp_attrs *a)
{
	size_t off, len = 0;
	uint8_t n, type;

	for (off = 0; off + 2 <= a->aspath_len; off += 2 + (size_t)n * 4) {
		n = a->aspath[off + 1];
		type = a->aspath[off];
		if (type == BGP_AS_SET || type == BGP_AS_SEQUENCE)
			len += 2 + (size_t)n * 4;
	}
	attr_hdr(w, F_OT, BGP_ATTR_AS4_PATH, len);
	for (off = 0; off + 2 <= a->aspath_len; off += 2 + (size_t)n * 4) {
		n = a->aspath[off + 1];
		type = a->aspath[off];
		if (type == BGP_AS_SET || type == BGP_AS_SEQUENCE)
			wbuf_bytes(w, a->aspath + off, 2 + (size_t)n * 4);
	}
}

static void aggregator_encode(struct wbuf *w, const struct bgp_attrs *a, bool as4)
{
	if (as4) {
		attr_hdr(w, F_OT, BGP_ATTR_AGGREGATOR, 8);
		wbuf_u32(w, a->aggregator_as);
	} else {
		attr_hdr(w, F_OT, BGP_ATTR_AGGREGATOR, 6);
		wbuf_u16(w, a->aggregator_as > 0xffff ? BGP_AS_TRANS : (uint16_t)a->aggregator_as);
	}
	wbuf_bytes(w, &a->aggregator_id, 4);
}

static void u32_array_encode(struct wbuf *w, uint8_t flags, uint8_t type, const uint32_t *v,
                             size_t n)
{
	size_t i;

	attr_hdr(w, flags, type, n * 4);
	for (i = 0; i < n; i++)
		wbuf_u32(w, v[i]);
}

static void u32_encode(struct wbuf *w, uint8_t flags, uint8_t type, uint32_t v)
{
	attr_hdr(w, flags, type, 4);
	wbuf_u32(w, v);
}

/* ORIGIN to LOCAL_PREF; the IPv4 NEXT_HOP only for IPv4 NLRI (RFC 4760 3). */
static int attrs_encode_head(struct wbuf *w, const struct bgp_attrs *a, enum bgp_aid aid, bool as4,
                             bool ebgp, bool *need_as4)
{
	attr_hdr(w, F_WK, BGP_ATTR_ORIGIN, 1);
	wbuf_u8(w, a->origin);
	if (as4) {
		attr_hdr(w, F_WK, BGP_ATTR_AS_PATH, a->aspath_len);
		wbuf_bytes(w, a->aspath, a->aspath_len);
	} else {
		*need_as4 = aspath_encode2(w, a);
	}
	if (aid == BGP_AID_IPV4) {
		if (!(a->flags & BGP_ATTRS_NEXT_HOP) || a->next_hop.family != RH_AF_INET)
			return -EINVAL;
		attr_hdr(w, F_WK, BGP_ATTR_NEXT_HOP, 4);
		wbuf_bytes(w, a->next_hop.bytes, 4);
	}
	if (a->flags & BGP_ATTRS_MED)
		u32_encode(w, F_ONT, BGP_ATTR_MED, a->med);
	/* RFC 4271 5.1.5: LOCAL_PREF is never sent to an external peer. */
	if ((a->flags & BGP_ATTRS_LOCAL_PREF) && !ebgp)
		u32_encode(w, F_WK, BGP_ATTR_LOCAL_PREF, a->local_pref);
	return 0;
}

int bgp_attrs_encode(struct wbuf *w, const struct bgp_attrs *a, enum bgp_aid aid, bool as4,
                     bool ebgp)
{
	bool need_as4 = false;
	int rc;

	rc = attrs_encode_head(w, a, aid, as4, ebgp, &need_as4);
	if (rc < 0)
		return rc;
	if (a->flags & BGP_ATTRS_ATOMIC_AGGR)
		attr_hdr(w, F_WK, BGP_ATTR_ATOMIC_AGGREGATE, 0);
	if (a->flags & BGP_ATTRS_AGGREGATOR)
		aggregator_encode(w, a, as4);
	if (a->n_comm)
		u32_array_encode(w, F_OT, BGP_ATTR_COMMUNITIES, a->comm, a->n_comm);
	/* RFC 4456 8: reflection attributes stay inside the AS. */
	if ((a->flags & BGP_ATTRS_ORIGINATOR) && !ebgp) {
		attr_hdr(w, F_ONT, BGP_ATTR_ORIGINATOR_ID, 4);
		wbuf_bytes(w, &a->originator_id, 4);
	}
	if (a->n_cluster && !ebgp) {
		attr_hdr(w, F_ONT, BGP_ATTR_CLUSTER_LIST, (size_t)a->n_cluster * 4);
		wbuf_bytes(w, a->cluster, (size_t)a->n_cluster * 4);
	}
	if (a->n_ecomm) {
		attr_hdr(w, F_OT, BGP_ATTR_EXT_COMMUNITIES, (size_t)a->n_ecomm * 8);
		wbuf_bytes(w, a->ecomm, (size_t)a->n_ecomm * 8);
	}
	if (need_as4)
		as4_path_encode(w, a);
	if (!as4 && (a->flags & BGP_ATTRS_AGGREGATOR) && a->aggregator_as > 0xffff) {
		attr_hdr(w, F_OT, BGP_ATTR_AS4_AGGREGATOR, 8);
		wbuf_u32(w, a->aggregator_as);
		wbuf_bytes(w, &a->aggregator_id, 4);
	}
	if (a->n_lcomm)
		u32_array_encode(w, F_OT, BGP_ATTR_LARGE_COMMUNITIES, &a->lcomm[0][0],
		                 (size_t)a->n_lcomm * 3);
	/* Unknown optional transitive attributes, as received (partial bit set). */
	wbuf_bytes(w, a->unknown, a->unknown_len);
	return w->err ? -ENOSPC : 0;
}

/* MP_REACH_NLRI or MP_UNREACH_NLRI header, always with a 2-byte length to grow. */
static int mp_begin(struct bgp_upd_writer *uw, const struct bgp_attrs *a)
{
	struct wbuf *w = &uw->w;
	long off;

	wbuf_u8(w, F_ONT | BGP_ATTR_F_EXTLEN);
	wbuf_u8(w, uw->withdraw ? BGP_ATTR_MP_UNREACH_NLRI : BGP_ATTR_MP_REACH_NLRI);
	off = wbuf_reserve(w, 2);
	if (off < 0)
		return -ENOSPC;
	uw->mp_len_off = (size_t)off;
	wbuf_u16(w, BGP_AFI_IPV6);
	wbuf_u8(w, BGP_SAFI_UNICAST);
	if (uw->withdraw)
		return w->err ? -ENOSPC : 0;
	/* RFC 2545 3: the global next hop, then the link-local one when known. */
	if (!(a->flags & BGP_ATTRS_NEXT_HOP) || a->next_hop.family != RH_AF_INET6)
		return -EINVAL;
	if (a->next_hop_ll.family == RH_AF_INET6) {
		wbuf_u8(w, 32);
		wbuf_bytes(w, a->next_hop.bytes, 16);
		wbuf_bytes(w, a->next_hop_ll.bytes, 16);
	} else {
		wbuf_u8(w, 16);
		wbuf_bytes(w, a->next_hop.bytes, 16);
	}
	wbuf_u8(w, 0); /* reserved */
	return w->err ? -ENOSPC : 0;
}

/*
 * IPv6: MP attribute first (RFC 7606 5.1), the other attributes parked at the end of the
 * buffer so that prefixes can be appended to the MP attribute.
 */
static int upd_begin_v6(struct bgp_upd_writer *uw, const struct bgp_attrs *a,
                        const struct bgp_codec_opts *opts)
{
	struct wbuf *w = &uw->w;
	size_t start;
	long off;
	int rc;

	wbuf_u16(w, 0); /* no IPv4 withdrawn routes */
	off = wbuf_reserve(w, 2);
	if (off < 0)
		return -ENOSPC;
	uw->attr_len_off = (size_t)off;
	rc = mp_begin(uw, a);
	if (rc < 0 || uw->withdraw)
		return rc;
	start = w->len;
	rc = bgp_attrs_encode(w, a, BGP_AID_IPV6, opts->as4, opts->ebgp);
	if (rc < 0)
		return rc;
	uw->tail_len = w->len - start;
	memmove(w->p + w->cap - uw->tail_len, w->p + start, uw->tail_len);
	w->len = start;
	w->cap -= uw->tail_len;
	return 0;
}

static int upd_begin_v4(struct bgp_upd_writer *uw, const struct bgp_attrs *a,
                        const struct bgp_codec_opts *opts)
{
	struct wbuf *w = &uw->w;
	long off;
	int rc;

	off = wbuf_reserve(w, 2);
	if (off < 0)
		return -ENOSPC;
	uw->withdrawn_len_off = (size_t)off;
	if (uw->withdraw) {
		/* The attribute length (0) is written after the prefixes: keep room for it. */
		if (w->cap - w->len < 2)
			return -ENOSPC;
		w->cap -= 2;
		uw->tail_len = 0;
		return 0;
	}
	off = wbuf_reserve(w, 2);
	if (off < 0)
		return -ENOSPC;
	uw->attr_len_off = (size_t)off;
	rc = bgp_attrs_encode(w, a, BGP_AID_IPV4, opts->as4, opts->ebgp);
	if (rc < 0)
		return rc;
	wbuf_put_u16_at(w, uw->attr_len_off, (uint16_t)(w->len - uw->attr_len_off - 2));
	return 0;
}

int bgp_upd_begin(struct bgp_upd_writer *uw, uint8_t *buf, size_t cap, enum bgp_aid aid,
                  bool withdraw, const struct bgp_attrs *attrs, const struct bgp_codec_opts *opts)
{
	size_t max = opts->max_msg >= BGP_MAX_MSG_EXT ? BGP_MAX_MSG_EXT : BGP_MAX_MSG;

	memset(uw, 0, sizeof(*uw));
	if (aid >= BGP_AID_MAX || (!withdraw && !attrs))
		return -EINVAL;
	if (cap > max)
		cap = max;
	wbuf_init(&uw->w, buf, cap);
	uw->full_cap = cap;
	uw->aid = aid;
	uw->withdraw = withdraw;
	uw->addpath = opts->addpath_tx[aid];
	uw->as4 = opts->as4;
	if (bgp_msg_begin(&uw->w, BGP_UPDATE) < 0)
		return -ENOSPC;
	return aid == BGP_AID_IPV4 ? upd_begin_v4(uw, attrs, opts) : upd_begin_v6(uw, attrs, opts);
}

int bgp_upd_add(struct bgp_upd_writer *uw, const struct rh_prefix *p, uint32_t path_id)
{
	uint8_t family = uw->aid == BGP_AID_IPV6 ? RH_AF_INET6 : RH_AF_INET;
	unsigned max = uw->aid == BGP_AID_IPV6 ? 128 : 32;
	size_t n = (p->len + 7u) / 8;
	size_t need = (uw->addpath ? 4 : 0) + 1 + n;
	struct wbuf *w = &uw->w;

	if (p->family != family || p->len > max)
		return -EINVAL;
	if (w->err || w->cap - w->len < need)
		return -ENOSPC;
	/* RFC 7911 3: the path identifier precedes each prefix. */
	if (uw->addpath)
		wbuf_u32(w, path_id);
	wbuf_u8(w, p->len);
	wbuf_bytes(w, p->bytes, n);
	uw->count++;
	return 0;
}

size_t bgp_upd_finish(struct bgp_upd_writer *uw)
{
	struct wbuf *w = &uw->w;

	w->cap = uw->full_cap;
	if (uw->aid == BGP_AID_IPV4 && uw->withdraw) {
		wbuf_put_u16_at(w, uw->withdrawn_len_off,
		                (uint16_t)(w->len - uw->withdrawn_len_off - 2));
		wbuf_u16(w, 0);
	} else if (uw->aid == BGP_AID_IPV6) {
		wbuf_put_u16_at(w, uw->mp_len_off, (uint16_t)(w->len - uw->mp_len_off - 2));
		memmove(w->p + w->len, w->p + w->cap - uw->tail_len, uw->tail_len);
		w->len += uw->tail_len;
		uw->tail_len = 0;
		wbuf_put_u16_at(w, uw->attr_len_off, (uint16_t)(w->len - uw->attr_len_off - 2));
	}
	if (bgp_msg_end(w, 0) < 0)
		return 0;
	return w->len;
}

int bgp_eor_encode(struct wbuf *w, enum bgp_aid aid)
{
	long start = bgp_msg_begin(w, BGP_UPDATE);

	wbuf_u16(w, 0);
	if (aid == BGP_AID_IPV4) {
		wbuf_u16(w, 0);
	} else {
		/* RFC 4724 2: only an empty MP_UNREACH_NLRI for the family. */
		wbuf_u16(w, 6);
		wbuf_u8(w, F_ONT);
		wbuf_u8(w, BGP_ATTR_MP_UNREACH_NLRI);
		wbuf_u8(w, 3);
		wbuf_u16(w, bgp_aid_to_afi(aid));
		wbuf_u8(w, BGP_SAFI_UNICAST);
	}
	return bgp_msg_end(w, start);
}
