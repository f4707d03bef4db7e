/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tools/ports/zephyr/stubs/version_api.h - the stand-in of Zephyr's
 * generated version.h, for the release check-zephyr pretends to be:
 * STUB_KERNEL_VERSION, 0xMMmmpp as KERNEL_VERSION_NUMBER is.
 */
#ifndef TL_STUB_VERSION_API_H
#define TL_STUB_VERSION_API_H

#ifndef STUB_KERNEL_VERSION
#error "check-zephyr passes -DSTUB_KERNEL_VERSION=0xMMmmpp"
#endif

#define KERNEL_VERSION_NUMBER	STUB_KERNEL_VERSION
#define KERNEL_VERSION_MAJOR	((STUB_KERNEL_VERSION >> 16) & 0xff)
#define KERNEL_VERSION_MINOR	((STUB_KERNEL_VERSION >> 8) & 0xff)
#define KERNEL_PATCHLEVEL	(STUB_KERNEL_VERSION & 0xff)

#endif /* TL_STUB_VERSION_API_H */
