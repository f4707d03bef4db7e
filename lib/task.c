// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * lib/task.c - tasks: each thread's root context, finding the list that
 * holds a local's values, linking and releasing slots, and a task's exit
 * with its destructor rounds.  tl_task_inherit() and tl_task_foreach()
 * are in visit.c.
 */
#include "internal.h"

#if TL_THREADS
#include <pthread.h>
#endif

/* ---------------------------------------------------------------- root */

/*
 * A thread's root context: its values outside any task.  It is "armed"
 * when its first value is linked: from then on the thread's end exits it
 * (through a pthread key made at load time, so that lookups never call
 * pthread_once or pthread_setspecific).  Its list is then a static
 * record's, on the list of roots that a fork() child reclaims for the
 * threads that did not come along, not in the thread's TLS: a value first
 * set by a pthread-key destructor of the thread's last round is never
 * exited (no round follows), and what stays listed must not point into
 * TLS that is gone, or is the next thread's.  Such a record stays taken,
 * its values (as POSIX leaves a value set then) until a fork() child
 * reclaims them, or the next thread on the same TLS arms its root.
 * Records are static, for TL_THREAD_RECORDS threads with root values at
 * once, then from the allocator (not for tl_bind(), which never
 * allocates); without one the list stays in TLS, unlisted: a fork() child
 * does not reclaim it.
 */

#if TL_THREADS
struct root_rec {
	struct tl_node values;	/* first: a root's list is its record */
	struct tl_node link;	/* on roots, or on root_free */
	const struct tl__root *owner;	/* the thread's TLS, while listed */
};

TL__THREAD_LOCAL struct tl__root tl__root_ctx;
static struct root_rec root_table[TL_THREAD_RECORDS];
static unsigned root_fresh;	/* root_table[root_fresh..]: never taken */
static struct tl_node roots = TL_NODE_INIT(roots);	/* under the lock */
static struct tl_node root_free = TL_NODE_INIT(root_free);	/* likewise */
static pthread_key_t root_key;
static bool root_key_made;

/* Runs when a thread ends with values in its root context. */
static void root_thread_exit(void *unused)
{
	(void)unused;
	tl_root_exit();
}

static bool root_key_make_locked(void)
{
	TL__ASSERT_LOCKED();

	if (!root_key_made)
		root_key_made = !pthread_key_create(&root_key, root_thread_exit);
	return root_key_made;
}

static void fork_prepare(void)
{
	tl__lock();
}

static void fork_parent(void)
{
	tl__unlock();
}

/* A record back: to the free list, or to the allocator it came from. */
static void root_put_locked(struct root_rec *r)
{
	TL__ASSERT_LOCKED();

	tl_node_del(&r->link);
	if (r >= root_table && r < root_table + TL_THREAD_RECORDS)
		tl_node_add(&r->link, &root_free);
	else
		tl__mem_free(r, sizeof(*r));
}

/*
 * The scopes of a thread that is gone (one that did not come along to a
 * fork() child, one that ended in its last destructor round) were on its
 * stack, which it may have been changing at the fork, or which is the
 * next thread's now: they are unlinked, never read.
 */
static void root_forget_scopes(struct tl_node *head)
{
	struct tl_slot *s, *n;

	tl_for_each_entry_safe(s, n, head, node)
		if (s->info & TL__SLOT_SCOPE)
			tl_node_del(&s->node);
}

/*
 * In a fork() child only the forking thread lives on: the root contexts
 * of the others can never be exited, so their slots go back now, without
 * destructors (as glibc drops the other threads' key values), to the pool
 * or allocator, bound ones to their owners.  A thread may have been
 * linking or unlinking a root value when the fork came (without the lock,
 * which only the registry's changes take): its list, half changed, is
 * checked first, and if it is not a whole ring, left alone (its slots are
 * lost to the child) rather than walked forever or freed twice.
 */
static void fork_child(void)
{
	struct tl__window held = { .locked = true };
	struct tl_node dropped;
	struct root_rec *r, *n;

	tl_node_init(&dropped);
	tl_for_each_entry_safe(r, n, &roots, link) {
		if (&r->values == tl__root_ctx.head)
			continue;
		/* One its thread was changing at the fork is left as it is. */
		if (!tl__ring_fault(&r->values)) {
			root_forget_scopes(&r->values);
			tl__detach(&r->values, &dropped, &held);
		}
		root_put_locked(r);
	}
	tl__thread_recs_fork_locked();
	tl__unlock();
	tl__drop(&dropped);
}

