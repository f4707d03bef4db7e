# SPDX-License-Identifier: GPL-3.0-or-later
#
# tools/rtos.mk - tasklocal's RTOS ports (tools/ports/), built and tested.
# Included by the Makefile.
#
#   make check-freertos   the FreeRTOS port's test (tools/ports/freertos/test)
#                         against the kernel tree $(FREERTOS_KERNEL): on the
#                         host with the POSIX simulator port, and on the
#                         Cortex-M3 port under QEMU (mps2-an385, -icount so
#                         that the tick lands on any instruction); then the
#                         configurations the port must refuse to compile
#   make check-zephyr     the Zephyr port compiled against stand-in headers
#                         (tools/ports/zephyr/stubs), one set per hook
#                         signature, its SMP refusal, and its CMake file
#   make check-rtos       both
#   make rtos-clean       remove every output below
#
# The library comes from the Makefile's own rules (O=, CONFIG=), built with
# TL_THREADS=0 TL_HEAPLESS=1 TL_CACHE_SIZE=$(RTOS_CACHE_SIZE).  The lookup
# cache is on (8 entries), as the ports ship it: with TL_THREADS=0 it is one
# global under a preemptive switch hook, which the tests prove safe (a
# lookup that saw a switch takes the slow path); RTOS_CACHE_SIZE=0 runs the
# same tests with it off.  Outputs go to
# $(FR_ROOT) and $(ZE_ROOT) (tools/ports/*/out, under $(O) if set), one
# directory per configuration; a change of flags there rebuilds it.

RTOS_DIR        := tools/ports
FREERTOS_KERNEL ?= ../shared/freertos-kernel
RTOS_CACHE_SIZE ?= 8
RTOS_ICOUNT     ?= 3
RTOS_TIMEOUT    ?= 60
RTOS_QEMU       ?= qemu-system-arm -M mps2-an385 -nographic -semihosting \
		   -icount shift=$(RTOS_ICOUNT)
RTOS_CROSS      ?= arm-none-eabi-
RTOS_HOSTCC     ?= gcc
RTOS_CONFIG     := -DTL_THREADS=0 -DTL_HEAPLESS=1 -DTL_CACHE_SIZE=$(RTOS_CACHE_SIZE)
RTOS_DEPS       := gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm cmake

.PHONY: check-rtos check-freertos check-zephyr rtos-clean rtos-deps \
	check-freertos-posix check-freertos-cm3 check-freertos-refuse fr-kernel

check-rtos: check-freertos check-zephyr

rtos-deps:
	$(Q)$(DEPS) $(RTOS_DEPS)

# Field $(2) of the colon-separated $(1); the comma-separated $(1) as words.
rtos_field = $(word $(2),$(subst :, ,$(1)))
rtos_comma := ,
rtos_words = $(subst $(rtos_comma), ,$(1))

# Wipe build directory $(1) whenever the flags $(2) it was built with
# change: the object rules know the sources and headers, not the flags.
rtos_flags = mkdir -p $(1) && echo '$(2)' > $(1)/flags.new && \
	{ cmp -s $(1)/flags.new $(1)/flags || \
	  find $(1) -mindepth 1 -maxdepth 1 ! -name flags.new -exec rm -rf {} +; } && \
	mv $(1)/flags.new $(1)/flags

# Run $(2) with a timeout, its log in $(1): fail on a non-zero status (the
# failed checks, 255 for a fault), on the timeout (124), and on a TAP log
# with a failed check or no plan, whatever the status says.
rtos_run = status=0; timeout -k 5 $(RTOS_TIMEOUT) $(2) </dev/null >$(1) 2>&1 || \
	status=$$?; cat $(1); \
	if [ $$status -eq 124 ]; then \
		echo "$@: no exit within $(RTOS_TIMEOUT)s" >&2; exit 1; \
	elif [ $$status -ne 0 ]; then \
		echo "$@: exit status $$status" >&2; exit 1; \
	elif grep -q '^not ok' $(1) || ! grep -q '^1\.\.[1-9]' $(1); then \
		echo "$@: failed or unfinished, yet exit status 0" >&2; exit 1; \
	fi

