/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tools/sched.h - a tiny cooperative scheduler on ucontext, the one the demo
 * runs on and the unit tests use.  It is here to show where tasklocal's
 * three calls go:
 *
 *   spawn:   tl_task_init(&task->locals)      (and tl_task_inherit, opt-in)
 *   switch:  tl_switch(&task->locals)          before resuming a task
 *   end:     tl_task_exit(&task->locals)       after a task returns
 */
#ifndef TASKLOCAL_TOOLS_SCHED_H
#define TASKLOCAL_TOOLS_SCHED_H

#include <stdbool.h>
#include <ucontext.h>

#include "tasklocal.h"

struct task {
	struct tl_node locals;		/* all tasklocal needs of a task */
	ucontext_t ctx;
	void (*fn)(void *arg);
	void *arg;
	const char *name;
	bool done;
	struct task *next;		/* run queue */
	void *stack;
};

/* Queue @t to run @fn(@arg); its values start as the spawner's TL_INHERIT ones. */
int task_spawn(struct task *t, const char *name, void (*fn)(void *), void *arg);

/* Give the processor to the next ready task. */
void task_yield(void);

/* Run until every spawned task has returned; returns how many ran. */
int task_run(void);

/* The running task, or NULL in the scheduler itself. */
struct task *task_self(void);

#endif /* TASKLOCAL_TOOLS_SCHED_H */
