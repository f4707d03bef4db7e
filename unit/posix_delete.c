// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * unit/posix_delete.c - tl_key_delete() and the keys it leaves behind, as
 * pthread_key_delete() with "thread" read as "task": deleting a key that
 * tasks and threads still hold values for runs no destructor and hides the
 * values for good, even from a new key in the deleted one's position; and
 * a deleted key, or an integer that never was one, is answered (EINVAL,
 * NULL), not undefined, even while another thread deletes the last key and
 * the key table goes.  Tasks are those of tools/sched.c.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>

#include "sched.h"
#include "tasklocal/posix.h"
#include "unit.h"

static tl_key_t shared_key;
static pthread_barrier_t start;
static char value[] = "value", other[] = "other";

/* Where a key sits in the key table, to show that a position was reused. */
static uint32_t key_pos(tl_key_t key)
{
	return (uint32_t)key;
}

/* ------------------------------------------------------------ delete */

static void *after_delete[2];

/* Sets a value, lets the other task delete the key, reads again. */
static void hold_across_delete(void *arg)
{
	long id = (long)arg;

	CU_ASSERT_EQUAL(tl_setspecific(shared_key, value), 0);
	task_yield();
	if (id == 0)
		CU_ASSERT_EQUAL(tl_key_delete(shared_key), 0);
	task_yield();
	after_delete[id] = tl_getspecific(shared_key);
}

/* Holds a value in its root context while the main thread deletes the key. */
static void *hold_in_thread(void *arg)
{
	CU_ASSERT_EQUAL(tl_setspecific(shared_key, value), 0);
	pthread_barrier_wait(&start);
	pthread_barrier_wait(&start);	/* deleted meanwhile */
	*(void **)arg = tl_getspecific(shared_key);
	return NULL;
}

static void test_delete_while_set_runs_no_destructor_and_hides_values(void)
{
	struct task a, b;
	void *in_thread_after = value;
	pthread_t th;

	unit_dtor_reset();
	CU_ASSERT_EQUAL_FATAL(tl_key_create(&shared_key, unit_dtor_count), 0);
	CU_ASSERT_EQUAL(tl_setspecific(shared_key, other), 0);
	after_delete[0] = after_delete[1] = value;
	CU_ASSERT_EQUAL(task_spawn(&a, "a", hold_across_delete, (void *)0L), 0);
	CU_ASSERT_EQUAL(task_spawn(&b, "b", hold_across_delete, (void *)1L), 0);
	CU_ASSERT_EQUAL(task_run(), 2);
	/* Neither task, nor the root context, sees its value any more... */
	CU_ASSERT_PTR_NULL(after_delete[0]);
	CU_ASSERT_PTR_NULL(after_delete[1]);
	CU_ASSERT_PTR_NULL(tl_getspecific(shared_key));
	tl_root_exit();
	/* ...and no exit destroyed one. */
	CU_ASSERT_EQUAL(atomic_load(&unit_dtor.calls), 0);

	/* The same with a thread holding the value. */
	CU_ASSERT_EQUAL_FATAL(tl_key_create(&shared_key, unit_dtor_count), 0);
	pthread_barrier_init(&start, NULL, 2);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, hold_in_thread,
					     &in_thread_after), 0);
	pthread_barrier_wait(&start);
	CU_ASSERT_EQUAL(tl_key_delete(shared_key), 0);
	pthread_barrier_wait(&start);
	pthread_join(th, NULL);
	pthread_barrier_destroy(&start);
	CU_ASSERT_PTR_NULL(in_thread_after);
	CU_ASSERT_EQUAL(atomic_load(&unit_dtor.calls), 0);
	UNIT_ASSERT_NOTHING_HELD();
}

static tl_key_t reused;
static void *reused_saw;

/* Holds a value of shared_key, and reads "reused" after it replaced it. */
static void hold_then_read_reused(void *arg)
{
	(void)arg;
	CU_ASSERT_EQUAL(tl_setspecific(shared_key, value), 0);
	task_yield();
	reused_saw = tl_getspecific(reused);
	CU_ASSERT_EQUAL(tl_setspecific(reused, other), 0);
}

static void delete_and_reuse(void *arg)
{
	tl_key_t old = shared_key;

	(void)arg;
	CU_ASSERT_EQUAL(tl_key_delete(shared_key), 0);
	CU_ASSERT_EQUAL(tl_key_create(&reused, unit_dtor_count), 0);
	/* The case under test: the new key took the deleted one's place. */
	CU_ASSERT_EQUAL(key_pos(reused), key_pos(old));
	CU_ASSERT_NOT_EQUAL(reused, old);
	CU_ASSERT_PTR_NULL(tl_getspecific(reused));
}

