// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * tools/bench.c - the benchmark's harness: it times the loops of
 * tools/bench-rows.c, counts their heap calls, and judges every row by its
 * DESIGN.md target.  ns per operation: the median of timed runs minus the
 * median of the empty loop of the same shape, the loops taking turns so
 * that a slow phase of the machine hits them alike.  Instructions:
 * callgrind (tools/bench.sh) counts each loop over N and over 2N
 * iterations, (I(2N) - I(N)) / N, so that set-up and warm-up cancel, minus
 * the same for its empty loop.  Two-thread efficiency: the wall time of a
 * thread running n iterations over that of two threads running n each.
 *
 *   bench measure BUILD INSTR [ROWS]  a CSV line of figures per row, the
 *                                     instructions read from INSTR
 *   bench cg [ROWS]                   the loops under tools/bench.sh
 *   bench judge OUT IN...             the table of the CSV files IN, and
 *                                     OUT; exits 1 when a target is missed
 *   bench summary | smoke | scaling
 *
 * ROWS: row ids, comma-separated (all rows by default).
 */
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#else	/* without valgrind: no instruction counts, everything else */
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_DUMP_STATS_AT(name)	((void)(name))
#endif

#include "bench.h"

/*
 * Defined in the executable, these come before glibc's for every caller,
 * libtasklocal.so included.  Counted per thread, so that two threads'
 * mallocs share no cache line because of it.
 */
static __thread unsigned long heap_calls;
#define COUNTED(type, name, params, args)				\
	extern type __libc_##name params;				\
	type name params						\
	{								\
		heap_calls++;						\
		return __libc_##name args;				\
	}
COUNTED(void *, malloc, (size_t size), (size))
COUNTED(void *, calloc, (size_t nmemb, size_t size), (nmemb, size))
COUNTED(void *, realloc, (void *ptr, size_t size), (ptr, size))
extern void __libc_free(void *ptr);
void free(void *ptr)
{
	heap_calls++;
	__libc_free(ptr);
}

static const char *opt_rows;	/* ",a,b,": only these rows */
static unsigned opt_flags;	/* only rows with one of these flags */

static bool selected(const struct row *r)
{
	char id[40];

	snprintf(id, sizeof(id), ",%s,", r->id);
	return (!opt_flags || (r->flags & opt_flags)) &&
	       (!opt_rows || strstr(opt_rows, id));
}

