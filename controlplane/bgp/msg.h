/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BGP message codec: encoders write whole messages (header included) into a wbuf and
 * return 0, or -ENOSPC when the message does not fit (w is then to be discarded);
 * decoders read a message body (after the 19-byte header) through bounds-checked readers
 * and report errors as the NOTIFICATION the RFCs prescribe, or, for UPDATE, as the
 * RFC 7606 action (treat-as-withdraw, attribute discard, session reset).
 */
#ifndef ROUTEHUB_BGP_MSG_H
#define ROUTEHUB_BGP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attr.h"
#include "bgp.h"
#include "routehub/prefix.h"
#include "wire.h"

/* Index of an address family in per-family arrays. */
enum bgp_aid { BGP_AID_IPV4 = 0, BGP_AID_IPV6 = 1, BGP_AID_MAX = 2 };

#define BGP_ADDPATH_RECV 0x1
#define BGP_ADDPATH_SEND 0x2

#define BGP_GR_MAX_TIME 4095

struct bgp_caps {
	bool mp[BGP_AID_MAX]; /* multiprotocol unicast per family */
	bool as4;
	uint32_t as4_asn;
	bool route_refresh;
	bool enhanced_rr;
	bool ext_msg;
	bool gr;           /* graceful restart capability present */
	bool gr_restarted; /* R bit */
	uint16_t gr_time;
	bool gr_fwd[BGP_AID_MAX];     /* families listed, F bit */
	bool gr_af[BGP_AID_MAX];      /* families listed */
	uint8_t addpath[BGP_AID_MAX]; /* BGP_ADDPATH_* per family */
};

struct bgp_open {
	uint8_t version;
	uint16_t my_as; /* AS_TRANS when the real ASN needs 4 octets */
	uint16_t hold_time;
	uint32_t bgp_id; /* network order */
	struct bgp_caps caps;
};

/* A NOTIFICATION to send or that was received. */
#define BGP_NOTIFY_DATA_MAX 256
struct bgp_notify {
	uint8_t code;
	uint8_t subcode;
	uint16_t data_len;
	uint8_t data[BGP_NOTIFY_DATA_MAX];
};

/* RFC 7606 outcome of decoding an UPDATE, from mildest to harshest. */
enum bgp_upd_action {
	BGP_UPD_OK = 0,
	BGP_UPD_ATTR_DISCARD = 1,      /* some attributes dropped, the rest is good */
	BGP_UPD_TREAT_AS_WITHDRAW = 2, /* withdraw every NLRI of the message */
	BGP_UPD_SESSION_RESET = 3,     /* send `notify` and close */
};

/* Where the NLRI of a decoded UPDATE sit in the message, to walk with bgp_nlri_next(). */
struct bgp_nlri_block {
	enum bgp_aid aid;
	const uint8_t *p;
	size_t len;
};

struct bgp_update {
	enum bgp_upd_action action;
	struct bgp_notify notify;        /* for BGP_UPD_SESSION_RESET */
	const char *reason;              /* for logs: what was wrong, static text */
	struct bgp_attrs *attrs;         /* not interned; NULL when nothing is announced */
	struct bgp_nlri_block withdrawn; /* IPv4 withdrawn routes */
	struct bgp_nlri_block nlri;      /* IPv4 NLRI */
	struct bgp_nlri_block mp_reach;  /* len 0 if absent */
	struct bgp_nlri_block mp_unreach;
	bool eor; /* End-of-RIB marker (RFC 4724 2) */
	enum bgp_aid eor_aid;
	/*
	 * Added: the MP_REACH_NLRI next hops (family 0 when absent). attrs->next_hop is the
	 * NEXT_HOP attribute when the message has IPv4 NLRI, else the MP_REACH next hop; a
	 * message carrying both kinds of NLRI needs a copy of attrs with these for mp_reach.
	 */
	struct rh_addr mp_nh;
	struct rh_addr mp_nh_ll;
};