static void test_new_key_reusing_a_position_sees_no_old_value(void)
{
	struct task a, b;

	unit_dtor_reset();
	CU_ASSERT_EQUAL_FATAL(tl_key_create(&shared_key, unit_dtor_count), 0);
	CU_ASSERT_EQUAL(tl_setspecific(shared_key, value), 0);
	reused_saw = value;
	CU_ASSERT_EQUAL(task_spawn(&a, "a", hold_then_read_reused, NULL), 0);
	CU_ASSERT_EQUAL(task_spawn(&b, "b", delete_and_reuse, NULL), 0);
	CU_ASSERT_EQUAL(task_run(), 2);
	CU_ASSERT_PTR_NULL(reused_saw);
	CU_ASSERT_PTR_NULL(tl_getspecific(reused));
	CU_ASSERT_PTR_NULL(tl_getspecific(shared_key));
	/* Only the new key's own value was destroyed, at a's exit. */
	CU_ASSERT_EQUAL(atomic_load(&unit_dtor.calls), 1);
	CU_ASSERT_PTR_EQUAL(atomic_load(&unit_dtor.got), other);
	tl_root_exit();
	CU_ASSERT_EQUAL(atomic_load(&unit_dtor.calls), 1);
	CU_ASSERT_EQUAL(tl_key_delete(reused), 0);
	UNIT_ASSERT_NOTHING_HELD();
}

/* --------------------------------------------------- deleted keys, args */

static void check_deleted(tl_key_t key)
{
	CU_ASSERT_EQUAL(tl_setspecific(key, value), EINVAL);
	CU_ASSERT_PTR_NULL(tl_getspecific(key));
	CU_ASSERT_EQUAL(tl_key_delete(key), EINVAL);
}

static void test_deleted_key_is_answered_not_undefined(void)
{
	tl_key_t k, keep, next;

	CU_ASSERT_EQUAL_FATAL(tl_key_create(&keep, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(tl_key_create(&k, NULL), 0);
	CU_ASSERT_EQUAL(tl_setspecific(k, value), 0);
	CU_ASSERT_EQUAL(tl_key_delete(k), 0);
	check_deleted(k);			/* its table entry is free */

	CU_ASSERT_EQUAL_FATAL(tl_key_create(&next, NULL), 0);
	CU_ASSERT_EQUAL(key_pos(next), key_pos(k));
	check_deleted(k);			/* its entry is another key's */
	CU_ASSERT_EQUAL(tl_setspecific(next, other), 0);
	CU_ASSERT_PTR_EQUAL(tl_getspecific(next), other);

	CU_ASSERT_EQUAL(tl_key_delete(next), 0);
	CU_ASSERT_EQUAL(tl_key_delete(keep), 0);
	check_deleted(k);			/* the table itself is gone */
	check_deleted(next);
	check_deleted(keep);
	tl_root_exit();
	UNIT_ASSERT_NOTHING_HELD();
}

static void test_bad_arguments(void)
{
	tl_key_t k;

	CU_ASSERT_EQUAL(tl_key_create(NULL, NULL), EINVAL);
	/*
	 * Never a key: zero, generation 0 (at a live or a free entry), another
	 * generation, a position never handed out, a chunk that does not exist.
	 */
	check_deleted(0);
	CU_ASSERT_EQUAL_FATAL(tl_key_create(&k, NULL), 0);
	check_deleted(0);
	check_deleted(key_pos(k));
	check_deleted(key_pos(k) + 1);
	check_deleted(k + ((tl_key_t)1 << 32));
	check_deleted(k + 1);
	check_deleted(k | 0xffffffffu);
	CU_ASSERT_EQUAL(tl_key_delete(k), 0);
	UNIT_ASSERT_NOTHING_HELD();
}

/*
 * Any integer is answered as a deleted key, whatever position its low half
 * names: inside a chunk that exists but past the entries handed out, in a
 * chunk never made, past the last one: with keys in the table and without.
 */
static void check_not_live(tl_key_t key, const tl_key_t *live, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (key == live[i])
			return;
	check_deleted(key);
}

static void check_any_integer(uint64_t seed, const tl_key_t *live, int n)
{
	int b, i;

	for (b = 0; b < 32; b++) {
		uint32_t pos = (uint32_t)1 << b;

		check_not_live(pos, live, n);
		check_not_live(pos - 1 + ((tl_key_t)7 << 32), live, n);
		check_not_live((pos | (pos - 1)) + ((tl_key_t)1 << 32), live, n);
	}
	for (b = 0; b < 1000; b++) {
		seed = seed * 6364136223846793005u + 1442695040888963407u;
		check_not_live(seed, live, n);
		check_not_live(seed & 0xffffffffffu, live, n);
	}
	/* A live key with one bit changed: the same chunk, maybe its entry. */
	for (i = 0; i < n; i++)
		for (b = 0; b < 64; b++)
			check_not_live(live[i] ^ (tl_key_t)1 << b, live, n);
	check_not_live(UINT64_MAX, live, n);	/* what a free entry holds */
}

static void test_any_integer_is_answered_as_a_deleted_key(void)
{
	tl_key_t k[40] = { 0 };
	int i;

	check_any_integer(1, k, 0);
	for (i = 0; i < 40; i++)	/* two chunks */
		CU_ASSERT_EQUAL_FATAL(tl_key_create(&k[i], NULL), 0);
	CU_ASSERT_EQUAL(tl_setspecific(k[39], value), 0);
	check_any_integer(2, k, 40);
	CU_ASSERT_PTR_EQUAL(tl_getspecific(k[39]), value);
	for (i = 0; i < 40; i++)
		CU_ASSERT_EQUAL(tl_key_delete(k[i]), 0);
	check_any_integer(3, k, 0);
	tl_root_exit();
	UNIT_ASSERT_NOTHING_HELD();
}

/*
 * A thread uses a deleted key (bad input, answered) while the last live key
 * is deleted and created again and again: the table it looks in must never
 * be freed under it (the sanitizer and valgrind runs check the reads).
 */
struct stale_user {
	tl_key_t key;
	atomic_int stop;
	long wrong;
};

static void *use_stale_key(void *arg)
{
	struct stale_user *u = arg;

	while (!atomic_load(&u->stop)) {
		u->wrong += tl_getspecific(u->key) != NULL;
		u->wrong += tl_setspecific(u->key, u) != EINVAL;
	}
	return NULL;
}

static void test_deleted_key_used_while_the_last_key_goes(void)
{
	struct stale_user u = { 0, 0, 0 };
	pthread_t th;
	tl_key_t k;
	int i;

	CU_ASSERT_EQUAL_FATAL(tl_key_create(&u.key, NULL), 0);
	CU_ASSERT_EQUAL(tl_key_delete(u.key), 0);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, use_stale_key, &u), 0);
	for (i = 0; i < 2000; i++) {
		CU_ASSERT_EQUAL(tl_key_create(&k, NULL), 0);
		CU_ASSERT_EQUAL(tl_key_delete(k), 0);
	}
	atomic_store(&u.stop, 1);
	pthread_join(th, NULL);
	CU_ASSERT_EQUAL(u.wrong, 0);
	UNIT_ASSERT_NOTHING_HELD();	/* the table goes back now, quiescent */
}

