# SPDX-License-Identifier: GPL-3.0-or-later
#
# tasklocal - task-local storage for C schedulers.
#
#   make                 libtasklocal.a and libtasklocal.so.$(VERSION)
#   make demo            the example of two tasks on the demo scheduler, then
#                        the benchmark summary
#   make check           the CUnit suites (normal, TL_DEBUG, pthread keys taken)
#   make check-sanitize  the suites under AddressSanitizer + UBSan
#   make check-valgrind  the suites under valgrind memcheck
#   make check-tsan      eight threads on shared locals under ThreadSanitizer
#   make check-install   install into a scratch root, build against it, uninstall
#   make check-cxx       the public headers as C++
#   make check-config    a program built with other options fails to link
#   make check-layers    lib/'s objects call each other without a cycle
#   make check-model     random operations on three threads against a model
#   make check-examples  every C block of the README and example of the headers
#                        compiles
#   make check-plugin    the static library inside a dlopen()ed plugin
#   make check-preempt   TL_THREADS=0 under a switch interrupt between any
#                        two instructions (a timer signal, x86-64 Linux)
#   make check-ports     the GNU Pth, PCL and libuv ports' tests
#                        (check-ports-valgrind: under valgrind)
#   make check-rtos      FreeRTOS (simulator, Cortex-M3 under QEMU) and Zephyr
#                        tests; FREERTOS_KERNEL=path (check-freertos alone)
#   make cross           the Cortex-M3 archive; check-cross its tests under
#                        QEMU, size-report the core's .text against 4 KiB
#   make bench           every DESIGN.md target, exit 1 on a miss (slow);
#                        bench-summary (short), bench-smoke (heap calls
#                        only, CI), bench-plot (scaling)
#   make install         headers, libraries, man pages, tasklocal.pc under
#                        $(DESTDIR)$(PREFIX); make uninstall removes them
#   make deps            the Debian packages the tests need (as root:
#                        installed; every target does this; NO_DEPS=1: warn)
#   make clean           every build product (of this O=)
#   make help            this list
#
# Kernel conventions: CROSS_COMPILE=arm-none-eabi- for a cross build, V=1 for
# the full commands, O=dir for every build product (each at its place in
# the tree's layout under dir, so that several configurations can sit side
# by side; make O=dir clean removes them),
# CONFIG='-DTL_THREADS=0 ...' for library options (see
# include/tasklocal/config.h; they go into tasklocal.pc too).  A cross build
# makes the static library only.

# The version is written once, in include/tasklocal/version.h.
VERSION   := $(shell sed -n 's/^\#define TL_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)$$/\2/p' \
		include/tasklocal/version.h | paste -sd.)
SOVERSION := $(firstword $(subst ., ,$(VERSION)))

# gcc, unless the command line or the environment names another compiler
# (CC=clang make); a cross build's tools are CROSS_COMPILE's, unless the
# command line names others (an environment's CC is the host's).
CROSS_COMPILE ?=
# Whether tool variable $1 takes CROSS_COMPILE's: unless the command line
# names it (or, without CROSS_COMPILE, the environment).
cross_tool = $(if $(CROSS_COMPILE),$(filter-out command line,$(origin $1)),$(filter default undefined,$(origin $1)))
$(foreach t,CC:gcc AR:ar NM:nm SIZE:size,$(if $(call cross_tool,$(firstword $(subst :, ,$t))),\
	$(eval $(firstword $(subst :, ,$t)) := $(CROSS_COMPILE)$(lastword $(subst :, ,$t)))))

PREFIX     ?= /usr/local
INCLUDEDIR ?= $(PREFIX)/include
LIBDIR     ?= $(PREFIX)/lib
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
MANDIR     ?= $(PREFIX)/share/man

