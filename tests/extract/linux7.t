#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Linux 7.x's x86-64 WARN() and runtime constants, on hand-made objects (GNU
# as) that do what the kernel's macros do:
#  - WARN(cond, "%s:%d", __func__, __LINE__) loads its bug entry's address
#    (lea 2f(%rip)) and calls __WARN_trap through __SCT__WARN_trap with the
#    arguments after it; the entry (16 bytes: bug_addr, format, file, line,
#    flags) holds the format. A change of the line only (the immediate and
#    the entry's line) is ignored, as line numbers; a changed format is a
#    change. extract copies f's entry and points the lea at the copy, not at
#    the input's offset (g's entry comes first there).
#  - runtime_ptr_USER_PTR_MAX (access_ok()): the kernel writes the movabs's
#    immediate at boot, in vmlinux only; extract makes it a load of the
#    variable (a relocation, normal as USER_PTR_MAX is exported) and a NOP;
#    a runtime shift count (d_hash_shift) is refused, naming the constant,
#    nothing written.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
for tool in as readelf; do
	command -v "$tool" >/dev/null || tap_skip_all "$tool is not installed"
done
tap_tmpdir

symvers=$TAP_TMP/Module.symvers
printf '0x%08x\t%s\tvmlinux\tEXPORT_SYMBOL\t\n' 0x1b2c3d4e __fentry__ 0x2b2c3d4e \
	__SCT__WARN_trap >"$symvers"

# warn NAME LINE FORMAT: w.o's g() (a BUG()) and f() (a WARN() with arguments).
warn() {
	mkdir -p "$TAP_TMP/$1"
	cat >"$TAP_TMP/$1/w.s" <<-EOF
		.file "w.c"
		.section .text.g, "ax", @progbits
		.globl g
		.type g, @function
	g:	call __fentry__
	3:	ud2
		.size g, . - g
		.section .text.f, "ax", @progbits
		.globl f
		.type f, @function
	f:	call __fentry__
		lea 2f(%rip), %rdi
		lea .Lfunc(%rip), %rsi
		mov \$$2, %edx
		call __SCT__WARN_trap
	1:	ret
		.size f, . - f
		.section .rodata.str1.1, "aMS", @progbits, 1
	.Lfmt:	.string "$3"
	.Lfile:	.string "w.c"
	.Lfunc:	.string "f"
		.section __bug_table, "aw"
		.long 3b - ., .Lfile - ., .Lfile - .
		.word 7, 0
	2:	.long 1b - ., .Lfmt - ., .Lfile - .
		.word $2, 0x911
	EOF
	as --64 -o "$TAP_TMP/$1/w.o" "$TAP_TMP/$1/w.s"
}

# diff_is LABEL A B STATUS OUTPUT
diff_is() {
	local out status=0
	out=$("$KLPDIFF" diff -v "$TAP_TMP/$2/w.o" "$TAP_TMP/$3/w.o" 2>&1) || status=$?
	tap_is "$status|$out" "$4|$5" "$1"
}

warn a 20 '%s:%d'
warn b 23 '%s:%d'
warn c 20 'f at %s:%d'
diff_is "WARN(): only the line moved (the immediate and the entry's line): ignored" a b 0 \
	"ignored: w.c:f: only line numbers changed"
diff_is "WARN(): another format: changed" a c 1 "changed: w.c:f"

status=0
err=$("$KLPDIFF" extract --kernel-symbols "$TAP_TMP/a/w.o" --symvers "$symvers" \
	--objname vmlinux "$TAP_TMP/a/w.o" "$TAP_TMP/c/w.o" -o "$TAP_TMP/x.o" 2>&1) || status=$?
tap_is "$status|$err" "0|" "extract of the changed WARN(): no complaint"
# The lea's relocation: the copied entry (the only one, at 0), as lea 2f(%rip) is.
tap_is "$(readelf -rW "$TAP_TMP/x.o" | awk '/^Relocation section .\.rela\.text\.f/ { s = 1; next }
	/^Relocation section/ { s = 0 } s && $5 == "__bug_table" { print $5, $6, $7 }')" \
	"__bug_table - 4" "the lea refers to the patch's copy of f's entry"
