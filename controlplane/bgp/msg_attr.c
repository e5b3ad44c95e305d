/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Decoding of the path attributes of an UPDATE, one at a time, with the error handling of
 * RFC 7606 7 for each, and the merge of AS4_PATH/AS4_AGGREGATOR of RFC 6793 4.2.3.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msg_internal.h"

#define F_WK  BGP_ATTR_F_TRANSITIVE                         /* well-known */
#define F_OT  (BGP_ATTR_F_OPTIONAL | BGP_ATTR_F_TRANSITIVE) /* optional transitive */
#define F_ONT BGP_ATTR_F_OPTIONAL                           /* optional non-transitive */

/* Expected Optional/Transitive flags and the RFC 7606 7 action when malformed. */
struct attr_rule {
	uint8_t flags;
	uint8_t action;
};

static const struct attr_rule attr_rules[256] = {
        [BGP_ATTR_ORIGIN] = {F_WK, BGP_UPD_TREAT_AS_WITHDRAW},            /* 7.1 */
        [BGP_ATTR_AS_PATH] = {F_WK, BGP_UPD_TREAT_AS_WITHDRAW},           /* 7.2 */
        [BGP_ATTR_NEXT_HOP] = {F_WK, BGP_UPD_TREAT_AS_WITHDRAW},          /* 7.3 */
        [BGP_ATTR_MED] = {F_ONT, BGP_UPD_TREAT_AS_WITHDRAW},              /* 7.4 */
        [BGP_ATTR_LOCAL_PREF] = {F_WK, BGP_UPD_TREAT_AS_WITHDRAW},        /* 7.5 */
        [BGP_ATTR_ATOMIC_AGGREGATE] = {F_WK, BGP_UPD_ATTR_DISCARD},       /* 7.6 */
        [BGP_ATTR_AGGREGATOR] = {F_OT, BGP_UPD_ATTR_DISCARD},             /* 7.7 */
        [BGP_ATTR_COMMUNITIES] = {F_OT, BGP_UPD_TREAT_AS_WITHDRAW},       /* 7.8 */
        [BGP_ATTR_ORIGINATOR_ID] = {F_ONT, BGP_UPD_TREAT_AS_WITHDRAW},    /* 7.9 */
        [BGP_ATTR_CLUSTER_LIST] = {F_ONT, BGP_UPD_TREAT_AS_WITHDRAW},     /* 7.10 */
        [BGP_ATTR_MP_REACH_NLRI] = {F_ONT, BGP_UPD_SESSION_RESET},        /* 7.11 */
        [BGP_ATTR_MP_UNREACH_NLRI] = {F_ONT, BGP_UPD_SESSION_RESET},      /* 7.12 */
        [BGP_ATTR_EXT_COMMUNITIES] = {F_OT, BGP_UPD_TREAT_AS_WITHDRAW},   /* 7.14 */
        [BGP_ATTR_AS4_PATH] = {F_OT, BGP_UPD_ATTR_DISCARD},               /* RFC 6793 6 */
        [BGP_ATTR_AS4_AGGREGATOR] = {F_OT, BGP_UPD_ATTR_DISCARD},         /* RFC 6793 6 */
        [BGP_ATTR_LARGE_COMMUNITIES] = {F_OT, BGP_UPD_TREAT_AS_WITHDRAW}, /* RFC 8092 6 */
};

void bgp_upd_error(struct bgp_upd_ctx *c, enum bgp_upd_action act, const char *reason)
{
	if (act > c->u->action) {
		c->u->action = act;
		c->u->reason = reason;
	}
}

void bgp_upd_reset(struct bgp_upd_ctx *c, uint8_t subcode, const void *data, size_t len,
                   const char *reason)
{
	if (c->u->action == BGP_UPD_SESSION_RESET)
		return;
	bgp_notify_set(&c->u->notify, BGP_ERR_UPDATE, subcode, data, len);
	c->u->action = BGP_UPD_SESSION_RESET;
	c->u->reason = reason;
}

