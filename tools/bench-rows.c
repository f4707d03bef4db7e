// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * tools/bench-rows.c - the benchmark's rows and the state they run in.
 *
 * A row is a loop of n iterations of one operation.  Its empty loop has the
 * same shape (the same address computed, the same task switched to) without
 * the operation, so that subtracting it leaves the operation alone.  The
 * locals used by the rows are registered once, first, and stay registered:
 * their registry indices are consecutive, which is what the cache maps.
 *
 * Values are the address of their own local, so a check needs no table.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define NLOCALS		1024
#define NFRESH		(1u << 16)	/* tasks for the rows that use one per iteration */
#define NRIDX		4096		/* ring of random indices */
#define NKEYS		64
#define NTASKS		11		/* tasks holding 1, 2, 4 ... 1024 values */
#define TYPED_SIZE	64

/* ------------------------------------------------------------- state */

static struct tl_local locals[NLOCALS];		/* pointer locals, no destructor */
static struct tl_local fresh_local = TL_LOCAL(.name = "bench.fresh");
static struct tl_local typed_local = TL_LOCAL(.name = "bench.typed",
					      .size = TYPED_SIZE);

static struct tl_sched sched;
static struct tl_local sched_local = TL_LOCAL(.name = "bench.sched",
					      .disc = &sched.disc);
static struct tl_node sched_task;

/* A user discriminator: "current" is whatever the application says. */
struct session_table {
	struct tl_discriminator disc;
	struct tl_node *active;
};

static struct tl_node *session_current(struct tl_discriminator *disc)
{
	return tl_container_of(disc, struct session_table, disc)->active;
}

static struct session_table sessions = { { session_current }, NULL };
static struct tl_local disc_local = TL_LOCAL(.name = "bench.disc",
					     .disc = &sessions.disc);
static struct tl_node session_task;

/*
 * The values of locals[0 .. 7] and of locals[CONFLICT]: in the default
 * configuration locals[0] and locals[CONFLICT] share a cache entry (their
 * indices are TL_CACHE_SIZE apart) and push each other out.
 */
#define CONFLICT	128
static struct tl_node conflict_task;

/* tasks[i] holds the values of locals[0 .. 2^i - 1], created on first use */
static struct tl_node tasks[NTASKS];
static bool task_made[NTASKS];

static struct tl_node fresh[NFRESH];
static struct tl_slot bind_slots[NFRESH];
static _Alignas(max_align_t) char pool_buf[NFRESH * sizeof(struct tl_slot) + 64];
static struct tl_pool pool;

static uint16_t ridx[NRIDX];

static pthread_key_t keys[NKEYS];

/* The compiler's own thread-local storage, and the classic task array. */
static __thread void *tls_var;
struct plain_task {
	void *tls[64];
};
static struct plain_task plain_task;
static __thread struct plain_task *current_plain;

/* A ring of glibc keys for the scaling sweep: ring[j] = key j % distinct. */
static pthread_key_t ring[NLOCALS];

/* Extra locals and keys: present, never used by the loop measured. */
static struct tl_local *extra;
static char (*extra_names)[24];
static unsigned extra_count, extra_cap;
static pthread_key_t *extra_keys;
static unsigned extra_nkeys;

static unsigned ilog2(unsigned v)
{
	unsigned i = 0;

	while (v >>= 1)
		i++;
	return i;
}

/* The task holding the values of the first @v locals (@v a power of two). */
static struct tl_node *task_with(unsigned v)
{
	unsigned i = ilog2(v), j;
	struct tl_node *prev;

	if (i >= NTASKS)
		return NULL;
	if (!task_made[i]) {
		tl_task_init(&tasks[i]);
		prev = tl_switch(&tasks[i]);
		for (j = 0; j < 1u << i; j++)
			if (tl_set(&locals[j], &locals[j]))
				return NULL;
		tl_switch(prev);
		task_made[i] = true;
	}
	return &tasks[i];
}

