// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * unit/rootkey.c - the pthread key behind the root contexts, in a program
 * of its own (unit/run-rootkey): a constructor that runs before the
 * library's takes every pthread key there is, as a program may.  The
 * library then refuses a first root value (-EAGAIN) instead of keeping a
 * value that would never be destroyed; tasks are unaffected; once a key is
 * free it takes it.  Lookups never call pthread_setspecific (counted by
 * wrapping it), only a first value does.
 */
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>

#include "tasklocal/posix.h"
#include "unit.h"

static pthread_key_t hogged[PTHREAD_KEYS_MAX];
static int nhogged;
static int setspecific_calls;

/* Before the library's own constructor (default priority): every key. */
__attribute__((constructor(101))) static void hog_keys(void)
{
	while (nhogged < PTHREAD_KEYS_MAX &&
	       pthread_key_create(&hogged[nhogged], NULL) == 0)
		nhogged++;
}

int pthread_setspecific(pthread_key_t key, const void *value)
{
	static int (*real)(pthread_key_t, const void *);

	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "pthread_setspecific");
	setspecific_calls++;
	return real(key, value);
}

static int dtor_calls;

static void count_dtor(void *v)
{
	(void)v;
	dtor_calls++;
}

static struct tl_local l = TL_LOCAL(.name = "rootkey", .destroy = count_dtor);

static void *root_use(void *arg)
{
	long bad = 0;

	(void)arg;
	setspecific_calls = 0;
	bad += tl_get(&l) != NULL;		/* a miss in the root context */
	bad += tl_get(&l) != NULL;
	bad += setspecific_calls != 0;
	bad += tl_set(&l, "root") != 0;		/* arms the thread-exit hook */
	bad += setspecific_calls != 1;
	return (void *)bad;
}

static void test_no_key_refuses_a_root_value_then_recovers(void)
{
	struct tl_node t = TL_NODE_INIT(t);
	tl_key_t k;

	CU_ASSERT(nhogged > 0);
	CU_ASSERT_EQUAL(tl_local_register(&l), 0);
	CU_ASSERT_EQUAL(tl_set(&l, "root"), -EAGAIN);
	CU_ASSERT_PTR_NULL(tl_get(&l));
	CU_ASSERT_EQUAL(tl_key_create(&k, NULL), 0);
	CU_ASSERT_EQUAL(tl_setspecific(k, "root"), EAGAIN);
	CU_ASSERT_EQUAL(tl_key_delete(k), 0);
	/* A task's values need no pthread key. */
	tl_switch(&t);
	CU_ASSERT_EQUAL(tl_set(&l, "task"), 0);
	CU_ASSERT_STRING_EQUAL(tl_get(&l), "task");
	tl_switch(NULL);
	tl_task_exit(&t);
	CU_ASSERT_EQUAL(dtor_calls, 1);

	/* One key given back: the library takes it, and thread ends destroy. */
	CU_ASSERT_EQUAL(pthread_key_delete(hogged[--nhogged]), 0);
	dtor_calls = 0;
	CU_ASSERT_EQUAL(unit_threads(1, root_use, NULL), 0);
	CU_ASSERT_EQUAL(dtor_calls, 1);
	CU_ASSERT_EQUAL(tl_set(&l, "main root"), 0);
	tl_root_exit();
	CU_ASSERT_EQUAL(dtor_calls, 2);
	CU_ASSERT_EQUAL(tl_local_unregister(&l), 0);
	UNIT_ASSERT_NOTHING_HELD();
}

UNIT_SUITE(rootkey,
	UNIT_TEST(test_no_key_refuses_a_root_value_then_recovers));
