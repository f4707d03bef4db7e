// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * tools/bench.c - the benchmark: its rows, the state they run in and
 * their loops, and the harness that times them, counts their heap calls,
 * and judges every row by its DESIGN.md target.  A loop is n iterations of
 * one operation, with the empty loop of the same shape that is subtracted
 * from it; a row sets a tasklocal loop against its anchor in this same
 * binary (glibc, the compiler, or a hand-rolled table) with the DESIGN.md
 * target it is judged by.
 *
 * ns per operation: the median of timed runs minus the median of the
 * empty loop of the same shape, the loops taking turns so that a slow
 * phase of the machine hits them alike.  Instructions:
 * callgrind (tools/bench.sh) counts each loop over N and over 2N
 * iterations, (I(2N) - I(N)) / N, so that set-up and warm-up cancel, minus
 * the same for its empty loop.  Two-thread efficiency: the wall time of a
 * thread running n iterations over that of two threads running n each.
 *
 *   bench measure BUILD INSTR         a CSV line of figures per row, the
 *                                     instructions read from INSTR
 *   bench cg                          the loops under tools/bench.sh
 *   bench judge OUT IN...             the table of the CSV files IN, and
 *                                     OUT; exits 1 when a target is missed
 *   bench summary | smoke | scaling
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

/*
 * Each iteration starts as a fresh call site: the barrier makes the
 * compiler load again whatever the operation reads; USE keeps a result
 * alive.  Neither emits an instruction.  j visits tasks 0 .. ntasks - 1 for
 * the scaling sweep, each once per round but in a scattered order (a
 * stride prime to their number), as an event loop wakes them, so that the
 * hardware prefetcher does not hide the memory; other loops leave j dead.
 */
#define BARRIER()	__asm__ volatile("" ::: "memory")
#define USE(x)		__asm__ volatile("" :: "r"(x))
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
		.fn = name##_loop, .base = base_, .task = task_, .ir = NAN, .eff = NAN }

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

/* Empty loops: the shape of the loops below, without their operation. */
LOOP(e_one, NULL, NULL, NULL, (void)0);
LOOP(e_l8, NULL, NULL, NULL, USE(&L[i & 7]));
LOOP(e_l64, NULL, NULL, NULL, USE(&L[i & 63]));
LOOP(e_l1024, NULL, NULL, NULL, USE(&L[i & 1023]));
LOOP(e_k8, NULL, NULL, NULL, USE(K[i & 7]));
LOOP(e_k64, NULL, NULL, NULL, USE(K[i & 63]));
LOOP(e_kring, NULL, NULL, NULL, USE(kring[i & 1023]));
LOOP(e_pair3, NULL, NULL, NULL, USE(&pair3[i & 1]));
LOOP(e_pair64, NULL, NULL, NULL, USE(&pair64[i & 1]));
LOOP(e_c128, NULL, NULL, NULL, USE(&L[(i & 1) * 128]));
LOOP(e_c64, NULL, NULL, NULL, USE(&L[(i & 1) * 64]));
LOOP(e_ring, NULL, NULL, NULL, USE(&ring[i & 7]));
LOOP(e_uh_ring, NULL, NULL, NULL, USE(&uh_ring[i & 7]));
LOOP(e_sc, NULL, NULL, NULL, USE(&sc_tasks[j]));

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

#define HOT	.flags = ROW_HOT
static const struct row bench_rows[] = {
	{ "mru", "tl_get, same local again", "read a value (the same one again)",
	  .tl = &t_mru, .anchor = &pgs1, .flags = ROW_HOT | ROW_SUMMARY,
	  .max_ir = 0.5, .max_ns = 1.0 },
	{ "mru_tls", "tl_get, same local (loop incl.)", .tl = &t_mru,
	  .anchor = &tls_read, .flags = ROW_GROSS, .max_ns = 3.0 },
	{ "cyc8", "tl_get cycling over 8 values", .tl = &t_cyc8, .anchor = &pgs8,
	  HOT, .max_ir = 1.0 },
	{ "cyc64", "tl_get cycling over 64 values", .tl = &t_cyc64,
	  .anchor = &pgs64, HOT, .max_ir = 1.0 },
	{ "sw3", "tl_switch + tl_get, 2 tasks x 3 values",
	  "switch to another task, then read", .tl = &t_sw3, .anchor = &pgs1,
	  .flags = ROW_HOT | ROW_SUMMARY, .max_ir = 1.0 },
	{ "sw64", "the same, local at the tail of 64", .tl = &t_sw64,
	  .anchor = &pgs1, HOT, .max_ir = 1.0 },
	{ "sched", "tl_get, struct tl_sched local",
	  "read, one of several schedulers per thread", .tl = &t_sched,
	  .anchor = &pgs1, .flags = ROW_HOT | ROW_SUMMARY, .max_ir = 1.0 },
	{ "custom", "tl_get, custom discriminator", .tl = &t_custom,
	  .anchor = &pgs1, HOT, .max_ir = 1.0 },
	{ "coll128", "2 locals 128 indices apart, in turn", .tl = &t_c128,
	  .anchor = &pgs1, HOT, .max_ir = 1.0 },
	{ "coll64", "2 locals 64 indices apart, in turn", .tl = &t_c64,
	  .anchor = &pgs1, HOT, .max_ir = 1.0 },
	{ "getspecific", "tl_getspecific", .tl = &t_gs, .anchor = &pgs1, HOT,
	  .max_ir = 1.0 },
	{ "none", "tl_get, no value (8 others set)", "read a value the task never set",
	  .tl = &t_none, .anchor = &pgs_unset, .flags = ROW_HOT | ROW_SUMMARY,
	  .max_ir = 1.0 },
	{ "cyc1024", "tl_get cycling over 1024 values", .in = "wide",
	  .tl = &t_cyc1024, .anchor = &pgs_all, HOT, .max_ir = 2.0 },
	{ "set", "tl_set of an existing value", "overwrite a value", .tl = &t_set1,
	  .anchor = &pss1, .flags = ROW_HOT | ROW_SUMMARY, .max_ir = 1.0,
	  .max_ns = 1.0 },
	{ "switch", "tl_switch alone", .tl = &t_sw, HOT, .max_abs = 3 },
	{ "churn", "task: init,switch,3 set,3 get,exit",
	  "short task: start, set 3, read 3, end", .tl = &t_churn,
	  .anchor = &uh_churn, .flags = ROW_SUMMARY, .max_ir = 0.4 },
	{ "empty_task", "empty task: init, switch, exit", .tl = &t_empty, HOT,
	  .max_abs = 20 },
	{ "mt", "2 threads churning: efficiency",
	  "2 threads at once (1.00: twice one's speed)", .tl = &t_churn,
	  .anchor = &pk_churn, .flags = ROW_MT | ROW_SUMMARY, .min_eff = 0.9 },
	{ "mt_uthash", "2 threads churning, uthash (control)", .anchor = &uh_churn,
	  .flags = ROW_MT },
	{ "scope", "scope enter + tl_get + exit", .tl = &t_scope,
	  .anchor = &pk_scope, HOT, .max_ir = 1.0 },
	{ "bind", "task: init,switch,tl_bind,exit", .tl = &t_bind, .anchor = &pss1,
	  HOT },
	{ "mem_thread", "per-thread memory", .in = "shared",
	  .bytes = thread_bytes, .max_abs = 4096 },
	{ "mem_slot", "bytes per slot", .bytes = slot_bytes,
	  .max_abs = sizeof(void *) == 8 ? 32 : 20 },
};
static const size_t bench_nrows = sizeof(bench_rows) / sizeof(bench_rows[0]);