/* The attribute as it was on the wire, for the data of a NOTIFICATION (RFC 4271 6.3). */
static void reset_with_attr(struct bgp_upd_ctx *c, uint8_t subcode, uint8_t flags, uint8_t type,
                            const uint8_t *v, uint16_t len, const char *reason)
{
	uint8_t d[BGP_NOTIFY_DATA_MAX];
	struct wbuf w;

	wbuf_init(&w, d, sizeof(d));
	wbuf_u8(&w, flags);
	wbuf_u8(&w, type);
	if (flags & BGP_ATTR_F_EXTLEN)
		wbuf_u16(&w, len);
	else
		wbuf_u8(&w, (uint8_t)len);
	w.err = false;
	wbuf_bytes(&w, v, len > sizeof(d) - w.len ? sizeof(d) - w.len : len);
	bgp_upd_reset(c, subcode, d, w.len, reason);
}

/* A malformed known attribute: the action RFC 7606 7 gives for its type. */
static void malformed(struct bgp_upd_ctx *c, uint8_t flags, uint8_t type, const uint8_t *v,
                      uint16_t len, uint8_t subcode, const char *reason)
{
	if (attr_rules[type].action == BGP_UPD_SESSION_RESET)
		reset_with_attr(c, subcode, flags, type, v, len, reason);
	else
		bgp_upd_error(c, attr_rules[type].action, reason);
}

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t get_asn(const uint8_t *p, unsigned size)
{
	return size == 4 ? get_u32(p) : (uint32_t)(p[0] << 8 | p[1]);
}

static void put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static bool seg_is_confed(uint8_t type)
{
	return type == BGP_AS_CONFED_SEQUENCE || type == BGP_AS_CONFED_SET;
}

/* What aspath_parse() found besides the segments. */
struct aspath_info {
	bool confed;   /* has confederation segments */
	bool zero_asn; /* has AS 0 (RFC 7607 2) */
};

/*
 * Parses an AS path of asn_size-octet numbers into the 4-octet internal form (*out
 * malloc'd, NULL when empty). drop_confed leaves confederation segments out. Returns 0,
 * -EBADMSG when malformed (RFC 7606 7.2, RFC 6793 6: unknown segment type, zero segment
 * length, segment overrunning the attribute), or -ENOMEM.
 */
static int aspath_parse(const uint8_t *v, size_t len, unsigned asn_size, bool drop_confed,
                        uint8_t **out, uint16_t *out_len, struct aspath_info *info)
{
	size_t off = 0, size = 0, o = 0, i;
	uint8_t type, n;
	uint8_t *p;

	*out = NULL;
	*out_len = 0;
	memset(info, 0, sizeof(*info));
	while (off < len) {
		if (len - off < 2)
			return -EBADMSG;
		type = v[off];
		n = v[off + 1];
		if (type < BGP_AS_SET || type > BGP_AS_CONFED_SET || n == 0 ||
		    len - off - 2 < (size_t)n * asn_size)
			return -EBADMSG;
		info->confed |= seg_is_confed(type);
		for (i = 0; i < n; i++)
			info->zero_asn |= get_asn(v + off + 2 + i * asn_size, asn_size) == 0;
		if (!(drop_confed && seg_is_confed(type)))
			size += 2 + (size_t)n * 4;
		off += 2 + (size_t)n * asn_size;
	}
	if (size > UINT16_MAX)
		return -EBADMSG;
	if (size == 0)
		return 0;
	p = malloc(size);
	if (!p)
		return -ENOMEM;
	for (off = 0; off < len; off += 2 + (size_t)n * asn_size) {
		type = v[off];
		n = v[off + 1];
		if (drop_confed && seg_is_confed(type))
			continue;
		p[o++] = type;
		p[o++] = n;
		for (i = 0; i < n; i++, o += 4)
			put_u32(p + o, get_asn(v + off + 2 + i * asn_size, asn_size));
	}
	*out = p;
	*out_len = (uint16_t)size;
	return 0;
}

