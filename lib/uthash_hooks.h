/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lib/uthash_hooks.h - the one place uthash is included, with its memory
 * hooks pointed at the library's allocator and out-of-memory made an error
 * that the registry rolls back, never an exit().
 *
 * Cross builds reach the host's uthash.h alone, without the host's other
 * headers, by naming it: -DTL_UTHASH_HEADER='"/usr/include/uthash.h"'.
 */
#ifndef TASKLOCAL_UTHASH_HOOKS_H
#define TASKLOCAL_UTHASH_HOOKS_H

#include "internal.h"

#pragma GCC visibility push(hidden)

#define uthash_malloc(sz)		tl__mem_alloc(sz)
#define uthash_free(ptr, sz)		tl__mem_free((ptr), (sz))
#define HASH_NONFATAL_OOM		1
/* A failed HASH_ADD leaves the element's hh.tbl NULL: the caller checks that. */
#define uthash_nonfatal_oom(obj)	do { (void)(obj); } while (0)

/*
 * One out-of-line hash instead of uthash's inlined Jenkins at every use:
 * names are short and few, and the firmware size budget counts each copy.
 */
unsigned tl__hash_name(const void *key, size_t len);

#pragma GCC visibility pop
#define HASH_FUNCTION(keyptr, keylen, hashv) \
	((hashv) = tl__hash_name((keyptr), (keylen)))

#ifdef TL_UTHASH_HEADER
#include TL_UTHASH_HEADER
#else
#include <uthash.h>
#endif

/*
 * Every hashed struct has its handle first (registry.c asserts it), so an
 * element and its handle share an address: no table's offset to read.
 */
#undef ELMT_FROM_HH
#undef HH_FROM_ELMT
#define ELMT_FROM_HH(tbl, hhp)	((void *)(hhp))
#define HH_FROM_ELMT(tbl, elp)	((UT_hash_handle *)(void *)(elp))

#if TL_HEAPLESS
/*
 * Heapless: the name table keeps its first 32 buckets.  Firmware names few
 * locals, a fixed arena is better off without holding the old and the new
 * bucket arrays at once while they double, and the inlined expansion is a
 * third of the registry's code.
 */
#undef HASH_EXPAND_BUCKETS
#define HASH_EXPAND_BUCKETS(hh, tbl, oomed) do { } while (0)
#endif

#endif /* TASKLOCAL_UTHASH_HOOKS_H */
