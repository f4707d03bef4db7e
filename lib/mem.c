// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * lib/mem.c - where memory comes from: the allocator hook (malloc by
 * default, nothing in heapless builds), the fixed-block pool, each
 * thread's kept slots, and slot allocation on top of them (kept slots
 * first, without the lock; then the pool, then the allocator).  Each
 * thread's record also holds its window, which lets an unregistration
 * wait for exits in flight (see tl__window_open()).
 *
 * The allocator's outstanding blocks are counted so that replacing it while
 * they are in use is refused instead of handing them to the wrong free().
 * tl__mem_alloc/free run under the registry lock (uthash calls them from
 * inside the registry); slot allocation takes the lock itself when it must.
 */
#define _DEFAULT_SOURCE	/* syscall(), for membarrier */
#include "internal.h"

#if !TL_HEAPLESS
#include <stdlib.h>

static void *sys_alloc(size_t size, void *ctx)
{
	(void)ctx;
	return malloc(size);
}

static void sys_free(void *ptr, size_t size, void *ctx)
{
	(void)size;
	(void)ctx;
	free(ptr);
}

#define BUILTIN { sys_alloc, sys_free, NULL }
#else
#define BUILTIN { NULL, NULL, NULL }
#endif

static const struct tl_allocator builtin = BUILTIN;
static struct tl_allocator allocator = BUILTIN;
static size_t outstanding;	/* blocks of @allocator in use */
static struct tl_pool *pool;	/* attached pool, or NULL */

static struct tl__quiescer *quiescers;

void tl__mem_on_quiesce_locked(struct tl__quiescer *q)
{
	struct tl__quiescer **p = &quiescers;

	TL__ASSERT_LOCKED();

	/* Once each; in any order, as each gives back only its own memory. */
	while (*p && *p != q)
		p = &(*p)->next;
	if (!*p)
		*p = q;
}

void *tl__mem_alloc(size_t size)
{
	void *p = allocator.alloc ? allocator.alloc(size, allocator.ctx) : NULL;

	if (p)
		outstanding++;
	return p;
}

void tl__mem_free(void *ptr, size_t size)
{
	if (!ptr)
		return;
	outstanding--;
	allocator.free(ptr, size, allocator.ctx);
}

int tl_allocator_set(const struct tl_allocator *a)
{
	struct tl__quiescer *q;
	int err = 0;

	if (a && (!a->alloc || !a->free))
		return -EINVAL;
	tl__lock();
#if TL_THREADS
	tl__slot_caches_drain_locked();
#endif
	for (q = quiescers; q; q = q->next)
		q->fn();
	if (outstanding)
		err = -EBUSY;
	else
		allocator = a ? *a : builtin;
	tl__unlock();
	return err;
}

/* ---------------------------------------------------------------- pool */

int tl_pool_init(struct tl_pool *p, void *buf, size_t size, size_t block)
{
	uintptr_t start, end;
	size_t align;
	char *b;
	void *head;
	int err;

	if (!p || !buf || block < sizeof(struct tl_slot) ||
	    block > SIZE_MAX / 2)
		return -EINVAL;
	/*
	 * Blocks too small for inline data, once rounded to a slot's
	 * alignment, hold pointer slots only: no need for more.
	 */
	block = TL__ALIGN(block, __alignof__(struct tl_slot));
	align = block < TL_SLOT_SIZE(1) ? __alignof__(struct tl_slot) :
					  TL__MAXALIGN;
	block = TL__ALIGN(block, align);
	start = TL__ALIGN((uintptr_t)buf, align);
	end = (uintptr_t)buf + size;
	if (end < start || (end - start) / block == 0)
		return -EINVAL;
	end = start + (end - start) / block * block;

	tl__lock();
	/* Re-carving would hand out blocks that are in use. */
	err = p == pool && p->used ? -EBUSY : 0;
	if (!err) {
		p->block = block;
		p->base = (char *)start;
		p->end = (char *)end;
		p->used = 0;
		/* Thread the blocks from the top: the lowest goes out first. */
		for (head = NULL, b = p->end; b != p->base; head = b) {
			b -= block;
			*(void **)b = head;
		}
		p->free = head;
	}
	tl__unlock();
	return err;
}

int tl_pool_attach(struct tl_pool *p)
{
	int err = 0;

	tl__lock();
	if (pool && pool != p && pool->used)
		err = -EBUSY;
	else
		TL__STORE(&pool, p, RELEASE);
	tl__unlock();
	return err;
}

size_t tl_pool_available(const struct tl_pool *p)
{
	size_t n = 0;

	if (!p)
		return 0;
	tl__lock();
	if (p->block)
		n = (size_t)(p->end - p->base) / p->block - p->used;
	tl__unlock();
	return n;
}

static bool pool_owns(const struct tl_pool *p, const void *ptr)
{
	return p && (const char *)ptr >= p->base && (const char *)ptr < p->end;
}

/* --------------------------------------------------------------- slots */

static size_t *slot_size_field(struct tl_slot *s)
{
	return (size_t *)(void *)(s + 1);
}

