/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tools/ports/test.h - what the ports' test programs share: a check that a
 * task saw its own value (wrong values are counted apart from failed
 * assertions, since each program's summary reports them), and a main that
 * runs one CUnit table under a time limit and prints the one-line summary
 * "<port>: N tests, F failures, W wrong values".  Each test program is one
 * file that includes this header once.
 */
#ifndef TASKLOCAL_PORTS_TEST_H
#define TASKLOCAL_PORTS_TEST_H

#include <CUnit/CUnit.h>
#include <CUnit/TestRun.h>
#include <stdio.h>
#include <unistd.h>

/* Values a task read that were not its own: must stay 0. */
static unsigned long port_wrong;

/*
 * The value @got that a task read must be the one it owns, @want.  Not
 * CU_ASSERT alone: a stress loop reports every wrong value in the count,
 * and only the first few in detail.
 */
#define PORT_OWN(got, want) port_own((got), (want), __FILE__, __LINE__)

static inline void port_own(const void *got, const void *want,
			    const char *file, int line)
{
	if (got == want)
		return;
	if (port_wrong++ < 5)
		fprintf(stderr, "%s:%d: read %p, own value %p\n", file, line,
			got, want);
	/* A destructor may run after the tests, from tl_root_exit(). */
	if (CU_is_test_running())
		CU_assertImplementation(CU_FALSE, (unsigned)line,
					"a task reads its own value", file, "",
					CU_FALSE);
}

/* The first few failures: a stress loop gone wrong makes thousands. */
static inline void port_show_failures(CU_pFailureRecord f, unsigned records)
{
	unsigned shown;

	for (shown = 0; f && shown < 20; f = f->pNext, shown++)
		printf("  %s:%u: %s: %s\n", f->strFileName ? f->strFileName : "",
		       f->uiLineNumber, f->pTest ? f->pTest->pName : "set-up",
		       f->strCondition ? f->strCondition : "");
	if (records > shown)
		printf("  ... and %u more\n", records - shown);
}

/*
 * Run @tests (NULL-terminated) as one suite with @init/@clean, within
 * @seconds (SIGALRM ends a run that hangs, with a non-zero status).
 * Return: the exit status: 0 only when every test passed, no suite set-up
 * failed and no value was wrong.
 */
static inline int port_main(const char *port, CU_TestInfo *tests,
			    CU_InitializeFunc init, CU_CleanupFunc clean,
			    unsigned seconds)
{
	CU_SuiteInfo suites[] = {
		{ port, init, clean, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};
	unsigned run, failed, records;

	alarm(seconds);
	if (CU_initialize_registry() != CUE_SUCCESS ||
	    CU_register_suites(suites) != CUE_SUCCESS) {
		fprintf(stderr, "%s: %s\n", port, CU_get_error_msg());
		return 2;
	}
	/* TestRun's runner, not Basic's: no table, the summary line below. */
	CU_run_all_tests();
	run = CU_get_number_of_tests_run();
	failed = CU_get_number_of_tests_failed() +
		 CU_get_number_of_suites_failed();
	/* Read before the clean-up: failed suite set-ups are counted only here. */
	records = CU_get_number_of_failure_records();
	port_show_failures(CU_get_failure_list(), records);
	CU_cleanup_registry();
	alarm(0);
	printf("%s: %u tests, %u failures, %lu wrong values\n", port, run,
	       failed, port_wrong);
	return records || port_wrong ? 1 : 0;
}

#endif /* TASKLOCAL_PORTS_TEST_H */
