// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * lib/access.c - the slow half of tl_get/tl_set/tl_this (a cache miss: walk
 * the current task's list, then fill the cache) and the calls that are
 * never on the hot path: tl_del and tl_bind.
 */
#include "internal.h"

/*
 * The list that holds @l's value for the current task, checked under
 * TL_DEBUG; NULL for a discriminator without a current() callback or a
 * corrupted list.
 */
static struct tl_node *task_of(struct tl_local *l, struct tl_node **cur)
{
	struct tl_node *head = tl__head_of(l, cur);

	return head && tl__list_ok(head) ? head : NULL;
}

/*
 * Remember that @s holds @l's value while @cur is current.  Locals with a
 * discriminator have key 0 and are never cached: the hot path only knows
 * the default discriminator's current task.
 */
static void cache_fill(const struct tl_local *l, struct tl_node *cur,
		       struct tl_slot *s)
{
#if TL_CACHE_SIZE
	uint64_t key = tl__key(l);
	struct tl__centry *e;

	if (!key)
		return;
	e = (struct tl__centry *)((char *)tl__thread.cache + (key & 0xffff));
	e->task = cur;
	e->key = key;
	e->slot = s;
#else
	(void)l;
	(void)cur;
	(void)s;
#endif
}

void *tl__get_slow(struct tl_local *l)
{
	struct tl_node *cur, *head;
	struct tl_slot *s;

	if (!tl_local_registered(l))
		return NULL;
	head = task_of(l, &cur);
	if (!head)
		return NULL;
	s = tl__find(head, l->tl__gen);
	if (!s)
		return NULL;
	cache_fill(l, cur, s);
	return s->value;
}

int tl__set_slow(struct tl_local *l, void *value)
{
	struct tl_node *cur, *head;
	struct tl_slot *s;
	int err;

	if (!l || l->size)
		return -EINVAL;
	err = tl__ensure_registered(l);
	if (err)
		return err;
	head = task_of(l, &cur);
	if (!head)
		return -EINVAL;
	s = tl__find(head, l->tl__gen);
	if (!s) {
		if (!value)
			return 0;	/* NULL is "no value": nothing to store */
		s = tl__slot_alloc(0);
		if (!s)
			return -ENOMEM;
		tl__slot_link(s, l, head);
	}
	s->value = value;
	cache_fill(l, cur, s);
	return 0;
}

void *tl__this_slow(struct tl_local *l)
{
	struct tl_node *cur, *head;
	struct tl_slot *s;

	if (!l || !l->size || tl__ensure_registered(l))
		return NULL;
	head = task_of(l, &cur);
	if (!head)
		return NULL;
	s = tl__find(head, l->tl__gen);
	if (!s) {
		s = tl__slot_alloc(l->size);
		if (!s)
			return NULL;
		if (l->init)
			l->init(s->value, l->arg);
		else
			memset(s->value, 0, l->size);
		tl__slot_link(s, l, head);
	}
	cache_fill(l, cur, s);
	return s->value;
}

int (tl_del)(struct tl_local *l)
{
	struct tl_node *cur, *head;
	struct tl_slot *s;
	bool had_value;

	if (!l)
		return -EINVAL;
	if (!tl_local_registered(l))
		return -ENOENT;
	head = task_of(l, &cur);
	if (!head)
		return -EINVAL;
	s = tl__find(head, l->tl__gen);
	if (!s)
		return -ENOENT;
	had_value = s->value != NULL;
	tl_node_del(&s->node);
	tl__release(s, true);
	return had_value ? 0 : -ENOENT;
}

int (tl_bind)(struct tl_local *l, struct tl_slot *slot, void *value)
{
	struct tl_node *cur, *head;
	struct tl_slot *old;
	int err;

	if (!l || !slot || l->size)
		return -EINVAL;
	err = tl__ensure_registered(l);
	if (err)
		return err;
	head = task_of(l, &cur);
	if (!head)
		return -EINVAL;
	old = tl__find(head, l->tl__gen);
	if (old != slot) {
		if (!tl__slot_unlinked(slot))
			return -EINVAL;
		if (old) {
			tl_node_del(&old->node);
			tl__release(old, false);
		}
		slot->info = TL__SLOT_BOUND;
		tl__slot_link(slot, l, head);
	}
	slot->value = value;
	cache_fill(l, cur, slot);
	return 0;
}
