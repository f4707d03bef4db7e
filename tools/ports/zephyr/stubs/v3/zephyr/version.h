/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tools/ports/zephyr/stubs/v3/zephyr/version.h - <zephyr/version.h> of
 * Zephyr 3.1 and later: the shared stand-in.
 */
#include "../../version_api.h"