static int decode_aspath(struct bgp_upd_ctx *c, const uint8_t *v, uint16_t len)
{
	struct aspath_info info;
	uint16_t out_len;
	uint8_t *out;
	int rc;

	rc = aspath_parse(v, len, c->opts->as4 ? 4 : 2, false, &out, &out_len, &info);
	if (rc == -ENOMEM)
		return rc;
	if (rc < 0) {
		bgp_upd_error(c, BGP_UPD_TREAT_AS_WITHDRAW, "malformed AS_PATH");
		return 0;
	}
	if (info.zero_asn || (info.confed && c->opts->ebgp)) {
		/* RFC 7607 2: AS 0; RFC 5065 5: confederation segments from outside. */
		free(out);
		bgp_upd_error(c, BGP_UPD_TREAT_AS_WITHDRAW,
		              info.zero_asn ? "AS 0 in AS_PATH"
		                            : "AS_PATH confed segment from eBGP");
		return 0;
	}
	c->a->aspath = out;
	c->a->aspath_len = out_len;
	return 0;
}

static int decode_as4_path(struct bgp_upd_ctx *c, const uint8_t *v, uint16_t len)
{
	struct aspath_info info;
	uint16_t out_len;
	uint8_t *out;
	int rc;

	/* RFC 6793 6: between two NEW speakers AS4_PATH is discarded. */
	if (c->opts->as4) {
		bgp_upd_error(c, BGP_UPD_ATTR_DISCARD, "AS4_PATH from a 4-octet AS speaker");
		return 0;
	}
	/* RFC 6793 6: length not even or below 6 is malformed; confed segments dropped. */
	rc = len % 2 != 0 || len < 6 ? -EBADMSG
	                             : aspath_parse(v, len, 4, true, &out, &out_len, &info);
	if (rc == -ENOMEM)
		return rc;
	if (rc < 0) {
		bgp_upd_error(c, BGP_UPD_ATTR_DISCARD, "malformed AS4_PATH");
		return 0;
	}
	if (info.zero_asn) {
		free(out);
		bgp_upd_error(c, BGP_UPD_TREAT_AS_WITHDRAW, "AS 0 in AS4_PATH");
		return 0;
	}
	if (info.confed)
		bgp_upd_error(c, BGP_UPD_ATTR_DISCARD, "confed segments in AS4_PATH");
	c->as4_path = out;
	c->as4_path_len = out_len;
	return 0;
}

static void decode_aggregator(struct bgp_upd_ctx *c, const uint8_t *v, uint16_t len)
{
	unsigned size = c->opts->as4 ? 4 : 2;
	uint32_t asn;

	/* RFC 7606 7.7: 6 or 8 bytes as the session's AS size says, else discarded. */
	if (len != size + 4) {
		bgp_upd_error(c, BGP_UPD_ATTR_DISCARD, "malformed AGGREGATOR");
		return;
	}
	asn = get_asn(v, size);
	if (asn == 0) {
		/* RFC 7607 2 */
		bgp_upd_error(c, BGP_UPD_ATTR_DISCARD, "AS 0 in AGGREGATOR");
		return;
	}
	c->a->flags |= BGP_ATTRS_AGGREGATOR;
	c->a->aggregator_as = asn;
	memcpy(&c->a->aggregator_id, v + size, 4);
}

static void decode_as4_aggregator(struct bgp_upd_ctx *c, const uint8_t *v, uint16_t len)
{
	if (c->opts->as4) {
		bgp_upd_error(c, BGP_UPD_ATTR_DISCARD, "AS4_AGGREGATOR from a 4-octet AS speaker");
		return;
	}
	if (len != 8 || get_u32(v) == 0) {
		bgp_upd_error(c, BGP_UPD_ATTR_DISCARD, "malformed AS4_AGGREGATOR");
		return;
	}
	c->have_as4_aggr = true;
	c->as4_aggr_as = get_u32(v);
	memcpy(&c->as4_aggr_id, v + 4, 4);
}

/* RFC 4271 6.3: a NEXT_HOP that is not a valid host address is semantically incorrect. */
static bool nh4_valid(const uint8_t *v)
{
	return v[0] != 0 && v[0] != 127 && v[0] < 224;
}

static void decode_next_hop(struct bgp_upd_ctx *c, const uint8_t *v, uint16_t len)
{
	if (len != 4 || !nh4_valid(v)) {
		bgp_upd_error(c, BGP_UPD_TREAT_AS_WITHDRAW,
		              len != 4 ? "malformed NEXT_HOP" : "invalid NEXT_HOP address");
		return;
	}
	memset(&c->nh4, 0, sizeof(c->nh4));
	c->nh4.family = RH_AF_INET;
	memcpy(c->nh4.bytes, v, 4);
}

