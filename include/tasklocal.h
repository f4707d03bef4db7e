/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tasklocal.h - task-local storage for programs that run their own scheduler.
 *
 * The model in one line: a task embeds a struct tl_node that heads an
 * intrusive list of slots, one slot per (task, local) value, and a lookup
 * walks only the current task's list, behind a per-thread cache.
 *
 * The roles: a task is any object with a struct tl_node (a green thread,
 * a coroutine, a request); a local (struct tl_local) is a key, given an
 * index and a generation by the registry; a slot (struct tl_slot) is one
 * value, linked into its task's list in index order; the cache is each
 * thread's sets of recent (task, local) -> slot entries, which the inline
 * calls below read; a discriminator says which task is current; a scope
 * (struct tl_scope) binds a value for the extent of a call.
 *
 *   operation               cost                        may allocate  locks
 *   tl_get                  O(1) cache hit, else O(v)   never         no
 *   tl_set, existing value  O(1) cache hit, else O(v)   never         no
 *   tl_set, first in task   O(1) if last, else O(v)     one slot      (3)
 *   tl_this, existing value O(1) cache hit, else O(v)   never         no
 *   tl_this, first in task  O(1) if last, else O(v)     one slot      (3)
 *   tl_bind                 O(v)                        never (1)     no (1)
 *   tl_del                  O(v)                        never         (4)
 *   tl_scope_enter, _exit   O(1) cached, else O(v)      never (1)     no (1)
 *   tl_switch, tl_current   one store / one load        never         no
 *   tl_task_init            O(1)                        never         no
 *   tl_task_exit            O(v), empty task O(1)       never         (4)
 *   tl_task_inherit         O(v parent) (2)             per value     (3)
 *   tl_task_foreach         O(v)                        never         no
 *   tl_local_register       O(1) amortised              index, name   registry
 *   tl_local_unregister     O(1)                        never         registry
 *   tl_local_find           O(1) expected               never         registry
 *
 *   v: values set in that one task; last: the local's registry index is
 *   above every other of the task's values (values set in the order of
 *   their locals' registration).  Nothing costs in proportion to the
 *   number of locals registered or of tasks alive.
 *   (1) for a registered local; the first use of an unregistered one
 *   registers it, as tl_local_register().
 *   (2) plus, per TL_INHERIT value of the parent, a walk of the values the
 *   child had before the call.
 *   (3) a slot comes from the up to 64 the thread kept from its releases
 *   without a lock, else from the pool or the allocator under the lock.
 *   (4) a released slot goes back to the thread's kept ones without a lock,
 *   past 64 to the pool or the allocator under the lock.
 *   The registry lock is taken by registration only (and by allocation, as
 *   above); lookups, releases and scopes read the registry without it.
 *   (5) With TL_THREADS 0 and the cache on, a lookup that missed fills the
 *   cache under the lock (a few stores: the critical section keeps entries
 *   whole under a preemptive switch), and so do first values, binds and
 *   scopes; on 32-bit targets a release's new cache key is written under
 *   it too.  Every "no lock" in this header means: but for that.
 *
 * Commands return 0 or a negative errno; predicates return bool; pointer
 * getters return NULL where there is nothing.  A NULL pointer value counts
 * as "no value": it is never passed to a destructor nor visited by
 * tl_task_foreach().
 */
#ifndef TASKLOCAL_H
#define TASKLOCAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tasklocal/config.h"
#include "tasklocal/list.h"
#include "tasklocal/version.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * struct tl_slot - one (task, local) value, linked into the task's list
 * @node: link in the owning task's list
 * @value: the pointer value, or the address of a typed local's inline data
 * @gen: registration generation of the local the value belongs to
 * @info: registry index of that local, and TL__SLOT_* ownership bits
 *
 * 32 bytes on 64-bit targets, 20 on 32-bit ones.  A typed local's slot is
 * followed by its data.  Callers provide slots only to tl_bind(); every
 * field is private to the library.  A slot given to tl_bind() must not be
 * linked in any task: without TL_DEBUG that is not checked (a linked slot
 * bound again corrupts both lists); under TL_DEBUG its links are read to
 * check, so it must be zero-filled or released by the library (which
 * poisons them), never uninitialised memory.
 */
struct tl_slot {
	struct tl_node node;
	void *value;		/* hot: the one field tl_get() reads */
	uint32_t gen;
	uint32_t info;
};

/**
 * struct tl_discriminator - says which task is current
 * @current: returns the current task, or NULL for "no task" (the calling
 *           thread's root context)
 *
 * Embed it in any object that knows what "current" means (a scheduler, a
 * session table, a request context) and point a local's @disc at it.
 * Every access to such a local calls @current (the inline path serves
 * only tl_current(); a tl_sched's current task is read without a call),
 * never with the registry lock held.  Without @current a local has no
 * task: tl_get() and tl_this() give NULL, the commands -EINVAL.
 *
 * Example::
 *
 *	struct session { struct tl_node locals; };	// a "task" per session
 *	static struct session *active;			// your dispatcher's
 *
 *	static struct tl_node *active_session(struct tl_discriminator *d)
 *	{
 *		(void)d;
 *		return active ? &active->locals : NULL;	// NULL: root context
 *	}
 *
 *	static struct tl_discriminator by_session = { active_session };
 *	static struct tl_local cart = TL_LOCAL(.disc = &by_session);
 */
struct tl_discriminator {
	struct tl_node *(*current)(struct tl_discriminator *disc);
};

/**
 * struct tl_sched - a discriminator for one scheduler among several
 * @disc: give &sched.disc to the locals that follow this scheduler
 * @current: the scheduler's running task, NULL when none
 *
 * For several loops in one thread, each with its own running task.
 * Initialise with tl_sched_init(), switch with tl_sched_switch().  Its
 * locals are found inline, reading @current at every lookup (no call), so
 * a sched must outlive the registration of every local that follows it.
 */
struct tl_sched {
	struct tl_discriminator disc;
	struct tl_node *current;
};

