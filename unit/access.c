// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * unit/access.c - tl_get, tl_set, tl_this, tl_del and tl_bind (lib/access.c
 * and the inline fast path): results, bad input, and the per-thread cache
 * (its sets and its second level), which must never serve a value of another task, of a deleted value or
 * local, or of a task whose memory was reused.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

static void test_null_and_wrong_kind_of_local(void)
{
	struct tl_local typed = TL_LOCAL(.size = 4);
	struct tl_local ptr = TL_LOCAL(.name = NULL);
	struct tl_slot slot = { { NULL, NULL }, NULL, 0, 0 };

	CU_ASSERT_PTR_NULL(tl_get(NULL));
	CU_ASSERT_EQUAL(tl_set(NULL, "x"), -EINVAL);
	CU_ASSERT_PTR_NULL(tl_this(NULL));
	CU_ASSERT_EQUAL(tl_del(NULL), -EINVAL);
	CU_ASSERT_EQUAL(tl_bind(NULL, &slot, "x"), -EINVAL);
	CU_ASSERT_EQUAL(tl_bind(&ptr, NULL, "x"), -EINVAL);

	CU_ASSERT_EQUAL(tl_set(&typed, "x"), -EINVAL);
	CU_ASSERT_EQUAL(tl_bind(&typed, &slot, "x"), -EINVAL);
	CU_ASSERT_PTR_NULL(tl_this(&ptr));
	/* None of these registered anything. */
	CU_ASSERT_FALSE(tl_local_registered(&typed));
	CU_ASSERT_FALSE(tl_local_registered(&ptr));
	UNIT_ASSERT_NOTHING_HELD();
}

static void test_get_never_registers_or_allocates(void)
{
	struct tl_local l = TL_LOCAL(.name = "get-only");

	unit_alloc_install(-1);
	CU_ASSERT_PTR_NULL(tl_get(&l));
	CU_ASSERT_FALSE(tl_local_registered(&l));
	CU_ASSERT_EQUAL(tl_del(&l), -ENOENT);
	CU_ASSERT_EQUAL(unit_alloc.calls, 0);
	unit_alloc_remove();
}

static void test_set_replaces_without_destructor(void)
{
	struct tl_local l = TL_LOCAL(.destroy = (void (*)(void *))abort);
	struct tl_node t = TL_NODE_INIT(t);
	struct tl_node *prev = tl_switch(&t);

	CU_ASSERT_EQUAL(tl_set(&l, "one"), 0);
	CU_ASSERT_EQUAL(tl_set(&l, "two"), 0);
	CU_ASSERT_STRING_EQUAL(tl_get(&l), "two");
	/* NULL is "no value": the destructor is not called for it at exit. */
	CU_ASSERT_EQUAL(tl_set(&l, NULL), 0);
	CU_ASSERT_PTR_NULL(tl_get(&l));
	CU_ASSERT_EQUAL(tl_del(&l), -ENOENT);
	tl_switch(prev);
	tl_task_exit(&t);
	tl_local_unregister(&l);
	UNIT_ASSERT_NOTHING_HELD();
}

static void test_set_null_first_allocates_nothing(void)
{
	struct tl_local l = TL_LOCAL(.name = NULL);

	unit_alloc_install(1);	/* room for the registry index only */
	CU_ASSERT_EQUAL(tl_local_register(&l), 0);
	CU_ASSERT_EQUAL(tl_set(&l, NULL), 0);
	CU_ASSERT_EQUAL(tl_set(&l, "x"), -ENOMEM);
	CU_ASSERT_PTR_NULL(tl_get(&l));
	tl_local_unregister(&l);
	unit_alloc_remove();
}

static void test_typed_get_before_this_and_after_del(void)
{
	struct tl_local l = TL_LOCAL(.size = sizeof(long));
	long *v;

	CU_ASSERT_PTR_NULL(tl_get(&l));
	v = tl_this(&l);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_EQUAL(*v, 0);		/* no init: zero-filled */
	CU_ASSERT_EQUAL((uintptr_t)v % _Alignof(max_align_t), 0);
	*v = 42;
	CU_ASSERT_PTR_EQUAL(tl_get(&l), v);
	CU_ASSERT_PTR_EQUAL(tl_this(&l), v);
	CU_ASSERT_EQUAL(tl_del(&l), 0);
	CU_ASSERT_PTR_NULL(tl_get(&l));
	v = tl_this(&l);		/* new storage, initialised again */
	CU_ASSERT_EQUAL(*v, 0);
	tl_root_exit();
	tl_local_unregister(&l);
	UNIT_ASSERT_NOTHING_HELD();
}

/* tl_bind: caller-owned slots. */
static void test_bind_uses_the_callers_slot(void)
{
	struct tl_local l = TL_LOCAL(.name = "bound");
	struct tl_node t = TL_NODE_INIT(t);
	struct tl_slot slot;
	struct tl_node *prev;

	memset(&slot, 0, sizeof(slot));
	unit_alloc_install(-1);
	CU_ASSERT_EQUAL(tl_local_register(&l), 0);
	unit_alloc.fail_after = 0;	/* a registered local needs nothing */
	unit_alloc.calls = 0;
	prev = tl_switch(&t);
	CU_ASSERT_EQUAL(tl_bind(&l, &slot, "v1"), 0);
	CU_ASSERT_STRING_EQUAL(tl_get(&l), "v1");
	CU_ASSERT_PTR_EQUAL(t.next, &slot.node);
	/* Set and bind again reuse the same slot. */
	CU_ASSERT_EQUAL(tl_set(&l, "v2"), 0);
	CU_ASSERT_STRING_EQUAL(slot.value, "v2");
	CU_ASSERT_EQUAL(tl_bind(&l, &slot, "v3"), 0);
	CU_ASSERT_STRING_EQUAL(tl_get(&l), "v3");
	CU_ASSERT_EQUAL(unit_alloc.calls, 0);
	/* tl_del hands the slot back to the caller, unlinked. */
	CU_ASSERT_EQUAL(tl_del(&l), 0);
	CU_ASSERT_TRUE(tl_node_empty(&t));
	CU_ASSERT_PTR_EQUAL(slot.node.next, TL_POISON_NEXT);
	CU_ASSERT_PTR_NULL(tl_get(&l));
	tl_switch(prev);
	tl_local_unregister(&l);
	unit_alloc_remove();
}

