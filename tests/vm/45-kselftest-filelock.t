#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The filelock kselftests the kernel's way: built and installed on the host
# (make -C tools/testing/selftests TARGETS=filelock install, at /kselftest),
# run in the VM with make -C tools/testing/selftests TARGETS=filelock O=/
# run_tests (the makefiles are at /kselftest-src; O=/ makes /kselftest the
# build output, up to date, so nothing is compiled). Default directories
# /mnt/dax-ext4 ... and $DAX_EXT4 ..., which the guest sets up. The series'
# tests must pass, none skipped. ofdlocks, the target's older test, fails on
# the unpatched base kernel as well (its F_OFD_GETLK F_UNLCK case): its
# result is shown, not counted. make runs bash: the makefiles want
# coreutils' readlink -e, and busybox sh runs its own applets whatever PATH.
. /usr/libexec/fsdax/lib.sh

# make_run_tests TESTS: the tests TESTS (layout_leases, or layout_leases and
# layout_pins) pass, none of their cases skipped.
make_run_tests() {
	kselftest_override_timeout=900 make -s -C /kselftest-src/tools/testing/selftests \
		SHELL=/usr/bin/bash TARGETS=filelock O=/ run_tests >/tmp/kst.out 2>&1
	cat /tmp/kst.out
	grep "^\(not \)\?ok [0-9]* selftests: filelock: ofdlocks" /tmp/kst.out | sed 's/^/ofdlocks (not counted): /'
	! grep -q "CC " /tmp/kst.out || { echo "make compiled something"; return 1; }
	for t in $1; do
		grep -q "^ok [0-9]* selftests: filelock: $t$" /tmp/kst.out || return 1
	done
	for t in $1; do
		# From "# selftests: filelock: T" to T's result line.
		awk -v t="$t" '$0 == "# selftests: filelock: " t { on = 1 }
			on { print }
			on && $0 ~ "^(not )?ok [0-9]+ selftests: filelock: " t { on = 0 }' \
			/tmp/kst.out | grep -q "# SKIP" && { echo "$t skipped cases"; return 1; }
	done
	return 0
}
# layout_pins pins through gup_test, which a distribution kernel has not.
if [ -e /sys/kernel/debug/gup_test ]; then
	ok "make run_tests TARGETS=filelock: layout_leases and layout_pins pass, none skipped" \
		make_run_tests "layout_leases layout_pins"
else
	ok "make run_tests TARGETS=filelock: layout_leases passes, none skipped" \
		make_run_tests layout_leases
	notrun "make run_tests TARGETS=filelock: layout_pins" "this kernel has no gup_test"
fi
finish
