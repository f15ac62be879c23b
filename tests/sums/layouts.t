#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Special-section layouts of Linux 4.18 to 7.3, on hand-made objects (GNU
# as): for each layout, an object whose function f() owns one entry, and a
# variant that differs only in a field of that entry which no relocation
# carries. klpdiff sums must read both (exit 0) and give f() two checksums:
# the entry was read with its layout, not dropped. Sections that fit no
# layout, by size, sh_entsize, a relocation's kind or place or an entry's
# contents, are an error naming the section, with no output; so is one that
# fits two layouts (7.x's 12-byte bug entry and 4.18's), unless the object
# says which kernel made it (a section 6.19+ gives an entry size, without it).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
command -v as >/dev/null || tap_skip_all "GNU as is not installed"
tap_tmpdir

# object NAME SECTION BODY: NAME.o with f() (one instruction at 1:, another
# at 2:, a replacement at 3: in .altinstr_replacement) and SECTION holding BODY,
# with the section flags in $flags (default "a"); $extra is more assembler.
flags='"a"' extra=
object() {
	cat >"$TAP_TMP/$1.s" <<-EOF
		.text
		.globl f, h1, h2
		.type f, @function
	f:
	1:	nop
	2:	ret
		.size f, . - f
		.type h1, @function
	h1:	ret
		.size h1, . - h1
		.type h2, @function
	h2:	ret
		.size h2, . - h2
		.section .altinstr_replacement, "ax"
	3:	int3
		.section .rodata.str1.1, "aMS", @progbits, 1
	4:	.string "f.c"
		.data
		.globl key
	key:	.quad 0, 0
		.section $2, $flags
		$3
		$extra
	EOF
	as --64 -o "$TAP_TMP/$1.o" "$TAP_TMP/$1.s"
}

# f_sum NAME: f()'s checksum in NAME.o.
f_sum() {
	"$KLPDIFF" sums "$TAP_TMP/$1.o" | awk '$3 == "f" { print $6 }'
}

# layout LABEL SECTION BODY-A BODY-B: both read, f() differs.
layout() {
	local label=$1 a b
	object a "$2" "$3"
	object b "$2" "$4"
	a=$(f_sum a) b=$(f_sum b)
	if [ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ]; then
		tap_pass "$label: read, and its entry is part of f()'s checksum"
	else
		tap_fail "$label: read, and its entry is part of f()'s checksum"
		tap_diag "f: '$a' and '$b'; $("$KLPDIFF" sums "$TAP_TMP/a.o" 2>&1 | tail -1)"
	fi
}

# refused LABEL SECTION BODY WORD: exit 2, one line naming SECTION and WORD.
refused() {
	local err status=0
	object bad "$2" "$3"
	err=$("$KLPDIFF" sums "$TAP_TMP/bad.o" 2>&1 >"$TAP_TMP/bad.out") || status=$?
	if [ "$status" = 2 ] && [ "$(printf '%s\n' "$err" | wc -l)" = 1 ] &&
		[[ $err == *"$TAP_TMP/bad.o: section $2: "*"$4"* ]] && [ ! -s "$TAP_TMP/bad.out" ]; then
		tap_pass "$1: refused, naming the section"
	else
		tap_fail "$1: refused, naming the section"
		tap_diag "exit $status: $err"
	fi
}

# alt_instr: instr, replacement, then cpuid/ft_flags, lengths (and padlen).
layout "alt_instr, 12 bytes (5.x, 6.1)" .altinstructions \
	'.long 1b - .; .long 3b - .; .word 1; .byte 1, 1' \
	'.long 1b - .; .long 3b - .; .word 2; .byte 1, 1'
layout "alt_instr, 13 bytes (4.x, padlen)" .altinstructions \
	'.long 1b - .; .long 3b - .; .word 1; .byte 1, 1, 0' \
	'.long 1b - .; .long 3b - .; .word 2; .byte 1, 1, 0'
layout "alt_instr, 14 bytes (6.8+, ft_flags)" .altinstructions \
	'.long 1b - .; .long 3b - .; .long 1; .byte 1, 1' \
	'.long 1b - .; .long 3b - .; .long 2; .byte 1, 1'
