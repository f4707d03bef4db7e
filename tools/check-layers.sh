#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# tools/check-layers.sh - the library's objects call each other without a
# cycle: for every tl_ symbol an object uses and another defines, an edge
# from user to definer; tsort(1) fails on a loop.  Prints the order found.
#
# Usage: check-layers.sh OBJECT...
set -e

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for o in "$@"; do
	nm --defined-only "$o" | awk -v o="$(basename "$o" .o)" \
		'$3 ~ /^tl_/ { print $3, o }'
done | sort > "$tmp/defs"
for o in "$@"; do
	b=$(basename "$o" .o)
	echo "$b $b"
	nm -u "$o" | awk '$2 ~ /^tl_/ { print $2 }' | sort |
		join - "$tmp/defs" | awk -v o="$b" '{ print o, $2 }'
done > "$tmp/edges"
if ! tsort "$tmp/edges" > "$tmp/order" 2> "$tmp/err"; then
	echo "check-layers: lib/ has a link cycle:" >&2
	cat "$tmp/err" >&2
	exit 1
fi
echo "check-layers: no cycle; from the top: $(tr '\n' ' ' < "$tmp/order")"