/* A 4-byte attribute (MED, LOCAL_PREF, ORIGINATOR_ID): 7606 7.4/7.5/7.9. */
static bool u32_attr(struct bgp_upd_ctx *c, uint16_t len, const char *reason)
{
	if (len != 4) {
		bgp_upd_error(c, BGP_UPD_TREAT_AS_WITHDRAW, reason);
		return false;
	}
	return true;
}

/*
 * Copies n items of size bytes into a malloc'd array, converting 4-byte words to host
 * order when host is set. A length of 0 or not a multiple of size is malformed and
 * treated as withdraw (RFC 7606 7.8, 7.10, 7.14; RFC 8092 6).
 */
static int array_attr(struct bgp_upd_ctx *c, const uint8_t *v, uint16_t len, size_t size, bool host,
                      void **out, uint16_t *n, const char *reason)
{
	uint32_t *words;
	size_t i;

	if (len == 0 || len % size != 0) {
		bgp_upd_error(c, BGP_UPD_TREAT_AS_WITHDRAW, reason);
		return 0;
	}
	*out = malloc(len);
	if (!*out)
		return -ENOMEM;
	memcpy(*out, v, len);
	if (host) {
		words = *out;
		for (i = 0; i < len / 4; i++)
			words[i] = get_u32(v + 4 * i);
	}
	*n = (uint16_t)(len / size);
	return 0;
}

/* NLRI of an MP attribute: syntax errors are a session reset (RFC 7606 5.3, RFC 4760 7). */
static bool mp_nlri_valid(struct bgp_upd_ctx *c, enum bgp_aid aid, const uint8_t *p, size_t len)
{
	struct rh_prefix pfx;
	struct rbuf r;
	uint32_t id;
	int rc;

	rbuf_init(&r, p, len);
	while ((rc = bgp_nlri_next(&r, aid, c->opts->addpath_rx[aid], &pfx, &id)) == 1)
		;
	return rc == 0;
}

static void decode_mp_nh(struct bgp_upd_ctx *c, enum bgp_aid aid, const uint8_t *nh, uint8_t len)
{
	struct bgp_update *u = c->u;

	/* RFC 7606 7.11: a next hop of the wrong length still lets the NLRI be found. */
	if ((aid == BGP_AID_IPV4 && len != 4) || (aid == BGP_AID_IPV6 && len != 16 && len != 32)) {
		bgp_upd_error(c, BGP_UPD_TREAT_AS_WITHDRAW, "bad MP_REACH_NLRI next hop length");
		return;
	}
	if (aid == BGP_AID_IPV4) {
		if (!nh4_valid(nh)) {
			bgp_upd_error(c, BGP_UPD_TREAT_AS_WITHDRAW, "invalid MP_REACH next hop");
			return;
		}
		u->mp_nh.family = RH_AF_INET;
		memcpy(u->mp_nh.bytes, nh, 4);
		return;
	}
	/* RFC 2545 3: global address, then optionally the link-local one; not multicast. */
	if (nh[0] == 0xff) {
		bgp_upd_error(c, BGP_UPD_TREAT_AS_WITHDRAW, "invalid MP_REACH next hop");
		return;
	}
	u->mp_nh.family = RH_AF_INET6;
	memcpy(u->mp_nh.bytes, nh, 16);
	if (len == 32) {
		u->mp_nh_ll.family = RH_AF_INET6;
		memcpy(u->mp_nh_ll.bytes, nh + 16, 16);
	}
}

