// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * tools/firmware/test.c - the firmware test image: the heapless,
 * single-threaded library on a bare Cortex-M3, with cooperative tasks from
 * sched.c, checked call by call and reported in TAP over semihosting
 * ("ok 3 - ..." / "not ok 3 - ..."); the exit status is the number of
 * failed checks, which QEMU hands back to CI.
 *
 * Memory is laid out as firmware does it: slots come from a pool over a
 * static buffer and from tl_bind(); the registry comes from a static arena,
 * behind an allocator that is sealed once the locals are registered at
 * boot, so that a slot can never spill into the registry's memory.  The
 * registry lock is a PRIMASK critical section, as an RTOS port would give.
 *
 * Phases: how much arena the registry takes (reported, for the README);
 * boot; two tasks interleaving pointer, typed, bound and inherited locals,
 * with destructors (one of them setting a value again) at task exit; pool
 * exhaustion; unregister and re-register while a value is alive; the root
 * context's exit; and at last everything given back.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sched.h"

static int checks, failures;

/* One TAP line per check, named after the task that made it. */
static bool __attribute__((format(printf, 2, 3)))
check(bool ok, const char *fmt, ...)
{
	struct fw_task *self = fw_self();
	va_list ap;

	printf("%s %d - [%s] ", ok ? "ok" : "not ok", ++checks,
	       self ? self->name : "root");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!ok)
		failures++;
	return ok;
}

/* Whether a value is the string @want. */
static bool same_text(const void *value, const char *want)
{
	return value && !strcmp(value, want);
}

/* A command's return value against the one expected, errno names shown. */
#define CHECK_RET(call, want)						\
	do {								\
		int ret_ = (call);					\
		check(ret_ == (want), "%s = %s", #call,			\
		      tl_strerror(ret_));				\
	} while (0)

/* ------------------------------------------------------------- memory */

/* Typed locals of at most this size fit a pool block. */
struct stats {
	uint32_t magic;
	uint32_t count;
};

#define STATS_MAGIC	0x57a75u
#define POOL_BLOCK	TL_SLOT_SIZE(sizeof(struct stats))
#define POOL_BLOCKS	12
#define ARENA_BYTES	4096

static _Alignas(8) unsigned char pool_buf[POOL_BLOCKS * POOL_BLOCK];
static _Alignas(8) unsigned char ptr_buf[8 * TL_SLOT_SIZE(0)];
static struct tl_pool ptr_pool;
static _Alignas(8) unsigned char arena_buf[ARENA_BYTES];
static struct tl_pool pool;
static struct tl_arena arena;

/*
 * The registry's allocator: the arena, until sealed.  Peak use is tracked
 * for the sizes the README gives.
 */
static bool sealed;
static size_t arena_peak;

static void *registry_alloc(size_t size, void *ctx)
{
	struct tl_arena *a = ctx;
	void *p;

	if (sealed)
		return NULL;
	p = a->allocator.alloc(size, a->allocator.ctx);
	if (a->used > arena_peak)
		arena_peak = a->used;
	return p;
}

static void registry_free(void *ptr, size_t size, void *ctx)
{
	struct tl_arena *a = ctx;

	a->allocator.free(ptr, size, a->allocator.ctx);
}

static const struct tl_allocator registry_mem = {
	registry_alloc, registry_free, &arena
};

/* ----------------------------------------------------------- the lock */

/*
 * The registry lock as an RTOS port gives it: mask interrupts, nestable,
 * restoring the caller's PRIMASK on the way out.
 */
struct critical {
	uint32_t primask;	/* saved by the outermost entry */
	unsigned depth, max_depth;
	unsigned entries;
};

static void critical_enter(void *ctx)
{
	struct critical *c = ctx;
	uint32_t primask;

	__asm__ volatile ("mrs %0, primask\n\tcpsid i"
			  : "=r" (primask) : : "memory");
	if (c->depth++ == 0)
		c->primask = primask;
	if (c->depth > c->max_depth)
		c->max_depth = c->depth;
	c->entries++;
}

static void critical_exit(void *ctx)
{
	struct critical *c = ctx;

	if (--c->depth == 0)
		__asm__ volatile ("msr primask, %0" : : "r" (c->primask) : "memory");
}