# ----------------------------------------------------------------- FreeRTOS

FR_DIR   := $(RTOS_DIR)/freertos
FR_ROOT  := $(OUT)$(FR_DIR)/out
FR_OUT   ?= $(FR_ROOT)/cache$(RTOS_CACHE_SIZE)
FR_KSRCS := tasks.c queue.c list.c
FR_TSRCS := tl_freertos.c tl_port.c test/test.c

# Per kernel port: compiler, flags, the port's sources, its heap, the
# test's platform file, link flags, and how to run the image.
FR_posix_CC      := $(RTOS_HOSTCC)
FR_posix_CROSS   :=
FR_posix_CFLAGS  := -O2 -g
FR_posix_PORT    := portable/ThirdParty/GCC/Posix
FR_posix_PSRCS   := port.c utils/wait_for_event.c
FR_posix_HEAP    := heap_3.c
FR_posix_LDFLAGS := -pthread
FR_posix_RUN      = $(1)

FR_cm3_CC        := $(RTOS_CROSS)gcc
FR_cm3_CROSS     := $(RTOS_CROSS)
FR_cm3_CFLAGS    := -mcpu=cortex-m3 -mthumb -Os -g -ffunction-sections \
		    -fdata-sections
FR_cm3_PORT      := portable/GCC/ARM_CM3
FR_cm3_PSRCS     := port.c
FR_cm3_HEAP      := heap_4.c
FR_cm3_LDFLAGS   := -mcpu=cortex-m3 -mthumb --specs=nano.specs \
		    --specs=rdimon.specs -nostartfiles \
		    -T $(FR_DIR)/test/cm3.ld -Wl,--gc-sections
FR_cm3_RUN        = $(RTOS_QEMU) -kernel $(1)

FR_PORTS := posix cm3

# $(call fr_port,name): the objects, their rules and the image of a port.
define fr_port
FR_$(1)_D    := $$(FR_OUT)/$(1)
FR_$(1)_KOBJ := $$(patsubst %.c,$$(FR_$(1)_D)/kernel/%.o,$$(FR_KSRCS) \
	$$(addprefix $$(FR_$(1)_PORT)/,$$(FR_$(1)_PSRCS)) \
	portable/MemMang/$$(FR_$(1)_HEAP))
FR_$(1)_TOBJ := $$(patsubst %.c,$$(FR_$(1)_D)/tl/%.o,$$(FR_TSRCS) \
	test/$(1).c)
FR_$(1)_ELF  := $$(FR_$(1)_D)/test.elf
FR_$(1)_INC  := -I$$(FR_DIR)/test -I$$(FR_DIR) -Iinclude \
	-I$$(FREERTOS_KERNEL)/include -I$$(FREERTOS_KERNEL)/$$(FR_$(1)_PORT)
FR_$(1)_FLAGS = -std=gnu11 $$(FR_$(1)_CFLAGS) $$(RTOS_CONFIG) $$(FR_$(1)_INC)
FR_$(1)_CC_ALL = $$(FR_$(1)_CC) $$(FR_$(1)_FLAGS) -MMD -MP

# The kernel is not ours: its warnings are not reported.
$$(FR_$(1)_D)/kernel/%.o: $$(FREERTOS_KERNEL)/%.c
	$$(quiet) CC $$@
	$$(Q)mkdir -p $$(@D) && $$(FR_$(1)_CC_ALL) -w -c $$< -o $$@

$$(FR_$(1)_D)/tl/%.o: $$(FR_DIR)/%.c
	$$(quiet) CC $$@
	$$(Q)mkdir -p $$(@D) && $$(FR_$(1)_CC_ALL) $$(WARN) -c $$< -o $$@

