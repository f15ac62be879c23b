#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# klpdiff verify's refusal shows what differs even where the two
# instructions disassemble alike. The "kernel" is hand-made x86-64 assembly
# (tests/fixtures/verify/alike.s), linked at fixed addresses as the shipped
# vmlinux (kallsyms from nm) or with ld -r as the shipped module; each
# original differs from it in one way. Against both:
#
#  1. the original itself, and one whose jump the shipped build encodes
#     shorter (so the comparison goes on instruction by instruction): the
#     call the assembler resolved into another function of .init.text is
#     compared by where it lands, and accepted
#  2. a changed constant after that call: refused at the constant, not at
#     the call (Debian's 6.12 said "built 'call 0xffffffff83392a50' but the
#     shipped kernel has 'call 0xffffffff83392a50'")
#  3. the call goes as far, into another function: each side names its own
#  4. an instruction in another encoding: each side's bytes
#  5. strings that part after 40 bytes: quoted from a little before where
#     they part, a newline escaped (one line)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/lib/verify.sh
. "$here/../lib/verify.sh"

fixture=$here/../fixtures/verify/alike.s
[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
for tool in as ld nm; do
	command -v "$tool" >/dev/null || tap_skip_all "$tool is not installed"
done
tap_tmpdir
cd "$TAP_TMP"

variants=(LONG_JMP SCALE9 SWAP LOAD_MOV GREETING2)
if ! { as --64 -o shipped.o "$fixture" &&
	for v in "${variants[@]}"; do as --64 --defsym "$v=1" -o "$v.o" "$fixture"; done &&
	as --64 --defsym SWAP=1 --defsym LONG_JMP=1 -o SWAP+LONG_JMP.o "$fixture" &&
	ld -o vmlinux -e pick -Ttext=0xffffffff81000000 \
		--section-start=.init.text=0xffffffff81100000 \
		--section-start=.rodata=0xffffffff81200000 shipped.o &&
	ld -r -o fake.ko shipped.o; } 2>build.log; then
	tap_diag <build.log
	tap_skip_all "the fixture does not assemble and link here (x86-64 binutils with {disp32}, {load})"
fi
{ echo "ffffffff81000000 T _text"; nm -n vmlinux; } >kallsyms

tail=$VERIFY_TAIL
same="compared 5 skipped 0 checked 1 masked 0"
for shipped in kernel module; do
	if [ $shipped == kernel ]; then
		against=(verify --objname vmlinux --shipped vmlinux --kallsyms kallsyms)
		init=0xffffffff81100010 greeting=-0x7ee00000
	else
		against=(verify --objname fake --shipped fake.ko)
		init=0x10 greeting=0
	fi

	# 1. accepted
	run "${against[@]}" shipped.o
	tap_is "$status:$out" "0:$same" "$shipped: the original itself"
	run "${against[@]}" LONG_JMP.o
	tap_is "$status:$out" "0:$same" \
		"$shipped: a longer jump: a call resolved into .init.text lands where the shipped one does"

	# 2. the first instruction that differs, not the resolved call before it
	run "${against[@]}" SCALE9.o
	tap_is "$status:$out" "2:klpdiff: SCALE9.o: boot_setup+0x5: built 'add eax, 9' but the shipped $shipped has 'add eax, 7'$tail" \
		"$shipped: a changed constant after a resolved call: refused at the constant"

	# 3. the same call, another callee
	run "${against[@]}" SWAP+LONG_JMP.o
	tap_is "$status:$out" "2:klpdiff: SWAP+LONG_JMP.o: boot_setup+0x0: built 'call $init <helper_b>' but the shipped $shipped has 'call $init <helper_a>'$tail" \
		"$shipped: a resolved call as far into another function names both"

	# 4. two encodings of one instruction
	run "${against[@]}" LOAD_MOV.o
	tap_is "$status:$out" "2:klpdiff: LOAD_MOV.o: pick+0x0: built 'mov eax, edi' (bytes 8b c7) but the shipped $shipped has 'mov eax, edi' (bytes 89 f8)$tail" \
		"$shipped: another encoding of the same instruction shows the bytes"

	# 5. strings that part late
	run "${against[@]}" GREETING2.o
	tap_is "$status:$out" "2:klpdiff: GREETING2.o: greet+0x0: built 'mov rax, 0 <...\"forty bytes, ending two\\n\">' but the shipped $shipped has 'mov rax, $greeting <...\"forty bytes, ending one\\n\">' (not ...\"forty bytes, ending two\\n\")$tail" \
		"$shipped: strings that part after 40 bytes are quoted where they part, escaped"
done
tap_done
