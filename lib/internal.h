/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lib/internal.h - what the library's files share and users never see:
 * the registry lock, memory, slot ownership bits, the list walk and the
 * debug checks.
 */
#ifndef TASKLOCAL_INTERNAL_H
#define TASKLOCAL_INTERNAL_H

#include <errno.h>
#include <string.h>

#include "tasklocal.h"

/*
 * Nothing declared from here on leaves the shared library: calls between
 * its files go straight, not through the PLT.  (The slow paths the inline
 * fast path calls are declared in tasklocal.h, and stay exported.)
 */
#pragma GCC visibility push(hidden)

/* Inlined for speed; left to the compiler where size counts (-Os). */
#ifdef __OPTIMIZE_SIZE__
#define TL__HOT static inline
#else
#define TL__HOT static inline __attribute__((always_inline))
#endif

/* struct tl_slot.info: registry index << TL__SLOT_SHIFT | ownership bits */
#define TL__SLOT_BOUND	0x1u	/* the caller's: tl_bind(), a scope */
#define TL__SLOT_TYPED	0x2u	/* inline data follows; its size after the header */
#define TL__SLOT_SCOPE	0x4u	/* a struct tl_scope's binding: borrowed */
/* A slot of the allocator: a pointer slot may be kept (threads only). */
#define TL__SLOT_HEAP	(TL_THREADS ? 0x20u : 0)
#define TL__SLOT_FLAGS	(TL__SLOT_BOUND | TL__SLOT_TYPED | TL__SLOT_SCOPE | \
			 TL__SLOT_HEAP)
/* Since linked: cached once (FILLED), or more than once (both); cache.c. */
#define TL__SLOT_FILLED	0x8u
#define TL__SLOT_MULTI	(TL__SLOT_FILLED << 1)
#define TL__SLOT_SHIFT	6
#define TL__SLOT_INDEX	(~0u << TL__SLOT_SHIFT)
#define TL__INDEX_MAX	(UINT32_MAX >> TL__SLOT_SHIFT)

/*
 * Relaxed: a lookup of a task that another thread looks up too (through a
 * discriminator) reads the index while that one counts a fill in the
 * flags (tl__slot_count_fill()); the index bits never change meanwhile.
 */
static inline uint32_t tl__slot_index(const struct tl_slot *s)
{
	return TL__LOAD(&s->info, RELAXED) >> TL__SLOT_SHIFT;
}

static inline struct tl_slot *tl__slot_of(struct tl_node *node)
{
	return tl_container_of(node, struct tl_slot, node);
}

/*
 * A scope's mark: linked just before the slot whose value the scope
 * swapped (generation 0, so no lookup takes it for a value), the outermost
 * first, the innermost next to the slot.
 */
static inline bool tl__scope_mark(const struct tl_slot *s)
{
	return s->gen == 0 && (s->info & TL__SLOT_SCOPE);
}

/* The scope whose slot (its mark, or its own value's) @s is. */
static inline struct tl_scope *tl__scope_of(struct tl_slot *s)
{
	return tl_container_of(s, struct tl_scope, tl__slot);
}

/*
 * Whether the value of @s, in @task's list, is a scope's: its slot is a
 * scope's own, or the innermost of its scopes' marks is next to it.
 */
static inline bool tl__slot_scoped(const struct tl_slot *s,
				   const struct tl_node *task)
{
	return (s->info & TL__SLOT_SCOPE) ||
	       (s->node.prev != task &&
		tl__scope_mark(tl_container_of(s->node.prev, struct tl_slot,
					       node)));
}

/*
 * A zero-filled struct tl_node is an empty task too (static task tables,
 * calloc'ed task structs): it becomes a proper empty list on first use.
 */
static inline struct tl_node *tl__task_ready(struct tl_node *task)
{
	if (TL__UNLIKELY(!task->next && !task->prev))
		tl_node_init(task);
	return task;
}

/* lock.c: the lock around every registry access */
void tl__lock(void);
void tl__unlock(void);

#if TL_THREADS
/*
 * lock.c: whether the lock is the caller's (tl_lock_set()), whose calls
 * are code of theirs: a copy of whether its hook is set.
 */
