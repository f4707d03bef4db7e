/* unit/suites-rootkey.h - the suite of unit/run-rootkey (its own program: it takes every pthread key at start-up). */
SUITE(rootkey)
