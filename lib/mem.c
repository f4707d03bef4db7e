// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * lib/mem.c - where memory comes from: the allocator hook (malloc by
 * default, nothing in heapless builds), the fixed-block pool, each
 * thread's kept slots, and slot allocation on top of them (kept slots
 * first, without the lock; then the pool, then the allocator).
 *
 * The allocator's outstanding blocks are counted so that replacing it while
 * they are in use is refused instead of handing them to the wrong free().
 * tl__mem_alloc/free run under the registry lock (uthash calls them from
 * inside the registry); slot allocation takes the lock itself when it must.
 */
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

void (*tl__mem_quiesce)(void);

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
	int err = 0;

	if (a && (!a->alloc || !a->free))
		return -EINVAL;
	tl__lock();
#if TL_THREADS
	tl__slot_caches_drain_locked();
#endif
	if (tl__mem_quiesce)
		tl__mem_quiesce();
	tl__registry_shrink_locked();
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
	char *b;

	if (!p || !buf || block < sizeof(struct tl_slot) ||
	    block > SIZE_MAX / 2)
		return -EINVAL;
	block = TL__ALIGN(block, TL__MAXALIGN);
	start = TL__ALIGN((uintptr_t)buf, TL__MAXALIGN);
	end = (uintptr_t)buf + size;
	if (end < start || (end - start) / block == 0)
		return -EINVAL;
	end = start + (end - start) / block * block;

	tl__lock();
	if (p == pool && p->used) {
		/* Re-carving would hand out blocks that are in use. */
		tl__unlock();
		return -EBUSY;
	}
	p->block = block;
	p->base = (char *)start;
	p->end = (char *)end;
	p->used = 0;
	p->free = NULL;
	/* Thread the blocks from the top, so the lowest is handed out first. */
	for (b = p->end - block; ; b -= block) {
		*(void **)b = p->free;
		p->free = b;
		if (b == p->base)
			break;
	}
	tl__unlock();
	return 0;
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
 * Each thread keeps up to SLOT_CACHE_MAX of the pointer slots it freed
 * (from the allocator, not the pool) for its next first values: a task
 * that sets a few values and ends takes no lock and calls no allocator.
 * The caches are on a list, under the lock, so that tl_allocator_set()
 * and a fork() child can give back every thread's; a thread gives back
 * its own when it ends.
 */
#if TL_THREADS
#define SLOT_CACHE_MAX 64

struct slot_cache {
	void *free;		/* the blocks, linked through their first word */
	unsigned n;
	bool listed;		/* on @caches, with the thread-exit hook armed */
	struct tl_node link;
};

static TL__THREAD_LOCAL struct slot_cache slot_cache;
static struct tl_node caches = TL_NODE_INIT(caches);

/* Give every block of @c back to the allocator.  Call with the lock held. */
static void cache_empty_locked(struct slot_cache *c)
{
	TL__ASSERT_LOCKED();

	while (c->free) {
		void *b = c->free;

		c->free = *(void **)b;
		tl__mem_free(b, sizeof(struct tl_slot));
	}
	c->n = 0;
}

void tl__slot_caches_drain_locked(void)
{
	struct slot_cache *c;

	TL__ASSERT_LOCKED();

	tl_for_each_entry(c, &caches, link)
		cache_empty_locked(c);
}

/*
 * In a fork() child: the other threads are gone, their caches are
 * emptied and taken off the list (their memory may soon be a new
 * thread's, zero-filled: nothing else of theirs is written).
 */
void tl__slot_caches_fork_locked(void)
{
	struct slot_cache *c, *n;

	TL__ASSERT_LOCKED();

	tl_for_each_entry_safe(c, n, &caches, link)
		if (c != &slot_cache) {
			cache_empty_locked(c);
			tl_node_del(&c->link);
		}
}

void tl__slot_cache_exit(void)
{
	if (!slot_cache.listed)
		return;
	tl__lock();
	cache_empty_locked(&slot_cache);
	tl_node_del(&slot_cache.link);
	tl__unlock();
	slot_cache.listed = false;
}

static struct tl_slot *cache_pop(size_t data_size)
{
	void *b = slot_cache.free;

	if (data_size || !b)
		return NULL;
	slot_cache.free = *(void **)b;
	slot_cache.n--;
	return b;
}

/* Keep @s for this thread, if it is a pointer slot of the allocator. */
static bool cache_push(struct tl_slot *s)
{
	if ((s->info & TL__SLOT_TYPED) || slot_cache.n == SLOT_CACHE_MAX ||
	    pool_owns(TL__LOAD(&pool, ACQUIRE), s))
		return false;
	if (!slot_cache.listed) {
		if (!tl__thread_exit_hook())
			return false;
		tl__lock();
		tl_node_add(&slot_cache.link, &caches);
		tl__unlock();
		slot_cache.listed = true;
	}
	*(void **)s = slot_cache.free;
	slot_cache.free = s;
	slot_cache.n++;
	return true;
}
#else
static struct tl_slot *cache_pop(size_t data_size)
{
	(void)data_size;
	return NULL;
}

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

struct tl_slot *tl__slot_alloc(size_t data_size)
{
	size_t total;
	struct tl_slot *s;

	/* So large that the slot's size would wrap: no memory has it. */
	if (data_size > SIZE_MAX / 2)
		return NULL;
	total = TL_SLOT_SIZE(data_size);
	s = cache_pop(data_size);
	if (!s) {
		tl__lock();
		if (pool && total <= pool->block)
			s = pool_pop_locked(pool);
		/*
		 * Heapless: with a pool attached it is the only source of
		 * slots, so they never eat the registry's arena.
		 */
		if (!s && (!TL_HEAPLESS || !pool))
			s = tl__mem_alloc(total);
		tl__unlock();
		if (!s)
			return NULL;
	}

	s->info = 0;
	s->value = NULL;
	if (data_size) {
		s->info = TL__SLOT_TYPED;
		*slot_size_field(s) = data_size;
		s->value = (char *)s + TL__SLOT_DATA;
	}
	return s;
}

void tl__slot_free(struct tl_slot *s)
{
	size_t total = TL_SLOT_SIZE(s->info & TL__SLOT_TYPED ?
				    *slot_size_field(s) : 0);

	if (cache_push(s))
		return;
	tl__lock();
	if (pool_owns(pool, s))
		pool_push_locked(pool, s);
	else
		tl__mem_free(s, total);
	tl__unlock();
}
