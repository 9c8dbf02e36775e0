# SPDX-License-Identifier: GPL-2.0
# twmon: TIME_WAIT monitor. `make help` lists the targets.

VERSION := 0.1.0

# The kernel to build the module for (a release with /lib/modules/KVER/build)
ifeq ($(origin KVER),undefined)
KVER := $(shell scripts/kernels --default)
endif
KDIR := /lib/modules/$(KVER)/build
# 7.x: kbuild needs a newer glibc than bookworm's, so the module is built
# in the trixie chroot of scripts/chroot7 (the tree bind-mounted there)
CHROOT_BUILD = $(if $(TWMON_IN_CHROOT),,$(if $(wildcard $(KDIR)),,$(shell scripts/chroot7 has $(KVER) && echo y)))
# The compiler the headers name (5.10: gcc-10), or the machine's gcc if
# that one is not installed
KCC = $(shell sed -n 's/^CC = .*[^a-z]\(gcc-[0-9]*\)$$/\1/p' $(KDIR)/.kernelvariables 2>/dev/null)
KMAKE_CC = $(if $(KCC),$(if $(shell command -v x86_64-linux-gnu-$(KCC) || command -v $(KCC)),,CC=gcc))
# The kernels and VM suites `make check` runs
KERNELS ?= $(shell scripts/kernels)
# (demo and the benchmarks, tests/bench, are never part of make check)
SUITES ?= $(filter-out demo bench,$(notdir $(patsubst %/,%,$(sort $(dir $(wildcard tests/vm/*/*.sh))))))
# The suites run on the debug kernel (scripts/debug-kernel), those that exist
DEBUG_SUITES ?= $(filter $(SUITES),basic accounting stress)
DEMO_KVER ?= $(firstword $(filter 6.1.%,$(KERNELS)) $(KERNELS))
# make bench: the demo's kernel unless KVER is given
BENCH_KVER ?= $(if $(filter command line environment,$(origin KVER)),$(KVER),$(DEMO_KVER))

PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
CHECKPATCH ?= /usr/src/linux-source-6.1/scripts/checkpatch.pl

# Test helpers: static, so the VM needs no libraries for them
HELPERS := $(patsubst %.c,%,$(wildcard tests/tw-load.c tests/tw-nlcheck.c tests/tw-rst.c tests/tw-fuzz.c \
					  tests/bench/tw-time.c tests/bench/tw-sub.c))
HELPER_CFLAGS := -O2 -Wall -Wextra -Werror -static -Ikmod/uapi

all: module userspace helpers

help:
	@echo 'make                  module (KVER=$(KVER)), userspace, test helpers'
	@echo 'make module KVER=R    kmod/twmon.ko for kernel release R'
	@echo 'make userspace        userspace/tw-stat/tw-stat, userspace/twmond/twmond'
	@echo 'make helpers          tests/tw-load, tests/tw-nlcheck, tests/tw-rst (static)'
	@echo 'make install          module, programs and man pages (KVER=R)'
	@echo 'make check            deps, build, unit tests, VM suites on every kernel'
	@echo '                      (KERNELS="$(KERNELS)" SUITES="$(SUITES)")'
	@echo '                      then the debug kernel with DEBUG_SUITES="$(DEBUG_SUITES)"'
	@echo '                      (DEBUG_KERNEL=0 leaves it out)'
	@echo 'make check-debug      deps, the debug kernel (built once, cached), DEBUG_SUITES on it'
	@echo 'make debug-kernel     build (unless cached) and install the debug kernel'
	@echo 'make unit             unit tests (tests/unit)'
	@echo 'make style            checkpatch on kmod/, clang-format on userspace/'
	@echo 'make ynl              kmod/uapi/linux/twmon.h from the YNL spec kmod/uapi/twmon.yaml'
	@echo '                      (the kernel ynl-gen-c.py; make check fails if they differ)'
	@echo 'make deb              packages twmon-dkms and twmon in $(DEB_OUT)/ (dpkg-buildpackage, lintian)'
	@echo 'make demo             boot $(DEMO_KVER) and run the demo'
	@echo 'make bench            boot $(BENCH_KVER), run tests/bench (about 1 h under TCG on a busy host),'
	@echo '                      write tests/bench/RESULTS.md and results.csv'
	@echo '                      (BENCH_ROUNDS=5 BENCH_MS=600 BENCH_ICOUNT=1 BENCH_OUT=...)'
	@echo 'make vm KVER=R        interactive shell in a VM running kernel R'
	@echo 'make clean'

# The tree is built for several kernels in turn: start afresh when the
# kernel changes (kmod/.kver, and the vermagic of what is there). Builds
# of the one tree are serialised (scripts/vm-run holds the same lock).
ifeq ($(TWMON_BUILD_LOCKED),)
module:
	@TWMON_BUILD_LOCKED=1 flock .build.lock $(MAKE) --no-print-directory module KVER=$(KVER)
else
module:
	@test -d $(KDIR) || test "$(CHROOT_BUILD)" = y || { echo "no headers for $(KVER): $(KDIR) is missing (scripts/deps, or KVER=...)" >&2; exit 1; }
	@old=$$(cat kmod/.kver 2>/dev/null); \
	vm=$$(modinfo -F vermagic kmod/twmon.ko 2>/dev/null | cut -d' ' -f1); \
	if [ "$$old" != "$(KVER)" ] || { [ -n "$$vm" ] && [ "$$vm" != "$(KVER)" ]; }; then \
		$(MAKE) -s -C $(KDIR) M=$(CURDIR) clean >/dev/null 2>&1; \
		rm -f kmod/*.o kmod/*.ko kmod/*.mod kmod/*.mod.c kmod/.*.cmd \
			kmod/modules.order kmod/Module.symvers .module-common.o; \
		echo $(KVER) >kmod/.kver; \
	fi
ifeq ($(CHROOT_BUILD),y)
	scripts/chroot7 run $(CURDIR) make --no-print-directory module KVER=$(KVER) \
		TWMON_IN_CHROOT=1 TWMON_BUILD_LOCKED=1
else
	$(MAKE) -C $(KDIR) M=$(CURDIR) TWMON_VERSION=$(VERSION) $(KMAKE_CC) modules
endif
endif

userspace:
	$(MAKE) -C userspace VERSION=$(VERSION)

helpers: $(HELPERS)
	@test -e tests/tw-load.c || echo "note: tests/tw-load.c is not there yet; no tests/tw-load" >&2

tests/%: tests/%.c kmod/uapi/linux/twmon.h
	$(CC) $(HELPER_CFLAGS) -o $@ $<

# The benchmarks' subscriber, with libnl: dynamic (static libnl drags in
# glibc's NSS); the guest has the libraries, tw-stat needs them too
tests/bench/tw-sub: tests/bench/tw-sub.c kmod/uapi/linux/twmon.h
	$(CC) $(filter-out -static,$(HELPER_CFLAGS)) $(shell pkg-config --cflags libnl-genl-3.0) \
		-o $@ $< $(shell pkg-config --libs libnl-genl-3.0)

install: module userspace
	install -d $(DESTDIR)/lib/modules/$(KVER)/extra $(DESTDIR)$(SBINDIR)
	install -m 0644 kmod/twmon.ko $(DESTDIR)/lib/modules/$(KVER)/extra/
	install -m 0755 userspace/tw-stat/tw-stat userspace/twmond/twmond $(DESTDIR)$(SBINDIR)/
	@set -e; if ls userspace/*/*.8 >/dev/null 2>&1; then \
		install -d $(DESTDIR)$(MANDIR)/man8; \
		install -m 0644 userspace/*/*.8 $(DESTDIR)$(MANDIR)/man8/; \
	fi
	$(MAKE) -C userspace install-extras DESTDIR=$(DESTDIR) PREFIX=$(PREFIX) SBINDIR=$(SBINDIR)
	test -n "$(DESTDIR)" || depmod -a $(KVER)

unit:
	@if [ -e tests/unit/Makefile ]; then \
		$(MAKE) -C tests/unit VERSION=$(VERSION); \
	else \
		echo "unit: no tests/unit/Makefile, skipped"; \
	fi

# kbuild's generated twmon.mod.c is not ours
KSRC = $(filter-out %.mod.c,$(wildcard kmod/*.c)) $(wildcard kmod/*.h) kmod/uapi/linux/twmon.h

style:
	$(CHECKPATCH) --no-tree -q -f $(KSRC)
	@if [ -e userspace/.clang-format ]; then \
		echo "clang-format --dry-run --Werror userspace/*/*.[ch]"; \
		clang-format --dry-run --Werror userspace/*/*.[ch]; \
	else \
		echo "style: no userspace/.clang-format, clang-format skipped"; \
	fi

# The uapi header is generated from the YNL spec (scripts/ynl says how)
ynl:
	scripts/ynl gen kmod/uapi/linux/twmon.h

# Debian packages twmon-dkms and twmon (scripts/deb/build: dpkg-buildpackage,
# lintian), written to DEB_OUT
DEB_OUT ?= .deb
deb:
	scripts/deb/build $(DEB_OUT)

# scripts/deps first, then a fresh make: KERNELS and KVER are worked out
# from what deps installed (a recipe is expanded before it runs)
check check-debug debug-kernel demo bench:
	bash scripts/deps
	$(MAKE) --no-print-directory $@-after-deps

check-after-deps:
	$(MAKE) all KVER=$(firstword $(KERNELS))
	KERNELS="$(KERNELS)" SUITES="$(SUITES)" DEBUG_SUITES="$(DEBUG_SUITES)" scripts/check

check-debug-after-deps:
	$(MAKE) userspace helpers
	DEBUG_ONLY=1 DEBUG_SUITES="$(DEBUG_SUITES)" scripts/check

debug-kernel-after-deps:
	scripts/debug-kernel

demo-after-deps:
	$(MAKE) all KVER=$(DEMO_KVER)
	VM_VERBOSE=1 scripts/vm-run $(DEMO_KVER) demo

bench-after-deps:
	$(MAKE) all KVER=$(BENCH_KVER)
	tests/bench/run $(BENCH_KVER)

vm:
	$(MAKE) all
	scripts/vm-run $(KVER) --shell

clean:
	-test -d $(KDIR) && $(MAKE) -s -C $(KDIR) M=$(CURDIR) clean
	rm -f kmod/*.o kmod/*.ko kmod/*.mod kmod/*.mod.c kmod/.*.cmd kmod/.kver \
		kmod/modules.order kmod/Module.symvers modules.order Module.symvers \
		.module-common.o .*.cmd \
		tests/tw-load tests/tw-nlcheck tests/tw-rst tests/tw-fuzz tests/bench/tw-time tests/bench/tw-sub
	-test -e userspace/Makefile && $(MAKE) -C userspace clean
	-test -e tests/unit/Makefile && $(MAKE) -C tests/unit clean

.PHONY: all help module userspace helpers install unit style ynl deb check demo bench vm clean \
	check-after-deps demo-after-deps bench-after-deps check-debug check-debug-after-deps \
	debug-kernel debug-kernel-after-deps
