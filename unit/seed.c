// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * unit/seed.c - the behaviours of the seed (metapensiero.asyncio.tasklocal)
 * that users port, each on the demo scheduler of tools/sched.c: values
 * private per task, per-task init of a typed local, per-scheduler and custom
 * discriminators, del, and cleanup at task end.
 */
#include <string.h>

#include "sched.h"
#include "unit.h"

static struct tl_local a_var = TL_LOCAL(.name = "a_var");

struct seen {
	const char *set, *got;
};

static void set_yield_get(void *arg)
{
	struct seen *s = arg;

	CU_ASSERT_EQUAL(tl_set(&a_var, (void *)s->set), 0);
	task_yield();
	s->got = tl_get(&a_var);
}

static void test_two_tasks_read_their_own_value(void)
{
	struct task a, b;
	struct seen sa = { "foo", NULL }, sb = { "bar", NULL };

	CU_ASSERT_EQUAL(task_spawn(&a, "a", set_yield_get, &sa), 0);
	CU_ASSERT_EQUAL(task_spawn(&b, "b", set_yield_get, &sb), 0);
	CU_ASSERT_EQUAL(task_run(), 2);
	CU_ASSERT_STRING_EQUAL(sa.got, "foo");
	CU_ASSERT_STRING_EQUAL(sb.got, "bar");
	/* The scheduler itself runs in the root context: it saw neither. */
	CU_ASSERT_PTR_NULL(tl_get(&a_var));
	CU_ASSERT_EQUAL(tl_local_unregister(&a_var), 0);
	UNIT_ASSERT_NOTHING_HELD();
}

/* A typed local: the C form of a Local subclass with an __init__. */
struct counter {
	int hits;
	int inits;
	void *arg;
};

static int inits_total;

static void counter_init(void *data, void *arg)
{
	struct counter *c = data;

	c->hits = 0;
	c->inits = 1;
	c->arg = arg;
	inits_total++;
}

static char init_arg[] = "init-arg";
static struct tl_local counter = TL_LOCAL(.size = sizeof(struct counter),
					  .init = counter_init,
					  .arg = init_arg);

static void count_three_times(void *arg)
{
	struct counter **out = arg;
	int i;

	CU_ASSERT_PTR_NULL(tl_get(&counter));	/* not created yet */
	for (i = 0; i < 3; i++) {
		struct counter *c = tl_this(&counter);

		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		c->hits++;
		task_yield();
	}
	*out = tl_this(&counter);
	CU_ASSERT_PTR_EQUAL(tl_get(&counter), *out);
	CU_ASSERT_EQUAL((*out)->hits, 3);
	CU_ASSERT_EQUAL((*out)->inits, 1);
	CU_ASSERT_PTR_EQUAL((*out)->arg, init_arg);
}

static void test_typed_local_inits_once_per_task(void)
{
	struct task a, b;
	struct counter *ca = NULL, *cb = NULL;

	inits_total = 0;
	task_spawn(&a, "a", count_three_times, &ca);
	task_spawn(&b, "b", count_three_times, &cb);
	CU_ASSERT_EQUAL(task_run(), 2);
	CU_ASSERT_EQUAL(inits_total, 2);
	CU_ASSERT_PTR_NOT_EQUAL(ca, cb);
	CU_ASSERT_EQUAL(tl_local_unregister(&counter), 0);
	UNIT_ASSERT_NOTHING_HELD();
}

/* Two loops in one thread, each with its own running task. */
static void test_per_scheduler_discriminators(void)
{
	struct tl_sched s1, s2;
	struct tl_node t1a, t1b, t2a;
	struct tl_local in1 = TL_LOCAL(.disc = &s1.disc);
	struct tl_local in2 = TL_LOCAL(.disc = &s2.disc);

	tl_sched_init(&s1);
	tl_sched_init(&s2);
	tl_task_init(&t1a);
	tl_task_init(&t1b);
	tl_task_init(&t2a);

	CU_ASSERT_PTR_NULL(tl_sched_switch(&s1, &t1a));
	CU_ASSERT_PTR_NULL(tl_sched_switch(&s2, &t2a));
	CU_ASSERT_EQUAL(tl_set(&in1, "loop1-a"), 0);
	CU_ASSERT_EQUAL(tl_set(&in2, "loop2-a"), 0);

	/* Loop 1 switches; loop 2's task and value are untouched. */
	CU_ASSERT_PTR_EQUAL(tl_sched_switch(&s1, &t1b), &t1a);
	CU_ASSERT_PTR_NULL(tl_get(&in1));
	CU_ASSERT_STRING_EQUAL(tl_get(&in2), "loop2-a");
	CU_ASSERT_EQUAL(tl_set(&in1, "loop1-b"), 0);

	tl_sched_switch(&s1, &t1a);
	CU_ASSERT_STRING_EQUAL(tl_get(&in1), "loop1-a");
	/* The default discriminator (this thread) has nothing to do with it. */
	CU_ASSERT_PTR_NULL(tl_current());

	/* No current task in a loop: the thread's root context. */
	tl_sched_switch(&s2, NULL);
	CU_ASSERT_PTR_NULL(tl_get(&in2));
	CU_ASSERT_EQUAL(tl_set(&in2, "root"), 0);
	tl_sched_switch(&s2, &t2a);
	CU_ASSERT_STRING_EQUAL(tl_get(&in2), "loop2-a");

	tl_task_exit(&t1a);
	tl_task_exit(&t1b);
	tl_task_exit(&t2a);
	tl_root_exit();
	CU_ASSERT_EQUAL(tl_local_unregister(&in1), 0);
	CU_ASSERT_EQUAL(tl_local_unregister(&in2), 0);
	UNIT_ASSERT_NOTHING_HELD();
}

