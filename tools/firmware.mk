# SPDX-License-Identifier: GPL-3.0-or-later
#
# tools/firmware.mk - the firmware build: the heapless, single-threaded
# library for Cortex-M3, the proofs CI runs on it, and the test image on an
# emulated Cortex-M3 (QEMU mps2-an385).  Included by the Makefile.
#
#   make cross            tools/firmware/out/libtasklocal.a: Cortex-M3, -Os,
#                         TL_HEAPLESS=1 TL_THREADS=0
#                         TL_CACHE_SIZE=$(FW_CACHE_SIZE)
#   make check-headers    the cross build reads no host header but uthash.h
#   make check-heapless   the archive references no malloc/free/calloc/realloc
#   make size-report      per-object size table (firmware and hosted x86-64),
#                         and the library's text in a minimal image
#                         (tools/firmware/minimal.c); fails when the core's
#                         text exceeds $(FW_BUDGET) bytes
#   make check-firmware   the test image (tools/firmware/test.c) under QEMU;
#                         fails on any failed check, fault or timeout
#   make check-cross      all of the above, and the test image once more with
#                         the lookup cache off (TL_CACHE_SIZE=0): what CI runs
#
# Everything is built under $(FW_ROOT) (tools/firmware/out, under $(O) if
# set), each configuration in its own directory, $(FW_OUT) the one being
# built; a change of flags there rebuilds it.

FW_DIR        := tools/firmware
FW_ROOT       := $(OUT)$(FW_DIR)/out
FW_OUT        ?= $(FW_ROOT)
FW_CROSS      ?= arm-none-eabi-
FW_CC         := $(FW_CROSS)gcc
FW_NM         := $(FW_CROSS)nm
FW_SIZE       := $(FW_CROSS)size

# The lookup cache is on: lookups detect a switch (see tasklocal.h), so it
# is safe under a preemptive kernel whose lock is a critical section.
FW_CACHE_SIZE ?= 8
FW_ARCH       := -mcpu=cortex-m3 -mthumb
FW_CFLAGS     ?= $(FW_ARCH) -Os -ffreestanding -ffunction-sections \
		 -fdata-sections -g
FW_CONFIG     := -DTL_THREADS=0 -DTL_HEAPLESS=1 -DTL_CACHE_SIZE=$(FW_CACHE_SIZE)
# DESIGN.md's target: the core (every object but the layers listed in
# size-report.sh, the registry included) within 4 KiB of text, cache on.
FW_BUDGET     ?= 4096
FW_TIMEOUT    ?= 60
FW_QEMU       ?= qemu-system-arm -M mps2-an385 -nographic -semihosting
FW_DEPS       := gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm

FW_LIB        := $(FW_OUT)/libtasklocal.a
FW_HOSTED     := $(FW_ROOT)/hosted
FW_ELF        := $(FW_OUT)/test.elf
FW_OBJS       := $(addprefix $(FW_OUT)/fw/,startup.o sched.o switch.o test.o)
FW_MIN_ELF    := $(FW_OUT)/minimal.elf

# The library through the Makefile's own rules, in a directory of its own;
# warnings are errors (the options there compile code no hosted build does).
FW_LIBMAKE = $(MAKE) --no-print-directory O=$(FW_OUT) \
	CROSS_COMPILE=$(FW_CROSS) CC=$(FW_CROSS)gcc AR=$(FW_CROSS)ar \
	CFLAGS='$(FW_CFLAGS) -Werror' CONFIG='$(FW_CONFIG)'

# The test image: newlib-nano, printf and exit() over semihosting (rdimon),
# our own vector table and reset handler instead of rdimon's crt0.
FW_IMG_CFLAGS  = -std=c11 $(WARN) -Werror -Iinclude -I$(FW_DIR) $(FW_CONFIG) \
		 $(FW_ARCH) -Os -g -ffunction-sections -fdata-sections \
		 --specs=nano.specs
FW_IMG_LDFLAGS = $(FW_ARCH) --specs=nano.specs --specs=rdimon.specs \
		 -nostartfiles -T $(FW_DIR)/firmware.ld -Wl,--gc-sections \
		 -Wl,-Map=$(FW_OUT)/test.map

# What a heapless library must not reference.
FW_HEAP_SYMS  := malloc free calloc realloc reallocarray aligned_alloc \
		 memalign posix_memalign valloc pvalloc _malloc_r _free_r \
		 _calloc_r _realloc_r sbrk _sbrk _sbrk_r

.PHONY: cross check-headers check-heapless size-report check-firmware \
	check-cross fw-deps fw-clean

# Rebuild a build directory whenever the flags it was built with change:
# the Makefile's object rules know the headers, not the flags.
# $(call fw_flags,dir,flags)
fw_flags = mkdir -p $(1) && echo '$(2)' > $(1)/flags.new && \
	{ cmp -s $(1)/flags.new $(1)/flags || \
	  rm -rf $(1)/lib $(1)/fw $(1)/libtasklocal.a $(1)/test.elf; } && \
	mv $(1)/flags.new $(1)/flags

fw-deps:
	$(Q)$(DEPS) $(FW_DEPS)

cross: fw-deps
	$(Q)$(call fw_flags,$(FW_OUT),$(FW_CROSS) $(FW_CFLAGS) $(FW_CONFIG))
	+$(Q)$(FW_LIBMAKE) $(FW_LIB)

