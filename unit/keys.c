// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * unit/keys.c - the classic thread-specific-data programs, each run on
 * glibc's pthread keys and on tasklocal's tl_key_* in a pthread and in a
 * task, traces compared entry by entry (the harness: unit/keys_trace.h).
 * The last test forks while threads hold values and checks the child.
 */
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "keys_trace.h"

/* ------------------------------------------------------ 1. shared object */

/* The first destructor frees the object both keys hold, clears the other. */
static void free_once_act(int k, int v)
{
	rec('F', k, v >= 0 ? &tok[v] : NULL);	/* a fake free: recorded */
	kset(3 - k, -1);
}

static const struct scenario shared = {
	.nkeys = 2, .order = "\1\2", .one = true, .act = free_once_act, .n = 1,
};

static void test_object_held_by_two_keys_is_freed_once(void)
{
	/* k1's turn comes first; k2 is NULL by its turn: never called. */
	static const struct kev want[] = { D(1, 1, 1), F(1, 1, 1) };

	compare(&shared, want, NWANT(want), __LINE__);
	CU_ASSERT_EQUAL(calls(&thr[0], 2), 0);
	CU_ASSERT_EQUAL(calls(&tsk[0], 2), 0);
	UNIT_ASSERT_NOTHING_HELD();
}

/* ------------------------------------------------- 2. setting each other */

/* Each destructor gives the other key a fresh value. */
static void each_other_act(int k, int v)
{
	(void)v;
	kset(3 - k, tr_cur->next++);
}

static const struct scenario both_set = {
	.nkeys = 2, .order = "\1\2", .act = each_other_act, .n = 1,
};
static const struct scenario second_set = {
	.nkeys = 2, .order = "\2", .act = each_other_act, .n = 1,
};

static void test_destructors_setting_each_other_run_as_many_times_as_glibc(void)
{
	/* k2 gets what k1's destructor set in the same round: 2 a round. */
	static const struct kev want_both[] = {
		D(1, 1, 1), D(2, 10, 1), D(1, 11, 2), D(2, 12, 2),
		D(1, 13, 3), D(2, 14, 3), D(1, 15, 4), D(2, 16, 4),
	};
	/* Only k2 at first: k1's first turn is round 2; 7 calls in all. */
	static const struct kev want_second[] = {
		D(2, 2, 1), D(1, 10, 2), D(2, 11, 2), D(1, 12, 3),
		D(2, 13, 3), D(1, 14, 4), D(2, 15, 4),
	};

	compare(&both_set, want_both, NWANT(want_both), __LINE__);
	compare(&second_set, want_second, NWANT(want_second), __LINE__);
	UNIT_ASSERT_NOTHING_HELD();
}

/* -------------------------------------------------- 3. replaced values */

static void replace_act(int k, int v)
{
	if (k == 1 && v == 1)
		kset(2, 10);	/* k2's turn has not come this round */
	if (k == 3)
		kset(1, 11);	/* k1's has */
}

static const struct scenario replace = {
	.nkeys = 3, .order = "\1\2\3", .act = replace_act, .n = 1,
};

static void test_destructor_gets_the_value_another_destructor_left(void)
{
	/* Never the replaced 2: the new 10 this round, 11 the next. */
	static const struct kev want[] = {
		D(1, 1, 1), D(2, 10, 1), D(3, 3, 1), D(1, 11, 2),
	};

	compare(&replace, want, NWANT(want), __LINE__);
	UNIT_ASSERT_NOTHING_HELD();
}

/* ------------------------------------------------------ 4. set again */

/* k1 sets itself again twice (1, 2, 3), k2 every time. */
static void again_act(int k, int v)
{
	if (k == 1 && v < 3)
		kset(1, v + 1);
	if (k == 2)
		kset(2, v);
}

static const struct scenario again = {
	.nkeys = 2, .order = "\1\2", .act = again_act, .n = 1,
};

static void test_destructor_setting_its_own_key_runs_again_at_most_4_rounds(void)
{
	static const struct kev want[] = {
		D(1, 1, 1), D(2, 2, 1), D(1, 2, 2), D(2, 2, 2),
		D(1, 3, 3), D(2, 2, 3), D(2, 2, 4),
	};

	CU_ASSERT_EQUAL(TL_DESTRUCTOR_ITERATIONS,
			PTHREAD_DESTRUCTOR_ITERATIONS);
	compare(&again, want, NWANT(want), __LINE__);
	CU_ASSERT_EQUAL(calls(&ref[0], 2), PTHREAD_DESTRUCTOR_ITERATIONS);
	CU_ASSERT_EQUAL(calls(&thr[0], 2), PTHREAD_DESTRUCTOR_ITERATIONS);
	CU_ASSERT_EQUAL(calls(&tsk[0], 2), PTHREAD_DESTRUCTOR_ITERATIONS);
	UNIT_ASSERT_NOTHING_HELD();
}

