#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# requires: gup_test
# Durability under a long-term pin (issue 17, item 4): what is written
# through a pin of a DAX file (rxe/siw memcpy, a NIC's DMA) takes no page
# fault, so fsync must keep flushing pinned pages after it flushed them
# once, and leave their mappings writable; once unpinned, fsync cleans and
# write-protects them again and a second fsync writes back nothing.
# pin_fsync counts the fs_dax/dax_writeback_one trace events of each fsync
# for the file (tracefs instance of its own) and the faults of CPU stores.
. /usr/libexec/fsdax/lib.sh

P=pin_fsync
for m in "$DAX_EXT4" "$DAX_XFS"; do
	f=$m/pin_fsync
	ok "$m: fsync after fsync writes back the pinned pages, no fault on CPU stores (2 MiB aligned mapping)" \
		"$P" "$f"
	ok "$m: the same with a PTE-only mapping (4 KiB entries)" "$P" "$f" pte
	rm -f "$f"
done
ok "no layout lease left in /proc/locks" sh -c '! grep LAYOUT /proc/locks'
ok "nr_foll_pin_acquired == nr_foll_pin_released" pins_balanced
finish
