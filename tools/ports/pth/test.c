// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * tools/ports/pth/test.c - the Pth port on real Pth threads: the seed's
 * example, typed locals built once per thread, destructors on return,
 * pth_exit(), deferred and asynchronous pth_cancel() and at pth_kill(),
 * inheritance through tl_pth_spawn(), and many threads yielding between a
 * set and a get, none of which may read another thread's value.
 */
#include <errno.h>
#include <string.h>

#include "tl_pth.h"
#include "../test.h"

static struct tl_local a_var = TL_PTH_LOCAL(.name = "pth.a_var");

/* ------------------------------------------------------------ the seed */

struct seed {
	const char *value;
	const char *got;
};

static int seeds_set;

static void *seed_task(void *arg)
{
	struct seed *s = arg;

	CU_ASSERT_EQUAL(tl_set(&a_var, (void *)s->value), 0);
	seeds_set++;
	/* Both have set the same local before either reads it back. */
	while (seeds_set < 2)
		pth_yield(NULL);
	s->got = tl_get(&a_var);
	return NULL;
}

static void test_seed(void)
{
	struct seed a = { "foo", NULL }, b = { "bar", NULL };
	pth_t ta, tb;

	CU_ASSERT_EQUAL(tl_set(&a_var, "main"), 0);
	seeds_set = 0;
	ta = pth_spawn(PTH_ATTR_DEFAULT, seed_task, &a);
	tb = pth_spawn(PTH_ATTR_DEFAULT, seed_task, &b);
	CU_ASSERT_FATAL(ta && tb);
	CU_ASSERT(pth_join(ta, NULL));
	CU_ASSERT(pth_join(tb, NULL));
	PORT_OWN(a.got, a.value);
	PORT_OWN(b.got, b.value);
	CU_ASSERT_STRING_EQUAL(a.got ? a.got : "", "foo");
	CU_ASSERT_STRING_EQUAL(b.got ? b.got : "", "bar");
	PORT_OWN(tl_get(&a_var), "main");
}

/* ------------------------------------------------------- typed locals */

struct counter {
	int hits;
	pth_t owner;
};

static int counter_inits, counter_destroys;

static void counter_init(void *data, void *arg)
{
	struct counter *c = data;

	(void)arg;
	c->hits = 0;
	c->owner = pth_self();
	counter_inits++;
}

static void counter_destroy(void *data)
{
	(void)data;
	counter_destroys++;
}

static struct tl_local counter = TL_PTH_LOCAL(.name = "pth.counter",
					      .size = sizeof(struct counter),
					      .init = counter_init,
					      .destroy = counter_destroy);

#define TYPED_ROUNDS 5

static void *counting_task(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < TYPED_ROUNDS; i++) {
		struct counter *c = tl_this(&counter);

		/* Never a _FATAL assertion here: it would longjmp off this stack. */
		if (!c) {
			CU_FAIL("tl_this: no storage");
			return NULL;
		}
		PORT_OWN(c->owner, pth_self());
		c->hits++;
		pth_yield(NULL);
	}
	CU_ASSERT_EQUAL(((struct counter *)tl_this(&counter))->hits, TYPED_ROUNDS);
	return NULL;
}

static void test_typed(void)
{
	pth_t t[3];
	int i;

	counter_inits = counter_destroys = 0;
	/* Eager tasks (tl_pth_spawn) and one made on first use (pth_spawn). */
	t[0] = tl_pth_spawn(PTH_ATTR_DEFAULT, counting_task, NULL);
	t[1] = tl_pth_spawn(PTH_ATTR_DEFAULT, counting_task, NULL);
	t[2] = pth_spawn(PTH_ATTR_DEFAULT, counting_task, NULL);
	for (i = 0; i < 3; i++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(t[i]);
		CU_ASSERT(pth_join(t[i], NULL));
	}
	CU_ASSERT_EQUAL(counter_inits, 3);
	CU_ASSERT_EQUAL(counter_destroys, 3);
}

/* ------------------------------------------------ how a thread can end */

/* A value whose destructor checks it runs once, for its own task. */
struct res {
	struct tl_node *task;
	int destroyed;
};

static void res_destroy(void *data)
{
	struct res *r = data;

	PORT_OWN(tl_current(), r->task);
	r->destroyed++;
}

static struct tl_local res = TL_PTH_LOCAL(.name = "pth.res",
					  .destroy = res_destroy);

enum ending { END_RETURN, END_EXIT, END_CANCEL, END_CANCEL_ASYNC };

struct ender {
	enum ending how;
	struct res res;
	bool ready;
};

static void end_deep(void)
{
	pth_exit((void *)"exited");	/* from below the start function */
}

