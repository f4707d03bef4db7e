/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * unit/unit.h - what the CUnit suites share: the suite declaration used by
 * unit/main.c, an allocator that counts and can be told to fail, test
 * threads, a destructor that counts, and the four pthread-key calls behind
 * one table.
 */
#ifndef TASKLOCAL_UNIT_H
#define TASKLOCAL_UNIT_H

#include <CUnit/CUnit.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include "tasklocal.h"
#include "tasklocal/posix.h"

/* One suite per module: a name and a NULL-terminated CU_TestInfo table. */
struct unit_suite {
	const char *name;
	CU_TestInfo *tests;
};

#define UNIT_SUITE(id, ...)						\
	static CU_TestInfo id##_tests[] = { __VA_ARGS__, CU_TEST_INFO_NULL }; \
	const struct unit_suite suite_##id = { #id, id##_tests }

#define UNIT_TEST(fn) { #fn, fn }

/*
 * A malloc-backed allocator that counts what is in use and fails every
 * request once @fail_after more have succeeded (negative: never fails).
 * Installed with unit_alloc_install(), removed with unit_alloc_remove(),
 * which asserts that nothing is left in use.
 */
struct unit_alloc {
	long fail_after;
	long in_use;
	long calls;
};

extern struct unit_alloc unit_alloc;

void unit_alloc_install(long fail_after);
void unit_alloc_remove(void);

/*
 * Run @fn on @n threads at once, the i-th given @args[i] (NULL: no
 * argument), wait for them all, and return the sum of what they returned
 * (each a long in a void *): their count of wrong answers.
 */
long unit_threads(int n, void *(*fn)(void *), void *const *args);

/*
 * A destructor for any thread that counts its calls and keeps the value of
 * the last one: unit_dtor_reset() before, unit_dtor.calls and unit_dtor.got
 * (atomic_load) after.
 */
struct unit_dtor {
	atomic_int calls;
	void *_Atomic got;
};

extern struct unit_dtor unit_dtor;

void unit_dtor_count(void *value);
void unit_dtor_reset(void);

/*
 * The four calls of pthread keys behind one table, so that one program runs
 * on glibc's pthread keys (unit_pthread_api) or on tasklocal's tl_key_*
 * (unit_tl_api): keys are named by their index in the flavour's array of
 * UNIT_KEYS, unit_pthread_keys or unit_tl_keys (unit/key_api.c).
 */
#define UNIT_KEYS 8

struct unit_key_api {
	int (*key_create)(int key, void (*destructor)(void *));
	int (*key_delete)(int key);
	void *(*getspecific)(int key);
	int (*setspecific)(int key, const void *value);
};

extern pthread_key_t unit_pthread_keys[UNIT_KEYS];
extern tl_key_t unit_tl_keys[UNIT_KEYS];
extern const struct unit_key_api unit_pthread_api, unit_tl_api;

/* The library holds no memory: every local unregistered, every slot freed. */
#define UNIT_ASSERT_NOTHING_HELD() CU_ASSERT_EQUAL(tl_allocator_set(NULL), 0)

#endif /* TASKLOCAL_UNIT_H */
