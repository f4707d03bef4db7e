// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * tools/bench.c - how fast tasklocal's hot path is, against glibc's
 * pthread_getspecific/pthread_setspecific and the compiler's __thread, all
 * measured in one process so that every ratio is taken in the same run.
 *
 * Each row (tools/bench-rows.c) is a loop of n iterations of one operation.
 * ns/op is the median over repeated runs of the row's loop, each minus a
 * run of the empty loop of the same shape timed beside it, the rows taking
 * turns (one run of each per round).  instr/op comes from callgrind:
 * (I(2N) - I(N)) / N, minus the same for the empty loop
 * (tools/bench-callgrind.sh runs this binary with --callgrind).
 *
 *   tools/bench                  time every row, print the table
 *   tools/bench --summary        a few rows, ns ratios only, in seconds
 *   tools/bench --smoke          checks; fails if a hot row called the heap
 *   tools/bench --callgrind      the rows N and 2N times inside bench_cg_run()
 *   tools/bench --scaling        cost against values set, locals registered
 *
 *   --rows a,b,...   only these rows (and the ones they are compared with)
 *   --reps R         runs of each row (default 31)
 *   --ms T           milliseconds one run of a row should take (default 2)
 *   --instr FILE     instructions per row, as tools/bench-callgrind.sh prints
 *   --tls TEXT       the TLS model of this binary, for the table
 *   --raw FILE       write the results for another binary's table, no table
 *   --with FILE      add the results another binary wrote with --raw
 *   --csv FILE       write every figure of the table as CSV
 */
#include <dlfcn.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define MAXROWS		48
#define MAXVARIANTS	8

struct result {
	bool ns_ok, ir_ok;
	double ns_med;			/* ns per iteration, loop included */
	double op_med, op_min, op_max;	/* ns per operation, empty loop paired off */
	double heap;			/* heap calls per iteration */
	double ir;			/* instructions per iteration, loop included */
};

/* One binary's figures: this one, or one read back with --with. */
struct variant {
	char name[48];			/* static-c128, shared-c128, ... */
	char link[256];			/* where the library came from */
	char tls[256];			/* TLS model of the fast path's block */
	unsigned cache;			/* TL_CACHE_SIZE */
	unsigned long thread_bytes;	/* sizeof(struct tl__thread) */
	bool shared;
	unsigned reps;
	struct result res[MAXROWS];
};

static struct variant variants[MAXVARIANTS];
static unsigned nvariants;

static const char *opt_tls = "";
static unsigned opt_reps = 31;
static double opt_ms = 2.0;

/* ------------------------------------------------------------- rows */

static int row_index(const char *id)
{
	const struct bench_row *r = id ? bench_row_find(id) : NULL;

	return r ? (int)(r - bench_rows) : -1;
}

static void select_with_deps(bool *sel, int i)
{
	int b;

	if (i < 0)
		return;
	sel[i] = true;
	b = row_index(bench_rows[i].base);
	if (b >= 0)
		sel[b] = true;
}

/* Rows named in @list (all when NULL) with their empty loops and anchors. */
static int select_rows(bool *sel, const char *list, unsigned flags)
{
	static const char *const refs[] = {
		"pgs1", "pss1", "tls_read", "cs_pgs1", "cs_pss1",
	};
	size_t i;

	memset(sel, 0, MAXROWS * sizeof(*sel));
	if (list) {
		char *copy = strdup(list), *save = NULL, *id;

		if (!copy)
			return -1;
		for (id = strtok_r(copy, ",", &save); id;
		     id = strtok_r(NULL, ",", &save)) {
			if (row_index(id) < 0) {
				fprintf(stderr, "bench: no row %s\n", id);
				free(copy);
				return -1;
			}
			select_with_deps(sel, row_index(id));
		}
		free(copy);
	} else {
		for (i = 0; i < bench_nrows; i++)
			if (!flags || (bench_rows[i].flags & flags))
				select_with_deps(sel, (int)i);
	}
	for (i = 0; i < sizeof(refs) / sizeof(refs[0]); i++)
		select_with_deps(sel, row_index(refs[i]));
	return 0;
}

/* ----------------------------------------------------------- timing */

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* One run of @n iterations: ns per iteration, heap calls during the loop. */
static int time_once(const struct bench_row *r, uint64_t n, double *ns,
		     unsigned long *heap)
{
	unsigned long h0;
	double t0, t1;
	int err = 0;

	if (r->setup)
		err = r->setup(r, n);
	if (err) {
		fprintf(stderr, "bench: %s: set-up failed (%d)\n", r->id, err);
		if (r->teardown)
			r->teardown(r, n);
		return err;
	}
	h0 = bench_heap_calls;
	t0 = now_ns();
	r->run(r, n);
	t1 = now_ns();
	*heap = bench_heap_calls - h0;
	if (r->teardown)
		r->teardown(r, n);
	*ns = (t1 - t0) / (double)n;
	return 0;
}

