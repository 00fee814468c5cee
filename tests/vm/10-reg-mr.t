#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Memory registration on the unpatched base: anonymous and device-dax memory
# register; a MAP_SHARED mapping of an fsdax file is refused with EOPNOTSUPP
# (the behaviour the series changes, under a layout lease); a writable
# page-cache file mapping is refused with EFAULT (needs dirty tracking).
. /usr/libexec/fsdax/lib.sh
M=1048576

for dev in "$RXE_DEV" "$SIW_DEV"; do
	[ -n "$dev" ] || ! no_siw "ibv_reg_mr" || continue
	ok "$dev: ibv_reg_mr over anonymous memory succeeds" \
		reg_mr "$dev" anon $M ok
	ok "$dev: ibv_reg_mr over MAP_SHARED ext4-DAX file fails with EOPNOTSUPP" \
		reg_mr "$dev" "file:$DAX_EXT4/mr-$dev" $M EOPNOTSUPP
	ok "$dev: ibv_reg_mr over MAP_SHARED xfs-DAX file fails with EOPNOTSUPP" \
		reg_mr "$dev" "file:$DAX_XFS/mr-$dev" $M EOPNOTSUPP
	ok "$dev: ibv_reg_mr over device-dax succeeds" \
		reg_mr "$dev" "devdax:$DEVDAX" 2097152 ok
	ok "$dev: ibv_reg_mr over MAP_SHARED page-cache ext4 file fails with EFAULT" \
		reg_mr "$dev" "file:$EXT4/mr-$dev" $M EFAULT
done
finish
