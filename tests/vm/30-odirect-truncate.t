#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# requires: gup_test
# Transient pins keep working: a truncate of a DAX file whose page is the
# target of an in-flight O_DIRECT read waits for the read, then succeeds;
# but fails with ETXTBSY as soon as the page gets pinned under a lease.
# The slow device is a null_blk instance completing each I/O after 2 s.
. /usr/libexec/fsdax/lib.sh

nb=/sys/kernel/config/nullb/slow
mkdir $nb || exit 2
echo 2 >$nb/irqmode
echo 2000000000 >$nb/completion_nsec
echo 1 >$nb/power
# 6.12 names configfs-made devices after their item; older kernels nullb<index>.
dev=/dev/slow
[ -b $dev ] || dev=/dev/nullb$(cat $nb/index)

for m in "$DAX_EXT4" "$DAX_XFS"; do
	ok "$m: truncate waits for an in-flight O_DIRECT read into the DAX mapping" \
		odirect_truncate "$m/odt" "$dev"
	ok "$m: a truncate waiting so fails with ETXTBSY once the page is pinned under a lease" \
		odirect_truncate "$m/odt" "$dev" pin
done
echo 0 >$nb/power
rmdir $nb
finish
