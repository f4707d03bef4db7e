/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lib/lookup.h - the slow path's lookup, shared by the value calls
 * (access.c) and scopes (scope.c): where the current task's value of a
 * local lives, the probe of the thread's cache, and the walk behind it.
 * All of it is inlined into each caller.
 */
#ifndef TASKLOCAL_LOOKUP_H
#define TASKLOCAL_LOOKUP_H

#include "slots.h"

#pragma GCC visibility push(hidden)

/*
 * Where the current task's value of a local lives: the list to walk, and
 * what a cache entry's task field holds for that task.  Entries of locals
 * with a discriminator hold the task's address with bit 0 set, an address
 * no task has: the inline fast path, which only knows the default
 * discriminator, never matches them; the slow path does.
 */
struct tl__place {
	struct tl_node *head;
	struct tl_node *tag;
#if TL_L2_SIZE
	struct tl__centry *l2;	/* the second level's entry for it */
#endif
};

/*
 * False for a discriminator without current(), or a corrupted list.  @l2:
 * the second level's entry for the place if the caller has it already
 * (tl__l2_mine()), or NULL.
 */
TL__HOT bool tl__locate(struct tl_local *l, struct tl__place *p,
			struct tl__centry *l2)
{
	p->head = tl__head_of(l, &p->tag);
	if (!p->head || !tl__list_ok(p->head))
		return false;
#if TL_L2_SIZE
	/* Once, for the probe and the fill behind it. */
	p->l2 = l2 ? l2 : tl__l2_of(l, p->head);
#else
	(void)l2;
#endif
	return true;
}

/*
 * tl__task_adding() for place @p of @l, before a value is linked there
 * (@heap: as there):
 * when the root context's list moves into its record, the second-level
 * entry follows it.  Only the root context's place has no task (its tag
 * NULL, or 1 for a discriminator's local): a task's needs nothing.
 */
TL__HOT int tl__place_adding(const struct tl_local *l, struct tl__place *p,
			     bool heap)
{
	struct tl_node *head = p->head;
	int err;

	if (TL__LIKELY((uintptr_t)p->tag > 1))
		return 0;
	/* A copy: @p stays out of memory on the way that needs none. */
	err = tl__task_adding(&head, heap);
#if TL_L2_SIZE
	if (p->head != head)
		p->l2 = tl__l2_of(l, head);
#else
	(void)l;
#endif
	p->head = head;
	return err;
}

#if TL_CACHE_SIZE
TL__HOT bool tl__entry_is(const struct tl__centry *e,
			  const struct tl_node *tag, uint64_t key)
{
	return e->task == tag && e->key == key;
}

TL__HOT void tl__entry_write(struct tl__centry *e, struct tl_node *tag,
			     uint64_t key, struct tl_slot *s)
{
	e->task = tag;
	e->key = key;
	e->slot = s;
}

/* The second-level entry of place @p, if there is a second level. */
TL__HOT void tl__l2_write(const struct tl__place *p, struct tl_node *tag,
			  uint64_t key, struct tl_slot *s)
{
#if TL_L2_SIZE
	tl__entry_write(p->l2, tag, key, s);
#else
	(void)p;
	(void)tag;
	(void)key;
	(void)s;
#endif
}

/*
 * Whether the cache holds the slot of @tag (a task, bit 0 set for a
 * discriminator's) and @l (tl__none: no value), put in @s.  Read inside
 * the probe: without threads, a switch during it voids it (see struct
 * tl__thread), and the entry may be another's right after.
 */
TL__HOT TL__FS_ATTR bool tl__probe_hit(const struct tl_local *l,
				       const struct tl_node *tag,
				       struct tl_slot **s)
{
#if !TL_THREADS
	unsigned long seq = tl__thread.switches;

	__asm__ volatile("" ::: "memory");
#endif
	/* The inline path's set and check (fast.h), for another tag. */
	if (!tl__hit(tl__set(l), tag, TL__LOAD(&l->tl__key, RELAXED), s))
		return false;
#if !TL_THREADS
	__asm__ volatile("" ::: "memory");
	if (tl__thread.switches != seq)
		return false;
#endif
	return true;
}

