// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * tools/bench.c - the benchmark: its rows, and the harness that runs them.
 * A row sets a tasklocal loop against its anchor in this same binary
 * (glibc, the compiler, or a hand-rolled table), with the DESIGN.md target
 * it must meet; tools/bench.awk prints the table and judges the targets
 * over the figures printed here.  A loop is n iterations of one operation;
 * its base, the empty loop of the same shape, is subtracted from it.
 *
 * ns per operation: the median of timed runs minus the base's, the loops
 * taking turns so that a slow phase of the machine hits them alike.
 * Instructions: callgrind (tools/bench.sh) counts each loop over N and
 * over 2N iterations, (I(2N) - I(N)) / N, so that set-up and warm-up
 * cancel, minus the same for its base.  Two-thread efficiency: the wall
 * time of a thread running n iterations over that of two threads running
 * n each.
 *
 *   bench measure BUILD [INSTR]  a line of figures per row (print_rows()),
 *                                instructions read from tools/bench.sh
 *   bench smoke                  the same, every loop run briefly
 *   bench cg                     the loops, for tools/bench.sh
 *   bench scaling                tools/bench-scaling.csv
 *
 * The locals L[] are registered first and in order, so that L[j] and
 * L[j + 64] or L[j + 128] are 64 or 128 registry indices apart: any
 * fast-path structure indexed by registry index maps them together.  A
 * value is the address of its own local, so a check needs no table.  Tasks
 * get their values highest index first: the local read "at the tail" is
 * then last in a list kept in index order and in one filled at the head.
 */
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uthash.h>
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#else	/* without valgrind: no instruction counts, everything else */
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_DUMP_STATS_AT(name)	((void)(name))
#endif

#include "tasklocal.h"
#include "tasklocal/posix.h"

/*
 * Defined in the executable, these come before glibc's for every caller,
 * libtasklocal.so included.  Counted per thread, so that two threads'
 * mallocs share no cache line because of it.  Never inlined: the uthash
 * anchor calls them as it would call glibc's.
 */
static __thread unsigned long heap_calls;
#define COUNTED(type, name, params, args)				\
	extern type __libc_##name params;				\
	__attribute__((noinline)) type name params			\
	{								\
		heap_calls++;						\
		return __libc_##name args;				\
	}
COUNTED(void *, malloc, (size_t size), (size))
COUNTED(void *, calloc, (size_t nmemb, size_t size), (nmemb, size))
COUNTED(void *, realloc, (void *ptr, size_t size), (ptr, size))
extern void __libc_free(void *ptr);
__attribute__((noinline)) void free(void *ptr)
{
	heap_calls++;
	__libc_free(ptr);
}

#define NL	1024
static struct tl_local L[NL];
static struct tl_node t8, t64, t1024, pair3[2], pair64[2], collide;
static __thread struct tl_node ring[8];	/* short-lived tasks, per thread */
static struct tl_slot bind_slot;
static tl_key_t tkey;
static pthread_key_t K[NL], kring[NL], kunset, kshort[3];
static __thread void *tls_var;

static struct tl_sched sched;
static struct tl_node sched_task;
static struct tl_local sched_local = TL_LOCAL(.disc = &sched.disc);

/* A user's discriminator: "current" is whatever a global says. */
static struct tl_node custom_task;
static struct tl_node *custom_current(struct tl_discriminator *disc)
{
	(void)disc;
	return &custom_task;
}
static struct tl_discriminator custom = { custom_current };
static struct tl_local custom_local = TL_LOCAL(.disc = &custom);

/* The hand-rolled alternative: a uthash table of malloc'd entries per task. */
struct uh_entry {
	const void *key;
	void *value;
	UT_hash_handle hh;
};
static __thread struct uh_entry **uh_now, *uh_ring[8];

static void *uh_get(const void *key)
{
	struct uh_entry *e;

	HASH_FIND_PTR(*uh_now, &key, e);
	return e ? e->value : NULL;
}

