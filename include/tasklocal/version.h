/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tasklocal/version.h - the library's version, the one place it is written
 * (the Makefile reads it for the shared library's name and tasklocal.pc).
 */
#ifndef TASKLOCAL_VERSION_H
#define TASKLOCAL_VERSION_H

#define TL_VERSION_MAJOR 0
#define TL_VERSION_MINOR 2
#define TL_VERSION_PATCH 0

/* TL_VERSION_MAJOR << 16 | MINOR << 8 | PATCH, as tl_version() returns. */
#define TL_VERSION_HEX \
	((TL_VERSION_MAJOR << 16) | (TL_VERSION_MINOR << 8) | TL_VERSION_PATCH)

#endif /* TASKLOCAL_VERSION_H */