int bench_init(void)
{
	unsigned j;
	int err;

	/* Registered first, in order: indices 1 .. NLOCALS. */
	for (j = 0; j < NLOCALS; j++) {
		err = tl_local_register(&locals[j]);
		if (err)
			return err;
	}
	if ((err = tl_local_register(&fresh_local)) ||
	    (err = tl_local_register(&typed_local)))
		return err;

	tl_sched_init(&sched);
	tl_task_init(&sched_task);
	tl_sched_switch(&sched, &sched_task);
	if ((err = tl_set(&sched_local, &sched_local)))
		return err;
	tl_task_init(&session_task);
	sessions.active = &session_task;
	if ((err = tl_set(&disc_local, &disc_local)))
		return err;

	tl_task_init(&conflict_task);
	tl_switch(&conflict_task);
	for (j = 1; j < 8; j++)
		if ((err = tl_set(&locals[j], &locals[j])))
			return err;
	if ((err = tl_set(&locals[0], &locals[0])) ||
	    (err = tl_set(&locals[CONFLICT], &locals[CONFLICT])))
		return err;

	/* Typed storage of the 8-value task, created before any loop. */
	tl_switch(task_with(8));
	if (!tl_this(&typed_local))
		return -ENOMEM;
	tl_switch(NULL);

	for (j = 0; j < NKEYS; j++) {
		if ((err = pthread_key_create(&keys[j], NULL)))
			return -err;
		if ((err = pthread_setspecific(keys[j], &keys[j])))
			return -err;
	}
	current_plain = &plain_task;
	plain_task.tls[5] = &plain_task;
	return 0;
}

/* Register @count locals with names, as an application with many would. */
int bench_register_extra(unsigned count)
{
	unsigned j;
	int err;

	if (count > extra_cap) {
		free(extra);
		free(extra_names);
		extra = calloc(count, sizeof(*extra));
		extra_names = calloc(count, sizeof(*extra_names));
		extra_cap = extra && extra_names ? count : 0;
		if (!extra_cap)
			return -ENOMEM;
		for (j = 0; j < count; j++)
			snprintf(extra_names[j], sizeof(extra_names[j]), "extra.%u", j);
	}
	for (j = 0; j < count; j++) {
		memset(&extra[j], 0, sizeof(extra[j]));
		extra[j].name = extra_names[j];
		err = tl_local_register(&extra[j]);
		if (err) {
			extra_count = j;
			bench_unregister_extra();
			return err;
		}
	}
	extra_count = count;
	return 0;
}

void bench_unregister_extra(void)
{
	while (extra_count)
		tl_local_unregister(&extra[--extra_count]);
}

/* Create up to @count more glibc keys; returns how many could be. */
int bench_keys_extra(unsigned count)
{
	bench_keys_extra_delete();
	extra_keys = calloc(count ? count : 1, sizeof(*extra_keys));
	if (!extra_keys)
		return -ENOMEM;
	while (extra_nkeys < count &&
	       !pthread_key_create(&extra_keys[extra_nkeys], NULL)) {
		pthread_setspecific(extra_keys[extra_nkeys],
				    &extra_keys[extra_nkeys]);
		extra_nkeys++;
	}
	return (int)extra_nkeys;
}

/*
 * Fill the ring with @count distinct keys (the row keys first, then extra
 * ones); glibc has PTHREAD_KEYS_MAX in all.  Returns how many are distinct.
 */
int bench_key_ring(unsigned count)
{
	unsigned j, distinct;
	int made = 0;

	if (count > NLOCALS)
		count = NLOCALS;
	if (count > NKEYS)
		made = bench_keys_extra(count - NKEYS);
	if (made < 0)
		return made;
	distinct = count > NKEYS ? NKEYS + (unsigned)made : count;
	for (j = 0; j < NLOCALS; j++) {
		unsigned d = j % distinct;

		ring[j] = d < NKEYS ? keys[d] : extra_keys[d - NKEYS];
	}
	return (int)distinct;
}

void bench_keys_extra_delete(void)
{
	while (extra_nkeys)
		pthread_key_delete(extra_keys[--extra_nkeys]);
	free(extra_keys);
	extra_keys = NULL;
}

/* ------------------------------------------------------- set-up steps */

/* Run in the task holding the row's values. */
static int setup_task(const struct bench_row *r, uint64_t n)
{
	struct tl_node *t = task_with(r->v ? r->v : r->k);

	(void)n;
	if (!t)
		return -ENOMEM;
	tl_switch(t);
	return 0;
}

static int setup_conflict(const struct bench_row *r, uint64_t n)
{
	(void)r;
	(void)n;
	tl_switch(&conflict_task);
	return 0;
}

static void teardown_task(const struct bench_row *r, uint64_t n)
{
	(void)r;
	(void)n;
	tl_switch(NULL);
}

