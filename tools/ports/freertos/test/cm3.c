// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * tools/ports/freertos/test/cm3.c - the port's test on a bare Cortex-M3
 * (QEMU's mps2-an385): the vector table, with FreeRTOS's SVC, PendSV and
 * SysTick handlers where the ARM_CM3 port wants them and one external
 * interrupt for the lock test; the reset handler (.data, .bss, newlib's
 * semihosting streams, then the test); a fault handler that ends the run
 * at once; and the exit, whose status QEMU's semihosting hands back.
 * Run under -icount, the SysTick fires after an exact instruction count,
 * so preemption lands on any instruction, not only at block boundaries.
 */
#include <stdint.h>
#include <stdlib.h>

#include "FreeRTOS.h"
#include "../../../firmware/semihost.h"	/* cm3.ld names sections alike */
#include "task.h"
#include "test.h"

/* portable/GCC/ARM_CM3/port.c */
void vPortSVCHandler(void);
void xPortPendSVHandler(void);
void xPortSysTickHandler(void);

void Reset_Handler(void);
void Fault_Handler(void);
void Irq0_Handler(void);

#define NVIC_ISER0	(*(volatile uint32_t *)0xe000e100)
#define NVIC_ICER0	(*(volatile uint32_t *)0xe000e180)
#define NVIC_ISPR0	(*(volatile uint32_t *)0xe000e200)
#define NVIC_IPR0	(*(volatile uint8_t *)0xe000e400)

void Reset_Handler(void)
{
	boot_image();
	test_start();
	for (;;)
		;
}

void Fault_Handler(void)
{
	fault_exit();
}

void test_finish(int failures)
{
	/* No switch while newlib flushes and exits. */
	taskDISABLE_INTERRUPTS();
	exit(failures > 254 ? 254 : failures);
}

/* ------------------------------------------- the lock from an ISR */

static const char *isr_name;
static const struct tl_local *isr_found;
static volatile bool isr_ran, isr_in_isr;

/* tl_local_find() takes the registry lock: tl_freertos_lock's ISR side. */
void Irq0_Handler(void)
{
	isr_in_isr = xPortIsInsideInterrupt() == pdTRUE;
	isr_found = tl_local_find(isr_name);
	isr_ran = true;
}

int test_isr_lock(const char *name, const struct tl_local *expect)
{
	isr_name = name;
	isr_ran = false;
	/* Below configMAX_SYSCALL_INTERRUPT_PRIORITY: may use FromISR calls. */
	NVIC_IPR0 = 0xc0;
	NVIC_ISER0 = 1u;
	NVIC_ISPR0 = 1u;		/* taken at once: BASEPRI is 0 here */
	__asm__ volatile ("dsb\n\tisb" ::: "memory");
	NVIC_ICER0 = 1u;
	return isr_ran && isr_in_isr && isr_found == expect;
}

/*
 * ARMv7-M's 16 system vectors, then IRQ 0 (UART 0 on the AN385, unused:
 * the test pends it by hand).  With configCHECK_HANDLER_INSTALLATION the
 * port checks that SVCall and PendSV are its own handlers.
 */
__attribute__((section(".vectors"), used))
static void (*const vectors[17])(void) = {
	(void (*)(void))(uintptr_t)__stack_top,	/* initial main stack pointer */
	Reset_Handler,
	Fault_Handler,			/* NMI */
	Fault_Handler,			/* HardFault */
	Fault_Handler,			/* MemManage */
	Fault_Handler,			/* BusFault */
	Fault_Handler,			/* UsageFault */
	0, 0, 0, 0,			/* reserved */
	vPortSVCHandler,		/* SVCall: starts the first task */
	Fault_Handler,			/* DebugMonitor */
	0,				/* reserved */
	xPortPendSVHandler,		/* PendSV: the context switch */
	xPortSysTickHandler,		/* SysTick: the tick */
	Irq0_Handler,			/* IRQ 0 */
};
