// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * unit/task.c - whole-task operations of lib/task.c: exit with destructor
 * rounds, the root context, inheritance on spawn, introspection, and the
 * per-scheduler discriminator.
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"

/* -------------------------------------------------------------- exit */

static struct tl_local respawn;
static int respawn_calls;
static struct tl_node *current_in_dtor;
static void *value_in_dtor;

/* A destructor that sets its own local again, every time. */
static void set_again(void *v)
{
	respawn_calls++;
	current_in_dtor = tl_current();
	value_in_dtor = tl_get(&respawn);
	tl_set(&respawn, v);
}

static void test_destructor_rounds_are_bounded(void)
{
	struct tl_node t = TL_NODE_INIT(t);

	memset(&respawn, 0, sizeof(respawn));
	respawn.destroy = set_again;
	respawn_calls = 0;
	tl_switch(&t);
	tl_set(&respawn, "immortal");
	tl_switch(NULL);
	tl_task_exit(&t);
	CU_ASSERT_EQUAL(respawn_calls, TL_DESTRUCTOR_ITERATIONS);
	/* The task was current, and the value already gone, in each call. */
	CU_ASSERT_PTR_EQUAL(current_in_dtor, &t);
	CU_ASSERT_PTR_NULL(value_in_dtor);
	CU_ASSERT_PTR_NULL(tl_current());
	CU_ASSERT_TRUE(tl_node_empty(&t));
	tl_local_unregister(&respawn);
	UNIT_ASSERT_NOTHING_HELD();
}

static struct tl_local chain[3];
static int chain_calls[3];

/* Destroying chain[i] sets chain[i + 1]: one more round each. */
static void chain_dtor(void *v)
{
	int i = (int)((struct tl_local *)v - chain);

	chain_calls[i]++;
	if (i + 1 < 3)
		tl_set(&chain[i + 1], &chain[i + 1]);
}

static void test_destructor_setting_another_local_gets_another_round(void)
{
	struct tl_node t = TL_NODE_INIT(t);
	int i;

	memset(chain, 0, sizeof(chain));
	memset(chain_calls, 0, sizeof(chain_calls));
	for (i = 0; i < 3; i++)
		chain[i].destroy = chain_dtor;
	tl_switch(&t);
	tl_set(&chain[0], &chain[0]);
	tl_switch(NULL);
	tl_task_exit(&t);
	for (i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(chain_calls[i], 1);
		tl_local_unregister(&chain[i]);
	}
	UNIT_ASSERT_NOTHING_HELD();
}

static int plain_calls;

static void count_plain(void *v)
{
	(void)v;
	plain_calls++;
}

static void test_exit_skips_null_values_and_unregistered_locals(void)
{
	struct tl_local a = TL_LOCAL(.destroy = count_plain);
	struct tl_local b = TL_LOCAL(.destroy = count_plain);
	struct tl_local c = TL_LOCAL(.destroy = count_plain, .size = 16);
	struct tl_node t = TL_NODE_INIT(t);

	plain_calls = 0;
	tl_switch(&t);
	tl_set(&a, "a");
	tl_set(&a, NULL);	/* slot kept, value gone */
	tl_set(&b, "b");
	tl_this(&c);
	tl_switch(NULL);
	CU_ASSERT_EQUAL(tl_local_unregister(&b), 0);	/* no destructor, ever */
	CU_ASSERT_EQUAL(tl_local_unregister(&c), 0);
	tl_task_exit(&t);
	CU_ASSERT_EQUAL(plain_calls, 0);
	CU_ASSERT_TRUE(tl_node_empty(&t));
	tl_local_unregister(&a);
	UNIT_ASSERT_NOTHING_HELD();	/* their slots were reclaimed too */
}

