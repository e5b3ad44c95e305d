/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bounds-checked readers and writers for wire data (after OpenBGPD's ibuf_get_*).
 * A reader never reads past its end: a short read returns -EBADMSG, sets r->err and
 * leaves the output zeroed, so a parser can check once at the end or at each step.
 * Numbers on the wire are big-endian.
 */
#ifndef ROUTEHUB_BGP_WIRE_H
#define ROUTEHUB_BGP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rbuf {
	const uint8_t *p;
	size_t len; /* bytes in p */
	size_t off; /* next byte to read */
	bool err;   /* a read went past the end */
};

static inline void rbuf_init(struct rbuf *r, const uint8_t *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->off = 0;
	r->err = false;
}

static inline size_t rbuf_left(const struct rbuf *r)
{
	return r->len - r->off;
}

int rbuf_u8(struct rbuf *r, uint8_t *v);
int rbuf_u16(struct rbuf *r, uint16_t *v);
int rbuf_u32(struct rbuf *r, uint32_t *v);
/* Copies n bytes. */
int rbuf_bytes(struct rbuf *r, void *dst, size_t n);
/* Points *p at the next n bytes without copying. */
int rbuf_ptr(struct rbuf *r, const uint8_t **p, size_t n);
/* Makes sub a reader of the next n bytes and skips them in r. */
int rbuf_sub(struct rbuf *r, struct rbuf *sub, size_t n);
int rbuf_skip(struct rbuf *r, size_t n);

struct wbuf {
	uint8_t *p;
	size_t cap; /* bytes available in p */
	size_t len; /* bytes written */
	bool err;   /* a write did not fit */
};

static inline void wbuf_init(struct wbuf *w, uint8_t *p, size_t cap)
{
	w->p = p;
	w->cap = cap;
	w->len = 0;
	w->err = false;
}

/*
 * Writers append big-endian values and return 0, or -ENOSPC when the value does not fit:
 * then nothing is written, w->err is set, and every later write fails too, so an encoder
 * can check once at the end.
 */
int wbuf_u8(struct wbuf *w, uint8_t v);
int wbuf_u16(struct wbuf *w, uint16_t v);
int wbuf_u32(struct wbuf *w, uint32_t v);
int wbuf_bytes(struct wbuf *w, const void *src, size_t n);
/* Reserves n bytes to fill in later (e.g. a length); returns their offset or -ENOSPC. */
long wbuf_reserve(struct wbuf *w, size_t n);
/* Overwrites 2 bytes already written at off; an offset outside them sets w->err instead. */
void wbuf_put_u16_at(struct wbuf *w, size_t off, uint16_t v);

#endif