static void test_bind_replaces_a_library_slot(void)
{
	struct tl_local l = TL_LOCAL(.destroy = (void (*)(void *))abort);
	struct tl_node t = TL_NODE_INIT(t);
	struct tl_slot slot;
	struct tl_node *prev = tl_switch(&t);

	memset(&slot, 0, sizeof(slot));
	CU_ASSERT_EQUAL(tl_set(&l, "heap slot"), 0);
	CU_ASSERT_EQUAL(tl_bind(&l, &slot, "caller slot"), 0);
	CU_ASSERT_STRING_EQUAL(tl_get(&l), "caller slot");
	CU_ASSERT_PTR_EQUAL(t.next, &slot.node);
	CU_ASSERT_PTR_EQUAL(t.prev, &slot.node);	/* the old one is gone */
	tl_set(&l, NULL);	/* no value: its destructor must not run */
	tl_switch(prev);
	tl_task_exit(&t);
	CU_ASSERT_PTR_EQUAL(slot.node.next, TL_POISON_NEXT);
	tl_local_unregister(&l);
	UNIT_ASSERT_NOTHING_HELD();
}

/* ---------------------------------------------------------- the cache */

static void test_cache_switch_between_tasks(void)
{
	struct tl_local l = TL_LOCAL(.name = NULL);
	struct tl_node a = TL_NODE_INIT(a), b = TL_NODE_INIT(b);
	int i;

	tl_switch(&a);
	tl_set(&l, "a");
	tl_switch(&b);
	for (i = 0; i < 3; i++) {
		tl_switch(&a);
		CU_ASSERT_STRING_EQUAL(tl_get(&l), "a");
		tl_switch(&b);
		CU_ASSERT_PTR_NULL(tl_get(&l));
		tl_switch(NULL);
		CU_ASSERT_PTR_NULL(tl_get(&l));
	}
	tl_task_exit(&a);
	tl_task_exit(&b);
	tl_local_unregister(&l);
	UNIT_ASSERT_NOTHING_HELD();
}

static void test_cache_after_del_and_unregister(void)
{
	struct tl_local l = TL_LOCAL(.name = "cached",
				     .destroy = unit_dtor_count);
	struct tl_local next = TL_LOCAL(.name = "next",
					.destroy = unit_dtor_count);
	struct tl_local other = TL_LOCAL(.name = "other",
					 .destroy = unit_dtor_count);
	struct tl_node a = TL_NODE_INIT(a);

	unit_dtor_reset();
	tl_switch(&a);
	tl_set(&l, "v");
	CU_ASSERT_STRING_EQUAL(tl_get(&l), "v");	/* cached now */
	CU_ASSERT_EQUAL(tl_del(&l), 0);
	CU_ASSERT_PTR_NULL(tl_get(&l));

	tl_set(&l, "w");
	CU_ASSERT_STRING_EQUAL(tl_get(&l), "w");
	/* The lowest free index is handed out first: next's is above l's. */
	CU_ASSERT_EQUAL(tl_local_register(&next), 0);
	CU_ASSERT_EQUAL(tl_local_unregister(&l), 0);
	CU_ASSERT_PTR_NULL(tl_get(&l));
	/* A new local takes the freed index; the old value stays invisible. */
	CU_ASSERT_EQUAL(tl_local_register(&other), 0);
	CU_ASSERT_PTR_NULL(tl_get(&other));
	/* So does the old local, registered again. */
	CU_ASSERT_EQUAL(tl_local_register(&l), 0);
	CU_ASSERT_PTR_NULL(tl_get(&l));
	/* A value set for other now is its alone. */
	CU_ASSERT_EQUAL(tl_set(&next, "n"), 0);
	CU_ASSERT_EQUAL(tl_set(&other, "o"), 0);
	CU_ASSERT_STRING_EQUAL(tl_get(&other), "o");
	CU_ASSERT_PTR_NULL(tl_get(&l));
	tl_switch(NULL);

	/*
	 * tl_del() destroyed "v"; the exit destroys "o" before "n", although
	 * it was set after: values go in index order, so other's index is
	 * below next's, the one l left.  "w" reaches no destructor, l's or
	 * other's.
	 */
	tl_task_exit(&a);
	CU_ASSERT_EQUAL(atomic_load(&unit_dtor.calls), 3);
	CU_ASSERT_STRING_EQUAL(atomic_load(&unit_dtor.got), "n");
	tl_local_unregister(&l);
	tl_local_unregister(&next);
	tl_local_unregister(&other);
	UNIT_ASSERT_NOTHING_HELD();
}

static void test_cache_task_memory_reused(void)
{
	struct tl_local l = TL_LOCAL(.name = NULL);
	struct tl_node *t = malloc(sizeof(*t));
	int round;

	/*
	 * The same address serves as a new task each round: the cache entry
	 * of the old task must not hand its (freed) slot to the new one.
	 */
	for (round = 0; round < 3; round++) {
		tl_task_init(t);
		tl_switch(t);
		CU_ASSERT_PTR_NULL(tl_get(&l));
		tl_set(&l, round ? "later" : "first");
		CU_ASSERT_PTR_NOT_NULL(tl_get(&l));
		tl_switch(NULL);
		tl_task_exit(t);
	}
	free(t);
	tl_local_unregister(&l);
	UNIT_ASSERT_NOTHING_HELD();
}

/* A task that migrates between threads, M:N style. */
struct migrate {
	struct tl_local *l;
	struct tl_node *task;
	void *seen;
	int op;		/* 0: read, 1: set "moved", 2: del */
};

static void *run_on_other_thread(void *arg)
{
	struct migrate *m = arg;

	tl_switch(m->task);
	m->seen = tl_get(m->l);
	if (m->op == 1)
		tl_set(m->l, "moved");
	else if (m->op == 2)
		tl_del(m->l);
	tl_switch(NULL);
	return NULL;
}

static void on_thread(struct migrate *m)
{
	void *arg = m;

	unit_threads(1, run_on_other_thread, &arg);
}

static void test_cache_task_migrating_between_threads(void)
{
	struct tl_local l = TL_LOCAL(.name = NULL);
	struct tl_node t = TL_NODE_INIT(t);
	struct migrate m = { &l, &t, NULL, 1 };

	tl_switch(&t);
	tl_set(&l, "here");
	CU_ASSERT_STRING_EQUAL(tl_get(&l), "here");	/* cached on this thread */
	tl_switch(NULL);

	on_thread(&m);					/* set there */
	CU_ASSERT_STRING_EQUAL(m.seen, "here");
	tl_switch(&t);
	CU_ASSERT_STRING_EQUAL(tl_get(&l), "moved");
	tl_switch(NULL);

	m.op = 2;					/* deleted there */
	on_thread(&m);
	tl_switch(&t);
	CU_ASSERT_PTR_NULL(tl_get(&l));
	CU_ASSERT_EQUAL(tl_set(&l, "again"), 0);
	CU_ASSERT_STRING_EQUAL(tl_get(&l), "again");
	tl_switch(NULL);

	m.op = 0;
	on_thread(&m);
	CU_ASSERT_STRING_EQUAL(m.seen, "again");
	tl_task_exit(&t);
	tl_local_unregister(&l);
	UNIT_ASSERT_NOTHING_HELD();
}