extern bool tl__lock_hooked;
#endif

/*
 * The first line of every function whose name ends in _locked: under
 * TL_DEBUG, reported (with the caller's line) when the lock is not held.
 */
#if TL_DEBUG
bool tl__lock_held(void);
void tl__report(const char *what);
#define TL__ASSERT_LOCKED()						\
	do {								\
		if (!tl__lock_held())					\
			tl__report("internal: a _locked function called "	\
				   "without the registry lock");	\
	} while (0)
#else
#define TL__ASSERT_LOCKED() do { } while (0)
#endif

/*
 * Whether a cache key is stored whole: without 64-bit atomics the keys
 * that tasks change outside the lock are changed under it instead (with
 * TL_THREADS 0, the RTOS's critical section: a preemptive kernel may
 * switch tasks between a load and a store).  With TL_THREADS 0 the store
 * is a plain one, which a 32-bit core may split, whatever atomics it has.
 */
#if __GCC_ATOMIC_LLONG_LOCK_FREE == 2 && (TL_THREADS || UINTPTR_MAX > 0xffffffffu)
#define TL__KEY_ATOMIC 1
#else
#define TL__KEY_ATOMIC 0
#endif


/*
 * mem.c: a window in which this thread resolves slots without the lock
 * and reads or writes the locals found (see mem.c).  Inside one: no lock
 * taken, no caller's code run.  @locked: it holds the lock instead (a
 * caller that already holds it makes one with .locked = true).
 */
struct tl__window {
	bool locked;
};

/*
 * registry.c: the index table (see there), published with release; NULL
 * while no local was registered since the allocator was set.
 */
struct tl__table {
	struct tl__table *retired;	/* the one it replaced */
	uint32_t cap;			/* entries */
	uintptr_t by_index[];		/* then gens[cap] */
};

extern struct tl__table *tl__table;

/*
 * The local a slot belongs to, if it is still registered with the slot's
 * generation.  No lock, and only the index table is read, never a local
 * (a dead slot's may be gone): a slot found dead stays dead (generations
 * never repeat), and the tables read are never freed while in use.  The
 * local returned may be unregistered right after: read or write it only
 * inside a window (tl__window_open()), or for a local the caller uses.
 */
TL__HOT struct tl_local *tl__resolve(const struct tl_slot *s)
{
	const struct tl__table *b = TL__LOAD(&tl__table, ACQUIRE);
	uint32_t i = tl__slot_index(s), g;
	const uint32_t *gens;
	struct tl_local *l;

	/*
	 * Gen 0 (an exit round's marker, a scope's mark) is nobody's: no
	 * local is published with it, so the generation below does not
	 * match it, or the index was never registered and holds no address.
	 */
	if (!b || i >= b->cap)
		return NULL;
	/*
	 * Only the table is read, never a local: the local an index held
	 * may be gone (unregistered, its storage reused) by the time a dead
	 * slot is looked at.  A registration stores its generation before
	 * its address (unregistering clears the address only), so the same
	 * generation read on both sides of the address means the address
	 * is that generation's local, or 0.
	 */
	gens = (const uint32_t *)(const void *)(b->by_index + b->cap);
	g = TL__LOAD(&gens[i], ACQUIRE);
	if (g != s->gen)
		return NULL;
	l = (struct tl_local *)TL__LOAD(&b->by_index[i], ACQUIRE);
	return TL__LOAD(&gens[i], ACQUIRE) == g ? l : NULL;
}

/*
 * cache.c: give @l a new cache key so that no cache entry of any thread matches it;
 * the first with the lock held, the second without.
 */
#if TL_CACHE_SIZE
void tl__rekey(struct tl_local *l);
void tl__invalidate(struct tl_local *l);
#else
/* No cache, no entry to invalidate. */
static inline void tl__rekey(struct tl_local *l)
{
	(void)l;
}

static inline void tl__invalidate(struct tl_local *l)
{
	(void)l;
}
#endif

/* An empty cache entry's task: no task has this address. */
#define TL__NO_TASK	((struct tl_node *)TL_POISON_PREV)