/* RFC 4760 3: AFI, SAFI, next hop length, next hop, reserved, NLRI. */
static void decode_mp_reach(struct bgp_upd_ctx *c, uint8_t flags, const uint8_t *v, uint16_t len)
{
	uint16_t afi;
	uint8_t nh_len;
	int aid;

	if (len < 5 || len < 5 + v[3]) {
		reset_with_attr(c, BGP_ERR_UPD_OPTATTR, flags, BGP_ATTR_MP_REACH_NLRI, v, len,
		                "malformed MP_REACH_NLRI");
		return;
	}
	afi = (uint16_t)(v[0] << 8 | v[1]);
	nh_len = v[3];
	aid = bgp_afi_to_aid(afi, v[2]);
	c->have_mp_reach = true;
	if (aid < 0) {
		bgp_upd_error(c, BGP_UPD_ATTR_DISCARD, "MP_REACH_NLRI of an unsupported AFI/SAFI");
		return;
	}
	if (!mp_nlri_valid(c, aid, v + 5 + nh_len, len - 5 - nh_len)) {
		reset_with_attr(c, BGP_ERR_UPD_OPTATTR, flags, BGP_ATTR_MP_REACH_NLRI, v, len,
		                "malformed NLRI in MP_REACH_NLRI");
		return;
	}
	c->u->mp_reach.aid = aid;
	c->u->mp_reach.p = v + 5 + nh_len;
	c->u->mp_reach.len = len - 5u - nh_len;
	decode_mp_nh(c, aid, v + 4, nh_len);
}

static void decode_mp_unreach(struct bgp_upd_ctx *c, uint8_t flags, const uint8_t *v, uint16_t len)
{
	int aid;

	if (len < 3) {
		reset_with_attr(c, BGP_ERR_UPD_OPTATTR, flags, BGP_ATTR_MP_UNREACH_NLRI, v, len,
		                "malformed MP_UNREACH_NLRI");
		return;
	}
	c->have_mp_unreach = true;
	aid = bgp_afi_to_aid((uint16_t)(v[0] << 8 | v[1]), v[2]);
	if (aid < 0) {
		bgp_upd_error(c, BGP_UPD_ATTR_DISCARD,
		              "MP_UNREACH_NLRI of an unsupported AFI/SAFI");
		return;
	}
	if (!mp_nlri_valid(c, aid, v + 3, len - 3u)) {
		reset_with_attr(c, BGP_ERR_UPD_OPTATTR, flags, BGP_ATTR_MP_UNREACH_NLRI, v, len,
		                "malformed NLRI in MP_UNREACH_NLRI");
		return;
	}
	c->u->mp_unreach.aid = aid;
	c->u->mp_unreach.p = v + 3;
	c->u->mp_unreach.len = len - 3u;
}

/* Attributes that iBGP carries and eBGP must not (RFC 7606 7.5, 7.9, 7.10). */
static bool ibgp_only(struct bgp_upd_ctx *c, const char *reason)
{
	if (!c->opts->ebgp)
		return false;
	bgp_upd_error(c, BGP_UPD_ATTR_DISCARD, reason);
	return true;
}

