# SPDX-License-Identifier: GPL-3.0-or-later
#
# tools/bench.mk - the benchmark, included by the Makefile.
#
#   make bench          the full table (static library, shared library beside,
#                       the cache sizes of BENCH_CACHES), instructions from
#                       callgrind, tools/bench.csv, then bench-plot
#   make bench-summary  a few rows, ns ratios against glibc, a few seconds
#   make bench-plot     tools/bench-scaling.csv, and tools/bench-scaling.png
#                       where gnuplot is installed
#   make bench-smoke    the benchmark's checks, every row once (CI): fails if a
#                       hot operation called the heap
#
# The library is built once per configuration with O=$(BENCH_DIR)/<config>,
# so the default objects in lib/ keep whatever flags they were built with;
# every binary is compiled with the same flags.  tools/bench links the static
# archive, tools/bench-shared the shared library of the same configuration
# (found through its rpath), tools/bench-c<N> the static archive built with
# -DTL_CACHE_SIZE=<N>.  Instruction counts are cached in $(BENCH_DIR)/*.ir
# until their binary changes.

BENCH_DIR    := tools/bench-build
BENCH_CACHES ?= 1024 2048
# The cache size whose curve the scaling plot shows beside the default.
BENCH_PLOT_CACHE ?= 1024
BENCH_VARIANTS := $(sort $(BENCH_CACHES) $(BENCH_PLOT_CACHE))
BENCH_SRCS   := bench bench-rows bench-heap bench-scaling
# GNU C, as gcc compiles by default: the fast path users get.
BENCH_CFLAGS  = -std=gnu11 $(WARN) -Iinclude -D_GNU_SOURCE $(CFLAGS)
BENCH_LDFLAGS = $(LDFLAGS) -Wl,-z,now
BENCH_LIBS   := $(LDLIBS_THREADS) -ldl
# The rows the cache-size variants run (their anchors come along).
BENCH_CACHE_ROWS := get_mru,get_cyc8,get_cyc64,get_cyc1024,get_rnd8,get_rnd64,get_conflict,set_existing,switch

BENCH_BINS := tools/bench tools/bench-shared $(BENCH_CACHES:%=tools/bench-c%)
BENCH_ALL_BINS := tools/bench tools/bench-shared $(BENCH_VARIANTS:%=tools/bench-c%)
BENCH_IRS  := $(BENCH_BINS:tools/%=$(BENCH_DIR)/%.ir)
BENCH_TLS   = "$$(tools/bench-tls.sh $(1))"
BENCH_COMMA := ,
# No "is up to date" from the sub-make that builds a variant's library.
BENCH_SILENT := $(if $(filter 1,$(V)),,-s)
# $(quiet) inside a shell command
BENCH_SAY := $(if $(filter 1,$(V)),:,printf '  %-7s %s\n')

.PHONY: bench bench-summary bench-plot bench-smoke bench-clean bench-FORCE

# Only the top-level make builds the variants: a sub-make with O= set builds
# one library through the Makefile's own rules.
ifeq ($(O),.)

# $(1): configuration name, $(2): its CONFIG
define bench_config
$(BENCH_DIR)/$(1)/libtasklocal.a $(BENCH_DIR)/$(1)/libtasklocal.so.$(VERSION): bench-FORCE
	$$(Q)$$(MAKE) --no-print-directory $$(BENCH_SILENT) O=$(BENCH_DIR)/$(1) CONFIG='$(2)' $$@

$(BENCH_DIR)/$(1)/tools/%.o: tools/%.c tools/bench.h $$(HEADERS)
	$$(quiet) CC $$@
	$$(Q)mkdir -p $$(@D) && $$(CC) $$(BENCH_CFLAGS) $(2) -c $$< -o $$@
endef

# $(1): binary, $(2): configuration name, $(3): library, $(4): extra flags
define bench_binary
$(1): $(BENCH_SRCS:%=$(BENCH_DIR)/$(2)/tools/%.o) $(BENCH_DIR)/$(2)/$(3)
	$$(quiet) LD $$@
	$$(Q)$$(CC) $$(BENCH_LDFLAGS) $(4) -o $$@ $$^ $$(BENCH_LIBS)
