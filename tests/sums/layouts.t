#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Special-section layouts of Linux 3.10 to 7.3, x86-64 and ppc64le, on
# hand-made objects (GNU as): for each layout, an object whose function f()
# owns an entry, and a variant that differs only in a field of that entry
# which no relocation carries. klpdiff sums must read both (exit 0) and give
# f() two checksums: the entry was read with its layout, not dropped.
# Sections that fit no layout (by sh_entsize, size, a relocation's kind or
# place, an owner outside code, a handler that is no function, a missing
# file name or format, line 0 or data in padding) are an error naming the
# section, with no output; so are sections two layouts fit alike (7.x's
# 12-byte bug entry and 5.19's), unless where a file name points, the gcc of
# .comment, a section 6.19+ gives an sh_entsize without it, or objtool's
# marks of 7.x's bug entries missing tell them apart. Which layout was taken shows in diff's refusal of objects of two
# kernels.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
command -v as >/dev/null || tap_skip_all "GNU as is not installed"
tap_tmpdir

# object NAME SECTION BODY [EXTRA]: NAME.o with f() (one instruction at 1:,
# another at 2:, a replacement at 3: in .altinstr_replacement), the string
# "f.c" at 4:, SECTION holding BODY, and EXTRA (more sections) after it.
# SECTION's flags are $flags ("aM" with an entry size: 6.19+).
flags='"a"'
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
		${4:-}
	EOF
	as --64 -o "$TAP_TMP/$1.o" "$TAP_TMP/$1.s"
}

# ppc_object NAME SECTION BODY [EXTRA]: the same for ppc64le (ELFv2): f() is
# "1: nop; 2: blr", 3: a fixup in .fixup.
ppc_object() {
	cat >"$TAP_TMP/$1.s" <<-EOF
		.abiversion 2
		.text
		.globl f
		.type f, @function
	f:
	1:	nop
	2:	blr
		.size f, . - f
		.section .fixup, "ax"
	3:	b 2b
		.section .rodata.str1.1, "aMS", @progbits, 1
	4:	.string "f.c"
		.data
		.globl key
	key:	.quad 0, 0
		.section $2, "a"
		$3
		${4:-}
	EOF
	"$ppc_as" -a64 -mlittle -o "$TAP_TMP/$1.o" "$TAP_TMP/$1.s"
}

# f_sum NAME: f()'s checksum in NAME.o (nothing if it is refused).
f_sum() {
	{ "$KLPDIFF" sums "$TAP_TMP/$1.o" 2>/dev/null || true; } | awk '$3 == "f" { print $6 }'
}

# layout LABEL SECTION BODY-A BODY-B [MAKER]: both read, f() differs.
layout() {
	local label=$1 maker=${5:-object} a b
	"$maker" a "$2" "$3"
	"$maker" b "$2" "$4"
	a=$(f_sum a) b=$(f_sum b)
	if [ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ]; then
		tap_pass "$label: read, and its entry is part of f()'s checksum"
	else
		tap_fail "$label: read, and its entry is part of f()'s checksum"
		tap_diag "f: '$a' and '$b'; $("$KLPDIFF" sums "$TAP_TMP/a.o" 2>&1 | tail -1)"
	fi
}

# refused LABEL SECTION BODY WORD [MAKER [EXTRA]]: exit 2, one line naming
# SECTION and WORD.
refused() {
	local err status=0
	"${5:-object}" bad "$2" "$3" "${6:-}"
	err=$("$KLPDIFF" sums "$TAP_TMP/bad.o" 2>&1 >"$TAP_TMP/bad.out") || status=$?
	if [ "$status" = 2 ] && [ "$(printf '%s\n' "$err" | wc -l)" = 1 ] &&
		[[ $err == *"$TAP_TMP/bad.o: section $2: "*"$4"* ]] && [ ! -s "$TAP_TMP/bad.out" ]; then
		tap_pass "$1: refused, naming the section"
	else
		tap_fail "$1: refused, naming the section"
		tap_diag "exit $status: $err"
	fi
}

# taken LABEL SECTION KERNELS A.o B.o: diff refuses A and B as objects of two
# kernels, B's layout of SECTION being that of Linux KERNELS.
taken() {
	local err status=0
	err=$("$KLPDIFF" diff "$TAP_TMP/$4.o" "$TAP_TMP/$5.o" 2>&1) || status=$?
	if [ "$status" = 2 ] && [[ $err == *"$TAP_TMP/$5.o: section $2 has the entry layout of Linux $3, but"* ]]; then
		tap_pass "$1: the layout of Linux $3"
	else
		tap_fail "$1: the layout of Linux $3"
		tap_diag "exit $status: $err"
	fi
}