static struct critical critical;
static const struct tl_lock critical_lock = {
	critical_enter, critical_exit, &critical
};

/* ------------------------------------------------------------- locals */

static unsigned req_destroyed, req_destroyed_mask;
static unsigned stats_destroyed, stats_count_sum;
static unsigned late_destroyed;
static unsigned tmp_destroyed;
static const char *tmp_last_destroyed;

struct worker {
	unsigned id;
	struct tl_slot log_slot;	/* tl_bind(): the caller's slot */
};

static void req_destroy(void *value)
{
	const struct worker *w = value;

	req_destroyed++;
	req_destroyed_mask |= 1u << w->id;
}

static struct tl_local late;

static void stats_init(void *data, void *arg)
{
	struct stats *s = data;

	(void)arg;
	s->magic = STATS_MAGIC;
	s->count = 0;
}

/* Sets another value while the task exits: destroyed in a second round. */
static void stats_destroy(void *data)
{
	struct stats *s = data;

	stats_destroyed++;
	stats_count_sum += s->count;
	tl_set(&late, s);
}

static void late_destroy(void *value)
{
	(void)value;
	late_destroyed++;
}

static void tmp_destroy(void *value)
{
	tmp_destroyed++;
	tmp_last_destroyed = value;
}

static struct tl_local req = TL_LOCAL(.name = "req", .destroy = req_destroy);
static struct tl_local stats = TL_LOCAL(.name = "stats",
					.size = sizeof(struct stats),
					.init = stats_init,
					.destroy = stats_destroy);
static struct tl_local logger = TL_LOCAL(.name = "log");
static struct tl_local late = TL_LOCAL(.name = "late", .destroy = late_destroy);
static struct tl_local trace = TL_LOCAL(.name = "trace", .flags = TL_INHERIT);
static struct tl_local tmp = TL_LOCAL(.name = "tmp", .destroy = tmp_destroy);
static struct tl_local dup = TL_LOCAL(.name = "req");

/* Unnamed pointer locals, more than the pool has blocks. */
#define FILL_LOCALS (POOL_BLOCKS + 4)
static struct tl_local fill[FILL_LOCALS];

static struct tl_node caller_node, victim_node;
static void *preempted_read;
static int preempted_calls;

static void preempted_destroy(void *value)
{
	(void)value;
	preempted_calls++;
	if (preempted_calls > 1)
		return;
	tl_switch(&caller_node);		/* the kernel resumes the caller */
	preempted_read = tl_get(&logger);
	tl_set(&tmp, "set after the preemption");
}

static struct tl_local preempted = TL_LOCAL(.name = "preempted",
					    .destroy = preempted_destroy);

static struct tl_local *const named[] = {
	&req, &stats, &logger, &late, &trace, &tmp, &preempted,
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Stacks: generous, the high-water marks are reported. */
#define STACK_WORDS 1024
static _Alignas(8) uint32_t stacks[2][STACK_WORDS];
static struct fw_task task[2];

/* ------------------------------------------ registry sizes, measured */

#define MEASURE_MAX 32
static struct tl_local measured[MEASURE_MAX];
static char measured_name[MEASURE_MAX][4];

/*
 * The smallest arena in which @n locals register (named or not), found by
 * trying every size in arena units, and what they hold once registered.
 * The arena must come back empty each time, once the allocator is set
 * again (the registry keeps its index table, and the generations it
 * counts, until then).
 */
static bool measure_registry(unsigned n, bool with_names)
{
	size_t size, held = 0;
	unsigned i, done;

	for (size = 2 * TL__MAXALIGN; size <= sizeof(arena_buf);
	     size += TL__MAXALIGN) {
		if (tl_arena_init(&arena, arena_buf, size))
			return false;
		arena_peak = 0;
		for (done = 0; done < n; done++) {
			measured[done].name = with_names ? measured_name[done] : NULL;
			if (tl_local_register(&measured[done]))
				break;
		}
		held = arena.used;
		for (i = 0; i < done; i++)
			tl_local_unregister(&measured[i]);
		if (tl_allocator_set(&registry_mem) || arena.used != 0)
			return false;
		if (done == n)
			break;
	}
	if (size > sizeof(arena_buf))
		return false;
	printf("# registry arena, %2u %-7s locals: %4u bytes minimum "
	       "(%4u held, %4u peak)\n", n, with_names ? "named" : "unnamed",
	       (unsigned)size, (unsigned)held, (unsigned)arena_peak);
	return true;
}

static void phase_measure(void)
{
	static const unsigned counts[] = { 1, 4, 8, 15, 16, 32 };
	bool ok = true;
	unsigned i;

	for (i = 0; i < MEASURE_MAX; i++)
		snprintf(measured_name[i], sizeof(measured_name[i]), "m%u", i);
	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		ok &= measure_registry(counts[i], false);
		ok &= measure_registry(counts[i], true);
	}
	check(ok, "registry sizes measured, the arena empty after each");
}

