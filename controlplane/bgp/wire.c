/* SPDX-License-Identifier: BSD-3-Clause */
/* Bounds-checked big-endian readers and writers (see wire.h). */
#include <errno.h>
#include <string.h>

#include "wire.h"

/* Marks r as failed and consumes the rest, so later reads fail too. */
static int rbuf_short(struct rbuf *r)
{
	r->err = true;
	r->off = r->len;
	return -EBADMSG;
}

int rbuf_u8(struct rbuf *r, uint8_t *v)
{
	*v = 0;
	if (rbuf_left(r) < 1)
		return rbuf_short(r);
	*v = r->p[r->off];
	r->off += 1;
	return 0;
}

int rbuf_u16(struct rbuf *r, uint16_t *v)
{
	*v = 0;
	if (rbuf_left(r) < 2)
		return rbuf_short(r);
	*v = (uint16_t)(r->p[r->off] << 8 | r->p[r->off + 1]);
	r->off += 2;
	return 0;
}

int rbuf_u32(struct rbuf *r, uint32_t *v)
{
	const uint8_t *p;

	*v = 0;
	if (rbuf_left(r) < 4)
		return rbuf_short(r);
	p = r->p + r->off;
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	r->off += 4;
	return 0;
}

int rbuf_bytes(struct rbuf *r, void *dst, size_t n)
{
	if (rbuf_left(r) < n) {
		memset(dst, 0, n);
		return rbuf_short(r);
	}
	if (n > 0)
		memcpy(dst, r->p + r->off, n);
	r->off += n;
	return 0;
}

int rbuf_ptr(struct rbuf *r, const uint8_t **p, size_t n)
{
	*p = NULL;
	if (rbuf_left(r) < n)
		return rbuf_short(r);
	*p = r->p + r->off;
	r->off += n;
	return 0;
}

int rbuf_sub(struct rbuf *r, struct rbuf *sub, size_t n)
{
	if (rbuf_left(r) < n) {
		rbuf_init(sub, NULL, 0);
		sub->err = true;
		return rbuf_short(r);
	}
	rbuf_init(sub, r->p + r->off, n);
	r->off += n;
	return 0;
}

int rbuf_skip(struct rbuf *r, size_t n)
{
	if (rbuf_left(r) < n)
		return rbuf_short(r);
	r->off += n;
	return 0;
}

/* Checks that n more bytes fit; a failed write leaves w->len unchanged. */
static int wbuf_room(struct wbuf *w, size_t n)
{
	if (w->err || w->cap - w->len < n) {
		w->err = true;
		return -ENOSPC;
	}
	return 0;
}

int wbuf_u8(struct wbuf *w, uint8_t v)
{
	if (wbuf_room(w, 1) < 0)
		return -ENOSPC;
	w->p[w->len++] = v;
	return 0;
}

int wbuf_u16(struct wbuf *w, uint16_t v)
{
	if (wbuf_room(w, 2) < 0)
		return -ENOSPC;
	w->p[w->len++] = (uint8_t)(v >> 8);
	w->p[w->len++] = (uint8_t)v;
	return 0;
}

int wbuf_u32(struct wbuf *w, uint32_t v)
{
	if (wbuf_room(w, 4) < 0)
		return -ENOSPC;
	w->p[w->len++] = (uint8_t)(v >> 24);
	w->p[w->len++] = (uint8_t)(v >> 16);
	w->p[w->len++] = (uint8_t)(v >> 8);
	w->p[w->len++] = (uint8_t)v;
	return 0;
}

int wbuf_bytes(struct wbuf *w, const void *src, size_t n)
{
	if (wbuf_room(w, n) < 0)
		return -ENOSPC;
	if (n > 0)
		memcpy(w->p + w->len, src, n);
	w->len += n;
	return 0;
}

long wbuf_reserve(struct wbuf *w, size_t n)
{
	size_t off = w->len;

	if (wbuf_room(w, n) < 0)
		return -ENOSPC;
	memset(w->p + off, 0, n);
	w->len += n;
	return (long)off;
}

void wbuf_put_u16_at(struct wbuf *w, size_t off, uint16_t v)
{
	/* Only inside what was written: a bad offset is the caller's bug, not a write. */
	if (off > w->len || w->len - off < 2) {
		w->err = true;
		return;
	}
	w->p[off] = (uint8_t)(v >> 8);
	w->p[off + 1] = (uint8_t)v;
}
