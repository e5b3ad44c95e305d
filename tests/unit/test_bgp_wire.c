/* SPDX-License-Identifier: BSD-3-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "wire.h"

static void test_read_numbers(void **state)
{
	static const uint8_t b[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};
	struct rbuf r;
	uint32_t v32;
	uint16_t v16;
	uint8_t v8;

	(void)state;
	rbuf_init(&r, b, sizeof(b));
	assert_int_equal(rbuf_u8(&r, &v8), 0);
	assert_int_equal(v8, 0x01);
	assert_int_equal(rbuf_u16(&r, &v16), 0);
	assert_int_equal(v16, 0x0203);
	assert_int_equal(rbuf_u32(&r, &v32), 0);
	assert_int_equal(v32, 0x04050607);
	assert_int_equal(rbuf_left(&r), 2);
	assert_false(r.err);
	/* A short read fails, zeroes the output and marks the reader. */
	assert_int_equal(rbuf_u32(&r, &v32), -EBADMSG);
	assert_int_equal(v32, 0);
	assert_true(r.err);
	assert_int_equal(rbuf_left(&r), 0);
	assert_int_equal(rbuf_u8(&r, &v8), -EBADMSG);
	assert_int_equal(v8, 0);
}

static void test_read_bytes_sub(void **state)
{
	static const uint8_t b[] = {1, 2, 3, 4, 5, 6};
	const uint8_t *p;
	struct rbuf r, sub;
	uint8_t out[4];
	uint16_t v16;

	(void)state;
	rbuf_init(&r, b, sizeof(b));
	assert_int_equal(rbuf_bytes(&r, out, 2), 0);
	assert_memory_equal(out, b, 2);
	assert_int_equal(rbuf_sub(&r, &sub, 3), 0);
	assert_int_equal(rbuf_left(&sub), 3);
	assert_int_equal(rbuf_u16(&sub, &v16), 0);
	assert_int_equal(v16, 0x0304);
	/* The sub-reader stops at its own end even though the parent has more. */
	assert_int_equal(rbuf_u16(&sub, &v16), -EBADMSG);
	assert_true(sub.err);
	assert_false(r.err);
	assert_int_equal(rbuf_ptr(&r, &p, 1), 0);
	assert_int_equal(*p, 6);
	assert_int_equal(rbuf_ptr(&r, &p, 1), -EBADMSG);
	assert_null(p);
	rbuf_init(&r, b, sizeof(b));
	memset(out, 0xaa, sizeof(out));
	assert_int_equal(rbuf_skip(&r, 4), 0);
	assert_int_equal(rbuf_bytes(&r, out, 4), -EBADMSG);
	assert_int_equal(out[0], 0);
	assert_int_equal(rbuf_sub(&r, &sub, 1), -EBADMSG);
	rbuf_init(&r, b, sizeof(b));
	assert_int_equal(rbuf_skip(&r, 7), -EBADMSG);
}

static void test_write(void **state)
{
	static const uint8_t want[] = {0xab, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x07, 'x'};
	uint8_t buf[10];
	struct wbuf w;
	long off;

	(void)state;
	wbuf_init(&w, buf, sizeof(buf));
	assert_int_equal(wbuf_u8(&w, 0xab), 0);
	assert_int_equal(wbuf_u16(&w, 0x1234), 0);
	assert_int_equal(wbuf_u32(&w, 0xdeadbeef), 0);
	off = wbuf_reserve(&w, 2);
	assert_int_equal(off, 7);
	assert_int_equal(wbuf_bytes(&w, "x", 1), 0);
	wbuf_put_u16_at(&w, (size_t)off, 7);
	assert_false(w.err);
	assert_int_equal(w.len, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	/* Full: nothing more is written and the error sticks. */
	assert_int_equal(wbuf_u8(&w, 1), -ENOSPC);
	assert_true(w.err);
	assert_int_equal(w.len, sizeof(want));
	assert_int_equal(wbuf_reserve(&w, 1), -ENOSPC);
	wbuf_init(&w, buf, 3);
	assert_int_equal(wbuf_u32(&w, 1), -ENOSPC);
	assert_int_equal(w.len, 0);
	/* Patching outside what was written is refused. */
	wbuf_init(&w, buf, sizeof(buf));
	wbuf_u8(&w, 1);
	wbuf_put_u16_at(&w, 0, 5);
	assert_true(w.err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_read_numbers),
	        cmocka_unit_test(test_read_bytes_sub),
	        cmocka_unit_test(test_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