# alt_instr: instr, replacement, then cpuid/ft_flags, lengths (and padlen).
layout "alt_instr, 12 bytes (3.10 to 4.0, 5.10 to 6.7)" .altinstructions \
	'.long 1b - .; .long 3b - .; .word 1; .byte 1, 1' \
	'.long 1b - .; .long 3b - .; .word 2; .byte 1, 1'
layout "alt_instr, 13 bytes (4.1 to 5.9, padlen)" .altinstructions \
	'.long 1b - .; .long 3b - .; .word 1; .byte 1, 1, 0' \
	'.long 1b - .; .long 3b - .; .word 2; .byte 1, 1, 0'
layout "alt_instr, 14 bytes (6.8+, ft_flags)" .altinstructions \
	'.long 1b - .; .long 3b - .; .long 1; .byte 1, 1' \
	'.long 1b - .; .long 3b - .; .long 2; .byte 1, 1'
layout "paravirt patch site, 16 bytes (before 6.8)" .parainstructions \
	'.quad 1b; .byte 1, 1; .balign 8' \
	'.quad 1b; .byte 2, 1; .balign 8'
layout "paravirt patch sites, 16-byte stride, the last entry 12 bytes unpadded (3.10 to 5.10)" \
	.parainstructions \
	'.balign 8; .quad 1b; .byte 1, 1; .short 0; .balign 8; .quad 2b; .byte 1, 1; .short 0' \
	'.balign 8; .quad 1b; .byte 1, 1; .short 0; .balign 8; .quad 2b; .byte 2, 1; .short 0'
layout "exception table, 12 bytes, type and data (5.16+)" __ex_table \
	'.long 1b - .; .long 2b - .; .long 3' \
	'.long 1b - .; .long 2b - .; .long 4'
layout "exception table, 12 bytes, handler (4.6 to 5.15)" __ex_table \
	'.long 1b - .; .long 2b - .; .long h1 - .' \
	'.long 1b - .; .long 2b - .; .long h2 - .'
layout "jump label, 16 bytes, relative (4.20+)" __jump_table \
	'.balign 8; .long 1b - .; .long 2b - .; .quad key - .' \
	'.balign 8; .long 1b - .; .long 2b - .; .quad key + 1 - .'
layout "exception table, 8 bytes (3.10 to 4.5)" __ex_table \
	'.long 1b - .; .long 2b - .' \
	'.long 1b - .; .long 3b - .'
layout "exception tables, 8 bytes, three entries (3.10 to 4.5)" __ex_table \
	'.long 1b - .; .long 2b - .; .long 1b - .; .long 3b - .; .long 2b - .; .long 3b - .' \
	'.long 1b - .; .long 2b - .; .long 1b - .; .long 3b - .; .long 2b - .; .long 2b - .'
layout "jump label, 24 bytes, absolute (3.10 to 4.19)" __jump_table \
	'.balign 8; .quad 1b; .quad 2b; .quad key' \
	'.balign 8; .quad 1b; .quad 2b; .quad key + 1'
layout "bug entry, 12 bytes, relative to the entry (3.10 to 5.18)" __bug_table \
	'5: .long 1b - 5b; .long 4b - 5b; .word 7; .word 1' \
	'5: .long 1b - 5b; .long 4b - 5b; .word 7; .word 3'
layout "bug entry, 12 bytes (CONFIG_DEBUG_BUGVERBOSE)" __bug_table \
	'.long 1b - .; .long 4b - .; .word 7; .word 1' \
	'.long 1b - .; .long 4b - .; .word 7; .word 3'
layout "bug entry, 8 bytes" __bug_table \
	'.long 1b - .; .word 1; .word 0' \
	'.long 1b - .; .word 3; .word 0'

# 7.0+ (format): bug_addr, format, file, line, flags; without a line,
# bug_addr, format, flags and padding, which also needs a BUG() (flags 0, so
# not a line) to be told from 5.19's: here h1's.
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
flags='"aM", @progbits, 8'
refused "a jump table whose sh_entsize is no layout's" __jump_table \
	'.balign 8; .long 1b - .; .long 2b - .' \
	"its entry size (sh_entsize) 8 is not that of any entry layout of the kernels klpdiff knows (Linux 3.10 to 7.3)"
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
refused "a runtime constant whose entry is no code's" runtime_ptr_one '.long key - .' \
	"no relocation into code at +0"
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
refused "an exception table's handler field pointing into a section" __ex_table \
	'.long 1b - .; .long 2b - .; .long 3b - .' "handler function"
