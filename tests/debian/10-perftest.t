#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# An unmodified RDMA program from Debian's packages over files on ext4 and
# xfs DAX: perftest's ib_write_bw, whose --mmap=FILE makes its buffer a
# MAP_SHARED mapping of FILE. The server runs under `layout-lease
# --exclusive` and registers the file as its memory region; the client
# RDMA-WRITEs a buffer of random bytes (its own --mmap file, on tmpfs) into
# it, over rxe and over siw (RDMA CM, -R). ib_write_bw's buffer is two
# messages long and the client writes its first message into the server's
# second: afterwards the file's second MiB is byte for byte the client's
# first. (Both sides fill their buffers from rand() seeded with the time, so
# the two first MiBs may well be equal without any transfer; these two
# cannot.) The same program over anonymous memory in the same run gives the
# reference throughput: reported, not asserted, and measured as the
# client's wall-clock time (connection included), because ib_write_bw's own
# figure reads 0.00 MB/s under QEMU TCG, whose cycle counter it cannot
# calibrate.
#
# FSDAX_KERNEL=base (scripts/run-tests --base): the unpatched kernel, where
# the lease cannot be taken (EINVAL: layout-lease exits 65) and the
# registration of the DAX file fails (ibv_reg_mr EOPNOTSUPP).
. /usr/libexec/fsdax/lib.sh
S=1048576	# message size: one RDMA WRITE of 1 MiB per iteration
N=${PERFTEST_ITERS:-50}
port=18515
kernel=${FSDAX_KERNEL:-patched}

# bw DEV IP WRAPPER SERVER-ARGS CLIENT-ARGS: run ib_write_bw's server (after
# the words of WRAPPER, if any) and client; print the client's MB/s (its
# wall-clock time). Fails if either side fails; their output is then shown.
bw() {
	port=$((port + 1))
	# shellcheck disable=SC2086 # word lists
	$3 ib_write_bw -d "$1" -R -F -s $S -n "$N" -p $port $4 >/tmp/srv.out 2>&1 &
	spid=$!
	sleep 1
	cok=0
	i=0
	while [ $i -lt 5 ]; do
		t0=$(date +%s%N)
		# shellcheck disable=SC2086 # word list
		if ib_write_bw -d "$1" -R -F -s $S -n "$N" -p $port $5 "$2" >/tmp/cli.out 2>&1; then
			cok=1
			break
		fi
		kill -0 $spid 2>/dev/null || break
		i=$((i + 1))
		sleep 1	# the server may not listen yet
	done
	[ $cok = 1 ] || kill $spid 2>/dev/null
	wait $spid
	src=$?
	if [ $cok = 0 ] || [ $src != 0 ]; then
		echo "server (exit $src):"; cat /tmp/srv.out
		echo "client:"; cat /tmp/cli.out
		return 1
	fi
	t1=$(date +%s%N)
	# The result line: #bytes #iterations BW-peak BW-average MsgRate
	grep -q "^ *$S  *$N " /tmp/cli.out || { echo "no result line:"; cat /tmp/cli.out; return 1; }
	awk -v b=$((S * N)) -v ns=$((t1 - t0)) 'BEGIN { printf "%.1f\n", b / 1048576 / (ns / 1e9) }'
}

# anon DEV IP: the reference, over anonymous memory on both sides.
anon() {
	bw "$1" "$2" "" "" "" >/tmp/anon.bw || return 1
	echo "$(cat /tmp/anon.bw) MB/s (wall clock)"
}

# leased DEV IP FILE: the server's buffer is FILE, under the lease.
leased() {
	bw "$1" "$2" "layout-lease --exclusive --write $3" "--mmap=$3" "--mmap=/tmp/src" >/tmp/file.bw ||
		return 1
	echo "$(cat /tmp/file.bw) MB/s; anonymous memory: $(cat /tmp/anon.bw) MB/s (wall clock)"
}

# reg_fails DEV IP FILE [WRAPPER]: the server cannot register FILE.
reg_fails() {
	if bw "$1" "$2" "${4:-}" "--mmap=$3" "--mmap=/tmp/src"; then
		echo "the transfer into $3 worked"
		return 1
	fi
	grep "Couldn't allocate MR\|ibv_reg_mr" /tmp/srv.out
}

# lease_refused FILE: layout-lease exits 65, the lease cannot be taken.
lease_refused() {
	layout-lease --exclusive --write "$1" true
	rc=$?
	echo "layout-lease exit status $rc"
	[ $rc = 65 ]
}

# released FILE: no pin or lease left behind; the file can be truncated.
released() {
	pins_balanced && ! grep LAYOUT /proc/locks && /usr/bin/truncate -s 0 "$1"
}

# sent FILE: FILE's second MiB is the client's first.
sent() {
	cmp -n $S -i 0:$S /tmp/src "$1" ||
		{ echo "the second MiB of $1 is not the first of what the client sent"; return 1; }
}

head -c $((16 * S)) /dev/urandom >/tmp/src
for dev in "$RXE_DEV" "$SIW_DEV"; do
	[ -n "$dev" ] || ! no_siw "perftest" || continue
	[ "$dev" = "$RXE_DEV" ] && ip=$RXE_IP || ip=$SIW_IP
	ok "$dev: ib_write_bw over anonymous memory (the reference)" anon "$dev" "$ip"
	for m in "$DAX_EXT4" "$DAX_XFS"; do
		f=$m/perftest
		rm -f "$f"
		xfs_io -f -c "pwrite -S 0 0 $((16 * S))" -c fsync "$f" >/dev/null
		case $kernel in
		patched)
			ok "$dev $m: ib_write_bw --mmap=FILE without the lease: registration fails" \
				reg_fails "$dev" "$ip" "$f"
			ok "$dev $m: ib_write_bw --mmap=FILE under layout-lease --exclusive: $N RDMA WRITEs of 1 MiB" \
				leased "$dev" "$ip" "$f"
			ok "$dev $m: the MiB the client wrote into the file is what it sent" sent "$f"
			ok "$dev $m: no pin or lease left: truncate works" released "$f"
			;;
		base)
			ok "$dev $m: base kernel: layout-lease --exclusive is refused" lease_refused "$f"
			ok "$dev $m: base kernel: ib_write_bw --mmap=FILE fails at registration" \
				reg_fails "$dev" "$ip" "$f"
			;;
		*) ok "FSDAX_KERNEL is patched or base, not '$kernel'" false ;;
		esac
		rm -f "$f"
	done
done
finish
