#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# tools/check-examples.sh - every C block of README.md, and every
# "Example::" block of the public headers' kernel-doc, compiled on its own
# with warnings as errors, so that what a new user pastes builds.  A block
# is a translation unit after a prelude that includes the public headers
# and declares what the examples leave to "yours" (tools/examples.h).
#
# Usage: check-examples.sh CC CFLAGS...
set -e

cc=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# README: the text between ```c and ```.
awk -v dir="$tmp" '
/^```c$/ { n++; f = dir "/readme" n ".c"; inb = 1; next }
/^```$/ && inb { inb = 0; close(f); next }
inb { print > f }
' README.md

# Headers: the indented lines after "Example::" in a kernel-doc block.
for h in include/tasklocal.h include/tasklocal/*.h; do
	awk -v dir="$tmp" -v base="$(basename "$h" .h)" '
	/^ \* Example::$/ { n++; f = dir "/" base n ".c"; inb = 1; next }
	inb && /^ \*\t/ { line = $0; sub(/^ \*\t/, "", line); print line > f; next }
	inb && /^ \*$/ { print "" > f; next }
	inb { inb = 0; close(f) }
	' "$h"
done

fail=0 n=0
for f in "$tmp"/*.c; do
	n=$((n + 1))
	if ! "$cc" "$@" -include tools/examples.h -c "$f" -o "$tmp/out.o" 2> "$tmp/err"; then
		echo "check-examples: $(basename "$f") does not compile:" >&2
		cat "$f" "$tmp/err" >&2
		fail=1
	fi
done
[ $fail = 0 ] && echo "check-examples: $n examples compile"
exit $fail