tap_is "$(readelf -SW "$TAP_TMP/x.o" |
	awk '{ for (i = 1; i < NF; i++) if ($i == "__bug_table") print $(i + 4) }')" \
	"000010" "the patch's __bug_table: f's entry only (16 bytes)"
tap_is "$(readelf -rW "$TAP_TMP/x.o" | awk '/^Relocation section .\.rela__bug_table/ { s = 1; next }
	/^Relocation section/ { s = 0 } s && /R_X86_64/ { print $1 + 0, $5 }')" \
	"0 f
4 .rodata.str1.1
8 .rodata.str1.1" "... its bug_addr on f, its format and file on the patch's strings"

# rt NAME ADDEND REG: f() compares with USER_PTR_MAX (runtime_ptr_, in REG) and
# shifts by d_hash_shift if ADDEND is 3 (runtime_shift_).
rt() {
	mkdir -p "$TAP_TMP/$1"
	cat >"$TAP_TMP/$1/u.s" <<-EOF
		.file "u.c"
		.section .text.f, "ax", @progbits
		.globl f
		.type f, @function
	f:	call __fentry__
		movabs \$0x0123456789abcdef, %$3
	1:	add \$$2, %rdi
		cmp %$3, %rdi
		setbe %al
		.if $2 == 3
		shrl \$12, %eax
	2:	.section runtime_shift_d_hash_shift, "a"
		.long 2b - 1 - .
		.section .text.f
		.endif
		ret
		.size f, . - f
		.section runtime_ptr_USER_PTR_MAX, "a"
		.long 1b - 8 - .
	EOF
	as --64 -o "$TAP_TMP/$1/u.o" "$TAP_TMP/$1/u.s"
}

# extract_rt ORIG PATCHED: extract into $TAP_TMP/r.o, "status|stderr".
extract_rt() {
	local status=0 err
	rm -f "$TAP_TMP/r.o"
	err=$("$KLPDIFF" extract --kernel-symbols "$TAP_TMP/$1/u.o" --symvers "$symvers" \
		--objname vmlinux "$TAP_TMP/$1/u.o" "$TAP_TMP/$2/u.o" -o "$TAP_TMP/r.o" 2>&1) ||
		status=$?
	echo "$status|$err"
}

# f's bytes 5 to 14 (after the call to __fentry__) and relocations, in r.o.
f_load() {
	objcopy -O binary --only-section=.text.f "$TAP_TMP/r.o" "$TAP_TMP/f.bin"
	od -An -tx1 -j5 -N10 "$TAP_TMP/f.bin" | tr -s ' ' | sed 's/^ //'
	readelf -rW "$TAP_TMP/r.o" | awk '/^Relocation section .\.rela\.text\.f/ { s = 1; next }
		/^Relocation section/ { s = 0 } s && /R_X86_64/ { print $1 + 0, $3, $5, $6, $7 }'
}

printf '0x%08x\t%s\tvmlinux\tEXPORT_SYMBOL\t\n' 0x3b2c3d4e USER_PTR_MAX >>"$symvers"
rt r1 1 rax
rt r2 2 rax
tap_is "$(extract_rt r1 r2)" "0|" "a changed function using runtime_ptr_USER_PTR_MAX: extracted"
tap_is "$(f_load)" "48 8b 05 00 00 00 00 0f 1f 00
1 R_X86_64_PLT32 __fentry__ - 4
8 R_X86_64_PC32 USER_PTR_MAX - 4" \
	"... the movabs of the placeholder made a load of USER_PTR_MAX (and a NOP), same length"
rt r3 2 r9
rt r4 1 r9
tap_is "$(extract_rt r3 r4)|$(f_load | head -1)" "0||4c 8b 0d 00 00 00 00 0f 1f 00" \
	"... into %r9: REX.R for REX.B"
rt r5 3 rax
tap_is "$(extract_rt r1 r5)|$(ls "$TAP_TMP/r.o" 2>/dev/null)" \
	"2|klpdiff: $TAP_TMP/r5/u.o: refusing: f: uses the runtime constant d_hash_shift (runtime_shift_d_hash_shift): the kernel patches its immediate at boot, in vmlinux only, and the patch's copy would keep the placeholder|" \
	"a runtime shift count: refused, naming it, nothing written"
tap_done