/* Iterations for one run of about @target_ns. */
static uint64_t calibrate(const struct bench_row *r, double target_ns)
{
	uint64_t n0 = r->cap && r->cap < 2048 ? r->cap / 4 : 2048, n;
	double ns, best = INFINITY;
	unsigned long heap;
	int k;

	for (k = 0; k < 3; k++)
		if (!time_once(r, n0, &ns, &heap) && ns < best)
			best = ns;
	if (!isfinite(best))
		return 0;
	n = best > 0 ? (uint64_t)(target_ns / best) : (uint64_t)1 << 30;
	if (n < 64)
		n = 64;
	if (n > (uint64_t)1 << 30)
		n = (uint64_t)1 << 30;
	if (r->cap && n > r->cap)
		n = r->cap;
	return n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct stats {
	double med, min, max;
};

static struct stats stats_of(double *s, unsigned n)
{
	struct stats st;

	qsort(s, n, sizeof(*s), cmp_double);
	st.min = s[0];
	st.max = s[n - 1];
	st.med = n & 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	return st;
}

/*
 * One sample of @r: ns per iteration, loop included (@gross), and minus
 * its empty loop @base timed right before or after it (@net), so that a
 * slow phase of a noisy machine hits both sides of the difference.
 */
static int time_pair(const struct bench_row *r, uint64_t n,
		     const struct bench_row *base, uint64_t nb, bool base_first,
		     double *gross, double *net, unsigned long *heap)
{
	double tb = 0;
	unsigned long hb;

	if (base && base_first && time_once(base, nb, &tb, &hb))
		return -1;
	if (time_once(r, n, gross, heap))
		return -1;
	if (base && !base_first && time_once(base, nb, &tb, &hb))
		return -1;
	*net = *gross - tb;
	return 0;
}

/* @reps samples of @r paired with @base, in a row (the scaling sweep). */
int bench_time(const struct bench_row *r, const struct bench_row *base,
	       unsigned reps, double target_ns, struct bench_ns *out)
{
	uint64_t n = calibrate(r, target_ns), nb = base ? calibrate(base, target_ns) : 0;
	double gross[64], net[64], heap = 0;
	struct stats g, d;
	unsigned long h;
	unsigned k;

	if (!n || (base && !nb))
		return -1;
	if (reps > 64)
		reps = 64;
	for (k = 0; k < reps; k++) {
		if (time_pair(r, n, base, nb, k & 1, &gross[k], &net[k], &h))
			return -1;
		heap += (double)h;
	}
	g = stats_of(gross, reps);
	d = stats_of(net, reps);
	out->med = d.med;
	out->min = d.min;
	out->max = d.max;
	out->loop = g.med;
	out->heap = heap / ((double)n * reps);
	return 0;
}

/*
 * The selected rows, @reps rounds, each round running every row once,
 * each row paired with its empty loop: a slow phase of the machine touches
 * every row alike, anchors included.
 */
static int measure(const bool *sel, unsigned reps, double target_ns,
		   struct variant *v)
{
	static double gross[MAXROWS][128], net[MAXROWS][128];
	uint64_t n[MAXROWS] = { 0 };
	double heap[MAXROWS] = { 0 };
	unsigned long h;
	unsigned k;
	size_t i;

	if (reps > 128)
		reps = 128;
	for (i = 0; i < bench_nrows; i++)
		if (sel[i] && !(n[i] = calibrate(&bench_rows[i], target_ns)))
			return -1;
	for (k = 0; k < reps; k++)
		for (i = 0; i < bench_nrows; i++) {
			int b = row_index(bench_rows[i].base);

			if (!sel[i])
				continue;
			if (time_pair(&bench_rows[i], n[i],
				      b >= 0 ? &bench_rows[b] : NULL,
				      b >= 0 ? n[b] : 0, k & 1,
				      &gross[i][k], &net[i][k], &h))
				return -1;
			heap[i] += (double)h;
		}
	for (i = 0; i < bench_nrows; i++) {
		struct result *res = &v->res[i];
		struct stats g, d;

		if (!sel[i])
			continue;
		g = stats_of(gross[i], reps);
		d = stats_of(net[i], reps);
		res->ns_ok = true;
		res->ns_med = g.med;
		res->op_med = d.med;
		res->op_min = d.min;
		res->op_max = d.max;
		res->heap = heap[i] / ((double)n[i] * reps);
	}
	v->reps = reps;
	return 0;
}

/* -------------------------------------------------------- callgrind */

void bench_cg_run(const struct bench_row *r, uint64_t n);

/*
 * Callgrind collects inside this function only and dumps its counts when
 * it returns (--toggle-collect, --dump-after): one dump per call.
 */
__attribute__((noinline)) void bench_cg_run(const struct bench_row *r, uint64_t n)
{
	r->run(r, n);
	__asm__ volatile("" ::: "memory");
}

static int cg_call(const struct bench_row *r, uint64_t n, bool fresh)
{
	int err = fresh && r->setup ? r->setup(r, n) : 0;

	if (!err)
		bench_cg_run(r, n);
	if (fresh && r->teardown)
		r->teardown(r, n);
	printf("%s %llu\n", r->id, (unsigned long long)n);
	fflush(stdout);
	return err;
}

static int callgrind(const bool *sel)
{
	size_t i;

	for (i = 0; i < bench_nrows; i++) {
		const struct bench_row *r = &bench_rows[i];
		uint64_t n = r->cg_n ? r->cg_n : 1000, warm = n < 64 ? n : 64;
		bool fresh = r->flags & ROW_FRESH;
		double ns;
		unsigned long h;
		int err;

		if (!sel[i])
			continue;
		if (r->cap && 2 * n > r->cap)
			n = r->cap / 2;
		/* Outside the collected function: first-touch costs, cache fill. */
		if (time_once(r, warm, &ns, &h))
			return -1;
		if (fresh) {
			err = cg_call(r, n, true) || cg_call(r, 2 * n, true);
		} else {
			err = r->setup ? r->setup(r, 2 * n) : 0;
			if (!err) {
				r->run(r, n);
				err = cg_call(r, n, false) || cg_call(r, 2 * n, false);
			}
			if (r->teardown)
				r->teardown(r, 2 * n);
		}
		if (err) {
			fprintf(stderr, "bench: %s: set-up failed\n", r->id);
			return -1;
		}
	}
	return 0;
}

/* "id instructions-per-iteration" lines from tools/bench-callgrind.sh */
static int read_instr(const char *file, struct variant *v)
{
	char id[64];
	double ir;
	FILE *f = fopen(file, "r");
	int i;

	if (!f) {
		perror(file);
		return -1;
	}
	while (fscanf(f, "%63s %lf", id, &ir) == 2) {
		i = row_index(id);
		if (i >= 0) {
			v->res[i].ir = ir;
			v->res[i].ir_ok = true;
		}
	}
	fclose(f);
	return 0;
}

/* ------------------------------------------------------- variants */

static void describe_self(struct variant *v)
{
	Dl_info lib, self;
	/* A string of the library's: its address says which object holds it. */
	const char *in_lib = tl_strerror(0);

	v->cache = TL_CACHE_SIZE;
	v->thread_bytes = sizeof(struct tl__thread);
	v->shared = dladdr(in_lib, &lib) && dladdr((void *)describe_self, &self) &&
		    lib.dli_fbase != self.dli_fbase;
	if (v->shared) {
		char cwd[256];
		const char *path = lib.dli_fname;
		size_t len;

		/* Relative to the working directory, as make names it. */
		if (getcwd(cwd, sizeof(cwd)) && (len = strlen(cwd)) &&
		    !strncmp(path, cwd, len) && path[len] == '/')
			path += len + 1;
		snprintf(v->link, sizeof(v->link), "shared library %s", path);
	} else
		snprintf(v->link, sizeof(v->link), "static library linked in");
	snprintf(v->name, sizeof(v->name), "%s-c%u", v->shared ? "shared" : "static",
		 v->cache);
	snprintf(v->tls, sizeof(v->tls), "%s", opt_tls);
}

static void fput_num(FILE *f, bool ok, double x)
{
	if (ok)
		fprintf(f, " %.6g", x);
	else
		fprintf(f, " nan");
}

static int write_raw(const char *file, const struct variant *v, const bool *sel)
{
	FILE *f = strcmp(file, "-") ? fopen(file, "w") : stdout;
	size_t i;

	if (!f) {
		perror(file);
		return -1;
	}
	fprintf(f, "name %s\nlink %s\ntls %s\ncache %u\nthread_bytes %lu\nreps %u\n",
		v->name, v->link, v->tls, v->cache, v->thread_bytes, v->reps);
	for (i = 0; i < bench_nrows; i++) {
		const struct result *r = &v->res[i];

		if (!sel[i])
			continue;
		fprintf(f, "row %s", bench_rows[i].id);
		fput_num(f, r->ns_ok, r->ns_med);
		fput_num(f, r->ns_ok, r->op_med);
		fput_num(f, r->ns_ok, r->op_min);
		fput_num(f, r->ns_ok, r->op_max);
		fput_num(f, r->ns_ok, r->heap);
		fput_num(f, r->ir_ok, r->ir);
		fputc('\n', f);
	}
	if (f != stdout)
		fclose(f);
	return 0;
}

/* The rest of a line, without its newline, cut to fit @len. */
static void copy_field(char *dst, size_t len, const char *src)
{
	size_t n = strcspn(src, "\n");

	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int read_raw(const char *file, struct variant *v)
{
	char line[512], id[64];
	FILE *f = fopen(file, "r");
	double x[6];
	int i;

	if (!f) {
		perror(file);
		return -1;
	}
	memset(v, 0, sizeof(*v));
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "name ", 5))
			copy_field(v->name, sizeof(v->name), line + 5);
		else if (!strncmp(line, "link ", 5))
			copy_field(v->link, sizeof(v->link), line + 5);
		else if (!strncmp(line, "tls ", 4))
			copy_field(v->tls, sizeof(v->tls), line + 4);
		else if (!strncmp(line, "cache ", 6))
			v->cache = (unsigned)strtoul(line + 6, NULL, 10);
		else if (!strncmp(line, "thread_bytes ", 13))
			v->thread_bytes = strtoul(line + 13, NULL, 10);
		else if (!strncmp(line, "reps ", 5))
			v->reps = (unsigned)strtoul(line + 5, NULL, 10);
		else if (sscanf(line, "row %63s %lf %lf %lf %lf %lf %lf", id,
				&x[0], &x[1], &x[2], &x[3], &x[4], &x[5]) == 7 &&
			 (i = row_index(id)) >= 0) {
			struct result *r = &v->res[i];

			r->ns_ok = !isnan(x[0]);
			r->ns_med = x[0];
			r->op_med = x[1];
			r->op_min = x[2];
			r->op_max = x[3];
			r->heap = x[4];
			r->ir_ok = !isnan(x[5]);
			r->ir = x[5];
		}
	}
	fclose(f);
	v->shared = !strncmp(v->name, "shared", 6);
	return 0;
}

