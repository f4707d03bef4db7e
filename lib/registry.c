// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * lib/registry.c - the registry of locals: an index table (index -> local)
 * whose free entries form a list, a uthash table by name for named locals,
 * the generation every slot is stamped with, the cache tags, and the lock
 * that guards all of it.  Only cold paths come here.
 *
 * Generations are handed out from one counter, so a (index, generation)
 * pair names one registration forever (until the 32-bit counter wraps): a
 * slot left behind by an unregistered local never matches a new local that
 * reuses its index.
 */
#include "uthash_hooks.h"

#if TL_THREADS
#include <pthread.h>
#endif

int tl__hash_oom;

struct tl__name {
	UT_hash_handle hh;
	struct tl_local *local;
};

/*
 * by_index[i] is the registered local's address, or (next free index << 1)
 * | 1 for a free entry: locals are at least 2-aligned.  Index 0 is never
 * used, so 0 means "not registered" in struct tl_local.
 */
static struct {
	struct tl__name *names;
	uintptr_t *by_index;
	uint32_t cap;		/* entries in by_index */
	uint32_t free;		/* first free index, 0: none */
	uint32_t used;		/* registered locals */
	uint32_t gen;		/* last generation handed out */
	uint32_t dead;		/* slots of unregistered locals still linked */
	uint64_t tag;		/* last cache tag handed out */
} reg;

#if TL_CACHE_SIZE
_Static_assert((TL_CACHE_SIZE + 1) * sizeof(struct tl__centry) <= 0xffff,
	       "a cache entry offset must fit the 16 low bits of a key");
#endif

