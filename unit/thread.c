// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * unit/thread.c - real pthreads: the current task is per thread, each
 * thread's root context is plain thread-local storage whose destructors run
 * when the thread ends, and concurrent first use registers a local once.
 */
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"

enum { THREADS = 8 };

static atomic_int root_dtors;

static void count_root_dtor(void *v)
{
	(void)v;
	atomic_fetch_add(&root_dtors, 1);
}

static struct tl_local per_thread = TL_LOCAL(.name = "per-thread",
					     .destroy = count_root_dtor);
static struct tl_local typed_per_thread = TL_LOCAL(.size = sizeof(long),
						   .destroy = count_root_dtor);

static pthread_barrier_t start;

/* No scheduler at all: plain thread-local storage. */
static void *use_root(void *arg)
{
	long id = (long)arg, i, bad = 0;

	pthread_barrier_wait(&start);	/* all first uses at once */
	if (tl_set(&per_thread, arg))
		bad++;
	*(long *)tl_this(&typed_per_thread) = id;
	for (i = 0; i < 1000; i++) {
		bad += tl_get(&per_thread) != arg;
		bad += *(long *)tl_get(&typed_per_thread) != id;
	}
	bad += tl_current() != NULL;
	return (void *)bad;
}

static void test_root_context_per_thread_with_exit_destructors(void)
{
	void *ids[THREADS];
	long i;

	atomic_store(&root_dtors, 0);
	for (i = 0; i < THREADS; i++)
		ids[i] = (void *)(i + 1);
	pthread_barrier_init(&start, NULL, THREADS);
	CU_ASSERT_EQUAL(unit_threads(THREADS, use_root, ids), 0);
	pthread_barrier_destroy(&start);
	/* Each thread's two values were destroyed when it ended. */
	CU_ASSERT_EQUAL(atomic_load(&root_dtors), 2 * THREADS);
	/* This thread saw none of them. */
	CU_ASSERT_PTR_NULL(tl_get(&per_thread));
	tl_local_unregister(&per_thread);
	tl_local_unregister(&typed_per_thread);
	UNIT_ASSERT_NOTHING_HELD();
}

struct worker {
	struct tl_node tasks[4];
	long bad;
};

static struct tl_local shared = TL_LOCAL(.name = "shared");

/* Each thread runs its own tasks: tl_switch is per thread. */
static void *run_tasks(void *arg)
{
	struct worker *w = arg;
	int i, round;

	for (i = 0; i < 4; i++) {
		tl_task_init(&w->tasks[i]);
		tl_switch(&w->tasks[i]);
		tl_set(&shared, &w->tasks[i]);
	}
	for (round = 0; round < 200; round++)
		for (i = 0; i < 4; i++) {
			tl_switch(&w->tasks[i]);
			w->bad += tl_current() != &w->tasks[i];
			w->bad += tl_get(&shared) != &w->tasks[i];
		}
	tl_switch(NULL);
	for (i = 0; i < 4; i++)
		tl_task_exit(&w->tasks[i]);
	return NULL;
}

static void test_current_task_is_per_thread(void)
{
	static struct worker w[THREADS];
	void *args[THREADS];
	int i;

	for (i = 0; i < THREADS; i++) {
		w[i].bad = 0;
		args[i] = &w[i];
	}
	unit_threads(THREADS, run_tasks, args);
	for (i = 0; i < THREADS; i++)
		CU_ASSERT_EQUAL(w[i].bad, 0);
	tl_local_unregister(&shared);
	UNIT_ASSERT_NOTHING_HELD();
}

/* Registration and unregistration race with other threads' lookups. */
static void *churn(void *arg)
{
	struct tl_local mine[16];
	struct tl_node t;
	long bad = 0;
	int i, round;

	(void)arg;
	tl_task_init(&t);
	tl_switch(&t);
	for (round = 0; round < 100; round++) {
		for (i = 0; i < 16; i++) {
			memset(&mine[i], 0, sizeof(mine[i]));
			bad += tl_set(&mine[i], &mine[i]) != 0;
		}
		for (i = 0; i < 16; i++)
			bad += tl_get(&mine[i]) != &mine[i];
		for (i = 0; i < 16; i += 2)
			bad += tl_del(&mine[i]) != 0;
		for (i = 0; i < 16; i++)
			bad += tl_local_unregister(&mine[i]) != 0;
		for (i = 0; i < 16; i++)
			bad += tl_get(&mine[i]) != NULL;
	}
	tl_switch(NULL);
	tl_task_exit(&t);
	return (void *)bad;
}

