# SPDX-License-Identifier: GPL-2.0
# Helpers for the guest's test scripts (tests/vm/*.t): each check prints one
# TAP line; finish exits 0 only if every check passed.
set -a
. /run/vm.env
set +a
n=0
fails=0

# ok DESCRIPTION COMMAND...: the check passes when COMMAND exits 0; returns
# 0 if it passed, 1 if not.
ok() {
	desc=$1
	shift
	n=$((n + 1))
	if out=$("$@" 2>&1); then
		echo "ok $n $desc"
		_ok=0
	else
		echo "not ok $n $desc"
		fails=$((fails + 1))
		_ok=1
	fi
	[ -z "$out" ] || echo "$out" | sed 's/^/# /'
	return $_ok
}


# notrun DESCRIPTION REASON: a check that this kernel cannot run (siw on
# Debian's own kernel): "ok N DESCRIPTION # SKIP REASON" where a run allows it
# (FSDAX_NOTRUN_OK=1: the distribution kernels of make check-distro, whose
# host side counts it as not run, never as passed); a failure anywhere else.
notrun() {
	n=$((n + 1))
	if [ "${FSDAX_NOTRUN_OK:-0}" = 1 ]; then
		echo "ok $n $1 # SKIP $2"
	else
		echo "not ok $n $1 # not run: $2"
		fails=$((fails + 1))
	fi
}

# no_siw WHAT: with no siw device in this kernel, report WHAT as not run and
# return 0 (the caller skips it); return 1 when siw is there.
no_siw() {
	[ -z "$SIW_DEV" ] || return 1
	notrun "siw: $1" "this kernel has no siw"
	return 0
}

# mr_holder DEV FILE MODE: mr_lease DEV FILE MODE (kill-low, kill-high,
# orphan: it registers FILE under its lease and waits) in the background,
# its output in /tmp/mr_lease.out, until it says "pinned" (30 s at most).
# Sets $pid; fails, showing the output, if it died or took longer.
mr_holder() {
	mr_lease "$1" "$2" "$3" >/tmp/mr_lease.out 2>&1 &
	pid=$!
	i=0
	until grep -q pinned /tmp/mr_lease.out; do
		i=$((i + 1))
		if [ $i -gt 300 ] || ! kill -0 $pid 2>/dev/null; then
			cat /tmp/mr_lease.out
			return 1
		fi
		sleep 0.1
	done
}

# wait_for FILE TEXT: until FILE has a line with TEXT (10 s at most).
wait_for() {
	i=0
	until grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -le 100 ] || return 1
		sleep 0.1
	done
}

# blockdev_of NAMESPACE: the pmem block device of an fsdax namespace
# (nothing if it has none; the status is 0 either way).
blockdev_of() {
	for b in /sys/block/pmem*; do
		[ "$(cat "$b/device/namespace" 2>/dev/null)" = "$1" ] && echo "${b##*/}"
	done
	true
}

# start_unbind BDEV OUT: unbind the pmem device of block device BDEV from its
# driver through sysfs, in the background, with the caller's descriptors 3
# and 4 closed there; "unbind returned 0" (1 on failure) goes to OUT once
# the write returns. Sets $dev, $drv and $ub (the background shell).
start_unbind() {
	dev=$(basename "$(readlink -f /sys/block/"$1"/device)")
	drv=$(basename "$(readlink -f /sys/block/"$1"/device/driver)")
	rm -f "$2"
	(
		exec 3>&- 4>&-
		if echo "$dev" >"/sys/bus/nd/drivers/$drv/unbind"; then rc=0; else rc=1; fi
		echo "unbind returned $rc" >"$2"
	) &
	ub=$!
}

# unbind_done OUT BDEV: the unbind start_unbind wrote OUT for returned 0
# (10 s at most) and the block device BDEV is gone.
unbind_done() {
	wait_for "$1" "unbind returned 0" || { cat "$1"; return 1; }
	[ ! -e /sys/block/"$2" ]
}

# spare_ns_ext4 NS WHICH MNT: the spare pmem namespace NS (of the WHICH
# pmem region: "fourth", ...) made fsdax, with ext4 mounted -o dax at MNT:
# two checks; sets $bdev. Without that region, one failed check, and the
# test ends there.
spare_ns_ext4() {
	if [ ! -e /sys/bus/nd/devices/"$1" ]; then
		ok "a $2 pmem region for this test ($1)" false
		finish
		exit
	fi
	ok "$1 made fsdax" sh -c "ndctl create-namespace -f -e $1 -m fsdax >/tmp/ns-$1.json"
	bdev=$(blockdev_of "$1")
	mkdir -p "$3"
	ok "ext4 on /dev/$bdev mounted -o dax at $3" sh -c "[ -n '$bdev' ] &&
		mkfs.ext4 -q -F -b 4096 -E lazy_itable_init=0,lazy_journal_init=0 /dev/$bdev &&
		mount -t ext4 -o dax /dev/$bdev $3 && grep -q \" $3 ext4 .*dax\" /proc/mounts"
}

