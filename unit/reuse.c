// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * unit/reuse.c - memory a released value used is used again, and nothing
 * of the old value may reach the new one: a slot address handed out again
 * (a scope in a coroutine's stack that moves between threads, a slot the
 * caller binds again, a pool block) must not match a cache entry left by
 * the old value on any thread; a slot the caller owns is the caller's
 * again the moment its turn in an exit round is over, whatever later
 * destructors do with it; a copy hook that registers its local again
 * leaves the child nothing of the old registration.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"
#include "worker.h"

/* ------------------------------------------------------------ forget */

static struct tl_local f_local = TL_LOCAL(.name = "reuse-forget");
static struct tl_node task_c = TL_NODE_INIT(task_c);
static struct tl_node task_d = TL_NODE_INIT(task_d);
static struct tl_scope scope;		/* e.g. in a coroutine's stack */
static struct tl_slot bound;		/* the caller's slot */
static void *got;

static void scope_enter_c(void *v)
{
	tl_switch(&task_c);
	CU_ASSERT_EQUAL(tl_scope_enter(&scope, &f_local, v), 0);
	tl_switch(NULL);
}

static void scope_exit_only(void *unused)
{
	(void)unused;
	CU_ASSERT_EQUAL(tl_scope_exit(&scope), 0);
}

static void scope_enter_exit_c(void *v)
{
	scope_enter_c(v);
	scope_exit_only(NULL);
}

static void scope_enter_d(void *v)
{
	tl_switch(&task_d);
	CU_ASSERT_EQUAL(tl_scope_enter(&scope, &f_local, v), 0);
	tl_switch(NULL);
}

static void get_c(void *unused)
{
	(void)unused;
	tl_switch(&task_c);
	got = tl_get(&f_local);
	tl_switch(NULL);
}

/*
 * Task C's scope, on W1, then W2, its exit back on W1: the struct
 * tl_scope lives at one address (a coroutine's stack moving between
 * threads).  Then task D enters a scope in the same storage on W1: C on
 * W2 must read no value, and reads D's.
 */
static void test_forget_dead_entry_scope(void)
{
	struct worker w1, w2;

	CU_ASSERT_EQUAL_FATAL(tl_local_register(&f_local), 0);
	CU_ASSERT_EQUAL_FATAL(worker_start(&w1), 0);
	CU_ASSERT_EQUAL_FATAL(worker_start(&w2), 0);
	worker_run(&w1, scope_enter_exit_c, "c on w1");	/* w1: a dead entry */
	worker_run(&w2, scope_enter_c, "c on w2");	/* w2: the one fill */
	worker_run(&w1, scope_exit_only, NULL);		/* matches w1's dead entry */
	worker_run(&w1, scope_enter_d, "d's value");	/* same storage, task d */
	worker_run(&w2, get_c, NULL);
	CU_ASSERT_PTR_NULL(got);	/* fails: "d's value" */
	worker_run(&w1, scope_exit_only, NULL);
	worker_stop(&w1);
	worker_stop(&w2);
	tl_local_unregister(&f_local);
}

static void bind_del_c(void *v)
{
	tl_switch(&task_c);
	CU_ASSERT_EQUAL(tl_bind(&f_local, &bound, v), 0);
	CU_ASSERT_EQUAL(tl_del(&f_local), 0);
	tl_switch(NULL);
}

static void bind_c(void *v)
{
	tl_switch(&task_c);
	CU_ASSERT_EQUAL(tl_bind(&f_local, &bound, v), 0);
	tl_switch(NULL);
}

static void exit_c(void *unused)
{
	(void)unused;
	tl_task_exit(&task_c);
}

static void bind_d(void *v)
{
	tl_switch(&task_d);
	CU_ASSERT_EQUAL(tl_bind(&f_local, &bound, v), 0);
	tl_switch(NULL);
}

static void exit_d(void *unused)
{
	(void)unused;
	tl_task_exit(&task_d);
}