/* A ring of random indices below @k, the same for every run. */
static int setup_random(const struct bench_row *r, uint64_t n)
{
	uint32_t x = 2463534242u;
	unsigned j;

	for (j = 0; j < NRIDX; j++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		ridx[j] = (uint16_t)(x % r->k);
	}
	return setup_task(r, n);
}

/* @n empty tasks; a pool with a block for each, if the row takes from one. */
static int setup_fresh(const struct bench_row *r, uint64_t n)
{
	uint64_t j;
	int err;

	if (n > NFRESH)
		return -EINVAL;
	for (j = 0; j < n; j++)
		tl_task_init(&fresh[j]);
	if (r->flags & ROW_POOL) {
		err = tl_pool_init(&pool, pool_buf, sizeof(pool_buf),
				   sizeof(struct tl_slot));
		if (!err)
			err = tl_pool_attach(&pool);
		if (err)
			return err;
	}
	return 0;
}

static void teardown_fresh(const struct bench_row *r, uint64_t n)
{
	uint64_t j;

	tl_switch(NULL);
	for (j = 0; j < n; j++)
		tl_task_exit(&fresh[j]);
	if (r->flags & ROW_POOL)
		tl_pool_attach(NULL);
}

/* @n tasks holding @v values each (slots from malloc), to be exited. */
static int setup_exit(const struct bench_row *r, uint64_t n)
{
	uint64_t j;
	unsigned v;
	int err;

	if (n > NFRESH)
		return -EINVAL;
	if (r->flags & ROW_EXTRA) {
		err = bench_register_extra(BENCH_EXTRA);
		if (err)
			return err;
	}
	for (j = 0; j < n; j++) {
		tl_task_init(&fresh[j]);
		tl_switch(&fresh[j]);
		for (v = 0; v < r->v; v++) {
			err = tl_set(&locals[v], &locals[v]);
			if (err)
				return err;
		}
	}
	tl_switch(NULL);
	return 0;
}

static void teardown_exit(const struct bench_row *r, uint64_t n)
{
	uint64_t j;

	/* Nothing left after a full run; after a failed one, tidy up. */
	for (j = 0; j < n; j++)
		tl_task_exit(&fresh[j]);
	if (r->flags & ROW_EXTRA)
		bench_unregister_extra();
}

static int setup_plain(const struct bench_row *r, uint64_t n)
{
	(void)r;
	(void)n;
	current_plain = &plain_task;
	return 0;
}

/* ------------------------------------------------------------- loops */

#define LOOP(n, body)						\
	do {							\
		for (uint64_t i = 0; i < (n); i++) {		\
			BENCH_BARRIER();			\
			body;					\
		}						\
	} while (0)

/* The mask of a cycle over @k things; 0 means all (no wrap). */
static uint64_t mask_of(const struct bench_row *r)
{
	return (uint64_t)r->k - 1;
}

static void base_const(const struct bench_row *r, uint64_t n)
{
	(void)r;
	LOOP(n, (void)0);
}

static void base_locals(const struct bench_row *r, uint64_t n)
{
	uint64_t m = mask_of(r);

	LOOP(n, BENCH_USE(&locals[i & m]));
}

static void base_random(const struct bench_row *r, uint64_t n)
{
	(void)r;
	LOOP(n, BENCH_USE(&locals[ridx[i & (NRIDX - 1)]]));
}

static void base_tasks(const struct bench_row *r, uint64_t n)
{
	uint64_t m = mask_of(r);

	LOOP(n, BENCH_USE(&fresh[i & m]));
}

static void base_keys(const struct bench_row *r, uint64_t n)
{
	uint64_t m = mask_of(r);

	LOOP(n, BENCH_USE(keys[i & m]));
}

static void get_first(const struct bench_row *r, uint64_t n)
{
	(void)r;
	LOOP(n, BENCH_USE(tl_get(&locals[0])));
}

static void get_cycle(const struct bench_row *r, uint64_t n)
{
	uint64_t m = mask_of(r);

	LOOP(n, BENCH_USE(tl_get(&locals[i & m])));
}

static void get_random(const struct bench_row *r, uint64_t n)
{
	(void)r;
	LOOP(n, BENCH_USE(tl_get(&locals[ridx[i & (NRIDX - 1)]])));
}

/* locals[0] and locals[CONFLICT] in turn */
static void base_conflict(const struct bench_row *r, uint64_t n)
{
	(void)r;
	LOOP(n, BENCH_USE(&locals[(i & 1) * CONFLICT]));
}

