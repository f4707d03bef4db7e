// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * unit/debug.c - TL_DEBUG (lib/debug.c), run by unit/run-debug against a
 * TL_DEBUG=1 build: a list corrupted by the caller is reported with the
 * caller's file:line and the call fails instead of walking it forever.
 */
#include <string.h>

#include "unit.h"

#if !TL_DEBUG
#error "unit/debug.c is built with -DTL_DEBUG=1 only"
#endif

static int reports;
static const char *report_file;
static int report_line;
static char report_what[128];

static void record(const char *file, int line, const char *what)
{
	reports++;
	report_file = file;
	report_line = line;
	strncpy(report_what, what, sizeof(report_what) - 1);
}

static void listen(void)
{
	reports = 0;
	report_file = NULL;
	report_line = 0;
	report_what[0] = '\0';
	tl_debug_set_report(record);
}

static void test_broken_back_link_is_reported_at_the_callers_line(void)
{
	struct tl_local a = TL_LOCAL(.name = "a"), b = TL_LOCAL(.name = "b");
	struct tl_local c = TL_LOCAL(.name = "c");
	struct tl_node t = TL_NODE_INIT(t);
	struct tl_node *saved;
	int line;

	listen();
	tl_switch(&t);
	CU_ASSERT_EQUAL(tl_set(&a, "a"), 0);
	CU_ASSERT_EQUAL(tl_set(&b, "b"), 0);
	CU_ASSERT_EQUAL(reports, 0);

	saved = t.next->next->prev;		/* the caller scribbles */
	t.next->next->prev = &t;
	line = __LINE__ + 1;
	CU_ASSERT_EQUAL(tl_del(&a), -EINVAL);
	CU_ASSERT_EQUAL(reports, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(report_file, "unit/debug.c"));
	CU_ASSERT_EQUAL(report_line, line);
	CU_ASSERT_PTR_NOT_NULL(strstr(report_what, "corrupted"));
	/* Linking a new value is a mutation: refused. */
	CU_ASSERT_EQUAL(tl_set(&c, "x"), -EINVAL);
	CU_ASSERT_EQUAL(reports, 2);
	/* Once, however many ways the set looks (c is registered now). */
	CU_ASSERT_TRUE(tl_local_registered(&c));
	CU_ASSERT_EQUAL(tl_set(&c, "x"), -EINVAL);
	CU_ASSERT_EQUAL(reports, 3);
	tl_switch(NULL);
	tl_task_exit(&t);			/* refused, not walked */
	CU_ASSERT_EQUAL(reports, 4);

	t.next->next->prev = saved;		/* repaired: works again */
	tl_task_exit(&t);
	CU_ASSERT_EQUAL(reports, 4);
	CU_ASSERT_TRUE(tl_node_empty(&t));
	tl_local_unregister(&a);
	tl_local_unregister(&b);
	tl_local_unregister(&c);
	tl_debug_set_report(NULL);
	UNIT_ASSERT_NOTHING_HELD();
}

static void test_slot_linked_twice_is_refused(void)
{
	struct tl_local l = TL_LOCAL(.name = "bound");
	struct tl_node a = TL_NODE_INIT(a), b = TL_NODE_INIT(b);
	struct tl_slot slot;

	listen();
	memset(&slot, 0, sizeof(slot));
	tl_switch(&a);
	CU_ASSERT_EQUAL(tl_bind(&l, &slot, "in a"), 0);
	CU_ASSERT_EQUAL(tl_bind(&l, &slot, "again in a"), 0);	/* same place: fine */
	tl_switch(&b);
	CU_ASSERT_EQUAL(tl_bind(&l, &slot, "in b too"), -EINVAL);
	CU_ASSERT_EQUAL(reports, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(report_what, "still linked"));
	CU_ASSERT_PTR_NULL(tl_get(&l));
	tl_switch(&a);
	CU_ASSERT_STRING_EQUAL(tl_get(&l), "again in a");	/* untouched */
	tl_switch(NULL);
	tl_task_exit(&a);
	tl_task_exit(&b);
	CU_ASSERT_EQUAL(reports, 1);
	tl_local_unregister(&l);
	tl_debug_set_report(NULL);
	UNIT_ASSERT_NOTHING_HELD();
}

static void test_unlinked_or_released_task_is_reported(void)
{
	struct tl_local l = TL_LOCAL(.name = NULL);
	struct tl_node holder = TL_NODE_INIT(holder), t;

	listen();
	/* A node that was unlinked (poisoned) used as a task. */
	tl_node_add(&t, &holder);
	tl_node_del(&t);
	tl_switch(&t);
	CU_ASSERT_EQUAL(tl_set(&l, "x"), -EINVAL);
	CU_ASSERT_PTR_NULL(tl_get(&l));
	tl_switch(NULL);
	tl_task_exit(&t);
	CU_ASSERT_EQUAL(reports, 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(report_what, "not initialised"));
	tl_local_unregister(&l);
	tl_debug_set_report(NULL);
	UNIT_ASSERT_NOTHING_HELD();
}

static void test_task_exited_twice_is_harmless(void)
{
	struct tl_local l = TL_LOCAL(.name = NULL);
	struct tl_node t = TL_NODE_INIT(t);

	listen();
	tl_switch(&t);
	tl_set(&l, "v");
	tl_switch(NULL);
	tl_task_exit(&t);
	tl_task_exit(&t);
	CU_ASSERT_EQUAL(reports, 0);
	CU_ASSERT_TRUE(tl_node_empty(&t));
	tl_local_unregister(&l);
	tl_debug_set_report(NULL);
	UNIT_ASSERT_NOTHING_HELD();
}

static void test_scope_exit_out_of_order_is_reported(void)
{
	struct tl_local l = TL_LOCAL(.name = "scoped");
	struct tl_node t = TL_NODE_INIT(t);
	struct tl_scope outer, inner;
	int line;

	listen();
	tl_switch(&t);
	CU_ASSERT_EQUAL(tl_scope_enter(&outer, &l, "outer"), 0);
	CU_ASSERT_EQUAL(tl_scope_enter(&inner, &l, "inner"), 0);
	line = __LINE__ + 1;
	CU_ASSERT_EQUAL(tl_scope_exit(&outer), -EINVAL);
	CU_ASSERT_EQUAL(reports, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(report_file, "unit/debug.c"));
	CU_ASSERT_EQUAL(report_line, line);
	CU_ASSERT_PTR_NOT_NULL(strstr(report_what, "innermost"));
	CU_ASSERT_STRING_EQUAL(tl_get(&l), "inner");
	CU_ASSERT_EQUAL(tl_scope_exit(&inner), 0);
	CU_ASSERT_EQUAL(tl_scope_exit(&outer), 0);
	CU_ASSERT_EQUAL(reports, 1);
	tl_switch(NULL);
	tl_local_unregister(&l);
	tl_debug_set_report(NULL);
	UNIT_ASSERT_NOTHING_HELD();
}

UNIT_SUITE(debug,
	UNIT_TEST(test_scope_exit_out_of_order_is_reported),
	UNIT_TEST(test_broken_back_link_is_reported_at_the_callers_line),
	UNIT_TEST(test_slot_linked_twice_is_refused),
	UNIT_TEST(test_unlinked_or_released_task_is_reported),
	UNIT_TEST(test_task_exited_twice_is_harmless));
