/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interned path attribute sets. A million routes share a few thousand sets: each set is
 * stored once in a chained hash table and reference-counted (OpenBGPD rde_attr.c, BIRD's
 * attribute cache). The table doubles when its load passes 1 so that lookups stay O(1).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attr.h"
#include "bgp.h"

struct intern_entry {
	struct bgp_attrs *attrs;
	struct intern_entry *next;
};

static struct {
	struct intern_entry **buckets;
	size_t n_buckets; /* a power of two */
	size_t count;
	struct bgp_attrs **by_id; /* [0] NULL */
	uint32_t n_ids, cap_ids;
	uint32_t *free_ids; /* ids of sets gone, reused first */
	uint32_t n_free;
} interned;

/* Numbers a newly interned set. 0 or -ENOMEM. */
static int intern_id(struct bgp_attrs *a)
{
	if (interned.n_free > 0) {
		a->id = interned.free_ids[--interned.n_free];
		interned.by_id[a->id] = a;
		return 0;
	}
	if (interned.n_ids == 0)
		interned.n_ids = 1;
	if (interned.n_ids >= interned.cap_ids) {
		uint32_t cap = interned.cap_ids != 0 ? 2 * interned.cap_ids : 1024;
		struct bgp_attrs **v;
		uint32_t *f;

		if (cap <= interned.cap_ids)
			return -ENOMEM;
		v = realloc(interned.by_id, cap * sizeof(*v));
		if (v == NULL)
			return -ENOMEM;
		interned.by_id = v;
		f = realloc(interned.free_ids, cap * sizeof(*f));
		if (f == NULL)
			return -ENOMEM;
		interned.free_ids = f;
		interned.cap_ids = cap;
	}
	a->id = interned.n_ids++;
	interned.by_id[a->id] = a;
	return 0;
}

const struct bgp_attrs *bgp_attrs_by_id(uint32_t id)
{
	return id != 0 ? interned.by_id[id] : NULL;
}

struct bgp_attrs *bgp_attrs_new(void)
{
	struct bgp_attrs *a = calloc(1, sizeof(*a));

	if (a == NULL)
		errno = ENOMEM;
	return a;
}

static void *dup_mem(const void *src, size_t n, bool *failed)
{
	void *p;

	if (src == NULL || n == 0)
		return NULL;
	p = malloc(n);
	if (p == NULL) {
		*failed = true;
		return NULL;
	}
	memcpy(p, src, n);
	return p;
}

struct bgp_attrs *bgp_attrs_dup(const struct bgp_attrs *a)
{
	struct bgp_attrs *d = bgp_attrs_new();
	bool failed = false;

	if (d == NULL)
		return NULL;
	*d = *a;
	d->refcnt = 0;
	d->hash = 0;
	d->id = 0;
	d->aspath = dup_mem(a->aspath, a->aspath_len, &failed);
	d->comm = dup_mem(a->comm, a->n_comm * sizeof(*a->comm), &failed);
	d->lcomm = dup_mem(a->lcomm, a->n_lcomm * sizeof(*a->lcomm), &failed);
	d->ecomm = dup_mem(a->ecomm, a->n_ecomm * sizeof(*a->ecomm), &failed);
	d->cluster = dup_mem(a->cluster, a->n_cluster * sizeof(*a->cluster), &failed);
	d->unknown = dup_mem(a->unknown, a->unknown_len, &failed);
	if (failed) {
		bgp_attrs_free(d);
		errno = ENOMEM;
		return NULL;
	}
	return d;
}

void bgp_attrs_free(struct bgp_attrs *a)
{
	if (a == NULL)
		return;
	free(a->aspath);
	free(a->comm);
	free(a->lcomm);
	free(a->ecomm);
	free(a->cluster);
	free(a->unknown);
	free(a);
}

/* FNV-1a over the fields that make two sets equal. */
static uint32_t fnv(uint32_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 16777619u;
	}
	return h;
}

static uint32_t attrs_hash(const struct bgp_attrs *a)
{
	uint32_t h = 2166136261u;

	h = fnv(h, &a->flags, sizeof(a->flags));
	h = fnv(h, &a->origin, sizeof(a->origin));
	h = fnv(h, &a->med, sizeof(a->med));
	h = fnv(h, &a->local_pref, sizeof(a->local_pref));
	h = fnv(h, &a->next_hop, sizeof(a->next_hop));
	h = fnv(h, &a->next_hop_ll, sizeof(a->next_hop_ll));
	h = fnv(h, a->aspath, a->aspath_len);
	h = fnv(h, a->comm, a->n_comm * sizeof(*a->comm));
	h = fnv(h, a->lcomm, a->n_lcomm * sizeof(*a->lcomm));
	h = fnv(h, a->ecomm, a->n_ecomm * sizeof(*a->ecomm));
	return h;
}

static bool mem_equal(const void *a, const void *b, size_t n)
{
	return n == 0 || memcmp(a, b, n) == 0;
}

