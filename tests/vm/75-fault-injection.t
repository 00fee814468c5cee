#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# requires: fault_injection
# Issue 8: fault injection on the lease, pin and registration paths. For
# failslab and for fail_page_alloc, on ext4 and xfs DAX, tests/src/faultinj.c
# runs rounds of lease + owned pin + ibv_reg_mr + file_pins read with
# allocations of its own task failing at random (task-filter), and checks
# that each step succeeds or fails with ENOMEM and that undoing a round
# leaves nothing behind. The count of injected failures is reported (the
# attribute's "times" budget consumed).
. /usr/libexec/fsdax/lib.sh
D=/sys/kernel/debug
rounds=${FAULTINJ_ROUNDS:-150}
budget=1000000

# inject ATTR DIR: arm ATTR (10 %, this task only, sleeping allocations too)
# for a faultinj run on DIR.
inject() {
	a=$D/$1
	echo N >"$a/ignore-gfp-wait" || return 1
	if [ "$1" = fail_page_alloc ]; then
		echo 0 >"$a/min-order"
		echo N >"$a/ignore-gfp-highmem"
	fi
	echo Y >"$a/task-filter"
	echo 0 >"$a/verbose"
	echo 0 >"$a/space"
	echo 1 >"$a/interval"
	echo $budget >"$a/times"
	echo 10 >"$a/probability"
	faultinj "$2/faultinj" "$RXE_DEV" "$rounds"
	rc=$?
	echo 0 >"$a/probability"
	echo "# $((budget - $(cat "$a/times"))) allocations failed by $1"
	rm -f "$2/faultinj"
	[ $rc -eq 0 ] && [ "$(cat "$a/times")" -lt $budget ]
}

for attr in failslab fail_page_alloc; do
	for dir in "$DAX_EXT4" "$DAX_XFS"; do
		ok "$attr: $rounds rounds on $dir fail cleanly, leave nothing" inject $attr "$dir"
	done
done
ok "nr_foll_pin_acquired == nr_foll_pin_released" pins_balanced
ok "no layout lease left in /proc/locks" sh -c '! grep LAYOUT /proc/locks'
finish
