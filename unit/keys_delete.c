// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * unit/keys_delete.c - classic thread-specific-data programs that delete
 * keys with values pending, run on glibc's pthread keys and on tasklocal's
 * tl_key_* in a pthread and in a task, traces compared entry by entry
 * (unit/keys_trace.h): a key deleted by a destructor (its own, another
 * one, one destroyed this round) or while several threads hold values
 * gets no more destructor calls, and a key created at its index starts
 * out NULL.
 */
#include "keys_trace.h"

/* -------------------------------------------------- delete in destructor */

static void delete_act(int k, int v)
{
	(void)v;
	if (k == 1)		/* another key, its value still pending */
		tr_cur->bad += kdel(3) != 0;
	if (k == 2) {		/* its own, set again first */
		kset(2, 12);
		tr_cur->bad += kdel(2) != 0;
	}
	if (k == 4) {		/* one destroyed this round, set again */
		kset(1, 14);
		tr_cur->bad += kdel(1) != 0;
	}
}

static const struct scenario delete_in_dtor = {
	.nkeys = 4, .order = "\1\2\3\4", .act = delete_act, .n = 1,
};

static void test_key_deleted_by_a_destructor_gets_no_more_calls(void)
{
	static const struct kev want[] = { D(1, 1, 1), D(2, 2, 1), D(4, 4, 1) };

	compare(&delete_in_dtor, want, NWANT(want), __LINE__);
	UNIT_ASSERT_NOTHING_HELD();
}

/* --------------------------------------------- delete with values around */

/* k1 is deleted while every participant holds a value; k3 takes its index. */
static void victim_between(void)
{
	CU_ASSERT_EQUAL(kdel(1), 0);
	kcreate(3);
	CU_ASSERT(same_index(3, 1));	/* the case under test */
}

static void victim_after(int id)
{
	kget(1);		/* deleted: NULL */
	kget(3);		/* the new key at k1's index: NULL */
	kget(2);
	kset(3, 8 * id + 3);
	kget(3);
}

static const struct scenario victim = {
	.nkeys = 2, .order = "\1\2", .between = victim_between,
	.after = victim_after, .n = 3,
};

static void test_delete_with_values_in_several_threads_runs_no_destructor(void)
{
	/* k1's values are never destroyed; k3, at k1's lower index, first. */
	static const struct kev want[] = {
		R(1, -1), R(3, -1), R(2, 2), R(3, 3), D(3, 3, 1), D(2, 2, 1),
	};

	compare(&victim, want, NWANT(want), __LINE__);
	UNIT_ASSERT_NOTHING_HELD();
}

UNIT_SUITE(keys_delete,
	UNIT_TEST(test_key_deleted_by_a_destructor_gets_no_more_calls),
	UNIT_TEST(test_delete_with_values_in_several_threads_runs_no_destructor));
