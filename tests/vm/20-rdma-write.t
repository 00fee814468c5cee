#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# An RDMA WRITE from one queue pair (in one process) to another (in another
# process) lands in the target buffer, byte for byte, and reads back with
# RDMA READ: on rxe (RoCE) and siw (iWARP), into anonymous memory and into
# device-dax.
. /usr/libexec/fsdax/lib.sh

for ip in "$RXE_IP" "$SIW_IP"; do
	[ "$ip" = "$RXE_IP" ] && dev=rxe0 || dev=siw0
	[ "$dev" = rxe0 ] || ! no_siw "RDMA WRITE + READ" || continue
	ok "$dev: RDMA WRITE + READ of 1 MiB into anonymous memory" \
		rdma_write "$ip" anon 1048576
	ok "$dev: RDMA WRITE + READ of 2 MiB into device-dax" \
		rdma_write "$ip" "devdax:$DEVDAX" 2097152
done
finish
