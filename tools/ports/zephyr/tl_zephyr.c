// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * tools/ports/zephyr/tl_zephyr.c - tasklocal on Zephyr: the switch hook
 * (the user tracing backend's sys_trace_thread_switched_in_user, whose
 * signature changed in Zephyr 3.3), the registry lock over a k_spinlock,
 * the static pool and arena sized by Kconfig, and the thread wrapper that
 * gives a thread its node and ends its values.  Public API of tasklocal
 * and of Zephyr only.
 */
#include "tl_zephyr.h"

/* CONFIG_TRACING_USER puts tracing_user.h on the include path. */
#include <tracing_user.h>

#ifdef TL_ZEPHYR_PREFIXED
#include <zephyr/version.h>
#else
#include <version.h>
#endif

#ifndef CONFIG_THREAD_CUSTOM_DATA
#error "tasklocal keeps each thread's node in its custom data: CONFIG_THREAD_CUSTOM_DATA=y"
#endif

#ifndef CONFIG_TRACING_USER
#error "tasklocal's switch hook is a user tracing hook: CONFIG_TRACING=y, CONFIG_TRACING_USER=y"
#endif

/*
 * One current task for the system (TL_THREADS=0): with several CPUs the
 * hook of one would overwrite another's.  Refused rather than wrong.
 */
#if defined(CONFIG_SMP) && \
	((defined(CONFIG_MP_MAX_NUM_CPUS) && CONFIG_MP_MAX_NUM_CPUS > 1) || \
	 (defined(CONFIG_MP_NUM_CPUS) && CONFIG_MP_NUM_CPUS > 1))
#error "tasklocal's Zephyr port is single-CPU (TL_THREADS=0): no CONFIG_SMP with more than one CPU"
#endif

/*
 * Up to Zephyr 3.2 the hook is given the incoming thread; from 3.3 it
 * takes nothing.  tracing_user.h, included above, declares the one of
 * this tree, so a wrong guess is a compile error ("conflicting types"),
 * never a silent mismatch: a tree with a backported change sets
 * TL_ZEPHYR_SWITCH_HOOK_THREAD (1: with the thread, 0: without) itself.
 */
#ifndef TL_ZEPHYR_SWITCH_HOOK_THREAD
#if KERNEL_VERSION_NUMBER < 0x030300
#define TL_ZEPHYR_SWITCH_HOOK_THREAD	1
#else
#define TL_ZEPHYR_SWITCH_HOOK_THREAD	0
#endif
#endif

/* ------------------------------------------------------------- hook */

/*
 * The tracing backend calls this once the incoming thread is _current,
 * from the context switch (PendSV on Cortex-M: interrupt level).  Threads
 * that were not created by tl_zephyr_thread_create() (main, idle, work
 * queues) have no custom data: the root context.
 */
#if TL_ZEPHYR_SWITCH_HOOK_THREAD
void sys_trace_thread_switched_in_user(struct k_thread *thread)
{
	ARG_UNUSED(thread);
	tl_switch(k_thread_custom_data_get());
}
#else
void sys_trace_thread_switched_in_user(void)
{
	tl_switch(k_thread_custom_data_get());
}
#endif

/* -------------------------------------------------------------- lock */

/*
 * The key is kept beside the lock: only the holder writes it, after
 * taking the lock, and reads it back to release it.
 */
struct spin {
	struct k_spinlock lock;
	k_spinlock_key_t key;
};

static struct spin registry_spin;

static void spin_enter(void *ctx)
{
	struct spin *s = ctx;
	k_spinlock_key_t key = k_spin_lock(&s->lock);

	s->key = key;
}

static void spin_exit(void *ctx)
{
	struct spin *s = ctx;

	k_spin_unlock(&s->lock, s->key);
}

const struct tl_lock tl_zephyr_lock = { spin_enter, spin_exit, &registry_spin };

/*
 * tl_switch() from a thread, not from the switch hook: under the lock, so
 * that the hook cannot preempt it between its read and its write of the
 * switch count (the count would go back, and a lookup that straddles the
 * preemption could take another thread's entry for its own).
 */
static void switch_locked(struct tl_node *locals)
{
	spin_enter(&registry_spin);
	tl_switch(locals);
	spin_exit(&registry_spin);
}

/* ------------------------------------------------------------ memory */

static _Alignas(max_align_t) unsigned char
	pool_mem[TL_PORT_POOL_BYTES(CONFIG_TASKLOCAL_VALUES,
				    CONFIG_TASKLOCAL_LARGEST)];
static _Alignas(max_align_t) unsigned char arena_mem[CONFIG_TASKLOCAL_ARENA_SIZE];

int tl_zephyr_init(struct tl_local *const locals[], size_t count)
{
	static const struct tl_port_memory mem = {
		.pool = pool_mem, .pool_size = sizeof(pool_mem),
		.largest = CONFIG_TASKLOCAL_LARGEST,
		.arena = arena_mem, .arena_size = sizeof(arena_mem),
	};

	return tl_port_init(&tl_zephyr_lock, &mem, locals, count);
}

/* ----------------------------------------------------------- threads */

static void thread_entry(void *p1, void *p2, void *p3)
{
	struct tl_zephyr_thread *tl = p1;

	ARG_UNUSED(p2);
	ARG_UNUSED(p3);
	/*
	 * The hook ran before the node was published: switch by hand.  A
	 * switch after the store does the same; one before it, not.
	 */
	k_thread_custom_data_set(&tl->locals);
	switch_locked(&tl->locals);
	tl->entry(tl->p1, tl->p2, tl->p3);
	tl_task_exit(&tl->locals);	/* in the thread: destructors may block */
	k_thread_custom_data_set(NULL);
	switch_locked(NULL);
}

k_tid_t tl_zephyr_thread_create(struct k_thread *thread, k_thread_stack_t *stack,
				size_t stack_size, struct tl_zephyr_thread *tl,
				k_thread_entry_t entry, void *p1, void *p2,
				void *p3, int prio, uint32_t options,
				k_timeout_t delay)
{
	tl_task_init(&tl->locals);
	tl->entry = entry;
	tl->p1 = p1;
	tl->p2 = p2;
	tl->p3 = p3;
	return k_thread_create(thread, stack, stack_size, thread_entry, tl,
			       NULL, NULL, prio, options, delay);
}

void tl_zephyr_thread_exit(void)
{
	tl_task_exit(k_thread_custom_data_get());
	k_thread_custom_data_set(NULL);
	switch_locked(NULL);
	k_thread_abort(k_current_get());
	CODE_UNREACHABLE;
}

void tl_zephyr_thread_abort(k_tid_t thread, struct tl_zephyr_thread *tl)
{
	k_thread_abort(thread);
	k_sched_lock();
	tl_task_exit(&tl->locals);
	k_sched_unlock();
}
