#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# requires: gup_test layout_change_delay
# The block-moving ioctls racing a lease and a long-term pin, as the
# truncates and hole punches of 85-layout-races.t: ext4's boot loader swap
# (EXT4_IOC_SWAP_BOOT) and online defrag (EXT4_IOC_MOVE_EXT with a leased or
# a DAX donor), xfs reflink with the file as source or destination,
# XFS_IOC_SWAPEXT, and exchange-range of a DAX with a non-DAX file. Each is
# held at the kernel's layout_change_delay() point after its first lease
# check while another process takes F_LAYOUT | F_EXCLUSIVE and pins the
# file's mapping (and with -u unmaps it): it must fail with ETXTBSY and
# leave the file as it was (tests/src/layout_race.c). A reflink held after
# it unmapped its source while the source's owner faults it in, leases it
# and pins it for reading: the pin must be refused (tests/src/reflink_race.c).
. /usr/libexec/fsdax/lib.sh

ok "the layout_change_delay fault-injection point is set up" race_delay "${RACE_DELAY_MS:-300}"
R=${RACE_ROUNDS:-2}

# ext4's ioctls that move blocks between files: the boot loader swap
# (EXT4_IOC_SWAP_BOOT) under the same race, and e4defrag's EXT4_IOC_MOVE_EXT,
# whose donor's lease counts as much as the original's.
f=$DAX_EXT4/race
for u in "" -u; do
	how=$(race_how "$u")
	mkfile "$f"
	ok "ext4: EXT4_IOC_SWAP_BOOT racing a lease + pin$how: ETXTBSY, file intact" \
		layout_race $u -n "$R" "$f" ext4_ioc swap-boot "$f"
done
rm -f "$f"
f=$EXT4/mv
g=$EXT4/mv-donor
mkfile "$f"
mkfile "$g"
hold_lease "$f" exclusive 30
ok "ext4: EXT4_IOC_MOVE_EXT of a leased file fails with ETXTBSY" \
	sh -c "ext4_ioc move-ext $f $g | grep 'Text file busy'"
ok "ext4: EXT4_IOC_SWAP_BOOT of a leased file fails with ETXTBSY" \
	sh -c "ext4_ioc swap-boot $f | grep 'Text file busy'"
release_leases
hold_lease "$g" exclusive 30
ok "ext4: EXT4_IOC_MOVE_EXT with a leased donor fails with ETXTBSY" \
	sh -c "ext4_ioc move-ext $f $g | grep 'Text file busy'"
release_leases
ok "ext4: without leases, EXT4_IOC_MOVE_EXT moves the blocks" \
	ext4_ioc move-ext "$f" "$g"
rm -f "$f" "$g"
dev=$(awk '$2 == "/mnt/dax-ext4" { print $1 }' /proc/mounts)
if umount "$DAX_EXT4" && mount -t ext4 -o dax=inode "$dev" "$DAX_EXT4"; then
	mkdir -p "$DAX_EXT4/daxdir"
	xfs_io -c "chattr +x" "$DAX_EXT4/daxdir"
	f=$DAX_EXT4/mv
	g=$DAX_EXT4/daxdir/mv-donor
	mkfile "$f"
	mkfile "$g"
	ok "ext4 dax=inode: EXT4_IOC_MOVE_EXT with a DAX donor fails with EOPNOTSUPP" \
		sh -c "is_dax $g && ! is_dax $f && ext4_ioc move-ext $f $g | grep 'Operation not supported'"
	rm -rf "$DAX_EXT4/daxdir" "$f"
	umount "$DAX_EXT4"
fi
ok "$DAX_EXT4 is mounted -o dax again" mount -t ext4 -o dax "$dev" "$DAX_EXT4"

f=$DAX_XFS/race
g=$DAX_XFS/race-other
for u in "" -u; do
	how=$(race_how "$u")
	mkfile "$f"
	rm -f "$g" && touch "$g"
	ok "xfs: reflink from a file racing its lease + pin$how: ETXTBSY" \
		layout_race $u -n "$R" "$f" xfs_io -c "reflink $f" "$g"
	mkfile "$g"
	ok "xfs: reflink onto a file racing its lease + pin$how: ETXTBSY, file intact" \
		layout_race $u -n "$R" "$f" xfs_io -c "reflink $g" "$f"
	ok "xfs: XFS_IOC_SWAPEXT racing a lease + pin$how: ETXTBSY, file intact" \
		layout_race $u -n "$R" "$f" xfs_io -c "swapext $g" "$f"
done
# A read fault on the source while its extents are being shared must not
# leave a page that a pin under the source's lease alone accepts.
mkfile "$f"
ok "xfs: a read pin under the lease of a reflink source racing the sharing of its extents: refused (EOPNOTSUPP)" \
	reflink_race -n "$R" "$f" "$g"
rm -f "$f" "$g"

# Exchange-range between a DAX and a non-DAX file (dax=inode): the DAX
# file's pages must be unmapped and checked like those of two DAX files.
# XFS_IOC_EXCHANGE_RANGE needs the exchange feature, which Debian
# bookworm's mkfs.xfs (6.1) cannot set: the xfs is made again for this part
# with xfsprogs 6.15's (scripts/build-xfsprogs), -i exchange=1, and as the
# guest made it afterwards.
X=/usr/libexec/fsdax/xfsprogs/sbin
dev=$(awk '$2 == "/mnt/dax-xfs" { print $1 }' /proc/mounts)
mkx() {
	umount "$DAX_XFS" && $X/mkfs.xfs -q -f -m reflink=1 -i exchange=1 -d su=2m,sw=1 "$dev" &&
		mount -t xfs -o dax=inode "$dev" "$DAX_XFS"
}
if ok "xfs made again with the exchange feature (xfsprogs 6.15), mounted dax=inode" mkx; then
	mkdir -p "$DAX_XFS/daxdir"
	xfs_io -c "chattr +x" "$DAX_XFS/daxdir"
	f=$DAX_XFS/daxdir/race
	mkfile "$f"
	mkfile "$g"
	xfs_io -c "pwrite -S 0x33 0 2m" -c fsync "$g" >/dev/null
	ok "dax=inode: the leased file is DAX, the other one is not" \
		sh -c "is_dax $f && ! is_dax $g"
	for u in "" -u; do
		how=$(race_how "$u")
		ok "xfs dax=inode: exchange-range of a DAX file with a non-DAX file racing a lease + pin$how: ETXTBSY, file intact" \
			layout_race $u -n "$R" "$f" exchange-range "$g"
	done
	rm -rf "$DAX_XFS/daxdir" "$g"
fi
ok "$DAX_XFS is made as the guest made it, mounted -o dax=always again" \
	sh -c "umount $DAX_XFS; mkfs.xfs -q -f -m reflink=1 -d su=2m,sw=1 $dev &&
		mount -t xfs -o dax=always $dev $DAX_XFS"

race_delay 0
ok "no layout lease left" sh -c "! grep -q LAYOUT /proc/locks"
ok "every pin was released" pins_balanced
finish
