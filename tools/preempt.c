// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * tools/preempt.c - a TL_THREADS=0 library under a preemptive kernel, on
 * the host: what FreeRTOS's PendSV does to it, a thousand times more often
 * than the RTOS tests reach.  Tasks are ucontext coroutines; a timer signal
 * plays the switch interrupt: it calls tl_switch() and tl_sched_switch()
 * for another task and swaps to it, between any two instructions of
 * whatever the running task was doing (a lookup's probe, a fill, a first
 * value, an exit).  The registry lock is the kernel's critical section: a
 * tick inside it is pended and taken at its end, as PendSV is.  Each task
 * sets, replaces, binds, deletes, scopes and reads its values, ends and
 * begins again, and ends another task that is suspended between two of
 * its steps (vTaskDelete() of another); it checks after each step that
 * every value it reads is its own, and after each exit that every value
 * of the ended task was destroyed once.  Run by `make check-preempt`
 * (x86-64 Linux).
 *
 *   preempt SECONDS SEED [PERIOD_US]
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <ucontext.h>

#include "tasklocal.h"

#define TASKS	5
#define PLAIN	4		/* locals of the default discriminator */
#define LOCALS	(PLAIN + 2)	/* then two of a tl_sched */

struct task {
	ucontext_t ctx;
	struct tl_node node, snode;	/* its default and tl_sched tasks */
	int id;
	volatile sig_atomic_t busy;	/* inside a step */
	volatile sig_atomic_t suspended; /* being ended by another task */
	struct task *ending;		/* whose exit this task runs */
	unsigned long rng, version;
	unsigned long destroyed;	/* destructor calls for its values */
	uintptr_t want[LOCALS];		/* each local's value, 0: none */
	struct tl_slot slots[LOCALS][2];	/* for tl_bind(), in turn */
	int bound[LOCALS];		/* 1 + the slot bound, 0: none */
	char stack[128 * 1024];
};

struct counter {
	int owner;			/* the task whose tl_this() made it */
};

static struct task tasks[TASKS], *volatile cur;
static ucontext_t main_ctx;
static struct tl_sched sched;
static volatile sig_atomic_t in_lock, pending, stopping;
static volatile unsigned long preemptions, deferred, steps, destroyed,
	exits, exits_by_other;
static struct timespec deadline;
static unsigned long kernel_rng;

static void __attribute__((noreturn)) fail(const char *what, int local);

/* For tl_del(), or for the task an exit of the running one ends. */
static void count_destroy(void *value)
{
	struct task *x = cur->ending ? cur->ending : cur;

	if ((int)((uintptr_t)value >> 56) - 1 != x->id)
		fail("a destructor got another task's value", -1);
	x->destroyed++;
	destroyed++;
}

static void counter_init(void *data, void *arg)
{
	(void)arg;
	((struct counter *)data)->owner = cur->id;
}

static struct tl_local locals[LOCALS] = {
	TL_LOCAL(.name = "p0", .destroy = count_destroy),
	TL_LOCAL(.name = "p1", .destroy = count_destroy),
	TL_LOCAL(.destroy = count_destroy),
	TL_LOCAL(.name = "p3", .destroy = count_destroy),
	TL_LOCAL(.name = "s0", .disc = &sched.disc, .destroy = count_destroy),
	TL_LOCAL(.disc = &sched.disc, .destroy = count_destroy),
};
static struct tl_local counter = TL_LOCAL(.name = "counter",
					  .size = sizeof(struct counter),
					  .init = counter_init);