/* ---------------------------------------------------------- figures */

/*
 * ns per operation: the median of the row's samples, each minus its
 * empty loop timed beside it; an empty loop's own median (NAN if unknown).
 */
static double ns_of(const struct variant *v, int i)
{
	if (i < 0 || !v->res[i].ns_ok)
		return NAN;
	return bench_rows[i].base ? v->res[i].op_med : v->res[i].ns_med;
}

static double ir_of(const struct variant *v, int i)
{
	int b;

	if (i < 0 || !v->res[i].ir_ok)
		return NAN;
	b = row_index(bench_rows[i].base);
	if (b < 0)
		return v->res[i].ir;
	return v->res[b].ir_ok ? v->res[i].ir - v->res[b].ir : NAN;
}

static double ratio(double x, double ref)
{
	return isnan(x) || isnan(ref) || ref <= 0 ? NAN : x / ref;
}

/*
 * @x in a field of @width, "-" when unknown; @prec < 0: three significant
 * digits or so, for ns that range from 0.1 to thousands.
 */
static void put(double x, int width, int prec)
{
	if (isnan(x)) {
		printf(" %*s", width, "-");
		return;
	}
	if (fabs(x) < 0.005)
		x = 0;		/* no "-0.00" */
	if (prec < 0)
		prec = fabs(x) < 10 ? 2 : fabs(x) < 100 ? 1 : 0;
	else if (prec > 0 && fabs(x) >= 100)
		prec = 0;	/* large figures: the field stays aligned */
	printf(" %*.*f", width, prec, x);
}

