// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * unit/mem.c - where memory comes from (lib/mem.c, lib/arena.c): the
 * allocator hook and its -EBUSY rule, the fixed-block pool, the arena, slot
 * sizes, and running out of memory without losing a value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

static void test_slot_size_budget(void)
{
	/* DESIGN.md: <= 32 bytes per slot on 64-bit, <= 20 on 32-bit. */
	CU_ASSERT(sizeof(struct tl_slot) <= (sizeof(void *) == 8 ? 32 : 20));
	CU_ASSERT_EQUAL(sizeof(struct tl_node), 2 * sizeof(void *));
	CU_ASSERT_EQUAL(TL_SLOT_SIZE(0), sizeof(struct tl_slot));
	CU_ASSERT(TL_SLOT_SIZE(1) >= sizeof(struct tl_slot) + 1);
	CU_ASSERT_EQUAL(TL_SLOT_SIZE(8) % _Alignof(max_align_t), 0);
}

static void test_allocator_replacement_rules(void)
{
	struct tl_allocator half = { NULL, NULL, NULL };
	struct tl_local l = TL_LOCAL(.name = NULL);

	CU_ASSERT_EQUAL(tl_allocator_set(&half), -EINVAL);
	unit_alloc_install(-1);
	CU_ASSERT_EQUAL(tl_set(&l, "v"), 0);
	CU_ASSERT(unit_alloc.in_use > 0);
	/* Its blocks are in use: it cannot be swapped out from under them. */
	CU_ASSERT_EQUAL(tl_allocator_set(NULL), -EBUSY);
	tl_root_exit();
	tl_local_unregister(&l);
	unit_alloc_remove();		/* asserts in_use == 0 and the swap */
}

static void test_out_of_memory_loses_nothing(void)
{
	struct tl_local have = TL_LOCAL(.name = NULL);
	struct tl_local more = TL_LOCAL(.name = NULL);
	struct tl_local typed = TL_LOCAL(.size = 32);
	struct tl_node t = TL_NODE_INIT(t);

	unit_alloc_install(-1);
	CU_ASSERT_EQUAL(tl_local_register(&more), 0);
	CU_ASSERT_EQUAL(tl_local_register(&typed), 0);
	tl_switch(&t);
	CU_ASSERT_EQUAL(tl_set(&have, "kept"), 0);
	unit_alloc.fail_after = 0;
	CU_ASSERT_EQUAL(tl_set(&more, "new"), -ENOMEM);
	CU_ASSERT_PTR_NULL(tl_this(&typed));
	/* Replacing an existing value needs no memory. */
	CU_ASSERT_EQUAL(tl_set(&have, "replaced"), 0);
	CU_ASSERT_STRING_EQUAL(tl_get(&have), "replaced");
	CU_ASSERT_PTR_NULL(tl_get(&more));
	unit_alloc.fail_after = -1;
	CU_ASSERT_EQUAL(tl_set(&more, "later"), 0);
	CU_ASSERT_STRING_EQUAL(tl_get(&more), "later");
	tl_switch(NULL);
	tl_task_exit(&t);
	tl_local_unregister(&have);
	tl_local_unregister(&more);
	tl_local_unregister(&typed);
	unit_alloc_remove();
}

/* ---------------------------------------------------------------- pool */

static void test_pool_init_bad_input(void)
{
	struct tl_pool p;
	char buf[256];

	CU_ASSERT_EQUAL(tl_pool_init(NULL, buf, sizeof(buf), 32), -EINVAL);
	CU_ASSERT_EQUAL(tl_pool_init(&p, NULL, sizeof(buf), 32), -EINVAL);
	CU_ASSERT_EQUAL(tl_pool_init(&p, buf, sizeof(buf), 4), -EINVAL);
	CU_ASSERT_EQUAL(tl_pool_init(&p, buf, 8, 32), -EINVAL);
	CU_ASSERT_EQUAL(tl_pool_init(&p, buf, sizeof(buf), SIZE_MAX), -EINVAL);
	CU_ASSERT_EQUAL(tl_pool_init(&p, buf, sizeof(buf), SIZE_MAX / 2 + 1), -EINVAL);
	memset(&p, 0, sizeof(p));
	CU_ASSERT_EQUAL(tl_pool_available(&p), 0);	/* never initialised */
	CU_ASSERT_EQUAL(tl_pool_init(&p, buf, sizeof(buf), sizeof(struct tl_slot)), 0);
	CU_ASSERT(tl_pool_available(&p) >= 4);
	CU_ASSERT_EQUAL(tl_pool_available(NULL), 0);
}

