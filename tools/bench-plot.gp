# SPDX-License-Identifier: GPL-3.0-or-later
#
# tools/bench-plot.gp - the picture of `make bench-plot`: a switch to the
# next task and a read of one of its values, against the tasks alive (3
# values each) and against the values per task (16 tasks, the value read
# last in the list), from tools/bench-scaling.csv.  Tasks are visited in a
# scattered order, as an event loop wakes them.
#
# Usage: gnuplot -e "csv='tools/bench-scaling.csv'; png='out.png'" \
#        tools/bench-plot.gp
#
# The "array in each task" curve is the floor: one load from the task's own
# memory, what a scheduler pays that reserves a field per value in its task
# struct.  Where it climbs, the tasks have outgrown a cache level and every
# scheme pays the same misses; a step that tasklocal takes alone is the
# library's own.  glibc's pthread_getspecific (one thread, no tasks) is the
# line every lookup path is held to.

if (!exists("csv")) csv = 'tools/bench-scaling.csv'
if (!exists("png")) png = 'tools/bench-scaling.png'

set datafile separator ","
set key top left
set terminal pngcairo size 1280,600 font ",10" noenhanced
set output png
set multiplot layout 1,2 title "tasklocal: switch to a task, then read a value (net ns per operation, median)\n" . \
	"array in each task: one load from the task's own memory, the hardware's floor; " . \
	"a step tasklocal takes alone is its own"

set logscale xy
set grid
set ylabel "ns per switch + read"
set yrange [0.05:*]

# Net figures can come out at or below 0 for the floor: keep them on the plot.
at(sweep, c) = strcol(1) eq sweep ? (column(c) < 0.05 ? 0.05 : column(c)) : NaN

set title "against the tasks alive (3 values each)"
set xlabel "tasks alive, visited in a scattered order"
set xrange [1:100000]
plot csv using 2:(at("tasks", 3)) with linespoints lw 2 title columnhead(3), \
	'' using 2:(at("tasks", 4)) with linespoints lw 2 title columnhead(4), \
	'' using 2:(at("tasks", 5)) with lines lw 2 dt 2 title columnhead(5)

set title "against the values per task (16 tasks alive)"
set xlabel "values set in each task (the one read is last in its list)"
set xrange [1:1024]
plot csv using 2:(at("values", 3)) with linespoints lw 2 title columnhead(3), \
	'' using 2:(at("values", 4)) with linespoints lw 2 title columnhead(4), \
	'' using 2:(at("values", 5)) with lines lw 2 dt 2 title columnhead(5)

unset multiplot
