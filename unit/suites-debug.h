/* unit/suites-debug.h - the suites of unit/run-debug (a TL_DEBUG=1 build). */
SUITE(debug)
SUITE(gens)
