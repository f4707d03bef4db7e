// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * unit/posix.c - the pthread-key layer of tasklocal/posix.h, rule by rule
 * from POSIX's thread-specific data with "thread" read as "task": new keys
 * read NULL, values are private, destructors run for non-NULL values in
 * bounded rounds at task and thread exit, delete runs none and hides the
 * values for good, deleted keys are answered, no key limit, out of memory
 * changes nothing; and a pthread-key program that behaves the same once
 * its four calls are renamed.  Tasks are those of tools/sched.c; threads
 * are real pthreads.
 */
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sched.h"
#include "tasklocal/posix.h"
#include "unit.h"

/* Where a key sits in the key table, to show that a position was reused. */
static uint32_t key_pos(tl_key_t key)
{
	return (uint32_t)key;
}

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

/* ------------------------------------------------------------ delete */

static void *after_delete[2];

/* Sets a value, lets the other task delete the key, reads again. */
static void hold_across_delete(void *arg)
{
	long id = (long)arg;

	CU_ASSERT_EQUAL(tl_setspecific(shared_key, value), 0);
	task_yield();
	if (id == 0)
		CU_ASSERT_EQUAL(tl_key_delete(shared_key), 0);
	task_yield();
	after_delete[id] = tl_getspecific(shared_key);
}

/* Holds a value in its root context while the main thread deletes the key. */
static void *hold_in_thread(void *arg)
{
	CU_ASSERT_EQUAL(tl_setspecific(shared_key, value), 0);
	pthread_barrier_wait(&start);
	pthread_barrier_wait(&start);	/* deleted meanwhile */
	*(void **)arg = tl_getspecific(shared_key);
	return NULL;
}

static void test_delete_while_set_runs_no_destructor_and_hides_values(void)
{
	struct task a, b;
	void *in_thread_after = value;
	pthread_t th;

	unit_dtor_reset();
	CU_ASSERT_EQUAL_FATAL(tl_key_create(&shared_key, unit_dtor_count), 0);
	CU_ASSERT_EQUAL(tl_setspecific(shared_key, other), 0);
	after_delete[0] = after_delete[1] = value;
	CU_ASSERT_EQUAL(task_spawn(&a, "a", hold_across_delete, (void *)0L), 0);
	CU_ASSERT_EQUAL(task_spawn(&b, "b", hold_across_delete, (void *)1L), 0);
	CU_ASSERT_EQUAL(task_run(), 2);
	/* Neither task, nor the root context, sees its value any more... */
	CU_ASSERT_PTR_NULL(after_delete[0]);
	CU_ASSERT_PTR_NULL(after_delete[1]);
	CU_ASSERT_PTR_NULL(tl_getspecific(shared_key));
	tl_root_exit();
	/* ...and no exit destroyed one. */
	CU_ASSERT_EQUAL(atomic_load(&unit_dtor.calls), 0);

	/* The same with a thread holding the value. */
	CU_ASSERT_EQUAL_FATAL(tl_key_create(&shared_key, unit_dtor_count), 0);
	pthread_barrier_init(&start, NULL, 2);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, hold_in_thread,
					     &in_thread_after), 0);
	pthread_barrier_wait(&start);
	CU_ASSERT_EQUAL(tl_key_delete(shared_key), 0);
	pthread_barrier_wait(&start);
	pthread_join(th, NULL);
	pthread_barrier_destroy(&start);
	CU_ASSERT_PTR_NULL(in_thread_after);
	CU_ASSERT_EQUAL(atomic_load(&unit_dtor.calls), 0);
	UNIT_ASSERT_NOTHING_HELD();
}

static tl_key_t reused;
static void *reused_saw;

/* Holds a value of shared_key, and reads "reused" after it replaced it. */
static void hold_then_read_reused(void *arg)
{
	(void)arg;
	CU_ASSERT_EQUAL(tl_setspecific(shared_key, value), 0);
	task_yield();
	reused_saw = tl_getspecific(reused);
	CU_ASSERT_EQUAL(tl_setspecific(reused, other), 0);
}

static void delete_and_reuse(void *arg)
{
	tl_key_t old = shared_key;

	(void)arg;
	CU_ASSERT_EQUAL(tl_key_delete(shared_key), 0);
	CU_ASSERT_EQUAL(tl_key_create(&reused, unit_dtor_count), 0);
	/* The case under test: the new key took the deleted one's place. */
	CU_ASSERT_EQUAL(key_pos(reused), key_pos(old));
	CU_ASSERT_NOT_EQUAL(reused, old);
	CU_ASSERT_PTR_NULL(tl_getspecific(reused));
}

