// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * lib/access.c - the slow half of tl_get/tl_set/tl_this (a cache miss: walk
 * the current task's list, then fill the cache) and the calls that are
 * never on the hot path: tl_del and tl_bind.
 */
#include "internal.h"

/*
 * Where the current task's value of a local lives: the list to walk, and
 * what a cache entry's task field holds for that task.  Entries of locals
 * with a discriminator hold the task's address with bit 0 set, an address
 * no task has: the inline fast path, which only knows the default
 * discriminator, never matches them; the slow path below does.
 */
struct place {
	struct tl_node *head;
	struct tl_node *tag;
};

/* The slow path's steps before the walk, inlined into each caller. */
#define HOT static inline __attribute__((always_inline))

/* False for a discriminator without current(), or a corrupted list. */
HOT bool locate(struct tl_local *l, struct place *p)
{
	struct tl_node *cur;

	p->head = tl__head_of(l, &cur);
	if (!p->head || !tl__list_ok(p->head))
		return false;
	p->tag = l->disc ? (struct tl_node *)((uintptr_t)cur | 1) : cur;
	return true;
}

/* "No value" in a cache entry: a slot never linked, whose value is NULL. */
struct tl_slot tl__none;

#if TL_CACHE_SIZE
/* The first entry of @l's set, in this thread's cache. */
HOT struct tl__centry *set_of(const struct tl_local *l)
{
	return (struct tl__centry *)(void *)((char *)tl__thread.cache +
					     TL__LOAD(&l->tl__off, ACQUIRE));
}

HOT bool entry_is(const struct tl__centry *e, const struct tl_node *tag,
		     uint64_t key)
{
	return e->task == tag && e->key == key;
}

/*
 * The entry of @tag (a task, bit 0 set for a discriminator's) in @l's set,
 * or NULL.  Without threads a switch during the probe voids it (see
 * struct tl__thread).
 */
HOT struct tl__centry *probe(const struct tl_local *l,
			     const struct tl_node *tag)
{
#if !TL_THREADS
	unsigned long seq = tl__thread.switches;
#endif
	struct tl__centry *e = set_of(l);
	uint64_t key = TL__LOAD(&l->tl__key, RELAXED);

	if (!entry_is(&e[0], tag, key))
		e = entry_is(&e[1], tag, key) ? &e[1] : NULL;
#if !TL_THREADS
	__asm__ volatile("" ::: "memory");
	if (tl__thread.switches != seq)
		return NULL;
#endif
	return e;
}

/*
 * Cache @s (tl__none: no value) for the current task (@p).  The entry of
 * the same task and local is refreshed in place; else the new one goes
 * first and the first moves to the second way, so that two tasks
 * alternating, or two locals sharing the set, keep both.  Without threads,
 * under the lock (a critical section there): a switch must never see half
 * an entry.
 */
static void cache_fill(const struct tl_local *l, const struct place *p,
		       struct tl_slot *s)
{
	struct tl__centry *e = set_of(l);
	uint64_t key = TL__LOAD(&l->tl__key, RELAXED);

	/* Not registered any more (a typed local's init, say): never set 0. */
	if ((char *)e == (char *)tl__thread.cache)
		return;
	if (!TL_THREADS)
		tl__lock();
	if (entry_is(&e[1], p->tag, key)) {
		e[1].slot = s;
	} else {
		if (!entry_is(&e[0], p->tag, key))
			e[1] = e[0];
		e[0].task = p->tag;
		e[0].key = key;
		e[0].slot = s;
	}
	if (!TL_THREADS)
		tl__unlock();
}
#else
static void cache_fill(const struct tl_local *l, const struct place *p,
		       struct tl_slot *s)
{
	(void)l;
	(void)p;
	(void)s;
}
#endif

/*
 * The walk behind lookup(): it caches what it finds, or "no value" when
 * @none says so (lookups; not a first value, about to be added), and then
 * marks @l so that its first values change its key: an entry of another
 * thread may say "no value" for a task that moves there.
 */
static struct tl_slot *lookup_walk(struct tl_local *l, const struct place *p,
				   bool none)
{
	struct tl_slot *s = tl__find(p->head, l->tl__gen, l->tl__index);

	if (!s && none && TL_CACHE_SIZE) {
		if (!TL__LOAD(&l->tl__neg, RELAXED))
			TL__STORE(&l->tl__neg, 1, RELAXED);
		cache_fill(l, p, &tl__none);
	} else if (s) {
		cache_fill(l, p, s);
	}
	return s;
}