static unsigned long rnd(unsigned long *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void __attribute__((noreturn)) fail(const char *what, int local)
{
	stopping = 1;
	fprintf(stderr, "preempt: FAIL: task %d, local %d: %s (after %lu "
		"preemptions)\n", cur->id, local, what, preemptions);
	exit(1);
}

/* ------------------------------------------------------------ the kernel */

/* The critical section: a tick that comes meanwhile waits for its end. */
static void cs_enter(void *ctx)
{
	(void)ctx;
	in_lock++;
}

static void cs_exit(void *ctx)
{
	(void)ctx;
	if (--in_lock == 0 && pending && !stopping) {
		pending = 0;
		raise(SIGALRM);
	}
}

static void on_tick(int sig)
{
	struct task *prev = cur, *next = &tasks[rnd(&kernel_rng) % TASKS];
	struct timespec now;

	(void)sig;
	if (stopping)
		return;
	if (in_lock) {
		deferred++;
		pending = 1;
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec > deadline.tv_sec ||
	    (now.tv_sec == deadline.tv_sec && now.tv_nsec > deadline.tv_nsec)) {
		stopping = 1;
		swapcontext(&prev->ctx, &main_ctx);
		return;
	}
	if (next == prev || next->suspended)
		return;
	preemptions++;
	cur = next;
	tl_switch(&next->node);
	tl_sched_switch(&sched, &next->snode);
	swapcontext(&prev->ctx, &next->ctx);
}

/* -------------------------------------------------------------- a task */

/* A value no other task, local or version has. */
static uintptr_t value_of(struct task *t, int local)
{
	return (uintptr_t)(t->id + 1) << 56 | (uintptr_t)local << 48 |
	       (++t->version & 0xffffffffffful) << 4;
}

/* Every local reads as this task's, and it is the current task. */
static void check(struct task *t)
{
	for (int i = 0; i < LOCALS; i++)
		if ((uintptr_t)tl_get(&locals[i]) != t->want[i])
			fail("tl_get() is not the task's own value", i);
	if (tl_current() != &t->node)
		fail("tl_current() is another task", -1);
}

/* @x, the running task or a suspended one, ends and begins again. */
static void end_and_begin(struct task *x)
{
	unsigned long before = x->destroyed, values = 0;

	for (int i = 0; i < LOCALS; i++)
		values += x->want[i] != 0;
	cur->ending = x;
	tl_task_exit(&x->node);
	tl_task_exit(&x->snode);
	cur->ending = NULL;
	if (x->destroyed - before != values)
		fail("not one destructor call per value", -1);
	memset(x->want, 0, sizeof(x->want));
	memset(x->bound, 0, sizeof(x->bound));
	exits++;
}

/* Between two of its steps @x neither runs nor is inside the library. */
static void end_another(struct task *x)
{
	bool idle;

	cs_enter(NULL);
	idle = !x->busy && !x->suspended;
	if (idle)
		x->suspended = 1;
	cs_exit(NULL);
	if (!idle)
		return;
	end_and_begin(x);
	exits_by_other++;
	x->suspended = 0;
}

static void step(struct task *t)
{
	int i = (int)(rnd(&t->rng) % LOCALS);
	uintptr_t v = value_of(t, i);
	struct tl_scope scope;
	struct counter *c;
	int k = t->bound[i] == 1;	/* the slot that is not linked */

	switch (rnd(&t->rng) % 9) {
	case 0: case 1:			/* a first value, or another one */
		if (tl_set(&locals[i], (void *)v) == 0)
			t->want[i] = v;
		break;
	case 2:				/* no value: NULL, or deleted */
		if (t->want[i] && tl_del(&locals[i]) != 0)
			fail("tl_del() of a value failed", i);
		t->want[i] = 0;
		t->bound[i] = 0;
		break;
	case 3:				/* a value for the extent of a call */
		if (tl_scope_enter(&scope, &locals[i], (void *)v) != 0)
			fail("tl_scope_enter() failed", i);
		if ((uintptr_t)tl_get(&locals[i]) != v)
			fail("a scope's value is not seen", i);
		if (tl_scope_exit(&scope) != 0)
			fail("tl_scope_exit() failed", i);
		break;
	case 4:				/* typed: made once, by its task */
		c = tl_this(&counter);
		if (c && c->owner != t->id)
			fail("tl_this() is another task's storage", -1);
		break;
	case 5:
		if (rnd(&t->rng) % 16 == 0)
			end_and_begin(t);
		else if (rnd(&t->rng) % 16 == 0 && &tasks[i % TASKS] != t)
			end_another(&tasks[i % TASKS]);
		break;
	case 6:				/* in a slot of its own, or the other */
		if (tl_bind(&locals[i], &t->slots[i][k], (void *)v) != 0)
			fail("tl_bind() failed", i);
		t->want[i] = v;
		t->bound[i] = 1 + k;
		break;
	default:			/* reads only */
		break;
	}
	check(t);
	steps++;
}

/* Keeps the tick out (SIG_BLOCK) or lets it in (SIG_UNBLOCK). */
static void tick_mask(int how)
{
	sigset_t tick;

	sigemptyset(&tick);
	sigaddset(&tick, SIGALRM);
	sigprocmask(how, &tick, NULL);
}

static void task_main(void)
{
	struct task *t = cur;

	/* Entered from the handler with the tick blocked (see main()). */
	tick_mask(SIG_UNBLOCK);
	/*
	 * The fences keep the step's stores inside the two of busy; the
	 * idle loop gives a tick the time to land where another task may
	 * end this one.
	 */
	for (;;) {
		t->busy = 1;
		atomic_signal_fence(memory_order_seq_cst);
		step(t);
		atomic_signal_fence(memory_order_seq_cst);
		t->busy = 0;
		for (volatile int n = 0; n < 20; n++)
			;
	}
}

int main(int argc, char **argv)
{
	struct tl_lock lock = { cs_enter, cs_exit, NULL };
	long seconds = argc > 1 ? atol(argv[1]) : 5;
	unsigned long seed = argc > 2 ? strtoul(argv[2], NULL, 0) : 1;
	long period_us = argc > 3 ? atol(argv[3]) : 50;
	struct itimerval tick = { { 0, period_us }, { 0, period_us } };

	if (tl_lock_set(&lock) != 0)
		return 1;
	tl_sched_init(&sched);
	kernel_rng = seed * 2654435761u | 1;
	for (int k = 0; k < TASKS; k++) {
		struct task *t = &tasks[k];

		t->id = k;
		t->rng = (seed + (unsigned long)k) * 0x9e3779b97f4a7c15ul | 1;
		tl_task_init(&t->node);
		tl_task_init(&t->snode);
		getcontext(&t->ctx);
		t->ctx.uc_stack.ss_sp = t->stack;
		t->ctx.uc_stack.ss_size = sizeof(t->stack);
		t->ctx.uc_link = &main_ctx;
		/*
		 * The handler enters a new task: a tick let in by swapcontext()
		 * before it has left the old stack would swap a half-made
		 * context.  The task lets ticks in itself.
		 */
		sigaddset(&t->ctx.uc_sigmask, SIGALRM);
		makecontext(&t->ctx, task_main, 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += seconds;
	signal(SIGALRM, on_tick);
	cur = &tasks[0];
	tl_switch(&cur->node);
	tl_sched_switch(&sched, &cur->snode);
	/*
	 * main() is no task: a tick taken here, between the timer's start
	 * and the swap to the first task (a runner that deschedules us for
	 * more than a period), would save main()'s context as task 0's
	 * (cur), and resuming it later unwinds main()'s stack a second time:
	 * a segfault.  The tick stays blocked until task 0 lets it in; the
	 * swap back at the deadline returns here with it blocked again.
	 */
	tick_mask(SIG_BLOCK);
	setitimer(ITIMER_REAL, &tick, NULL);
	swapcontext(&main_ctx, &cur->ctx);
	tick = (struct itimerval){ { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &tick, NULL);
	printf("preempt: %lu preemptions (%lu held to the lock's end), %lu steps, "
	       "%lu exits (%lu by another task), %lu destructor calls, 0 wrong "
	       "values\n", preemptions, deferred, steps, exits, exits_by_other,
	       destroyed);
	return 0;
}
