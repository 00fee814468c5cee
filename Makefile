# SPDX-License-Identifier: GPL-2.0
# The two commands: `make demo` and `make check`. See README.md.
.PHONY: demo check check-fresh demo-fresh check-debug check-fstests check-ndctl check-distro deb check-mainline static-mainline bench tree export kernel kernel-base initramfs static help clean

help:
	@echo "make demo        build and boot the patched kernel, show the feature"
	@echo "make check       static checks + every VM test; ends with 'N passed, N failed'"
	@echo "make check-fresh make check on a pristine Debian root (a new machine; CI runs it)"
	@echo "make demo-fresh  make demo the same way"
	@echo "make tree        materialize build/linux (base + series)"
	@echo "make export      write build/linux's commits back to series/"
	@echo "make kernel      build the patched kernel (kernel-base: the unpatched one)"
	@echo "make static      checkpatch, apply and sparse checks only"
	@echo "make bench       base vs patched under QEMU -icount: bench/results.md"
	@echo "make check-debug every VM test on the debug kernel (KASAN, kmemleak, ...)"
	@echo "make deb         the series as a Debian kernel package (Debian's configuration, modules)"
	@echo "make check-distro the package of make deb installed in the Debian guest and tested, beside Debian's own"
	@echo "make check-fstests fstests on ext4 and xfs DAX, base beside patched: fstests/RESULTS.md"
	@echo "make check-ndctl  ndctl's own test suite on Debian's kernel and the series' package: ndctl/RESULTS.md"
	@echo "BASE=mainline    any target on the mainline series (series-mainline/, Linux 7.3)"
	@echo "make check-mainline  make check BASE=mainline (static-mainline: its static checks only)"
	@echo "make check-configs the build matrix (allnoconfig, no-X toggles, i386, clang, ...), base beside patched: config/matrix/RESULTS.md"
	@echo "make check-configs-ci  its gcc x86 cells within 14 minutes (CI; commits nothing)"
	@echo "scripts/vm-run [--add PATH]... -- COMMAND   run COMMAND in the VM"

demo:
	@scripts/demo

check:
	@scripts/check

check-fresh:
	@scripts/fresh-machine check

# The mainline series (issue 16), for CI's fresh machine, which starts make
# with a clean environment: the same as BASE=mainline make check / static.
check-mainline:
	@BASE=mainline scripts/check

static-mainline:
	@BASE=mainline scripts/check-static && BASE=mainline scripts/build-kernel >/dev/null

demo-fresh:
	@scripts/fresh-machine demo

bench:
	@scripts/bench

# The debug kernel is slow: a longer stress run (70-stress.t) to get as many
# operations through KASAN, lockdep and kmemleak as the normal kernel does.
check-debug:
	@scripts/build-kernel --debug >/dev/null && \
		STRESS_SECONDS=$${STRESS_SECONDS:-60} scripts/run-tests --debug

# Long (about 2 hours under TCG): not part of make check.
# The kernel package a user would install (Debian's configuration, modules)
# and its tests beside Debian's own package of the base.
deb:
	@scripts/build-deb

check-distro:
	@scripts/check-distro

check-fstests:
	@scripts/check-fstests

# ndctl's test suite with nfit_test, destructive DAX tests included, in the
# distro guest: Debian's own kernel of the base, then the series' package
# (make deb). About an hour per kernel under TCG: not part of make check.
check-ndctl:
	@scripts/check-ndctl

tree:
	@scripts/tree

export:
	@scripts/export

kernel:
	@scripts/build-kernel

kernel-base:
	@scripts/build-kernel --base

initramfs:
	@scripts/mkinitramfs

static:
	@scripts/check-static

clean:
	rm -rf build

# syzkaller on the patched kernel (tools/syzkaller/, about 2 h under TCG):
# SYZKALLER_SNAPSHOT=<syzkaller git repository> make fuzz [FUZZ_MINUTES=120]
.PHONY: fuzz
fuzz:
	@scripts/syzkaller

# The kernel test robot's build matrix (design/config-matrix.md): every cell
# on both series, base beside patched, in worktrees under build/cm/.
# CELLS="allnoconfig no-FS_DAX ..." SERIES=6.12|mainline select; the table
# config/matrix/RESULTS.md is committed by the developer.
.PHONY: check-configs check-configs-ci
check-configs:
	@scripts/check-configs

# CI: the gcc x86 cells in the order of the design (section 5.7), stopping
# before a cell whose last time does not fit in the budget.
check-configs-ci:
	@CHECK_CONFIGS_BUDGET=$${CHECK_CONFIGS_BUDGET:-840} CELLS=ci scripts/check-configs
