#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# tools/bench-callgrind.sh - instructions per operation of each benchmark
# row, counted by callgrind.
#
# Usage: tools/bench-callgrind.sh BENCH-BINARY [ROWS]
#
# The binary runs with --callgrind: for each row it calls bench_cg_run()
# with N, then with 2N iterations, and prints "row N" after each call.
# Callgrind collects only inside bench_cg_run() and dumps its count when it
# returns, one file per call, so a row costs (I(2N) - I(N)) / N per
# iteration: set-up, warm-up and the call itself cancel out.  Prints
# "row instructions-per-iteration", loop included; the benchmark subtracts
# the empty loop of the same shape.  ROWS: comma-separated row ids.
set -e

bin=$1
rows=$2
[ -x "$bin" ] || { echo "usage: $0 BENCH-BINARY [ROWS]" >&2; exit 2; }
command -v valgrind >/dev/null 2>&1 || {
	echo "$0: valgrind is not installed (apt-get install valgrind)" >&2
	exit 1
}

dir=$(mktemp -d "${TMPDIR:-/tmp}/bench-cg.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM

if ! valgrind --tool=callgrind --collect-atstart=no \
	--toggle-collect=bench_cg_run --dump-after=bench_cg_run \
	--callgrind-out-file="$dir/cg" \
	"$bin" --callgrind ${rows:+--rows "$rows"} >"$dir/order" 2>"$dir/log"
then
	cat "$dir/log" >&2
	exit 1
fi

i=0
while read -r id n; do
	i=$((i + 1))
	ir=$(sed -n 's/^summary: *//p' "$dir/cg.$i")
	[ -n "$ir" ] || { echo "$0: no count in $dir/cg.$i" >&2; exit 1; }
	echo "$id $n $ir"
done <"$dir/order" | awk '
	$1 == id { printf "%s %.3f\n", id, ($3 - ir) / ($2 - n); id = ""; next }
	{ id = $1; n = $2; ir = $3 }'
