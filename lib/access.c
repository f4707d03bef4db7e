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

/* False for a discriminator without current(), or a corrupted list. */
static bool locate(struct tl_local *l, struct place *p)
{
	struct tl_node *cur;

	p->head = tl__head_of(l, &cur);
	if (!p->head || !tl__list_ok(p->head))
		return false;
	p->tag = l->disc ? (struct tl_node *)((uintptr_t)cur | 1) : cur;
	return true;
}

static void cache_fill(const struct tl_local *l, const struct place *p,
		       struct tl_slot *s)
{
#if TL_CACHE_SIZE
	uint64_t key;
	TL__CENTRY *e = tl__entry(l, &key);

	/*
	 * Never the sentinel (offset 0), where unregistered locals point: a
	 * local unregistered meanwhile (by a typed local's init, say) must
	 * not make it match.
	 */
	if (!(key & 0xffff) || (TL__FS_CACHE && !l->tl__tpoff))
		return;
	e->task = p->tag;
	e->key = key;
	e->slot = s;
#else
	(void)l;
	(void)p;
	(void)s;
#endif
}

/* The current task's slot of registered local @l: the cache, or a walk. */
static struct tl_slot *lookup(struct tl_local *l, const struct place *p)
{
	struct tl_slot *s;
#if TL_CACHE_SIZE
	uint64_t key;
	const TL__CENTRY *e = tl__entry(l, &key);

	if (e->task == p->tag && e->key == key)
		return e->slot;
#endif
	s = tl__find(p->head, l->tl__gen, l->tl__index);
	if (s)
		cache_fill(l, p, s);
	return s;
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
	int err = tl__ensure_registered(l);

	if (err)
		return err;
	if (!locate(l, p))
		return -EINVAL;
	*s = lookup(l, p);
	return 0;
}

void *tl__get_slow(struct tl_local *l)
{
	struct place p;
	struct tl_slot *s;

	if (!tl_local_registered(l) || !locate(l, &p))
		return NULL;
	s = lookup(l, &p);
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
	if (!tl_local_registered(l))
		return -ENOENT;
	if (!locate(l, &p))
		return -EINVAL;
	s = lookup(l, &p);
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
