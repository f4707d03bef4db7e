// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * tl_uv.c - the libuv port: the port's own callbacks, which make the
 * handle's task current around yours, and the count of open handles that
 * ends a task after its last close.
 *
 * Every attached handle's data field points at its struct tl_uv_hook,
 * which names the task and keeps your callbacks; a write request finds its
 * task through the stream it writes to.  A handle whose data is NULL is
 * taken for one never attached, so that a wrapper called on it fails
 * instead of following a NULL hook.
 */
#include <stddef.h>

#include "tl_uv.h"

static struct tl_uv_hook *hook_of(const uv_handle_t *handle)
{
	return handle ? handle->data : NULL;
}

void tl_uv_task_init(struct tl_uv_task *task,
		     void (*exit)(struct tl_uv_task *task))
{
	tl_task_init(&task->locals);
	task->handles = 0;
	task->exit = exit;
}

void tl_uv_attach(uv_handle_t *handle, struct tl_uv_hook *hook,
		  struct tl_uv_task *task)
{
	*hook = (struct tl_uv_hook){ .task = task };
	handle->data = hook;
	task->handles++;
}

struct tl_uv_task *tl_uv_task_of(const uv_handle_t *handle)
{
	struct tl_uv_hook *hook = hook_of(handle);

	return hook ? hook->task : NULL;
}

void tl_uv_call(struct tl_uv_task *task, void (*fn)(void *arg), void *arg)
{
	struct tl_node *prev = tl_switch(&task->locals);

	fn(arg);
	tl_switch(prev);
}

/*
 * The port's callbacks make the handle's task current around yours, then
 * restore what was current before, not NULL, so that they nest: a loop
 * run from inside a callback (uv_run() on a second loop) calls back into
 * other tasks and must leave the outer callback's task current.
 */
static struct tl_uv_hook *hook_enter(const uv_handle_t *handle,
				   struct tl_node **prev)
{
	struct tl_uv_hook *hook = hook_of(handle);

	*prev = tl_switch(&hook->task->locals);
	return hook;
}

static void hook_alloc(uv_handle_t *handle, size_t size, uv_buf_t *buf)
{
	struct tl_node *prev;

	hook_enter(handle, &prev)->alloc_cb(handle, size, buf);
	tl_switch(prev);
}

static void hook_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
	struct tl_node *prev;

	hook_enter((uv_handle_t *)stream, &prev)->read_cb(stream, nread, buf);
	tl_switch(prev);
}

static void hook_connection(uv_stream_t *server, int status)
{
	struct tl_node *prev;

	hook_enter((uv_handle_t *)server, &prev)->connection_cb(server, status);
	tl_switch(prev);
}

static void hook_timer(uv_timer_t *timer)
{
	struct tl_node *prev;

	hook_enter((uv_handle_t *)timer, &prev)->timer_cb(timer);
	tl_switch(prev);
}

static void hook_write(uv_write_t *req, int status)
{
	struct tl_uv_write *w = tl_container_of(req, struct tl_uv_write, req);
	struct tl_node *prev;

	hook_enter((uv_handle_t *)req->handle, &prev);
	if (w->cb)
		w->cb(req, status);
	tl_switch(prev);
}

/*
 * The close callback may free the handle and its hook, so everything
 * needed afterwards is read first.  The last handle ends the task: its
 * values go before @exit, which may free the task.
 */
static void hook_close(uv_handle_t *handle)
{
	struct tl_node *prev;
	struct tl_uv_hook *hook = hook_enter(handle, &prev);
	struct tl_uv_task *task = hook->task;
	uv_close_cb cb = hook->close_cb;

	if (cb)
		cb(handle);
	tl_switch(prev);
	if (--task->handles)
		return;
	tl_task_exit(&task->locals);
	if (task->exit)
		task->exit(task);
}

int tl_uv_read_start(uv_stream_t *stream, uv_alloc_cb alloc_cb,
		     uv_read_cb read_cb)
{
	struct tl_uv_hook *hook = hook_of((uv_handle_t *)stream);

	if (!hook || !alloc_cb || !read_cb)
		return UV_EINVAL;
	hook->alloc_cb = alloc_cb;
	hook->read_cb = read_cb;
	return uv_read_start(stream, hook_alloc, hook_read);
}

int tl_uv_listen(uv_stream_t *stream, int backlog, uv_connection_cb cb)
{
	struct tl_uv_hook *hook = hook_of((uv_handle_t *)stream);

	if (!hook || !cb)
		return UV_EINVAL;
	hook->connection_cb = cb;
	return uv_listen(stream, backlog, hook_connection);
}

int tl_uv_write(struct tl_uv_write *w, uv_stream_t *stream,
		const uv_buf_t bufs[], unsigned nbufs, uv_write_cb cb)
{
	if (!hook_of((uv_handle_t *)stream))
		return UV_EINVAL;
	w->cb = cb;
	return uv_write(&w->req, stream, bufs, nbufs, hook_write);
}

int tl_uv_timer_start(uv_timer_t *timer, uv_timer_cb cb, uint64_t timeout,
		      uint64_t repeat)
{
	struct tl_uv_hook *hook = hook_of((uv_handle_t *)timer);

	if (!hook || !cb)
		return UV_EINVAL;
	hook->timer_cb = cb;
	return uv_timer_start(timer, hook_timer, timeout, repeat);
}

void tl_uv_close(uv_handle_t *handle, uv_close_cb cb)
{
	struct tl_uv_hook *hook = hook_of(handle);

	if (!hook) {
		uv_close(handle, cb);
		return;
	}
	hook->close_cb = cb;
	uv_close(handle, hook_close);
}