/* Session parameters a decoder needs. */
struct bgp_codec_opts {
	bool as4;                     /* both sides announced 4-octet ASNs */
	bool addpath_rx[BGP_AID_MAX]; /* peer sends path ids */
	bool ebgp;                    /* decides which attributes are allowed */
	size_t max_msg;               /* 4096 or 65535 */
	bool addpath_tx[BGP_AID_MAX]; /* added: we send path ids (encoder) */
};

/*
 * Header: checks marker, length and type (RFC 4271 6.1). 0, or -EBADMSG with n filled, or
 * -EAGAIN when len < BGP_HDR_LEN. OPEN and KEEPALIVE are held to 4096 bytes whatever
 * max_msg says (RFC 8654 3). ROUTE-REFRESH lengths are left to bgp_rr_decode() (RFC 7313 5).
 */
int bgp_hdr_decode(const uint8_t *buf, size_t len, uint16_t *msg_len, uint8_t *type, size_t max_msg,
                   struct bgp_notify *n);

/*
 * Encodes o with one Capabilities optional parameter. With caps.as4, My AS is written as
 * caps.as4_asn when it fits in 2 octets and AS_TRANS otherwise (RFC 6793 4.1); without,
 * o->my_as is written. A version of 0 is sent as BGP_VERSION.
 */
int bgp_open_encode(struct wbuf *w, const struct bgp_open *o);
/*
 * Decodes and checks an OPEN body (RFC 4271 6.2, RFC 5492, RFC 6793, RFC 7607, RFC 9072).
 * 0, or -EBADMSG with n filled: bad version 2/1 (data: version 4), AS 0 2/2, BGP id 0 2/3,
 * hold time 1 or 2 2/6, optional parameter other than Capabilities 2/4, malformed
 * parameter or capability 2/0. Unknown capabilities and AFI/SAFI are ignored. Checking
 * the peer AS against the configuration is the caller's job.
 */
int bgp_open_decode(const uint8_t *body, size_t len, struct bgp_open *o, struct bgp_notify *n);
/* Added: the peer's ASN, the AS4 capability's when present (RFC 6793 4.1). */
uint32_t bgp_open_peer_as(const struct bgp_open *o);
/*
 * Added: the ADD-PATH mode of each family (RFC 7911 4) from what we announced (local)
 * and what the peer did: we send path ids when we announced send and the peer receive
 * (opts->addpath_tx), and expect them when we announced receive and the peer send
 * (opts->addpath_rx).
 */
void bgp_addpath_negotiate(const struct bgp_caps *local, const struct bgp_caps *peer,
                           struct bgp_codec_opts *opts);

int bgp_keepalive_encode(struct wbuf *w);

int bgp_notify_encode(struct wbuf *w, const struct bgp_notify *n);
/* 0, or -EBADMSG when shorter than 2 bytes. Data past BGP_NOTIFY_DATA_MAX is dropped. */
int bgp_notify_decode(const uint8_t *body, size_t len, struct bgp_notify *n);
/* Fills a Cease with an RFC 8203/9003 shutdown communication (UTF-8, at most 255 bytes). */
void bgp_notify_shutdown(struct bgp_notify *n, uint8_t subcode, const char *text);
/*
 * The shutdown communication of a received Cease, copied into buf (NUL-terminated, cut at
 * a character boundary to fit), or NULL when there is none, its length is wrong or it is
 * not valid UTF-8 (RFC 9003 3).
 */
const char *bgp_notify_shutdown_text(const struct bgp_notify *n, char *buf, size_t size);

int bgp_rr_encode(struct wbuf *w, uint16_t afi, uint8_t subtype, uint8_t safi);
/*
 * 0 with the fields, or -EBADMSG with 7/1 and the whole message as data when the body is
 * shorter than 4 bytes or a BoRR/EoRR is not exactly 4 (RFC 7313 5). The caller ignores
 * subtypes other than 0-2 and AFI/SAFI it did not negotiate (RFC 7313 5, RFC 2918 4).
 */
int bgp_rr_decode(const uint8_t *body, size_t len, uint16_t *afi, uint8_t *subtype, uint8_t *safi,
                  struct bgp_notify *n);

