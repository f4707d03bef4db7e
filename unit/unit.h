/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * unit/unit.h - what the CUnit suites share: the suite declaration used by
 * unit/main.c, an allocator that counts and can be told to fail, test
 * threads, and a destructor that counts.
 */
#ifndef TASKLOCAL_UNIT_H
#define TASKLOCAL_UNIT_H

#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>

#include "tasklocal.h"

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

/* The library holds no memory: every local unregistered, every slot freed. */
#define UNIT_ASSERT_NOTHING_HELD() CU_ASSERT_EQUAL(tl_allocator_set(NULL), 0)

#endif /* TASKLOCAL_UNIT_H */
