// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * unit/keys_fork.c - fork() while threads hold values of a key and of a
 * local: what the child keeps, destroys and gives back to the allocator,
 * and that the parent's threads still end as usual.  Values are the tokens
 * of unit/keys_trace.h.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "keys_trace.h"

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
	/* The parent forks meanwhile. */
	pthread_barrier_wait(&fork_bar);
	return (void *)bad;
}

static int fork_child(void)
{
	int fail = 0;

	if (tl_getspecific(fork_key) != &tok[0] ||
	    tl_get(&fork_local) != &tok[0])
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
	/* Once past it, every thread holds its values. */
	pthread_barrier_wait(&fork_bar);
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

UNIT_SUITE(keys_fork,
	UNIT_TEST(test_fork_child_keeps_its_values_and_drops_the_dead_threads));
