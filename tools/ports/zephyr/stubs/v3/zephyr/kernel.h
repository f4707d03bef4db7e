/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tools/ports/zephyr/stubs/v3/zephyr/kernel.h - <zephyr/kernel.h> as Zephyr
 * 3.1 and later have it: the shared stand-ins.
 */
#include "../../kernel_api.h"
