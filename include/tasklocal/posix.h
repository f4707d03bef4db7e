/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tasklocal/posix.h - pthread keys for tasks: tl_key_create, tl_key_delete,
 * tl_getspecific and tl_setspecific behave as their pthread_* namesakes,
 * with the current task (the calling thread's root context outside tasks)
 * in place of the calling thread, and no fixed limit on the number of keys.
 *
 * A key is a pointer local (struct tl_local) that the library keeps in a
 * table of its own, registered by tl_key_create() and unregistered by
 * tl_key_delete(): values, destructor rounds and the invisibility of a
 * deleted key's values are the core's.  What this layer adds is the handle:
 * a deleted key stays recognisable, so using one is answered (EINVAL, NULL)
 * instead of reaching freed memory or another key's values.
 *
 *   operation          cost                          may allocate  locks
 *   tl_getspecific     a table lookup, then tl_get   never         no
 *   tl_setspecific     a table lookup, then tl_set   one slot (1)  registry (1)
 *   tl_key_create      O(1) amortised                table, index  registry
 *   tl_key_delete      O(1)                          never         registry
 *
 *   (1) only on the first non-NULL value of the key in a task, as tl_set():
 *   the task's slots of deleted keys may be reaped if any were left with
 *   values, and a slot is taken (the lock only to reach the pool or the
 *   allocator).
 *
 * As in POSIX, every call returns 0 or a positive errno.
 */
#ifndef TASKLOCAL_POSIX_H
#define TASKLOCAL_POSIX_H

#include <errno.h>
#include <stdint.h>

#include "tasklocal.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * typedef tl_key_t - a key, the tasklocal pthread_key_t
 *
 * An integer, as pthread_key_t: copy it, store it, compare it with ==.  The
 * low 32 bits are the key's position in the key table, the high 32 bits
 * count the keys created at that position.  A position is reused after
 * tl_key_delete() with the next count; one whose count would wrap is never
 * used again, so a deleted key never resolves again, whichever key took its
 * position.  0 is never a key: a zero-filled tl_key_t is answered as a
 * deleted one, and so is any other integer that is not a live key.
 */
typedef uint64_t tl_key_t;

/*
 * The key table: a fixed directory of chunks that never move, so that the
 * lookup takes no lock.  Chunk k holds TL__KEY_CHUNK0 << k entries of 128
 * bytes; a position is offset << TL__KEY_ENTRY_SHIFT | k, the offset
 * already scaled to bytes, so that the entry is the chunk's address plus
 * the position masked with the chunk's byte mask: no shift, no bounds
 * test.  A chunk that does not exist has the mask 0 and the address of
 * tl__key_none, so any integer passed as a key reaches a real entry, whose
 * whole key is then compared: answered as a deleted key, never read out of
 * bounds.  Chunks past TL__KEY_CHUNKS are never made (the last one fills
 * the offset bits).  A chunk is published before its mask and withdrawn
 * after it; chunks are freed only when no key is left, so a deleted key
 * finds either its chunk or the mask 0.
 */
#define TL__KEY_CHUNK0		32u
#define TL__KEY_ENTRY_SHIFT	7
#define TL__KEY_DIR		32u	/* k: the position's low 5 bits */
#define TL__KEY_CHUNKS		21	/* 32 << 20 offsets fill 25 bits */

/*
 * A free entry, or one being created or deleted, holds TL__KEY_NONE: its
 * position names chunk 31, which is never made, so no integer that
 * reaches a chunk's entry equals it.
 */
#define TL__KEY_NONE		UINT64_MAX

/*
 * The key first and 8-aligned, also where 64-bit integers are 4-aligned
 * (i386): a lookup reads it whole, as another thread changes it.
 */
struct tl__key_entry {
	tl_key_t key __attribute__((aligned(8)));	/* hot: the live key,
							   whole; TL__KEY_NONE:
							   none */
	uint32_t uses;		/* keys created here: the last one's count */
	uint32_t next;		/* free list: position of the next free entry */
	struct tl_local local;
	/* To 128 bytes, 1 << TL__KEY_ENTRY_SHIFT: the position is scaled. */
	char tl__pad[128 - 16 - sizeof(struct tl_local)];
};

/*
 * With TL_THREADS 0 the loads and stores are plain (config.h), yet a
 * preemptive kernel may run a lookup between the two stores that publish
 * a chunk, or a publication between a lookup's two loads: the compiler
 * must keep their order too.
 */
#if TL_THREADS
#define TL__KEY_ORDER()	((void)0)
#else
#define TL__KEY_ORDER()	__asm__ volatile("" ::: "memory")
#endif

/*
 * The lookup below is inline, so the table's symbols name its layout: a
 * program compiled with headers of another one fails to link or to load
 * ("undefined symbol tl__keys_v5") instead of reading entries of another
 * shape.  v2: the whole key in each entry, 128-byte entries on 64-bit
 * targets; v3: struct tl_local grew; v4: the chunks' lengths beside them;
 * v5: scaled positions, byte masks, 128-byte entries everywhere, the key
 * first.
 */
#define tl__keys tl__keys_v5
#define tl__key_masks tl__key_masks_v5

extern struct tl__key_entry *tl__keys[TL__KEY_DIR];
extern uint32_t tl__key_masks[TL__KEY_DIR];

/*
 * What tl__key_find() answers for an integer that is not a live key: an
 * entry whose local is never registered, where tl_get() finds nothing.
 * It is also every missing chunk's only entry.
 */
extern struct tl__key_entry tl__key_none;

/*
 * The entry @key names if it is live, else &tl__key_none.  It races only
 * with calls on other keys: whoever handed this thread the key made its
 * creation visible, and a chunk is read after its mask, with acquire both
 * (any integer may be looked up while a chunk is being made: a mask seen
 * new means the chunk's address is new, an old mask of 0 reaches entry 0
 * of either chunk, both whole).  The entry holds its key whole: one
 * comparison checks the position and the count (never 0 in a key).
 */
static inline struct tl__key_entry *tl__key_find(tl_key_t key)
{
	uint32_t pos = (uint32_t)key, k = pos % TL__KEY_DIR;
	uint32_t mask = TL__LOAD(&tl__key_masks[k], ACQUIRE);
	struct tl__key_entry *e;

	TL__KEY_ORDER();
	e = (struct tl__key_entry *)(void *)
	    ((char *)TL__LOAD(&tl__keys[k], ACQUIRE) + (pos & mask));
	if (TL__UNLIKELY(TL__LOAD(&e->key, RELAXED) != key)) {
		e = &tl__key_none;
		/*
		 * A branch, not a conditional move: the hit is predicted and
		 * the value's loads need not wait for the comparison.
		 */
		__asm__("" : "+r"(e));
	}
	return e;
}

/* The same, NULL for an integer that is not a live key. */
static inline struct tl__key_entry *tl__key_lookup(tl_key_t key)
{
	struct tl__key_entry *e = tl__key_find(key);

	return e != &tl__key_none ? e : NULL;
}

/**
 * tl_key_create - create a key, as pthread_key_create()
 * @key: where the new key is stored
 * @destructor: called with the value at the exit of each task (and of each
 *              thread's root context) that holds a non-NULL value for the
 *              key; NULL: none
 *
 * The key reads NULL in every task, existing or future.  At task exit the
 * destructor gets the value after it was set to NULL, and may set values
 * again, in rounds as with pthread keys (keys in index order, the lowest
 * free index handed out first, as glibc does), at most
 * TL_DESTRUCTOR_ITERATIONS rounds in all.  There is no fixed limit on the
 * number of keys.
 *
 * Example::
 *
 *	static tl_key_t buf_key;
 *
 *	int buf_setup(void)		// once, before any task uses buf_key
 *	{
 *		return tl_key_create(&buf_key, free);	// a task's at its exit
 *	}
 *
 * Context: any thread; takes the registry lock; allocates from the
 * library's allocator (struct tl_allocator), never in a heapless build
 * without one.
 * Return: 0, EINVAL (@key NULL), ENOMEM (no memory for the key table or
 * the registry, or the registry's 2^26 - 1 indices all taken by locals
 * and keys), EAGAIN (the key table is full: its 32 * (2^21 - 1)
 * positions used up).
 */
int tl_key_create(tl_key_t *key, void (*destructor)(void *));

/**
 * tl_key_delete - delete a key, as pthread_key_delete()
 * @key: a key from tl_key_create()
 *
 * May be called while tasks hold values for @key: no destructor runs, and
 * from now on no task sees those values, not even through a new key that
 * reuses @key's position.  Each task gives their memory back at its exit,
 * or sooner, at a later first value of any key or local in it (not
 * necessarily the next).
 * Afterwards @key is answered as not valid by every call.
 *
 * Example::
 *
 *	static tl_key_t buf_key;	// from tl_key_create()
 *
 *	void buf_teardown(void)		// nobody uses buf_key any more
 *	{
 *		tl_key_delete(buf_key);	// values left: dropped, not freed
 *	}
 *
 * Context: any thread; takes the registry lock.  As with pthread keys,
 * nobody may use @key while it is being deleted.  Never allocates, never
 * frees: the key table and the registry's index table are kept for the
 * next key, and for lock-free lookups of deleted keys, until
 * tl_allocator_set().
 * Return: 0, or EINVAL (@key was never created or is already deleted).
 */
int tl_key_delete(tl_key_t key);

/**
 * tl_getspecific - the current task's value for @key (pthread_getspecific)
 * @key: a key
 *
 * Outside any task it reads the calling thread's root context, so that
 * without a scheduler it is pthread_getspecific().  May be called from a
 * destructor.  Never allocates, never locks (with TL_THREADS 0, as
 * tl_get()).
 *
 * Example::
 *
 *	static tl_key_t req_key;	// tl_key_create(&req_key, NULL)
 *
 *	struct request *current_request(void)
 *	{
 *		return tl_getspecific(req_key);	// NULL where none was set
 *	}
 *
 * Context: any thread, for its current task; the key table is read
 * without a lock.
 * Return: the value, or NULL (none set in this task, or @key not valid).
 */
static inline void *tl_getspecific(tl_key_t key)
{
	return tl__get(&tl__key_find(key)->local);
}

/**
 * tl_setspecific - set the current task's value for @key (pthread_setspecific)
 * @key: a key
 * @value: the value; NULL means "no value" (no destructor will run)
 *
 * The old value is replaced without a destructor.  Outside any task it sets
 * the calling thread's root context.  May be called from a destructor.
 *
 * Example::
 *
 *	static tl_key_t req_key;	// tl_key_create(&req_key, NULL)
 *
 *	int serve_request(struct request *req)
 *	{
 *		int err = tl_setspecific(req_key, req);
 *
 *		if (err)
 *			return err;	// ENOMEM, as pthread_setspecific()
 *		err = process(req);	// tl_getspecific(req_key) is req there
 *		tl_setspecific(req_key, NULL);	// no value again
 *		return err;
 *	}
 *
 * Context: any thread, for its current task.  A value the task already
 * has: no lock, no allocation.  The first non-NULL value of @key in a task
 * takes a slot as tl_set() does.
 * Return: 0, ENOMEM (the first value of @key in this task found no memory
 * for its slot: nothing changed), EAGAIN (a first value in a thread's root
 * context, with no pthread key left for the library), EINVAL (@key not
 * valid).
 */
static inline int tl_setspecific(tl_key_t key, const void *value)
{
	struct tl__key_entry *e = tl__key_lookup(key);

	if (TL__UNLIKELY(e == NULL))
		return EINVAL;
	/* The core's commands return -errno; POSIX wants it positive. */
	return -tl_set(&e->local, (void *)(uintptr_t)value);
}

#ifdef __cplusplus
}
#endif

#endif /* TASKLOCAL_POSIX_H */
