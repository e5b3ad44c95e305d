/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * UPDATE decoding (RFC 4271 4.3, 6.3) with the revised error handling of RFC 7606, and
 * the NLRI walk with ADD-PATH path identifiers (RFC 7911 3).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "msg_internal.h"

int bgp_nlri_next(struct rbuf *r, enum bgp_aid aid, bool addpath, struct rh_prefix *p,
                  uint32_t *path_id)
{
	unsigned max = aid == BGP_AID_IPV6 ? 128 : 32;
	uint32_t id = 0;
	uint8_t plen;
	size_t n;

	if (path_id)
		*path_id = 0;
	if (r->err)
		return -EBADMSG;
	if (rbuf_left(r) == 0)
		return 0;
	memset(p, 0, sizeof(*p));
	if (addpath && rbuf_u32(r, &id) < 0)
		return -EBADMSG;
	if (rbuf_u8(r, &plen) < 0)
		return -EBADMSG;
	/* RFC 4271 4.3: a length past the address size is malformed. */
	if (plen > max) {
		r->err = true;
		return -EBADMSG;
	}
	n = (plen + 7u) / 8;
	if (rbuf_bytes(r, p->bytes, n) < 0)
		return -EBADMSG;
	/* Bits past the length are ignored on receipt: clear them. */
	if (plen % 8)
		p->bytes[n - 1] &= (uint8_t)(0xff << (8 - plen % 8));
	p->family = aid == BGP_AID_IPV6 ? RH_AF_INET6 : RH_AF_INET;
	p->len = plen;
	if (path_id)
		*path_id = id;
	return 1;
}

static bool nlri_valid(const struct bgp_nlri_block *b, bool addpath)
{
	struct rh_prefix p;
	struct rbuf r;
	int rc;

	rbuf_init(&r, b->p, b->len);
	while ((rc = bgp_nlri_next(&r, b->aid, addpath, &p, NULL)) == 1)
		;
	return rc == 0;
}

static bool seen_test_set(struct bgp_upd_ctx *c, uint8_t type)
{
	bool seen = c->seen[type / 8] & (1u << (type % 8));

	c->seen[type / 8] |= (uint8_t)(1u << (type % 8));
	return seen;
}

static bool seen(const struct bgp_upd_ctx *c, uint8_t type)
{
	return c->seen[type / 8] & (1u << (type % 8));
}

/*
 * RFC 7606 4: an attribute overrunning the Total Path Attribute Length, or fewer bytes
 * left than an attribute header, is treat-as-withdraw, the NLRI being found from the total
 * length. RFC 7606 3 (j): that needs every NLRI to be located, which the rest of the
 * attributes might hide (an MP_REACH_NLRI or MP_UNREACH_NLRI); so it is a session reset
 * unless an MP attribute was already found (senders put it first, RFC 7606 5.1) or the
 * message carries IPv4 NLRI.
 */
static void attr_overrun(struct bgp_upd_ctx *c)
{
	if (c->have_mp_reach || c->have_mp_unreach || c->u->nlri.len > 0)
		bgp_upd_error(c, BGP_UPD_TREAT_AS_WITHDRAW, "attribute overruns the attributes");
	else
		bgp_upd_reset(c, BGP_ERR_UPD_ATTRLIST, NULL, 0,
		              "attribute overruns the attributes");
}

/* RFC 4271 6.3: an unrecognised well-known attribute, with the attribute as data. */
static void unknown_well_known(struct bgp_upd_ctx *c, const uint8_t *hdr, size_t hlen, uint16_t len)
{
	uint8_t d[BGP_NOTIFY_DATA_MAX];
	size_t n = hlen + len;

	if (n > sizeof(d))
		n = sizeof(d);
	memcpy(d, hdr, n);
	bgp_upd_reset(c, BGP_ERR_UPD_UNKNWN_WK_ATTR, d, n, "unrecognised well-known attribute");
}

