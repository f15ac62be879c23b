#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# KLPDIFF_IGNORE_FUNCTION (and kpatch's KPATCH_IGNORE_FUNCTION): a changed
# function the patch author marks is left out; the other changed one is patched.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/compile.sh"
tap_tmpdir
tmp=$TAP_TMP
fixture=$here/../fixtures/extract/ignore
for cc in gcc clang; do
	klp_compile_pair "$fixture" "$tmp/$cc" "$cc" ignore
	: >"$tmp/symvers"
	status=0
	"$KLPDIFF" extract --kernel-symbols "$tmp/$cc/a/ignore.o" --symvers "$tmp/symvers" \
		"$tmp/$cc/a/ignore.o" "$tmp/$cc/b/ignore.o" -o "$tmp/$cc/out.o" 2>"$tmp/err" || status=$?
	tap_is "$status" 0 "$cc: extract succeeds"
	tap_is "$(readelf -p .klpdiff.manifest "$tmp/$cc/out.o" 2>/dev/null | grep -o 'func [^\\]*' | tr '\n' ';')" \
		"func vmlinux f 0 __klpdiff_new.vmlinux.f.0;" "$cc: only f is patched"
done
tap_done
