#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# tools/firmware/check-headers.sh - prove that a cross build reads no header
# of the host but the one it names: every header the sources include must
# come from the project or from the cross compiler's own search directories
# (gcc's, newlib's: Debian keeps newlib's in /usr/include/newlib, hence the
# resolved paths), except exactly ALLOWED.
#
# Usage: check-headers.sh ALLOWED CC [CFLAGS...] -- SOURCE...
set -e

allowed=$1
shift
cc=$1
shift
flags=
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	flags="$flags '$(printf %s "$1" | sed "s/'/'\\\\''/g")'"
	shift
done
shift

# The cross compiler's <...> directories, resolved.
sysdirs=$("$cc" -xc -E -v /dev/null 2>&1 |
	sed -n '/^#include <\.\.\.> search starts here:/,/^End of search list\./p' |
	sed -n 's/^ //p' | xargs -n1 readlink -f)

for src in "$@"; do
	eval "\"\$cc\" $flags -M \"\$src\""
done | tr ' \\' '\n\n' | grep '\.h$' | sort -u | while read -r h; do
	case $h in
	/*) ;;
	*) continue ;;			# the project's own, relative
	esac
	real=$(readlink -f "$h")
	for d in $sysdirs; do
		case $real in
		"$d"/*) real= ; break ;;
		esac
	done
	[ -n "$real" ] && echo "$h"
done > "${TMPDIR:-/tmp}/tl-host-headers.$$"

status=0
if grep -vxF "$allowed" "${TMPDIR:-/tmp}/tl-host-headers.$$"; then
	echo "check-headers: host headers in the cross build (above)" >&2
	status=1
elif ! grep -qxF "$allowed" "${TMPDIR:-/tmp}/tl-host-headers.$$"; then
	echo "check-headers: $allowed not used: is this a cross build?" >&2
	status=1
else
	echo "  host headers read: $allowed, nothing else"
fi
rm -f "${TMPDIR:-/tmp}/tl-host-headers.$$"
exit $status
