// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * tools/firmware/sched.c - round-robin cooperative tasks on a bare
 * Cortex-M.  The scheduler loop runs on the main stack outside any task
 * (tasklocal's root context); each task runs on its own stack until it
 * yields or returns.  A new task's stack holds the frame fw_ctx_switch()
 * pops: r4-r11, then the address task_entry() starts at.
 */
#include <errno.h>

#include "sched.h"

#define STACK_FILL	0xdeadbeefu	/* unused stack, for fw_stack_used() */
#define FRAME_WORDS	9		/* r4-r11, pc: what fw_ctx_switch pops */

/* switch.S: save r4-r11 and lr on this stack into *@save_sp, resume @load_sp */
void fw_ctx_switch(void **save_sp, void *load_sp);

static struct fw_task *tasks[FW_MAX_TASKS];
static unsigned ntasks;
static struct fw_task *running;
static void *loop_sp;			/* the scheduler's, while a task runs */

static void __attribute__((noreturn)) task_entry(void)
{
	running->fn(running->arg);
	running->done = true;
	fw_yield();			/* never resumed */
	for (;;)
		;
}

int fw_spawn(struct fw_task *t, const char *name, void (*fn)(void *),
	     void *arg, uint32_t *stack, size_t words)
{
	uint32_t *sp;
	size_t i;
	int err;

	if (!t || !fn || !stack || words < 64 || (uintptr_t)stack & 7 ||
	    ntasks == FW_MAX_TASKS)
		return -EINVAL;
	for (i = 0; i < words; i++)
		stack[i] = STACK_FILL;
	sp = stack + (words & ~(size_t)1) - FRAME_WORDS;	/* 8-aligned top */
	for (i = 0; i < FRAME_WORDS - 1; i++)
		sp[i] = 0;					/* r4-r11 */
	sp[FRAME_WORDS - 1] = (uint32_t)(uintptr_t)task_entry;	/* pc, Thumb bit set */

	t->sp = sp;
	t->fn = fn;
	t->arg = arg;
	t->name = name;
	t->done = false;
	t->stack = stack;
	t->stack_words = words;

	tl_task_init(&t->locals);				/* call 1 */
	err = tl_task_inherit(&t->locals, tl_current());
	if (err) {
		tl_task_exit(&t->locals);
		return err;
	}
	tasks[ntasks++] = t;
	return 0;
}

void fw_yield(void)
{
	fw_ctx_switch(&running->sp, loop_sp);
}

struct fw_task *fw_self(void)
{
	return running;
}

int fw_run(void)
{
	unsigned i, live;
	int ran = 0;

	do {
		live = 0;
		/* ntasks is read each time: a task may spawn another. */
		for (i = 0; i < ntasks; i++) {
			struct fw_task *t = tasks[i];

			if (t->done)
				continue;
			running = t;
			tl_switch(&t->locals);			/* call 2 */
			fw_ctx_switch(&loop_sp, t->sp);
			tl_switch(NULL);
			running = NULL;

			if (t->done) {
				tl_task_exit(&t->locals);	/* call 3 */
				ran++;
			} else {
				live++;
			}
		}
	} while (live);
	ntasks = 0;
	return ran;
}

size_t fw_stack_used(const struct fw_task *t)
{
	size_t i = 0;

	while (i < t->stack_words && t->stack[i] == STACK_FILL)
		i++;
	return (t->stack_words - i) * sizeof(uint32_t);
}
