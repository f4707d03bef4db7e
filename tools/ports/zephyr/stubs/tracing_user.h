/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tools/ports/zephyr/stubs/tracing_user.h - the stand-in of Zephyr's
 * subsys/tracing/user/tracing_user.h, reduced to the one hook the port
 * defines, with the signature of the release check-zephyr pretends to be:
 * given the incoming thread up to 3.2, nothing from 3.3 on.  STUB_HOOK_VOID
 * (0 or 1) makes a tree whose hook differs from its version's, as a
 * vendor tree with a backport would.
 */
#ifndef TL_STUB_TRACING_USER_H
#define TL_STUB_TRACING_USER_H

#include "kernel_api.h"

#ifndef STUB_HOOK_VOID
#define STUB_HOOK_VOID	(STUB_KERNEL_VERSION >= 0x030300)
#endif

#if STUB_HOOK_VOID
void sys_trace_thread_switched_in_user(void);
#else
void sys_trace_thread_switched_in_user(struct k_thread *thread);
#endif

#endif /* TL_STUB_TRACING_USER_H */