static void test_exit_twice_and_reuse(void)
{
	struct tl_local l = TL_LOCAL(.destroy = count_plain);
	struct tl_node t = TL_NODE_INIT(t);
	struct tl_node zeroed;

	plain_calls = 0;
	tl_task_init(NULL);			/* nothing to do, no crash */
	tl_task_exit(NULL);
	tl_switch(&t);
	tl_set(&l, "first life");
	tl_switch(NULL);
	tl_task_exit(&t);
	tl_task_exit(&t);			/* already empty */
	CU_ASSERT_EQUAL(plain_calls, 1);
	tl_switch(&t);				/* usable again */
	CU_ASSERT_PTR_NULL(tl_get(&l));
	tl_set(&l, "second life");
	tl_switch(NULL);
	tl_task_exit(&t);
	CU_ASSERT_EQUAL(plain_calls, 2);

	/* A zero-filled node is an empty task. */
	memset(&zeroed, 0, sizeof(zeroed));
	tl_switch(&zeroed);
	CU_ASSERT_PTR_NULL(tl_get(&l));
	CU_ASSERT_EQUAL(tl_set(&l, "z"), 0);
	tl_switch(NULL);
	tl_task_exit(&zeroed);
	CU_ASSERT_EQUAL(plain_calls, 3);
	tl_local_unregister(&l);
	UNIT_ASSERT_NOTHING_HELD();
}

static void test_root_context_is_separate_and_exits(void)
{
	struct tl_local l = TL_LOCAL(.destroy = count_plain);
	struct tl_node t = TL_NODE_INIT(t);

	plain_calls = 0;
	CU_ASSERT_PTR_NULL(tl_current());
	tl_set(&l, "root");
	tl_switch(&t);
	CU_ASSERT_PTR_NULL(tl_get(&l));
	tl_set(&l, "task");
	tl_switch(NULL);
	CU_ASSERT_STRING_EQUAL(tl_get(&l), "root");
	tl_root_exit();
	CU_ASSERT_EQUAL(plain_calls, 1);
	CU_ASSERT_PTR_NULL(tl_get(&l));
	tl_root_exit();				/* nothing left: harmless */
	tl_set(&l, "root again");		/* usable after its exit */
	CU_ASSERT_STRING_EQUAL(tl_get(&l), "root again");
	tl_root_exit();
	CU_ASSERT_EQUAL(plain_calls, 2);
	tl_task_exit(&t);
	CU_ASSERT_EQUAL(plain_calls, 3);
	tl_local_unregister(&l);
	UNIT_ASSERT_NOTHING_HELD();
}

/*
 * A destructor reading or setting another local of the exiting task gets
 * the same answer whether or not that local's cache entry was warm.
 */
static struct tl_local warm_a, warm_b;
static void *warm_seen;
static int warm_b_calls;
static void *warm_b_values[4];

static void warm_a_dtor(void *v)
{
	(void)v;
	warm_seen = tl_get(&warm_b);
	tl_set(&warm_b, (void *)0xb1);
}

static void warm_b_dtor(void *v)
{
	warm_b_values[warm_b_calls++ % 4] = v;
}

static void test_destructors_see_no_stale_cache(void)
{
	struct tl_node t = TL_NODE_INIT(t);
	int warm;

	for (warm = 0; warm < 2; warm++) {
		memset(&warm_a, 0, sizeof(warm_a));
		memset(&warm_b, 0, sizeof(warm_b));
		warm_a.destroy = warm_a_dtor;
		warm_b.destroy = warm_b_dtor;
		warm_b_calls = 0;
		warm_seen = (void *)1;
		tl_switch(&t);
		tl_set(&warm_b, (void *)0xb0);
		tl_set(&warm_a, (void *)0xa0);
		if (warm)
			CU_ASSERT_PTR_EQUAL(tl_get(&warm_b), (void *)0xb0);
		tl_switch(NULL);
		tl_task_exit(&t);
		/* b's turn came first (lower index): a's destructor saw it gone. */
		CU_ASSERT_PTR_NULL(warm_seen);
		CU_ASSERT_EQUAL(warm_b_calls, 2);
		CU_ASSERT(warm_b_values[0] == (void *)0xb0 || warm_b_values[1] == (void *)0xb0);
		CU_ASSERT(warm_b_values[0] == (void *)0xb1 || warm_b_values[1] == (void *)0xb1);
		tl_local_unregister(&warm_a);
		tl_local_unregister(&warm_b);
	}
	UNIT_ASSERT_NOTHING_HELD();
}

/* Locals of any discriminator, set by a destructor, land in the exiting task. */
static struct tl_sched exit_sched;
static struct tl_local sched_a, sched_b;
static int sched_b_calls;

static void sched_a_dtor(void *v)
{
	(void)v;
	CU_ASSERT_EQUAL(tl_set(&sched_b, (void *)0xb), 0);
}