static void test_concurrent_register_unregister(void)
{
	CU_ASSERT_EQUAL(unit_threads(4, churn, NULL), 0);
	UNIT_ASSERT_NOTHING_HELD();
}

/*
 * fork() while another thread keeps freed slots: the child gives them
 * back and forgets that thread's cache, whose memory a thread of the child
 * may reuse at once.
 */
static struct tl_local kept = TL_LOCAL(.name = "thread.kept");
static pthread_barrier_t fork_barrier;

static void churn_one_task(void)
{
	struct tl_node t = TL_NODE_INIT(t);

	tl_switch(&t);
	tl_set(&kept, &t);
	tl_switch(NULL);
	tl_task_exit(&t);		/* its slot is kept by this thread */
}

static void *keep_and_wait(void *arg)
{
	churn_one_task();
	pthread_barrier_wait(&fork_barrier);
	pthread_barrier_wait(&fork_barrier);
	return arg;
}

static void *child_thread(void *arg)
{
	churn_one_task();
	return arg;
}

static void test_fork_child_forgets_dead_threads_kept_slots(void)
{
	pthread_t th, in_child;
	int status = -1;
	pid_t pid;

	CU_ASSERT_EQUAL_FATAL(pthread_barrier_init(&fork_barrier, NULL, 2), 0);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, keep_and_wait, NULL), 0);
	pthread_barrier_wait(&fork_barrier);
	pid = fork();
	if (pid == 0) {
		int bad = pthread_create(&in_child, NULL, child_thread, NULL) ||
			  pthread_join(in_child, NULL);

		bad |= tl_local_unregister(&kept) != 0;
		bad |= tl_allocator_set(NULL) != 0;	/* every block came back */
		_exit(bad);
	}
	CU_ASSERT(pid > 0);
	if (pid > 0)
		waitpid(pid, &status, 0);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	pthread_barrier_wait(&fork_barrier);
	pthread_join(th, NULL);
	pthread_barrier_destroy(&fork_barrier);
	CU_ASSERT_EQUAL(tl_local_unregister(&kept), 0);
	UNIT_ASSERT_NOTHING_HELD();
}

/*
 * A pthread key whose destructor sets it again until round @until of its
 * thread's end, then calls @then: a call into the library in a chosen
 * round of pthread-key destructors.  Its value is the struct itself; @tls
 * is where the thread's TLS was.
 */
struct round_key {
	pthread_key_t key;
	int rounds, until;
	void (*then)(struct round_key *rk);
	char *tls;
};

static __thread char tls_probe;

static void round_key_dtor(void *v)
{
	struct round_key *rk = v;

	if (++rk->rounds < rk->until)
		pthread_setspecific(rk->key, rk);	/* again next round */
	else
		rk->then(rk);
}

static void *set_round_key(void *arg)
{
	struct round_key *rk = arg;

	rk->tls = &tls_probe;
	pthread_setspecific(rk->key, rk);
	return NULL;
}

/* A thread that sets root value @arg of local @arg, and ends. */
static char *set_once_tls;

static void *set_root_once(void *arg)
{
	set_once_tls = &tls_probe;
	tl_set(arg, arg);
	return NULL;
}

/*
 * A thread that first uses the library during its last round of
 * pthread-key destructors (a key's destructor sets it again twice, then
 * sets a root value, whose exit runs in the round after): the key set then
 * is never destroyed, so whatever the library keeps for the thread must
 * still be readable after it ends.  The next thread, often on the same
 * stack and TLS, then an unregistration and a drain walk every thread's.
 */
static struct tl_local late_local = TL_LOCAL(.name = "late",
					     .destroy = count_root_dtor);

static void late_set(struct round_key *rk)
{
	tl_set(&late_local, rk);	/* a root value: its exit next round */
}

