// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * tools/ports/pcl/test.c - the PCL port on real PCL coroutines: the seed's
 * example, typed locals built once per coroutine, destructors when a
 * coroutine returns, calls tl_pcl_exit() or is deleted unfinished, the main
 * context as the root context, a coroutine started from another, two
 * system threads running coroutines at once, and many coroutines switching
 * between a set and a get, none of which may read another's value.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "tl_pcl.h"
#include "../test.h"

#define STACK (64 * 1024)

static struct tl_local a_var = TL_PCL_LOCAL(.name = "pcl.a_var");

/*
 * No _FATAL assertion runs inside a coroutine: CUnit would longjmp from the
 * coroutine's stack into the main context's.
 */

/* ------------------------------------------------------------ the seed */

struct seed {
	struct tl_pcl_task task;
	const char *value;
	const char *got;
};

static void seed_fn(void *arg)
{
	struct seed *s = arg;

	PORT_OWN(tl_get(&a_var), NULL);		/* not main's */
	CU_ASSERT_EQUAL(tl_set(&a_var, (void *)s->value), 0);
	co_resume();				/* the other one sets its own */
	s->got = tl_get(&a_var);
}

static void test_seed(void)
{
	struct seed a = { .value = "foo" }, b = { .value = "bar" };

	CU_ASSERT_EQUAL(tl_set(&a_var, "main"), 0);
	CU_ASSERT_EQUAL_FATAL(tl_pcl_create(&a.task, seed_fn, &a, NULL, STACK), 0);
	CU_ASSERT_EQUAL_FATAL(tl_pcl_create(&b.task, seed_fn, &b, NULL, STACK), 0);
	co_call(a.task.co);		/* a sets foo */
	co_call(b.task.co);		/* b sets bar */
	PORT_OWN(tl_get(&a_var), "main");
	co_call(a.task.co);		/* a reads and returns */
	co_call(b.task.co);
	CU_ASSERT_PTR_NULL(a.task.co);	/* ended, freed by PCL */
	CU_ASSERT_PTR_NULL(b.task.co);
	PORT_OWN(a.got, "foo");
	PORT_OWN(b.got, "bar");
	CU_ASSERT_STRING_EQUAL(a.got ? a.got : "", "foo");
	CU_ASSERT_STRING_EQUAL(b.got ? b.got : "", "bar");
	PORT_OWN(tl_get(&a_var), "main");
}

/* ------------------------------------------------------- typed locals */

struct counter {
	int hits;
	struct tl_pcl_task *owner;
};

/* Atomic: the threads test builds and destroys counters on two threads. */
static _Atomic int counter_inits, counter_destroys;

static void counter_init(void *data, void *arg)
{
	struct counter *c = data;

	(void)arg;
	c->hits = 0;
	c->owner = tl_pcl_self();
	counter_inits++;
}

static void counter_destroy(void *data)
{
	(void)data;
	counter_destroys++;
}

static struct tl_local counter = TL_PCL_LOCAL(.name = "pcl.counter",
					      .size = sizeof(struct counter),
					      .init = counter_init,
					      .destroy = counter_destroy);

#define TYPED_ROUNDS 5

static void counting_fn(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < TYPED_ROUNDS; i++) {
		struct counter *c = tl_this(&counter);

		if (!c) {
			CU_FAIL("tl_this: no storage");
			return;
		}
		PORT_OWN(c->owner, tl_pcl_self());
		c->hits++;
		co_resume();
	}
	CU_ASSERT_EQUAL(((struct counter *)tl_this(&counter))->hits, TYPED_ROUNDS);
}

/* Call each live coroutine of @t in turn until all have ended. */
static void run_all(struct tl_pcl_task *const *t, int n)
{
	int i, live;

	do {
		live = 0;
		for (i = 0; i < n; i++) {
			if (!t[i]->co)
				continue;
			co_call(t[i]->co);
			live++;
		}
	} while (live);
}