/* --------------------------------------------------------------- boot */

static void phase_boot(void)
{
	unsigned i;
	bool ok = true;

	CHECK_RET(tl_arena_init(&arena, arena_buf, sizeof(arena_buf)), 0);
	CHECK_RET(tl_pool_init(&pool, pool_buf, sizeof(pool_buf), POOL_BLOCK), 0);
	CHECK_RET(tl_pool_attach(&pool), 0);
	check(tl_pool_available(&pool) == POOL_BLOCKS,
	      "pool of %u blocks of %u bytes", (unsigned)tl_pool_available(&pool),
	      (unsigned)POOL_BLOCK);
	/* Pointer slots are 20 bytes here: 8 of them in 8 slots' bytes. */
	CHECK_RET(tl_pool_init(&ptr_pool, ptr_buf, sizeof(ptr_buf),
			       TL_SLOT_SIZE(0)), 0);
	check(tl_pool_available(&ptr_pool) == 8,
	      "a pool of 8 * TL_SLOT_SIZE(0) bytes holds %u pointer slots",
	      (unsigned)tl_pool_available(&ptr_pool));

	for (i = 0; i < ARRAY_SIZE(named); i++)
		ok &= tl_local_register(named[i]) == 0;
	for (i = 0; i < FILL_LOCALS; i++)
		ok &= tl_local_register(&fill[i]) == 0;
	check(ok, "%u locals registered at boot (%u named): %u bytes of arena",
	      (unsigned)(ARRAY_SIZE(named) + FILL_LOCALS),
	      (unsigned)ARRAY_SIZE(named), (unsigned)arena.used);
	CHECK_RET(tl_local_register(&dup), -EEXIST);
	check(tl_local_find("stats") == &stats, "tl_local_find(\"stats\")");
	sealed = true;

	/* A value of the root context, inherited by every task. */
	CHECK_RET(tl_set(&trace, "boot"), 0);
}

/* -------------------------------------------- two interleaved workers */

#define ROUNDS 3

static int count_value(struct tl_local *l, void *value, void *arg)
{
	unsigned *n = arg;

	(void)value;
	*n += l->name != NULL;
	return 0;
}

static void worker(void *arg)
{
	struct worker *w = arg;
	const char *name = fw_self()->name;
	size_t before;
	struct stats *s;
	unsigned round, n = 0;
	bool same = true;

	check(same_text(tl_get(&trace), "boot"),
	      "inherited value of a TL_INHERIT local");
	check(tl_get(&req) == NULL, "pointer local starts empty");
	CHECK_RET(tl_set(&req, w), 0);
	s = tl_this(&stats);
	check(s && s->magic == STATS_MAGIC && s->count == 0,
	      "typed local created and init-ed");
	before = tl_pool_available(&pool);
	CHECK_RET(tl_bind(&logger, &w->log_slot, (void *)name), 0);
	check(tl_pool_available(&pool) == before, "tl_bind takes no pool block");

	for (round = 0; round < ROUNDS && s; round++) {
		s->count++;
		fw_yield();	/* the other worker sets its own values */
		same &= tl_get(&req) == w && tl_this(&stats) == s &&
			tl_get(&stats) == s && tl_get(&logger) == name;
	}
	check(same, "own values after %u switches", ROUNDS);
	check(s && s->count == ROUNDS, "typed local kept its count");
	tl_task_foreach(NULL, count_value, &n);		/* root: trace */
	check(n == 1, "root context holds one value");
	n = 0;
	tl_task_foreach(&fw_self()->locals, count_value, &n);
	check(n == 4, "tl_task_foreach visits the task's 4 values (%u)", n);
}

