#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# requires: siw layout_change_delay
# Contract section E on siw: a memory region over a leased file is released
# while a work request of another uverbs context holds it (siw takes the
# reference before it finds the protection domain wrong). ibv_dereg_mr()
# returns with the pages unpinned (siw waits for the work request), and a
# context closed while the work request still holds the MR leaves the pins
# to the work request's last reference, which releases them once the
# context, and the owner of the pins with it, is gone (on the debug kernel
# KASAN checks that nothing reads the freed context). The work request is
# held at the layout_change_delay() point in siw_check_sge().
. /usr/libexec/fsdax/lib.sh
M=1048576

# race MODE DELAY_MS FILE
race() {
	race_delay "$2" || return 1
	siw_mr_race "$SIW_IP" "$3" "$1"
	rc=$?
	race_delay 0
	[ $rc -eq 0 ] || return 1
	! grep -q LAYOUT /proc/locks || { cat /proc/locks; return 1; }
	/usr/bin/truncate -s 0 "$3" && pins_balanced
}

for dir in "$DAX_EXT4" "$DAX_XFS"; do
	f=$dir/siw-mr-race
	rm -f "$f"
	dd if=/dev/urandom of="$f" bs=$M count=1 2>/dev/null
	ok "siw $dir: ibv_dereg_mr waits for another context's work request; F_UNLCK succeeds when it returns" \
		race dereg 600 "$f"
	rm -f "$f"
	dd if=/dev/urandom of="$f" bs=$M count=1 2>/dev/null
	ok "siw $dir: the MR's context closed under the work request; its last reference releases the pins" \
		race close 3500 "$f"
	rm -f "$f"
done
finish