#if TL_L2_SIZE
/*
 * cache.c: each thread's second-level cache, behind its sets, read by the
 * slow path only (lookup.h): one entry per (task's list, local index),
 * direct-mapped, tagged and checked as the sets' entries are (the task,
 * bit 0 set for a discriminator's, and the local's key), so that a new
 * key voids these too.  A scheduler cycling over more tasks than a set
 * has ways finds their values here instead of walking their lists.  It is
 * located by the list rather than by the tag, so that a release, which
 * knows the list it unlinked from, finds the entry without knowing how
 * the value was looked up.
 */
extern TL__THREAD_LOCAL struct tl__centry tl__l2[TL_L2_SIZE];

/*
 * The entry for @l's value in list @head: the list's address in units of
 * a task (tasks in an array: consecutive numbers) spread by an odd
 * multiplier, whose top bits are taken (Fibonacci hashing: consecutive
 * numbers land farthest apart), plus the index, so that the first
 * TL_L2_SIZE locals of one task never collide.  Two shifts, so that a
 * size of 1 shifts by less than the width.  The index is read atomically:
 * a release inside a window (an exit) may read it while another thread
 * unregisters @l, which changes @l's key too, so that the entry a wrong
 * index misses is void anyway.
 */
static inline struct tl__centry *tl__l2_of(const struct tl_local *l,
					   const struct tl_node *head)
{
	const unsigned width = sizeof(uintptr_t) * 8;
	uintptr_t h = (uintptr_t)head / sizeof(struct tl_node) *
		      (uintptr_t)(sizeof(uintptr_t) == 8 ? 0x9e3779b97f4a7c15ull :
				  0x9e3779b9u);

	h = (h >> (width - 1 - __builtin_ctz(TL_L2_SIZE)) >> 1) +
	    TL__LOAD(&l->tl__index, RELAXED);
	return &tl__l2[h & (TL_L2_SIZE - 1)];
}
#endif

#if TL_CACHE_SIZE
/*
 * The first entry of @l's set, in this thread's cache: the empty first
 * set once @l is not registered (any more), which never matches.
 */
TL__HOT struct tl__centry *tl__set_of(const struct tl_local *l)
{
	return (struct tl__centry *)(void *)((char *)tl__thread.cache +
					     TL__LOAD(&l->tl__off, ACQUIRE));
}
#endif

#if TL_CACHE_SIZE && TL_THREADS
/* Clear @e if it leads to @s under @key: whether it did. */
TL__HOT bool tl__entry_forget(struct tl__centry *e, const struct tl_slot *s,
			      uint64_t key)
{
	if (e->slot != s || e->key != key)
		return false;
	/* All of it: a later slot at @s must not match it. */
	e->task = TL__NO_TASK;
	e->slot = NULL;
	e->key = 0;
	return true;
}
#endif

/*
 * Whether no entry of any thread can lead to @s, a slot of @l in list
 * @head being released, once this returns: true when it was not cached
 * since it was linked, or was cached once, by this thread, whose entries
 * are still there (they are cleared: the one in @l's set, the one in the
 * second level, where the fill wrote both).  Else @l needs a new key.  So
 * a task that sets values and ends on one thread writes nothing other
 * threads read.  Why one fill is enough to know: an entry is only ever
 * written by a fill, or copied from the second level into the set by this
 * thread (not counted: the fill that wrote it was), and every release
 * before this one left no entry of the slot valid.
 */
#if TL_CACHE_SIZE && TL_THREADS
TL__HOT bool tl__cache_forget(const struct tl_local *l,
			      const struct tl_slot *s,
			      const struct tl_node *head)
{
	struct tl__centry *e;
	uint64_t key;
	bool found;

	if (!(s->info & TL__SLOT_FILLED))
		return true;
	if (s->info & TL__SLOT_MULTI)
		return false;
	/*
	 * @l's set: if @l is being unregistered (or registered again), the
	 * set (and the second level's place, from @l's index) may be another
	 * or the empty one, where nothing is found: the unregistration gives
	 * @l a new key after it, which voids what is missed here (nobody may
	 * use @l meanwhile, and it waits for this window).  A slot is in one
	 * way at most (one tag, one key); the second level is looked at
	 * whatever the set held: the fill wrote both, and either may have
	 * been overwritten since.
	 */
	e = tl__set_of(l);
	key = TL__LOAD(&l->tl__key, RELAXED);
	found = tl__entry_forget(&e[0], s, key) ||
		tl__entry_forget(&e[1], s, key);
#if TL_L2_SIZE
	found |= tl__entry_forget(tl__l2_of(l, head), s, key);
#else
	(void)head;
#endif
	return found;
}
#else
/*
 * One cache (no threads): a new key costs no more than the search, and no
 * other core reads it.  No cache: no entry.
 */