/**
 * TL_INHERIT - tl_local.flags bit: tl_task_inherit() copies the value
 *
 * Without it a child task starts with no value of the local.
 *
 * Example::
 *
 *	static struct tl_local trace_id = TL_LOCAL(.name = "trace_id",
 *						   .flags = TL_INHERIT);
 *	// a child given tl_task_inherit() starts with its parent's trace_id
 */
#define TL_INHERIT	(1u << 0)	/* tl_task_inherit() copies the value */

/*
 * Private flag: the local is registered only by an explicit
 * tl_local_register(), never lazily by a set (the key table's locals: a
 * set racing a delete must not register a retired entry again).
 */
#define TL__NOAUTO	(1u << 31)

/*
 * In C++ every field has a default, so that TL_LOCAL(.name = "x") (C++20
 * designated initialisers) leaves the others zero without a warning.  Not
 * before C++14, where a struct with defaults is no aggregate (no
 * initialiser list at all): there the others are zero all the same.
 */
#if defined(__cplusplus) && __cplusplus >= 201402L
#define TL__ZERO	= {}
#else
#define TL__ZERO
#endif

/**
 * struct tl_local - a task-local variable (a key)
 * @name: unique name in the registry, or NULL
 * @size: 0 for a pointer local (tl_get/tl_set); > 0 for a typed local whose
 *        @size bytes of storage live inline in each task's slot (tl_this)
 * @init: typed locals: called once per task on first tl_this(), with @arg,
 *        before the storage is linked (so it must not use this local in
 *        this task, nor tl_task_inherit() into this task: a value it made
 *        there would be a second one); NULL: the storage is zero-filled
 * @destroy: called with the value (pointer local, non-NULL values only) or
 *        the storage (typed local) at task exit and by tl_del()
 * @copy: typed locals flagged TL_INHERIT: copies @src into the child's new
 *        storage @dst, with @arg; NULL: memcpy
 * @arg: passed to @init and @copy
 * @disc: which task is current for this local; NULL: tl_current().  Fixed
 *        once the local is registered.
 * @flags: TL_INHERIT
 *
 * Usually a static object: ``static struct tl_local req = TL_LOCAL(.name =
 * "req");``.  The fields after @flags are private: zero them (TL_LOCAL and
 * static storage do) and leave them to the library.  The hooks run without
 * the registry lock held, so they may take locks of their own.
 */
struct tl_local {
	const char *name TL__ZERO;
	size_t size TL__ZERO;
	void (*init)(void *data, void *arg) TL__ZERO;
	void (*destroy)(void *data) TL__ZERO;
	void (*copy)(void *dst, const void *src, void *arg) TL__ZERO;
	void *arg TL__ZERO;
	struct tl_discriminator *disc TL__ZERO;
	unsigned flags TL__ZERO;
	/* private */
	uint32_t tl__gen TL__ZERO;	/* 0: not registered; else stored in slots */
	/* hot: cache tag, never the same twice; read whole: 8-aligned */
	uint64_t tl__key __attribute__((aligned(8))) TL__ZERO;
	struct tl_node *const *tl__cur TL__ZERO;	/* a tl_sched's current */
	uint32_t tl__off TL__ZERO;	/* hot: byte offset of its cache set, 0: none */
	uint32_t tl__index TL__ZERO;	/* registry index, 0: not registered */
	uint8_t tl__used TL__ZERO;	/* a slot was linked for this registration */
	uint8_t tl__neg TL__ZERO;	/* a "no value" entry may be cached somewhere */
};

/**
 * TL_LOCAL - static initialiser of a struct tl_local
 * @...: designated initialisers of the public fields
 *
 * Example::
 *
 *	static struct tl_local user = TL_LOCAL(.name = "user");	// a pointer
 *	static struct tl_local scratch = TL_LOCAL(.name = "scratch",
 *						  .destroy = free);
 *	static struct tl_local counter = TL_LOCAL(.size = sizeof(int));	// typed
 */
#define TL_LOCAL(...) { __VA_ARGS__ }

/* The inline fast path's private machinery: the per-thread cache. */
#include "tasklocal/fast.h"

/* ------------------------------------------------------------------ */
/* Tasks and the default discriminator                                 */

/**
 * tl_task_init - make @task an empty task
 * @task: the struct tl_node embedded in the task
 *
 * Example::
 *
 *	void task_start(struct task *t, void (*fn)(struct task *t))
 *	{
 *		tl_task_init(&t->locals);	// no values yet
 *		t->fn = fn;
 *		tl_node_add_tail(&t->link, &run_queue);
 *	}
 *
 * Context: before the task is first made current.  No registration, no
 * allocation: a task is just this list head.  A zero-filled struct tl_node
 * is an empty task as well.  @task NULL: nothing happens.  A task that
 * still has values is emptied by tl_task_exit(), not by this (which would
 * lose them, their destructors never run).
 */
static inline void tl_task_init(struct tl_node *task)
{
	if (task)
		tl_node_init(task);
}

/**
 * tl_switch - make @task current on this thread
 * @task: the task now running, or NULL for none (the root context)
 *
 * The scheduler calls it on every switch; it is one load and one store.
 *
 * Example::
 *
 *	void resume(struct task *t)
 *	{
 *		struct tl_node *prev = tl_switch(&t->locals);
 *
 *		t->fn(t);		// its tl_get()s see its own values
 *		tl_switch(prev);
 *	}
 *
 * Context: the calling thread only; each thread has its own current task.
 * No lock, no call out.  With TL_THREADS 0 under a preemptive kernel, its
 * switch hook calls it (at interrupt level); a call from a task must then
 * be made inside the lock given to tl_lock_set() (the kernel's critical
 * section) or with the scheduler suspended: the hook would otherwise
 * preempt it between its read and its write of the switch count, which
 * then goes back.
 * Return: the task that was current before.
 */
static inline struct tl_node *tl_switch(struct tl_node *task)
{
	struct tl_node *prev = tl__thread.cur;

	tl__thread.cur = task;
#if !TL_THREADS
	tl__thread.switches += 2;	/* a preempted lookup sees it */
#endif
	return prev;
}