static void get_conflict(const struct bench_row *r, uint64_t n)
{
	(void)r;
	LOOP(n, BENCH_USE(tl_get(&locals[(i & 1) * CONFLICT])));
}

static void get_sched(const struct bench_row *r, uint64_t n)
{
	(void)r;
	LOOP(n, BENCH_USE(tl_get(&sched_local)));
}

static void get_disc(const struct bench_row *r, uint64_t n)
{
	(void)r;
	LOOP(n, BENCH_USE(tl_get(&disc_local)));
}

static void get_unset(const struct bench_row *r, uint64_t n)
{
	(void)r;
	LOOP(n, BENCH_USE(tl_get(&locals[NLOCALS - 1])));
}

static void set_existing(const struct bench_row *r, uint64_t n)
{
	(void)r;
	LOOP(n, BENCH_USE(tl_set(&locals[0], &locals[0])));
}

static void this_existing(const struct bench_row *r, uint64_t n)
{
	(void)r;
	LOOP(n, BENCH_USE(tl_this(&typed_local)));
}

static void switch_tasks(const struct bench_row *r, uint64_t n)
{
	uint64_t m = mask_of(r);

	LOOP(n, BENCH_USE(tl_switch(&fresh[i & m])));
}

static void set_first(const struct bench_row *r, uint64_t n)
{
	uint64_t m = mask_of(r);

	LOOP(n, tl_switch(&fresh[i & m]);
		BENCH_USE(tl_set(&fresh_local, &fresh_local)));
}

static void bind_first(const struct bench_row *r, uint64_t n)
{
	uint64_t m = mask_of(r);

	LOOP(n, tl_switch(&fresh[i & m]);
		BENCH_USE(tl_bind(&fresh_local, &bind_slots[i & m], &fresh_local)));
}

static void task_exit(const struct bench_row *r, uint64_t n)
{
	uint64_t m = mask_of(r);

	LOOP(n, tl_task_exit(&fresh[i & m]));
}

static void tls_read(const struct bench_row *r, uint64_t n)
{
	(void)r;
	LOOP(n, BENCH_USE(tls_var));
}

static void tls_write(const struct bench_row *r, uint64_t n)
{
	(void)r;
	LOOP(n, tls_var = (void *)(uintptr_t)i);
}

static void plain_read(const struct bench_row *r, uint64_t n)
{
	(void)r;
	LOOP(n, BENCH_USE(current_plain->tls[5]));
}

static void pgs_one(const struct bench_row *r, uint64_t n)
{
	(void)r;
	LOOP(n, BENCH_USE(pthread_getspecific(keys[0])));
}

static void pgs_cycle(const struct bench_row *r, uint64_t n)
{
	uint64_t m = mask_of(r);

	LOOP(n, BENCH_USE(pthread_getspecific(keys[i & m])));
}

static void pgs_ring(const struct bench_row *r, uint64_t n)
{
	uint64_t m = mask_of(r);

	LOOP(n, BENCH_USE(pthread_getspecific(ring[i & m])));
}

static void base_ring(const struct bench_row *r, uint64_t n)
{
	uint64_t m = mask_of(r);

	LOOP(n, BENCH_USE(ring[i & m]));
}

static void pss_one(const struct bench_row *r, uint64_t n)
{
	(void)r;
	LOOP(n, BENCH_USE(pthread_setspecific(keys[0], &keys[0])));
}

static void pss_cycle(const struct bench_row *r, uint64_t n)
{
	uint64_t m = mask_of(r);

	LOOP(n, BENCH_USE(pthread_setspecific(keys[i & m], &keys[i & m])));
}

/*
 * Call-site rows: the operation alone in a function of its own, called
 * once per iteration, so that what a loop lets the compiler hoist (the
 * thread pointer, the TLS offset, the address of the cache) is paid each
 * time, as in a function that uses a local once.  The empty function of
 * the same signature is subtracted: call and return cancel out.
 */
#define CALL_SITE __attribute__((noinline))

static CALL_SITE void cs_nothing(void)
{
	BENCH_BARRIER();
}

static CALL_SITE void cs_nothing_at(uint64_t j)
{
	BENCH_BARRIER();
	BENCH_USE(&locals[j]);
}

static CALL_SITE void cs_get_first(void)
{
	BENCH_BARRIER();
	BENCH_USE(tl_get(&locals[0]));
}

