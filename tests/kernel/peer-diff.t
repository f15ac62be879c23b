#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# klpdiff diff on real Linux 6.1 objects: for each peer patch (kpatch's
# integration patches, ../shared/peer-patches), rebuild the objects it touches
# in the function-sections e2e build and assert exactly which functions and
# objects changed. The expectations in tests/kernel/expect/ were recorded once
# and inspected by hand; the -FAIL patches must give "no functional change".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"

peers=$here/../../../shared/peer-patches/kpatch-linux-6.2.0
[ -d "$peers" ] || tap_skip_all "../shared/peer-patches not present"
[ -n "${KLPDIFF_SKIP_KERNEL:-}" ] && tap_skip_all "KLPDIFF_SKIP_KERNEL set"

build=$("$here/kernel-tree" fsect) || tap_bail "cannot build the function-sections kernel"
tap_tmpdir
tmp=$TAP_TMP

for exp in "$here"/expect/*.diff; do
	name=$(basename "$exp" .diff)
	patch=$peers/$name.patch
	if [ ! -f "$patch" ]; then
		tap_skip "$name" "no such peer patch"
		continue
	fi
	if ! "$here/patched-objects" "$build" "$tmp/$name" "$patch" >/dev/null 2>"$tmp/$name.err"; then
		tap_fail "$name: rebuilding the touched objects"
		tap_diag <"$tmp/$name.err"
		continue
	fi
	status=0
	"$KLPDIFF" diff "$tmp/$name/orig" "$tmp/$name/patched" >"$tmp/$name.out" || status=$?
	want_status=1
	[ -s "$exp" ] || want_status=0
	tap_is "$status" "$want_status" "$name: exit status"
	tap_is "$(cat "$tmp/$name.out")" "$(cat "$exp")" "$name: exactly the expected changes"
	rm -rf "${tmp:?}/$name"
done
tap_done
