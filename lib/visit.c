// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * lib/visit.c - the calls that visit every value of a task on the caller's
 * behalf: tl_task_inherit() copies a parent's TL_INHERIT values into a
 * child, tl_task_foreach() hands each value to a callback.  They are apart
 * from task.c, whose task lifecycle needs neither, so that a firmware image
 * that does not call them does not link them: nothing else in lib/ calls
 * into this file.
 */
#include "slots.h"

/* ------------------------------------------------------------- inherit */

/*
 * The child's copy of @s, a TL_INHERIT value of local @l: into the slot the
 * child already has for @l if its value is NULL ("no value"), else into a
 * new slot.  A child's own non-NULL value is kept, and so is one an open
 * scope binds in it, even NULL (the scope's, put back at its exit).  The
 * copy hook is the caller's code: it may change either task, so @s is not
 * read after it, and what it did is checked before the copy is linked.
 */
static int inherit_one(struct tl_node *child, struct tl_local *l,
		       const struct tl_slot *s)
{
	uint32_t gen = s->gen, index = tl__slot_index(s);
	struct tl_slot *n = tl__find(child, gen, index);
	int err;

	if (n && (n->value || tl__slot_scoped(n, child)))
		return 0;
	if (n) {
		n->value = s->value;	/* typed storage is never NULL */
		return 0;
	}
	err = tl__task_adding(&child, true);
	if (err)
		return err;
	n = tl__slot_alloc(l->size);
	if (!n)
		return -ENOMEM;
	if (!l->size)
		n->value = s->value;
	else if (l->copy)
		l->copy(n->value, s->value, l->arg);
	else
		memcpy(n->value, s->value, l->size);
	/* The hook may have registered @l again: nothing to inherit then. */
	if (TL__UNLIKELY(TL__LOAD(&l->tl__gen, ACQUIRE) != gen)) {
		tl__slot_free(n);
		return 0;
	}
	/* Or given @child a value of its own, which is kept: not the copy. */
	if (TL__UNLIKELY(l->copy && tl__find(child, gen, index))) {
		if (l->destroy)
			l->destroy(n->value);
		tl__slot_free(n);
		return 0;
	}
	tl__slot_link(n, l, child, false);
	return 0;
}

int (tl_task_inherit)(struct tl_node *child, struct tl_node *parent)
{
	bool root = !parent;
	struct tl_node *node;
	int err = 0;

	if (!child)
		return -EINVAL;
	if (root)
		parent = tl__root();
	if (child == parent)
		return -EINVAL;
	if (!tl__list_ok(tl__task_ready(child)) ||
	    !tl__list_ok(tl__task_ready(parent)))
		return -EINVAL;

	/*
	 * A copy never matches a later value of @parent (another local), so
	 * copies go straight into @child, in index order.  After a copy hook
	 * (which may have removed values of @parent, this one too, or exited
	 * it) the walk goes on from the next index, found again, in the root
	 * context's list as it is then (an exit may have given its record
	 * back).
	 */
	for (node = parent->next; node != parent && !err;) {
		struct tl_slot *s = tl__slot_of(node);
		struct tl_local *l = tl__resolve(s);

		if (!l || !(l->flags & TL_INHERIT) || !s->value) {
			node = node->next;
		} else if (!l->size || !l->copy) {
			err = inherit_one(child, l, s);
			node = node->next;
		} else {
			uint32_t index = tl__slot_index(s);

			err = inherit_one(child, l, s);
			if (root)
				parent = tl__root();
			node = tl__slot_place(parent, index + 1);
		}
	}
	return err;
}

/* ------------------------------------------------------------- foreach */

int (tl_task_foreach)(struct tl_node *task,
		      int (*fn)(struct tl_local *local, void *value, void *arg),
		      void *arg)
{
	struct tl_slot *s, *n;

	if (!fn)
		return -EINVAL;
	task = task ? tl__task_ready(task) : tl__root();
	if (!tl__list_ok(task))
		return -EINVAL;
	tl_for_each_entry_safe(s, n, task, node) {
		struct tl_local *l = tl__resolve(s);
		int ret;

		if (!l || !s->value)
			continue;
		ret = fn(l, s->value, arg);
		if (ret)
			return ret;
	}
	return 0;
}