static void *exit_there(void *task)
{
	tl_task_exit(task);
	return NULL;
}

/*
 * Only this thread cached the value, and the task ends on another: a new
 * task at the same address here must not find it (nor the slot, freed).
 * Then the same with the exit here, whose own entry goes with the value.
 */
static void test_cache_task_ending_where_it_was_not_cached(void)
{
	struct tl_local l = TL_LOCAL(.name = NULL);
	struct tl_node t = TL_NODE_INIT(t);
	void *arg = &t;
	int round;

	for (round = 0; round < 3; round++) {
		tl_switch(&t);
		CU_ASSERT_PTR_NULL(tl_get(&l));
		CU_ASSERT_EQUAL(tl_set(&l, "here"), 0);
		CU_ASSERT_STRING_EQUAL(tl_get(&l), "here");
		tl_switch(NULL);
		if (round % 2)
			tl_task_exit(&t);
		else
			unit_threads(1, exit_there, &arg);
		tl_task_init(&t);
	}
	tl_switch(&t);
	CU_ASSERT_PTR_NULL(tl_get(&l));
	tl_switch(NULL);
	tl_local_unregister(&l);
	UNIT_ASSERT_NOTHING_HELD();
}

static void test_many_locals_share_the_cache(void)
{
	enum { N = 3 * TL_CACHE_SIZE + 7 };
	static struct tl_local many[N];
	struct tl_node a = TL_NODE_INIT(a), b = TL_NODE_INIT(b);
	int i, round, wrong = 0;

	for (i = 0; i < N; i++) {
		memset(&many[i], 0, sizeof(many[i]));
		tl_switch(&a);
		tl_set(&many[i], &many[i]);
		tl_switch(&b);
		if (i % 2)
			tl_set(&many[i], &a);
	}
	/* Colliding entries evict each other; every answer stays right. */
	for (round = 0; round < 2; round++)
		for (i = N - 1; i >= 0; i--) {
			tl_switch(&a);
			wrong += tl_get(&many[i]) != &many[i];
			tl_switch(&b);
			wrong += tl_get(&many[i]) != (i % 2 ? (void *)&a : NULL);
		}
	CU_ASSERT_EQUAL(wrong, 0);
	tl_switch(NULL);
	tl_task_exit(&a);
	tl_task_exit(&b);
	for (i = 0; i < N; i++)
		CU_ASSERT_EQUAL(tl_local_unregister(&many[i]), 0);
	UNIT_ASSERT_NOTHING_HELD();
}

/* Locals with a discriminator are cached by the slow path, as safely. */
static void test_cache_with_a_discriminator(void)
{
	struct tl_sched s;
	struct tl_local l = TL_LOCAL(.disc = &s.disc);
	struct tl_local plain = TL_LOCAL(.name = NULL);
	struct tl_node a = TL_NODE_INIT(a), b = TL_NODE_INIT(b);
	int i;

	tl_sched_init(&s);
	tl_sched_switch(&s, &a);
	tl_set(&l, "a");
	tl_sched_switch(&s, &b);
	tl_set(&l, "b");
	/* The thread's own current task is the same object: no confusion. */
	tl_switch(&a);
	tl_set(&plain, "plain a");
	for (i = 0; i < 3; i++) {
		tl_sched_switch(&s, &a);
		CU_ASSERT_STRING_EQUAL(tl_get(&l), "a");
		tl_sched_switch(&s, &b);
		CU_ASSERT_STRING_EQUAL(tl_get(&l), "b");
		CU_ASSERT_STRING_EQUAL(tl_get(&plain), "plain a");
	}
	CU_ASSERT_EQUAL(tl_del(&l), 0);			/* b's */
	CU_ASSERT_PTR_NULL(tl_get(&l));
	tl_sched_switch(&s, &a);
	CU_ASSERT_STRING_EQUAL(tl_get(&l), "a");
	tl_switch(NULL);
	tl_task_exit(&a);
	tl_task_init(&a);				/* same address, new task */
	CU_ASSERT_PTR_NULL(tl_get(&l));
	tl_sched_switch(&s, NULL);
	CU_ASSERT_PTR_NULL(tl_get(&l));			/* root context */
	/* Unregistered with its value cached: gone at once, and for good. */
	tl_sched_switch(&s, &b);
	CU_ASSERT_EQUAL(tl_set(&l, "b again"), 0);
	CU_ASSERT_STRING_EQUAL(tl_get(&l), "b again");
	CU_ASSERT_EQUAL(tl_local_unregister(&l), 0);
	CU_ASSERT_PTR_NULL(tl_get(&l));
	CU_ASSERT_EQUAL(tl_local_register(&l), 0);
	CU_ASSERT_PTR_NULL(tl_get(&l));
	tl_sched_switch(&s, NULL);
	tl_task_exit(&b);
	tl_local_unregister(&l);
	tl_local_unregister(&plain);
	UNIT_ASSERT_NOTHING_HELD();
}

/*
 * A tl_sched's local found inline: the scheduler's current task is read
 * at every lookup, so that its switches (no tl_switch()) are seen at once,
 * and a value of another task cached under the same tag is never taken:
 * not while a task exit runs (every local resolves to the exiting task),
 * and not after the local was registered again with another scheduler.
 */
static struct tl_sched inl_sched, inl_other;
static struct tl_local inl_first = TL_LOCAL(.name = "inline-first");
static struct tl_local inl_local = TL_LOCAL(.disc = &inl_sched.disc);
static const char *inl_seen;

static void inl_first_dtor(void *v)
{
	(void)v;
	inl_seen = tl_get(&inl_local);	/* before inl_local's turn */
}

