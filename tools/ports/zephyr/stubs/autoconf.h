/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tools/ports/zephyr/stubs/autoconf.h - the Kconfig output a Zephyr build
 * passes to every compile (-imacros autoconf.h), with what the port's
 * Kconfig asks for and its defaults.  STUB_NO_CUSTOM_DATA leaves out
 * CONFIG_THREAD_CUSTOM_DATA, which the port must refuse.
 */
#ifndef STUB_NO_CUSTOM_DATA
#define CONFIG_THREAD_CUSTOM_DATA	1
#endif
#define CONFIG_TRACING			1
#define CONFIG_TRACING_USER		1
#define CONFIG_TASKLOCAL		1
#define CONFIG_TASKLOCAL_VALUES		32
#define CONFIG_TASKLOCAL_LARGEST	16
#define CONFIG_TASKLOCAL_ARENA_SIZE	1024
#define CONFIG_TASKLOCAL_CACHE_SIZE	8
