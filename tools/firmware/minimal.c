// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * tools/firmware/minimal.c - the smallest useful firmware image, linked
 * (never run) so that size-report.sh can say how much of the library an
 * image really pays for: the registry on an arena, a pool of slots, the
 * lock hook, a pointer and a typed local, a task switched to and exited.
 * Nothing else is called, and --gc-sections drops what nothing reaches.
 */
#include "tasklocal.h"

static char registry_mem[512];
static struct tl_arena registry_arena;
static _Alignas(8) char slot_mem[4 * TL_SLOT_SIZE(sizeof(int))];
static struct tl_pool slots;

static struct tl_local name = TL_LOCAL(.name = "name");
static struct tl_local count = TL_LOCAL(.size = sizeof(int));

/* An RTOS would enter and leave a critical section here. */
static void critical_section(void *ctx)
{
	(void)ctx;
}

static const struct tl_lock critical = {
	critical_section, critical_section, NULL
};

/* The entry point (-e main): returns what a reset handler would check. */
int main(void)
{
	struct tl_node task;
	int *n;

	if (tl_lock_set(&critical) ||
	    tl_arena_init(&registry_arena, registry_mem, sizeof(registry_mem)) ||
	    tl_allocator_set(&registry_arena.allocator) ||
	    tl_pool_init(&slots, slot_mem, sizeof(slot_mem),
			 TL_SLOT_SIZE(sizeof(int))) ||
	    tl_pool_attach(&slots) || tl_local_register(&name))
		return 1;
	tl_task_init(&task);
	tl_switch(&task);
	n = tl_this(&count);
	if (!n || tl_set(&name, "task"))
		return 1;
	++*n;
	tl_switch(NULL);
	tl_task_exit(&task);
	return tl_get(&name) != NULL;
}