static void uh_set(const void *key, void *value)
{
	struct uh_entry *e;

	HASH_FIND_PTR(*uh_now, &key, e);
	if (!e && (e = malloc(sizeof(*e)))) {
		e->key = key;
		HASH_ADD_PTR(*uh_now, key, e);
	}
	if (e)
		e->value = value;
}

static void uh_exit(struct uh_entry **table)
{
	struct uh_entry *e, *tmp;

	HASH_ITER(hh, *table, e, tmp) {
		HASH_DEL(*table, e);
		free(e);
	}
}

/*
 * Each iteration starts as a fresh call site: the barrier makes the
 * compiler load again whatever the operation reads; USE keeps a result
 * alive.  Neither emits an instruction.
 */
#define BARRIER()	__asm__ volatile("" ::: "memory")
#define USE(x)		__asm__ volatile("" :: "r"(x))

/* A short-lived task: three values set, read, and gone; three ways. */
static inline void churn_tl(struct tl_node *t)
{
	tl_task_init(t);
	tl_switch(t);
	for (unsigned k = 0; k < 3; k++)
		USE(tl_set(&L[k], t));
	for (unsigned k = 0; k < 3; k++)
		USE(tl_get(&L[k]));
	tl_task_exit(t);
}

static inline void churn_uh(struct uh_entry **table)
{
	uh_now = table;
	for (unsigned k = 0; k < 3; k++)
		uh_set(&L[k], table);
	for (unsigned k = 0; k < 3; k++)
		USE(uh_get(&L[k]));
	uh_exit(table);
}

static inline void churn_pk(void)
{
	for (unsigned k = 0; k < 3; k++)
		USE(pthread_setspecific(kshort[k], &kshort[k]));
	for (unsigned k = 0; k < 3; k++)
		USE(pthread_getspecific(kshort[k]));
	for (unsigned k = 0; k < 3; k++)
		USE(pthread_setspecific(kshort[k], NULL));
}

/* The scaling sweep's tasks, and the same values in an array in each. */
static uint64_t ntasks = 1, stride, nvalues = 1;
static struct tl_node *sc_tasks;
static void **sc_array, **array_now;

#define ROUNDS	31	/* timed runs of a loop in `bench measure` */

struct loop {
	const char *id, *what;		/* dump name; what the table calls it */
	void (*fn)(uint64_t n);
	struct loop *base;		/* empty loop of the same shape, or NULL */
	struct tl_node *task;		/* made current before each run */
	uint64_t n;			/* iterations of one timed run */
	unsigned k;			/* timed runs so far */
	double ns[ROUNDS];		/* ns per iteration of each */
	double heap, iters;		/* heap calls, iterations, in all runs */
	double ir, eff;			/* instructions per iteration, two-thread
					   efficiency; NAN: not measured */
};

/*
 * j visits tasks 0 .. ntasks - 1 for the scaling sweep, each once per
 * round but in a scattered order (a stride prime to their number), as an
 * event loop wakes them, so that the hardware prefetcher does not hide the
 * memory; other loops leave j dead.
 */
#define LOOP(name, what_, base_, task_, ...)				\
	static void name##_loop(uint64_t n)				\
	{								\
		for (uint64_t i = 0, j = 0; i < n; i++) {		\
			BARRIER();					\
			__VA_ARGS__;					\
			j += stride;					\
			j = j >= ntasks ? j - ntasks : j;		\
		}							\
	}								\
	static struct loop name = { .id = #name, .what = what_,		\
		.fn = name##_loop, .base = base_, .task = task_,	\
		.ir = NAN, .eff = NAN }
#define EMPTY(name, ...)	LOOP(name, NULL, NULL, NULL, __VA_ARGS__)

