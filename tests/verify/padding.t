#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# klpdiff verify takes alignment padding as no difference: a function
# compiled with function sections starts elsewhere from an alignment
# boundary than in the shipped link (Debian 6.12: a 16-byte prefix before
# 32-byte aligned entries), so a loop aligned inside it gets other NOPs and
# every branch over them lands elsewhere. tests/fixtures/verify/padding.s,
# against the shipped vmlinux and module:
#
#  1. the same code with other padding, and a cold part's jump back into
#     it (as far as the padding moved the place, past a jump label the
#     shipped code has as a NOP): accepted
#  2. a changed instruction inside the loop: refused at that instruction,
#     not at the padding before it; the cold part's jump there too
#  3. a jump label the assembler made 5 bytes built and 2 shipped, the
#     padding between being other (Debian 6.12's set_next_entity: built
#     'jmp' rel32 over a loop padded 56 bytes, shipped a 2-byte NOP over
#     the same loop padded 11; the kernel patches a site of either size),
#     shipped a NOP or a jump to the paired place: accepted
#  4. a jump label going elsewhere (into the loop) than the shipped jump:
#     refused at the jump, both places named
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/lib/verify.sh
. "$here/../lib/verify.sh"

fixture=$here/../fixtures/verify/padding.s
[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
for tool in as ld nm objdump; do
	command -v "$tool" >/dev/null || tap_skip_all "$tool is not installed"
done
[ "$(uname -m)" = x86_64 ] || tap_skip_all "the fixture is x86-64 assembly"
tap_tmpdir
cd "$TAP_TMP"

if ! { as --64 --defsym SHIPPED=1 -o shipped.o "$fixture" &&
	as --64 --defsym SHIPPED=1 --defsym NOP=1 -o shipped-nop.o "$fixture" &&
	as --64 -o orig.o "$fixture" && as --64 --defsym SUB=1 -o sub.o "$fixture" &&
	as --64 --defsym ELSEWHERE=1 -o elsewhere.o "$fixture" &&
	for s in shipped shipped-nop; do
		ld -o "$s.vmlinux" -e loop -Ttext=0xffffffff81000000 "$s.o" &&
			ld -r -o "$s.ko" "$s.o" || exit 1
	done; } 2>build.log; then
	tap_diag <build.log
	tap_bail "the fixture does not assemble"
fi
{ echo "ffffffff81000000 T _text"; nm -n shipped.vmlinux; } >kallsyms
# The two layouts differ, or this tests nothing.
tap_ok "the original's loop has other padding than the shipped one" \
	test "$(objdump -d orig.o | grep -c nop)" != "$(objdump -d shipped.o | grep -c nop)"
# sized's jump label, as objdump shows its bytes.
site()
{
	objdump -d "$1" | awk -F'\t' '/<sized>:/ { f = 1 } f && $3 ~ /^(jmp|xchg) / { print $2; exit }' |
		tr -d ' '
}
tap_is "$(site orig.o) $(site shipped.o) $(site shipped-nop.o)" "e995000000 eb68 6690" \
	"sized's jump label: built 5 bytes, shipped 2 (a jump, or objtool's NOP)"

tail=$VERIFY_TAIL
for shipped in kernel module; do
	# The cold part's jump as the shipped side has it: to loop+0x20, named so.
	if [ $shipped == kernel ]; then
		against=(verify --objname vmlinux --shipped shipped.vmlinux --kallsyms kallsyms)
		nop=(verify --objname vmlinux --shipped shipped-nop.vmlinux --kallsyms kallsyms)
		cold_jmp=$(printf 'jmp 0x%x' $((0x$(awk '$3 == "loop" { print $1 }' kallsyms) + 0x20)))
		base=0x$(awk '$3 == "sized" { print $1 }' kallsyms)
	else
		against=(verify --objname shipped --shipped shipped.ko)
		nop=(verify --objname shipped-nop --shipped shipped-nop.ko)
		cold_jmp="jmp 5"
		base=0x40
	fi
	same="0:orig.o: loop: same instructions, shipped with other alignment padding
orig.o: sized: same instructions, shipped with other alignment padding
compared 3 skipped 0 checked 1 masked 0"
	run "${against[@]}" -v orig.o
	tap_is "$status:$out" "$same" \
		"$shipped: the same loop with other padding, and the cold part's jump into it, accepted; the 5-byte jump label shipped a 2-byte jump too"
	run "${nop[@]}" -v orig.o
	tap_is "$status:$out" "$same" "$shipped: the 5-byte jump label shipped a 2-byte NOP: accepted"
	run "${against[@]}" --keep-going sub.o
	tap_is "$status:$out" \
		"1:klpdiff: sub.o: loop.cold+0x0: built 'jmp loop+0x10' but the shipped $shipped has '$cold_jmp <loop+0x20>' (not loop+0x10)$tail
klpdiff: sub.o: loop+0x10: built 'sub eax, edi' but the shipped $shipped has 'add eax, edi'$tail
compared 3 skipped 0 checked 1 masked 0 mismatched 2" \
		"$shipped: a changed instruction after the padding is refused, named; the jump to it too, named where it lands"
	run "${against[@]}" --keep-going elsewhere.o
	tap_is "$status:$out" \
		"1:klpdiff: elsewhere.o: sized+0x3a: built 'jmp $(printf 0x%x $((base + 0x70))) <sized+0x70>' but the shipped $shipped has 'jmp $(printf 0x%x $((base + 0xa4))) <sized+0xa4>'$tail
compared 3 skipped 0 checked 1 masked 0 mismatched 1" \
		"$shipped: a jump label going elsewhere than the shipped jump is refused, both places named"
done
tap_done