/*
 * A thread looks up its own key, integers near it and random ones while
 * the main thread creates keys in new chunks and deletes them: its value
 * stays, every other lookup finds none (it set no other), and nothing is
 * read out of bounds (the sanitizer and valgrind runs check the reads).
 */
struct grow_reader {
	tl_key_t mine;
	atomic_int stop;
	atomic_long lookups;
	long wrong;
};

static void *read_while_chunks_grow(void *arg)
{
	struct grow_reader *r = arg;
	uint64_t seed = 7;
	int b;

	if (tl_setspecific(r->mine, r) != 0)
		r->wrong++;
	while (!atomic_load(&r->stop)) {
		seed = seed * 6364136223846793005u + 1442695040888963407u;
		b = (int)(seed >> 58);
		r->wrong += tl_getspecific(r->mine) != r;
		r->wrong += tl_getspecific(r->mine ^ (tl_key_t)1 << b) != NULL;
		r->wrong += tl_getspecific(seed) != NULL;
		r->wrong += tl_getspecific((uint32_t)seed) != NULL;
		atomic_fetch_add(&r->lookups, 4);
	}
	r->wrong += tl_setspecific(r->mine, NULL) != 0;
	return NULL;
}

static void test_lookups_while_chunks_are_made(void)
{
	static tl_key_t k[3000];
	struct grow_reader r = { 0, 0, 0, 0 };
	pthread_t th;
	int i, round;

	CU_ASSERT_EQUAL_FATAL(tl_key_create(&r.mine, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th, NULL, read_while_chunks_grow,
					     &r), 0);
	/* The reader under way first (valgrind runs one thread at a time). */
	while (atomic_load(&r.lookups) < 1000)
		sched_yield();
	for (round = 0; round < 3; round++) {
		for (i = 0; i < 3000; i++)	/* chunks 0 to 6 */
			CU_ASSERT_EQUAL_FATAL(tl_key_create(&k[i], NULL), 0);
		for (i = 0; i < 3000; i++)
			CU_ASSERT_EQUAL(tl_key_delete(k[i]), 0);
	}
	atomic_store(&r.stop, 1);
	pthread_join(th, NULL);
	CU_ASSERT_EQUAL(r.wrong, 0);
	CU_ASSERT_EQUAL(tl_key_delete(r.mine), 0);
	UNIT_ASSERT_NOTHING_HELD();
}

UNIT_SUITE(posix_delete,
	UNIT_TEST(test_delete_while_set_runs_no_destructor_and_hides_values),
	UNIT_TEST(test_any_integer_is_answered_as_a_deleted_key),
	UNIT_TEST(test_new_key_reusing_a_position_sees_no_old_value),
	UNIT_TEST(test_deleted_key_is_answered_not_undefined),
	UNIT_TEST(test_bad_arguments),
	UNIT_TEST(test_deleted_key_used_while_the_last_key_goes),
	UNIT_TEST(test_lookups_while_chunks_are_made));
