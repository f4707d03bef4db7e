// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * tools/ports/libuv/test.c - the seed's own case, asyncio tasks, in C: a
 * TCP server on 127.0.0.1 in which every connection is a task.  100
 * clients in the same loop each send several requests; the server keeps
 * each request's id in a local, answers it after a short timer, and every
 * callback on the way (read, timer, write, close) checks that it sees its
 * own connection's values - the count of wrong values must be 0.  Closing a
 * connection destroys its values.  Smaller tests first: the wrappers
 * restore the previous task, a task with two handles ends once, after the
 * last close.  A watchdog timer stops the loop after WATCHDOG_MS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tl_uv.h"
#include "../test.h"

#define CLIENTS     100
#define REQUESTS    5
#define WATCHDOG_MS 5000

/* Outside every task: the root context's value.  In the server's task: its own. */
static struct tl_local role = TL_LOCAL(.name = "uv.role");

/* ----------------------------------------- the wrappers, on timers only */

struct pair {
	struct tl_uv_task task;
	uv_timer_t timer[2];
	struct tl_uv_hook hook[2];
	int closed;		/* close callbacks run */
	int exits;		/* exit hook runs */
	int destroyed;		/* destructor runs */
	int closed_at_destroy;	/* close callbacks run before the destructor */
	bool exited_after_destroy;
};

static void pair_exit(struct tl_uv_task *task)
{
	struct pair *p = tl_container_of(task, struct pair, task);

	p->exits++;
	p->exited_after_destroy = p->closed == 2 && p->destroyed == 1;
	PORT_OWN(tl_get(&role), "root");	/* back in the root context */
}

static void pair_destroy(void *data)
{
	struct pair *p = data;

	PORT_OWN(tl_current(), &p->task.locals);
	p->closed_at_destroy = p->closed;
	p->destroyed++;
}

static struct tl_local pair_local = TL_LOCAL(.name = "uv.pair",
					     .destroy = pair_destroy);

static void pair_set(void *arg)
{
	CU_ASSERT_EQUAL(tl_set(&pair_local, arg), 0);
	CU_ASSERT_EQUAL(tl_set(&role, "pair"), 0);
}

static void pair_closed(uv_handle_t *handle)
{
	struct pair *p = tl_container_of(tl_uv_task_of(handle), struct pair, task);

	PORT_OWN(tl_get(&pair_local), p);
	p->closed++;
}

static void pair_fired(uv_timer_t *timer)
{
	struct pair *p = tl_container_of(tl_uv_task_of((uv_handle_t *)timer),
					 struct pair, task);

	PORT_OWN(tl_current(), &p->task.locals);
	PORT_OWN(tl_get(&pair_local), p);
	PORT_OWN(tl_get(&role), "pair");
	tl_uv_close((uv_handle_t *)timer, pair_closed);
}

/* A nested call restores the task of the outer one, not the root context. */
struct nesting {
	struct pair *outer, *inner;
};

static void nested_inner(void *arg)
{
	struct nesting *n = arg;

	PORT_OWN(tl_get(&pair_local), n->inner);
}

static void nested_outer(void *arg)
{
	struct nesting *n = arg;

	PORT_OWN(tl_get(&pair_local), n->outer);
	tl_uv_call(&n->inner->task, nested_inner, n);
	PORT_OWN(tl_get(&pair_local), n->outer);
	PORT_OWN(tl_current(), &n->outer->task.locals);
}