bool bgp_attrs_equal(const struct bgp_attrs *a, const struct bgp_attrs *b)
{
	return a->flags == b->flags && a->origin == b->origin && a->med == b->med &&
	       a->local_pref == b->local_pref && rh_addr_equal(&a->next_hop, &b->next_hop) &&
	       rh_addr_equal(&a->next_hop_ll, &b->next_hop_ll) &&
	       a->aggregator_as == b->aggregator_as && a->aggregator_id == b->aggregator_id &&
	       a->originator_id == b->originator_id && a->aspath_len == b->aspath_len &&
	       a->n_comm == b->n_comm && a->n_lcomm == b->n_lcomm && a->n_ecomm == b->n_ecomm &&
	       a->n_cluster == b->n_cluster && a->unknown_len == b->unknown_len &&
	       mem_equal(a->aspath, b->aspath, a->aspath_len) &&
	       mem_equal(a->comm, b->comm, a->n_comm * sizeof(*a->comm)) &&
	       mem_equal(a->lcomm, b->lcomm, a->n_lcomm * sizeof(*a->lcomm)) &&
	       mem_equal(a->ecomm, b->ecomm, a->n_ecomm * sizeof(*a->ecomm)) &&
	       mem_equal(a->cluster, b->cluster, a->n_cluster * sizeof(*a->cluster)) &&
	       mem_equal(a->unknown, b->unknown, a->unknown_len);
}

static int intern_grow(void)
{
	size_t n = interned.n_buckets != 0 ? interned.n_buckets * 2 : 1024;
	struct intern_entry **b = calloc(n, sizeof(*b));

	if (b == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < interned.n_buckets; i++) {
		struct intern_entry *e = interned.buckets[i], *next;

		for (; e != NULL; e = next) {
			next = e->next;
			e->next = b[e->attrs->hash & (n - 1)];
			b[e->attrs->hash & (n - 1)] = e;
		}
	}
	free(interned.buckets);
	interned.buckets = b;
	interned.n_buckets = n;
	return 0;
}

const struct bgp_attrs *bgp_attrs_intern(struct bgp_attrs *a)
{
	struct intern_entry *e;
	uint32_t h;

	if (interned.count >= interned.n_buckets && intern_grow() < 0 && interned.n_buckets == 0) {
		bgp_attrs_free(a);
		errno = ENOMEM;
		return NULL;
	}
	h = attrs_hash(a);
	for (e = interned.buckets[h & (interned.n_buckets - 1)]; e != NULL; e = e->next)
		if (e->attrs->hash == h && bgp_attrs_equal(e->attrs, a)) {
			e->attrs->refcnt++;
			bgp_attrs_free(a);
			return e->attrs;
		}
	e = malloc(sizeof(*e));
	if (e == NULL || intern_id(a) < 0) {
		free(e);
		bgp_attrs_free(a);
		errno = ENOMEM;
		return NULL;
	}
	a->hash = h;
	a->refcnt = 1;
	e->attrs = a;
	e->next = interned.buckets[h & (interned.n_buckets - 1)];
	interned.buckets[h & (interned.n_buckets - 1)] = e;
	interned.count++;
	return a;
}

const struct bgp_attrs *bgp_attrs_ref(const struct bgp_attrs *a)
{
	/* Interned sets are shared and immutable but for their count. */
	((struct bgp_attrs *)a)->refcnt++;
	return a;
}

void bgp_attrs_unref(const struct bgp_attrs *ca)
{
	struct bgp_attrs *a = (struct bgp_attrs *)ca;
	struct intern_entry **pp;

	if (a == NULL || --a->refcnt > 0)
		return;
	for (pp = &interned.buckets[a->hash & (interned.n_buckets - 1)]; *pp != NULL;
	     pp = &(*pp)->next)
		if ((*pp)->attrs == a) {
			struct intern_entry *e = *pp;

			*pp = e->next;
			free(e);
			interned.count--;
			interned.by_id[a->id] = NULL;
			interned.free_ids[interned.n_free++] = a->id; /* one slot per id given */
			break;
		}
	bgp_attrs_free(a);
}

size_t bgp_attrs_interned_count(void)
{
	return interned.count;
}

/* ------------------------------------------------------------------ AS path */

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/*
 * Walks the segments; stops at a truncated one (the decoder never interns such a path,
 * so this only guards against misuse).
 */
#define FOR_EACH_SEGMENT(a, off, type, count)                                                      \
	for (size_t off = 0, type, count;                                                          \
	     off + 2 <= (a)->aspath_len && (type = (a)->aspath[off], count = (a)->aspath[off + 1], \
	                                   off + 2 + count * 4 <= (a)->aspath_len);                \
	     off += 2 + count * 4)

unsigned bgp_aspath_length(const struct bgp_attrs *a)
{
	unsigned len = 0;

	/* RFC 4271 9.1.2.2 a: an AS_SET counts as one; RFC 5065 5.3: confederation
	 * segments do not count. */
	FOR_EACH_SEGMENT(a, off, type, count)
	{
		if (type == BGP_AS_SEQUENCE)
			len += (unsigned)count;
		else if (type == BGP_AS_SET)
			len += 1;
	}
	return len;
}