endef

$(eval $(call bench_config,default,))
$(eval $(call bench_binary,tools/bench,default,libtasklocal.a))
$(eval $(call bench_binary,tools/bench-shared,default,libtasklocal.so.$(VERSION),\
	-Wl$(BENCH_COMMA)-rpath$(BENCH_COMMA)'$$$$ORIGIN/bench-build/default'))
$(foreach c,$(BENCH_VARIANTS),\
	$(eval $(call bench_config,c$(c),-DTL_CACHE_SIZE=$(c)))\
	$(eval $(call bench_binary,tools/bench-c$(c),c$(c),libtasklocal.a)))

endif # O

# Instructions per row, kept until the binary changes.  Without valgrind
# the table has no instruction counts, and says so.
$(BENCH_DIR)/%.ir: tools/% tools/bench-callgrind.sh
	$(Q)if command -v valgrind >/dev/null 2>&1; then \
		$(BENCH_SAY) CG $@; \
		mkdir -p $(@D) && tools/bench-callgrind.sh $< \
			$(if $(filter bench-c%,$*),$(BENCH_CACHE_ROWS)) > $@.tmp && \
		mv $@.tmp $@; \
	else \
		echo "bench: valgrind is not installed: no instruction counts" \
		     "(apt-get install valgrind)"; \
	fi

# --instr FILE for the .ir of binary $(1), if callgrind could make it
bench_instr = $(if $(wildcard $(BENCH_DIR)/$(notdir $(1)).ir),--instr $(BENCH_DIR)/$(notdir $(1)).ir)

bench: $(BENCH_BINS) $(BENCH_IRS)
	$(quiet) BENCH "tools/bench-shared $(BENCH_CACHES:%=tools/bench-c%)"
	$(Q)tools/bench-shared $(call bench_instr,tools/bench-shared) \
		--tls $(call BENCH_TLS,tools/bench-shared) --raw $(BENCH_DIR)/bench-shared.raw
	$(Q)$(foreach c,$(BENCH_CACHES),tools/bench-c$(c) --rows $(BENCH_CACHE_ROWS) \
		$(call bench_instr,tools/bench-c$(c)) --tls $(call BENCH_TLS,tools/bench-c$(c)) \
		--raw $(BENCH_DIR)/bench-c$(c).raw &&) true
	$(quiet) BENCH tools/bench
	$(Q)tools/bench $(call bench_instr,tools/bench) --tls $(call BENCH_TLS,tools/bench) \
		--with $(BENCH_DIR)/bench-shared.raw \
		$(BENCH_CACHES:%=--with $(BENCH_DIR)/bench-c%.raw) --csv tools/bench.csv
	$(Q)$(MAKE) --no-print-directory bench-plot

bench-summary: tools/bench
	$(Q)tools/bench --summary

bench-smoke: tools/bench tools/bench-shared
	$(Q)tools/bench --smoke
	$(Q)tools/bench-shared --smoke

bench-plot: tools/bench tools/bench-c$(BENCH_PLOT_CACHE)
	$(quiet) BENCH tools/bench-scaling.csv
	$(Q)mkdir -p $(BENCH_DIR) && tools/bench --scaling > $(BENCH_DIR)/scaling.csv && \
		tools/bench-c$(BENCH_PLOT_CACHE) --scaling | tail -n +2 >> $(BENCH_DIR)/scaling.csv && \
		mv $(BENCH_DIR)/scaling.csv tools/bench-scaling.csv
	$(Q)if command -v gnuplot >/dev/null 2>&1; then \
		$(BENCH_SAY) GNUPLOT tools/bench-scaling.png; \
		gnuplot -e "csv='tools/bench-scaling.csv'; png='tools/bench-scaling.png'" \
			-e "cache='$(BENCH_PLOT_CACHE)'" tools/bench-plot.gp; \
	else \
		echo "bench-plot: gnuplot is not installed: tools/bench-scaling.csv only"; \
	fi

bench-clean:
	$(Q)rm -rf $(BENCH_DIR) $(BENCH_ALL_BINS) tools/bench.csv tools/bench-scaling.csv \
		tools/bench-scaling.png

clean: bench-clean