static void test_typed(void)
{
	struct tl_pcl_task t[3], *all[3] = { &t[0], &t[1], &t[2] };
	struct counter *mine;
	int i;

	counter_inits = counter_destroys = 0;
	for (i = 0; i < 3; i++)
		CU_ASSERT_EQUAL_FATAL(tl_pcl_create(&t[i], counting_fn, NULL,
						    NULL, STACK), 0);
	/* The main context's own storage, built once for the root context. */
	mine = tl_this(&counter);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mine);
	mine->hits = 100;
	run_all(all, 3);
	CU_ASSERT_EQUAL(counter_inits, 4);
	CU_ASSERT_EQUAL(counter_destroys, 3);
	PORT_OWN(tl_this(&counter), mine);
	CU_ASSERT_EQUAL(mine->hits, 100);
	PORT_OWN(mine->owner, NULL);
	CU_ASSERT_EQUAL(tl_del(&counter), 0);
	CU_ASSERT_EQUAL(counter_destroys, 4);
}

/* --------------------------------------------- how a coroutine can end */

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

static struct tl_local res = TL_PCL_LOCAL(.name = "pcl.res",
					  .destroy = res_destroy);

enum ending { END_RETURN, END_EXIT, END_DELETE };

struct ender {
	struct tl_pcl_task task;
	enum ending how;
	struct res res;
};

static void end_deep(void)
{
	tl_pcl_exit();			/* from below the coroutine's function */
	CU_FAIL("tl_pcl_exit returned");
}

static void ending_fn(void *arg)
{
	struct ender *e = arg;

	e->res.task = &e->task.locals;
	CU_ASSERT_EQUAL(tl_set(&res, &e->res), 0);
	CU_ASSERT_PTR_NOT_NULL(tl_this(&counter));
	if (e->how == END_EXIT)
		end_deep();
	if (e->how == END_DELETE) {
		co_resume();
		CU_FAIL("a deleted coroutine ran on");
	}
}

static void run_ending(enum ending how)
{
	struct ender e = { .how = how };

	counter_destroys = 0;
	CU_ASSERT_EQUAL_FATAL(tl_pcl_create(&e.task, ending_fn, &e, NULL, STACK), 0);
	co_call(e.task.co);
	if (how == END_DELETE) {
		CU_ASSERT_PTR_NOT_NULL(e.task.co);	/* suspended */
		CU_ASSERT_EQUAL(e.res.destroyed, 0);
		CU_ASSERT_EQUAL(tl_pcl_delete(&e.task), 0);
	}
	CU_ASSERT_PTR_NULL(e.task.co);
	CU_ASSERT_EQUAL(e.res.destroyed, 1);
	CU_ASSERT_EQUAL(counter_destroys, 1);
	CU_ASSERT_EQUAL(tl_pcl_delete(&e.task), 0);	/* ended: nothing */
	PORT_OWN(tl_get(&res), NULL);			/* main never set it */
}

static void test_end_return(void)
{
	run_ending(END_RETURN);
}

static void test_end_exit(void)
{
	run_ending(END_EXIT);
}

static void test_end_delete(void)
{
	run_ending(END_DELETE);
}

/* ------------------------------------ the main context is the root one */

static void isolation_fn(void *arg)
{
	(void)arg;
	PORT_OWN(tl_get(&a_var), NULL);
	PORT_OWN(tl_get(&res), NULL);
	CU_ASSERT_EQUAL(tl_set(&a_var, "coroutine"), 0);
	co_resume();
	PORT_OWN(tl_get(&a_var), "coroutine");
}

