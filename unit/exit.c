// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * unit/exit.c - the destructor rounds of tl_task_exit() as POSIX defines
 * them and glibc and musl implement them: values in index order, each
 * with its value as it is at its turn, other values visible until theirs,
 * values set during a round destroyed later in it or in the next one; and
 * destructors that switch tasks or exit other tasks.  (The
 * same programs on pthread keys, traces compared, are the unit/keys_*.c
 * suites.)
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sched.h"
#include "unit.h"

/* Up to four locals, registered in order: their indices ascend. */
static struct tl_local loc[4];
static int calls[4];
static void *got[4][8];
static int order[16], turns;

/* Values are small integers whose low nibble names their local. */
static int value_id(void *v)
{
	return (int)((uintptr_t)v & 0xf);
}

static void record(int i, void *v)
{
	if (calls[i] < 8)
		got[i][calls[i]] = v;
	calls[i]++;
	if (turns < 16)
		order[turns] = i;
	turns++;
}

static void locals_setup(void (*destroy)(void *))
{
	int i;

	memset(loc, 0, sizeof(loc));
	memset(calls, 0, sizeof(calls));
	memset(got, 0, sizeof(got));
	turns = 0;
	for (i = 0; i < 4; i++) {
		loc[i].destroy = destroy;
		CU_ASSERT_EQUAL_FATAL(tl_local_register(&loc[i]), 0);
	}
}

static void locals_teardown(void)
{
	int i;

	for (i = 0; i < 4; i++)
		tl_local_unregister(&loc[i]);
	UNIT_ASSERT_NOTHING_HELD();
}

/* Set @values of locals @which (in that order) in a new task, and exit it. */
static void exit_task_with(int n, const int *which, void *const *values)
{
	struct tl_node t = TL_NODE_INIT(t);
	int i;

	tl_switch(&t);
	for (i = 0; i < n; i++)
		CU_ASSERT_EQUAL(tl_set(&loc[which[i]], values[i]), 0);
	tl_switch(NULL);
	tl_task_exit(&t);
	CU_ASSERT_TRUE(tl_node_empty(&t));
}

/* ------------------------------------------------ one object, two keys */

static int freed;
static void *shared_obj;

/* Frees the shared object and clears the other local: POSIX-correct code. */
static void free_and_clear_other(void *v)
{
	record(0, v);
	CU_ASSERT_PTR_EQUAL(v, shared_obj);
	freed++;
	tl_set(&loc[0], NULL);
	tl_set(&loc[1], NULL);
}

static void test_clearing_another_value_cancels_its_destructor(void)
{
	static int obj;
	static const int which[2] = { 1, 0 };
	void *values[2] = { &obj, &obj };

	locals_setup(free_and_clear_other);
	shared_obj = &obj;
	freed = 0;
	exit_task_with(2, which, values);
	/* One call, one free: the other local read NULL at its turn. */
	CU_ASSERT_EQUAL(calls[0], 1);
	CU_ASSERT_EQUAL(freed, 1);
	locals_teardown();
}

/* ---------------------------------------------- values as at their turn */

static void *seen_by_0[4];

/* loc[0] looks at the others, then replaces loc[2]'s value. */
static void look_and_replace(void *v)
{
	int i = value_id(v), k;

	record(i, v);
	if (i == 0) {
		for (k = 0; k < 4; k++)
			seen_by_0[k] = tl_get(&loc[k]);
		tl_set(&loc[2], (void *)0xc2);
	}
}

static void test_destructor_sees_later_values_and_replaces_them(void)
{
	static const int which[3] = { 2, 1, 0 };
	void *values[3] = { (void *)0xa2, (void *)0xa1, (void *)0xa0 };

	locals_setup(look_and_replace);
	exit_task_with(3, which, values);
	/* Its own value was cleared; the later ones were still there. */
	CU_ASSERT_PTR_NULL(seen_by_0[0]);
	CU_ASSERT_PTR_EQUAL(seen_by_0[1], (void *)0xa1);
	CU_ASSERT_PTR_EQUAL(seen_by_0[2], (void *)0xa2);
	CU_ASSERT_PTR_NULL(seen_by_0[3]);
	/* Index order, whatever the order of the sets; loc[2] got the new value. */
	CU_ASSERT_EQUAL(turns, 3);
	CU_ASSERT_EQUAL(order[0], 0);
	CU_ASSERT_EQUAL(order[1], 1);
	CU_ASSERT_EQUAL(order[2], 2);
	CU_ASSERT_EQUAL(calls[2], 1);
	CU_ASSERT_PTR_EQUAL(got[2][0], (void *)0xc2);
	locals_teardown();
}

