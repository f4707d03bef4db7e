// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * tools/sched.c - round-robin cooperative tasks on ucontext.  The scheduler
 * loop runs outside any task (tasklocal's root context); each task runs on
 * its own stack until it yields or returns.
 */
#include <errno.h>
#include <stdlib.h>

#include "sched.h"

#define STACK_SIZE (256 * 1024)

static ucontext_t loop_ctx;
static struct task *head, *tail, *running;

static void trampoline(void)
{
	running->fn(running->arg);
	running->done = true;
	/* Returning resumes uc_link: the scheduler loop. */
}

int task_spawn(struct task *t, const char *name, void (*fn)(void *), void *arg)
{
	int err;

	if (!t || !fn)
		return -EINVAL;
	t->stack = malloc(STACK_SIZE);
	if (!t->stack)
		return -ENOMEM;
	t->fn = fn;
	t->arg = arg;
	t->name = name;
	t->done = false;
	t->next = NULL;
	getcontext(&t->ctx);
	t->ctx.uc_stack.ss_sp = t->stack;
	t->ctx.uc_stack.ss_size = STACK_SIZE;
	t->ctx.uc_link = &loop_ctx;
	makecontext(&t->ctx, trampoline, 0);

	tl_task_init(&t->locals);				/* call 1 */
	err = tl_task_inherit(&t->locals, tl_current());
	if (err) {
		tl_task_exit(&t->locals);
		free(t->stack);
		return err;
	}
	if (tail)
		tail->next = t;
	else
		head = t;
	tail = t;
	return 0;
}

void task_yield(void)
{
	struct task *self = running;

	swapcontext(&self->ctx, &loop_ctx);
}

struct task *task_self(void)
{
	return running;
}

int task_run(void)
{
	int ran = 0;

	while (head) {
		struct task *t = head;

		head = t->next;
		if (!head)
			tail = NULL;
		t->next = NULL;

		running = t;
		tl_switch(&t->locals);				/* call 2 */
		swapcontext(&loop_ctx, &t->ctx);
		tl_switch(NULL);
		running = NULL;

		if (t->done) {
			tl_task_exit(&t->locals);		/* call 3 */
			free(t->stack);
			t->stack = NULL;
			ran++;
		} else {
			if (tail)
				tail->next = t;
			else
				head = t;
			tail = t;
		}
	}
	return ran;
}
