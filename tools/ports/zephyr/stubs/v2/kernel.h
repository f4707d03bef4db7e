/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tools/ports/zephyr/stubs/v2/kernel.h - <kernel.h> as a Zephyr 2.x tree
 * (2.7 LTS) has it, without the zephyr/ prefix: the shared stand-ins.
 */
#include "../kernel_api.h"
