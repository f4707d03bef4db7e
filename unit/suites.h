/* unit/suites.h - the suites of unit/run, one per module: SUITE(id) each. */
SUITE(list)
SUITE(seed)
SUITE(access)
SUITE(task)
SUITE(registry)
SUITE(mem)
SUITE(thread)
SUITE(posix)
