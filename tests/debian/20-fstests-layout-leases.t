#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The project's new fstests cases (fstests/series/*.patch: the tests of
# layout leases), run by fstests itself on ext4 and xfs DAX: each must pass
# on the patched kernel and be "not run" on the base, which has no layout
# leases. Runs last: fstests makes its own filesystems on the pmem devices.
. /usr/libexec/fsdax/lib.sh
kernel=${FSDAX_KERNEL:-patched}
list=/tmp/layout-lease-tests
grep -l '_require_layout_leases' /fstests/tests/generic/[0-9]* 2>/dev/null |
	sed 's,^/fstests/tests/,,' >$list
ok "fstests has the layout lease cases (fstests/series)" \
	sh -c "test -s $list && cat $list"

# run FSTYP: fstests' results of the cases on FSTYP, one line each.
run() {
	/usr/libexec/fsdax/fstests "$1" $list >/tmp/fstests.$1 2>&1
	grep '^@@RESULT@@' /tmp/fstests.$1 >/tmp/results.$1 || { tail -n 30 /tmp/fstests.$1; return 1; }
	sed -n '/^@@DIFF@@/,$p' /tmp/fstests.$1
	cat /tmp/results.$1
}

# patched FSTYP: each case passes, or does not apply to FSTYP (clones on
# ext4), and at least one passes.
patched() {
	run "$1" || return 1
	grep -q ' pass ' /tmp/results.$1 &&
		! grep -v ' pass ' /tmp/results.$1 | grep -v ' notrun ' &&
		! grep ' notrun .*layout lease' /tmp/results.$1
}

# base FSTYP: no case runs, and those that apply to FSTYP are not run for
# want of layout leases (on ext4 the clone case stops at reflink first).
base() {
	run "$1" || return 1
	! grep -v ' notrun ' /tmp/results.$1 && grep -q ' notrun .*layout lease' /tmp/results.$1
}

for fs in ext4 xfs; do
	case $kernel in
	patched) ok "fstests on $fs DAX: the layout lease cases pass" patched $fs ;;
	base) ok "fstests on $fs DAX, base kernel: the layout lease cases are not run" base $fs ;;
	*) ok "FSDAX_KERNEL is patched or base, not '$kernel'" false ;;
	esac
done
finish
