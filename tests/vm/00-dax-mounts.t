#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The rig: ext4 and xfs on emulated pmem are mounted with DAX (statx says
# so for a file), the RAM-disk mounts are not, device-dax exists.
. /usr/libexec/fsdax/lib.sh

dax_state() { is_dax "$1" >/dev/null 2>&1; echo $?; }

for m in "$DAX_EXT4" "$DAX_XFS"; do
	echo data >"$m/daxfile"
	ok "$m: statx reports STATX_ATTR_DAX for a new file" is_dax "$m/daxfile"
done
for m in "$EXT4" "$XFS"; do
	echo data >"$m/file"
	ok "$m: statx reports no DAX on the RAM-disk mount" \
		test "$(dax_state "$m/file")" = 1
done
ok "device-dax character device $DEVDAX" test -c "$DEVDAX"
ok "rxe0 is an RDMA device" sh -c 'ibv_devices | grep -q rxe0'
no_siw "siw0 is an RDMA device" || ok "siw0 is an RDMA device" sh -c 'ibv_devices | grep -q siw0'
finish