static void test_sched_local_inline(void)
{
	struct tl_node t = TL_NODE_INIT(t), other = TL_NODE_INIT(other);
	int i;

	inl_first.destroy = inl_first_dtor;
	inl_first.disc = &inl_sched.disc;
	CU_ASSERT_EQUAL(tl_local_register(&inl_first), 0);	/* lower index */
	CU_ASSERT_EQUAL(tl_local_register(&inl_local), 0);	/* before init */
	tl_sched_init(&inl_sched);
	tl_sched_init(&inl_other);
	tl_sched_init(NULL);				/* nothing, no crash */
	CU_ASSERT_PTR_NULL(tl_sched_switch(NULL, &t));
	tl_sched_switch(&inl_sched, &other);
	CU_ASSERT_EQUAL(tl_set(&inl_local, "other"), 0);
	tl_sched_switch(&inl_sched, &t);
	CU_ASSERT_EQUAL(tl_set(&inl_local, "t"), 0);
	CU_ASSERT_EQUAL(tl_set(&inl_first, "t first"), 0);
	for (i = 0; i < 4; i++) {
		tl_sched_switch(&inl_sched, &other);
		CU_ASSERT_STRING_EQUAL(tl_get(&inl_local), "other");
		tl_sched_switch(&inl_sched, &t);
		CU_ASSERT_STRING_EQUAL(tl_get(&inl_local), "t");
		CU_ASSERT_EQUAL(tl_set(&inl_local, "t"), 0);	/* inline too */
	}
	/* The scheduler has moved on when t is exited. */
	tl_sched_switch(&inl_sched, &other);
	CU_ASSERT_STRING_EQUAL(tl_get(&inl_local), "other");
	inl_seen = NULL;
	tl_task_exit(&t);
	CU_ASSERT_PTR_NOT_NULL_FATAL(inl_seen);
	CU_ASSERT_STRING_EQUAL(inl_seen, "t");
	CU_ASSERT_STRING_EQUAL(tl_get(&inl_local), "other");

	/* Registered again with another scheduler, current elsewhere. */
	CU_ASSERT_EQUAL(tl_local_unregister(&inl_local), 0);
	inl_local.disc = &inl_other.disc;
	CU_ASSERT_EQUAL(tl_local_register(&inl_local), 0);
	tl_task_init(&t);
	tl_sched_switch(&inl_other, &other);	/* inl_sched's is other too */
	CU_ASSERT_EQUAL(tl_set(&inl_local, "other, again"), 0);
	tl_sched_switch(&inl_other, &t);
	CU_ASSERT_EQUAL(tl_set(&inl_local, "t, again"), 0);
	for (i = 0; i < 4; i++)
		CU_ASSERT_STRING_EQUAL(tl_get(&inl_local), "t, again");
	tl_sched_switch(&inl_other, &other);
	CU_ASSERT_STRING_EQUAL(tl_get(&inl_local), "other, again");
	tl_sched_switch(&inl_other, NULL);
	CU_ASSERT_PTR_NULL(tl_get(&inl_local));		/* the root context */
	tl_task_exit(&t);
	tl_task_exit(&other);
	tl_sched_switch(&inl_sched, NULL);
	CU_ASSERT_EQUAL(tl_local_unregister(&inl_local), 0);
	CU_ASSERT_EQUAL(tl_local_unregister(&inl_first), 0);
	inl_local.disc = &inl_sched.disc;
	UNIT_ASSERT_NOTHING_HELD();
}

/*
 * Before its registration a local's discriminator may still change: the
 * tl_sched it followed before may be gone by then, and no lookup reads
 * it (the sanitizer runs check the reads).
 */
static void test_sched_local_disc_changed_before_registration(void)
{
	struct tl_sched *gone = malloc(sizeof(*gone)), kept;
	struct tl_node t = TL_NODE_INIT(t);
	struct tl_local l = TL_LOCAL(.name = NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(gone);
	tl_sched_init(gone);
	tl_sched_switch(gone, &t);
	l.disc = &gone->disc;
	CU_ASSERT_PTR_NULL(tl_get(&l));		/* not registered */
	tl_sched_init(&kept);
	l.disc = &kept.disc;
	free(gone);
	CU_ASSERT_PTR_NULL(tl_get(&l));
	CU_ASSERT_PTR_NULL(tl_get(&l));
	tl_sched_switch(&kept, &t);
	CU_ASSERT_EQUAL(tl_set(&l, &kept), 0);	/* registers it */
	CU_ASSERT_PTR_EQUAL(tl_get(&l), &kept);
	CU_ASSERT_PTR_EQUAL(tl_get(&l), &kept);
	tl_sched_switch(&kept, NULL);
	CU_ASSERT_PTR_NULL(tl_get(&l));
	tl_task_exit(&t);
	CU_ASSERT_EQUAL(tl_local_unregister(&l), 0);
	UNIT_ASSERT_NOTHING_HELD();
}

/*
 * A tl_sched's local read first in a destructor, while an exit runs: the
 * entry cached then keeps answering later lookups out of line, so the
 * inline path must learn where the scheduler's current task is already
 * (the private tl__cur), or it would never serve the local.
 */
static struct tl_sched pub_sched;
static struct tl_local pub_local = TL_LOCAL(.disc = &pub_sched.disc);
static int pub_seen;

static void pub_dtor(void *v)
{
	(void)v;
	pub_seen += tl_get(&pub_local) == NULL;	/* no value: cached so */
}

static void test_sched_local_first_read_in_an_exit(void)
{
	struct tl_local first = TL_LOCAL(.destroy = pub_dtor);
	struct tl_node t = TL_NODE_INIT(t);
	int x, i;

	tl_sched_init(&pub_sched);
	pub_seen = 0;
	CU_ASSERT_EQUAL(tl_local_register(&pub_local), 0);
	tl_switch(&t);
	tl_sched_switch(&pub_sched, &t);
	CU_ASSERT_EQUAL(tl_set(&first, &x), 0);
	tl_task_exit(&t);
	CU_ASSERT_EQUAL(pub_seen, 1);
	tl_task_init(&t);			/* used again, as pools do */
	for (i = 0; i < 4; i++)
		CU_ASSERT_PTR_NULL(tl_get(&pub_local));
	CU_ASSERT(!TL_CACHE_SIZE || pub_local.tl__cur == &pub_sched.current);
	CU_ASSERT_EQUAL(tl_set(&pub_local, &x), 0);
	CU_ASSERT_PTR_EQUAL(tl_get(&pub_local), &x);
	tl_sched_switch(&pub_sched, NULL);
	CU_ASSERT_PTR_NULL(tl_get(&pub_local));
	tl_switch(NULL);
	tl_task_exit(&t);
	CU_ASSERT_EQUAL(tl_local_unregister(&pub_local), 0);
	CU_ASSERT_EQUAL(tl_local_unregister(&first), 0);
	UNIT_ASSERT_NOTHING_HELD();
}

/*
 * More tasks than a cache set has ways, cycling over one local, as a
 * scheduler does: each finds its own value (from the second level, after
 * the first round), the root context and a task without a value find none,
 * and a first value set in the middle of the cycling is seen at once.
 */
static void test_cache_tasks_cycling(void)
{
	enum { MAX = 6 };
	struct tl_local l = TL_LOCAL(.name = NULL);
	struct tl_local other = TL_LOCAL(.name = NULL);
	struct tl_node t[MAX + 1];
	int vals[MAX], n, i, round, wrong;

	for (n = 3; n <= MAX; n++) {
		wrong = 0;
		for (i = 0; i <= n; i++) {
			tl_task_init(&t[i]);
			tl_switch(&t[i]);
			/* Another value before l's: a walk would be longer. */
			tl_set(&other, &t[i]);
			if (i < n)
				tl_set(&l, &vals[i]);
		}
		/* t[n] has no value of l until the third round. */
		for (round = 0; round < 5; round++) {
			for (i = 0; i <= n; i++) {
				void *want = i < n ? (void *)&vals[i] :
					     round > 2 ? (void *)&t[n] : NULL;

				tl_switch(&t[i]);
				wrong += tl_get(&l) != want;
				wrong += tl_get(&other) != &t[i];
				if (i == n && round == 2)
					tl_set(&l, &t[n]);
			}
			tl_switch(NULL);
			wrong += tl_get(&l) != NULL;
		}
		CU_ASSERT_EQUAL(wrong, 0);
		for (i = 0; i <= n; i++)
			tl_task_exit(&t[i]);
	}
	tl_local_unregister(&l);
	tl_local_unregister(&other);
	UNIT_ASSERT_NOTHING_HELD();
}

/* New tasks @t[0 .. @n - 1], each with @want[i] as its value of @l. */
static void cycle_start(struct tl_local *l, struct tl_node *t,
			void *const *want, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		tl_task_init(&t[i]);
		tl_switch(&t[i]);
		CU_ASSERT_EQUAL(tl_set(l, want[i]), 0);
	}
	tl_switch(NULL);
}