/* Empty loops: the shape of the loops below, without their operation. */
EMPTY(e_one, (void)0);
EMPTY(e_l8, USE(&L[i & 7]));
EMPTY(e_l64, USE(&L[i & 63]));
EMPTY(e_l1024, USE(&L[i & 1023]));
EMPTY(e_k8, USE(K[i & 7]));
EMPTY(e_k64, USE(K[i & 63]));
EMPTY(e_kring, USE(kring[i & 1023]));
EMPTY(e_pair3, USE(&pair3[i & 1]));
EMPTY(e_pair64, USE(&pair64[i & 1]));
EMPTY(e_c128, USE(&L[(i & 1) * 128]));
EMPTY(e_c64, USE(&L[(i & 1) * 64]));
EMPTY(e_ring, USE(&ring[i & 7]));
EMPTY(e_uh_ring, USE(&uh_ring[i & 7]));
EMPTY(e_sc, USE(&sc_tasks[j]));

/* tasklocal */
LOOP(t_mru, NULL, &e_one, &t8, USE(tl_get(&L[0])));
LOOP(t_cyc8, NULL, &e_l8, &t8, USE(tl_get(&L[i & 7])));
LOOP(t_cyc64, NULL, &e_l64, &t64, USE(tl_get(&L[i & 63])));
LOOP(t_cyc1024, NULL, &e_l1024, &t1024, USE(tl_get(&L[i & 1023])));
LOOP(t_sw3, NULL, &e_pair3, NULL, tl_switch(&pair3[i & 1]); USE(tl_get(&L[2])));
LOOP(t_sw64, NULL, &e_pair64, NULL,
     tl_switch(&pair64[i & 1]); USE(tl_get(&L[63])));
LOOP(t_sched, NULL, &e_one, NULL, USE(tl_get(&sched_local)));
LOOP(t_custom, NULL, &e_one, NULL, USE(tl_get(&custom_local)));
LOOP(t_c128, NULL, &e_c128, &collide, USE(tl_get(&L[(i & 1) * 128])));
LOOP(t_c64, NULL, &e_c64, &collide, USE(tl_get(&L[(i & 1) * 64])));
LOOP(t_gs, NULL, &e_one, &t8, USE(tl_getspecific(tkey)));
LOOP(t_none, NULL, &e_one, &t8, USE(tl_get(&L[NL - 1])));
LOOP(t_set1, NULL, &e_one, &t8, USE(tl_set(&L[0], &L[0])));
LOOP(t_sw, NULL, &e_pair3, NULL, USE(tl_switch(&pair3[i & 1])));
LOOP(t_churn, NULL, &e_ring, NULL, churn_tl(&ring[i & 7]));
LOOP(t_empty, NULL, &e_ring, NULL, tl_task_init(&ring[i & 7]);
     tl_switch(&ring[i & 7]); tl_task_exit(&ring[i & 7]));
LOOP(t_bind, NULL, &e_ring, NULL, tl_task_init(&ring[i & 7]);
     tl_switch(&ring[i & 7]); USE(tl_bind(&L[0], &bind_slot, &L[0]));
     tl_task_exit(&ring[i & 7]));
LOOP(t_scope, NULL, &e_one, &t8, struct tl_scope s;
     USE(tl_scope_enter(&s, &L[0], &s)); USE(tl_get(&L[0]));
     USE(tl_scope_exit(&s)));
LOOP(t_sc, NULL, &e_sc, NULL,
     tl_switch(&sc_tasks[j]); USE(tl_get(&L[nvalues - 1])));

/* anchors */
LOOP(pgs1, "pthread_getspecific", &e_one, NULL, USE(pthread_getspecific(K[0])));
LOOP(pgs8, "pthread_getspecific, 8 keys", &e_k8, NULL,
     USE(pthread_getspecific(K[i & 7])));
LOOP(pgs64, "pthread_getspecific, 64 keys", &e_k64, NULL,
     USE(pthread_getspecific(K[i & 63])));
