// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * unit/posix_port.c - porting a pthread-key program to tasklocal/posix.h
 * takes renaming its four calls: one program, written against a table of
 * them, runs on glibc's pthread keys in a pthread, then on tl_key_* in a
 * pthread and in a task of tools/sched.c, and the three traces (returns,
 * reads, and each key's destructor calls in order) must be the same.  The
 * classic thread-specific-data programs, run the same three ways, are the
 * unit/keys_*.c suites.
 */
#include <limits.h>

#include "sched.h"
#include "unit.h"

/* ------------------------------------------- a pthread program, renamed */

/* Keys by index into the flavour's array (unit.h's table of the four calls). */
enum { P_PLAIN, P_ONCE, P_AGAIN, P_FOREVER, P_GONE, P_CLEARED, P_NEW, P_KEYS };
_Static_assert(P_KEYS <= UNIT_KEYS, "a key of the program has no handle");

/*
 * What a run shows: the program's returns and reads in order, and per key
 * the values its destructor got, in order (POSIX leaves the order between
 * keys open, not the order of one key's rounds).
 */
struct trace {
	long log[64];
	int n;
	const void *dtor[P_KEYS][8];
	int ndtor[P_KEYS];
	int own_null[P_KEYS];
	int dtor_errors;	/* failed tl_setspecific in destructors */
};

static const struct unit_key_api *api;
static struct trace *tr;
static char vals[P_KEYS][4];

static void record(long x)
{
	if (tr->n < 64)
		tr->log[tr->n++] = x;
}

static void destroyed(int k, void *v)
{
	if (tr->ndtor[k] < 8)
		tr->dtor[k][tr->ndtor[k]++] = v;
	tr->own_null[k] += api->getspecific(k) == NULL;
}

static void d_once(void *v)
{
	destroyed(P_ONCE, v);
}

static void d_gone(void *v)
{
	destroyed(P_GONE, v);
}

static void d_cleared(void *v)
{
	destroyed(P_CLEARED, v);
}

static void d_new(void *v)
{
	destroyed(P_NEW, v);
}

/* Sets itself again to the next value twice: three calls. */
static void d_again(void *v)
{
	destroyed(P_AGAIN, v);
	if (v != &vals[P_AGAIN][2])
		tr->dtor_errors += api->setspecific(P_AGAIN, (char *)v + 1) != 0;
}

/* Sets itself again every time: as many calls as rounds. */
static void d_forever(void *v)
{
	destroyed(P_FOREVER, v);
	tr->dtor_errors += api->setspecific(P_FOREVER, v) != 0;
}

/* The program, as written for pthread keys (with api-> for the names). */
static void program(void)
{
	static void (*const d[P_KEYS])(void *) = {
		NULL, d_once, d_again, d_forever, d_gone, d_cleared, d_new
	};
	int k;

	for (k = 0; k < P_NEW; k++)
		record(api->key_create(k, d[k]));
	for (k = 0; k < P_NEW; k++)
		record(api->getspecific(k) == NULL);
	for (k = 0; k < P_NEW; k++)
		record(api->setspecific(k, vals[k]));
	for (k = 0; k < P_NEW; k++)
		record(api->getspecific(k) == vals[k]);
	record(api->setspecific(P_CLEARED, NULL));
	record(api->getspecific(P_CLEARED) == NULL);
	/* Replaced without a destructor; deleted while a value exists. */
	record(api->setspecific(P_ONCE, &vals[P_ONCE][1]));
	record(api->key_delete(P_GONE));
	record(api->key_create(P_NEW, d[P_NEW]));
	record(api->getspecific(P_NEW) == NULL);
	record(api->key_delete(P_PLAIN));
}

static void run_program(void *arg)
{
	(void)arg;
	program();
}

static void *run_program_in_thread(void *arg)
{
	program();
	return arg;
}

/* After the thread or task ended: delete the keys left. */
static void program_end(void)
{
	record(api->key_delete(P_ONCE));
	record(api->key_delete(P_AGAIN));
	record(api->key_delete(P_FOREVER));
	record(api->key_delete(P_CLEARED));
	record(api->key_delete(P_NEW));
}

static bool same_trace(const struct trace *a, const struct trace *b)
{
	int k, i;

	if (a->n != b->n || a->dtor_errors != b->dtor_errors)
		return false;
	for (i = 0; i < a->n; i++)
		if (a->log[i] != b->log[i])
			return false;
	for (k = 0; k < P_KEYS; k++) {
		if (a->ndtor[k] != b->ndtor[k] ||
		    a->own_null[k] != b->own_null[k])
			return false;
		for (i = 0; i < a->ndtor[k]; i++)
			if (a->dtor[k][i] != b->dtor[k][i])
				return false;
	}
	return true;
}

static void test_pthread_program_behaves_the_same_renamed(void)
{
	/* Each create, set and delete returns 0; each read checked is true. */
	static const long expect[] = {
		0, 0, 0, 0, 0, 0,  1, 1, 1, 1, 1, 1,	/* create, read NULL */
		0, 0, 0, 0, 0, 0,  1, 1, 1, 1, 1, 1,	/* set, read back */
		0, 1,  0,  0,  0, 1,  0,		/* clear, set, delete, new */
		0, 0, 0, 0, 0,				/* program_end */
	};
	static struct trace with_pthread, in_thread_tl, in_task_tl;
	struct task t;
	int k;

	/* What POSIX says the program shows. */
	api = &unit_pthread_api;
	tr = &with_pthread;
	unit_threads(1, run_program_in_thread, NULL);
	program_end();
	CU_ASSERT_EQUAL(with_pthread.ndtor[P_PLAIN], 0);
	CU_ASSERT_EQUAL(with_pthread.ndtor[P_ONCE], 1);
	CU_ASSERT_PTR_EQUAL(with_pthread.dtor[P_ONCE][0], &vals[P_ONCE][1]);
	CU_ASSERT_EQUAL(with_pthread.ndtor[P_AGAIN], 3);
	CU_ASSERT_PTR_EQUAL(with_pthread.dtor[P_AGAIN][2], &vals[P_AGAIN][2]);
	CU_ASSERT_EQUAL(with_pthread.ndtor[P_FOREVER],
			PTHREAD_DESTRUCTOR_ITERATIONS);
	CU_ASSERT_EQUAL(with_pthread.ndtor[P_GONE], 0);
	CU_ASSERT_EQUAL(with_pthread.ndtor[P_CLEARED], 0);
	CU_ASSERT_EQUAL(with_pthread.ndtor[P_NEW], 0);
	for (k = 0; k < P_KEYS; k++)
		CU_ASSERT_EQUAL(with_pthread.own_null[k], with_pthread.ndtor[k]);
	CU_ASSERT_EQUAL(with_pthread.dtor_errors, 0);
	CU_ASSERT_EQUAL(with_pthread.n, (int)(sizeof(expect) / sizeof(*expect)));
	for (k = 0; k < with_pthread.n; k++)
		CU_ASSERT_EQUAL(with_pthread.log[k], expect[k]);

	/*
	 * The same program on tasklocal keys, in a thread and in a task: the
	 * same trace, TL_DESTRUCTOR_ITERATIONS being POSIX's 4 by default.
	 */
	api = &unit_tl_api;
	tr = &in_thread_tl;
	unit_threads(1, run_program_in_thread, NULL);
	program_end();
	tr = &in_task_tl;
	CU_ASSERT_EQUAL(task_spawn(&t, "program", run_program, NULL), 0);
	CU_ASSERT_EQUAL(task_run(), 1);
	program_end();

	CU_ASSERT_TRUE(same_trace(&in_thread_tl, &with_pthread));
	CU_ASSERT_TRUE(same_trace(&in_task_tl, &with_pthread));
	UNIT_ASSERT_NOTHING_HELD();
}

UNIT_SUITE(posix_port,
	UNIT_TEST(test_pthread_program_behaves_the_same_renamed));
