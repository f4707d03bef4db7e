// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * lib/scope.c - scoped bindings, with the binding's storage in the caller's
 * struct tl_scope.
 *
 * When the task has a value of the local, a scope swaps the value in that
 * value's own slot and links its slot, as a mark, just before it: lookups
 * keep finding the same slot (so every cache entry of every thread stays
 * right, even for a task that moves between threads inside the scope), and
 * the exit puts the saved value back.  The marks of one slot are adjacent,
 * the outermost first and the innermost next to the slot: "innermost" is
 * one comparison.  When the task has no value, the scope's slot is linked
 * as the value's, and its exit releases it like any value (the local's key
 * changes then).  No lock, no allocation for a registered local.
 */
#include "lookup.h"

/* Bind @value to @l in @task by swapping it into @base, @scope a mark. */
static inline void scope_mark(struct tl_scope *scope, struct tl_local *l,
			      struct tl_slot *base, struct tl_node *task,
			      void *value)
{
	struct tl_slot *s = &scope->tl__slot;

	/* A mark: no generation, the slot's index (index order). */
	s->gen = 0;
	s->info = TL__SLOT_BOUND | TL__SLOT_SCOPE | (base->info & TL__SLOT_INDEX);
	s->value = NULL;
	tl_node_add_tail(&s->node, &base->node);
	scope->tl__task = task;
	scope->tl__local = l;
	scope->tl__base = base;
	scope->tl__saved = base->value;
	base->value = value;
}

/* The general way in: registration, the discriminator, a walk. */
static __attribute__((noinline)) int scope_enter_walk(struct tl_scope *scope,
						      struct tl_local *l,
						      void *value)
{
	struct tl__place p;
	struct tl_slot *base, *s = &scope->tl__slot;
	int err = tl__prepare(l, &p, &base, TL__PROBED_NOTHING);

	if (err)
		return err;
	if (base) {
		scope_mark(scope, l, base, p.head, value);
		return 0;
	}
	/* No value: the scope's slot is the value's, for its extent. */
	s->info = TL__SLOT_BOUND | TL__SLOT_SCOPE;
	s->value = value;
	tl__slot_link(s, l, p.head, false);
	scope->tl__task = p.head;
	scope->tl__local = l;
	scope->tl__base = s;
	scope->tl__saved = NULL;
	tl__cache_fill(l, &p, s);
	return 0;
}

int (tl_scope_enter)(struct tl_scope *scope, struct tl_local *l, void *value)
{
#if TL_CACHE_SIZE
	struct tl_slot *base;
#endif

	if (!scope || !l || l->size)
		return -EINVAL;
#if TL_CACHE_SIZE
	/* The value cached for the current task: the inline path's probe. */
	if (tl__cached(l, &base, false) && base != &tl__none) {
		scope_mark(scope, l, base,
			   tl__thread.cur ? tl__thread.cur : tl__root(), value);
		return 0;
	}
#endif
	return scope_enter_walk(scope, l, value);
}

/* Unlink @scope, showing again what it shadowed. */
static void scope_close(struct tl_scope *scope)
{
	struct tl_slot *s = &scope->tl__slot;
	struct tl_node *task = scope->tl__task;

	tl_node_del(&s->node);
	scope->tl__task = NULL;
	if (scope->tl__base != s)
		scope->tl__base->value = scope->tl__saved;
	else
		tl__unlinked(s, task, NULL);	/* no entry may lead here */
}

/* Whether a scope's mark stands before @base: then it is not innermost. */
static bool marked(const struct tl_slot *base, const struct tl_node *task)
{
	return base->node.prev != task &&
	       tl__scope_mark(tl_container_of(base->node.prev, struct tl_slot,
					      node));
}

int (tl_scope_exit)(struct tl_scope *scope)
{
	struct tl_slot *base;

	if (!scope || !scope->tl__task)
		return -EINVAL;
	base = scope->tl__base;
	/* The innermost: next to the slot, or the slot with no mark before. */
	if (base == &scope->tl__slot ? marked(base, scope->tl__task)
				     : base->node.prev != &scope->tl__slot.node) {
#if TL_DEBUG
		tl__report("tl_scope_exit() of a scope that is not the innermost of its local");
#endif
		return -EINVAL;
	}
	scope_close(scope);
	return 0;
}

/*
 * @fn left a scope of its own open inside @scope, whose storage is on
 * tl_scope_run()'s stack: close @scope anyway, with every scope opened
 * inside it, and give the value back what it had before them all.
 */
static void scope_force_close(struct tl_scope *scope)
{
	struct tl_slot *s = &scope->tl__slot, *first = s;

#if TL_DEBUG
	tl__report("tl_scope_run(): fn left a scope open");
#endif
	if (scope->tl__base != s) {
		/* A mark: the ones after it, up to the slot, are inside it. */
		tl__scope_unwind(s);
		return;
	}
	/* The scope's own slot: every mark before it is inside it. */
	while (first->node.prev != scope->tl__task &&
	       tl__scope_mark(tl__slot_of(first->node.prev)))
		first = tl__slot_of(first->node.prev);
	if (first != s)
		tl__scope_unwind(first);
	scope_close(scope);
}

int (tl_scope_run)(struct tl_local *l, void *value, int (*fn)(void *arg),
		   void *arg)
{
	struct tl_scope scope;
	int ret;

	if (!fn)
		return -EINVAL;
	ret = (tl_scope_enter)(&scope, l, value);
	if (ret)
		return ret;
	ret = fn(arg);
	if ((tl_scope_exit)(&scope) && scope.tl__task)
		scope_force_close(&scope);
	return ret;
}