LOOP(pgs_all, "pthread_getspecific, all keys", &e_kring, NULL,
     USE(pthread_getspecific(kring[i & 1023])));
LOOP(pgs_unset, "pthread_getspecific, unset", &e_one, NULL,
     USE(pthread_getspecific(kunset)));
LOOP(pss1, "pthread_setspecific", &e_one, NULL,
     USE(pthread_setspecific(K[0], &K[0])));
LOOP(pk_scope, "getspecific + 2 setspecific", &e_one, NULL,
     void *old = pthread_getspecific(K[0]);
     USE(pthread_setspecific(K[0], &old)); USE(pthread_setspecific(K[0], old)));
LOOP(tls_read, "__thread read", &e_one, NULL, USE(tls_var));
LOOP(uh_churn, "uthash table per task", &e_uh_ring, NULL,
     churn_uh(&uh_ring[i & 7]));
LOOP(pk_churn, "pthread keys, the same values", &e_one, NULL, churn_pk());
LOOP(array_sc, NULL, &e_sc, NULL,
     array_now = &sc_array[j * nvalues]; USE(array_now[nvalues - 1]));

/* The static TLS of libtasklocal.so; linked in, it is not told apart. */
static int tls_of(struct dl_phdr_info *info, size_t size, void *bytes)
{
	Dl_info lib;

	(void)size;
	if (!dladdr((void *)tl_strerror, &lib) || strcmp(info->dlpi_name, lib.dli_fname))
		return 0;
	for (unsigned k = 0; k < info->dlpi_phnum; k++)
		if (info->dlpi_phdr[k].p_type == PT_TLS)
			*(double *)bytes = (double)info->dlpi_phdr[k].p_memsz;
	return 1;
}

static double thread_bytes(void)
{
	double bytes = NAN;

	dl_iterate_phdr(tls_of, &bytes);
	return bytes;
}

static double slot_bytes(void)
{
	return sizeof(struct tl_slot);
}

/* struct row.flags */
#define GROSS	(1u << 0)	/* ns compared with the loop included */
#define MT	(1u << 1)	/* two-thread efficiency of both loops */

struct row {
	const char *id, *what;
	struct loop *tl, *anchor;
	const char *target;		/* in the words of tools/bench.awk */
	const char *plain;		/* its words in the summary, or NULL */
	const char *in;			/* build it is judged in; NULL: static */
	double (*bytes)(void);		/* a memory figure instead of loops */
	unsigned flags;
};