static CALL_SITE void cs_get_at(uint64_t j)
{
	BENCH_BARRIER();
	BENCH_USE(tl_get(&locals[j]));
}

static CALL_SITE void cs_set_first(void)
{
	BENCH_BARRIER();
	BENCH_USE(tl_set(&locals[0], &locals[0]));
}

static CALL_SITE void cs_switch_to(uint64_t j)
{
	BENCH_BARRIER();
	BENCH_USE(tl_switch(&fresh[j]));
}

static CALL_SITE void cs_tls_read(void)
{
	BENCH_BARRIER();
	BENCH_USE(tls_var);
}

static CALL_SITE void cs_pgs_one(void)
{
	BENCH_BARRIER();
	BENCH_USE(pthread_getspecific(keys[0]));
}

static CALL_SITE void cs_pss_one(void)
{
	BENCH_BARRIER();
	BENCH_USE(pthread_setspecific(keys[0], &keys[0]));
}

static void cs_base(const struct bench_row *r, uint64_t n)
{
	(void)r;
	LOOP(n, cs_nothing());
}

static void cs_base_at(const struct bench_row *r, uint64_t n)
{
	uint64_t m = mask_of(r);

	LOOP(n, cs_nothing_at(i & m));
}

static void cs_get_mru(const struct bench_row *r, uint64_t n)
{
	(void)r;
	LOOP(n, cs_get_first());
}

static void cs_get_cycle(const struct bench_row *r, uint64_t n)
{
	uint64_t m = mask_of(r);

	LOOP(n, cs_get_at(i & m));
}

static void cs_set_existing(const struct bench_row *r, uint64_t n)
{
	(void)r;
	LOOP(n, cs_set_first());
}

static void cs_switch(const struct bench_row *r, uint64_t n)
{
	uint64_t m = mask_of(r);

	LOOP(n, cs_switch_to(i & m));
}

static void cs_tls(const struct bench_row *r, uint64_t n)
{
	(void)r;
	LOOP(n, cs_tls_read());
}

static void cs_pgs(const struct bench_row *r, uint64_t n)
{
	(void)r;
	LOOP(n, cs_pgs_one());
}

static void cs_pss(const struct bench_row *r, uint64_t n)
{
	(void)r;
	LOOP(n, cs_pss_one());
}

/* -------------------------------------------------------------- rows */

#define TASK	.setup = setup_task, .teardown = teardown_task
#define RANDOM	.setup = setup_random, .teardown = teardown_task
#define FRESH	.setup = setup_fresh, .teardown = teardown_fresh, .cap = NFRESH
#define EXIT	.setup = setup_exit, .teardown = teardown_exit