/* ------------------------------------------ values set during a round */

/* Each destructor sets the other local of the pair {0, 1} again. */
static void set_the_other(void *v)
{
	int i = value_id(v);

	record(i, v);
	tl_set(&loc[1 - i], i ? (void *)0x10 : (void *)0x11);
}

static void test_mutual_resets_count_as_glibc(void)
{
	static const int both[2] = { 0, 1 }, second[1] = { 1 };
	void *values[2] = { (void *)0x10, (void *)0x11 };

	/* Both set: two turns in each of the 4 rounds. */
	locals_setup(set_the_other);
	exit_task_with(2, both, values);
	CU_ASSERT_EQUAL(turns, 2 * TL_DESTRUCTOR_ITERATIONS);
	locals_teardown();

	/*
	 * Only the later local set: its destructor sets the earlier one,
	 * whose turn has passed (next round); that one sets the later one,
	 * whose turn is still to come in the same round.  1 + 2 + 2 + 2.
	 */
	locals_setup(set_the_other);
	exit_task_with(1, second, values + 1);
	CU_ASSERT_EQUAL(turns, 2 * TL_DESTRUCTOR_ITERATIONS - 1);
	CU_ASSERT_EQUAL(order[0], 1);
	CU_ASSERT_EQUAL(order[1], 0);
	CU_ASSERT_EQUAL(order[2], 1);
	locals_teardown();
}

/* A destructor that deletes another local's value with tl_del(). */
static void del_the_next(void *v)
{
	int i = value_id(v);

	record(i, v);
	if (i == 0)
		CU_ASSERT_EQUAL(tl_del(&loc[1]), 0);	/* runs loc[1]'s now */
}

static void test_destructor_deleting_a_later_value(void)
{
	static const int which[3] = { 0, 1, 2 };
	void *values[3] = { (void *)0x20, (void *)0x21, (void *)0x22 };

	locals_setup(del_the_next);
	exit_task_with(3, which, values);
	/* 0's turn, 1 by tl_del() inside it, then 2: each exactly once. */
	CU_ASSERT_EQUAL(turns, 3);
	CU_ASSERT_EQUAL(calls[0], 1);
	CU_ASSERT_EQUAL(calls[1], 1);
	CU_ASSERT_EQUAL(calls[2], 1);
	CU_ASSERT_EQUAL(order[1], 1);
	locals_teardown();
}

/* ------------------------------------------ a switch in a destructor */

static struct tl_node caller_task, exited_task;
static void *read_in_caller;

/*
 * A destructor that switches to another task (its caller's, say) sees that
 * task, as any code after a switch does; switched back, it sees the exited
 * task again.  (Without threads a preemption that puts the caller's task
 * back is another matter: the exited task's values stay in view, see the
 * firmware test.)  No cache entry made meanwhile may outlive the exit.
 */
static void switching_dtor(void *v)
{
	record(value_id(v), v);
	if (value_id(v) == 0) {
		tl_switch(&caller_task);
		read_in_caller = tl_get(&loc[2]);
		tl_switch(&exited_task);
		CU_ASSERT_EQUAL(tl_set(&loc[1], (void *)0x31), 0);
	}
}

static void test_destructor_switching_to_the_caller(void)
{
	locals_setup(switching_dtor);
	tl_node_init(&caller_task);
	tl_node_init(&exited_task);
	tl_switch(&caller_task);
	tl_set(&loc[2], (void *)0x32);
	tl_switch(&exited_task);
	tl_set(&loc[0], (void *)0x30);
	tl_switch(&caller_task);
	tl_task_exit(&exited_task);
	CU_ASSERT_PTR_EQUAL(tl_current(), &caller_task);
	CU_ASSERT_PTR_EQUAL(read_in_caller, (void *)0x32);
	/* What it set after switching back was the exited task's. */
	CU_ASSERT_EQUAL(calls[1], 1);
	CU_ASSERT_PTR_NULL(tl_get(&loc[1]));
	CU_ASSERT_PTR_EQUAL(tl_get(&loc[2]), (void *)0x32);
	tl_switch(NULL);
	tl_task_exit(&caller_task);
	locals_teardown();
}

