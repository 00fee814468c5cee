#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# requires: gup_test
# Long-term pins of a PTE-mapped xfs DAX file whose blocks are shared with a
# clone, its pages mapped read-only by read faults first: refused with
# EOPNOTSUPP, for reading and for writing, without GUP looping on an unshare
# fault that a shared mapping ignores or tripping over DEBUG_VM's check for
# shared anonymous pages (a DAX page of a shared block has the anon bit in
# ->mapping on 6.12). And a block pinned under the lease that is not shared
# stays in place when writes copy-on-write a cloned block beside it (xfs
# preallocates copy-on-write blocks around it, over the pinned one too).
# tests/src/reflink_pin.c.
. /usr/libexec/fsdax/lib.sh

ok "xfs: a read pin of a reflinked, read-faulted file under its lease: EOPNOTSUPP, no hang" \
	reflink_pin "$DAX_XFS" read
ok "xfs: a write pin of a reflinked, read-faulted file under its lease: EOPNOTSUPP" \
	reflink_pin "$DAX_XFS" write
ok "xfs: writes around a copy-on-write leave a block pinned under the lease in place" \
	reflink_pin "$DAX_XFS" cow-neighbour
ok "no layout lease left" sh -c "! grep -q LAYOUT /proc/locks"
ok "every pin was released" pins_balanced
finish
