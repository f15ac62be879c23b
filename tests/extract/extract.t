#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# klpdiff extract: the patch object for one changed object file, checked
# exactly on small fixtures (tests/fixtures/extract/, see its README) built
# with gcc and clang the way a kernel diff build compiles (kernel x86-64
# flags, -ffunction-sections -fdata-sections):
#
#  1. references of a changed function: livepatch relocation records for
#     an unchanged static function, a static variable and a non-exported
#     global, each with its placeholder for objtool; a normal relocation for
#     an exported one; one `func` line
#  2. sympos of same-named statics, from the symbol order of an ld -r
#     "vmlinux" (either link order)
#  3. a new function and a new static variable are copied
#  4. a string literal goes to a merged string section
#  5. exactly the changed function's __ex_table, __bug_table (and with gcc
#     __mcount_loc) entries
#  6. refusals: changed data, changed __init code, no ftrace entry, a jump
#     label on a module's key (and the jump labels that are fine)
#  7. no functional change: exit 3
#  8. bad input: exit 2 and one line `klpdiff: FILE: ...`
#
# Every failed extraction must exit 2 (3 for no change), say so in one line
# and leave nothing in its (otherwise empty) output directory.
#
# KLP_KEEP=1 keeps the build directory and prints its path.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/lib/compile.sh
. "$here/../lib/compile.sh"