refused "an exception table whose entry's owner is no code" __ex_table \
	'.long key - .; .long 2b - .; .long 0' "no relocation into code at +0"

# Two layouts alike: 8-byte entries (3.10 to 4.5) or 12 with a handler (4.6
# to 5.15), when a handler is a function of the object itself.
refused "exception entries that fit the 8- and the 12-byte layout alike" __ex_table \
	'.long 1b - .; .long 2b - .; .long h1 - .; .long 1b - .; .long 2b - .; .long h2 - .' \
	"fit the layouts of Linux 4.6 to 5.15 (handler) (12 bytes) and Linux 3.10 to 4.5 (8 bytes) alike"

# Bug entries: the file name counted from the field (5.19+) or from the entry.
rel_entry='5: .long 1b - 5b; .long 4b - 5b; .word 7; .word 1'
rel_field='.long 1b - .; .long 4b - .; .word 7; .word 1'
object field __bug_table "$rel_field"
object entry __bug_table "$rel_entry"
taken "bug entry whose file is counted from the entry" __bug_table \
	"3.10 to 5.18, CONFIG_DEBUG_BUGVERBOSE (from the entry)" field entry
taken "bug entry whose file is counted from the field" __bug_table \
	"5.19 to 6.19, CONFIG_DEBUG_BUGVERBOSE" entry field
# "f.c" then "a.c": read either way, each points at a file name's start.
next_string='.section .rodata.str1.1, "aMS", @progbits, 1; .string "a.c"'
refused "a bug entry whose file name reads whole either way" __bug_table "$rel_entry" \
	"fit the layouts of Linux 5.19 to 6.19, CONFIG_DEBUG_BUGVERBOSE (12 bytes) and Linux 3.10 to 5.18, CONFIG_DEBUG_BUGVERBOSE (from the entry) (12 bytes) alike" \
	object "$next_string"
refused "... and a .comment of gcc 12, which either kernel accepts" __bug_table "$rel_entry" \
	"alike" object "$next_string; .ident \"GCC: (Debian 12.2.0-14) 12.2.0\""
object gcc48 __bug_table "$rel_entry" \
	"$next_string; .ident \"GCC: (GNU) 4.8.5 20150623 (Red Hat 4.8.5-44)\""
taken "... and a .comment of gcc 4.8, which 5.19+ refuses" __bug_table \
	"3.10 to 5.18, CONFIG_DEBUG_BUGVERBOSE (from the entry)" field gcc48

# 7.x and a string always there: a 16-byte bug entry with no file name.
refused "a 16-byte bug table without a file name" __bug_table \
	'.long 1b - .; .long 4b - .; .long 0; .word 7, 1' \
	"the entry at 0 has no relocation at +8, where the layout of Linux 7.0+ (format), CONFIG_DEBUG_BUGVERBOSE has its file name"
refused "a 16-byte bug table with line 0" __bug_table \
	'.long 1b - .; .long 4b - .; .long 4b - .; .word 0, 1' \
	"the entry at 0 does not fit the layout of Linux 7.0+ (format), CONFIG_DEBUG_BUGVERBOSE: it has line 0"
# The two 12-byte bug entries: bug_addr and a string at 0 and 4 in both;
# 5.19's line at 8 is never 0, 7.x's padding at 10 always is. Flags 3 and 0
# fit both. 7.x marks each entry for objtool (.discard.annotate_data).
ambiguous='.long 1b - .; 5: .long 4b - .; .word 3, 0'
marks='.section .discard.annotate_data, "M", @progbits, 8; .long 5b - 4 - ., 1'
old_alt='.section .altinstructions, "a"; .long 1b - .; .long 3b - .; .word 1; .byte 1, 1'
new_alt='.section .altinstructions, "aM", @progbits, 14; .long 1b - .; .long 3b - .; .long 1; .byte 1, 1'
refused "a 12-byte bug table, marked for objtool, that fits 5.19's and 7.x's layouts" __bug_table \
	"$ambiguous" \
	"its entries fit the layouts of Linux 5.19 to 6.19, CONFIG_DEBUG_BUGVERBOSE (12 bytes) and Linux 7.0+ (format), no CONFIG_DEBUG_BUGVERBOSE (12 bytes) alike; klpdiff cannot tell which kernel made it (give it with -k)" \
	object "$marks"