static void test_thread_first_listed_in_its_last_destructor_round(void)
{
	struct tl_local other = TL_LOCAL(.name = "late-other");
	struct round_key rk = { .until = 3, .then = late_set };

	CU_ASSERT_EQUAL_FATAL(pthread_key_create(&rk.key, round_key_dtor), 0);
	CU_ASSERT_EQUAL(tl_local_register(&late_local), 0);
	CU_ASSERT_EQUAL(unit_threads(1, set_round_key, (void *[]){ &rk }), 0);
	CU_ASSERT_EQUAL(rk.rounds, 3);
	CU_ASSERT_EQUAL(unit_threads(1, set_root_once,
				     (void *[]){ &late_local }), 0);
	CU_ASSERT_EQUAL(tl_local_register(&other), 0);
	CU_ASSERT_EQUAL(tl_local_unregister(&other), 0);	/* walks them */
	CU_ASSERT_EQUAL(tl_local_unregister(&late_local), 0);
	pthread_key_delete(rk.key);
	UNIT_ASSERT_NOTHING_HELD();
}

/*
 * A root value first set in the very last round of a thread's pthread-key
 * destructors (PTHREAD_DESTRUCTOR_ITERATIONS): no round follows to exit
 * it, and the thread's TLS goes, often to the next thread on the same
 * stack.  Nothing the library keeps for other threads may point into it:
 * the next threads' roots and a fork() child's reclaim of the threads that
 * did not come along must all work.  The value is bound to static storage
 * (it is never destroyed, as POSIX leaves a value set then).
 */
static struct tl_slot last_slot;
static struct tl_local last_local = TL_LOCAL(.name = "last-round");

static void last_bind(struct round_key *rk)
{
	tl_bind(&last_local, &last_slot, rk);	/* no round after */
}

static void test_root_value_set_in_the_last_destructor_round(void)
{
	struct round_key rk = { .until = PTHREAD_DESTRUCTOR_ITERATIONS,
				.then = last_bind };
	int status = -1;
	pid_t pid;

	CU_ASSERT_EQUAL_FATAL(pthread_key_create(&rk.key, round_key_dtor), 0);
	CU_ASSERT_EQUAL(tl_local_register(&last_local), 0);
	CU_ASSERT_EQUAL(unit_threads(1, set_round_key, (void *[]){ &rk }), 0);
	CU_ASSERT_EQUAL(rk.rounds, PTHREAD_DESTRUCTOR_ITERATIONS);
	/* The next threads, likely on that stack, arm and disarm roots. */
	CU_ASSERT_EQUAL(unit_threads(1, set_root_once,
				     (void *[]){ &last_local }), 0);
	CU_ASSERT_EQUAL(unit_threads(1, set_root_once,
				     (void *[]){ &last_local }), 0);
	CU_ASSERT_EQUAL(tl_set(&last_local, &rk), 0);	/* this root: armed */
	pid = fork();
	if (pid == 0) {
		alarm(10);	/* a corrupt list of roots loops: fail, not hang */
		_exit(tl_get(&last_local) != &rk ||
		      tl_local_unregister(&last_local) != 0);
	}
	CU_ASSERT(pid > 0);
	if (pid > 0)
		waitpid(pid, &status, 0);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CU_ASSERT_EQUAL(tl_set(&last_local, NULL), 0);
	tl_root_exit();
	CU_ASSERT_EQUAL(tl_local_unregister(&last_local), 0);
	pthread_key_delete(rk.key);
	UNIT_ASSERT_NOTHING_HELD();
}

/*
 * A scope open in a thread's root context when its first value is set:
 * both stay visible, the scope's exit restores "no value", and the value
 * is destroyed when the thread ends.
 */
static struct tl_local root_scoped = TL_LOCAL(.name = "root-scoped");

static void *scope_then_set(void *arg)
{
	struct tl_scope sc;
	long bad = 0;

	bad += tl_scope_enter(&sc, &root_scoped, arg) != 0;
	bad += tl_set(&per_thread, arg) != 0;	/* arms the root */
	bad += tl_get(&root_scoped) != arg;
	bad += tl_get(&per_thread) != arg;
	bad += tl_scope_exit(&sc) != 0;
	bad += tl_get(&root_scoped) != NULL;
	bad += tl_get(&per_thread) != arg;
	bad += tl_scope_enter(&sc, &root_scoped, &sc) != 0;	/* armed now */
	bad += tl_get(&root_scoped) != &sc;
	bad += tl_scope_exit(&sc) != 0;
	return (void *)bad;
}