/* Exits nested through another task's destructor: each task once. */
static struct tl_node nest_t, nest_u;

static void exit_other(void *v)
{
	record(value_id(v), v);
	tl_task_exit(value_id(v) == 0 ? &nest_u : &nest_t);
}

static void test_exit_reentered_through_another_task(void)
{
	locals_setup(exit_other);
	tl_node_init(&nest_t);
	tl_node_init(&nest_u);
	tl_switch(&nest_t);
	tl_set(&loc[0], (void *)0x40);
	tl_set(&loc[2], (void *)0x42);
	tl_switch(&nest_u);
	tl_set(&loc[1], (void *)0x41);
	tl_switch(NULL);
	tl_task_exit(&nest_t);
	CU_ASSERT_EQUAL(calls[0], 1);
	CU_ASSERT_EQUAL(calls[1], 1);
	CU_ASSERT_EQUAL(calls[2], 1);
	CU_ASSERT_TRUE(tl_node_empty(&nest_t));
	CU_ASSERT_TRUE(tl_node_empty(&nest_u));
	locals_teardown();
}

/*
 * A NULL value (a slot set, then cleared) has no destructor, and goes in
 * its turn: a destructor that sets it again later in the round, or before
 * its turn, gets that value destroyed once, as glibc does with a key set
 * to NULL and set again by another key's destructor.
 */
static void set_the_cleared_one(void *v)
{
	int i = value_id(v);

	record(i, v);
	if (i == 1) {	/* both cleared: loc[0]'s turn is past, loc[2]'s to come */
		tl_set(&loc[0], (void *)0x10);
		tl_set(&loc[2], (void *)0x12);
	}
}

