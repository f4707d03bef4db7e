// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * tools/model.c - random operations against a model, one at a time, each
 * on a random one of three threads: tasks move between threads at every
 * operation (with a semaphore in between, as a scheduler would), end on
 * any thread and are used again at the same address; values come from
 * tl_set (slots from a small pool: LIFO, shared by the threads), tl_bind
 * (a few caller slots, reused) and scopes (a few struct tl_scope, reused);
 * inherit copies one local.  Every tl_get is checked against the model:
 * the lookup cache's keys, and releases that clear their own entry
 * instead (lib/cache.c), must never hand a task a value not its own.
 * Every RESET steps every task ends and the locals are registered again,
 * so that they start without a cached "no value" (which makes every first
 * value give a new key, and would hide mistakes).
 *
 * Usage: model [SEED] [STEPS]; make check-model runs it under ASan and
 * UBSan.  Exit status 0: no wrong value.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tasklocal.h"
#include "worker.h"

enum { WORKERS = 3, TASKS = 4, LOCALS = 6, SLOTS = 4, SCOPES = 6, DEPTH = 8,
       RESET = 64 };

/* m3: a discriminator's (entries tagged task | 1); m4: typed (tl_this). */
static struct tl_node *disc_task;

static struct tl_node *disc_current(struct tl_discriminator *d)
{
	(void)d;
	return disc_task;
}

static struct tl_discriminator disc = { disc_current };

/* m5: a tl_sched's, probed inline through its current task. */
static struct tl_sched sched;

static struct tl_local locals[LOCALS] = {
	TL_LOCAL(.name = "m0"),
	TL_LOCAL(.name = "m1", .flags = TL_INHERIT),
	TL_LOCAL(.name = "m2"),
	TL_LOCAL(.name = "m3", .disc = &disc),
	TL_LOCAL(.name = "m4", .size = sizeof(void *)),
	TL_LOCAL(.name = "m5", .disc = &sched.disc),
};
#define SCHED 5
#define TYPED 4
static struct tl_node tasks[TASKS];

/* The model: per task and local, the base value and the scope bindings. */
struct cell {
	void *base;		/* NULL: none */
	int bound;		/* caller slot holding base, -1: none */
	int depth;
	int scope[DEPTH];	/* scope structs, innermost last */
	void *bind[DEPTH];	/* their bindings (a set inside replaces the top) */
};
static struct cell model[TASKS][LOCALS];
static struct tl_slot slots[SLOTS];
static int slot_user[SLOTS];	/* task * LOCALS + local, -1: free */
static struct tl_scope scopes[SCOPES];
static int scope_user[SCOPES];
static long wrong, next_value = 1;

static void *visible(const struct cell *c)
{
	return c->depth ? c->bind[c->depth - 1] : c->base;
}

/* ----------------------------------------------------------- threads */

static struct worker workers[WORKERS];

static void on(int w, void (*fn)(void *), void *arg)
{
	worker_run(&workers[w], fn, arg);
}

/* -------------------------------------------------------- operations */

struct op {
	int kind, t, l, x;
	const char *what;
	long step;
};

static void report(const struct op *o, const char *what, void *got, void *want)
{
	if (wrong++ < 10)
		fprintf(stderr, "step %ld: task %d local %d: %s: got %p, want %p\n",
			o->step, o->t, o->l, what, got, want);
}

enum { GET, SET, DEL, BIND, ENTER, EXIT_SCOPE, EXIT_TASK, INHERIT, KINDS };