static void sched_b_dtor(void *v)
{
	CU_ASSERT_PTR_EQUAL(v, (void *)0xb);
	sched_b_calls++;
}

static void test_destructor_sets_in_exiting_task_whatever_the_discriminator(void)
{
	struct tl_node t = TL_NODE_INIT(t), other = TL_NODE_INIT(other);

	tl_sched_init(&exit_sched);
	memset(&sched_a, 0, sizeof(sched_a));
	memset(&sched_b, 0, sizeof(sched_b));
	sched_a.disc = sched_b.disc = &exit_sched.disc;
	sched_a.destroy = sched_a_dtor;
	sched_b.destroy = sched_b_dtor;
	sched_b_calls = 0;

	tl_sched_switch(&exit_sched, &t);
	tl_set(&sched_a, (void *)0xa);
	/* The scheduler has moved on by the time t is exited. */
	tl_sched_switch(&exit_sched, &other);
	tl_task_exit(&t);
	CU_ASSERT_EQUAL(sched_b_calls, 1);
	CU_ASSERT_PTR_NULL(tl_get(&sched_b));		/* not in other */
	tl_sched_switch(&exit_sched, NULL);
	CU_ASSERT_PTR_NULL(tl_get(&sched_b));		/* nor in the root */
	CU_ASSERT_TRUE(tl_node_empty(&other));
	tl_local_unregister(&sched_a);
	tl_local_unregister(&sched_b);
	UNIT_ASSERT_NOTHING_HELD();
}

/* A root destructor that exits the root again, and sets a value after. */
static struct tl_local nested_a, nested_b;
static int nested_calls;

static void nested_b_dtor(void *v)
{
	(void)v;
	nested_calls++;
}

static void nested_a_dtor(void *v)
{
	(void)v;
	nested_calls++;
	tl_set(&nested_b, (void *)0xb);
	tl_root_exit();			/* the outer exit's rounds handle it */
	tl_set(&nested_b, (void *)0xbb);
}

static void test_root_exit_from_a_root_destructor(void)
{
	memset(&nested_a, 0, sizeof(nested_a));
	memset(&nested_b, 0, sizeof(nested_b));
	nested_a.destroy = nested_a_dtor;
	nested_b.destroy = nested_b_dtor;
	nested_calls = 0;
	tl_set(&nested_a, (void *)0xa);
	tl_root_exit();
	CU_ASSERT_EQUAL(nested_calls, 2);	/* a, then b in round two */
	CU_ASSERT_PTR_NULL(tl_get(&nested_a));
	CU_ASSERT_PTR_NULL(tl_get(&nested_b));
	tl_local_unregister(&nested_a);
	tl_local_unregister(&nested_b);
	UNIT_ASSERT_NOTHING_HELD();
}

/* The embedded-slot pattern: the destructor frees what holds the slot. */
struct owner {
	int payload;
	struct tl_slot slot;
};

static void free_owner(void *v)
{
	free(v);
}

static void test_destructor_may_free_the_bound_slots_owner(void)
{
	struct tl_local l = TL_LOCAL(.destroy = free_owner);
	struct tl_node t = TL_NODE_INIT(t);
	struct owner *o = calloc(1, sizeof(*o)), *p = calloc(1, sizeof(*p));

	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	tl_switch(&t);
	CU_ASSERT_EQUAL(tl_bind(&l, &o->slot, o), 0);
	CU_ASSERT_EQUAL(tl_del(&l), 0);			/* frees o */
	CU_ASSERT_EQUAL(tl_bind(&l, &p->slot, p), 0);
	tl_switch(NULL);
	tl_task_exit(&t);				/* frees p */
	tl_local_unregister(&l);
	UNIT_ASSERT_NOTHING_HELD();
}

/* A destructor that switches to another task reaches that task's values. */
static struct tl_local yield_l;
static struct tl_node *yield_other;
static void *yield_seen;

static void yield_dtor(void *v)
{
	struct tl_node *prev;

	(void)v;
	prev = tl_switch(yield_other);
	yield_seen = tl_get(&yield_l);
	tl_switch(prev);
}