/* The anchor a row's "x pgs" column divides by. */
static int pgs_for(int i)
{
	return row_index(bench_rows[i].flags & ROW_CALL ? "cs_pgs1" : "pgs1");
}

static const struct variant *variant_where(bool shared, unsigned cache)
{
	unsigned k;

	for (k = 0; k < nvariants; k++)
		if (variants[k].shared == shared && variants[k].cache == cache)
			return &variants[k];
	return NULL;
}

static void print_variant(const char *tag, const struct variant *v)
{
	printf("  %-7s %s, TL_CACHE_SIZE=%u: per-thread block %lu bytes "
	       "(sizeof(struct tl__thread))\n", tag, v->link, v->cache,
	       v->thread_bytes);
	if (v->tls[0])
		printf("          TLS model: %s\n", v->tls);
}

static void print_row(const struct variant *st, const struct variant *sh, int i)
{
	const struct bench_row *r = &bench_rows[i];
	const struct result *res = &st->res[i];
	int pgs = pgs_for(i);
	bool base = r->flags & ROW_BASE;
	double ns = ns_of(st, i), ir = ir_of(st, i);

	printf("%-42s", r->label);
	put(ns, 7, -1);
	if (res->ns_ok) {
		printf("  (");
		put(res->op_min, 5, -1);
		printf(" -");
		put(res->op_max, 6, -1);
		printf(")");
	} else {
		printf("  %17s", "");
	}
	put(base ? NAN : ratio(ns, ns_of(st, pgs)), 5, 2);
	put(ir, 7, 1);
	put(base ? NAN : ratio(ir, ir_of(st, pgs)), 5, 2);
	if (!res->ns_ok)
		printf(" %6s", "-");
	else if (res->heap == (double)(long)res->heap)
		printf(" %6ld", (long)res->heap);
	else
		printf(" %6.2f", res->heap);
	if (sh) {
		double sns = ns_of(sh, i), sir = ir_of(sh, i);

		printf(" |");
		put(sns, 7, -1);
		put(base ? NAN : ratio(sns, ns_of(sh, pgs)), 5, 2);
		put(sir, 7, 1);
		put(base ? NAN : ratio(sir, ir_of(sh, pgs)), 5, 2);
	}
	putchar('\n');
}

