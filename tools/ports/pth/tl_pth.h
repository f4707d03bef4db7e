/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tl_pth.h - tasklocal for GNU Pth: every Pth thread is a task.
 *
 * Pth switches threads inside its own scheduler and has no switch hook, so
 * tl_switch() cannot follow it.  Instead a discriminator asks Pth which
 * thread runs: the thread's struct tl_node is the value of one Pth key,
 * created on the thread's first use of a local (or at tl_pth_spawn()), and
 * that key's destructor, which Pth runs when the thread returns, calls
 * pth_exit() or is cancelled, ends the task with tl_task_exit().
 *
 *   tl_task_init   first use in a thread, or tl_pth_spawn()
 *   tl_switch      none: the discriminator asks pth_self()'s key value
 *   tl_task_exit   the Pth key's destructor
 *
 * Locals that follow Pth threads name the discriminator:
 *
 *   static struct tl_local req = TL_PTH_LOCAL(.name = "req");
 *
 * A local without it follows tl_current(), which is the same for every Pth
 * thread (they share one system thread): it is then a per-process value.
 */
#ifndef TASKLOCAL_TL_PTH_H
#define TASKLOCAL_TL_PTH_H

#include <pth.h>

#include "tasklocal.h"

/**
 * tl_pth_disc - the discriminator of locals that follow Pth threads
 *
 * Its current() gives the running Pth thread's task, creating it on first
 * use (one malloc); NULL, hence this system thread's root context, before
 * tl_pth_init(), after tl_pth_kill(), or when that allocation fails.
 */
extern struct tl_discriminator tl_pth_disc;

/**
 * TL_PTH_LOCAL - static initialiser of a local that follows Pth threads
 * @...: designated initialisers of the other public fields
 *
 * Example: ``static struct tl_local n = TL_PTH_LOCAL(.size = sizeof(int));``
 */
#define TL_PTH_LOCAL(...) TL_LOCAL(.disc = &tl_pth_disc, __VA_ARGS__)

/**
 * tl_pth_init - start following Pth threads
 *
 * Creates the Pth key that holds each thread's task.  Calling it again
 * while the port is running does nothing.
 *
 * Context: after pth_init(), in the Pth main thread, before any local of
 * tl_pth_disc is used.  Allocates nothing of tasklocal's.
 * Return: 0, -EPERM (Pth is not initialised), -EAGAIN (Pth has no key
 * left).
 */
int tl_pth_init(void);

/**
 * tl_pth_kill - stop following Pth threads, then pth_kill()
 *
 * pth_kill() runs the main thread's key destructors, so the main thread's
 * values are destroyed here.  Threads still alive are dropped by Pth
 * without their destructors (theirs and their values' memory is lost):
 * join them first.  Afterwards locals of tl_pth_disc resolve to the root
 * context; tl_pth_init() may follow a new pth_init().
 *
 * Context: the Pth main thread, as pth_kill().  Calls the destructors of
 * the main thread's values, and free().
 * Return: 0, -EINVAL (the port is not running), or -errno of pth_kill()
 * (-EPERM outside the main thread), in which case nothing changed.
 */
int tl_pth_kill(void);

/**
 * tl_pth_task - the running Pth thread's task, created if needed
 *
 * For tl_task_foreach() and the like: locals reach it through tl_pth_disc.
 *
 * Context: any Pth thread; the first call in a thread allocates the task
 * (malloc) and sets the Pth key.
 * Return: the task, or NULL (port not running, or no memory).
 */
struct tl_node *tl_pth_task(void);

/**
 * tl_pth_spawn - pth_spawn() a thread that starts with its task ready
 * @attr: as pth_spawn()
 * @fn: as pth_spawn()
 * @arg: as pth_spawn()
 *
 * The task is allocated before the thread exists, so that running out of
 * memory is this call's failure instead of a thread that silently falls
 * back to the root context, and it starts with the calling thread's
 * TL_INHERIT values (tl_task_inherit()).  Threads spawned by pth_spawn()
 * itself work too: they get their task on first use, with no inherited
 * values.
 *
 * Context: a Pth thread, with the port running.  Allocates the task and
 * the inherited copies; on failure those copies are exited (destructors
 * run, as at the end of a thread) and freed.
 * Return: the thread, or NULL with errno set: EINVAL (port not running),
 * ENOMEM, or pth_spawn()'s error.
 */
pth_t tl_pth_spawn(pth_attr_t attr, void *(*fn)(void *), void *arg);

#endif /* TASKLOCAL_TL_PTH_H */
