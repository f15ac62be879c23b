#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# klpdiff's diff on real Linux 6.1 objects: for each peer patch (kpatch's
# integration patches, ../shared/peer-patches), `klpdiff build --diff` rebuilds
# the objects it touches in klpdiff's function-sections build of the e2e
# config, and the test asserts exactly which functions and objects changed.
# The expectations in tests/kernel/expect/ were recorded once and inspected by
# hand; the -FAIL patches must give "no functional change".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"

peers=$here/../../../shared/peer-patches/kpatch-linux-6.2.0
[ -d "$peers" ] || tap_skip_all "../shared/peer-patches not present"
[ -n "${KLPDIFF_SKIP_KERNEL:-}" ] && tap_skip_all "KLPDIFF_SKIP_KERNEL set"

kbuild=$("$here/kernel-tree" boot) || tap_bail "cannot build the e2e kernel"
ksrc=$(cat "$kbuild/.klpdiff-src")
tap_tmpdir
tmp=$TAP_TMP

for exp in "$here"/expect/*.diff; do
	name=$(basename "$exp" .diff)
	patch=$peers/$name.patch
	if [ ! -f "$patch" ]; then
		tap_skip "$name" "no such peer patch"
		continue
	fi
	status=0
	"$KLPDIFF" build --diff -s "$ksrc" -O "$kbuild" "$patch" >"$tmp/$name.out" \
		2>"$tmp/$name.err" || status=$?
	[ "$status" -eq 2 ] && tap_diag <"$tmp/$name.err"
	want_status=1
	[ -s "$exp" ] || want_status=0
	tap_is "$status" "$want_status" "$name: exit status"
	tap_is "$(cat "$tmp/$name.out")" "$(cat "$exp")" "$name: exactly the expected changes"
done
tap_done
