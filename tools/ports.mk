# SPDX-License-Identifier: GPL-3.0-or-later
#
# tools/ports.mk - the ports to other runtimes (tools/ports/<name>/: the
# port's code, its README and its test), built against the static library
# and run.  Objects and tests go to $(PORTS_OUT)/<name>/ (the port's own
# directory, under $(O) if set).  Included by the Makefile.
#
#   make check-ports           every port's test (GNU Pth, PCL, libuv)
#   make check-ports-<name>    one of them: pth, pcl, libuv
#   make check-ports-valgrind  every port's test under valgrind memcheck
#   make ports-clean           remove what these targets built
#
# Each test prints "<name>: N tests, F failures, W wrong values" and exits
# non-zero on any failure; it ends itself (SIGALRM) if it hangs for a minute.

PORTS       := pth pcl libuv
PORTS_DIR   := tools/ports
PORTS_OUT   := $(OUT)$(PORTS_DIR)
PORTS_DEPS  := libpth-dev libpcl1-dev libuv1-dev
PORTS_CFLAGS = $(TOOLS_CFLAGS) -iquote $(PORTS_DIR)
# No "is up to date" from the sub-makes that build the tests.
PORTS_MAKE = $(MAKE) --no-print-directory $(if $(filter 1,$(V)),,-s)

# What each port's test links besides the library.
PORT_LIBS_pth   := -lpth
PORT_LIBS_pcl   := -lpcl
PORT_LIBS_libuv := -luv

PORT_SRCS = $(wildcard $(PORTS_DIR)/$(1)/*.c)
PORT_OBJS = $(patsubst $(PORTS_DIR)/%.c,$(PORTS_OUT)/%.o,$(call PORT_SRCS,$(1)))
PORT_TEST = $(PORTS_OUT)/$(1)/test

PORTS_ALL_OBJS := $(foreach p,$(PORTS),$(call PORT_OBJS,$(p)))
PORTS_TESTS    := $(foreach p,$(PORTS),$(call PORT_TEST,$(p)))

.PHONY: check-ports check-ports-valgrind ports-deps ports-clean \
	$(PORTS:%=check-ports-%)

ports-deps:
	$(Q)$(DEPS) $(PORTS_DEPS)

# A static pattern rule, so that the Makefile's tools/%.o (other flags,
# other headers) never builds these objects.
$(PORTS_ALL_OBJS): $(PORTS_OUT)/%.o: $(PORTS_DIR)/%.c $(HEADERS) \
		$(wildcard $(PORTS_DIR)/*.h $(PORTS:%=$(PORTS_DIR)/%/*.h))
	$(quiet) CC $@
	$(Q)mkdir -p $(@D) && $(CC) $(PORTS_CFLAGS) -c $< -o $@

# $(1): port name
define port_rules
$(call PORT_TEST,$(1)): $(call PORT_OBJS,$(1)) $$(STATIC)
	$$(quiet) LD $$@
	$$(Q)$$(CC) $$(LDFLAGS) -o $$@ $$^ -lcunit $(PORT_LIBS_$(1)) $$(LDLIBS_THREADS)

check-ports-$(1): ports-deps
	$$(Q)$$(PORTS_MAKE) $(call PORT_TEST,$(1))
	$$(quiet) TEST $(call PORT_TEST,$(1))
	$$(Q)$(call PORT_TEST,$(1))
endef

$(foreach p,$(PORTS),$(eval $(call port_rules,$(p))))

# Every test runs even if one fails; the target fails if any did.
# $(1): what the quiet line says, $(2): the command the test runs under
ports_run = status=0; for t in $(PORTS_TESTS); do \
		$(if $(filter 1,$(V)),,printf '  %-7s %s\n' $(1) $$t;) \
		$(2) $$t || status=1; \
	done; exit $$status

# One sub-make builds the library and every test first.
check-ports: ports-deps
	$(Q)$(PORTS_MAKE) $(PORTS_TESTS)
	$(Q)$(call ports_run,TEST,)

# Pth and PCL run threads on stacks of their own, 64 KiB blocks from the
# heap: a stack pointer moving by less than --max-stackframe is taken for a
# frame on the same stack (memcheck then marks the memory between as gone),
# so the threshold is set below the distance between two such stacks.
# valgrind.supp silences one read inside Pth's own scheduler.
PORTS_VALGRIND := valgrind --quiet --error-exitcode=1 --leak-check=full \
	--show-leak-kinds=definite,indirect \
	--errors-for-leak-kinds=definite,indirect \
	--max-stackframe=32768 --suppressions=$(PORTS_DIR)/pth/valgrind.supp

check-ports-valgrind: ports-deps
	$(Q)$(DEPS) valgrind
	$(Q)$(PORTS_MAKE) $(PORTS_TESTS)
	$(Q)$(call ports_run,VALGRIND,$(PORTS_VALGRIND))

ports-clean:
	$(Q)rm -f $(PORTS_ALL_OBJS) $(PORTS_TESTS)

clean: ports-clean
