/* SPDX-License-Identifier: BSD-3-Clause */
/* The fuzz targets' assertion: a broken contract names itself, then aborts. */
#ifndef ROUTEHUB_FUZZ_CHECK_H
#define ROUTEHUB_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

static inline void fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
	abort();
}

#define check(ok) ((ok) ? (void)0 : fuzz_fail(__FILE__, __LINE__, #ok))

#endif
