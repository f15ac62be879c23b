#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# klpdiff verify (the build-time check that the original objects are the
# code the target kernel runs), on a fake kernel made of fixtures
# (tests/fixtures/verify): shipped.c compiled without function sections and
# linked at 0xffffffff81000000 with stubs.c is the "shipped vmlinux" (nm
# gives its kallsyms), or, linked with ld -r, the "shipped module"; shipped.c
# compiled with function sections is the original.
#
#  1. the identical original is accepted against vmlinux (kallsyms listing,
#     KASLR-slid listing, an ELF with symbols as the listing, a stripped
#     image) and against the module
#  2. a function absent from kallsyms (inlined) is skipped and counted
#  3. a tail call the assembler shortened (no function sections in the
#     shipped build) is the same code; a changed constant next to it is not
#  3b. code aligned inside a function (padded.c), padded differently by
#     where the function sits, is the same code; a changed constant there
#     is not
#  4. one changed constant, one changed string, one call to another function:
#     refused in one line naming the instruction on each side (exit 2)
#     --keep-going: each differing function named, the counts, exit 1
#  5. a module whose linker put the strings into .rodata after a named
#     object (Linux 7.x's modules): the strings compare by content
#  6. bad input: exit 2 and one line `klpdiff: FILE: ...`
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/lib/compile.sh
. "$here/../lib/compile.sh"
# shellcheck source=tests/lib/verify.sh
. "$here/../lib/verify.sh"

