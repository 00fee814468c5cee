#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# requires: gup_test
# Contract section C: owned long-term pins of fsdax pages under an
# unbreakable layout lease (the in-tree kselftest, through gup_test's owned
# mode), and the mm selftests of long-term pinning, unchanged.
. /usr/libexec/fsdax/lib.sh

ok "selftests/filelock/layout_pins on $DAX_EXT4 $DAX_XFS (+ $EXT4, $DEVDAX)" \
	no_skip /selftests/filelock/layout_pins

# Pinned pages hold no lease after the tests: /proc/locks has no layout lease.
ok "no layout lease left in /proc/locks" sh -c '! grep LAYOUT /proc/locks'

# The mm selftests as on the base kernel. gup_longterm runs in a tmpfs
# directory: its "local tmpfile" case on a DAX mount fails with EOPNOTSUPP
# on every kernel, because it pins without a layout lease (by design).
ok "selftests/mm/gup_longterm (cwd tmpfs)" sh -c 'cd /tmp && /selftests/mm/gup_longterm'
for args in "-u" "-a" "-L" "-ct -F 0x1 0 19 0x1000"; do
	# shellcheck disable=SC2086 # one argument per word
	ok "selftests/mm/gup_test $args" /selftests/mm/gup_test $args
done
ok "nr_foll_pin_acquired == nr_foll_pin_released" pins_balanced
finish
