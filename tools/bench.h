/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tools/bench.h - what the benchmark's two files share.  A loop is n
 * iterations of one operation, with the empty loop of the same shape that
 * is subtracted from it; a row sets a tasklocal loop against its anchor
 * (glibc, the compiler, or a hand-rolled table) with the DESIGN.md target
 * it is judged by.  tools/bench-rows.c holds the state, the loops and the
 * table; tools/bench.c the harness that times, counts and judges them.
 */
#ifndef TASKLOCAL_TOOLS_BENCH_H
#define TASKLOCAL_TOOLS_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include "tasklocal.h"

#define BENCH_ROUNDS	31	/* most timed runs of one loop */

struct loop {
	const char *id, *what;		/* CSV name; what the table calls it */
	void (*fn)(uint64_t n);
	struct loop *base;		/* empty loop of the same shape, or NULL */
	struct tl_node *task;		/* made current before each run */
	/* results of this process */
	unsigned mark;			/* last pass that visited it */
	uint64_t n;			/* iterations of one timed run */
	unsigned k;			/* timed runs so far */
	double ns[BENCH_ROUNDS];	/* ns per iteration of each run */
	double heap, iters;		/* heap calls, iterations, in all runs */
	double ir, eff;			/* instructions per iteration, two-thread
					   efficiency; NAN: not measured */
};

/* struct row.flags */
#define ROW_HOT		(1u << 0)	/* no heap call allowed */
#define ROW_GROSS	(1u << 1)	/* ns compared loop included */
#define ROW_MT		(1u << 2)	/* two-thread efficiency of both loops */
#define ROW_SUMMARY	(1u << 3)	/* in `make bench-summary` */

/*
 * Targets: 0 means none.  @max_ir and @max_ns are ratios to the anchor;
 * @max_abs is net instructions, or bytes for a @bytes row; @min_eff is the
 * tasklocal loop's two-thread efficiency over the anchor's: the same work
 * on pthread keys shares nothing between threads, so its figure is what
 * this machine's cores give (a VM's two vCPUs give less than 2x).
 */
struct row {
	const char *id, *what;
	const char *plain;		/* its words in the summary, or NULL */
	const char *in;			/* build it is judged in; NULL: static */
	struct loop *tl, *anchor;
	double (*bytes)(void);		/* a memory figure instead of loops */
	unsigned flags;
	double max_ir, max_ns, max_abs, min_eff;
};

extern const struct row bench_rows[];
extern const size_t bench_nrows;

/* bench-rows.c: every row's state; the scaling sweep's tasks and loops */
int bench_init(void);
int bench_scaling_point(unsigned tasks, unsigned values, struct loop **loops);
void bench_scaling_free(void);

#endif /* TASKLOCAL_TOOLS_BENCH_H */
