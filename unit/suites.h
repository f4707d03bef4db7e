/*
 * unit/suites.h - the suites of unit/run, one per module (the posix layer's
 * four and the classic key programs' four by subject): SUITE(id) each.
 */
SUITE(list)
SUITE(seed)
SUITE(access)
SUITE(task)
SUITE(registry)
SUITE(mem)
SUITE(thread)
SUITE(posix)
SUITE(posix_delete)
SUITE(posix_limits)
SUITE(posix_port)
SUITE(exit)
SUITE(keys_rounds)
SUITE(keys_delete)
SUITE(keys_order)
SUITE(keys_fork)
SUITE(error)
SUITE(scope)
SUITE(reuse)
