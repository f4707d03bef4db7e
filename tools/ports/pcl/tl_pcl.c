// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * tl_pcl.c - the PCL port: the discriminator that reads the running
 * coroutine's data pointer, and the coroutine entry that ends the task
 * before PCL frees the coroutine.
 */
#include <errno.h>
#include <stddef.h>

#include "tl_pcl.h"

static struct tl_node *coro_disc_current(struct tl_discriminator *disc)
{
	struct tl_pcl_task *t = tl_pcl_self();

	(void)disc;
	return t ? &t->locals : NULL;
}

struct tl_discriminator tl_pcl_disc = { .current = coro_disc_current };

struct tl_pcl_task *tl_pcl_self(void)
{
	coroutine_t co = co_current();

	/* The main context's data is NULL unless someone sets it. */
	return co ? co_get_data(co) : NULL;
}

/*
 * The end of a coroutine, from within it: the values go while the
 * coroutine still runs (their destructors may use its other locals), and
 * @co is cleared before PCL frees the coroutine.
 */
static void coro_task_end(struct tl_pcl_task *t)
{
	tl_task_exit(&t->locals);
	t->co = NULL;
}

static void coro_task_run(void *data)
{
	struct tl_pcl_task *t = data;

	t->fn(t->arg);
	coro_task_end(t);
	/* Returning: PCL's co_exit() frees the coroutine. */
}

int tl_pcl_create(struct tl_pcl_task *t, void (*fn)(void *), void *arg,
		  void *stack, int size)
{
	int err;

	if (!t || !fn)
		return -EINVAL;
	tl_task_init(&t->locals);
	t->fn = fn;
	t->arg = arg;
	t->co = NULL;
	err = tl_task_inherit(&t->locals, coro_disc_current(&tl_pcl_disc));
	if (err)
		goto err_exit_task;
	t->co = co_create(coro_task_run, t, stack, size);
	if (!t->co) {
		err = -ENOMEM;
		goto err_exit_task;
	}
	return 0;

err_exit_task:
	tl_task_exit(&t->locals);
	return err;
}

void tl_pcl_exit(void)
{
	struct tl_pcl_task *t = tl_pcl_self();

	if (!t)
		return;
	coro_task_end(t);
	co_exit();
}

int tl_pcl_delete(struct tl_pcl_task *t)
{
	if (!t)
		return -EINVAL;
	if (!t->co)
		return 0;
	if (t->co == co_current())
		return -EBUSY;
	tl_task_exit(&t->locals);
	co_delete(t->co);
	t->co = NULL;
	return 0;
}