static const struct row rows[] = {
	{ "mru", "tl_get, same local again", &t_mru, &pgs1,
	  .target = "i<=0.5x ns<=1x 0 heap",
	  .plain = "read a value (the same one again)" },
	{ "mru_tls", "tl_get, same local (loop incl.)", &t_mru, &tls_read,
	  .target = "ns<=3x", .flags = GROSS },
	{ "cyc8", "tl_get cycling over 8 values", &t_cyc8, &pgs8,
	  .target = "i<=1x 0 heap" },
	{ "cyc64", "tl_get cycling over 64 values", &t_cyc64, &pgs64,
	  .target = "i<=1x 0 heap" },
	{ "sw3", "tl_switch + tl_get, 2 tasks x 3 values", &t_sw3, &pgs1,
	  .target = "i<=1x 0 heap", .plain = "switch to another task, then read" },
	{ "sw64", "the same, local at the tail of 64", &t_sw64, &pgs1,
	  .target = "i<=1x 0 heap" },
	{ "sched", "tl_get, struct tl_sched local", &t_sched, &pgs1,
	  .target = "i<=1x 0 heap",
	  .plain = "read, one of several schedulers per thread" },
	{ "custom", "tl_get, custom discriminator", &t_custom, &pgs1,
	  .target = "i<=1x 0 heap" },
	{ "coll128", "2 locals 128 indices apart, in turn", &t_c128, &pgs1,
	  .target = "i<=1x 0 heap" },
	{ "coll64", "2 locals 64 indices apart, in turn", &t_c64, &pgs1,
	  .target = "i<=1x 0 heap" },
	{ "getspecific", "tl_getspecific", &t_gs, &pgs1, .target = "i<=1x 0 heap" },
	{ "none", "tl_get, no value (8 others set)", &t_none, &pgs_unset,
	  .target = "i<=1x 0 heap", .plain = "read a value the task never set" },
	{ "cyc1024", "tl_get cycling over 1024 values", &t_cyc1024, &pgs_all,
	  .target = "i<=2x 0 heap", .in = "wide" },
	{ "set", "tl_set of an existing value", &t_set1, &pss1,
	  .target = "i<=1x ns<=1x 0 heap", .plain = "overwrite a value" },
	{ "switch", "tl_switch alone", &t_sw, NULL, .target = "<=3i 0 heap" },
	{ "churn", "task: init,switch,3 set,3 get,exit", &t_churn, &uh_churn,
	  .target = "i<=0.4x", .plain = "short task: start, set 3, read 3, end" },
	{ "empty_task", "empty task: init, switch, exit", &t_empty, NULL,
	  .target = "<=20i 0 heap" },
	/*
	 * Judged as DESIGN.md says: two threads' throughput over twice one's.
	 * The same work on pthread keys shares nothing between threads: its
	 * figure, beside it, is what this machine's cores give (a VM's two
	 * vCPUs may give less than 2x).
	 */
	{ "mt", "2 threads churning: efficiency", &t_churn, &pk_churn,
	  .target = "eff>=0.9", .flags = MT,
	  .plain = "2 threads at once (1.00: twice one's speed)" },
	{ "mt_uthash", "2 threads churning, uthash (control)", NULL, &uh_churn,
	  .flags = MT },
	{ "scope", "scope enter + tl_get + exit", &t_scope, &pk_scope,
	  .target = "i<=1x 0 heap" },
	{ "bind", "task: init,switch,tl_bind,exit", &t_bind, &pss1,
	  .target = "0 heap" },
	{ "mem_thread", "per-thread memory", .bytes = thread_bytes,
	  .target = "<=4096B", .in = "shared" },
	{ "mem_slot", "bytes per slot", .bytes = slot_bytes,
	  .target = sizeof(void *) == 8 ? "<=32B" : "<=20B" },
};
#define NROWS	(sizeof(rows) / sizeof(rows[0]))

/* @t gets the values of L[idx[0 .. n - 1]], or of L[0 .. n - 1] if @idx
 * is NULL, the last one first. */
static int task_fill(struct tl_node *t, const unsigned *idx, unsigned n)
{
	int err = 0;

	tl_task_init(t);
	tl_switch(t);
	while (n-- && !err)
		err = tl_set(&L[idx ? idx[n] : n], &L[idx ? idx[n] : n]);
	tl_switch(NULL);
	return err;
}

/* Whether each row's state holds what the row claims to read. */
static bool state_ok(void)
{
	bool ok = true;

	tl_switch(&t8);
	for (unsigned j = 0; j < 8; j++)
		ok &= tl_get(&L[j]) == &L[j];
	ok &= !tl_get(&L[NL - 1]) && tl_getspecific(tkey) == &tkey;
	tl_switch(&t1024);
	ok &= tl_get(&L[0]) == &L[0] && tl_get(&L[NL - 1]) == &L[NL - 1];
	tl_switch(&pair64[1]);
	ok &= tl_get(&L[63]) == &L[63];
	tl_switch(&collide);
	ok &= tl_get(&L[128]) == &L[128] && tl_get(&L[64]) == &L[64];
	ok &= tl_get(&sched_local) == &sched_local;
	ok &= tl_get(&custom_local) == &custom_local;
	churn_tl(&ring[0]);
	tl_switch(NULL);
	return ok && tl_node_empty(&ring[0]) && !pthread_getspecific(kunset) &&
	       pthread_getspecific(K[0]) == &K[0];
}

