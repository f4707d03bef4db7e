// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * unit/posix.c - the pthread-key layer of tasklocal/posix.h for live keys,
 * rule by rule from POSIX's thread-specific data with "thread" read as
 * "task": a new key reads NULL in every task and thread, values are private
 * to each, and destructors run for non-NULL values only, their own key
 * cleared first, in bounded rounds, at task exit, at thread exit and at
 * tl_root_exit().  Deleted keys are unit/posix_delete.c, limits and memory
 * unit/posix_limits.c, a pthread-key program renamed unit/posix_port.c.
 * Tasks are those of tools/sched.c; threads are real pthreads.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "sched.h"
#include "tasklocal/posix.h"
#include "unit.h"

/* ------------------------------------------------------- new keys */

static tl_key_t shared_key;
static long null_reads;

static void *read_in_thread(void *arg)
{
	(void)arg;
	if (tl_getspecific(shared_key) == NULL)
		null_reads++;
	return NULL;
}

static void read_in_task(void *arg)
{
	(void)arg;
	if (tl_getspecific(shared_key) == NULL)
		null_reads++;
}

/* Task "old" lived before the key existed; "maker" creates it meanwhile. */
static void old_task(void *arg)
{
	(void)arg;
	task_yield();
	if (tl_getspecific(shared_key) == NULL)
		null_reads++;
}

static void maker_task(void *arg)
{
	(void)arg;
	CU_ASSERT_EQUAL(tl_key_create(&shared_key, unit_dtor_count), 0);
	if (tl_getspecific(shared_key) == NULL)
		null_reads++;
}

static void test_new_key_reads_null_in_every_task_and_thread(void)
{
	struct task a, b, old, maker;
	tl_key_t k2;

	null_reads = 0;
	CU_ASSERT_EQUAL_FATAL(tl_key_create(&shared_key, unit_dtor_count), 0);
	CU_ASSERT_NOT_EQUAL(shared_key, 0);
	CU_ASSERT_PTR_NULL(tl_getspecific(shared_key));
	unit_threads(1, read_in_thread, NULL);
	unit_threads(1, read_in_thread, NULL);
	CU_ASSERT_EQUAL(task_spawn(&a, "a", read_in_task, NULL), 0);
	CU_ASSERT_EQUAL(task_spawn(&b, "b", read_in_task, NULL), 0);
	CU_ASSERT_EQUAL(task_run(), 2);
	CU_ASSERT_EQUAL(null_reads, 4);

	/* Two keys are two keys. */
	CU_ASSERT_EQUAL_FATAL(tl_key_create(&k2, NULL), 0);
	CU_ASSERT_NOT_EQUAL(k2, shared_key);
	CU_ASSERT_EQUAL(tl_key_delete(k2), 0);
	CU_ASSERT_EQUAL(tl_key_delete(shared_key), 0);

	/* A key created while a task is suspended reads NULL in it. */
	null_reads = 0;
	CU_ASSERT_EQUAL(task_spawn(&old, "old", old_task, NULL), 0);
	CU_ASSERT_EQUAL(task_spawn(&maker, "maker", maker_task, NULL), 0);
	CU_ASSERT_EQUAL(task_run(), 2);
	CU_ASSERT_EQUAL(null_reads, 2);
	CU_ASSERT_EQUAL(tl_key_delete(shared_key), 0);
	UNIT_ASSERT_NOTHING_HELD();
}

/* ---------------------------------------------------------- privacy */

struct seen {
	const char *set, *got;
};

static void set_yield_get(void *arg)
{
	struct seen *s = arg;

	CU_ASSERT_EQUAL(tl_setspecific(shared_key, s->set), 0);
	task_yield();		/* the other task sets its own value */
	s->got = tl_getspecific(shared_key);
}

static void test_values_are_private_to_each_task(void)
{
	struct task a, b;
	struct seen sa = { .set = "foo" }, sb = { .set = "bar" };

	unit_dtor_reset();
	CU_ASSERT_EQUAL_FATAL(tl_key_create(&shared_key, unit_dtor_count), 0);
	CU_ASSERT_EQUAL(tl_setspecific(shared_key, "root"), 0);
	CU_ASSERT_EQUAL(task_spawn(&a, "a", set_yield_get, &sa), 0);
	CU_ASSERT_EQUAL(task_spawn(&b, "b", set_yield_get, &sb), 0);
	CU_ASSERT_EQUAL(task_run(), 2);
	CU_ASSERT_STRING_EQUAL(sa.got, "foo");
	CU_ASSERT_STRING_EQUAL(sb.got, "bar");
	/* Each task's exit destroyed its own value only. */
	CU_ASSERT_EQUAL(atomic_load(&unit_dtor.calls), 2);
	CU_ASSERT_STRING_EQUAL(tl_getspecific(shared_key), "root");
	tl_root_exit();
	CU_ASSERT_EQUAL(atomic_load(&unit_dtor.calls), 3);
	CU_ASSERT_STRING_EQUAL(atomic_load(&unit_dtor.got), "root");
	CU_ASSERT_EQUAL(tl_key_delete(shared_key), 0);
	UNIT_ASSERT_NOTHING_HELD();
}