# released: no layout lease is left and every pin is released.
released() {
	! grep -q LAYOUT /proc/locks && pins_balanced
}

# settle: wait until the ext4 mounts' background work is done (at most 10
# min): the ext4lazyinit thread prefetches block bitmaps and zeroes inode
# tables, and would otherwise run inside timed operations (make bench).
# Under -icount sleep=off a sleeping guest costs no emulation time.
settle() {
	i=0
	while grep -qx ext4lazyinit /proc/[0-9]*/comm 2>/dev/null; do
		i=$((i + 1))
		[ $i -le 600 ] || { echo "settle: ext4lazyinit still runs" >&2; return 1; }
		sleep 1
	done
}

# pins_balanced: every FOLL_PIN pin taken so far was released (the per-CPU
# vmstat deltas folded first, or they drift by a few).
pins_balanced() {
	echo 1 >/proc/sys/vm/stat_refresh
	a=$(grep '^nr_foll_pin_acquired ' /proc/vmstat | cut -d' ' -f2)
	r=$(grep '^nr_foll_pin_released ' /proc/vmstat | cut -d' ' -f2)
	echo "acquired $a released $r"
	[ -n "$a" ] && [ "$a" = "$r" ]
}

# race_delay MS: the tasks that wrote 1 to /proc/self/make-it-fail sleep MS
# milliseconds at the kernel's layout_change_delay() point, right after the
# first layout lease check of a layout change (CONFIG_LAYOUT_CHANGE_DELAY;
# tests/src/layout_race.c). race_delay 0 turns it off.
race_delay() {
	d=/sys/kernel/debug/layout_change_delay
	[ -d $d ] || { echo "$d is missing (CONFIG_LAYOUT_CHANGE_DELAY)"; return 1; }
	if [ "$1" = 0 ]; then
		echo 0 >$d/probability
		return
	fi
	echo 100 >$d/probability
	echo -1 >$d/times
	echo 0 >$d/verbose
	echo 0 >$d/space
	echo 1 >$d/interval
	echo Y >$d/task-filter
	echo "$1" >$d/delay_ms
}

# race_how U: how layout_race's holder treats its mapping, for a check's
# name: U is "" (keeps it mapped) or -u (munmaps it before the change).
race_how() {
	if [ -n "$1" ]; then echo ", then unmaps"; else echo ", keeps it mapped"; fi
}

# mkfile PATH: 2 MiB of a pattern, written and synced.
mkfile() {
	rm -f "$1"
	xfs_io -f -c "pwrite -S 0x5a 0 2m" -c "pwrite -S 0xa5 4096 4096" \
		-c fsync "$1" >/dev/null
}

# no_skip COMMAND...: COMMAND succeeds and none of its TAP results is a SKIP
# (a kselftest whose tests skip exits 0; here a skip is a failure).
no_skip() {
	nsout=$("$@" 2>&1)
	nsrc=$?
	echo "$nsout"
	[ $nsrc -eq 0 ] && ! echo "$nsout" | grep -q "# SKIP"
}

# finish: print the plan; exit 0 only if every check passed.
finish() {
	echo "1..$n"
	[ $fails -eq 0 ]
}

# hold_lease FILE exclusive|breakable SECONDS: a background process takes a
# layout lease on FILE (layout-lease(1)) and holds it for up to SECONDS;
# HOLDER_PIDS collects the holders, release_leases ends them.
HOLDER_PIDS=
hold_lease() {
	before=$(grep -c LAYOUT /proc/locks)
	if [ "$2" = exclusive ]; then
		layout-lease --exclusive "$1" sleep "$3" &
	else
		layout-lease "$1" sleep "$3" &
	fi
	HOLDER_PIDS="$HOLDER_PIDS${HOLDER_PIDS:+,}$!"
	while [ "$(grep -c LAYOUT /proc/locks)" -le "$before" ]; do
		kill -0 $! 2>/dev/null || return 1
		sleep 0.1
	done
}
release_leases() {
	for p in $(echo "$HOLDER_PIDS" | tr , ' '); do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	HOLDER_PIDS=
}