/* The same, the slot or NULL. */
TL__HOT struct tl_slot *tl__probe(const struct tl_local *l,
				  const struct tl_node *tag)
{
	struct tl_slot *s;

	return tl__probe_hit(l, tag, &s) ? s : NULL;
}
#endif

#if TL_CACHE_SIZE
/*
 * Whether the cache holds the slot of discriminator @d's current task for
 * @l, put in @s: the shortest way, one call of @d->current (a tl_sched's
 * too: its locals are probed inline once the registration or
 * tl__head_of() has published where its current task is, and come here
 * when that probe missed).  The
 * default probe never matches these entries (tagged task | 1).  Not while
 * a task is being exited: every local resolves to it then.
 */
TL__HOT bool tl__disc_cached(struct tl_local *l,
			     struct tl_discriminator *d, struct tl_slot **s)
{
	struct tl_node *(*current)(struct tl_discriminator *) = d->current;

	if (TL__UNLIKELY(tl__exits != NULL) || !current)
		return false;
	return tl__probe_hit(l, (struct tl_node *)((uintptr_t)current(d) | 1),
			     s);
}
#endif

/*
 * FILLED, then MULTI too (tl__cache_forget()).  Atomic: two threads may
 * look up one task at once (a discriminator's object, read-only), and a
 * lost MULTI would let a release skip the new key.
 */
#if TL_CACHE_SIZE && TL_THREADS
TL__HOT void tl__slot_count_fill(struct tl_slot *s)
{
	uint32_t info = TL__LOAD(&s->info, RELAXED);

	if (info & TL__SLOT_MULTI)
		return;
	if (__atomic_fetch_or(&s->info, TL__SLOT_FILLED, __ATOMIC_RELAXED) &
	    TL__SLOT_FILLED)
		__atomic_fetch_or(&s->info, TL__SLOT_MULTI, __ATOMIC_RELAXED);
}
#endif

#if TL_CACHE_SIZE
/*
 * Put the entry (@tag, @key, @s) in set @e: the entry of the same task and
 * local is refreshed in place; else the new one goes first and the first
 * moves to the second way, so that two tasks alternating, or two locals
 * sharing the set, keep both.  @fresh: there is no such entry (see
 * tl__cache_put()), none is looked for.
 */
TL__HOT void tl__set_write(struct tl__centry *e, struct tl_node *tag,
			   uint64_t key, struct tl_slot *s, bool fresh)
{
#if TL_DEBUG
	if (fresh && (tl__entry_is(&e[0], tag, key) ||
		      tl__entry_is(&e[1], tag, key)))
		tl__report("internal: a first value's entry was cached");
#endif
	if (!fresh && tl__entry_is(&e[1], tag, key)) {
		e[1].slot = s;
		return;
	}
	if (fresh || !tl__entry_is(&e[0], tag, key))
		e[1] = e[0];
	tl__entry_write(&e[0], tag, key, s);
}
#endif

/*
 * Cache @s (tl__none: no value) for the current task (@p): in @l's set,
 * and in the second level.  Without threads, under the lock (a critical
 * section there): a switch must never see half an entry.  @count: count
 * the fill in the slot first (before the entries exist, so that a release
 * in another thread that sees no count has none to miss), once for both
 * entries (tl__cache_forget() clears both); a slot linked as cached
 * (tl__slot_link()) is counted, and is written without a search (see
 * tl__cache_put(), the one caller with @count false).
 */
