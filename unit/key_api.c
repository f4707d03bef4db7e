// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * unit/key_api.c - the four calls of pthread keys behind one table, once on
 * glibc's pthread keys and once on tasklocal's tl_key_*, so that a program
 * written against the table (unit/posix_port.c, the unit/keys_*.c suites)
 * runs on either: keys are named by their index in the flavour's array.
 */
#include "unit.h"

pthread_key_t unit_pthread_keys[UNIT_KEYS];
tl_key_t unit_tl_keys[UNIT_KEYS];

static int pthread_api_create(int k, void (*destructor)(void *))
{
	return pthread_key_create(&unit_pthread_keys[k], destructor);
}

static int pthread_api_delete(int k)
{
	return pthread_key_delete(unit_pthread_keys[k]);
}

static void *pthread_api_get(int k)
{
	return pthread_getspecific(unit_pthread_keys[k]);
}

static int pthread_api_set(int k, const void *value)
{
	return pthread_setspecific(unit_pthread_keys[k], value);
}

static int tl_api_create(int k, void (*destructor)(void *))
{
	return tl_key_create(&unit_tl_keys[k], destructor);
}

static int tl_api_delete(int k)
{
	return tl_key_delete(unit_tl_keys[k]);
}

static void *tl_api_get(int k)
{
	return tl_getspecific(unit_tl_keys[k]);
}

static int tl_api_set(int k, const void *value)
{
	return tl_setspecific(unit_tl_keys[k], value);
}

const struct unit_key_api unit_pthread_api = {
	pthread_api_create, pthread_api_delete, pthread_api_get, pthread_api_set
};

const struct unit_key_api unit_tl_api = {
	tl_api_create, tl_api_delete, tl_api_get, tl_api_set
};