static int decode_known(struct bgp_upd_ctx *c, uint8_t flags, uint8_t type, const uint8_t *v,
                        uint16_t len)
{
	struct bgp_attrs *a = c->a;

	switch (type) {
	case BGP_ATTR_ORIGIN:
		if (len != 1 || v[0] > BGP_ORIGIN_INCOMPLETE)
			bgp_upd_error(c, BGP_UPD_TREAT_AS_WITHDRAW, "malformed ORIGIN");
		else
			a->origin = v[0];
		return 0;
	case BGP_ATTR_AS_PATH:
		return decode_aspath(c, v, len);
	case BGP_ATTR_NEXT_HOP:
		decode_next_hop(c, v, len);
		return 0;
	case BGP_ATTR_MED:
		if (u32_attr(c, len, "malformed MULTI_EXIT_DISC")) {
			a->med = get_u32(v);
			a->flags |= BGP_ATTRS_MED;
		}
		return 0;
	case BGP_ATTR_LOCAL_PREF:
		if (!ibgp_only(c, "LOCAL_PREF from eBGP") &&
		    u32_attr(c, len, "malformed LOCAL_PREF")) {
			a->local_pref = get_u32(v);
			a->flags |= BGP_ATTRS_LOCAL_PREF;
		}
		return 0;
	case BGP_ATTR_ATOMIC_AGGREGATE:
		if (len != 0)
			bgp_upd_error(c, BGP_UPD_ATTR_DISCARD, "malformed ATOMIC_AGGREGATE");
		else
			a->flags |= BGP_ATTRS_ATOMIC_AGGR;
		return 0;
	case BGP_ATTR_AGGREGATOR:
		decode_aggregator(c, v, len);
		return 0;
	case BGP_ATTR_COMMUNITIES:
		return array_attr(c, v, len, 4, true, (void **)&a->comm, &a->n_comm,
		                  "malformed COMMUNITIES");
	case BGP_ATTR_ORIGINATOR_ID:
		if (!ibgp_only(c, "ORIGINATOR_ID from eBGP") &&
		    u32_attr(c, len, "malformed ORIGINATOR_ID")) {
			memcpy(&a->originator_id, v, 4);
			a->flags |= BGP_ATTRS_ORIGINATOR;
		}
		return 0;
	case BGP_ATTR_CLUSTER_LIST:
		if (ibgp_only(c, "CLUSTER_LIST from eBGP"))
			return 0;
		return array_attr(c, v, len, 4, false, (void **)&a->cluster, &a->n_cluster,
		                  "malformed CLUSTER_LIST");
	case BGP_ATTR_MP_REACH_NLRI:
		decode_mp_reach(c, flags, v, len);
		return 0;
	case BGP_ATTR_MP_UNREACH_NLRI:
		decode_mp_unreach(c, flags, v, len);
		return 0;
	case BGP_ATTR_EXT_COMMUNITIES:
		return array_attr(c, v, len, 8, false, (void **)&a->ecomm, &a->n_ecomm,
		                  "malformed EXTENDED_COMMUNITIES");
	case BGP_ATTR_AS4_PATH:
		return decode_as4_path(c, v, len);
	case BGP_ATTR_AS4_AGGREGATOR:
		decode_as4_aggregator(c, v, len);
		return 0;
	case BGP_ATTR_LARGE_COMMUNITIES:
		return array_attr(c, v, len, 12, true, (void **)&a->lcomm, &a->n_lcomm,
		                  "malformed LARGE_COMMUNITIES");
	default:
		return 0;
	}
}

bool bgp_attr_is_known(uint8_t type)
{
	return attr_rules[type].flags != 0;
}

int bgp_attr_decode_one(struct bgp_upd_ctx *c, uint8_t flags, uint8_t type, const uint8_t *v,
                        uint16_t len)
{
	/*
	 * RFC 7606 3 (c): Optional or Transitive bits in conflict with the attribute's type
	 * make it malformed, with the action its own rules give (7606 7).
	 */
	if ((flags & F_OT) != attr_rules[type].flags) {
		malformed(c, flags, type, v, len, BGP_ERR_UPD_ATTRFLAGS, "attribute flags error");
		return 0;
	}
	return decode_known(c, flags, type, v, len);
}

int bgp_attr_keep_unknown(struct bgp_upd_ctx *c, uint8_t flags, uint8_t type, const uint8_t *v,
                          uint16_t len)
{
	struct bgp_attrs *a = c->a;
	size_t hdr = len > 255 || (flags & BGP_ATTR_F_EXTLEN) ? 4 : 3;
	size_t size = a->unknown_len + hdr + len;
	uint8_t *p;

	if (size > UINT16_MAX) {
		bgp_upd_error(c, BGP_UPD_ATTR_DISCARD, "unknown attributes too long to keep");
		return 0;
	}
	p = realloc(a->unknown, size);
	if (!p)
		return -ENOMEM;
	a->unknown = p;
	p += a->unknown_len;
	/* RFC 4271 5: passed on with the Partial bit set; the low 4 bits are ignored. */
	flags = (flags & 0xf0) | BGP_ATTR_F_PARTIAL;
	*p++ = hdr == 4 ? flags | BGP_ATTR_F_EXTLEN : flags;
	*p++ = type;
	if (hdr == 4)
		*p++ = (uint8_t)(len >> 8);
	*p++ = (uint8_t)len;
	memcpy(p, v, len);
	a->unknown_len = (uint16_t)size;
	return 0;
}

/* Number of ASNs for the RFC 6793 4.2.3 comparison: AS_SET counts 1, confed 0. */
static unsigned aspath_count(const uint8_t *p, size_t len)
{
	unsigned n = 0;
	size_t off;

	for (off = 0; off + 2 <= len; off += 2 + (size_t)p[off + 1] * 4) {
		if (p[off] == BGP_AS_SEQUENCE)
			n += p[off + 1];
		else if (p[off] == BGP_AS_SET)
			n += 1;
	}
	return n;
}

