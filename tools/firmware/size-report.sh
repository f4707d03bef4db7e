#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# tools/firmware/size-report.sh - the size table of the library, per object,
# for the firmware archive and for a hosted one, and the budget check: the
# core (every object but the layers listed below, the registry included)
# must keep its text within the budget on the firmware target.  text is what `size` counts as
# text: code and read-only data.
#
# With the linker map of a minimal image (tools/firmware/minimal.c, linked
# with --gc-sections), it also prints what of the library that image kept:
# the core's size counts every function, an image only those it reaches.
#
# Usage: size-report.sh FIRMWARE_ARCHIVE HOSTED_ARCHIVE BUDGET [MAP]
# Environment: SIZE and NM of the firmware toolchain, HOST_SIZE.
set -e

fw=$1 hosted=$2 budget=$3 map=$4
: "${SIZE:=arm-none-eabi-size}" "${NM:=arm-none-eabi-nm}" "${HOST_SIZE:=size}"

# "object text data bss" for each member of an archive
members() {
	"$1" "$2" | awk 'NR > 1 { print $6, $1, $2, $3 }'
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
members "$SIZE" "$fw" | sort > "$tmp/fw"
if [ -f "$hosted" ]; then
	members "$HOST_SIZE" "$hosted" | sort > "$tmp/hosted"
else
	: > "$tmp/hosted"
fi

# Layers outside the core, each linked only when used: the POSIX keys,
# scopes, tl_bind() and tl_del(), tl_task_inherit() and tl_task_foreach(),
# tl_strerror().  Nothing in the core calls into them: tl_task_exit()
# closes open scopes and gives bound slots back on its own.
layers="posix.o scope.o bind.o visit.o strerror.o"

awk -v budget="$budget" -v fwname="cortex-m3 -Os heapless" -v layers="$layers" \
    -v hostname="x86-64 -O2 hosted" '
function row(name, a, b) {
	printf "  %-12s %6s %6s %6s    %6s %6s %6s\n", name, \
		a[1], a[2], a[3], b[1], b[2], b[3]
}
BEGIN { n = split(layers, lv, " "); for (i = 1; i <= n; i++) layer[lv[i]] = 1 }
FNR == 1 { file++ }
{
	obj[$1] = 1
	for (i = 2; i <= 4; i++) {
		v[file, $1, i - 1] = $i
		if (!($1 in layer))
			core[file, i - 1] += $i
	}
	seen[file] = 1
}
END {
	printf "  %-12s %-22s    %s\n", "object", fwname, hostname
	printf "  %-12s %6s %6s %6s    %6s %6s %6s\n", "", "text", "data", "bss", \
		"text", "data", "bss"
	n = 0
	for (o in obj)
		names[++n] = o
	for (i = 1; i <= n; i++)
		for (j = i + 1; j <= n; j++)
			if (names[j] < names[i]) {
				t = names[i]; names[i] = names[j]; names[j] = t
			}
	for (i = 1; i <= n; i++) {
		if (names[i] in layer)
			continue
		for (k = 1; k <= 3; k++) {
			a[k] = ((1, names[i], k) in v) ? v[1, names[i], k] : "-"
			b[k] = ((2, names[i], k) in v) ? v[2, names[i], k] : "-"
		}
		row(names[i], a, b)
	}
	for (k = 1; k <= 3; k++) {
		a[k] = core[1, k] + 0
		b[k] = seen[2] ? core[2, k] + 0 : "-"
	}
	row("core", a, b)
	for (j = 1; j <= split(layers, lv, " "); j++) {
		for (k = 1; k <= 3; k++) {
			a[k] = ((1, lv[j], k) in v) ? v[1, lv[j], k] : "-"
			b[k] = ((2, lv[j], k) in v) ? v[2, lv[j], k] : "-"
		}
		row(lv[j], a, b)
	}
	print core[1, 1] > corefile
}' corefile="$tmp/core" "$tmp/fw" "$tmp/hosted"

core=$(cat "$tmp/core")
if [ "$core" -gt "$budget" ]; then
	echo "size-report: core text $core bytes exceeds the budget of $budget" >&2
	echo "  largest functions and constants of the core (bytes):" >&2
	"$NM" -A -S -t d --size-sort "$fw" 2>/dev/null |
		awk -v layers="$layers" '$3 ~ /^[TtRrWw]$/ { split($1, m, ":")
			if (index(" " layers " ", " " m[2] " ") == 0)
				printf "  %6d  %-11s %s\n", $2, m[2], $4 }' |
		sort -n | tail -n 15 >&2
	exit 1
fi
echo "  budget: core text $core of $budget bytes ($((budget - core)) left)"

# The input sections of the map's text and read-only data, after the
# discarded ones: "lib total", the archive's share and the image's text.
# A section whose name is too long has its address and size on the next line.
[ -n "$map" ] || exit 0
awk '
function hex(s,    i, n) {
	n = 0
	s = tolower(substr(s, 3))
	for (i = 1; i <= length(s); i++)
		n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
	return n
}
/^Linker script and memory map/ { on = 1; next }
!on { next }
/^ \.[^ ]+$/ { sec = $1; next }
/^ \.[^ ]+ +0x/ { sec = $1; sub(/^ \.[^ ]+/, "") }
$1 ~ /^0x/ && $2 ~ /^0x/ && NF == 3 {
	if (sec ~ /^\.(text|rodata)/) {
		n = hex($2)
		total += n
		if ($3 ~ /libtasklocal\.a\(/)
			lib += n
	}
	sec = ""
}
END { print lib + 0, total + 0 }' "$map" > "$tmp/min"
read lib total < "$tmp/min"
echo "  minimal image (tools/firmware/minimal.c): library text $lib of $total bytes"