static void test_destructor_switching_tasks_sees_the_other_task(void)
{
	struct tl_sched s;
	struct tl_node t = TL_NODE_INIT(t), other = TL_NODE_INIT(other);
	struct tl_local plain = TL_LOCAL(.destroy = yield_dtor);

	/* A local of a scheduler that runs other: never on the inline path. */
	tl_sched_init(&s);
	tl_sched_switch(&s, &other);
	memset(&yield_l, 0, sizeof(yield_l));
	yield_l.disc = &s.disc;
	yield_other = &other;
	tl_set(&yield_l, (void *)42);
	tl_switch(&t);
	tl_set(&plain, (void *)1);
	tl_switch(NULL);
	tl_task_exit(&t);
	CU_ASSERT_PTR_EQUAL(yield_seen, (void *)42);
	CU_ASSERT_PTR_EQUAL(tl_get(&yield_l), (void *)42);	/* still there */
	tl_task_exit(&other);
	tl_local_unregister(&yield_l);
	tl_local_unregister(&plain);
	UNIT_ASSERT_NOTHING_HELD();
}

/* ----------------------------------------------------------- inherit */

struct ctx {
	int depth;
	char tag[8];
};

static int copies;

static void ctx_copy(void *dst, const void *src, void *arg)
{
	const struct ctx *s = src;
	struct ctx *d = dst;

	copies++;
	d->depth = s->depth + *(int *)arg;
	memcpy(d->tag, s->tag, sizeof(d->tag));
}

static int one = 1;

static void test_inherit_copies_only_flagged_locals(void)
{
	struct tl_local request = TL_LOCAL(.name = "request", .flags = TL_INHERIT);
	struct tl_local scratch = TL_LOCAL(.name = "scratch");
	struct tl_local trace = TL_LOCAL(.size = sizeof(struct ctx),
					 .copy = ctx_copy, .arg = &one,
					 .flags = TL_INHERIT);
	struct tl_local raw = TL_LOCAL(.size = sizeof(struct ctx),
				       .flags = TL_INHERIT);
	struct tl_local unset = TL_LOCAL(.flags = TL_INHERIT);
	struct tl_node parent = TL_NODE_INIT(parent), child = TL_NODE_INIT(child);
	struct ctx *c;

	copies = 0;
	tl_switch(&parent);
	tl_set(&request, "req-1");
	tl_set(&scratch, "parent only");
	tl_set(&unset, NULL);
	c = tl_this(&trace);
	c->depth = 1;
	strcpy(c->tag, "abc");
	c = tl_this(&raw);
	c->depth = 7;

	CU_ASSERT_EQUAL(tl_task_inherit(&child, &parent), 0);
	tl_switch(&child);
	CU_ASSERT_STRING_EQUAL(tl_get(&request), "req-1");
	CU_ASSERT_PTR_NULL(tl_get(&scratch));
	CU_ASSERT_PTR_NULL(tl_get(&unset));
	c = tl_get(&trace);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->depth, 2);
	CU_ASSERT_STRING_EQUAL(c->tag, "abc");
	CU_ASSERT_EQUAL(copies, 1);
	c = tl_get(&raw);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->depth, 7);
	/* Separate storage: changing the child's copy leaves the parent's. */
	c->depth = 100;
	tl_set(&request, "req-child");
	tl_switch(&parent);
	CU_ASSERT_EQUAL(((struct ctx *)tl_get(&raw))->depth, 7);
	CU_ASSERT_STRING_EQUAL(tl_get(&request), "req-1");

	/* Values the child already has are kept. */
	CU_ASSERT_EQUAL(tl_task_inherit(&child, &parent), 0);
	tl_switch(&child);
	CU_ASSERT_STRING_EQUAL(tl_get(&request), "req-child");
	CU_ASSERT_EQUAL(copies, 1);

	tl_switch(NULL);
	tl_task_exit(&parent);
	tl_task_exit(&child);
	tl_local_unregister(&request);
	tl_local_unregister(&scratch);
	tl_local_unregister(&trace);
	tl_local_unregister(&raw);
	tl_local_unregister(&unset);
	UNIT_ASSERT_NOTHING_HELD();
}

