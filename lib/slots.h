/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lib/slots.h - a task's list of slots, kept in ascending index order:
 * finding a value in it and linking a new one at its place.  Inlined into
 * the calls that look values up and add them (access.c, and the layers
 * bind.c, scope.c, visit.c), where a first value's steps then run without
 * a call between them.
 *
 * The order is the exit rounds': they visit values as POSIX
 * implementations visit keys, by index; a walk for a value that is not
 * there stops at the first larger index.
 */
#ifndef TASKLOCAL_SLOTS_H
#define TASKLOCAL_SLOTS_H

#include "internal.h"

#pragma GCC visibility push(hidden)

/*
 * Whether every slot of @head has an index below @index, or it has none:
 * its tail tells.  A task's values are mostly set in the order of their
 * locals' registration, so that a first value goes last: then there is
 * no walk.
 */
TL__HOT bool tl__after_tail(const struct tl_node *head, uint32_t index)
{
	return head->prev == head ||
	       tl__slot_index(tl__slot_of(head->prev)) < index;
}

/*
 * The live slot of registration (@gen, @index) in @head, or NULL: none if
 * the tail says every slot has a smaller index (a first value mostly).
 */
TL__HOT struct tl_slot *tl__find(struct tl_node *head, uint32_t gen,
				 uint32_t index)
{
	struct tl_slot *s;

	if (tl__after_tail(head, index))
		return NULL;
	/* The index too: generations are counted per index. */
	tl_for_each_entry(s, head, node) {
		uint32_t i = tl__slot_index(s);

		if (i > index)
			break;
		if (i == index && s->gen == gen)
			return s;
	}
	return NULL;
}

/*
 * Where a new slot of @index goes in @head: before the first slot of an
 * index as large, so that a value set again by its own destructor (or one
 * of a smaller index) waits for the next exit round, and one of a larger
 * index has its turn in this one.  Walked from the tail: values mostly
 * come in their locals' registration order (tl__after_tail()), so that
 * the place is the end.
 */
TL__HOT struct tl_node *tl__slot_place(struct tl_node *head, uint32_t index)
{
	struct tl_node *n;

	for (n = head; n->prev != head; n = n->prev)
		if (tl__slot_index(tl__slot_of(n->prev)) < index)
			break;
	return n;
}

/*
 * Stamp @s with @l's registration.  @cached: the caller caches it next,
 * with tl__cache_put(): counted as filled once from the start (before
 * another thread can see it, so that no atomic is needed).
 */
TL__HOT void tl__slot_stamp(struct tl_slot *s, const struct tl_local *l,
			    bool cached)
{
	uint32_t fills = TL_CACHE_SIZE && TL_THREADS && cached ?
			 TL__SLOT_FILLED : 0;

	s->gen = l->tl__gen;
	s->info = (s->info & TL__SLOT_FLAGS) | fills |
		  l->tl__index << TL__SLOT_SHIFT;
}

/*
 * Whether a link of a first slot of @l needs nothing but the link: @l had
 * a slot before (no first use to record) and no "no value" entry of it was
 * ever cached (none to void).  Else tl__slot_link() does what is needed.
 */
TL__HOT bool tl__slot_link_plain(const struct tl_local *l)
{
	return TL__LOAD(&l->tl__used, RELAXED) &&
	       !TL__LOAD(&l->tl__neg, RELAXED);
}

/*
 * tl__slot_stamp(), then link @s into @head at its place in index order,
 * recording @l's first use and voiding its "no value" entries.
 */
TL__HOT void tl__slot_link(struct tl_slot *s, struct tl_local *l,
			   struct tl_node *head, bool cached)
{
	tl__slot_stamp(s, l, cached);
	tl_node_add_tail(&s->node, tl__slot_place(head, l->tl__index));
	/* Threads setting first values of one local race here: atomic. */
	if (!TL__LOAD(&l->tl__used, RELAXED))
		TL__STORE(&l->tl__used, 1, RELAXED);
	/* A "no value" entry somewhere may be about this task. */
	if (TL__LOAD(&l->tl__neg, RELAXED))
		tl__invalidate(l);
}

#pragma GCC visibility pop

#endif /* TASKLOCAL_SLOTS_H */
