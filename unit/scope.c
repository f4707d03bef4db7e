// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * unit/scope.c - scoped bindings (lib/scope.c), sentence by sentence of
 * their contract: shadow and restore, with and without a value before;
 * nesting and the refusal of out-of-order and double exits; per-task
 * isolation across switches and schedulers; tl_set inside a scope, tl_del
 * refused; no destructor ever for a scoped value; task exit, inherit and
 * foreach with scopes open; tl_scope_run; no allocation; a task moving
 * between threads inside a scope; scopes of a local unregistered; and a
 * random walk checked against a model stack.
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"

static int dtor_calls;
static void *dtor_last;

static void count_dtor(void *v)
{
	dtor_calls++;
	dtor_last = v;
}

static struct tl_local req = TL_LOCAL(.name = "scope.req", .destroy = count_dtor);

static void req_setup(void)
{
	dtor_calls = 0;
	dtor_last = NULL;
	CU_ASSERT_EQUAL_FATAL(tl_local_register(&req), 0);
}

static void req_teardown(void)
{
	CU_ASSERT_EQUAL(tl_local_unregister(&req), 0);
	UNIT_ASSERT_NOTHING_HELD();
}

static void test_bad_arguments(void)
{
	struct tl_local typed = TL_LOCAL(.size = sizeof(int));
	struct tl_discriminator none = { NULL };
	struct tl_local nowhere = TL_LOCAL(.disc = &none);
	struct tl_scope sc;

	CU_ASSERT_EQUAL(tl_scope_enter(NULL, &req, "x"), -EINVAL);
	CU_ASSERT_EQUAL(tl_scope_enter(&sc, NULL, "x"), -EINVAL);
	CU_ASSERT_EQUAL(tl_scope_enter(&sc, &typed, "x"), -EINVAL);
	CU_ASSERT_EQUAL(tl_scope_enter(&sc, &nowhere, "x"), -EINVAL);
	CU_ASSERT_EQUAL(tl_scope_exit(NULL), -EINVAL);
	CU_ASSERT_EQUAL(tl_scope_run(&req, "x", NULL, NULL), -EINVAL);
	CU_ASSERT_FALSE(tl_local_registered(&typed));
	tl_local_unregister(&nowhere);
	UNIT_ASSERT_NOTHING_HELD();
}

static void test_shadow_and_restore(void)
{
	struct tl_node t = TL_NODE_INIT(t);
	struct tl_scope a, b;

	req_setup();
	tl_switch(&t);
	/* No value before: none after. */
	CU_ASSERT_EQUAL(tl_scope_enter(&a, &req, "scoped"), 0);
	CU_ASSERT_STRING_EQUAL(tl_get(&req), "scoped");
	CU_ASSERT_EQUAL(tl_scope_exit(&a), 0);
	CU_ASSERT_PTR_NULL(tl_get(&req));
	/* A value before: that one after, whether or not it was cached. */
	CU_ASSERT_EQUAL(tl_set(&req, "base"), 0);
	CU_ASSERT_EQUAL(tl_scope_enter(&a, &req, "outer"), 0);
	CU_ASSERT_EQUAL(tl_scope_enter(&b, &req, NULL), 0);
	CU_ASSERT_PTR_NULL(tl_get(&req));	/* NULL shadows too */
	CU_ASSERT_EQUAL(tl_scope_exit(&b), 0);
	CU_ASSERT_STRING_EQUAL(tl_get(&req), "outer");
	CU_ASSERT_EQUAL(tl_scope_exit(&a), 0);
	CU_ASSERT_STRING_EQUAL(tl_get(&req), "base");
	tl_switch(NULL);
	tl_task_exit(&t);
	/* The task's own value, not the borrowed ones, was destroyed. */
	CU_ASSERT_EQUAL(dtor_calls, 1);
	CU_ASSERT_STRING_EQUAL(dtor_last, "base");
	req_teardown();
}

