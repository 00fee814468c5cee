#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# requires: modules
# Module lifetimes on a modular kernel (the distribution kernel package).
#
# 1. While a memory region pins a leased DAX file, held by a process that
#    still has the file open and mapped (kill-low) or by one that closed and
#    unmapped it (orphan: only the pins keep its lease), ib_uverbs, and the
#    RDMA driver if it cannot disassociate a user context from its device
#    (siw; rxe before Linux 7.x), are held by the holder's uverbs file
#    (their reference counts are above what they are without it) and rmmod
#    of either is refused as "in use"; a driver that can disassociate (rxe
#    on 7.x: it has rxe_disassociate_ucontext) is not held. The file stays
#    pinned (another process's truncate fails with ETXTBSY) with its data
#    intact; umount of its filesystem is refused (the pins hold the leased
#    file). Killing the holder releases the pins and the lease and returns
#    both counts to what they were.
# 2. rdma link delete of the device under such a pin: a driver that cannot
#    disassociate waits without touching the pins and completes once the
#    holder is killed; one that can completes at once, destroying the
#    holder's memory region, which releases the pins while the holder keeps
#    its lease (truncate still fails with ETXTBSY, the data is intact).
#    Then the driver unloads, loads again with rdma link add and registers
#    an MR over a leased file.
# 3. The filesystem module (xfs: ext4 holds this guest's root): after
#    umount -l of a DAX xfs under an orphaned lease, the detached superblock
#    stays for the pins, and with it xfs (rmmod refused). Once
#    the holder is killed the superblock goes, xfs unloads, the next mount
#    loads it again, and the file is intact and truncates.
# ib_core (used by the drivers), ext4 (the root) and nd_pmem (the other DAX
# filesystem) are never removable here and would prove nothing about pins;
# they are not tried. 95-pmem-unbind.t takes a pmem namespace away under an
# orphaned lease after umount -l.
. /usr/libexec/fsdax/lib.sh
M=1048576

refcnt() {
	cat "/sys/module/$1/refcnt"
}

# refused MODULE: rmmod MODULE fails because the module is in use, and it
# stays loaded.
refused() {
	if rmmod "$1" 2>/tmp/rmmod.err; then
		echo "rmmod $1 succeeded"
		return 1
	fi
	cat /tmp/rmmod.err
	grep -q "is in use" /tmp/rmmod.err && [ -d "/sys/module/$1" ]
}

# held MODULE BASE: MODULE's reference count is above BASE and rmmod of it is
# refused.
held() {
	echo "refcnt $(refcnt "$1"), $2 without the holder"
	[ "$(refcnt "$1")" -gt "$2" ] && refused "$1"
}

# intact FILE COPY: FILE is still pinned (another process's truncate fails
# with ETXTBSY) and holds what COPY holds.
intact() {
	if /usr/bin/truncate -s 0 "$1" 2>/tmp/trunc.err; then
		echo "truncate succeeded while pinned"
		return 1
	fi
	grep -q "Text file busy" /tmp/trunc.err || { cat /tmp/trunc.err; return 1; }
	cmp "$1" "$2"
}

# umount_busy DIR: umount DIR fails, busy, and DIR stays mounted.
umount_busy() {
	if umount "$1" 2>/tmp/umount.err; then
		echo "umount $1 succeeded"
		return 1
	fi
	cat /tmp/umount.err
	grep -q busy /tmp/umount.err && grep -q " $1 " /proc/mounts
}

# end_holder: kill the holder; the lease and the pins go.
end_holder() {
	kill -9 "$pid"
	wait "$pid"
	released
}

# within SECONDS CMD...: CMD succeeds within SECONDS.
within() {
	t=$(($1 * 10))
	shift
	until "$@" >/dev/null 2>&1; do
		t=$((t - 1))
		[ $t -gt 0 ] || { echo "still failing: $*"; return 1; }
		sleep 0.1
	done
}

# running PID: PID is a process that has not ended (a zombie has: the shell
# reaps its children only in wait).
running() {
	[ -e "/proc/$1" ] && ! grep -q "^State:.*Z" "/proc/$1/status"
}

ended() {
	! running "$1"
}

