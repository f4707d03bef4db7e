// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * unit/keys_trace.c - the harness of the unit/keys_*.c suites (described
 * in unit/keys_trace.h): the recorder of destructor calls, the runners of a
 * scenario in threads and in tasks, and the comparison of their traces
 * with glibc's.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "keys_trace.h"
#include "sched.h"

_Static_assert(NK <= UNIT_KEYS, "a key of the programs has no handle");

/* ----------------------------------------------------- the four calls */

static const struct unit_key_api *ka;	/* the one in use (unit.h) */

bool same_index(int a, int b)
{
	if (ka == &unit_pthread_api)
		return unit_pthread_keys[a] == unit_pthread_keys[b];
	return (uint32_t)unit_tl_keys[a] == (uint32_t)unit_tl_keys[b];
}

/* ------------------------------------------------------------ traces */

char tok[NTOK];

int tokof(const void *v)
{
	uintptr_t p = (uintptr_t)v, t0 = (uintptr_t)tok;

	if (!v)
		return -1;
	return p >= t0 && p < t0 + NTOK ? (int)(p - t0) : -2;
}

static const struct scenario *sc;
static bool live[NK];
static void (*ksync)(void);
_Thread_local struct ktrace *tr_cur;
static atomic_int strays;		/* destructor calls outside any trace */

void rec(char what, int k, const void *v)
{
	struct ktrace *t = tr_cur;

	if (t->n < NEV)
		t->ev[t->n++] = (struct kev){ what, (signed char)k,
					      (short)tokof(v), (short)t->rnd };
}

void kset(int k, int v)
{
	tr_cur->bad += ka->setspecific(k, v < 0 ? NULL : &tok[v]) != 0;
}

void kget(int k)
{
	rec('R', k, ka->getspecific(k));
}

int kdel(int k)
{
	live[k] = false;
	return ka->key_delete(k);
}

static void destroyed(int k, void *v)
{
	struct ktrace *t = tr_cur;

	if (!t) {
		atomic_fetch_add(&strays, 1);
		return;
	}
	if (k == KS) {
		/* Bounded, so that rounds end even if the cap is broken. */
		if (++t->rnd < MAX_ROUNDS)
			t->bad += ka->setspecific(KS, v) != 0;
		return;
	}
	rec('D', k, v);
	if (sc->act && t->n < NEV)	/* a full trace: stop setting values */
		sc->act(k, tokof(v));
}

#define DTOR(n) static void dtor##n(void *v) { destroyed(n, v); }
DTOR(0) DTOR(1) DTOR(2) DTOR(3) DTOR(4) DTOR(5) DTOR(6) DTOR(7)
static void (*const dtors[NK])(void *) = {
	dtor0, dtor1, dtor2, dtor3, dtor4, dtor5, dtor6, dtor7
};

void kcreate(int k)
{
	int err = ka->key_create(k, sc->plain & 1u << k ? NULL : dtors[k]);

	CU_ASSERT_EQUAL(err, 0);
	live[k] = err == 0;
}

/* ----------------------------------------------------------- runners */

static pthread_barrier_t kbar;

static void thread_sync(void)
{
	pthread_barrier_wait(&kbar);
	pthread_barrier_wait(&kbar);	/* between() ran meanwhile */
}

static void task_sync(void)
{
	struct ktrace *t = tr_cur;

	task_yield();
	tr_cur = t;
}

static void part_run(struct ktrace *t)
{
	const char *k;

	tr_cur = t;
	kset(KS, 0);
	for (k = sc->order; *k; k++)
		kset(*k, 8 * t->id + (sc->one ? 1 : *k));
	ksync();
	if (sc->after)
		sc->after(t->id);
}

static void *part_thread(void *arg)
{
	part_run(arg);
	return NULL;
}

static void part_task(void *arg)
{
	part_run(arg);		/* its exit follows at once: tr_cur holds */
}

static void between_task(void *arg)
{
	(void)arg;
	if (sc->between)
		sc->between();
}