/* NULL is "no value": a child holding a slot with NULL still inherits. */
static void test_inherit_fills_a_childs_null_value(void)
{
	struct tl_local req = TL_LOCAL(.flags = TL_INHERIT);
	struct tl_node parent = TL_NODE_INIT(parent), child = TL_NODE_INIT(child);
	struct tl_slot bound;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		memset(&bound, 0, sizeof(bound));
		tl_switch(&parent);
		CU_ASSERT_EQUAL(tl_set(&req, "from parent"), 0);
		tl_switch(&child);
		/* A slot whose value is NULL: by tl_set, or by tl_bind. */
		if (pass == 0) {
			CU_ASSERT_EQUAL(tl_set(&req, "was set"), 0);
			CU_ASSERT_EQUAL(tl_set(&req, NULL), 0);
		} else {
			CU_ASSERT_EQUAL(tl_bind(&req, &bound, NULL), 0);
		}
		CU_ASSERT_EQUAL(tl_task_inherit(&child, &parent), 0);
		CU_ASSERT_STRING_EQUAL(tl_get(&req), "from parent");
		tl_switch(NULL);
		tl_task_exit(&child);
		tl_task_exit(&parent);
	}
	tl_local_unregister(&req);
	UNIT_ASSERT_NOTHING_HELD();
}

static void test_inherit_bad_input_and_root_parent(void)
{
	struct tl_local l = TL_LOCAL(.flags = TL_INHERIT);
	struct tl_node t = TL_NODE_INIT(t);

	CU_ASSERT_EQUAL(tl_task_inherit(NULL, &t), -EINVAL);
	CU_ASSERT_EQUAL(tl_task_inherit(NULL, NULL), -EINVAL);
	CU_ASSERT_EQUAL(tl_task_inherit(&t, &t), -EINVAL);
	tl_set(&l, "from root");
	CU_ASSERT_EQUAL(tl_task_inherit(&t, NULL), 0);
	tl_switch(&t);
	CU_ASSERT_STRING_EQUAL(tl_get(&l), "from root");
	tl_switch(NULL);
	tl_task_exit(&t);
	tl_root_exit();
	tl_local_unregister(&l);
	UNIT_ASSERT_NOTHING_HELD();
}

static void test_inherit_out_of_memory_keeps_what_was_copied(void)
{
	struct tl_local l[3] = {
		TL_LOCAL(.flags = TL_INHERIT), TL_LOCAL(.flags = TL_INHERIT),
		TL_LOCAL(.flags = TL_INHERIT)
	};
	struct tl_node parent = TL_NODE_INIT(parent), child = TL_NODE_INIT(child);
	int i, found = 0;

	unit_alloc_install(-1);
	tl_switch(&parent);
	for (i = 0; i < 3; i++)
		tl_set(&l[i], &l[i]);
	unit_alloc.fail_after = 1;		/* one more slot, then none */
	CU_ASSERT_EQUAL(tl_task_inherit(&child, &parent), -ENOMEM);
	tl_switch(&child);
	for (i = 0; i < 3; i++)
		found += tl_get(&l[i]) == &l[i];
	CU_ASSERT_EQUAL(found, 1);
	tl_switch(&parent);
	for (i = 0; i < 3; i++)
		CU_ASSERT_PTR_EQUAL(tl_get(&l[i]), &l[i]);	/* intact */
	tl_switch(NULL);
	tl_task_exit(&parent);
	tl_task_exit(&child);
	for (i = 0; i < 3; i++)
		tl_local_unregister(&l[i]);
	unit_alloc_remove();
}

/*
 * A copy hook is the caller's code and may change both tasks: the walk of
 * the parent goes on safely after it, and the child never ends up with two
 * values of one local.
 */
static struct tl_node hook_parent, hook_child;
static int hook_mode, hook_destroyed;
static void hook_copy(void *dst, const void *src, void *arg);
static void hook_destroy(void *data);
static struct tl_local hook_local = TL_LOCAL(.size = sizeof(long),
					     .copy = hook_copy,
					     .destroy = hook_destroy,
					     .flags = TL_INHERIT);
static struct tl_local hook_next = TL_LOCAL(.flags = TL_INHERIT);

static void hook_copy(void *dst, const void *src, void *arg)
{
	struct tl_node *was;
	long *own;

	(void)arg;
	memcpy(dst, src, sizeof(long));
	switch (hook_mode) {
	case 0:		/* "move": the parent's value goes */
		CU_ASSERT_EQUAL(tl_del(&hook_local), 0);
		break;
	case 1:		/* the parent ends */
		tl_task_exit(&hook_parent);
		break;
	case 3:		/* the parent is the root context, and ends */
		tl_root_exit();
		break;
	case 2:		/* the child gets a value of its own */
		was = tl_switch(&hook_child);
		own = tl_this(&hook_local);
		CU_ASSERT_PTR_NOT_NULL_FATAL(own);
		*own = 99;
		tl_switch(was);
		break;
	}
}