static void phase_workers(void)
{
	static struct worker w[2] = { { .id = 0 }, { .id = 1 } };
	unsigned i;

	for (i = 0; i < 2; i++) {
		const char *name = i ? "b" : "a";

		check(fw_spawn(&task[i], name, worker, &w[i], stacks[i],
			       STACK_WORDS) == 0, "worker %s spawned", name);
	}
	check(fw_run() == 2, "both workers ran");

	check(req_destroyed == 2 && req_destroyed_mask == 3,
	      "task exit ran the pointer local's destructor, each value once");
	check(stats_destroyed == 2 && stats_count_sum == 2 * ROUNDS,
	      "task exit ran the typed local's destructor on its storage");
	check(late_destroyed == 2,
	      "a value set by a destructor was destroyed in a second round");
	check(tl_pool_available(&pool) == POOL_BLOCKS - 1,
	      "every slot back in the pool (the root's one aside)");
	for (i = 0; i < 2; i++)
		printf("# task %s used %u of %u stack bytes\n", task[i].name,
		       (unsigned)fw_stack_used(&task[i]),
		       (unsigned)sizeof(stacks[i]));
}

/* ---------------------------------------------------- pool exhaustion */

static void exhaust(void *arg)
{
	static int value[FILL_LOCALS];
	struct tl_slot slot;
	size_t arena_used = arena.used, avail = tl_pool_available(&pool);
	unsigned i, set = 0;
	bool kept = true;
	int err = 0;

	(void)arg;
	memset(&slot, 0, sizeof(slot));
	for (i = 0; i < FILL_LOCALS; i++) {
		err = tl_set(&fill[i], &value[i]);
		if (err)
			break;
		set++;
	}
	check(err == -ENOMEM && set == avail,
	      "pool exhaustion returns -ENOMEM after %u sets, %u blocks free",
	      set, (unsigned)avail);
	if (set == FILL_LOCALS)
		return;
	check(tl_get(&fill[set]) == NULL, "the failed set left no value");
	for (i = 0; i < set; i++)
		kept &= tl_get(&fill[i]) == &value[i];
	check(kept, "nothing lost: the %u values set before are intact", set);
	check(tl_this(&stats) == NULL, "tl_this returns NULL with the pool empty");
	CHECK_RET(tl_set(&fill[0], &value[1]), 0);
	CHECK_RET(tl_bind(&logger, &slot, "x"), 0);
	check(same_text(tl_get(&logger), "x"), "tl_bind works with the pool empty");
	check(arena.used == arena_used, "no slot spilled into the registry's arena");

	CHECK_RET(tl_del(&fill[0]), 0);
	check(tl_pool_available(&pool) == 1, "tl_del gave its block back");
	CHECK_RET(tl_set(&fill[set], &value[set]), 0);
	CHECK_RET(tl_del(&logger), 0);
}

static void phase_exhaust(void)
{
	CHECK_RET(fw_spawn(&task[0], "x", exhaust, NULL, stacks[0],
			   STACK_WORDS), 0);
	check(fw_run() == 1, "exhausting task ran");
	check(tl_pool_available(&pool) == POOL_BLOCKS - 1,
	      "task exit gave every block back");
}

/* ------------------------------------------ unregister, re-register */

static void reregister(void *arg)
{
	size_t avail;

	(void)arg;
	CHECK_RET(tl_set(&tmp, "one"), 0);
	CHECK_RET(tl_local_unregister(&tmp), 0);
	check(!tl_local_registered(&tmp) && tl_get(&tmp) == NULL &&
	      tl_local_find("tmp") == NULL,
	      "unregistered: the value is gone, the name is free");
	CHECK_RET(tl_local_unregister(&tmp), -ENOENT);

	sealed = false;		/* a maintenance phase: a name record */
	CHECK_RET(tl_local_register(&tmp), 0);
	sealed = true;
	check(tl_get(&tmp) == NULL && tl_local_find("tmp") == &tmp,
	      "re-registered: found by name, without the old value");
	avail = tl_pool_available(&pool);
	CHECK_RET(tl_set(&tmp, "two"), 0);
	/* The first set reaps the unregistered value's slot, then takes one. */
	check(same_text(tl_get(&tmp), "two") &&
	      tl_pool_available(&pool) == avail,
	      "a new value; the dead value's slot was reclaimed for it");
}

