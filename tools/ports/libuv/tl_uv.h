/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tl_uv.h - tasklocal for libuv: a task owns handles (a connection's TCP
 * handle, its timers), and every callback of those handles runs with the
 * task's values current - the C form of an asyncio task per connection.
 *
 * libuv calls back from uv_run() with no notion of a task, so the
 * wrappers below register their own callbacks, which tl_switch() to the
 * handle's task, call yours, and switch back to whatever was current.
 *
 *   tl_task_init   tl_uv_task_init()
 *   tl_switch      around each callback of an attached handle, and in
 *                  tl_uv_call()
 *   tl_task_exit   after the close callback of the task's last handle
 *
 * Locals need no discriminator: they follow tl_current(), which the
 * wrappers keep right, so lookups take the inline fast path.  Outside the
 * callbacks of attached handles (the loop itself, handles not attached)
 * the root context of the loop's thread is current.
 *
 *   struct conn {
 *           struct tl_uv_task task;
 *           uv_tcp_t tcp;
 *           struct tl_uv_hook hook;
 *   };
 *   tl_uv_task_init(&c->task, conn_free);
 *   uv_tcp_init(loop, &c->tcp);
 *   tl_uv_attach((uv_handle_t *)&c->tcp, &c->hook, &c->task);
 *   tl_uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
 *   ...
 *   tl_uv_close((uv_handle_t *)&c->tcp, NULL);   ... conn_free() follows
 */
#ifndef TASKLOCAL_TL_UV_H
#define TASKLOCAL_TL_UV_H

#include <uv.h>

#include "tasklocal.h"

/**
 * struct tl_uv_task - a task that owns libuv handles
 * @locals: the task's values
 * @handles: attached handles not closed yet
 * @exit: called once after the last of them closed and the values were
 *        destroyed: free the task's memory here, not in a close callback
 *
 * Caller-owned; initialised by tl_uv_task_init().
 */
struct tl_uv_task {
	struct tl_node locals;
	unsigned handles;
	void (*exit)(struct tl_uv_task *task);
};

/**
 * struct tl_uv_hook - what an attached handle's data field points to
 * @task: the task the handle belongs to
 * @close_cb: your close callback, kept by tl_uv_close()
 * @alloc_cb: kept by tl_uv_read_start()
 * @read_cb: kept by tl_uv_read_start()
 * @connection_cb: kept by tl_uv_listen()
 * @timer_cb: kept by tl_uv_timer_start()
 *
 * Caller-owned, one per handle, alive until the handle's close callback
 * has returned.  The callbacks are private: the port's own callbacks call
 * them with the task current.
 */
struct tl_uv_hook {
	struct tl_uv_task *task;
	uv_close_cb close_cb;
	uv_alloc_cb alloc_cb;
	uv_read_cb read_cb;
	uv_connection_cb connection_cb;
	uv_timer_cb timer_cb;
};

/**
 * struct tl_uv_write - a write request whose callback runs in the task
 * @req: the libuv request (its data field is yours)
 * @cb: your callback (private)
 *
 * Caller-owned, alive until its callback has run.
 */
struct tl_uv_write {
	uv_write_t req;
	uv_write_cb cb;
};

/**
 * tl_uv_task_init - make @task an empty task with no handles
 * @task: the task
 * @exit: called after its last handle closed (NULL: nothing to do)
 *
 * Context: the loop's thread; no allocation, no lock.
 */
void tl_uv_task_init(struct tl_uv_task *task,
		     void (*exit)(struct tl_uv_task *task));

/**
 * tl_uv_attach - make @handle one of @task's handles
 * @handle: a handle initialised with uv_<type>_init(), not closing
 * @hook: its hook; @handle->data is set to it and must stay so
 * @task: the task
 *
 * From now on the handle's callbacks set through the wrappers below run
 * with @task current, and closing it with tl_uv_close() counts it off
 * @task.  Reach your structure from a callback with tl_container_of()
 * from the handle, not through @handle->data.
 *
 * Context: the loop's thread; no allocation, no lock.
 */