static void test_root_context(void)
{
	struct res mine = { .task = NULL };	/* the root context's */
	struct tl_pcl_task t;

	CU_ASSERT_PTR_NULL(tl_pcl_self());
	tl_pcl_exit();				/* in main: nothing */
	CU_ASSERT_EQUAL(tl_set(&a_var, "main"), 0);
	CU_ASSERT_EQUAL(tl_set(&res, &mine), 0);
	CU_ASSERT_EQUAL_FATAL(tl_pcl_create(&t, isolation_fn, NULL, NULL, STACK), 0);
	co_call(t.co);
	PORT_OWN(tl_get(&a_var), "main");
	co_call(t.co);
	CU_ASSERT_PTR_NULL(t.co);
	PORT_OWN(tl_get(&a_var), "main");
	PORT_OWN(tl_get(&res), &mine);
	/* The main context's values end with the root context. */
	tl_root_exit();
	CU_ASSERT_EQUAL(mine.destroyed, 1);
	PORT_OWN(tl_get(&a_var), NULL);
}

/* ------------------------------------- a coroutine started by another */

static struct tl_local inherited = TL_PCL_LOCAL(.name = "pcl.inherited",
						.flags = TL_INHERIT);

struct nest {
	struct tl_pcl_task outer, inner;
	const void *inner_got, *inner_plain;
};

static void inner_fn(void *arg)
{
	struct nest *n = arg;

	n->inner_got = tl_get(&inherited);
	n->inner_plain = tl_get(&a_var);
	CU_ASSERT_EQUAL(tl_set(&inherited, "inner"), 0);
	CU_ASSERT_EQUAL(tl_pcl_delete(&n->inner), -EBUSY);
	co_resume();				/* back to outer */
	PORT_OWN(tl_get(&inherited), "inner");
}

static void outer_fn(void *arg)
{
	struct nest *n = arg;

	CU_ASSERT_EQUAL(tl_set(&inherited, "outer"), 0);
	CU_ASSERT_EQUAL(tl_set(&a_var, "outer"), 0);
	if (tl_pcl_create(&n->inner, inner_fn, n, NULL, STACK)) {
		CU_FAIL("tl_pcl_create");
		return;
	}
	co_call(n->inner.co);
	PORT_OWN(tl_get(&inherited), "outer");
	co_call(n->inner.co);			/* inner ends */
	CU_ASSERT_PTR_NULL(n->inner.co);
	PORT_OWN(tl_get(&a_var), "outer");
}

static void test_nested(void)
{
	struct nest n;

	memset(&n, 0, sizeof(n));
	CU_ASSERT_EQUAL_FATAL(tl_pcl_create(&n.outer, outer_fn, &n, NULL, STACK), 0);
	co_call(n.outer.co);
	CU_ASSERT_PTR_NULL(n.outer.co);
	PORT_OWN(n.inner_got, "outer");		/* TL_INHERIT: copied */
	PORT_OWN(n.inner_plain, NULL);		/* no TL_INHERIT */
	PORT_OWN(tl_get(&inherited), NULL);
}

/* ------------------------------------------------------------- stress */

#define STRESS_COS    64
#define STRESS_ROUNDS 100

/*
 * The stress coroutines also run on two system threads at once, where
 * CUnit (not thread-safe) must not be called: they count what went wrong
 * in their own structure, and the test adds it up afterwards.
 */
struct stress {
	struct tl_pcl_task task;
	char mark[STRESS_ROUNDS];	/* bytes of this coroutine's own */
	int wrong;			/* values read that were not its own */
	int errors;			/* calls that failed */
};

static void stress_fn(void *arg)
{
	struct stress *s = arg;
	int i;

	for (i = 0; i < STRESS_ROUNDS; i++) {
		struct counter *c;

		if (i % 10 == 9) {
			s->errors += tl_del(&a_var) != 0;
			co_resume();
			s->wrong += tl_get(&a_var) != NULL;
			continue;
		}
		s->errors += tl_set(&a_var, &s->mark[i]) != 0;
		c = tl_this(&counter);
		if (!c) {
			s->errors++;
			return;
		}
		c->hits++;
		co_resume();
		s->wrong += tl_get(&a_var) != &s->mark[i];
		s->wrong += c->owner != &s->task;
		s->wrong += tl_this(&counter) != c;
	}
}

