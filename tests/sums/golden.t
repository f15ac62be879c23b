#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The plumbing formats do not move: `klpdiff sums` (text and JSON) and
# `klpdiff diff` (plain, -v, JSON; from objects, from sums files and from
# directories) on the committed objects of tests/fixtures/golden/ must print
# exactly the committed expect.* files, byte for byte.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"

golden=$here/../fixtures/golden
[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
tap_tmpdir
tap_plan 9

# same WHAT EXPECT CMD...: CMD's standard output is EXPECT, byte for byte.
same()
{
	local what=$1 expect=$golden/$2 status=0

	shift 2
	(cd "$golden" && "$@") > "$TAP_TMP/got" 2> "$TAP_TMP/err" || status=$?
	if cmp -s "$TAP_TMP/got" "$expect"; then
		tap_pass "$what"
	else
		tap_fail "$what"
		tap_diag "exit $status; $(head -3 "$TAP_TMP/err")"
		diff -u "$expect" "$TAP_TMP/got" | head -20 | tap_diag
	fi
}

objs=(orig/golden.o patched/golden.o)
same "sums: text" expect.sums "$KLPDIFF" sums "${objs[@]}"
same "sums: JSON" expect.sums.json "$KLPDIFF" sums --json "${objs[@]}"
same "diff" expect.diff "$KLPDIFF" diff "${objs[@]}"
same "diff -v" expect.diff-v "$KLPDIFF" diff -v "${objs[@]}"
same "diff --json" expect.diff.json "$KLPDIFF" diff --json "${objs[@]}"
same "diff --json of two directories" expect.tree.json "$KLPDIFF" diff --json orig patched

"$KLPDIFF" sums -o "$TAP_TMP/orig.sums" "$golden/orig/golden.o"
"$KLPDIFF" sums -o "$TAP_TMP/patched.sums" "$golden/patched/golden.o"
same "diff -v of sums files" expect.diff-v "$KLPDIFF" diff -v "$TAP_TMP/orig.sums" \
	"$TAP_TMP/patched.sums"
same "diff --json of sums files" expect.diff.json "$KLPDIFF" diff --json \
	"$TAP_TMP/orig.sums" "$TAP_TMP/patched.sums"
same "sums of one object" expect.sums.orig "$KLPDIFF" sums orig/golden.o
tap_done