/* ----------------------------------------------- 5. delete in destructor */

static void delete_act(int k, int v)
{
	(void)v;
	if (k == 1)		/* another key, its value still pending */
		tr_cur->bad += kdel(3) != 0;
	if (k == 2) {		/* its own, set again first */
		kset(2, 12);
		tr_cur->bad += kdel(2) != 0;
	}
	if (k == 4) {		/* one destroyed this round, set again */
		kset(1, 14);
		tr_cur->bad += kdel(1) != 0;
	}
}

static const struct scenario delete_in_dtor = {
	.nkeys = 4, .order = "\1\2\3\4", .act = delete_act, .n = 1,
};

static void test_key_deleted_by_a_destructor_gets_no_more_calls(void)
{
	static const struct kev want[] = { D(1, 1, 1), D(2, 2, 1), D(4, 4, 1) };

	compare(&delete_in_dtor, want, NWANT(want), __LINE__);
	UNIT_ASSERT_NOTHING_HELD();
}

/* ------------------------------------------ 6. delete with values around */

/* k1 is deleted while every participant holds a value; k3 takes its index. */
static void victim_between(void)
{
	CU_ASSERT_EQUAL(kdel(1), 0);
	kcreate(3);
	CU_ASSERT(same_index(3, 1));	/* the case under test */
}

static void victim_after(int id)
{
	kget(1);		/* deleted: NULL */
	kget(3);		/* the new key at k1's index: NULL */
	kget(2);
	kset(3, 8 * id + 3);
	kget(3);
}

static const struct scenario victim = {
	.nkeys = 2, .order = "\1\2", .between = victim_between,
	.after = victim_after, .n = 3,
};

static void test_delete_with_values_in_several_threads_runs_no_destructor(void)
{
	/* k1's values are never destroyed; k3, at k1's lower index, first. */
	static const struct kev want[] = {
		R(1, -1), R(3, -1), R(2, 2), R(3, 3), D(3, 3, 1), D(2, 2, 1),
	};

	compare(&victim, want, NWANT(want), __LINE__);
	UNIT_ASSERT_NOTHING_HELD();
}

/* -------------------------------------------------- 7. eight threads */

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

/* ---------------------------------------------------------- 8. order */

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

/* ----------------------------------------------------------- 9. fork */

/*
 * Threads hold values of a key and of a local in their root contexts when
 * the main thread forks.  The child has only the forking thread: it keeps
 * its values, and the others are gone without destructors (glibc clears
 * them so); once it has destroyed its own and deleted the key and the
 * local, the library must hold nothing: the dead threads' slots too.  The
 * child reports what went wrong in its exit status.
 */
enum {
	FORK_THREADS = 3,
	F_OWN = 1 << 0,		/* the child's own values are not there */
	F_AT_FORK = 1 << 1,	/* a destructor ran in the child at fork */
	F_OTHERS = 1 << 2,	/* its exit destroyed more than its own */
	F_DELETE = 1 << 3,	/* deleting the key or the local failed */
	F_HELD = 1 << 4,	/* tl_allocator_set(NULL) refused: in use */
	F_BLOCKS = 1 << 5,	/* the counting allocator has blocks out */
};

static tl_key_t fork_key;
static pthread_barrier_t fork_bar;
static atomic_int fork_calls;
static atomic_uint fork_values;		/* bit per token destroyed */

static void fork_dtor(void *v)
{
	int t = tokof(v);

	atomic_fetch_add(&fork_calls, 1);
	atomic_fetch_or(&fork_values, 1u << (t >= 0 && t < 31 ? t : 31));
}

static struct tl_local fork_local = TL_LOCAL(.name = "keys.fork",
					     .destroy = fork_dtor);

static long fork_hold(int id)
{
	return (tl_setspecific(fork_key, &tok[id]) != 0) +
	       (tl_set(&fork_local, &tok[id]) != 0);
}

static void *fork_holder(void *arg)
{
	long bad = fork_hold((int)(intptr_t)arg);

	pthread_barrier_wait(&fork_bar);
	pthread_barrier_wait(&fork_bar);	/* the parent forked meanwhile */
	return (void *)bad;
}