/*
 * Each thread that frees slots or resolves them without the lock has a
 * record, on a list under the lock, so that tl_allocator_set() and a
 * fork() child reach every thread's, and an unregistration can wait for
 * every thread's window (below); a thread takes its record off the list
 * when it ends.
 *
 * Kept slots: up to TL__KEPT_MAX of the pointer slots a thread freed
 * (from the allocator, not the pool), for its next first values: a task
 * that sets a few values and ends takes no lock and calls no allocator.
 */
#if TL_THREADS
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>
#if defined(__linux__) && defined(__has_include)
#if __has_include(<linux/membarrier.h>)
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>
#define HAVE_MEMBARRIER 1
#endif
#endif

/*
 * The records are static, not in the thread's TLS: a thread first listed
 * during the last round of pthread-key destructors never has rec_exit()
 * run (its key is not destroyed again), and its record must stay memory
 * that the walks below may read.  Such a record stays listed, its window
 * closed, its kept slots given back by the next drain.  With every record
 * taken, a thread goes unlisted.  A cache line each: windows are written
 * at every exit.
 */
static union {
	struct tl__rec rec;
	_Alignas(64) char line[64];
} rec_table[TL_THREAD_RECORDS];
static unsigned rec_fresh;	/* rec_table[rec_fresh..]: never handed out */
static struct tl_node recs = TL_NODE_INIT(recs);	/* under the lock */
static struct tl_node rec_free = TL_NODE_INIT(rec_free);	/* likewise */
static pthread_key_t rec_key;	/* its destructor: rec_exit() */
static bool rec_key_made;

TL__THREAD_LOCAL struct tl__self tl__self;

static void rec_exit(void *unused);

static bool rec_key_make_locked(void)
{
	TL__ASSERT_LOCKED();

	if (!rec_key_made)
		rec_key_made = !pthread_key_create(&rec_key, rec_exit);
	return rec_key_made;
}

/* At load time, as the root's key (task.c); later if none was left then. */
__attribute__((constructor)) static void rec_setup(void)
{
	tl__lock();
	rec_key_make_locked();
	tl__unlock();
}

/* A record off @rec_free or never used, empty, on @recs; NULL: none left. */
static struct tl__rec *rec_take_locked(void)
{
	struct tl__rec *r;

	TL__ASSERT_LOCKED();

	if (!tl_node_empty(&rec_free)) {
		r = tl_node_first_entry(&rec_free, struct tl__rec, link);
		tl_node_del(&r->link);
	} else if (rec_fresh < TL_THREAD_RECORDS) {
		r = &rec_table[rec_fresh++].rec;
	} else {
		return NULL;
	}
	r->free = NULL;
	r->n = 0;
	r->window = 0;
	tl_node_add(&r->link, &recs);
	return r;
}

static void rec_empty_locked(struct tl__rec *r);

/* Back to @rec_free, its kept slots to the allocator. */
static void rec_put_locked(struct tl__rec *r)
{
	TL__ASSERT_LOCKED();

	rec_empty_locked(r);
	tl_node_del(&r->link);
	tl_node_add(&r->link, &rec_free);
}

bool tl__rec_list_slow(void)
{
	struct tl__rec *r = NULL;

	if (tl__self.ended)
		return false;
	tl__lock();
	/* Listed only with the key set: its destructor takes it off again. */
	if (rec_key_make_locked()) {
		r = rec_take_locked();
		if (r && pthread_setspecific(rec_key, r)) {
			rec_put_locked(r);
			r = NULL;
		}
	}
	tl__unlock();
	tl__self.rec = r;
	return r != NULL;
}


/*
 * Give every kept slot of @r back to the allocator.  Call with the lock
 * held.  No more than it counts: in a fork() child the record may be one
 * a thread was changing at the fork (a slot lost there is lost, but the
 * walk ends).
 */
static void rec_empty_locked(struct tl__rec *r)
{
	unsigned n;

	TL__ASSERT_LOCKED();

	for (n = r->n; r->free && n; n--) {
		void *b = r->free;

		r->free = *(void **)b;
		tl__mem_free(b, sizeof(struct tl_slot));
	}
	r->free = NULL;
	r->n = 0;
}

void tl__slot_caches_drain_locked(void)
{
	struct tl__rec *r;

	TL__ASSERT_LOCKED();

	tl_for_each_entry(r, &recs, link)
		rec_empty_locked(r);
}

/* In a fork() child: the other threads are gone, their records free. */
void tl__thread_recs_fork_locked(void)
{
	struct tl__rec *r, *n;

	TL__ASSERT_LOCKED();

	tl_for_each_entry_safe(r, n, &recs, link)
		if (r != tl__self.rec)
			rec_put_locked(r);
}

/*
 * The thread ends: its kept slots go back, its record off the list.  A
 * destructor of another pthread key that runs after this one may still
 * use the library: it does so unlisted (windows under the lock, no kept
 * slots), since nothing would take it off again.
 */