static void run_op(void *arg)
{
	struct op *o = arg;
	struct cell *c = &model[o->t][o->l];
	struct tl_local *l = &locals[o->l];
	void *v, *got;
	int i, err;

	/* m5's task is the scheduler's: the thread's is another one then. */
	tl_switch(&tasks[o->l == SCHED ? (o->t + 1) % TASKS : o->t]);
	disc_task = &tasks[o->t];
	tl_sched_switch(&sched, &tasks[o->t]);
	if (o->l == TYPED && (o->kind == BIND || o->kind == ENTER))
		o->kind = SET;	/* tl_this below */
	switch (o->kind) {
	case GET:
		/*
		 * A "no value" read caches tl__none, and from then on every
		 * first value gives the local a new key: rare, so that the
		 * releases without a new key (forget) get their chance.
		 */
		if (!visible(c) && rand() % 64)
			break;
		got = tl_get(l);
		if (o->l == TYPED && got)
			got = *(void **)got;
		if (got != visible(c))
			report(o, "get", got, visible(c));
		break;
	case SET:
		v = (void *)(next_value++ << 4);
		if (o->l == TYPED) {
			void **p = tl_this(l);

			if (!p || (c->base && *p != c->base) || (!c->base && *p)) {
				report(o, "this", p ? *p : NULL, c->base);
				break;
			}
			*p = v;
			c->base = v;
			break;
		}
		if (tl_set(l, v)) {
			report(o, "set failed", NULL, v);
			break;
		}
		if (c->depth)
			c->bind[c->depth - 1] = v;
		else
			c->base = v;
		break;
	case DEL:
		err = tl_del(l);
		if (c->depth) {
			if (err != -EBUSY)
				report(o, "del in a scope", (void *)(long)err, (void *)-EBUSY);
			break;
		}
		if (err != (c->base ? 0 : -ENOENT))
			report(o, "del", (void *)(long)err, c->base);
		if (c->bound >= 0)
			slot_user[c->bound] = -1;
		c->base = NULL;
		c->bound = -1;
		break;
	case BIND:
		for (i = 0; i < SLOTS && slot_user[i] >= 0; i++)
			;
		if (i == SLOTS || c->depth)
			break;
		v = (void *)(next_value++ << 4);
		if (tl_bind(l, &slots[i], v)) {
			report(o, "bind failed", NULL, v);
			break;
		}
		if (c->bound >= 0)
			slot_user[c->bound] = -1;
		slot_user[i] = o->t * LOCALS + o->l;
		c->bound = i;
		c->base = v;
		break;
	case ENTER:
		for (i = 0; i < SCOPES && scope_user[i] >= 0; i++)
			;
		if (i == SCOPES || c->depth == DEPTH)
			break;
		v = (void *)(next_value++ << 4);
		if (tl_scope_enter(&scopes[i], l, v)) {
			report(o, "enter failed", NULL, v);
			break;
		}
		scope_user[i] = o->t * LOCALS + o->l;
		c->scope[c->depth] = i;
		c->bind[c->depth++] = v;
		break;
	case EXIT_SCOPE:
		if (!c->depth)
			break;
		i = c->scope[--c->depth];
		if (tl_scope_exit(&scopes[i]))
			report(o, "scope exit failed", NULL, NULL);
		scope_user[i] = -1;
		break;
	case EXIT_TASK:
		tl_switch(NULL);
		tl_task_exit(&tasks[o->t]);
		tl_task_init(&tasks[o->t]);	/* used again, same address */
		for (i = 0; i < LOCALS; i++) {
			struct cell *d = &model[o->t][i];
			int k;

			if (d->bound >= 0)
				slot_user[d->bound] = -1;
			for (k = 0; k < d->depth; k++)
				scope_user[d->scope[k]] = -1;
			memset(d, 0, sizeof(*d));
			d->bound = -1;
		}
		break;
	case INHERIT: {
		/* Child o->x of parent o->t, local 1 only, no scope of it in the child. */
		struct cell *p = &model[o->t][1], *ch = &model[o->x][1];

		if (o->x == o->t || ch->depth)
			break;
		tl_switch(NULL);
		if (tl_task_inherit(&tasks[o->x], &tasks[o->t])) {
			report(o, "inherit failed", NULL, NULL);
			break;
		}
		if (!ch->base && visible(p))
			ch->base = visible(p);	/* a library slot, not bound */
		break;
	}
	}
	tl_switch(NULL);
	disc_task = NULL;
	tl_sched_switch(&sched, NULL);
}

int main(int argc, char **argv)
{
	static char buf[16 * TL_SLOT_SIZE(0)];
	static struct tl_pool pool;
	unsigned seed = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 1;
	long steps = argc > 2 ? strtol(argv[2], NULL, 0) : 200000, s;
	int i, t, l;

	srand(seed);
	for (i = 0; i < LOCALS; i++)
		tl_local_register(&locals[i]);
	tl_sched_init(&sched);	/* after m5's registration: as good */
	for (t = 0; t < TASKS; t++) {
		tl_task_init(&tasks[t]);
		for (l = 0; l < LOCALS; l++)
			model[t][l].bound = -1;
	}
	for (i = 0; i < SLOTS; i++)
		slot_user[i] = -1;
	for (i = 0; i < SCOPES; i++)
		scope_user[i] = -1;
	if (tl_pool_init(&pool, buf, sizeof(buf), TL_SLOT_SIZE(0)) ||
	    tl_pool_attach(&pool))
		return 2;
	for (i = 0; i < WORKERS; i++) {
		if (worker_start(&workers[i]))
			return 2;
	}
	for (s = 0; s < steps && wrong < 10; s++) {
		struct op o = {
			.kind = rand() % KINDS, .t = rand() % TASKS,
			.l = rand() % LOCALS, .x = rand() % TASKS, .step = s,
		};

		/* Gets are what catch a stale entry: more of them. */
		if (rand() % 2)
			o.kind = GET;
		on(rand() % WORKERS, run_op, &o);
		if (s % RESET == RESET - 1) {
			o.kind = EXIT_TASK;
			for (o.t = 0; o.t < TASKS; o.t++)
				on(rand() % WORKERS, run_op, &o);
			for (i = 0; i < LOCALS; i++) {
				tl_local_unregister(&locals[i]);
				tl_local_register(&locals[i]);
			}
		}
	}
	for (i = 0; i < WORKERS; i++) {
		worker_stop(&workers[i]);
	}
	printf("seed %u: %ld steps, %ld wrong\n", seed, s, wrong);
	return wrong != 0;
}
