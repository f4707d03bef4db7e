/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tools/ports/freertos/tl_freertos_config.h - the FreeRTOSConfig.h fragment
 * of the tasklocal port: the two trace hooks that keep tasklocal's current
 * task in step with the kernel's (traceTASK_SWITCHED_IN: tl_switch() to the
 * incoming task's node; traceTASK_DELETE: tl_task_exit() of the deleted
 * task's node), chained after any tracer that defined them first, and the
 * compile-time refusals of what the port cannot do (SMP, no free
 * thread-local-storage pointer).
 *
 * Include it as the *last* line of FreeRTOSConfig.h, after your own
 * settings and after any tracer's header (Tracealyzer's trcRecorder.h,
 * SystemView's SEGGER_SYSVIEW_FreeRTOS.h):
 *
 *   #include "tl_freertos_config.h"
 *
 * Each task's struct tl_node lives in one of its thread-local-storage
 * pointers, TL_FREERTOS_TLS_INDEX.  Its default is the last one,
 * configNUM_THREAD_LOCAL_STORAGE_POINTERS - 1, since the add-ons that use
 * these pointers (FreeRTOS+FAT's working directory and errno, lwIP's
 * per-thread semaphores) take theirs from index 0 up: raise the count by
 * one for tasklocal, or define TL_FREERTOS_TLS_INDEX to an index nobody
 * else uses.
 *
 * Chaining.  FreeRTOS has one macro per hook, and a second definition
 * replaces the first.  If traceTASK_SWITCHED_IN or traceTASK_DELETE is
 * already defined when this file is read, its body must be saved under
 * TL_FREERTOS_PREV_SWITCHED_IN() / TL_FREERTOS_PREV_TASK_DELETE(pxTCB)
 * first; this file then replaces the hook by one that runs the saved body
 * and tasklocal's, and refuses to compile (#error) when the saved one is
 * missing, so that no tracer is ever dropped silently.  A tracer read
 * *after* this file would replace tasklocal's hooks instead: tl_freertos.c
 * fails to compile in that case (see its hook check).  To compose the hooks
 * by hand, define TL_FREERTOS_MANUAL_HOOKS and call TL_FREERTOS_SWITCHED_IN()
 * and TL_FREERTOS_TASK_DELETE(pxTCB) from your own definitions.
 *
 * The hooks expand inside tasks.c, where the kernel's pxCurrentTCB and the
 * TCB's pvThreadLocalStoragePointers are in scope, as tracers' hooks use
 * them: the switch hook runs in the scheduler (PendSV, an interrupt, on
 * Cortex-M), where no API function that is not "FromISR" may be called.
 */
#ifndef TL_FREERTOS_CONFIG_H
#define TL_FREERTOS_CONFIG_H

/*
 * TL_THREADS=0 keeps one "current task" for the whole system, which the
 * switch hook sets.  With several cores each would need its own, and the
 * hook of one core would overwrite another's: refused rather than wrong.
 */
#if (defined(configNUMBER_OF_CORES) && configNUMBER_OF_CORES > 1) || \
	(defined(configNUM_CORES) && configNUM_CORES > 1)
#error "tasklocal's FreeRTOS port is single-core: TL_THREADS=0 has one current task, configNUMBER_OF_CORES must be 1"
#endif

#ifndef configNUM_THREAD_LOCAL_STORAGE_POINTERS
#error "tasklocal keeps each task's node in a thread-local-storage pointer: define configNUM_THREAD_LOCAL_STORAGE_POINTERS (at least 1) before including tl_freertos_config.h"
#endif

#ifndef TL_FREERTOS_TLS_INDEX
#define TL_FREERTOS_TLS_INDEX	(configNUM_THREAD_LOCAL_STORAGE_POINTERS - 1)
#endif

#if TL_FREERTOS_TLS_INDEX < 0 || \
	TL_FREERTOS_TLS_INDEX >= configNUM_THREAD_LOCAL_STORAGE_POINTERS
#error "TL_FREERTOS_TLS_INDEX must name one of the configNUM_THREAD_LOCAL_STORAGE_POINTERS pointers"
#endif

/* Assembler sources of some ports include FreeRTOSConfig.h too. */
#if !defined(__ASSEMBLER__) && !defined(__IAR_SYSTEMS_ASM__)
/* Defined in tl_freertos.c; documented in tl_freertos.h. */
void tl_freertos_switched_in(void *locals);
void tl_freertos_task_deleted(void **tls_slot);
#endif

/*
 * The building blocks, for tasks.c only.  @pxTCB is the TCB being deleted;
 * the node pointer is handed over by address so that the port can clear it
 * before the destructors run.
 */
#define TL_FREERTOS_SWITCHED_IN()					\
	tl_freertos_switched_in(					\
		pxCurrentTCB->pvThreadLocalStoragePointers[TL_FREERTOS_TLS_INDEX])
#define TL_FREERTOS_TASK_DELETE(pxTCB)					\
	tl_freertos_task_deleted(					\
		&(pxTCB)->pvThreadLocalStoragePointers[TL_FREERTOS_TLS_INDEX])

#ifndef TL_FREERTOS_MANUAL_HOOKS

#ifdef traceTASK_SWITCHED_IN
#ifndef TL_FREERTOS_PREV_SWITCHED_IN
#error "traceTASK_SWITCHED_IN is already defined (a tracer?): define TL_FREERTOS_PREV_SWITCHED_IN() as its body before including tl_freertos_config.h, or define TL_FREERTOS_MANUAL_HOOKS and call TL_FREERTOS_SWITCHED_IN() yourself (tools/ports/freertos/README.md)"
#endif
#undef traceTASK_SWITCHED_IN
#endif

#ifdef traceTASK_DELETE
#ifndef TL_FREERTOS_PREV_TASK_DELETE
#error "traceTASK_DELETE is already defined (a tracer?): define TL_FREERTOS_PREV_TASK_DELETE(pxTCB) as its body before including tl_freertos_config.h, or define TL_FREERTOS_MANUAL_HOOKS and call TL_FREERTOS_TASK_DELETE(pxTCB) yourself (tools/ports/freertos/README.md)"
#endif
#undef traceTASK_DELETE
#endif

#ifndef TL_FREERTOS_PREV_SWITCHED_IN
#define TL_FREERTOS_PREV_SWITCHED_IN()		do { } while (0)
#endif
#ifndef TL_FREERTOS_PREV_TASK_DELETE
#define TL_FREERTOS_PREV_TASK_DELETE(pxTCB)	do { (void)(pxTCB); } while (0)
#endif

/*
 * The tracer sees the switch first, as it would without tasklocal; at a
 * delete, the destructors run before the tracer records the task as gone.
 * Each hook is one macro call so that tl_freertos.c can check that the
 * hook in force is this one.
 */
#define TL_FREERTOS_SWITCHED_IN_CHAIN()					\
	do {								\
		TL_FREERTOS_PREV_SWITCHED_IN();				\
		TL_FREERTOS_SWITCHED_IN();				\
	} while (0)
#define TL_FREERTOS_TASK_DELETE_CHAIN(pxTCB)				\
	do {								\
		TL_FREERTOS_TASK_DELETE(pxTCB);				\
		TL_FREERTOS_PREV_TASK_DELETE(pxTCB);			\
	} while (0)

#define traceTASK_SWITCHED_IN()		TL_FREERTOS_SWITCHED_IN_CHAIN()
#define traceTASK_DELETE(pxTCB)		TL_FREERTOS_TASK_DELETE_CHAIN(pxTCB)

#endif /* TL_FREERTOS_MANUAL_HOOKS */

#endif /* TL_FREERTOS_CONFIG_H */