/* Visit @t[0 .. @n - 1] in turn, @rounds times: whether each saw @want[i]. */
static bool cycle_sees(struct tl_local *l, struct tl_node *t, void *const *want,
		       int n, int rounds)
{
	bool right = true;
	int i, round;

	for (round = 0; round < rounds; round++)
		for (i = 0; i < n; i++) {
			tl_switch(&t[i]);
			right &= tl_get(l) == want[i];
		}
	tl_switch(NULL);
	return right;
}

/*
 * A task exits while its value is cached in the second level only (its
 * set holds the two tasks visited after it), and another task's first
 * value takes its slot: a new task at the first one's address must find
 * neither the old slot nor the value now in it.  Then a value deleted
 * while cached in both levels (the lookup of tl_del() brings it back into
 * the set), its slot taken by a neighbour's first value at once: the
 * task it was deleted from finds none.
 */
static void test_cache_released_from_the_second_level(void)
{
	struct tl_local l = TL_LOCAL(.name = NULL);
	struct tl_local m = TL_LOCAL(.name = NULL);
	struct tl_node t[4];
	void *want[4] = { "0", "1", "2", "3" };
	int i, round;

	cycle_start(&l, t, want, 4);
	for (round = 0; round < 3; round++) {
		CU_ASSERT_TRUE(cycle_sees(&l, t, want, 4, 2));
		tl_task_exit(&t[0]);
		tl_task_init(&t[0]);	/* same address, new task */
		want[0] = NULL;
		/* The slot t[0] had, kept by this thread, goes to m's value. */
		tl_switch(&t[1]);
		CU_ASSERT_EQUAL(tl_set(&m, "m"), 0);
		CU_ASSERT_TRUE(cycle_sees(&l, t, want, 4, 2));

		tl_switch(&t[1]);
		CU_ASSERT_EQUAL(tl_del(&l), 0);
		want[1] = NULL;
		tl_switch(&t[0]);
		CU_ASSERT_EQUAL(tl_set(&l, "0"), 0);
		want[0] = "0";
		CU_ASSERT_TRUE(cycle_sees(&l, t, want, 4, 2));

		tl_switch(&t[1]);
		CU_ASSERT_EQUAL(tl_del(&m), 0);
		CU_ASSERT_EQUAL(tl_set(&l, "1"), 0);
		want[1] = "1";
	}
	for (i = 0; i < 4; i++)
		tl_task_exit(&t[i]);
	tl_local_unregister(&l);
	tl_local_unregister(&m);
	UNIT_ASSERT_NOTHING_HELD();
}

/* The other thread's part below: @t[0] sets a value, deletes it or exits. */
struct migrate_cycle {
	struct tl_local *l;
	struct tl_node *t;
	int op;		/* 0: set "there", 1: del, 2: exit */
};

static void *cycle_there(void *arg)
{
	struct migrate_cycle *m = arg;

	if (m->op == 2) {
		tl_task_exit(&m->t[0]);
		return NULL;
	}
	tl_switch(&m->t[0]);
	if (m->op == 0)
		tl_set(m->l, "there");
	else
		tl_del(m->l);
	tl_switch(NULL);
	return NULL;
}

/*
 * A task cycled with others here (its value in this thread's second
 * level) moves to another thread, which replaces its value, deletes it,
 * or exits the task: back here, it sees what the other thread left.
 */
static void test_cache_second_level_task_migrating(void)
{
	struct tl_local l = TL_LOCAL(.name = NULL);
	struct tl_node t[3];
	void *want[3] = { "a", "b", "c" };
	struct migrate_cycle m = { &l, t, 0 };
	void *arg = &m;
	int i;

	cycle_start(&l, t, want, 3);
	CU_ASSERT_TRUE(cycle_sees(&l, t, want, 3, 3));
	unit_threads(1, cycle_there, &arg);		/* set there */
	want[0] = "there";
	CU_ASSERT_TRUE(cycle_sees(&l, t, want, 3, 3));
	m.op = 1;					/* deleted there */
	unit_threads(1, cycle_there, &arg);
	want[0] = NULL;
	CU_ASSERT_TRUE(cycle_sees(&l, t, want, 3, 3));
	/* A new value here, then the task exited there, and its address reused. */
	tl_switch(&t[0]);
	CU_ASSERT_EQUAL(tl_set(&l, "again"), 0);
	want[0] = "again";
	CU_ASSERT_TRUE(cycle_sees(&l, t, want, 3, 3));
	m.op = 2;
	unit_threads(1, cycle_there, &arg);
	tl_task_init(&t[0]);
	want[0] = NULL;
	CU_ASSERT_TRUE(cycle_sees(&l, t, want, 3, 3));
	for (i = 0; i < 3; i++)
		tl_task_exit(&t[i]);
	tl_local_unregister(&l);
	UNIT_ASSERT_NOTHING_HELD();
}