fixtures=$here/../fixtures/verify
[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
for tool in python3 ld nm strip; do
	command -v "$tool" >/dev/null || tap_skip_all "$tool is not installed"
done
compilers=()
for cc in gcc clang; do
	! klp_have_cc "$cc" || compilers+=("$cc")
done
((${#compilers[@]})) || tap_skip_all "neither gcc nor clang is installed"
tap_tmpdir

# Offsets and addresses depend on the compiler's choices: not compared.
normalise()
{
	sed -E 's/\+0x[0-9a-f]+: built/+OFF: built/; s/0xffffffff81[0-9a-f]{6}/ADDR/g'
}

tail=$VERIFY_TAIL
same="compared 4 skipped 0 checked 18 masked 0"
other="same instructions, shipped with shorter branches"

for cc in "${compilers[@]}"; do
	d=$TAP_TMP/$cc
	mkdir -p "$d"
	cd "$d"
	if ! { verify_fake_kernel "$cc" 0xffffffff81000000 &&
		klp_compile "$cc" sections "$fixtures/shipped.c" step.o -DNEAR_STEP=2 &&
		klp_compile "$cc" sections "$fixtures/padded.c" padded.o &&
		klp_compile "$cc" sections "$fixtures/padded.c" padded-mul.o -DMUL=9 &&
		klp_compile "$cc" plain "$fixtures/padded.c" padded-plain.o &&
		ld -o vmlinux-padded -Ttext=0xffffffff81000000 -e lead padded-plain.o stubs.o &&
		klp_compile "$cc" sections "$fixtures/shipped.c" two.o -DSCALE=9 \
			-Dseq_puts=seq_puts_x; } 2>build.log; then
		tap_fail "$cc: fixtures build"
		tap_diag <build.log
		continue
	fi
	tap_pass "$cc: fixtures build"
	# A KASLR boot: every address but the absolute ones moved by the same slide.
	python3 - kallsyms >kallsyms.slid <<'PY'
import sys
for line in open(sys.argv[1]):
    addr, kind, name = line.split()
    if kind not in "aA":
        addr = "%016x" % (int(addr, 16) + 0x2a00000)
    print(addr, kind, name)
PY
	grep -v ' scaled$' kallsyms >kallsyms.inlined

	# 1. identical
	vm=(verify --objname vmlinux --shipped vmlinux.stripped)
	run "${vm[@]}" --kallsyms kallsyms orig.o
	tap_is "$status:$out" "0:$same" "$cc: identical original, kallsyms listing"
	run "${vm[@]}" --kallsyms kallsyms.slid orig.o
	tap_is "$status:$out" "0:$same" "$cc: identical original, kallsyms of a KASLR boot"
	run "${vm[@]}" --kallsyms vmlinux orig.o
	tap_is "$status:$out" "0:$same" "$cc: identical original, an ELF with symbols as kallsyms"
	run verify --objname fake --shipped fake.ko orig.o
	tap_is "$status:$out" "0:$same" "$cc: identical original, module"

	# 5. strings merged into .rodata, behind a named object
	printf 'static const char table[40] __attribute__((used)) = { 1, 2, 3 };\n' >named.c
	printf 'SECTIONS { .rodata : { *(.rodata .rodata.*) } }\n' >rodata.lds
	if klp_compile "$cc" plain named.c named.o 2>>build.log &&
		ld -r -T rodata.lds -o rodata.ko named.o plain.o stubs.o 2>>build.log; then
		run verify --objname fake --shipped rodata.ko orig.o
		tap_is "$status:$out" "0:$same" "$cc: identical original, module with strings in .rodata"
		run verify --objname fake --shipped rodata.ko greet.o
		tap_check "$([[ $status == 2 && $out == *"(not \"hello from the fixturE\")$tail" ]]; echo $?)" \
			"$cc: module with strings in .rodata: a changed string is refused"
		[ "$TAP_LAST" == 0 ] || tap_diag "$out"
	else
		tap_fail "$cc: a module with strings in .rodata"
		tap_diag <build.log
	fi

	# 2. inlined: no kallsyms entry, so skipped; references to it masked
	run "${vm[@]}" --kallsyms kallsyms.inlined orig.o
	tap_is "$status:${out% checked*}" "0:compared 3 skipped 1" \
		"$cc: a function kallsyms does not list is skipped"

	# 3. near() tail-calls scaled(), which the shipped link puts just before it
	run "${vm[@]}" -v --kallsyms kallsyms orig.o
	tap_is "$status:$out" "0:orig.o: near: $other
$same" "$cc: a shortened tail call is the same code"
	run verify -v --objname fake --shipped fake.ko orig.o
	tap_is "$status:$out" "0:orig.o: near: $other
$same" "$cc: module: a shortened tail call is the same code"
	for shipped in kernel module; do
		if [ $shipped == kernel ]; then
			run "${vm[@]}" --kallsyms kallsyms step.o
		else
			run verify --objname fake --shipped fake.ko step.o
		fi
		tap_check "$([[ $status == 2 && $out == "klpdiff: step.o: near+0x"*"' but the shipped $shipped has '"*"'$tail" && $out != *$'\n'* ]]; echo $?)" \
			"$cc: $shipped: a changed constant beside a shortened tail call is refused"
		[ "$TAP_LAST" == 0 ] || tap_diag "$out"
	done

	# 3b. padded() sits 16 bytes (or more) past a 64-byte boundary in the shipped link
	{ echo "ffffffff81000000 T _text"; nm -n vmlinux-padded; } >kallsyms.padded
	at=$(awk '$3 == "padded" { print $1 }' kallsyms.padded)
	tap_check "$(((0x${at:-0} % 64) == 0))" "$cc: padded() is not 64-byte aligned in the shipped link"
	nops_shipped=$(objdump -d --disassemble=padded vmlinux-padded | grep -c nop)
	nops_built=$(objdump -d --disassemble=padded padded.o | grep -c nop)
	tap_check "$((nops_shipped == nops_built))" \
		"$cc: so its padding differs from the original's ($nops_shipped NOPs, $nops_built)"
	run verify -v --objname vmlinux --shipped vmlinux-padded --kallsyms kallsyms.padded padded.o
	tap_is "$status:${out% checked*}" "0:padded.o: padded: same instructions, shipped with other alignment padding
compared 2 skipped 0" "$cc: code padded by where it sits is the same code"
	run verify --objname vmlinux --shipped vmlinux-padded --kallsyms kallsyms.padded padded-mul.o
	tap_check "$([[ $status == 2 && $out == "klpdiff: padded-mul.o: padded+0x"*"' but the shipped kernel has '"*"'$tail" && $out != *$'\n'* ]]; echo $?)" \
		"$cc: a changed constant in padded code is refused"
	[ "$TAP_LAST" == 0 ] || tap_diag "$out"

	# 4. mismatches
	run "${vm[@]}" --kallsyms kallsyms --display fixture.o call.o
	tap_is "$status:$(normalise <<<"$out")" "2:klpdiff: fixture.o: show+OFF: built 'call seq_puts_x' but the shipped kernel has 'call ADDR <seq_puts>' (not seq_puts_x)$tail" \
		"$cc: a call to another function is refused"
	run "${vm[@]}" --kallsyms kallsyms.slid greet.o
	tap_check "$([[ $status == 2 && $out == "klpdiff: greet.o: show+0x"*"<\"hello from the fixture\">' (not \"hello from the fixturE\")$tail" ]]; echo $?)" \
		"$cc: a changed string is refused, KASLR or not"
	[ "$TAP_LAST" == 0 ] || tap_diag "$out"
	run "${vm[@]}" --kallsyms kallsyms scale.o
	tap_check "$([[ $status == 2 && $out == "klpdiff: scale.o: scaled+0x"*"' but the shipped kernel has '"*"'$tail" && $out != *$'\n'* ]]; echo $?)" \
		"$cc: a changed constant is refused"
	[ "$TAP_LAST" == 0 ] || tap_diag "$out"
	run verify --objname fake --shipped fake.ko call.o
	tap_is "$status:$(normalise <<<"$out" | sed -E 's/call 0x[0-9a-f]+/call X/')" \
		"2:klpdiff: call.o: show+OFF: built 'call seq_puts_x' but the shipped module has 'call X <seq_puts>' (not seq_puts_x)$tail" \
		"$cc: module: a call to another function is refused"
	run verify --objname fake --shipped fake.ko greet.o
	tap_check "$([[ $status == 2 && $out == *"<\"hello from the fixture\">' (not \"hello from the fixturE\")$tail" ]]; echo $?)" \
		"$cc: module: a changed string is refused"
	[ "$TAP_LAST" == 0 ] || tap_diag "$out"
	run verify --objname fake --shipped fake.ko scale.o
	tap_check "$([[ $status == 2 && $out == "klpdiff: scale.o: scaled+0x"*"the shipped module has"*"$tail" ]]; echo $?)" \
		"$cc: module: a changed constant is refused"
	[ "$TAP_LAST" == 0 ] || tap_diag "$out"

	# --keep-going: every differing function named, the others compared, exit 1
	for shipped in kernel module; do
		if [ $shipped == kernel ]; then
			run "${vm[@]}" --kallsyms kallsyms --keep-going two.o
		else
			run verify --objname fake --shipped fake.ko --keep-going two.o
		fi
		# (how many sites were checked depends on where each comparison stopped)
		tap_is "$status:$(sed -E "s/\\+0x[0-9a-f]+: built '.*' but the shipped $shipped has .*/+OFF/; s/checked [0-9]+/checked N/" \
			<<<"$out" | sort)" "1:compared 4 skipped 0 checked N masked 0 mismatched 2
