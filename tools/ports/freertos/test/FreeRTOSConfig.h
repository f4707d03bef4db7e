/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tools/ports/freertos/test/FreeRTOSConfig.h - the kernel configuration of
 * the port's test, one file for both kernels it runs on: the POSIX
 * simulator (tasks as pthreads, the tick as a signal) and the Cortex-M3
 * port under QEMU (SysTick, PendSV).  Preemptive, with time slicing.
 *
 * It also plays the part of an application that already has a tracer: the
 * "tracer" below counts switches and deletes, and its hooks are saved
 * under tasklocal's TL_FREERTOS_PREV_* names before tl_freertos_config.h is
 * included last, as the port's README says.  The TEST_* switches make the
 * configurations the port must refuse at compile time (check-freertos
 * compiles each once and expects the error).
 */
#ifndef FREERTOS_CONFIG_H
#define FREERTOS_CONFIG_H

#if defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M'
#define TEST_CORTEX_M				1
#define configCPU_CLOCK_HZ			25000000UL	/* MPS2 AN385 */
#define configTICK_RATE_HZ			1000
#define configMINIMAL_STACK_SIZE		256
#define configTOTAL_HEAP_SIZE			(48 * 1024)
/* Three priority bits on the AN385's Cortex-M3: 5 in the top three bits. */
#define configKERNEL_INTERRUPT_PRIORITY		0xe0
#define configMAX_SYSCALL_INTERRUPT_PRIORITY	0xa0
#else
#define TEST_CORTEX_M				0
#define configTICK_RATE_HZ			1000
#define configMINIMAL_STACK_SIZE		1024
#endif

#define configUSE_PREEMPTION			1
#define configUSE_TIME_SLICING			1
#define configUSE_PORT_OPTIMISED_TASK_SELECTION	0
#define configMAX_PRIORITIES			5
#define configMAX_TASK_NAME_LEN			12
#define configTICK_TYPE_WIDTH_IN_BITS		TICK_TYPE_WIDTH_32_BITS
#define configUSE_IDLE_HOOK			0
#define configUSE_TICK_HOOK			0
#define configUSE_MUTEXES			1
#define configUSE_TIMERS			0
#define configUSE_CO_ROUTINES			0
#define configUSE_EVENT_GROUPS			0
#define configUSE_STREAM_BUFFERS		0
#define configUSE_TASK_NOTIFICATIONS		1
#define configSUPPORT_DYNAMIC_ALLOCATION	1
#define configSUPPORT_STATIC_ALLOCATION		0
#define configCHECK_FOR_STACK_OVERFLOW		0
#define configQUEUE_REGISTRY_SIZE		0

#define INCLUDE_vTaskDelete			1
#define INCLUDE_vTaskSuspend			1
#define INCLUDE_vTaskDelay			1
#define INCLUDE_xTaskGetSchedulerState		1
#define INCLUDE_xTaskGetCurrentTaskHandle	1

/*
 * Two pointers: index 0 stands for another add-on's (the test keeps a
 * marker there), tasklocal takes the last one by default.
 */
#define configNUM_THREAD_LOCAL_STORAGE_POINTERS	2

#ifdef TEST_SMP
#define configNUMBER_OF_CORES			2
#endif

#if !defined(__ASSEMBLER__)
void test_assert_failed(const char *file, int line);
void test_trace_switched_in(void);
void test_trace_deleted(void *tcb);
#endif
#define configASSERT(x)						\
	do {							\
		if (!(x))					\
			test_assert_failed(__FILE__, __LINE__);	\
	} while (0)

/* The application's tracer, defined first as a tracer's header would. */
#define traceTASK_SWITCHED_IN()		test_trace_switched_in()
#define traceTASK_DELETE(pxTCB)		test_trace_deleted(pxTCB)

/* ... and saved for tasklocal's hooks to chain to. */
#ifndef TEST_NO_PREV
#define TL_FREERTOS_PREV_SWITCHED_IN()		test_trace_switched_in()
#define TL_FREERTOS_PREV_TASK_DELETE(pxTCB)	test_trace_deleted(pxTCB)
#endif

#include "tl_freertos_config.h"

#ifdef TEST_TRACER_AFTER
/* A tracer read after the fragment: its hook replaces tasklocal's. */
#undef traceTASK_SWITCHED_IN
#define traceTASK_SWITCHED_IN()		test_trace_switched_in()
#endif

#endif /* FREERTOS_CONFIG_H */
