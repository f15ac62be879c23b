#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# klpdiff extract --trace: for each case of tests/fixtures/extract/, built as
# extract.t builds them (gcc and clang), the trace names the decision the
# case is about: the function patched and how it was paired, every symbol
# copied and why (changed, new, a .cold piece, a special static, a callback,
# in klpdiff's records or the kernel's KLP_*_CALLBACK pointers),
# each reference and what it became (the patch's own copy, a normal
# relocation to an export, a livepatch relocation with object and sympos, a
# copied string), each special-section entry kept or dropped, a function
# KLPDIFF_IGNORE_FUNCTION leaves out. And --trace changes nothing else: the
# patch object is the same bytes as without it.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/lib/compile.sh
. "$here/../lib/compile.sh"

fixtures=$here/../fixtures/extract
[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
command -v ld >/dev/null || tap_skip_all "ld is not installed"
tap_tmpdir

compilers=()
for cc in gcc clang; do
	! klp_have_cc "$cc" || compilers+=("$cc")
done
((${#compilers[@]})) || tap_skip_all "neither gcc nor clang is installed"

sources=(
	"orig/basic.c basic/a.c" "patched/basic.c basic/b.c" "orig/lib.c basic/lib.c"
	"orig/one.c sympos/one.c" "orig/two.c sympos/two.c"
	"patched/two.c sympos/two-patched.c" "orig/jl-vmlinux.c jump-label/vmlinux.c"
)
for c in new-code strings special jump-label jump-label-vm ignore copies unchanged; do
	sources+=("orig/$c.c $c/a.c" "patched/$c.c $c/b.c")
done
# klpdiff-macros.h is on the include path for copies/.
for cc in "${compilers[@]}"; do
	printf '%s\n' "${sources[@]}" | klp_compile_fixtures "$fixtures" "$TAP_TMP/$cc" "$cc" \
		-I"$fixtures/include" -I"$here/../../include/klpdiff"
done

symvers=$TAP_TMP/Module.symvers
printf '0x%08x\t%s\tvmlinux\tEXPORT_SYMBOL\t\n' 0x1b2c3d4e __fentry__ 0x22334455 sink \
	0x5a6b7c8d log_str 0x12345678 exported_fn >"$symvers"

# trace LABEL ORIG PATCHED KSYMS [OPTIONS...]: extract with --trace into
# $TAP_TMP/out/LABEL/; $trace is its stderr. Also extracts without --trace:
# the two patch objects must be the same bytes (one test).
trace()
{
	local label=$1 orig=$2 patched=$3 ksyms=$4 dir=$TAP_TMP/out/$1 rc=0 plain=0

	shift 4
	mkdir -p "$dir"
	"$KLPDIFF" extract --trace "$orig" "$patched" -o "$dir/traced.o" --kernel-symbols "$ksyms" \
		--symvers "$symvers" "$@" 2>"$dir/err" || rc=$?
	"$KLPDIFF" extract "$orig" "$patched" -o "$dir/plain.o" --kernel-symbols "$ksyms" \
		--symvers "$symvers" "$@" 2>/dev/null || plain=$?
	trace=$(cat "$dir/err")
	if ((rc == plain)) && { [ ! -f "$dir/plain.o" ] || cmp -s "$dir/plain.o" "$dir/traced.o"; }
	then
		tap_pass "$label: the same exit status ($rc) and patch object with --trace"
	else
		tap_fail "$label: the same exit status ($rc) and patch object with --trace"
		tap_diag "exit $rc with --trace, $plain without"
	fi
}

# says LABEL REGEX...: a line of $trace matches each extended REGEX (anchored).
says()
{
	local label=$1 re missing=()

	shift
	for re in "$@"; do
		grep -Eq "^trace: $re\$" <<<"$trace" || missing+=("$re")
	done
	if ((${#missing[@]} == 0)); then
		tap_pass "$label"
		return
	fi
	tap_fail "$label"
	tap_diag "no trace line matching:" "${missing[@]}" "trace:" "$trace"
}

ref='ref [^ ]+\+0x[0-9a-f]+ ->'
klp='livepatch relocation to'
for cc in "${compilers[@]}"; do
	d=$TAP_TMP/$cc
	o=$d/orig p=$d/patched

	ld -r -o "$d/vmlinux-basic.o" "$o/basic.o" "$o/lib.o"
	trace "$cc basic" "$o/basic.o" "$p/basic.o" "$d/vmlinux-basic.o"
	says "$cc basic: target patched, its references resolved" \
		"extract $p/basic.o: vmlinux's code" \
		"patch target: changed since basic.c:target \(paired as the only one of its name\)" \
		"copy target: changed" "patch target: replaces vmlinux target sympos 0" \
		"$ref helper: $klp vmlinux helper sympos 0 \(not exported\)" \
		"$ref counter: $klp vmlinux counter sympos 0 \(not exported\)" \
		"$ref internal_fn: $klp vmlinux internal_fn sympos 0 \(not exported\)" \
		"$ref exported_fn: normal relocation \(exported by vmlinux\)"

	trace "$cc basic as module" "$o/basic.o" "$p/basic.o" "$o/basic.o" --objname mymod \
		--vmlinux-symbols "$o/lib.o"
	says "$cc basic as module: mymod's symbols and vmlinux's" \
		"$ref helper: $klp mymod helper sympos 0 \(not exported\)" \
		"$ref internal_fn: $klp vmlinux internal_fn sympos 0 \(not exported\)"

	ld -r -o "$d/vmlinux-one-two.o" "$o/one.o" "$o/two.o"
	trace "$cc sympos" "$o/two.o" "$p/two.o" "$d/vmlinux-one-two.o"
	says "$cc sympos: two.c's helper is the second" \
		"$ref helper: $klp vmlinux helper sympos 2 \(not exported\)"

	trace "$cc new-code" "$o/new-code.o" "$p/new-code.o" "$o/new-code.o"
	says "$cc new-code: the new function and data are copied" \
		"copy new_helper: new function" "copy new_state: new data" \
		"$ref new_helper: the patch's own copy \(new function\)" \
		"$ref new_state: the patch's own copy \(new data\)" \
		"$ref total: $klp vmlinux total sympos 0 \(not exported\)"

	trace "$cc strings" "$o/strings.o" "$p/strings.o" "$o/strings.o"
	says "$cc strings: the string is copied" \
		"$ref [^ ]*str[^ ]*: the patch's copy of the string" \
		"$ref log_str: normal relocation \(exported by vmlinux\)"

	trace "$cc special" "$o/special.o" "$p/special.o" "$o/special.o"
	says "$cc special: read_changed's entries kept, read_same's dropped" \
		"entry __ex_table\+0x0: kept \(its owner read_changed is in the patch\)" \
		"entry __bug_table\+0x0: kept \(its owner read_changed is in the patch\)" \
		"entry __ex_table\+0xc: dropped \(its owner read_same is not in the patch\)" \
		"entry __bug_table\+0xc: dropped \(its owner read_same is not in the patch\)"

	trace "$cc jump-label as vmlinux" "$o/jump-label.o" "$p/jump-label.o" "$o/jump-label.o"
	says "$cc jump-label as vmlinux: the key is a livepatch relocation" \
		"entry __jump_table\+0x0: kept \(its owner switched is in the patch\)" \
		"ref __jump_table\+0x8 -> fast_key: $klp vmlinux fast_key sympos 0 \(not exported\)"

	trace "$cc jump-label-vm" "$o/jump-label-vm.o" "$p/jump-label-vm.o" "$o/jump-label-vm.o" \
		--objname mymod --vmlinux-symbols "$o/jl-vmlinux.o"
	says "$cc jump-label-vm: a vmlinux key from a module" \
		"ref __jump_table\+0x8 -> vm_key: $klp vmlinux vm_key sympos 0 \(not exported\)"

	trace "$cc jump-label in mymod" "$o/jump-label.o" "$p/jump-label.o" "$o/jump-label.o" \
		--objname mymod --vmlinux-symbols "$o/jl-vmlinux.o"
	says "$cc jump-label in mymod: the entry on a module key is dropped, the branch fixed" \
		"entry __jump_table\+0x0: dropped \(static key fast_key of module mymod: the branch in switched is fixed not taken\)"

	trace "$cc ignore" "$o/ignore.o" "$p/ignore.o" "$o/ignore.o"
	says "$cc ignore: g is left out, f patched" \
		"skip g: changed, but marked KLPDIFF_IGNORE_FUNCTION" "copy f: changed"

	trace "$cc copies" "$o/copies.o" "$p/copies.o" "$o/copies.o"
	says "$cc copies: a special static and a callback" \
		"copy [a-z_]*\.?__already_done(\.[0-9]+)?: a special static local, never shared with the original" \
		"callback pre_patch: before_patch" "copy before_patch: new function" \
		"callback post_patch: after_patch" "copy after_patch: new function"
	if [ "$cc" = gcc ]; then
		says "$cc copies: check.cold goes with check" \
			"copy check.cold: a .cold piece, which goes with its parent" \
			"$ref check.cold: the patch's own copy \(a .cold piece, which goes with its parent\)"
	fi

	trace "$cc unchanged" "$o/unchanged.o" "$p/unchanged.o" "$o/unchanged.o"
	tap_is "$(grep -c '^trace: ' <<<"$trace" || true)" 1 \
		"$cc unchanged: no decision to trace but the extraction itself"
done
tap_done
