#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Live patches for Debian's own shipped kernel (linux-image-6.1.0-N-amd64, the
# newest with a linux-source-6.1 of its version; installed when missing): the
# peer patches (../shared/peer-patches) and the project's own (tests/e2e/patches),
# each built with `klpdiff build -r RELEASE --kallsyms FILE` with exactly the
# changes in expect/debian-6.1/X.diff where one is recorded, loaded into
# /boot/vmlinuz-RELEASE booted in QEMU and checked. One TAP stream: each set's
# results numbered on, prefixed with the set's name.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
klpdiff=${KLPDIFF:-$here/../../klpdiff}
peers=$here/../../../shared/peer-patches/kpatch-linux-6.2.0
expect=$here/expect/debian-6.1

[ -n "${KLPDIFF_SKIP_KERNEL:-}" ] && { echo "1..0 # SKIP KLPDIFF_SKIP_KERNEL set"; exit 0; }
# The sanitizer pass covers the same code through own.t and the quick tests.
[ -n "${KLPDIFF_SANITIZED:-}" ] &&
	{ echo "1..0 # SKIP sanitizer pass: the plain pass ran it (CI time)"; exit 0; }
command -v apt-cache >/dev/null || { echo "1..0 # SKIP not a Debian system (no apt-cache)"; exit 0; }
command -v qemu-system-x86_64 >/dev/null || { echo "1..0 # SKIP qemu-system-x86_64 not installed"; exit 0; }

n=0 failed=0

# not_ok DESC
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $*"
}

# run_set NAME PATCHDIR: tests/e2e/run --debian auto on PATCHDIR, its results renumbered
# into ours. A bail-out of one set, or a run that ends without its plan, is a failure,
# and the next set still runs.
run_set() {
	local set=$1 dir=$2 line planned=''
	while IFS= read -r line; do
		case $line in
		"ok "[0-9]*)
			n=$((n + 1))
			echo "ok $n - $set: ${line#ok [0-9]* - }" ;;
		"not ok "[0-9]*) not_ok "$set: ${line#not ok [0-9]* - }" ;;
		"Bail out!"*) not_ok "$set: ${line#Bail out! }" ;;
		1..*) planned=1 ;;
		"#"*) echo "$line" ;;
		*) echo "# $line" ;; # run's stderr
		esac
	done < <(KLPDIFF=$klpdiff "$here/run" --debian auto --expect "$expect" "$dir" 2>&1 || true)
	[ -n "$planned" ] || not_ok "$set: tests/e2e/run ended early"
}

if [ -d "$peers" ]; then
	run_set peers "$peers"
else
	n=$((n + 1))
	echo "ok $n # SKIP peers: ../shared/peer-patches not present"
fi
run_set own "$here/patches"
echo "1..$n"
[ "$failed" -eq 0 ]
