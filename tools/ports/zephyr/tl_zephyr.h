/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tools/ports/zephyr/tl_zephyr.h - tasklocal on Zephyr: the application's
 * side of the port.  The library is built with TL_THREADS=0 (one current
 * task for the system, set by the tracing hook on every switch) and
 * TL_HEAPLESS=1 (slots from a pool, the registry from an arena, both
 * static, sized by Kconfig).
 *
 * The three calls of tasklocal land here as:
 *
 *   create:  tl_zephyr_thread_create() (tl_task_init; the thread
 *            publishes its node in its custom data as it starts)
 *   switch:  sys_trace_thread_switched_in_user() -> tl_switch() of the
 *            incoming thread's custom data, and nothing else
 *   exit:    when the entry returns, tl_task_exit() in the thread itself;
 *            tl_zephyr_thread_exit() instead of k_thread_abort() of
 *            oneself; tl_zephyr_thread_abort() for another thread
 *
 * Needs CONFIG_THREAD_CUSTOM_DATA (the node pointer; the port takes the
 * thread's one custom-data pointer) and CONFIG_TRACING_USER (the switch
 * hook; it is the tracing backend, so SystemView or Percepio cannot be
 * used alongside).  Single CPU only.  Only tl_switch() is safe at
 * interrupt level: an ISR reading a local sees the interrupted thread's.
 */
#ifndef TL_ZEPHYR_H
#define TL_ZEPHYR_H

/* The zephyr/ include prefix came with Zephyr 3.1. */
#ifdef __has_include
#if __has_include(<zephyr/kernel.h>)
#include <zephyr/kernel.h>
#define TL_ZEPHYR_PREFIXED	1
#endif
#endif
#ifndef TL_ZEPHYR_PREFIXED
#include <kernel.h>
#endif

#include "tasklocal.h"
#include "tl_port.h"

#if TL_THREADS
#error "tasklocal on Zephyr is built with TL_THREADS=0: the switch hook is what sets the current task"
#endif

/**
 * struct tl_zephyr_thread - what tasklocal keeps per thread
 * @locals: the thread's node: the head of its values
 * @entry: the thread's real entry point
 * @p1: its first argument
 * @p2: its second
 * @p3: its third
 *
 * Filled by tl_zephyr_thread_create(); it must outlive the thread (a
 * static beside the struct k_thread).  Fields are the port's.
 */
struct tl_zephyr_thread {
	struct tl_node locals;
	k_thread_entry_t entry;
	void *p1, *p2, *p3;
};

/**
 * tl_zephyr_lock - the registry lock: a k_spinlock
 *
 * Taken for the registry, the pool and the arena only - never while a
 * destructor or any other hook of the application runs - so a spinlock
 * fits: short, usable from ISRs, and on one CPU an interrupt lock, which
 * also keeps preemption out of the registry.
 */
extern const struct tl_lock tl_zephyr_lock;

/**
 * tl_zephyr_init - set tasklocal up: lock, arena, pool, locals
 * @locals: the locals to register now, so that nothing allocates later
 * @count: how many
 *
 * tl_port_init() with tl_zephyr_lock and the port's static buffers:
 * CONFIG_TASKLOCAL_VALUES blocks for values of up to
 * CONFIG_TASKLOCAL_LARGEST bytes, CONFIG_TASKLOCAL_ARENA_SIZE bytes of
 * registry.
 *
 * Context: once, in main() (or a SYS_INIT function) before threads that
 * use locals start.
 * Return: as tl_port_init().
 */
int tl_zephyr_init(struct tl_local *const locals[], size_t count);

/**
 * tl_zephyr_thread_create - k_thread_create() a thread with its own values
 * @thread: as k_thread_create()
 * @stack: as k_thread_create()
 * @stack_size: as k_thread_create()
 * @tl: the port's per-thread record (see struct tl_zephyr_thread)
 * @entry: the thread's entry point
 * @p1: its first argument
 * @p2: its second
 * @p3: its third
 * @prio: as k_thread_create()
 * @options: as k_thread_create()
 * @delay: as k_thread_create()
 *
 * The thread starts in a wrapper that publishes @tl->locals in its custom
 * data, makes it current, calls @entry(@p1, @p2, @p3) and, when it
 * returns, runs tl_task_exit() in the thread: destructors may block.
 *
 * Context: thread level.
 * Return: what k_thread_create() returned.
 */
k_tid_t tl_zephyr_thread_create(struct k_thread *thread, k_thread_stack_t *stack,
				size_t stack_size, struct tl_zephyr_thread *tl,
				k_thread_entry_t entry, void *p1, void *p2,
				void *p3, int prio, uint32_t options,
				k_timeout_t delay);

/**
 * tl_zephyr_thread_exit - end the calling thread, destructors first
 *
 * What a thread created by tl_zephyr_thread_create() calls instead of
 * k_thread_abort(k_current_get()), which would skip its destructors.
 *
 * Context: the thread itself; destructors may block.
 */
void tl_zephyr_thread_exit(void) __attribute__((noreturn));

/**
 * tl_zephyr_thread_abort - abort another thread, then end its values
 * @thread: the thread, not the caller
 * @tl: its record
 *
 * k_thread_abort(), then tl_task_exit() of its node with the scheduler
 * locked, since the node is made current while the destructors run and a
 * switch would undo that.  If @thread was preempted inside a library call
 * that changes its own list (a first tl_set(), tl_bind(), tl_del()), that
 * list may be half-updated: abort threads only where they are known to be
 * outside the library (blocked on a kernel object), or let them end
 * themselves.
 *
 * Context: thread level; the destructors run on the caller, scheduler
 * locked: they must not block.
 */
void tl_zephyr_thread_abort(k_tid_t thread, struct tl_zephyr_thread *tl);

#endif /* TL_ZEPHYR_H */