static int fork_child(void)
{
	int fail = 0;

	if (tl_getspecific(fork_key) != &tok[0] || tl_get(&fork_local) != &tok[0])
		fail |= F_OWN;
	if (atomic_load(&fork_calls))
		fail |= F_AT_FORK;
	tl_root_exit();
	if (atomic_load(&fork_calls) != 2 || atomic_load(&fork_values) != 1u)
		fail |= F_OTHERS;
	if (tl_key_delete(fork_key) || tl_local_unregister(&fork_local))
		fail |= F_DELETE;
	if (tl_allocator_set(NULL))
		fail |= F_HELD;
	if (unit_alloc.in_use)
		fail |= F_BLOCKS;
	return fail;
}

static void test_fork_child_keeps_its_values_and_drops_the_dead_threads(void)
{
	const struct timespec tick = { 0, 10 * 1000 * 1000 };
	pthread_t th[FORK_THREADS];
	long i, bad = 0;
	int st = -1;	/* not a status: what a failed waitpid leaves */
	pid_t pid;

	atomic_store(&fork_calls, 0);
	atomic_store(&fork_values, 0);
	unit_alloc_install(-1);
	CU_ASSERT_EQUAL_FATAL(tl_key_create(&fork_key, fork_dtor), 0);
	CU_ASSERT_EQUAL(fork_hold(0), 0);
	pthread_barrier_init(&fork_bar, NULL, FORK_THREADS + 1);
	for (i = 0; i < FORK_THREADS; i++)
		CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, fork_holder,
						     (void *)(i + 1)), 0);
	pthread_barrier_wait(&fork_bar);	/* every thread holds its values */
	pid = fork();
	if (pid == 0)
		_exit(fork_child());
	pthread_barrier_wait(&fork_bar);
	for (i = 0; i < FORK_THREADS; i++) {
		void *ret;

		pthread_join(th[i], &ret);
		bad += (long)ret;
	}
	pthread_barrier_destroy(&fork_bar);
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(pid > 0);
	/* Killed if it hangs (at 5 s); its exit status says what failed. */
	for (i = 0; pid > 0 && i < 500 && !waitpid(pid, &st, WNOHANG); i++)
		nanosleep(&tick, NULL);
	if (pid > 0 && i == 500) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	CU_ASSERT(WIFEXITED(st));		/* it ended, by _exit */
	st = WIFEXITED(st) ? WEXITSTATUS(st) : 0;
	CU_ASSERT_EQUAL(st & F_OWN, 0);		/* its own values survive */
	CU_ASSERT_EQUAL(st & F_AT_FORK, 0);	/* none of the others' ran */
	CU_ASSERT_EQUAL(st & F_OTHERS, 0);	/* not at its exit either */
	CU_ASSERT_EQUAL(st & F_DELETE, 0);
	CU_ASSERT_EQUAL(st & F_HELD, 0);	/* the dead threads' slots */
	CU_ASSERT_EQUAL(st & F_BLOCKS, 0);	/* were reclaimed there */

	/* In the parent the threads ended normally: their values destroyed. */
	CU_ASSERT_EQUAL(atomic_load(&fork_calls), 2 * FORK_THREADS);
	CU_ASSERT_EQUAL(atomic_load(&fork_values), 0xeu);
	tl_root_exit();
	CU_ASSERT_EQUAL(atomic_load(&fork_calls), 2 * FORK_THREADS + 2);
	CU_ASSERT_EQUAL(tl_key_delete(fork_key), 0);
	CU_ASSERT_EQUAL(tl_local_unregister(&fork_local), 0);
	unit_alloc_remove();
	UNIT_ASSERT_NOTHING_HELD();
}

UNIT_SUITE(keys,
	UNIT_TEST(test_object_held_by_two_keys_is_freed_once),
	UNIT_TEST(test_destructors_setting_each_other_run_as_many_times_as_glibc),
	UNIT_TEST(test_destructor_gets_the_value_another_destructor_left),
	UNIT_TEST(test_destructor_setting_its_own_key_runs_again_at_most_4_rounds),
	UNIT_TEST(test_key_deleted_by_a_destructor_gets_no_more_calls),
	UNIT_TEST(test_delete_with_values_in_several_threads_runs_no_destructor),
	UNIT_TEST(test_eight_threads_each_destroy_their_own_values),
	UNIT_TEST(test_destructors_run_in_key_order_not_set_order),
	UNIT_TEST(test_fork_child_keeps_its_values_and_drops_the_dead_threads));
