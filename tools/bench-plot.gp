# SPDX-License-Identifier: GPL-3.0-or-later
#
# tools/bench-plot.gp - the scaling picture of `make bench-plot`: the cost
# of a lookup against the values set in the task and against the locals
# registered, from tools/bench-scaling.csv.
#
# Usage: gnuplot -e "csv='tools/bench-scaling.csv'; png='out.png'; cache='1024'" \
#        tools/bench-plot.gp
# cache: TL_CACHE_SIZE of the variant whose curve is drawn beside the
# default's (its rows are "static-c<cache>" in the CSV).
#
# Plotted per loop iteration (loop included, column ns_loop): the net
# figures of the CSV can be near zero, which a log scale cannot show.

if (!exists("csv")) csv = 'tools/bench-scaling.csv'
if (!exists("png")) png = 'tools/bench-scaling.png'
if (!exists("cache")) cache = '1024'
big = 'static-c'.cache

set datafile separator ","
set terminal pngcairo size 1280,560 font ",10" noenhanced
set output png
set multiplot layout 1,2 title "tasklocal: cost of a lookup (ns per loop iteration, median)"

set logscale xy
set grid
set key top left
set ylabel "ns per iteration"
set yrange [0.1:30000]

sel(v, w, s) = (strcol(1) eq v && strcol(2) eq w && strcol(3) eq s) ? column(9) : NaN

set title "against the values set in the task"
set xlabel "values set in the task (keys set, for glibc)"
set xrange [0.8:1400]
plot \
	csv skip 1 using 4:(sel("static-c128", "values", "tl_get of one local among the values")) \
		with linespoints lw 2 title "tl_get, one local (default cache)", \
	csv skip 1 using 4:(sel("static-c128", "values", "tl_get cycling over the values")) \
		with linespoints lw 2 title "tl_get, cycling over all (default cache, 128)", \
	csv skip 1 using 4:(sel(big, "values", "tl_get cycling over the values")) \
		with linespoints lw 2 title "tl_get, cycling over all (TL_CACHE_SIZE=".cache.")", \
	csv skip 1 using 4:(sel("static-c128", "values", "pthread_getspecific cycling over the keys")) \
		with linespoints lw 2 dt 2 title "pthread_getspecific, cycling over all"

set title "against the locals registered"
set xlabel "locals registered besides those used (keys created, for glibc)"
set xrange [0.8:150000]
plot \
	csv skip 1 using 4:(sel("static-c128", "registered", "tl_get cycling over 8 values")) \
		with linespoints lw 2 title "tl_get cycling over 8 values", \
	csv skip 1 using 4:(sel("static-c128", "registered", "tl_get of a local with no value (8 set)")) \
		with linespoints lw 2 title "tl_get of a local with no value (8 set)", \
	csv skip 1 using 4:(sel("static-c128", "registered", "tl_task_exit of a task with 8 values")) \
		with linespoints lw 2 title "tl_task_exit, 8 values (per task)", \
	csv skip 1 using 4:(sel("static-c128", "registered", "pthread_getspecific cycling over 8 keys")) \
		with linespoints lw 2 dt 2 title "pthread_getspecific cycling over 8 keys"

unset multiplot