/* At load time, before the program can use up the pthread keys. */
__attribute__((constructor)) static void root_setup(void)
{
	tl__lock();
	root_key_make_locked();
	tl__unlock();
	pthread_atfork(fork_prepare, fork_parent, fork_child);
}

/*
 * A record for this thread, listed, its list empty: a static one, else
 * (with @heap) one from the allocator; NULL: none.  A record still listed
 * for this thread's TLS is a dead thread's (one whose root was armed in
 * its last destructor round, never exited): its values go to @dropped,
 * without destructors, and the record is reused.
 */
static struct root_rec *root_take_locked(struct tl_node *dropped, bool heap)
{
	struct tl__window held = { .locked = true };
	struct root_rec *r;

	TL__ASSERT_LOCKED();

	tl_for_each_entry(r, &roots, link) {
		if (r->owner == &tl__root_ctx) {
			root_forget_scopes(&r->values);	/* that stack is ours */
			tl__detach(&r->values, dropped, &held);
			return r;
		}
	}
	if (!tl_node_empty(&root_free)) {
		r = tl_node_first_entry(&root_free, struct root_rec, link);
		tl_node_del(&r->link);
	} else if (root_fresh < TL_THREAD_RECORDS) {
		r = &root_table[root_fresh++];
	} else {
		r = heap ? tl__mem_alloc(sizeof(*r)) : NULL;
		if (!r)
			return NULL;
	}
	r->owner = &tl__root_ctx;
	tl_node_init(&r->values);
	tl_node_add(&r->link, &roots);
	return r;
}

/*
 * The root context's list, in TLS until now, moves into its record: the
 * scopes open in it (all that can be linked there before the first
 * value) follow, and their locals get new keys, since second-level cache
 * entries are found by the list.
 */
static void root_move(struct tl_node *from, struct tl_node *to)
{
	struct tl_slot *s;

	tl_for_each_entry(s, from, node) {
		struct tl_scope *scope = tl__scope_of(s);

		scope->tl__task = to;
		tl__invalidate(scope->tl__local);
	}
	tl_node_splice_init(from, to);
}

int tl__root_arm(struct tl_node **head, bool heap)
{
	struct root_rec *r = NULL;
	struct tl_node dropped;
	bool made;

	tl__lock();
	made = root_key_make_locked();
	tl__unlock();
	/* Without the hook the value would never be destroyed: refused. */
	if (!made || pthread_setspecific(root_key, &tl__root_ctx))
		return -EAGAIN;
	tl_node_init(&dropped);
	tl__lock();
	r = root_take_locked(&dropped, heap);
	tl__unlock();
	tl__drop(&dropped);
	if (r) {
		root_move(*head, &r->values);
		tl__root_ctx.head = &r->values;
		*head = &r->values;
	}
	tl__root_ctx.armed = true;
	return 0;
}

/* The root context was exited: its record (if it has one) goes back. */
static void root_disarm(struct tl_node *head)
{
	if (tl__root_ctx.head && tl_node_empty(head)) {
		tl__lock();
		root_put_locked(tl_container_of(head, struct root_rec, values));
		tl__unlock();
		tl__root_ctx.head = NULL;
	}
	tl__root_ctx.armed = false;
}
#else
struct tl__root tl__root_ctx;

int tl__root_arm(struct tl_node **head, bool heap)
{
	(void)head;
	(void)heap;
	tl__root_ctx.armed = true;
	return 0;
}

static void root_disarm(struct tl_node *head)
{
	(void)head;
	tl__root_ctx.armed = false;
}
#endif

TL__THREAD_LOCAL struct tl__exiting *tl__exits;
#if TL_THREADS
TL__THREAD_LOCAL uintptr_t tl__dtag = 1;
#endif

/* ------------------------------------------------------------- release */

