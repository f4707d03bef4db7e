// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * tools/ports/freertos/test/posix.c - the port's test on the FreeRTOS
 * POSIX simulator: each task a pthread, one running at a time, the tick a
 * SIGALRM delivered to the running task's thread, so preemption lands
 * wherever that thread happens to be.  main() starts the test; the end is
 * an _exit() with the failure count, from a critical section so that no
 * tick switches the exiting thread out halfway.
 */
#include <stdio.h>
#include <unistd.h>

#include "FreeRTOS.h"
#include "task.h"
#include "test.h"

void test_finish(int failures)
{
	taskENTER_CRITICAL();
	fflush(stdout);
	_exit(failures > 125 ? 125 : failures);
}

/* The simulator's interrupts are signals: nothing the test can pend. */
int test_isr_lock(const char *name, const struct tl_local *expect)
{
	(void)name;
	(void)expect;
	return -1;
}

int main(void)
{
	/* Line by line: a run stopped by the timeout still shows its log. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_start();
	return 1;
}
