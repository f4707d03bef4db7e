// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * lib/cache.c - each thread's block (its current task and its lookup
 * cache, which the inline calls of tasklocal.h read through
 * tasklocal/fast.h), the second level behind it, and the keys that void
 * every entry of a local at once.  The probes and the fills are inline
 * (tasklocal/fast.h for the fast path, lib/lookup.h for the slow one, the
 * clearing of a released slot's entries in lib/internal.h).
 *
 * A key is 64 bits from one counter, taken a block at a time by each
 * thread, so that keys never repeat and threads do not share the
 * counter's line.
 */
#include "lookup.h"

/*
 * Never a task: the first set holds it, so that an unregistered local
 * (pointed there, with key 0 if never registered) never hits, whatever the
 * current task.  Other entries start with key 0, which no local has once
 * registered.
 */

TL__THREAD_LOCAL struct tl__thread tl__thread = {
	.cur = NULL,
#if TL_CACHE_SIZE
	.cache = { [0] = { .task = TL__NO_TASK }, [1] = { .task = TL__NO_TASK } },
#endif
};

#if TL_L2_SIZE
/* Zero-filled: key 0, which no registered local has (tags start at 1). */
TL__THREAD_LOCAL struct tl__centry tl__l2[TL_L2_SIZE];
#endif

#if TL_CACHE_SIZE
_Static_assert(TL_CACHE_SIZE >= TL__WAYS, "TL_CACHE_SIZE: at least one set");
_Static_assert((TL_CACHE_SIZE + TL__WAYS) * sizeof(struct tl__centry) <=
	       UINT32_MAX, "TL_CACHE_SIZE: a set's offset must fit tl__off");

/* The last cache tag handed out: 64 bits, so that no key ever repeats. */
static uint64_t tags;

#if TL_THREADS && TL__KEY_ATOMIC
/*
 * Each thread takes its tags TAG_BLOCK at a time, so that threads that
 * release values at the same rate do not share a counter's cache line.
 */
#define TAG_BLOCK 1024

static TL__THREAD_LOCAL struct {
	uint64_t next, end;
} tag_block;

static uint64_t tag_new(void)
{
	if (tag_block.next == tag_block.end) {
		tag_block.next = __atomic_fetch_add(&tags, TAG_BLOCK,
						    __ATOMIC_RELAXED) + 1;
		tag_block.end = tag_block.next + TAG_BLOCK;
	}
	return tag_block.next++;
}
#elif TL__KEY_ATOMIC
static uint64_t tag_new(void)
{
	return __atomic_add_fetch(&tags, 1, __ATOMIC_RELAXED);
}
#else
static uint64_t tag_new(void)
{
	return ++tags;
}
#endif

/*
 * Give @l a new cache tag: no entry of any thread matches it from then on.
 * Without the lock, so that scopes and first values change keys without
 * it, except where the target has no 64-bit atomics: there the caller
 * holds the lock (tl__invalidate() takes it).
 *
 * No "no value" entry of @l is valid then either, so its first values
 * need no new key again until one is cached (tl__cache_mark_none()): a
 * local read twice before one first value does not make every later first
 * value void its entries everywhere.  The flag is cleared before the new
 * key is published, and a thread that caches "no value" reads the key
 * (acquire) before it sets the flag: if it read the new key, its flag
 * lands after this clear; if an old one, its entry is void anyway.  The
 * key is exchanged, not stored: each new key then reads the one before,
 * so every earlier clear comes before a flag set under the latest key
 * too (with a plain release store, two new keys at once could let the
 * first one's clear land after it).  Without threads the order is the
 * compiler's to keep, for a switch between the two stores.
 */
void tl__rekey(struct tl_local *l)
{
	TL__STORE(&l->tl__neg, 0, RELAXED);
#if TL_THREADS
	(void)__atomic_exchange_n(&l->tl__key, tag_new(), __ATOMIC_ACQ_REL);
#else
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	l->tl__key = tag_new();
#endif
}

void tl__invalidate(struct tl_local *l)
{
	if (!TL__KEY_ATOMIC)
		tl__lock();
	tl__rekey(l);
	if (!TL__KEY_ATOMIC)
		tl__unlock();
}
#endif

/* "No value" in a cache entry: a slot never linked, whose value is NULL. */
struct tl_slot tl__none;
