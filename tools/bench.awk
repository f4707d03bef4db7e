# SPDX-License-Identifier: GPL-3.0-or-later
#
# tools/bench.awk - the benchmark's table and verdicts, over the lines of
# figures of tools/bench.c (see print_rows() there), one file per build.
# A row is judged in one build, the static library's unless it names
# another; the table shows each row's static line (the headline) with the
# shared library's ns ratio beside it, then its judged line if that is
# another build's.
#
#   awk -f tools/bench.awk -v csv=OUT FILE...    the table; every build's
#                                                lines, ratios and verdicts
#                                                in OUT; exits 1 when a
#                                                target is missed
#   awk -f tools/bench.awk -v mode=summary FILE  the rows with plain words
#   awk -f tools/bench.awk -v mode=smoke FILE    exits 1 on a heap call in
#                                                a row whose target is 0 heap
#
# A target is a list of: i<=Rx (instructions over the anchor's), ns<=Rx (ns
# over the anchor's), eff>=R (two-thread efficiency: two threads'
# throughput over twice one's), eff>=Rx (the same over the anchor's),
# <=Ni (instructions), <=NB (bytes), 0 heap (heap calls per operation).
BEGIN {
	FS = "\t"
	if (mode == "summary")
		printf "tasklocal against what C programs use today, measured " \
		       "now on this machine\n(medians of many runs, loop overhead " \
		       "taken off; `make bench` has every figure):\n\n" \
		       "%-46s %9s %9s %6s  %s\n", "", "tasklocal", "usual",
		       "ratio", "the usual way"
	if (mode == "") {
		printf "%-38s %13s  %-29s %13s %20s\n", "", "tasklocal",
		       "anchor", "", "tasklocal / anchor"
		printf "%-38s %6s %6s  %-29s %6s %6s %6s %6s %6s %6s  %s\n",
		       "row", "instr", "ns", "", "instr", "ns", "instr", "ns",
		       ".so ns", "heap", "target"
		print "build,row,what,anchor,tl_instr,tl_ns,anchor_instr," \
		      "anchor_ns,heap_per_op,tl_eff,anchor_eff,bytes," \
		      "instr_ratio,ns_ratio,target,verdict" > csv
	}
}

{
	if (!($2 in judged_in)) {
		order[++nrows] = $2
		judged_in[$2] = $5
	}
	if (!($1 in nlines))
		builds[++nbuilds] = $1
	nlines[$1]++
	line[$1, $2] = $0
}

function ratio(x, y)
{
	return x != "" && y != "" && y > 0 ? x / y : ""
}

function col(x)
{
	if (x == "")
		return sprintf(" %6s", "-")
	return sprintf(x < 10 && x > -10 ? " %6.2f" : \
		       x < 1000 && x > -1000 ? " %6.1f" : " %6.0f", x)
}

# The figures of row @r in build @b into F[], xi (instructions, or bytes),
# ns and ans (tasklocal's and the anchor's ns, or two-thread efficiency),
# their ratios ri and rn, and whether any figure was measured.
function figs(b, r)
{
	split((b, r) in line ? line[b, r] : "", F, "\t")
	eff = F[13] != "" || F[14] != ""
	xi = eff ? "" : F[15] != "" ? F[15] : F[8]
	ns = eff ? F[13] : F[9]
	ans = eff ? F[14] : F[11]
	ri = ratio(xi, F[10])
	rn = ratio(ns, ans)
	any = F[8] F[9] F[10] F[11] F[12] F[13] F[14] F[15] != ""
}

# The number of misses of target @t over the figures of figs(b, r), each
# told in missed.
function judge(b, r, t,    n, m, lim, x, what)
{
	while (match(t, /[a-z]*[<>]=[0-9.]+[xiB]?|0 heap/)) {
		m = substr(t, RSTART, RLENGTH)
		t = substr(t, RSTART + RLENGTH)
		lim = m
		gsub(/[^0-9.]/, "", lim)
		if (m ~ /^i/) {
			x = ri
			what = "instructions / anchor's"
		} else if (m ~ /^eff.*[0-9]$/) {
			x = ns
			what = sprintf("two-thread efficiency (the control's %.3g)", ans)
		} else if (m ~ /^(ns|eff)/) {
			x = rn
			what = m ~ /^ns/ ? "ns / anchor's" : \
			       "two-thread efficiency / control's"
		} else if (m ~ /heap/) {
			x = F[12]
			what = "heap calls per op"
		} else {
			x = xi
			what = m ~ /B$/ ? "bytes" : "instructions"
		}
		if (x == "" || (m ~ />/ ? x < lim + 0 : x > lim + 0)) {
			missed = missed sprintf("MISS %s (%s): %s %.3g, target " \
						"%s %g\n", r, b, what, x,
						m ~ />/ ? ">=" : "<=", lim)
			n++
		}
	}
	return n
}

# Row @r in build @b, judged if it is the row's build: its CSV line, and
# its table line if it is the static library's or the judged one; nothing
# if nothing was measured (the static library's TLS is not told apart).
function report(b, r,    so, judged, t, n, v, label)
{
	figs("shared", r)
	so = b == "static" ? rn : ""
	figs(b, r)
	judged = b == judged_in[r]
	if (!any && !judged)
		return
	t = judged ? F[6] : ""
	if (t != "") {
		n = judge(b, r, t)
		nmissed += n
		v = n ? "MISS" : "PASS"
	}
	printf "%s,%s,\"%s\",\"%s\",%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n",
	       b, r, F[3], F[4], F[8], F[9], F[10], F[11], F[12], F[13], F[14],
	       F[15], ri == "" ? "" : sprintf("%.4g", ri),
	       rn == "" ? "" : sprintf("%.4g", rn), t, v > csv
	if (b != "static" && !judged)
		return
	label = F[3] (judged && b != "static" ? " [" b "]" : "")
	printf "%-38.38s%s%s  %-29.29s%s%s%s%s%s%s  %-21s %s\n", label,
	       col(xi), col(ns), F[4], col(F[10]), col(ans), col(ri), col(rn),
	       col(so), col(F[12]), t, v
}

END {
	for (i = 1; i <= nrows; i++) {
		r = order[i]
		figs(builds[1], r)
		if (mode == "summary" && F[7] != "") {
			printf "  %-44s%s%s%s%s%s  %s\n", F[7], col(ns),
			       eff ? "   " : " ns", col(ans), eff ? "   " : " ns",
			       col(rn), F[4]
		} else if (mode == "smoke") {
			if (F[6] ~ /0 heap/ && F[12] > 0 && ++fails)
				printf "bench-smoke: %s: %.3g heap calls per " \
				       "operation\n", r, F[12] > "/dev/stderr"
		} else if (mode == "") {
			for (k = 1; k <= nbuilds; k++)
				if ((builds[k], r) in line)
					report(builds[k], r)
			if (!((judged_in[r], r) in line) && ++nmissed)
				missed = missed sprintf("MISS %s: not measured in " \
							"the %s build\n", r,
							judged_in[r])
		}
	}
	if (mode == "summary")
		printf "\nA ratio below 1: tasklocal is faster.  Two threads: " \
		       "1.00 when two threads do\ntwice the work of one; this " \
		       "machine's own limit is the usual way's figure.\n"
	if (mode == "smoke")
		printf "bench-smoke: %d rows run, %s\n", nrows,
		       fails || !nrows ? "FAILED" : "no heap call on a hot path"
	if (mode == "")
		printf "\n%s%d target(s) missed\n", missed, nmissed
	exit mode == "smoke" ? fails || !nrows : nmissed > 0
}
