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

bool tl__list_ok(const struct tl_node *head)
{
	const char *fault = tl__ring_fault(head);

	if (fault)
		tl__report(fault);
	return !fault;
}

bool tl__slot_unlinked(const struct tl_slot *s)
{
	const struct tl_node *n = &s->node;

	if (tl__bad_link(n->next) || tl__bad_link(n->prev))
		return true;
	if (n->next->prev == n && n->prev->next == n) {
		tl__report("slot given to tl_bind() is still linked in a task");
		return false;
	}
	return true;
}
#endif /* TL_DEBUG */