/* The same with a slot the caller gives to tl_bind() and reuses. */
static void test_forget_dead_entry_bound_slot(void)
{
	struct worker w1, w2;

	CU_ASSERT_EQUAL_FATAL(tl_local_register(&f_local), 0);
	memset(&bound, 0, sizeof(bound));
	CU_ASSERT_EQUAL_FATAL(worker_start(&w1), 0);
	CU_ASSERT_EQUAL_FATAL(worker_start(&w2), 0);
	worker_run(&w1, bind_del_c, "c on w1");
	worker_run(&w2, bind_c, "c on w2");
	worker_run(&w1, exit_c, NULL);		/* C ends on w1, which never cached it */
	worker_run(&w1, bind_d, "d's value");
	worker_run(&w2, get_c, NULL);
	CU_ASSERT_PTR_NULL(got);	/* fails: "d's value" */
	worker_run(&w1, exit_d, NULL);
	worker_stop(&w1);
	worker_stop(&w2);
	tl_local_unregister(&f_local);
}

static void set_del_c(void *v)
{
	tl_switch(&task_c);
	CU_ASSERT_EQUAL(tl_set(&f_local, v), 0);
	CU_ASSERT_EQUAL(tl_del(&f_local), 0);
	tl_switch(NULL);
}

static void set_c(void *v)
{
	tl_switch(&task_c);
	CU_ASSERT_EQUAL(tl_set(&f_local, v), 0);
	tl_switch(NULL);
}

static void set_d(void *v)
{
	tl_switch(&task_d);
	CU_ASSERT_EQUAL(tl_set(&f_local, v), 0);
	tl_switch(NULL);
}

static void get_d(void *unused)
{
	(void)unused;
	tl_switch(&task_d);
	got = tl_get(&f_local);
	tl_switch(NULL);
}

static void set_c_again(void *v)
{
	tl_switch(&task_c);
	tl_set(&f_local, v);	/* writes into d's slot */
	tl_switch(NULL);
}

/* The same with the library's own slots, from a pool (LIFO, any thread). */
static void test_forget_dead_entry_pool_slot(void)
{
	static char buf[8 * TL_SLOT_SIZE(0)];
	static struct tl_pool pool;
	struct worker w1, w2;

	CU_ASSERT_EQUAL_FATAL(tl_local_register(&f_local), 0);
	CU_ASSERT_EQUAL_FATAL(tl_pool_init(&pool, buf, sizeof(buf),
					   TL_SLOT_SIZE(0)), 0);
	CU_ASSERT_EQUAL_FATAL(tl_pool_attach(&pool), 0);
	CU_ASSERT_EQUAL_FATAL(worker_start(&w1), 0);	/* fresh threads: no kept slots */
	CU_ASSERT_EQUAL_FATAL(worker_start(&w2), 0);
	worker_run(&w1, set_del_c, "c on w1");	/* block b: w1's dead entry */
	worker_run(&w2, set_c, "c on w2");	/* block b again: w2's one fill */
	worker_run(&w1, exit_c, NULL);		/* b back to the pool, no new key */
	worker_run(&w1, set_d, "d's value");	/* block b, task d */
	worker_run(&w2, get_c, NULL);
	CU_ASSERT_PTR_NULL(got);	/* fails: "d's value" */
	worker_run(&w2, set_c_again, "c's write");
	worker_run(&w1, get_d, NULL);
	CU_ASSERT_STRING_EQUAL(got, "d's value");	/* fails: "c's write" */
	worker_run(&w1, exit_d, NULL);
	worker_run(&w2, exit_c, NULL);
	worker_stop(&w1);
	worker_stop(&w2);
	tl_local_unregister(&f_local);
	CU_ASSERT_EQUAL(tl_pool_attach(NULL), 0);
}

/* -------------------------------------------------------------- done */

/*
 * Run @fn in a child process: what it breaks stays there.  Returns its
 * exit status (0: it found nothing wrong).
 */
