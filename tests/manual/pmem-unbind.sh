#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Manual (not in make check): unbind the xfs-DAX pmem namespace while an MR
# holds an orphaned layout lease on one of its files.
#
#   scripts/vm-run --add tests/manual/pmem-unbind.sh -- /extra/pmem-unbind.sh
#
# Expected: the unbind waits in memunmap_pages() (state D) as long as the
# MR lives, and returns once the holder exits. Then 6.12 itself oopses when
# the filesystem is unmounted (dax_disassociate_entry() on the freed memmap,
# for any file that was open across the unbind: reproduced on the unpatched
# base without any pin), so vm-run reports a splat at shutdown: that part is
# not this series'. Without the series' pagemap reference, the unbind did not
# wait, and the deregistration oopsed in unpin_user_page_range_dirty_lock().
. /usr/libexec/fsdax/lib.sh >/dev/null
f=$DAX_XFS/held
mkfifo /tmp/ctl
rdma_write "$RXE_IP" "leased:$f" 1048576 hold </tmp/ctl >/tmp/holder.out 2>&1 &
holder=$!
exec 3>/tmp/ctl
sleep 3
echo orphan >&3
sleep 1
tail -n 3 /tmp/holder.out
dev=$(basename "$(readlink -f /sys/block/pmem1/device)")
drv=$(basename "$(readlink -f /sys/block/pmem1/device/driver)")
(
	exec 3>&-
	echo "$dev" >"/sys/bus/nd/drivers/$drv/unbind"
	echo "unbind of $dev returned $?"
) &
ub=$!
for i in 1 2 3 4 5; do
	sleep 1
	[ -e "/proc/$ub/stat" ] &&
		echo "t=${i}s: unbind waits in $(cat "/proc/$ub/wchan"), state $(cut -d' ' -f3 "/proc/$ub/stat")"
done
echo "the MR holder exits"
exec 3>&-
wait "$holder"
wait "$ub"