const struct bench_row bench_rows[] = {
	{ "get_mru", "tl_get, most recently used local", "base_const",
	  ROW_HOT | ROW_SUMMARY | ROW_CACHE, 1, 8, .run = get_first, TASK },
	{ "get_cyc8", "tl_get, cycling over 8 locals", "base_locals",
	  ROW_HOT | ROW_CACHE, 8, 0, .run = get_cycle, TASK },
	{ "get_cyc64", "tl_get, cycling over 64 locals", "base_locals",
	  ROW_HOT | ROW_SUMMARY | ROW_CACHE, 64, 0, .run = get_cycle, TASK },
	{ "get_cyc1024", "tl_get, cycling over 1024 locals", "base_locals",
	  ROW_HOT | ROW_CACHE, 1024, 0, .run = get_cycle, TASK },
	{ "get_rnd8", "tl_get, random order over 8", "base_random",
	  ROW_HOT | ROW_CACHE, 8, 0, .run = get_random, RANDOM },
	{ "get_rnd64", "tl_get, random order over 64", "base_random",
	  ROW_HOT | ROW_CACHE, 64, 0, .run = get_random, RANDOM },
	{ "get_conflict", "tl_get, 2 locals sharing a cache entry", "base_conflict",
	  ROW_HOT | ROW_CACHE, 2, 0, .run = get_conflict, .setup = setup_conflict,
	  .teardown = teardown_task },
	{ "get_sched", "tl_get through a struct tl_sched", "base_const",
	  ROW_HOT, 1, 0, .run = get_sched },
	{ "get_disc", "tl_get through a custom discriminator", "base_const",
	  ROW_HOT, 1, 0, .run = get_disc },
	{ "get_unset", "tl_get, no value (8 others set)", "base_const",
	  ROW_HOT, 1, 8, .run = get_unset, TASK },
	{ "set_existing", "tl_set of an existing value", "base_const",
	  ROW_HOT | ROW_SUMMARY | ROW_CACHE, 1, 8, .run = set_existing, TASK },
	{ "this_existing", "tl_this of existing typed storage", "base_const",
	  ROW_HOT | ROW_SUMMARY, 1, 8, .run = this_existing, TASK },
	{ "switch", "tl_switch", "base_tasks",
	  ROW_HOT | ROW_SUMMARY | ROW_CACHE, 2, 0, .run = switch_tasks,
	  .teardown = teardown_task },
	{ "set_first_pool", "first tl_set in a task, slot from the pool", "base_tasks",
	  ROW_FRESH | ROW_POOL, 0, 0, .run = set_first, .cg_n = 500, FRESH },
	{ "set_first_malloc", "first tl_set in a task, slot from malloc", "base_tasks",
	  ROW_FRESH, 0, 0, .run = set_first, .cg_n = 500, FRESH },
	{ "bind", "tl_bind, first value in a task", "base_tasks",
	  ROW_HOT | ROW_FRESH, 0, 0, .run = bind_first, .cg_n = 500, FRESH },
	{ "exit4", "tl_task_exit, 4 values", "base_tasks",
	  ROW_FRESH, 0, 4, .run = task_exit, .cap = NFRESH, .cg_n = 300, EXIT },
	{ "exit64", "tl_task_exit, 64 values", "base_tasks",
	  ROW_FRESH, 0, 64, .run = task_exit, .cap = 2048, .cg_n = 50, EXIT },
	{ "exit4_reg", "tl_task_exit, 4 values, 100000 locals", "base_tasks",
	  ROW_FRESH | ROW_EXTRA, 0, 4, .run = task_exit, .cap = NFRESH,
	  .cg_n = 300, EXIT },

	{ "tls_read", "__thread read", "base_const",
	  ROW_ANCHOR | ROW_SUMMARY | ROW_CACHE, 1, 0, .run = tls_read },
	{ "tls_write", "__thread write", "base_const",
	  ROW_ANCHOR, 1, 0, .run = tls_write },
	{ "plain_tls", "current->tls[i], __thread current", "base_const",
	  ROW_ANCHOR, 1, 0, .run = plain_read, .setup = setup_plain },
	{ "pgs1", "pthread_getspecific, 1 key", "base_const",
	  ROW_ANCHOR | ROW_SUMMARY | ROW_CACHE, 1, 0, .run = pgs_one },
	{ "pgs64", "pthread_getspecific, cycling over 64 keys", "base_keys",
	  ROW_ANCHOR | ROW_CACHE, 64, 0, .run = pgs_cycle },
	{ "pss1", "pthread_setspecific, 1 key", "base_const",
	  ROW_ANCHOR | ROW_SUMMARY | ROW_CACHE, 1, 0, .run = pss_one },
	{ "pss64", "pthread_setspecific, cycling over 64 keys", "base_keys",
	  ROW_ANCHOR, 64, 0, .run = pss_cycle },

	{ "cs_get_mru", "tl_get, most recently used local", "cs_base",
	  ROW_HOT | ROW_CALL, 1, 8, .run = cs_get_mru, TASK },
	{ "cs_get_cyc64", "tl_get, cycling over 64 locals", "cs_base_at",
	  ROW_HOT | ROW_CALL, 64, 0, .run = cs_get_cycle, TASK },
	{ "cs_set_existing", "tl_set of an existing value", "cs_base",
	  ROW_HOT | ROW_CALL, 1, 8, .run = cs_set_existing, TASK },
	{ "cs_switch", "tl_switch", "cs_base_at",
	  ROW_HOT | ROW_CALL, 2, 0, .run = cs_switch, .teardown = teardown_task },
	{ "cs_tls_read", "__thread read", "cs_base",
	  ROW_ANCHOR | ROW_CALL, 1, 0, .run = cs_tls },
	{ "cs_pgs1", "pthread_getspecific, 1 key", "cs_base",
	  ROW_ANCHOR | ROW_CALL, 1, 0, .run = cs_pgs },
	{ "cs_pss1", "pthread_setspecific, 1 key", "cs_base",
	  ROW_ANCHOR | ROW_CALL, 1, 0, .run = cs_pss },

	{ "base_const", "empty loop", NULL, ROW_BASE, 1, 0, .run = base_const },
	{ "base_locals", "empty loop over &locals[i % k]", NULL, ROW_BASE,
	  64, 0, .run = base_locals },
	{ "base_random", "empty loop over &locals[random[i]]", NULL, ROW_BASE,
	  64, 0, .run = base_random, .setup = setup_random },
	{ "base_conflict", "empty loop over &locals[i % 2 * 128]", NULL, ROW_BASE,
	  2, 0, .run = base_conflict },
	{ "base_tasks", "empty loop over &tasks[i]", NULL, ROW_BASE,
	  0, 0, .run = base_tasks },
	{ "base_keys", "empty loop over keys[i % k]", NULL, ROW_BASE,
	  64, 0, .run = base_keys },
	{ "cs_base", "empty function", NULL, ROW_BASE | ROW_CALL,
	  1, 0, .run = cs_base },
	{ "cs_base_at", "empty function of &locals[i % k]", NULL,
	  ROW_BASE | ROW_CALL, 64, 0, .run = cs_base_at },
};

