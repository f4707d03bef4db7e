// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * tools/bench-heap.c - malloc, free, calloc and realloc of the whole process,
 * counted: defined in the executable, they come before glibc's for every
 * caller, the shared libtasklocal.so included, and hand over to glibc's own
 * entry points.  The benchmark reads bench_heap_calls around each loop.
 */
#include <stdlib.h>

#include "bench.h"

extern void *__libc_malloc(size_t size);
extern void __libc_free(void *ptr);
extern void *__libc_calloc(size_t nmemb, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);

unsigned long bench_heap_calls;

void *malloc(size_t size)
{
	bench_heap_calls++;
	return __libc_malloc(size);
}

void free(void *ptr)
{
	bench_heap_calls++;
	__libc_free(ptr);
}

void *calloc(size_t nmemb, size_t size)
{
	bench_heap_calls++;
	return __libc_calloc(nmemb, size);
}

void *realloc(void *ptr, size_t size)
{
	bench_heap_calls++;
	return __libc_realloc(ptr, size);
}