/**
 * tl_current - this thread's current task
 *
 * Example::
 *
 *	void trace(const char *what)		// which task says what
 *	{
 *		printf("[%p] %s\n", (void *)tl_current(), what);
 *	}
 *
 * Context: the calling thread only; one load, no lock.
 * Return: the task last given to tl_switch() on this thread (the task being
 * exited while tl_task_exit() runs its destructors), or NULL.
 */
static inline struct tl_node *tl_current(void)
{
	return tl__thread.cur;
}

/**
 * tl_task_exit - end a task: run the destructors of its values, free them
 * @task: the task (NULL: nothing happens)
 *
 * Destructor semantics are POSIX's, as glibc and musl implement them.  A
 * round visits @task's values in registry index order (for the keys of
 * tasklocal/posix.h: creation order, as pthread keys).  A value's turn
 * comes with the value as it is then: just before its destructor runs,
 * that one local is cleared; every other value stays visible until its own
 * turn, so a destructor that clears or replaces another local's value
 * changes what (if anything) that local's destructor gets.  A value a
 * destructor sets has its turn later in the same round if its local comes
 * later in the order, else in the next round; there are at most
 * TL_DESTRUCTOR_ITERATIONS rounds, and a round runs only while values are
 * left; the rest is released without destructors.  A program that is
 * correct with pthread keys is correct here.
 *
 * Destructors run with @task made current on this thread, and while they
 * run every local resolves to @task, whatever its discriminator says, so
 * that what they set is destroyed here instead of landing in some other
 * task.  That holds while the current task is @task; a destructor that
 * switches to another task sees that task.  With TL_THREADS 0 it holds
 * for the caller's own task too: a preemptive kernel's switch hook puts
 * that one back when the caller resumes mid-destructor.
 * Values of unregistered locals are released without destructors.  Slots
 * given by the library go back to their pool or allocator; slots given to
 * tl_bind() are unlinked before their destructor runs and belong to the
 * caller again (the destructor may free the object that holds one).  @task
 * is empty afterwards and may be used again; an exit of @task from one of
 * its own destructors, or from a destructor of a task its exit exits, does
 * nothing.
 *
 * The caller must keep @task's struct tl_node valid until the call
 * returns (a destructor must not free the object that embeds it), and
 * @task must not be inside a call of the library on another task
 * meanwhile: under a preemptive kernel, exit another task only while it is
 * suspended outside the library (or with the scheduler suspended).
 *
 * Example::
 *
 *	void task_done(struct task *t)	// t has finished, it is not current
 *	{
 *		tl_task_exit(&t->locals);	// the destructors of its values
 *		free(t);			// only once it returned
 *	}
 *
 * Context: any thread, while @task runs nowhere else.  Hosted, with
 * 64-bit atomics: no lock (a flag of this thread's, which
 * tl_local_unregister() waits on, covers finding each value's local);
 * otherwise the registry lock for the same stretches.  Never while a
 * destructor runs.  Never allocates; calls the destructors, and the pool
 * or the allocator's free for library slots (which may lock).
 * Cost: proportional to the values set in @task.
 */
void tl_task_exit(struct tl_node *task);

/**
 * tl_root_exit - exit this thread's root context (its values outside tasks)
 *
 * Hosted builds do it automatically when a thread ends; call it by hand in
 * the main thread (or in firmware) when the values must be destroyed.
 * Destructor rounds and releases as tl_task_exit(); nothing happens if the
 * thread never touched its root context.
 *
 * Example::
 *
 *	int main(void)
 *	{
 *		int err = scheduler_run();	// yours
 *
 *		tl_root_exit();	// exit() would not destroy main's values
 *		return err;
 *	}
 *
 * Context: the thread whose root context is exited.  Locks and calls out
 * as tl_task_exit().
 */
void tl_root_exit(void);

/**
 * tl_task_inherit - copy the TL_INHERIT values of @parent into @child
 * @child: the new task
 * @parent: the task it is spawned from (NULL: this thread's root context)
 *
 * Pointer locals: the pointer is copied.  Typed locals: new storage in
 * @child filled by the local's @copy hook, or memcpy.  Values @child already
 * has are kept, and so is what an open scope binds in @child (even NULL:
 * the scope puts back what it shadowed at its exit).  The @copy hook may
 * use both tasks: a value it gives @child is kept, and its copy is then
 * passed to @destroy; values it removes from @parent are not copied after
 * it; if it unregisters the local, its copy is dropped without @destroy,
 * as every value of an unregistered local is.  On -ENOMEM the values
 * copied so far stay in @child.
 *
 * Example::
 *
 *	int spawn(struct task *child)	// from the running task
 *	{
 *		tl_task_init(&child->locals);
 *		return tl_task_inherit(&child->locals, tl_current());
 *	}
 *
 * Context: any thread; neither task may run elsewhere meanwhile.  Slots
 * for the copies come as for a first tl_set(); calls @copy without the
 * lock.
 * Cost: O(v parent), plus, per TL_INHERIT value, a walk of the values
 * @child had before the call, and per @copy call one of @parent's.
 * Return: 0, -EINVAL (@child NULL or equal to @parent), -ENOMEM.
 */
int tl_task_inherit(struct tl_node *child, struct tl_node *parent);

/**
 * tl_task_foreach - visit each live (local, value) of a task
 * @task: the task (NULL: this thread's root context)
 * @fn: called with the local (its name from the registry), the value (the
 *      storage for a typed local) and @arg; must not add or remove values
 *      of @task other than the one it is given
 * @arg: passed to @fn
 *
 * NULL pointer values and values of unregistered locals are skipped.
 *
 * Example::
 *
 *	static int print_value(struct tl_local *l, void *value, void *out)
 *	{
 *		fprintf(out, "  %s = %p\n", l->name ? l->name : "?", value);
 *		return 0;			// go on
 *	}
 *
 *	void task_dump(struct task *t)	// t is not running elsewhere
 *	{
 *		tl_task_foreach(&t->locals, print_value, stderr);
 *	}
 *
 * Context: any thread, while @task runs nowhere else, and no local of
 * its values unregistered meanwhile.  No lock; never allocates.
 * Return: 0 when every value was visited, the first non-zero return of
 * @fn, or -EINVAL if @fn is NULL.
 */
int tl_task_foreach(struct tl_node *task,
		    int (*fn)(struct tl_local *local, void *value, void *arg),
		    void *arg);

