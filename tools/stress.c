// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * tools/stress.c - eight threads at once churning tasks on shared locals
 * and keys: first values, lookups after switches, scopes, task exits,
 * keys created and deleted, locals registered and unregistered with
 * values left (on the stack, whose memory is soon another frame's), and a
 * local on the heap that one thread unregisters and frees while the
 * others' tasks that hold its values exit, and one task every thread
 * reads at once through a discriminator, and tasks that wander from
 * thread to thread, reading a local before they set it (so that "no
 * value" is cached for them on one thread and their first value comes on
 * another, while other threads' first values give the local new keys).
 * Run by `make check-tsan`
 * under ThreadSanitizer: no data race, and no task ever sees another's
 * value.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "tasklocal.h"
#include "tasklocal/posix.h"

#define THREADS	8
#define TASKS	4
#define LOCALS	4
#define KEYS	8
#define ROUNDS	3000

static struct tl_local shared[LOCALS] = {
	TL_LOCAL(.name = "s0"), TL_LOCAL(.name = "s1"),
	TL_LOCAL(.name = "s2"), TL_LOCAL(.name = "s3"),
};
static tl_key_t keys[KEYS];
static atomic_long wrong, destroyed;

/*
 * A task no thread runs, whose values every thread reads (read-only, as
 * a discriminator's object may be read by several threads at once).
 */
static struct tl_node common = TL_NODE_INIT(common);

static struct tl_node *common_current(struct tl_discriminator *d)
{
	(void)d;
	return &common;
}

static struct tl_discriminator by_common = { common_current };
static struct tl_local viewed[LOCALS] = {
	TL_LOCAL(.disc = &by_common), TL_LOCAL(.disc = &by_common),
	TL_LOCAL(.disc = &by_common), TL_LOCAL(.disc = &by_common),
};

static void count(void *v)
{
	(void)v;
	destroyed++;
}

/*
 * The wanderers: tasks any thread may take from the pool (under its
 * mutex, as a scheduler hands a task over), with whether each has its
 * value of the lazy local.
 */
#define WANDERERS	THREADS
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static struct wanderer {
	struct tl_node task;
	bool busy, set;
} pool[WANDERERS];
static struct tl_local lazy = TL_LOCAL(.name = "lazy");

/* "No value" twice (cached then), or the task's own value twice. */
static void lazy_check(const struct tl_node *task, bool set)
{
	void *v = tl_get(&lazy);

	wrong += v != tl_get(&lazy) || v != (set ? task : NULL);
}

/*
 * One visit of a free wanderer, the first from @r on (@r is then the one
 * visited): read its value, set it (@what % 3 == 1), or end the task
 * (@what % 11 == 2; its next visit finds no value).
 */
static void wander(unsigned *r, unsigned what)
{
	struct wanderer *w = NULL;
	int i;

	pthread_mutex_lock(&pool_lock);
	for (i = 0; i < WANDERERS && !w; i++)
		if (!pool[(*r + i) % WANDERERS].busy)
			w = &pool[(*r + i) % WANDERERS];
	if (w)
		w->busy = true;
	pthread_mutex_unlock(&pool_lock);
	if (!w)
		return;
	*r = (unsigned)(w - pool);
	tl_switch(&w->task);
	lazy_check(&w->task, w->set);
	if (what % 3 == 1 && !w->set) {
		w->set = tl_set(&lazy, &w->task) == 0;
		lazy_check(&w->task, w->set);
	}
	tl_switch(NULL);
	if (what % 11 == 2 && w->set) {
		tl_task_exit(&w->task);
		w->set = false;
	}
	pthread_mutex_lock(&pool_lock);
	w->busy = false;
	pthread_mutex_unlock(&pool_lock);
}

/*
 * The heap local: used under the read lock (nobody may use a local while
 * it is unregistered), replaced under the write lock, and the old one
 * unregistered and freed with values of it still in tasks being exited.
 */
static pthread_rwlock_t heap_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct tl_local *heap_local;

static void heap_set(void *value)
{
	pthread_rwlock_rdlock(&heap_lock);
	if (heap_local)
		tl_set(heap_local, value);
	pthread_rwlock_unlock(&heap_lock);
}

static void heap_renew(bool last)
{
	struct tl_local *old, *l = NULL;

	if (!last) {
		l = malloc(sizeof(*l));
		if (!l)
			return;
		*l = (struct tl_local)TL_LOCAL(.destroy = count);
	}
	pthread_rwlock_wrlock(&heap_lock);
	old = heap_local;
	heap_local = l;
	pthread_rwlock_unlock(&heap_lock);
	if (old) {
		tl_local_unregister(old);
		free(old);
	}
}

/* Set every shared local and one key in each of @tasks. */
static void fill(struct tl_node *tasks, int round)
{
	int t, i;

	for (t = 0; t < TASKS; t++) {
		tl_task_init(&tasks[t]);
		tl_switch(&tasks[t]);
		for (i = 0; i < LOCALS; i++)
			tl_set(&shared[i], &tasks[t]);
		lazy_check(&tasks[t], false);
		if (t % 2 && tl_set(&lazy, &tasks[t]) == 0)
			lazy_check(&tasks[t], true);
		tl_setspecific(keys[(round + t) % KEYS], &tasks[t]);
		heap_set(&tasks[t]);
	}
}

/* Read them back after switches, inside and outside a scope. */
static void check(struct tl_node *tasks, int round, void *id)
{
	struct tl_scope scope;
	void *k;
	int t, i;

	for (t = 0; t < TASKS; t++) {
		tl_switch(&tasks[t]);
		for (i = 0; i < LOCALS; i++)
			wrong += tl_get(&shared[i]) != &tasks[t];
		tl_scope_enter(&scope, &shared[0], id);
		wrong += tl_get(&shared[0]) != id;
		tl_scope_exit(&scope);
		wrong += tl_get(&shared[0]) != &tasks[t];
		k = tl_getspecific(keys[(round + t) % KEYS]);
		wrong += k != NULL && k != &tasks[t];
		wrong += tl_get(&viewed[(round + t) % LOCALS]) !=
			 &viewed[(round + t) % LOCALS];
	}
}

/* Registry traffic beside: a key and a local that come and go with values. */
static void churn_registry(void)
{
	struct tl_local tmp = TL_LOCAL(.destroy = count);
	struct tl_node task = TL_NODE_INIT(task);
	tl_key_t k;

	if (tl_key_create(&k, count) == 0) {
		tl_setspecific(k, &k);
		tl_key_delete(k);
	}
	tl_switch(&task);
	tl_set(&tmp, &task);
	tl_switch(NULL);
	tl_local_unregister(&tmp);
	tl_task_exit(&task);
}

/*
 * The common task's values first, each thread from another end: the
 * walks that find them and the fills that count them race, with no lock
 * taken in between to order them.
 */
static void view(const int *id)
{
	for (int i = LOCALS - 1; i >= 0; i--) {
		int v = (i + *id) % LOCALS;

		wrong += tl_get(&viewed[v]) != &viewed[v];
	}
}

static void *worker(void *id)
{
	struct tl_node tasks[TASKS];
	unsigned last = 0;
	int round, t;

	view(id);
	for (round = 0; round < ROUNDS; round++) {
		/*
		 * The wanderer visited last, back here with nothing else read
		 * of the lazy local between: another thread may have set it.
		 */
		wander(&last, 0);
		fill(tasks, round);
		check(tasks, round, id);
		tl_switch(NULL);
		for (t = 0; t < TASKS; t++)
			tl_task_exit(&tasks[t]);
		churn_registry();
		last = (unsigned)(round * 7 + *(const int *)id);
		wander(&last, last);
		if (round % 8 == 0)
			heap_renew(false);
	}
	return NULL;
}

int main(void)
{
	static int ids[THREADS];
	pthread_t th[THREADS];
	int i;

	for (i = 0; i < KEYS; i++)
		if (tl_key_create(&keys[i], count))
			return 1;
	for (i = 0; i < LOCALS; i++)
		if (tl_set(&viewed[i], &viewed[i]))
			return 1;
	for (i = 0; i < WANDERERS; i++)
		tl_task_init(&pool[i].task);
	for (i = 0; i < THREADS; i++) {
		ids[i] = i;
		if (pthread_create(&th[i], NULL, worker, &ids[i]))
			return 1;
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	heap_renew(true);
	for (i = 0; i < WANDERERS; i++)
		tl_task_exit(&pool[i].task);
	tl_task_exit(&common);
	printf("stress: %d threads x %d rounds, %ld wrong values, %ld destructor calls\n",
	       THREADS, ROUNDS, (long)wrong, (long)destroyed);
	return wrong != 0;
}