static void phase_reregister(void)
{
	CHECK_RET(fw_spawn(&task[1], "u", reregister, NULL, stacks[1],
			   STACK_WORDS), 0);
	check(fw_run() == 1, "re-registering task ran");
	check(tmp_destroyed == 1 && same_text(tmp_last_destroyed, "two"),
	      "only the value of the new registration was destroyed");
	check(tl_pool_available(&pool) == POOL_BLOCKS - 1,
	      "every slot of the task came back at its exit");
}

/* ------------------------------------- exit across a preemption */

/*
 * Task "caller" exits task "victim", and a preemption happens inside the
 * victim's destructor: the switch hook puts the caller's node back (here
 * by hand, as PendSV would).  What the destructor reads and sets is still
 * the victim's, even for a local whose caller's value is cached.
 */
static void phase_preempted_exit(void)
{
	tl_node_init(&caller_node);
	tl_node_init(&victim_node);
	tmp_destroyed = 0;
	tl_switch(&caller_node);
	CHECK_RET(tl_set(&logger, "caller's"), 0);
	check(same_text(tl_get(&logger), "caller's"), "the caller's value cached");
	tl_switch(&victim_node);
	CHECK_RET(tl_set(&preempted, "victim's"), 0);
	tl_switch(&caller_node);
	tl_task_exit(&victim_node);
	check(preempted_calls == 1 && preempted_read == NULL,
	      "after the preemption the destructor still read the victim's value");
	check(tmp_destroyed == 1 && same_text(tmp_last_destroyed,
					      "set after the preemption"),
	      "what it set was the victim's, destroyed in the next round");
	check(tl_get(&tmp) == NULL && same_text(tl_get(&logger), "caller's"),
	      "the caller's own values are untouched");
	tl_task_exit(&caller_node);
	tl_switch(NULL);
	tmp_destroyed = 0;		/* the count is the re-registration's */
	tmp_last_destroyed = NULL;
}

/* ------------------------------------------------------ the end */

static void phase_end(void)
{
	unsigned i;
	bool ok = true;

	tl_root_exit();
	check(tl_pool_available(&pool) == POOL_BLOCKS,
	      "tl_root_exit gave the root's slot back");
	CHECK_RET(tl_pool_attach(NULL), 0);

	for (i = 0; i < ARRAY_SIZE(named); i++)
		ok &= tl_local_unregister(named[i]) == 0;
	for (i = 0; i < FILL_LOCALS; i++)
		ok &= tl_local_unregister(&fill[i]) == 0;
	/* The index table stays until the allocator is set again. */
	ok &= tl_allocator_set(&registry_mem) == 0;
	check(ok && arena.used == 0, "every local unregistered, the arena empty");
	CHECK_RET(tl_allocator_set(NULL), 0);
	check(critical.depth == 0 && critical.entries > 0,
	      "registry lock balanced: %u critical sections, nesting %u",
	      critical.entries, critical.max_depth);
}

int main(void)
{
	printf("# tasklocal firmware test, TL_CACHE_SIZE %u, slot %u bytes, "
	       "pool block %u bytes\n", (unsigned)TL_CACHE_SIZE,
	       (unsigned)sizeof(struct tl_slot), (unsigned)POOL_BLOCK);
	tl_lock_set(&critical_lock);	/* before any other call */
	CHECK_RET(tl_allocator_set(&registry_mem), 0);
	phase_measure();
	phase_boot();
	phase_workers();
	phase_preempted_exit();
	phase_exhaust();
	phase_reregister();
	phase_end();

	printf("1..%d\n# %d of %d checks failed\n", checks, failures, checks);
	return failures;
}