static void test_out_of_order_and_double_exit_change_nothing(void)
{
	struct tl_node t = TL_NODE_INIT(t);
	struct tl_scope a, b;

	req_setup();
	tl_switch(&t);
	CU_ASSERT_EQUAL(tl_scope_enter(&a, &req, "a"), 0);
	CU_ASSERT_EQUAL(tl_scope_enter(&b, &req, "b"), 0);
	CU_ASSERT_EQUAL(tl_scope_exit(&a), -EINVAL);
	CU_ASSERT_STRING_EQUAL(tl_get(&req), "b");
	CU_ASSERT_EQUAL(tl_scope_exit(&b), 0);
	CU_ASSERT_EQUAL(tl_scope_exit(&b), -EINVAL);
	CU_ASSERT_STRING_EQUAL(tl_get(&req), "a");
	CU_ASSERT_EQUAL(tl_scope_exit(&a), 0);
	CU_ASSERT_EQUAL(tl_scope_exit(&a), -EINVAL);
	CU_ASSERT_PTR_NULL(tl_get(&req));
	CU_ASSERT_TRUE(tl_node_empty(&t));
	tl_switch(NULL);
	req_teardown();
}

/* Scopes of other locals interleave freely: only one local's order counts. */
static void test_scopes_of_two_locals_interleave(void)
{
	struct tl_local other = TL_LOCAL(.name = "scope.other");
	struct tl_node t = TL_NODE_INIT(t);
	struct tl_scope a, o, b;

	req_setup();
	tl_switch(&t);
	CU_ASSERT_EQUAL(tl_scope_enter(&a, &req, "a"), 0);
	CU_ASSERT_EQUAL(tl_scope_enter(&o, &other, "o"), 0);
	CU_ASSERT_EQUAL(tl_scope_enter(&b, &req, "b"), 0);
	CU_ASSERT_EQUAL(tl_scope_exit(&a), -EINVAL);
	CU_ASSERT_EQUAL(tl_scope_exit(&o), 0);	/* not inner to req's */
	CU_ASSERT_PTR_NULL(tl_get(&other));
	CU_ASSERT_STRING_EQUAL(tl_get(&req), "b");
	CU_ASSERT_EQUAL(tl_scope_exit(&b), 0);
	CU_ASSERT_EQUAL(tl_scope_exit(&a), 0);
	tl_switch(NULL);
	tl_local_unregister(&other);
	req_teardown();
}

static void test_tasks_and_schedulers_are_isolated(void)
{
	struct tl_node t1 = TL_NODE_INIT(t1), t2 = TL_NODE_INIT(t2);
	struct tl_sched s1, s2;
	struct tl_local per_sched = TL_LOCAL(.name = "scope.sched", .disc = &s1.disc);
	struct tl_scope a, b;

	req_setup();
	tl_switch(&t1);
	CU_ASSERT_EQUAL(tl_set(&req, "t1"), 0);
	CU_ASSERT_EQUAL(tl_scope_enter(&a, &req, "t1 scoped"), 0);
	tl_switch(&t2);
	CU_ASSERT_PTR_NULL(tl_get(&req));
	CU_ASSERT_EQUAL(tl_scope_enter(&b, &req, "t2 scoped"), 0);
	tl_switch(&t1);
	CU_ASSERT_STRING_EQUAL(tl_get(&req), "t1 scoped");
	/* An exit acts on the task it was entered in, whatever is current. */
	CU_ASSERT_EQUAL(tl_scope_exit(&b), 0);
	CU_ASSERT_STRING_EQUAL(tl_get(&req), "t1 scoped");
	tl_switch(&t2);
	CU_ASSERT_PTR_NULL(tl_get(&req));
	tl_switch(&t1);
	CU_ASSERT_EQUAL(tl_scope_exit(&a), 0);
	CU_ASSERT_STRING_EQUAL(tl_get(&req), "t1");

	/* Per scheduler: the scope follows the local's discriminator. */
	tl_sched_init(&s1);
	tl_sched_init(&s2);
	tl_sched_switch(&s1, &t2);
	tl_sched_switch(&s2, &t1);
	CU_ASSERT_EQUAL(tl_scope_enter(&a, &per_sched, "in s1's t2"), 0);
	CU_ASSERT_STRING_EQUAL(tl_get(&per_sched), "in s1's t2");
	tl_sched_switch(&s1, &t1);
	CU_ASSERT_PTR_NULL(tl_get(&per_sched));
	tl_sched_switch(&s1, &t2);
	CU_ASSERT_EQUAL(tl_scope_exit(&a), 0);
	CU_ASSERT_PTR_NULL(tl_get(&per_sched));
	tl_switch(NULL);
	tl_task_exit(&t1);
	tl_task_exit(&t2);
	tl_local_unregister(&per_sched);
	req_teardown();
}

