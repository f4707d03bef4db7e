// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * tools/ports/freertos/tl_port.c - the boot-time set-up the RTOS ports
 * share (the Zephyr module builds this file too): the registry's arena and
 * the slot pool over the application's buffers, the kernel's lock
 * installed before either, and the locals registered up front.  Public
 * API of tasklocal only.
 */
#include <errno.h>

#include "tl_port.h"

static struct tl_arena registry_arena;
static struct tl_pool value_pool;

int tl_port_init(const struct tl_lock *lock, const struct tl_port_memory *mem,
		 struct tl_local *const locals[], size_t count)
{
	size_t i;
	int err;

	if (!lock || !mem || (count && !locals))
		return -EINVAL;
	err = tl_lock_set(lock);
	if (!err)
		err = tl_arena_init(&registry_arena, mem->arena, mem->arena_size);
	if (!err)
		err = tl_allocator_set(&registry_arena.allocator);
	if (!err)
		err = tl_pool_init(&value_pool, mem->pool, mem->pool_size,
				   TL_SLOT_SIZE(mem->largest));
	if (!err)
		err = tl_pool_attach(&value_pool);
	for (i = 0; !err && i < count; i++)
		err = tl_local_register(locals[i]);
	return err;
}

size_t tl_port_values_free(void)
{
	return tl_pool_available(&value_pool);
}
