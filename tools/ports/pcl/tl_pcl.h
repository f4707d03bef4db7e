/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tl_pcl.h - tasklocal for PCL (the Portable Coroutine Library, <pcl.h>):
 * every coroutine made with tl_pcl_create() is a task, and each system
 * thread's main context is that thread's root context.
 *
 * PCL switches with co_call(), co_resume() and co_exit*() and has no hook,
 * so a discriminator asks PCL which coroutine runs: co_get_data() of
 * co_current() is the struct tl_pcl_task that embeds the task's node.
 *
 *   tl_task_init   tl_pcl_create()
 *   tl_switch      none: the discriminator reads co_get_data(co_current())
 *   tl_task_exit   when the coroutine's function returns, at tl_pcl_exit(),
 *                  or at tl_pcl_delete() of a coroutine that never ended
 *
 * Locals that follow coroutines name the discriminator:
 *
 *   static struct tl_local req = TL_PCL_LOCAL(.name = "req");
 *
 * A coroutine's data pointer belongs to the port: every coroutine of the
 * thread must come from tl_pcl_create() or have NULL data (it then shares
 * the root context).  Reach your own structure from the task with
 * tl_container_of(tl_pcl_self(), struct yours, task_member).
 */
#ifndef TASKLOCAL_TL_PCL_H
#define TASKLOCAL_TL_PCL_H

#include <pcl.h>

#include "tasklocal.h"

/**
 * struct tl_pcl_task - a coroutine and its values
 * @locals: the task
 * @co: the PCL coroutine; NULL once it has ended (PCL frees it then)
 * @fn: the coroutine's function
 * @arg: its argument
 *
 * Caller-owned (embed it in your own structure); initialised by
 * tl_pcl_create().  Fields are for reading only.
 */
struct tl_pcl_task {
	struct tl_node locals;
	coroutine_t co;
	void (*fn)(void *arg);
	void *arg;
};

/**
 * tl_pcl_disc - the discriminator of locals that follow PCL coroutines
 *
 * Its current() is the task of the running coroutine, or NULL (the system
 * thread's root context) in the main context.  No allocation, no lock.
 */
extern struct tl_discriminator tl_pcl_disc;

/**
 * TL_PCL_LOCAL - static initialiser of a local that follows coroutines
 * @...: designated initialisers of the other public fields
 */
#define TL_PCL_LOCAL(...) TL_LOCAL(.disc = &tl_pcl_disc, __VA_ARGS__)

/**
 * tl_pcl_create - create a coroutine that is a task
 * @t: the task, owned by the caller until the coroutine has ended or
 *     tl_pcl_delete() returned
 * @fn: the coroutine's function, called with @arg on the first co_call()
 * @arg: passed to @fn
 * @stack: as co_create(): the coroutine's stack, or NULL for PCL to
 *         allocate one
 * @size: as co_create(): bytes of @stack, or the size to allocate
 *
 * The task starts with the TL_INHERIT values of the running coroutine (or
 * of the root context in the main context).  Run it with co_call(t->co).
 * When @fn returns, its values are destroyed in the coroutine, @t->co
 * becomes NULL, and PCL frees the coroutine and returns to its caller.
 *
 * Context: the system thread that will run the coroutine (PCL coroutines
 * do not move between threads; other threads than the first need
 * co_thread_init()).  Allocates as co_create() and the inherited copies.
 * Return: 0, -EINVAL (@t or @fn NULL), -ENOMEM (co_create() failed, or no
 * memory for the inherited copies); on failure the copies made so far are
 * exited (their destructors run, as at the end of a coroutine).
 */
int tl_pcl_create(struct tl_pcl_task *t, void (*fn)(void *), void *arg,
		  void *stack, int size);

/**
 * tl_pcl_self - the running coroutine's task
 *
 * Context: any coroutine; one call into PCL, no lock.
 * Return: the task, or NULL in the main context.
 */
struct tl_pcl_task *tl_pcl_self(void);

/**
 * tl_pcl_exit - end the running coroutine now, as if its function returned
 *
 * Use it instead of co_exit(), which would leave the values behind.  Its
 * values are destroyed here, then PCL frees the coroutine and goes back to
 * the coroutine's caller.
 *
 * Context: a coroutine made by tl_pcl_create(); never returns.  In the
 * main context it does nothing.
 */
void tl_pcl_exit(void);

/**
 * tl_pcl_delete - delete a coroutine that has not ended
 * @t: the task
 *
 * Its values' destructors run here, in the calling context, with @t made
 * current for them (tl_task_exit()); then co_delete().  Deleting a
 * coroutine that already ended does nothing.
 *
 * Context: another coroutine than @t, on @t's system thread.
 * Return: 0, -EINVAL (@t NULL), -EBUSY (@t is the running coroutine).
 */
int tl_pcl_delete(struct tl_pcl_task *t);

#endif /* TASKLOCAL_TL_PCL_H */
