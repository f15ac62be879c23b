# SPDX-License-Identifier: GPL-2.0-or-later
# klpdiff. `make` builds it, `make check` runs every test, `make install PREFIX=...`.
# SANITIZE=1 builds with ASan and UBSan (objects go to build-san/).

VERSION := 0.1
PREFIX ?= /usr/local
CC ?= gcc
PKGS := libelf libxxhash capstone

ifeq ($(SANITIZE),1)
BUILD := build-san
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
OPT := -O1 -g
else
BUILD := build
SAN_FLAGS :=
OPT := -O2 -g
endif

CFLAGS ?= $(OPT)
override CFLAGS += -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter -Wshadow -Wformat=2 \
	-Wmissing-prototypes -Wstrict-prototypes -DKLPDIFF_VERSION='"$(VERSION)"' \
	-DKLPDIFF_INCLUDE_DIR='"$(PREFIX)/share/klpdiff/include"' \
	-Isrc $(SAN_FLAGS) $(shell pkg-config --cflags $(PKGS))
LDLIBS += $(shell pkg-config --libs $(PKGS)) -lpthread
LDFLAGS += $(SAN_FLAGS)

# Sources by layer (src/LAYER/): each layer includes only itself and the layers
# before it in LAYERS; tests/layers.t fails when one does not.
LAYERS := base elf analysis kernel patch build cmd
SRCS := $(foreach l,$(LAYERS),$(wildcard src/$(l)/*.c src/$(l)/*/*.c))
OBJS := $(patsubst src/%.c,$(BUILD)/%.o,$(SRCS))
BIN := $(BUILD)/klpdiff
# The core, base and elf: the C unit tests link these only.
CORE_OBJS := $(filter $(BUILD)/base/% $(BUILD)/elf/%,$(OBJS))
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(wildcard tests/unit/test_*.c))

all: $(BIN) klpdiff

# The main job: a livepatch for the kernel most Debian users run, Debian 13's
# 6.12, built on this Debian 12 machine from its packages, which klpdiff
# downloads (no kernel build, nothing installed), shown working in a QEMU boot
# of that kernel. demo-debian-12: the same for Debian 12's installed 6.1
# (installs what is missing first). demo-self-built: on a Linux 6.1 built here.
demo:
	scripts/setup
	$(MAKE) all
	demo/debian

demo-debian-12:
	scripts/setup
	$(MAKE) all
	demo/debian-12

demo-self-built:
	scripts/setup
	$(MAKE) all
	demo/run

$(BIN): $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# ./klpdiff is the normal build; a SANITIZE build stays in build-san/.
klpdiff: $(BIN)
ifneq ($(SANITIZE),1)
	ln -sf $(BIN) $@
endif

# Header dependencies come from the compiler (-MMD), not from every header.
$(BUILD)/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

# Everything, kernel builds and booted tests included (QUICK=1: only the fast
# tests, no kernel). Kernel builds are cached in ~/.cache/klpdiff.
TESTS := tests/source tests/unit tests/sums tests/bad-input tests/archive tests/extract tests/diff tests/verify tests/build $(if $(QUICK),,tests/kernel tests/module tests/e2e)
# JOBS tests at once (default: one per core; JOBS=1 one after the other). The
# tests are independent: what they share (kernel builds, Debian's packages and
# kallsyms, downloads) is made once under a lock beside it in the cache, and
# everything else is in a directory of their own.
JOBS ?= $(shell nproc 2>/dev/null || echo 1)
# The longest first (by their times in a run from scratch), so that two of them
# do not end up one after the other at the end; the rest follow in directory
# order. From scratch the gcc e2e kernel
# (10 minutes on 2 cores) is the longest chain: tree-untouched.t builds it while
# the Debian tests, which do not need it, take the other core(s). With
# KLPDIFF_LTO or KLPDIFF_FULL, lto.t builds the clang ThinLTO kernel (25 minutes)
# first, and the other tests that need that kernel go after the rest.
SLOW_TESTS := tests/e2e/lto.t tests/e2e/debian-7.3.t tests/kernel/tree-untouched.t tests/e2e/debian-13.t \
	tests/e2e/debian-6.12.t tests/e2e/debian.t tests/e2e/debian-partial-source.t tests/kernel/linux-5.10.t \
	tests/e2e/debian-6.12-generic.t tests/e2e/debian-headers-tree.t tests/e2e/debian-shipped-sample.t \
	tests/e2e/debian-dbg.t tests/build/toolchain-root.t tests/e2e/debian-releases.t \
	tests/kernel/kernel-headers.t tests/kernel/prepared-tree.t tests/kernel/compile-both.t tests/module/boot.t \
	tests/e2e/own.t tests/kernel/work-dir.t tests/e2e/debian-mismatch.t tests/e2e/debian-shipped-cases.t \
	tests/kernel/ccache.t tests/kernel/profile.t tests/e2e/peer-lto.t tests/diff/fixtures.t tests/e2e/line-shift.t \
	tests/sums/invariants.t tests/extract/extract.t tests/e2e/debian-archive.t tests/kernel/build-messages.t \
	tests/e2e/debian-selftest.t