layout "paravirt patch site, 16 bytes (before 6.8)" .parainstructions \
	'.quad 1b; .byte 1, 1; .balign 8' \
	'.quad 1b; .byte 2, 1; .balign 8'
layout "exception table, 12 bytes, type and data (5.16+)" __ex_table \
	'.long 1b - .; .long 2b - .; .long 3' \
	'.long 1b - .; .long 2b - .; .long 4'
layout "exception table, 12 bytes, handler (before 5.16)" __ex_table \
	'.long 1b - .; .long 2b - .; .long h1 - .' \
	'.long 1b - .; .long 2b - .; .long h2 - .'
layout "jump label, 16 bytes, relative (4.20+)" __jump_table \
	'.balign 8; .long 1b - .; .long 2b - .; .quad key - .' \
	'.balign 8; .long 1b - .; .long 2b - .; .quad key + 1 - .'
layout "jump label, 24 bytes, absolute (4.18, 4.19)" __jump_table \
	'.balign 8; .quad 1b; .quad 2b; .quad key' \
	'.balign 8; .quad 1b; .quad 2b; .quad key + 1'
layout "bug entry, 12 bytes (CONFIG_DEBUG_BUGVERBOSE)" __bug_table \
	'.long 1b - .; .long 4b - .; .word 7; .word 1' \
	'.long 1b - .; .long 4b - .; .word 7; .word 3'
layout "bug entry, 8 bytes" __bug_table \
	'.long 1b - .; .word 1; .word 0' \
	'.long 1b - .; .word 3; .word 0'

# 7.0+ (format): bug_addr, format, file, line, flags; without a line,
# bug_addr, format, flags and padding, which also needs a BUG() (flags 0, so
# not a line) to be told from 4.18's: here h1's.
layout "bug entry, 16 bytes (7.0+, format, CONFIG_DEBUG_BUGVERBOSE)" __bug_table \
	'.long 1b - .; .long 4b - .; .long 4b - .; .word 7; .word 1' \
	'.long 1b - .; .long 4b - .; .long 4b - .; .word 7; .word 3'
layout "bug entry, 12 bytes (7.0+, format, no CONFIG_DEBUG_BUGVERBOSE)" __bug_table \
	'.long 1b - .; .long 4b - .; .word 1, 0; .long h1 - .; .long 4b - .; .word 0, 0' \
	'.long 1b - .; .long 4b - .; .word 3, 0; .long h1 - .; .long 4b - .; .word 0, 0'
layout "bug entry, 8 bytes, two of them (not one 16-byte entry: no format)" __bug_table \
	'.long 1b - .; .word 1, 0; .long h1 - .; .word 0, 0' \
	'.long 1b - .; .word 3, 0; .long h1 - .; .word 0, 0'
# 6.19+ gives .altinstructions and __ex_table an entry size ("aM").
flags='"aM", @progbits, 14'
layout "alt_instr, 14 bytes, with its sh_entsize (6.19+)" .altinstructions \
	'.long 1b - .; .long 3b - .; .long 1; .byte 1, 1' \
	'.long 1b - .; .long 3b - .; .long 2; .byte 1, 1'
flags='"aM", @progbits, 12'
layout "exception table, 12 bytes, with its sh_entsize (6.19+)" __ex_table \
	'.long 1b - .; .long 2b - .; .long 3' \
	'.long 1b - .; .long 2b - .; .long 4'
flags='"a"'

# runtime_<kind>_<variable> (vmlinux only): the entry marks the immediate the
# kernel writes at boot; which variable is in the section's name.
for kind in ptr shift mask; do
	object a "runtime_${kind}_one" '.long 1b - .'
	object b "runtime_${kind}_other" '.long 1b - .'
	a=$(f_sum a) b=$(f_sum b)
	if [ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ]; then
		tap_pass "runtime constant, runtime_${kind}_*: read, its variable part of f()'s checksum"
	else
		tap_fail "runtime constant, runtime_${kind}_*: read, its variable part of f()'s checksum"
		tap_diag "f: '$a' and '$b'; $("$KLPDIFF" sums "$TAP_TMP/a.o" 2>&1 | tail -1)"
	fi
