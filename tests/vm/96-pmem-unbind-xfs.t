#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# requires: gup_test
# Taking a pmem namespace away under long-term pins of xfs files, on a
# namespace of its own (the ninth pmem region, 512 MiB as xfs needs 300,
# made fsdax here). xfs with the reverse-mapping btree is told before its
# DAX device goes (xfs_dax_notify_failure(MF_MEM_PRE_REMOVE)): it freezes,
# drops the clean DAX entries of its files in core (the clean entries of
# pages pinned for reading only too: their blocks stay the file's, and the
# filesystem is shut down before any layout change could follow) and kills
# the processes that map them. Two files: one mapped by PTEs (1 MiB), one
# by PMDs (4 MiB with a 2 MiB extent size hint on a 2 MiB stripe unit):
# the entry of a pinned compound folio goes without splitting the folio,
# whose unpin still goes through the whole of it. The removal then waits
# in memunmap_pages() for the pins, naming them in the kernel log, and
# returns once the holders are killed; the kernel's pinned-block check
# (CONFIG_DEBUG_DAX_PINNED_BLOCKS) reports nothing freed or moved. Like
# 95-pmem-unbind.t, the filesystem stays mounted over the removed device
# until the VM stops: nothing else may use this namespace.
. /usr/libexec/fsdax/lib.sh
ns=$NS8	# the ninth region
mnt=/mnt/unbind-xfs
f=$mnt/held
g=$mnt/held-pmd
T=/sys/kernel/tracing/instances/t96

if [ -z "$ns" ] || [ ! -e /sys/bus/nd/devices/$ns ]; then
	ok "a ninth pmem region for this test ($ns; vm-run --pmem with 9 sizes)" false
	finish
	exit
fi

# no_pinned_report: the kernel reported no pinned block freed or moved.
no_pinned_report() {
	! dmesg | grep "DAX: pinned pfn"
}

# unbind_waits: the unbinding shell ($ub) has not returned and sleeps
# uninterruptibly in memunmap_pages(), for the pin's pagemap reference.
unbind_waits() {
	cat /proc/$ub/stack
	[ ! -e /tmp/unbind4.out ] && [ "$(cut -d' ' -f3 /proc/$ub/stat)" = D ] &&
		grep -q memunmap_pages /proc/$ub/stack
}

ok "$ns made fsdax" sh -c "ndctl create-namespace -f -e $ns -m fsdax >/tmp/ns4.json"
bdev=$(blockdev_of $ns)
mkdir -p $mnt
ok "xfs (rmapbt) on /dev/$bdev mounted -o dax at $mnt" sh -c "[ -n '$bdev' ] &&
	mkfs.xfs -q -f -m reflink=1,rmapbt=1 -d su=2m,sw=1,agcount=2 -l size=64m /dev/$bdev &&
	mount -t xfs -o dax=always /dev/$bdev $mnt && grep -q \" $mnt xfs .*dax\" /proc/mounts"
if ! grep -q " $mnt xfs " /proc/mounts; then
	finish
	exit
fi
ok "a file written with write(2) and synced" \
	xfs_io -f -c "pwrite -S 0x6b 0 1m" -c fsync "$f"

ok "a 4 MiB file with a 2 MiB extent size hint, written and synced" \
	xfs_io -f -c "extsize 2m" -c "pwrite -S 0x6c 0 4m" -c fsync "$g"

# hold N FILE: pin_hold -r FILE in the background, commands on descriptor
# N (3 + N), output in /tmp/holderN.out; sets $holder.
hold() {
	rm -f /tmp/ctl$1 /tmp/holder$1.out
	mkfifo /tmp/ctl$1
	pin_hold -r "$2" </tmp/ctl$1 >/tmp/holder$1.out 2>&1 &
	holder=$!
	eval "exec $(($1 + 3))>/tmp/ctl$1"
}

hold 1 "$f"
h1=$holder
ok "the file mapped read-only and pinned for reading under its layout lease" \
	wait_for /tmp/holder1.out pinned
[ -d /sys/kernel/tracing/instances ] ||
	mount -t tracefs tracefs /sys/kernel/tracing
mkdir -p $T
echo 1 >$T/events/fs_dax/dax_pmd_fault_done/enable
hold 2 "$g"
h2=$holder
ok "the 4 MiB file pinned the same way" wait_for /tmp/holder2.out pinned
ok "mapped by PMDs: two PMD faults took the 2 MiB path" \
	sh -c "cat $T/trace | grep dax_pmd_fault_done; [ \$(grep dax_pmd_fault_done $T/trace | grep -vc FALLBACK) = 2 ]"
echo 0 >$T/events/fs_dax/dax_pmd_fault_done/enable
rmdir $T
echo orphan >&4
echo orphan >&5
ok "the holders close and unmap the files: only the pins keep the leases" \
	wait_for /tmp/holder1.out orphaned
ok "the same for the 4 MiB file" wait_for /tmp/holder2.out orphaned
sync

start_unbind "$bdev" /tmp/unbind4.out
sleep 3
ok "raw unbind of $dev ($drv) under the pin: xfs was told (pre-remove)" \
	sh -c "dmesg | grep -q 'Device is about to be removed'"
ok "the unbind still waits after 3 s, in memunmap_pages()" unbind_waits
ok "no pinned block freed or moved (no pinned-block report)" no_pinned_report
ok "the kernel log names the pinned files and the pinning processes" \
	sh -c "dmesg | grep -q 'fsdax:   $f pinned by $h1 (pin_hold) through ' &&
		dmesg | grep -q 'fsdax:   $g pinned by $h2 (pin_hold) through '"
kill -9 $h1 $h2
exec 4>&- 5>&-
wait $h1 $h2
ok "the holders are killed: the unbind returns, the block device is gone" unbind_done /tmp/unbind4.out "$bdev"
wait $ub
ok "no layout lease left, every pin released" released
finish