ifneq ($(KLPDIFF_LTO)$(KLPDIFF_FULL),)
LTO_LATE := tests/kernel/tree-untouched.t tests/kernel/profile.t tests/e2e/peer-lto.t
SLOW_TESTS := $(filter-out $(LTO_LATE),$(SLOW_TESTS)) $(LTO_LATE)
endif
ALL_TESTS := $(foreach d,$(TESTS),$(wildcard $(d)/*.t))
ORDERED_TESTS := $(filter $(ALL_TESTS),$(SLOW_TESTS)) $(filter-out $(SLOW_TESTS),$(ALL_TESTS))
# The sanitizer pass (KLPDIFF_SANITIZED) skips the tests whose klpdiff code the
# plain pass ran and own.t and lto.t run sanitized (each says so). --timer: the
# time of each test file, for CI's budget; prove prints each test's result when
# it ends (their TAP is never interleaved) and the summary last. tests/lib/run-test
# runs each with bash and names it on each line of its stderr.
check: $(BIN) $(BUILD)/line-directives-driver $(BUILD)/module-driver $(UNIT_TESTS)
	KLPDIFF=$(abspath $(BIN)) $(if $(filter 1,$(SANITIZE)),KLPDIFF_SANITIZED=1) \
		prove --timer -j$(JOBS) -e tests/lib/run-test -f $(ORDERED_TESTS)

# Test drivers: one module of klpdiff, beside the klpdiff they test.
$(BUILD)/line-directives-driver: tests/build/line-directives-driver.c $(filter-out $(BUILD)/cmd/%,$(OBJS))
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# C unit tests (tests/unit/unit.t runs them), linked with the base and elf
# layers only: that the core links on its own is part of the test.
$(BUILD)/unit/%: tests/unit/%.c tests/unit/tap.h $(CORE_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(CORE_OBJS) $(LDLIBS)

$(BUILD)/module-driver: tests/archive/module-driver.c $(filter-out $(BUILD)/cmd/%,$(OBJS))
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# libFuzzer targets for the loader/sums and for diff (see fuzz/run).
FUZZ_SECONDS ?= 60
fuzz:
	FUZZ_RUNS=$(FUZZ_RUNS) fuzz/run $(FUZZ_SECONDS)

# build/toolchain_root.c's driver, for tests/build/toolchain-root.t.
check: $(BUILD)/toolchain-root-driver
$(BUILD)/toolchain-root-driver: tests/build/toolchain-root-driver.c $(filter-out $(BUILD)/cmd/%,$(OBJS))
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# build/kbuild.c's kbuild_make_units(), for tests/build/kbuild-units.t.
check: $(BUILD)/kbuild-units-driver
$(BUILD)/kbuild-units-driver: tests/build/kbuild-units-driver.c $(filter-out $(BUILD)/cmd/%,$(OBJS))
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

install: $(BIN)
	install -D -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/klpdiff
	install -D -m 644 man/klpdiff.1 $(DESTDIR)$(PREFIX)/share/man/man1/klpdiff.1
	install -d $(DESTDIR)$(PREFIX)/share/klpdiff/include
	install -m 644 include/klpdiff/*.h $(DESTDIR)$(PREFIX)/share/klpdiff/include/

clean:
	rm -rf build build-san build-fuzz klpdiff

.PHONY: all check install clean demo demo-debian-12 demo-self-built fuzz
-include $(OBJS:.o=.d)