static void test_wrappers(void)
{
	uv_loop_t loop;
	struct pair p, q;
	uv_timer_t bare;
	int i;

	memset(&p, 0, sizeof(p));
	memset(&q, 0, sizeof(q));
	CU_ASSERT_EQUAL_FATAL(uv_loop_init(&loop), 0);
	tl_uv_task_init(&p.task, pair_exit);
	tl_uv_task_init(&q.task, NULL);
	for (i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL(uv_timer_init(&loop, &p.timer[i]), 0);
		tl_uv_attach((uv_handle_t *)&p.timer[i], &p.hook[i], &p.task);
	}
	CU_ASSERT_PTR_EQUAL(tl_uv_task_of((uv_handle_t *)&p.timer[1]), &p.task);
	tl_uv_call(&p.task, pair_set, &p);
	tl_uv_call(&q.task, pair_set, &q);
	PORT_OWN(tl_get(&pair_local), NULL);
	tl_uv_call(&p.task, nested_outer, &(struct nesting){ &p, &q });
	/* Both fire in the same loop iteration; the second close ends p. */
	CU_ASSERT_EQUAL(tl_uv_timer_start(&p.timer[0], pair_fired, 1, 0), 0);
	CU_ASSERT_EQUAL(tl_uv_timer_start(&p.timer[1], pair_fired, 1, 0), 0);
	/*
	 * A handle never attached, its data NULL (libuv leaves data as it
	 * was): refused by the wrappers, closed as is.
	 */
	bare.data = NULL;
	CU_ASSERT_EQUAL(uv_timer_init(&loop, &bare), 0);
	CU_ASSERT_EQUAL(tl_uv_timer_start(&bare, pair_fired, 1, 0), UV_EINVAL);
	tl_uv_close((uv_handle_t *)&bare, NULL);
	CU_ASSERT_EQUAL(uv_run(&loop, UV_RUN_DEFAULT), 0);
	CU_ASSERT_PTR_NULL(tl_current());
	CU_ASSERT_EQUAL(p.closed, 2);
	CU_ASSERT_EQUAL(p.exits, 1);
	CU_ASSERT(p.exited_after_destroy);
	CU_ASSERT_EQUAL(p.destroyed, 1);
	CU_ASSERT_EQUAL(p.closed_at_destroy, 2);	/* after both closes */
	CU_ASSERT_EQUAL(q.destroyed, 0);	/* q has no handle: still alive */
	tl_task_exit(&q.task.locals);
	CU_ASSERT_EQUAL(q.destroyed, 1);
	CU_ASSERT_EQUAL(uv_loop_close(&loop), 0);
	PORT_OWN(tl_get(&role), "root");
}

/* --------------------------------------------------- the server's side */

struct conn {
	struct tl_uv_task task;
	uv_tcp_t tcp;
	struct tl_uv_hook tcp_hook;
	uv_timer_t delay;		/* answers each request a little later */
	struct tl_uv_hook delay_hook;
	struct tl_uv_write write;
	char in[64], out[32];
	size_t len;
	uintptr_t expected;		/* the request being answered */
	bool destroyed;			/* its stats destructor ran */
};

struct stats {
	struct conn *conn;
	int requests;
};

/* What the whole run counts, checked at the end. */
static struct {
	int accepted, responses, exits;
	int stats_inits, stats_destroys, request_destroys;
	int clients_done, replies;
	bool server_exited, timed_out;
} run;

static struct tl_local conn_local = TL_LOCAL(.name = "uv.conn");

static void request_destroy(void *data)
{
	(void)data;
	run.request_destroys++;
}

static struct tl_local request_id = TL_LOCAL(.name = "uv.request",
					     .destroy = request_destroy);

static void stats_init(void *data, void *arg)
{
	struct stats *s = data;

	(void)arg;
	/* Built in the connection's task, which already knows its conn. */
	s->conn = tl_get(&conn_local);
	s->requests = 0;
	run.stats_inits++;
}

static void stats_destroy(void *data)
{
	struct stats *s = data;

	PORT_OWN(tl_current(), s->conn ? &s->conn->task.locals : NULL);
	CU_ASSERT_EQUAL(s->requests, REQUESTS);
	if (s->conn)
		s->conn->destroyed = true;
	run.stats_destroys++;
}

static struct tl_local stats = TL_LOCAL(.name = "uv.stats",
					.size = sizeof(struct stats),
					.init = stats_init,
					.destroy = stats_destroy);

static struct conn *conn_of(const uv_handle_t *handle)
{
	return tl_container_of(tl_uv_task_of(handle), struct conn, task);
}

