#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# klpdiff verify on arm64 (Linux 7.3's flags, tests/lib/compile.sh), on a
# fake kernel made of the tests/fixtures/verify sources as verify.t makes it
# for x86-64, linked at arm64's kernel base 0xffff800080000000:
#
#  1. the identical original is accepted: calls (CALL26, a word count),
#     ADRP page numbers with the ADD or LDR that carries the low 12 bits
#     (scaled by the access size), strings by content from both pieces;
#     the GOT loads gcc makes of saved_command_line are masked (as GOT
#     relocations are on every architecture); kallsyms listing or ELF, and a
#     module
#  2. a changed constant, string, call, or -O1: refused in one line naming
#     the instruction on each side (exit 2)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/lib/compile.sh
. "$here/../lib/compile.sh"
# shellcheck source=tests/lib/verify.sh
. "$here/../lib/verify.sh"

[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
verify_have_tools arm64
tap_tmpdir
cd "$TAP_TMP"

tail=$VERIFY_TAIL
same="compared 4 skipped 0 checked 19 masked 2"
base=0xffff800080000000

if ! verify_fake_kernel arm64 $base 2>build.log; then
	tap_fail "fixtures build"
	tap_diag <build.log
	tap_done
	exit
fi
tap_pass "fixtures build"

# 1. identical
vm=(verify --objname vmlinux --shipped vmlinux.stripped)
run "${vm[@]}" --kallsyms kallsyms orig.o
tap_is "$status:$out" "0:$same" "identical original, kallsyms listing"
run "${vm[@]}" --kallsyms vmlinux orig.o
tap_is "$status:$out" "0:$same" "identical original, an ELF with symbols as kallsyms"
run "${vm[@]}" -v --kallsyms kallsyms orig.o
tap_is "$status:$out" "0:orig.o: show+0xc: masked: saved_command_line
orig.o: show+0x10: masked: saved_command_line
$same" "only the GOT load's two relocations are masked"
run verify --objname fake --shipped fake.ko orig.o
tap_is "$status:$out" "0:compared 4 skipped 0 checked 17 masked 4" "identical original, module"

# 2. mismatches
run "${vm[@]}" --kallsyms kallsyms call.o
tap_is "$status:$out" "2:klpdiff: call.o: show+0x2c: built 'bl #0xffff80008000008c <seq_puts_x>' but the shipped kernel has 'bl #0xffff800080000130 <seq_puts>' (not seq_puts_x)$tail" \
	"a call to another function is refused"
run "${vm[@]}" --kallsyms kallsyms greet.o
tap_is "$status:$out" "2:klpdiff: greet.o: show+0x34: built 'adrp x1, #0xffff800080000000 <\"hello from the fixturE\">' but the shipped kernel has 'adrp x1, #0xffff800080000000 <\"hello from the fixture\">' (not \"hello from the fixturE\")$tail" \
	"a changed string is refused (its address from adrp and add)"
run "${vm[@]}" --kallsyms kallsyms scale.o
tap_is "$status:$out" "2:klpdiff: scale.o: scaled+0x18: built 'ldr w1, [x1, x0, lsl #2]' but the shipped kernel has 'ldr w2, [x2, #0x38]'$tail" \
	"a changed constant is refused"
run "${vm[@]}" --kallsyms kallsyms o1.o
tap_is "$status:$out" "2:klpdiff: o1.o: scaled+0x14: built 'ldr w1, [x1, x0, lsl #2]' but the shipped kernel has 'adrp x2, #0xffff800080020000'$tail" \
	"a unit compiled with -O1 is refused"
tap_done
