#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# PENDING, not in tests/vm/ (not run by make check): it passes on the 6.12
# series (21 of 21 test files with it in tests/vm/, 2026-12-07). On 7.3 the
# removal used to spin in xfs's pre-remove notification (a base bug of the
# block count, fixed by the mainline series' 2/37); it now completes, but
# xfs's invalidation drops the clean entry of the page pinned for reading
# and dax_folio_put() warns (fs/dax.c:454) as it resets the pinned folio.
# Keeping pinned entries on every invalidation was tried and reverted: the
# copy-on-write paths of fs/dax.c invalidate because the block moves, and
# the entries left behind went stale (a helper's review). The removal has
# to drop such an entry without resetting the folio: part of item d.
# Run it by hand:
#   scripts/vm-run --add tests/pending/96-pmem-unbind-xfs.t -- sh 96-pmem-unbind-xfs.t
# Taking a pmem namespace away under a long-term pin of an xfs file, on a
# namespace of its own (the ninth pmem region, 512 MiB as xfs needs 300,
# made fsdax here). xfs with the reverse-mapping btree is told before its
# DAX device goes (xfs_dax_notify_failure(MF_MEM_PRE_REMOVE)): it freezes,
# drops the clean DAX entries of its files in core (the clean entry of a
# page pinned for reading only too: its block stays the file's, and the
# filesystem is shut down before any layout change could follow) and kills
# the processes that map them. The removal then waits in memunmap_pages()
# for the pin, naming it in the kernel log, and returns once the holder is
# killed; the kernel's pinned-block check (CONFIG_DEBUG_DAX_PINNED_BLOCKS)
# reports nothing freed or moved. Like 95-pmem-unbind.t, the filesystem stays mounted over the
# removed device until the VM stops: nothing else may use this namespace.
. /usr/libexec/fsdax/lib.sh
ns=namespace8.0
mnt=/mnt/unbind-xfs
f=$mnt/held

if [ ! -e /sys/bus/nd/devices/$ns ]; then
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
	mkfs.xfs -q -f -m reflink=1,rmapbt=1 /dev/$bdev &&
	mount -t xfs -o dax=always /dev/$bdev $mnt && grep -q \" $mnt xfs .*dax\" /proc/mounts"
ok "a file written with write(2) and synced" \
	xfs_io -f -c "pwrite -S 0x6b 0 1m" -c fsync "$f"

rm -f /tmp/ctl4 /tmp/holder4.out
mkfifo /tmp/ctl4
pin_hold -r "$f" </tmp/ctl4 >/tmp/holder4.out 2>&1 &
holder=$!
exec 4>/tmp/ctl4
ok "the file mapped read-only and pinned for reading under its layout lease" \
	wait_for /tmp/holder4.out pinned
echo orphan >&4
ok "the holder closes and unmaps the file: only the pin keeps the lease" \
	wait_for /tmp/holder4.out orphaned
sync

start_unbind "$bdev" /tmp/unbind4.out
sleep 3
ok "raw unbind of $dev ($drv) under the pin: xfs was told (pre-remove)" \
	sh -c "dmesg | grep -q 'Device is about to be removed'"
ok "the unbind still waits after 3 s, in memunmap_pages()" unbind_waits
ok "no pinned block freed or moved (no pinned-block report)" no_pinned_report
ok "the kernel log names the pinned file and the pinning process" \
	sh -c "dmesg | grep -q 'fsdax:   $f pinned by $holder (pin_hold) through '"
kill -9 $holder
exec 4>&-
wait $holder
ok "the holder is killed: the unbind returns, the block device is gone" unbind_done /tmp/unbind4.out "$bdev"
wait $ub
ok "no layout lease left, every pin released" released
finish