/*
 * @n coroutines, resumed in an order that changes every round, while the
 * main context keeps @root_value.  Return: wrong values and errors seen.
 */
static int stress_run(struct stress *s, int n, const void *root_value)
{
	int i, round, live, bad = 0;

	for (i = 0; i < n; i++) {
		s[i].wrong = s[i].errors = 0;
		bad += tl_pcl_create(&s[i].task, stress_fn, &s[i], NULL, STACK) != 0;
	}
	for (round = 0, live = 1; live; round++) {
		live = 0;
		for (i = 0; i < n; i++) {
			struct tl_pcl_task *t = &s[(i * 7 + round) % n].task;

			if (t->co) {
				co_call(t->co);
				live++;
			}
		}
		bad += tl_get(&a_var) != root_value;
	}
	for (i = 0; i < n; i++)
		bad += s[i].wrong + s[i].errors;
	return bad;
}

static void test_stress(void)
{
	static struct stress s[STRESS_COS];
	int bad;

	counter_inits = counter_destroys = 0;
	CU_ASSERT_EQUAL(tl_set(&a_var, "main"), 0);
	bad = stress_run(s, STRESS_COS, "main");
	port_wrong += bad;
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(counter_inits, STRESS_COS);
	CU_ASSERT_EQUAL(counter_destroys, STRESS_COS);
}

/* Two system threads, each with its own main context and coroutines. */
#define THREAD_COS 8

static void *thread_fn(void *arg)
{
	static struct stress s[2][THREAD_COS];
	int which = (int)(intptr_t)arg;
	intptr_t bad;

	if (co_thread_init() < 0)
		return (void *)(intptr_t)1;
	bad = tl_set(&a_var, s[which]) != 0;
	bad += stress_run(s[which], THREAD_COS, s[which]);
	co_thread_cleanup();
	return (void *)bad;
}

static void test_threads(void)
{
	pthread_t th[2];
	void *bad;
	int i;

	counter_inits = counter_destroys = 0;
	for (i = 0; i < 2; i++)
		CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, thread_fn,
						     (void *)(intptr_t)i), 0);
	for (i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL(pthread_join(th[i], &bad), 0);
		port_wrong += (uintptr_t)bad;
		CU_ASSERT_PTR_NULL(bad);
	}
	CU_ASSERT_EQUAL(counter_inits, 2 * THREAD_COS);
	CU_ASSERT_EQUAL(counter_destroys, 2 * THREAD_COS);
	PORT_OWN(tl_get(&a_var), "main");
}

static void test_api(void)
{
	struct tl_pcl_task t;

	CU_ASSERT_EQUAL(tl_pcl_create(NULL, stress_fn, NULL, NULL, STACK), -EINVAL);
	CU_ASSERT_EQUAL(tl_pcl_create(&t, NULL, NULL, NULL, STACK), -EINVAL);
	/* Below PCL's minimum stack: co_create() refuses. */
	CU_ASSERT_EQUAL(tl_pcl_create(&t, stress_fn, NULL, NULL, 16), -ENOMEM);
	CU_ASSERT_EQUAL(tl_pcl_delete(NULL), -EINVAL);
}

static CU_TestInfo tests[] = {
	{ "seed: foo and bar", test_seed },
	{ "typed local, once per coroutine", test_typed },
	{ "destructors on return", test_end_return },
	{ "destructors on tl_pcl_exit", test_end_exit },
	{ "destructors on tl_pcl_delete", test_end_delete },
	{ "main context is the root context", test_root_context },
	{ "a coroutine started by another", test_nested },
	{ "64 coroutines switching between set and get", test_stress },
	{ "two system threads", test_threads },
	{ "API errors", test_api },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	int status = port_main("pcl", tests, NULL, NULL, 60);

	tl_root_exit();
	return status;
}
