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
static _Thread_local struct tl_node root;	/* next == NULL: not armed */
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

struct tl_node *tl__head_of(struct tl_local *l, struct tl_node **cur)
{
	struct tl_node *c;

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

struct tl_slot *tl__find(struct tl_node *head, uint32_t gen)
{
	struct tl_slot *s;

	tl_for_each_entry(s, head, node)
		if (s->gen == gen)
			return s;
	return NULL;
}

/* ------------------------------------------------------------- release */

void tl__release(struct tl_slot *s, bool run_destructor)
{
	void (*destroy)(void *) = NULL;
	struct tl_local *l;

	tl__lock();
	l = tl__resolve_locked(s);
	if (l) {
		tl__invalidate_locked(l);
		destroy = l->destroy;
	}
	tl__unlock();
	if (run_destructor && destroy && s->value)
		destroy(s->value);
	if (!(s->info & TL__SLOT_BOUND))
		tl__slot_free(s);
}

void tl__reap(struct tl_node *head)
{
	struct tl_slot *s, *n;
	struct tl_node dead;

	if (!tl__unregistered_any())
		return;
	tl_node_init(&dead);
	tl__lock();
	tl_for_each_entry_safe(s, n, head, node)
		if (!tl__resolve_locked(s)) {
			tl_node_del(&s->node);
			tl_node_add(&s->node, &dead);
		}
	tl__unlock();
	/*
	 * Their locals' keys were reset at unregistration: no cache entry
	 * leads here.  Slots given to tl_bind() go back to their owner.
	 */
	while (!tl_node_empty(&dead)) {
		s = tl__slot_of(dead.next);
		tl_node_del(&s->node);
		if (!(s->info & TL__SLOT_BOUND))
			tl__slot_free(s);
	}
}

/* Move every slot of @from to the empty head @to; @from is left empty. */
static void splice_init(struct tl_node *from, struct tl_node *to)
{
	if (tl_node_empty(from)) {
		tl_node_init(to);
		return;
	}
	to->next = from->next;
	to->prev = from->prev;
	to->next->prev = to;
	to->prev->next = to;
	tl_node_init(from);
}

static void release_all(struct tl_node *list, bool run_destructors)
{
	while (!tl_node_empty(list)) {
		struct tl_slot *s = tl__slot_of(list->next);

		tl_node_del(&s->node);
		tl__release(s, run_destructors);
	}
}

/* Exit @task with @cur made current while its destructors run. */
static void task_exit(struct tl_node *task, struct tl_node *cur)
{
	struct tl_node batch, *prev;
	int round;

	if (!tl__list_ok(tl__task_ready(task)))
		return;
	prev = tl_switch(cur);
	/*
	 * Each round detaches the whole list first: a destructor sees its
	 * own value gone, and values it sets land in @task for the next
	 * round.
	 */
	for (round = 0; round < TL_DESTRUCTOR_ITERATIONS; round++) {
		splice_init(task, &batch);
		if (tl_node_empty(&batch))
			break;
		release_all(&batch, true);
	}
	release_all(task, false);
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
	if (!root.next)
		return;
	task_exit(&root, NULL);
#if TL_THREADS
	/* Disarmed: a value set after this re-arms the thread-exit hook. */
	root.next = root.prev = NULL;
#endif
}

/* ------------------------------------------------------------- inherit */

/* The local @s belongs to, if it is registered and flagged TL_INHERIT. */
static struct tl_local *inheritable(const struct tl_slot *s)
{
	struct tl_local *l;

	tl__lock();
	l = tl__resolve_locked(s);
	tl__unlock();
	return l && (l->flags & TL_INHERIT) ? l : NULL;
}

int (tl_task_inherit)(struct tl_node *child, struct tl_node *parent)
{
	struct tl_node added;
	struct tl_slot *s;
	int err = 0;

	if (!parent)
		parent = tl__root();
	if (!child || child == parent)
		return -EINVAL;
	if (!tl__list_ok(tl__task_ready(child)) ||
	    !tl__list_ok(tl__task_ready(parent)))
		return -EINVAL;

	/* New slots wait in @added, so lookups in @child see only its own. */
	tl_node_init(&added);
	tl_for_each_entry(s, parent, node) {
		struct tl_local *l = inheritable(s);
		struct tl_slot *n;

		if (!l || !s->value || tl__find(child, s->gen))
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
	if (!tl_node_empty(&added)) {
		added.prev->next = child->next;
		child->next->prev = added.prev;
		child->next = added.next;
		added.next->prev = child;
	}
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
		struct tl_local *l;
		int ret;

		tl__lock();
		l = tl__resolve_locked(s);
		tl__unlock();
		if (!l || !s->value)
			continue;
		ret = fn(l, s->value, arg);
		if (ret)
			return ret;
	}
	return 0;
}
