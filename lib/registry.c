// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * lib/registry.c - the registry of locals: an index table (index -> local,
 * the lowest free index handed out first), a uthash table by name for named
 * locals, the generation every slot is stamped with, and the cache keys.
 * Registration takes the lock (lock.c); releases and lookups read the
 * table without it.
 *
 * Each index counts its own registrations: the count is the generation a
 * registration stamps its slots with, so an (index, generation) pair names
 * one registration forever and a slot left behind by an unregistered local
 * never matches a new local that reuses its index.  An index whose count
 * reaches UINT32_MAX is retired, never handed out again, so a count never
 * wraps: exhausting the 2^26 - 1 indices would take 2^58 registrations.
 */
#include "uthash_hooks.h"

struct tl__name {
	UT_hash_handle hh;	/* first: see uthash_hooks.h */
	struct tl_local *local;
};
_Static_assert(offsetof(struct tl__name, hh) == 0,
	       "uthash_hooks.h: a hashed struct starts with its handle");

/*
 * by_index[i] is the registered local's address, or 0 for a free index.
 * gens[i] is the last generation index i handed out.  The lowest free
 * index goes first, as glibc hands out pthread keys, so that the exit
 * rounds visit values in the same order: a search from @hint, the lowest
 * index that may be free (the table is small, and registration rare).
 * Index 0 is never used, so that 0 means "not registered" in struct
 * tl_local; an index that handed out its last generation is retired:
 * free, but never handed out again.  The two arrays share one block behind
 * a struct tl__table (internal.h), which lock-free readers (the release
 * of a slot, the exit of a task) reach through tl__table: a table that
 * grew is kept, on the @retired list, until tl_allocator_set() (when
 * nobody may be reading it), so a reader never finds freed memory.
 */
/* An index that handed it out retires (smaller in the TL_DEBUG tests). */
#ifndef TL__GEN_LAST
#define TL__GEN_LAST	UINT32_MAX
#endif
#define GEN_LAST	TL__GEN_LAST

static struct {
	struct tl__name *names;
	uintptr_t *by_index;
	uint32_t *gens;
	uint32_t cap;		/* entries in by_index */
	uint32_t hint;		/* no free index below it */
	uint32_t used;		/* registered locals */
	uint32_t floor;		/* generation the used entries of a new table start at */
	uint32_t floor_cap;	/* entries of earlier tables: the used ones */
} reg;

struct tl__table *tl__table;

/* Bytes of an index table of @cap entries. */
static size_t table_size(uint32_t cap)
{
	return sizeof(struct tl__table) +
	       (size_t)cap * (sizeof(*reg.by_index) + sizeof(*reg.gens));
}

