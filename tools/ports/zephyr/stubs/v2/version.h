/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tools/ports/zephyr/stubs/v2/version.h - <version.h> of a Zephyr 2.x
 * tree: the shared stand-in.
 */
#include "../version_api.h"
