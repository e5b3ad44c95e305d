/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Path attributes: the decoded set, interned and reference-counted so that routes sharing
 * attributes share one copy (OpenBGPD rde_attr.c, BIRD's attribute cache).
 *
 * An interned set is immutable. To change one (prepend an ASN, set a next hop), copy it
 * with bgp_attrs_dup(), change the copy, and intern the copy; then unref the old one.
 *
 * AS paths are kept in 4-octet form (RFC 6793) whatever the peer spoke: segments of
 * type (1 byte), count (1 byte), count x 4-byte ASNs, as on the wire between AS4 peers.
 */
#ifndef ROUTEHUB_BGP_ATTR_H
#define ROUTEHUB_BGP_ATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "routehub/prefix.h"

#define BGP_ATTRS_MED         0x0001
#define BGP_ATTRS_LOCAL_PREF  0x0002
#define BGP_ATTRS_ATOMIC_AGGR 0x0004
#define BGP_ATTRS_AGGREGATOR  0x0008
#define BGP_ATTRS_ORIGINATOR  0x0010
#define BGP_ATTRS_NEXT_HOP    0x0020 /* NEXT_HOP attribute or MP_REACH next hop present */

struct bgp_attrs {
	uint32_t refcnt; /* 0 while not interned */
	uint32_t hash;   /* set by bgp_attrs_intern() */
	uint32_t id;     /* interned: bgp_attrs_by_id(id) == this set; never 0 */
	uint16_t flags;  /* BGP_ATTRS_* */
	uint8_t origin;  /* BGP_ORIGIN_* */
	uint8_t pad;
	uint32_t med;
	uint32_t local_pref;
	struct rh_addr next_hop;    /* NEXT_HOP, or the MP_REACH global next hop */
	struct rh_addr next_hop_ll; /* IPv6 link-local next hop, family 0 when absent */
	uint32_t aggregator_as;
	uint32_t aggregator_id; /* network order */
	uint32_t originator_id; /* network order */

	uint16_t aspath_len; /* bytes in aspath */
	uint16_t n_comm;
	uint16_t n_lcomm;
	uint16_t n_ecomm;
	uint16_t n_cluster;
	uint16_t unknown_len; /* bytes in unknown */
	uint8_t *aspath;      /* 4-octet segments */
	uint32_t *comm;       /* host order, sorted is not required */
	uint32_t (*lcomm)[3]; /* host order */
	uint8_t (*ecomm)[8];  /* wire order */
	uint32_t *cluster;    /* network order */
	uint8_t *unknown; /* unknown optional transitive attributes, wire TLVs, partial bit set */
};

/* Allocates an empty, not interned set (refcnt 0). NULL and errno on failure. */
struct bgp_attrs *bgp_attrs_new(void);
/* A deep, not interned copy of a. */
struct bgp_attrs *bgp_attrs_dup(const struct bgp_attrs *a);
/* Frees a set that was never interned. */
void bgp_attrs_free(struct bgp_attrs *a);

/*
 * Interns a: returns the one shared copy equal to a with its reference count raised,
 * and frees a (which must not be interned). NULL and errno on failure (a is freed).
 */
const struct bgp_attrs *bgp_attrs_intern(struct bgp_attrs *a);
/* Takes another reference. */
const struct bgp_attrs *bgp_attrs_ref(const struct bgp_attrs *a);
/* Drops a reference; the last one frees the set. NULL is ignored. */
void bgp_attrs_unref(const struct bgp_attrs *a);
/*
 * Interned sets are numbered (small, dense, reused after the set goes), so that per-prefix
 * state can name one in 4 bytes rather than a pointer's 8. 0 stands for NULL.
 */
static inline uint32_t bgp_attrs_id(const struct bgp_attrs *a)
{
	return a != NULL ? a->id : 0;
}
const struct bgp_attrs *bgp_attrs_by_id(uint32_t id);
/* Number of distinct interned sets (for tests and stats). */
size_t bgp_attrs_interned_count(void);
bool bgp_attrs_equal(const struct bgp_attrs *a, const struct bgp_attrs *b);

/* AS path helpers (all on the 4-octet form). */
/* Length for the decision process (RFC 4271 9.1.2.2 a): an AS_SET counts as 1. */
unsigned bgp_aspath_length(const struct bgp_attrs *a);
bool bgp_aspath_contains(const struct bgp_attrs *a, uint32_t asn);
/* The leftmost ASN of the first AS_SEQUENCE (the neighbour AS), 0 if none. */
uint32_t bgp_aspath_first_as(const struct bgp_attrs *a);
/* Prepends asn n times to the (not interned) set a. 0 or -errno. */
int bgp_aspath_prepend(struct bgp_attrs *a, uint32_t asn, unsigned n);
/* Removes every private ASN (64512-65534, 4200000000-4294967294) from the (not interned) set. */
int bgp_aspath_remove_private(struct bgp_attrs *a);
/* "65001 65002 {65003,65004}" into buf; returns buf. */
const char *bgp_aspath_fmt(const struct bgp_attrs *a, char *buf, size_t size);

bool bgp_attrs_has_community(const struct bgp_attrs *a, uint32_t comm);

#endif
