/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tools/firmware/sched.h - a tiny cooperative round-robin scheduler for a
 * bare Cortex-M, the firmware test's counterpart of tools/sched.h: fixed
 * task structs and stacks from the caller, no heap, a five-instruction
 * context switch (switch.S).  It shows where tasklocal's three calls go:
 *
 *   spawn:   tl_task_init(&task->locals)      (and tl_task_inherit, opt-in)
 *   switch:  tl_switch(&task->locals)          before resuming a task
 *   end:     tl_task_exit(&task->locals)       after a task returns
 *
 * Not thread safe, not interrupt safe: everything runs in thread mode on
 * one core, and a task gives the processor up only in fw_yield().
 */
#ifndef TASKLOCAL_FIRMWARE_SCHED_H
#define TASKLOCAL_FIRMWARE_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tasklocal.h"

#define FW_MAX_TASKS	8

struct fw_task {
	struct tl_node locals;		/* all tasklocal needs of a task */
	void *sp;			/* saved stack pointer, switched out */
	void (*fn)(void *arg);
	void *arg;
	const char *name;
	bool done;
	uint32_t *stack;		/* lowest address; grows down to it */
	size_t stack_words;
};

/*
 * fw_spawn - queue @t to run @fn(@arg) on @stack (@words 32-bit words,
 * 8-aligned); its values start as the spawner's TL_INHERIT ones.
 * Return: 0, -EINVAL (bad arguments, too many tasks), -ENOMEM (inherit).
 */
int fw_spawn(struct fw_task *t, const char *name, void (*fn)(void *),
	     void *arg, uint32_t *stack, size_t words);

/* fw_yield - give the processor to the next task; call from a task only. */
void fw_yield(void);

/* fw_self - the running task, NULL in the scheduler (the root context). */
struct fw_task *fw_self(void);

/* fw_run - run until every spawned task has returned; the number that ran. */
int fw_run(void);

/* fw_stack_used - high-water mark of @t's stack, in bytes. */
size_t fw_stack_used(const struct fw_task *t);

#endif /* TASKLOCAL_FIRMWARE_SCHED_H */
