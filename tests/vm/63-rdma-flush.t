#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# RDMA FLUSH to persistence (rxe) into a file on filesystem-DAX under the
# layout lease, with rdma_flush built against rdma-core 56 (bookworm's 44
# has no FLUSH verbs: scripts/build-rdma-core). rxe accepts a memory region
# with IBV_ACCESS_FLUSH_PERSISTENT only over pages of an
# IORES_DESC_PERSISTENT_MEMORY resource, which ACPI NFIT pmem is ("Persistent
# Memory" in /proc/iomem, vm-run --nvdimm) and legacy memmap= pmem is not
# ("Persistent Memory (legacy)"). So:
# - on NFIT pmem, on ext4 and xfs: the device offers FLUSH_PERSISTENT; a
#   leased file registers with it, another process RDMA-WRITEs a pattern
#   over it and FLUSHes that range to persistence (both complete
#   successfully, in order), and the pattern is in the mapping and in what
#   read(2) returns;
# - on legacy pmem: the registration with FLUSH_PERSISTENT is refused with
#   EINVAL under the lease, while the same without it succeeds;
# - on either: without the lease the registration fails with EOPNOTSUPP.
# No lease and no pin is left after each run.
. /usr/libexec/fsdax/lib.sh
S=2097152

# expected MODE: what rdma_flush prints in MODE ("" for the flush itself,
# nolease, legacy), one line each.
expected() {
	echo "FLUSH_PERSISTENT yes"
	case $1 in
	"")	echo "with FLUSH_PERSISTENT on $RXE_DEV"
		echo "queue pair takes FLUSH to persistence"
		echo "client: RDMA WRITE of $S bytes completed"
		echo "client: flush completed (IBV_FLUSH_PERSISTENT, IBV_FLUSH_RANGE"
		echo "server: mapping holds the pattern"
		echo "server: read(2) of the file holds the pattern" ;;
	nolease) echo "without a layout lease failed: Operation not supported" ;;
	legacy)	echo "under the lease on legacy pmem failed: Invalid argument"
		echo "registered without FLUSH_PERSISTENT under the lease" ;;
	esac
}

# flush FILE [MODE]: rdma_flush over 2 MiB of FILE in MODE exits 0, prints
# what MODE expects, and leaves no layout lease and no pin.
flush() {
	fl_out=$(rdma_flush "$RXE_IP" "$1" $S ${2:+"$2"} 2>&1)
	fl_rc=$?
	echo "$fl_out"
	[ $fl_rc -eq 0 ] || { echo "rdma_flush exited $fl_rc"; return 1; }
	expected "${2:-}" | while IFS= read -r fl_want; do
		echo "$fl_out" | grep -qF -- "$fl_want" || { echo "no line with '$fl_want'"; exit 1; }
	done || return 1
	released
}

nfit=$(grep -c ': Persistent Memory$' /proc/iomem)
legacy=$(grep -c ': Persistent Memory (legacy)$' /proc/iomem)
if [ "$nfit" -gt 0 ] && [ "$legacy" -eq 0 ]; then
	kind="NFIT pmem"
elif [ "$legacy" -gt 0 ] && [ "$nfit" -eq 0 ]; then
	kind="legacy pmem"
else
	ok "the pmem is all NFIT or all legacy (NFIT $nfit, legacy $legacy resources)" false
	finish
	exit
fi

for dir in "$DAX_EXT4" "$DAX_XFS"; do
	f=$dir/rdma-flush
	rm -f "$f"
	if [ "$kind" = "NFIT pmem" ]; then
		ok "$RXE_DEV, $dir on $kind: RDMA WRITE + FLUSH to persistence into a leased file; the data is in the mapping and in read(2)" \
			flush "$f"
	else
		ok "$RXE_DEV, $dir on $kind: registration with FLUSH_PERSISTENT refused with EINVAL under the lease, accepted without it" \
			flush "$f" legacy
	fi
	ok "$RXE_DEV, $dir on $kind: registration with FLUSH_PERSISTENT without the lease fails with EOPNOTSUPP" \
		flush "$f" nolease
	rm -f "$f"
done
finish
