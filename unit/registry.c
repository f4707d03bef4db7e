// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * unit/registry.c - lib/registry.c: lazy registration, lookup by name,
 * duplicate names, unregistration with generations (a reused index never
 * sees old values), growth, and roll-back when memory runs out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

static void test_first_set_registers_lazily(void)
{
	struct tl_local l = TL_LOCAL(.name = "lazy");

	CU_ASSERT_FALSE(tl_local_registered(&l));
	CU_ASSERT_PTR_NULL(tl_local_find("lazy"));
	CU_ASSERT_EQUAL(tl_set(&l, "v"), 0);
	CU_ASSERT_TRUE(tl_local_registered(&l));
	CU_ASSERT_PTR_EQUAL(tl_local_find("lazy"), &l);
	CU_ASSERT_EQUAL(tl_local_register(&l), 0);	/* again: no-op */
	tl_root_exit();
	CU_ASSERT_EQUAL(tl_local_unregister(&l), 0);
	CU_ASSERT_PTR_NULL(tl_local_find("lazy"));
	UNIT_ASSERT_NOTHING_HELD();
}

static void test_duplicate_name_is_refused(void)
{
	struct tl_local a = TL_LOCAL(.name = "same"), b = TL_LOCAL(.name = "same");
	struct tl_local anon1 = TL_LOCAL(.name = NULL), anon2 = TL_LOCAL(.name = NULL);

	CU_ASSERT_EQUAL(tl_local_register(&a), 0);
	CU_ASSERT_EQUAL(tl_local_register(&b), -EEXIST);
	CU_ASSERT_EQUAL(tl_set(&b, "x"), -EEXIST);
	CU_ASSERT_FALSE(tl_local_registered(&b));
	CU_ASSERT_PTR_EQUAL(tl_local_find("same"), &a);
	/* Nameless locals never collide. */
	CU_ASSERT_EQUAL(tl_local_register(&anon1), 0);
	CU_ASSERT_EQUAL(tl_local_register(&anon2), 0);
	/* Once the name is free, the other local may take it. */
	CU_ASSERT_EQUAL(tl_local_unregister(&a), 0);
	CU_ASSERT_EQUAL(tl_local_register(&b), 0);
	CU_ASSERT_PTR_EQUAL(tl_local_find("same"), &b);
	tl_local_unregister(&b);
	tl_local_unregister(&anon1);
	tl_local_unregister(&anon2);
	UNIT_ASSERT_NOTHING_HELD();
}

static void test_unregister_bad_input(void)
{
	struct tl_local l = TL_LOCAL(.name = "x");

	CU_ASSERT_EQUAL(tl_local_register(NULL), -EINVAL);
	CU_ASSERT_EQUAL(tl_local_unregister(NULL), -EINVAL);
	CU_ASSERT_EQUAL(tl_local_unregister(&l), -ENOENT);
	CU_ASSERT_PTR_NULL(tl_local_find(NULL));
	CU_ASSERT_FALSE(tl_local_registered(NULL));
	CU_ASSERT_EQUAL(tl_local_register(&l), 0);
	CU_ASSERT_EQUAL(tl_local_unregister(&l), 0);
	CU_ASSERT_EQUAL(tl_local_unregister(&l), -ENOENT);
	UNIT_ASSERT_NOTHING_HELD();
}

static void test_reused_index_never_sees_old_values(void)
{
	struct tl_local old = TL_LOCAL(.name = "old",
				       .destroy = unit_dtor_count);
	struct tl_local next = TL_LOCAL(.name = "next",
					.destroy = unit_dtor_count);
	struct tl_local fresh = TL_LOCAL(.name = "fresh",
					 .destroy = unit_dtor_count);
	struct tl_node a = TL_NODE_INIT(a), b = TL_NODE_INIT(b);

	unit_dtor_reset();
	tl_switch(&a);
	tl_set(&old, "a's");
	tl_switch(&b);
	tl_set(&old, "b's");
	tl_switch(NULL);
	tl_set(&old, "root's");
	/* The lowest free index is handed out first: next's is above old's. */
	CU_ASSERT_EQUAL(tl_local_register(&next), 0);
	CU_ASSERT_EQUAL(tl_local_unregister(&old), 0);

	/* So fresh takes old's index (the exit of a below shows it). */
	CU_ASSERT_EQUAL(tl_local_register(&fresh), 0);
	CU_ASSERT_PTR_NULL(tl_get(&fresh));
	tl_switch(&a);
	CU_ASSERT_PTR_NULL(tl_get(&fresh));
	CU_ASSERT_PTR_NULL(tl_get(&old));
	CU_ASSERT_EQUAL(tl_set(&next, "next's"), 0);
	CU_ASSERT_EQUAL(tl_set(&fresh, "fresh's"), 0);
	tl_switch(&b);
	CU_ASSERT_PTR_NULL(tl_get(&fresh));
	/* The old local registered again starts empty too. */
	CU_ASSERT_EQUAL(tl_local_register(&old), 0);
	CU_ASSERT_PTR_NULL(tl_get(&old));
	tl_set(&old, "new b's");
	CU_ASSERT_STRING_EQUAL(tl_get(&old), "new b's");
	tl_switch(NULL);

	/*
	 * An exit runs destructors in index order: fresh's before next's,
	 * although it was set after, so fresh's index is below next's, the
	 * one old left.  Old's own values reach no destructor, its own or
	 * fresh's: two calls for a, one for b, none for the root context.
	 */
	tl_task_exit(&a);
	CU_ASSERT_EQUAL(atomic_load(&unit_dtor.calls), 2);
	CU_ASSERT_STRING_EQUAL(atomic_load(&unit_dtor.got), "next's");
	tl_task_exit(&b);
	CU_ASSERT_EQUAL(atomic_load(&unit_dtor.calls), 3);
	CU_ASSERT_STRING_EQUAL(atomic_load(&unit_dtor.got), "new b's");
	tl_root_exit();
	CU_ASSERT_EQUAL(atomic_load(&unit_dtor.calls), 3);
	tl_local_unregister(&old);
	tl_local_unregister(&next);
	tl_local_unregister(&fresh);
	UNIT_ASSERT_NOTHING_HELD();
}

