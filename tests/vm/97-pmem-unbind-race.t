#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# requires: gup_test layout_change_delay
# The removal of a pmem device racing a long-term pin, on a namespace of its
# own (the sixth pmem region, made fsdax here, ext4 -o dax). A pin holds the
# device's dev_pagemap, so that the removal waits for the unpin; but GUP
# pins the pages first, and the pagemap reference comes after. A removal
# in between did not wait, and freed the memory map of pages still pinned.
# The pinner (pin_hold) is held in that window by the layout_change_delay()
# fault-injection point (CONFIG_LAYOUT_CHANGE_DELAY, task-filter: only the
# pinner sleeps) while the device is unbound through sysfs: the unbind must
# wait for the pinner, whose pin then fails with ENXIO (the pagemap is going
# away), and return once it did; no oops, no pin left. Like 95 and 96, the
# filesystem then stays mounted over the removed device until the VM stops,
# and the pinner keeps its mapping of the file (pin_hold -k): on 7.3 the
# teardown of a DAX mapping of a removed device reads its freed memory map
# (seen when the failed pinner exited; not yet tried without the series).
. /usr/libexec/fsdax/lib.sh
ns=$NS5	# the sixth region
mnt=/mnt/unbind-race
f=$mnt/held
D=3000

if [ -z "$ns" ] || [ ! -e /sys/bus/nd/devices/$ns ]; then
	ok "a sixth pmem region for this test ($ns; vm-run --pmem with 6 sizes)" false
	finish
	exit
fi

# in_window: the pinner sleeps in vaddr_pin_user_pages(), after GUP.
in_window() {
	grep -q vaddr_pin_user_pages /proc/$holder/stack
}

# unbind_waits: the unbinding shell has not returned; it waits in
# memunmap_pages() for the pinner to leave its SRCU read section.
unbind_waits() {
	cat /proc/$ub/stack
	[ ! -e /tmp/unbind5.out ] && grep -q memunmap_pages /proc/$ub/stack
}

pin_refused() {
	wait_for /tmp/holder5.out "pin failed" || { cat /tmp/holder5.out; return 1; }
	cat /tmp/holder5.out
	grep -q "pin failed: No such device or address" /tmp/holder5.out
}

ok "$ns made fsdax" sh -c "ndctl create-namespace -f -e $ns -m fsdax >/tmp/ns5.json"
bdev=$(blockdev_of $ns)
mkdir -p $mnt
ok "ext4 on /dev/$bdev mounted -o dax at $mnt" sh -c "[ -n '$bdev' ] &&
	mkfs.ext4 -q -F -b 4096 -E lazy_itable_init=0,lazy_journal_init=0 /dev/$bdev &&
	mount -t ext4 -o dax /dev/$bdev $mnt"
ok "a file written with write(2) and synced" \
	xfs_io -f -c "pwrite -S 0x6b 0 1m" -c fsync "$f"
ok "the layout_change_delay fault-injection point is set up" race_delay $D

sh -c 'echo 1 >/proc/self/make-it-fail && exec pin_hold -k -r "$0"' "$f" \
	</dev/null >/tmp/holder5.out 2>&1 &
holder=$!
i=0
until in_window || [ $i -gt 100 ]; do
	i=$((i + 1))
	sleep 0.05
done
ok "the pinner sleeps between GUP and its pagemap reference" in_window

start_unbind "$bdev" /tmp/unbind5.out
sleep 1
ok "raw unbind of $dev ($drv) meanwhile: it waits for the pinner" unbind_waits
ok "the pin fails with ENXIO: the device is going away" pin_refused
ok "then the unbind returns, the block device is gone" unbind_done /tmp/unbind5.out "$bdev"
wait $ub
race_delay 0
ok "no layout lease left, every pin released" released
finish