/* @fn once for each loop of the selected rows, empty loops included. */
static void each_loop(void (*fn)(struct loop *l, void *arg), void *arg)
{
	static unsigned pass;

	pass++;
	for (size_t i = 0; i < bench_nrows; i++) {
		const struct row *r = &bench_rows[i];
		struct loop *ls[4] = { r->tl, r->tl ? r->tl->base : NULL, r->anchor,
				       r->anchor ? r->anchor->base : NULL };

		for (unsigned k = 0; k < 4 && selected(r); k++)
			if (ls[k] && ls[k]->mark != pass) {
				ls[k]->mark = pass;
				fn(ls[k], arg);
			}
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* @n iterations of @l in its task: ns per iteration. */
static double run_once(struct loop *l, uint64_t n)
{
	unsigned long h = heap_calls;
	double t;

	tl_switch(l->task);
	t = now();
	l->fn(n);
	t = now() - t;
	l->heap += (double)(heap_calls - h);
	l->iters += (double)n;
	return t / (double)n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *v, unsigned k)
{
	double s[BENCH_ROUNDS];

	memcpy(s, v, k * sizeof(*s));
	qsort(s, k, sizeof(*s), cmp_double);
	return !k ? NAN : k & 1 ? s[k / 2] : (s[k / 2 - 1] + s[k / 2]) / 2;
}

/* One more timed run of @l, of about *@ms (the first one calibrates). */
static void sample(struct loop *l, void *ms)
{
	if (!l->n) {
		run_once(l, 64);
		l->n = (uint64_t)(*(double *)ms * 1e6 / fmax(run_once(l, 4096), 0.01));
		l->n = l->n < 1024 ? 1024 : l->n;
	}
	if (l->k < BENCH_ROUNDS)
		l->ns[l->k++] = run_once(l, l->n);
}

static double net_ns(const struct loop *l)
{
	return median(l->ns, l->k) - (l->base ? median(l->base->ns, l->base->k) : 0);
}

struct worker {
	pthread_barrier_t go;
	struct loop *l;
	uint64_t n;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;

	pthread_barrier_wait(&w->go);
	w->l->fn(w->n);
	return NULL;
}

/* Wall ns of @threads threads running @n iterations of @l each, at once. */
static double threads_ns(struct loop *l, unsigned threads, uint64_t n)
{
	struct worker w = { .l = l, .n = n };
	pthread_t th[2];
	double t;

	pthread_barrier_init(&w.go, NULL, threads + 1);
	for (unsigned k = 0; k < threads; k++)
		if (pthread_create(&th[k], NULL, worker_run, &w))
			exit(1);
	pthread_barrier_wait(&w.go);
	t = now();
	for (unsigned k = 0; k < threads; k++)
		pthread_join(th[k], NULL);
	pthread_barrier_destroy(&w.go);
	return now() - t;
}

/*
 * Two threads' throughput over twice one's (1: neither slows the other)
 * for every loop of the two-thread rows: the median of runs each paired
 * with a one-thread run just before, the loops taking turns.
 */
static void time_threads(unsigned runs, double ms)
{
	double eff[4][BENCH_ROUNDS];
	struct loop *l[4];
	unsigned nl = 0, k, r;
	uint64_t n[4];

	for (size_t i = 0; i < bench_nrows && nl < 3; i++)
		if ((bench_rows[i].flags & ROW_MT) && selected(&bench_rows[i])) {
			if (bench_rows[i].tl)
				l[nl++] = bench_rows[i].tl;
			l[nl++] = bench_rows[i].anchor;
		}
	for (k = 0; k < nl; k++) {
		sample(l[k], &ms);
		n[k] = (uint64_t)(ms * 1e6 / fmax(median(l[k]->ns, l[k]->k), 0.01));
	}
	for (r = 0; r < runs; r++)
		for (k = 0; k < nl; k++)
			eff[k][r] = threads_ns(l[k], 1, n[k]) / threads_ns(l[k], 2, n[k]);
	for (k = 0; k < nl; k++)
		l[k]->eff = median(eff[k], runs);
}

/* @rounds of every selected loop in turn, then the two-thread rows. */
static void time_rows(unsigned rounds, double ms, unsigned mt_runs, double mt_ms)
{
	while (rounds--)
		each_loop(sample, &ms);
	time_threads(mt_runs, mt_ms);
}

/* Under callgrind: @l over N and 2N iterations, each dump named "id N". */
static void cg_loop(struct loop *l, void *arg)
{
	const uint64_t n = 2048;	/* a multiple of every cycle */
	char name[2][64];

	(void)arg;
	for (unsigned k = 0; k < 2; k++)
		snprintf(name[k], sizeof(name[k]), "%s %llu", l->id,
			 (unsigned long long)n << k);
	run_once(l, n);
	for (unsigned k = 0; k < 2; k++) {
		tl_switch(l->task);
		CALLGRIND_ZERO_STATS;
		l->fn(n << k);
		CALLGRIND_DUMP_STATS_AT(name[k]);
	}
}

/* "loop instructions" lines of tools/bench.sh, into l->ir of each loop. */
static void set_ir(struct loop *l, void *file)
{
	char id[32];
	double ir;

	rewind(file);
	while (fscanf(file, "%31s %lf", id, &ir) == 2)
		if (!strcmp(id, l->id))
			l->ir = ir;
}

/* ---------------------------------------------------------- the table */

/* A row's figures in a CSV line, after its build and row names. */
enum { TL_IR, TL_NS, TL_LOOP, AN_IR, AN_NS, AN_LOOP, HEAP, TL_EFF, AN_EFF,
       BYTES, NFIGS };
#define FIG_NAMES "tl_instr,tl_ns,tl_loop_ns,anchor_instr,anchor_ns," \
	"anchor_loop_ns,heap_per_op,tl_eff,anchor_eff,bytes"

static void loop_figs(const struct loop *l, double *v)
{
	v[0] = l ? l->ir - (l->base ? l->base->ir : 0) : NAN;
	v[1] = l ? net_ns(l) : NAN;
	v[2] = l ? median(l->ns, l->k) : NAN;
}

static void print_figs(const char *build)
{
	for (size_t i = 0; i < bench_nrows; i++) {
		const struct row *r = &bench_rows[i];
		double v[NFIGS];

		if (!selected(r))
			continue;
		loop_figs(r->tl, v + TL_IR);
		loop_figs(r->anchor, v + AN_IR);
		v[HEAP] = r->tl ? r->tl->heap / r->tl->iters : NAN;
		v[TL_EFF] = r->tl ? r->tl->eff : NAN;
		v[AN_EFF] = r->anchor ? r->anchor->eff : NAN;
		v[BYTES] = r->bytes ? r->bytes() : NAN;
		printf("%s,%s", build, r->id);
		for (unsigned k = 0; k < NFIGS; k++)
			printf(",%.6g", v[k]);
		putchar('\n');
	}
}

struct fig {
	char build[16], row[32];
	double v[NFIGS];
};
static struct fig figs[256];
static unsigned nfigs;

static int read_figs(const char *file)
{
	FILE *f = fopen(file, "r");
	char line[512], *p;
	unsigned k;
	int used;

	while (f && nfigs < 256 && fgets(line, sizeof(line), f)) {
		struct fig *g = &figs[nfigs];

		if (sscanf(line, "%15[^,],%31[^,]%n", g->build, g->row, &used) != 2)
			continue;
		for (p = line + used, k = 0; k < NFIGS && *p == ','; k++)
			g->v[k] = strtod(p + 1, &p);
		nfigs += k == NFIGS;
	}
	if (f)
		fclose(f);
	return f ? 0 : -1;
}

static const struct fig *fig_of(const char *build, const struct row *r)
{
	for (unsigned k = 0; k < nfigs; k++)
		if (!strcmp(figs[k].build, build) && !strcmp(figs[k].row, r->id))
			return &figs[k];
	return NULL;
}

static double ratio(double x, double y)
{
	return y > 0 ? x / y : NAN;
}

static char missed[4096];	/* what the judged lines missed, for the end */

/* @r's targets in short in @target; appends to missed[] what @g misses. */
static int judge_fig(const struct row *r, const struct fig *g, char *target)
{
	const double *v = g->v;
	int ns = r->flags & ROW_GROSS ? TL_LOOP : TL_NS, miss = 0;
	const struct {
		bool on, at_least;
		double x, limit;
		const char *brief, *what;
	} t[] = {
		{ r->max_ir > 0, false, ratio(v[TL_IR], v[AN_IR]), r->max_ir,
		  "i<=%gx ", "instructions / anchor's" },
		{ r->max_ns > 0, false, ratio(v[ns], v[ns + 3]), r->max_ns,
		  "ns<=%gx ", "ns / anchor's" },
		{ r->max_abs > 0, false, v[r->bytes ? BYTES : TL_IR], r->max_abs,
		  r->bytes ? "<=%gB " : "<=%gi ", r->bytes ? "bytes" : "instructions" },
		{ r->min_eff > 0, true, ratio(v[TL_EFF], v[AN_EFF]), r->min_eff,
		  "eff>=%gx ", "two-thread efficiency / control's" },
		{ r->flags & ROW_HOT, false, v[HEAP], 0, "0 heap", "heap calls per op" },
	};
	size_t used = 0, len = strlen(missed);

	for (unsigned k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
		if (!t[k].on)
			continue;
		used += (size_t)snprintf(target + used, 64 - used, t[k].brief, t[k].limit);
		if (t[k].at_least ? t[k].x >= t[k].limit : t[k].x <= t[k].limit)
			continue;
		len += (size_t)snprintf(missed + len, sizeof(missed) - len,
					"MISS %s (%s): %s %.3g, target %s %g\n", r->id,
					g->build, t[k].what, t[k].x,
					t[k].at_least ? ">=" : "<=", t[k].limit);
		miss++;
	}
	return miss;
}

static void put(double x)
{
	if (isnan(x))
		printf(" %6s", "-");
	else
		printf(" %6.*f", fabs(x) < 10 ? 2 : fabs(x) < 1000 ? 1 : 0, x);
}

/* A line of @csv, and of the table if @show; @sh: the shared library's. */
static int print_fig(const struct row *r, const struct fig *g,
		     const struct fig *sh, bool judged, bool show, FILE *csv)
{
	bool mt = r->flags & ROW_MT;
	int ns = mt ? TL_EFF : r->flags & ROW_GROSS ? TL_LOOP : TL_NS;
	int ans = mt ? AN_EFF : ns + 3;
	const double *v = g->v;
	double xi = mt ? NAN : v[r->bytes ? BYTES : TL_IR], ri = ratio(xi, v[AN_IR]);
	double rn = ratio(v[ns], v[ans]);
	char target[64] = "", label[80];
	int miss = judged ? judge_fig(r, g, target) : 0;
	const char *verdict = !judged || !*target ? "" : miss ? "MISS" : "PASS";

	snprintf(label, sizeof(label), "%s%s%s%s", r->what, judged && r->in ? " [" : "",
		 judged && r->in ? r->in : "", judged && r->in ? "]" : "");
	if (show) {
		printf("%-38.38s", label);
		put(xi);
		put(v[ns]);
		printf("  %-29.29s", r->anchor ? r->anchor->what : "");
		put(v[AN_IR]);
		put(v[ans]);
		put(ri);
		put(rn);
		put(sh ? ratio(sh->v[ns], sh->v[ans]) : NAN);
		put(v[HEAP]);
		printf("  %-21s %s\n", target, verdict);
	}
	fprintf(csv, "%s,%s,\"%s\"", g->build, r->id, r->what);
	for (unsigned k = 0; k < NFIGS; k++)
		fprintf(csv, ",%.6g", v[k]);
	fprintf(csv, ",%.4g,%.4g,%s,%s\n", ri, rn, target, verdict);
	return miss;
}

static int judge(int argc, char **argv)
{
	FILE *csv = argc > 1 ? fopen(argv[0], "w") : NULL;
	int miss = 0;

	for (int k = 1; k < argc; k++)
		if (read_figs(argv[k]))
			perror(argv[k]);
	if (!csv)
		return 2;
	fprintf(csv, "build,row,what," FIG_NAMES ",instr_ratio,ns_ratio,target,verdict\n");
	printf("%-38s %13s  %-29s %13s %20s\n%-38s %6s %6s  %-29s %6s %6s %6s %6s "
	       "%6s %6s  %s\n", "", "tasklocal", "anchor", "", "tasklocal / anchor",
	       "row", "instr", "ns", "", "instr", "ns", "instr", "ns", ".so ns", "heap",
	       "target");
	for (size_t i = 0; i < bench_nrows; i++) {
		const struct row *r = &bench_rows[i];
		const struct fig *st = fig_of("static", r), *sh = fig_of("shared", r);
		const struct fig *own = fig_of(r->in ? r->in : "static", r);

		if (st && r->in && !r->bytes)
			print_fig(r, st, sh, false, true, csv);
		if (sh && !r->in)
			print_fig(r, sh, NULL, false, false, csv);
		if (own)
			miss += print_fig(r, own, r->in ? NULL : sh, true, true, csv);
		else if (++miss)
			snprintf(missed + strlen(missed), sizeof(missed) - strlen(missed),
				 "MISS %s: not measured in the %s build\n", r->id,
				 r->in ? r->in : "static");
	}
	fclose(csv);
#ifndef BENCH_HAVE_SCOPES
	strcat(missed, "MISS scope: tl_scope_enter is not in include/tasklocal.h\n");
	miss++;
#endif
	printf("\n%s%d target(s) missed\n", missed, miss);
	return miss != 0;
}

/* ---------------------------------------------------------- the modes */

static int summary(void)
{
	opt_flags = ROW_SUMMARY;
	time_rows(21, 2.0, 11, 10.0);
	printf("tasklocal against what C programs use today, measured now on this "
	       "machine\n(median of 21 runs, loop overhead taken off; `make bench` "
	       "has every figure):\n\n%-46s %9s %9s %6s  %s\n", "", "tasklocal",
	       "usual", "ratio", "the usual way");
	for (size_t i = 0; i < bench_nrows; i++) {
		const struct row *r = &bench_rows[i];
		bool mt = r->flags & ROW_MT;
		double x, y;

		if (!selected(r))
			continue;
		x = mt ? r->tl->eff : net_ns(r->tl);
		y = mt ? r->anchor->eff : net_ns(r->anchor);
		printf("  %-44s", r->plain);
		put(x);
		printf(mt ? "   " : " ns");
		put(y);
		printf(mt ? "   " : " ns");
		put(ratio(x, y));
		printf("  %s\n", r->anchor->what);
	}
	printf("\nA ratio below 1: tasklocal is faster.  Two threads: 1.00 when two "
	       "threads do\ntwice the work of one; this machine's own limit is the "
	       "usual way's figure.\n");
	return 0;
}

/* Every loop briefly; fails if a hot row called the heap. */
static int smoke(void)
{
	unsigned long h = heap_calls;
	int fails = 0;

	free(malloc(16));
	if (heap_calls - h != 2 && ++fails)
		fprintf(stderr, "bench-smoke: the heap counter missed calls\n");
	time_rows(1, 0.01, 1, 0.1);
	for (size_t i = 0; i < bench_nrows; i++) {
		const struct row *r = &bench_rows[i];

		if ((r->flags & ROW_HOT) && r->tl->heap && ++fails)
			fprintf(stderr, "bench-smoke: %s: %.0f heap calls in %.0f "
				"iterations\n", r->id, r->tl->heap, r->tl->iters);
	}
	printf("bench-smoke: %zu rows run, %s\n", bench_nrows,
	       fails ? "FAILED" : "no heap call on a hot path");
	return fails != 0;
}

/* Switch-then-get against tasks alive (3 values) and values per task. */
static int scaling(void)
{
	static const unsigned tasks[] = { 1, 2, 3, 4, 6, 10, 30, 100, 300, 1000,
					  3000, 10000, 30000, 100000 };
	const unsigned nt = sizeof(tasks) / sizeof(tasks[0]);
	double ms = 0;
	struct loop *l[3];

	printf("sweep,x,tasklocal,array in each task,pthread_getspecific\n");
	for (unsigned k = 0; k < nt + 11; k++) {
		unsigned x = k < nt ? tasks[k] : 1u << (k - nt);

		if (bench_scaling_point(k < nt ? x : 16, k < nt ? 3 : x, l))
			return 1;
		printf("%s,%u", k < nt ? "tasks" : "values", x);
		for (unsigned j = 0; j < 3; j++) {
			/* Every run visits every task, four times. */
			l[j]->n = l[j]->base->n = x < 16384 ? 65536 : 4 * x;
			l[j]->k = l[j]->base->k = 0;
			for (unsigned r = 0; r < 9; r++) {
				sample(l[j], &ms);
				sample(l[j]->base, &ms);
			}
			printf(",%.3f", net_ns(l[j]));
		}
		putchar('\n');
	}
	bench_scaling_free();
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "", *rows = NULL;
	char list[512];
	FILE *f = NULL;
	int err;

	if (!strcmp(mode, "judge"))
		return judge(argc - 2, argv + 2);
	if (!strcmp(mode, "measure") && argc >= 4 && !(f = fopen(argv[3], "r")))
		perror(argv[3]);
	rows = !strcmp(mode, "cg") ? argv[2] : f ? argv[4] : NULL;
	if (rows && snprintf(list, sizeof(list), ",%s,", rows) > 0)
		opt_rows = list;
	if ((err = bench_init())) {
		fprintf(stderr, "bench: set-up failed: %s\n", tl_strerror(err));
		return 1;
	}
	if (!strcmp(mode, "cg")) {
		each_loop(cg_loop, NULL);
		return 0;
	}
	if (!strcmp(mode, "summary"))
		return summary();
	if (!strcmp(mode, "smoke"))
		return smoke();
	if (!strcmp(mode, "scaling"))
		return scaling();
	if (!f) {
		fprintf(stderr, "usage: bench measure BUILD INSTR [ROWS] | cg [ROWS] | "
			"judge OUT IN... | summary | smoke | scaling\n");
		return 2;
	}
	each_loop(set_ir, f);
	fclose(f);
	time_rows(BENCH_ROUNDS, 2.0, 15, 10.0);
	print_figs(argv[2]);
	return 0;
}
