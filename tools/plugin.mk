# SPDX-License-Identifier: GPL-3.0-or-later
#
# tools/plugin.mk - the static library inside a plugin loaded by dlopen():
# built with TL_DYNAMIC_TLS=1 (general-dynamic TLS) and -fPIC into its own
# directory, linked into $(PLUGIN_OUT)/plugin.so (tools/plugin/out, under
# $(O) if set) with its symbols kept inside, and run by
# $(PLUGIN_OUT)/host.  Included by the Makefile.
#
#   make check-plugin

PLUGIN_DIR := tools/plugin
PLUGIN_OUT := $(OUT)$(PLUGIN_DIR)/out
PLUGIN_LIB := $(PLUGIN_OUT)/libtasklocal.a

.PHONY: check-plugin plugin-lib plugin-clean

# The library through the Makefile's own rules, in a directory of its own.
plugin-lib:
	+$(Q)$(MAKE) --no-print-directory O=$(PLUGIN_OUT) \
		CFLAGS='$(CFLAGS) -fPIC' CONFIG='$(CONFIG) -DTL_DYNAMIC_TLS=1' \
		$(PLUGIN_LIB)

$(PLUGIN_OUT)/plugin.so: $(PLUGIN_DIR)/plugin.c plugin-lib $(HEADERS)
	$(quiet) LD $@
	$(Q)$(CC) $(TL_CFLAGS) -DTL_DYNAMIC_TLS=1 -fPIC -shared \
		-Wl,--exclude-libs,ALL -o $@ $< $(PLUGIN_LIB) $(LDLIBS_THREADS)

$(PLUGIN_OUT)/host: $(PLUGIN_DIR)/host.c
	$(quiet) LD $@
	$(Q)mkdir -p $(@D) && $(CC) $(TL_CFLAGS) -D_GNU_SOURCE -o $@ $< -ldl

check-plugin: $(PLUGIN_OUT)/plugin.so $(PLUGIN_OUT)/host
	$(quiet) TEST $@
	$(Q)$(PLUGIN_OUT)/host $(PLUGIN_OUT)/plugin.so

plugin-clean:
	$(Q)rm -rf $(PLUGIN_OUT)

clean: plugin-clean
