// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * unit/keys_order.c - which values destructors get, and in which order, in
 * classic thread-specific-data programs run on glibc's pthread keys and on
 * tasklocal's tl_key_* in a pthread and in a task, traces compared entry
 * by entry (unit/keys_trace.h): eight threads at once each destroy their
 * own values, and destructors run in key index order (a new key at a
 * deleted one's index in its place), not in the order values were set.
 */
#include "keys_trace.h"

/* ----------------------------------------------------- eight threads */

static void eight_act(int k, int v)
{
	int b = 8 * tr_cur->id;

	if (k == 1)
		kset(2, b + 5);
	if (k == 2 && v == b + 5)
		kset(2, b + 6);
}

/* k4 has no destructor. */
static const struct scenario eight = {
	.nkeys = 4, .plain = 1u << 4, .order = "\3\1\4\2", .act = eight_act,
	.n = NPART,
};

static void test_eight_threads_each_destroy_their_own_values(void)
{
	static const struct kev want[] = {
		D(1, 1, 1), D(2, 5, 1), D(3, 3, 1), D(2, 6, 2),
	};

	compare(&eight, want, NWANT(want), __LINE__);
	UNIT_ASSERT_NOTHING_HELD();
}

/* ------------------------------------------------------------- order */

/* k3 deleted, k6 created: it takes k3's index. */
static void reuse_setup(void)
{
	CU_ASSERT_EQUAL(kdel(3), 0);
	kcreate(6);
	CU_ASSERT(same_index(6, 3));
}

static const struct scenario five = {
	.nkeys = 5, .order = "\4\1\5\2\3", .n = 1,
};
static const struct scenario reuse = {
	.nkeys = 5, .setup = reuse_setup, .order = "\4\6\1\5\2", .n = 1,
};

static void test_destructors_run_in_key_order_not_set_order(void)
{
	static const struct kev want_five[] = {
		D(1, 1, 1), D(2, 2, 1), D(3, 3, 1), D(4, 4, 1), D(5, 5, 1),
	};
	static const struct kev want_reuse[] = {
		D(1, 1, 1), D(2, 2, 1), D(6, 6, 1), D(4, 4, 1), D(5, 5, 1),
	};

	compare(&five, want_five, NWANT(want_five), __LINE__);
	compare(&reuse, want_reuse, NWANT(want_reuse), __LINE__);
	UNIT_ASSERT_NOTHING_HELD();
}

UNIT_SUITE(keys_order,
	UNIT_TEST(test_eight_threads_each_destroy_their_own_values),
	UNIT_TEST(test_destructors_run_in_key_order_not_set_order));