/* A "session" made current by the application: the seed's BaseDiscriminator. */
struct session {
	const char *user;
	struct tl_node locals;
};

struct session_table {
	struct tl_discriminator disc;
	struct session *active;
};

static struct tl_node *active_session(struct tl_discriminator *d)
{
	struct session_table *t = tl_container_of(d, struct session_table, disc);

	return t->active ? &t->active->locals : NULL;
}

static void test_custom_discriminator(void)
{
	struct session_table table = { { active_session }, NULL };
	struct session alice = { "alice", TL_NODE_INIT(alice.locals) };
	struct session bob = { "bob", TL_NODE_INIT(bob.locals) };
	struct tl_local cart = TL_LOCAL(.name = "cart", .disc = &table.disc);

	table.active = &alice;
	CU_ASSERT_EQUAL(tl_set(&cart, "book"), 0);
	table.active = &bob;
	CU_ASSERT_PTR_NULL(tl_get(&cart));
	CU_ASSERT_EQUAL(tl_set(&cart, "pen"), 0);
	table.active = &alice;
	CU_ASSERT_STRING_EQUAL(tl_get(&cart), "book");
	table.active = &bob;
	CU_ASSERT_STRING_EQUAL(tl_get(&cart), "pen");
	CU_ASSERT_FALSE(tl_node_empty(&alice.locals));

	tl_task_exit(&alice.locals);
	tl_task_exit(&bob.locals);
	CU_ASSERT_TRUE(tl_node_empty(&alice.locals));
	CU_ASSERT_EQUAL(tl_local_unregister(&cart), 0);
	UNIT_ASSERT_NOTHING_HELD();
}

/* del mylocal.a_var: only the current task's value, with its destructor. */
static int destroyed;
static void *destroyed_value;

static void note_destroy(void *v)
{
	destroyed++;
	destroyed_value = v;
}

static struct tl_local deletable = TL_LOCAL(.name = "deletable",
					    .destroy = note_destroy);

static void set_then_maybe_del(void *arg)
{
	char *v = arg;

	tl_set(&deletable, v);
	task_yield();
	if (v[0] == 'd') {
		CU_ASSERT_EQUAL(tl_del(&deletable), 0);
		CU_ASSERT_EQUAL(destroyed, 1);
		CU_ASSERT_PTR_EQUAL(destroyed_value, v);
		CU_ASSERT_PTR_NULL(tl_get(&deletable));
		CU_ASSERT_EQUAL(tl_del(&deletable), -ENOENT);
	}
	task_yield();
	if (v[0] == 'k')
		CU_ASSERT_PTR_EQUAL(tl_get(&deletable), v);
}

static void test_del_removes_only_the_current_tasks_value(void)
{
	struct task a, b;
	char del[] = "del", keep[] = "keep";

	destroyed = 0;
	task_spawn(&a, "a", set_then_maybe_del, del);
	task_spawn(&b, "b", set_then_maybe_del, keep);
	task_run();
	/* b's value was destroyed at b's exit, a's only once by tl_del. */
	CU_ASSERT_EQUAL(destroyed, 2);
	CU_ASSERT_PTR_EQUAL(destroyed_value, keep);
	CU_ASSERT_EQUAL(tl_local_unregister(&deletable), 0);
	UNIT_ASSERT_NOTHING_HELD();
}

/* dispose(): at task end every destructor ran once and nothing is left. */
static int dtor_calls[3];

static void dtor0(void *v) { (void)v; dtor_calls[0]++; }
static void dtor1(void *v) { (void)v; dtor_calls[1]++; }
static void dtor2(void *v) { (void)v; dtor_calls[2]++; }

static struct tl_local l0 = TL_LOCAL(.destroy = dtor0);
static struct tl_local l1 = TL_LOCAL(.destroy = dtor1);
static struct tl_local l2 = TL_LOCAL(.destroy = dtor2, .size = 8);

static struct tl_node *exited_task;

static void set_all(void *arg)
{
	(void)arg;
	exited_task = tl_current();
	tl_set(&l0, "zero");
	tl_set(&l1, "one");
	CU_ASSERT_PTR_NOT_NULL(tl_this(&l2));
}

static void test_cleanup_at_task_end(void)
{
	struct task t;

	memset(dtor_calls, 0, sizeof(dtor_calls));
	tl_set(&l0, "root value");
	task_spawn(&t, "t", set_all, NULL);
	task_run();
	CU_ASSERT_EQUAL(dtor_calls[0], 1);
	CU_ASSERT_EQUAL(dtor_calls[1], 1);
	CU_ASSERT_EQUAL(dtor_calls[2], 1);
	CU_ASSERT_PTR_EQUAL(exited_task, &t.locals);
	CU_ASSERT_TRUE(tl_node_empty(&t.locals));
	/* The root context is separate: its value survived the task. */
	CU_ASSERT_STRING_EQUAL(tl_get(&l0), "root value");
	tl_root_exit();
	CU_ASSERT_EQUAL(dtor_calls[0], 2);
	CU_ASSERT_PTR_NULL(tl_get(&l0));
	tl_local_unregister(&l0);
	tl_local_unregister(&l1);
	tl_local_unregister(&l2);
	UNIT_ASSERT_NOTHING_HELD();
}

UNIT_SUITE(seed,
	UNIT_TEST(test_two_tasks_read_their_own_value),
	UNIT_TEST(test_typed_local_inits_once_per_task),
	UNIT_TEST(test_per_scheduler_discriminators),
	UNIT_TEST(test_custom_discriminator),
	UNIT_TEST(test_del_removes_only_the_current_tasks_value),
	UNIT_TEST(test_cleanup_at_task_end));