/* Every server callback starts here: this connection's values only. */
static void conn_check(const struct conn *c)
{
	PORT_OWN(tl_get(&conn_local), c);
	PORT_OWN(tl_get(&role), NULL);
}

static void conn_exit(struct tl_uv_task *task)
{
	struct conn *c = tl_container_of(task, struct conn, task);

	CU_ASSERT(c->destroyed);
	PORT_OWN(tl_get(&conn_local), NULL);	/* the root context again */
	run.exits++;
	free(c);
}

static void conn_closed(uv_handle_t *handle)
{
	conn_check(conn_of(handle));
}

static void conn_written(uv_write_t *req, int status)
{
	struct conn *c = conn_of((uv_handle_t *)req->handle);

	CU_ASSERT_EQUAL(status, 0);
	conn_check(c);
	PORT_OWN(tl_get(&request_id), (void *)c->expected);
	run.responses++;
}

static void conn_answer(uv_timer_t *timer)
{
	struct conn *c = conn_of((uv_handle_t *)timer);
	uv_buf_t buf;

	conn_check(c);
	PORT_OWN(tl_get(&request_id), (void *)c->expected);
	buf = uv_buf_init(c->out, (unsigned)snprintf(c->out, sizeof(c->out),
						     "RSP %lu\n",
						     (unsigned long)c->expected));
	CU_ASSERT_EQUAL(tl_uv_write(&c->write, (uv_stream_t *)&c->tcp, &buf, 1,
				    conn_written), 0);
}

static void conn_alloc(uv_handle_t *handle, size_t size, uv_buf_t *buf)
{
	struct conn *c = conn_of(handle);

	(void)size;
	conn_check(c);
	*buf = uv_buf_init(c->in + c->len, (unsigned)(sizeof(c->in) - c->len));
}

/* One request, "REQ <id>\n": its id goes into a local until it is answered. */
static void conn_request(struct conn *c, unsigned long id)
{
	struct stats *s = tl_this(&stats);

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	s->requests++;
	c->expected = id;
	CU_ASSERT_EQUAL(tl_set(&request_id, (void *)c->expected), 0);
	/* 0-2 ms: connections overtake each other between set and use. */
	CU_ASSERT_EQUAL(tl_uv_timer_start(&c->delay, conn_answer, id % 3, 0), 0);
}

static void conn_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
	struct conn *c = conn_of((uv_handle_t *)stream);
	char *nl;

	(void)buf;
	conn_check(c);
	if (nread < 0) {		/* the client is done: end the task */
		CU_ASSERT_EQUAL(nread, UV_EOF);
		tl_uv_close((uv_handle_t *)&c->tcp, conn_closed);
		tl_uv_close((uv_handle_t *)&c->delay, conn_closed);
		return;
	}
	c->len += (size_t)nread;
	while ((nl = memchr(c->in, '\n', c->len))) {
		unsigned long id = 0;
		size_t used = (size_t)(nl - c->in) + 1;

		*nl = '\0';
		CU_ASSERT_EQUAL(sscanf(c->in, "REQ %lu", &id), 1);
		conn_request(c, id);
		memmove(c->in, c->in + used, c->len - used);
		c->len -= used;
	}
	CU_ASSERT(c->len < sizeof(c->in));
}

/* Runs in the new connection's task, before its first callback. */
static void conn_start(void *arg)
{
	struct conn *c = arg;

	PORT_OWN(tl_get(&role), NULL);	/* the server's value stays there */
	CU_ASSERT_EQUAL(tl_set(&conn_local, c), 0);
	CU_ASSERT_EQUAL(tl_uv_read_start((uv_stream_t *)&c->tcp, conn_alloc,
					 conn_read), 0);
}