# A cross compiler has no uthash: the Makefile names the host's header
# alone.  Every header the library's files read must come from the cross
# toolchain (newlib, gcc), except that one.
check-headers: cross
	$(quiet) HEADERS "$(FW_LIB)"
	$(Q)sh $(FW_DIR)/check-headers.sh $(UTHASH_H) $(FW_CC) -std=c11 -Iinclude \
		$(FW_CONFIG) $(FW_CFLAGS) -DTL_UTHASH_HEADER='"$(UTHASH_H)"' -- \
		$(LIB_SRCS)

# The undefined symbols of the archive that none of its members defines
# are what it needs from the outside world: none may be an allocator.
check-heapless: cross
	$(quiet) NM "$(FW_LIB): no heap symbols"
	$(Q)$(FW_NM) --defined-only $(FW_LIB) | awk 'NF == 3 { print $$3 }' | \
		sort -u > $(FW_OUT)/defined
	$(Q)$(FW_NM) -u $(FW_LIB) | awk '$$1 == "U" || $$1 == "w" { print $$2 }' | \
		sort -u | comm -23 - $(FW_OUT)/defined > $(FW_OUT)/external
	$(Q)echo "  external symbols:" $$(cat $(FW_OUT)/external)
	$(Q)if grep -xF $(FW_HEAP_SYMS:%=-e %) $(FW_OUT)/external >/dev/null; then \
		echo "check-heapless: the heapless library references the heap:" >&2; \
		$(FW_NM) -A -u $(FW_LIB) | grep -wF $(FW_HEAP_SYMS:%=-e %) >&2; \
		exit 1; \
	fi

# The hosted default build beside it, for the table only.
size-report: cross
	$(Q)$(call fw_flags,$(FW_HOSTED),hosted -O2 -g)
	$(Q)$(MAKE) --no-print-directory O=$(FW_HOSTED) CROSS_COMPILE= CONFIG= \
		CFLAGS='-O2 -g' $(FW_HOSTED)/libtasklocal.a
	$(Q)$(MAKE) --no-print-directory $(FW_MIN_ELF)
	$(Q)SIZE=$(FW_SIZE) NM=$(FW_NM) HOST_SIZE=size sh $(FW_DIR)/size-report.sh \
		$(FW_LIB) $(FW_HOSTED)/libtasklocal.a $(FW_BUDGET) \
		$(FW_OUT)/minimal.map

$(FW_OUT)/fw/%.o: $(FW_DIR)/%.c $(HEADERS) $(FW_DIR)/sched.h $(FW_DIR)/semihost.h
	$(quiet) CC $@
	$(Q)mkdir -p $(@D) && $(FW_CC) $(FW_IMG_CFLAGS) -c $< -o $@

$(FW_OUT)/fw/%.o: $(FW_DIR)/%.S
	$(quiet) AS $@
	$(Q)mkdir -p $(@D) && $(FW_CC) $(FW_ARCH) -c $< -o $@

# $(FW_LIB) has no rule here: `cross` makes it before this is asked for.
$(FW_ELF): $(FW_OBJS) $(FW_LIB) $(FW_DIR)/firmware.ld
	$(quiet) LD $@
	$(Q)$(FW_CC) $(FW_IMG_LDFLAGS) -o $@ $(FW_OBJS) $(FW_LIB)

# The minimal image: linked, never run (no vector table; main the entry),
# for its map, which says what of the library --gc-sections kept.
$(FW_MIN_ELF): $(FW_OUT)/fw/minimal.o $(FW_LIB)
	$(quiet) LD $@
	$(Q)$(FW_CC) $(FW_ARCH) --specs=nano.specs -nostartfiles -Wl,--gc-sections \
		-Wl,-e,main -Wl,-Map=$(FW_OUT)/minimal.map -o $@ $< $(FW_LIB)

# QEMU's exit status is the image's exit(): the number of failed checks,
# 255 for a fault; 124 is the timeout.  The TAP log is checked as well, so
# that an emulator dropping the status cannot pass a failing run.
check-firmware: cross
	$(Q)$(MAKE) --no-print-directory $(FW_ELF)
	$(Q)$(FW_SIZE) $(FW_ELF)
	$(quiet) QEMU $(FW_ELF)
	$(Q)status=0; timeout -k 5 $(FW_TIMEOUT) $(FW_QEMU) -kernel $(FW_ELF) \
		</dev/null >$(FW_OUT)/test.log 2>&1 || status=$$?; \
	cat $(FW_OUT)/test.log; \
	if [ $$status -eq 124 ]; then \
		echo "check-firmware: no exit within $(FW_TIMEOUT)s" >&2; exit 1; \
	elif [ $$status -ne 0 ]; then \
		echo "check-firmware: exit status $$status" >&2; exit 1; \
	elif grep -q '^not ok' $(FW_OUT)/test.log || \
	     ! grep -q '^1\.\.[1-9]' $(FW_OUT)/test.log; then \
		echo "check-firmware: failed or unfinished, yet exit status 0" >&2; \
		exit 1; \
	fi

check-cross: check-headers check-heapless size-report check-firmware
	$(Q)$(MAKE) --no-print-directory check-firmware FW_CACHE_SIZE=0 \
		FW_OUT=$(FW_ROOT)/cache0

fw-clean:
	$(Q)rm -rf $(FW_ROOT)

clean: fw-clean