/*
 * Entries of a local unregistered while cycled over (every task's value
 * in the second level) match nothing: not the local registered again,
 * nor a new one at its index.
 */
static void test_cache_second_level_after_unregister(void)
{
	struct tl_local l = TL_LOCAL(.name = NULL);
	struct tl_local other = TL_LOCAL(.name = NULL);
	struct tl_node t[4];
	void *want[4] = { "0", "1", "2", "3" }, *none[4] = { NULL };
	int i;

	cycle_start(&l, t, want, 4);
	CU_ASSERT_TRUE(cycle_sees(&l, t, want, 4, 3));
	CU_ASSERT_EQUAL(tl_local_unregister(&l), 0);
	CU_ASSERT_TRUE(cycle_sees(&l, t, none, 4, 2));
	CU_ASSERT_EQUAL(tl_local_register(&l), 0);
	CU_ASSERT_TRUE(cycle_sees(&l, t, none, 4, 2));
	CU_ASSERT_EQUAL(tl_local_unregister(&l), 0);
	CU_ASSERT_EQUAL(tl_local_register(&other), 0);	/* l's index */
	CU_ASSERT_TRUE(cycle_sees(&other, t, none, 4, 2));
	tl_switch(&t[2]);
	CU_ASSERT_EQUAL(tl_set(&other, "2"), 0);
	none[2] = "2";
	CU_ASSERT_TRUE(cycle_sees(&other, t, none, 4, 2));
	for (i = 0; i < 4; i++)
		tl_task_exit(&t[i]);
	tl_local_unregister(&other);
	UNIT_ASSERT_NOTHING_HELD();
}

/* A typed local's init that unregisters its own local: no storage, no stale entry. */
static struct tl_local self_removing;
static int self_removing_inits;

static void unregister_self(void *data, void *arg)
{
	(void)data;
	(void)arg;
	self_removing_inits++;
	CU_ASSERT_EQUAL(tl_local_unregister(&self_removing), 0);
}

static void test_init_unregistering_its_local(void)
{
	struct tl_node t = TL_NODE_INIT(t);

	memset(&self_removing, 0, sizeof(self_removing));
	self_removing.size = sizeof(long);
	self_removing.init = unregister_self;
	self_removing_inits = 0;
	tl_switch(&t);
	CU_ASSERT_PTR_NULL(tl_this(&self_removing));
	CU_ASSERT_EQUAL(self_removing_inits, 1);
	CU_ASSERT_FALSE(tl_local_registered(&self_removing));
	CU_ASSERT_PTR_NULL(tl_get(&self_removing));
	CU_ASSERT_TRUE(tl_node_empty(&t));
	tl_switch(NULL);
	tl_task_exit(&t);
	/* After the task's exit a lookup finds nothing either (no freed slot). */
	tl_switch(&t);
	CU_ASSERT_PTR_NULL(tl_get(&self_removing));
	tl_switch(NULL);
	UNIT_ASSERT_NOTHING_HELD();
}

/*
 * A typed local's init that exits the thread's root context, whose first
 * value it is being made for: the value goes into the root context as it
 * is after the hook (armed again), and is destroyed once at its exit.
 */
static int root_exiting_destroyed;

static void exit_the_root(void *data, void *arg)
{
	(void)data;
	(void)arg;
	tl_root_exit();
}

static void count_root_exiting(void *data)
{
	(void)data;
	root_exiting_destroyed++;
}

static struct tl_local root_exiting = TL_LOCAL(.size = sizeof(long),
					       .init = exit_the_root,
					       .destroy = count_root_exiting);

static void *root_exit_in_init(void *arg)
{
	(void)arg;
	CU_ASSERT_PTR_NOT_NULL(tl_this(&root_exiting));
	CU_ASSERT_PTR_NOT_NULL(tl_get(&root_exiting));
	CU_ASSERT_EQUAL(root_exiting_destroyed, 0);
	tl_root_exit();
	CU_ASSERT_EQUAL(root_exiting_destroyed, 1);
	CU_ASSERT_PTR_NULL(tl_get(&root_exiting));
	/* Once more, left to the thread's end this time. */
	CU_ASSERT_PTR_NOT_NULL(tl_this(&root_exiting));
	return NULL;
}

/*
 * A typed local's init that switches to another task, which has a value of
 * the local: the value being made is still the root context's, and the
 * other task's is untouched.
 */
static struct tl_node switched_to;
static struct tl_local switching = TL_LOCAL(.size = sizeof(long));

static void switch_away(void *data, void *arg)
{
	(void)data;
	(void)arg;
	tl_switch(&switched_to);
}

static void *switch_in_init(void *arg)
{
	long *mine, *theirs;

	(void)arg;
	tl_task_init(&switched_to);
	tl_switch(&switched_to);
	theirs = tl_this(&switching);
	CU_ASSERT_PTR_NOT_NULL_FATAL(theirs);
	*theirs = 42;
	tl_switch(NULL);
	switching.init = switch_away;
	mine = tl_this(&switching);
	switching.init = NULL;
	CU_ASSERT_PTR_NOT_NULL(mine);
	CU_ASSERT_PTR_NOT_EQUAL(mine, theirs);
	CU_ASSERT_PTR_EQUAL(tl_current(), &switched_to);
	CU_ASSERT_PTR_EQUAL(tl_get(&switching), theirs);
	CU_ASSERT_EQUAL(*theirs, 42);
	tl_switch(NULL);
	CU_ASSERT_PTR_EQUAL(tl_get(&switching), mine);
	tl_task_exit(&switched_to);
	tl_root_exit();
	return NULL;
}

static void test_init_switching_tasks(void)
{
	CU_ASSERT_EQUAL_FATAL(tl_local_register(&switching), 0);
	unit_threads(1, switch_in_init, NULL);
	tl_local_unregister(&switching);
	UNIT_ASSERT_NOTHING_HELD();
}

