#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# requires: zoned_xfs
# Zoned xfs (7.x kernels): zoned garbage collection moves the blocks of every
# file on the realtime device and shuts the file system down when it cannot
# (xfs_break_layouts() failing under an unbreakable lease), so a zoned inode
# takes no user layout lease (EINVAL), and an empty file on the data device
# that holds one cannot be made zoned with FS_XFLAG_REALTIME: ETXTBSY, the
# file stays on the data device with its lease, whoever asks (its holder
# too) and whichever the lease (breakable too: it is not broken). Without a
# lease the flag can be set, and the file then takes no lease. A 384 MiB
# RAM disk (ram2) made with xfsprogs 6.15's mkfs.xfs -r zoned=1
# (scripts/build-xfsprogs), 16 MiB zones.
. /usr/libexec/fsdax/lib.sh
X=/usr/libexec/fsdax/xfsprogs/sbin
Z=/mnt/zoned

# mkfs.xfs refuses file systems under 300 MB unless run by fstests.
mk() {
	TEST_DIR=/x TEST_DEV=/y QA_CHECK_FS=1 $X/mkfs.xfs -q -f -r zoned=1,start=128m,rgsize=16m /dev/ram2 &&
		mkdir -p $Z && mount -t xfs /dev/ram2 $Z &&
		mkdir $Z/rt $Z/data && $X/xfs_io -c "chattr +t" $Z/rt && $X/xfs_io -c "chattr -t" $Z/data
}
mk >/tmp/mk.out 2>&1
mkrc=$?
ok "zoned xfs: made on ram2 (xfsprogs 6.15) and mounted" sh -c "cat /tmp/mk.out; exit $mkrc"
[ $mkrc = 0 ] || { finish; exit; }

# rtflag FILE: the realtime flag of FILE's xflags (xfs_io lsattr: 'r').
rtflag() {
	$X/xfs_io -c lsattr "$1" | awk '{ print $1 }' | grep -q r
}
# refused FILE: FS_XFLAG_REALTIME on FILE fails with ETXTBSY and is not set.
refused() {
	out=$($X/xfs_io -c "chattr +r" "$1" 2>&1)
	echo "$out"
	echo "$out" | grep -q 'Text file busy' && ! rtflag "$1"
}
notleased() {
	! leased "$1"
}
notrt() {
	! rtflag "$1"
}
# leased FILE: a layout lease of FILE is still in /proc/locks.
leased() {
	grep -q "LAYOUT.*:$(stat -c %i "$1") " /proc/locks
}

f=$Z/rt/f
touch "$f"
ok "zoned xfs: a file of a realtime-inherit directory is zoned (realtime flag)" rtflag "$f"
ok "zoned xfs: an unbreakable layout lease on a zoned file fails with EINVAL" \
	sh -c "layout-lease --exclusive $f true 2>&1 | grep 'not supported for this file'"
ok "zoned xfs: a breakable layout lease on a zoned file fails with EINVAL" \
	sh -c "layout-lease $f true 2>&1 | grep 'not supported for this file'"
ok "zoned xfs: no layout lease left on the zoned file" notleased "$f"

g=$Z/data/g
touch "$g"
ok "zoned xfs: a file on the data device is not realtime" notrt "$g"
hold_lease "$g" exclusive 60
ok "zoned xfs: FS_XFLAG_REALTIME on an empty file under an unbreakable lease: ETXTBSY, not set" \
	refused "$g"
ok "zoned xfs: the unbreakable lease is still held" leased "$g"
ok "zoned xfs: and still honoured (truncate up: ETXTBSY)" \
	sh -c "truncate -s 1M $g 2>&1 | grep 'Text file busy'"
release_leases
ok "zoned xfs: FS_XFLAG_REALTIME by the lease's own holder: ETXTBSY" \
	sh -c "layout-lease --exclusive $g $X/xfs_io -c 'chattr +r' $g 2>&1 | grep 'Text file busy'"
ok "zoned xfs: and the flag is not set" notrt "$g"
hold_lease "$g" breakable 60
ok "zoned xfs: FS_XFLAG_REALTIME on an empty file under a breakable lease: ETXTBSY, not set" \
	refused "$g"
ok "zoned xfs: the breakable lease is not broken" leased "$g"
release_leases

# Without a lease: the file becomes zoned, and takes no lease then.
ok "zoned xfs: FS_XFLAG_REALTIME on an empty file without a lease succeeds" \
	$X/xfs_io -c "chattr +r" "$g"
ok "zoned xfs: it is realtime" rtflag "$g"
ok "zoned xfs: and takes no layout lease now (EINVAL)" \
	sh -c "layout-lease --exclusive $g true 2>&1 | grep 'not supported for this file'"

# A file on the data device of a zoned file system is leased as on any xfs.
h=$Z/data/h
$X/xfs_io -f -c "pwrite -q 0 1m" "$h"
hold_lease "$h" exclusive 60
ok "zoned xfs: a data-device file under an unbreakable lease: truncate fails with ETXTBSY" \
	sh -c "truncate -s 4k $h 2>&1 | grep 'Text file busy'"
ok "zoned xfs: its size is unchanged" test "$(stat -c %s "$h")" = 1048576
release_leases
ok "zoned xfs: after the lease, truncate succeeds" truncate -s 4k "$h"

ok "zoned xfs: not shut down (a new file can be written), unmounted" \
	sh -c "touch $Z/data/last && umount $Z"

# GC racing a file that leaves the zoned device: GC reads and writes a chunk
# of a zoned file before it takes the IOLOCK to remap it; meanwhile the
# owner truncates the file, clears FS_XFLAG_REALTIME and takes an
# unbreakable lease (tests/src/zoned_gc_race.c). GC must not break the
# lease of that stale chunk's inode: no shutdown, GC having moved data.
# Without the fix, 8 rounds in 12 shut xfs down (7.3.4 package, TCG).
rounds=${ZONED_GC_ROUNDS:-6}
shut=0 moved=0 raced=0
i=0
while [ $i -lt "$rounds" ]; do
	i=$((i + 1))
	mk || break
	dev=$(basename "$(readlink -f /dev/ram2)")
	echo 100 >/sys/fs/xfs/$dev/zoned/zonegc_low_space
	zoned_gc_race $Z/rt/v 96 $((i * 2000)) && raced=$((raced + 1))
	# GC bytes moved on this mount ("gc xpc N"): GC ran.
	gc=$(awk '$1 == "gc" { print $3 }' /sys/fs/xfs/$dev/stats/stats)
	[ "${gc:-0}" -gt 0 ] && moved=$((moved + 1))
	touch $Z/data/after 2>/dev/null || { shut=$((shut + 1)); echo "round $i: shut down"; }
	umount $Z
done
ok "zoned xfs: GC racing truncate + FS_XFLAG_REALTIME cleared + lease: all $rounds rounds raced" \
	test "$raced" = "$rounds"
ok "zoned xfs: GC moved data in every round" test "$moved" = "$rounds"
ok "zoned xfs: and never shut the file system down" test "$shut" = 0
finish