TL__HOT void tl__cache_write(const struct tl_local *l,
			     const struct tl__place *p, struct tl_slot *s,
			     bool count)
{
#if TL_CACHE_SIZE
	struct tl__centry *e = tl__set_of(l);
	uint64_t key;

	/*
	 * The callers hold a registered local (nobody may unregister it
	 * meanwhile); the empty first set is never written, whatever.
	 */
	if ((char *)e == (char *)tl__thread.cache)
		return;
#if TL_THREADS
	key = TL__LOAD(&l->tl__key, ACQUIRE);	/* see tl__rekey() */
	if (count && s != &tl__none)
		tl__slot_count_fill(s);
#else
	(void)count;
	/*
	 * The key under the lock too: a 32-bit core reads it in two halves,
	 * and a task switched in between may give it a new one.  (@s stays:
	 * only its own task, this one, releases it.)
	 */
	tl__lock();
	key = l->tl__key;
#endif
	tl__set_write(e, p->tag, key, s, TL_THREADS && !count);
	tl__l2_write(p, p->tag, key, s);
	if (!TL_THREADS)
		tl__unlock();
#else
	(void)l;
	(void)p;
	(void)s;
	(void)count;
#endif
}

TL__HOT void tl__cache_fill(const struct tl_local *l,
			    const struct tl__place *p, struct tl_slot *s)
{
	tl__cache_write(l, p, s, true);
}

/*
 * tl__cache_fill() for a slot just linked (tl__slot_link(), @cached), the
 * only slot of its local in its task (any earlier one just released, as
 * tl_bind() does): no entry of the task and the local's key is cached
 * anywhere, since every release of the local's slots in the task left none
 * valid (the entry cleared, or a new key), and a cached "no value" gave
 * the local a new key at the link.  So the set is not searched for one
 * (with threads; firmware keeps one way of writing, for size).
 */
TL__HOT void tl__cache_put(const struct tl_local *l,
			   const struct tl__place *p, struct tl_slot *s)
{
	tl__cache_write(l, p, s, false);
}

/*
 * When "no value" is cached for @l, after its key was read: until the key
 * changes, its first values change it, since an entry of another thread
 * may say "no value" for a task that moves there.
 */
TL__HOT void tl__cache_mark_none(struct tl_local *l)
{
	if (!TL__LOAD(&l->tl__neg, RELAXED))
		TL__STORE(&l->tl__neg, 1, RELAXED);
}

/*
 * Cache "no value" of @l for place @p, found by a walk.  With threads, for
 * a local with the default discriminator, the first time on this thread
 * only a mark of it is written, an entry tagged task | 2, which no probe
 * matches (in the set, and in the second level, where it outlives a
 * cycle of more tasks than the set has ways); the second look finds the
 * mark, which becomes the "no value" entry in its place.  So a local read
 * once before its first value in a task (if (!tl_get(&l)) tl_set(&l, ...))
 * leaves no entry to void, and that first value needs no new key of the
 * local (which would void its entries in every thread).  A mark that
 * outlives its task only makes a later first look cache.
 */
TL__HOT void tl__cache_none(struct tl_local *l, const struct tl__place *p)
{
#if TL_CACHE_SIZE && TL_THREADS
	struct tl__centry *e = tl__set_of(l), *m = NULL;
	uint64_t key = TL__LOAD(&l->tl__key, ACQUIRE);	/* see tl__rekey() */
	struct tl_node *mark = (struct tl_node *)((uintptr_t)p->tag | 2);
	bool marked = false;

	if (((uintptr_t)p->tag & 1) || (char *)e == (char *)tl__thread.cache)
		goto cache;
	if (tl__entry_is(&e[0], mark, key))
		m = &e[0];
	else if (tl__entry_is(&e[1], mark, key))
		m = &e[1];
	marked = m != NULL;
#if TL_L2_SIZE
	marked |= tl__entry_is(p->l2, mark, key);
#endif
	if (!marked) {
		tl__set_write(e, mark, key, &tl__none, true);
		tl__l2_write(p, mark, key, &tl__none);
		return;
	}
	if (m) {
		tl__cache_mark_none(l);
		m->task = p->tag;	/* the mark's way: nothing else goes */
		tl__l2_write(p, p->tag, key, &tl__none);
		return;
	}
cache:
#endif
	tl__cache_fill(l, p, &tl__none);
	tl__cache_mark_none(l);
}