const size_t bench_nrows = sizeof(bench_rows) / sizeof(bench_rows[0]);

/* Not in the table: the glibc curve of the scaling sweep, over the ring. */
const struct bench_row bench_pgs_ring = {
	"pgs_ring", "pthread_getspecific, cycling over the keys", "base_ring",
	ROW_ANCHOR, 1, 0, .run = pgs_ring
};
const struct bench_row bench_base_ring = {
	"base_ring", "empty loop over ring[i % k]", NULL, ROW_BASE, 1, 0,
	.run = base_ring
};

const struct bench_row *bench_row_find(const char *id)
{
	size_t i;

	for (i = 0; i < bench_nrows; i++)
		if (!strcmp(bench_rows[i].id, id))
			return &bench_rows[i];
	return NULL;
}

/* ------------------------------------------------------------ checks */

static int failures;

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "bench: check failed: %s (%s:%d)\n", \
				#cond, __FILE__, __LINE__);		\
			failures++;					\
		}							\
	} while (0)

/*
 * What the loops rely on, checked once: every value is where the rows
 * expect it, fresh tasks get and release theirs, tasks are left empty.
 */
int bench_check(void)
{
	struct tl_node *t;
	unsigned j;
	void *data;

	failures = 0;
	t = task_with(1024);
	CHECK(t != NULL);
	tl_switch(t);
	for (j = 0; j < NLOCALS; j++)
		CHECK(tl_get(&locals[j]) == &locals[j]);
	tl_switch(task_with(8));
	for (j = 0; j < 8; j++)
		CHECK(tl_get(&locals[j]) == &locals[j]);
	CHECK(tl_get(&locals[NLOCALS - 1]) == NULL);
	CHECK(tl_set(&locals[0], &locals[0]) == 0);
	data = tl_this(&typed_local);
	CHECK(data != NULL && tl_this(&typed_local) == data);
	CHECK(tl_get(&typed_local) == data);
	CHECK(tl_get(&sched_local) == &sched_local);
	CHECK(tl_get(&disc_local) == &disc_local);
	tl_switch(&conflict_task);
	for (j = 0; j < 4; j++) {
		CHECK(tl_get(&locals[0]) == &locals[0]);
		CHECK(tl_get(&locals[CONFLICT]) == &locals[CONFLICT]);
	}
	tl_switch(NULL);
	CHECK(tl_get(&locals[0]) == NULL);

	CHECK(setup_fresh(&bench_rows[0], 16) == 0);
	for (j = 0; j < 16; j++) {
		tl_switch(&fresh[j]);
		CHECK(tl_get(&fresh_local) == NULL);
		if (j & 1)
			CHECK(tl_bind(&fresh_local, &bind_slots[j], &fresh_local) == 0);
		else
			CHECK(tl_set(&fresh_local, &fresh_local) == 0);
	}
	for (j = 0; j < 16; j++) {
		tl_switch(&fresh[j]);
		CHECK(tl_get(&fresh_local) == &fresh_local);
	}
	teardown_fresh(&bench_rows[0], 16);
	for (j = 0; j < 16; j++)
		CHECK(tl_node_empty(&fresh[j]));

	CHECK(pthread_getspecific(keys[0]) == &keys[0]);
	CHECK(pthread_getspecific(keys[NKEYS - 1]) == &keys[NKEYS - 1]);
	CHECK(current_plain->tls[5] == &plain_task);
	return failures;
}