static void test_root_scope_open_when_the_root_is_armed(void)
{
	void *arg = &root_dtors;

	atomic_store(&root_dtors, 0);
	CU_ASSERT_EQUAL(unit_threads(1, scope_then_set, &arg), 0);
	CU_ASSERT_EQUAL(atomic_load(&root_dtors), 1);
	CU_ASSERT_EQUAL(tl_local_unregister(&root_scoped), 0);
	CU_ASSERT_EQUAL(tl_local_unregister(&per_thread), 0);
	UNIT_ASSERT_NOTHING_HELD();
}

/*
 * A fork() child reclaims the root values of every other thread: also of
 * threads whose root had a scope open when its first value came, and of
 * more threads than the library has static records for.
 */
enum { HOLDERS = TL_THREAD_RECORDS + 4 };
static struct tl_local held_scoped = TL_LOCAL(.name = "held-scoped");
static struct tl_local held_value = TL_LOCAL(.name = "held-value");
static pthread_barrier_t hold_bar;

static void *scope_set_and_hold(void *arg)
{
	struct tl_scope sc;
	long bad = 0, scoped = (long)arg & 1;

	if (scoped)
		bad += tl_scope_enter(&sc, &held_scoped, &sc) != 0;
	bad += tl_set(&held_value, arg) != 0;	/* arms the root */
	pthread_barrier_wait(&hold_bar);	/* the parent forks */
	pthread_barrier_wait(&hold_bar);
	bad += tl_get(&held_value) != arg;
	if (scoped) {
		bad += tl_get(&held_scoped) != &sc;
		bad += tl_scope_exit(&sc) != 0;
	}
	return (void *)bad;
}

/* tl_bind() in a root context never allocates, records left or not. */
static void *bind_in_root(void *arg)
{
	struct tl_slot slot;
	long calls = unit_alloc.calls, bad;

	(void)arg;
	memset(&slot, 0, sizeof(slot));
	bad = tl_bind(&held_value, &slot, &slot) != 0;
	bad += tl_get(&held_value) != &slot || unit_alloc.calls != calls;
	bad += tl_del(&held_value) != 0;
	return (void *)bad;
}

static void test_fork_child_reclaims_every_threads_root(void)
{
	static pthread_t th[HOLDERS];
	int i, made = 0, status = -1;
	long bad = 0;
	void *ret;
	pid_t pid;

	unit_alloc_install(-1);
	CU_ASSERT_EQUAL_FATAL(pthread_barrier_init(&hold_bar, NULL,
						   HOLDERS + 1), 0);
	for (i = 0; i < HOLDERS; i++)
		made += !pthread_create(&th[i], NULL, scope_set_and_hold,
					(void *)(long)(i + 1));
	CU_ASSERT_EQUAL_FATAL(made, HOLDERS);
	pthread_barrier_wait(&hold_bar);
	pid = fork();
	if (pid == 0)
		_exit(tl_local_unregister(&held_scoped) != 0 ||
		      tl_local_unregister(&held_value) != 0 ||
		      tl_allocator_set(NULL) != 0);	/* every slot back */
	CU_ASSERT(pid > 0);
	if (pid > 0)
		waitpid(pid, &status, 0);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CU_ASSERT_EQUAL(unit_threads(1, bind_in_root, (void *[]){ NULL }), 0);
	pthread_barrier_wait(&hold_bar);
	for (i = 0; i < HOLDERS; i++) {
		pthread_join(th[i], &ret);
		bad += (long)ret;
	}
	CU_ASSERT_EQUAL(bad, 0);
	pthread_barrier_destroy(&hold_bar);
	CU_ASSERT_EQUAL(tl_local_unregister(&held_scoped), 0);
	CU_ASSERT_EQUAL(tl_local_unregister(&held_value), 0);
	unit_alloc_remove();	/* nothing held */
}

/*
 * A root value set in a thread's last destructor round is never exited;
 * the next thread on the same TLS (glibc reuses a joined thread's stack)
 * gives it back when its own root is armed.
 */
