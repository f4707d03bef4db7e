#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# tools/deps.sh - make sure the Debian packages the build needs are there.
# As root, installs what is missing; otherwise prints the apt-get line and
# fails.  Usage: tools/deps.sh [--lib] [extra-package...]; --lib: what the
# library alone needs (no CUnit).
set -e

tests=1
if [ "${1:-}" = --lib ]; then
	tests=0
	shift
fi
need=""
[ -f /usr/include/uthash.h ] || need="$need uthash-dev"
[ $tests = 0 ] || [ -f /usr/include/CUnit/CUnit.h ] || need="$need libcunit1-dev"
command -v cc >/dev/null 2>&1 || need="$need gcc"
command -v make >/dev/null 2>&1 || need="$need make"
for pkg in "$@"; do
	dpkg -s "$pkg" >/dev/null 2>&1 || need="$need $pkg"
done

[ -z "$need" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "  DEPS    installing:$need"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -q $need >/dev/null 2>&1 ||
		{ apt-get update -q >/dev/null && apt-get install -y -q $need >/dev/null; }
	exit 0
fi
echo "tasklocal needs Debian packages that are missing. Run:" >&2
echo "  sudo apt-get install -y$need" >&2
exit 1