bool bgp_aspath_contains(const struct bgp_attrs *a, uint32_t asn)
{
	FOR_EACH_SEGMENT(a, off, type, count)
	{
		(void)type;
		for (size_t i = 0; i < count; i++)
			if (get_u32(a->aspath + off + 2 + 4 * i) == asn)
				return true;
	}
	return false;
}

uint32_t bgp_aspath_first_as(const struct bgp_attrs *a)
{
	FOR_EACH_SEGMENT(a, off, type, count)
	{
		if (type == BGP_AS_SEQUENCE && count > 0)
			return get_u32(a->aspath + off + 2);
		return 0;
	}
	return 0;
}

int bgp_aspath_prepend(struct bgp_attrs *a, uint32_t asn, unsigned n)
{
	while (n > 0) {
		/* Extend the leading AS_SEQUENCE while it has room (255 ASNs a segment). */
		bool extend =
		        a->aspath_len >= 2 && a->aspath[0] == BGP_AS_SEQUENCE && a->aspath[1] < 255;
		unsigned take = extend ? 255u - a->aspath[1] : 255u;
		size_t add, hdr = extend ? 0 : 2;
		uint8_t *p;

		if (take > n)
			take = n;
		add = hdr + (size_t)take * 4;
		if (a->aspath_len + add > UINT16_MAX)
			return -E2BIG;
		p = malloc(a->aspath_len + add);
		if (p == NULL)
			return -ENOMEM;
		if (extend) {
			p[0] = BGP_AS_SEQUENCE;
			p[1] = (uint8_t)(a->aspath[1] + take);
			for (unsigned i = 0; i < take; i++)
				put_u32(p + 2 + 4 * i, asn);
			memcpy(p + 2 + 4 * take, a->aspath + 2, a->aspath_len - 2u);
		} else {
			p[0] = BGP_AS_SEQUENCE;
			p[1] = (uint8_t)take;
			for (unsigned i = 0; i < take; i++)
				put_u32(p + 2 + 4 * i, asn);
			if (a->aspath_len > 0)
				memcpy(p + hdr + 4 * take, a->aspath, a->aspath_len);
		}
		free(a->aspath);
		a->aspath = p;
		a->aspath_len = (uint16_t)(a->aspath_len + add);
		n -= take;
	}
	return 0;
}

static bool asn_is_private(uint32_t asn)
{
	/* RFC 6996 */
	return (asn >= 64512 && asn <= 65534) || (asn >= 4200000000u && asn <= 4294967294u);
}

int bgp_aspath_remove_private(struct bgp_attrs *a)
{
	size_t out = 0;
	uint8_t *p;

	if (a->aspath_len == 0)
		return 0;
	p = malloc(a->aspath_len);
	if (p == NULL)
		return -ENOMEM;
	FOR_EACH_SEGMENT(a, off, type, count)
	{
		size_t seg = out, kept = 0;

		out += 2;
		for (size_t i = 0; i < count; i++) {
			uint32_t asn = get_u32(a->aspath + off + 2 + 4 * i);

			if (asn_is_private(asn))
				continue;
			put_u32(p + out, asn);
			out += 4;
			kept++;
		}
		if (kept == 0) {
			out = seg; /* a segment left empty goes */
			continue;
		}
		p[seg] = (uint8_t)type;
		p[seg + 1] = (uint8_t)kept;
	}
	free(a->aspath);
	a->aspath = out > 0 ? p : NULL;
	if (out == 0)
		free(p);
	a->aspath_len = (uint16_t)out;
	return 0;
}

const char *bgp_aspath_fmt(const struct bgp_attrs *a, char *buf, size_t size)
{
	size_t n = 0;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	FOR_EACH_SEGMENT(a, off, type, count)
	{
		bool set = type == BGP_AS_SET || type == BGP_AS_CONFED_SET;
		bool confed = type == BGP_AS_CONFED_SEQUENCE || type == BGP_AS_CONFED_SET;

		if (n > 0 && n < size)
			n += (size_t)snprintf(buf + n, size - n, " ");
		if (n < size && (set || confed))
			n += (size_t)snprintf(buf + n, size - n, "%s", set ? "{" : "(");
		for (size_t i = 0; i < count && n < size; i++)
			n += (size_t)snprintf(buf + n, size - n, "%s%u",
			                      i > 0 ? (set ? "," : " ") : "",
			                      get_u32(a->aspath + off + 2 + 4 * i));
		if (n < size && (set || confed))
			n += (size_t)snprintf(buf + n, size - n, "%s", set ? "}" : ")");
	}
	return buf;
}

bool bgp_attrs_has_community(const struct bgp_attrs *a, uint32_t comm)
{
	for (unsigned i = 0; i < a->n_comm; i++)
		if (a->comm[i] == comm)
			return true;
	return false;
}
