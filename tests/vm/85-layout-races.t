#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# requires: gup_test layout_change_delay
# Layout changes racing a lease and a long-term pin (issue 17): a truncate,
# hole punch, reflink, extent swap or exchange-range that checked the layout
# leases and found none is held at the kernel's layout_change_delay
# fault-injection point (CONFIG_LAYOUT_CHANGE_DELAY, test kernels only)
# while another process, which has the file mapped, takes F_LAYOUT |
# F_EXCLUSIVE and pins the mapping long term through present page table
# entries (no lock the layout change holds is needed for either), and with
# -u unmaps it again. The layout change must then fail with ETXTBSY and
# leave the file's size and data as they were (tests/src/layout_race.c).
. /usr/libexec/fsdax/lib.sh

ok "the layout_change_delay fault-injection point is set up" race_delay "${RACE_DELAY_MS:-300}"
R=${RACE_ROUNDS:-2}

for m in "$DAX_EXT4" "$DAX_XFS"; do
	f=$m/race
	for u in "" -u; do
		how=$(race_how "$u")
		mkfile "$f"
		ok "$m: truncate racing a lease + pin$how: ETXTBSY, file intact" \
			layout_race $u -n "$R" "$f" /usr/bin/truncate -s 4096 "$f"
		ok "$m: hole punch racing a lease + pin$how: ETXTBSY, file intact" \
			layout_race $u -n "$R" "$f" /usr/bin/fallocate -p -o 0 -l 64k "$f"
	done
	rm -f "$f"
done

race_delay 0
ok "no layout lease left" sh -c "! grep -q LAYOUT /proc/locks"
ok "every pin was released" pins_balanced
finish
