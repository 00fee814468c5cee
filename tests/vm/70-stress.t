#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# requires: gup_test
# Issue 8: concurrency stress of layout leases, owned pins and MRs on ext4
# and xfs DAX (tests/src/stress.c: 6 workers, random leases, pins, MRs,
# truncates, hole punches, forks, closes and SIGKILLs), with RDMA WRITEs to
# a leased file verified byte by byte meanwhile; then nothing may outlive
# the processes: pin counters balance, no lease, no file_pins line, and
# both file systems check clean. STRESS_SECONDS per file system (default 15).
. /usr/libexec/fsdax/lib.sh
secs=${STRESS_SECONDS:-15}

for dir in "$DAX_EXT4" "$DAX_XFS"; do
	mkdir -p "$dir/stress"
	# RDMA data path alongside: every run must verify every byte.
	(
		end=$(($(date +%s) + secs)) runs=0
		while [ "$(date +%s)" -lt "$end" ]; do
			rdma_write "$RXE_IP" "leased:$dir/stress/rdma" 1048576 >/tmp/rdma.out 2>&1 ||
				{ cat /tmp/rdma.out; echo "rdma_write failed after $runs runs"; exit 1; }
			runs=$((runs + 1))
		done
		echo "$runs rdma_write runs, every byte verified"
		[ "$runs" -gt 0 ]
	) >/tmp/rdma.log 2>&1 &
	rdma=$!
	ok "stress on $dir: $secs s, 6 workers, rxe0 MRs" stress "$dir/stress" "$secs" 6 "$RXE_DEV"
	wait "$rdma"
	rc=$?
	ok "RDMA writes to a leased file on $dir verified meanwhile" sh -c "cat /tmp/rdma.log; exit $rc"
	rm -rf "$dir/stress"
done

ok "nr_foll_pin_acquired == nr_foll_pin_released" pins_balanced
ok "no layout lease left in /proc/locks" sh -c '! grep LAYOUT /proc/locks'
ok "no process shows a file pin" sh -c 'cat /proc/[0-9]*/file_pins 2>/dev/null | grep . && exit 1; exit 0'
ok "e2fsck -fn after unmount of $DAX_EXT4" sh -c "umount $DAX_EXT4 && e2fsck -fn $PMEM_EXT4 >/tmp/fsck.out 2>&1 || { cat /tmp/fsck.out; exit 1; }"
ok "xfs_repair -n after unmount of $DAX_XFS" sh -c "umount $DAX_XFS && xfs_repair -n $PMEM_XFS >/tmp/fsck.out 2>&1 || { cat /tmp/fsck.out; exit 1; }"
ok "remount both DAX file systems" sh -c "mount -t ext4 -o dax $PMEM_EXT4 $DAX_EXT4 && mount -t xfs -o dax=always $PMEM_XFS $DAX_XFS"
finish
