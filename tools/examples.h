/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tools/examples.h - the prelude of every example tools/check-examples.sh
 * compiles: the public headers, and what the examples leave to the user
 * ("yours"), declared so that each example is a translation unit as is.
 */
#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tasklocal.h"
#include "tasklocal/posix.h"

struct request {
	void *id;
};

/* A task of the user's scheduler, as the headers' examples write it. */
struct task {
	struct tl_node locals;		/* its task-local values */
	struct tl_node link;		/* in run_queue, while it is ready */
	void (*fn)(struct task *t);	/* what it runs */
};

extern struct tl_node run_queue;	/* the ready tasks, by link */
void run(struct task *t);
int scheduler_run(void);

struct conn;
struct conn *next_ready_conn(void);
void idle(void);
int process(struct request *req);
int serve(void *conn);

/* An example's own definitions need no prototype of their own. */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-variable"