CONFIG  ?=
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
TL_CFLAGS = -std=c11 $(WARN) -Iinclude $(CPPFLAGS) $(CONFIG) $(CFLAGS)
# A cross target has no pthreads; a TL_THREADS=0 library needs none, so
# tasklocal.pc names none for it (the host's tests use threads whatever).
LDLIBS_THREADS := $(if $(CROSS_COMPILE),,-lpthread)
PC_THREADS     := $(if $(findstring TL_THREADS=0,$(CONFIG)),,$(LDLIBS_THREADS))

# A cross compiler has no uthash of its own: name the host's header alone,
# so that none of the host's other headers comes along with it.
UTHASH_H ?= /usr/include/uthash.h
ifneq ($(CROSS_COMPILE),)
TL_CFLAGS += -DTL_UTHASH_HEADER='"$(UTHASH_H)"'
endif

ifeq ($(V),1)
Q :=
quiet = @true
else
Q := @
quiet = @printf '  %-7s %s\n'
endif

# Every product has the path of its place in the source tree, under $(O).
# OUT is that prefix: empty when O is the tree itself, so that the names
# read as they always did.  UNIT_OUT and TOOLS_OUT hold what unit/ and
# tools/ build; the tools/*.mk files each name their own root the same way.
O ?= .
OUT       := $(if $(filter $(CURDIR),$(abspath $(O))),,$(O:%/=%)/)
UNIT_OUT  := $(OUT)unit
TOOLS_OUT := $(OUT)tools

