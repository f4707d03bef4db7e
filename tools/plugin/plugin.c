// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * tools/plugin/plugin.c - a plugin with its own copy of the static library
 * (built with TL_DYNAMIC_TLS=1), loaded by dlopen() in tools/plugin/host.c:
 * values per task and per thread, and destructors at task exit, from code
 * that was not there when the program started.
 */
#include <pthread.h>
#include <stdint.h>

#include "tasklocal.h"

int plugin_run(void);

static struct tl_local value = TL_LOCAL(.name = "plugin.value");
static int destroyed;

static void count(void *v)
{
	(void)v;
	destroyed++;
}

static struct tl_local owned = TL_LOCAL(.name = "plugin.owned", .destroy = count);

/* Two tasks and the root context, each reading back its own value. */
static void *tasks(void *arg)
{
	struct tl_node a = TL_NODE_INIT(a), b = TL_NODE_INIT(b);
	long wrong = 0;
	int i;

	tl_set(&value, arg);
	for (i = 0; i < 1000; i++) {
		tl_switch(&a);
		tl_set(&value, &a);
		tl_set(&owned, &a);
		tl_switch(&b);
		wrong += tl_get(&value) != NULL && tl_get(&value) != &b;
		tl_set(&value, &b);
		tl_switch(&a);
		wrong += tl_get(&value) != &a;
		tl_switch(NULL);
		wrong += tl_get(&value) != arg;
	}
	tl_task_exit(&a);
	tl_task_exit(&b);
	return (void *)(intptr_t)wrong;
}

int plugin_run(void)
{
	static int root_value[2];
	pthread_t th[2];
	void *ret;
	long wrong = 0;
	int i;

	for (i = 0; i < 2; i++)
		if (pthread_create(&th[i], NULL, tasks, &root_value[i]))
			return -1;
	for (i = 0; i < 2; i++) {
		pthread_join(th[i], &ret);
		wrong += (long)(intptr_t)ret;
	}
	wrong += (long)(intptr_t)tasks(&wrong);
	tl_root_exit();
	tl_local_unregister(&value);
	tl_local_unregister(&owned);
	/* One destructor per task exit with a value: 3 callers, 1 each. */
	return (int)wrong + (destroyed != 3);
}
