#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Issue 17 item 5: taking a pmem namespace away under long-term pins, on a
# namespace of its own (the fourth pmem region, made fsdax here; the other
# tests' filesystems are not touched).
#
# 1. The administrator's path: ndctl disable-namespace (libndctl's
#    ndctl_namespace_disable_safe(): an O_EXCL open of the block device
#    first, the sysfs unbind only if that succeeds) is refused at once with
#    EBUSY while an MR pins a file, also after umount -l with the lease
#    orphaned: the pin holds the leased file, so the detached superblock and
#    its exclusive claim of the block device stay. file-pins names the
#    owner; once it is killed the filesystem goes with the last pin and the
#    same command succeeds; the data is intact after enable-namespace.
# 2. A raw sysfs unbind of the pmem device waits uninterruptibly in
#    memunmap_pages() while the MR exists (patch 9 holds the dev_pagemap)
#    and returns once the owner is killed; meanwhile the kernel log names
#    the pinned file, the pinning process and its uverbs device. The
#    filesystem then stays mounted over the removed device until the VM
#    reboots: 6.12 oopses at the
#    unmount of a DAX filesystem that had a file open across the removal
#    (dax_disassociate_entry() on the freed memmap, with or without the
#    series), so this test must stay the last one to use the namespace.
. /usr/libexec/fsdax/lib.sh
M=1048576
ns=$NS3	# the fourth region
mnt=/mnt/unbind
f=$mnt/held

# start_holder: an RDMA memory region (rxe) over $f under the registering
# process's unbreakable layout lease; it obeys commands written to fd 3.
start_holder() {
	rm -f /tmp/ctl /tmp/holder.out
	mkfifo /tmp/ctl
	rdma_write "$RXE_IP" "leased:$f" $M hold </tmp/ctl >/tmp/holder.out 2>&1 &
	holder=$!
	exec 3>/tmp/ctl
}

# orphaned: the holder has neither a descriptor nor a mapping of the file
# any more; only its MR's pin keeps the leased file open.
orphaned() {
	wait_for /tmp/holder.out "holder: close: done" || { cat /tmp/holder.out; return 1; }
	for l in /proc/"$holder"/fd/*; do
		case $(readlink "$l") in *held*) echo "fd ${l##*/} still open"; return 1 ;; esac
	done
	! grep held /proc/"$holder"/maps
}

# alive PID: PID exists and is not a zombie.
alive() {
	[ -e /proc/"$1"/stat ] && [ "$(cut -d' ' -f3 /proc/"$1"/stat)" != Z ]
}

# ndctl_bounded LOG ARG...: ndctl ARG..., output in LOG. If it has not
# returned after 15 s (it would be waiting in the kernel for the pins), the
# MR owner is killed to let it go and the status is 124.
ndctl_bounded() {
	log=$1
	shift
	ndctl "$@" >"$log" 2>&1 &
	p=$!
	i=0
	while alive $p; do
		i=$((i + 1))
		if [ $i -gt 150 ]; then
			echo "ndctl $* still running after 15 s, state" \
				"$(cut -d' ' -f3 /proc/$p/stat) in $(cat /proc/$p/wchan): killing the MR owner"
			kill -9 "$holder"
			wait $p
			return 124
		fi
		sleep 0.1
	done
	wait $p
}

# refused: disable-namespace fails with EBUSY, without waiting, and leaves
# the namespace and its block device in place.
refused() {
	ndctl_bounded /tmp/ndctl.out disable-namespace $ns
	rc=$?
	cat /tmp/ndctl.out
	echo "exit status $rc"
	[ $rc -ne 0 ] && [ $rc -ne 124 ] &&
		grep -q "Device or resource busy" /tmp/ndctl.out &&
		grep -q "disabled 0 namespaces" /tmp/ndctl.out &&
		[ -b /dev/"$bdev" ] && [ "$(blockdev_of $ns)" = "$bdev" ]
}

# owner_listed: file-pins shows the holder, its uverbs descriptor and a file
# named held (after umount -l its path is relative to the detached
# filesystem's root).
owner_listed() {
	file-pins >/tmp/fp.out
	cat /tmp/fp.out
	grep -q "^$holder  *rdma_write  *[0-9][0-9]* /dev/infiniband/uverbs[0-9]*  *.*/held\$" /tmp/fp.out
}

