/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tools/ports/zephyr/stubs/kernel_api.h - stand-ins for exactly the Zephyr
 * kernel API that tl_zephyr.c and tl_zephyr.h use, declared as Zephyr
 * declares them, so that check-zephyr compiles the port without a Zephyr
 * tree.  v2/kernel.h (Zephyr 2.x, <kernel.h>) and v3/zephyr/kernel.h
 * (3.1 and later, <zephyr/kernel.h>) both read this one file: the API
 * the port uses did not change between them, only where it lives.
 * Declarations only: nothing here is ever linked.
 */
#ifndef TL_STUB_KERNEL_API_H
#define TL_STUB_KERNEL_API_H

#include <stddef.h>
#include <stdint.h>

/* toolchain.h, util.h */
#define ARG_UNUSED(x)		(void)(x)
#define CODE_UNREACHABLE	__builtin_unreachable()

/* kernel_structs.h, thread.h: only the custom data matters here. */
struct k_thread {
#ifdef CONFIG_THREAD_CUSTOM_DATA
	void *custom_data;
#endif
	int stub_state;
};
typedef struct k_thread *k_tid_t;

struct z_thread_stack_element {
	char data;
};
typedef struct z_thread_stack_element k_thread_stack_t;

typedef void (*k_thread_entry_t)(void *p1, void *p2, void *p3);

typedef struct {
	int64_t ticks;
} k_timeout_t;

k_tid_t k_thread_create(struct k_thread *new_thread, k_thread_stack_t *stack,
			size_t stack_size, k_thread_entry_t entry,
			void *p1, void *p2, void *p3,
			int prio, uint32_t options, k_timeout_t delay);
void k_thread_abort(k_tid_t thread);
k_tid_t k_current_get(void);
void k_sched_lock(void);
void k_sched_unlock(void);
void k_thread_custom_data_set(void *value);
void *k_thread_custom_data_get(void);

/* spinlock.h */
struct k_spinlock {
	int stub_locked;
};

struct z_spinlock_key {
	int key;
};
typedef struct z_spinlock_key k_spinlock_key_t;

k_spinlock_key_t k_spin_lock(struct k_spinlock *l);
void k_spin_unlock(struct k_spinlock *l, k_spinlock_key_t key);

#endif /* TL_STUB_KERNEL_API_H */
