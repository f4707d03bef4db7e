// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * unit/error.c - tl_strerror(): a text for each error the library returns,
 * either sign, and a static "unknown error" for anything else, INT_MIN
 * included.
 */
#include <limits.h>

#include "unit.h"

static void test_strerror_texts_and_any_int(void)
{
	static const int errs[] = { 0, EINVAL, ENOMEM, ENOENT, EEXIST, EBUSY, EAGAIN };
	size_t i;

	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		CU_ASSERT_PTR_NOT_NULL(tl_strerror(errs[i]));
		CU_ASSERT_PTR_EQUAL(tl_strerror(-errs[i]), tl_strerror(errs[i]));
		CU_ASSERT_STRING_NOT_EQUAL(tl_strerror(errs[i]), "unknown error");
	}
	CU_ASSERT_STRING_EQUAL(tl_strerror(INT_MIN), "unknown error");
	CU_ASSERT_STRING_EQUAL(tl_strerror(INT_MAX), "unknown error");
	CU_ASSERT_STRING_EQUAL(tl_strerror(-12345), "unknown error");
}

UNIT_SUITE(error,
	UNIT_TEST(test_strerror_texts_and_any_int));
