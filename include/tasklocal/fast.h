/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tasklocal/fast.h - private: the per-thread block and lookup cache that
 * the inline calls of tasklocal.h read.  Not part of the API (no name here
 * is stable; include tasklocal.h, which includes this where it needs it).
 */
#ifndef TASKLOCAL_FAST_H
#define TASKLOCAL_FAST_H

#ifndef TASKLOCAL_H
#error "include tasklocal.h, not tasklocal/fast.h"
#endif

/*
 * The per-thread lookup cache the inline fast path reads: sets of
 * TL__WAYS entries, a local's set chosen by its registry index, each entry
 * (task, key, slot) tagged by the task it was filled for, so that the
 * entries of several tasks (a switch between every few accesses) and of
 * locals whose indices collide coexist.  An entry is valid as long as its
 * local's key is unchanged: the library gives a local a new key whenever
 * one of its slots is released or (once a "no value" entry of it was
 * cached) added, anywhere, and keys never repeat, so an entry can never
 * lead to a freed slot, a deleted local, or another task's value, even
 * when a task moves to another thread or its memory is reused.  The one
 * exception needs no new key: a slot cached only once, by the thread that
 * releases it, has that one entry cleared instead.  A "no
 * value" entry holds tl__none, whose value is NULL.  The first set
 * (offset 0) never holds anything: unregistered locals point there.
 * Entries of locals with a discriminator hold the task with bit 0 set:
 * the default discriminator's probe never matches them.  A tl_sched's
 * local keeps where its current task is (tl__cur): the inline path
 * probes its entries too, after the default ones missed; other
 * discriminators are probed out of line.  While a task exit runs on the
 * thread, tl__dtag is 3, so that no tl_sched entry matches there: every
 * local then resolves to the exiting task, which the slow path knows.
 *
 * With TL_THREADS 0 under a preemptive kernel, the switch hook may run
 * between any two instructions of a lookup: tl_switch() counts switches
 * (by two), and a lookup that saw the count change takes the slow path
 * (entries are filled with the registry lock held, which such a kernel's
 * lock makes a critical section).  The count is odd while a task exit
 * runs: lookups then take the slow path, where every local resolves to
 * the exiting task even after a preemption put the caller's task back.
 */
#define TL__WAYS	2

struct tl__centry {
	struct tl_node *task;	/* first: see TL__FS_CACHE */
	struct tl_slot *slot;
	uint64_t key;		/* last: no padding on 32-bit targets */
};

/*
 * The block's symbol names the options the inline code depends on, and
 * the revision of the layouts it reads (this block's, the private fields
 * of struct tl_local: bump TL__LAYOUT with any change to them), so that a
 * program compiled with other ones than the library fails to link
 * ("undefined reference to tl__thread_r3_c128_t1_d0") instead of reading
 * a block or a local of another shape.  TL_CACHE_SIZE must be a plain
 * number for it.  r2: struct tl_local's tl__cur; r3: its tl__key
 * 8-aligned on every target (it moved on i386).
 */
#define TL__LAYOUT	3
#define TL__THREAD_SYM(r, c, t, d)	TL__THREAD_SYM_(r, c, t, d)
#define TL__THREAD_SYM_(r, c, t, d) tl__thread_r##r##_c##c##_t##t##_d##d
#define tl__thread TL__THREAD_SYM(TL__LAYOUT, TL_CACHE_SIZE, TL_THREADS, \
				  TL_DYNAMIC_TLS)

struct tl__thread {
	struct tl_node *cur;	/* hot: the default discriminator */
#if !TL_THREADS
	volatile unsigned long switches;	/* see above */
#endif
#if TL_CACHE_SIZE
	struct tl__centry cache[TL_CACHE_SIZE + TL__WAYS];
#endif
};

extern TL__THREAD_LOCAL struct tl__thread tl__thread;
#if TL_THREADS
extern TL__THREAD_LOCAL uintptr_t tl__dtag;	/* 1; 3 while an exit runs */
#define TL__DTAG	tl__dtag
#else
#define TL__DTAG	1	/* the switch count keeps exits out */
#endif
extern struct tl_slot tl__none;

void *tl__get_slow(struct tl_local *l);
int tl__set_slow(struct tl_local *l, void *value);
void *tl__this_slow(struct tl_local *l);

