/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Building blocks of the RIBs: a hash table of prefixes and a fixed-size object pool.
 *
 * The prefix table is intrusive: the caller embeds a struct bgp_pnode in its own entry
 * (the Loc-RIB entry, an Adj-RIB-Out entry) and gets the entry back with container_of.
 * It is open-addressed with linear probing, and each slot keeps the node's hash next to
 * its pointer, so that a probe touches a node only when the hashes match and a resize
 * never touches the nodes: on a table of a million prefixes, where every access to a node
 * is a cache miss, that is most of the cost of an update. Removal leaves a tombstone.
 *
 * Resizing: when the table passes 3/4 full, a new one sized for twice the live nodes (any
 * size: the home slot is the hash scaled, not masked) is allocated and every node moved at
 * once (never during a walk: resizing waits for the walk to end). It used to move a few
 * slots per update (as Redis' dict does, with lookups in both tables meanwhile), but
 * measured at a million prefixes that cost more than it saved: every lookup of a new
 * prefix missed the cache in both tables for the whole resize (device CPU 0.97 -> 0.65 s
 * in bgp.sh), against one pause of tens of milliseconds per growth at that size.
 *
 * The pool hands out objects of one size from 64 KiB chunks: no per-object malloc header
 * and no malloc call on the per-route path. Chunks go back to the system when the pool is
 * finalised. Under AddressSanitizer every object is a separate malloc so that misuse and
 * leaks are still caught.
 */
#ifndef ROUTEHUB_BGP_PTABLE_H
#define ROUTEHUB_BGP_PTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "routehub/prefix.h"

#ifndef container_of
#define container_of(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))
#endif

struct bgp_pnode {
	uint32_t hash; /* bgp_prefix_hash(&prefix) */
	struct rh_prefix prefix;
};

/*
 * Packed: 12 bytes rather than 16 with the padding, a quarter of every table's slot
 * memory (x86-64 and arm64 load unaligned words at no cost; a slot may straddle two
 * cache lines, which the probes' sequential reads do not mind).
 */
struct bgp_pslot {
	struct bgp_pnode *node; /* NULL: empty; else a node or the tombstone */
	uint32_t hash;
} __attribute__((packed));

/*
 * The slot of an indexed table (bgp_ptable_init_indexed()): the node named by its ipool
 * index + 1 (0 empty, UINT32_MAX a tombstone), 8 bytes instead of 12: at a million
 * prefixes, 6 to 8 MB less, and a third less to allocate and move at each resize (when
 * both arrays are held at once).
 */
struct bgp_islot {
	uint32_t ref;
	uint32_t hash;
};

struct bgp_ipool;

struct bgp_ptable {
	void *s[2]; /* s[0]: the table; s[1]: the one being filled while resizing */
	size_t ssz; /* slot size: struct bgp_pslot, or struct bgp_islot when indexed */
	const struct bgp_ipool *pool; /* indexed: the nodes' pool, else NULL */
	size_t node_off;              /* indexed: offset of the node in its pool object */
	size_t n[2];                  /* slot counts; n[1] = 0 when not resizing */
	size_t used[2];               /* slots not empty: nodes and tombstones */
	size_t moved;                 /* slots of s[0] below this index have been moved to s[1] */
	size_t count;                 /* nodes */
	unsigned walking;             /* walks in progress: resizing pauses */
	uint32_t mul;                 /* odd, this table's own: see home() in ptable.c */
};

/* Hash of a normalised prefix (family, length, bytes). */
uint32_t bgp_prefix_hash(const struct rh_prefix *p);

/* An empty table (allocates nothing until the first insert). */
void bgp_ptable_init(struct bgp_ptable *t);
/* An empty table whose nodes all live in objects of pool, at node_off in them. */
void bgp_ptable_init_indexed(struct bgp_ptable *t, const struct bgp_ipool *pool, size_t node_off);
/* Frees the slots; the nodes belong to the caller. */
void bgp_ptable_fini(struct bgp_ptable *t);
/* The node holding p (hash = bgp_prefix_hash(p)), or NULL. */
struct bgp_pnode *bgp_ptable_lookup(struct bgp_ptable *t, const struct rh_prefix *p, uint32_t hash);
/*
 * Bulk updates overlap their cache misses in two stages: bgp_ptable_prefetch() starts
 * fetching the slot where hash lives, a few prefixes ahead; bgp_ptable_prefetch_node(),
 * nearer, reads that slot (by then in cache) and starts fetching the node it points to.
 */
void bgp_ptable_prefetch(const struct bgp_ptable *t, uint32_t hash);
void bgp_ptable_prefetch_node(const struct bgp_ptable *t, uint32_t hash);
/*
 * Inserts n, whose prefix and hash the caller set and which must not be in the table yet,
 * and not during a walk. 0, or -ENOMEM when the table is full and cannot grow.
 */
int bgp_ptable_insert(struct bgp_ptable *t, struct bgp_pnode *n);
/* Removes n, which must be in the table. */
void bgp_ptable_remove(struct bgp_ptable *t, struct bgp_pnode *n);
/*
 * Calls cb on every node in no particular order; a non-zero return stops the walk and is
 * returned. cb may remove the node it is given (and no other) but not insert.
 */
int bgp_ptable_walk(struct bgp_ptable *t, int (*cb)(struct bgp_pnode *n, void *arg), void *arg);
/* Bytes held by the slot arrays. */
size_t bgp_ptable_memory(const struct bgp_ptable *t);

struct bgp_pool {
	size_t size;     /* object size, rounded up to a pointer */
	void *free_list; /* free objects, linked through their first word */
	void *chunks;    /* chunks, linked through their first word */
	size_t n_chunks;
	size_t in_use;
};

void bgp_pool_init(struct bgp_pool *p, size_t size);
/* Frees every chunk. Every object must have been put back. */
void bgp_pool_fini(struct bgp_pool *p);
/* An uninitialised object, or NULL with errno = ENOMEM. */
void *bgp_pool_get(struct bgp_pool *p);
void bgp_pool_put(struct bgp_pool *p, void *obj);
/* Bytes held from the system. */
size_t bgp_pool_memory(const struct bgp_pool *p);

/*
 * A pool that numbers its objects: each has a 32-bit index, stable for its lifetime, that
 * bgp_ipool_index() computes from the object's address and bgp_ipool_at() maps back.
 * Other layers keep per-object state in extension arrays (below) indexed by it, instead
 * of a table of their own keyed by the prefix: on a million prefixes that is a few bytes
 * a prefix instead of a node, a copy of the prefix and a hash slot. The index is not
 * stored in the object: chunks are BGP_IPOOL_ALIGN bytes, aligned on their size, and
 * start with a header giving their number (4 bytes less in each RIB entry made it 32
 * bytes instead of 40). Freed objects are reused first (linked through their first 4
 * bytes), so that indices stay dense.
 */
#define BGP_IPOOL_ALIGN (64u << 10)
#define BGP_IPOOL_HDR   64u

struct bgp_ipool_hdr {
	uint32_t chunk;     /* its number in the pool */
	uint32_t size;      /* object size */
	uint32_t per_chunk; /* objects in a chunk */
};

struct bgp_ipool {
	size_t size;        /* object size, at least 4 */
	uint32_t per_chunk; /* (BGP_IPOOL_ALIGN - BGP_IPOOL_HDR) / size */
	uint8_t **chunks;
	uint32_t n_chunks; /* allocated */
	uint32_t cap_chunks;
	uint32_t next;      /* never-used index after the last one handed out */
	uint32_t free_head; /* index + 1 of the first free object, 0: none */
	size_t in_use;
};

void bgp_ipool_init(struct bgp_ipool *p, size_t size);
void bgp_ipool_fini(struct bgp_ipool *p);
/* An uninitialised object and its index, or NULL with errno = ENOMEM. */
void *bgp_ipool_get(struct bgp_ipool *p, uint32_t *idx);
void bgp_ipool_put(struct bgp_ipool *p, uint32_t idx);
static inline void *bgp_ipool_at(const struct bgp_ipool *p, uint32_t idx)
{
	return p->chunks[idx / p->per_chunk] + BGP_IPOOL_HDR +
	       (size_t)(idx % p->per_chunk) * p->size;
}
/* The index of an object of any ipool. */
static inline uint32_t bgp_ipool_index(const void *obj)
{
	uintptr_t base = (uintptr_t)obj & ~(uintptr_t)(BGP_IPOOL_ALIGN - 1);
	const struct bgp_ipool_hdr *hd = (const struct bgp_ipool_hdr *)base;

	return hd->chunk * hd->per_chunk +
	       (uint32_t)(((uintptr_t)obj - base - BGP_IPOOL_HDR) / hd->size);
}
size_t bgp_ipool_memory(const struct bgp_ipool *p);

/*
 * An extension array: elements of one size indexed by an ipool index, allocated zeroed a
 * chunk (BGP_EXT_CHUNK elements) at a time when first written, so that a layer that
 * never stores anything for a range of indices costs nothing there.
 */
#define BGP_EXT_CHUNK 1024u

struct bgp_ext {
	size_t size;
	uint8_t **chunks;
	uint32_t n_chunks; /* length of chunks[] (entries may be NULL) */
	uint32_t used;     /* chunks allocated */
};

void bgp_ext_init(struct bgp_ext *x, size_t size);
void bgp_ext_fini(struct bgp_ext *x);
/* The element at idx, NULL when its chunk was never written (the element is zero). */
static inline void *bgp_ext_peek(const struct bgp_ext *x, uint32_t idx)
{
	uint32_t c = idx / BGP_EXT_CHUNK;

	if (c >= x->n_chunks || x->chunks[c] == NULL)
		return NULL;
	return x->chunks[c] + (size_t)(idx % BGP_EXT_CHUNK) * x->size;
}
void *bgp_ext_grow(struct bgp_ext *x, uint32_t idx);
/* The element at idx, its chunk allocated if needed; NULL and errno = ENOMEM. */
static inline void *bgp_ext_at(struct bgp_ext *x, uint32_t idx)
{
	void *e = bgp_ext_peek(x, idx);

	return e != NULL ? e : bgp_ext_grow(x, idx);
}
/* Frees chunk c (its elements read as zero again). */
void bgp_ext_drop(struct bgp_ext *x, uint32_t c);
size_t bgp_ext_memory(const struct bgp_ext *x);

#endif
