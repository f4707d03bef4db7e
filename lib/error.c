// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * lib/error.c - the library's version, and where TL_DEBUG reports go.
 * The texts for the errors it returns are in strerror.c.
 */
#include "internal.h"

#if __STDC_HOSTED__
#include <stdio.h>
#endif


unsigned tl_version(void)
{
	return TL_VERSION_HEX;
}

const char *tl_version_string(void)
{
	return TL__STR(TL_VERSION_MAJOR) "." TL__STR(TL_VERSION_MINOR) "."
	       TL__STR(TL_VERSION_PATCH);
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
