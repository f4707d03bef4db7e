// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * tools/bench-rows.c - the benchmark's rows: the state they run in, their
 * loops, and the table that sets each tasklocal loop against its anchor in
 * this same binary, with the DESIGN.md target it must meet.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include "bench.h"
#include "tasklocal/posix.h"

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
#ifdef BENCH_HAVE_SCOPES
LOOP(t_scope, NULL, &e_one, &t8, struct tl_scope s;
     USE(tl_scope_enter(&s, &L[0], &s)); USE(tl_get(&L[0]));
     USE(tl_scope_exit(&s)));
LOOP(pk_scope, "getspecific + 2 setspecific", &e_one, NULL,
     void *old = pthread_getspecific(K[0]);
     USE(pthread_setspecific(K[0], &old)); USE(pthread_setspecific(K[0], old)));
#endif
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
const struct row bench_rows[] = {
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
#ifdef BENCH_HAVE_SCOPES
	{ "scope", "scope enter + tl_get + exit", .tl = &t_scope,
	  .anchor = &pk_scope, HOT, .max_ir = 1.0 },
#endif
	{ "bind", "task: init,switch,tl_bind,exit", .tl = &t_bind, .anchor = &pss1,
	  HOT },
	{ "mem_thread", "per-thread memory", .in = "shared",
	  .bytes = thread_bytes, .max_abs = 4096 },
	{ "mem_slot", "bytes per slot", .bytes = slot_bytes,
	  .max_abs = sizeof(void *) == 8 ? 32 : 20 },
};
const size_t bench_nrows = sizeof(bench_rows) / sizeof(bench_rows[0]);

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

int bench_init(void)
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

void bench_scaling_free(void)
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
int bench_scaling_point(unsigned tasks, unsigned values, struct loop **loops)
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