/* FNV-1a */
unsigned tl__hash_name(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint32_t h = 2166136261u;

	while (len--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

/*
 * Publish where @l's cache set is (its byte offset in the cache), with a
 * fresh key, before the registration is marked done.  The sets follow the
 * empty first one, by index (never 0 here).
 */
static void place_store(struct tl_local *l, uint32_t index)
{
#if TL_CACHE_SIZE
	uint32_t off = (1 + ((index - 1) & (TL_CACHE_SIZE / TL__WAYS - 1))) *
		       TL__WAYS * (uint32_t)sizeof(struct tl__centry);

	tl__rekey(l);
	/*
	 * A local with a discriminator has its set too: its entries are
	 * tagged task | 1, which the default probe never matches, and the
	 * slow path probes the set at this offset without computing it.
	 * Where a tl_sched's current task is, is published at once for the
	 * discriminator the local has now (it may have changed while the
	 * local was not registered), so that the inline path serves it
	 * whatever its first lookups are (one in an exit fills an entry that
	 * answers out of line for long after); for a tl_sched initialised
	 * later, by the first lookup that takes the general path
	 * (tl__sched_publish()).
	 */
	TL__STORE(&l->tl__cur, tl__sched_cur(l->disc), RELAXED);
	TL__STORE(&l->tl__off, off, RELEASE);
#else
	(void)l;
	(void)index;
#endif
}

/*
 * The reverse, the offset first.  The key left behind is a fresh one: a
 * reader that pairs the old offset with it finds no entry that holds it.
 */
static void place_clear(struct tl_local *l)
{
	TL__STORE(&l->tl__off, 0, RELAXED);
	TL__STORE(&l->tl__cur, NULL, RELAXED);
	tl__rekey(l);
}

/* --------------------------------------------------------------- index */

/* Free index @i. */
static void index_put_locked(uint32_t i)
{
	TL__ASSERT_LOCKED();

	TL__STORE(&reg.by_index[i], 0, RELAXED);
	if (i < reg.hint)
		reg.hint = i;
}

/* The lowest free index that is not retired, from now on taken; 0: none. */
static uint32_t index_take_locked(void)
{
	uint32_t i;

	TL__ASSERT_LOCKED();

	for (i = reg.hint; i < reg.cap; i++)
		if (!reg.by_index[i] && reg.gens[i] != GEN_LAST) {
			reg.hint = i + 1;
			return i;
		}
	reg.hint = i;
	return 0;
}

static void shrink_locked(void);
static struct tl__quiescer quiescer = { .fn = shrink_locked };

/*
 * Double the index table; the new entries are free.  Called when no index
 * is free, so @hint is the first new one.
 */
static int grow_locked(void)
{
	/* Powers of two up to TL__INDEX_MAX + 1: doubling cannot wrap. */
	uint32_t cap = reg.cap ? reg.cap * 2 : 16;
	uint32_t i, old = reg.cap;
	struct tl__table *b;
	uintptr_t *t;
	uint32_t *g;

	TL__ASSERT_LOCKED();

	/* Indices 1 .. cap - 1 must fit a slot's index bits. */
	if (cap - 1 > TL__INDEX_MAX)
		return -ENOMEM;
	b = tl__mem_alloc(table_size(cap));
	if (!b)
		return -ENOMEM;
	tl__mem_on_quiesce_locked(&quiescer);
	b->cap = cap;
	b->retired = tl__table;
	t = b->by_index;
	g = (uint32_t *)(void *)(t + cap);
	if (old) {
		memcpy(t, reg.by_index, old * sizeof(*t));
		memcpy(g, reg.gens, old * sizeof(*g));
	}
	reg.by_index = t;
	reg.gens = g;
	reg.cap = cap;
	for (i = old; i < cap; i++) {
		t[i] = 0;
		g[i] = i < reg.floor_cap ? reg.floor : 0;
	}
	g[0] = GEN_LAST;	/* never handed out */
	TL__STORE(&tl__table, b, RELEASE);
	return 0;
}

/* Free the tables @b replaced. */
static void retired_free_locked(struct tl__table *b)
{
	struct tl__table *r = b->retired;

	TL__ASSERT_LOCKED();

	b->retired = NULL;
	while (r) {
		struct tl__table *next = r->retired;

		tl__mem_free(r, table_size(r->cap));
		r = next;
	}
}

/*
 * Give back the tables a growth retired, and the table itself once no
 * local is registered: tl_allocator_set()'s call-back, while nobody else
 * uses the library.
 */
static void shrink_locked(void)
{
	uint32_t i, high;

	TL__ASSERT_LOCKED();

	if (!tl__table)
		return;
	retired_free_locked(tl__table);
	if (reg.used)
		return;
	/*
	 * Slots of the old registrations may still be linked: the next
	 * table's generations start above every one they carry, at the
	 * indices they can carry, all at one floor.  Past half the count an
	 * index may hand out, the table stays instead (and the allocator with
	 * it): a floor that high would retire every index after a few more
	 * registrations, and each new table twice as large as the last.
	 */
	for (i = 1, high = reg.floor; i < reg.cap; i++)
		if (reg.gens[i] > high)
			high = reg.gens[i];
	if (high > GEN_LAST / 2)
		return;
	reg.floor = high;
	if (reg.cap > reg.floor_cap)
		reg.floor_cap = reg.cap;
	tl__mem_free(tl__table, table_size(reg.cap));
	TL__STORE(&tl__table, NULL, RELAXED);
	reg.by_index = NULL;
	reg.gens = NULL;
	reg.cap = 0;
	reg.hint = 0;
}


/* ------------------------------------------------------------ register */

static struct tl__name *name_find_locked(const char *name)
{
	struct tl__name *rec;

	TL__ASSERT_LOCKED();

	HASH_FIND_STR(reg.names, name, rec);
	return rec;
}

/* A free index in @index, growing the table if there is none. */
static int index_alloc_locked(uint32_t *index)
{
	int err;

	TL__ASSERT_LOCKED();

	/* Retired indices may fill a whole new table: grow past them. */
	while (!(*index = index_take_locked())) {
		err = grow_locked();
		if (err)
			return err;
	}
	return 0;
}

/* Record @l under its name. */
static int name_add_locked(struct tl_local *l)
{
	size_t len = strlen(l->name);	/* once: the macro reads it twice */
	struct tl__name *rec;

	TL__ASSERT_LOCKED();

	rec = tl__mem_alloc(sizeof(*rec));
	if (!rec)
		return -ENOMEM;
	rec->local = l;
	HASH_ADD_KEYPTR(hh, reg.names, l->name, len, rec);
	/* uthash could not allocate its table: it left @rec out, tbl NULL. */
	if (!rec->hh.tbl) {
		tl__mem_free(rec, sizeof(*rec));
		return -ENOMEM;
	}
	return 0;
}

/* Forget @l's name, if the record is @l's. */
static void name_del_locked(struct tl_local *l)
{
	struct tl__name *rec = name_find_locked(l->name);

	TL__ASSERT_LOCKED();

	if (rec && rec->local == l) {
		HASH_DEL(reg.names, rec);
		tl__mem_free(rec, sizeof(*rec));
	}
}

/*
 * Make @l the local of @index, with the index's next generation: the
 * generation before the address (see tl__resolve()), @l's generation last,
 * which marks it registered.
 */
static void index_publish_locked(struct tl_local *l, uint32_t index)
{
	uint32_t gen = reg.gens[index] + 1;

	TL__ASSERT_LOCKED();

	TL__STORE(&reg.gens[index], gen, RELEASE);
	TL__STORE(&reg.by_index[index], (uintptr_t)l, RELEASE);
	reg.used++;
	/* Atomic: a release in another thread may read it (tl__l2_of()). */
	TL__STORE(&l->tl__index, index, RELAXED);
	l->tl__used = 0;
	place_store(l, index);	/* a new key: tl__neg cleared too */
	TL__STORE(&l->tl__gen, gen, RELEASE);
}

static int register_locked(struct tl_local *l)
{
	uint32_t index;
	int err;

	TL__ASSERT_LOCKED();

	if (l->tl__index)
		return 0;
	if (l->name && name_find_locked(l->name))
		return -EEXIST;
	err = index_alloc_locked(&index);
	if (err)
		return err;
	if (l->name) {
		err = name_add_locked(l);
		if (err)
			goto err_put_index;
	}
	index_publish_locked(l, index);
	return 0;

err_put_index:
	index_put_locked(index);
	return err;
}

int tl_local_register(struct tl_local *l)
{
	int err;

	if (!l)
		return -EINVAL;
	tl__lock();
	err = register_locked(l);
	tl__unlock();
	return err;
}

bool tl_local_registered(const struct tl_local *l)
{
	return l && TL__LOAD(&l->tl__gen, ACQUIRE) != 0;
}

int tl__ensure_registered(struct tl_local *l)
{
	/* Not NULL: the callers' inline paths read it first. */
	if (tl__registered(l))
		return 0;
	return l->flags & TL__NOAUTO ? -EINVAL : tl_local_register(l);
}

int tl_local_unregister(struct tl_local *l)
{
	uint32_t i;

	if (!l)
		return -EINVAL;
	tl__lock();
	i = l->tl__index;
	if (!i || i >= reg.cap || reg.by_index[i] != (uintptr_t)l)
		goto err_unlock;
	if (l->name)
		name_del_locked(l);
	index_put_locked(i);
	reg.used--;
	/* Its slots stay linked until reaped or their task exits. */
	if (TL__LOAD(&l->tl__used, RELAXED))
		TL__STORE(&tl__dead, true, RELAXED);
	TL__STORE(&l->tl__index, 0, RELAXED);
	place_clear(l);
	TL__STORE(&l->tl__gen, 0, RELEASE);
	tl__unlock();
	/* An exit in another thread may have found @l just before. */
	tl__windows_wait();
	return 0;

err_unlock:
	tl__unlock();
	return -ENOENT;
}

bool tl__dead;

struct tl_local *tl_local_find(const char *name)
{
	struct tl__name *rec;
	struct tl_local *l;

	if (!name)
		return NULL;
	tl__lock();
	rec = name_find_locked(name);
	l = rec ? rec->local : NULL;	/* rec may be freed once unlocked */
	tl__unlock();
	return l;
}