/* FNV-1a */
unsigned tl__hash_name(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint32_t h = 2166136261u;

	while (len--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

/* ---------------------------------------------------------------- lock */

static struct tl_lock lock_hook;
#if TL_THREADS
static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
#endif

int tl_lock_set(const struct tl_lock *lock)
{
	if (lock && (!lock->lock || !lock->unlock))
		return -EINVAL;
	if (lock)
		lock_hook = *lock;
	else
		memset(&lock_hook, 0, sizeof(lock_hook));
	return 0;
}

void tl__lock(void)
{
	if (lock_hook.lock)
		lock_hook.lock(lock_hook.ctx);
#if TL_THREADS
	else
		pthread_mutex_lock(&mutex);
#endif
}

void tl__unlock(void)
{
	if (lock_hook.unlock)
		lock_hook.unlock(lock_hook.ctx);
#if TL_THREADS
	else
		pthread_mutex_unlock(&mutex);
#endif
}

/* ---------------------------------------------------------------- keys */

static void key_store(struct tl_local *l, uint64_t key)
{
	TL__STORE(&l->tl__key, key, RELAXED);
}

/*
 * A fresh key for a local using cache entry offset @off: the tag makes it
 * differ from every key any cache entry may hold.
 */
static uint64_t key_make(uint64_t off)
{
	return (++reg.tag << 16) | off;
}

static uint64_t key_first(uint32_t index)
{
#if TL_CACHE_SIZE
	return key_make((1 + ((index - 1) & (TL_CACHE_SIZE - 1))) *
			sizeof(struct tl__centry));
#else
	(void)index;
	return 0;	/* no cache */
#endif
}

/*
 * Publish where @l's cache entry is (x86-64: as an offset from the thread
 * pointer too), before the registration is marked done.
 */
static void place_store(struct tl_local *l, uint64_t key)
{
	key_store(l, key);
#if TL_CACHE_SIZE && TL_THREADS && defined(__x86_64__) && !defined(__ILP32__)
	{
		/* Users built in GNU C read it, whatever this file's mode. */
		uintptr_t tp, at = (uintptr_t)tl__thread.cache + (key & 0xffff);

		__asm__("movq %%fs:0, %0" : "=r"(tp));
		TL__STORE(&l->tl__tpoff, (int32_t)(at - tp), RELEASE);
	}
#endif
}

/*
 * The reverse, the offset first.  The key left behind is a fresh tag with
 * offset 0 (the sentinel entry), not 0: a reader that pairs the old offset
 * with it finds an entry that never held it, even one never filled.
 */
static void place_clear(struct tl_local *l)
{
	TL__STORE(&l->tl__tpoff, 0, RELAXED);
	key_store(l, TL_CACHE_SIZE ? key_make(0) : 0);
}

void tl__invalidate_locked(struct tl_local *l)
{
	if (l->tl__key)
		key_store(l, key_make(l->tl__key & 0xffff));
}

/* --------------------------------------------------------------- index */

static bool entry_free(uintptr_t e)
{
	return e & 1;
}

/* Double the index table, threading the new entries onto the free list. */
static int grow_locked(void)
{
	uint32_t cap = reg.cap ? reg.cap * 2 : 16;
	uint32_t i;
	uintptr_t *t;

	if (cap > TL__INDEX_MAX || cap < reg.cap)
		return -ENOMEM;
	t = tl__mem_alloc(cap * sizeof(*t));
	if (!t)
		return -ENOMEM;
	if (reg.cap) {
		memcpy(t, reg.by_index, reg.cap * sizeof(*t));
		tl__mem_free(reg.by_index, reg.cap * sizeof(*t));
	}
	for (i = cap - 1; i >= (reg.cap ? reg.cap : 1); i--) {
		t[i] = (uintptr_t)reg.free << 1 | 1;
		reg.free = i;
	}
	t[0] = 1;
	reg.by_index = t;
	reg.cap = cap;
	return 0;
}

/*
 * With nothing registered the index table goes back to the allocator, so
 * that the allocator may be replaced again.
 */
static void shrink_if_empty_locked(void)
{
	if (reg.used || !reg.cap)
		return;
	tl__mem_free(reg.by_index, reg.cap * sizeof(*reg.by_index));
	reg.by_index = NULL;
	reg.cap = 0;
	reg.free = 0;
}

struct tl_local *tl__resolve_locked(const struct tl_slot *s)
{
	uint32_t i = tl__slot_index(s);
	struct tl_local *l;

	if (i >= reg.cap || entry_free(reg.by_index[i]))
		return NULL;
	l = (struct tl_local *)reg.by_index[i];
	return l->tl__gen == s->gen ? l : NULL;
}

/* ------------------------------------------------------------ register */

static struct tl__name *name_find_locked(const char *name)
{
	struct tl__name *rec;

	HASH_FIND_STR(reg.names, name, rec);
	return rec;
}

static int register_locked(struct tl_local *l)
{
	struct tl__name *rec = NULL;
	uint32_t index;
	int err;

	if (l->tl__index)
		return 0;
	if (l->name && name_find_locked(l->name))
		return -EEXIST;
	if (!reg.free) {
		err = grow_locked();
		if (err)
			goto err_index;
	}
	if (l->name) {
		rec = tl__mem_alloc(sizeof(*rec));
		if (!rec)
			goto err_nomem;
		rec->local = l;
		tl__hash_oom = 0;
		HASH_ADD_KEYPTR(hh, reg.names, l->name, strlen(l->name), rec);
		if (tl__hash_oom)
			goto err_free_rec;
	}

	index = reg.free;
	reg.free = (uint32_t)(reg.by_index[index] >> 1);
	reg.by_index[index] = (uintptr_t)l;
	reg.used++;
	if (++reg.gen == 0)
		++reg.gen;
	l->tl__index = index;
	TL__STORE(&l->tl__slots, 0, RELAXED);
	place_store(l, key_first(index));
	TL__STORE(&l->tl__gen, reg.gen, RELEASE);
	return 0;

err_free_rec:
	tl__mem_free(rec, sizeof(*rec));
err_nomem:
	err = -ENOMEM;
err_index:
	shrink_if_empty_locked();
	return err;
}

int tl_local_register(struct tl_local *l)
{
	int err;

	if (!l)
		return -EINVAL;
	tl__lock();
	err = register_locked(l);
	tl__unlock();
	return err;
}

bool tl_local_registered(const struct tl_local *l)
{
	return l && TL__LOAD(&l->tl__gen, ACQUIRE) != 0;
}

int tl__ensure_registered(struct tl_local *l)
{
	if (tl_local_registered(l))
		return 0;
	return l->flags & TL__NOAUTO ? -EINVAL : tl_local_register(l);
}

int tl_local_unregister(struct tl_local *l)
{
	struct tl__name *rec;
	uint32_t i;

	if (!l)
		return -EINVAL;
	tl__lock();
	i = l->tl__index;
	if (!i || i >= reg.cap || reg.by_index[i] != (uintptr_t)l) {
		tl__unlock();
		return -ENOENT;
	}
	if (l->name) {
		rec = name_find_locked(l->name);
		if (rec && rec->local == l) {
			HASH_DEL(reg.names, rec);
			tl__mem_free(rec, sizeof(*rec));
		}
	}
	reg.by_index[i] = (uintptr_t)reg.free << 1 | 1;
	reg.free = i;
	reg.used--;
	/* Its slots stay linked until reaped or their task exits. */
	TL__STORE(&reg.dead, reg.dead + TL__LOAD(&l->tl__slots, RELAXED), RELAXED);
	TL__STORE(&l->tl__slots, 0, RELAXED);
	l->tl__index = 0;
	place_clear(l);
	TL__STORE(&l->tl__gen, 0, RELEASE);
	shrink_if_empty_locked();
	tl__unlock();
	return 0;
}

bool tl__dead_slots(void)
{
	return TL__LOAD(&reg.dead, RELAXED) != 0;
}

void tl__dead_slot_gone_locked(void)
{
	if (reg.dead)
		TL__STORE(&reg.dead, reg.dead - 1, RELAXED);
}

struct tl_local *tl__unlinked_locked(const struct tl_slot *s)
{
	struct tl_local *l = tl__resolve_locked(s);

	if (l) {
		tl__invalidate_locked(l);
		TL__ADD(&l->tl__slots, -1);
	} else {
		tl__dead_slot_gone_locked();
	}
	return l;
}

struct tl_local *tl_local_find(const char *name)
{
	struct tl__name *rec;
	struct tl_local *l;

	if (!name)
		return NULL;
	tl__lock();
	rec = name_find_locked(name);
	l = rec ? rec->local : NULL;	/* rec may be freed once unlocked */
	tl__unlock();
	return l;
}
