// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * lib/task.c - tasks: the per-thread block (current task and lookup cache),
 * each thread's root context, finding the list that holds a local's values,
 * releasing slots, and the whole-task operations (exit with destructor
 * rounds, inherit, foreach).
 */
#include "internal.h"

#if TL_THREADS
#include <pthread.h>
#endif

/* Never a task: cache[0] holds it so that key 0 (not cached) never hits. */
#define NO_TASK ((struct tl_node *)TL_POISON_PREV)

TL__THREAD_LOCAL struct tl__thread tl__thread = {
	.cur = NULL,
#if TL_CACHE_SIZE
	.cache = { [0] = { .key = 0, .task = NO_TASK, .slot = NULL } },
#endif
};

/* ---------------------------------------------------------------- root */

#if TL_THREADS
static TL__THREAD_LOCAL struct tl_node root;	/* next == NULL: not armed */
static pthread_key_t root_key;
static pthread_once_t root_once = PTHREAD_ONCE_INIT;

/* Runs when a thread ends with values in its root context. */
static void root_thread_exit(void *unused)
{
	(void)unused;
	tl_root_exit();
}

static void root_key_create(void)
{
	/* Without the key, values stay until tl_root_exit() by hand. */
	if (pthread_key_create(&root_key, root_thread_exit))
		root_key = (pthread_key_t)-1;
}

static void root_arm(void)
{
	pthread_once(&root_once, root_key_create);
	if (root_key != (pthread_key_t)-1)
		pthread_setspecific(root_key, &root);
}
#else
static struct tl_node root;

static void root_arm(void)
{
}
#endif

struct tl_node *tl__root(void)
{
	if (TL__UNLIKELY(!root.next)) {
		tl_node_init(&root);
		root_arm();
	}
	return &root;
}

/* ------------------------------------------------------ discriminators */

static struct tl_node *sched_current(struct tl_discriminator *disc)
{
	return tl_container_of(disc, struct tl_sched, disc)->current;
}

void tl_sched_init(struct tl_sched *sched)
{
	if (!sched)
		return;
	sched->disc.current = sched_current;
	sched->current = NULL;
}

/*
 * The task being exited on this thread, if any: while its destructors run,
 * every local resolves to it, whatever its discriminator says, so that what
 * they set is destroyed in the next round instead of landing elsewhere.
 */
static TL__THREAD_LOCAL struct tl_node *exiting;

struct tl_node *tl__head_of(struct tl_local *l, struct tl_node **cur)
{
	struct tl_node *c;

	/* Unless a destructor switched to another task meanwhile. */
	if (TL__UNLIKELY(exiting) &&
	    tl__thread.cur == (exiting == &root ? NULL : exiting)) {
		*cur = tl__thread.cur;
		return exiting;
	}
	if (l->disc) {
		if (!l->disc->current)
			return NULL;
		c = l->disc->current(l->disc);
	} else {
		c = tl__thread.cur;
	}
	*cur = c;
	return c ? tl__task_ready(c) : tl__root();
}

struct tl_slot *tl__find(struct tl_node *head, uint32_t gen, uint32_t index)
{
	struct tl_slot *s;

	/* The index too: a generation alone could recur after 2^32. */
	tl_for_each_entry(s, head, node)
		if (s->gen == gen && tl__slot_index(s) == index)
			return s;
	return NULL;
}

struct tl_local *tl__resolve(const struct tl_slot *s)
{
	struct tl_local *l;

	tl__lock();
	l = tl__resolve_locked(s);
	tl__unlock();
	return l;
}

/* ------------------------------------------------------------- release */

/*
 * The second half of a release, once the bookkeeping is done: run @destroy
 * on the value, then give the slot back to the pool or allocator, or to its
 * owner.  Whether it is bound is read first: a destructor may free the
 * object a bound slot is embedded in.
 */
static void finish(struct tl_slot *s, void (*destroy)(void *))
{
	bool bound = s->info & TL__SLOT_BOUND;

	if (destroy && s->value)
		destroy(s->value);
	if (!bound)
		tl__slot_free(s);
}

void tl__release(struct tl_slot *s, bool run_destructor)
{
	struct tl_local *l;

	tl__lock();
	l = tl__unlinked_locked(s);
	tl__unlock();
	finish(s, run_destructor && l ? l->destroy : NULL);
}

