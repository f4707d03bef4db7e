// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * tools/demo.c - the seed's README example in C, on tools/sched.c.
 *
 * Part 1: tasks a and b set the same local, yield to each other, and each
 * reads its own value back: prints "foo" and "bar".
 * Part 2: a typed local whose init runs once in each task that touches it,
 * the C form of a Local subclass with an __init__.
 */
#include <stdio.h>
#include <string.h>

#include "sched.h"

/* Part 1: mylocal.a_var */
static struct tl_local a_var = TL_LOCAL(.name = "a_var");

static int failures;

static void check_own(const char *want)
{
	const char *got = tl_get(&a_var);

	if (!got || strcmp(got, want)) {
		printf("task %s saw %s\n", task_self()->name, got ? got : "(null)");
		failures++;
		return;
	}
	printf("%s\n", got);
}

static void task_a(void *arg)
{
	(void)arg;
	tl_set(&a_var, "foo");
	task_yield();		/* b runs and sets its own a_var */
	check_own("foo");
}

static void task_b(void *arg)
{
	(void)arg;
	tl_set(&a_var, "bar");
	task_yield();
	check_own("bar");
}

/* Part 2: a typed local with per-task initialisation */
struct counter {
	int hits;
	char owner[16];
};

static void counter_init(void *data, void *arg)
{
	struct counter *c = data;

	c->hits = 0;
	snprintf(c->owner, sizeof(c->owner), "%s", task_self()->name);
	printf("  init %s for task %s\n", (const char *)arg, c->owner);
}

static struct tl_local counter = TL_LOCAL(.name = "counter",
					  .size = sizeof(struct counter),
					  .init = counter_init,
					  .arg = "counter");

static void counting(void *arg)
{
	int i, n = *(int *)arg;

	for (i = 0; i < n; i++) {
		struct counter *c = tl_this(&counter);

		c->hits++;
		task_yield();
	}
	printf("  task %s counted %d\n", task_self()->name,
	       ((struct counter *)tl_this(&counter))->hits);
}

int main(void)
{
	struct task a, b, x, y;
	int two = 2, three = 3;

	printf("part 1: one local, two tasks\n");
	task_spawn(&a, "a", task_a, NULL);
	task_spawn(&b, "b", task_b, NULL);
	task_run();

	printf("part 2: a typed local, initialised once per task\n");
	task_spawn(&x, "x", counting, &two);
	task_spawn(&y, "y", counting, &three);
	task_run();

	tl_root_exit();
	if (failures)
		printf("demo: %d failure(s)\n", failures);
	return failures != 0;
}
