# SPDX-License-Identifier: GPL-3.0-or-later
#
# tools/preempt.mk - tools/preempt.c against TL_THREADS=0 libraries with a
# lookup cache of 2 and 8 entries, each built by the Makefile's own rules
# into a directory of its own (tools/preempt-out, under $(O) if set): a
# preemptive kernel's switch interrupt between any two instructions of
# the library.  x86-64 Linux only (ucontext, a timer signal); elsewhere
# the target says so and passes.  Included by the Makefile.
#
#   make check-preempt         PREEMPT_SECONDS (10) per cache size

PREEMPT_OUT     := $(OUT)tools/preempt-out
PREEMPT_CACHES  := 2 8
PREEMPT_SECONDS ?= 10
PREEMPT_HOST    := $(filter x86_64-%linux-gnu,$(shell $(CC) -dumpmachine))

.PHONY: check-preempt preempt-clean

$(PREEMPT_OUT)/c%/preempt: tools/preempt.c $(HEADERS) FORCE
	+$(Q)$(MAKE) --no-print-directory O=$(PREEMPT_OUT)/c$* \
		CONFIG='-DTL_THREADS=0 -DTL_CACHE_SIZE=$*' \
		$(PREEMPT_OUT)/c$*/libtasklocal.a
	$(quiet) LD $@
	$(Q)$(CC) -std=gnu11 $(WARN) -Werror -Iinclude -DTL_THREADS=0 \
		-DTL_CACHE_SIZE=$* $(CFLAGS) -o $@ $< $(PREEMPT_OUT)/c$*/libtasklocal.a

ifneq ($(PREEMPT_HOST),)
check-preempt: lib-deps $(foreach c,$(PREEMPT_CACHES),$(PREEMPT_OUT)/c$(c)/preempt)
	$(quiet) TEST $@
	$(Q)for c in $(PREEMPT_CACHES); do \
		echo "  cache $$c:"; \
		timeout $$(($(PREEMPT_SECONDS) + 60)) \
			$(PREEMPT_OUT)/c$$c/preempt $(PREEMPT_SECONDS) $$c || exit 1; \
	done
else
check-preempt:
	@echo "  SKIP    check-preempt: x86-64 Linux only"
endif

preempt-clean:
	$(Q)rm -rf $(PREEMPT_OUT)

clean: preempt-clean
