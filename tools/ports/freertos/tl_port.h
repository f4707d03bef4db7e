/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tools/ports/freertos/tl_port.h - what tasklocal's RTOS ports share:
 * sizing the slot pool from the application's numbers, and the boot-time
 * set-up that every heapless port does in the same order (lock, arena,
 * pool, locals).  It lives here, and ../zephyr uses it from here; the
 * kernel-specific parts (hooks, lock, thread helpers) are each port's.
 */
#ifndef TL_PORT_H
#define TL_PORT_H

#include <stddef.h>

#include "tasklocal.h"

/*
 * Bytes of pool for @values values alive at once, all tasks together, of
 * typed locals of at most @largest bytes (0: pointer locals only): one
 * block each of TL_SLOT_SIZE(@largest), which tl_pool_init() keeps as it
 * is (a typed slot's size is a multiple of the maximum alignment already;
 * a pointer slot, 20 bytes on Cortex-M, needs only a pointer's).  The
 * buffer must start aligned as max_align_t, or it loses a block.
 */
#define TL_PORT_ALIGN		_Alignof(max_align_t)	/* of the buffer */
#define TL_PORT_BLOCK(largest)	TL_SLOT_SIZE(largest)	/* one value's */
#define TL_PORT_POOL_BYTES(values, largest)				\
	((values) * TL_PORT_BLOCK(largest))

/**
 * struct tl_port_memory - the application's buffers for tasklocal
 * @pool: TL_PORT_POOL_BYTES(values, @largest) bytes aligned as
 *        max_align_t (the pool loses a block to a misaligned start)
 * @pool_size: its size
 * @largest: size of the largest typed local (0: pointer locals only)
 * @arena: the registry's memory (index table, names), aligned as
 *         max_align_t; tools/firmware/README.md gives its size per local
 * @arena_size: its size
 *
 * Both must outlive every task that uses locals: static arrays.
 */
struct tl_port_memory {
	void *pool;
	size_t pool_size;
	size_t largest;
	void *arena;
	size_t arena_size;
};

/**
 * tl_port_init - set tasklocal up on an RTOS: lock, arena, pool, locals
 * @lock: the kernel's lock (tl_freertos_lock, tl_zephyr_lock)
 * @mem: the buffers
 * @locals: the locals to register now, so that nothing allocates later
 * @count: how many
 *
 * In this order: the lock (every later call may take it), the arena as
 * the allocator (the registry's memory), the pool attached (the slots),
 * then @locals registered.  In a TL_HEAPLESS build a slot never comes
 * from the arena: once the pool is empty a first tl_set() is -ENOMEM.
 *
 * Context: once, before any other library call and before tasks use
 * locals (before the scheduler starts, or in the first thread).
 * Return: 0, or the first error: -EINVAL (NULL or too small buffers),
 * -EEXIST (two locals with one name), -ENOMEM (arena too small).
 */
int tl_port_init(const struct tl_lock *lock, const struct tl_port_memory *mem,
		 struct tl_local *const locals[], size_t count);

/**
 * tl_port_values_free - pool blocks left: values that may still be set
 *
 * Context: any task; takes the registry lock.
 * Return: the number of free blocks.
 */
size_t tl_port_values_free(void);

#endif /* TL_PORT_H */
