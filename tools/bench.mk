# SPDX-License-Identifier: GPL-3.0-or-later
#
# tools/bench.mk - the benchmark, included by the Makefile.
#
#   make bench          every row in instructions (callgrind) and ns, the
#                       static library linked in, the shared library's
#                       figures beside, and in a build whose fast path
#                       covers 1024 values ($(BENCH_WIDE)) for the row that
#                       needs it; the table, tools/bench.csv (tools/bench.awk
#                       judges it) and the scaling plot; fails when a
#                       DESIGN.md target is missed
#   make bench-summary  the main paths in plain words, ns only (make demo)
#   make bench-smoke    both binaries, every row briefly; fails on a heap
#                       call in a hot row (CI: timings do not belong there)
#   make bench-plot     tools/bench-scaling.csv, and .png with gnuplot
#                       (under $(O) with O=dir, as every product)
#   make bench-clean
#
# Each library build the benchmark uses has its own directory under
# $(BENCH_DIR), made by the Makefile's own rules (O=), so that lib/ stays
# whoever else's; a change of flags rebuilds that directory.

BENCH_DIR    := $(TOOLS_OUT)/bench-build
BENCH_CSV    := $(TOOLS_OUT)/bench.csv
BENCH_PLOT   := $(TOOLS_OUT)/bench-scaling
BENCH_WIDE   ?= -DTL_CACHE_SIZE=2048
BENCH_LIBS   := $(LDLIBS_THREADS) -ldl -lm
BENCH_BIN    := $(BENCH_DIR)/bench
BENCH_BINS   := $(BENCH_BIN) $(BENCH_DIR)/bench-shared $(BENCH_DIR)/bench-wide
BENCH_LD      = $(CC) $(LDFLAGS) -Wl,-z,now
# No "is up to date" from the sub-make that builds a library.
BENCH_SILENT := $(if $(filter 1,$(V)),,-s)

.PHONY: bench bench-deps bench-summary bench-smoke bench-plot bench-clean bench-FORCE

# Only the top-level make has these rules: the sub-make that builds a
# library for the benchmark (BENCH_LIB set) must not recurse into itself.
ifndef BENCH_LIB

# $(1): directory under $(BENCH_DIR), $(2): its CONFIG
define bench_build
$(BENCH_DIR)/$(1)/flags: bench-FORCE
	$$(Q)mkdir -p $$(@D) && echo '$$(CC) $$(TOOLS_CFLAGS) $(2)' > $$@.new && \
	if cmp -s $$@.new $$@; then rm $$@.new; else rm -rf $$(@D)/lib; mv $$@.new $$@; fi

$(BENCH_DIR)/$(1)/libtasklocal.a $(BENCH_DIR)/$(1)/libtasklocal.so.$(VERSION): \
		$(BENCH_DIR)/$(1)/flags bench-FORCE
	+$$(Q)$$(MAKE) --no-print-directory $$(BENCH_SILENT) O=$(BENCH_DIR)/$(1) \
		BENCH_LIB=1 CONFIG='$(2)' $$@

$(BENCH_DIR)/$(1)/bench.o: tools/bench.c $$(HEADERS) $(BENCH_DIR)/$(1)/flags
	$$(quiet) CC $$@
	$$(Q)$$(CC) $$(TOOLS_CFLAGS) $(2) -c $$< -o $$@
endef

$(eval $(call bench_build,default,$(CONFIG)))
$(eval $(call bench_build,wide,$(CONFIG) $(BENCH_WIDE)))

$(BENCH_BIN): $(BENCH_DIR)/default/bench.o $(BENCH_DIR)/default/libtasklocal.a
	$(quiet) LD $@
	$(Q)$(BENCH_LD) -o $@ $^ $(BENCH_LIBS)

$(BENCH_DIR)/bench-shared: $(BENCH_DIR)/default/bench.o \
		$(BENCH_DIR)/default/libtasklocal.so.$(VERSION)
	$(quiet) LD $@
	$(Q)$(BENCH_LD) -Wl,-rpath,'$$ORIGIN/default' -o $@ $^ $(BENCH_LIBS)

$(BENCH_DIR)/bench-wide: $(BENCH_DIR)/wide/bench.o $(BENCH_DIR)/wide/libtasklocal.a
	$(quiet) LD $@
	$(Q)$(BENCH_LD) -o $@ $^ $(BENCH_LIBS)

endif # BENCH_LIB

# $(1): build name, $(2): binary
define bench_measure
	$(quiet) CG $(2)
	$(Q)tools/bench.sh $(2) > $(BENCH_DIR)/$(1).ir
	$(quiet) BENCH $(2)
	$(Q)$(2) measure $(1) $(BENCH_DIR)/$(1).ir > $(BENCH_DIR)/$(1).tsv

endef

# $(1): mode of tools/bench.awk, $(2): binary and its arguments
define bench_report
	$(Q)$(2) > $(BENCH_DIR)/$(1).tsv && \
		awk -v mode=$(1) -f tools/bench.awk $(BENCH_DIR)/$(1).tsv

endef

bench-deps:
	$(Q)$(DEPS) --lib valgrind

bench: bench-deps $(BENCH_BINS)
	$(call bench_measure,static,$(BENCH_BIN))
	$(call bench_measure,shared,$(BENCH_DIR)/bench-shared)
	$(call bench_measure,wide,$(BENCH_DIR)/bench-wide)
	$(Q)$(MAKE) --no-print-directory bench-plot
	@echo
	@echo "static: libtasklocal.a linked in, CONFIG='$(CONFIG)' (the headline);" \
	      "shared: libtasklocal.so;"
	@echo "wide: libtasklocal.a built with $(BENCH_WIDE)."
	@echo "instr: net instructions per op (callgrind), ns: median net ns per op," \
	      "heap: heap calls per op."
	@echo
	$(Q)awk -v csv=$(BENCH_CSV) -f tools/bench.awk $(BENCH_DIR)/static.tsv \
		$(BENCH_DIR)/shared.tsv $(BENCH_DIR)/wide.tsv

bench-summary: $(BENCH_BIN)
	$(call bench_report,summary,$(BENCH_BIN) measure summary)

bench-smoke: $(BENCH_BIN) $(BENCH_DIR)/bench-shared
	$(call bench_report,smoke,$(BENCH_BIN) smoke)
	$(call bench_report,smoke,$(BENCH_DIR)/bench-shared smoke)

bench-plot: $(BENCH_BIN)
	$(quiet) BENCH $(BENCH_PLOT).csv
	$(Q)$(BENCH_BIN) scaling > $(BENCH_DIR)/scaling.csv && \
		mv $(BENCH_DIR)/scaling.csv $(BENCH_PLOT).csv
	$(Q)if command -v gnuplot >/dev/null 2>&1; then \
		$(if $(Q),printf '  %-7s %s\n' GNUPLOT $(BENCH_PLOT).png;) \
		gnuplot -e "csv='$(BENCH_PLOT).csv'; png='$(BENCH_PLOT).png'" \
			tools/bench-plot.gp; \
	else \
		echo "bench-plot: gnuplot is not installed: $(BENCH_PLOT).csv only"; \
	fi

bench-clean:
	$(Q)rm -rf $(BENCH_DIR) $(BENCH_CSV) $(BENCH_PLOT).csv $(BENCH_PLOT).png

clean: bench-clean