static void test_pool_serves_slots_then_runs_out(void)
{
	enum { BLOCKS = 4 };
	static _Alignas(max_align_t) char buf[BLOCKS * TL_SLOT_SIZE(0)];
	static _Alignas(max_align_t) char other_buf[256];
	struct tl_local l[BLOCKS + 1];
	struct tl_local big = TL_LOCAL(.size = 1000);
	struct tl_node t = TL_NODE_INIT(t);
	struct tl_pool pool, other;
	long slot_allocs;
	int i;

	memset(l, 0, sizeof(l));
	CU_ASSERT_EQUAL(tl_pool_init(&pool, buf, sizeof(buf), TL_SLOT_SIZE(0)), 0);
	CU_ASSERT_EQUAL(tl_pool_available(&pool), BLOCKS);
	unit_alloc_install(-1);
	for (i = 0; i <= BLOCKS; i++)
		CU_ASSERT_EQUAL(tl_local_register(&l[i]), 0);
	CU_ASSERT_EQUAL(tl_local_register(&big), 0);
	CU_ASSERT_EQUAL(tl_pool_attach(&pool), 0);

	slot_allocs = unit_alloc.calls;
	tl_switch(&t);
	for (i = 0; i < BLOCKS; i++)
		CU_ASSERT_EQUAL(tl_set(&l[i], &l[i]), 0);
	CU_ASSERT_EQUAL(tl_pool_available(&pool), 0);
	CU_ASSERT_EQUAL(unit_alloc.calls, slot_allocs);	/* all from the pool */

	/* Pool empty and the allocator failing: -ENOMEM, nothing lost. */
	unit_alloc.fail_after = 0;
	CU_ASSERT_EQUAL(tl_set(&l[BLOCKS], "one too many"), -ENOMEM);
	CU_ASSERT_PTR_NULL(tl_this(&big));	/* too big for a block */
	for (i = 0; i < BLOCKS; i++)
		CU_ASSERT_PTR_EQUAL(tl_get(&l[i]), &l[i]);
	/* The allocator takes over when it can. */
	unit_alloc.fail_after = -1;
	CU_ASSERT_EQUAL(tl_set(&l[BLOCKS], "from malloc"), 0);

	/* Blocks in use: the pool cannot be swapped or detached. */
	CU_ASSERT_EQUAL(tl_pool_init(&other, other_buf, sizeof(other_buf), 64), 0);
	CU_ASSERT_EQUAL(tl_pool_attach(&other), -EBUSY);
	CU_ASSERT_EQUAL(tl_pool_attach(NULL), -EBUSY);
	/* Nor carved again under the values that live in it. */
	CU_ASSERT_EQUAL(tl_pool_init(&pool, buf, sizeof(buf), TL_SLOT_SIZE(0)), -EBUSY);
	for (i = 0; i < BLOCKS; i++)
		CU_ASSERT_PTR_EQUAL(tl_get(&l[i]), &l[i]);

	tl_switch(NULL);
	tl_task_exit(&t);
	CU_ASSERT_EQUAL(tl_pool_available(&pool), BLOCKS);	/* all back */
	CU_ASSERT_EQUAL(tl_pool_attach(NULL), 0);
	for (i = 0; i <= BLOCKS; i++)
		tl_local_unregister(&l[i]);
	tl_local_unregister(&big);
	unit_alloc_remove();
}

/* --------------------------------------------------------------- arena */

static void test_arena_init_bad_input(void)
{
	struct tl_arena a;
	char buf[8];

	CU_ASSERT_EQUAL(tl_arena_init(NULL, buf, sizeof(buf)), -EINVAL);
	CU_ASSERT_EQUAL(tl_arena_init(&a, NULL, 4096), -EINVAL);
	CU_ASSERT_EQUAL(tl_arena_init(&a, buf, sizeof(buf)), -EINVAL);
}

static void test_arena_backs_the_registry_and_slots(void)
{
	enum { N = 64 };
	static _Alignas(max_align_t) char buf[16 * 1024];
	static char names[N][8];
	struct tl_local l[N];
	struct tl_arena arena;
	struct tl_node t = TL_NODE_INIT(t);
	int i, registered = 0;

	memset(l, 0, sizeof(l));
	CU_ASSERT_EQUAL_FATAL(tl_arena_init(&arena, buf, sizeof(buf)), 0);
	CU_ASSERT_EQUAL_FATAL(tl_allocator_set(&arena.allocator), 0);
	tl_switch(&t);
	for (i = 0; i < N; i++) {
		names[i][0] = 'n';
		names[i][1] = (char)('A' + i / 26);
		names[i][2] = (char)('a' + i % 26);
		l[i].name = names[i];
		if (tl_set(&l[i], &l[i]) == 0)
			registered++;
	}
	CU_ASSERT_EQUAL(registered, N);
	CU_ASSERT(arena.used > 0);
	for (i = 0; i < N; i++)
		CU_ASSERT_PTR_EQUAL(tl_local_find(names[i]), &l[i]);
	tl_switch(NULL);
	tl_task_exit(&t);
	for (i = 0; i < N; i++)
		tl_local_unregister(&l[i]);
	/*
	 * Everything came back, and merged into one chunk, once the swap
	 * gave back the index table (kept while the allocator stays).
	 */
	CU_ASSERT_EQUAL(tl_allocator_set(NULL), 0);
	CU_ASSERT_EQUAL(arena.used, 0);
}

