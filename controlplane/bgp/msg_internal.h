/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers shared by the files of the message codec; not a public interface. */
#ifndef ROUTEHUB_BGP_MSG_INTERNAL_H
#define ROUTEHUB_BGP_MSG_INTERNAL_H

#include "msg.h"

/* Writes the 19-byte header with a zero length; returns its offset or -ENOSPC. */
long bgp_msg_begin(struct wbuf *w, uint8_t type);
/* Fills in the length of the message begun at start; 0, or -ENOSPC if anything did not fit. */
int bgp_msg_end(struct wbuf *w, long start);
/* Sets n to code/subcode with data (truncated to BGP_NOTIFY_DATA_MAX). */
void bgp_notify_set(struct bgp_notify *n, uint8_t code, uint8_t subcode, const void *data,
                    size_t len);

/* Family index of a unicast AFI/SAFI pair, or -1 if not one routehub speaks. */
int bgp_afi_to_aid(uint16_t afi, uint8_t safi);
uint16_t bgp_aid_to_afi(enum bgp_aid aid);

/* Attribute decoding state shared by msg_update.c and msg_attr.c. */
struct bgp_upd_ctx {
	const struct bgp_codec_opts *opts;
	struct bgp_update *u;
	struct bgp_attrs *a;
	/* The 2-octet (or 4-octet) AS_PATH and the AS4_PATH before the RFC 6793 merge. */
	uint8_t *as4_path;
	uint16_t as4_path_len;
	bool have_as4_aggr;
	uint32_t as4_aggr_as, as4_aggr_id;
	struct rh_addr nh4; /* a valid NEXT_HOP attribute, family 0 if none */
	bool have_mp_reach, have_mp_unreach;
	unsigned n_attrs;
	uint8_t seen[32]; /* attribute types seen, for duplicates (RFC 7606 3.g) */
};

/*
 * Records an RFC 7606 outcome: keeps the harshest (RFC 7606 3.h) and the reason of the
 * first error that set it.
 */
void bgp_upd_error(struct bgp_upd_ctx *c, enum bgp_upd_action act, const char *reason);
/* Same, for a session reset with the NOTIFICATION to send. */
void bgp_upd_reset(struct bgp_upd_ctx *c, uint8_t subcode, const void *data, size_t len,
                   const char *reason);

/* True for the attribute types bgp_attr_decode_one() knows. */
bool bgp_attr_is_known(uint8_t type);
/*
 * Decodes one path attribute of known type into c->a (or c->u for MP_*), applying the
 * per-attribute rules of RFC 7606 7. Returns 0, or -ENOMEM.
 */
int bgp_attr_decode_one(struct bgp_upd_ctx *c, uint8_t flags, uint8_t type, const uint8_t *v,
                        uint16_t len);
/* RFC 6793 4.2.3: merges the AS4_PATH/AS4_AGGREGATOR into the converted AS_PATH. */
int bgp_attr_as4_merge(struct bgp_upd_ctx *c);
/* Appends an unknown optional transitive attribute, partial bit set (RFC 4271 5). */
int bgp_attr_keep_unknown(struct bgp_upd_ctx *c, uint8_t flags, uint8_t type, const uint8_t *v,
                          uint16_t len);

/* Encodes the path attributes of a (not MP_*) in type order; 0 or -ENOSPC/-EINVAL. */
int bgp_attrs_encode(struct wbuf *w, const struct bgp_attrs *a, enum bgp_aid aid, bool as4,
                     bool ebgp);

#endif