static int in_child(int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn());
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL_FATAL(waitpid(pid, &status, 0), pid);
	status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (status)
		fprintf(stderr, "\n  child: status %d\n", status);
	return status;
}

/* An object that holds a bound slot, released by a later destructor. */
struct request {
	struct tl_slot id_slot;
	char more[64];
};

/* Reuses the request's memory: its slot had its turn already. */
static void request_end(void *v)
{
	memset(v, 0, sizeof(struct request));
}

static struct tl_local d_id = TL_LOCAL(.name = "reuse-id");	/* no destructor */
static struct tl_local d_req = TL_LOCAL(.name = "reuse-req", .destroy = request_end);
static struct tl_local d_other = TL_LOCAL(.name = "reuse-other");

/* The library must not take the request's memory for a slot of its own. */
static int bound_slot_reused_by_later_destructor(void)
{
	struct request *r = calloc(1, sizeof(*r));
	struct tl_node t = TL_NODE_INIT(t), e = TL_NODE_INIT(e);
	int bad = 0;

	/* Index order: id before req, so id's turn comes first. */
	if (tl_local_register(&d_id) || tl_local_register(&d_req) ||
	    tl_local_register(&d_other))
		return 2;
	tl_switch(&t);
	tl_bind(&d_id, &r->id_slot, r);
	tl_set(&d_req, r);
	tl_switch(NULL);
	tl_task_exit(&t);
	/* A first value anywhere now: its slot must be the library's. */
	tl_switch(&e);
	tl_set(&d_other, (void *)0x1234);
	bad |= r->id_slot.value == (void *)0x1234;	/* the request became a slot */
	tl_switch(NULL);
	tl_task_exit(&e);
	free(r);
	return bad;
}

static void test_done_chain_bound_slot_reused_by_later_destructor(void)
{
	CU_ASSERT_EQUAL(in_child(bound_slot_reused_by_later_destructor), 0);
}

/*
 * A green thread killed inside a scope: its stack (where the struct
 * tl_scope is) is a value whose destructor gives it back.
 */
struct stack {
	struct tl_scope scope;
	char frames[64];
};

static void stack_free(void *v)
{
	memset(v, 0, sizeof(struct stack));	/* free(v), as far as we are concerned */
}

static struct tl_local s_req = TL_LOCAL(.name = "reuse-scoped");
static struct tl_local s_stack = TL_LOCAL(.name = "reuse-stack", .destroy = stack_free);

static int scope_storage_reused_by_later_destructor(void)
{
	struct stack *st = calloc(1, sizeof(*st));
	struct tl_node t = TL_NODE_INIT(t), e = TL_NODE_INIT(e);
	int bad = 0;

	if (tl_local_register(&s_req) || tl_local_register(&s_stack) ||
	    tl_local_register(&d_other))
		return 2;
	tl_switch(&t);
	tl_scope_enter(&st->scope, &s_req, "scoped");
	tl_set(&s_stack, st);
	tl_switch(NULL);
	tl_task_exit(&t);
	tl_switch(&e);
	tl_set(&d_other, (void *)0x1234);
	/* Given back (zeroed) by its destructor: the library writes none of it. */
	bad |= memcmp(st, &(struct stack){ 0 }, sizeof(*st)) != 0;
	tl_switch(NULL);
	tl_task_exit(&e);
	free(st);
	return bad;
}

static void test_done_chain_scope_storage_reused_by_later_destructor(void)
{
	CU_ASSERT_EQUAL(in_child(scope_storage_reused_by_later_destructor), 0);
}

/*
 * tl_task_exit() closes an open scope; a later tl_scope_exit() on it is
 * -EINVAL (tasklocal.h).  From a destructor later in the same round (the
 * task's cleanup unwinding its frames), it must be too.
 */
static struct tl_scope late_scope;
static int late_ret = 1;

static void unwind_frames(void *v)
{
	(void)v;
	late_ret = tl_scope_exit(&late_scope);
}

static struct tl_local x_scoped = TL_LOCAL(.name = "reuse-x-scoped");
static struct tl_local x_frames = TL_LOCAL(.name = "reuse-x-frames",
					   .destroy = unwind_frames);

