// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * lib/error.c - texts for the errors the library returns, and where
 * TL_DEBUG reports go.
 */
#include "internal.h"

#if __STDC_HOSTED__
#include <stdio.h>
#endif

const char *tl_strerror(int err)
{
	/* Negated as unsigned: -INT_MIN does not fit an int. */
	switch (err < 0 ? 0u - (unsigned)err : (unsigned)err) {
	case 0:
		return "success";
	case EINVAL:
		return "invalid argument";
	case ENOMEM:
		return "out of memory";
	case ENOENT:
		return "no such value";
	case EEXIST:
		return "name already registered";
	case EBUSY:
		return "memory still in use";
	case EAGAIN:
		return "try again";
	default:
		return "unknown error";
	}
}

static void (*report_fn)(const char *file, int line, const char *what);

void tl_debug_set_report(void (*fn)(const char *file, int line,
				    const char *what))
{
	report_fn = fn;
}

void tl__report_at(const char *file, int line, const char *what)
{
	if (report_fn) {
		report_fn(file, line, what);
		return;
	}
#if __STDC_HOSTED__
	fprintf(stderr, "%s:%d: tasklocal: %s\n", file, line, what);
#endif
}
