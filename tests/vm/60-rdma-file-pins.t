#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Contract sections D and E: RDMA memory regions over files on ext4 and xfs
# DAX, on rxe (RoCE) and siw (iWARP): registration needs the unbreakable
# layout lease, a peer's RDMA WRITE lands in the file, the registration
# keeps the blocks (truncate and hole punch refused, F_UNLCK refused, close
# and munmap allowed), /proc/<pid>/file_pins shows it, dereg, exit and
# SIGKILL release it all; pins held through a uverbs fd that no process has
# open (in flight) are found through /proc/fs/file_pins.
. /usr/libexec/fsdax/lib.sh
M=1048576

# kill_holder DEV FILE kill-low|kill-high: a process registers FILE under
# its lease, is SIGKILLed; nothing may be left behind.
kill_holder() {
	out=/tmp/mr_lease.$$
	mr_holder "$1" "$2" "$3" || return 1
	grep -q "$2" /proc/$pid/file_pins || { echo "file_pins:"; cat /proc/$pid/file_pins; return 1; }
	file-pins "$2" >"$out.fp" || { echo "file-pins $2 found nothing"; return 1; }
	cat "$out.fp"
	grep -q "^$pid  *mr_lease  *[0-9][0-9]* /dev/infiniband/uverbs[0-9]*  *$2\$" "$out.fp" || return 1
	/usr/bin/truncate -s 0 "$2" 2>/dev/null && { echo "truncate succeeded while pinned"; return 1; }
	kill -9 $pid
	wait $pid
	! grep -q LAYOUT /proc/locks || { cat /proc/locks; return 1; }
	! file-pins "$2" || { echo "file-pins still finds $2"; return 1; }
	/usr/bin/truncate -s $M "$2" && pins_balanced
}

# in_flight DEV FILE: a process registers FILE under its lease and leaves
# its uverbs fd in flight (SCM_RIGHTS, never received) in a socket that only
# its child holds, and exits. No /proc/<pid>/file_pins names the pins, a
# truncate fails; /proc/fs/file_pins lists them (the pinner exited: "-"),
# file-pins shows them with FD "-" and says where to look; killing the
# child, which holds the socket, releases them.
in_flight() {
	out=/tmp/inflight.$$
	mr_lease "$1" "$2" inflight >"$out" 2>&1 || { cat "$out"; return 1; }
	child=$(sed -n 's/^inflight //p' "$out")
	[ -n "$child" ] || { cat "$out"; return 1; }
	in_flight_found "$2"
	rc=$?
	kill -9 "$child"
	i=0
	until released; do
		i=$((i + 1))
		[ $i -gt 100 ] && { cat /proc/locks /proc/fs/file_pins; return 1; }
		sleep 0.1
	done
	[ $rc = 0 ] || return 1
	! file-pins "$2" >/dev/null 2>&1 || { echo "file-pins still finds $2"; return 1; }
	[ -z "$(cat /proc/fs/file_pins)" ] || { cat /proc/fs/file_pins; return 1; }
	/usr/bin/truncate -s $M "$2"
}

# in_flight_found FILE: what in_flight checks while the pins are in flight.
in_flight_found() {
	/usr/bin/truncate -s 0 "$1" 2>/dev/null && { echo "truncate succeeded while pinned"; return 1; }
	if grep -l "$1" /proc/[0-9]*/file_pins 2>/dev/null; then
		echo "a process's file_pins names the pins"
		return 1
	fi
	cat /proc/fs/file_pins
	grep -q "^$1	-	mr_lease	/dev/infiniband/uverbs[0-9]*\$" /proc/fs/file_pins ||
		{ echo "not in /proc/fs/file_pins"; return 1; }
	file-pins "$1" >"$out.fp" 2>"$out.err" || { cat "$out.fp" "$out.err"; return 1; }
	cat "$out.fp" "$out.err"
	grep -q "^-  *mr_lease  *- /dev/infiniband/uverbs[0-9]*  *$1\$" "$out.fp" &&
		grep -q "no process has the owner open" "$out.err"
}

for dev in "$RXE_DEV" "$SIW_DEV"; do
	[ -n "$dev" ] || ! no_siw "MRs over leased files" || continue
	[ "$dev" = "$RXE_DEV" ] && ip=$RXE_IP || ip=$SIW_IP
	for dir in "$DAX_EXT4" "$DAX_XFS"; do
		f=$dir/mr-lease-$dev
		rm -f "$f"
		dd if=/dev/urandom of="$f" bs=$M count=1 2>/dev/null
		ok "$dev $dir: registration, lease, truncate, F_UNLCK, close, file_pins, dereg" \
			mr_lease "$dev" "$f"
		rm -f "$f"
		dd if=/dev/urandom of="$f" bs=$M count=1 2>/dev/null
		ok "$dev $dir: reg_mr of the file fails with EOPNOTSUPP without a lease" \
			reg_mr "$dev" "file:$f" $M EOPNOTSUPP
		ok "$dev $dir: the same reg_mr run by layout-lease --exclusive succeeds" \
			layout-lease --exclusive "$f" reg_mr "$dev" "file:$f" $M ok
		ok "$dev $dir: RDMA WRITE + READ of 1 MiB into the leased file; read(2) shows it" \
			rdma_write "$ip" "leased:$f" $M
		for order in kill-low kill-high; do
			ok "$dev $dir: SIGKILL of the registering process ($order lease fd)" \
				kill_holder "$dev" "$f" $order
		done
		ok "$dev $dir: pins held through a uverbs fd in flight: /proc/fs/file_pins and file-pins name them, closing the socket ends them" \
			in_flight "$dev" "$f"
		rm -f "$f"
	done
done
ok "no layout lease left in /proc/locks" sh -c '! grep LAYOUT /proc/locks'
ok "nr_foll_pin_acquired == nr_foll_pin_released" pins_balanced
finish