static int scope_exit_from_later_destructor(void)
{
	struct tl_node t = TL_NODE_INIT(t);

	if (tl_local_register(&x_scoped) || tl_local_register(&x_frames))
		return 2;
	tl_switch(&t);
	tl_scope_enter(&late_scope, &x_scoped, "scoped");
	tl_set(&x_frames, "frames");
	tl_switch(NULL);
	tl_task_exit(&t);	/* crashes: the scope is not closed yet */
	return late_ret != -EINVAL;
}

static void test_done_chain_scope_exit_from_later_destructor(void)
{
	CU_ASSERT_EQUAL(in_child(scope_exit_from_later_destructor), 0);
}

/* ----------------------------------------------------------- inherit */

static void copy_reregisters(void *dst, const void *src, void *arg);

static struct tl_local i_typed = TL_LOCAL(.name = "reuse-inherit",
					  .size = sizeof(int),
					  .copy = copy_reregisters,
					  .flags = TL_INHERIT);

static void copy_reregisters(void *dst, const void *src, void *arg)
{
	(void)arg;
	/* A hook may call the library: as an init hook may (slot_add()). */
	tl_local_unregister(&i_typed);
	tl_local_register(&i_typed);
	memcpy(dst, src, sizeof(int));
}

/*
 * The same request freed by the destructor of a later local: the exit must
 * be done with
 * the embedded slot when its turn ends (AddressSanitizer: make
 * check-sanitize).
 */
static void request_free(void *v)
{
	free(v);
}

static struct tl_local r_id = TL_LOCAL(.name = "reuse-req-id");
static struct tl_local r_req = TL_LOCAL(.name = "reuse-req",
					.destroy = request_free);

static void test_done_bound_slot_freed_by_later_destructor(void)
{
	struct request *r = calloc(1, sizeof(*r));
	struct tl_node task = TL_NODE_INIT(task);

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(tl_local_register(&r_id), 0);	/* r_id's turn first */
	CU_ASSERT_EQUAL(tl_local_register(&r_req), 0);
	tl_switch(&task);
	CU_ASSERT_EQUAL(tl_bind(&r_id, &r->id_slot, r->more), 0);
	CU_ASSERT_EQUAL(tl_set(&r_req, r), 0);
	tl_switch(NULL);
	tl_task_exit(&task);	/* r_req's destructor frees r */
	CU_ASSERT(tl_node_empty(&task));
	tl_local_unregister(&r_id);
	tl_local_unregister(&r_req);
	UNIT_ASSERT_NOTHING_HELD();
}

/* A registration starts with no values, even one a copy hook made. */
static void test_inherit_copy_hook_reregisters(void)
{
	struct tl_node parent = TL_NODE_INIT(parent), child = TL_NODE_INIT(child);
	int *p;

	tl_switch(&parent);
	p = tl_this(&i_typed);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	*p = 42;
	tl_switch(NULL);
	tl_task_inherit(&child, &parent);
	tl_switch(&child);
	CU_ASSERT_PTR_NULL(tl_get(&i_typed));	/* fails: the old value's copy */
	tl_switch(NULL);
	tl_task_exit(&parent);
	tl_task_exit(&child);
	tl_local_unregister(&i_typed);
}

UNIT_SUITE(reuse,
	UNIT_TEST(test_forget_dead_entry_scope),
	UNIT_TEST(test_forget_dead_entry_bound_slot),
	UNIT_TEST(test_forget_dead_entry_pool_slot),
	UNIT_TEST(test_done_chain_bound_slot_reused_by_later_destructor),
	UNIT_TEST(test_done_chain_scope_storage_reused_by_later_destructor),
	UNIT_TEST(test_done_chain_scope_exit_from_later_destructor),
	UNIT_TEST(test_done_bound_slot_freed_by_later_destructor),
	UNIT_TEST(test_inherit_copy_hook_reregisters));
