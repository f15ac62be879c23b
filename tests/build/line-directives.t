#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# klpdiff build's #line directives (src/line_directives.c), on a fixture pair
# (tests/fixtures/lines: a.c, and b.c, a.c patched) whose lines each say
# `int NAME = __LINE__;`: after the rewrite, every NAME that a.c has too gets
# a.c's number, every NAME new in b.c its own line in b.c, and the compiler
# sees nothing else changed. The hunks sit at the top, on the first line of a
# multi-line macro, inside a block comment, inside #if 0 and in an #else,
# before the last line and on a last line without a newline.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
top=$(cd "$here/../.." && pwd)
fixtures=$top/tests/fixtures/lines

tap_tmpdir
driver=$(dirname "$(readlink -f "$KLPDIFF")")/line-directives-driver
[ -x "$driver" ] || tap_bail "no $driver (make check builds it)"

# numbers FILE: "NAME NUMBER" for each `int NAME = NUMBER;` the preprocessor makes of FILE.
numbers() {
	cpp -P "$1" | sed -n 's/^int \([a-z_0-9]*\) = \(.*\);$/\1 \2/p' | sed 's/((\([0-9]*\)) + 1)/\1/'
}

# declared FILE: "NAME LINE" for each line of FILE that declares NAME.
declared() {
	grep -n -o 'int [a-z_0-9]* = ' "$1" | sed 's/^\([0-9]*\):int \([a-z_0-9]*\) = $/\2 \1/'
}

cp "$fixtures/b.c" "$TAP_TMP/b.c"
tap_ok "the rewrite succeeds" "$driver" "$fixtures/a.c" "$TAP_TMP/b.c"
tap_is "$(grep -c '^#line ' "$TAP_TMP/b.c")" 13 \
	"13 directives: where the count goes wrong, and after conditionals that had one"

# What each name should be: a.c's number where a.c has it, else its line in b.c.
# (Names in #if 0 are not compiled: only those the preprocessor keeps.)
want=$(join -a 2 -o 0,1.2,2.2 <(numbers "$fixtures/a.c" | sort) <(declared "$fixtures/b.c" | sort) |
	awk '{ print $1, ($2 != "" ? $2 : $3) }' |
	join - <(numbers "$fixtures/b.c" | cut -d' ' -f1 | sort))
tap_is "$(numbers "$TAP_TMP/b.c" | sort)" "$want" \
	"every unchanged line has its original number, every new line its patched one"
tap_is "$(numbers "$fixtures/b.c" | sort | grep -c -v -F -x -f <(echo "$want"))" 10 \
	"without the directives, 10 names would have other numbers (the fixture can fail)"
tap_is "$(cpp -P "$TAP_TMP/b.c" | sed 's/[0-9]\+/N/g')" "$(cpp -P "$fixtures/b.c" | sed 's/[0-9]\+/N/g')" \
	"the compiler sees the same code but for the numbers"

cp "$fixtures/a.c" "$TAP_TMP/same.c"
"$driver" "$fixtures/a.c" "$TAP_TMP/same.c"
tap_ok "an unchanged file stays as it is" cmp "$fixtures/a.c" "$TAP_TMP/same.c"

cp "$fixtures/b.c" "$TAP_TMP/new.c"
err=$("$driver" "$TAP_TMP/no-such-original.c" "$TAP_TMP/new.c" 2>&1) || true
tap_is "$err" "klpdiff: warning: $TAP_TMP/new.c: new or renamed by the patch: its lines keep their patched numbers" \
	"a file without an original: one warning, built as it is"
tap_ok "... and left as it is" cmp "$fixtures/b.c" "$TAP_TMP/new.c"
tap_done
