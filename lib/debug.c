// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * lib/debug.c - TL_DEBUG's checks: a task list verified link by link before
 * it is changed (so a corrupted list is reported instead of walked forever),
 * a slot given to tl_bind() that is still linked somewhere, and the caller's
 * file:line for the report.  Builds without TL_DEBUG compile none of it.
 */
#include "internal.h"

#if TL_DEBUG
static TL__THREAD_LOCAL struct {
	const char *file;
	int line;
} where;

void tl__debug_at(const char *file, int line)
{
	where.file = file;
	where.line = line;
}

void tl__report(const char *what)
{
	tl__report_at(where.file ? where.file : "?", where.line, what);
}

static bool bad_link(const struct tl_node *n)
{
	return !n || n == TL_POISON_NEXT || n == TL_POISON_PREV;
}

/*
 * Walk the ring checking every back pointer; a second cursor at half speed
 * catches a cycle that does not pass through @head (Floyd), so the check
 * itself always ends.
 */
bool tl__list_ok(const struct tl_node *head)
{
	const struct tl_node *n = head, *slow = head;
	unsigned long steps = 0;

	if (bad_link(head->next) || bad_link(head->prev)) {
		tl__report("task not initialised, or used after its memory was released");
		return false;
	}
	do {
		const struct tl_node *next = n->next;

		if (bad_link(next) || next->prev != n) {
			tl__report("task list corrupted: a slot was unlinked, freed or linked twice");
			return false;
		}
		n = next;
		if (++steps % 2 == 0)
			slow = slow->next;
		if (n == slow && n != head) {
			tl__report("task list corrupted: a cycle that misses the task");
			return false;
		}
	} while (n != head);
	return true;
}

bool tl__slot_unlinked(const struct tl_slot *s)
{
	const struct tl_node *n = &s->node;

	if (bad_link(n->next) || bad_link(n->prev))
		return true;
	if (n->next->prev == n && n->prev->next == n) {
		tl__report("slot given to tl_bind() is still linked in a task");
		return false;
	}
	return true;
}
#endif /* TL_DEBUG */
