// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * lib/lock.c - the library's one lock: the caller's hook (tl_lock_set(), a
 * critical section under an RTOS), else a pthread mutex, else nothing (a
 * build without threads and without a hook has nobody to exclude).  It
 * guards registration, the pool and the allocator; TL_DEBUG counts what
 * this thread holds, so that the _locked functions can check.
 */
#include "internal.h"

#if TL_THREADS
#include <pthread.h>
#endif

static struct tl_lock lock_hook;
#if TL_THREADS
bool tl__lock_hooked;
static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
#endif

int tl_lock_set(const struct tl_lock *lock)
{
	if (lock && (!lock->lock || !lock->unlock))
		return -EINVAL;
	if (lock)
		lock_hook = *lock;
	else
		memset(&lock_hook, 0, sizeof(lock_hook));
#if TL_THREADS
	tl__lock_hooked = lock != NULL;
#endif
	return 0;
}

#if TL_DEBUG
/* Locks this thread holds, so that the _locked functions can check. */
static TL__THREAD_LOCAL int lock_depth;

bool tl__lock_held(void)
{
	return lock_depth > 0;
}
#endif

void tl__lock(void)
{
	if (lock_hook.lock)
		lock_hook.lock(lock_hook.ctx);
#if TL_THREADS
	else
		pthread_mutex_lock(&mutex);
#endif
#if TL_DEBUG
	lock_depth++;
#endif
}

void tl__unlock(void)
{
#if TL_DEBUG
	lock_depth--;
#endif
	if (lock_hook.unlock)
		lock_hook.unlock(lock_hook.ctx);
#if TL_THREADS
	else
		pthread_mutex_unlock(&mutex);
#endif
}