/*
 * Decodes an UPDATE body. Returns 0 with u->action telling what to do (never -1 for a
 * peer's fault: a malformed message is an action, not an error); -ENOMEM on allocation
 * failure. The caller frees u->attrs (bgp_attrs_free) unless it interns them.
 *
 * u->attrs is set only when the message announces NLRI (IPv4 or MP_REACH_NLRI) and the
 * action is OK or ATTR_DISCARD; with TREAT_AS_WITHDRAW the NLRI blocks are still set, for
 * the caller to withdraw them. u->reason names the first problem of the harshest action.
 * Session resets: withdrawn/attribute lengths past the message, a repeated MP_* attribute,
 * an attribute overrun when the NLRI cannot all be located 3/1; unrecognised well-known
 * attribute 3/2 (data: the attribute); wrong flags on MP_* 3/4; malformed MP_REACH/
 * MP_UNREACH or their NLRI 3/9 (RFC 4760 7); malformed IPv4 NLRI or withdrawn routes 3/10.
 * Everything else follows RFC 7606 7 (see msg_attr.c for the table). AS paths of a
 * 2-octet session (!opts->as4) are widened and merged with AS4_PATH (RFC 6793 4.2.3).
 */
int bgp_update_decode(const uint8_t *body, size_t len, const struct bgp_codec_opts *opts,
                      struct bgp_update *u);

/*
 * Walks NLRI: returns 1 with the next prefix (and path id when addpath; path_id may be
 * NULL), 0 at the end, -EBADMSG when malformed (length past 32/128, truncated). Host bits
 * past the prefix length are cleared.
 */
int bgp_nlri_next(struct rbuf *r, enum bgp_aid aid, bool addpath, struct rh_prefix *p,
                  uint32_t *path_id);

/*
 * UPDATE encoding, packing as many prefixes as fit in one message for one attribute set.
 * Begin with the attributes (or with none, for withdrawals only), add prefixes until
 * bgp_upd_add() returns -ENOSPC, then finish. IPv4 uses the classic NLRI and withdrawn
 * fields; IPv6 uses MP_REACH/MP_UNREACH.
 */
struct bgp_upd_writer {
	struct wbuf w;
	enum bgp_aid aid;
	bool withdraw;
	bool addpath;
	bool as4;
	size_t attr_len_off, mp_len_off, withdrawn_len_off;
	unsigned count;
	/*
	 * Added: for IPv6 the attributes after MP_REACH_NLRI (RFC 7606 5.1 puts it first)
	 * wait at the end of the buffer while prefixes are added, and move down at finish.
	 */
	size_t tail_len;
	size_t full_cap;
};

/*
 * The message is limited to min(cap, opts->max_msg). Attributes follow opts: 2-octet
 * AS_PATH/AGGREGATOR with AS4_PATH/AS4_AGGREGATOR when !as4 (RFC 6793 4.2.2); LOCAL_PREF,
 * ORIGINATOR_ID and CLUSTER_LIST left out when ebgp; path ids when addpath_tx[aid]. IPv4
 * needs an IPv4 attrs->next_hop, IPv6 an IPv6 one (plus next_hop_ll when set). attrs is
 * ignored for withdrawals and may be NULL. 0, -EINVAL, or -ENOSPC (attributes too big).
 */
int bgp_upd_begin(struct bgp_upd_writer *uw, uint8_t *buf, size_t cap, enum bgp_aid aid,
                  bool withdraw, const struct bgp_attrs *attrs, const struct bgp_codec_opts *opts);
/* 0; -ENOSPC when the prefix does not fit (nothing written); -EINVAL for a bad prefix. */
int bgp_upd_add(struct bgp_upd_writer *uw, const struct rh_prefix *p, uint32_t path_id);
/* Fills in the lengths; returns the message length (header included), 0 on failure. */
size_t bgp_upd_finish(struct bgp_upd_writer *uw);
/* End-of-RIB for a family. */
int bgp_eor_encode(struct wbuf *w, enum bgp_aid aid);

#endif
