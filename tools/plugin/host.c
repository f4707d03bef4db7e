// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * tools/plugin/host.c - loads tools/plugin/plugin.so with dlopen() after
 * start-up, as a program loads a plugin, and runs it: the copy of the
 * library inside must find its per-thread state (TL_DYNAMIC_TLS=1).
 */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	void *h = dlopen(argc > 1 ? argv[1] : "./plugin.so", RTLD_NOW | RTLD_LOCAL);
	int (*run)(void);
	int wrong;

	if (!h) {
		fprintf(stderr, "plugin: %s\n", dlerror());
		return 1;
	}
	*(void **)&run = dlsym(h, "plugin_run");
	if (!run) {
		fprintf(stderr, "plugin: %s\n", dlerror());
		return 1;
	}
	wrong = run();
	printf("plugin: loaded with dlopen, %d wrong values or destructor counts\n", wrong);
	dlclose(h);
	return wrong != 0;
}