static int attr_one(struct bgp_upd_ctx *c, uint8_t flags, uint8_t type, const uint8_t *hdr,
                    size_t hlen, uint16_t len)
{
	const uint8_t *v = hdr + hlen;

	c->n_attrs++;
	/* RFC 7606 3 (g): MP_* twice is a session reset; others keep their first. */
	if (seen_test_set(c, type)) {
		if (type == BGP_ATTR_MP_REACH_NLRI || type == BGP_ATTR_MP_UNREACH_NLRI)
			bgp_upd_reset(c, BGP_ERR_UPD_ATTRLIST, NULL, 0, "MP attribute repeated");
		else
			bgp_upd_error(c, BGP_UPD_ATTR_DISCARD, "attribute repeated");
		return 0;
	}
	if (bgp_attr_is_known(type))
		return bgp_attr_decode_one(c, flags, type, v, len);
	if (!(flags & BGP_ATTR_F_OPTIONAL)) {
		unknown_well_known(c, hdr, hlen, len);
		return 0;
	}
	/* RFC 4271 9: unknown optional transitive kept, non-transitive quietly dropped. */
	if (flags & BGP_ATTR_F_TRANSITIVE)
		return bgp_attr_keep_unknown(c, flags, type, v, len);
	return 0;
}

static int attrs_decode(struct bgp_upd_ctx *c, struct rbuf *r)
{
	const uint8_t *hdr;
	uint8_t flags, type, len8;
	uint16_t len;
	size_t hlen;
	int rc;

	while (rbuf_left(r) > 0 && c->u->action != BGP_UPD_SESSION_RESET) {
		hdr = r->p + r->off;
		flags = hdr[0];
		hlen = flags & BGP_ATTR_F_EXTLEN ? 4 : 3;
		if (rbuf_left(r) < hlen) {
			attr_overrun(c);
			return 0;
		}
		rbuf_skip(r, 1);
		rbuf_u8(r, &type);
		if (hlen == 4) {
			rbuf_u16(r, &len);
		} else {
			rbuf_u8(r, &len8);
			len = len8;
		}
		if (rbuf_skip(r, len) < 0) {
			attr_overrun(c);
			return 0;
		}
		rc = attr_one(c, flags, type, hdr, hlen, len);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* RFC 7606 3 (d): a missing well-known mandatory attribute is treat-as-withdraw. */
static void check_mandatory(struct bgp_upd_ctx *c)
{
	struct bgp_update *u = c->u;

	if (u->nlri.len == 0 && u->mp_reach.len == 0)
		return;
	if (!seen(c, BGP_ATTR_ORIGIN))
		bgp_upd_error(c, BGP_UPD_TREAT_AS_WITHDRAW, "missing ORIGIN");
	else if (!seen(c, BGP_ATTR_AS_PATH))
		bgp_upd_error(c, BGP_UPD_TREAT_AS_WITHDRAW, "missing AS_PATH");
	/* RFC 4760 3: NEXT_HOP is only needed for NLRI outside MP_REACH_NLRI. */
	else if (u->nlri.len > 0 && !seen(c, BGP_ATTR_NEXT_HOP))
		bgp_upd_error(c, BGP_UPD_TREAT_AS_WITHDRAW, "missing NEXT_HOP");
}

/* attrs->next_hop: the NEXT_HOP for IPv4 NLRI, else the MP_REACH_NLRI next hop. */
static void set_next_hop(struct bgp_upd_ctx *c)
{
	struct bgp_attrs *a = c->a;
	struct bgp_update *u = c->u;

	if (c->nh4.family && (u->nlri.len > 0 || !u->mp_nh.family)) {
		a->next_hop = c->nh4;
	} else if (u->mp_nh.family) {
		a->next_hop = u->mp_nh;
		a->next_hop_ll = u->mp_nh_ll;
	} else {
		return;
	}
	a->flags |= BGP_ATTRS_NEXT_HOP;
}

/* RFC 4724 2: End-of-RIB is an empty UPDATE, or one with only an empty MP_UNREACH_NLRI. */
static void check_eor(struct bgp_upd_ctx *c)
{
	struct bgp_update *u = c->u;

	if (u->withdrawn.len > 0 || u->nlri.len > 0 || u->action != BGP_UPD_OK)
		return;
	if (c->n_attrs == 0) {
		u->eor = true;
		u->eor_aid = BGP_AID_IPV4;
	} else if (c->n_attrs == 1 && c->have_mp_unreach && u->mp_unreach.p &&
	           u->mp_unreach.len == 0) {
		u->eor = true;
		u->eor_aid = u->mp_unreach.aid;
	}
}

/* Reads the lengths of the three parts (RFC 4271 4.3); false after a session reset. */
static bool split_body(struct bgp_upd_ctx *c, const uint8_t *body, size_t len, struct rbuf *attrs)
{
	struct bgp_update *u = c->u;
	uint16_t wlen, alen;
	struct rbuf r, w;

	rbuf_init(&r, body, len);
	rbuf_u16(&r, &wlen);
	/* RFC 4271 6.3: lengths past the message are a Malformed Attribute List. */
	if (rbuf_sub(&r, &w, wlen) < 0 || rbuf_u16(&r, &alen) < 0 ||
	    rbuf_sub(&r, attrs, alen) < 0) {
		bgp_upd_reset(c, BGP_ERR_UPD_ATTRLIST, NULL, 0,
		              "bad withdrawn or attribute length");
		return false;
	}
	u->withdrawn = (struct bgp_nlri_block){BGP_AID_IPV4, w.p, w.len};
	u->nlri = (struct bgp_nlri_block){BGP_AID_IPV4, r.p + r.off, rbuf_left(&r)};
	/* RFC 7606 5.3: NLRI that cannot be parsed leave no choice but a session reset. */
	if (!nlri_valid(&u->withdrawn, c->opts->addpath_rx[BGP_AID_IPV4]) ||
	    !nlri_valid(&u->nlri, c->opts->addpath_rx[BGP_AID_IPV4])) {
		bgp_upd_reset(c, BGP_ERR_UPD_NETWORK, NULL, 0, "malformed NLRI");
		return false;
	}
	return true;
}

int bgp_update_decode(const uint8_t *body, size_t len, const struct bgp_codec_opts *opts,
                      struct bgp_update *u)
{
	struct bgp_upd_ctx c = {.opts = opts, .u = u};
	struct rbuf attrs;
	int rc = 0;

	memset(u, 0, sizeof(*u));
	u->mp_reach.aid = u->mp_unreach.aid = BGP_AID_IPV6;
	if (!split_body(&c, body, len, &attrs))
		return 0;
	if (attrs.len > 0) {
		c.a = bgp_attrs_new();
		if (!c.a)
			return -ENOMEM;
		rc = attrs_decode(&c, &attrs);
		if (rc == 0 && u->action != BGP_UPD_SESSION_RESET)
			rc = bgp_attr_as4_merge(&c);
	}
	free(c.as4_path);
	if (rc < 0) {
		bgp_attrs_free(c.a);
		return rc;
	}
	if (u->action != BGP_UPD_SESSION_RESET) {
		check_mandatory(&c);
		if (c.a)
			set_next_hop(&c);
		check_eor(&c);
	}
	/*
	 * Attributes only describe the NLRI announced with them (RFC 4271 4.3): without any,
	 * or when the message is to be withdrawn or reset on, they are of no use.
	 */
	if (u->action >= BGP_UPD_TREAT_AS_WITHDRAW || (u->nlri.len == 0 && u->mp_reach.len == 0)) {
		bgp_attrs_free(c.a);
		c.a = NULL;
	}
	u->attrs = c.a;
	return 0;
}