object unmarked __bug_table "$ambiguous"
taken "... not marked (before 7.0, as 6.1's objects with a BUG() only): 5.19's" __bug_table \
	"5.19 to 6.19, CONFIG_DEBUG_BUGVERBOSE" entry unmarked
object older __bug_table "$ambiguous" "$marks; $old_alt"
taken "... marked, with an .altinstructions without sh_entsize (before 6.19): 5.19's" __bug_table \
	"5.19 to 6.19, CONFIG_DEBUG_BUGVERBOSE" entry older
object gcc7 __bug_table "$ambiguous" "$marks; .ident \"GCC: (Debian 7.4.0-6) 7.4.0\""
taken "... marked, with a .comment of gcc 7, which 7.x refuses: 5.19's" __bug_table \
	"5.19 to 6.19, CONFIG_DEBUG_BUGVERBOSE" entry gcc7
object newer __bug_table "$ambiguous; .long h1 - .; .long 4b - .; .word 0, 0" "$new_alt"
taken "... with a BUG() (flags 0, no line) and a 6.19+ .altinstructions: 7.x's" __bug_table \
	"7.0+ (format), no CONFIG_DEBUG_BUGVERBOSE" entry newer
refused "... a BUG() with an .altinstructions before 6.19: refused, naming why" __bug_table \
	'.long 1b - .; .long 4b - .; .word 0, 0' \
	"fits only layouts of kernels that give .altinstructions an entry size (sh_entsize), but this object's has none (Linux 7.0+ (format), no CONFIG_DEBUG_BUGVERBOSE)" \
	object "$old_alt"

