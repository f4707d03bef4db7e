// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * tools/firmware/startup.c - what runs before main() on a bare Cortex-M3:
 * the vector table (initial stack pointer, reset and fault vectors), the
 * reset handler that copies .data and clears .bss as firmware.ld lays them
 * out, opens newlib's semihosting streams, and hands main()'s result to
 * exit() - which rdimon turns into QEMU's exit status.  A fault ends the
 * run at once with a "Bail out!" line instead of hanging until the timeout.
 */
#include <stdint.h>
#include <stdlib.h>

#include "semihost.h"

int main(void);

void Reset_Handler(void);
void Fault_Handler(void);

#define SCB_CCR		(*(volatile uint32_t *)0xe000ed14)
#define CCR_DIV_0_TRP	(1u << 4)

void Reset_Handler(void)
{
	boot_image();
	SCB_CCR |= CCR_DIV_0_TRP;	/* a division by zero is a fault too */
	exit(main());
}

void Fault_Handler(void)
{
	fault_exit();
}

/*
 * The 16 system vectors of ARMv7-M.  The test uses no interrupt, so no
 * external (IRQ) vector follows: an application would list its IRQs here.
 */
__attribute__((section(".vectors"), used))
static void (*const vectors[16])(void) = {
	(void (*)(void))(uintptr_t)__stack_top,	/* initial main stack pointer */
	Reset_Handler,
	Fault_Handler,			/* NMI */
	Fault_Handler,			/* HardFault */
	Fault_Handler,			/* MemManage */
	Fault_Handler,			/* BusFault */
	Fault_Handler,			/* UsageFault */
	0, 0, 0, 0,			/* reserved */
	Fault_Handler,			/* SVCall */
	Fault_Handler,			/* DebugMonitor */
	0,				/* reserved */
	Fault_Handler,			/* PendSV */
	Fault_Handler,			/* SysTick */
};