/* Which heading of the table a row goes under. */
static size_t row_group(const struct bench_row *r)
{
	if (r->flags & ROW_BASE)
		return 3;
	if (r->flags & ROW_CALL)
		return 2;
	return r->flags & ROW_ANCHOR ? 1 : 0;
}

static void print_table(const struct variant *st, const bool *sel)
{
	const struct variant *sh = variant_where(true, st->cache);
	static const char *const groups[] = {
		"tasklocal, in a loop",
		"glibc and compiler anchors, in a loop",
		"each operation at a call site of its own (a noinline function "
		"per\n   iteration: nothing hoisted out of the loop; x pgs against "
		"the same for glibc)",
		"empty loops: ns per iteration and instructions, subtracted above",
	};
	size_t g, i;

	printf("\ntasklocal benchmark: %u rounds, one run of each row per "
	       "round, each run minus\na run of its empty loop timed beside it; "
	       "ns/op = median (min - max) of those;\ninstr/op from callgrind, "
	       "(I(2N) - I(N)) / N minus the empty loop's; x pgs = ratio\nto "
	       "pthread_getspecific (1 key) of the same run; heap = "
	       "malloc/free/calloc/realloc calls\nper op.\n", st->reps);
	print_variant("static:", st);
	if (sh)
		print_variant("shared:", sh);
	printf("\n%-42s %-50s%s\n", "", "static library (headline)",
	       sh ? "| shared library" : "");
	printf("%-42s %7s  %17s %5s %7s %5s %6s%s\n", "operation", "ns/op",
	       "(min - max)", "x pgs", "instr", "x pgs", "heap",
	       sh ? " |   ns/op x pgs   instr x pgs" : "");
	for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		printf("-- %s\n", groups[g]);
		for (i = 0; i < bench_nrows; i++)
			if (sel[i] && row_group(&bench_rows[i]) == g)
				print_row(st, sh, (int)i);
	}
}

/* The fast path sized to the locals: one column group per cache size. */
static void print_cache_table(const bool *sel)
{
	const struct variant *cv[MAXVARIANTS];
	unsigned k, ncv = 0;
	int pgs = row_index("pgs1");
	size_t i;

	for (k = 0; k < nvariants; k++)
		if (!variants[k].shared)
			cv[ncv++] = &variants[k];
	if (ncv < 2)
		return;
	printf("\nfast path sized to the locals (static library; each column "
	       "against the\npthread_getspecific of its own run):\n%-38s", "");
	for (k = 0; k < ncv; k++) {
		char head[48];

		snprintf(head, sizeof(head), "CACHE=%u, %lu B", cv[k]->cache,
			 cv[k]->thread_bytes);
		printf(" | %-25s", head);
	}
	printf("\n%-38s", "operation");
	for (k = 0; k < ncv; k++)
		printf(" | %6s %5s %6s %5s", "ns/op", "x pgs", "instr", "x pgs");
	putchar('\n');
	for (i = 0; i < bench_nrows; i++) {
		if (!(bench_rows[i].flags & ROW_CACHE) || !sel[i] ||
		    (bench_rows[i].flags & ROW_ANCHOR))
			continue;
		printf("%-38s", bench_rows[i].label);
		for (k = 0; k < ncv; k++) {
			double ns = ns_of(cv[k], (int)i), ir = ir_of(cv[k], (int)i);

			printf(" |");
			put(ns, 6, -1);
			put(ratio(ns, ns_of(cv[k], pgs)), 5, 2);
			put(ir, 6, 1);
			put(ratio(ir, ir_of(cv[k], pgs)), 5, 2);
		}
		putchar('\n');
	}
}

/* ---------------------------------------------------------- targets */

enum metric {
	M_IR,		/* net instructions, ratio to @ref */
	M_NS,		/* net ns, ratio to @ref */
	M_GROSS,	/* whole loop iterations, ratio to @ref */
	M_IR_ABS,	/* net instructions */
	M_HEAP,		/* heap calls per op, every ROW_HOT row */
	M_PER_VALUE,	/* net instructions per value set, ratio to @ref's */
	M_MEM,		/* bytes of the per-thread block */
};

struct target {
	const char *text;
	const char *row, *ref;
	enum metric metric;
	double limit;
	unsigned cache;		/* 0: the table's configuration */
};