/**
 * tl_sched_init - initialise a per-scheduler discriminator with no task
 * @sched: the discriminator (NULL: nothing happens)
 *
 * Example::
 *
 *	static struct tl_sched io_loop;
 *	static struct tl_local io_conn = TL_LOCAL(.disc = &io_loop.disc);
 *
 *	void io_loop_start(void)
 *	{
 *		tl_sched_init(&io_loop);	// before io_conn is first used
 *	}
 *
 * Context: before any local that follows @sched is used; no lock, no
 * allocation.
 */
void tl_sched_init(struct tl_sched *sched);

/**
 * tl_sched_switch - make @task current in @sched
 * @sched: the discriminator
 * @task: the running task, or NULL
 *
 * Example::
 *
 *	static struct tl_sched io_loop;		// tl_sched_init()ed at start
 *
 *	void io_loop_step(struct task *t)
 *	{
 *		tl_sched_switch(&io_loop, &t->locals);
 *		t->fn(t);		// io_loop's locals now resolve to t
 *		tl_sched_switch(&io_loop, NULL);
 *	}
 *
 * Context: the thread that runs @sched's tasks; a plain store, no lock.
 * Return: the task that was current in @sched before (NULL if @sched is
 * NULL, which changes nothing).
 */
static inline struct tl_node *tl_sched_switch(struct tl_sched *sched,
					      struct tl_node *task)
{
	struct tl_node *prev;

	if (!sched)
		return NULL;
	prev = sched->current;

	sched->current = task;
	return prev;
}

/* ------------------------------------------------------------------ */
/* Locals and the registry                                             */

/**
 * tl_local_register - give @l an index in the registry
 * @l: the local
 *
 * Optional: the first tl_set(), tl_this() or tl_bind() registers lazily.
 * Register up front where nothing may allocate later.  Registering a local
 * that is already registered does nothing.
 *
 * Example::
 *
 *	static struct tl_local session = TL_LOCAL(.name = "session");
 *
 *	int app_init(void)
 *	{
 *		// now, so that tl_bind() and scopes of it never allocate later
 *		return tl_local_register(&session);
 *	}
 *
 * Context: any thread; takes the registry lock and may call the allocator
 * with it held (index table, name record, name hash).
 * Return: 0, -EINVAL (@l NULL), -EEXIST (another local has the name),
 * -ENOMEM.
 */
int tl_local_register(struct tl_local *l);

/**
 * tl_local_unregister - remove @l from the registry
 * @l: the local
 *
 * Its values become invisible in every task at once, and stay invisible to
 * any local that later reuses the index.  Their destructors do not run (as
 * pthread_key_delete()); their slots are reclaimed no later than their
 * task's exit.  @l may be registered again, starting with no values.
 *
 * Once it returns, the library never reads or writes @l again (its
 * storage may be freed or reused), even while other threads exit tasks
 * that hold its values: it waits for any such exit that found @l
 * registered just before to finish with @l.  A destructor that exit had
 * already taken may still run after the return.
 *
 * Example::
 *
 *	static struct tl_local plugin_state = TL_LOCAL(.name = "plugin.state");
 *
 *	void plugin_unload(void)	// nothing uses plugin_state any more
 *	{
 *		tl_local_unregister(&plugin_state);	// its values: gone
 *	}
 *
 * Context: any thread; takes the registry lock; nobody may use @l
 * meanwhile (tl_get(), tl_set() and the like on @l, tl_task_inherit() or
 * tl_task_foreach() over a task that holds a value of @l).  Never
 * allocates; may call the allocator's free (the name record).  The index
 * table is kept, even with no local left, until tl_allocator_set(): the
 * generations it counts must not start again.
 * Return: 0, -EINVAL (@l NULL), -ENOENT (not registered).
 */
int tl_local_unregister(struct tl_local *l);

/**
 * tl_local_find - the registered local called @name
 * @name: the name
 *
 * Example::
 *
 *	void *value_by_name(const char *name)	// e.g. for a debug console
 *	{
 *		struct tl_local *l = tl_local_find(name);
 *
 *		return l ? tl_get(l) : NULL;
 *	}
 *
 * Context: any thread; takes the registry lock.
 * Return: the local, or NULL (@name NULL or not registered).
 */
struct tl_local *tl_local_find(const char *name);

/**
 * tl_local_registered - whether @l is registered
 * @l: the local
 *
 * Example::
 *
 *	static struct tl_local session = TL_LOCAL(.name = "session");
 *
 *	int session_bind(struct tl_slot *slot, void *s)
 *	{
 *		// registered up front, so that tl_bind() cannot allocate
 *		assert(tl_local_registered(&session));
 *		return tl_bind(&session, slot, s);
 *	}
 *
 * Context: any thread; one load, no lock.
 * Return: true if @l is registered, false if not or @l is NULL.
 */
bool tl_local_registered(const struct tl_local *l);

/* ------------------------------------------------------------------ */
/* Access: the hot path                                                */

/*
 * A probe's slot is set only on a hit and read only then, which clang's
 * -Wconditional-uninitialized (in -Weverything) cannot see; initialising
 * it costs a store on some targets.
 */
#ifdef __clang__
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wconditional-uninitialized"
#endif

/* tl_get() of a local that is not NULL (tl_getspecific() knows it). */
static inline TL__FS_ATTR void *tl__get(struct tl_local *l)
{
#if TL_CACHE_SIZE
	struct tl_slot *s;

	if (TL__LIKELY(tl__cached(l, &s, true)))
		return s->value;	/* tl__none's is NULL */
#endif
	return tl__get_slow(l);
}

/**
 * tl_get - the current task's value of @l
 * @l: the local
 *
 * Pointer local: the value, or NULL.  Typed local: its storage, or NULL if
 * tl_this() has not created it in this task.  Never allocates, never
 * registers, never locks (but see (5) in the table at the top for
 * TL_THREADS 0 builds).
 *
 * Example::
 *
 *	static struct tl_local user = TL_LOCAL(.name = "user");
 *
 *	const char *user_name(void)
 *	{
 *		const char *name = tl_get(&user);
 *
 *		return name ? name : "anonymous";	// none in this task
 *	}
 *
 * Context: any thread, for its current task, which @l's discriminator
 * names (tl_current() without one); also from a destructor.  No lock (but
 * (5) at the top), no allocation; may call @l's discriminator.
 * Return: the value, or NULL (also for @l NULL or not registered).
 */