# The library has no rule here: check-freertos-$(1) makes it first.
$$(FR_$(1)_ELF): $$(FR_$(1)_TOBJ) $$(FR_$(1)_KOBJ) $$(FR_$(1)_D)/libtasklocal.a
	$$(quiet) LD $$@
	$$(Q)$$(FR_$(1)_CC) $$(FR_$(1)_LDFLAGS) -o $$@ $$^

-include $$(FR_$(1)_KOBJ:.o=.d) $$(FR_$(1)_TOBJ:.o=.d)
endef
$(foreach p,$(FR_PORTS),$(eval $(call fr_port,$(p))))

check-freertos: check-freertos-posix check-freertos-cm3 check-freertos-refuse

fr-kernel:
	$(Q)test -f $(FREERTOS_KERNEL)/tasks.c || { echo "check-freertos: no \
	FreeRTOS kernel at $(FREERTOS_KERNEL); pass FREERTOS_KERNEL=<path>" >&2; \
	exit 1; }

# The library in the port's directory through the Makefile's own rules,
# then the image, then the run.
check-freertos-posix check-freertos-cm3: check-freertos-%: rtos-deps fr-kernel
	$(Q)$(call rtos_flags,$(FR_OUT)/$*,$(FR_$*_CC) $(FR_$*_CFLAGS) \
		$(RTOS_CONFIG) $(abspath $(FREERTOS_KERNEL)))
	+$(Q)$(MAKE) --no-print-directory O=$(FR_OUT)/$* \
		CROSS_COMPILE=$(FR_$*_CROSS) CC=$(FR_$*_CC) AR=$(FR_$*_CROSS)ar \
		CFLAGS='$(FR_$*_CFLAGS) -Werror' CONFIG='$(RTOS_CONFIG)' \
		$(FR_OUT)/$*/libtasklocal.a
	+$(Q)$(MAKE) --no-print-directory $(FR_$*_ELF)
	$(quiet) RUN "$(FR_$*_ELF) ($* port, TL_CACHE_SIZE=$(RTOS_CACHE_SIZE))"
	$(Q)$(call rtos_run,$(FR_OUT)/$*/test.log,$(call FR_$*_RUN,$(FR_$*_ELF)))

# What the port must refuse at compile time, with the message it must
# give: SMP; a tracer's hook defined before the fragment and not saved;
# a tracer's hook defined after it.
FR_REFUSE := SMP:single-core NO_PREV:already.defined \
	     TRACER_AFTER:static.assertion

check-freertos-refuse: fr-kernel
	$(Q)mkdir -p $(FR_OUT)
	$(Q)$(foreach r,$(FR_REFUSE),$(call fr_refuse,$(call rtos_field,$(r),1),$(call rtos_field,$(r),2));) true

# $(call fr_refuse,switch,message)
fr_refuse = printf '  %-7s %s\n' REFUSE "TEST_$(1): $(subst ., ,$(2))"; \
	if $(FR_posix_CC) $(FR_posix_FLAGS) -DTEST_$(1) -fsyntax-only \
		$(FR_DIR)/tl_freertos.c \
		>$(FR_OUT)/refuse.log 2>&1; then \
		echo "check-freertos: TEST_$(1) compiled, it must not" >&2; exit 1; \
	elif ! grep -q '$(2)' $(FR_OUT)/refuse.log; then \
		cat $(FR_OUT)/refuse.log >&2; \
		echo "check-freertos: TEST_$(1) refused without '$(2)'" >&2; exit 1; \
	fi

# ------------------------------------------------------------------- Zephyr
#
# No Zephyr tree here: the port is compiled against stand-in headers that
# declare what it uses (tools/ports/zephyr/stubs), as a Zephyr build would
# compile it (-imacros autoconf.h, the cross compiler), for each release
# layout and hook signature it supports; the configurations it must
# refuse must fail, with their message; the module's CMakeLists.txt runs
# under cmake -P with stand-ins for Zephyr's CMake functions.