enum { THREADS = 8, READS = 1000 };

static pthread_barrier_t start;

static void *set_and_read_back(void *arg)
{
	long bad = 0, i;

	pthread_barrier_wait(&start);	/* every thread sets at once */
	bad += tl_setspecific(shared_key, arg) != 0;
	pthread_barrier_wait(&start);
	for (i = 0; i < READS; i++)
		bad += tl_getspecific(shared_key) != arg;
	return (void *)bad;
}

static void test_values_are_private_to_each_thread(void)
{
	static char values[THREADS];
	void *args[THREADS];
	long i;

	unit_dtor_reset();
	CU_ASSERT_EQUAL_FATAL(tl_key_create(&shared_key, unit_dtor_count), 0);
	for (i = 0; i < THREADS; i++)
		args[i] = &values[i];
	pthread_barrier_init(&start, NULL, THREADS);
	CU_ASSERT_EQUAL(unit_threads(THREADS, set_and_read_back, args), 0);
	pthread_barrier_destroy(&start);
	CU_ASSERT_EQUAL(atomic_load(&unit_dtor.calls), THREADS);
	CU_ASSERT_PTR_NULL(tl_getspecific(shared_key));
	CU_ASSERT_EQUAL(tl_key_delete(shared_key), 0);
	UNIT_ASSERT_NOTHING_HELD();
}

/* ------------------------------------------------------ destructors */

enum { K_VALUE, K_CLEARED, K_UNSET, K_NO_DTOR, NKEYS };

static tl_key_t keys[NKEYS];
static int calls[NKEYS];
static void *got[NKEYS];
static int own_null[NKEYS];	/* calls that read their own key as NULL */

static void destroyed_key(int id, void *v)
{
	calls[id]++;
	got[id] = v;
	own_null[id] += tl_getspecific(keys[id]) == NULL;
}

static void dtor_value(void *v)
{
	destroyed_key(K_VALUE, v);
}

static void dtor_cleared(void *v)
{
	destroyed_key(K_CLEARED, v);
}

static void dtor_unset(void *v)
{
	destroyed_key(K_UNSET, v);
}

static void (*const dtors[NKEYS])(void *) = {
	dtor_value, dtor_cleared, dtor_unset, NULL
};

static void reset_keys_seen(void)
{
	memset(calls, 0, sizeof(calls));
	memset(got, 0, sizeof(got));
	memset(own_null, 0, sizeof(own_null));
}

static void create_keys(void)
{
	int i;

	reset_keys_seen();
	for (i = 0; i < NKEYS; i++)
		CU_ASSERT_EQUAL_FATAL(tl_key_create(&keys[i], dtors[i]), 0);
}

static void delete_keys(void)
{
	int i;

	for (i = 0; i < NKEYS; i++)
		CU_ASSERT_EQUAL(tl_key_delete(keys[i]), 0);
}

static char value[] = "value", other[] = "other";

static void set_some(void *arg)
{
	(void)arg;
	CU_ASSERT_EQUAL(tl_setspecific(keys[K_VALUE], value), 0);
	CU_ASSERT_EQUAL(tl_setspecific(keys[K_CLEARED], other), 0);
	CU_ASSERT_EQUAL(tl_setspecific(keys[K_CLEARED], NULL), 0);
	CU_ASSERT_EQUAL(tl_setspecific(keys[K_NO_DTOR], other), 0);
}

static void check_destructors_ran_for_non_null_only(void)
{
	CU_ASSERT_EQUAL(calls[K_VALUE], 1);
	CU_ASSERT_PTR_EQUAL(got[K_VALUE], value);
	CU_ASSERT_EQUAL(own_null[K_VALUE], 1);
	CU_ASSERT_EQUAL(calls[K_CLEARED], 0);
	CU_ASSERT_EQUAL(calls[K_UNSET], 0);
}

static void *set_some_in_thread(void *arg)
{
	set_some(arg);
	return NULL;
}

static void test_destructor_runs_for_non_null_values_with_value_cleared(void)
{
	struct task t;

	/* At task exit. */
	create_keys();
	CU_ASSERT_EQUAL(task_spawn(&t, "t", set_some, NULL), 0);
	CU_ASSERT_EQUAL(task_run(), 1);
	check_destructors_ran_for_non_null_only();

	/* At thread exit, for the thread's root context. */
	reset_keys_seen();
	unit_threads(1, set_some_in_thread, NULL);
	check_destructors_ran_for_non_null_only();

	/* At tl_root_exit(), for this thread's root context. */
	reset_keys_seen();
	set_some(NULL);
	tl_root_exit();
	check_destructors_ran_for_non_null_only();
	delete_keys();
	UNIT_ASSERT_NOTHING_HELD();
}

/* Destructors that set their own key again: "again" twice, "forever" always. */
static tl_key_t again, forever;
static int again_calls, forever_calls, again_own_null, forever_own_null;

