// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * lib/error.c - the library's version, texts for the errors it returns,
 * and where TL_DEBUG reports go.
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

static const struct {
	unsigned char err;
	const char *text;
} texts[] = {
	{ 0, "success" },
	{ EINVAL, "invalid argument" },
	{ ENOMEM, "out of memory" },
	{ ENOENT, "no such value" },
	{ EEXIST, "name already registered" },
	{ EBUSY, "busy: in use" },
	{ EAGAIN, "try again" },
};

const char *tl_strerror(int err)
{
	/* Negated as unsigned: -INT_MIN does not fit an int. */
	unsigned e = err < 0 ? 0u - (unsigned)err : (unsigned)err;
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (texts[i].err == e)
			return texts[i].text;
	return "unknown error";
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
