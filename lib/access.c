// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * lib/access.c - the slow half of tl_get/tl_set/tl_this (a cache miss: walk
 * the current task's list, then fill the cache, lookup.h).  tl_del and
 * tl_bind, never on the hot path, are in bind.c.
 */
#include "lookup.h"

/*
 * After @l->init ran for a new slot of @l in place @p, before the slot is
 * linked there.  The hook may have unregistered @l, or exited the thread's
 * root context whose place @p was: with threads its list may have gone
 * back with its record, so the root context's list is taken again
 * (wherever the hook may have switched to), and armed again.  Without
 * threads it stays where it was, and is exited again later.
 * Return: 0 (@p updated), -ENOENT (@l unregistered), or
 * tl__place_adding()'s error.
 */
static int slot_after_init(struct tl_local *l, struct tl__place *p,
			   uint32_t gen)
{
	if (TL__LOAD(&l->tl__gen, ACQUIRE) != gen)
		return -ENOENT;
	if (!TL_THREADS || (uintptr_t)p->tag > 1)
		return 0;
	p->head = tl__root();
#if TL_L2_SIZE
	p->l2 = tl__l2_of(l, p->head);
#endif
	return tl__place_adding(l, p, true);
}

/*
 * A new slot @out for @l in the current task (@p), with @size bytes of
 * inline data initialised by @l->init, or zero-filled.  Dead slots go
 * first, so a task that outlives many locals stays flat.
 * Return: 0, -EAGAIN (the root context cannot be armed), -ENOMEM, or
 * -ENOENT (@l->init unregistered @l).  After an error no value is added
 * (what @l->init made is destroyed, if @l is still registered).
 */
TL__HOT int slot_add(struct tl_local *l, struct tl__place *p, size_t size,
		     struct tl_slot **out)
{
	uint32_t gen = l->tl__gen;
	struct tl_slot *s;
	int err = tl__place_adding(l, p, true);

	if (err)
		return err;
	tl__reap(p->head);
	s = tl__slot_alloc(size);
	if (!s)
		return -ENOMEM;
	if (size && l->init) {
		l->init(s->value, l->arg);
		err = slot_after_init(l, p, gen);
		if (TL__UNLIKELY(err)) {
			/* What the hook made goes too (if @l is still). */
			if (err != -ENOENT && l->destroy)
				l->destroy(s->value);
			tl__slot_free(s);
			return err;
		}
	} else if (size) {
		memset(s->value, 0, size);
	}
	tl__slot_link(s, l, p->head, true);
	tl__cache_put(l, p, s);
	*out = s;
	return 0;
}

/*
 * The general lookup: a frame of its own, so that the one above has none.
 * @l2: the second level's entry for the current task, probed already, or
 * NULL.
 */
static __attribute__((noinline)) void *get_walk(struct tl_local *l,
						struct tl__centry *l2)
{
	struct tl__place p;
	struct tl_slot *s;

	if (!tl__locate(l, &p, l2))
		return NULL;
	s = tl__lookup(l, &p, true, l2 ? TL__PROBED_BOTH : TL__PROBED_SET);
	return s ? s->value : NULL;
}

void *tl__get_slow(struct tl_local *l)
{
	struct tl__centry *l2 = NULL;
#if TL_CACHE_SIZE
	struct tl_discriminator *d = l->disc;	/* the caller's @l is not NULL */
	struct tl_slot *s;

	/*
	 * A discriminator's local first, before the registration check: a
	 * local not registered has the empty set, where the probe finds
	 * nothing.
	 */
	if (d && tl__disc_cached(l, d, &s))
		return s->value;	/* tl__none's is NULL */
#endif
	if (!tl__registered(l))
		return NULL;
#if TL_L2_SIZE
	if (!d) {
		l2 = tl__l2_mine(l);
		s = tl__l2_probe(l, l2, tl__thread.cur);
		if (s)
			return s->value;
	}
#endif
	return get_walk(l, l2);
}

#if TL_THREADS
/*
 * The common first value of pointer local @l, with no call (so no frame):
 * in a task with no exit running on the thread (not the root context,
 * which is armed first), @l registered with the default discriminator,
 * every value of the task of a smaller index (it goes last: values set in
 * the order of their locals' registration), a slot kept by this thread,
 * and no first use of @l to record or "no value" entries to void (see
 * tl__slot_link()).  Whether it did; else the general way does all of it.
 * A dead slot at the tail (its local unregistered) sends the value the
 * general way, which reaps, so that dead slots cannot pile up at the end
 * of a task that lives on; one below a live slot stays until a first
 * value that goes the general way (a reused index does, as a reloaded
 * plugin's locals get), or the task's exit.
 */
TL__HOT bool first_value(struct tl_local *l, void *value)
{
	struct tl_node *c = tl__thread.cur;
	struct tl__place p = { .head = c, .tag = c };
	struct tl_slot *s;

	if (!value || l->disc || !tl__registered(l) || tl__exits || !c ||
	    !c->next || !tl__list_sound(c) ||
	    !tl__after_tail(c, l->tl__index) || !tl__slot_link_plain(l) ||
	    (tl__dead_slots() && c->prev != c &&
	     !tl__resolve(tl__slot_of(c->prev))))
		return false;
	s = tl__slot_kept();
	if (!s)
		return false;
#if TL_L2_SIZE
	p.l2 = tl__l2_of(l, c);
#endif
	tl__slot_stamp(s, l, true);
	s->value = value;
	tl_node_add_tail(&s->node, c);	/* after the tail: its place */
	tl__cache_put(l, &p, s);
	return true;
}
#endif

/*
 * The general way of tl__set_slow(): with threads, a frame of its own, so
 * that first_value() needs none.
 */
#if TL_THREADS
__attribute__((noinline))
#endif
static int set_general(struct tl_local *l, void *value)
{
	struct tl__place p;
	struct tl_slot *s;
	int err;

	err = tl__prepare(l, &p, &s, TL__PROBED_SET);
	if (err)
		return err;
	if (!s) {
		if (!value)
			return 0;	/* NULL is "no value": nothing to store */
		err = slot_add(l, &p, 0, &s);
		if (err)
			return err;
	}
	s->value = value;
	return 0;
}

int tl__set_slow(struct tl_local *l, void *value)
{
	if (!l || l->size)
		return -EINVAL;
#if TL_THREADS
	if (first_value(l, value))
		return 0;
#endif
	return set_general(l, value);
}

void *tl__this_slow(struct tl_local *l)
{
	struct tl__place p;
	struct tl_slot *s;

	if (!l || !l->size || tl__prepare(l, &p, &s, TL__PROBED_SET))
		return NULL;
	if (!s && slot_add(l, &p, l->size, &s))
		return NULL;
	return s->value;
}