static void hook_destroy(void *data)
{
	(void)data;
	hook_destroyed++;
}

static int count_values(struct tl_local *l, void *value, void *arg)
{
	(void)l;
	(void)value;
	(*(int *)arg)++;
	return 0;
}

static void test_inherit_copy_hook_that_changes_the_tasks(void)
{
	struct tl_node *from;
	int n, ends;

	for (hook_mode = 0; hook_mode < 4; hook_mode++) {
		from = hook_mode == 3 ? NULL : &hook_parent;
		ends = hook_mode == 1 || hook_mode == 3;
		hook_destroyed = 0;
		tl_task_init(&hook_parent);
		tl_task_init(&hook_child);
		tl_switch(from);
		*(long *)tl_this(&hook_local) = 7;
		CU_ASSERT_EQUAL(tl_set(&hook_next, "next"), 0);
		CU_ASSERT_EQUAL(tl_task_inherit(&hook_child, from), 0);
		tl_switch(&hook_child);
		n = 0;
		CU_ASSERT_EQUAL(tl_task_foreach(&hook_child, count_values, &n), 0);
		/* The value after the hook's: copied unless the hook exited it. */
		CU_ASSERT_EQUAL(n, ends ? 1 : 2);
		CU_ASSERT_EQUAL(*(long *)tl_get(&hook_local),
				hook_mode == 2 ? 99 : 7);
		if (!ends) {
			CU_ASSERT_STRING_EQUAL(tl_get(&hook_next), "next");
		}
		/*
		 * One destructor so far: the parent's value the hook removed,
		 * or the copy that was not kept (copies and destroys pair).
		 */
		CU_ASSERT_EQUAL(hook_destroyed, 1);
		tl_switch(NULL);
		tl_task_exit(&hook_child);
		tl_task_exit(&hook_parent);
		tl_root_exit();
		/* And every value left: the child's, the parent's unless gone. */
		CU_ASSERT_EQUAL(hook_destroyed, hook_mode == 2 ? 3 : 2);
	}
	tl_local_unregister(&hook_local);
	tl_local_unregister(&hook_next);
	UNIT_ASSERT_NOTHING_HELD();
}

/* What an open scope binds in the child is the child's, even NULL. */
static void test_inherit_keeps_what_a_scope_binds_in_the_child(void)
{
	struct tl_local req = TL_LOCAL(.flags = TL_INHERIT);
	struct tl_node parent = TL_NODE_INIT(parent), child = TL_NODE_INIT(child);
	struct tl_scope sc;
	int own;

	for (own = 0; own < 2; own++) {
		tl_switch(&parent);
		CU_ASSERT_EQUAL(tl_set(&req, "from parent"), 0);
		tl_switch(&child);
		if (own) {
			CU_ASSERT_EQUAL(tl_set(&req, "own"), 0);
		}
		CU_ASSERT_EQUAL(tl_scope_enter(&sc, &req, NULL), 0);
		CU_ASSERT_EQUAL(tl_task_inherit(&child, &parent), 0);
		CU_ASSERT_PTR_NULL(tl_get(&req));
		CU_ASSERT_EQUAL(tl_scope_exit(&sc), 0);
		if (own) {
			CU_ASSERT_STRING_EQUAL(tl_get(&req), "own");
		} else {
			CU_ASSERT_PTR_NULL(tl_get(&req));
		}
		tl_switch(NULL);
		tl_task_exit(&child);
		tl_task_exit(&parent);
	}
	tl_local_unregister(&req);
	UNIT_ASSERT_NOTHING_HELD();
}

/* ----------------------------------------------------------- foreach */

struct visit {
	int count;
	int stop_at;
	char names[64];
};

static int note_visit(struct tl_local *local, void *value, void *arg)
{
	struct visit *v = arg;

	v->count++;
	strcat(v->names, local->name ? local->name : "?");
	strcat(v->names, "=");
	strcat(v->names, local->size ? "typed" : (char *)value);
	strcat(v->names, ";");
	return v->count == v->stop_at ? 42 : 0;
}

