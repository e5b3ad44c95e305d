/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prefix hash table with incremental resize, and a fixed-size object pool (see ptable.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ptable.h"

#if defined(__SANITIZE_ADDRESS__)
#define POOL_USE_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_USE_MALLOC 1
#endif
#endif

#define PTABLE_MIN_BUCKETS 64
#define PTABLE_STEP        2  /* buckets moved per insert or remove while resizing */
#define PTABLE_EMPTY_VISIT 16 /* empty buckets skipped per step, at most */
#define POOL_CHUNK         65536

static uint64_t mix64(uint64_t x)
{
	/* MurmurHash3's finaliser: every input bit affects every output bit. */
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

uint32_t bgp_prefix_hash(const struct rh_prefix *p)
{
	uint64_t w0, w1, h;

	memcpy(&w0, p->bytes, sizeof(w0));
	h = mix64(w0 ^ ((uint64_t)p->len << 8 | p->family) * 0x9e3779b97f4a7c15ULL);
	if (p->family == RH_AF_INET6) {
		memcpy(&w1, p->bytes + 8, sizeof(w1));
		h = mix64(h ^ w1);
	}
	return (uint32_t)(h ^ h >> 32);
}

void bgp_ptable_init(struct bgp_ptable *t)
{
	memset(t, 0, sizeof(*t));
}

void bgp_ptable_fini(struct bgp_ptable *t)
{
	free(t->b[0]);
	free(t->b[1]);
	memset(t, 0, sizeof(*t));
}

static bool resizing(const struct bgp_ptable *t)
{
	return t->n[1] != 0;
}

/* The chain of b[0] that holds hash h, or NULL when that bucket was already moved. */
static struct bgp_pnode **old_chain(struct bgp_ptable *t, uint32_t h)
{
	size_t i = h & (t->n[0] - 1);

	if (t->n[0] == 0 || (resizing(t) && i < t->moved))
		return NULL;
	return &t->b[0][i];
}

static struct bgp_pnode **new_chain(struct bgp_ptable *t, uint32_t h)
{
	return resizing(t) ? &t->b[1][h & (t->n[1] - 1)] : NULL;
}

static void resize_finish(struct bgp_ptable *t)
{
	free(t->b[0]);
	t->b[0] = t->b[1];
	t->n[0] = t->n[1];
	t->b[1] = NULL;
	t->n[1] = 0;
	t->moved = 0;
}

static void resize_start(struct bgp_ptable *t, size_t n)
{
	struct bgp_pnode **b = calloc(n, sizeof(*b));

	/* Without memory the table keeps its size: chains grow longer, nothing is lost. */
	if (b == NULL)
		return;
	t->b[1] = b;
	t->n[1] = n;
	t->moved = 0;
}

/* Moves up to `steps` non-empty buckets of b[0] into b[1]; 0 steps means all. */
static void resize_step(struct bgp_ptable *t, unsigned steps)
{
	unsigned empty = 0;

	if (!resizing(t) || t->walking > 0)
		return;
	while (t->moved < t->n[0]) {
		struct bgp_pnode *n = t->b[0][t->moved], *next;

		if (n == NULL && steps != 0 && ++empty > PTABLE_EMPTY_VISIT)
			return;
		for (; n != NULL; n = next) {
			struct bgp_pnode **c = &t->b[1][n->hash & (t->n[1] - 1)];

			next = n->next;
			n->next = *c;
			*c = n;
		}
		t->b[0][t->moved++] = NULL;
		if (steps != 0 && --steps == 0)
			break;
	}
	if (t->moved == t->n[0])
		resize_finish(t);
}

struct bgp_pnode *bgp_ptable_lookup(struct bgp_ptable *t, const struct rh_prefix *p, uint32_t hash)
{
	struct bgp_pnode **c[2] = {new_chain(t, hash), old_chain(t, hash)};

	for (unsigned i = 0; i < 2; i++) {
		if (c[i] == NULL)
			continue;
		for (struct bgp_pnode *n = *c[i]; n != NULL; n = n->next)
			if (n->hash == hash && n->prefix.len == p->len &&
			    n->prefix.family == p->family &&
			    memcmp(n->prefix.bytes, p->bytes, sizeof(p->bytes)) == 0)
				return n;
	}
	return NULL;
}

int bgp_ptable_insert(struct bgp_ptable *t, struct bgp_pnode *n)
{
	struct bgp_pnode **c;

	if (t->n[0] == 0) {
		t->b[0] = calloc(PTABLE_MIN_BUCKETS, sizeof(*t->b[0]));
		if (t->b[0] == NULL)
			return -ENOMEM;
		t->n[0] = PTABLE_MIN_BUCKETS;
	}
	if (!resizing(t) && t->walking == 0 && t->count >= t->n[0])
		resize_start(t, t->n[0] * 2);
	else if (resizing(t) && t->walking == 0 && t->count >= 2 * t->n[1])
		resize_step(t, 0); /* a shrink overtaken by inserts: finish it now */
	resize_step(t, PTABLE_STEP);
	c = resizing(t) ? new_chain(t, n->hash) : &t->b[0][n->hash & (t->n[0] - 1)];
	n->next = *c;
	*c = n;
	t->count++;
	return 0;
}

static bool unlink_from(struct bgp_pnode **c, struct bgp_pnode *n)
{
	if (c == NULL)
		return false;
	for (; *c != NULL; c = &(*c)->next)
		if (*c == n) {
			*c = n->next;
			return true;
		}
	return false;
}

void bgp_ptable_remove(struct bgp_ptable *t, struct bgp_pnode *n)
{
	if (!unlink_from(new_chain(t, n->hash), n))
		unlink_from(old_chain(t, n->hash), n);
	n->next = NULL;
	t->count--;
	if (t->walking > 0)
		return;
	if (!resizing(t) && t->n[0] > PTABLE_MIN_BUCKETS && t->count < t->n[0] / 8)
		resize_start(t, t->n[0] / 2);
	resize_step(t, PTABLE_STEP);
}

static int walk_array(struct bgp_pnode **b, size_t n, int (*cb)(struct bgp_pnode *, void *),
                      void *arg)
{
	for (size_t i = 0; i < n; i++) {
		struct bgp_pnode *node = b[i], *next;

		for (; node != NULL; node = next) {
			int rc;

			next = node->next;
			rc = cb(node, arg);
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

int bgp_ptable_walk(struct bgp_ptable *t, int (*cb)(struct bgp_pnode *n, void *arg), void *arg)
{
	int rc;

	t->walking++;
	/* While resizing, the buckets of b[0] below `moved` are empty. */
	rc = walk_array(t->b[0], t->n[0], cb, arg);
	if (rc == 0)
		rc = walk_array(t->b[1], t->n[1], cb, arg);
	t->walking--;
	return rc;
}

size_t bgp_ptable_memory(const struct bgp_ptable *t)
{
	return (t->n[0] + t->n[1]) * sizeof(struct bgp_pnode *);
}

/* ------------------------------------------------------------------ pool */

void bgp_pool_init(struct bgp_pool *p, size_t size)
{
	memset(p, 0, sizeof(*p));
	p->size = (size + sizeof(void *) - 1) & ~(sizeof(void *) - 1);
}

void bgp_pool_fini(struct bgp_pool *p)
{
	void *c = p->chunks, *next;

	for (; c != NULL; c = next) {
		memcpy(&next, c, sizeof(next));
		free(c);
	}
	p->chunks = NULL;
	p->free_list = NULL;
	p->n_chunks = 0;
	p->in_use = 0;
}

#ifdef POOL_USE_MALLOC
void *bgp_pool_get(struct bgp_pool *p)
{
	void *o = malloc(p->size);

	if (o == NULL)
		errno = ENOMEM;
	else
		p->in_use++;
	return o;
}

void bgp_pool_put(struct bgp_pool *p, void *obj)
{
	p->in_use--;
	free(obj);
}

size_t bgp_pool_memory(const struct bgp_pool *p)
{
	return p->in_use * p->size;
}
#else
static int pool_grow(struct bgp_pool *p)
{
	char *c = malloc(POOL_CHUNK);
	size_t n;

	if (c == NULL)
		return -ENOMEM;
	memcpy(c, &p->chunks, sizeof(void *));
	p->chunks = c;
	p->n_chunks++;
	/* The first word links the chunks; objects follow, pointer-aligned. */
	n = (POOL_CHUNK - sizeof(void *)) / p->size;
	for (size_t i = n; i > 0; i--) {
		void *o = c + sizeof(void *) + (i - 1) * p->size;

		memcpy(o, &p->free_list, sizeof(void *));
		p->free_list = o;
	}
	return 0;
}

void *bgp_pool_get(struct bgp_pool *p)
{
	void *o;

	if (p->free_list == NULL && pool_grow(p) < 0) {
		errno = ENOMEM;
		return NULL;
	}
	o = p->free_list;
	memcpy(&p->free_list, o, sizeof(void *));
	p->in_use++;
	return o;
}

void bgp_pool_put(struct bgp_pool *p, void *obj)
{
	memcpy(obj, &p->free_list, sizeof(void *));
	p->free_list = obj;
	p->in_use--;
}

size_t bgp_pool_memory(const struct bgp_pool *p)
{
	return p->n_chunks * POOL_CHUNK;
}
#endif
