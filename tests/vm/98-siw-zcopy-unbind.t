#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# requires: siw
# siw sends the data of large unsignalled work requests, RDMA READ responses
# among them, to TCP by reference (MSG_SPLICE_PAGES): the skbs take page
# references, not pins, and keep them until the data is delivered and
# acknowledged. fsdax pages do not hold their dev_pagemap, so such a
# reference outlives the MR, its pins and the lease unseen, and a removal of
# the pmem device (which waits only for the pins) frees the memory map under
# it: the skb's last put then touches freed memory. Pages of fsdax-pinned
# MRs must go to TCP as copies.
#
# On a namespace of its own (the eighth pmem region, made fsdax here): an
# MR over a leased file on siw, loopback traffic delayed by 6 s (netem), the
# client RDMA-READs the region, the holder is killed, and once the pins are
# released the namespace is unmounted and its device unbound; then the
# delayed skbs are delivered and freed. A page reference left in one of them
# oopses, or is reported by KASAN; copied data is harmless.
. /usr/libexec/fsdax/lib.sh
K256=262144
ns=$NS7	# the eighth region
mnt=/mnt/zcopy
f=$mnt/held

# released_within S: no lease, no pin left, within S seconds (siw releases
# a deregistered MR once its work requests are done).
released_within() {
	i=0
	until released >/dev/null; do
		i=$((i + 1))
		[ $i -lt $(($1 * 10)) ] || { pins_balanced; return 1; }
		sleep 0.1
	done
	pins_balanced
}

spare_ns_ext4 $ns eighth $mnt

rm -f /tmp/ctl /tmp/holder.out
mkfifo /tmp/ctl
rdma_write "$SIW_IP" "leased:$f" $K256 hold </tmp/ctl >/tmp/holder.out 2>&1 &
holder=$!
exec 3>/tmp/ctl
ok "an MR over the leased file $f on $SIW_DEV" wait_for /tmp/holder.out "holding the region"
ok "loopback traffic delayed by 6 s (netem)" /usr/sbin/tc qdisc add dev lo root netem delay 6000ms
echo read >&3
ok "the client RDMA-READs the region again" wait_for /tmp/holder.out "holder: read: posted"
# The request reaches the holder's siw after 6 s, which answers at once:
# the response (256 KiB, within TCP's initial window) then waits in netem
# until 12 s.
sleep 7
kill -9 $holder
exec 3>&-
wait $holder
ok "the holder is killed: no lease, no pin left" released_within 15
ok "umount $mnt" umount $mnt
start_unbind "$bdev" /tmp/unbind.out
ok "raw unbind of $dev ($drv): returns, the block device is gone" unbind_done /tmp/unbind.out "$bdev"
wait $ub
# The delayed skbs are delivered to a closed socket and freed.
sleep 8
ok "loopback delay removed" /usr/sbin/tc qdisc del dev lo root
ok "no warning, oops or memory error in the kernel log" sh -c \
	"! dmesg | grep -E 'WARNING:|BUG:|Oops|KASAN:|general protection fault|page fault'"
finish
