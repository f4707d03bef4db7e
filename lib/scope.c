// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * lib/scope.c - scoped bindings: a struct tl_scope holds a slot of the
 * caller's, linked into the current task just before the value it shadows,
 * so that a lookup finds it first and its exit shows that value again.
 * The slots of one task and local are adjacent in the task's list, the
 * innermost first: that the scope's predecessor is no slot of its local is
 * the O(1) test of "innermost".  No lock, no allocation for a registered
 * local; the local's key changes at entry and exit, so that no cache entry
 * of any thread (a task may move between threads inside a scope) shows the
 * wrong binding.
 */
#include "lookup.h"

/*
 * The entry of the current task (@p) and @l that holds key @old (before an
 * invalidation) holds @s under the new key; without one, as
 * tl__cache_fill().
 */
static void cache_rekey(struct tl_local *l, const struct tl__place *p,
			uint64_t old, struct tl_slot *s)
{
#if TL_CACHE_SIZE
	struct tl__centry *e = tl__set_of(l);
	int w;

	if (s == &tl__none)
		tl__cache_mark_none(l);
	if (!TL_THREADS)
		tl__lock();
	for (w = 0; w < TL__WAYS; w++)
		if (tl__entry_is(&e[w], p->tag, old)) {
			e[w].key = TL__LOAD(&l->tl__key, RELAXED);
			e[w].slot = s;
			break;
		}
	if (!TL_THREADS)
		tl__unlock();
	if (w == TL__WAYS)
#else
	(void)old;
#endif
		tl__cache_fill(l, p, s);
}

int (tl_scope_enter)(struct tl_scope *scope, struct tl_local *l, void *value)
{
	struct tl__place p;
	struct tl_slot *shadowed, *s;
	uint64_t old;
	int err;

	if (!scope || !l || l->size)
		return -EINVAL;
	err = tl__prepare(l, &p, &shadowed);
	if (err)
		return err;
	s = &scope->tl__slot;
	s->info = TL__SLOT_BOUND | TL__SLOT_SCOPE;
	s->value = value;
	if (shadowed)
		tl__slot_link_before(s, l, &shadowed->node);
	else
		tl__slot_link(s, l, p.head);
	scope->tl__task = p.head;
	scope->tl__local = l;
	old = TL__LOAD(&l->tl__key, RELAXED);
	tl__invalidate(l);
	cache_rekey(l, &p, old, s);
	return 0;
}

/* Unlink @scope's binding and show what it shadowed. */
static void scope_close(struct tl_scope *scope)
{
	struct tl_node *task = scope->tl__task, *next;
	struct tl_slot *s = &scope->tl__slot;
	struct tl_local *l = scope->tl__local;
	struct tl__place p;
	uint64_t old;

	next = s->node.next;
	tl_node_del(&s->node);
	scope->tl__task = NULL;
	/* Unregistered meanwhile: its key changed then, no entry holds it. */
	if (TL__LOAD(&l->tl__gen, ACQUIRE) != s->gen)
		return;
	old = TL__LOAD(&l->tl__key, RELAXED);
	tl__invalidate(l);
	/* What shows now, cached for the next lookup if the task is current. */
	if (tl__locate(l, &p) && p.head == task) {
		if (next != task && tl__slot_same(tl__slot_of(next), s))
			cache_rekey(l, &p, old, tl__slot_of(next));
		else
			cache_rekey(l, &p, old, &tl__none);
	}
}

int (tl_scope_exit)(struct tl_scope *scope)
{
	if (!scope || !scope->tl__task)
		return -EINVAL;
	if (!tl__slot_visible(&scope->tl__slot, scope->tl__task)) {
#if TL_DEBUG
		tl__report("tl_scope_exit() of a scope that is not the innermost of its local");
#endif
		return -EINVAL;
	}
	scope_close(scope);
	return 0;
}

int tl_scope_run(struct tl_local *l, void *value, int (*fn)(void *arg),
		 void *arg)
{
	struct tl_scope scope;
	int ret;

	if (!fn)
		return -EINVAL;
	ret = tl_scope_enter(&scope, l, value);
	if (ret)
		return ret;
	ret = fn(arg);
	/*
	 * Closed even if @fn left a scope of its own open: this one's
	 * storage is on this stack.
	 */
	if (tl_scope_exit(&scope) && scope.tl__task)
		scope_close(&scope);
	return ret;
}
