#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Contract sections A and B: layout leases on ext4 and xfs, DAX and not
# (the in-tree kselftest), and how util-linux shows them.
. /usr/libexec/fsdax/lib.sh

ok "selftests/filelock/layout_leases on $DAX_EXT4 $DAX_XFS $EXT4 $XFS" \
	no_skip /selftests/filelock/layout_leases "$DAX_EXT4" "$DAX_XFS" "$EXT4" "$XFS"

# /proc/locks and util-linux while a process holds both kinds.
f=$DAX_EXT4/locks-file
g=$DAX_XFS/locks-file
echo data >"$f"
echo data >"$g"
hold_lease "$f" exclusive 30
hold_lease "$g" breakable 30
ok "/proc/locks: LAYOUT UNBREAKABLE READ line, 8 fields" \
	sh -c 'grep -E "^[0-9]+: LAYOUT UNBREAKABLE READ [0-9]+ [0-9a-f:]+ 0 EOF$" /proc/locks'
ok "/proc/locks: LAYOUT ACTIVE READ line for the breakable lease" \
	sh -c 'grep -E "^[0-9]+: LAYOUT ACTIVE +READ [0-9]+ [0-9a-f:]+ 0 EOF$" /proc/locks'
excl_pid=${HOLDER_PIDS%%,*}
ok "lslocks lists both layout leases, the unbreakable one with its holder's PID" \
	sh -c "lslocks -n -o PID,TYPE,MODE,PATH >/tmp/ll && cat /tmp/ll &&
		[ \$(grep -c ' LAYOUT *READ ' /tmp/ll) = 2 ] &&
		grep -q '^ *$excl_pid LAYOUT *READ *$f\$' /tmp/ll"
ok "fdinfo of the holder's leased fd has the same lock: line" \
	sh -c "grep -h '^lock:.*LAYOUT UNBREAKABLE READ $excl_pid ' /proc/$excl_pid/fdinfo/*"
ok "lsfd runs over the holders' file descriptors without error" \
	sh -c "lsfd -p $HOLDER_PIDS >/dev/null"
ok "truncate(1) of the leased file fails with ETXTBSY" \
	sh -c "! truncate -s 0 $f 2>/tmp/err && grep -q 'Text file busy' /tmp/err"
# xfs_fsr's extent swap moves blocks: refused under the lease.
cp "$g" "$DAX_XFS/donor"
xfs_io -c "fsync" "$DAX_XFS/donor"
release_leases
hold_lease "$g" exclusive 30
ok "XFS_IOC_SWAPEXT with a leased file fails with ETXTBSY" \
	sh -c "! xfs_io -c 'swapext $DAX_XFS/donor' $g 2>/tmp/err; cat /tmp/err; grep -q 'Text file busy' /tmp/err"
release_leases
ok "after the holders exit, truncate works and /proc/locks is empty" \
	sh -c "truncate -s 0 $f && truncate -s 0 $g && ! grep -q LAYOUT /proc/locks"
finish