static inline TL__FS_ATTR void *tl_get(struct tl_local *l)
{
	return TL__LIKELY(l != NULL) ? tl__get(l) : NULL;
}

/**
 * tl_set - set the current task's value of pointer local @l
 * @l: a pointer local (size 0)
 * @value: the new value; NULL means "no value"
 *
 * The old value is replaced without a destructor (as pthread_setspecific).
 * Allocates a slot only on the first non-NULL set in a task.
 *
 * Example::
 *
 *	static struct tl_local current_req = TL_LOCAL(.name = "current_req");
 *
 *	int dispatch(struct request *req)
 *	{
 *		int err = tl_set(&current_req, req);	// this task's value
 *
 *		if (err)
 *			return err;		// -ENOMEM: nothing changed
 *		return process(req);		// it reads tl_get(&current_req)
 *	}
 *
 * Context: any thread, for its current task; also from a destructor.  A
 * value the task already has: no lock, no allocation.  The first non-NULL
 * value in a task takes a slot from the thread's kept ones, else the pool
 * or the allocator (under the lock); before, it may give back the task's
 * slots of unregistered locals (if any local was unregistered with values
 * left; those it leaves go at a later first value or the task's exit).
 * The first use of an unregistered @l registers it, as tl_local_register().
 * May call @l's discriminator.
 * Return: 0, -EINVAL (@l NULL or typed, or a discriminator without
 * current()), -ENOMEM (nothing changed),
 * -EEXIST (first use of a local whose name is taken), -EAGAIN (a first
 * value in a thread's root context, when the library has no pthread key to
 * destroy it at the thread's end: nothing changed).
 */
static inline TL__FS_ATTR int tl_set(struct tl_local *l, void *value)
{
#if TL_CACHE_SIZE
	struct tl_slot *s;

	if (TL__LIKELY(l != NULL && l->size == 0 && tl__cached(l, &s, true) &&
		       s != &tl__none)) {
		s->value = value;
		return 0;
	}
#endif
	return tl__set_slow(l, value);
}

/**
 * tl_this - the current task's storage of typed local @l, created if needed
 * @l: a typed local (size > 0)
 *
 * The first call in a task allocates @l->size bytes inline in a slot and
 * runs @l->init (or zero-fills): the per-task constructor.
 *
 * Example::
 *
 *	struct stats { unsigned long reads, writes; };
 *	static struct tl_local stats = TL_LOCAL(.size = sizeof(struct stats));
 *
 *	void count_read(void)		// in this task
 *	{
 *		struct stats *st = tl_this(&stats);	// zero-filled at first
 *
 *		if (st)
 *			st->reads++;
 *	}
 *
 * Context: any thread, for its current task; also from a destructor.
 * Storage the task already has: no lock, no allocation.  The first call in
 * a task locks, reaps and allocates as the first tl_set(), then runs
 * @l->init without the lock.  The first use of an unregistered @l
 * registers it, as tl_local_register().
 * Return: the storage, or NULL (no memory, first use of a local whose name
 * is taken, @l NULL or a pointer local).
 */
static inline TL__FS_ATTR void *tl_this(struct tl_local *l)
{
#if TL_CACHE_SIZE
	struct tl_slot *s;

	if (TL__LIKELY(l != NULL && l->size != 0 && tl__cached(l, &s, true) &&
		       s != &tl__none))
		return s->value;
#endif
	return tl__this_slow(l);
}

#ifdef __clang__
#pragma clang diagnostic pop
#endif

/**
 * tl_del - remove the current task's value of @l, running its destructor
 * @l: the local
 *
 * The value is unlinked before the destructor runs.  A later tl_this()
 * creates and initialises new storage.
 *
 * Example::
 *
 *	static struct tl_local buf = TL_LOCAL(.destroy = free);	// malloc()ed
 *
 *	void buf_release(void)
 *	{
 *		tl_del(&buf);	// this task's: free()d now, not at its exit
 *	}
 *
 * Context: any thread, for its current task.  Never allocates; no lock
 * unless the slot goes back past the thread's kept ones (to the pool or
 * the allocator's free, under the lock, never while the destructor runs).
 * Return: 0, -EINVAL (@l NULL, or a discriminator without current()),
 * -ENOENT (no value in this task, or @l not registered), -EBUSY (a scope's
 * binding is visible: nothing changed).
 */
int tl_del(struct tl_local *l);

/**
 * tl_bind - set the current task's value of @l in a slot the caller gives
 * @l: a pointer local
 * @slot: storage for the value, owned by the caller
 * @value: the value
 *
 * For a registered local it never allocates and cannot fail for memory.
 * A value already held in another slot is replaced without a destructor;
 * a later tl_set() of @l in this task stores into @slot.
 *
 * @slot stays linked into the task until tl_del(), a bind of another slot
 * for @l in the task, or the task's exit; if @l is unregistered meanwhile,
 * until a later first value in the task reaps it (not every one does), or
 * its exit.  Until then the caller must neither reuse nor free @slot's
 * memory.
 *
 * Example::
 *
 *	static struct tl_local conn = TL_LOCAL(.name = "conn");	// registered
 *
 *	struct worker {
 *		struct tl_node locals;
 *		struct tl_slot conn_slot;	// zero-filled with the worker
 *	};
 *
 *	int worker_start(struct worker *self, void *c)	// self is current
 *	{
 *		// once per task: later values go in with tl_set(&conn, c)
 *		return tl_bind(&conn, &self->conn_slot, c);
 *	}
 *
 * Context: any thread, for its current task.  No lock; replacing another
 * slot hands that one back: to its caller if bound, else as tl_del() does.  The first use of an unregistered @l
 * registers it, as tl_local_register().
 * Return: 0, -EINVAL (@l or @slot NULL, typed local, a discriminator
 * without current(); under TL_DEBUG, @slot still linked), -EBUSY (a scope's binding is visible), -ENOMEM or -EEXIST
 * (first use of an unregistered local).
 */