/* tl__unlinked(), inlined into the exit rounds. */
TL__HOT struct tl_local *slot_unlinked(const struct tl_slot *s,
				       const struct tl_node *head,
				       const struct tl__window *w)
{
	struct tl_local *l = tl__resolve(s);

	if (!l || tl__cache_forget(l, s, head))
		return l;
	/* A window that holds the lock may not take it again. */
	if (w && w->locked)
		tl__rekey(l);
	else
		tl__invalidate(l);
	return l;
}

struct tl_local *tl__unlinked(const struct tl_slot *s,
			      const struct tl_node *head,
			      const struct tl__window *w)
{
	return slot_unlinked(s, head, w);
}

/*
 * The second half of a release, once the bookkeeping is done: run @destroy
 * on the value, then give the slot back to the pool or allocator, or to its
 * owner.  Whether it is bound is read first: a destructor may free the
 * object a bound slot is embedded in.
 */
static void slot_finish(struct tl_slot *s, void (*destroy)(void *))
{
	bool bound = s->info & TL__SLOT_BOUND;

	if (s->info & TL__SLOT_SCOPE) {
		/* Borrowed: no destructor; a later tl_scope_exit() is refused. */
		tl__scope_of(s)->tl__task = NULL;
		return;
	}
	if (destroy && s->value)
		destroy(s->value);
	if (!bound)
		tl__slot_free(s);
}

void tl__release(struct tl_slot *s, const struct tl_node *head,
		 bool run_destructor)
{
	struct tl_local *l = tl__unlinked(s, head, NULL);

	slot_finish(s, run_destructor && l ? l->destroy : NULL);
}

/*
 * A marker holds an exit round's place in the list while a destructor runs
 * (which may add and remove values): generation 0, which no registration
 * has, so no lookup or resolve ever takes it for a value.
 */
static bool slot_is_marker(const struct tl_slot *s)
{
	return s->gen == 0;
}

struct tl_node *tl__scope_unwind(struct tl_slot *mark)
{
	struct tl_slot *base = tl__scope_of(mark)->tl__base;

	base->value = tl__scope_of(mark)->tl__saved;
	while (mark != base) {
		struct tl_slot *next = tl__slot_of(mark->node.next);

		tl_node_del(&mark->node);
		tl__scope_of(mark)->tl__task = NULL;
		mark = next;
	}
	return &base->node;
}

void tl__reap_dead(struct tl_node *head)
{
	struct tl_node dead, *n = head->next;

	tl_node_init(&dead);
	while (n != head) {
		struct tl_slot *s = tl__slot_of(n);

		n = n->next;
		if (tl__scope_mark(s)) {
			/* The marks of a dead slot go with it. */
			if (!tl__resolve(tl__scope_of(s)->tl__base))
				n = tl__scope_unwind(s);
		} else if (!slot_is_marker(s) && !tl__resolve(s)) {
			tl_node_del(&s->node);
			tl_node_add(&s->node, &dead);
		}
	}
	/* Their locals' keys were reset at unregistration: no entry leads here. */
	tl__drop(&dead);
}

#if TL_THREADS
void tl__detach(struct tl_node *task, struct tl_node *to,
		struct tl__window *w)
{
	struct tl_slot *s;

	tl_for_each_entry(s, task, node)
		if (!slot_is_marker(s))
			tl__unlinked(s, task, w);
	tl_node_splice_init(task, to);
}
#endif

void tl__drop(struct tl_node *list)
{
	while (!tl_node_empty(list)) {
		struct tl_slot *s = tl_node_first_entry(list, struct tl_slot, node);

		/* Open scopes give the slot after them its value back. */
		if (tl__scope_mark(s)) {
			tl__scope_unwind(s);
			continue;
		}
		tl_node_del(&s->node);
		if (!slot_is_marker(s))
			slot_finish(s, NULL);
	}
}

/*
 * Without threads the exits of every RTOS task share one list, and the
 * kernel's switch hook may run between any two instructions: the list,
 * and the switches an exit makes at task level (tl_switch() reads, adds
 * to and writes back the switch count), change inside the lock, which
 * such a kernel's lock makes a critical section.  With threads the list
 * is the thread's own.
 */
static void exits_lock(void)
{
	if (!TL_THREADS)
		tl__lock();
}

