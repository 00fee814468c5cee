#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A media error on a page an RDMA memory region pins (tests/src/poison_pin.c),
# on namespaces of their own, since a poisoned page stays marked until the
# VM stops: ext4 on the seventh pmem region (no notify_failure: the generic
# dev_pagemap path, mf_generic_kill_procs()), xfs with rmapbt on the fifth
# (xfs_dax_notify_failure() finds the owner through the reverse map). Per
# filesystem, a page is poisoned by the holder (MADV_HWPOISON) and by
# another process through the hwpoison injector. The holder gets SIGBUS;
# the block stays where it is, pinned and counted against the lease, until
# ibv_dereg_mr; then the lease goes and the file truncates. The kernel logs
# the memory failure as recovered and nothing else: no oracle report
# (a pinned block freed), no splat.
. /usr/libexec/fsdax/lib.sh
M=1048576

setup() {	# setup NAMESPACE FS MOUNTPOINT
	ok "$1 made fsdax" sh -c "ndctl create-namespace -f -e $1 -m fsdax >/dev/null"
	bdev=$(blockdev_of "$1")
	mkdir -p "$3"
	if [ "$2" = ext4 ]; then
		mk="mkfs.ext4 -q -F -b 4096 -E lazy_itable_init=0,lazy_journal_init=0"
		mo="-o dax"
	else
		mk="mkfs.xfs -q -f -m reflink=1,rmapbt=1"
		mo="-o dax=always"
	fi
	ok "$2 on /dev/$bdev mounted $mo at $3" sh -c "[ -n '$bdev' ] &&
		$mk /dev/$bdev && mount -t $2 $mo /dev/$bdev $3"
}

# recovered: the kernel logged one more recovered memory failure of a DAX
# page since the count in $before.
recovered() {
	now=$(dmesg | grep -c 'recovery action for dax page: Recovered')
	dmesg | grep 'Memory failure' | tail -n 2
	[ "$now" -eq $((before + 1)) ]
}

if [ -z "$NS6" ] || [ -z "$NS4" ]; then
	ok "a fifth and a seventh pmem region (vm-run --pmem with 7 sizes)" false
	finish
	exit
fi
ok "the hwpoison injector is there (CONFIG_HWPOISON_INJECT)" \
	test -w /sys/kernel/debug/hwpoison/corrupt-pfn

setup "$NS6" ext4 /mnt/poison-ext4
setup "$NS4" xfs /mnt/poison-xfs
for fs in ext4 xfs; do
	for how in madvise inject; do
		f=/mnt/poison-$fs/$how
		mkfile "$f"
		before=$(dmesg | grep -c 'recovery action for dax page: Recovered')
		ok "$fs, $how: the pin survives the poison, SIGBUS, then dereg frees it" \
			poison_pin "$RXE_DEV" "$f" $how
		ok "$fs, $how: the kernel logged the memory failure as recovered" recovered
	done
done
ok "xfs handled it through its reverse map (notify_failure), not the generic path" \
	sh -c '! dmesg | grep "notify_failure() needs rmapbt"'
ok "no layout lease left, every pin released" released
ok "the oracle reported no pinned block freed or moved" \
	sh -c '! dmesg | grep "DAX: pinned"'
finish
