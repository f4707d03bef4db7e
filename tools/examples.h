/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tools/examples.h - the prelude of every example tools/check-examples.sh
 * compiles: the public headers, and what the examples leave to the user
 * ("yours"), declared so that each example is a translation unit as is.
 */
#include <stdbool.h>
#include <stdio.h>

#include "tasklocal.h"
#include "tasklocal/posix.h"

struct request {
	void *id;
};

struct conn;
struct conn *next_ready_conn(void);
void idle(void);
int process(struct request *req);
int serve(void *conn);

/* An example's own definitions need no prototype of their own. */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-variable"
