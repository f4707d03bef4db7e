// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * tl_pth.c - the GNU Pth port: a discriminator that finds the running Pth
 * thread's task in a Pth key, the key's destructor that ends the task, and
 * a spawn that prepares the task before the thread exists.
 *
 * Pth is a one-system-thread library (all its threads share one process
 * and one system thread), so the port's state is plain globals.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "tl_pth.h"

/* A thread's task; the start function and argument only for tl_pth_spawn(). */
struct thread_task {
	struct tl_node locals;
	void *(*fn)(void *arg);
	void *arg;
};

static pth_key_t task_key = PTH_KEY_INIT;
/*
 * Whether the key may be read: after pth_kill() Pth's current thread is
 * freed memory, and pth_key_getdata() would read it.
 */
static bool running;

static struct tl_node *thread_disc_current(struct tl_discriminator *disc);

struct tl_discriminator tl_pth_disc = { .current = thread_disc_current };

/*
 * The key's destructor: Pth calls it on return, pth_exit() and
 * cancellation, with the key's value already cleared.  tl_task_exit()
 * resolves every local to @data while the values' destructors run, so
 * they cannot land in the thread that runs this (on an asynchronous
 * cancel, the canceller).
 */
static void thread_task_end(void *data)
{
	struct thread_task *t = data;

	tl_task_exit(&t->locals);
	free(t);
}

static struct thread_task *thread_task_new(void)
{
	struct thread_task *t = calloc(1, sizeof(*t));

	if (t)
		tl_task_init(&t->locals);
	return t;
}

int tl_pth_init(void)
{
	if (running)
		return 0;
	if (!pth_self())
		return -EPERM;
	if (!pth_key_create(&task_key, thread_task_end))
		return -EAGAIN;
	running = true;
	return 0;
}

int tl_pth_kill(void)
{
	if (!running)
		return -EINVAL;
	/* Still running: the main thread's destructors may use its locals. */
	if (!pth_kill())
		return errno ? -errno : -EPERM;
	running = false;
	pth_key_delete(task_key);
	task_key = PTH_KEY_INIT;
	return 0;
}

struct tl_node *tl_pth_task(void)
{
	struct thread_task *t;

	if (!running)
		return NULL;
	t = pth_key_getdata(task_key);
	if (t)
		return &t->locals;
	t = thread_task_new();
	if (!t)
		return NULL;
	if (!pth_key_setdata(task_key, t)) {
		free(t);
		return NULL;
	}
	return &t->locals;
}

static struct tl_node *thread_disc_current(struct tl_discriminator *disc)
{
	(void)disc;
	return tl_pth_task();
}

static void *thread_task_start(void *arg)
{
	struct thread_task *t = arg;
	void *(*fn)(void *) = t->fn;
	void *fn_arg = t->arg;

	/*
	 * Fails only when Pth cannot allocate the thread's key table: the
	 * thread then runs on, getting a task on first use if memory allows.
	 */
	if (!pth_key_setdata(task_key, t))
		thread_task_end(t);
	return fn(fn_arg);
}

pth_t tl_pth_spawn(pth_attr_t attr, void *(*fn)(void *), void *arg)
{
	struct thread_task *t;
	pth_t thread;
	int err;

	if (!running || !fn) {
		errno = EINVAL;
		return NULL;
	}
	t = thread_task_new();
	if (!t) {
		errno = ENOMEM;
		return NULL;
	}
	t->fn = fn;
	t->arg = arg;
	err = tl_task_inherit(&t->locals, tl_pth_task());
	if (err)
		goto err_exit_task;
	thread = pth_spawn(attr, thread_task_start, t);
	if (!thread) {
		err = errno ? -errno : -EAGAIN;
		goto err_exit_task;
	}
	return thread;

err_exit_task:
	thread_task_end(t);
	errno = -err;
	return NULL;
}