/*
 * On x86-64 (gcc in its GNU modes, clang) an entry is one %fs-relative
 * operand: the block is in static TLS, at the same offset from the thread
 * pointer in every thread, two instructions fewer than building the
 * block's address first.  A local not registered has set offset 0: the
 * empty first set.  The key is published before the
 * offset, and read after it.  gcc's ASan and TSan do not know %fs
 * addresses; there, as for strict C, C++ and other targets, the generic
 * path below reads the same cache.
 */
#if TL_CACHE_SIZE && TL_THREADS && !TL_DYNAMIC_TLS && defined(__x86_64__) && \
	!defined(__ILP32__) && defined(__SEG_FS) &&			\
	(!defined(__STRICT_ANSI__) || defined(__clang__)) &&		\
	!defined(__cplusplus) && !defined(__SANITIZE_ADDRESS__) &&	\
	!defined(__SANITIZE_THREAD__)
#define TL__FS_CACHE	1
#define TL__CENTRY	struct tl__centry __seg_fs
#else
#define TL__FS_CACHE	0
#define TL__CENTRY	struct tl__centry
#endif

/*
 * On the functions that read the cache %fs-relative: UBSan takes %fs
 * offsets for flat addresses (0 is not NULL there).
 */
#if TL__FS_CACHE && defined(__has_attribute)
#if __has_attribute(no_sanitize)
#define TL__FS_ATTR	__attribute__((no_sanitize("null", "pointer-overflow", \
						   "alignment")))
#endif
#endif
#ifndef TL__FS_ATTR
#define TL__FS_ATTR
#endif

#if TL_CACHE_SIZE
#if TL__FS_CACHE
/*
 * The first entry of @l's set, %fs-relative: the block's offset from the
 * thread pointer (a constant the compiler may load once per function; an
 * immediate once the static library is linked in) plus the set's.
 */
static inline TL__FS_ATTR TL__CENTRY *tl__set(const struct tl_local *l)
{
	intptr_t block;

	__asm__("movq " TL__STR(tl__thread) "@gottpoff(%%rip), %0" : "=r"(block));
	return (TL__CENTRY *)(block + (intptr_t)offsetof(struct tl__thread, cache) +
			      (intptr_t)TL__LOAD(&l->tl__off, ACQUIRE));
}
#else
/* The first entry of @l's set: the empty first set if not registered. */
static inline TL__CENTRY *tl__set(const struct tl_local *l)
{
	return (TL__CENTRY *)(void *)((char *)tl__thread.cache +
				      TL__LOAD(&l->tl__off, ACQUIRE));
}
#endif

/*
 * Whether set @e holds the entry of (@tag, @key), its slot put in @slot.
 */
static inline TL__FS_ATTR bool tl__hit(const TL__CENTRY *e,
				       const struct tl_node *tag, uint64_t key,
				       struct tl_slot **slot)
{
	if (TL__LIKELY(e[0].task == tag && e[0].key == key))
		*slot = e[0].slot;
	else if (e[1].task == tag && e[1].key == key)
		*slot = e[1].slot;
	else
		return false;
	return true;
}

/*
 * Whether the cache holds the current task's slot of @l, put in @slot
 * (tl__none for "no value").  Locals with the default discriminator match,
 * and with @sched those of a tl_sched too (its current task one load
 * away); the caller of a tl_sched's hit must not take the thread's
 * current task for the one it found.
 */
static inline TL__FS_ATTR bool tl__cached(const struct tl_local *l,
					  struct tl_slot **slot, bool sched)
{
#if !TL_THREADS
	unsigned long seq = tl__thread.switches;

	/* Every load of the probe after the count, not before. */
	__asm__ volatile("" ::: "memory");
	/* Odd: a task exit runs, which the slow path knows about. */
	if (TL__UNLIKELY(seq & 1))
		return false;
#endif
	const TL__CENTRY *e = tl__set(l);
	uint64_t key = TL__LOAD(&l->tl__key, RELAXED);

	if (TL__UNLIKELY(!tl__hit(e, tl__thread.cur, key, slot))) {
		struct tl_node *const *cur = TL__LOAD(&l->tl__cur, RELAXED);

		/* Not the default discriminator's: a tl_sched's, if it is one. */
		if (!sched || !cur ||
		    !tl__hit(e, (struct tl_node *)((uintptr_t)*cur | TL__DTAG),
			     key, slot))
			return false;
	}
#if !TL_THREADS
	__asm__ volatile("" ::: "memory");
	if (TL__UNLIKELY(tl__thread.switches != seq))
		return false;
#endif
	return true;
}
#endif /* TL_CACHE_SIZE */

#endif /* TASKLOCAL_FAST_H */