static void test_arena_exhaustion_is_enomem(void)
{
	static _Alignas(max_align_t) char buf[1024];
	static char names[256][8];
	struct tl_local l[256];
	struct tl_arena arena;
	int i, n = 0, err = 0;

	memset(l, 0, sizeof(l));
	CU_ASSERT_EQUAL_FATAL(tl_arena_init(&arena, buf, sizeof(buf)), 0);
	CU_ASSERT_EQUAL_FATAL(tl_allocator_set(&arena.allocator), 0);
	for (i = 0; i < 256 && !err; i++) {
		names[i][0] = 'x';
		names[i][1] = (char)('0' + i / 100);
		names[i][2] = (char)('0' + i / 10 % 10);
		names[i][3] = (char)('0' + i % 10);
		l[i].name = names[i];
		err = tl_local_register(&l[i]);
		n += !err;
	}
	CU_ASSERT_EQUAL(err, -ENOMEM);
	CU_ASSERT(n > 0);
	for (i = 0; i < n; i++) {
		CU_ASSERT_PTR_EQUAL(tl_local_find(names[i]), &l[i]);
		tl_local_unregister(&l[i]);
	}
	CU_ASSERT_EQUAL(tl_allocator_set(NULL), 0);
	CU_ASSERT_EQUAL(arena.used, 0);
}

static void test_impossible_sizes_fail_cleanly(void)
{
	struct tl_local huge = TL_LOCAL(.size = SIZE_MAX - 8);
	struct tl_local half = TL_LOCAL(.size = SIZE_MAX / 2 + 1);
	struct tl_lock one_sided = { (void (*)(void *))abort, NULL, NULL };

	CU_ASSERT_PTR_NULL(tl_this(&huge));
	CU_ASSERT_PTR_NULL(tl_this(&half));
	CU_ASSERT_EQUAL(tl_lock_set(&one_sided), -EINVAL);
	CU_ASSERT_EQUAL(tl_lock_set(NULL), 0);
	tl_local_unregister(&huge);
	tl_local_unregister(&half);
	UNIT_ASSERT_NOTHING_HELD();
}

/*
 * A pool whose block is just below TL_SLOT_SIZE(1): rounding it up to a
 * slot's alignment may make it exactly a typed slot's size, and then a
 * typed slot's inline data must still be aligned to max_align_t.
 */
struct wide {
	_Alignas(max_align_t) unsigned char b[_Alignof(max_align_t)];
};

static void test_typed_slot_in_a_small_pool_block_is_max_aligned(void)
{
	static _Alignas(max_align_t) char mem[16 * TL_SLOT_SIZE(1) + 64];
	struct tl_local wide = TL_LOCAL(.size = sizeof(struct wide));
	struct tl_pool pool;
	size_t a = _Alignof(struct tl_slot), m = _Alignof(max_align_t);
	/* Just below a typed slot's size; a multiple of a slot's alignment off. */
	size_t block = TL_SLOT_SIZE(1) - 1;
	char *buf = mem + a;	/* slot-aligned, not max-aligned */
	void *data;

	if (a == m)
		return;		/* no target where the two differ: nothing to see */
	CU_ASSERT_EQUAL_FATAL(tl_pool_init(&pool, buf, sizeof(mem) - a, block), 0);
	CU_ASSERT_EQUAL_FATAL(tl_pool_attach(&pool), 0);
	CU_ASSERT_EQUAL_FATAL(tl_local_register(&wide), 0);
	data = tl_this(&wide);
	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	/* It came from the pool (the block holds it), and it must be aligned. */
	CU_ASSERT(tl_pool_available(&pool) < (sizeof(mem) - a) / TL_SLOT_SIZE(1));
	CU_ASSERT_EQUAL((uintptr_t)data % m, 0);
	tl_root_exit();
	CU_ASSERT_EQUAL(tl_local_unregister(&wide), 0);
	CU_ASSERT_EQUAL(tl_pool_attach(NULL), 0);
}

UNIT_SUITE(mem,
	UNIT_TEST(test_typed_slot_in_a_small_pool_block_is_max_aligned),
	UNIT_TEST(test_slot_size_budget),
	UNIT_TEST(test_allocator_replacement_rules),
	UNIT_TEST(test_out_of_memory_loses_nothing),
	UNIT_TEST(test_impossible_sizes_fail_cleanly),
	UNIT_TEST(test_pool_init_bad_input),
	UNIT_TEST(test_pool_serves_slots_then_runs_out),
	UNIT_TEST(test_arena_init_bad_input),
	UNIT_TEST(test_arena_backs_the_registry_and_slots),
	UNIT_TEST(test_arena_exhaustion_is_enomem));
