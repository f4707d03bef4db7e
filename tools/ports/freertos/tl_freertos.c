// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * tools/ports/freertos/tl_freertos.c - tasklocal on FreeRTOS: the targets
 * of the kernel's switch and delete hooks, the registry lock over the
 * kernel's critical section, and the helpers that give a task its node
 * (the pool and the arena are tl_port.c's).  Everything goes through
 * tasklocal's public API; the kernel is reached through its API, except in
 * the hooks, which tasks.c expands (tl_freertos_config.h).
 */
#include "tl_freertos.h"

#ifndef TL_FREERTOS_CONFIG_H
#error "FreeRTOSConfig.h must include tl_freertos_config.h (as its last line)"
#endif

/* FreeRTOS.h has given configNUMBER_OF_CORES its default by now. */
#if defined(configNUMBER_OF_CORES) && configNUMBER_OF_CORES > 1
#error "tasklocal's FreeRTOS port is single-core (TL_THREADS=0): configNUMBER_OF_CORES must be 1"
#endif

#if configNUM_THREAD_LOCAL_STORAGE_POINTERS < 1
#error "configNUM_THREAD_LOCAL_STORAGE_POINTERS must be at least 1"
#endif

#ifndef TL_FREERTOS_MANUAL_HOOKS
/*
 * The hook check.  tasks.c sees the same FreeRTOSConfig.h as this file:
 * if the trace macros in force are not the ones tl_freertos_config.h
 * defined - a tracer's header read after it replaced them - the kernel
 * would never call the port, and every task would share the root
 * context.  Here, and only here, the chained hooks are made constants:
 * any other definition of the trace macros fails to compile on the two
 * lines below.  Move the tracer's #include above tl_freertos_config.h and
 * save its hooks as described there.
 */
#undef TL_FREERTOS_SWITCHED_IN_CHAIN
#undef TL_FREERTOS_TASK_DELETE_CHAIN
#define TL_FREERTOS_SWITCHED_IN_CHAIN()		1
#define TL_FREERTOS_TASK_DELETE_CHAIN(pxTCB)	1
_Static_assert(traceTASK_SWITCHED_IN(),
	       "traceTASK_SWITCHED_IN is not tasklocal's: include tl_freertos_config.h last");
_Static_assert(traceTASK_DELETE(NULL),
	       "traceTASK_DELETE is not tasklocal's: include tl_freertos_config.h last");
#endif

/*
 * Whether the caller runs in an interrupt handler.  On Cortex-M the port
 * says so (IPSR); the POSIX simulator's interrupts are signal handlers
 * inside which the port keeps its critical nesting raised, so the
 * task-level critical section is right there too.
 */
#ifndef TL_FREERTOS_IN_ISR
#if defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M'
#define TL_FREERTOS_IN_ISR()	(xPortIsInsideInterrupt() == pdTRUE)
#else
#define TL_FREERTOS_IN_ISR()	0
#endif
#endif

/* ------------------------------------------------------------- hooks */

void tl_freertos_switched_in(void *locals)
{
	tl_switch(locals);
}

void tl_freertos_task_deleted(void **tls_slot)
{
	struct tl_node *locals = *tls_slot;

	/* Cleared first: the node is the application's again afterwards. */
	*tls_slot = NULL;
	tl_task_exit(locals);
}

/* -------------------------------------------------------------- lock */

/*
 * The interrupt mask saved when the lock is taken from an interrupt.  One
 * is enough: whoever holds the lock has masked every interrupt that may
 * take it (all those at or below configMAX_SYSCALL_INTERRUPT_PRIORITY),
 * and tasks cannot run, so there is never a second holder to save one.
 */
static UBaseType_t isr_saved_mask;

static void critical_enter(void *ctx)
{
	(void)ctx;
	if (TL_FREERTOS_IN_ISR()) {
		UBaseType_t mask = taskENTER_CRITICAL_FROM_ISR();

		isr_saved_mask = mask;
	} else {
		taskENTER_CRITICAL();
	}
}

/* The lock is never held across a context change: same test, same side. */
static void critical_exit(void *ctx)
{
	(void)ctx;
	if (TL_FREERTOS_IN_ISR())
		taskEXIT_CRITICAL_FROM_ISR(isr_saved_mask);
	else
		taskEXIT_CRITICAL();
}

const struct tl_lock tl_freertos_lock = { critical_enter, critical_exit, NULL };

/* ------------------------------------------------------------- tasks */

void tl_freertos_task_attach(TaskHandle_t task, struct tl_node *locals)
{
	tl_task_init(locals);
	/* Published after it is initialised: the hook may read it at once. */
	vTaskSetThreadLocalStoragePointer(task, TL_FREERTOS_TLS_INDEX, locals);
	/*
	 * A switch after the store would do the same; before it, not.  In a
	 * critical section: the switch hook may preempt tl_switch() between
	 * its read and its write of the switch count.
	 */
	if (!task) {
		taskENTER_CRITICAL();
		tl_switch(locals);
		taskEXIT_CRITICAL();
	}
}

#if configSUPPORT_DYNAMIC_ALLOCATION
BaseType_t tl_freertos_task_create(TaskFunction_t fn, const char *name,
				   configSTACK_DEPTH_TYPE depth, void *arg,
				   UBaseType_t prio, TaskHandle_t *handle,
				   struct tl_node *locals)
{
	TaskHandle_t task = NULL;
	BaseType_t ret;

	/* A task of higher priority would otherwise run before it has a node. */
	vTaskSuspendAll();
	ret = xTaskCreate(fn, name, depth, arg, prio, &task);
	if (ret == pdPASS)
		tl_freertos_task_attach(task, locals);
	(void)xTaskResumeAll();
	if (handle)
		*handle = task;
	return ret;
}
#endif

struct tl_node *tl_freertos_task_locals(TaskHandle_t task)
{
	return pvTaskGetThreadLocalStoragePointer(task, TL_FREERTOS_TLS_INDEX);
}

void tl_freertos_task_exit(void)
{
	/* Kept attached: what is set after this still belongs to the task. */
	tl_task_exit(tl_freertos_task_locals(NULL));
}
