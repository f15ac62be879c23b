#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# klpdiff diff --explain: the first differing instruction on each side, with
# relocation targets by name (strings by content), for gcc and clang.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/compile.sh"
tap_tmpdir
tmp=$TAP_TMP
fixture=$here/../fixtures/diff/string-edit

for cc in gcc clang; do
	klp_compile_pair "$fixture" "$tmp/$cc" "$cc" x
	out=$("$KLPDIFF" diff --explain greet "$tmp/$cc/a/x.o" "$tmp/$cc/b/x.o")
	tap_is "$(echo "$out" | head -1)" "greet: changed" "$cc: greet is changed"
	orig_line=$(echo "$out" | grep '^  orig ' || true)
	patched_line=$(echo "$out" | grep '^  patched ' || true)
	tap_ok "$cc: the original side shows its string" grep -q '<"hello">' <<<"$orig_line"
	tap_ok "$cc: the patched side shows the edited string" grep -q '<"hello, world">' <<<"$patched_line"
	tap_ok "$cc: both sides name the same instruction offset" \
		test "$(sed 's/.*greet+\(0x[0-9a-f]*\):.*/\1/' <<<"$orig_line")" = \
		"$(sed 's/.*greet+\(0x[0-9a-f]*\):.*/\1/' <<<"$patched_line")"
	tap_is "$("$KLPDIFF" diff --explain farewell "$tmp/$cc/a/x.o" "$tmp/$cc/b/x.o")" \
		"farewell: unchanged" "$cc: farewell is unchanged"
	status=0
	"$KLPDIFF" diff --explain nosuch "$tmp/$cc/a/x.o" "$tmp/$cc/b/x.o" 2>"$tmp/err" || status=$?
	tap_is "$status" 2 "$cc: an unknown function is an error (exit 2)"
	tap_ok "$cc: the error names the file and the function" grep -q "x.o: no function 'nosuch'" "$tmp/err"
done
tap_done