static void test_foreach_visits_live_values_with_names(void)
{
	struct tl_local a = TL_LOCAL(.name = "a"), b = TL_LOCAL(.name = "b");
	struct tl_local n = TL_LOCAL(.name = "null"), gone = TL_LOCAL(.name = "gone");
	struct tl_local typed = TL_LOCAL(.name = "t", .size = 4);
	struct tl_node t = TL_NODE_INIT(t);
	struct visit v = { 0, 0, "" };

	tl_switch(&t);
	tl_set(&a, "1");
	tl_set(&n, "x");
	tl_set(&n, NULL);
	tl_set(&gone, "g");
	tl_this(&typed);
	tl_set(&b, "2");
	tl_switch(NULL);
	tl_local_unregister(&gone);

	CU_ASSERT_EQUAL(tl_task_foreach(&t, note_visit, &v), 0);
	CU_ASSERT_EQUAL(v.count, 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(v.names, "a=1;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(v.names, "b=2;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(v.names, "t=typed;"));

	memset(&v, 0, sizeof(v));
	v.stop_at = 2;
	CU_ASSERT_EQUAL(tl_task_foreach(&t, note_visit, &v), 42);
	CU_ASSERT_EQUAL(v.count, 2);
	CU_ASSERT_EQUAL(tl_task_foreach(&t, NULL, NULL), -EINVAL);

	memset(&v, 0, sizeof(v));
	CU_ASSERT_EQUAL(tl_task_foreach(NULL, note_visit, &v), 0); /* root */
	CU_ASSERT_EQUAL(v.count, 0);

	tl_task_exit(&t);
	tl_local_unregister(&a);
	tl_local_unregister(&b);
	tl_local_unregister(&n);
	tl_local_unregister(&typed);
	UNIT_ASSERT_NOTHING_HELD();
}

/* --------------------------------------------------- discriminators */

static void test_sched_switch_returns_previous(void)
{
	struct tl_sched s;
	struct tl_node a, b;
	struct tl_discriminator broken = { NULL };
	struct tl_local l = TL_LOCAL(.disc = &broken);

	tl_sched_init(&s);
	tl_sched_init(NULL);
	CU_ASSERT_PTR_NULL(s.current);
	CU_ASSERT_PTR_NULL(tl_sched_switch(&s, &a));
	CU_ASSERT_PTR_EQUAL(tl_sched_switch(&s, &b), &a);
	CU_ASSERT_PTR_EQUAL(s.disc.current(&s.disc), &b);
	CU_ASSERT_PTR_EQUAL(tl_sched_switch(&s, NULL), &b);
	CU_ASSERT_PTR_NULL(tl_switch(&a));
	CU_ASSERT_PTR_EQUAL(tl_switch(NULL), &a);
	/* A discriminator without current() is refused, not called. */
	CU_ASSERT_EQUAL(tl_set(&l, "x"), -EINVAL);
	CU_ASSERT_PTR_NULL(tl_get(&l));
	tl_local_unregister(&l);
	UNIT_ASSERT_NOTHING_HELD();
}

UNIT_SUITE(task,
	UNIT_TEST(test_destructor_rounds_are_bounded),
	UNIT_TEST(test_destructor_setting_another_local_gets_another_round),
	UNIT_TEST(test_exit_skips_null_values_and_unregistered_locals),
	UNIT_TEST(test_exit_twice_and_reuse),
	UNIT_TEST(test_root_context_is_separate_and_exits),
	UNIT_TEST(test_destructors_see_no_stale_cache),
	UNIT_TEST(test_root_exit_from_a_root_destructor),
	UNIT_TEST(test_destructor_may_free_the_bound_slots_owner),
	UNIT_TEST(test_destructor_switching_tasks_sees_the_other_task),
	UNIT_TEST(test_destructor_sets_in_exiting_task_whatever_the_discriminator),
	UNIT_TEST(test_inherit_copies_only_flagged_locals),
	UNIT_TEST(test_inherit_fills_a_childs_null_value),
	UNIT_TEST(test_inherit_bad_input_and_root_parent),
	UNIT_TEST(test_inherit_out_of_memory_keeps_what_was_copied),
	UNIT_TEST(test_inherit_copy_hook_that_changes_the_tasks),
	UNIT_TEST(test_inherit_keeps_what_a_scope_binds_in_the_child),
	UNIT_TEST(test_foreach_visits_live_values_with_names),
	UNIT_TEST(test_sched_switch_returns_previous));