void tl__reap(struct tl_node *head)
{
	struct tl_slot *s, *n;
	struct tl_node dead;

	if (!tl__dead_slots())
		return;
	tl_node_init(&dead);
	tl__lock();
	tl_for_each_entry_safe(s, n, head, node)
		if (!tl__resolve_locked(s)) {
			tl_node_del(&s->node);
			tl_node_add(&s->node, &dead);
			tl__dead_slot_gone_locked();
		}
	tl__unlock();
	/* Their locals' keys were reset at unregistration: no entry leads here. */
	while (!tl_node_empty(&dead)) {
		s = tl__slot_of(dead.next);
		tl_node_del(&s->node);
		finish(s, NULL);
	}
}

/*
 * Release every slot of the detached @list.  The bookkeeping is done for all
 * of them first, under one lock: no cache entry may find a slot of @list
 * while destructors run, so that they see what a walk of the task sees (the
 * values are gone) whether or not an entry happened to be warm.  The
 * destructor is looked up again for each: an earlier one may have
 * unregistered a local.
 */
static void release_all(struct tl_node *list, bool run_destructors)
{
	struct tl_slot *s;

	tl__lock();
	tl_for_each_entry(s, list, node)
		tl__unlinked_locked(s);
	tl__unlock();
	while (!tl_node_empty(list)) {
		struct tl_local *l = NULL;

		s = tl__slot_of(list->next);
		tl_node_del(&s->node);
		if (run_destructors)
			l = tl__resolve(s);
		finish(s, l ? l->destroy : NULL);
	}
}

/* Exit @task with @cur made current while its destructors run. */
static void task_exit(struct tl_node *task, struct tl_node *cur)
{
	struct tl_node batch, *prev, *prev_exiting;
	int round;

	if (!tl__list_ok(tl__task_ready(task)))
		return;
	prev = tl_switch(cur);
	prev_exiting = exiting;
	exiting = task;
	/*
	 * Each round detaches the whole list first: a destructor sees its
	 * own value gone, and values it sets land in @task for the next
	 * round.
	 */
	for (round = 0; round < TL_DESTRUCTOR_ITERATIONS; round++) {
		tl_node_init(&batch);
		tl_node_splice_init(task, &batch);
		if (tl_node_empty(&batch))
			break;
		release_all(&batch, true);
	}
	release_all(task, false);
	exiting = prev_exiting;
	tl_switch(prev);
}

void (tl_task_exit)(struct tl_node *task)
{
	if (!task)
		return;
	task_exit(task, task == &root ? NULL : task);
}

void tl_root_exit(void)
{
	/* Called again from one of its destructors: the rounds take care. */
	static TL__THREAD_LOCAL bool root_exiting;

	if (!root.next || root_exiting)
		return;
	root_exiting = true;
	task_exit(&root, NULL);
	root_exiting = false;
#if TL_THREADS
	/* Disarmed: a value set after this re-arms the thread-exit hook. */
	root.next = root.prev = NULL;
#endif
}

/* ------------------------------------------------------------- inherit */

int (tl_task_inherit)(struct tl_node *child, struct tl_node *parent)
{
	struct tl_node added;
	struct tl_slot *s;
	int err = 0;

	if (!child)
		return -EINVAL;
	if (!parent)
		parent = tl__root();
	if (child == parent)
		return -EINVAL;
	if (!tl__list_ok(tl__task_ready(child)) ||
	    !tl__list_ok(tl__task_ready(parent)))
		return -EINVAL;

	/* New slots wait in @added, so lookups in @child see only its own. */
	tl_node_init(&added);
	tl_for_each_entry(s, parent, node) {
		struct tl_local *l = tl__resolve(s);
		struct tl_slot *n;

		if (!l || !(l->flags & TL_INHERIT) || !s->value ||
		    tl__find(child, s->gen, tl__slot_index(s)))
			continue;
		n = tl__slot_alloc(l->size);
		if (!n) {
			err = -ENOMEM;
			break;
		}
		if (!l->size)
			n->value = s->value;
		else if (l->copy)
			l->copy(n->value, s->value, l->arg);
		else
			memcpy(n->value, s->value, l->size);
		tl__slot_link(n, l, &added);
	}
	tl_node_splice_init(&added, child);
	return err;
}

/* ------------------------------------------------------------- foreach */

int (tl_task_foreach)(struct tl_node *task,
		      int (*fn)(struct tl_local *local, void *value, void *arg),
		      void *arg)
{
	struct tl_slot *s, *n;

	if (!fn)
		return -EINVAL;
	task = task ? tl__task_ready(task) : tl__root();
	if (!tl__list_ok(task))
		return -EINVAL;
	tl_for_each_entry_safe(s, n, task, node) {
		struct tl_local *l = tl__resolve(s);
		int ret;

		if (!l || !s->value)
			continue;
		ret = fn(l, s->value, arg);
		if (ret)
			return ret;
	}
	return 0;
}