void tl_uv_attach(uv_handle_t *handle, struct tl_uv_hook *hook,
		  struct tl_uv_task *task);

/**
 * tl_uv_task_of - the task an attached handle belongs to
 * @handle: the handle
 *
 * Return: the task, or NULL if @handle's data is NULL (no hook).  libuv
 * leaves a handle's data as it was before uv_<type>_init(): zero it there
 * for this NULL to mean "not attached".
 */
struct tl_uv_task *tl_uv_task_of(const uv_handle_t *handle);

/**
 * tl_uv_call - call @fn(@arg) with @task current
 * @task: the task
 * @fn: the function
 * @arg: its argument
 *
 * For code that runs on behalf of a task outside its handles' callbacks:
 * setting up a connection's values right after accepting it, or a
 * callback of another kind you wrap yourself.
 *
 * Context: the loop's thread; two stores around the call.
 */
void tl_uv_call(struct tl_uv_task *task, void (*fn)(void *arg), void *arg);

/**
 * tl_uv_read_start - uv_read_start() with callbacks run in the task
 * @stream: an attached stream
 * @alloc_cb: as uv_read_start()
 * @read_cb: as uv_read_start()
 *
 * Context: the loop's thread.
 * Return: as uv_read_start(), or UV_EINVAL if @stream's data is NULL
 * (no hook) or a callback is missing.
 */
int tl_uv_read_start(uv_stream_t *stream, uv_alloc_cb alloc_cb,
		     uv_read_cb read_cb);

/**
 * tl_uv_listen - uv_listen() with the connection callback run in the task
 * @stream: an attached stream (the server's task: give it one of its own)
 * @backlog: as uv_listen()
 * @cb: as uv_listen()
 *
 * Context: the loop's thread.
 * Return: as uv_listen(), or UV_EINVAL if @stream's data is NULL
 * (no hook) or a callback is missing.
 */
int tl_uv_listen(uv_stream_t *stream, int backlog, uv_connection_cb cb);

/**
 * tl_uv_write - uv_write() with the callback run in the stream's task
 * @w: the request
 * @stream: an attached stream
 * @bufs: as uv_write()
 * @nbufs: as uv_write()
 * @cb: as uv_write() (NULL: none)
 *
 * Context: the loop's thread.
 * Return: as uv_write(), or UV_EINVAL if @stream's data is NULL
 * (no hook).
 */
int tl_uv_write(struct tl_uv_write *w, uv_stream_t *stream,
		const uv_buf_t bufs[], unsigned nbufs, uv_write_cb cb);

/**
 * tl_uv_timer_start - uv_timer_start() with the callback run in the task
 * @timer: an attached timer
 * @cb: as uv_timer_start()
 * @timeout: as uv_timer_start()
 * @repeat: as uv_timer_start()
 *
 * Context: the loop's thread.
 * Return: as uv_timer_start(), or UV_EINVAL if @timer's data is NULL
 * (no hook) or @cb is NULL.
 */
int tl_uv_timer_start(uv_timer_t *timer, uv_timer_cb cb, uint64_t timeout,
		      uint64_t repeat);

/**
 * tl_uv_close - uv_close() an attached handle
 * @handle: the handle
 * @cb: as uv_close() (NULL: none); runs in the task, and may free the
 *      handle and its hook, never the task itself
 *
 * After the close callback of the task's last handle, the task's values
 * are destroyed (tl_task_exit(), the destructors seeing the task current)
 * and then @task->exit runs.  A handle whose data is NULL (never
 * attached) is closed with plain uv_close().
 *
 * Context: the loop's thread.
 */
void tl_uv_close(uv_handle_t *handle, uv_close_cb cb);

#endif /* TASKLOCAL_TL_UV_H */
