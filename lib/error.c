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

/*
 * The errors tl_strerror() knows, and their texts in the same order, one
 * string after another, the unknown error's last: a byte per error and no
 * pointer per text (a table of pointers cost a word each, and the padding
 * beside every byte).
 */
static const unsigned char codes[] = {
	0, EINVAL, ENOMEM, ENOENT, EEXIST, EBUSY, EAGAIN,
};
static const char texts[] =
	"success\0"
	"invalid argument\0"
	"out of memory\0"
	"no such value\0"
	"name already registered\0"
	"busy: in use\0"
	"try again\0"
	"unknown error";

const char *tl_strerror(int err)
{
	/* Negated as unsigned: -INT_MIN does not fit an int. */
	unsigned e = err < 0 ? 0u - (unsigned)err : (unsigned)err;
	const char *t = texts;
	size_t i;

	for (i = 0; i < sizeof(codes) && codes[i] != e; i++)
		t += strlen(t) + 1;
	return t;
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
