#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# tools/deps.sh - make sure the Debian packages the build needs are there.
# As root, installs what is missing; otherwise prints the apt-get line and
# fails; with NO_DEPS=1, only warns (the build then says what it lacks).
# Usage: tools/deps.sh [--lib] [extra-package...]; --lib: what the library
# alone needs (no CUnit).  The Makefile passes its compiler and flags
# (DEPS_CC, which may be several words such as "ccache gcc", and
# DEPS_CPPFLAGS) so that the headers are looked for where the build looks
# (a uthash.h under -I... counts), and DEPS_UTHASH_H for a cross build,
# which includes the host's uthash.h by its path.
set -e

tests=1
if [ "${1:-}" = --lib ]; then
	tests=0
	shift
fi
cc=${DEPS_CC:-gcc}
cc1=${cc%% *}	# the command; the rest are its arguments
need=""

# The Debian package of compiler $1, if it is one Debian has.
cc_package() {
	case "${1##*/}" in
	arm-none-eabi-gcc*)	echo gcc-arm-none-eabi ;;
	clang*)			echo clang ;;
	ccache)			echo ccache ;;
	gcc*|cc)		echo gcc ;;
	esac
}

# Whether header $1 is found by the build's compiler and flags (by its
# usual place if there is no compiler yet).
has_header() {
	if command -v "$cc1" >/dev/null 2>&1; then
		# shellcheck disable=SC2086 # the compiler and flags are words
		printf '#include <%s>\n' "$1" |
			$cc ${DEPS_CPPFLAGS:-} -E -x c - >/dev/null 2>&1
	else
		[ -f "/usr/include/$1" ]
	fi
}

if ! command -v "$cc1" >/dev/null 2>&1; then
	pkg=$(cc_package "$cc1")
	[ -n "$pkg" ] || { echo "tasklocal: no compiler $cc1" >&2; exit 1; }
	need="$need $pkg"
fi
if [ -n "${DEPS_UTHASH_H:-}" ]; then
	[ -f "$DEPS_UTHASH_H" ] || need="$need uthash-dev"
else
	has_header uthash.h || need="$need uthash-dev"
fi
[ $tests = 0 ] || has_header CUnit/CUnit.h || need="$need libcunit1-dev"
command -v make >/dev/null 2>&1 || need="$need make"
for pkg in "$@"; do
	dpkg -s "$pkg" >/dev/null 2>&1 || need="$need $pkg"
done

[ -z "$need" ] && exit 0
if [ "${NO_DEPS:-0}" != 0 ]; then
	echo "tasklocal: NO_DEPS set; these Debian packages seem missing:$need" >&2
	exit 0
fi
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
