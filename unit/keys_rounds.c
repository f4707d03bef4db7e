// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * unit/keys_rounds.c - classic thread-specific-data programs whose
 * destructors set keys, run on glibc's pthread keys and on tasklocal's
 * tl_key_* in a pthread and in a task, traces compared entry by entry
 * (unit/keys_trace.h): the value each destructor call gets when another
 * destructor cleared, set or replaced it, and how many rounds run while
 * destructors set values again (at most PTHREAD_DESTRUCTOR_ITERATIONS, 4).
 */
#include <limits.h>

#include "keys_trace.h"

/* --------------------------------------------------------- shared object */

/* The first destructor frees the object both keys hold, clears the other. */
static void free_once_act(int k, int v)
{
	rec('F', k, v >= 0 ? &tok[v] : NULL);	/* a fake free: recorded */
	kset(3 - k, -1);
}

static const struct scenario shared = {
	.nkeys = 2, .order = "\1\2", .one = true, .act = free_once_act, .n = 1,
};

static void test_object_held_by_two_keys_is_freed_once(void)
{
	/* k1's turn comes first; k2 is NULL by its turn: never called. */
	static const struct kev want[] = { D(1, 1, 1), F(1, 1, 1) };

	compare(&shared, want, NWANT(want), __LINE__);
	CU_ASSERT_EQUAL(calls(&thr[0], 2), 0);
	CU_ASSERT_EQUAL(calls(&tsk[0], 2), 0);
	UNIT_ASSERT_NOTHING_HELD();
}

/* ---------------------------------------------------- setting each other */

/* Each destructor gives the other key a fresh value. */
static void each_other_act(int k, int v)
{
	(void)v;
	kset(3 - k, tr_cur->next++);
}

static const struct scenario both_set = {
	.nkeys = 2, .order = "\1\2", .act = each_other_act, .n = 1,
};
static const struct scenario second_set = {
	.nkeys = 2, .order = "\2", .act = each_other_act, .n = 1,
};

static void test_destructors_setting_each_other_run_as_many_times_as_glibc(void)
{
	/* k2 gets what k1's destructor set in the same round: 2 a round. */
	static const struct kev want_both[] = {
		D(1, 1, 1), D(2, 10, 1), D(1, 11, 2), D(2, 12, 2),
		D(1, 13, 3), D(2, 14, 3), D(1, 15, 4), D(2, 16, 4),
	};
	/* Only k2 at first: k1's first turn is round 2; 7 calls in all. */
	static const struct kev want_second[] = {
		D(2, 2, 1), D(1, 10, 2), D(2, 11, 2), D(1, 12, 3),
		D(2, 13, 3), D(1, 14, 4), D(2, 15, 4),
	};

	compare(&both_set, want_both, NWANT(want_both), __LINE__);
	compare(&second_set, want_second, NWANT(want_second), __LINE__);
	UNIT_ASSERT_NOTHING_HELD();
}

/* ----------------------------------------------------- replaced values */

static void replace_act(int k, int v)
{
	if (k == 1 && v == 1)
		kset(2, 10);	/* k2's turn has not come this round */
	if (k == 3)
		kset(1, 11);	/* k1's has */
}

static const struct scenario replace = {
	.nkeys = 3, .order = "\1\2\3", .act = replace_act, .n = 1,
};

static void test_destructor_gets_the_value_another_destructor_left(void)
{
	/* Never the replaced 2: the new 10 this round, 11 the next. */
	static const struct kev want[] = {
		D(1, 1, 1), D(2, 10, 1), D(3, 3, 1), D(1, 11, 2),
	};

	compare(&replace, want, NWANT(want), __LINE__);
	UNIT_ASSERT_NOTHING_HELD();
}

/* --------------------------------------------------------- set again */

/* k1 sets itself again twice (1, 2, 3), k2 every time. */
static void again_act(int k, int v)
{
	if (k == 1 && v < 3)
		kset(1, v + 1);
	if (k == 2)
		kset(2, v);
}

static const struct scenario again = {
	.nkeys = 2, .order = "\1\2", .act = again_act, .n = 1,
};

static void test_destructor_setting_its_own_key_runs_again_at_most_4_rounds(void)
{
	static const struct kev want[] = {
		D(1, 1, 1), D(2, 2, 1), D(1, 2, 2), D(2, 2, 2),
		D(1, 3, 3), D(2, 2, 3), D(2, 2, 4),
	};

	CU_ASSERT_EQUAL(TL_DESTRUCTOR_ITERATIONS,
			PTHREAD_DESTRUCTOR_ITERATIONS);
	compare(&again, want, NWANT(want), __LINE__);
	CU_ASSERT_EQUAL(calls(&ref[0], 2), PTHREAD_DESTRUCTOR_ITERATIONS);
	CU_ASSERT_EQUAL(calls(&thr[0], 2), PTHREAD_DESTRUCTOR_ITERATIONS);
	CU_ASSERT_EQUAL(calls(&tsk[0], 2), PTHREAD_DESTRUCTOR_ITERATIONS);
	UNIT_ASSERT_NOTHING_HELD();
}

UNIT_SUITE(keys_rounds,
	UNIT_TEST(test_object_held_by_two_keys_is_freed_once),
	UNIT_TEST(test_destructors_setting_each_other_run_as_many_times_as_glibc),
	UNIT_TEST(test_destructor_gets_the_value_another_destructor_left),
	UNIT_TEST(test_destructor_setting_its_own_key_runs_again_at_most_4_rounds));