static void test_many_named_locals(void)
{
	enum { N = 20000 };
	struct tl_local *l = calloc(N, sizeof(*l));
	char (*names)[24] = calloc(N, sizeof(*names));
	int i, bad = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_PTR_NOT_NULL_FATAL(names);
	for (i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "local-%d", i);
		l[i].name = names[i];
		bad += tl_local_register(&l[i]) != 0;
	}
	for (i = 0; i < N; i++)
		bad += tl_local_find(names[i]) != &l[i];
	/* Every second one goes, then comes back with a new generation. */
	for (i = 0; i < N; i += 2)
		bad += tl_local_unregister(&l[i]) != 0;
	for (i = 0; i < N; i += 2)
		bad += tl_local_find(names[i]) != NULL;
	for (i = 0; i < N; i += 2)
		bad += tl_local_register(&l[i]) != 0;
	for (i = 0; i < N; i++)
		bad += tl_local_unregister(&l[i]) != 0;
	CU_ASSERT_EQUAL(bad, 0);
	free(l);
	free(names);
	UNIT_ASSERT_NOTHING_HELD();
}

/*
 * Every allocation point of a registration fails in turn: the index table,
 * the name record, uthash's table, its buckets.  Each failure rolls back to
 * nothing held but the index table (kept for the generations it counts,
 * and given back when the allocator is swapped); the first success
 * registers.
 */
static void test_out_of_memory_rolls_back(void)
{
	struct tl_local l = TL_LOCAL(.name = "oom");
	long budget;
	int err = -ENOMEM;

	for (budget = 0; budget < 16 && err == -ENOMEM; budget++) {
		unit_alloc_install(budget);
		err = tl_local_register(&l);
		if (err == -ENOMEM) {
			CU_ASSERT_FALSE(tl_local_registered(&l));
			CU_ASSERT_PTR_NULL(tl_local_find("oom"));
			CU_ASSERT(unit_alloc.in_use <= 1);
		}
		if (!err)
			tl_local_unregister(&l);
		unit_alloc_remove();
	}
	CU_ASSERT_EQUAL(err, 0);
	CU_ASSERT(budget > 2);		/* it did fail at several points */
}

static void test_out_of_memory_growing_keeps_registered(void)
{
	enum { N = 40 };
	struct tl_local l[N];
	int i, ok = 0;

	memset(l, 0, sizeof(l));
	unit_alloc_install(1);		/* the first index table, no growth */
	for (i = 0; i < N; i++)
		ok += tl_local_register(&l[i]) == 0;
	CU_ASSERT(ok > 0 && ok < N);
	CU_ASSERT_EQUAL(tl_local_register(&l[N - 1]), -ENOMEM);
	for (i = 0; i < ok; i++) {
		CU_ASSERT_TRUE(tl_local_registered(&l[i]));
		CU_ASSERT_EQUAL(tl_local_unregister(&l[i]), 0);
	}
	unit_alloc_remove();
}

/*
 * A long-lived context (a thread's root) that sees locals come and go keeps
 * no slot of the dead ones: memory stays flat, lookups do not slow down.
 */
static void test_dead_slots_do_not_pile_up(void)
{
	struct tl_local keep = TL_LOCAL(.name = NULL);
	struct tl_slot bound;
	long peak = 0;
	int i;

	memset(&bound, 0, sizeof(bound));
	unit_alloc_install(-1);
	tl_set(&keep, "kept");
	for (i = 0; i < 1000; i++) {
		struct tl_local l = TL_LOCAL(.name = NULL);
		struct tl_local b = TL_LOCAL(.name = NULL);

		CU_ASSERT_EQUAL(tl_set(&l, &l), 0);
		CU_ASSERT_EQUAL(tl_bind(&b, &bound, &b), 0);
		CU_ASSERT_EQUAL(tl_local_unregister(&l), 0);
		CU_ASSERT_EQUAL(tl_local_unregister(&b), 0);
		if (unit_alloc.in_use > peak)
			peak = unit_alloc.in_use;
	}
	CU_ASSERT(peak <= 4);
	CU_ASSERT_STRING_EQUAL(tl_get(&keep), "kept");
	tl_root_exit();
	CU_ASSERT_PTR_EQUAL(bound.node.next, TL_POISON_NEXT);	/* handed back */
	tl_local_unregister(&keep);
	unit_alloc_remove();
}

UNIT_SUITE(registry,
	UNIT_TEST(test_first_set_registers_lazily),
	UNIT_TEST(test_duplicate_name_is_refused),
	UNIT_TEST(test_unregister_bad_input),
	UNIT_TEST(test_reused_index_never_sees_old_values),
	UNIT_TEST(test_many_named_locals),
	UNIT_TEST(test_out_of_memory_rolls_back),
	UNIT_TEST(test_out_of_memory_growing_keeps_registered),
	UNIT_TEST(test_dead_slots_do_not_pile_up));