static void *ending_task(void *arg)
{
	struct ender *e = arg;

	e->res.task = tl_pth_task();
	CU_ASSERT_EQUAL(tl_set(&res, &e->res), 0);
	CU_ASSERT_PTR_NOT_NULL(tl_this(&counter));
	e->ready = true;
	switch (e->how) {
	case END_RETURN:
		return (void *)"returned";
	case END_EXIT:
		end_deep();
		break;
	case END_CANCEL:
		for (;;) {
			pth_cancel_point();
			pth_yield(NULL);
		}
	case END_CANCEL_ASYNC:
		for (;;)
			pth_yield(NULL);
	}
	return NULL;
}

static void run_ending(enum ending how, void *want)
{
	struct ender e = { .how = how };
	struct res mine = { .task = tl_pth_task() };
	pth_attr_t attr = pth_attr_new();
	void *got = NULL;
	pth_t t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(attr);
	if (how == END_CANCEL_ASYNC)
		pth_attr_set(attr, PTH_ATTR_CANCEL_STATE,
			     PTH_CANCEL_ENABLE | PTH_CANCEL_ASYNCHRONOUS);
	/* The main thread's own value, which the cancel must not touch. */
	CU_ASSERT_EQUAL(tl_set(&res, &mine), 0);
	counter_destroys = 0;
	t = pth_spawn(attr, ending_task, &e);
	pth_attr_destroy(attr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	while (!e.ready)
		pth_yield(NULL);
	if (how == END_CANCEL || how == END_CANCEL_ASYNC)
		CU_ASSERT(pth_cancel(t));
	CU_ASSERT(pth_join(t, &got));
	CU_ASSERT_PTR_EQUAL(got, want);
	CU_ASSERT_EQUAL(e.res.destroyed, 1);
	CU_ASSERT_EQUAL(counter_destroys, 1);
	/* The asynchronous cancel ran the destructors here, in main. */
	PORT_OWN(tl_get(&res), &mine);
	CU_ASSERT_EQUAL(mine.destroyed, 0);
	/*
	 * Cleared without its destructor: tl_del() would run it with
	 * tl_current() the system thread's (NULL), not the main task.
	 */
	CU_ASSERT_EQUAL(tl_set(&res, NULL), 0);
}

static void test_end_return(void)
{
	run_ending(END_RETURN, "returned");
}

static void test_end_exit(void)
{
	run_ending(END_EXIT, "exited");
}

static void test_end_cancel(void)
{
	run_ending(END_CANCEL, PTH_CANCELED);
}

static void test_end_cancel_async(void)
{
	run_ending(END_CANCEL_ASYNC, PTH_CANCELED);
}

/*
 * A destructor that sets a value again: it lands in the exiting thread and
 * is destroyed in the next round, for that thread.
 */
static struct res again_res;

static void again_destroy(void *data)
{
	(void)data;
	again_res.task = tl_current();
	CU_ASSERT_EQUAL(tl_set(&res, &again_res), 0);
}

static struct tl_local again = TL_PTH_LOCAL(.name = "pth.again",
					    .destroy = again_destroy);

static void *again_task(void *arg)
{
	struct tl_node **task = arg;

	*task = tl_pth_task();
	CU_ASSERT_EQUAL(tl_set(&again, "again"), 0);
	return NULL;
}

static void test_destructor_sets(void)
{
	struct tl_node *task = NULL;
	pth_t t;

	memset(&again_res, 0, sizeof(again_res));
	t = pth_spawn(PTH_ATTR_DEFAULT, again_task, &task);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT(pth_join(t, NULL));
	CU_ASSERT_PTR_NOT_NULL(task);
	PORT_OWN(again_res.task, task);
	CU_ASSERT_EQUAL(again_res.destroyed, 1);
	CU_ASSERT_PTR_NULL(tl_get(&res));
}

/* --------------------------------------------------------- inheritance */

static struct tl_local inherited = TL_PTH_LOCAL(.name = "pth.inherited",
						.flags = TL_INHERIT);

struct heir {
	const void *got, *got_plain;
};

static void *heir_task(void *arg)
{
	struct heir *h = arg;

	h->got = tl_get(&inherited);
	h->got_plain = tl_get(&a_var);
	CU_ASSERT_EQUAL(tl_set(&inherited, "child"), 0);
	return NULL;
}

static void test_inherit(void)
{
	struct heir spawned = { NULL, NULL }, plain = { NULL, NULL };
	pth_t t;

	CU_ASSERT_EQUAL(tl_set(&inherited, "parent"), 0);
	t = tl_pth_spawn(PTH_ATTR_DEFAULT, heir_task, &spawned);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT(pth_join(t, NULL));
	PORT_OWN(spawned.got, "parent");
	PORT_OWN(spawned.got_plain, NULL);	/* a_var has no TL_INHERIT */
	/* Plain pth_spawn(): a task made on first use inherits nothing. */
	t = pth_spawn(PTH_ATTR_DEFAULT, heir_task, &plain);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT(pth_join(t, NULL));
	PORT_OWN(plain.got, NULL);
	PORT_OWN(tl_get(&inherited), "parent");
	CU_ASSERT_EQUAL(tl_del(&inherited), 0);
}

/* ------------------------------------------------------------- stress */

#define STRESS_THREADS 40
#define STRESS_ROUNDS  100

static void *stress_task(void *arg)
{
	char *mark = arg;	/* STRESS_ROUNDS bytes of this thread's own */
	int i;

	for (i = 0; i < STRESS_ROUNDS; i++) {
		struct counter *c;

		if (i % 10 == 9) {
			CU_ASSERT_EQUAL(tl_del(&a_var), 0);
			pth_yield(NULL);
			PORT_OWN(tl_get(&a_var), NULL);
			continue;
		}
		CU_ASSERT_EQUAL(tl_set(&a_var, &mark[i]), 0);
		c = tl_this(&counter);
		if (!c) {
			CU_FAIL("tl_this: no storage");
			return NULL;
		}
		c->hits++;
		pth_yield(NULL);
		PORT_OWN(tl_get(&a_var), &mark[i]);
		PORT_OWN(c->owner, pth_self());
		PORT_OWN(tl_this(&counter), c);
	}
	return NULL;
}

static void test_stress(void)
{
	static char marks[STRESS_THREADS][STRESS_ROUNDS];
	pth_t t[STRESS_THREADS];
	int i;

	counter_inits = counter_destroys = 0;
	for (i = 0; i < STRESS_THREADS; i++) {
		t[i] = (i & 1 ? tl_pth_spawn : pth_spawn)(PTH_ATTR_DEFAULT,
							 stress_task, marks[i]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(t[i]);
	}
	for (i = 0; i < STRESS_THREADS; i++)
		CU_ASSERT(pth_join(t[i], NULL));
	CU_ASSERT_EQUAL(counter_inits, STRESS_THREADS);
	CU_ASSERT_EQUAL(counter_destroys, STRESS_THREADS);
	PORT_OWN(tl_get(&a_var), "main");
}

/* ----------------------------------------------------- API and the end */

static void *not_main_task(void *arg)
{
	(void)arg;
	return (void *)(intptr_t)tl_pth_kill();
}

static void test_api(void)
{
	void *got = NULL;
	pth_t t;

	CU_ASSERT_EQUAL(tl_pth_init(), 0);	/* again: nothing happens */
	errno = 0;
	CU_ASSERT_PTR_NULL(tl_pth_spawn(PTH_ATTR_DEFAULT, NULL, NULL));
	CU_ASSERT_EQUAL(errno, EINVAL);
	t = pth_spawn(PTH_ATTR_DEFAULT, not_main_task, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT(pth_join(t, &got));
	CU_ASSERT_EQUAL((intptr_t)got, -EPERM);
	PORT_OWN(tl_get(&a_var), "main");	/* still running */
	CU_ASSERT_PTR_NOT_NULL(tl_pth_task());
}

/* Last: pth_kill() runs the main thread's destructors. */
static void test_kill(void)
{
	struct res mine = { .task = tl_pth_task() };

	CU_ASSERT_EQUAL(tl_set(&res, &mine), 0);
	CU_ASSERT_EQUAL(tl_pth_kill(), 0);
	CU_ASSERT_EQUAL(mine.destroyed, 1);
	/* Now the root context, where nothing was ever set. */
	PORT_OWN(tl_get(&a_var), NULL);
	PORT_OWN(tl_get(&res), NULL);
	CU_ASSERT_PTR_NULL(tl_pth_task());
	CU_ASSERT_EQUAL(tl_pth_kill(), -EINVAL);
}

static int suite_init(void)
{
	if (tl_pth_init() != -EPERM)	/* before pth_init() */
		return 1;
	return !pth_init() || tl_pth_init() != 0;
}

static CU_TestInfo tests[] = {
	{ "seed: foo and bar", test_seed },
	{ "typed local, once per thread", test_typed },
	{ "destructors on return", test_end_return },
	{ "destructors on pth_exit", test_end_exit },
	{ "destructors on deferred pth_cancel", test_end_cancel },
	{ "destructors on asynchronous pth_cancel", test_end_cancel_async },
	{ "a destructor sets a value again", test_destructor_sets },
	{ "TL_INHERIT through tl_pth_spawn", test_inherit },
	{ "40 threads yielding between set and get", test_stress },
	{ "API errors", test_api },
	{ "pth_kill ends the main thread", test_kill },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	int status = port_main("pth", tests, suite_init, NULL, 60);

	tl_root_exit();
	return status;
}
