#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# requires: modules
# Module lifetimes on a modular kernel (the distribution kernel package):
# while a memory region pins a leased DAX file, held by a process that still
# has the file open and mapped, or by one that closed and unmapped it (only
# the pins keep its lease: orphaned), removing any module the pins depend on
# (the RDMA driver, ib_uverbs, ib_core, the filesystem, nd_pmem) is refused
# as "in use" and changes nothing: the file stays pinned (truncate fails),
# its data intact. Once the holder is gone the pins are released, and the
# RDMA driver unloads, loads again on demand and works.
. /usr/libexec/fsdax/lib.sh
M=1048576

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

# end_holder FILE: kill the holder; the lease and the pins go, the file
# truncates.
end_holder() {
	kill -9 $pid
	wait $pid
	released && /usr/bin/truncate -s $M "$1"
}

for dev in "$RXE_DEV" "$SIW_DEV"; do
	[ -n "$dev" ] || ! no_siw "module removal under pins" || continue
	drv=rdma_rxe
	[ "$dev" = "$RXE_DEV" ] || drv=siw
	for dir in "$DAX_EXT4" "$DAX_XFS"; do
		fs=$(stat -f -c %T "$dir")
		[ "$fs" = ext2/ext3 ] && fs=ext4
		f=$dir/modules-$dev
		rm -f "$f"
		head -c $M /dev/urandom >"$f"
		cp "$f" /tmp/modules.copy
		for mode in kill-low orphan; do
			pid=
			# kill-low: the file open and mapped; orphan: closed and unmapped.
			mr_holder "$dev" "$f" $mode >/tmp/holder.log 2>&1
			ok "$dev $dir $mode: an MR pins the leased file" \
				sh -c "cat /tmp/holder.log; [ -n '$pid' ] && kill -0 '$pid' && grep -q '$f' /proc/'$pid'/file_pins"
			# No holder, no module held: removing them would prove nothing.
			[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || continue
			for m in $drv ib_uverbs ib_core $fs nd_pmem; do
				ok "$dev $dir $mode: rmmod $m is refused, in use" refused $m
			done
			ok "$dev $dir $mode: still pinned, data intact" intact "$f" /tmp/modules.copy
			ok "$dev $dir $mode: the holder killed, the pins and the lease go" end_holder "$f"
		done
		rm -f "$f"
	done
	ok "$dev: with no pins, rmmod $drv succeeds and $dev goes" \
		sh -c "rmmod $drv && ! ibv_devices | grep -q $dev"
	nd=dummy0
	[ "$dev" = "$RXE_DEV" ] || nd=dummy1
	ok "$dev: rdma link add loads $drv again, and it registers an MR over a leased file" \
		sh -c "rdma link add $dev type ${drv#rdma_} netdev $nd && ibv_devices | grep -q $dev &&
			head -c $M /dev/zero >$DAX_XFS/modules-again && mr_lease $dev $DAX_XFS/modules-again &&
			rm -f $DAX_XFS/modules-again"
done
ok "no layout lease left, every pin released" released
finish
