/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tools/worker.h - a thread that runs the steps it is given, one at a
 * time, and keeps its per-thread state (the lookup cache) between them:
 * for tests that move a task between threads in a chosen order.  The
 * semaphores order each step after the one before, as a scheduler would.
 */
#ifndef TOOLS_WORKER_H
#define TOOLS_WORKER_H

#include <pthread.h>
#include <semaphore.h>
#include <stddef.h>

struct worker {
	pthread_t th;
	sem_t go, done;
	void (*fn)(void *);
	void *arg;
};

static inline void *worker_main(void *p)
{
	struct worker *w = p;

	for (;;) {
		sem_wait(&w->go);
		if (!w->fn)
			break;
		w->fn(w->arg);
		sem_post(&w->done);
	}
	return NULL;
}

/* 0, or pthread_create()'s error. */
static inline int worker_start(struct worker *w)
{
	sem_init(&w->go, 0, 0);
	sem_init(&w->done, 0, 0);
	return pthread_create(&w->th, NULL, worker_main, w);
}

/* Run @fn(@arg) on @w, and wait for it. */
static inline void worker_run(struct worker *w, void (*fn)(void *), void *arg)
{
	w->fn = fn;
	w->arg = arg;
	sem_post(&w->go);
	sem_wait(&w->done);
}

static inline void worker_stop(struct worker *w)
{
	w->fn = NULL;
	sem_post(&w->go);
	pthread_join(w->th, NULL);
	sem_destroy(&w->go);
	sem_destroy(&w->done);
}

#endif /* TOOLS_WORKER_H */