static void run(const struct unit_key_api *api, bool tasks,
		const struct scenario *s, struct ktrace *tr)
{
	static struct task ts[NPART + 1];
	pthread_t th[NPART];
	int i, k;

	ka = api;
	sc = s;
	memset(live, 0, sizeof(live));
	for (i = 0; i < s->n; i++) {
		memset(&tr[i], 0, sizeof(tr[i]));
		tr[i].id = i;
		tr[i].next = 10;
	}
	for (k = 0; k <= s->nkeys; k++)
		kcreate(k);
	if (s->setup)
		s->setup();
	if (tasks) {
		ksync = task_sync;
		for (i = 0; i < s->n; i++)
			CU_ASSERT_EQUAL(task_spawn(&ts[i], "part", part_task,
						   &tr[i]), 0);
		CU_ASSERT_EQUAL(task_spawn(&ts[i], "between", between_task,
					   NULL), 0);
		CU_ASSERT_EQUAL(task_run(), s->n + 1);
		tr_cur = NULL;
	} else {
		ksync = thread_sync;
		pthread_barrier_init(&kbar, NULL, s->n + 1);
		for (i = 0; i < s->n; i++)
			CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL,
					part_thread, &tr[i]), 0);
		pthread_barrier_wait(&kbar);
		if (s->between)
			s->between();
		pthread_barrier_wait(&kbar);
		for (i = 0; i < s->n; i++)
			pthread_join(th[i], NULL);
		pthread_barrier_destroy(&kbar);
	}
	for (k = 0; k < NK; k++)
		if (live[k])
			CU_ASSERT_EQUAL(kdel(k), 0);
}

/* ------------------------------------------------------- comparisons */

static void format(char *buf, size_t size, const struct kev *e, int n, int off)
{
	size_t at = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < n && at < size; i++)
		at += snprintf(buf + at, size - at, " %c%d=%d@%d", e[i].what,
			       e[i].key, e[i].val + (e[i].val >= 0 ? off : 0),
			       e[i].rnd);
}

#define ASSERT_AT(cond, file, line, msg) \
	CU_assertImplementation((cond), (line), (msg), (file), "", CU_FALSE)

/* @got against @want (values of @want shifted by @off), reported at @line. */
static void cmp(const char *who, const struct kev *want, int nwant, int off,
		const struct ktrace *got, const char *file, int line)
{
	char msg[1200], a[500], b[500];
	bool same = true;
	int i;

	for (i = 0; i < nwant && i < got->n; i++) {
		struct kev w = want[i], g = got->ev[i];

		if (w.val >= 0)
			w.val += off;
		same &= w.what == g.what && w.key == g.key && w.val == g.val &&
			w.rnd == g.rnd;
	}
	format(a, sizeof(a), got->ev, got->n, 0);
	format(b, sizeof(b), want, nwant, off);
	snprintf(msg, sizeof(msg),
		 "%.40s #%d, %d entries:%s / want %d:%s (%d calls failed)",
		 who, got->id, got->n, a, nwant, b, got->bad);
	ASSERT_AT(got->n == nwant, file, line, msg);
	ASSERT_AT(same, file, line, msg);
	ASSERT_AT(got->bad == 0, file, line, msg);
}

struct ktrace ref[NPART], thr[NPART], tsk[NPART];

/*
 * Run @s on glibc, check glibc did @want (participant i's values shifted
 * by 8 * i), then on tasklocal in threads and in tasks: glibc's traces.
 * The run in tasks creates its keys after the one in threads deleted
 * theirs: as on glibc, where a new key takes the lowest free index, that
 * must change nothing.
 */
void compare_at(const struct scenario *s, const struct kev *want,
		int nwant, const char *file, int line)
{
	int i;

	atomic_store(&strays, 0);
	run(&unit_pthread_api, false, s, ref);
	run(&unit_tl_api, false, s, thr);
	run(&unit_tl_api, true, s, tsk);
	for (i = 0; i < s->n; i++) {
		cmp("glibc", want, nwant, 8 * i, &ref[i], file, line);
		cmp("tasklocal in a pthread", ref[i].ev, ref[i].n, 0, &thr[i],
		    file, line);
		cmp("tasklocal in a task", ref[i].ev, ref[i].n, 0, &tsk[i],
		    file, line);
	}
	ASSERT_AT(atomic_load(&strays) == 0, file, line,
		  "a destructor ran outside its thread or task");
}

int calls(const struct ktrace *t, int k)
{
	int i, n = 0;

	for (i = 0; i < t->n; i++)
		n += t->ev[i].what == 'D' && t->ev[i].key == k;
	return n;
}