# ppc64le: absolute pointers before 4.10 (exception table), 5.11 (bug
# entries) and 5.13 (jump labels).
ppc_as=$(command -v powerpc64le-linux-gnu-as || true)
if [ -n "$ppc_as" ]; then
	layout "ppc64le exception table, 16 bytes, absolute (3.10 to 4.9)" __ex_table \
		'.balign 8; .quad 1b, 3b' '.balign 8; .quad 2b, 3b' ppc_object
	layout "ppc64le exception table, 8 bytes, relative (4.10+)" __ex_table \
		'.long 1b - .; .long 3b - .' '.long 2b - .; .long 3b - .' ppc_object
	layout "ppc64le jump label, 24 bytes, absolute (3.10 to 5.12)" __jump_table \
		'.quad 1b, 2b, key' '.quad 1b, 2b, key + 1' ppc_object
	layout "ppc64le jump label, 16 bytes, relative (5.13+)" __jump_table \
		'.balign 8; .long 1b - .; .long 2b - .; .quad key - .' \
		'.balign 8; .long 1b - .; .long 2b - .; .quad key + 1 - .' ppc_object
	layout "ppc64le bug entry, 24 bytes, absolute (3.10 to 5.10)" __bug_table \
		'5: .quad 1b, 4b; .short 7, 1; .org 5b + 24' \
		'5: .quad 1b, 4b; .short 7, 3; .org 5b + 24' ppc_object
	layout "ppc64le bug entries, 24 bytes, absolute, two (3.10 to 5.10)" __bug_table \
		'5: .quad 1b, 4b; .short 7, 1; .org 5b + 24; 6: .quad 2b, 4b; .short 8, 1; .org 6b + 24' \
		'5: .quad 1b, 4b; .short 7, 1; .org 5b + 24; 6: .quad 2b, 4b; .short 8, 3; .org 6b + 24' \
		ppc_object
	layout "ppc64le bug entry, 16 bytes, absolute, no file (3.10 to 5.10)" __bug_table \
		'5: .quad 1b; .short 1; .org 5b + 16' '5: .quad 1b; .short 3; .org 5b + 16' ppc_object
	layout "ppc64le bug entry, 12 bytes, relative to the entry (5.11 to 5.18)" __bug_table \
		'5: .long 1b - 5b, 4b - 5b; .short 7, 1' '5: .long 1b - 5b, 4b - 5b; .short 7, 3' \
		ppc_object
	layout "ppc64le bug entry, 12 bytes, relative (5.19+)" __bug_table \
		'.long 1b - .; .long 4b - .; .short 7, 1' '.long 1b - .; .long 4b - .; .short 7, 3' \
		ppc_object
	layout "ppc64le bug entry, 8 bytes, relative, no file (5.11+)" __bug_table \
		'5: .long 1b - 5b; .short 1; .org 5b + 8' '5: .long 1b - 5b; .short 3; .org 5b + 8' \
		ppc_object
	ppc_object ppc_field __bug_table '.long 1b - .; .long 4b - .; .short 7, 1'
	ppc_object ppc_entry __bug_table '5: .long 1b - 5b, 4b - 5b; .short 7, 1'
	ppc_object ppc_abs __bug_table '5: .quad 1b, 4b; .short 7, 1; .org 5b + 24'
	taken "ppc64le bug entry counted from the entry" __bug_table \
		"5.11 to 5.18, CONFIG_DEBUG_BUGVERBOSE (from the entry)" ppc_field ppc_entry
	taken "ppc64le absolute bug entry" __bug_table \
		"3.10 to 5.10, CONFIG_DEBUG_BUGVERBOSE (absolute)" ppc_field ppc_abs
	refused "ppc64le: a 20-byte jump table" __jump_table '.quad 1b, 2b; .long 0' \
		"no multiple of any entry size" ppc_object
	# A feature section nested in another's alternative (head_64.S): its
	# entry's owner is in the alternative's section, "a" only.
	nested='5: .8byte 0; .8byte 0; .8byte 1b - 5b, 2b - 5b, 6f - 5b, 7f - 5b
		5: .8byte 0; .8byte 0; .8byte 6f - 5b, 7f - 5b, 8f - 5b, 9f - 5b
		.section __ftr_alt_97, "a"
		6: nop; 7: nop; 8: nop; 9:'
	layout "ppc64le feature fixup nested in an alternative (owner in __ftr_alt_97)" \
		__ftr_fixup "${nested/.8byte 0;/.8byte 1;}" "${nested/.8byte 0;/.8byte 2;}" ppc_object
	# The site fixups (an s64 from the entry to the instruction), one layout.
	for sec in __lwsync_fixup __rfi_flush_fixup __stf_entry_barrier_fixup \
		__stf_exit_barrier_fixup __barrier_nospec_fixup __uaccess_flush_fixup \
		__entry_flush_fixup __scv_entry_flush_fixup; do
		layout "ppc64le $sec, 8 bytes" "$sec" '.quad 1b - .' '.quad 2b - .' ppc_object
	done
	# gcc's list of ftrace's NOPs (6.6+, -fpatchable-function-entry): known,
	# and so held to its 8-byte absolute entries.
	ppc_object pfe __patchable_function_entries '.quad 1b'
	tap_is "$("$KLPDIFF" sums "$TAP_TMP/pfe.o" 2>&1 | awk 'NR > 1 { print $2, $3 }')" "func f" \
		"ppc64le __patchable_function_entries (6.6+): read, f() alone"
	refused "ppc64le: a 4-byte __patchable_function_entries" __patchable_function_entries \
		'.long 1b - .' "no multiple of any entry size" ppc_object
else
	tap_skip "ppc64le layouts" "powerpc64le-linux-gnu-as is not installed"
fi

# diff and extract of objects whose tables have two kernels' layouts.
object old .altinstructions '.long 1b - .; .long 3b - .; .word 1; .byte 1, 1, 0'
object new .altinstructions '.long 1b - .; .long 3b - .; .word 1; .byte 1, 1'
status=0
err=$("$KLPDIFF" diff "$TAP_TMP/old.o" "$TAP_TMP/new.o" 2>&1) || status=$?
tap_is "$status|$err" "2|klpdiff: $TAP_TMP/new.o: section .altinstructions has the entry layout of Linux 3.10 to 4.0, 5.10 to 6.7, but in $TAP_TMP/old.o that of Linux 4.1 to 5.9 (padlen): objects of two kernels" \
	"diff of objects with two kernels' layouts: refused, naming the section"
status=0
err=$("$KLPDIFF" extract "$TAP_TMP/old.o" "$TAP_TMP/new.o" -o "$TAP_TMP/x.o" \
	--kernel-symbols "$TAP_TMP/old.o" --symvers /dev/null 2>&1) || status=$?
tap_is "$status|$(ls "$TAP_TMP/x.o" 2>/dev/null)|${err%%: section*}" "2||klpdiff: $TAP_TMP/new.o" \
	"extract of the same: refused, no output"
tap_done