static void server_connection(uv_stream_t *server, int status)
{
	struct conn *c;

	CU_ASSERT_EQUAL(status, 0);
	PORT_OWN(tl_get(&role), "server");
	PORT_OWN(tl_get(&conn_local), NULL);
	c = calloc(1, sizeof(*c));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	tl_uv_task_init(&c->task, conn_exit);
	CU_ASSERT_EQUAL(uv_tcp_init(server->loop, &c->tcp), 0);
	tl_uv_attach((uv_handle_t *)&c->tcp, &c->tcp_hook, &c->task);
	CU_ASSERT_EQUAL(uv_timer_init(server->loop, &c->delay), 0);
	tl_uv_attach((uv_handle_t *)&c->delay, &c->delay_hook, &c->task);
	CU_ASSERT_EQUAL(uv_accept(server, (uv_stream_t *)&c->tcp), 0);
	run.accepted++;
	tl_uv_call(&c->task, conn_start, c);
}

struct server {
	struct tl_uv_task task;
	uv_tcp_t tcp;
	struct tl_uv_hook hook;
};

static void server_exit(struct tl_uv_task *task)
{
	(void)task;
	run.server_exited = true;
}

static void set_role(void *arg)
{
	CU_ASSERT_EQUAL(tl_set(&role, arg), 0);
}

/* ----------------------------------------------------- the client side */

/* Plain libuv: clients run in the root context and must see only its values. */
struct client {
	uv_tcp_t tcp;
	uv_connect_t connect;
	uv_write_t write;
	char in[64], out[32];
	size_t len;
	unsigned long base, sent;
};

static struct server server;
static uv_timer_t watchdog;

static void client_check(void)
{
	PORT_OWN(tl_get(&role), "root");
	PORT_OWN(tl_get(&conn_local), NULL);
	PORT_OWN(tl_get(&request_id), NULL);
}

static void client_closed(uv_handle_t *handle)
{
	(void)handle;
	client_check();
	if (++run.clients_done < CLIENTS)
		return;
	/* The last one: the server stops listening; its connections close. */
	tl_uv_close((uv_handle_t *)&server.tcp, NULL);
	uv_close((uv_handle_t *)&watchdog, NULL);
}

static void client_written(uv_write_t *req, int status)
{
	(void)req;
	CU_ASSERT_EQUAL(status, 0);
	client_check();
}

static void client_send(struct client *c)
{
	uv_buf_t buf;

	c->sent++;
	buf = uv_buf_init(c->out, (unsigned)snprintf(c->out, sizeof(c->out),
						     "REQ %lu\n", c->base + c->sent));
	CU_ASSERT_EQUAL(uv_write(&c->write, (uv_stream_t *)&c->tcp, &buf, 1,
				 client_written), 0);
}

static void client_alloc(uv_handle_t *handle, size_t size, uv_buf_t *buf)
{
	struct client *c = tl_container_of((uv_tcp_t *)handle, struct client, tcp);

	(void)size;
	*buf = uv_buf_init(c->in + c->len, (unsigned)(sizeof(c->in) - c->len));
}

static void client_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
	struct client *c = tl_container_of((uv_tcp_t *)stream, struct client, tcp);
	char *nl;

	(void)buf;
	client_check();
	if (nread < 0) {
		CU_FAIL("server closed first");
		uv_close((uv_handle_t *)stream, client_closed);
		return;
	}
	c->len += (size_t)nread;
	nl = memchr(c->in, '\n', c->len);
	if (!nl)
		return;
	{
		unsigned long id = 0;

		*nl = '\0';
		CU_ASSERT_EQUAL(sscanf(c->in, "RSP %lu", &id), 1);
		/* The answer must carry the id of this client's request. */
		PORT_OWN((void *)id, (void *)(c->base + c->sent));
		run.replies++;
		c->len = 0;	/* one request at a time: nothing follows */
	}
	if (c->sent < REQUESTS)
		client_send(c);
	else
		uv_close((uv_handle_t *)stream, client_closed);
}

static void client_connected(uv_connect_t *req, int status)
{
	struct client *c = tl_container_of(req, struct client, connect);

	client_check();
	CU_ASSERT_EQUAL(status, 0);
	if (status) {
		uv_close((uv_handle_t *)&c->tcp, client_closed);
		return;
	}
	CU_ASSERT_EQUAL(uv_read_start((uv_stream_t *)&c->tcp, client_alloc,
				      client_read), 0);
	client_send(c);
}

