#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The C unit tests of the core (tests/unit/test_*.c): `make check` builds
# them beside klpdiff (BUILD/unit/), linked with the base and elf layers
# only. Each prints TAP of its own, shown here indented; one line each here.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"

dir=$(dirname "$KLPDIFF")/unit
for src in "$here"/test_*.c; do
	name=$(basename "$src" .c)
	if [ ! -x "$dir/$name" ]; then
		tap_ok "$name: built (make check builds $dir/$name)" false
		continue
	fi
	out=$(timeout 120 "$dir/$name" 2>&1)
	rc=$?
	sed 's/^/    /' <<<"$out"
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' <<<"$out")
	run=$(grep -cE '^(not )?ok ' <<<"$out")
	tap_is "$rc ${plan:-none} $(grep -c '^not ok ' <<<"$out")" "0 $run 0" \
		"$name: all $run checks pass"
done
tap_done