/* @t gets the values of L[idx[0 .. n - 1]], the last one first. */
static int task_fill(struct tl_node *t, const unsigned *idx, unsigned n)
{
	int err = 0;

	tl_task_init(t);
	tl_switch(t);
	while (n-- && !err)
		err = tl_set(&L[idx[n]], &L[idx[n]]);
	tl_switch(NULL);
	return err;
}

static unsigned seq[NL];	/* 0, 1, 2 ... */

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

	for (j = 0; j < NL && !err; j++) {
		seq[j] = j;
		err = tl_local_register(&L[j]);
	}
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
	if (nk < 64 || (err = task_fill(&t8, seq, 8)) ||
	    (err = task_fill(&t64, seq, 64)) || (err = task_fill(&t1024, seq, NL)) ||
	    (err = task_fill(&collide, apart, 3)) ||
	    (err = task_fill(&pair3[0], seq, 3)) || (err = task_fill(&pair3[1], seq, 3)) ||
	    (err = task_fill(&pair64[0], seq, 64)) ||
	    (err = task_fill(&pair64[1], seq, 64)) ||
	    (err = tl_set(&sched_local, &sched_local)) ||
	    (err = tl_set(&custom_local, &custom_local)))
		return err ? err : -EAGAIN;
	tl_switch(&t8);
	if ((err = -tl_setspecific(tkey, &tkey)))
		return err;
	return state_ok() ? 0 : -EINVAL;
}

static void bench_scaling_free(void)
{
	for (uint64_t t = 0; sc_tasks && t < ntasks; t++)
		tl_task_exit(&sc_tasks[t]);
	free(sc_tasks);
	free(sc_array);
	sc_tasks = NULL;
	ntasks = 1;
}

/*
 * @tasks tasks of @values values each; @loops: switch to the next task and
 * read its value at the tail, with tasklocal and from an array in each
 * task (the memory's own cost), and glibc's pthread_getspecific beside.
 */
static int bench_scaling_point(unsigned tasks, unsigned values, struct loop **loops)
{
	int err = 0;

	bench_scaling_free();
	sc_tasks = calloc(tasks, sizeof(*sc_tasks));
	sc_array = calloc((size_t)tasks * values, sizeof(*sc_array));
	if (!sc_tasks || !sc_array || !values || values > NL)
		return -ENOMEM;
	stride = 7919 % tasks;	/* a prime: every task once per round */
	for (ntasks = tasks, nvalues = values; tasks-- && !err;) {
		err = task_fill(&sc_tasks[tasks], seq, values);
		for (unsigned v = 0; v < values; v++)
			sc_array[(size_t)tasks * values + v] = &L[v];
	}
	loops[0] = &t_sc;
	loops[1] = &array_sc;
	loops[2] = &pgs1;
	return err;
}

/* ---------------------------------------------------------- the harness */

static unsigned opt_flags;	/* only rows with one of these flags */

static bool selected(const struct row *r)
{
	return !opt_flags || (r->flags & opt_flags);
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
	void *volatile p = malloc(16);
	int fails = 0;

	/* gcc takes them for glibc's: a pair that can go, touching nothing */
	free(p);
	BARRIER();
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
	const char *mode = argc > 1 ? argv[1] : "";
	FILE *f = NULL;
	int err;

	if (!strcmp(mode, "judge"))
		return judge(argc - 2, argv + 2);
	if (!strcmp(mode, "measure") && argc >= 4 && !(f = fopen(argv[3], "r")))
		perror(argv[3]);
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
		fprintf(stderr, "usage: bench measure BUILD INSTR | cg | "
			"judge OUT IN... | summary | smoke | scaling\n");
		return 2;
	}
	each_loop(set_ir, f);
	fclose(f);
	time_rows(BENCH_ROUNDS, 2.0, 15, 10.0);
	print_figs(argv[2]);
	return 0;
}