owner_gone() {
	! grep LAYOUT /proc/locks && ! file-pins && pins_balanced
}

# disabled: disable-namespace succeeds (within 5 s: the detached filesystem
# is torn down by the exiting owner) and the block device is gone.
disabled() {
	i=0
	until ndctl_bounded /tmp/ndctl.out disable-namespace $ns; do
		i=$((i + 1))
		[ $i -lt 10 ] || { cat /tmp/ndctl.out; return 1; }
		sleep 0.5
	done
	cat /tmp/ndctl.out
	grep -q "disabled 1 namespace" /tmp/ndctl.out && [ ! -e /sys/block/"$bdev" ] &&
		[ -z "$(blockdev_of $ns)" ]
}

# reenabled: enable-namespace brings the block device back; mounted again,
# the file holds what it held before the refused disables.
reenabled() {
	ndctl enable-namespace $ns && bdev=$(blockdev_of $ns) && [ -n "$bdev" ] &&
		mount -t ext4 -o dax /dev/"$bdev" $mnt &&
		[ "$(md5sum <"$f" | cut -d' ' -f1)" = "$sum" ]
}

# unbind_waits: the unbinding shell ($ub) has not returned and sleeps
# uninterruptibly in memunmap_pages(), for the MR's pagemap reference.
unbind_waits() {
	cat /proc/$ub/stack 2>/dev/null || cat /proc/$ub/wchan
	[ ! -e /tmp/unbind.out ] && [ "$(cut -d' ' -f3 /proc/$ub/stat)" = D ] &&
		{ grep -q memunmap_pages /proc/$ub/stack || grep -q memunmap_pages /proc/$ub/wchan; }
}

# removal_logged: memunmap_pages() logged, after a second of waiting, what it
# waits for: the leased file, the holder's pid and command, and its uverbs
# device (the report repeats every 30 s; this test sees the first).
removal_logged() {
	dmesg | grep 'fsdax: '
	dmesg | grep -q "fsdax: removal of .* waits for long-term pins of its pages:\$" &&
		dmesg | grep -q "fsdax:   $f pinned by $holder (rdma_write) through /dev/infiniband/uverbs[0-9]*\$"
}

spare_ns_ext4 $ns fourth $mnt

# 1. ndctl disable-namespace.
start_holder
ok "an MR over the leased file $f" wait_for /tmp/holder.out "holding the region"
sum=$(md5sum <"$f" | cut -d' ' -f1)
ok "mounted, pinned: ndctl disable-namespace $ns refused at once (EBUSY)" refused
echo orphan >&3
ok "the owner closes and unmaps the file: the lease is orphaned" orphaned
ok "umount -l $mnt: the filesystem is detached" sh -c "umount -l $mnt && ! grep -q ' $mnt ' /proc/mounts"
ok "file-pins names the owner" owner_listed
ok "detached, pinned: ndctl disable-namespace $ns refused at once (EBUSY)" refused
kill -9 $holder
exec 3>&-
wait $holder
ok "the owner is killed: no lease, no pin left" owner_gone
ok "ndctl disable-namespace $ns now succeeds" disabled
ok "enable-namespace $ns, mount: the file is intact" reenabled
bdev=$(blockdev_of $ns)

# 2. A raw unbind of the pmem device. Nothing dirty in the mapping first
# (the removal syncs too): a write-back after the memmap is freed would
# fault. The unbind writer closes the holder's fifo (fd 3).
start_holder
ok "an MR over the leased file $f again" wait_for /tmp/holder.out "holding the region"
echo orphan >&3
ok "the owner closes and unmaps the file" orphaned
sync
start_unbind "$bdev" /tmp/unbind.out
sleep 3
ok "raw unbind of $dev ($drv) under the MR: still waiting after 3 s, in memunmap_pages()" unbind_waits
ok "file-pins names the owner" owner_listed
ok "the kernel log names the file, the pinning process and its owner" removal_logged
kill -9 $holder
exec 3>&-
wait $holder
ok "the owner is killed: the unbind returns, the block device is gone" unbind_done /tmp/unbind.out "$bdev"
wait $ub
ok "no lease, no pin left" owner_gone
# $mnt stays mounted over the removed device: see the top.
finish