static const struct target targets[] = {
	{ "tl_get MRU: instructions <= 0.5 x pthread_getspecific",
	  "get_mru", "pgs1", M_IR, 0.5, 0 },
	{ "tl_get MRU: ns <= 1.0 x pthread_getspecific",
	  "get_mru", "pgs1", M_NS, 1.0, 0 },
	{ "tl_get MRU: ns <= 3 x __thread read (whole iterations)",
	  "get_mru", "tls_read", M_GROSS, 3.0, 0 },
	{ "tl_get MRU, own call site: instr <= 0.5 x pgs",
	  "cs_get_mru", "cs_pgs1", M_IR, 0.5, 0 },
	{ "tl_get MRU, own call site: ns <= 1.0 x pgs",
	  "cs_get_mru", "cs_pgs1", M_NS, 1.0, 0 },
	{ "tl_get cycling over 8: instructions <= 1.0 x pgs",
	  "get_cyc8", "pgs1", M_IR, 1.0, 0 },
	{ "tl_get cycling over 8: ns <= 1.0 x pgs",
	  "get_cyc8", "pgs1", M_NS, 1.0, 0 },
	{ "tl_get cycling over 64: instructions <= 1.0 x pgs",
	  "get_cyc64", "pgs1", M_IR, 1.0, 0 },
	{ "tl_get cycling over 64: ns <= 1.0 x pgs",
	  "get_cyc64", "pgs1", M_NS, 1.0, 0 },
	{ "tl_get cycling over 64, own call site: instr <= 1.0 x pgs",
	  "cs_get_cyc64", "cs_pgs1", M_IR, 1.0, 0 },
	{ "tl_get cycling over 1024, CACHE=1024: instr <= 2.0 x pgs",
	  "get_cyc1024", "pgs1", M_IR, 2.0, 1024 },
	{ "tl_get cycling over 1024, CACHE=1024: ns <= 2.0 x pgs",
	  "get_cyc1024", "pgs1", M_NS, 2.0, 1024 },
	{ "tl_get cycling over 1024, CACHE=2048: instr <= 2.0 x pgs",
	  "get_cyc1024", "pgs1", M_IR, 2.0, 2048 },
	{ "tl_get cycling over 1024, CACHE=2048: ns <= 2.0 x pgs",
	  "get_cyc1024", "pgs1", M_NS, 2.0, 2048 },
	{ "tl_set existing: instructions <= 1.0 x pthread_setspecific",
	  "set_existing", "pss1", M_IR, 1.0, 0 },
	{ "tl_set existing: ns <= 1.0 x pthread_setspecific",
	  "set_existing", "pss1", M_NS, 1.0, 0 },
	{ "tl_set existing, own call site: instr <= 1.0 x pss",
	  "cs_set_existing", "cs_pss1", M_IR, 1.0, 0 },
	{ "tl_switch: <= 3 instructions",
	  "switch", NULL, M_IR_ABS, 3.0, 0 },
	{ "tl_switch, own call site: <= 3 instructions beyond the call",
	  "cs_switch", NULL, M_IR_ABS, 3.0, 0 },
	{ "heap calls on get, set existing, this, switch, bind: 0",
	  NULL, NULL, M_HEAP, 0.0, 0 },
	{ "tl_task_exit per value, 64 values vs 4: <= 1.5 x",
	  "exit64", "exit4", M_PER_VALUE, 1.5, 0 },
	{ "tl_task_exit, +100000 locals registered: <= 1.1 x instr",
	  "exit4_reg", "exit4", M_IR, 1.1, 0 },
	{ "per-thread block of the default configuration <= 4 KiB",
	  NULL, NULL, M_MEM, 4096.0, 0 },
};

/* The figure a target is judged on; NAN when not measured. */
static double target_value(const struct target *t, const struct variant *v,
			   char *why, size_t len)
{
	int i = row_index(t->row), ref = row_index(t->ref);
	double x = NAN, y = NAN;
	size_t k;

	switch (t->metric) {
	case M_IR:
		x = ir_of(v, i);
		y = ir_of(v, ref);
		snprintf(why, len, "%.1f / %.1f instr", x, y);
		return ratio(x, y);
	case M_NS:
		x = ns_of(v, i);
		y = ns_of(v, ref);
		snprintf(why, len, "%.2f / %.2f ns", x, y);
		return ratio(x, y);
	case M_GROSS:
		x = v->res[i].ns_ok ? v->res[i].ns_med : NAN;
		y = v->res[ref].ns_ok ? v->res[ref].ns_med : NAN;
		snprintf(why, len, "%.2f / %.2f ns", x, y);
		return ratio(x, y);
	case M_IR_ABS:
		x = ir_of(v, i);
		snprintf(why, len, "instructions");
		return x;
	case M_HEAP:
		x = 0;
		for (k = 0; k < bench_nrows; k++)
			if ((bench_rows[k].flags & ROW_HOT) && v->res[k].ns_ok)
				x += v->res[k].heap;
		snprintf(why, len, "calls per op, all of them");
		return x;
	case M_PER_VALUE:
		x = ir_of(v, i) / bench_rows[i].v;
		y = ir_of(v, ref) / bench_rows[ref].v;
		snprintf(why, len, "%.1f / %.1f instr per value", x, y);
		return ratio(x, y);
	case M_MEM:
		snprintf(why, len, "bytes");
		return (double)v->thread_bytes;
	}
	return NAN;
}

