/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tools/bench.h - what the benchmark's files share: the row table (one
 * timed loop per operation, each with the empty loop of the same shape that
 * is subtracted from it), the state the rows run in, and the heap-call
 * counter.
 *
 *   tools/bench.c          modes, timing, callgrind runs, table, CSV, targets
 *   tools/bench-rows.c     the rows and their state
 *   tools/bench-heap.c     malloc/free/calloc/realloc, counted
 *   tools/bench-scaling.c  cost against values set and locals registered
 */
#ifndef TASKLOCAL_TOOLS_BENCH_H
#define TASKLOCAL_TOOLS_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "tasklocal.h"

/*
 * Every loop iteration starts with BENCH_BARRIER(): the compiler must load
 * again whatever the operation reads, as at a fresh call site, instead of
 * hoisting it out of the loop.  BENCH_USE() keeps a result alive.  Neither
 * emits an instruction.
 */
#define BENCH_BARRIER()	__asm__ volatile("" ::: "memory")
#define BENCH_USE(x)	__asm__ volatile("" :: "r"(x))

/* struct bench_row.flags */
#define ROW_HOT		(1u << 0)	/* must not call the heap */
#define ROW_BASE	(1u << 1)	/* an empty loop, subtracted from others */
#define ROW_ANCHOR	(1u << 2)	/* glibc or the compiler, not tasklocal */
#define ROW_SUMMARY	(1u << 3)	/* in `make bench-summary` */
#define ROW_CACHE	(1u << 4)	/* also run in the cache-size variants */
#define ROW_FRESH	(1u << 5)	/* state used up: set up before each run */
#define ROW_POOL	(1u << 6)	/* slots from a tl_pool */
#define ROW_EXTRA	(1u << 7)	/* BENCH_EXTRA locals registered meanwhile */
#define ROW_CALL	(1u << 8)	/* the operation in a function of its own */

#define BENCH_EXTRA	100000u

/**
 * struct bench_row - one line of the table
 * @id: short name (CSV, --rows, callgrind output)
 * @label: what the table prints
 * @base: @id of the empty loop of the same shape, or NULL for an empty loop
 * @flags: ROW_*
 * @k: locals, keys or tasks cycled over (a power of two); 0: all
 * @v: values set in the task the row runs in (0: @k)
 * @cap: most iterations one run may have (state prepared by @setup); 0: any
 * @cg_n: iterations of the shorter callgrind run (the other has twice)
 * @run: the loop, @n iterations of the operation
 * @setup: prepares @n iterations; non-zero on failure
 * @teardown: undoes @setup
 */
struct bench_row {
	const char *id;
	const char *label;
	const char *base;
	unsigned flags;
	unsigned k, v;
	uint64_t cap, cg_n;
	void (*run)(const struct bench_row *r, uint64_t n);
	int (*setup)(const struct bench_row *r, uint64_t n);
	void (*teardown)(const struct bench_row *r, uint64_t n);
};

/* bench-rows.c */
extern const struct bench_row bench_rows[];
extern const size_t bench_nrows;
int bench_init(void);
int bench_check(void);
int bench_register_extra(unsigned count);
void bench_unregister_extra(void);
int bench_keys_extra(unsigned count);
void bench_keys_extra_delete(void);
int bench_key_ring(unsigned count);
const struct bench_row *bench_row_find(const char *id);
extern const struct bench_row bench_pgs_ring, bench_base_ring;

/* bench-heap.c: calls of malloc, free, calloc and realloc since start */
extern unsigned long bench_heap_calls;

/*
 * bench.c: @reps runs of @r, each minus a run of @base beside it: median,
 * min and max ns per operation, the median per iteration loop included,
 * heap calls per iteration.
 */
struct bench_ns {
	double med, min, max;
	double loop;
	double heap;
};
int bench_time(const struct bench_row *r, const struct bench_row *base,
	       unsigned reps, double target_ns, struct bench_ns *out);

/* bench-scaling.c: the scaling sweeps as CSV lines on @out */
int bench_scaling(FILE *out, const char *variant, unsigned reps);

#endif /* TASKLOCAL_TOOLS_BENCH_H */