/*
 * The walk behind tl__lookup(): it caches what it finds, or "no value"
 * when @none says so (lookups; not a first value, about to be added).
 */
TL__HOT struct tl_slot *tl__lookup_walk(struct tl_local *l,
					const struct tl__place *p, bool none)
{
	struct tl_slot *s = tl__find(p->head, l->tl__gen, l->tl__index);

	if (!s && none && TL_CACHE_SIZE > 0)
		tl__cache_none(l, p);
	else if (s)
		tl__cache_fill(l, p, s);
	return s;
}

#if TL_L2_SIZE
/*
 * The slot that second-level entry @e holds for @tag and @l (tl__none: no
 * value), or NULL.  A hit goes into @l's set, for the inline path's next
 * lookup, and is not counted as a fill: the entry was written by this
 * thread's fill, which counted it, so the slot's entries stay where
 * tl__cache_forget() looks (and a slot that goes back and forth between
 * the two levels is not taken for one cached by several threads, which
 * would give its local a new key at its release).
 */
TL__HOT struct tl_slot *tl__l2_probe(const struct tl_local *l,
				     const struct tl__centry *e,
				     struct tl_node *tag)
{
	uint64_t key = TL__LOAD(&l->tl__key, RELAXED);

	if (!tl__entry_is(e, tag, key))
		return NULL;
	/* Registered: @l's set is not the empty first one. */
	tl__set_write(tl__set_of(l), tag, key, e->slot, false);
	return e->slot;
}
#endif

#if TL_L2_SIZE
/*
 * The second-level entry of registered local @l, which has the default
 * discriminator, for the thread's current task: what tl_get()'s slow half
 * probes before anything else (no frame, no walk), for a scheduler cycling
 * over more tasks than a set has ways.  The list is the current task's
 * even while an exit runs: the exiting task is then the current one (or
 * the root context, current as NULL), or the local does not resolve to it
 * (tl__head_of()).
 */
TL__HOT struct tl__centry *tl__l2_mine(const struct tl_local *l)
{
	struct tl_node *cur = tl__thread.cur;

	return tl__l2_of(l, cur ? cur : tl__root());
}
#endif

/*
 * What the caller of tl__lookup() probed already for the thread's current
 * task: nothing, its set (the inline path, just before), or the second
 * level too (tl__l2_mine()).
 */
enum tl__probed {
	TL__PROBED_NOTHING,
	TL__PROBED_SET,
	TL__PROBED_BOTH,
};

/*
 * The current task's slot of registered local @l: the cache (its set,
 * then the second level), or a walk.  For another tag than the thread's
 * current task (a discriminator's, an exit's), every level is worth a
 * probe whatever @probed says.
 */
TL__HOT struct tl_slot *tl__lookup(struct tl_local *l,
				   const struct tl__place *p, bool none,
				   enum tl__probed probed)
{
#if TL_CACHE_SIZE
	bool other = p->tag != tl__thread.cur;
	struct tl_slot *s = NULL;

	if (probed == TL__PROBED_NOTHING || other)
		s = tl__probe(l, p->tag);
#if TL_L2_SIZE
	if (!s && (probed != TL__PROBED_BOTH || other))
		s = tl__l2_probe(l, p->l2, p->tag);
#endif
	if (s)
		return s == &tl__none ? NULL : s;
#else
	(void)probed;
#endif
	return tl__lookup_walk(l, p, none);
}

/*
 * For the calls that may register @l first (a set, a bind, a scope): then
 * its visible slot in the current task (@p), as tl__lookup(), in @s.
 */
TL__HOT int tl__prepare(struct tl_local *l, struct tl__place *p,
			struct tl_slot **s, enum tl__probed probed)
{
	int err = tl__registered(l) ? 0 : tl__ensure_registered(l);

	if (err)
		return err;
	if (!tl__locate(l, p, NULL))
		return -EINVAL;
	*s = tl__lookup(l, p, false, probed);
	return 0;
}

#pragma GCC visibility pop

#endif /* TASKLOCAL_LOOKUP_H */