static void test_null_values_at_exit(void)
{
	struct tl_node t = TL_NODE_INIT(t);
	int i;

	locals_setup(set_the_cleared_one);
	tl_switch(&t);
	for (i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(tl_set(&loc[i], (void *)(uintptr_t)(0x20 + i)), 0);
	CU_ASSERT_EQUAL(tl_set(&loc[0], NULL), 0);
	CU_ASSERT_EQUAL(tl_set(&loc[2], NULL), 0);
	tl_switch(NULL);
	tl_task_exit(&t);
	CU_ASSERT_TRUE(tl_node_empty(&t));
	/* No destructor for NULL; each value set again destroyed once. */
	CU_ASSERT_EQUAL(calls[0], 1);
	CU_ASSERT_EQUAL(calls[1], 1);
	CU_ASSERT_EQUAL(calls[2], 1);
	CU_ASSERT_PTR_EQUAL(got[0][0], (void *)0x10);
	CU_ASSERT_PTR_EQUAL(got[2][0], (void *)0x12);
	/* loc[2] later in the same round, loc[0] in the next one. */
	CU_ASSERT_EQUAL(turns, 3);
	CU_ASSERT_EQUAL(order[0], 1);
	CU_ASSERT_EQUAL(order[1], 2);
	CU_ASSERT_EQUAL(order[2], 0);
	locals_teardown();
}

/*
 * Two exits that end in another order than they began, on one thread: a
 * task's exit of T yields in T's destructor, another task exits U
 * meanwhile and yields in U's, and T's exit ends first.  Each destructor
 * sees its own task's values, and once both ended nothing is left of
 * either exit: T's node, made a task again, exits as any task.
 */
static struct tl_local yield_local, yield_other;
static struct tl_node yield_t, yield_u;
static int yield_calls, yield_wrong;

static void yield_dtor(void *v)
{
	const char *own = v;

	yield_calls++;
	/* Until it yields, the exiting task's values are the ones seen. */
	yield_wrong += tl_get(&yield_other) == NULL ||
		       strcmp(tl_get(&yield_other), own) != 0;
	if (strcmp(own, "again") != 0)
		task_yield();
}

static void exit_one(void *arg)
{
	struct tl_node *t = arg, *was = tl_switch(t);
	const char *name = t == &yield_t ? "T" : "U";

	CU_ASSERT_EQUAL(tl_set(&yield_other, (void *)name), 0);
	CU_ASSERT_EQUAL(tl_set(&yield_local, (void *)name), 0);
	tl_switch(was);
	tl_task_exit(t);
}

static void test_exits_that_end_in_another_order(void)
{
	struct task a, b;

	yield_local = (struct tl_local)TL_LOCAL(.destroy = yield_dtor);
	yield_other = (struct tl_local)TL_LOCAL(.name = "exit.yield_other");
	/* In this order: the destructor's turn comes before the other value's. */
	CU_ASSERT_EQUAL_FATAL(tl_local_register(&yield_local), 0);
	CU_ASSERT_EQUAL_FATAL(tl_local_register(&yield_other), 0);
	yield_calls = yield_wrong = 0;
	tl_task_init(&yield_t);
	tl_task_init(&yield_u);
	CU_ASSERT_EQUAL_FATAL(task_spawn(&a, "a", exit_one, &yield_t), 0);
	CU_ASSERT_EQUAL_FATAL(task_spawn(&b, "b", exit_one, &yield_u), 0);
	CU_ASSERT_EQUAL(task_run(), 2);
	CU_ASSERT_EQUAL(yield_calls, 2);
	CU_ASSERT_EQUAL(yield_wrong, 0);

	/* T's node again: its exit runs its destructor. */
	tl_task_init(&yield_t);
	tl_switch(&yield_t);
	CU_ASSERT_EQUAL(tl_set(&yield_other, "again"), 0);
	CU_ASSERT_EQUAL(tl_set(&yield_local, "again"), 0);
	tl_switch(NULL);
	tl_task_exit(&yield_t);
	CU_ASSERT_EQUAL(yield_calls, 3);
	CU_ASSERT_EQUAL(yield_wrong, 0);
	tl_local_unregister(&yield_local);
	tl_local_unregister(&yield_other);
	UNIT_ASSERT_NOTHING_HELD();
}

/*
 * Values without a destructor go first, yet the destructor after them
 * runs in the exit's context: the exited task current, its earlier values
 * gone, its later ones there; the exit it calls again does nothing; and
 * the caller's task is current again after it.
 */
static struct tl_node ctx_t, ctx_u;
static struct tl_node *ctx_current;
static void *ctx_seen[4];

static void context_dtor(void *v)
{
	int i;

	record(value_id(v), v);
	ctx_current = tl_current();
	for (i = 0; i < 4; i++)
		ctx_seen[i] = tl_get(&loc[i]);
	/* Set again: no destructor, gone in the next round. */
	CU_ASSERT_EQUAL(tl_set(&loc[0], (void *)0x50), 0);
	tl_task_exit(&ctx_t);	/* being exited: nothing happens */
	CU_ASSERT_PTR_EQUAL(tl_get(&loc[0]), (void *)0x50);
	CU_ASSERT_PTR_EQUAL(tl_get(&loc[3]), (void *)0x53);
}

static void test_exit_context_before_the_first_destructor(void)
{
	int i;

	memset(loc, 0, sizeof(loc));
	memset(calls, 0, sizeof(calls));
	turns = 0;
	for (i = 0; i < 4; i++) {
		loc[i].destroy = i == 2 ? context_dtor : NULL;
		CU_ASSERT_EQUAL_FATAL(tl_local_register(&loc[i]), 0);
	}
	tl_task_init(&ctx_t);
	tl_task_init(&ctx_u);
	tl_switch(&ctx_t);
	for (i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(tl_set(&loc[i], (void *)(uintptr_t)(0x50 + i)),
				0);
	tl_switch(&ctx_u);
	CU_ASSERT_EQUAL(tl_set(&loc[0], (void *)0x60), 0);
	tl_task_exit(&ctx_t);
	CU_ASSERT_EQUAL(calls[2], 1);
	CU_ASSERT_PTR_EQUAL(ctx_current, &ctx_t);
	CU_ASSERT_PTR_NULL(ctx_seen[0]);
	CU_ASSERT_PTR_NULL(ctx_seen[1]);
	CU_ASSERT_PTR_NULL(ctx_seen[2]);
	CU_ASSERT_PTR_EQUAL(ctx_seen[3], (void *)0x53);
	CU_ASSERT_TRUE(tl_node_empty(&ctx_t));
	CU_ASSERT_PTR_EQUAL(tl_current(), &ctx_u);
	CU_ASSERT_PTR_EQUAL(tl_get(&loc[0]), (void *)0x60);
	/* The node again: nothing of the exited task is found there. */
	tl_switch(&ctx_t);
	for (i = 0; i < 4; i++)
		CU_ASSERT_PTR_NULL(tl_get(&loc[i]));
	tl_switch(NULL);
	tl_task_exit(&ctx_u);
	locals_teardown();
}

/*
 * An allocator hook is the caller's code too: the slots an exit gives
 * back to it go back in the exit's context, even when no destructor ran.
 */
static struct tl_node *freed_in;
static long hook_frees;

static void *plain_alloc(size_t size, void *ctx)
{
	(void)ctx;
	return malloc(size);
}

static void recording_free(void *ptr, size_t size, void *ctx)
{
	(void)size;
	(void)ctx;
	freed_in = tl_current();
	hook_frees++;
	free(ptr);
}

static void test_exit_context_for_the_allocator(void)
{
	static const struct tl_allocator hook = {
		plain_alloc, recording_free, NULL
	};
	struct tl_local typed = TL_LOCAL(.size = sizeof(long));
	struct tl_node t = TL_NODE_INIT(t), u = TL_NODE_INIT(u);

	CU_ASSERT_EQUAL_FATAL(tl_allocator_set(&hook), 0);
	CU_ASSERT_EQUAL_FATAL(tl_local_register(&typed), 0);
	tl_switch(&t);
	CU_ASSERT_PTR_NOT_NULL(tl_this(&typed));
	tl_switch(&u);
	hook_frees = 0;
	tl_task_exit(&t);
	CU_ASSERT_EQUAL(hook_frees, 1);	/* typed slots are not kept */
	CU_ASSERT_PTR_EQUAL(freed_in, &t);
	CU_ASSERT_PTR_EQUAL(tl_current(), &u);
	tl_switch(NULL);
	tl_local_unregister(&typed);
	CU_ASSERT_EQUAL(tl_allocator_set(NULL), 0);
	UNIT_ASSERT_NOTHING_HELD();
}

/*
 * A lock of the caller's is their code too: with one, an exit is begun
 * before anything, so each of its lock calls sees the exiting task (here
 * in a thread the library has not seen yet, whose first window lists it
 * under the lock).
 */
static struct tl_node hooked_t, hooked_u;
static pthread_mutex_t hooked_mutex = PTHREAD_MUTEX_INITIALIZER;
static int hooked_recording, hooked_calls, hooked_wrong;

static void hooked_lock(void *ctx)
{
	(void)ctx;
	pthread_mutex_lock(&hooked_mutex);
	if (hooked_recording) {
		hooked_calls++;
		hooked_wrong += tl_current() != &hooked_t;
	}
}

static void hooked_unlock(void *ctx)
{
	(void)ctx;
	pthread_mutex_unlock(&hooked_mutex);
}

static void *exit_in_a_new_thread(void *arg)
{
	(void)arg;
	tl_switch(&hooked_u);
	hooked_recording = 1;
	tl_task_exit(&hooked_t);
	hooked_recording = 0;
	tl_switch(NULL);
	return NULL;
}

static void test_exit_context_for_the_lock(void)
{
	static const struct tl_lock hook = { hooked_lock, hooked_unlock, NULL };

	locals_setup(NULL);
	/* After other calls (the doc says before): no lock is held. */
	CU_ASSERT_EQUAL_FATAL(tl_lock_set(&hook), 0);
	tl_task_init(&hooked_t);
	tl_task_init(&hooked_u);
	tl_switch(&hooked_t);
	CU_ASSERT_EQUAL(tl_set(&loc[0], (void *)0x70), 0);
	tl_switch(NULL);
	hooked_calls = hooked_wrong = 0;
	unit_threads(1, exit_in_a_new_thread, NULL);
	CU_ASSERT(hooked_calls > 0);
	CU_ASSERT_EQUAL(hooked_wrong, 0);
	CU_ASSERT_TRUE(tl_node_empty(&hooked_t));
	CU_ASSERT_EQUAL(tl_lock_set(NULL), 0);
	locals_teardown();
}

UNIT_SUITE(exit,
	UNIT_TEST(test_clearing_another_value_cancels_its_destructor),
	UNIT_TEST(test_destructor_sees_later_values_and_replaces_them),
	UNIT_TEST(test_mutual_resets_count_as_glibc),
	UNIT_TEST(test_destructor_deleting_a_later_value),
	UNIT_TEST(test_destructor_switching_to_the_caller),
	UNIT_TEST(test_exit_reentered_through_another_task),
	UNIT_TEST(test_null_values_at_exit),
	UNIT_TEST(test_exits_that_end_in_another_order),
	UNIT_TEST(test_exit_context_before_the_first_destructor),
	UNIT_TEST(test_exit_context_for_the_allocator),
	UNIT_TEST(test_exit_context_for_the_lock));
