// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * unit/main.c - registers every suite named in the suites list (unit/suites.h,
 * or the one UNIT_SUITES names) and runs them with CUnit's basic interface.
 * The exit status is the number of failure records, read before the registry
 * is cleaned up: CUnit counts failed suite set-ups only there.
 */
#include <CUnit/Basic.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "unit.h"

#ifndef UNIT_SUITES
#define UNIT_SUITES "suites.h"
#endif

#define SUITE(id) extern const struct unit_suite suite_##id;
#include UNIT_SUITES
#undef SUITE

static const struct unit_suite *const suites[] = {
#define SUITE(id) &suite_##id,
#include UNIT_SUITES
#undef SUITE
};

struct unit_alloc unit_alloc = { -1, 0, 0 };

static void *counting_alloc(size_t size, void *ctx)
{
	struct unit_alloc *a = ctx;
	void *p;

	a->calls++;
	if (a->fail_after == 0)
		return NULL;
	p = malloc(size);
	if (!p)
		return NULL;
	if (a->fail_after > 0)
		a->fail_after--;
	a->in_use++;
	return p;
}

static void counting_free(void *ptr, size_t size, void *ctx)
{
	struct unit_alloc *a = ctx;

	(void)size;
	a->in_use--;
	free(ptr);
}

void unit_alloc_install(long fail_after)
{
	static const struct tl_allocator hook = {
		counting_alloc, counting_free, &unit_alloc
	};

	unit_alloc.fail_after = fail_after;
	unit_alloc.in_use = 0;
	unit_alloc.calls = 0;
	CU_ASSERT_EQUAL_FATAL(tl_allocator_set(&hook), 0);
}

void unit_alloc_remove(void)
{
	/* The swap first: it gives back what is kept for reuse (key chunks). */
	CU_ASSERT_EQUAL(tl_allocator_set(NULL), 0);
	CU_ASSERT_EQUAL(unit_alloc.in_use, 0);
}

long unit_threads(int n, void *(*fn)(void *), void *const *args)
{
	pthread_t th[64];
	long sum = 0;
	int i;

	CU_ASSERT_FATAL(n > 0 && n <= 64);
	for (i = 0; i < n; i++)
		CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, fn,
						     args ? args[i] : NULL), 0);
	for (i = 0; i < n; i++) {
		void *ret;

		CU_ASSERT_EQUAL(pthread_join(th[i], &ret), 0);
		sum += (long)ret;
	}
	return sum;
}

struct unit_dtor unit_dtor;

void unit_dtor_count(void *value)
{
	atomic_fetch_add(&unit_dtor.calls, 1);
	atomic_store(&unit_dtor.got, value);
}

void unit_dtor_reset(void)
{
	atomic_store(&unit_dtor.calls, 0);
	atomic_store(&unit_dtor.got, NULL);
}

int main(int argc, char **argv)
{
	unsigned failures;
	size_t i;

	/*
	 * The suites take slots and tables from the built-in allocator, which
	 * a heapless build does not have, and run threads, which a
	 * TL_THREADS=0 library does not know: say so rather than crash.
	 * Heapless builds are tested by the firmware image (make check-cross)
	 * and the FreeRTOS port (make check-rtos).
	 */
	if (TL_HEAPLESS || !TL_THREADS) {
		fprintf(stderr, "%s: the suites need threads and the built-in "
			"allocator; TL_THREADS=0 and TL_HEAPLESS=1 are tested by "
			"make check-cross and make check-rtos\n", argv[0]);
		return 2;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		CU_pSuite s = CU_add_suite(suites[i]->name, NULL, NULL);
		CU_TestInfo *t;

		if (!s)
			goto fail;
		for (t = suites[i]->tests; t->pName; t++)
			if (!CU_add_test(s, t->pName, t->pTestFunc))
				goto fail;
	}
	/* unit/run <suite> [<test>] runs one suite, or one test of it. */
	CU_basic_set_mode(CU_BRM_NORMAL);
	if (argc > 1) {
		CU_pSuite s = CU_get_suite(argv[1]);

		if (!s) {
			fprintf(stderr, "no suite %s\n", argv[1]);
			goto fail;
		}
		if (argc > 2) {
			CU_pTest t = CU_get_test(s, argv[2]);

			if (!t) {
				fprintf(stderr, "no test %s in %s\n", argv[2], argv[1]);
				goto fail;
			}
			CU_basic_run_test(s, t);
		} else {
			CU_basic_run_suite(s);
		}
	} else {
		CU_basic_run_tests();
	}
	failures = CU_get_number_of_failure_records();
	CU_cleanup_registry();
	return failures ? 1 : 0;
fail:
	fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
	CU_cleanup_registry();
	return 1;
}