static void watchdog_fired(uv_timer_t *timer)
{
	run.timed_out = true;
	uv_stop(timer->loop);
}

static void test_server(void)
{
	static struct client clients[CLIENTS];
	struct sockaddr_storage name;
	struct sockaddr_in addr;
	int i, namelen = sizeof(name);
	uv_loop_t loop;
	uint64_t start;

	memset(&run, 0, sizeof(run));
	CU_ASSERT_EQUAL_FATAL(uv_loop_init(&loop), 0);
	start = uv_hrtime();
	CU_ASSERT_EQUAL(uv_timer_init(&loop, &watchdog), 0);
	CU_ASSERT_EQUAL(uv_timer_start(&watchdog, watchdog_fired, WATCHDOG_MS, 0), 0);

	/* The server is a task too, with a value of its own. */
	tl_uv_task_init(&server.task, server_exit);
	CU_ASSERT_EQUAL_FATAL(uv_tcp_init(&loop, &server.tcp), 0);
	tl_uv_attach((uv_handle_t *)&server.tcp, &server.hook, &server.task);
	tl_uv_call(&server.task, set_role, "server");
	CU_ASSERT_EQUAL_FATAL(uv_ip4_addr("127.0.0.1", 0, &addr), 0);
	CU_ASSERT_EQUAL_FATAL(uv_tcp_bind(&server.tcp, (const struct sockaddr *)&addr, 0), 0);
	CU_ASSERT_EQUAL_FATAL(tl_uv_listen((uv_stream_t *)&server.tcp, CLIENTS,
					   server_connection), 0);
	CU_ASSERT_EQUAL_FATAL(uv_tcp_getsockname(&server.tcp, (struct sockaddr *)&name,
						 &namelen), 0);

	for (i = 0; i < CLIENTS; i++) {
		struct client *c = &clients[i];

		memset(c, 0, sizeof(*c));
		c->base = (unsigned long)(i + 1) * 1000;
		CU_ASSERT_EQUAL(uv_tcp_init(&loop, &c->tcp), 0);
		CU_ASSERT_EQUAL(uv_tcp_connect(&c->connect, &c->tcp,
					       (const struct sockaddr *)&name,
					       client_connected), 0);
	}
	uv_run(&loop, UV_RUN_DEFAULT);
	CU_ASSERT_FALSE(run.timed_out);
	if (run.timed_out) {
		/* Left as it is: the test has failed, the process ends soon. */
		fprintf(stderr, "libuv: watchdog after %d ms: %d of %d clients done\n",
			WATCHDOG_MS, run.clients_done, CLIENTS);
		return;
	}
	printf("libuv: %d connections, %d requests answered in %.0f ms\n",
	       run.accepted, run.responses, (double)(uv_hrtime() - start) / 1e6);
	CU_ASSERT_EQUAL(run.accepted, CLIENTS);
	CU_ASSERT_EQUAL(run.clients_done, CLIENTS);
	CU_ASSERT_EQUAL(run.replies, CLIENTS * REQUESTS);
	CU_ASSERT_EQUAL(run.responses, CLIENTS * REQUESTS);
	CU_ASSERT_EQUAL(run.exits, CLIENTS);
	CU_ASSERT_EQUAL(run.stats_inits, CLIENTS);
	CU_ASSERT_EQUAL(run.stats_destroys, CLIENTS);
	CU_ASSERT_EQUAL(run.request_destroys, CLIENTS);
	CU_ASSERT(run.server_exited);
	CU_ASSERT_EQUAL(uv_loop_close(&loop), 0);
	CU_ASSERT_PTR_NULL(tl_current());
	PORT_OWN(tl_get(&role), "root");
}

static int suite_init(void)
{
	return tl_set(&role, "root") != 0;
}

static CU_TestInfo tests[] = {
	{ "callbacks in the task, previous task restored", test_wrappers },
	{ "100 clients, a task per connection", test_server },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	int status = port_main("libuv", tests, suite_init, NULL, 30);

	tl_root_exit();
	return status;
}