ZE_DIR    := $(RTOS_DIR)/zephyr
ZE_ROOT   := $(OUT)$(ZE_DIR)/out
ZE_OUT    ?= $(ZE_ROOT)
ZE_STUBS  := $(ZE_DIR)/stubs
ZE_CC     := $(RTOS_CROSS)gcc
ZE_CFLAGS := -std=gnu11 -mcpu=cortex-m3 -mthumb -Os $(WARN) -Werror \
	     $(RTOS_CONFIG) -imacros $(ZE_STUBS)/autoconf.h \
	     -Iinclude -I$(FR_DIR) -I$(ZE_DIR) -I$(ZE_STUBS)

# name:layout:version[:extra -D, comma-separated]: 2.7 LTS (no zephyr/
# prefix, hook given the thread), 3.2 (prefix, thread), 3.3 (prefix, no
# argument), 4.1, and a 3.2 tree with the 3.3 hook backported.
ZE_BUILDS := 2.7:v2:0x020700 3.2:v3:0x030200 3.3:v3:0x030300 \
	     4.1:v3:0x040100 \
	     3.2-backport:v3:0x030200:-DSTUB_HOOK_VOID=1,-DTL_ZEPHYR_SWITCH_HOOK_THREAD=0
# name:version:extra -D:message
ZE_REFUSE := smp:0x040100:-DCONFIG_SMP=1,-DCONFIG_MP_MAX_NUM_CPUS=2:single-CPU \
	     wrong-hook:0x040100:-DTL_ZEPHYR_SWITCH_HOOK_THREAD=1:conflicting.types \
	     no-custom-data:0x040100:-DSTUB_NO_CUSTOM_DATA:CONFIG_THREAD_CUSTOM_DATA


# $(call ze_build,name,layout,version,extra)
ze_build = printf '  %-7s %s\n' CC "$(ZE_OUT)/tl_zephyr-$(1).o (Zephyr $(1))"; \
	$(ZE_CC) $(ZE_CFLAGS) -I$(ZE_STUBS)/$(2) -DSTUB_KERNEL_VERSION=$(3) \
		$(call rtos_words,$(4)) -c $(ZE_DIR)/tl_zephyr.c \
		-o $(ZE_OUT)/tl_zephyr-$(1).o || exit 1

# $(call ze_refuse,name,version,extra,message)
ze_refuse = printf '  %-7s %s\n' REFUSE "Zephyr $(1): $(subst ., ,$(4))"; \
	if $(ZE_CC) $(ZE_CFLAGS) -I$(ZE_STUBS)/v3 -DSTUB_KERNEL_VERSION=$(2) \
		$(call rtos_words,$(3)) -fsyntax-only $(ZE_DIR)/tl_zephyr.c \
		>$(ZE_OUT)/refuse.log 2>&1; then \
		echo "check-zephyr: $(1) compiled, it must not" >&2; exit 1; \
	elif ! grep -q '$(4)' $(ZE_OUT)/refuse.log; then \
		cat $(ZE_OUT)/refuse.log >&2; \
		echo "check-zephyr: $(1) refused without '$(4)'" >&2; exit 1; \
	fi

check-zephyr: rtos-deps
	$(Q)mkdir -p $(ZE_OUT)
	$(Q)$(foreach b,$(ZE_BUILDS),$(call ze_build,$(call rtos_field,$(b),1),$(call rtos_field,$(b),2),$(call rtos_field,$(b),3),$(call rtos_field,$(b),4));) true
	$(Q)$(foreach r,$(ZE_REFUSE),$(call ze_refuse,$(call rtos_field,$(r),1),$(call rtos_field,$(r),2),$(call rtos_field,$(r),3),$(call rtos_field,$(r),4));) true
	$(quiet) CMAKE "$(ZE_DIR)/CMakeLists.txt"
	$(Q)cmake -P $(ZE_STUBS)/cmake_check.cmake

# ------------------------------------------------------------------- clean

rtos-clean:
	$(Q)rm -rf $(FR_ROOT) $(ZE_ROOT)

clean: rtos-clean
