#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# tools/bench-tls.sh - which TLS model reaches tasklocal's per-thread block
# (tl__thread) from a benchmark binary, read from its relocations: the
# model decides the first instructions of the inline fast path.  For a
# binary linked against libtasklocal.so, also what the library itself uses
# for its other thread-locals (they are on slow paths only).
#
# Usage: tools/bench-tls.sh BINARY
#
#   local-exec      the block is in the executable: %fs + a constant the
#                   linker wrote in (initial-exec code relaxed at link time)
#   initial-exec    the block is in a shared library loaded at start: %fs +
#                   an offset loaded from the GOT (R_*_TPOFF64 / TPREL)
#   dynamic         __tls_get_addr() per access (R_*_DTPMOD64)
set -e

bin=$1
[ -r "$bin" ] || { echo "usage: $0 BINARY" >&2; exit 2; }
command -v readelf >/dev/null 2>&1 || { echo "unknown (no readelf)"; exit 0; }

# Functions of $1 that call __tls_get_addr, comma-separated.
tls_get_addr_callers() {
	command -v objdump >/dev/null 2>&1 || return 0
	objdump -d --no-show-raw-insn "$1" 2>/dev/null | awk '
		/^[0-9a-f]+ <.*>:$/ { f = $2; gsub(/[<>:]/, "", f) }
		/call.*<__tls_get_addr/ && !seen[f]++ { printf "%s%s", n++ ? ", " : "", f }'
}

relocs=$(readelf -rW "$bin" 2>/dev/null | grep 'tl__thread' || true)
case $relocs in
*DTPMOD*)
	echo "dynamic (__tls_get_addr for tl__thread)" ;;
*TPOFF*|*TPREL*)
	lib=$(ldd "$bin" 2>/dev/null | awk '/libtasklocal/ { print $3 }')
	inlib=""
	if [ -n "$lib" ]; then
		callers=$(tls_get_addr_callers "$lib")
		inlib="; inside $(basename "$lib"): tl__thread initial-exec"
		[ -z "$callers" ] ||
			inlib="$inlib, other thread-locals dynamic (__tls_get_addr in $callers)"
	fi
	echo "initial-exec (%fs + tl__thread@gottpoff, an offset loaded from the GOT)$inlib" ;;
*)
	if readelf -sW "$bin" | grep -q 'TLS .* tl__thread$'; then
		echo "local-exec (%fs + a constant: initial-exec code relaxed by the linker, tl__thread is in the executable)"
	else
		echo "unknown (tl__thread neither defined nor relocated)"
	fi ;;
esac
