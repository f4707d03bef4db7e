// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * lib/posix.c - the key table behind tl_key_create/tl_key_delete: entries
 * holding one struct tl_local each, in chunks that never move (the lookup
 * in tasklocal/posix.h reads them without a lock), a free list of deleted
 * entries for reuse, and the registration that makes an entry a key.
 *
 * The table shares the registry's lock and allocator: an RTOS lock given to
 * tl_lock_set() guards it too, a heapless build takes it from the arena,
 * and while keys exist the allocator refuses to be replaced, as for the
 * registry's own tables.  Each entry counts the keys created in it; the
 * count is the key's high half, so a key names one creation forever.  An
 * entry whose count reached its last value is retired, and when the chunks
 * are given back, the entries of new ones start above every count handed
 * out, so no count ever repeats at a position.
 */
#include "internal.h"
#include "tasklocal/posix.h"

#define NO_POS UINT32_MAX	/* in no chunk: ends the free list */

/* An entry that handed it out retires (smaller in the TL_DEBUG tests). */
#ifndef TL__KEY_USES_LAST
#define TL__KEY_USES_LAST UINT32_MAX
#endif

/* Every chunk missing: the mask 0 and tl__key_none's address. */
#define NONE1	&tl__key_none
#define NONE4	NONE1, NONE1, NONE1, NONE1
#define NONE16	NONE4, NONE4, NONE4, NONE4
struct tl__key_entry *tl__keys[TL__KEY_DIR] = { NONE16, NONE16 };
uint32_t tl__key_masks[TL__KEY_DIR];
struct tl__key_entry tl__key_none = { .key = TL__KEY_NONE };

_Static_assert(sizeof(struct tl__key_entry) == 1u << TL__KEY_ENTRY_SHIFT,
	       "a key table entry is as large as a position's scale");
_Static_assert(offsetof(struct tl__key_entry, key) == 0 &&
	       _Alignof(struct tl__key_entry) >= 8,
	       "a key table entry's key is read whole: 8-aligned");
_Static_assert(TL__KEY_DIR == 32 &&
	       ((uint64_t)TL__KEY_CHUNK0 << (TL__KEY_CHUNKS - 1)
		<< TL__KEY_ENTRY_SHIFT) == (uint64_t)1 << 32,
	       "the last chunk's scaled offsets fill a position's 32 bits");

static struct {
	uint32_t free;		/* first free position, NO_POS: none */
	uint32_t chunk;		/* chunk of the first position never handed out */
	uint32_t offset;	/* and its offset there */
	uint32_t used;		/* entries taken: live, being created or deleted */
	uint32_t floor;		/* count the used entries of a new chunk start at */
	uint32_t floor_chunks;	/* chunks of earlier tables: the used ones */
	uint32_t high;		/* highest count handed out */
} table = { .free = NO_POS };

/* Entries in chunk @k. */
static size_t chunk_len(uint32_t k)
{
	return (size_t)TL__KEY_CHUNK0 << k;
}

/* The position of the entry at @offset in chunk @k. */
static uint32_t pos_of(uint32_t k, uint32_t offset)
{
	return offset << TL__KEY_ENTRY_SHIFT | k;
}

/* The entry at @pos, in a chunk that exists; call with the lock held. */
static struct tl__key_entry *entry_at(uint32_t pos)
{
	uint32_t k = pos % TL__KEY_DIR;

	return &tl__keys[k][pos >> TL__KEY_ENTRY_SHIFT];
}

/*
 * Make chunk @k (NULL: none) what lookups see: the chunk before its mask,
 * the mask (0) before the chunk going.
 */
static void chunk_publish(uint32_t k, struct tl__key_entry *chunk)
{
	if (chunk) {
		TL__STORE(&tl__keys[k], chunk, RELEASE);
		TL__KEY_ORDER();
		TL__STORE(&tl__key_masks[k],
			  (uint32_t)(chunk_len(k) - 1) << TL__KEY_ENTRY_SHIFT,
			  RELEASE);
	} else {
		TL__STORE(&tl__key_masks[k], 0, RELAXED);
		TL__KEY_ORDER();
		TL__STORE(&tl__keys[k], &tl__key_none, RELAXED);
	}
}

static void key_store(struct tl__key_entry *e, tl_key_t key)
{
	TL__STORE(&e->key, key, RELAXED);
}

/*
 * Every entry free (TL__KEY_NONE), so that a deleted key whose position
 * was never handed out again is refused there.
 */
static void shrink_if_empty_locked(void);
static struct tl__quiescer quiescer = { .fn = shrink_if_empty_locked };

static int chunk_alloc_locked(uint32_t k)
{
	size_t i, len = chunk_len(k);
	struct tl__key_entry *chunk;

	TL__ASSERT_LOCKED();

	if (len > SIZE_MAX / sizeof(*chunk))
		return ENOMEM;
	chunk = tl__mem_alloc(len * sizeof(*chunk));
	if (!chunk)
		return ENOMEM;
	memset(chunk, 0, len * sizeof(*chunk));
	for (i = 0; i < len; i++) {
		chunk[i].key = TL__KEY_NONE;
		if (k < table.floor_chunks)
			chunk[i].uses = table.floor;
	}
	chunk_publish(k, chunk);
	tl__mem_on_quiesce_locked(&quiescer);
	return 0;
}