static struct tl_local leak_local = TL_LOCAL(.name = "last-round-leak");

static void leak_set(struct round_key *rk)
{
	tl_set(&leak_local, rk);	/* a slot: never exited */
}

static void test_last_round_value_given_back_by_the_next_thread(void)
{
	struct round_key rk = { .until = PTHREAD_DESTRUCTOR_ITERATIONS,
				.then = leak_set };

	CU_ASSERT_EQUAL_FATAL(pthread_key_create(&rk.key, round_key_dtor), 0);
	CU_ASSERT_EQUAL(unit_threads(1, set_round_key, (void *[]){ &rk }), 0);
	CU_ASSERT_EQUAL(rk.rounds, PTHREAD_DESTRUCTOR_ITERATIONS);
	CU_ASSERT_EQUAL(unit_threads(1, set_root_once,
				     (void *[]){ &leak_local }), 0);
	CU_ASSERT_EQUAL(tl_local_unregister(&leak_local), 0);
	pthread_key_delete(rk.key);
	if (set_once_tls == rk.tls)	/* else that slot may still be held */
		UNIT_ASSERT_NOTHING_HELD();
}

/*
 * fork() while other threads link and unlink root values without pause
 * (first sets, sets to NULL, scopes, exits): a child never hangs or
 * crashes reclaiming a list one of them was changing, and uses the
 * library at once.
 */
static struct tl_local busy[3] = {
	TL_LOCAL(.name = "busy0"), TL_LOCAL(.name = "busy1"),
	TL_LOCAL(.name = "busy2"),
};
static atomic_int busy_stop;

static void *busy_root(void *arg)
{
	struct tl_scope sc;
	unsigned i = 0, k;

	while (!atomic_load(&busy_stop)) {
		for (k = 0; k < 3; k++)
			tl_set(&busy[k], arg);
		if (i & 1 && !tl_scope_enter(&sc, &busy[0], &sc))
			tl_scope_exit(&sc);
		tl_set(&busy[1], NULL);
		if (++i % 8 == 0)
			tl_root_exit();
	}
	return NULL;
}

static void test_fork_while_other_threads_change_their_roots(void)
{
	pthread_t th[2];
	int i, bad = 0, status;

	for (i = 0; i < 2; i++)
		CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, busy_root,
						     &busy[i]), 0);
	for (i = 0; i < 300; i++) {
		char ok = 0;
		int fd[2];
		pid_t pid;

		CU_ASSERT_EQUAL_FATAL(pipe(fd), 0);
		pid = fork();
		if (pid == 0) {
			/*
			 * The answer goes through the pipe, not the exit status:
			 * a slot another thread was adding at the fork is lost
			 * to the child, which valgrind's leak check would count.
			 */
			alarm(10);	/* a list walked forever: fail, not hang */
			ok = tl_set(&busy[0], &status) == 0 &&
			     tl_get(&busy[0]) == &status ? 'y' : 'n';
			_exit(write(fd[1], &ok, 1) != 1);
		}
		close(fd[1]);
		if (pid < 0 || read(fd[0], &ok, 1) != 1 || ok != 'y')
			bad++;
		close(fd[0]);
		if (pid > 0)
			waitpid(pid, &status, 0);
	}
	atomic_store(&busy_stop, 1);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	CU_ASSERT_EQUAL(bad, 0);
	for (i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(tl_local_unregister(&busy[i]), 0);
	UNIT_ASSERT_NOTHING_HELD();
}

UNIT_SUITE(thread,
	UNIT_TEST(test_fork_child_forgets_dead_threads_kept_slots),
	UNIT_TEST(test_root_context_per_thread_with_exit_destructors),
	UNIT_TEST(test_current_task_is_per_thread),
	UNIT_TEST(test_concurrent_register_unregister),
	UNIT_TEST(test_thread_first_listed_in_its_last_destructor_round),
	UNIT_TEST(test_root_value_set_in_the_last_destructor_round),
	UNIT_TEST(test_root_scope_open_when_the_root_is_armed),
	UNIT_TEST(test_fork_child_reclaims_every_threads_root),
	UNIT_TEST(test_last_round_value_given_back_by_the_next_thread),
	UNIT_TEST(test_fork_while_other_threads_change_their_roots));
