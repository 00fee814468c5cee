#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The filelock kselftests the kernel's way: installed with
# make -C tools/testing/selftests TARGETS=filelock install, run with
# run_kselftest.sh (default directories /mnt/dax-ext4 ... and $DAX_EXT4 ...,
# which the guest sets up). Every test must pass; a skip is a failure here.
. /usr/libexec/fsdax/lib.sh

ok "run_kselftest.sh -c filelock: every test passes, none skipped" \
	sh -c 'cd /kselftest && ./run_kselftest.sh -c filelock >/tmp/kst.out 2>&1; rc=$?;
		cat /tmp/kst.out; [ $rc = 0 ] &&
		[ "$(grep -c "^ok [0-9]* selftests: filelock: " /tmp/kst.out)" = 3 ] &&
		! grep -q "# SKIP" /tmp/kst.out'
finish
