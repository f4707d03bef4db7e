/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tools/ports/freertos/tl_freertos.h - tasklocal on FreeRTOS: the
 * application's side of the port.  The library is built with TL_THREADS=0
 * (one current task for the system, set by the kernel's switch hook) and
 * TL_HEAPLESS=1 (slots from a pool, the registry from an arena, both over
 * the application's static buffers).
 *
 * The three calls of tasklocal land here as:
 *
 *   create:  tl_freertos_task_create() or tl_freertos_task_attach()
 *            (tl_task_init, and the node into the task's TLS pointer)
 *   switch:  traceTASK_SWITCHED_IN -> tl_freertos_switched_in()
 *            (tl_switch, and nothing else: it runs in the scheduler)
 *   delete:  traceTASK_DELETE -> tl_freertos_task_deleted()
 *            (tl_task_exit, inside vTaskDelete()'s critical section)
 *
 * tl_freertos_config.h (included at the end of FreeRTOSConfig.h) installs
 * the two hooks; tl_port_init(&tl_freertos_lock, ...) (tl_port.h)
 * installs the lock and the memory at boot.
 *
 * Only tl_switch() is safe at interrupt level: an interrupt handler that
 * read a local would see the values of whichever task it interrupted.
 */
#ifndef TL_FREERTOS_H
#define TL_FREERTOS_H

#include "FreeRTOS.h"
#include "task.h"
#include "tasklocal.h"
#include "tl_port.h"

#if TL_THREADS
#error "tasklocal on FreeRTOS is built with TL_THREADS=0: the kernel's switch hook is what sets the current task"
#endif

/**
 * tl_freertos_lock - the registry lock: the kernel's critical section
 *
 * taskENTER_CRITICAL()/taskEXIT_CRITICAL() at task level (they nest, so the
 * lock is also right inside vTaskDelete()'s own critical section, where
 * the delete hook runs).  Entered from an interrupt - which should not
 * happen, since no library call but tl_switch() belongs there - it uses
 * taskENTER_CRITICAL_FROM_ISR() instead of asserting in the task-level
 * call; the interrupt must be one that may call FromISR functions (at or
 * below configMAX_SYSCALL_INTERRUPT_PRIORITY).  Whether code runs in an
 * interrupt is TL_FREERTOS_IN_ISR(): xPortIsInsideInterrupt() on Cortex-M,
 * never on the POSIX simulator (its "interrupts" are signal handlers that
 * keep the critical nesting raised); define it for other ports.
 */
extern const struct tl_lock tl_freertos_lock;

/**
 * tl_freertos_task_attach - give @task its node: its values from now on
 * @task: the task, or NULL for the calling task
 * @locals: its node, which must outlive the task (a static, the task's
 *          own struct, or even the task's stack: the delete hook runs
 *          before the kernel frees it)
 *
 * Initialises @locals (tl_task_init) and stores it in @task's
 * thread-local-storage pointer TL_FREERTOS_TLS_INDEX, where the switch
 * hook reads it.  For the calling task it also makes @locals current at
 * once, since the hook ran before the pointer was set.  Until then the
 * task's lookups go to the root context.
 *
 * Context: task level.  @task NULL: from the task itself, as its first
 * call, with the scheduler running.  Another task: one that has not run
 * yet (before vTaskStartScheduler(), or created with the scheduler
 * suspended, as tl_freertos_task_create() does).
 */
void tl_freertos_task_attach(TaskHandle_t task, struct tl_node *locals);

#if configSUPPORT_DYNAMIC_ALLOCATION
/**
 * tl_freertos_task_create - xTaskCreate() a task that starts with its node
 * @fn: the task function
 * @name: its name
 * @depth: stack depth, in words, as xTaskCreate()
 * @arg: passed to @fn
 * @prio: its priority
 * @handle: where the handle goes, or NULL
 * @locals: the task's node (see tl_freertos_task_attach())
 *
 * The task is created with the scheduler suspended and attached before it
 * can run, so even a task of higher priority than its creator runs with
 * its own values from its first instruction.
 *
 * Context: task level, or main() before vTaskStartScheduler().
 * Return: what xTaskCreate() returned (pdPASS, or
 * errCOULD_NOT_ALLOCATE_REQUIRED_MEMORY with nothing attached).
 */
BaseType_t tl_freertos_task_create(TaskFunction_t fn, const char *name,
				   configSTACK_DEPTH_TYPE depth, void *arg,
				   UBaseType_t prio, TaskHandle_t *handle,
				   struct tl_node *locals);
#endif

/**
 * tl_freertos_task_locals - the node of @task
 * @task: the task, or NULL for the calling task
 *
 * Context: task level.
 * Return: its node, or NULL for a task that was never attached (such tasks
 * all share the root context).
 */
struct tl_node *tl_freertos_task_locals(TaskHandle_t task);

/**
 * tl_freertos_task_exit - run the calling task's destructors now
 *
 * The delete hook runs destructors inside vTaskDelete()'s critical
 * section, where they must not block.  A task whose destructors need to
 * block (take a mutex, wait on a queue) calls this at task level just
 * before vTaskDelete(NULL); the hook then finds nothing left, or only what
 * was set after this call.
 *
 * Context: the task itself, at task level; destructors may block.
 */
void tl_freertos_task_exit(void);

/*
 * The hooks' targets.  tl_freertos_config.h declares them too, for the
 * kernel's sources, which do not include this header.
 */

/**
 * tl_freertos_switched_in - traceTASK_SWITCHED_IN: @locals is current
 * @locals: the incoming task's node, NULL for a task never attached
 *
 * Calls tl_switch() and nothing else: tasklocal's only call that is safe
 * at interrupt level.
 *
 * Context: the scheduler, after pxCurrentTCB names the incoming task: the
 * PendSV handler on Cortex-M (interrupt level, BASEPRI at
 * configMAX_SYSCALL_INTERRUPT_PRIORITY), the tick signal handler or the
 * yielding thread on the POSIX simulator, and vTaskStartScheduler().
 */
void tl_freertos_switched_in(void *locals);

/**
 * tl_freertos_task_deleted - traceTASK_DELETE: the task's values are over
 * @tls_slot: the deleted task's TLS pointer TL_FREERTOS_TLS_INDEX
 *
 * Clears the pointer, then tl_task_exit() on the node it held (none for a
 * task never attached): destructors run, slots go back to the pool.  For a
 * task deleted by another, the node is current while its destructors run,
 * and the deleting task's own is current again afterwards: nothing can
 * switch in between, since the kernel holds its critical section.  The
 * node may be reused for a new task once this returns.
 *
 * Context: inside vTaskDelete(), in its critical section, on the deleting
 * task (the deleted one itself for vTaskDelete(NULL)): destructors must
 * not block nor call FreeRTOS functions that may yield.
 */
void tl_freertos_task_deleted(void **tls_slot);

#endif /* TL_FREERTOS_H */