static void print_targets(const struct variant *st)
{
	const struct variant *sh = variant_where(true, st->cache);
	unsigned passed = 0, failed = 0, unknown = 0;
	size_t k;

	printf("\ntargets (static library; instructions from callgrind, ns from "
	       "this run)%s\n", sh ? ", shared library beside" : "");
	for (k = 0; k < sizeof(targets) / sizeof(targets[0]); k++) {
		const struct target *t = &targets[k];
		const struct variant *v = t->cache ? variant_where(false, t->cache) : st;
		char why[96] = "", swhy[96] = "";
		double x, sx;
		const char *verdict;

		x = v ? target_value(t, v, why, sizeof(why)) : NAN;
		if (isnan(x)) {
			verdict = "n/a ";
			unknown++;
		} else if (x <= t->limit) {
			verdict = "PASS";
			passed++;
		} else {
			verdict = "FAIL";
			failed++;
		}
		printf("  %s  %-60s", verdict, t->text);
		put(x, 7, 2);
		printf("  (%s)", why);
		if (sh && !t->cache && t->metric != M_MEM) {
			sx = target_value(t, sh, swhy, sizeof(swhy));
			printf("  shared:");
			put(sx, 5, 2);
			printf(" %s", isnan(sx) ? "" : sx <= t->limit ? "pass" : "FAIL");
		}
		putchar('\n');
	}
	printf("  %u passed, %u failed, %u not measured\n", passed, failed,
	       unknown);
}

/* --------------------------------------------------------------- CSV */

/* A CSV field: empty when unknown. */
static void csv_num(FILE *f, double x, int prec)
{
	if (isnan(x))
		fputc(',', f);
	else
		fprintf(f, ",%.*f", prec, x);
}

static int write_csv(const char *file, const bool *sel)
{
	static const char *const sites[] = { "loop", "loop", "call", "empty" };
	FILE *f = fopen(file, "w");
	unsigned k;
	size_t i;

	if (!f) {
		perror(file);
		return -1;
	}
	fprintf(f, "variant,link,cache_size,thread_bytes,row,operation,site,"
		"ns_op,ns_min,ns_max,ns_loop_median,ns_ratio_pgs,instr_op,"
		"instr_loop,instr_ratio_pgs,heap_per_op\n");
	for (k = 0; k < nvariants; k++) {
		const struct variant *v = &variants[k];

		for (i = 0; i < bench_nrows; i++) {
			const struct result *r = &v->res[i];
			double ns = ns_of(v, (int)i), ir = ir_of(v, (int)i);
			bool base = bench_rows[i].flags & ROW_BASE;
			int pgs = pgs_for((int)i);

			if (!(r->ns_ok || r->ir_ok) || (k == 0 && !sel[i]))
				continue;
			fprintf(f, "%s,\"%s\",%u,%lu,%s,\"%s\",%s", v->name,
				v->link, v->cache, v->thread_bytes,
				bench_rows[i].id, bench_rows[i].label,
				sites[row_group(&bench_rows[i])]);
			csv_num(f, ns, 4);
			csv_num(f, r->ns_ok ? r->op_min : NAN, 4);
			csv_num(f, r->ns_ok ? r->op_max : NAN, 4);
			csv_num(f, r->ns_ok ? r->ns_med : NAN, 4);
			csv_num(f, base ? NAN : ratio(ns, ns_of(v, pgs)), 4);
			csv_num(f, ir, 2);
			csv_num(f, r->ir_ok ? r->ir : NAN, 2);
			csv_num(f, base ? NAN : ratio(ir, ir_of(v, pgs)), 4);
			csv_num(f, r->ns_ok ? r->heap : NAN, 4);
			fputc('\n', f);
		}
	}
	fclose(f);
	return 0;
}

/* ------------------------------------------------------------ modes */

static int summary(void)
{
	static const char *const rows[][2] = {
		{ "get_mru", "pgs1" }, { "get_cyc64", "pgs1" },
		{ "set_existing", "pss1" }, { "this_existing", "pgs1" },
		{ "switch", NULL }, { "pgs1", NULL }, { "pss1", NULL },
	};
	struct variant *v = &variants[0];
	bool sel[MAXROWS];
	size_t k;

	if (select_rows(sel, NULL, ROW_SUMMARY) || measure(sel, opt_reps, opt_ms * 1e6, v))
		return 1;
	printf("tasklocal against glibc on this machine (%s, median ns/op of "
	       "%u runs,\nloop overhead subtracted; `make bench` for the full "
	       "table):\n", v->link, v->reps);
	for (k = 0; k < sizeof(rows) / sizeof(rows[0]); k++) {
		int i = row_index(rows[k][0]), ref = row_index(rows[k][1]);
		double ns = ns_of(v, i);

		printf("  %-36s", bench_rows[i].label);
		put(ns, 6, -1);
		printf(" ns");
		if (ref >= 0)
			printf("  %5.2f x %s", ratio(ns, ns_of(v, ref)),
			       bench_rows[ref].label);
		putchar('\n');
	}
	return 0;
}