static void test_init_exiting_the_root_context(void)
{
	root_exiting_destroyed = 0;
	CU_ASSERT_EQUAL_FATAL(tl_local_register(&root_exiting), 0);
	unit_threads(1, root_exit_in_init, NULL);
	CU_ASSERT_EQUAL(root_exiting_destroyed, 2);
	tl_local_unregister(&root_exiting);
	UNIT_ASSERT_NOTHING_HELD();
}

/*
 * First values set in every order, in tasks whose state sends some of them
 * the general way (a "no value" cached for the local before, a value of a
 * larger index already there, a zero-filled node, a local unregistered with
 * values left, a first use of a local): each reads back, none leaks into
 * another task, and the exit destroys each once, in index order.  Only
 * shape 1 reads the locals where they have no value: a "no value" entry
 * sends every later first value of the local the general way.
 */
static struct tl_local order_loc[4];
static int order_got[8], order_n;
static int order_reg[4];	/* the locals in registration order */

static void order_dtor(void *v)
{
	if (order_n < 8)
		order_got[order_n] = (int)(uintptr_t)v;
	order_n++;
}

static void first_values_in_order(const int *perm, int shape)
{
	struct tl_node t, other = TL_NODE_INIT(other);
	struct tl_local gone = TL_LOCAL(.name = "access.gone");
	int i, n;

	if (shape == 2)
		memset(&t, 0, sizeof(t));	/* a zero-filled node */
	else
		tl_task_init(&t);
	if (shape == 3) {	/* t keeps a slot of a local unregistered */
		CU_ASSERT_EQUAL_FATAL(tl_local_register(&gone), 0);
		tl_switch(&t);
		CU_ASSERT_EQUAL(tl_set(&gone, &gone), 0);
		CU_ASSERT_EQUAL(tl_local_unregister(&gone), 0);
	}
	tl_switch(&t);
	if (shape == 1) {	/* "no value" cached for one of them */
		CU_ASSERT_PTR_NULL(tl_get(&order_loc[perm[0]]));
		CU_ASSERT_PTR_NULL(tl_get(&order_loc[perm[0]]));
	}
	for (i = 0; i < 4; i++) {
		void *v = (void *)(uintptr_t)(perm[i] + 1);

		CU_ASSERT_EQUAL(tl_set(&order_loc[perm[i]], v), 0);
		CU_ASSERT_PTR_EQUAL(tl_get(&order_loc[perm[i]]), v);
	}
	for (i = 0; i < 4; i++)
		CU_ASSERT_PTR_EQUAL(tl_get(&order_loc[i]),
				    (void *)(uintptr_t)(i + 1));
	/* Four slots: the dead one (shape 3) went at the first value. */
	n = 0;
	for (struct tl_node *s = t.next; s != &t; s = s->next)
		n++;
	CU_ASSERT_EQUAL(n, 4);
	tl_switch(&other);
	for (i = 0; i < 4 && shape == 1; i++)
		CU_ASSERT_PTR_NULL(tl_get(&order_loc[i]));
	CU_ASSERT_TRUE(tl_node_empty(&other));
	order_n = 0;
	tl_switch(NULL);
	tl_task_exit(&t);
	tl_task_exit(&other);
	CU_ASSERT_EQUAL(order_n, 4);
	for (i = 0; i < 4 && i < order_n; i++)
		CU_ASSERT_EQUAL(order_got[i], order_reg[i] + 1);
}

static void test_first_values_in_any_order(void)
{
	int perm[4], shape, i, code, perms;

	for (shape = 0; shape < 5; shape++) {
		memset(order_loc, 0, sizeof(order_loc));
		for (i = 0; i < 4; i++) {
			order_loc[i].destroy = order_dtor;
			/* shape 4: registered by their first set */
			if (shape != 4)
				CU_ASSERT_EQUAL_FATAL(
					tl_local_register(&order_loc[i]), 0);
		}
		/* Every order of the four: the codes whose digits differ. */
		for (code = 0, perms = 0; code < 256; code++) {
			int seen = 0;

			for (i = 0; i < 4; i++) {
				perm[i] = code >> (2 * i) & 3;
				seen |= 1 << perm[i];
			}
			if (seen != 0xf)
				continue;
			/* Shape 4: registered in the order of the first one. */
			for (i = 0; i < 4 && (shape != 4 || !perms); i++)
				order_reg[i] = shape == 4 ? perm[i] : i;
			first_values_in_order(perm, shape);
			perms++;
		}
		CU_ASSERT_EQUAL(perms, 24);
		for (i = 0; i < 4; i++)
			tl_local_unregister(&order_loc[i]);
	}
	UNIT_ASSERT_NOTHING_HELD();
}

/*
 * A task that lives on while locals come and go, each at a larger index
 * than the last (the smaller ones taken meanwhile by locals never set in
 * it), and sets a first value of each: the values of those unregistered
 * do not pile up in it.
 */
static void test_dead_values_do_not_pile_up(void)
{
	static struct tl_local plugin[50], filler[50];
	struct tl_node t, other;
	uint32_t last = 0;
	int i, n;

	tl_task_init(&t);
	for (i = 0; i < 50; i++) {
		plugin[i] = (struct tl_local)TL_LOCAL(.name = NULL);
		CU_ASSERT_EQUAL_FATAL(tl_local_register(&plugin[i]), 0);
		/* Private: each at a larger index, so it goes last in t. */
		CU_ASSERT(plugin[i].tl__index > last);
		last = plugin[i].tl__index;
		/* Used once elsewhere first: no first use to record in t. */
		tl_task_init(&other);
		tl_switch(&other);
		CU_ASSERT_EQUAL(tl_set(&plugin[i], &plugin[i]), 0);
		tl_switch(NULL);
		tl_task_exit(&other);
		tl_switch(&t);
		CU_ASSERT_EQUAL(tl_set(&plugin[i], &plugin[i]), 0);
		tl_switch(NULL);
		CU_ASSERT_EQUAL(tl_local_unregister(&plugin[i]), 0);
		filler[i] = (struct tl_local)TL_LOCAL(.name = NULL);
		CU_ASSERT_EQUAL_FATAL(tl_local_register(&filler[i]), 0);
	}
	n = 0;
	for (struct tl_node *p = t.next; p != &t; p = p->next)
		n++;
	CU_ASSERT(n <= 1);
	tl_task_exit(&t);
	for (i = 0; i < 50; i++)
		tl_local_unregister(&filler[i]);
	UNIT_ASSERT_NOTHING_HELD();
}

