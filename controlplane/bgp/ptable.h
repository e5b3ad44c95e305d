/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Building blocks of the RIBs: a hash table of prefixes and a fixed-size object pool.
 *
 * The prefix table is chained and intrusive: the caller embeds a struct bgp_pnode in its
 * own entry (the Loc-RIB entry, an Adj-RIB-Out entry) and gets the entry back with
 * container_of. It resizes incrementally (as Redis' dict does): when the load passes 1 a
 * table twice the size is allocated and every insert or remove moves a few buckets, so
 * that no single update pays for rehashing a million prefixes.
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
	struct bgp_pnode *next; /* chain */
	uint32_t hash;          /* bgp_prefix_hash(&prefix) */
	struct rh_prefix prefix;
};

struct bgp_ptable {
	struct bgp_pnode **b[2]; /* b[0]: the table; b[1]: the bigger or smaller one being filled */
	size_t n[2];             /* bucket counts, powers of two; n[1] = 0 when not resizing */
	size_t moved;            /* buckets of b[0] below this index have been moved to b[1] */
	size_t count;            /* nodes */
	unsigned walking;        /* walks in progress: resizing pauses */
};

/* Hash of a normalised prefix (family, length, bytes). */
uint32_t bgp_prefix_hash(const struct rh_prefix *p);

/* An empty table (allocates nothing until the first insert). */
void bgp_ptable_init(struct bgp_ptable *t);
/* Frees the buckets; the nodes belong to the caller. */
void bgp_ptable_fini(struct bgp_ptable *t);
/* The node holding p (hash = bgp_prefix_hash(p)), or NULL. */
struct bgp_pnode *bgp_ptable_lookup(struct bgp_ptable *t, const struct rh_prefix *p, uint32_t hash);
/*
 * Inserts n, whose prefix and hash the caller set and which must not be in the table yet.
 * 0, or -ENOMEM when the very first buckets cannot be allocated (a failed resize only
 * leaves longer chains).
 */
int bgp_ptable_insert(struct bgp_ptable *t, struct bgp_pnode *n);
/* Removes n, which must be in the table. */
void bgp_ptable_remove(struct bgp_ptable *t, struct bgp_pnode *n);
/*
 * Calls cb on every node in no particular order; a non-zero return stops the walk and is
 * returned. cb may remove the node it is given (and no other) but not insert.
 */
int bgp_ptable_walk(struct bgp_ptable *t, int (*cb)(struct bgp_pnode *n, void *arg), void *arg);
/* Bytes held by the bucket arrays. */
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

#endif