/* The current task's slot of registered local @l: the cache, or a walk. */
HOT struct tl_slot *lookup(struct tl_local *l, const struct place *p,
			   bool none)
{
#if TL_CACHE_SIZE
	struct tl__centry *e = probe(l, p->tag);

	if (e)
		return e->slot == &tl__none ? NULL : e->slot;
#endif
	return lookup_walk(l, p, none);
}

/*
 * A new slot @out for @l in the current task (@p), with @size bytes of
 * inline data initialised by @l->init, or zero-filled.  Dead slots go
 * first, so a task that outlives many locals stays flat.
 * Return: 0, -EAGAIN (the root context cannot be armed), -ENOMEM, or
 * -ENOENT (@l->init unregistered @l).
 */
static int add(struct tl_local *l, const struct place *p, size_t size,
	       struct tl_slot **out)
{
	uint32_t gen = l->tl__gen;
	struct tl_slot *s;
	int err = tl__task_adding(p->head);

	if (err)
		return err;
	tl__reap(p->head);
	s = tl__slot_alloc(size);
	if (!s)
		return -ENOMEM;
	if (size && l->init)
		l->init(s->value, l->arg);
	else if (size)
		memset(s->value, 0, size);
	/* The hook may have unregistered @l: its storage then goes back. */
	if (TL__UNLIKELY(TL__LOAD(&l->tl__gen, ACQUIRE) != gen)) {
		tl__slot_free(s);
		return -ENOENT;
	}
	tl__slot_link(s, l, p->head);
	cache_fill(l, p, s);
	*out = s;
	return 0;
}

/* For the calls that may register @l first: then its slot, as lookup(). */
static int prepare(struct tl_local *l, struct place *p, struct tl_slot **s)
{
	int err = tl__registered(l) ? 0 : tl__ensure_registered(l);

	if (err)
		return err;
	if (!locate(l, p))
		return -EINVAL;
	*s = lookup(l, p, false);
	return 0;
}

void *tl__get_slow(struct tl_local *l)
{
	struct place p;
	struct tl_slot *s;

	if (!l || !tl__registered(l) || !locate(l, &p))
		return NULL;
	s = lookup(l, &p, true);
	return s ? s->value : NULL;
}

int tl__set_slow(struct tl_local *l, void *value)
{
	struct place p;
	struct tl_slot *s;
	int err;

	if (!l || l->size)
		return -EINVAL;
	err = prepare(l, &p, &s);
	if (err)
		return err;
	if (!s) {
		if (!value)
			return 0;	/* NULL is "no value": nothing to store */
		err = add(l, &p, 0, &s);
		if (err)
			return err;
	}
	s->value = value;
	return 0;
}

void *tl__this_slow(struct tl_local *l)
{
	struct place p;
	struct tl_slot *s;

	if (!l || !l->size || prepare(l, &p, &s))
		return NULL;
	if (!s && add(l, &p, l->size, &s))
		return NULL;
	return s->value;
}

int (tl_del)(struct tl_local *l)
{
	struct place p;
	struct tl_slot *s;
	bool had_value;

	if (!l)
		return -EINVAL;
	if (!tl__registered(l))
		return -ENOENT;
	if (!locate(l, &p))
		return -EINVAL;
	s = lookup(l, &p, false);
	if (!s)
		return -ENOENT;
	had_value = s->value != NULL;
	tl_node_del(&s->node);
	tl__release(s, true);
	return had_value ? 0 : -ENOENT;
}

int (tl_bind)(struct tl_local *l, struct tl_slot *slot, void *value)
{
	struct place p;
	struct tl_slot *old;
	int err;

	if (!l || !slot || l->size)
		return -EINVAL;
	err = prepare(l, &p, &old);
	if (err)
		return err;
	if (old != slot) {
		if (!tl__slot_unlinked(slot))
			return -EINVAL;
		err = tl__task_adding(p.head);
		if (err)
			return err;
		if (old) {
			tl_node_del(&old->node);
			tl__release(old, false);
		}
		slot->info = TL__SLOT_BOUND;
		tl__slot_link(slot, l, p.head);
		cache_fill(l, &p, slot);
	}
	slot->value = value;
	return 0;
}