/*
 * With no key left the chunks go back to the allocator, so that it may be
 * replaced.  Only from tl_allocator_set(), never from tl_key_delete(): a
 * thread may be looking up a deleted key (without the lock) at any time,
 * and must find its chunk still there; a deleted key later finds the
 * mask 0, and tl__key_none.
 */
static void shrink_if_empty_locked(void)
{
	uint32_t k;

	TL__ASSERT_LOCKED();

	/* Past half the last count the chunks stay: see registry.c's shrink. */
	if (table.used || table.high > TL__KEY_USES_LAST / 2)
		return;
	for (k = 0; k < TL__KEY_CHUNKS && tl__keys[k] != &tl__key_none; k++) {
		struct tl__key_entry *chunk = tl__keys[k];

		chunk_publish(k, NULL);
		tl__mem_free(chunk, chunk_len(k) * sizeof(*chunk));
	}
	table.free = NO_POS;
	table.chunk = 0;
	table.offset = 0;
	/* Deleted keys of the old chunks must never match a new entry. */
	table.floor = table.high;
	if (k > table.floor_chunks)
		table.floor_chunks = k;
}

/*
 * The next position never handed out in this table.  Positions of earlier
 * tables start at the floor; those that reached the last count are
 * retired, skipped here.
 */
static int take_new_locked(uint32_t *pos)
{
	uint32_t p;
	int err;

	TL__ASSERT_LOCKED();

	do {
		if (table.chunk == TL__KEY_CHUNKS)
			return EAGAIN;
		if (tl__keys[table.chunk] == &tl__key_none) {
			err = chunk_alloc_locked(table.chunk);
			if (err)
				return err;
		}
		p = pos_of(table.chunk, table.offset);
		if (++table.offset == chunk_len(table.chunk)) {
			table.chunk++;
			table.offset = 0;
		}
	} while (entry_at(p)->uses == TL__KEY_USES_LAST);
	*pos = p;
	return 0;
}

/*
 * Reserve an entry, the most recently freed one, else a new position, and
 * count the key about to be created there.
 */
static int take_locked(uint32_t *pos, uint32_t *count)
{
	struct tl__key_entry *e;
	uint32_t p = table.free;
	int err;

	TL__ASSERT_LOCKED();

	if (p != NO_POS) {
		table.free = entry_at(p)->next;
	} else {
		err = take_new_locked(&p);
		if (err)
			return err;
	}
	e = entry_at(p);
	*count = ++e->uses;
	if (e->uses > table.high)
		table.high = e->uses;
	table.used++;
	*pos = p;
	return 0;
}

/* Give back a reserved entry: to the free list, unless it is retired. */
static void put_locked(uint32_t pos)
{
	struct tl__key_entry *e = entry_at(pos);

	TL__ASSERT_LOCKED();

	if (e->uses != TL__KEY_USES_LAST) {
		e->next = table.free;
		table.free = pos;
	}
	table.used--;
}

/*
 * The public fields of a reserved entry's local: off the free list,
 * holding TL__KEY_NONE, so no call on a key uses it while the registry (which
 * takes the lock itself) makes its local a new registration.  The private
 * fields are the registry's: it resets them itself.  Nothing else reads
 * these meanwhile: the deletion of the key that held the entry before
 * waited for every task exit that had found it (tl_local_unregister()).
 */
static void entry_init(struct tl__key_entry *e, void (*destructor)(void *))
{
	e->local.name = NULL;
	e->local.size = 0;
	e->local.init = NULL;
	e->local.destroy = destructor;
	e->local.copy = NULL;
	e->local.arg = NULL;
	e->local.disc = NULL;
	e->local.flags = TL__NOAUTO;
}

int tl_key_create(tl_key_t *key, void (*destructor)(void *))
{
	struct tl__key_entry *e;
	uint32_t pos, count;
	tl_key_t k;
	int err;

	if (!key)
		return EINVAL;
	tl__lock();
	err = take_locked(&pos, &count);
	e = err ? NULL : entry_at(pos);
	tl__unlock();
	if (err)
		return err;

	entry_init(e, destructor);
	err = tl_local_register(&e->local);
	if (err)
		goto err_put;
	k = (tl_key_t)count << 32 | pos;
	key_store(e, k);
	*key = k;
	return 0;

err_put:
	tl__lock();
	put_locked(pos);
	tl__unlock();
	return -err;	/* ENOMEM: a key has no name, so never EEXIST */
}

int tl_key_delete(tl_key_t key)
{
	struct tl__key_entry *e;

	/*
	 * Resolve and retire under the lock, so that of two deletes of one
	 * key exactly one succeeds; the entry stays off the free list until
	 * the registry has let go of its local.
	 */
	tl__lock();
	e = tl__key_lookup(key);
	if (e)
		key_store(e, TL__KEY_NONE);
	tl__unlock();
	if (!e)
		return EINVAL;

	tl_local_unregister(&e->local);
	tl__lock();
	put_locked((uint32_t)key);
	tl__unlock();
	return 0;
}
