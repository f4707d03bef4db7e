#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# tools/bench.sh - instructions per iteration of every loop of a benchmark
# binary, counted by callgrind: "loop instructions" lines on stdout.
#
# Usage: tools/bench.sh BINARY
#
# BINARY cg runs each loop N, then 2N times, zeroing callgrind's counts
# before each run and dumping them after, the dump named "loop N" by a
# client request.  (I(2N) - I(N)) / N is then the cost of one iteration:
# set-up, warm-up and the requests themselves cancel out.
set -e

bin=$1
[ -x "$bin" ] || { echo "usage: $0 BINARY" >&2; exit 2; }
command -v valgrind >/dev/null 2>&1 || {
	echo "$0: valgrind is not installed (apt-get install valgrind)" >&2
	exit 1
}

dir=$(mktemp -d "${TMPDIR:-/tmp}/bench-cg.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM

if ! valgrind --tool=callgrind --callgrind-out-file="$dir/cg" \
	"$bin" cg >"$dir/log" 2>&1; then
	cat "$dir/log" >&2
	exit 1
fi

# The two dumps of a loop pair up by name, whatever order the files are in.
awk '/^desc: Trigger: Client Request:/ { id = $5; n = $6 }
     /^summary:/ && id != "" {
	if (id in n1)
		printf "%s %.4f\n", id, ($2 - ir1[id]) / (n - n1[id])
	else {
		n1[id] = n
		ir1[id] = $2
	}
	id = ""
     }' "$dir"/cg.*