static inline bool tl__cache_forget(const struct tl_local *l,
				    const struct tl_slot *s,
				    const struct tl_node *head)
{
	(void)l;
	(void)s;
	(void)head;
	return !TL_CACHE_SIZE;
}
#endif

/*
 * task.c: @s was unlinked from list @head and is about to be released:
 * invalidate its local's cache entries.  Returns the local, if still
 * registered.  Call inside window @w (until it closes, the local is not
 * given back), or with @w NULL for a slot of a local the caller uses,
 * which nobody may unregister meanwhile.
 */
struct tl_local *tl__unlinked(const struct tl_slot *s,
			      const struct tl_node *head,
			      const struct tl__window *w);

/* registry.c: register lazily, for the calls that may */
int tl__ensure_registered(struct tl_local *l);

/* registry.c: whether slots of unregistered locals may be linked somewhere */
extern bool tl__dead;

static inline bool tl__dead_slots(void)
{
	return TL__LOAD(&tl__dead, RELAXED);
}

/* Whether @l is registered (tl_local_registered(), inline). */
static inline bool tl__registered(const struct tl_local *l)
{
	return TL__LOAD(&l->tl__gen, ACQUIRE) != 0;
}

/* mem.c */
/*
 * A layer's call-back that tl_allocator_set() runs, with the lock held,
 * before it counts the blocks in use: the one moment nobody may be using
 * the library, when a layer can give back memory that lock-free readers
 * might still touch.  A layer adds its own once (tl__mem_on_quiesce_locked())
 * when it first allocates such memory; so the allocator's file calls
 * nobody above it.
 */
struct tl__quiescer {
	void (*fn)(void);
	struct tl__quiescer *next;
};

void tl__mem_on_quiesce_locked(struct tl__quiescer *q);
void *tl__mem_alloc(size_t size);
void tl__mem_free(void *ptr, size_t size);
struct tl_slot *tl__slot_alloc_slow(size_t data_size);
void tl__slot_free_slow(struct tl_slot *s);

#if TL_THREADS
/*
 * A thread's record (mem.c, where the records live and why): the slots it
 * keeps from its releases, for its next first values without a lock, and
 * its window.
 */
#define TL__KEPT_MAX	64

struct tl__rec {
	void *free;		/* kept slots, linked through their first word */
	unsigned n;
	unsigned window;	/* 1 while resolving without the lock */
	struct tl_node link;	/* on the list of records while a thread's */
};

extern TL__THREAD_LOCAL struct tl__self {
	struct tl__rec *rec;	/* NULL: not listed */
	bool ended;		/* its pthread key's destructor ran: never again */
} tl__self;

/* mem.c: put this thread on the list; false if it cannot be. */
bool tl__rec_list_slow(void);

/* Whether this thread is listed, listing it the first time it is not. */
static inline bool tl__rec_list(void)
{
	return TL__LIKELY(tl__self.rec != NULL) || tl__rec_list_slow();
}

/* mem.c: whether each window fences (no membarrier), see there. */
extern bool tl__window_fence;