static void exits_unlock(void)
{
	if (!TL_THREADS)
		tl__unlock();
}

struct tl_node *tl__exit_of(const struct tl_node *c, struct tl_node **cur)
{
	struct tl_node *task = NULL;
	struct tl__exiting *x;

	exits_lock();
	for (x = tl__exits; x; x = x->next)
		if (c == x->cur || (!TL_THREADS && c && c == x->caller)) {
			*cur = x->cur;
			task = x->task;
			break;
		}
	exits_unlock();
	return task;
}

/*
 * Make @to current once the list of exits changed, under exits_lock():
 * while exits run the switch count is odd (without threads: the inline
 * path stays out, see tl__cached()), or the exit tag 3 (no tl_sched
 * entry matches).  Returns what was current.
 */
static struct tl_node *exits_switch(struct tl_node *to)
{
	struct tl_node *prev = tl_switch(to);

#if TL_THREADS
	tl__dtag = tl__exits ? 3 : 1;
#else
	if ((tl__thread.switches & 1) != (tl__exits != NULL))
		tl__thread.switches++;
#endif
	return prev;
}

/*
 * Begin exit @x of @x->task, making @x->cur current, what was current in
 * @x->prev: false if that task is being exited already (by this exit's
 * caller, or elsewhere).
 */
static bool exit_begin(struct tl__exiting *x)
{
	const struct tl__exiting *o;
	struct tl_node *c = tl__thread.cur;

	exits_lock();
	x->caller = c;
	for (o = tl__exits; o && o->task != x->task; o = o->next)
		/*
		 * Nested in another exit's destructor: its caller's task.  Not
		 * for no task (NULL): every task not attached to a node runs in
		 * the one root context, and a root exit's cur is NULL too.
		 */
		if (!TL_THREADS && c == o->cur && c)
			x->caller = o->caller;
	if (!o) {
		x->next = tl__exits;
		tl__exits = x;
		x->prev = exits_switch(x->cur);
		x->begun = true;
	}
	exits_unlock();
	return !o;
}

/*
 * Whether an exit may wait to begin until code not the library's runs in
 * it (exit_enter()): with threads, when no other exit runs on the thread
 * and the lock is the built-in one (a lock of the caller's is their code:
 * one may yield to a coroutine that exits the task too).  Without threads
 * the list is every RTOS task's: never.
 */
static bool exit_may_wait(void)
{
#if TL_THREADS
	return !tl__exits && !tl__lock_hooked;
#else
	return false;
#endif
}

/*
 * Before the first code not the library's runs in exit @x (a destructor,
 * an allocator hook): begin it if it has not begun.  Only one that may
 * wait (exit_may_wait()) has not, and nothing but the library ran on the
 * thread since, so it begins.
 */
static void exit_enter(struct tl__exiting *x)
{
	if (TL_THREADS && TL__UNLIKELY(!x->begun))
		exit_begin(x);
}

/* End exit @x, wherever it is in the list, and make @x->prev current again. */
static void exit_end(struct tl__exiting *x)
{
	struct tl__exiting **p;

	exits_lock();
	for (p = &tl__exits; *p != x; p = &(*p)->next)
		;
	*p = x->next;
	exits_switch(x->prev);
	exits_unlock();
}

/*
 * One value's turn in an exit round of @task: unlink its slot (the local
 * reads no value from here on; every other value stays visible), run the
 * destructor with the value as it is now, and return where the round goes
 * on.  The slot is released before the destructor runs, so that the
 * destructor may free the object a bound slot is embedded in; since the
 * destructor may add and remove values, @mark holds the slot's place
 * meanwhile, and the round's window @w is closed (the destructor is the
 * caller's code; exit @x begins before it, exit_enter()).  A
 * value with no destructor to run (NULL, none, an unregistered local's, a
 * scope's, or @drop: the round after the last) needs no mark.  A slot of
 * the caller's (tl_bind(), a scope) is the caller's again at once: a later
 * destructor may free or reuse it.
 * One of the library's is kept by this thread if it can be (no lock),
 * else goes on the chain @done (through its value, which nothing reads
 * any more), given back once the window closes (freeing may take the
 * lock).
 */