fixtures=$here/../fixtures/extract
klp_relocs=$here/klp-relocs.py
[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
for tool in python3 readelf ld; do
	command -v "$tool" >/dev/null || tap_skip_all "$tool is not installed"
done

tap_tmpdir
if [ -n "${KLP_KEEP:-}" ]; then
	trap - EXIT
	tap_diag "keeping $TAP_TMP"
fi

compilers=()
for cc in gcc clang; do
	if klp_have_cc "$cc"; then
		compilers+=("$cc")
		note=$(klp_cc_version_note "$cc")
		[ -z "$note" ] || tap_diag "$note"
	fi
done
((${#compilers[@]})) || tap_skip_all "neither gcc nor clang is installed"

# ---- building -----------------------------------------------------------

# Sources as "SIDE/NAME.c FIXTURE": orig/ gets the originals, patched/ the
# patched versions, under one name so that both sides are one unit.
sources=(
	"orig/basic.c basic/a.c" "patched/basic.c basic/b.c" "orig/lib.c basic/lib.c"
	"orig/one.c sympos/one.c" "patched/one.c sympos/one-patched.c"
	"orig/two.c sympos/two.c" "patched/two.c sympos/two-patched.c"
	"orig/jl-vmlinux.c jump-label/vmlinux.c"
)
for c in new-code strings special refuse-data refuse-init refuse-notrace jump-label \
	jump-label-vm module-keys static-call-bad unchanged; do
	sources+=("orig/$c.c $c/a.c" "patched/$c.c $c/b.c")
done

for cc in "${compilers[@]}"; do
	printf '%s\n' "${sources[@]}" | klp_compile_fixtures "$fixtures" "$TAP_TMP/$cc" "$cc" \
		-I"$fixtures/include"
done

# Module.symvers of the test kernel: what is exported.
symvers=$TAP_TMP/Module.symvers
printf '0x%08x\t%s\tvmlinux\tEXPORT_SYMBOL%s\t\n' \
	0x1b2c3d4e __fentry__ "" 0x22334455 sink "" 0x5a6b7c8d log_str _GPL \
	0x12345678 exported_fn "" >"$symvers"

# shellcheck source=tests/lib/extract.sh
. "$here/../lib/extract.sh"

# sympos_in KSYMS NAME UNIT: the position of UNIT's NAME among the same-named
# functions of KSYMS in symbol-table order (kallsyms order of an ET_REL).
sympos_in()
{
	readelf -sW "$1" | awk -v name="$2" -v unit="$3" '
		$4 == "FILE" { file = $8 }
		$4 == "FUNC" && $8 == name { n++; if (file == unit) pos = n }
		END { print pos + 0 }'
}

# ---- the cases ------------------------------------------------------------------

# 1. References of a changed function.
case_basic()
{
	local cc=$1 d=$TAP_TMP/$1 l="$1 basic" mcount=

	have "$cc" orig/basic patched/basic orig/lib || return 0
	ld -r -o "$d/vmlinux-basic.o" "$d/orig/basic.o" "$d/orig/lib.o"
	extract_ok "$l" "$d/orig/basic.o" "$d/patched/basic.o" "$d/vmlinux-basic.o" || return 0
	[ "$cc" != gcc ] || mcount=__mcount_loc
	tap_is "$(sections "$out" | xargs)" \
		"$(printf '%s\n' .klpdiff.manifest .klpdiff.relocs .klpdiff.strings .text.target \
			$mcount | LC_ALL=C sort | xargs)" "$l: sections"
	tap_is "$(defined "$out")" "FUNC GLOBAL __klpdiff_new.vmlinux.target.0
FUNC LOCAL target" "$l: defines target and its manifest alias only"
	tap_is "$(undefined "$out")" "__fentry__
exported_fn" "$l: exported_fn (and __fentry__) are normal undefined references"
	manifest_is "$out" "$l: manifest" \
		"object vmlinux" "func vmlinux target 0 __klpdiff_new.vmlinux.target.0"
	tap_is "$(klp "$out" | awk '{ print $3 }' | LC_ALL=C sort -u | xargs)" \
		".klp.sym.vmlinux.counter,0 .klp.sym.vmlinux.helper,0 .klp.sym.vmlinux.internal_fn,0" \
		"$l: livepatch relocations for helper, counter and internal_fn, sympos 0"
	tap_is "$(refs "$out" .text.target)" \
		"$(expected_refs "$d/patched/basic.o" .text.target '
			s/ \.text\.helper / .klp.sym.vmlinux.helper,0 /
			s/ helper / .klp.sym.vmlinux.helper,0 /
			s/ \.bss\.counter / .klp.sym.vmlinux.counter,0 /
			s/ counter / .klp.sym.vmlinux.counter,0 /
			s/ internal_fn / .klp.sym.vmlinux.internal_fn,0 /')" \
		"$l: every relocation of target, at its place, with its addend"
	placeholders_match "$out" "$l: a placeholder for objtool at each livepatch relocation"
	tap_is "$(hexbytes "$out" .text.target)" "$(hexbytes "$d/patched/basic.o" .text.target)" \
		"$l: target's code"

	# The same pair as module mymod, loaded into a vmlinux that is lib.o.
	l="$cc basic as module"
	extract_ok "$l" "$d/orig/basic.o" "$d/patched/basic.o" "$d/orig/basic.o" \
		--objname mymod --vmlinux-symbols "$d/orig/lib.o" || return 0
	manifest_is "$out" "$l: manifest" \
		"object mymod" "func mymod target 0 __klpdiff_new.mymod.target.0"
	tap_is "$(defined "$out")" "FUNC GLOBAL __klpdiff_new.mymod.target.0
FUNC LOCAL target" "$l: defines target and its manifest alias only"
	tap_is "$(refs "$out" .text.target)" \
		"$(expected_refs "$d/patched/basic.o" .text.target '
			s/ \.text\.helper / .klp.sym.mymod.helper,0 /
			s/ helper / .klp.sym.mymod.helper,0 /
			s/ \.bss\.counter / .klp.sym.mymod.counter,0 /
			s/ counter / .klp.sym.mymod.counter,0 /
			s/ internal_fn / .klp.sym.vmlinux.internal_fn,0 /')" \
		"$l: helper and counter are mymod's, internal_fn vmlinux's"

	# A relocation that writes nothing but names a symbol (objtool deletes some
	# so) is copied as it is: here the __fentry__ call's, the first of target.
	l="$cc basic, a deleted relocation"
	python3 "$here/../lib/elfpatch.py" "$d/patched/basic.o" "$d/patched/basic-none.o" \
		"rela[.rela.text.target][0].r_type=0"
	extract_ok "$l" "$d/orig/basic.o" "$d/patched/basic-none.o" "$d/vmlinux-basic.o" || return 0
	tap_is "$(refs "$out" .text.target | grep -c ' R_X86_64_NONE __fentry__ ')" 1 \
		"$l: stays, against the same symbol"
}

# 2. sympos of same-named statics from the symbol order of an ld -r vmlinux.
case_sympos()
{
	local cc=$1 d=$TAP_TMP/$1 l="$1 sympos" order first second ks pos

	have "$cc" orig/one orig/two patched/one patched/two || return 0
	for order in "one two" "two one"; do
		first=${order% *}
		second=${order#* }
		ks=$d/vmlinux-$first-$second.o
		ld -r -o "$ks" "$d/orig/$first.o" "$d/orig/$second.o"
		tap_is "$(sympos_in "$ks" helper "$first.c") $(sympos_in "$ks" helper "$second.c")" \
			"1 2" "$l: ld -r $first.o $second.o: $first.c's helper is the first by readelf"

		# two_entry() of two.c calls two.c's helper.
		pos=$(sympos_in "$ks" helper two.c)
		if extract_ok "$l $first,$second: two_entry" "$d/orig/two.o" "$d/patched/two.o" "$ks"
		then
			tap_is "$(klp "$out" | awk '{ print $3 }')" ".klp.sym.vmlinux.helper,$pos" \
				"$l $first,$second: two_entry calls .klp.sym.vmlinux.helper,$pos"
			tap_is "$(refs "$out" .text.two_entry)" \
				"$(expected_refs "$d/patched/two.o" .text.two_entry "
					s/ \.text\.helper / .klp.sym.vmlinux.helper,$pos /
					s/ helper / .klp.sym.vmlinux.helper,$pos /")" \
				"$l $first,$second: every relocation of two_entry"
			manifest_is "$out" "$l $first,$second: two_entry's manifest" \
				"object vmlinux" "func vmlinux two_entry 0 __klpdiff_new.vmlinux.two_entry.0"
		fi

		# The same from a kallsyms listing of a linked vmlinux: no FILE symbols
		# there, the unit's neighbours in address order decide. These units
		# are two symbols each: when the other helper also sits right beside
		# two_entry, nothing tells them apart, and extract must say so rather
		# than guess. Never a wrong sympos.
		if ld -Ttext=0xffffffff81000000 -e 0 --unresolved-symbols=ignore-all \
			-o "$ks.linked" "$d/orig/$first.o" "$d/orig/$second.o" 2>/dev/null; then
			nm -n "$ks.linked" | awk 'NF == 3' >"$ks.kallsyms"
			extract "$l" "$d/orig/two.o" "$d/patched/two.o" "$ks.kallsyms"
			if ((rc == 0)); then
				tap_is "$(klp "$out" | awk '{ print $3 }')" ".klp.sym.vmlinux.helper,$pos" \
					"$l $first,$second: from kallsyms, .klp.sym.vmlinux.helper,$pos"
			else
				expect_failure "$l $first,$second: from kallsyms, undecidable" 2 \
					"klpdiff: $ks.kallsyms: " "do not tell which one"
			fi
		fi

		# one.c's helper itself.
		pos=$(sympos_in "$ks" helper one.c)
		if extract_ok "$l $first,$second: helper" "$d/orig/one.o" "$d/patched/one.o" "$ks"; then
			manifest_is "$out" "$l $first,$second: func vmlinux helper $pos" \
				"object vmlinux" "func vmlinux helper $pos __klpdiff_new.vmlinux.helper.$pos"
			tap_is "$(defined "$out")" "FUNC GLOBAL __klpdiff_new.vmlinux.helper.$pos
FUNC LOCAL helper" "$l $first,$second: defines helper and its alias only"
			tap_is "$(klp "$out")" "" "$l $first,$second: helper needs no livepatch relocation"
		fi
	done
}

# 3. A new function and a new static variable are copied.
case_new_code()
{
	local cc=$1 d=$TAP_TMP/$1 l="$1 new-code" mcount=

	have "$cc" orig/new-code patched/new-code || return 0
	[ "$cc" != gcc ] || mcount=__mcount_loc
	extract_ok "$l" "$d/orig/new-code.o" "$d/patched/new-code.o" "$d/orig/new-code.o" ||
		return 0
	tap_is "$(sections "$out" | xargs)" \
		"$(printf '%s\n' .klpdiff.manifest .klpdiff.relocs .klpdiff.strings .text.grow \
			.text.new_helper .data.new_state $mcount | LC_ALL=C sort | xargs)" "$l: sections"
	tap_is "$(defined "$out")" "FUNC GLOBAL __klpdiff_new.vmlinux.grow.0
FUNC GLOBAL grow
FUNC LOCAL new_helper
OBJECT LOCAL new_state" "$l: defines grow, new_helper and new_state"
	manifest_is "$out" "$l: manifest patches grow only" \
		"object vmlinux" "func vmlinux grow 0 __klpdiff_new.vmlinux.grow.0"
	tap_is "$(klp "$out" | awk '{ print $3 }' | sort -u)" ".klp.sym.vmlinux.total,0" \
		"$l: the only livepatch relocations are for the existing total"
	tap_is "$(refs "$out" .text.grow)" \
		"$(expected_refs "$d/patched/new-code.o" .text.grow '
			s/ \.bss\.total / .klp.sym.vmlinux.total,0 /
			s/ total / .klp.sym.vmlinux.total,0 /
			s/ \.text\.new_helper / new_helper /')" \
		"$l: every relocation of grow"
	tap_is "$(refs "$out" .text.new_helper)" \
		"$(expected_refs "$d/patched/new-code.o" .text.new_helper '
			s/ \.data\.new_state / new_state /')" \
		"$l: every relocation of new_helper"
	tap_is "$(hexbytes "$out" .data.new_state)" "05 00 00 00 00 00 00 00" \
		"$l: new_state's initial value"
	tap_is "$(hexbytes "$out" .text.new_helper)" \
		"$(hexbytes "$d/patched/new-code.o" .text.new_helper)" "$l: new_helper's code"
}

# 4. A string literal of a changed function.
case_strings()
{
	local cc=$1 d=$TAP_TMP/$1 l="$1 strings" strsec pstr mcount=

	have "$cc" orig/strings patched/strings || return 0
	extract_ok "$l" "$d/orig/strings.o" "$d/patched/strings.o" "$d/orig/strings.o" ||
		return 0
	strsec=$(string_sections "$out")
	tap_is "$(printf '%s\n' "$strsec" | grep -c .)" 1 "$l: one merged string section"
	strsec=$(printf '%s\n' "$strsec" | head -n 1)
	[ "$cc" != gcc ] || mcount=__mcount_loc
	tap_is "$(sections "$out" | xargs)" \
		"$(printf '%s\n' .klpdiff.manifest .klpdiff.relocs .klpdiff.strings .text.say \
			"$strsec" $mcount | LC_ALL=C sort | xargs)" "$l: sections"
	tap_is "$(hexbytes "$out" "$strsec")" "$(hexstring "extract: hello from the live patch")" \
		"$l: $strsec holds the new string only"
	# say()'s string is at the start of its section in patched.o too.
	pstr=$(string_sections "$d/patched/strings.o" | xargs | tr ' ' '|')
	tap_is "$(refs "$out" .text.say)" \
		"$(expected_refs "$d/patched/strings.o" .text.say "
			s/ \($pstr\) 0\$/ $strsec 0/")" \
		"$l: every relocation of say, the string's against $strsec"
	tap_is "$(klp "$out")" "" "$l: no livepatch relocations"
	tap_is "$(defined "$out")" "FUNC GLOBAL __klpdiff_new.vmlinux.say.0
FUNC GLOBAL say" "$l: defines say only"
}

# 5. Special-section entries: the changed function's, not the unchanged one's.
case_special()
{
	local cc=$1 d=$TAP_TMP/$1 l="$1 special" p=$TAP_TMP/$1/patched/special.o strsec mcount=

	have "$cc" orig/special patched/special || return 0
	extract_ok "$l" "$d/orig/special.o" "$p" "$d/orig/special.o" || return 0
	strsec=$(string_sections "$out")
	[ "$cc" != gcc ] || mcount=__mcount_loc
	tap_is "$(sections "$out" | xargs)" \
		"$(printf '%s\n' .klpdiff.manifest .klpdiff.relocs .klpdiff.strings \
			.text.read_changed __ex_table __bug_table "$strsec" $mcount |
			LC_ALL=C sort | xargs)" "$l: sections"
	manifest_is "$out" "$l: manifest" \
		"object vmlinux" "func vmlinux read_changed 0 __klpdiff_new.vmlinux.read_changed.0"
	tap_is "$(klp "$out")" "" "$l: no livepatch relocations"

	# patched.o: two entries each, read_changed()'s first.
	tap_is "$(hexbytes "$p" __ex_table | wc -w) $(hexbytes "$p" __bug_table | wc -w)" "24 24" \
		"$l: patched.o has two __ex_table and two __bug_table entries"
	tap_is "$(hexbytes "$out" __ex_table)" "$(hexbytes "$p" __ex_table | cut -d' ' -f1-12)" \
		"$l: __ex_table: one entry, read_changed's"
	tap_is "$(refs "$out" __ex_table)" \
		"$(expected_refs "$p" __ex_table '/ \.text\.read_changed /!d; s/ \.text\.read_changed / read_changed /')" \
		"$l: __ex_table relocations: read_changed's instruction and fixup"
	tap_is "$(hexbytes "$out" __bug_table)" "$(hexbytes "$p" __bug_table | cut -d' ' -f1-12)" \
		"$l: __bug_table: one entry, read_changed's (same line and flags)"
	tap_is "$(refs "$out" __bug_table)" \
		"$(expected_refs "$p" __bug_table '/ \.text\.read_changed /!d; s/ \.text\.read_changed / read_changed /'
		   echo "__bug_table+0x4 R_X86_64_PC32 $strsec 0")" \
		"$l: __bug_table relocations: read_changed's ud2 and the file name"
	tap_is "$(hexbytes "$out" "$strsec")" "$(hexstring special.c)" \
		"$l: the bug entry's file name string (special.c)"
	if [ "$cc" = gcc ]; then
		tap_is "$(hexbytes "$p" __mcount_loc | wc -w)" 16 "$l: patched.o has two __mcount_loc entries"
		tap_is "$(hexbytes "$out" __mcount_loc | wc -w) $(refs "$out" __mcount_loc)" \
			"8 __mcount_loc+0x0 R_X86_64_64 read_changed 0" "$l: __mcount_loc: read_changed's"
	fi
}

# 6. Refusals; and the jump labels extract takes.
case_refusals()
{
	local cc=$1 d=$TAP_TMP/$1 c sym

	for c in refuse-data:limit_value refuse-init:setup_limits refuse-notrace:untraced; do
		sym=${c#*:}
		c=${c%%:*}
		have "$cc" "orig/$c" "patched/$c" || continue
		extract "$cc $c" "$d/orig/$c.o" "$d/patched/$c.o" "$d/orig/$c.o"
		expect_failure "$cc $c" 2 "klpdiff: $d/patched/$c.o: refusing: " "$sym"
	done

	# A jump label on a key of the module: built, the branch fixed as built (case 6e).
	have "$cc" orig/jump-label patched/jump-label orig/jl-vmlinux || return 0
	extract "$cc jump-label" "$d/orig/jump-label.o" "$d/patched/jump-label.o" \
		"$d/orig/jump-label.o" --objname mymod --vmlinux-symbols "$d/orig/jl-vmlinux.o"
	tap_is "$rc|$err|$(sections "$out" | grep -c __jump_table)" \
		"0|klpdiff: warning: $d/patched/jump-label.o: static key fast_key lives in module mymod: its branches in the patch stay as built, as if it were disabled|0" \
		"$cc jump-label: key in module mymod: built, one warning, no __jump_table"

	# The same pair as vmlinux code: the key is in vmlinux.
	if extract_ok "$cc jump-label as vmlinux" "$d/orig/jump-label.o" \
		"$d/patched/jump-label.o" "$d/orig/jump-label.o"; then
		tap_is "$(hexbytes "$out" __jump_table | wc -w)" 16 \
			"$cc jump-label as vmlinux: one __jump_table entry"
		tap_is "$(refs "$out" __jump_table)" \
			"$(expected_refs "$d/patched/jump-label.o" __jump_table '
				s/ \.text\.switched / switched /
				s/ \.bss\.fast_key / .klp.sym.vmlinux.fast_key,0 /
				s/ fast_key / .klp.sym.vmlinux.fast_key,0 /')" \
			"$cc jump-label as vmlinux: the key is .klp.sym.vmlinux.fast_key,0"
	fi

	# A module function's jump label on a vmlinux key.
	have "$cc" orig/jump-label-vm patched/jump-label-vm || return 0
	if extract_ok "$cc jump-label-vm" "$d/orig/jump-label-vm.o" "$d/patched/jump-label-vm.o" \
		"$d/orig/jump-label-vm.o" --objname mymod --vmlinux-symbols "$d/orig/jl-vmlinux.o"; then
		manifest_is "$out" "$cc jump-label-vm: manifest" \
			"object mymod" "func mymod switched_vm 0 __klpdiff_new.mymod.switched_vm.0"
		tap_is "$(refs "$out" __jump_table)" \
			"$(expected_refs "$d/patched/jump-label-vm.o" __jump_table '
				s/ \.text\.switched_vm / switched_vm /
				s/ vm_key / .klp.sym.vmlinux.vm_key,0 /')" \
			"$cc jump-label-vm: the key is .klp.sym.vmlinux.vm_key,0"
	fi
}

# jump_entry OBJ FN: "SITE TARGET", the section offsets of FN's __jump_table entry.
jump_entry()
{
	local field sym addend site= target=

	while read -r field sym addend; do
		case $((${field#__jump_table+} % 16)) in
		0) site=$addend ;;
		4) target=$addend ;;
		esac
	done < <(dump "$1" | awk -v s=".text.$2" -v f="$2" \
		'$1 == "R" && index($2, "__jump_table+") == 1 && ($4 == s || $4 == f) {
			print $2, $4, $5 }')
	echo "$site $target"
}

# with_bytes SITE BYTE...: stdin's hex bytes with those at offset SITE replaced.
with_bytes()
{
	local i=$(($1 + 1))

	shift
	awk -v i="$i" -v b="$*" '{ n = split(b, r, " "); for (k = 1; k <= n; k++)
		$(i + k - 1) = r[k]; print }'
}

# 6e. Static branches and static calls on keys of the patched module.
case_module_keys()
{
	local cc=$1 d=$TAP_TMP/$1 l="$1 module-keys" p=$TAP_TMP/$1/patched/module-keys.o
	local site target call

	have "$cc" orig/module-keys patched/module-keys orig/jl-vmlinux || return 0
	extract "$l" "$d/orig/module-keys.o" "$p" "$d/orig/module-keys.o" --objname mymod \
		--vmlinux-symbols "$d/orig/jl-vmlinux.o"
	tap_is "$rc" 0 "$l: built"
	tap_is "$err" "klpdiff: note: $p: tracepoint foo_event lives in module mymod: its branches in the patch are always taken, and it fires when enabled
klpdiff: warning: $p: static key hack_key lives in module mymod: its branches in the patch stay as built, as if it were disabled
klpdiff: warning: $p: static key fast_key lives in module mymod: its branches in the patch stay as built, as if it were disabled" \
		"$l: a note for the tracepoint, a warning for each other key"
	[ -f "$out" ] || return 0
	tap_is "$(sections "$out" | grep -c -e __jump_table -e .static_call_sites)" 0 \
		"$l: no __jump_table or .static_call_sites entries"

	read -r site target < <(jump_entry "$p" traced)
	tap_is "$(hexbytes "$out" .text.traced)" \
		"$(hexbytes "$p" .text.traced | with_bytes "$site" eb "$(printf %02x $((target - site - 2)))")" \
		"$l: traced: the tracepoint's 2-byte NOP is now a jump to its target"
	read -r site target < <(jump_entry "$p" hacked)
	tap_is "$(hexbytes "$p" .text.hacked | cut -d' ' -f$((site + 1)))" eb \
		"$l: hacked: patched.o has the jump objtool would NOP"
	tap_is "$(hexbytes "$out" .text.hacked)" \
		"$(hexbytes "$p" .text.hacked | with_bytes "$site" 66 90)" \
		"$l: hacked: that jump is a 2-byte NOP, as objtool leaves it"
	tap_is "$(hexbytes "$out" .text.switched)" "$(hexbytes "$p" .text.switched)" \
		"$l: switched: the 5-byte NOP stays"
	call=$(dump "$p" | awk '$1 == "R" && $2 == ".static_call_sites+0x0" { print $5 + 1 }')
	tap_is "$(klp "$out")" \
		"$(printf '.text.called+0x%x R_X86_64_PLT32 .klp.sym.mymod.__SCT__foo_call,0 -4' "$call")" \
		"$l: called: the call goes to mymod's trampoline by a livepatch relocation"

	have "$cc" orig/static-call-bad patched/static-call-bad || return 0
	extract "$cc static-call-bad" "$d/orig/static-call-bad.o" "$d/patched/static-call-bad.o" \
		"$d/orig/static-call-bad.o" --objname mymod --vmlinux-symbols "$d/orig/jl-vmlinux.o"
	expect_failure "$cc static-call-bad: a static call site without its trampoline" 2 \
		"klpdiff: $d/patched/static-call-bad.o: refusing: " "does not call its trampoline"
}

# 7. No functional change.
case_unchanged()
{
	local cc=$1 d=$TAP_TMP/$1

	have "$cc" orig/unchanged patched/unchanged || return 0
	extract "$cc unchanged" "$d/orig/unchanged.o" "$d/patched/unchanged.o" "$d/orig/unchanged.o"
	expect_failure "$cc unchanged" 3 "klpdiff: $d/patched/unchanged.o: " "no functional change"
}

# 8. Bad input.
case_bad_input()
{
	local cc=$1 d=$TAP_TMP/$1 good=$symvers

	have "$cc" orig/basic patched/basic orig/strings patched/strings orig/one orig/two \
		patched/two || return 0
	extract "$cc mismatched pair" "$d/orig/basic.o" "$d/patched/strings.o" "$d/orig/basic.o"
	expect_failure "$cc mismatched pair" 2 "klpdiff: $d/patched/strings.o: " "basic.c"

	symvers=$TAP_TMP/no-such.symvers
	extract "$cc missing symvers" "$d/orig/two.o" "$d/patched/two.o" "$d/orig/two.o"
	expect_failure "$cc missing symvers" 2 "klpdiff: $symvers: " no-such.symvers

	symvers=$TAP_TMP/bad.symvers
	printf '0x1b2c3d4e\t__fentry__\tvmlinux\tEXPORT_SYMBOL\t\n0x22334455 sink vmlinux EXPORT_SYMBOL\n' \
		>"$symvers"
	extract "$cc malformed symvers" "$d/orig/two.o" "$d/patched/two.o" "$d/orig/two.o"
	expect_failure "$cc malformed symvers" 2 "klpdiff: $symvers: " "line 2"
	symvers=$good

	# one.o has a helper, but not two_entry.
	extract "$cc kernel-symbols lacks a symbol" "$d/orig/two.o" "$d/patched/two.o" "$d/orig/one.o"
	expect_failure "$cc kernel-symbols lacks a symbol" 2 "klpdiff: $d/orig/one.o: " two_entry

	extract "$cc kernel-symbols not ELF" "$d/orig/two.o" "$d/patched/two.o" "$symvers"
	expect_failure "$cc kernel-symbols not ELF" 2 "klpdiff: $symvers: " "ELF"
}

for cc in gcc clang; do
	if [[ " ${compilers[*]} " != *" $cc "* ]]; then
		tap_skip "$cc: every case" "$cc is not installed"
		continue
	fi
	case_basic "$cc"
	case_sympos "$cc"
	case_new_code "$cc"
	case_strings "$cc"
	case_special "$cc"
	case_refusals "$cc"
	case_module_keys "$cc"
	case_unchanged "$cc"
	case_bad_input "$cc"
done
tap_done
