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
 *   tl_setspecific     a table lookup, then tl_set   one slot (1)  no
 *   tl_key_create      O(1) amortised                table, index  registry
 *   tl_key_delete      O(1)                          never         registry
 *
 *   (1) on the first non-NULL value of the key in a task, as tl_set().
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
 * low 32 bits are the key's position in the key table, the high 32 bits the
 * registration generation of its local.  A position is reused after
 * tl_key_delete(), a generation never is (until 2^32 keys later), so a
 * deleted key never resolves again, whichever key took its position.  0 is
 * never a key: a zero-filled tl_key_t is answered as a deleted one.
 */
typedef uint64_t tl_key_t;

/*
 * The key table: a fixed directory of chunks, chunk k holding
 * TL__KEY_CHUNK0 << k entries, so that positions [CHUNK0 << k,
 * CHUNK0 << (k + 1)) live in chunk k and a position's chunk is its highest
 * set bit.  Chunks never move, so the lookup takes no lock; they are freed
 * only when no key is left, after their directory entries are cleared.
 */
#define TL__KEY_SHIFT	5
#define TL__KEY_CHUNK0	(1u << TL__KEY_SHIFT)
#define TL__KEY_CHUNKS	(32 - TL__KEY_SHIFT)

struct tl__key {
	struct tl_local local;
	uint32_t gen;		/* hot: the live key's generation; 0: none */
	uint32_t next;		/* free list: position of the next free entry */
};

extern struct tl__key *tl__keys[TL__KEY_CHUNKS];

/*
 * The local of @key, or NULL for a key that is not live.  Racing only with
 * calls on other keys, so relaxed loads suffice: whoever handed this thread
 * the key made its creation visible.
 */
static inline struct tl_local *tl__key_local(tl_key_t key)
{
	uint32_t pos = (uint32_t)key, gen = (uint32_t)(key >> 32), live;
	struct tl__key *chunk;
	unsigned int msb;

	if (TL__UNLIKELY(pos < TL__KEY_CHUNK0 || gen == 0))
		return NULL;
	msb = 31 - (unsigned int)__builtin_clz(pos);
#if TL_THREADS
	chunk = __atomic_load_n(&tl__keys[msb - TL__KEY_SHIFT], __ATOMIC_RELAXED);
#else
	chunk = tl__keys[msb - TL__KEY_SHIFT];
#endif
	if (TL__UNLIKELY(!chunk))
		return NULL;
	chunk += pos - (1u << msb);
#if TL_THREADS
	live = __atomic_load_n(&chunk->gen, __ATOMIC_RELAXED);
#else
	live = chunk->gen;
#endif
	return TL__LIKELY(live == gen) ? &chunk->local : NULL;
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
 * again: those are destroyed in a further round, at most
 * TL_DESTRUCTOR_ITERATIONS rounds in all.  There is no fixed limit on the
 * number of keys.
 *
 * Context: any thread; takes the registry lock; allocates from the
 * library's allocator (struct tl_allocator), never in a heapless build
 * without one.
 * Return: 0, EINVAL (@key NULL), ENOMEM (no memory for the key table or
 * the registry), EAGAIN (the key table is full: 2^32 positions).
 */
int tl_key_create(tl_key_t *key, void (*destructor)(void *));

/**
 * tl_key_delete - delete a key, as pthread_key_delete()
 * @key: a key from tl_key_create()
 *
 * May be called while tasks hold values for @key: no destructor runs, and
 * from now on no task sees those values, not even through a new key that
 * reuses @key's position.  Each task gives their memory back at its exit.
 * Afterwards @key is answered as not valid by every call.
 *
 * Context: any thread; takes the registry lock.  As with pthread keys,
 * nobody may use @key while it is being deleted.
 * Return: 0, or EINVAL (@key was never created or is already deleted).
 */
int tl_key_delete(tl_key_t key);

/**
 * tl_getspecific - the current task's value for @key, as pthread_getspecific()
 * @key: a key
 *
 * Outside any task it reads the calling thread's root context, so that
 * without a scheduler it is pthread_getspecific().  May be called from a
 * destructor.  Never allocates, never locks.
 *
 * Return: the value, or NULL (none set in this task, or @key not valid).
 */
static inline void *tl_getspecific(tl_key_t key)
{
	struct tl_local *l = tl__key_local(key);

	return TL__LIKELY(l != NULL) ? tl_get(l) : NULL;
}

/**
 * tl_setspecific - set the current task's value for @key, as pthread_setspecific()
 * @key: a key
 * @value: the value; NULL means "no value" (no destructor will run)
 *
 * The old value is replaced without a destructor.  Outside any task it sets
 * the calling thread's root context.  May be called from a destructor.
 *
 * Return: 0, ENOMEM (the first value of @key in this task found no memory
 * for its slot: nothing changed), EINVAL (@key not valid).
 */
static inline int tl_setspecific(tl_key_t key, const void *value)
{
	struct tl_local *l = tl__key_local(key);

	if (TL__UNLIKELY(l == NULL))
		return EINVAL;
	/* The core's commands return -errno; POSIX wants it positive. */
	return -tl_set(l, (void *)(uintptr_t)value);
}

#ifdef __cplusplus
}
#endif

#endif /* TASKLOCAL_POSIX_H */