/*
 * Takes the leading `need` ASNs of the AS_PATH (whole segments, a partial AS_SEQUENCE,
 * and the confed segments before the next counted one) into out; returns bytes written
 * and sets *last to the offset of the last segment written (SIZE_MAX if none).
 */
static size_t aspath_take(const uint8_t *p, size_t len, unsigned need, uint8_t *out, size_t *last)
{
	size_t off = 0, o = 0;
	unsigned take;
	uint8_t type, n;

	while (off + 2 <= len) {
		type = p[off];
		n = p[off + 1];
		if (need == 0 && !seg_is_confed(type))
			break;
		take = n;
		if (type == BGP_AS_SEQUENCE)
			take = n < need ? n : need;
		if (type == BGP_AS_SEQUENCE || type == BGP_AS_SET)
			need -= type == BGP_AS_SET ? 1 : take;
		*last = o;
		out[o++] = type;
		out[o++] = (uint8_t)take;
		memcpy(out + o, p + off + 2, (size_t)take * 4);
		o += (size_t)take * 4;
		off += 2 + (size_t)n * 4;
	}
	return o;
}

static int as4_path_merge(struct bgp_upd_ctx *c)
{
	struct bgp_attrs *a = c->a;
	unsigned n2 = aspath_count(a->aspath, a->aspath_len);
	unsigned n4 = aspath_count(c->as4_path, c->as4_path_len);
	size_t o, size, last = SIZE_MAX;
	uint8_t *out;

	/* RFC 6793 4.2.3: an AS4_PATH longer than the AS_PATH is ignored. */
	if (n2 < n4) {
		bgp_upd_error(c, BGP_UPD_ATTR_DISCARD, "AS4_PATH longer than AS_PATH");
		return 0;
	}
	size = (size_t)a->aspath_len + c->as4_path_len;
	out = malloc(size);
	if (!out)
		return -ENOMEM;
	o = aspath_take(a->aspath, a->aspath_len, n2 - n4, out, &last);
	/* Join a cut AS_SEQUENCE with the first one of the AS4_PATH when it fits. */
	if (last != SIZE_MAX && out[last] == BGP_AS_SEQUENCE && c->as4_path[0] == BGP_AS_SEQUENCE &&
	    (unsigned)out[last + 1] + c->as4_path[1] <= 255) {
		out[last + 1] = (uint8_t)(out[last + 1] + c->as4_path[1]);
		memcpy(out + o, c->as4_path + 2, c->as4_path_len - 2u);
		o += c->as4_path_len - 2u;
	} else {
		memcpy(out + o, c->as4_path, c->as4_path_len);
		o += c->as4_path_len;
	}
	free(a->aspath);
	a->aspath = out;
	a->aspath_len = (uint16_t)o;
	return 0;
}

int bgp_attr_as4_merge(struct bgp_upd_ctx *c)
{
	struct bgp_attrs *a = c->a;

	if (c->opts->as4)
		return 0;
	/*
	 * RFC 6793 4.2.3: an AGGREGATOR with an AS other than AS_TRANS means an OLD
	 * speaker aggregated after the NEW ones: AS4_AGGREGATOR and AS4_PATH are ignored.
	 */
	if ((a->flags & BGP_ATTRS_AGGREGATOR) && a->aggregator_as != BGP_AS_TRANS) {
		if (c->have_as4_aggr || c->as4_path)
			bgp_upd_error(c, BGP_UPD_ATTR_DISCARD,
			              "AS4 attributes after OLD aggregator");
		return 0;
	}
	if (c->have_as4_aggr && (a->flags & BGP_ATTRS_AGGREGATOR)) {
		a->aggregator_as = c->as4_aggr_as;
		a->aggregator_id = c->as4_aggr_id;
	}
	if (!c->as4_path || !(c->seen[BGP_ATTR_AS_PATH / 8] & (1u << (BGP_ATTR_AS_PATH % 8))))
		return 0;
	return as4_path_merge(c);
}
