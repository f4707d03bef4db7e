/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tools/ports/freertos/test/test.h - what the port's test (test.c) needs
 * from the kernel it runs on: posix.c for the simulator on the host,
 * cm3.c for the Cortex-M3 under QEMU.
 */
#ifndef TL_FREERTOS_TEST_H
#define TL_FREERTOS_TEST_H

#include <stdbool.h>

#include "tasklocal.h"

/* The test: set-up, then vTaskStartScheduler(); never returns. */
void test_start(void);

/* End the run: exit status = @failures (0: passed).  Any context. */
void test_finish(int failures) __attribute__((noreturn));

/*
 * Take the registry lock from an interrupt handler, by pending one whose
 * handler calls tl_local_find(@name).  Return: 1 if it found @expect, 0 if
 * not, -1 where the kernel has no interrupt to pend (the simulator).
 */
int test_isr_lock(const char *name, const struct tl_local *expect);

#endif /* TL_FREERTOS_TEST_H */