static void test_set_inside_is_discarded_and_del_refused(void)
{
	struct tl_node t = TL_NODE_INIT(t);
	struct tl_scope a;

	req_setup();
	tl_switch(&t);
	CU_ASSERT_EQUAL(tl_set(&req, "base"), 0);
	CU_ASSERT_EQUAL(tl_scope_enter(&a, &req, "scoped"), 0);
	CU_ASSERT_EQUAL(tl_set(&req, "changed inside"), 0);
	CU_ASSERT_STRING_EQUAL(tl_get(&req), "changed inside");
	CU_ASSERT_EQUAL(tl_del(&req), -EBUSY);
	CU_ASSERT_STRING_EQUAL(tl_get(&req), "changed inside");
	CU_ASSERT_EQUAL(dtor_calls, 0);
	CU_ASSERT_EQUAL(tl_scope_exit(&a), 0);
	CU_ASSERT_STRING_EQUAL(tl_get(&req), "base");
	CU_ASSERT_EQUAL(tl_del(&req), 0);
	CU_ASSERT_EQUAL(dtor_calls, 1);
	CU_ASSERT_STRING_EQUAL(dtor_last, "base");
	tl_switch(NULL);
	req_teardown();
}

static void test_task_exit_closes_open_scopes_without_destructors(void)
{
	struct tl_node t = TL_NODE_INIT(t);
	struct tl_scope a, b;

	req_setup();
	tl_switch(&t);
	CU_ASSERT_EQUAL(tl_set(&req, "base"), 0);
	CU_ASSERT_EQUAL(tl_scope_enter(&a, &req, "a"), 0);
	CU_ASSERT_EQUAL(tl_scope_enter(&b, &req, "b"), 0);
	tl_switch(NULL);
	tl_task_exit(&t);
	CU_ASSERT_TRUE(tl_node_empty(&t));
	CU_ASSERT_EQUAL(dtor_calls, 1);
	CU_ASSERT_STRING_EQUAL(dtor_last, "base");
	/* The storage is the caller's again: exits are refused. */
	CU_ASSERT_EQUAL(tl_scope_exit(&b), -EINVAL);
	CU_ASSERT_EQUAL(tl_scope_exit(&a), -EINVAL);
	req_teardown();
}

static int seen_count;
static void *seen_value;

static int see(struct tl_local *local, void *value, void *arg)
{
	(void)arg;
	if (local == &req) {
		seen_count++;
		seen_value = value;
	}
	return 0;
}

static void test_inherit_and_foreach_see_the_visible_value(void)
{
	struct tl_local inh = TL_LOCAL(.name = "scope.inh", .flags = TL_INHERIT);
	struct tl_node parent = TL_NODE_INIT(parent), child = TL_NODE_INIT(child);
	struct tl_scope a, b;

	req_setup();
	tl_switch(&parent);
	CU_ASSERT_EQUAL(tl_set(&req, "base"), 0);
	CU_ASSERT_EQUAL(tl_scope_enter(&a, &req, "scoped"), 0);
	CU_ASSERT_EQUAL(tl_set(&inh, "inh base"), 0);
	CU_ASSERT_EQUAL(tl_scope_enter(&b, &inh, "inh scoped"), 0);
	seen_count = 0;
	CU_ASSERT_EQUAL(tl_task_foreach(&parent, see, NULL), 0);
	CU_ASSERT_EQUAL(seen_count, 1);
	CU_ASSERT_STRING_EQUAL(seen_value, "scoped");
	CU_ASSERT_EQUAL(tl_task_inherit(&child, &parent), 0);
	CU_ASSERT_EQUAL(tl_scope_exit(&b), 0);
	CU_ASSERT_EQUAL(tl_scope_exit(&a), 0);
	tl_switch(&child);
	/* An ordinary value of the child, kept after the parent's scope ended. */
	CU_ASSERT_STRING_EQUAL(tl_get(&inh), "inh scoped");
	CU_ASSERT_PTR_NULL(tl_get(&req));
	tl_switch(NULL);
	tl_task_exit(&child);
	tl_task_exit(&parent);
	tl_local_unregister(&inh);
	req_teardown();
}

static int run_body(void *arg)
{
	CU_ASSERT_STRING_EQUAL(tl_get(&req), "run");
	return *(int *)arg;
}