klpdiff: two.o: scaled+OFF
klpdiff: two.o: show+OFF" "$cc: $shipped: --keep-going names both differing functions"
	done
done

# 5. bad input
cd "$TAP_TMP/${compilers[0]}"
echo "not kallsyms" >garbage
run verify --objname vmlinux --shipped vmlinux --kallsyms garbage orig.o
tap_is "$status:$out" "2:klpdiff: garbage: line 1: neither an ELF file nor a kallsyms listing (ADDRESS TYPE NAME lines)" \
	"a file that is no kallsyms listing"
run verify --objname vmlinux --shipped plain.o --kallsyms kallsyms orig.o
tap_is "$status:$out" "2:klpdiff: plain.o: not a linked kernel (ELF type 1; expected the vmlinux of the shipped kernel image)" \
	"a relocatable object as the shipped vmlinux"
run verify --objname vmlinux --shipped vmlinux orig.o
tap_is "$status:$out" "2:klpdiff: orig.o: checking against vmlinux needs its kallsyms" \
	"vmlinux without kallsyms"
{ echo "ffffffff81000000 T _text"; echo "ffffffff91000000 T show"; } >kallsyms.far
run verify --objname vmlinux --shipped vmlinux --kallsyms kallsyms.far orig.o
tap_is "$status:$out" "2:klpdiff: orig.o: show: its kallsyms address 0xffffffff91000000 is outside vmlinux (is the kallsyms listing from this kernel?)" \
	"kallsyms of another kernel"
run verify --objname fake --shipped garbage orig.o
tap_check "$([[ $status == 2 && $out == "klpdiff: garbage: "* && $out != *$'\n'* ]]; echo $?)" \
	"a module that is no ELF file"
tap_done
