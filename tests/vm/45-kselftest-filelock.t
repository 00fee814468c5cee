#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The filelock kselftests the kernel's way: installed with
# make -C tools/testing/selftests TARGETS=filelock install, run with
# run_kselftest.sh (default directories /mnt/dax-ext4 ... and $DAX_EXT4 ...,
# which the guest sets up). Every test must pass; a skip is a failure here.
# ofdlocks, the target's older test, fails on the unpatched base kernel as
# well (its F_OFD_GETLK F_UNLCK case), so only the series' tests run here.
. /usr/libexec/fsdax/lib.sh

ok "run_kselftest.sh: filelock:layout_leases and filelock:layout_pins pass, none skipped" \
	sh -c 'cd /kselftest && ./run_kselftest.sh -o 900 -t filelock:layout_leases \
		-t filelock:layout_pins >/tmp/kst.out 2>&1; rc=$?;
		cat /tmp/kst.out; [ $rc = 0 ] &&
		[ "$(grep -c "^ok [0-9]* selftests: filelock: " /tmp/kst.out)" = 2 ] &&
		! grep -q "# SKIP" /tmp/kst.out'
finish