LIB_SRCS  := $(sort $(wildcard lib/*.c))
LIB_OBJS  := $(addprefix $(OUT),$(LIB_SRCS:.c=.o))
PIC_OBJS  := $(addprefix $(OUT),$(LIB_SRCS:.c=.pic.o))
HEADERS   := include/tasklocal.h $(wildcard include/tasklocal/*.h)
# What every object is built from besides its source: the headers, and the
# flags it was built with (a change of CONFIG, CC or CFLAGS rebuilds them,
# so that the library, what is built on its headers and tasklocal.pc never
# disagree).
FLAGS_STAMP := $(OUT)build.flags
BUILD_DEPS  := $(HEADERS) $(FLAGS_STAMP)
LIB_HDRS  := $(wildcard lib/*.h)

STATIC := $(OUT)libtasklocal.a
SHARED := $(OUT)libtasklocal.so.$(VERSION)
SONAME := libtasklocal.so.$(SOVERSION)
PC_FILE := $(OUT)tasklocal.pc

.PHONY: all deps lib-deps help man check-config check-layers check-model check-examples check-tsan demo check check-sanitize check-valgrind \
	check-install check-cxx install uninstall clean FORCE
.DEFAULT_GOAL := all

all: lib-deps
	+$(Q)$(MAKE) --no-print-directory $(STATIC) \
		$(if $(CROSS_COMPILE),,$(SHARED) $(PC_FILE))

# Missing Debian packages: installed when root, otherwise the apt-get line
# (NO_DEPS=1: a warning only).  The headers are looked for with this
# build's compiler and flags.
DEPS = DEPS_CC='$(CC)' DEPS_CPPFLAGS='$(CPPFLAGS) $(CONFIG) $(CFLAGS)' \
	DEPS_UTHASH_H='$(if $(CROSS_COMPILE),$(UTHASH_H))' tools/deps.sh
deps:
	$(Q)$(DEPS)

# The library alone needs uthash (the host's header, for a cross build too).
lib-deps:
	$(Q)$(DEPS) --lib

help:
	@sed -n 's/^#   //p' Makefile

# ------------------------------------------------------------------ library

$(FLAGS_STAMP): FORCE
	$(Q)mkdir -p $(@D) && echo '$(CC) $(TL_CFLAGS)' > $@.new && \
	if cmp -s $@.new $@; then rm $@.new; else mv $@.new $@; fi

$(OUT)lib/%.o: lib/%.c $(BUILD_DEPS) $(LIB_HDRS)
	$(quiet) CC $@
	$(Q)mkdir -p $(@D) && $(CC) $(TL_CFLAGS) -c $< -o $@

$(OUT)lib/%.pic.o: lib/%.c $(BUILD_DEPS) $(LIB_HDRS)
	$(quiet) CC $@
	$(Q)mkdir -p $(@D) && $(CC) $(TL_CFLAGS) -fPIC -c $< -o $@

$(STATIC): $(LIB_OBJS)
	$(quiet) AR $@
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# Only the public API and what the inline code calls leave the library,
# under a version node (lib/tasklocal.map).
$(SHARED): $(PIC_OBJS) lib/tasklocal.map
	$(quiet) LD $@
	$(Q)$(CC) -shared -Wl,-soname,$(SONAME) -Wl,--version-script=lib/tasklocal.map \
		$(LDFLAGS) -o $@ $(PIC_OBJS) $(LDLIBS_THREADS)
	$(Q)ln -sf $(notdir $(SHARED)) $(OUT)$(SONAME)
	$(Q)ln -sf $(notdir $(SHARED)) $(OUT)libtasklocal.so

# The .pc text, for the PREFIX and CONFIG of this make invocation.
PC_TEXT = printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' \
	'includedir=$(INCLUDEDIR)' '' 'Name: tasklocal' \
	'Description: task-local storage for C schedulers' \
	'Version: $(VERSION)' 'Libs: -L$${libdir} -ltasklocal' \
	'Libs.private: $(PC_THREADS)' \
	'Cflags: -I$${includedir}$(if $(strip $(CONFIG)), $(strip $(CONFIG)))'

$(PC_FILE): FORCE
	$(quiet) GEN $@
	$(Q)mkdir -p $(@D) && $(PC_TEXT) > $@

FORCE:

# -------------------------------------------------------------------- tools

# The library is strict C11; the tools and tests are GNU C, as most users
# compile (gcc's default), which takes the x86-64 %fs fast path of
# tasklocal.h.  The sanitizer build stays strict: it tests the other path.
TOOLS_CFLAGS = $(TL_CFLAGS) -std=gnu11 -D_GNU_SOURCE -iquote tools

$(TOOLS_OUT)/%.o: tools/%.c $(BUILD_DEPS) $(wildcard tools/*.h)
	$(quiet) CC $@
	$(Q)mkdir -p $(@D) && $(CC) $(TOOLS_CFLAGS) -c $< -o $@

$(TOOLS_OUT)/demo: $(TOOLS_OUT)/demo.o $(TOOLS_OUT)/sched.o $(STATIC)
	$(quiet) LD $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_THREADS)

demo: lib-deps
	$(Q)$(MAKE) --no-print-directory $(TOOLS_OUT)/demo
	$(Q)$(TOOLS_OUT)/demo
	$(Q)$(MAKE) --no-print-directory bench-summary

# -------------------------------------------------------------------- tests
#
# unit/run: every suite listed in unit/suites.h against the library as
# configured.  unit/run-debug: the TL_DEBUG suites (unit/suites-debug.h)
# against a TL_DEBUG=1 build of the library, objects *.dbg.o.  All of them
# under $(UNIT_OUT), the objects of lib/ and tools/ under $(OUT).

DEBUG_UNIT := unit/debug.c unit/gens.c
OWN_UNIT   := unit/rootkey.c
UNIT_SRCS  := $(filter-out $(DEBUG_UNIT) $(OWN_UNIT),$(sort $(wildcard unit/*.c)))
UNIT_LIBS  := -lcunit $(LDLIBS_THREADS)

$(UNIT_OUT)/%.o: unit/%.c $(BUILD_DEPS) $(wildcard unit/*.h) $(wildcard tools/*.h)
	$(quiet) CC $@
	$(Q)mkdir -p $(@D) && $(CC) $(TOOLS_CFLAGS) -iquote unit -c $< -o $@

$(UNIT_OUT)/run: $(addprefix $(OUT),$(UNIT_SRCS:.c=.o)) $(TOOLS_OUT)/sched.o $(STATIC)
	$(quiet) LD $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(UNIT_LIBS)

# Generations count to 64 here, so that unit/gens.c sees a wrap at once.
DEBUG_FLAGS = -DTL_DEBUG=1 -DTL__GEN_LAST=64u -DTL__KEY_USES_LAST=64u

$(OUT)%.dbg.o: %.c $(BUILD_DEPS) $(LIB_HDRS) $(wildcard unit/*.h)
	$(quiet) CC $@
	$(Q)mkdir -p $(@D) && $(CC) $(TOOLS_CFLAGS) $(DEBUG_FLAGS) -iquote unit \
		-DUNIT_SUITES='"suites-debug.h"' -c $< -o $@

$(UNIT_OUT)/run-debug: $(addprefix $(OUT),unit/main.dbg.o $(DEBUG_UNIT:.c=.dbg.o) \
		$(LIB_SRCS:.c=.dbg.o))
	$(quiet) LD $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(UNIT_LIBS)

# unit/run-rootkey: a program of its own, which takes every pthread key at
# start-up (unit/rootkey.c).
$(UNIT_OUT)/main.rk.o: unit/main.c $(BUILD_DEPS) $(wildcard unit/*.h)
	$(quiet) CC $@
	$(Q)mkdir -p $(@D) && $(CC) $(TOOLS_CFLAGS) -iquote unit \
		-DUNIT_SUITES='"suites-rootkey.h"' -c $< -o $@

$(UNIT_OUT)/run-rootkey: $(UNIT_OUT)/main.rk.o $(UNIT_OUT)/rootkey.o $(STATIC)
	$(quiet) LD $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(UNIT_LIBS) -ldl

UNIT_RUNS := $(addprefix $(UNIT_OUT)/,run run-debug run-rootkey)

check: deps
	$(Q)$(MAKE) --no-print-directory $(UNIT_RUNS)
	$(Q)$(UNIT_OUT)/run
	$(Q)$(UNIT_OUT)/run-debug
	$(Q)$(UNIT_OUT)/run-rootkey

# Sanitizers: a separate build tree would be a top-level folder, so the
# objects of this variant carry their own suffix instead (under $(OUT)).
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	     -fno-sanitize-recover=all

$(OUT)%.san.o: %.c $(BUILD_DEPS) $(LIB_HDRS) $(wildcard unit/*.h) $(wildcard tools/*.h)
	$(quiet) CC $@
	$(Q)mkdir -p $(@D) && $(CC) $(TOOLS_CFLAGS) -std=c11 $(SAN_FLAGS) \
		-iquote unit -c $< -o $@

$(UNIT_OUT)/run-san: $(addprefix $(OUT),$(UNIT_SRCS:.c=.san.o) tools/sched.san.o \
		$(LIB_SRCS:.c=.san.o))
	$(quiet) LD $@
	$(Q)$(CC) $(SAN_FLAGS) $(LDFLAGS) -o $@ $^ $(UNIT_LIBS)

# UBSan alone, in GNU C: the x86-64 %fs fast path (ASan turns it off).
UB_FLAGS := -O1 -g -fsanitize=undefined -fno-sanitize-recover=all

$(OUT)%.ub.o: %.c $(BUILD_DEPS) $(LIB_HDRS) $(wildcard unit/*.h) $(wildcard tools/*.h)
	$(quiet) CC $@
	$(Q)mkdir -p $(@D) && $(CC) $(TOOLS_CFLAGS) $(UB_FLAGS) -iquote unit -c $< -o $@

$(UNIT_OUT)/run-ubsan: $(addprefix $(OUT),$(UNIT_SRCS:.c=.ub.o) tools/sched.ub.o \
		$(LIB_SRCS:.c=.ub.o))
	$(quiet) LD $@
	$(Q)$(CC) $(UB_FLAGS) $(LDFLAGS) -o $@ $^ $(UNIT_LIBS)

check-sanitize: deps
	$(Q)$(MAKE) --no-print-directory $(UNIT_OUT)/run-san $(UNIT_OUT)/run-ubsan
	$(Q)ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $(UNIT_OUT)/run-san
	$(Q)UBSAN_OPTIONS=print_stacktrace=1 $(UNIT_OUT)/run-ubsan

# ThreadSanitizer (clang): tools/stress.c, eight threads on shared locals.
TSAN_FLAGS := -O1 -g -fsanitize=thread

$(OUT)%.tsan.o: %.c $(BUILD_DEPS) $(LIB_HDRS)
	$(quiet) CC $@
	$(Q)mkdir -p $(@D) && clang $(TL_CFLAGS) -std=gnu11 -D_GNU_SOURCE \
		$(TSAN_FLAGS) -c $< -o $@

$(TOOLS_OUT)/stress-tsan: $(addprefix $(OUT),tools/stress.tsan.o $(LIB_SRCS:.c=.tsan.o))
	$(quiet) LD $@
	$(Q)clang $(TSAN_FLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_THREADS)

# clang's sanitizer runtimes are only recommended by its Debian package.
check-tsan: deps
	$(Q)$(DEPS) clang libclang-rt-dev
	$(Q)$(MAKE) --no-print-directory $(TOOLS_OUT)/stress-tsan
	$(Q)TSAN_OPTIONS=halt_on_error=1 $(TOOLS_OUT)/stress-tsan

# fork() children report through their exit status, which an error of
# theirs still sets: their own reports would be noise (a child of a fork
# taken while another thread added a value loses that slot, by design).
# Fair scheduling: a thread that spins (the busy ones of the fork test)
# would otherwise keep valgrind's one lock and starve the others.
VALGRIND := valgrind --quiet --error-exitcode=1 --leak-check=full \
	    --show-leak-kinds=definite,indirect \
	    --errors-for-leak-kinds=definite,indirect \
	    --child-silent-after-fork=yes --fair-sched=yes

check-valgrind: deps
	$(Q)$(DEPS) valgrind
	$(Q)$(MAKE) --no-print-directory $(UNIT_RUNS)
	$(Q)$(VALGRIND) $(UNIT_OUT)/run
	$(Q)$(VALGRIND) $(UNIT_OUT)/run-debug
	$(Q)$(VALGRIND) $(UNIT_OUT)/run-rootkey

# ------------------------------------------------------------------ man pages
#
# One page per public function, made from the headers' kernel-doc
# (tools/man/mkman.sh), and the overview tasklocal(7).

# Not a top-level folder of the source tree: under tools/ when O is the tree.
MAN_OUT := $(if $(OUT),$(OUT)man,tools/man/out)

man: $(HEADERS) tools/man/mkman.sh
	$(quiet) GEN $(MAN_OUT)/man3
	$(Q)rm -rf $(MAN_OUT)/man3 && tools/man/mkman.sh $(MAN_OUT)/man3 $(VERSION) $(HEADERS)

# ------------------------------------------------------------------ install

install: all man
	$(Q)install -d $(DESTDIR)$(INCLUDEDIR)/tasklocal $(DESTDIR)$(LIBDIR) \
		$(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man7
	$(Q)install -m 644 $(MAN_OUT)/man3/*.3* $(DESTDIR)$(MANDIR)/man3/
	$(Q)install -m 644 tools/man/tasklocal.7 $(DESTDIR)$(MANDIR)/man7/
	$(Q)install -m 644 include/tasklocal.h $(DESTDIR)$(INCLUDEDIR)/
	$(Q)install -m 644 $(wildcard include/tasklocal/*.h) \
		$(DESTDIR)$(INCLUDEDIR)/tasklocal/
	$(Q)install -m 644 $(STATIC) $(DESTDIR)$(LIBDIR)/
ifeq ($(CROSS_COMPILE),)
	$(Q)install -m 755 $(SHARED) $(DESTDIR)$(LIBDIR)/
	$(Q)ln -sf $(notdir $(SHARED)) $(DESTDIR)$(LIBDIR)/$(SONAME)
	$(Q)ln -sf $(notdir $(SHARED)) $(DESTDIR)$(LIBDIR)/libtasklocal.so
endif
	$(Q)$(PC_TEXT) > $(DESTDIR)$(PKGCONFIGDIR)/tasklocal.pc

# Exactly what install put there: the man pages by the names made for
# them (made anew in a scratch directory: nothing is written in the tree).
uninstall:
	$(Q)rm -f $(DESTDIR)$(INCLUDEDIR)/tasklocal.h \
		$(addprefix $(DESTDIR)$(INCLUDEDIR)/tasklocal/,$(notdir $(wildcard include/tasklocal/*.h))) \
		$(DESTDIR)$(LIBDIR)/libtasklocal.a \
		$(DESTDIR)$(LIBDIR)/libtasklocal.so.$(VERSION) \
		$(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libtasklocal.so \
		$(DESTDIR)$(PKGCONFIGDIR)/tasklocal.pc \
		$(DESTDIR)$(MANDIR)/man7/tasklocal.7
	$(Q)pages=$$(mktemp -d) && tools/man/mkman.sh $$pages $(VERSION) $(HEADERS) && \
	for page in $$pages/*; do \
		rm -f "$(DESTDIR)$(MANDIR)/man3/$${page##*/}"; done; rm -rf $$pages
	$(Q)rmdir $(DESTDIR)$(INCLUDEDIR)/tasklocal 2>/dev/null || true

# The public headers compile as C++ too (a C++ scheduler may embed them),
# and without a warning where users turn on more (-Wcast-align: the casts
# of the inline code go through void *).  In C++11 TL_LOCAL(.name = ...)
# is g++'s extension, which -Wextra warns of for each field left out.
check-cxx: $(STATIC)
	$(Q)$(DEPS) --lib g++
	$(quiet) TEST $@
	$(Q)mkdir -p $(TOOLS_OUT) && for std in c++11 c++14 c++17 c++20; do \
		printf '%s\n' '#include "tasklocal.h"' '#include "tasklocal/posix.h"' \
		'static struct tl_local l = TL_LOCAL(.name = "x");' \
		'int main() { tl_set(&l, &l); return tl_get(&l) != &l; }' | \
		$(CROSS_COMPILE)g++ -std=$$std -Wall -Wextra -Wcast-align=strict \
		$$([ $$std = c++11 ] && echo -Wno-missing-field-initializers) \
		-Werror -Iinclude $(CONFIG) -x c++ - \
		-x none -o $(TOOLS_OUT)/check-cxx $(STATIC) $(LDLIBS_THREADS) && \
		$(TOOLS_OUT)/check-cxx || exit 1; \
	done; rm -f $(TOOLS_OUT)/check-cxx

# Every C block of the README and every Example:: of the headers compiles.
check-examples:
	$(quiet) TEST $@
	$(Q)tools/check-examples.sh $(CC) -std=gnu11 $(WARN) -Werror -Iinclude $(CONFIG)

# Random operations on three threads against a model (ASan, UBSan).
$(TOOLS_OUT)/model: $(addprefix $(OUT),tools/model.san.o $(LIB_SRCS:.c=.san.o))
	$(quiet) LD $@
	$(Q)$(CC) $(SAN_FLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS_THREADS)

check-model: deps $(TOOLS_OUT)/model
	$(quiet) TEST $@
	$(Q)for seed in 1 2 3 4 5 6 7 8; do \
		$(TOOLS_OUT)/model $$seed 40000 || exit 1; done

# lib/'s objects call each other without a cycle.
check-layers: $(LIB_OBJS)
	$(quiet) TEST $@
	$(Q)tools/check-layers.sh $(LIB_OBJS)

# A program compiled with other options than the library's must not link.
CHECK_CONFIG := $(TOOLS_OUT)/check-config
check-config: $(STATIC)
	$(quiet) TEST $@
	$(Q)mkdir -p $(TOOLS_OUT) && printf '%s\n' '#include "tasklocal.h"' \
		'static struct tl_local l;' \
		'int main(void) { return tl_get(&l) != 0; }' > $(CHECK_CONFIG).c
	$(Q)$(CC) -std=c11 -Iinclude -o $(CHECK_CONFIG) $(CHECK_CONFIG).c \
		$(STATIC) $(LDLIBS_THREADS) && $(CHECK_CONFIG)
	$(Q)! $(CC) -std=c11 -Iinclude -DTL_CACHE_SIZE=1024 -o $(CHECK_CONFIG) \
		$(CHECK_CONFIG).c $(STATIC) $(LDLIBS_THREADS) 2>/dev/null
	$(Q)! $(CC) -std=c11 -Iinclude -DTL_THREADS=0 -o $(CHECK_CONFIG) \
		$(CHECK_CONFIG).c $(STATIC) $(LDLIBS_THREADS) 2>/dev/null
	$(Q)rm -f $(CHECK_CONFIG) $(CHECK_CONFIG).c

# Install into a scratch root, build the demo against what was installed
# (through pkg-config), run it, uninstall, and check nothing is left.
INSTALL_CHECK_ROOT := $(TOOLS_OUT)/install-check
check-install: all
	$(Q)$(DEPS) --lib pkg-config
	$(Q)rm -rf $(INSTALL_CHECK_ROOT)
	$(Q)$(MAKE) --no-print-directory install DESTDIR=$(abspath $(INSTALL_CHECK_ROOT)) PREFIX=/usr
	$(quiet) TEST $@
	$(Q)export PKG_CONFIG_PATH=$(INSTALL_CHECK_ROOT)/usr/lib/pkgconfig \
	 PKG_CONFIG_SYSROOT_DIR=$(abspath $(INSTALL_CHECK_ROOT)) && \
	 $(CC) -std=c11 -D_GNU_SOURCE -o $(INSTALL_CHECK_ROOT)/demo tools/demo.c tools/sched.c \
		$$(pkg-config --cflags tasklocal) \
		$$(pkg-config --libs --static tasklocal | sed 's/-ltasklocal/-l:libtasklocal.a/')
	$(Q)$(INSTALL_CHECK_ROOT)/demo >/dev/null
	$(Q)rm -f $(INSTALL_CHECK_ROOT)/demo
	$(Q)$(MAKE) --no-print-directory uninstall DESTDIR=$(abspath $(INSTALL_CHECK_ROOT)) PREFIX=/usr
	$(Q)test -z "$$(find $(INSTALL_CHECK_ROOT) -type f -o -type l)" || \
		{ echo "uninstall left:"; find $(INSTALL_CHECK_ROOT) -type f -o -type l; exit 1; }
	$(Q)rm -rf $(INSTALL_CHECK_ROOT)

# The products of this O=, those of tools/*.mk through their own clean
# targets (prerequisites, so done first); in a build tree of its own, then
# the directories the build made there, as far as they are empty.
clean:
	$(Q)rm -f $(OUT)lib/*.o $(UNIT_OUT)/*.o $(TOOLS_OUT)/*.o $(STATIC) $(FLAGS_STAMP) \
		$(OUT)libtasklocal.so* $(PC_FILE) \
		$(addprefix $(UNIT_OUT)/,run run-debug run-rootkey run-san run-ubsan) \
		$(TOOLS_OUT)/demo $(TOOLS_OUT)/stress-tsan $(TOOLS_OUT)/model $(TOOLS_OUT)/check-cxx \
		$(CHECK_CONFIG) $(CHECK_CONFIG).c
	$(Q)rm -rf $(MAN_OUT) $(INSTALL_CHECK_ROOT)
	$(if $(OUT),$(Q)find $(OUT)lib $(UNIT_OUT) $(TOOLS_OUT) -depth -type d -empty \
		-delete 2>/dev/null; true)

# Further targets of the tools (benchmark, firmware), each in its own file.
-include $(wildcard tools/*.mk)