int tl_bind(struct tl_local *l, struct tl_slot *slot, void *value);

/* ------------------------------------------------------------------ */
/* Scopes: a binding for the extent of a call, on the caller's stack     */

/**
 * struct tl_scope - a scoped binding of a pointer local, owned by the caller
 *
 * Usually on the stack of the function that enters it.  Fields are
 * private: a slot (the value's, when the task had no value of the local;
 * else a mark linked just before the value's slot, whose value the scope
 * swapped), the task (NULL once closed), the local, and what it restores.  Entering it initialises it; it must not be
 * entered again while open, nor reused or freed until tl_scope_exit()
 * (or the task's exit) closed it.
 */
struct tl_scope {
	struct tl_slot tl__slot;	/* the value's slot, or a mark before it */
	struct tl_node *tl__task;	/* the task it is linked into; NULL: closed */
	struct tl_local *tl__local;	/* the local it binds */
	struct tl_slot *tl__base;	/* the slot whose value it swapped */
	void *tl__saved;		/* that value before the scope */
};

/**
 * tl_scope_enter - bind @value to @l in the current task until the exit
 * @scope: the caller's storage for the binding
 * @l: a pointer local
 * @value: the value (NULL: "no value" for the extent of the scope)
 *
 * From now on tl_get(@l) in the current task (per @l's discriminator)
 * returns @value; other tasks are unaffected.  Scopes of one task and
 * local nest: tl_scope_exit() restores exactly what was visible here.
 * Inside the scope tl_set() replaces the binding (the change is discarded
 * at exit), tl_del() and tl_bind() are -EBUSY.  No destructor ever runs
 * for a scoped value: it is borrowed.  The calling task's exit closes the
 * scopes still open, without destructors.  tl_task_inherit() and
 * tl_task_foreach() see the scope's value, not what it shadows; a child's
 * inherited copy is the child's own value (its destructor runs at the
 * child's exit), so a value that may be inherited must be one the child
 * may own.
 *
 * Example::
 *
 *	static struct tl_local request_id = TL_LOCAL(.name = "request_id");
 *
 *	int handle(struct request *req)
 *	{
 *		struct tl_scope scope;
 *		int err = tl_scope_enter(&scope, &request_id, req->id);
 *
 *		if (err)
 *			return err;
 *		err = process(req);	// anything below reads tl_get(&request_id)
 *		tl_scope_exit(&scope);
 *		return err;
 *	}
 *
 * Context: any thread, for its current task.  For a registered local: no
 * lock, no allocation, cannot fail for memory; O(1) when the visible value
 * of @l is cached (else a walk of the task's values).  The first use of an
 * unregistered @l registers it, as tl_local_register().
 * Return: 0, -EINVAL (@scope or @l NULL, typed local, a discriminator
 * without current()), -ENOMEM or -EEXIST (first use of an unregistered
 * local).
 */
int tl_scope_enter(struct tl_scope *scope, struct tl_local *l, void *value);

/**
 * tl_scope_exit - close @scope, restoring what its local showed at entry
 * @scope: a scope entered with tl_scope_enter()
 *
 * Acts on the task the scope was entered in, whatever is current now.
 *
 * Example::
 *
 *	static struct tl_local user = TL_LOCAL(.name = "user");	// registered
 *
 *	void nested(void)
 *	{
 *		struct tl_scope outer, inner;
 *
 *		// no error to check: user is a registered pointer local
 *		tl_scope_enter(&outer, &user, "alice");
 *		tl_scope_enter(&inner, &user, "bob");	// tl_get(&user): "bob"
 *		tl_scope_exit(&inner);			// "alice" again
 *		tl_scope_exit(&outer);			// what was there before
 *	}
 *
 * Context: any thread; the scope's task must not run elsewhere meanwhile.
 * No lock, no allocation, O(1).
 * Return: 0, or -EINVAL and nothing changed: @scope NULL, already closed
 * (by an exit, or by its task's exit), or not the innermost open scope of
 * its task and local (TL_DEBUG also reports the caller's line).
 */
int tl_scope_exit(struct tl_scope *scope);

/**
 * tl_scope_run - call @fn(@arg) with @l bound to @value
 * @l: a pointer local
 * @value: the value for the extent of the call
 * @fn: the function; it must close the scopes it opens
 * @arg: passed to @fn
 *
 * tl_scope_enter() on a scope of its own, @fn, tl_scope_exit().
 *
 * Example::
 *
 *	static struct tl_local deadline = TL_LOCAL(.name = "deadline");
 *
 *	int serve_until(long *until, void *conn)
 *	{
 *		return tl_scope_run(&deadline, until, serve, conn);
 *	}
 *
 * Context: as tl_scope_enter().
 * If @fn leaves a scope open inside this one, it is closed with this one
 * (TL_DEBUG reports it).
 *
 * Return: what @fn returned, or the error of tl_scope_enter() (@fn not
 * called); -EINVAL for @fn NULL.
 */
int tl_scope_run(struct tl_local *l, void *value, int (*fn)(void *arg),
		 void *arg);

/* ------------------------------------------------------------------ */
/* Memory                                                              */

/**
 * struct tl_allocator - where slots and the registry's tables come from
 * @alloc: returns @size bytes aligned for any type, or NULL
 * @free: gives back a block with the size it was asked with
 * @ctx: passed to both
 */
struct tl_allocator {
	void *(*alloc)(size_t size, void *ctx);
	void (*free)(void *ptr, size_t size, void *ctx);
	void *ctx;
};

