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
 * registry's own tables.  An entry's generation is its local's registry
 * generation, handed out from the core's single counter, so no second
 * counter says which key is which.
 */
#include "internal.h"
#include "tasklocal/posix.h"

struct tl__key *tl__keys[TL__KEY_CHUNKS];

static struct {
	uint64_t next;		/* first position never handed out */
	uint32_t free;		/* first free position, 0: none */
	uint32_t used;		/* entries taken: live, being created or deleted */
} table = { .next = TL__KEY_CHUNK0 };

/* Entries in chunk @k. */
static size_t chunk_len(unsigned int k)
{
	return (size_t)TL__KEY_CHUNK0 << k;
}

static unsigned int chunk_of(uint32_t pos)
{
	return 31 - (unsigned int)__builtin_clz(pos) - TL__KEY_SHIFT;
}

/* The entry at @pos, in a chunk that exists; call with the lock held. */
static struct tl__key *entry_at(uint32_t pos)
{
	unsigned int k = chunk_of(pos);

	return &tl__keys[k][pos - ((uint32_t)TL__KEY_CHUNK0 << k)];
}

static void chunk_publish(unsigned int k, struct tl__key *chunk)
{
#if TL_THREADS
	__atomic_store_n(&tl__keys[k], chunk, __ATOMIC_RELAXED);
#else
	tl__keys[k] = chunk;
#endif
}

static void gen_store(struct tl__key *e, uint32_t gen)
{
#if TL_THREADS
	__atomic_store_n(&e->gen, gen, __ATOMIC_RELAXED);
#else
	e->gen = gen;
#endif
}

/*
 * Zero-filled, so that a stale or forged key pointing past the entries
 * handed out reads generation 0 and is refused.
 */
static int chunk_alloc_locked(unsigned int k)
{
	size_t len = chunk_len(k);
	struct tl__key *chunk;

	if (len > SIZE_MAX / sizeof(*chunk))
		return ENOMEM;
	chunk = tl__mem_alloc(len * sizeof(*chunk));
	if (!chunk)
		return ENOMEM;
	memset(chunk, 0, len * sizeof(*chunk));
	chunk_publish(k, chunk);
	return 0;
}

/*
 * With no key left the chunks go back to the allocator, so that it may be
 * replaced again.  Stale keys then find their chunk gone in the directory,
 * which is cleared before the memory is freed.
 */
static void shrink_if_empty_locked(void)
{
	unsigned int k;

	if (table.used)
		return;
	for (k = 0; k < TL__KEY_CHUNKS && tl__keys[k]; k++) {
		struct tl__key *chunk = tl__keys[k];

		chunk_publish(k, NULL);
		tl__mem_free(chunk, chunk_len(k) * sizeof(*chunk));
	}
	table.free = 0;
	table.next = TL__KEY_CHUNK0;
}

/* Reserve an entry: the most recently freed one, else a new position. */
static int take_locked(uint32_t *pos)
{
	uint32_t p = table.free;
	int err;

	if (p) {
		table.free = entry_at(p)->next;
	} else {
		if (table.next > UINT32_MAX)
			return EAGAIN;
		p = (uint32_t)table.next;
		if (!tl__keys[chunk_of(p)]) {
			err = chunk_alloc_locked(chunk_of(p));
			if (err)
				return err;
		}
		table.next++;
	}
	table.used++;
	*pos = p;
	return 0;
}

static void put_locked(uint32_t pos)
{
	entry_at(pos)->next = table.free;
	table.free = pos;
	table.used--;
	shrink_if_empty_locked();
}

int tl_key_create(tl_key_t *key, void (*destructor)(void *))
{
	struct tl__key *e;
	uint32_t pos;
	int err;

	if (!key)
		return EINVAL;
	tl__lock();
	err = take_locked(&pos);
	e = err ? NULL : entry_at(pos);
	tl__unlock();
	if (err)
		return err;

	/*
	 * The entry is reserved: off the free list, generation 0, so nobody
	 * else touches it while the registry (which takes the lock itself)
	 * makes its local a new registration.
	 */
	memset(&e->local, 0, sizeof(e->local));
	e->local.destroy = destructor;
	err = tl_local_register(&e->local);
	if (err)
		goto err_put;
	gen_store(e, e->local.tl__gen);
	*key = (tl_key_t)e->local.tl__gen << 32 | pos;
	return 0;

err_put:
	tl__lock();
	put_locked(pos);
	tl__unlock();
	return -err;	/* ENOMEM: no name, so no EEXIST */
}

int tl_key_delete(tl_key_t key)
{
	struct tl_local *l;
	uint32_t pos = (uint32_t)key;

	/*
	 * Resolve and retire under the lock, so that of two deletes of one
	 * key exactly one succeeds; the entry stays off the free list until
	 * the registry has let go of its local.
	 */
	tl__lock();
	l = tl__key_local(key);
	if (l)
		gen_store(tl_container_of(l, struct tl__key, local), 0);
	tl__unlock();
	if (!l)
		return EINVAL;

	tl_local_unregister(l);
	tl__lock();
	put_locked(pos);
	tl__unlock();
	return 0;
}
