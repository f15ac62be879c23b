#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A reference past the end of its symbol's string in a mergeable string
# section (a loop's bound, .LC39+10 for " pref" in Debian 6.1's
# lib/vsprintf.o) points, after the link merged the strings, at whatever
# follows the kept copy: klpdiff verify compares the symbol's own string
# there, not the bytes that followed it in the object. A bound another
# distance from the string is still refused.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/lib/verify.sh
. "$here/../lib/verify.sh"

fixtures=$here/../fixtures/verify
[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
verify_have_assembler
tap_tmpdir
cd "$TAP_TMP"

if ! { as --64 -o bound.o "$fixtures/string-bound.s" &&
	as --64 --defsym OTHER=1 -o other.o "$fixtures/string-bound.s" &&
	as --64 -o first.o "$fixtures/string-bound-first.s" &&
	ld -o vmlinux -e bound -Ttext=0xffffffff81000000 first.o bound.o; } 2>build.log; then
	tap_diag <build.log
	tap_bail "the fixture does not assemble"
fi
{ echo "ffffffff81000000 T _text"; nm -n vmlinux; } >kallsyms
against=(verify --objname vmlinux --shipped vmlinux --kallsyms kallsyms)

status=0
out=$("$KLPDIFF" "${against[@]}" bound.o 2>&1) || status=$?
tap_is "$status:$out" "0:compared 1 skipped 0 checked 2 masked 0" \
	"a bound past the end of a merged string: the string's own copy, accepted"
status=0
out=$("$KLPDIFF" "${against[@]}" other.o 2>&1) || status=$?
tap_is "$status:$out" "2:klpdiff: other.o: bound+0x7: built 'cmp rax, 0 <\"ndow\">' but the shipped kernel has 'cmp rax, -0x7effeff6 <\"nd more\">' (not \"ndow\"): the source, config or compiler differs from what built this kernel (--no-verify skips this check)" \
	"a bound another distance from the string: refused"
tap_done
