#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Outputs are written to a temporary file renamed into place, except when the
# output already exists and is no regular file: /dev/null or a FIFO given as
# -o is written in place. Renaming over it would replace the device (as root,
# `klpdiff sums x.o -o /dev/null` once left a regular file at /dev/null).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
command -v gcc >/dev/null || tap_skip_all "gcc is not installed"
tap_tmpdir

printf 'int f(int x) { return x + 1; }\n' >"$TAP_TMP/a.c"
gcc -O2 -c -o "$TAP_TMP/a.o" "$TAP_TMP/a.c"
"$KLPDIFF" sums -o "$TAP_TMP/want" "$TAP_TMP/a.o"

for cmd in sums diff; do
	fifo=$TAP_TMP/fifo-$cmd
	mkfifo "$fifo"
	# A reader that waits 10 s at most: without a writer, open(2) of a FIFO blocks.
	timeout 10 cat "$fifo" >"$TAP_TMP/got-$cmd" &
	reader=$!
	if [ "$cmd" = sums ]; then
		"$KLPDIFF" sums -o "$fifo" "$TAP_TMP/a.o"
	else
		"$KLPDIFF" diff -o "$fifo" "$TAP_TMP/a.o" "$TAP_TMP/a.o" || [ $? -eq 3 ] || true
	fi
	wait "$reader" || true
	tap_ok "$cmd -o FIFO: the FIFO is still one" test -p "$fifo"
	tap_ok "$cmd -o FIFO: no temporary file left beside it" \
		sh -c "! ls '$fifo'.tmp.* 2>/dev/null | grep -q ."
done
tap_is "$(cat "$TAP_TMP/got-sums")" "$(cat "$TAP_TMP/want")" "sums -o FIFO: the reader got the sums"

tap_done
