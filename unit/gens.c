// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * unit/gens.c - generations never repeat: a registry index, and a key
 * table position, retire once they handed out their last generation, so a
 * value left by an unregistered local (or a deleted key) is never seen
 * again however many are created and deleted after it.  Built into the
 * TL_DEBUG tests only, whose library counts to 64 instead of 2^32
 * (TL__GEN_LAST, TL__KEY_USES_LAST), so that a wrap would show in
 * milliseconds.  Run last there: the retired entries stay retired, and
 * the tables that count them stay allocated.
 */
#include <string.h>

#include "tasklocal/posix.h"
#include "unit.h"

#define CYCLES 200	/* over three times the debug build's last generation */

static int stale_calls;

static void stale_dtor(void *v)
{
	(void)v;
	stale_calls++;
}

static void test_unregistered_value_never_seen_again(void)
{
	struct tl_local old = TL_LOCAL(.destroy = stale_dtor);
	struct tl_node t = TL_NODE_INIT(t);
	int i, seen = 0;

	stale_calls = 0;
	tl_switch(&t);
	CU_ASSERT_EQUAL_FATAL(tl_set(&old, "stale"), 0);
	CU_ASSERT_EQUAL(tl_local_unregister(&old), 0);
	/* New locals take the freed index again and again, until it retires. */
	for (i = 0; i < CYCLES; i++) {
		struct tl_local fresh = TL_LOCAL(.destroy = stale_dtor);

		CU_ASSERT_EQUAL_FATAL(tl_local_register(&fresh), 0);
		seen += tl_get(&fresh) != NULL;
		CU_ASSERT_EQUAL(tl_local_unregister(&fresh), 0);
	}
	CU_ASSERT_EQUAL(seen, 0);
	tl_switch(NULL);
	tl_task_exit(&t);
	CU_ASSERT_EQUAL(stale_calls, 0);
	/* A count passed half its range: the index table stays from now on. */
	CU_ASSERT_EQUAL(tl_allocator_set(NULL), -EBUSY);
}

static void test_deleted_key_never_resolves_again(void)
{
	static tl_key_t keys[CYCLES];
	int i, j, bad = 0;

	for (i = 0; i < CYCLES; i++) {
		CU_ASSERT_EQUAL_FATAL(tl_key_create(&keys[i], stale_dtor), 0);
		CU_ASSERT_EQUAL(tl_setspecific(keys[i], "live"), 0);
		CU_ASSERT_EQUAL(tl_key_delete(keys[i]), 0);
		for (j = 0; j <= i; j++) {
			bad += tl_getspecific(keys[j]) != NULL;
			bad += tl_setspecific(keys[j], "x") != EINVAL;
			bad += j < i && keys[j] == keys[i];
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	tl_root_exit();
	CU_ASSERT_EQUAL(stale_calls, 0);
	CU_ASSERT_EQUAL(tl_allocator_set(NULL), -EBUSY);
}

/*
 * With counts that high, cycles of tl_allocator_set() leave the tables
 * alone: they neither retire every index nor double the table each time,
 * so registration and key creation go on at the indices there are.
 */
static void test_high_counts_keep_their_tables(void)
{
	int cycle, i, bad = 0;
	tl_key_t key;

	for (cycle = 0; cycle < 40; cycle++) {
		for (i = 0; i < 3; i++) {
			struct tl_local fresh = TL_LOCAL(.name = NULL);

			if (tl_local_register(&fresh) != 0) {
				bad++;
				continue;
			}
			bad += fresh.tl__index > 64;	/* the table grew */
			CU_ASSERT_EQUAL(tl_local_unregister(&fresh), 0);
			if (tl_key_create(&key, NULL) != 0) {
				bad++;
				continue;
			}
			bad += (uint32_t)key >= 64 << TL__KEY_ENTRY_SHIFT;
			CU_ASSERT_EQUAL(tl_key_delete(key), 0);
		}
		CU_ASSERT_EQUAL(tl_allocator_set(NULL), -EBUSY);
	}
	CU_ASSERT_EQUAL(bad, 0);
}

UNIT_SUITE(gens,
	UNIT_TEST(test_unregistered_value_never_seen_again),
	UNIT_TEST(test_deleted_key_never_resolves_again),
	UNIT_TEST(test_high_counts_keep_their_tables));