done
# .cfi_sites (kCFI with FineIBT): a list of places, not part of any checksum.
object a .cfi_sites '.long f - .'
object b .cfi_sites '.long h1 - .'
tap_is "$(f_sum a)" "$(f_sum b)" ".cfi_sites: read, and not part of f()'s checksum"

refused "a 20-byte jump table" __jump_table \
	'.balign 8; .long 1b - .; .long 2b - .; .quad key - .; .long 0' \
	"no multiple of any entry size"
refused "an absolute pointer in a relative alt_instr" .altinstructions \
	'.quad 1b; .long 3b - .' "8-byte absolute relocation at 0"
refused "a relative jump table with an absolute key" __jump_table \
	'.balign 8; .long 1b - .; .long 2b - .; .quad key' "8-byte absolute relocation at 0x8"

flags='"aM", @progbits, 8'
refused "a jump table whose sh_entsize is no layout's" __jump_table \
	'.balign 8; .long 1b - .; .long 2b - .' "its entry size (sh_entsize) 8 is not that of any entry layout"
flags='"a"'
refused "a 16-byte bug table without a format" __bug_table \
	'.long 1b - .; .long 4b - .; .long 0; .word 7, 1' "lacks a relocation that entries always have"

# The two 12-byte bug entries: bug_addr and a string at 0 and 4 in both; 4.18's
# line at 8 is never 0, 7.x's padding at 10 always is. Flags 3 and 0 fit both.
ambiguous='.long 1b - .; .long 4b - .; .word 3, 0'
refused "a 12-byte bug table that fits 4.18's and 7.x's layouts" __bug_table "$ambiguous" \
	"its entries fit two layouts, that of Linux 4.18 to 6.19, CONFIG_DEBUG_BUGVERBOSE and that of Linux 7.0+ (format), no CONFIG_DEBUG_BUGVERBOSE: which one depends on the kernel, give it (-k DIR)"
extra='.section .altinstructions, "a"; .long 1b - .; .long 3b - .; .word 1; .byte 1, 1'
object old __bug_table "$ambiguous"
tap_ok "... with an .altinstructions without sh_entsize (before 6.19): read, 4.18's layout" \
	"$KLPDIFF" sums "$TAP_TMP/old.o" -o "$TAP_TMP/old.sums"
refused "... and one only 7.x's fits (a BUG(): flags 0) there: refused, naming why" __bug_table \
	'.long 1b - .; .long 4b - .; .word 0, 0' \
	"fits only layouts of kernels that give .altinstructions an entry size (sh_entsize), but this object's has none"
extra=

# diff and extract of objects whose tables have two kernels' layouts.
object old .altinstructions '.long 1b - .; .long 3b - .; .word 1; .byte 1, 1, 0'
object new .altinstructions '.long 1b - .; .long 3b - .; .word 1; .byte 1, 1'
status=0
err=$("$KLPDIFF" diff "$TAP_TMP/old.o" "$TAP_TMP/new.o" 2>&1) || status=$?
tap_is "$status|$err" "2|klpdiff: $TAP_TMP/new.o: section .altinstructions has the entry layout of Linux 5.10 to 6.7, but in $TAP_TMP/old.o that of Linux 4.18 to 5.9 (padlen): objects of two kernels" \
	"diff of objects with two kernels' layouts: refused, naming the section"
status=0
err=$("$KLPDIFF" extract "$TAP_TMP/old.o" "$TAP_TMP/new.o" -o "$TAP_TMP/x.o" \
	--kernel-symbols "$TAP_TMP/old.o" --symvers /dev/null 2>&1) || status=$?
tap_is "$status|$(ls "$TAP_TMP/x.o" 2>/dev/null)|${err%%: section*}" "2||klpdiff: $TAP_TMP/new.o" \
	"extract of the same: refused, no output"
tap_done
