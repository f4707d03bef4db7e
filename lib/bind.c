// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * lib/bind.c - the value calls that take a slot out of the current task
 * or put the caller's own in: tl_del() and tl_bind().  They are apart from
 * access.c, the lookups every program uses, so that a firmware image that
 * only gets and sets values does not link them.  Nothing else in lib/
 * calls into this file: an exit, a release or a reap gives a bound slot
 * back to its owner by its TL__SLOT_BOUND bit (task.c).
 */
#include "lookup.h"

int (tl_del)(struct tl_local *l)
{
	struct tl__place p;
	struct tl_slot *s;
	bool had_value;

	if (!l)
		return -EINVAL;
	if (!tl__registered(l))
		return -ENOENT;
	if (!tl__locate(l, &p, NULL))
		return -EINVAL;
	s = tl__lookup(l, &p, false, TL__PROBED_NOTHING);
	if (!s)
		return -ENOENT;
	if (tl__slot_scoped(s, p.head))
		return -EBUSY;	/* a scope's binding is borrowed */
	had_value = s->value != NULL;
	tl_node_del(&s->node);
	tl__release(s, p.head, true);
	return had_value ? 0 : -ENOENT;
}

int (tl_bind)(struct tl_local *l, struct tl_slot *slot, void *value)
{
	struct tl__place p;
	struct tl_slot *old;
	int err;

	if (!l || !slot || l->size)
		return -EINVAL;
	err = tl__prepare(l, &p, &old, TL__PROBED_NOTHING);
	if (err)
		return err;
	if (old && tl__slot_scoped(old, p.head))
		return -EBUSY;
	if (old != slot) {
		if (!tl__slot_unlinked(slot))
			return -EINVAL;
		err = tl__place_adding(l, &p, false);
		if (err)
			return err;
		if (old) {
			tl_node_del(&old->node);
			tl__release(old, p.head, false);
		}
		slot->info = TL__SLOT_BOUND;
		tl__slot_link(slot, l, p.head, true);
		tl__cache_put(l, &p, slot);
	}
	slot->value = value;
	return 0;
}
