#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# klpdiff verify on ppc64le (ELFv2, -mcmodel=medium as Linux 6.1 builds
# vmlinux), on a fake kernel made of the tests/fixtures/verify sources as
# verify.t makes it for x86-64, linked at 0xc000000000000000 with its TOC:
#
#  1. the identical original is accepted: TOC-relative halves (@ha, @l)
#     against .TOC. and data, strings by content from both halves, calls
#     into the callee's local entry, ld's TOC optimisation (addis made a
#     nop, a .toc load an addi); kallsyms listing or ELF, and a module
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
verify_have_tools ppc64le
tap_tmpdir
cd "$TAP_TMP"

tail=$VERIFY_TAIL
same="compared 4 skipped 0 checked 33 masked 0"

if ! verify_fake_kernel ppc64le 0xc000000000000000 2>build.log; then
	tap_fail "fixtures build"
	tap_diag <build.log
	tap_done
	exit
fi
tap_pass "fixtures build"

# 1. identical; the load of saved_command_line from its .toc entry is
# what the linker made of it (a nop, and an addi of its address).
vm=(verify --objname vmlinux --shipped vmlinux.stripped)
run "${vm[@]}" --kallsyms kallsyms orig.o
tap_is "$status:$out" "0:$same" "identical original, kallsyms listing"
run "${vm[@]}" --kallsyms vmlinux orig.o
tap_is "$status:$out" "0:$same" "identical original, an ELF with symbols as kallsyms"
run "${vm[@]}" -v --kallsyms kallsyms orig.o
tap_is "$status:$out" "0:$same" "the linker's TOC edits are checked, not masked"
run verify --objname fake --shipped fake.ko orig.o
tap_is "$status:$out" "0:compared 4 skipped 0 checked 31 masked 2" "identical original, module"

# 2. mismatches
run "${vm[@]}" --kallsyms kallsyms --display fixture.o call.o
tap_is "$status:$out" "2:klpdiff: fixture.o: show+0x30: built 'bl seq_puts_x' but the shipped kernel has 'bl 0xc000000000000180 <seq_puts>' (not seq_puts_x)$tail" \
	"a call to another function is refused"
run "${vm[@]}" --kallsyms kallsyms greet.o
tap_is "$status:$out" "2:klpdiff: greet.o: show+0x38: built 'addis r4, r2, 0 <\"hello from the fixturE\">' but the shipped kernel has 'addis r4, r2, 0xfffe <\"hello from the fixture\">' (not \"hello from the fixturE\")$tail" \
	"a changed string is refused"
run "${vm[@]}" --kallsyms kallsyms scale.o
tap_is "$status:$out" "2:klpdiff: scale.o: scaled+0x10: built 'addis r9, r2, 0 <table>' but the shipped kernel has 'addis r10, r2, 0xfffe'$tail" \
	"a changed constant is refused"
run "${vm[@]}" --kallsyms kallsyms o1.o
tap_is "$status:$out" "2:klpdiff: o1.o: scaled+0x10: built 'rldic r3, r3, 2, 0x3c' but the shipped kernel has 'addis r10, r2, 0xfffe'$tail" \
	"a unit compiled with -O1 is refused"
run verify --objname fake --shipped fake.ko call.o
tap_is "$status:$out" "2:klpdiff: call.o: show+0x30: built 'bl seq_puts_x' but the shipped module has 'bl 0xb0 <seq_puts>' (not seq_puts_x)$tail" \
	"module: a call to another function is refused"
tap_done
