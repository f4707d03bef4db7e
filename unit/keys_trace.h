/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * unit/keys_trace.h - what the unit/keys_*.c suites share: the classic
 * thread-specific-data programs are each written once against the table of
 * the four pthread-key calls (unit.h) as a struct scenario, and compare()
 * runs one three ways: on glibc's pthread keys in a pthread (the
 * reference), and on tasklocal's tl_key_* in a pthread (its root context
 * exited at thread end) and in a task of tools/sched.c (exited by the
 * scheduler).  Destructors record which key got which value in which
 * round; glibc's trace is first checked against what POSIX and glibc do
 * (glibc, as musl, visits keys in ascending index order within a round,
 * and a round repeats while destructors set values, at most 4 rounds),
 * then tasklocal's traces must equal it entry by entry.  Rounds are counted
 * by a sentinel key, created first (lowest index) and set again by its own
 * destructor every round; failure messages show a trace as
 * D<key>=<value>@<round> (F: the fake free of a value, R: a read), values
 * by token index, -1 for NULL, and round 0 for what came before the
 * sentinel's first call.  The code is unit/keys_trace.c.
 */
#ifndef TASKLOCAL_UNIT_KEYS_TRACE_H
#define TASKLOCAL_UNIT_KEYS_TRACE_H

#include <stdbool.h>

#include "unit.h"

enum { NK = 8, KS = 0, NTOK = 80, NEV = 40, NPART = 8, MAX_ROUNDS = 16 };

/* ------------------------------------------------------------ traces */

struct kev {
	char what;		/* 'D' destructor, 'F' fake free, 'R' read */
	signed char key;
	short val;		/* token index; -1: NULL, -2: not a token */
	short rnd;		/* destructor round (0: before the exit) */
};

#define D(k, v, r)	{ 'D', k, v, r }
#define F(k, v, r)	{ 'F', k, v, r }
#define R(k, v)		{ 'R', k, v, 0 }
#define NWANT(a)	((int)(sizeof(a) / sizeof((a)[0])))

struct ktrace {
	struct kev ev[NEV];
	int n;
	int id;			/* participant: its tokens start at 8 * id */
	int rnd;		/* sentinel calls so far */
	int next;		/* next fresh token for destructors to set */
	int bad;		/* calls in the program that failed */
};

/* Values are addresses of tokens, recorded by index (tokof(): -1, -2). */
extern char tok[NTOK];

int tokof(const void *v);

/*
 * A program: keys 1..nkeys are created after the sentinel (those in
 * @plain without a destructor), then @setup runs (NULL: nothing more).
 * Each participant (thread or task) sets the keys listed in @order, in
 * that order, key k to token 8 * id + k (@one: all to token 8 * id + 1,
 * one object), and calls ksync(): all participants hold their values at
 * once while @between runs (main thread, or a task of its own); then
 * @after runs, and the participant ends.  @act is what destructors do.
 */
struct scenario {
	int nkeys;
	unsigned plain;
	void (*setup)(void);
	const char *order;
	bool one;
	void (*between)(void);
	void (*after)(int id);
	void (*act)(int k, int v);
	int n;
};

/* The trace of the participant running (NULL outside any). */
extern _Thread_local struct ktrace *tr_cur;

/*
 * What a program does, on the keys in use: record an event in tr_cur, set
 * key @k to token @v (-1: NULL) or read it (recorded), delete it, create
 * it (with its destructor unless @plain names it).
 */
void rec(char what, int k, const void *v);
void kset(int k, int v);
void kget(int k);
int kdel(int k);
void kcreate(int k);

/* Whether keys @a and @b sit at one index (tasklocal: its low 32 bits). */
bool same_index(int a, int b);

/* ------------------------------------------------------- comparisons */

/* The traces of the last compare(): glibc's, in threads, in tasks. */
extern struct ktrace ref[NPART], thr[NPART], tsk[NPART];

/*
 * Run @s on glibc, check glibc did @want (participant i's values shifted
 * by 8 * i), then on tasklocal in threads and in tasks: glibc's traces.
 * Failures are reported at @line of the caller's file.
 */
void compare_at(const struct scenario *s, const struct kev *want, int nwant,
		const char *file, int line);

#define compare(s, want, nwant, line) \
	compare_at((s), (want), (nwant), __FILE__, (line))

/* Destructor calls of key @k in @t. */
int calls(const struct ktrace *t, int k);

#endif /* TASKLOCAL_UNIT_KEYS_TRACE_H */