static int bench_init(void)
{
	static const unsigned apart[] = { 0, 64, 128 };
	unsigned j, nk;
	int err = 0;

	for (j = 0; j < NL && !err; j++)
		err = tl_local_register(&L[j]);
	if (err || (err = tl_local_register(&sched_local)) ||
	    (err = tl_local_register(&custom_local)) ||
	    (err = -tl_key_create(&tkey, NULL)))
		return err;
	/* glibc: an unset key, three for short tasks, then all the keys it
	 * allows but four (for whoever else needs one), each with a value. */
	for (j = 0; j < 4; j++)
		if (pthread_key_create(j ? &kshort[j - 1] : &kunset, NULL))
			return -EAGAIN;
	for (nk = 0; nk < NL && !pthread_key_create(&K[nk], NULL); nk++)
		pthread_setspecific(K[nk], &K[nk]);
	for (j = 0; j < 4 && nk > 64; j++)
		pthread_key_delete(K[--nk]);
	for (j = 0; j < NL; j++)
		kring[j] = K[j % nk];

	tl_sched_init(&sched);
	tl_sched_switch(&sched, &sched_task);
	if (nk < 64 || (err = task_fill(&t8, NULL, 8)) ||
	    (err = task_fill(&t64, NULL, 64)) || (err = task_fill(&t1024, NULL, NL)) ||
	    (err = task_fill(&collide, apart, 3)) ||
	    (err = task_fill(&pair3[0], NULL, 3)) || (err = task_fill(&pair3[1], NULL, 3)) ||
	    (err = task_fill(&pair64[0], NULL, 64)) ||
	    (err = task_fill(&pair64[1], NULL, 64)) ||
	    (err = tl_set(&sched_local, &sched_local)) ||
	    (err = tl_set(&custom_local, &custom_local)))
		return err ? err : -EAGAIN;
	tl_switch(&t8);
	if ((err = -tl_setspecific(tkey, &tkey)))
		return err;
	return state_ok() ? 0 : -EINVAL;
}

/* ---------------------------------------------------------- the harness */

static struct loop *loops[64];	/* the rows', bases included, each once */
static unsigned nloops;