/*
 * Every row once, briefly: the checks of bench_check(), no row failing,
 * no heap call on a hot row, and the counter seeing the calls it should.
 */
static int smoke(void)
{
	unsigned long h, heap_hot = 0;
	int failures = bench_check();
	double ns;
	size_t i;

	for (i = 0; i < bench_nrows; i++) {
		const struct bench_row *r = &bench_rows[i];
		uint64_t n = r->cap && r->cap < 1000 ? r->cap : 1000;

		if (time_once(r, n, &ns, &h)) {
			failures++;
			continue;
		}
		if ((r->flags & ROW_HOT) && h) {
			fprintf(stderr, "bench: %s: %lu heap calls in %llu "
				"iterations\n", r->id, h, (unsigned long long)n);
			heap_hot += h;
			failures++;
		}
		if (!strcmp(r->id, "set_first_malloc") && h < n) {
			fprintf(stderr, "bench: the heap counter missed calls "
				"(%lu for %llu slots)\n", h, (unsigned long long)n);
			failures++;
		}
	}
	printf("bench-smoke (%s): %zu rows, %lu heap calls on the hot rows, "
	       "%d failure(s)\n", variants[0].link, bench_nrows, heap_hot,
	       failures);
	return failures != 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench [--summary | --smoke | --callgrind | "
		"--scaling] [--rows a,b] [--reps R]\n"
		"             [--ms T] [--instr FILE] [--tls TEXT] [--raw FILE] "
		"[--with FILE]... [--csv FILE]\n");
}

int main(int argc, char **argv)
{
	enum { TABLE, SUMMARY, SMOKE, CALLGRIND, SCALING } mode = TABLE;
	static const struct option opts[] = {
		{ "summary", no_argument, NULL, 'S' },
		{ "smoke", no_argument, NULL, 'k' },
		{ "callgrind", no_argument, NULL, 'g' },
		{ "scaling", no_argument, NULL, 'l' },
		{ "rows", required_argument, NULL, 'r' },
		{ "reps", required_argument, NULL, 'n' },
		{ "ms", required_argument, NULL, 'm' },
		{ "instr", required_argument, NULL, 'i' },
		{ "tls", required_argument, NULL, 't' },
		{ "raw", required_argument, NULL, 'o' },
		{ "with", required_argument, NULL, 'w' },
		{ "csv", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const char *rows = NULL, *instr = NULL, *raw = NULL, *csv = NULL;
	const char *with[MAXVARIANTS];
	unsigned nwith = 0, k;
	bool sel[MAXROWS];
	int c, err;

	if (bench_nrows > MAXROWS)
		return 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'S': mode = SUMMARY; opt_reps = 15; opt_ms = 2; break;
		case 'k': mode = SMOKE; break;
		case 'g': mode = CALLGRIND; break;
		case 'l': mode = SCALING; opt_reps = 7; opt_ms = 1; break;
		case 'r': rows = optarg; break;
		case 'n': opt_reps = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'm': opt_ms = strtod(optarg, NULL); break;
		case 'i': instr = optarg; break;
		case 't': opt_tls = optarg; break;
		case 'o': raw = optarg; break;
		case 'w':
			if (nwith < MAXVARIANTS - 1)
				with[nwith++] = optarg;
			break;
		case 'c': csv = optarg; break;
		default: usage(); return 2;
		}
	}
	if (optind < argc || !opt_reps || opt_ms <= 0) {
		usage();
		return 2;
	}
	err = bench_init();
	if (err) {
		fprintf(stderr, "bench: set-up failed: %s\n", tl_strerror(err));
		return 1;
	}
	nvariants = 1;
	describe_self(&variants[0]);

	switch (mode) {
	case SUMMARY:
		return summary();
	case SMOKE:
		return smoke();
	case CALLGRIND:
		return select_rows(sel, rows, 0) || callgrind(sel);
	case SCALING:
		return bench_scaling(stdout, variants[0].name, opt_reps) != 0;
	case TABLE:
		break;
	}

	if (bench_check())
		return 1;
	if (select_rows(sel, rows, 0))
		return 2;
	if (instr && read_instr(instr, &variants[0]))
		return 1;
	if (measure(sel, opt_reps, opt_ms * 1e6, &variants[0]))
		return 1;
	if (raw)
		return write_raw(raw, &variants[0], sel) != 0;
	for (k = 0; k < nwith; k++)
		if (!read_raw(with[k], &variants[nvariants]))
			nvariants++;
	print_table(&variants[0], sel);
	print_cache_table(sel);
	print_targets(&variants[0]);
	if (csv) {
		if (write_csv(csv, sel))
			return 1;
		printf("\nwrote %s\n", csv);
	}
	return 0;
}