/**
 * tl_allocator_set - replace the allocator
 * @a: the new allocator (copied), or NULL for the built-in one (malloc, or
 *     none at all in TL_HEAPLESS builds)
 *
 * Memory kept for later reuse is given back first: the slots every thread
 * kept from its releases, index tables a growth retired, the index table
 * and the key table of tasklocal/posix.h once no local or key is left.
 * Those two count the registrations at each index and the keys created at
 * each position: once one count reached 2^31 they stay (a new table could
 * only start every count above the highest, which would soon use them all
 * up), and so does the allocator.
 *
 * Example::
 *
 *	void *heap_alloc(size_t size, void *heap);		// yours
 *	void heap_free(void *ptr, size_t size, void *heap);	// yours
 *
 *	int heap_setup(void *heap)	// before the library's first use
 *	{
 *		struct tl_allocator a = { heap_alloc, heap_free, heap };
 *
 *		return tl_allocator_set(&a);	// copied: a may go
 *	}
 *
 * Context: while no other thread uses the library; set it before first use.
 * Takes the registry lock; may call the current allocator's free.
 * Return: 0, -EINVAL (@a lacks alloc or free), or -EBUSY while blocks of
 * the current allocator are in use.
 */
int tl_allocator_set(const struct tl_allocator *a);

/**
 * struct tl_pool - fixed-size blocks over a caller's buffer, for slots
 *
 * Fields are private.  O(1) allocation and release, no fragmentation.
 */
struct tl_pool {
	void *free;		/* first free block */
	char *base, *end;	/* the blocks */
	size_t block;		/* bytes per block */
	size_t used;		/* blocks handed out */
};

/**
 * tl_pool_init - carve @buf into blocks of @block bytes
 * @pool: the pool
 * @buf: the memory, owned by the caller for the pool's lifetime
 * @size: bytes in @buf
 * @block: bytes per block: at least sizeof(struct tl_slot); typed locals
 *         need TL_SLOT_SIZE(their size)
 *
 * @block is rounded up to the maximum alignment, except for blocks too
 * small for any typed slot (so @size / TL_SLOT_SIZE(0) blocks of pointer
 * slots fit, on 32-bit targets too).  Re-initialising a pool
 * forgets its blocks, so it is refused for the attached pool while any
 * are in use.
 *
 * Example::
 *
 *	static _Alignas(max_align_t) char slot_mem[64 * TL_SLOT_SIZE(0)];
 *	static struct tl_pool slots;
 *
 *	int slots_setup(void)		// at start: up to 64 pointer values
 *	{
 *		int err = tl_pool_init(&slots, slot_mem, sizeof(slot_mem),
 *				       TL_SLOT_SIZE(0));
 *
 *		return err ? err : tl_pool_attach(&slots);
 *	}
 *
 * Context: any thread; takes the registry lock (@pool may be the attached
 * one); never allocates.
 * Return: 0, -EINVAL (NULL arguments, @block too small, or room for no
 * block), -EBUSY (@pool is attached and has blocks in use).
 */
int tl_pool_init(struct tl_pool *pool, void *buf, size_t size, size_t block);

/**
 * tl_pool_attach - take slots from @pool before the allocator
 * @pool: an initialised pool, or NULL to detach
 *
 * Slots too large for a block, or asked for when the pool is empty, come
 * from the allocator; in TL_HEAPLESS builds they are refused (-ENOMEM), so
 * that slots never take the registry's arena.
 *
 * Example::
 *
 *	static struct tl_pool slots;	// tl_pool_init()ed over your buffer
 *
 *	int slots_on(void)  { return tl_pool_attach(&slots); }	// attach
 *	int slots_off(void) { return tl_pool_attach(NULL); }	// detach
 *
 * Context: any thread; takes the registry lock; never allocates.
 * Return: 0, or -EBUSY while the attached pool has blocks in use.
 */
int tl_pool_attach(struct tl_pool *pool);

/**
 * tl_pool_available - free blocks left in @pool
 * @pool: the pool
 *
 * Example::
 *
 *	static struct tl_pool slots;	// initialised and attached at start
 *
 *	bool can_spawn(void)		// a task sets up to 4 values
 *	{
 *		return tl_pool_available(&slots) >= 4;
 *	}
 *
 * Context: any thread; takes the registry lock, since slot allocation
 * changes the count.
 * Return: the number of free blocks; 0 for NULL or a pool never
 * initialised.
 */
size_t tl_pool_available(const struct tl_pool *pool);

/**
 * struct tl_arena - a general allocator over a caller's buffer
 * @allocator: give &arena.allocator to tl_allocator_set()
 *
 * First fit with coalescing; meant for the registry's index and hash tables
 * in heapless builds.  Other fields are private.
 */
struct tl_arena {
	struct tl_allocator allocator;
	void *free;		/* address-ordered list of free chunks */
	size_t used;		/* bytes handed out, headers included */
};

/**
 * tl_arena_init - make @buf an arena
 * @arena: the arena
 * @buf: the memory, owned by the caller for the arena's lifetime
 * @size: bytes in @buf
 *
 * The arena has no lock of its own: the library calls every allocator
 * with the registry lock held.
 *
 * Example::
 *
 *	static char registry_mem[2048];
 *	static struct tl_arena registry_arena;
 *
 *	int registry_setup(void)	// heapless: before any local is used
 *	{
 *		int err = tl_arena_init(&registry_arena, registry_mem,
 *					sizeof(registry_mem));
 *
 *		return err ? err : tl_allocator_set(&registry_arena.allocator);
 *	}
 *
 * Context: before the arena is given to tl_allocator_set(), never while it
 * is in use; takes no lock, never allocates.
 * Return: 0, or -EINVAL (NULL arguments or @size too small).
 */
int tl_arena_init(struct tl_arena *arena, void *buf, size_t size);

/*
 * Bytes one slot takes, header and inline data: a typed slot records its
 * data size after the header so it can be released after its local is gone.
 */
#define TL__ALIGN(n, a)		(((n) + (a) - 1) & ~((size_t)(a) - 1))
#define TL__MAXALIGN		__alignof__(max_align_t)
#define TL__SLOT_DATA		TL__ALIGN(sizeof(struct tl_slot) + sizeof(size_t), \
					  TL__MAXALIGN)
/**
 * TL_SLOT_SIZE - bytes a slot of a local of @size takes (0: pointer local)
 * @size: the local's size
 *
 * Example::
 *
 *	struct stats { unsigned long reads, writes; };
 *	#define STATS_SLOT TL_SLOT_SIZE(sizeof(struct stats))
 *
 *	static _Alignas(max_align_t) char stats_mem[16 * STATS_SLOT];
 *	static struct tl_pool stats_pool;
 *
 *	int stats_pool_setup(void)	// the stats of 16 tasks
 *	{
 *		return tl_pool_init(&stats_pool, stats_mem, sizeof(stats_mem),
 *				    STATS_SLOT);
 *	}
 */
