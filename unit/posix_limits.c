// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * unit/posix_limits.c - what tasklocal/posix.h keys cost and survive: no
 * key limit (100000 keys, each set, read back and destroyed in a task of
 * tools/sched.c), no memory (a create or a set that fails for it changes
 * nothing, and the key table comes from the library's allocator), and
 * threads that create and delete keys all at once.
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "sched.h"
#include "tasklocal/posix.h"
#include "unit.h"

static char value[] = "value", other[] = "other";

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

UNIT_SUITE(posix_limits,
	UNIT_TEST(test_create_without_memory_changes_nothing),
	UNIT_TEST(test_set_without_memory_keeps_old_values),
	UNIT_TEST(test_100000_keys),
	UNIT_TEST(test_concurrent_create_and_delete));
