// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * unit/list.c - the intrusive list of include/tasklocal/list.h: order of
 * add and add_tail, deletion with poisoning, the two iterators.
 */
#include "unit.h"

struct item {
	int v;
	struct tl_node link;
};

static void fill(struct tl_node *head, struct item *items, int n, bool tail)
{
	int i;

	tl_node_init(head);
	for (i = 0; i < n; i++) {
		items[i].v = i;
		if (tail)
			tl_node_add_tail(&items[i].link, head);
		else
			tl_node_add(&items[i].link, head);
	}
}

static void test_static_init_is_empty(void)
{
	static struct tl_node head = TL_NODE_INIT(head);

	CU_ASSERT_TRUE(tl_node_empty(&head));
	CU_ASSERT_PTR_EQUAL(head.next, &head);
	CU_ASSERT_PTR_EQUAL(head.prev, &head);
}

static void test_add_is_stack_add_tail_is_queue(void)
{
	struct tl_node head;
	struct item items[4], *pos;
	int expect = 3;

	fill(&head, items, 4, false);
	tl_for_each_entry(pos, &head, link)
		CU_ASSERT_EQUAL(pos->v, expect--);
	CU_ASSERT_EQUAL(expect, -1);

	fill(&head, items, 4, true);
	expect = 0;
	tl_for_each_entry(pos, &head, link)
		CU_ASSERT_EQUAL(pos->v, expect++);
	CU_ASSERT_EQUAL(expect, 4);
}

static void test_del_unlinks_and_poisons(void)
{
	struct tl_node head;
	struct item items[3];

	fill(&head, items, 3, true);
	tl_node_del(&items[1].link);
	CU_ASSERT_PTR_EQUAL(items[0].link.next, &items[2].link);
	CU_ASSERT_PTR_EQUAL(items[2].link.prev, &items[0].link);
	CU_ASSERT_PTR_EQUAL(items[1].link.next, TL_POISON_NEXT);
	CU_ASSERT_PTR_EQUAL(items[1].link.prev, TL_POISON_PREV);
	tl_node_del(&items[0].link);
	tl_node_del(&items[2].link);
	CU_ASSERT_TRUE(tl_node_empty(&head));
}

static void test_safe_iteration_allows_deleting_each(void)
{
	struct tl_node head;
	struct item items[5], *pos, *n;
	int seen = 0;

	fill(&head, items, 5, true);
	tl_for_each_entry_safe(pos, n, &head, link) {
		CU_ASSERT_EQUAL(pos->v, seen++);
		tl_node_del(&pos->link);
	}
	CU_ASSERT_EQUAL(seen, 5);
	CU_ASSERT_TRUE(tl_node_empty(&head));
}

static void test_splice_moves_a_list_to_the_front(void)
{
	struct tl_node a, b, empty;
	struct item ia[2], ib[2], *pos;
	int expect[] = { 0, 1, 0, 1 }, i = 0;

	fill(&a, ia, 2, true);
	fill(&b, ib, 2, true);
	tl_node_splice_init(&a, &b);
	CU_ASSERT_TRUE(tl_node_empty(&a));
	tl_for_each_entry(pos, &b, link) {
		CU_ASSERT_PTR_EQUAL(pos, i < 2 ? &ia[i] : &ib[i - 2]);
		CU_ASSERT_EQUAL(pos->v, expect[i]);
		i++;
	}
	CU_ASSERT_EQUAL(i, 4);
	CU_ASSERT_PTR_EQUAL(b.prev, &ib[1].link);
	/* Into an empty list, and from an empty one. */
	tl_node_init(&empty);
	tl_node_splice_init(&b, &empty);
	CU_ASSERT_TRUE(tl_node_empty(&b));
	CU_ASSERT_PTR_EQUAL(empty.next, &ia[0].link);
	CU_ASSERT_PTR_EQUAL(empty.prev, &ib[1].link);
	tl_node_splice_init(&b, &empty);
	CU_ASSERT_PTR_EQUAL(empty.next, &ia[0].link);
}

static void test_container_of_finds_the_struct(void)
{
	struct item it = { .v = 42 };

	CU_ASSERT_PTR_EQUAL(tl_container_of(&it.link, struct item, link), &it);
}

UNIT_SUITE(list,
	UNIT_TEST(test_static_init_is_empty),
	UNIT_TEST(test_add_is_stack_add_tail_is_queue),
	UNIT_TEST(test_del_unlinks_and_poisons),
	UNIT_TEST(test_safe_iteration_allows_deleting_each),
	UNIT_TEST(test_splice_moves_a_list_to_the_front),
	UNIT_TEST(test_container_of_finds_the_struct));
