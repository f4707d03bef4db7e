// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * tools/bench-scaling.c - the cost of a lookup against the number of values
 * set in the task (1 ... 1024) and against the number of locals registered
 * (1 ... 100000), for tasklocal and for glibc's keys, as CSV for
 * tools/bench-plot.gp.  tasklocal's curves should be flat in both: a lookup
 * walks at most the current task's values, and behind the cache not even
 * those.
 *
 * Columns: variant, sweep (values | registered), series (no commas, so
 * that plain CSV readers need no quoting), x (what was asked),
 * n (what there was: glibc stops at PTHREAD_KEYS_MAX), ns per operation
 * (median, min, max of runs each minus a run of the empty loop beside it)
 * and ns per loop iteration (the median, loop included).
 */
#include "bench.h"

static const unsigned registered[] = {
	1, 3, 10, 30, 100, 300, 1000, 3000, 10000, 30000, 100000,
};

static const char *opt_variant;
static unsigned opt_reps;

/* A copy of the table's row @id with @k and @v changed. */
static struct bench_row row_like(const char *id, unsigned k, unsigned v)
{
	struct bench_row r = *bench_row_find(id);

	r.k = k;
	r.v = v;
	return r;
}

static int point(FILE *out, const char *sweep, const char *series,
		 unsigned x, unsigned n, const struct bench_row *r,
		 const struct bench_row *base)
{
	struct bench_ns t;

	if (bench_time(r, base, opt_reps, 1e6, &t))
		return -1;
	fprintf(out, "%s,%s,%s,%u,%u,%.4f,%.4f,%.4f,%.4f\n", opt_variant,
		sweep, series, x, n, t.med, t.min, t.max, t.loop);
	fflush(out);
	return 0;
}

/*
 * One series after the other, x growing, so that each curve is a run of
 * lines of its own in the CSV (gnuplot draws it as one line).
 */
static int values_sweep(FILE *out)
{
	struct bench_row pgs = bench_pgs_ring, ring_base = bench_base_ring;
	unsigned x;
	int keys;

	for (x = 1; x <= 1024; x *= 2) {
		struct bench_row one = row_like("get_mru", 1, x);

		if (point(out, "values", "tl_get of one local among the values",
			  x, x, &one, bench_row_find("base_const")))
			return -1;
	}
	for (x = 1; x <= 1024; x *= 2) {
		struct bench_row cyc = row_like("get_cyc64", x, x);
		struct bench_row cyc_base = row_like("base_locals", x, 0);

		if (point(out, "values", "tl_get cycling over the values",
			  x, x, &cyc, &cyc_base))
			return -1;
	}
	for (x = 1; x <= 1024; x *= 2) {
		keys = bench_key_ring(x);
		if (keys < 0)
			return -1;
		pgs.k = ring_base.k = x;
		if (point(out, "values", "pthread_getspecific cycling over the keys",
			  x, (unsigned)keys, &pgs, &ring_base))
			return -1;
	}
	bench_keys_extra_delete();
	return 0;
}

static int registered_sweep(FILE *out)
{
	struct bench_row cyc = row_like("get_cyc8", 8, 8);
	struct bench_row unset = row_like("get_unset", 1, 8);
	struct bench_row exit8 = row_like("exit4", 0, 8);
	struct bench_row locals_base = row_like("base_locals", 8, 0);
	struct bench_row pgs = row_like("pgs64", 8, 0);
	struct bench_row keys_base = row_like("base_keys", 8, 0);
	const struct {
		const char *series;
		const struct bench_row *row, *base;
	} curves[] = {
		{ "tl_get cycling over 8 values", &cyc, &locals_base },
		{ "tl_get of a local with no value (8 set)", &unset,
		  bench_row_find("base_const") },
		{ "tl_task_exit of a task with 8 values", &exit8,
		  bench_row_find("base_tasks") },
	};
	size_t c, k;
	int made;

	exit8.cap = 4096;
	for (c = 0; c < sizeof(curves) / sizeof(curves[0]); c++)
		for (k = 0; k < sizeof(registered) / sizeof(registered[0]); k++) {
			unsigned x = registered[k];
			int err = bench_register_extra(x);

			if (!err)
				err = point(out, "registered", curves[c].series, x, x,
					    curves[c].row, curves[c].base);
			bench_unregister_extra();
			if (err)
				return -1;
		}
	for (k = 0; k < sizeof(registered) / sizeof(registered[0]); k++) {
		unsigned x = registered[k];

		made = bench_keys_extra(x);
		if (made < 0 || point(out, "registered",
				      "pthread_getspecific cycling over 8 keys",
				      x, (unsigned)made, &pgs, &keys_base))
			return -1;
		if ((unsigned)made < x)
			break;		/* PTHREAD_KEYS_MAX */
	}
	bench_keys_extra_delete();
	return 0;
}

int bench_scaling(FILE *out, const char *variant, unsigned reps)
{
	opt_variant = variant;
	opt_reps = reps;
	fprintf(out, "variant,sweep,series,x,n,ns_op,ns_min,ns_max,ns_loop\n");
	if (values_sweep(out) || registered_sweep(out)) {
		fprintf(stderr, "bench: scaling sweep failed\n");
		return -1;
	}
	return 0;
}
