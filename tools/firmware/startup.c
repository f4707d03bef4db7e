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
#include <string.h>


/* firmware.ld */
extern char __data_start[], __data_end[], __data_load[];
extern char __bss_start[], __bss_end[];
extern char __stack_top[];

/* newlib's rdimon: stdin/stdout/stderr over semihosting */
void initialise_monitor_handles(void);
int main(void);

void Reset_Handler(void);
void Fault_Handler(void);

/* System Control Block: CCR and SHCSR */
#define SCB_CCR		(*(volatile uint32_t *)0xe000ed14)
#define SCB_SHCSR	(*(volatile uint32_t *)0xe000ed24)
#define CCR_DIV_0_TRP	(1u << 4)
#define SHCSR_FAULTS	(7u << 16)	/* MemManage, BusFault, UsageFault */

/*
 * ARM semihosting: the operation in r0, its argument in r1, BKPT 0xAB;
 * QEMU's -semihosting answers it.
 */
#define SYS_WRITE0		0x04
#define SYS_EXIT_EXTENDED	0x20
#define ADP_APPLICATION_EXIT	0x20026
#define FAULT_STATUS		255	/* above any failure count we report */

static uintptr_t semihost(uintptr_t op, const void *arg)
{
	register uintptr_t r0 __asm__("r0") = op;
	register const void *r1 __asm__("r1") = arg;

	__asm__ volatile ("bkpt 0xab" : "+r" (r0) : "r" (r1) : "memory");
	return r0;
}

void Reset_Handler(void)
{
	memcpy(__data_start, __data_load, (size_t)(__data_end - __data_start));
	memset(__bss_start, 0, (size_t)(__bss_end - __bss_start));

	/* Each fault under its own vector, and a division by zero is one. */
	SCB_SHCSR |= SHCSR_FAULTS;
	SCB_CCR |= CCR_DIV_0_TRP;

	initialise_monitor_handles();
	exit(main());
}

/*
 * Any fault or unexpected exception: name it over semihosting, raw (stdio
 * may be what broke), and exit with a status no failure count reaches.
 */
void Fault_Handler(void)
{
	static const char hex[] = "0123456789abcdef";
	/* IPSR: 2 NMI, 3 HardFault, 4 MemManage, 5 BusFault, 6 UsageFault */
	char msg[] = "Bail out! exception 0x..\n";
	uint32_t ipsr;
	const uintptr_t status[2] = { ADP_APPLICATION_EXIT, FAULT_STATUS };

	__asm__ volatile ("mrs %0, ipsr" : "=r" (ipsr));
	msg[22] = hex[(ipsr >> 4) & 0xf];
	msg[23] = hex[ipsr & 0xf];
	semihost(SYS_WRITE0, msg);
	semihost(SYS_EXIT_EXTENDED, status);
	for (;;)
		;
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