static struct tl_node *destroy_one(const struct tl_node *task,
				   struct tl__exiting *x, struct tl_slot *s,
				   struct tl_slot *mark, struct tl_slot **done,
				   struct tl__window *w, bool drop)
{
	struct tl_node *next = s->node.next;
	struct tl_local *l = slot_unlinked(s, task, w);
	void (*destroy)(void *) = l && l->destroy && s->value && !drop &&
				  !(s->info & TL__SLOT_SCOPE) ?
				  l->destroy : NULL;

	if (!destroy) {
		tl_node_del(&s->node);
		if (s->info & TL__SLOT_BOUND) {
			slot_finish(s, NULL);	/* no free, no lock */
		} else if (!tl__slot_keep(s)) {
			s->value = *done;
			*done = s;
		}
		return next;
	}
	mark->gen = 0;
	mark->info = s->info & TL__SLOT_INDEX;
	tl_node_add(&mark->node, &s->node);
	tl_node_del(&s->node);
	tl__window_close(w);
	exit_enter(x);
	slot_finish(s, destroy);
	tl__window_open(w);
	next = mark->node.next;
	tl_node_del(&mark->node);
	return next;
}

/*
 * One destructor round, in index order: each value's turn comes with the
 * value as it is then, so a destructor that clears or replaces a value of
 * another local changes what that one's destructor gets.  A NULL value
 * goes in its turn too, without a destructor, so that a round leaves only
 * what destructors set.
 */
static void destroy_round(struct tl_node *task, struct tl__exiting *x,
			  bool drop)
{
	struct tl_slot mark, *done = NULL;	/* mark: set when it is used */
	struct tl_node *n = task->next;
	struct tl__window w;
	struct tl_slot *s;

	tl__window_open(&w);
	/*
	 * Open scopes give their slots back the values they swapped, before
	 * those values' turns; a scope's own slot goes in its turn, without a
	 * destructor.
	 */
	while (n != task) {
		s = tl__slot_of(n);
		if (tl__scope_mark(s))
			n = tl__scope_unwind(s);
		else
			n = destroy_one(task, x, s, &mark, &done, &w, drop);
	}
	tl__window_close(&w);
	if (done)
		exit_enter(x);	/* an allocator hook is the caller's code */
	while (done) {
		s = done;
		done = s->value;
		tl__slot_free(s);	/* the library's own: nothing more */
	}
}

/*
 * Exit @task with @cur made current while its destructors run: rounds
 * while destructors set values again, at most TL_DESTRUCTOR_ITERATIONS,
 * then the rest is dropped without destructors.  @task is a list with
 * values (the callers know).  An exit of a task being exited already (from
 * one of its destructors, or in another RTOS task) does nothing: the
 * rounds take care; then false.
 *
 * An exit that may wait (exit_may_wait()) begins only before its first
 * destructor or allocator hook (exit_enter()): until then nobody can see
 * which task is current, and a task whose values need neither (the
 * short-lived task of a server) is not made current and back.
 */
static bool task_exit(struct tl_node *task, struct tl_node *cur)
{
	struct tl__exiting x;
	int round;

	if (!tl__list_ok(task))
		return true;
	x.task = task;
	x.cur = cur;
	x.begun = false;
	if (!exit_may_wait() && !exit_begin(&x))
		return false;
	/* Rounds while destructors set values again; the last one's, dropped. */
	for (round = 0; !tl_node_empty(task); round++)
		destroy_round(task, &x, round >= TL_DESTRUCTOR_ITERATIONS);
	if (!TL_THREADS || x.begun)
		exit_end(&x);
	return true;
}

void (tl_task_exit)(struct tl_node *task)
{
	/* An empty task (zero-filled too) has nothing to do: no call, no lock. */
	if (!task || task->next == task || (!task->next && !task->prev))
		return;
	/* Not the root context (tl_root_exit()): callers never see its list. */
	task_exit(task, task);
}

void tl_root_exit(void)
{
	struct tl_node *head = tl__root_list();

	if (!head->next)
		return;
	/* Disarmed: a value set after this arms the thread-exit hook again. */
	if ((tl_node_empty(head) || task_exit(head, NULL)) &&
	    tl__root_ctx.armed)
		root_disarm(head);
}