static void rec_exit(void *unused)
{
	(void)unused;
	tl__self.ended = true;
	if (!tl__self.rec)
		return;
	tl__lock();
	rec_put_locked(tl__self.rec);
	tl__unlock();
	tl__self.rec = NULL;
}

/*
 * A window: the time in which a thread resolves a slot without the lock
 * (tl__resolve()) and then reads or writes the local it found (its
 * destructor, its cache key).  The local may be unregistered meanwhile by
 * another thread, whose caller may then free it: tl_local_unregister()
 * waits, after unpublishing the local, until every window open at that
 * moment has closed.  Between the window's flag and the registry's index
 * table, each side stores and then loads: a full fence on each side makes
 * sure that one of them sees the other's store (either the resolve finds
 * the index empty, or the unregistration sees the window open).  On Linux
 * the rare side, the unregistration, fences every running thread of the
 * process at once (membarrier), so that a window costs two plain stores;
 * where that is not available each window fences.  A thread that cannot
 * be listed holds the lock instead.  A window neither takes the lock nor
 * runs the caller's code (so the wait, which holds the lock to keep the
 * list still, always ends).  tl__window_open() and tl__window_close() are
 * inline (internal.h): each exit round opens one.
 */
bool tl__window_fence = true;

#if HAVE_MEMBARRIER
__attribute__((constructor)) static void window_setup(void)
{
	long cmds = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0);

	if (cmds > 0 &&
	    (cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED) &&
	    !syscall(SYS_membarrier,
		     MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0))
		tl__window_fence = false;
}

/*
 * The unregistration's fence, in every running thread of the process.
 * Once registered the command does not fail; if it ever did, the slower
 * global one does the same, and without either the windows would be
 * unguarded: stop rather than touch a local being freed.
 */
static void fence_all(void)
{
	if (tl__window_fence) {
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		return;
	}
	if (syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0) &&
	    syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0))
		abort();
}
#else
static void fence_all(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}
#endif

/*
 * Until @r's window is closed: a few yields, then short sleeps, so that a
 * thread of a lower real-time priority on this CPU gets to close it.
 */
static void window_wait(const struct tl__rec *r)
{
	static const struct timespec nap = { .tv_nsec = 10000 };
	unsigned n;

	for (n = 0; r != tl__self.rec && TL__LOAD(&r->window, ACQUIRE); n++)
		if (n < 64)
			sched_yield();
		else
			nanosleep(&nap, NULL);
}

void tl__windows_wait(void)
{
	struct tl__rec *r;

	fence_all();
	tl__lock();
	tl_for_each_entry(r, &recs, link)
		window_wait(r);
	tl__unlock();
}

/* Keep @s, a pointer slot of the allocator, for this thread, listing it. */
static bool cache_push(struct tl_slot *s)
{
	struct tl__rec *r;

	if (!tl__rec_list())
		return false;
	r = tl__self.rec;
	if (r->n == TL__KEPT_MAX)
		return false;
	*(void **)s = r->free;
	r->free = s;
	r->n++;
	return true;
}
#else
static bool cache_push(struct tl_slot *s)
{
	(void)s;
	return false;
}
#endif

/* A block of @p, or NULL when it has none.  Call with the lock held. */
static void *pool_pop_locked(struct tl_pool *p)
{
	void *b = p->free;

	TL__ASSERT_LOCKED();

	if (b) {
		p->free = *(void **)b;
		p->used++;
	}
	return b;
}

static void pool_push_locked(struct tl_pool *p, void *b)
{
	TL__ASSERT_LOCKED();

	*(void **)b = p->free;
	p->free = b;
	p->used--;
}

struct tl_slot *tl__slot_alloc_slow(size_t data_size)
{
	size_t total;
	struct tl_slot *s = NULL;
	bool heap;

	/* So large that the slot's size would wrap: no memory has it. */
	if (data_size > SIZE_MAX / 2)
		return NULL;
	total = TL_SLOT_SIZE(data_size);
	tl__lock();
	if (pool && total <= pool->block)
		s = pool_pop_locked(pool);
	/*
	 * Heapless: with a pool attached it is the only source of slots, so
	 * they never eat the registry's arena.
	 */
	heap = !s && (!TL_HEAPLESS || !pool);
	if (heap)
		s = tl__mem_alloc(total);
	tl__unlock();
	if (!s)
		return NULL;

	s->info = heap ? TL__SLOT_HEAP : 0;
	s->value = NULL;
	if (data_size) {
		s->info = TL__SLOT_TYPED;
		*slot_size_field(s) = data_size;
		s->value = (char *)s + TL__SLOT_DATA;
	}
	return s;
}

void tl__slot_free_slow(struct tl_slot *s)
{
	size_t total = TL_SLOT_SIZE(s->info & TL__SLOT_TYPED ?
				    *slot_size_field(s) : 0);

	if ((s->info & TL__SLOT_HEAP) && cache_push(s))
		return;
	tl__lock();
	if (pool_owns(pool, s))
		pool_push_locked(pool, s);
	else
		tl__mem_free(s, total);
	tl__unlock();
}