static void add_loop(struct loop *l)
{
	for (unsigned k = 0; l && k < nloops; k++)
		if (loops[k] == l)
			return;
	if (l && nloops < sizeof(loops) / sizeof(loops[0])) {
		loops[nloops++] = l;
		add_loop(l->base);
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
	double s[ROUNDS];

	memcpy(s, v, k * sizeof(*s));
	qsort(s, k, sizeof(*s), cmp_double);
	return !k ? NAN : k & 1 ? s[k / 2] : (s[k / 2 - 1] + s[k / 2]) / 2;
}

/* One more timed run of @l, of about @ms (the first one calibrates). */
static void sample(struct loop *l, double ms)
{
	if (!l->n) {
		run_once(l, 64);
		l->n = (uint64_t)(ms * 1e6 / fmax(run_once(l, 4096), 0.01));
		l->n = l->n < 1024 ? 1024 : l->n;
	}
	if (l->k < ROUNDS)
		l->ns[l->k++] = run_once(l, l->n);
}

static double net_ns(const struct loop *l)
{
	return median(l->ns, l->k) - (l->base ? median(l->base->ns, l->base->k) : 0);
}

struct worker {
	pthread_barrier_t go;
	struct loop *l;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;

	pthread_barrier_wait(&w->go);
	w->l->fn(w->l->n);
	return NULL;
}

/* Wall ns of @threads threads running @l each, at once. */
static double threads_ns(struct loop *l, unsigned threads)
{
	struct worker w = { .l = l };
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
 * @rounds of every loop in turn; then two threads' throughput over twice
 * one's (1: neither slows the other) for every loop of the two-thread
 * rows, of about @mt_ms: the median of @mt_runs each paired with a
 * one-thread run just before, the loops taking turns.
 */
static void time_loops(unsigned rounds, double ms, unsigned mt_runs, double mt_ms)
{
	double eff[4][ROUNDS];
	struct loop *l[4];
	unsigned nl = 0, k, r;

	while (rounds--)
		for (k = 0; k < nloops; k++)
			sample(loops[k], ms);
	for (size_t i = 0; i < NROWS && nl < 3; i++)
		if (rows[i].flags & MT) {
			if (rows[i].tl)
				l[nl++] = rows[i].tl;
			l[nl++] = rows[i].anchor;
		}
	for (k = 0; k < nl; k++) {	/* the timed runs are over: n is free */
		sample(l[k], mt_ms);
		l[k]->n = (uint64_t)(mt_ms * 1e6 / fmax(median(l[k]->ns, l[k]->k), 0.01));
	}
	for (r = 0; r < mt_runs; r++)
		for (k = 0; k < nl; k++)
			eff[k][r] = threads_ns(l[k], 1) / threads_ns(l[k], 2);
	for (k = 0; k < nl; k++)
		l[k]->eff = median(eff[k], mt_runs);
}

/* Under callgrind: @l over N and 2N iterations, each dump named "id N". */
static void cg_loop(struct loop *l)
{
	const uint64_t n = 2048;	/* a multiple of every cycle */
	char name[64];

	run_once(l, n);
	for (unsigned k = 0; k < 2; k++) {
		snprintf(name, sizeof(name), "%s %llu", l->id,
			 (unsigned long long)n << k);
		tl_switch(l->task);
		CALLGRIND_ZERO_STATS;
		l->fn(n << k);
		CALLGRIND_DUMP_STATS_AT(name);
	}
}

static void put(double x)
{
	isnan(x) ? printf("\t") : printf("\t%.6g", x);
}

/* Net instructions and ns of @l in row @r (ns with the loop if GROSS). */
static void put_loop(const struct row *r, const struct loop *l)
{
	put(l ? l->ir - (l->base ? l->base->ir : 0) : NAN);
	put(!l ? NAN : r->flags & GROSS ? median(l->ns, l->k) : net_ns(l));
}

/*
 * A line for tools/bench.awk per row, tab-separated: build, row, what, the
 * anchor's what, the build it is judged in, target, plain words; then the
 * figures of put_loop() for the tasklocal loop and for the anchor, the
 * tasklocal loop's heap calls per operation, the two-thread efficiencies,
 * bytes (an empty field: not measured).
 */
static void print_rows(const char *build)
{
	for (size_t i = 0; i < NROWS; i++) {
		const struct row *r = &rows[i];
		bool mt = r->flags & MT;

		printf("%s\t%s\t%s\t%s\t%s\t%s\t%s", build, r->id, r->what,
		       r->anchor ? r->anchor->what : "", r->in ?: "static",
		       r->target ?: "", r->plain ?: "");
		put_loop(r, r->tl);
		put_loop(r, r->anchor);
		put(r->tl ? r->tl->heap / r->tl->iters : NAN);
		put(mt && r->tl ? r->tl->eff : NAN);
		put(mt ? r->anchor->eff : NAN);
		put(r->bytes ? r->bytes() : NAN);
		putchar('\n');
	}
}

/* @tasks tasks of @values values each (none: free the last ones), and
 * the same values in an array in each task. */
static int scaling_tasks(unsigned tasks, unsigned values)
{
	int err = 0;

	for (uint64_t t = 0; sc_tasks && t < ntasks; t++)
		tl_task_exit(&sc_tasks[t]);
	free(sc_tasks);
	free(sc_array);
	sc_tasks = NULL;
	ntasks = 1;
	if (!tasks)
		return 0;
	sc_tasks = calloc(tasks, sizeof(*sc_tasks));
	sc_array = calloc((size_t)tasks * values, sizeof(*sc_array));
	if (!sc_tasks || !sc_array || !values || values > NL)
		return -ENOMEM;
	stride = 7919 % tasks;	/* a prime: every task once per round */
	for (ntasks = tasks, nvalues = values; tasks-- && !err;) {
		err = task_fill(&sc_tasks[tasks], NULL, values);
		for (unsigned v = 0; v < values; v++)
			sc_array[(size_t)tasks * values + v] = &L[v];
	}
	return err;
}

/*
 * Switch to the next task and read its value at the tail, with tasklocal
 * and from an array in each task (the memory's own cost), and glibc's
 * pthread_getspecific beside: against tasks alive (3 values) and against
 * values per task (16 tasks).
 */
static int scaling(void)
{
	static const unsigned tasks[] = { 1, 2, 3, 4, 6, 10, 30, 100, 300, 1000,
					  3000, 10000, 30000, 100000 };
	const unsigned nt = sizeof(tasks) / sizeof(tasks[0]);
	struct loop *l[] = { &t_sc, &array_sc, &pgs1 };

	printf("sweep,x,tasklocal,array in each task,pthread_getspecific\n");
	for (unsigned k = 0; k < nt + 11; k++) {
		unsigned x = k < nt ? tasks[k] : 1u << (k - nt);

		if (scaling_tasks(k < nt ? x : 16, k < nt ? 3 : x))
			return 1;
		printf("%s,%u", k < nt ? "tasks" : "values", x);
		for (unsigned j = 0; j < 3; j++) {
			/* Every run visits every task, four times. */
			l[j]->n = l[j]->base->n = x < 16384 ? 65536 : 4 * x;
			l[j]->k = l[j]->base->k = 0;
			for (unsigned r = 0; r < 9; r++) {
				sample(l[j], 0);
				sample(l[j]->base, 0);
			}
			printf(",%.3f", net_ns(l[j]));
		}
		putchar('\n');
	}
	return scaling_tasks(0, 0);
}

/* Whether the counter sees a malloc and a free called here. */
static bool heap_counted(void)
{
	unsigned long h = heap_calls;
	void *volatile p = malloc(16);

	/* gcc takes them for glibc's: a pair that can go, touching nothing */
	free(p);
	BARRIER();
	return heap_calls - h == 2;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	bool measure = argc > 2 && !strcmp(mode, "measure");
	FILE *f = measure && argc > 3 ? fopen(argv[3], "r") : NULL;
	char id[32];
	double ir;
	int err;

	if (measure && argc > 3 && !f) {
		perror(argv[3]);
		return 1;
	}
	if ((err = bench_init()) || !heap_counted()) {
		fprintf(stderr, "bench: set-up failed: %s\n", err ? tl_strerror(err) :
			"the heap counter missed calls");
		return 1;
	}
	if (!strcmp(mode, "scaling"))
		return scaling();
	for (size_t i = 0; i < NROWS; i++) {
		add_loop(rows[i].tl);
		add_loop(rows[i].anchor);
	}
	if (!strcmp(mode, "cg")) {
		for (unsigned k = 0; k < nloops; k++)
			cg_loop(loops[k]);
		return 0;
	}
	/* tools/bench.sh: a "loop instructions" line per loop */
	while (f && fscanf(f, "%31s %lf", id, &ir) == 2)
		for (unsigned k = 0; k < nloops; k++)
			if (!strcmp(id, loops[k]->id))
				loops[k]->ir = ir;
	if (measure) {
		time_loops(ROUNDS, 2.0, 15, 10.0);
	} else if (!strcmp(mode, "smoke")) {
		time_loops(1, 0.01, 1, 0.1);
	} else {
		fprintf(stderr, "usage: bench measure BUILD [INSTR] | smoke | cg | "
			"scaling\n");
		return 2;
	}
	print_rows(measure ? argv[2] : mode);
	return 0;
}