/* Inline: every exit round opens one. */
static inline void tl__window_open(struct tl__window *w)
{
	w->locked = !TL__KEY_ATOMIC || !tl__rec_list();
	if (w->locked) {
		tl__lock();
		return;
	}
	TL__STORE(&tl__self.rec->window, 1, RELAXED);
	if (tl__window_fence)
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	else
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static inline void tl__window_close(struct tl__window *w)
{
	if (w->locked)
		tl__unlock();
	else
		TL__STORE(&tl__self.rec->window, 0, RELEASE);
}

/*
 * A pointer slot this thread kept, or NULL: no call.  Its value is
 * cleared: the general way links the slot before it sets the value, and a
 * fork() in another thread in between must leave the child no value, not
 * the previous owner's, which its destructor already had.
 */
TL__HOT struct tl_slot *tl__slot_kept(void)
{
	struct tl__rec *r = tl__self.rec;
	struct tl_slot *s = r ? r->free : NULL;

	if (TL__LIKELY(s != NULL)) {
		r->free = *(void **)s;
		r->n--;
		s->info = TL__SLOT_HEAP;
		s->value = NULL;
	}
	return s;
}
#else
/* One thread, preempted perhaps: the lock (the port's critical section). */
static inline void tl__window_open(struct tl__window *w)
{
	w->locked = true;
	tl__lock();
}

static inline void tl__window_close(struct tl__window *w)
{
	(void)w;
	tl__unlock();
}
#endif

/*
 * A slot with @data_size bytes of inline data (0: a pointer slot), value
 * NULL: one this thread kept, else from the pool or the allocator (the
 * lock taken for them); NULL when there is none.
 */
TL__HOT struct tl_slot *tl__slot_alloc(size_t data_size)
{
#if TL_THREADS
	struct tl_slot *s = data_size ? NULL : tl__slot_kept();

	if (TL__LIKELY(s != NULL))
		return s;
#endif
	return tl__slot_alloc_slow(data_size);
}

/*
 * Keep library slot @s for this thread's next first values, if it is one
 * that may be kept and there is room: no lock, no call.
 */
TL__HOT bool tl__slot_keep(struct tl_slot *s)
{
#if TL_THREADS
	struct tl__rec *r = tl__self.rec;

	if (TL__LIKELY((s->info & TL__SLOT_HEAP) && r && r->n < TL__KEPT_MAX)) {
		*(void **)s = r->free;
		r->free = s;
		r->n++;
		return true;
	}
#else
	(void)s;
#endif
	return false;
}

/* Give a library slot back: kept by this thread, or to its pool or allocator. */
TL__HOT void tl__slot_free(struct tl_slot *s)
{
	if (!tl__slot_keep(s))
		tl__slot_free_slow(s);
}

#if TL_THREADS
/* Wait until every window open now has closed.  Call without the lock. */
void tl__windows_wait(void);
/* Give back the slots every thread keeps. */
void tl__slot_caches_drain_locked(void);
/* In a fork() child: give back, and forget, the other threads' records. */
void tl__thread_recs_fork_locked(void);
#else
/* Windows hold the lock, as unregistering does. */
static inline void tl__windows_wait(void)
{
}
#endif

/*
 * task.c: a thread's root context, its values outside any task.  It is
 * "armed" when its first value is linked: from then on the thread's end
 * exits it, and it is on the list of roots that a fork() child reclaims
 * for the threads that did not come along.
 */
struct tl__root {
	struct tl_node values;	/* the task while it has no record */
#if TL_THREADS
	struct tl_node *head;	/* once armed: its record's list, or NULL */
#endif
	bool armed;
};

extern TL__THREAD_LOCAL struct tl__root tl__root_ctx;

/* The list that holds this thread's root values, maybe never initialised. */
static inline struct tl_node *tl__root_list(void)
{
#if TL_THREADS
	if (tl__root_ctx.head)
		return tl__root_ctx.head;
#endif
	return &tl__root_ctx.values;
}

/* The same, ready for use. */
static inline struct tl_node *tl__root(void)
{
	return tl__task_ready(tl__root_list());
}

/*
 * task.c: an exit running on this thread (without threads: anywhere, in
 * any RTOS task), on its caller's stack.  While its destructors run, every
 * local resolves to the task being exited, whatever its discriminator
 * says, so that what they set is destroyed in a later round instead of
 * landing elsewhere.  That holds while the current task is the one
 * tl_task_exit() made current, or, without threads, the caller's own: a
 * preemptive kernel's switch hook puts that one back when the caller
 * resumes after a preemption.  A destructor that switches to some other
 * task leaves it.  Exits may end in another order than they began (a
 * destructor that blocks or yields lets another task exit something), so
 * each is unlinked from the list wherever it is.
 */
struct tl__exiting {
	struct tl_node *task;	/* the task being exited */
	struct tl_node *cur;	/* what the exit made current */
	struct tl_node *caller;	/* the task its caller runs as, NULL: none */
	struct tl__exiting *next;	/* the exit begun before it */
	struct tl_node *prev;	/* what was current before it began */
	bool begun;		/* listed (task.c: exit_begin()) */
};

/*
 * The exits begun, the newest first (without threads: under the lock).
 * With threads an exit may be listed only from its first destructor or
 * allocator hook on (task.c: exit_may_wait()).
 */
extern TL__THREAD_LOCAL struct tl__exiting *tl__exits;

/*
 * task.c: the task whose exit current task @c runs in, its @cur set to
 * what that exit made current; NULL if none.
 */
struct tl_node *tl__exit_of(const struct tl_node *c, struct tl_node **cur);

/* sched.c: tl_sched's current(), recognised so that it costs no call. */
struct tl_node *tl__sched_current(struct tl_discriminator *disc);

/*
 * Where @d's current task is if @d is a tl_sched (what a local's tl__cur
 * holds for the inline path), else NULL.
 */
static inline struct tl_node *const *tl__sched_cur(
	const struct tl_discriminator *d)
{
	return d && d->current == tl__sched_current ?
	       &tl_container_of(d, struct tl_sched, disc)->current : NULL;
}

/* The list of task @c, or the root context's for none (NULL). */
static inline struct tl_node *tl__list_of(struct tl_node *c)
{
	return c ? tl__task_ready(c) : tl__root();
}

/*
 * From now on the inline path probes for @l, a local of a tl_sched, with
 * the task at @cur, the tl_sched's current one (fast.h), once @l is
 * registered: before, its discriminator may still change, and the
 * registration resets it.  The
 * registration publishes it too, for a tl_sched initialised by then;
 * this is for one initialised later.  With threads written once, not at
 * each lookup: other threads read the line.
 */
static inline void tl__sched_publish(struct tl_local *l,
				     struct tl_node *const *cur)
{
#if TL_CACHE_SIZE
	if ((!TL_THREADS || TL__LOAD(&l->tl__cur, RELAXED) != cur) &&
	    tl__registered(l))
		TL__STORE(&l->tl__cur, cur, RELAXED);
#else
	(void)l;
	(void)cur;
#endif
}

/*
 * The task whose list holds @l's values for the current task, and in @tag
 * what cache entries of that task's values hold: the current task as the
 * discriminator says it, with bit 0 set for a discriminator's local (see
 * struct tl__place).  NULL for a discriminator without current().
 */
TL__HOT struct tl_node *tl__head_of(struct tl_local *l,
				    struct tl_node **tag)
{
	const struct tl_discriminator *d = l->disc;
	struct tl_node *c = tl__thread.cur, *const *cur;

	/*
	 * Entries filled meanwhile carry the exiting task's tag, whatever
	 * the current one.  The caller's own task counts only without
	 * threads, where a preemptive kernel puts it back (and the inline
	 * path stays out while an exit runs, see tl__cached()).
	 */
	if (TL__UNLIKELY(tl__exits != NULL)) {
		struct tl_node *xcur, *t = tl__exit_of(c, &xcur);

		if (t) {
			*tag = (struct tl_node *)((uintptr_t)xcur |
						  (d != NULL));
			return t;
		}
	}
	if (!d) {
		*tag = c;
		return tl__list_of(c);
	}
	cur = tl__sched_cur(d);
	if (cur) {
		tl__sched_publish(l, cur);
		c = *cur;
	} else if (d->current)
		c = d->current(l->disc);
	else
		return NULL;
	*tag = (struct tl_node *)((uintptr_t)c | 1);
	return tl__list_of(c);
}

/*
 * task.c: @mark is the first (outermost) of the scope marks before a slot:
 * the slot gets back the value it had before them, the marks are unlinked
 * and their scopes closed.  Returns the slot's node.  Exits and reaping
 * do it as scope.c does, so it lives below both.
 */
struct tl_node *tl__scope_unwind(struct tl_slot *mark);

/*
 * Called before a first value is added to @head: the root context is armed
 * then (its thread's end will exit it).  Return: 0, or -EAGAIN when it
 * cannot be (no pthread key left for the library): the value would never
 * be destroyed.
 */
int tl__root_arm(struct tl_node **head, bool heap);

/*
 * Before a value is linked into *@head; the root context's list may move
 * then (into its record): *@head is updated.  @heap: the record may come
 * from the allocator (not for tl_bind(), which never allocates).
 */
static inline int tl__task_adding(struct tl_node **head, bool heap)
{
	if (TL__UNLIKELY(*head == &tl__root_ctx.values && !tl__root_ctx.armed))
		return tl__root_arm(head, heap);
	return 0;
}

/*
 * Do the bookkeeping of every slot in @task (cache keys) and move them to
 * @to, inside window @w: the root records' reclaim, with threads only.
 */
#if TL_THREADS
void tl__detach(struct tl_node *task, struct tl_node *to,
		struct tl__window *w);
#endif

/* Give back every slot of the detached @list, without destructors. */
void tl__drop(struct tl_node *list);

/*
 * Give back a slot unlinked from @head: invalidate its local's cache
 * entries, run the destructor (if asked, and the local is still
 * registered), free the slot unless the caller owns it.
 */
void tl__release(struct tl_slot *s, const struct tl_node *head,
		 bool run_destructor);

/*
 * Unlink the slots in @head whose local was unregistered, freeing the
 * library's own.
 * Called before a first set that goes the general way (slot_add())
 * allocates, so that a task (a thread's root context above all) that
 * outlives many locals does not keep their slots until its exit, nor walk
 * them on every miss.
 */
void tl__reap_dead(struct tl_node *head);

static inline void tl__reap(struct tl_node *head)
{
	if (TL__UNLIKELY(tl__dead_slots()))
		tl__reap_dead(head);
}

/* error.c: hand a TL_DEBUG report to the hook */
void tl__report_at(const char *file, int line, const char *what);

#if TL_DEBUG || TL_THREADS
/* A link no ring holds: NULL, or what tl_node_del() leaves. */
static inline bool tl__bad_link(const struct tl_node *n)
{
	return !n || n == TL_POISON_NEXT || n == TL_POISON_PREV;
}

/*
 * What is wrong with the ring of @head, or NULL: every back pointer is
 * checked, and a second cursor at half speed catches a cycle that misses
 * @head (Floyd), so that the walk ends whatever the ring holds.  TL_DEBUG
 * checks task lists with it; a fork() child the lists of the threads that
 * did not come along, which one of them may have been changing.
 */
static inline const char *tl__ring_fault(const struct tl_node *head)
{
	const struct tl_node *n = head, *slow = head;
	unsigned long steps = 0;

	if (tl__bad_link(head->next) || tl__bad_link(head->prev))
		return "task not initialised, or used after its memory was released";
	do {
		const struct tl_node *next = n->next;

		if (tl__bad_link(next) || next->prev != n)
			return "task list corrupted: a slot was unlinked, freed or linked twice";
		n = next;
		if (++steps % 2 == 0)
			slow = slow->next;
		if (n == slow && n != head)
			return "task list corrupted: a cycle that misses the task";
	} while (n != head);
	return NULL;
}
#endif

/*
 * Whether the ring of @head is sound (TL_DEBUG: checked; else assumed),
 * without a report: for a first look whose caller looks again, reporting,
 * when it is not (tl__list_ok()).
 */
static inline bool tl__list_sound(const struct tl_node *head)
{
#if TL_DEBUG
	return !tl__ring_fault(head);
#else
	(void)head;
	return true;
#endif
}

/* debug.c */
#if TL_DEBUG
bool tl__list_ok(const struct tl_node *head);
bool tl__slot_unlinked(const struct tl_slot *s);
void tl__report(const char *what);
#else
static inline bool tl__list_ok(const struct tl_node *head)
{
	(void)head;
	return true;
}
static inline bool tl__slot_unlinked(const struct tl_slot *s)
{
	(void)s;
	return true;
}
#endif

#pragma GCC visibility pop

#endif /* TASKLOCAL_INTERNAL_H */