/*
 * A local read before its first value in a task: once (the usual
 * if (!tl_get(&l)) tl_set(&l, ...)), nothing is cached for it, and the
 * first value needs no new key of the local (its entries in other threads
 * stay); twice, "no value" is cached and the first value voids it, once:
 * the new key voids every "no value" of the local, so the next first
 * values need none.  Either way every lookup is right, also when the task
 * moved to another thread between its reads and its first value.
 */
static struct tl_local read_first = TL_LOCAL(.name = "access.read_first");
static struct tl_node rf_task;
static int rf_mine;

static void *rf_set_elsewhere(void *arg)
{
	(void)arg;
	tl_switch(&rf_task);
	CU_ASSERT_EQUAL(tl_set(&read_first, &rf_mine), 0);
	CU_ASSERT_PTR_EQUAL(tl_get(&read_first), &rf_mine);
	tl_switch(NULL);
	return NULL;
}

static void test_read_before_the_first_value(void)
{
	struct tl_node t = TL_NODE_INIT(t), warm = TL_NODE_INIT(warm);
	uint64_t key;
	int v, reads;

	CU_ASSERT_EQUAL_FATAL(tl_local_register(&read_first), 0);
	tl_switch(&warm);		/* used once: no first use to record */
	CU_ASSERT_EQUAL(tl_set(&read_first, &warm), 0);
	tl_switch(NULL);
	tl_task_exit(&warm);

	key = read_first.tl__key;	/* private: were entries voided? */
	tl_switch(&t);
	CU_ASSERT_PTR_NULL(tl_get(&read_first));
	CU_ASSERT_EQUAL(tl_set(&read_first, &v), 0);
	CU_ASSERT_PTR_EQUAL(tl_get(&read_first), &v);
	CU_ASSERT_EQUAL(read_first.tl__key, key);
	tl_switch(NULL);
	CU_ASSERT_PTR_NULL(tl_get(&read_first));
	tl_task_exit(&t);

	tl_task_init(&t);
	tl_switch(&t);
	CU_ASSERT_PTR_NULL(tl_get(&read_first));
	CU_ASSERT_PTR_NULL(tl_get(&read_first));	/* cached now */
	CU_ASSERT_EQUAL(tl_set(&read_first, &v), 0);
	CU_ASSERT_PTR_EQUAL(tl_get(&read_first), &v);
	CU_ASSERT(!TL_CACHE_SIZE || read_first.tl__key != key);
	tl_switch(NULL);
	tl_task_exit(&t);

	/* That new key voided every "no value": later first values keep it. */
	key = read_first.tl__key;
	tl_task_init(&t);
	tl_switch(&t);
	CU_ASSERT_EQUAL(tl_set(&read_first, &v), 0);
	CU_ASSERT_EQUAL(read_first.tl__key, key);
	tl_switch(NULL);
	tl_task_exit(&t);

	/*
	 * "No value" cached here for rf_task; another task's first value
	 * gives a new key; rf_task's first value on another thread then needs
	 * none, and here its value is found, not the old "no value".
	 */
	tl_task_init(&rf_task);
	tl_switch(&rf_task);
	CU_ASSERT_PTR_NULL(tl_get(&read_first));
	CU_ASSERT_PTR_NULL(tl_get(&read_first));
	tl_task_init(&t);
	tl_switch(&t);
	CU_ASSERT_PTR_NULL(tl_get(&read_first));
	CU_ASSERT_PTR_NULL(tl_get(&read_first));
	key = read_first.tl__key;
	CU_ASSERT_EQUAL(tl_set(&read_first, &v), 0);
	CU_ASSERT(!TL_CACHE_SIZE || read_first.tl__key != key);
	key = read_first.tl__key;
	tl_switch(NULL);
	unit_threads(1, rf_set_elsewhere, NULL);
	CU_ASSERT_EQUAL(read_first.tl__key, key);
	tl_switch(&rf_task);
	CU_ASSERT_PTR_EQUAL(tl_get(&read_first), &rf_mine);
	tl_switch(&t);
	CU_ASSERT_PTR_EQUAL(tl_get(&read_first), &v);
	tl_switch(NULL);
	tl_task_exit(&t);
	tl_task_exit(&rf_task);

	/* Read here once or twice, first value in another thread, read here. */
	for (reads = 1; reads <= 2; reads++) {
		int i;

		tl_task_init(&rf_task);
		tl_switch(&rf_task);
		for (i = 0; i < reads; i++)
			CU_ASSERT_PTR_NULL(tl_get(&read_first));
		tl_switch(NULL);
		unit_threads(1, rf_set_elsewhere, NULL);
		tl_switch(&rf_task);
		CU_ASSERT_PTR_EQUAL(tl_get(&read_first), &rf_mine);
		tl_switch(NULL);
		tl_task_exit(&rf_task);
	}
	tl_local_unregister(&read_first);
	UNIT_ASSERT_NOTHING_HELD();
}

UNIT_SUITE(access,
	UNIT_TEST(test_init_unregistering_its_local),
	UNIT_TEST(test_init_exiting_the_root_context),
	UNIT_TEST(test_init_switching_tasks),
	UNIT_TEST(test_first_values_in_any_order),
	UNIT_TEST(test_dead_values_do_not_pile_up),
	UNIT_TEST(test_read_before_the_first_value),
	UNIT_TEST(test_null_and_wrong_kind_of_local),
	UNIT_TEST(test_get_never_registers_or_allocates),
	UNIT_TEST(test_set_replaces_without_destructor),
	UNIT_TEST(test_set_null_first_allocates_nothing),
	UNIT_TEST(test_typed_get_before_this_and_after_del),
	UNIT_TEST(test_bind_uses_the_callers_slot),
	UNIT_TEST(test_bind_replaces_a_library_slot),
	UNIT_TEST(test_cache_switch_between_tasks),
	UNIT_TEST(test_cache_after_del_and_unregister),
	UNIT_TEST(test_cache_task_memory_reused),
	UNIT_TEST(test_cache_task_migrating_between_threads),
	UNIT_TEST(test_cache_task_ending_where_it_was_not_cached),
	UNIT_TEST(test_many_locals_share_the_cache),
	UNIT_TEST(test_cache_with_a_discriminator),
	UNIT_TEST(test_sched_local_inline),
	UNIT_TEST(test_sched_local_disc_changed_before_registration),
	UNIT_TEST(test_sched_local_first_read_in_an_exit),
	UNIT_TEST(test_cache_tasks_cycling),
	UNIT_TEST(test_cache_released_from_the_second_level),
	UNIT_TEST(test_cache_second_level_task_migrating),
	UNIT_TEST(test_cache_second_level_after_unregister));