static void test_new_key_reusing_a_position_sees_no_old_value(void)
{
	struct task a, b;

	unit_dtor_reset();
	CU_ASSERT_EQUAL_FATAL(tl_key_create(&shared_key, unit_dtor_count), 0);
	CU_ASSERT_EQUAL(tl_setspecific(shared_key, value), 0);
	reused_saw = value;
	CU_ASSERT_EQUAL(task_spawn(&a, "a", hold_then_read_reused, NULL), 0);
	CU_ASSERT_EQUAL(task_spawn(&b, "b", delete_and_reuse, NULL), 0);
	CU_ASSERT_EQUAL(task_run(), 2);
	CU_ASSERT_PTR_NULL(reused_saw);
	CU_ASSERT_PTR_NULL(tl_getspecific(reused));
	CU_ASSERT_PTR_NULL(tl_getspecific(shared_key));
	/* Only the new key's own value was destroyed, at a's exit. */
	CU_ASSERT_EQUAL(atomic_load(&unit_dtor.calls), 1);
	CU_ASSERT_PTR_EQUAL(atomic_load(&unit_dtor.got), other);
	tl_root_exit();
	CU_ASSERT_EQUAL(atomic_load(&unit_dtor.calls), 1);
	CU_ASSERT_EQUAL(tl_key_delete(reused), 0);
	UNIT_ASSERT_NOTHING_HELD();
}

/* --------------------------------------------------- deleted keys, args */

static void check_deleted(tl_key_t key)
{
	CU_ASSERT_EQUAL(tl_setspecific(key, value), EINVAL);
	CU_ASSERT_PTR_NULL(tl_getspecific(key));
	CU_ASSERT_EQUAL(tl_key_delete(key), EINVAL);
}