static void dtor_again(void *v)
{
	again_own_null += tl_getspecific(again) == NULL;
	if (++again_calls < 3)
		CU_ASSERT_EQUAL(tl_setspecific(again, v), 0);
}

static void dtor_forever(void *v)
{
	forever_own_null += tl_getspecific(forever) == NULL;
	forever_calls++;
	CU_ASSERT_EQUAL(tl_setspecific(forever, v), 0);
}

static void set_both(void *arg)
{
	(void)arg;
	CU_ASSERT_EQUAL(tl_setspecific(again, value), 0);
	CU_ASSERT_EQUAL(tl_setspecific(forever, other), 0);
}

static void *set_both_in_thread(void *arg)
{
	set_both(arg);
	return NULL;
}

static void check_rounds(void)
{
	/* Set again, destroyed again: at most TL_DESTRUCTOR_ITERATIONS rounds. */
	CU_ASSERT_EQUAL(again_calls, 3);
	CU_ASSERT_EQUAL(again_own_null, 3);
	CU_ASSERT_EQUAL(forever_calls, TL_DESTRUCTOR_ITERATIONS);
	CU_ASSERT_EQUAL(forever_own_null, TL_DESTRUCTOR_ITERATIONS);
	again_calls = forever_calls = again_own_null = forever_own_null = 0;
}

static void test_destructor_rounds_are_capped(void)
{
	struct task t;

	CU_ASSERT_EQUAL_FATAL(tl_key_create(&again, dtor_again), 0);
	CU_ASSERT_EQUAL_FATAL(tl_key_create(&forever, dtor_forever), 0);
	again_calls = forever_calls = again_own_null = forever_own_null = 0;

	CU_ASSERT_EQUAL(task_spawn(&t, "t", set_both, NULL), 0);
	CU_ASSERT_EQUAL(task_run(), 1);
	check_rounds();

	unit_threads(1, set_both_in_thread, NULL);
	check_rounds();

	set_both(NULL);
	tl_root_exit();
	check_rounds();
	/* What the last round set was dropped: nothing is left behind. */
	CU_ASSERT_PTR_NULL(tl_getspecific(forever));
	CU_ASSERT_EQUAL(tl_key_delete(again), 0);
	CU_ASSERT_EQUAL(tl_key_delete(forever), 0);
	UNIT_ASSERT_NOTHING_HELD();
}

/* Destructors may read and set keys: what they set is destroyed next round. */
static tl_key_t first, second;
static void *first_saw_own, *first_saw_set, *second_got;
static int first_set_ret, second_calls;

static void dtor_first(void *v)
{
	(void)v;
	first_saw_own = tl_getspecific(first);
	first_set_ret = tl_setspecific(second, "from first");
	first_saw_set = tl_getspecific(second);
}

static void dtor_second(void *v)
{
	second_calls++;
	second_got = v;
}

static void set_first(void *arg)
{
	(void)arg;
	CU_ASSERT_EQUAL(tl_setspecific(first, value), 0);
}

static void *set_first_in_thread(void *arg)
{
	set_first(arg);
	return NULL;
}

static void check_calls_from_destructor(void)
{
	CU_ASSERT_PTR_NULL(first_saw_own);
	CU_ASSERT_EQUAL(first_set_ret, 0);
	CU_ASSERT_STRING_EQUAL(first_saw_set, "from first");
	CU_ASSERT_EQUAL(second_calls, 1);
	CU_ASSERT_STRING_EQUAL(second_got, "from first");
	first_saw_own = first_saw_set = second_got = value;
	first_set_ret = -1;
	second_calls = 0;
}

static void test_get_and_set_from_destructors(void)
{
	struct task t;

	CU_ASSERT_EQUAL_FATAL(tl_key_create(&first, dtor_first), 0);
	CU_ASSERT_EQUAL_FATAL(tl_key_create(&second, dtor_second), 0);
	first_saw_own = first_saw_set = second_got = value;
	first_set_ret = -1;
	second_calls = 0;

	CU_ASSERT_EQUAL(task_spawn(&t, "t", set_first, NULL), 0);
	CU_ASSERT_EQUAL(task_run(), 1);
	check_calls_from_destructor();

	unit_threads(1, set_first_in_thread, NULL);
	check_calls_from_destructor();

	set_first(NULL);
	tl_root_exit();
	check_calls_from_destructor();
	CU_ASSERT_EQUAL(tl_key_delete(first), 0);
	CU_ASSERT_EQUAL(tl_key_delete(second), 0);
	UNIT_ASSERT_NOTHING_HELD();
}

UNIT_SUITE(posix,
	UNIT_TEST(test_new_key_reads_null_in_every_task_and_thread),
	UNIT_TEST(test_values_are_private_to_each_task),
	UNIT_TEST(test_values_are_private_to_each_thread),
	UNIT_TEST(test_destructor_runs_for_non_null_values_with_value_cleared),
	UNIT_TEST(test_destructor_rounds_are_capped),
	UNIT_TEST(test_get_and_set_from_destructors));