static void test_scope_run_returns_what_fn_returns(void)
{
	struct tl_local typed = TL_LOCAL(.size = 4);
	struct tl_node t = TL_NODE_INIT(t);
	int ret = 42;

	req_setup();
	tl_switch(&t);
	CU_ASSERT_EQUAL(tl_scope_run(&req, "run", run_body, &ret), 42);
	CU_ASSERT_PTR_NULL(tl_get(&req));
	CU_ASSERT_EQUAL(tl_scope_run(&typed, "run", run_body, &ret), -EINVAL);
	tl_switch(NULL);
	CU_ASSERT_TRUE(tl_node_empty(&t));
	req_teardown();
}

/* fn leaving a scope open inside tl_scope_run(): both close, the value comes back. */
static struct tl_scope left_open;

static int leave_open(void *arg)
{
	(void)arg;
	return tl_scope_enter(&left_open, &req, "left open");
}

static void test_scope_run_closes_what_fn_left_open(void)
{
	struct tl_node t = TL_NODE_INIT(t);
	int with_value;

	req_setup();
	for (with_value = 0; with_value < 2; with_value++) {
		tl_node_init(&t);
		tl_switch(&t);
		if (with_value)
			CU_ASSERT_EQUAL(tl_set(&req, "own"), 0);
		CU_ASSERT_EQUAL(tl_scope_run(&req, "run", leave_open, NULL), 0);
		CU_ASSERT_EQUAL(tl_scope_exit(&left_open), -EINVAL);
		if (with_value) {
			CU_ASSERT_STRING_EQUAL(tl_get(&req), "own");
		} else {
			CU_ASSERT_PTR_NULL(tl_get(&req));
		}
		tl_switch(NULL);
		tl_task_exit(&t);
		CU_ASSERT_TRUE(tl_node_empty(&t));
	}
	/* Only the task's own value was destroyed, once. */
	CU_ASSERT_EQUAL(dtor_calls, 1);
	CU_ASSERT_STRING_EQUAL(dtor_last, "own");
	req_teardown();
}

/* A registered local: no allocation at all, even with the allocator failing. */
static void test_no_allocation_for_a_registered_local(void)
{
	struct tl_node t = TL_NODE_INIT(t);
	struct tl_scope a, b;

	unit_alloc_install(-1);
	req_setup();
	unit_alloc.fail_after = 0;
	unit_alloc.calls = 0;
	tl_switch(&t);
	CU_ASSERT_EQUAL(tl_scope_enter(&a, &req, "a"), 0);
	CU_ASSERT_EQUAL(tl_scope_enter(&b, &req, "b"), 0);
	CU_ASSERT_STRING_EQUAL(tl_get(&req), "b");
	CU_ASSERT_EQUAL(tl_scope_exit(&b), 0);
	CU_ASSERT_EQUAL(tl_scope_exit(&a), 0);
	CU_ASSERT_EQUAL(unit_alloc.calls, 0);
	tl_switch(NULL);
	CU_ASSERT_EQUAL(tl_local_unregister(&req), 0);
	unit_alloc_remove();
}

/*
 * A task that moves to another thread inside a scope: each thread's cached
 * lookups stay right, before, inside and after the scope.
 */
static struct tl_node mover = TL_NODE_INIT(mover);
static struct tl_scope moving_scope;

static void *read_moved(void *arg)
{
	long bad = 0;

	tl_switch(&mover);
	bad += !tl_get(&req) || strcmp(tl_get(&req), arg) != 0;
	if (!strcmp(arg, "scoped"))
		bad += tl_scope_exit(&moving_scope) != 0;
	bad += tl_get(&req) == NULL || strcmp(tl_get(&req), "base") != 0;
	tl_switch(NULL);
	return (void *)bad;
}

static void test_task_moving_between_threads_inside_a_scope(void)
{
	void *arg;

	req_setup();
	tl_node_init(&mover);
	tl_switch(&mover);
	CU_ASSERT_EQUAL(tl_set(&req, "base"), 0);
	CU_ASSERT_STRING_EQUAL(tl_get(&req), "base");	/* cached here */
	arg = "base";
	CU_ASSERT_EQUAL(unit_threads(1, read_moved, &arg), 0);	/* cached there */
	tl_switch(&mover);
	CU_ASSERT_EQUAL(tl_scope_enter(&moving_scope, &req, "scoped"), 0);
	tl_switch(NULL);
	/* The other thread sees the scope, and closes it. */
	arg = "scoped";
	CU_ASSERT_EQUAL(unit_threads(1, read_moved, &arg), 0);
	tl_switch(&mover);
	CU_ASSERT_STRING_EQUAL(tl_get(&req), "base");
	tl_switch(NULL);
	tl_task_exit(&mover);
	CU_ASSERT_EQUAL(dtor_calls, 1);
	req_teardown();
}