static void test_deleted_key_is_answered_not_undefined(void)
{
	tl_key_t k, keep, next;

	CU_ASSERT_EQUAL_FATAL(tl_key_create(&keep, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(tl_key_create(&k, NULL), 0);
	CU_ASSERT_EQUAL(tl_setspecific(k, value), 0);
	CU_ASSERT_EQUAL(tl_key_delete(k), 0);
	check_deleted(k);			/* its table entry is free */

	CU_ASSERT_EQUAL_FATAL(tl_key_create(&next, NULL), 0);
	CU_ASSERT_EQUAL(key_pos(next), key_pos(k));
	check_deleted(k);			/* its entry is another key's */
	CU_ASSERT_EQUAL(tl_setspecific(next, other), 0);
	CU_ASSERT_PTR_EQUAL(tl_getspecific(next), other);

	CU_ASSERT_EQUAL(tl_key_delete(next), 0);
	CU_ASSERT_EQUAL(tl_key_delete(keep), 0);
	check_deleted(k);			/* the table itself is gone */
	check_deleted(next);
	check_deleted(keep);
	tl_root_exit();
	UNIT_ASSERT_NOTHING_HELD();
}

static void test_bad_arguments(void)
{
	tl_key_t k;

	CU_ASSERT_EQUAL(tl_key_create(NULL, NULL), EINVAL);
	/*
	 * Never a key: zero, generation 0 (at a live or a free entry), another
	 * generation, a position never handed out, a chunk that does not exist.
	 */
	check_deleted(0);
	CU_ASSERT_EQUAL_FATAL(tl_key_create(&k, NULL), 0);
	check_deleted(0);
	check_deleted(key_pos(k));
	check_deleted(key_pos(k) + 1);
	check_deleted(k + ((tl_key_t)1 << 32));
	check_deleted(k + 1);
	check_deleted(k | 0xffffffffu);
	CU_ASSERT_EQUAL(tl_key_delete(k), 0);
	UNIT_ASSERT_NOTHING_HELD();
}

/* ---------------------------------------------------- out of memory */

static void test_create_without_memory_changes_nothing(void)
{
	tl_key_t k = 42;
	long n;

	/* Nothing for the key table; then nothing for the registry's index. */
	for (n = 0; n < 2; n++) {
		unit_alloc_install(n);
		CU_ASSERT_EQUAL(tl_key_create(&k, unit_dtor_count), ENOMEM);
		CU_ASSERT_EQUAL(k, 42);
		CU_ASSERT_EQUAL(unit_alloc.calls, n + 1);
		unit_alloc_remove();	/* and nothing was kept */
	}

	/* Enough memory: the key table comes from the library's allocator. */
	unit_alloc_install(-1);
	CU_ASSERT_EQUAL(tl_key_create(&k, unit_dtor_count), 0);
	CU_ASSERT(unit_alloc.in_use >= 2);	/* a chunk, the registry's index */
	CU_ASSERT_EQUAL(tl_key_delete(k), 0);
	unit_alloc_remove();
	UNIT_ASSERT_NOTHING_HELD();
}

static void test_set_without_memory_keeps_old_values(void)
{
	tl_key_t a, b;

	unit_dtor_reset();
	unit_alloc_install(-1);
	CU_ASSERT_EQUAL_FATAL(tl_key_create(&a, unit_dtor_count), 0);
	CU_ASSERT_EQUAL_FATAL(tl_key_create(&b, unit_dtor_count), 0);
	CU_ASSERT_EQUAL(tl_setspecific(a, value), 0);

	unit_alloc.fail_after = 0;
	CU_ASSERT_EQUAL(tl_setspecific(b, other), ENOMEM);
	CU_ASSERT_PTR_NULL(tl_getspecific(b));
	CU_ASSERT_PTR_EQUAL(tl_getspecific(a), value);
	/* Replacing or clearing an existing value needs no memory. */
	CU_ASSERT_EQUAL(tl_setspecific(a, other), 0);
	CU_ASSERT_PTR_EQUAL(tl_getspecific(a), other);
	CU_ASSERT_EQUAL(tl_setspecific(b, NULL), 0);

	unit_alloc.fail_after = -1;
	tl_root_exit();
	CU_ASSERT_EQUAL(atomic_load(&unit_dtor.calls), 1);
	CU_ASSERT_PTR_EQUAL(atomic_load(&unit_dtor.got), other);
	CU_ASSERT_EQUAL(tl_key_delete(a), 0);
	CU_ASSERT_EQUAL(tl_key_delete(b), 0);
	unit_alloc_remove();
	UNIT_ASSERT_NOTHING_HELD();
}

/* ------------------------------------------------------- no limit */

enum {
	MANY_KEYS = 100000,
	KEYS_PER_TASK = 100,
	TASKS_PER_BATCH = 10,
	ROOT_STRIDE = 1000,
};

static tl_key_t *many;

/* Value of key @i: any distinct non-NULL pointer. */
static void *many_value(long i)
{
	return (char *)many + i + 1;
}

/* Sets its keys, lets its batch set theirs, reads its own back. */
static void own_range(void *arg)
{
	long lo = (long)arg * KEYS_PER_TASK, i, bad = 0;
	long next = (lo + KEYS_PER_TASK) % MANY_KEYS;

	for (i = lo; i < lo + KEYS_PER_TASK; i++)
		bad += tl_setspecific(many[i], many_value(i)) != 0;
	task_yield();
	for (i = lo; i < lo + KEYS_PER_TASK; i++)
		bad += tl_getspecific(many[i]) != many_value(i);
	/* The next task's keys, set there by now, read NULL here. */
	for (i = next; i < next + KEYS_PER_TASK; i++)
		bad += tl_getspecific(many[i]) != NULL;
	CU_ASSERT_EQUAL(bad, 0);
}

static void test_100000_keys(void)
{
	struct task t[TASKS_PER_BATCH];
	long i, j, bad = 0;

	unit_dtor_reset();
	many = calloc(MANY_KEYS, sizeof(*many));
	CU_ASSERT_PTR_NOT_NULL_FATAL(many);
	for (i = 0; i < MANY_KEYS; i++)
		bad += tl_key_create(&many[i], unit_dtor_count) != 0;
	CU_ASSERT_EQUAL_FATAL(bad, 0);

	/* Every key is set in one task, read back there, destroyed at its exit. */
	for (i = 0; i < MANY_KEYS / KEYS_PER_TASK; i += TASKS_PER_BATCH) {
		for (j = 0; j < TASKS_PER_BATCH; j++)
			CU_ASSERT_EQUAL(task_spawn(&t[j], "range", own_range,
						    (void *)(i + j)), 0);
		CU_ASSERT_EQUAL(task_run(), TASKS_PER_BATCH);
	}
	CU_ASSERT_EQUAL(atomic_load(&unit_dtor.calls), MANY_KEYS);

	/* Some in the root context too; every other key reads NULL there. */
	for (i = 0; i < MANY_KEYS; i += ROOT_STRIDE)
		bad += tl_setspecific(many[i], many_value(i)) != 0;
	for (i = 0; i < MANY_KEYS; i++)
		bad += tl_getspecific(many[i]) !=
		       (i % ROOT_STRIDE ? NULL : many_value(i));
	CU_ASSERT_EQUAL(bad, 0);

	for (i = 0; i < MANY_KEYS; i++)
		bad += tl_key_delete(many[i]) != 0;
	for (i = 0; i < MANY_KEYS; i++)
		bad += tl_getspecific(many[i]) != NULL;
	CU_ASSERT_EQUAL(bad, 0);
	tl_root_exit();
	CU_ASSERT_EQUAL(atomic_load(&unit_dtor.calls), MANY_KEYS);
	free(many);
	UNIT_ASSERT_NOTHING_HELD();
}

/* ---------------------------------------------------------- threads */

enum { CHURN_THREADS = 4, CHURN_ROUNDS = 50, CHURN_KEYS = 16 };

/* Create, use and delete keys while other threads do the same. */
static void *churn(void *arg)
{
	tl_key_t k[CHURN_KEYS];
	long bad = 0;
	int i, round;

	(void)arg;
	for (round = 0; round < CHURN_ROUNDS; round++) {
		for (i = 0; i < CHURN_KEYS; i++) {
			bad += tl_key_create(&k[i], unit_dtor_count) != 0;
			bad += tl_getspecific(k[i]) != NULL;
			bad += tl_setspecific(k[i], &k[i]) != 0;
		}
		for (i = 0; i < CHURN_KEYS; i++)
			bad += tl_getspecific(k[i]) != &k[i];
		for (i = 0; i < CHURN_KEYS; i++)
			bad += tl_key_delete(k[i]) != 0;
		for (i = 0; i < CHURN_KEYS; i++)
			bad += tl_key_delete(k[i]) != EINVAL;
	}
	return (void *)bad;
}

static void test_concurrent_create_and_delete(void)
{
	unit_dtor_reset();
	CU_ASSERT_EQUAL(unit_threads(CHURN_THREADS, churn, NULL), 0);
	/* Every value belonged to a deleted key: no destructor ran. */
	CU_ASSERT_EQUAL(atomic_load(&unit_dtor.calls), 0);
	UNIT_ASSERT_NOTHING_HELD();
}

/* ------------------------------------------- a pthread program, renamed */

/*
 * The four calls of pthread keys behind one table, so that one program
 * runs on either.  Keys are named by their index in the flavour's array.
 */
struct key_api {
	int (*key_create)(int key, void (*destructor)(void *));
	int (*key_delete)(int key);
	void *(*getspecific)(int key);
	int (*setspecific)(int key, const void *value);
};

enum { P_PLAIN, P_ONCE, P_AGAIN, P_FOREVER, P_GONE, P_CLEARED, P_NEW, P_KEYS };

static pthread_key_t pkeys[P_KEYS];
static tl_key_t tkeys[P_KEYS];

static int p_create(int k, void (*d)(void *))
{
	return pthread_key_create(&pkeys[k], d);
}

static int p_delete(int k)
{
	return pthread_key_delete(pkeys[k]);
}

static void *p_get(int k)
{
	return pthread_getspecific(pkeys[k]);
}

static int p_set(int k, const void *v)
{
	return pthread_setspecific(pkeys[k], v);
}

static int t_create(int k, void (*d)(void *))
{
	return tl_key_create(&tkeys[k], d);
}

static int t_delete(int k)
{
	return tl_key_delete(tkeys[k]);
}

static void *t_get(int k)
{
	return tl_getspecific(tkeys[k]);
}

static int t_set(int k, const void *v)
{
	return tl_setspecific(tkeys[k], v);
}

static const struct key_api pthread_api = { p_create, p_delete, p_get, p_set };
static const struct key_api tl_api = { t_create, t_delete, t_get, t_set };

/*
 * What a run shows: the program's returns and reads in order, and per key
 * the values its destructor got, in order (POSIX leaves the order between
 * keys open, not the order of one key's rounds).
 */
struct trace {
	long log[64];
	int n;
	const void *dtor[P_KEYS][8];
	int ndtor[P_KEYS];
	int own_null[P_KEYS];
	int dtor_errors;	/* failed tl_setspecific in destructors */
};

static const struct key_api *api;
static struct trace *tr;
static char vals[P_KEYS][4];

static void record(long x)
{
	if (tr->n < 64)
		tr->log[tr->n++] = x;
}

static void destroyed(int k, void *v)
{
	if (tr->ndtor[k] < 8)
		tr->dtor[k][tr->ndtor[k]++] = v;
	tr->own_null[k] += api->getspecific(k) == NULL;
}

static void d_once(void *v)
{
	destroyed(P_ONCE, v);
}

static void d_gone(void *v)
{
	destroyed(P_GONE, v);
}

static void d_cleared(void *v)
{
	destroyed(P_CLEARED, v);
}

static void d_new(void *v)
{
	destroyed(P_NEW, v);
}

/* Sets itself again to the next value twice: three calls. */
static void d_again(void *v)
{
	destroyed(P_AGAIN, v);
	if (v != &vals[P_AGAIN][2])
		tr->dtor_errors += api->setspecific(P_AGAIN, (char *)v + 1) != 0;
}

/* Sets itself again every time: as many calls as rounds. */
static void d_forever(void *v)
{
	destroyed(P_FOREVER, v);
	tr->dtor_errors += api->setspecific(P_FOREVER, v) != 0;
}

/* The program, as written for pthread keys (with api-> for the names). */
static void program(void)
{
	static void (*const d[P_KEYS])(void *) = {
		NULL, d_once, d_again, d_forever, d_gone, d_cleared, d_new
	};
	int k;

	for (k = 0; k < P_NEW; k++)
		record(api->key_create(k, d[k]));
	for (k = 0; k < P_NEW; k++)
		record(api->getspecific(k) == NULL);
	for (k = 0; k < P_NEW; k++)
		record(api->setspecific(k, vals[k]));
	for (k = 0; k < P_NEW; k++)
		record(api->getspecific(k) == vals[k]);
	record(api->setspecific(P_CLEARED, NULL));
	record(api->getspecific(P_CLEARED) == NULL);
	/* Replaced without a destructor; deleted while a value exists. */
	record(api->setspecific(P_ONCE, &vals[P_ONCE][1]));
	record(api->key_delete(P_GONE));
	record(api->key_create(P_NEW, d[P_NEW]));
	record(api->getspecific(P_NEW) == NULL);
	record(api->key_delete(P_PLAIN));
}

static void run_program(void *arg)
{
	(void)arg;
	program();
}

static void *run_program_in_thread(void *arg)
{
	program();
	return arg;
}

/* After the thread or task ended: delete the keys left. */
static void program_end(void)
{
	record(api->key_delete(P_ONCE));
	record(api->key_delete(P_AGAIN));
	record(api->key_delete(P_FOREVER));
	record(api->key_delete(P_CLEARED));
	record(api->key_delete(P_NEW));
}

static bool same_trace(const struct trace *a, const struct trace *b)
{
	int k, i;

	if (a->n != b->n || a->dtor_errors != b->dtor_errors)
		return false;
	for (i = 0; i < a->n; i++)
		if (a->log[i] != b->log[i])
			return false;
	for (k = 0; k < P_KEYS; k++) {
		if (a->ndtor[k] != b->ndtor[k] ||
		    a->own_null[k] != b->own_null[k])
			return false;
		for (i = 0; i < a->ndtor[k]; i++)
			if (a->dtor[k][i] != b->dtor[k][i])
				return false;
	}
	return true;
}

static void test_pthread_program_behaves_the_same_renamed(void)
{
	/* Each create, set and delete returns 0; each read checked is true. */
	static const long expect[] = {
		0, 0, 0, 0, 0, 0,  1, 1, 1, 1, 1, 1,	/* create, read NULL */
		0, 0, 0, 0, 0, 0,  1, 1, 1, 1, 1, 1,	/* set, read back */
		0, 1,  0,  0,  0, 1,  0,		/* clear, set, delete, new */
		0, 0, 0, 0, 0,				/* program_end */
	};
	static struct trace with_pthread, in_thread_tl, in_task_tl;
	struct task t;
	int k;

	/* What POSIX says the program shows. */
	api = &pthread_api;
	tr = &with_pthread;
	unit_threads(1, run_program_in_thread, NULL);
	program_end();
	CU_ASSERT_EQUAL(with_pthread.ndtor[P_PLAIN], 0);
	CU_ASSERT_EQUAL(with_pthread.ndtor[P_ONCE], 1);
	CU_ASSERT_PTR_EQUAL(with_pthread.dtor[P_ONCE][0], &vals[P_ONCE][1]);
	CU_ASSERT_EQUAL(with_pthread.ndtor[P_AGAIN], 3);
	CU_ASSERT_PTR_EQUAL(with_pthread.dtor[P_AGAIN][2], &vals[P_AGAIN][2]);
	CU_ASSERT_EQUAL(with_pthread.ndtor[P_FOREVER],
			PTHREAD_DESTRUCTOR_ITERATIONS);
	CU_ASSERT_EQUAL(with_pthread.ndtor[P_GONE], 0);
	CU_ASSERT_EQUAL(with_pthread.ndtor[P_CLEARED], 0);
	CU_ASSERT_EQUAL(with_pthread.ndtor[P_NEW], 0);
	for (k = 0; k < P_KEYS; k++)
		CU_ASSERT_EQUAL(with_pthread.own_null[k], with_pthread.ndtor[k]);
	CU_ASSERT_EQUAL(with_pthread.dtor_errors, 0);
	CU_ASSERT_EQUAL(with_pthread.n, (int)(sizeof(expect) / sizeof(*expect)));
	for (k = 0; k < with_pthread.n; k++)
		CU_ASSERT_EQUAL(with_pthread.log[k], expect[k]);

	/*
	 * The same program on tasklocal keys, in a thread and in a task: the
	 * same trace, TL_DESTRUCTOR_ITERATIONS being POSIX's 4 by default.
	 */
	api = &tl_api;
	tr = &in_thread_tl;
	unit_threads(1, run_program_in_thread, NULL);
	program_end();
	tr = &in_task_tl;
	CU_ASSERT_EQUAL(task_spawn(&t, "program", run_program, NULL), 0);
	CU_ASSERT_EQUAL(task_run(), 1);
	program_end();

	CU_ASSERT_TRUE(same_trace(&in_thread_tl, &with_pthread));
	CU_ASSERT_TRUE(same_trace(&in_task_tl, &with_pthread));
	UNIT_ASSERT_NOTHING_HELD();
}

/*
 * A thread uses a deleted key (bad input, answered) while the last live key
 * is deleted and created again and again: the table it looks in must never
 * be freed under it (the sanitizer and valgrind runs check the reads).
 */
struct stale_user {
	tl_key_t key;
	atomic_int stop;
	long wrong;
};

static void *use_stale_key(void *arg)
{
	struct stale_user *u = arg;

	while (!atomic_load(&u->stop)) {
		u->wrong += tl_getspecific(u->key) != NULL;
		u->wrong += tl_setspecific(u->key, u) != EINVAL;
	}
	return NULL;
}

static void test_deleted_key_used_while_the_last_key_goes(void)
{
	struct stale_user u = { 0, 0, 0 };
	pthread_t th;
	tl_key_t k;
	int i;

	CU_ASSERT_EQUAL_FATAL(tl_key_create(&u.key, NULL), 0);
	CU_ASSERT_EQUAL(tl_key_delete(u.key), 0);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, use_stale_key, &u), 0);
	for (i = 0; i < 2000; i++) {
		CU_ASSERT_EQUAL(tl_key_create(&k, NULL), 0);
		CU_ASSERT_EQUAL(tl_key_delete(k), 0);
	}
	atomic_store(&u.stop, 1);
	pthread_join(th, NULL);
	CU_ASSERT_EQUAL(u.wrong, 0);
	UNIT_ASSERT_NOTHING_HELD();	/* the table goes back now, quiescent */
}

UNIT_SUITE(posix,
	UNIT_TEST(test_new_key_reads_null_in_every_task_and_thread),
	UNIT_TEST(test_values_are_private_to_each_task),
	UNIT_TEST(test_values_are_private_to_each_thread),
	UNIT_TEST(test_destructor_runs_for_non_null_values_with_value_cleared),
	UNIT_TEST(test_destructor_rounds_are_capped),
	UNIT_TEST(test_get_and_set_from_destructors),
	UNIT_TEST(test_delete_while_set_runs_no_destructor_and_hides_values),
	UNIT_TEST(test_new_key_reusing_a_position_sees_no_old_value),
	UNIT_TEST(test_deleted_key_is_answered_not_undefined),
	UNIT_TEST(test_bad_arguments),
	UNIT_TEST(test_create_without_memory_changes_nothing),
	UNIT_TEST(test_set_without_memory_keeps_old_values),
	UNIT_TEST(test_100000_keys),
	UNIT_TEST(test_concurrent_create_and_delete),
	UNIT_TEST(test_deleted_key_used_while_the_last_key_goes),
	UNIT_TEST(test_pthread_program_behaves_the_same_renamed));