# waits PID FILE: PID still runs, and the holder $pid still pins FILE.
waits() {
	running "$1" && grep -q "$2" "/proc/$pid/file_pins"
}

# freed FILE: no lease, no pin left, and FILE truncates.
freed() {
	released && /usr/bin/truncate -s $M "$1"
}

# new_file FILE: FILE, 1 MiB of random data, and its copy /tmp/modules.copy.
new_file() {
	rm -f "$1"
	head -c $M /dev/urandom >"$1"
	cp "$1" /tmp/modules.copy
}

# ib_uverbs comes with the first RDMA device (udev) or the first verbs
# program, whichever is first: load it, so that its count without a holder
# is there to be read whichever tests ran before.
ok "ib_uverbs is loaded" sh -c "modprobe ib_uverbs && [ -e /sys/module/ib_uverbs/refcnt ]"
for dev in "$RXE_DEV" "$SIW_DEV"; do
	[ -n "$dev" ] || ! no_siw "module removal under pins" || continue
	drv=rdma_rxe nd=dummy0
	[ "$dev" = "$RXE_DEV" ] || drv=siw nd=dummy1
	base_drv=$(refcnt $drv)
	base_uv=$(refcnt ib_uverbs)
	# Does the driver disassociate user contexts when its device goes?
	disassoc=0
	! grep -qw "${drv#rdma_}_disassociate_ucontext" /proc/kallsyms || disassoc=1
	echo "# $drv: disassociates user contexts: $disassoc"

	# 1. rmmod and umount under pins.
	for dir in "$DAX_EXT4" "$DAX_XFS"; do
		f=$dir/modules-$dev
		new_file "$f"
		for mode in kill-low orphan; do
			pid=
			mr_holder "$dev" "$f" $mode >/tmp/holder.log 2>&1
			ok "$dev $dir $mode: an MR pins the leased file" \
				sh -c "cat /tmp/holder.log; [ -n '$pid' ] && kill -0 '$pid' && grep -q '$f' /proc/'$pid'/file_pins"
			# No holder, no module held: removing them would prove nothing.
			[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || continue
			if [ $disassoc = 0 ]; then
				ok "$dev $dir $mode: $drv is held by the holder, rmmod refused" held $drv "$base_drv"
			else
				ok "$dev $dir $mode: $drv, which disassociates, is not held" \
					sh -c "echo refcnt \$(cat /sys/module/$drv/refcnt), $base_drv without the holder;
						[ \$(cat /sys/module/$drv/refcnt) = $base_drv ]"
			fi
			ok "$dev $dir $mode: ib_uverbs is held by the holder, rmmod refused" held ib_uverbs "$base_uv"
			ok "$dev $dir $mode: umount $dir refused, busy" umount_busy "$dir"
			ok "$dev $dir $mode: still pinned, data intact" intact "$f" /tmp/modules.copy
			ok "$dev $dir $mode: the holder killed, the pins and the lease go" end_holder
			ok "$dev $dir $mode: $drv and ib_uverbs are back to their counts" \
				sh -c "[ \$(cat /sys/module/$drv/refcnt) = $base_drv ] &&
					[ \$(cat /sys/module/ib_uverbs/refcnt) = $base_uv ]"
			ok "$dev $dir $mode: the file truncates" /usr/bin/truncate -s $M "$f"
		done
		rm -f "$f"
	done

	# 2. Removing the device under a pin waits for the holder, or revokes
	# the pins of a driver that disassociates.
	f=$DAX_XFS/modules-del
	new_file "$f"
	pid=
	mr_holder "$dev" "$f" kill-low >/tmp/holder.log 2>&1
	ok "$dev: an MR pins $f" sh -c "cat /tmp/holder.log; [ -n '$pid' ] && kill -0 '$pid'"
	if [ $disassoc = 1 ] && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		rdma link delete "$dev" >/tmp/linkdel.out 2>&1 &
		del=$!
		ok "$dev: rdma link delete completes under the pin (disassociated)" within 30 ended $del
		wait $del
		rc=$?
		ok "$dev: rdma link delete succeeded, the device is gone" \
			sh -c "cat /tmp/linkdel.out; [ $rc = 0 ] && ! ibv_devices | grep -qw $dev"
		ok "$dev: the holder's pins are released, the holder still runs" \
			sh -c "kill -0 $pid && ! grep -q '$f' /proc/$pid/file_pins && ! grep -q '$f' /proc/fs/file_pins"
		ok "$dev: its lease stays: truncate fails with ETXTBSY, data intact" intact "$f" /tmp/modules.copy
		kill -9 "$pid"
		wait "$pid"
		ok "$dev: the holder killed, the lease goes, the file truncates" freed "$f"
	elif [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		rdma link delete "$dev" >/tmp/linkdel.out 2>&1 &
		del=$!
		sleep 3
		ok "$dev: rdma link delete waits while the MR pins the file" \
			waits "$del" "$f"
		ok "$dev: meanwhile the file stays pinned, data intact" intact "$f" /tmp/modules.copy
		kill -9 "$pid"
		wait "$pid"
		ok "$dev: the holder killed, rdma link delete completes" within 30 ended $del
		wait $del
		rc=$?
		ok "$dev: rdma link delete succeeded, the device is gone" \
			sh -c "cat /tmp/linkdel.out; [ $rc = 0 ] && ! ibv_devices | grep -qw $dev"
		ok "$dev: the pins and the lease are gone, the file truncates" freed "$f"
	fi
	rm -f "$f"
	ok "$dev: with no device and no pins, rmmod $drv succeeds" rmmod $drv
	ok "$dev: rdma link add loads $drv again, and it registers an MR over a leased file" \
		sh -c "rdma link add $dev type ${drv#rdma_} netdev $nd && ibv_devices | grep -qw $dev &&
			head -c $M /dev/zero >$DAX_XFS/modules-again && mr_lease $dev $DAX_XFS/modules-again &&
			rm -f $DAX_XFS/modules-again"
done

# 3. The filesystem module under an orphaned lease after umount -l. The
# other xfs mounts (the non-DAX one, those earlier tests left) go for the
# time of the test, so that only DAX_XFS uses xfs.
xfs_dev=$(awk -v d="$DAX_XFS" '$2 == d { print $1 }' /proc/mounts)
awk -v d="$DAX_XFS" '$3 == "xfs" && $2 != d {
	print $1, $2, ($4 ~ /(^|,)dax=always(,|$)/ ? "dax=always" : "defaults") }' /proc/mounts >/tmp/xfs-mounts
ok "the other xfs mounts unmount" \
	sh -c "cat /tmp/xfs-mounts; while read -r dev dir opt; do umount \$dir || exit 1; done </tmp/xfs-mounts"
f=$DAX_XFS/modules-fs
new_file "$f"
pid=
mr_holder "$RXE_DEV" "$f" orphan >/tmp/holder.log 2>&1
ok "orphan: an MR pins $f" sh -c "cat /tmp/holder.log; [ -n '$pid' ] && kill -0 '$pid'"
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
	ok "orphan: umount $DAX_XFS refused, busy" umount_busy "$DAX_XFS"
	ok "orphan: umount -l $DAX_XFS detaches it" \
		sh -c "umount -l $DAX_XFS && ! awk '\$3 == \"xfs\"' /proc/mounts | grep -q ."
	ok "orphan: the holder's file_pins still lists the file" grep -q modules-fs "/proc/$pid/file_pins"
	ok "orphan: xfs is held by the detached superblock, rmmod refused" refused xfs
	kill -9 "$pid"
	wait "$pid"
	ok "orphan: the holder killed, the superblock goes and xfs unloads" \
		within 30 sh -c "[ \$(cat /sys/module/xfs/refcnt) = 0 ] && rmmod xfs"
	ok "orphan: the pins and the lease are gone" released
fi
ok "mount loads xfs again; the file is intact and truncates" \
	sh -c "mount -t xfs -o dax=always $xfs_dev $DAX_XFS && cmp $f /tmp/modules.copy &&
		/usr/bin/truncate -s 0 $f && rm $f"
ok "the other xfs mounts mount again" \
	sh -c "while read -r dev dir opt; do mount -t xfs -o \$opt \$dev \$dir || exit 1; done </tmp/xfs-mounts"
ok "no layout lease left, every pin released" released
finish
