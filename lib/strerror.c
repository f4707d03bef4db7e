// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * lib/strerror.c - tl_strerror(): a text for each error the library
 * returns.  Apart from error.c so that a firmware image that prints no
 * error texts does not link them (they are most of its read-only data);
 * nothing in lib/ calls it.
 */
#include "internal.h"

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
	"no such value or local\0"
	"name already registered\0"
	"busy: in use\0"
	"no key left (the key table is full, or none ends a thread)\0"
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
