// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * lib/sched.c - struct tl_sched, the per-scheduler discriminator: its
 * current(), which the rest of the library recognises by address (the
 * registry, to publish where a tl_sched's current task is for the inline
 * path; the slow path, to read it without a call), and its set-up.  It
 * calls nothing, so every other file may call it.
 */
#include "internal.h"

struct tl_node *tl__sched_current(struct tl_discriminator *disc)
{
	return tl_container_of(disc, struct tl_sched, disc)->current;
}

void tl_sched_init(struct tl_sched *sched)
{
	if (!sched)
		return;
	sched->disc.current = tl__sched_current;
	sched->current = NULL;
}
