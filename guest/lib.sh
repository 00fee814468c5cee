# SPDX-License-Identifier: GPL-2.0
# Helpers for the guest's test scripts (tests/vm/*.t): each check prints one
# TAP line; finish exits 0 only if every check passed.
set -a
. /run/vm.env
set +a
n=0
fails=0

# ok DESCRIPTION COMMAND...: the check passes when COMMAND exits 0.
ok() {
	desc=$1
	shift
	n=$((n + 1))
	if out=$("$@" 2>&1); then
		echo "ok $n $desc"
	else
		echo "not ok $n $desc"
		fails=$((fails + 1))
	fi
	[ -n "$out" ] && echo "$out" | sed 's/^/# /'
}


# finish: print the plan; exit 0 only if every check passed.
finish() {
	echo "1..$n"
	[ $fails -eq 0 ]
}