#define TL_SLOT_SIZE(size) \
	((size) ? TL__SLOT_DATA + TL__ALIGN((size_t)(size), TL__MAXALIGN) : sizeof(struct tl_slot))

/* ------------------------------------------------------------------ */
/* Locking                                                             */

/**
 * struct tl_lock - a lock for the registry (the cold path only)
 * @lock: enter the critical section
 * @unlock: leave it
 * @ctx: passed to both
 *
 * Hosted threaded builds use a pthread mutex by default; single-threaded
 * builds use none.  An RTOS gives its critical section or mutex here; with
 * TL_THREADS 0 and the lookup cache on under a preemptive kernel it must
 * be a critical section (no task switch while it is held), since cache
 * fills rely on it (note (5) at the top).  The allocator is called with
 * the lock held, so it must not call the library (with TL_THREADS 0 not
 * even tl_get(), which may fill the cache); no other hook is (destructors,
 * @init, @copy, discriminators, TL_DEBUG reports), so that calling the
 * library from those cannot deadlock.
 */
struct tl_lock {
	void (*lock)(void *ctx);
	void (*unlock)(void *ctx);
	void *ctx;
};

/**
 * tl_lock_set - replace the registry lock
 * @lock: the new lock (copied), or NULL for the built-in one
 *
 * The library never takes its lock recursively.
 *
 * Example::
 *
 *	void irq_lock(void *ctx);	// yours: a critical section
 *	void irq_unlock(void *ctx);
 *
 *	int firmware_setup(void)	// before any other call of the library
 *	{
 *		struct tl_lock lock = { irq_lock, irq_unlock, NULL };
 *
 *		return tl_lock_set(&lock);
 *	}
 *
 * Context: before any other call of the library, from one thread; the
 * hook is replaced without taking either lock.
 * Return: 0, or -EINVAL if @lock lacks lock() or unlock().
 */
int tl_lock_set(const struct tl_lock *lock);

/* ------------------------------------------------------------------ */
/* Errors and debugging                                                */

/**
 * tl_version - the version of the library linked in
 *
 * Compare with TL_VERSION_HEX, the version of the headers compiled against.
 *
 * Example::
 *
 *	bool tasklocal_ok(void)		// the library is as new as the headers
 *	{
 *		return tl_version() >> 16 == TL_VERSION_MAJOR &&
 *		       tl_version() >= TL_VERSION_HEX;
 *	}
 *
 * Context: any thread; no lock.
 * Return: TL_VERSION_MAJOR << 16 | TL_VERSION_MINOR << 8 | TL_VERSION_PATCH
 * of the library.
 */
unsigned tl_version(void);

/**
 * tl_version_string - the version of the library linked in, as text
 *
 * Example::
 *
 *	void print_version(void)
 *	{
 *		printf("tasklocal %s (headers %d.%d.%d)\n", tl_version_string(),
 *		       TL_VERSION_MAJOR, TL_VERSION_MINOR, TL_VERSION_PATCH);
 *	}
 *
 * Context: any thread; no lock.
 * Return: a static string such as "0.2.0", never NULL.
 */
const char *tl_version_string(void);

/**
 * tl_strerror - a short text for an error this library returns
 * @err: a negative (or positive) errno value
 *
 * Example::
 *
 *	static struct tl_local session = TL_LOCAL(.name = "session");
 *
 *	void session_start(void *s)
 *	{
 *		int err = tl_set(&session, s);
 *
 *		if (err)
 *			fprintf(stderr, "session: %s\n", tl_strerror(err));
 *	}
 *
 * Context: any thread; no lock.
 * Return: a static string, never NULL; "unknown error" for an errno this
 * library does not return.
 */
const char *tl_strerror(int err);

/**
 * tl_debug_set_report - where TL_DEBUG reports go
 * @fn: called with the caller's file and line and what is wrong; NULL: the
 *      built-in report (a line on stderr in hosted builds)
 *
 * After a report the call that detected it fails with -EINVAL (or returns
 * NULL) without touching the corrupted list.
 *
 * Example::
 *
 *	static void report(const char *file, int line, const char *what)
 *	{
 *		fprintf(stderr, "%s:%d: tasklocal: %s\n", file, line, what);
 *		abort();		// stop at the first fault
 *	}
 *
 *	void debug_setup(void)		// before other threads use the library
 *	{
 *		tl_debug_set_report(report);
 *	}
 *
 * Context: before other threads use the library: a plain store, no lock.
 * @fn runs on the thread that found the fault, without the registry lock.
 */
void tl_debug_set_report(void (*fn)(const char *file, int line,
				    const char *what));

#if TL_DEBUG
/* Remember the caller's location, so a report names the user's line. */
void tl__debug_at(const char *file, int line);
#define TL__AT(call) (tl__debug_at(__FILE__, __LINE__), (call))
#define tl_set(l, v)		TL__AT((tl_set)((l), (v)))
#define tl_this(l)		TL__AT((tl_this)(l))
#define tl_get(l)		TL__AT((tl_get)(l))
#define tl_del(l)		TL__AT((tl_del)(l))
#define tl_bind(l, s, v)	TL__AT((tl_bind)((l), (s), (v)))
#define tl_scope_enter(s, l, v)	TL__AT((tl_scope_enter)((s), (l), (v)))
#define tl_scope_exit(s)	TL__AT((tl_scope_exit)(s))
#define tl_scope_run(l, v, f, a) TL__AT((tl_scope_run)((l), (v), (f), (a)))
#define tl_task_exit(t)		TL__AT((tl_task_exit)(t))
#define tl_task_inherit(c, p)	TL__AT((tl_task_inherit)((c), (p)))
#define tl_task_foreach(t, f, a) TL__AT((tl_task_foreach)((t), (f), (a)))
#endif

#ifdef __cplusplus
}
#endif

#endif /* TASKLOCAL_H */
