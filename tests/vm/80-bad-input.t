#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# requires: gup_test
# Issue 8: bad input and odd targets. Every F_SETLEASE argument 0..65535
# and 4096 random ones on every kind of file (tests/src/badinput.c);
# /proc/<pid>/file_pins of pinning processes read while and after they die;
# permissions; unmount with an orphaned lease or a live MR.
. /usr/libexec/fsdax/lib.sh

for d in "$DAX_EXT4" "$DAX_XFS" "$EXT4" "$XFS" /tmp; do
	echo data >"$d/sweep"
done
mkfifo /tmp/sweep.fifo
ok "F_SETLEASE 0..65535 + random on regular (DAX, non-DAX, tmpfs), dir, fifo, socket, device" \
	badinput sweep "layout:$DAX_EXT4/sweep" "layout:$DAX_XFS/sweep" \
	"layout:$EXT4/sweep" "layout:$XFS/sweep" plain:/tmp/sweep \
	"other:$DAX_EXT4" other:/tmp other:/tmp/sweep.fifo other:socket \
	other:/dev/null "other:$DEVDAX" "other:$PMEM_EXT4"
rm -f "$DAX_EXT4/sweep" "$DAX_XFS/sweep" "$EXT4/sweep" "$XFS/sweep" /tmp/sweep /tmp/sweep.fifo

for d in "$DAX_EXT4" "$DAX_XFS"; do
	ok "file_pins of pinning processes on $d read while and after they die" badinput dying "$d"
done

# Permissions: another user can neither lease (so neither pin nor block a
# truncate) root's file, nor read root's file_pins.
f=$DAX_EXT4/perm
echo data >"$f"
chmod 666 "$f"
ok "nobody cannot take a layout lease on root's file (EACCES)" sh -c "
	! /usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups \
		layout-lease --exclusive $f true 2>/tmp/perm.err &&
	grep 'permission denied' /tmp/perm.err"
ok "nobody cannot read root's file_pins (EACCES)" sh -c "
	! /usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups cat /proc/1/file_pins 2>/tmp/perm.err &&
	grep 'Permission denied' /tmp/perm.err"
ok "root's file is still truncatable" /usr/bin/truncate -s 0 "$f"
rm -f "$f"

# Unmount with a live MR, and with the lease orphaned (file closed and
# unmapped, the MR keeps it): refused with EBUSY, as for any file in use,
# and fine once the MR is gone.
for d in "$DAX_EXT4" "$DAX_XFS"; do
	f=$d/held
	rm -f /tmp/ctl /tmp/holder.out
	mkfifo /tmp/ctl
	rdma_write "$RXE_IP" "leased:$f" 1048576 hold </tmp/ctl >/tmp/holder.out 2>&1 &
	holder=$!
	exec 3>/tmp/ctl
	ok "an MR over a leased file on $d" wait_for /tmp/holder.out "holding the region"
	ok "umount $d with the live MR: EBUSY" sh -c "! umount $d 2>/tmp/umount.err && grep -i busy /tmp/umount.err"
	echo orphan >&3
	ok "the holder closes and unmaps the file: the lease is orphaned" wait_for /tmp/holder.out "holder: close: done"
	ok "umount $d with the orphaned lease: EBUSY" sh -c "! umount $d 2>/tmp/umount.err && grep -i busy /tmp/umount.err"
	ok "truncate with the orphaned lease: ETXTBSY" sh -c "! /usr/bin/truncate -s 0 $f 2>/tmp/t.err && grep 'Text file busy' /tmp/t.err"
	exec 3>&-
	wait "$holder"
	ok "the holder exits: the lease is gone" sh -c "! grep LAYOUT /proc/locks"
	rm -f "$f" /tmp/ctl
	if [ "$d" = "$DAX_EXT4" ]; then
		ok "umount and mount $d again" sh -c "umount $d && mount -t ext4 -o dax $PMEM_EXT4 $d"
	else
		ok "umount and mount $d again" sh -c "umount $d && mount -t xfs -o dax=always $PMEM_XFS $d"
	fi
done
finish
