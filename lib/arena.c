// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * lib/arena.c - a small general allocator over a caller's buffer, so that
 * heapless builds can give the registry (its index table, uthash's table
 * and buckets, name records) memory without malloc.
 *
 * First fit over an address-ordered free list, merging neighbours on free.
 * Blocks carry no header: the library always frees with the size it asked
 * for, and sizes are rounded the same way both times.
 */
#include "internal.h"

struct chunk {
	size_t size;		/* bytes, including this header */
	struct chunk *next;	/* next free chunk, higher address */
};

#define CHUNK_ALIGN	TL__MAXALIGN

/*
 * Every size is a multiple of CHUNK_ALIGN, so a chunk either splits or fits
 * exactly: no slack is ever handed out and lost.  A size is never 0 (no
 * block has it), so rounded it holds a chunk header.
 */
_Static_assert(sizeof(struct chunk) <= TL__MAXALIGN, "a chunk header fits one alignment unit");

static size_t chunk_round(size_t size)
{
	return TL__ALIGN(size, CHUNK_ALIGN);
}

static void *arena_alloc(size_t size, void *ctx)
{
	struct tl_arena *a = ctx;
	struct chunk **link, *c;

	if (!size || size > SIZE_MAX / 2)
		return NULL;
	size = chunk_round(size);
	for (link = (struct chunk **)&a->free; (c = *link); link = &c->next) {
		if (c->size < size)
			continue;
		if (c->size - size >= CHUNK_ALIGN) {
			/* Hand out the tail; the head stays linked. */
			c->size -= size;
			c = (struct chunk *)(void *)((char *)c + c->size);
		} else {
			*link = c->next;
		}
		a->used += size;
		return c;
	}
	return NULL;
}

static void arena_free(void *ptr, size_t size, void *ctx)
{
	struct tl_arena *a = ctx;
	struct chunk **link, *c = ptr, *prev = NULL;

	size = chunk_round(size);
	for (link = (struct chunk **)&a->free; *link && *link < c;
	     link = &(*link)->next)
		prev = *link;
	c->size = size;
	c->next = *link;
	*link = c;
	a->used -= size;
	if (c->next && (char *)c + c->size == (char *)c->next) {
		c->size += c->next->size;
		c->next = c->next->next;
	}
	if (prev && (char *)prev + prev->size == (char *)c) {
		prev->size += c->size;
		prev->next = c->next;
	}
}

int tl_arena_init(struct tl_arena *a, void *buf, size_t size)
{
	uintptr_t start, end;
	struct chunk *c;

	if (!a || !buf)
		return -EINVAL;
	start = TL__ALIGN((uintptr_t)buf, TL__MAXALIGN);
	end = (uintptr_t)buf + size;
	if (end < start || end - start < 2 * CHUNK_ALIGN)
		return -EINVAL;
	c = (struct chunk *)start;
	c->size = (end - start) & ~((size_t)TL__MAXALIGN - 1);
	c->next = NULL;
	a->free = c;
	a->used = 0;
	a->allocator.alloc = arena_alloc;
	a->allocator.free = arena_free;
	a->allocator.ctx = a;
	return 0;
}