/* A local unregistered with scopes open: they close when its value goes. */
static void test_scopes_of_an_unregistered_local_close(void)
{
	struct tl_local other = TL_LOCAL(.name = "scope.other2");
	struct tl_node t = TL_NODE_INIT(t);
	struct tl_scope a, b;

	req_setup();
	tl_switch(&t);
	CU_ASSERT_EQUAL(tl_set(&req, "base"), 0);
	CU_ASSERT_EQUAL(tl_scope_enter(&a, &req, "a"), 0);
	CU_ASSERT_EQUAL(tl_scope_enter(&b, &req, "b"), 0);
	CU_ASSERT_EQUAL(tl_local_unregister(&req), 0);
	/* A first value of another local reaps the dead one and its scopes. */
	CU_ASSERT_EQUAL(tl_set(&other, "x"), 0);
	CU_ASSERT_EQUAL(tl_scope_exit(&b), -EINVAL);
	CU_ASSERT_EQUAL(tl_scope_exit(&a), -EINVAL);
	tl_switch(NULL);
	tl_task_exit(&t);
	CU_ASSERT_EQUAL(dtor_calls, 0);		/* unregistered: no destructor */
	tl_local_unregister(&other);
	UNIT_ASSERT_NOTHING_HELD();
}

/* Random enters, exits, sets and switches against a model stack per task. */
#define RT 3		/* tasks */
#define RD 8		/* scope depth */

static void test_random_walk_against_a_model(void)
{
	struct tl_node task[RT];
	struct tl_scope sc[RT][RD];
	const char *base[RT], *stack[RT][RD];
	int depth[RT], i, cur = 0, bad = 0;
	static const char *vals[] = { "v0", "v1", "v2", "v3", "v4", NULL };

	req_setup();
	srand(7);
	for (i = 0; i < RT; i++) {
		tl_node_init(&task[i]);
		depth[i] = 0;
		base[i] = NULL;
	}
	tl_switch(&task[0]);
	for (i = 0; i < 20000; i++) {
		const char *v = vals[rand() % 6];
		const char *want;
		int op = rand() % 10, d = depth[cur];

		if (op < 3 && d < RD) {
			bad += tl_scope_enter(&sc[cur][d], &req, (void *)v) != 0;
			stack[cur][depth[cur]++] = v;
		} else if (op < 6 && d > 0) {
			/* Sometimes the wrong one first: refused, nothing changes. */
			if (d > 1 && rand() % 4 == 0)
				bad += tl_scope_exit(&sc[cur][rand() % (d - 1)]) != -EINVAL;
			bad += tl_scope_exit(&sc[cur][d - 1]) != 0;
			depth[cur]--;
		} else if (op < 8) {
			bad += tl_set(&req, (void *)v) != 0;
			if (d)
				stack[cur][d - 1] = v;
			else
				base[cur] = v;
		} else {
			cur = rand() % RT;
			tl_switch(&task[cur]);
		}
		want = depth[cur] ? stack[cur][depth[cur] - 1] : base[cur];
		bad += tl_get(&req) != (void *)want;
	}
	CU_ASSERT_EQUAL(bad, 0);
	tl_switch(NULL);
	for (i = 0; i < RT; i++)
		tl_task_exit(&task[i]);
	req_teardown();
}

UNIT_SUITE(scope,
	UNIT_TEST(test_bad_arguments),
	UNIT_TEST(test_shadow_and_restore),
	UNIT_TEST(test_out_of_order_and_double_exit_change_nothing),
	UNIT_TEST(test_scopes_of_two_locals_interleave),
	UNIT_TEST(test_tasks_and_schedulers_are_isolated),
	UNIT_TEST(test_set_inside_is_discarded_and_del_refused),
	UNIT_TEST(test_task_exit_closes_open_scopes_without_destructors),
	UNIT_TEST(test_inherit_and_foreach_see_the_visible_value),
	UNIT_TEST(test_scope_run_returns_what_fn_returns),
	UNIT_TEST(test_scope_run_closes_what_fn_left_open),
	UNIT_TEST(test_no_allocation_for_a_registered_local),
	UNIT_TEST(test_task_moving_between_threads_inside_a_scope),
	UNIT_TEST(test_scopes_of_an_unregistered_local_close),
	UNIT_TEST(test_random_walk_against_a_model));
