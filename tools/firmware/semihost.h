/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tools/firmware/semihost.h - what the bare Cortex-M3 test images share
 * (tools/firmware/startup.c and tools/ports/freertos/test/cm3.c): ARM
 * semihosting (the operation in r0, its argument in r1, BKPT 0xAB, which
 * QEMU's -semihosting answers), the reset steps before the test runs, and
 * a fault report that ends the run at once with a "Bail out!" line.
 * Both images' linker scripts name the sections the same way.
 */
#ifndef TOOLS_FIRMWARE_SEMIHOST_H
#define TOOLS_FIRMWARE_SEMIHOST_H

#include <stdint.h>
#include <string.h>

/* The linker script */
extern char __data_start[], __data_end[], __data_load[];
extern char __bss_start[], __bss_end[];
extern char __stack_top[];

/* newlib's rdimon: stdin/stdout/stderr over semihosting */
void initialise_monitor_handles(void);

#define SCB_SHCSR	(*(volatile uint32_t *)0xe000ed24)
#define SHCSR_FAULTS	(7u << 16)	/* MemManage, BusFault, UsageFault */

#define SYS_WRITE0		0x04
#define SYS_EXIT_EXTENDED	0x20
#define ADP_APPLICATION_EXIT	0x20026
#define FAULT_STATUS		255	/* above any failure count reported */

static inline uintptr_t semihost(uintptr_t op, const void *arg)
{
	register uintptr_t r0 __asm__("r0") = op;
	register const void *r1 __asm__("r1") = arg;

	__asm__ volatile ("bkpt 0xab" : "+r" (r0) : "r" (r1) : "memory");
	return r0;
}

/* .data copied, .bss cleared, each fault under its vector, stdio open. */
static inline void boot_image(void)
{
	memcpy(__data_start, __data_load, (size_t)(__data_end - __data_start));
	memset(__bss_start, 0, (size_t)(__bss_end - __bss_start));
	SCB_SHCSR |= SHCSR_FAULTS;
	initialise_monitor_handles();
}

/*
 * Any fault or unexpected exception: name it raw (stdio may be what
 * broke) and exit with a status no failure count reaches.
 */
static inline __attribute__((noreturn)) void fault_exit(void)
{
	static const char hex[] = "0123456789abcdef";
	/* IPSR: 2 NMI, 3 HardFault, 4 MemManage, 5 BusFault, 6 UsageFault */
	char msg[] = "Bail out! exception 0x..\n";
	const uintptr_t status[2] = { ADP_APPLICATION_EXIT, FAULT_STATUS };
	uint32_t ipsr;

	__asm__ volatile ("mrs %0, ipsr" : "=r" (ipsr));
	msg[22] = hex[(ipsr >> 4) & 0xf];
	msg[23] = hex[ipsr & 0xf];
	semihost(SYS_WRITE0, msg);
	semihost(SYS_EXIT_EXTENDED, status);
	for (;;)
		;
}

#endif /* TOOLS_FIRMWARE_SEMIHOST_H */
