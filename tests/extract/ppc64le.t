#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# klpdiff extract on ppc64le (ELFv2) objects, compiled with
# powerpc64le-linux-gnu-gcc as klpdiff build compiles a unit to patch: the
# kernel's flags, -ffunction-sections -fdata-sections and -mcmodel=large
# (tests/fixtures/extract/ppc64le/, see the first comment of a.c):
#
#  1. the changed function keeps its global entry: the TOC offset in the 8
#     bytes before it, the R_PPC64_ENTRY marker, its local entry offset
#  2. .toc entries: only those the copied code uses, each once; a vmlinux
#     static's address is a livepatch relocation there
#  3. a call with bl; nop to vmlinux: a livepatch REL24 (the loader's stub
#     and TOC restore), or a normal one when exported; calls that must stay
#     on the caller's TOC (bl without nop, a sibling b) copy their callee
#  4. at -Os (tinyconfig's), calls to the register restore routines that
#     every module's link provides (_restgpr0_N): normal relocations
#  5. feature fixups (tests/fixtures/sums/ppc64le-fixups): the entries of the
#     copied functions, whose offsets count from the entry's start, and only
#     the alternative code they use
#  6. refusals, one line each, no output: code reaching a vmlinux static
#     TOC-relative (-mcmodel=medium), a call out with no nop after it
#  7. a changed static function whose kallsyms extent in the running kernel
#     holds the ftrace site of the weak function after it, which another unit
#     overrides (issue 28): its callers are patched too, and call the patch's
#     copy; not when kallsyms has the weak function there
#  8. ftrace's sites as NOPs listed in __patchable_function_entries (6.6+
#     kernels of a gcc that passes their check), no _mcount call: a changed
#     function listed there is patched; one that is not (notrace) refused
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/lib/compile.sh
. "$here/../lib/compile.sh"

fixtures=$here/../fixtures/extract
klp_relocs=$here/klp-relocs.py
[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
klp_have_cc ppc64le ||
	tap_skip_all "powerpc64le-linux-gnu-gcc missing: apt-get install gcc-powerpc64le-linux-gnu"
for tool in python3 readelf; do
	command -v "$tool" >/dev/null || tap_skip_all "$tool is not installed"
done
tap_tmpdir
# shellcheck source=tests/lib/extract.sh
. "$here/../lib/extract.sh"

symvers=$TAP_TMP/Module.symvers
printf '0x%08x\t%s\tvmlinux\tEXPORT_SYMBOL\t\n' 0x1b2c3d4e _mcount 0x12345678 exported_fn \
	>"$symvers"

# compile SIDE/NAME.c FIXTURE [CFLAGS...]: into $TAP_TMP/ppc64le/SIDE/NAME.o.
compile()
{
	local src=$1 fixture=$2 d=$TAP_TMP/ppc64le

	shift 2
	mkdir -p "$d/${src%/*}"
	cp "$fixtures/ppc64le/$fixture" "$d/$src"
	(cd "$d/${src%/*}" && klp_compile ppc64le sections "${src#*/}" "$(basename "$src" .c).o" \
		-I"$fixtures/include" "$@")
}

large=-mcmodel=large
compile orig/t.c a.c $large
compile patched/t.c b.c $large
compile orig/lib.c lib.c $large
compile os-orig/t.c a.c $large -Os
compile os-patched/t.c b.c $large -Os
fixups=../../sums/ppc64le-fixups
# Its sources include "../include/ppc64le-asm.h", from next to them.
compile fixups-orig/fixture.c $fixups/a.c $large -I"$fixtures/ppc64le/$fixups"
compile fixups-patched/fixture.c $fixups/b.c $large -I"$fixtures/ppc64le/$fixups"
compile medium-orig/t.c a.c
compile medium-patched/t.c b.c
compile orig/nonop.c nonop-a.c $large
compile orig/weak.c weak-a.c $large
compile patched/weak.c weak-b.c $large
compile patched/nonop.c nonop-b.c $large
# -fpatchable-function-entry=1 instead of -pg -mprofile-kernel (6.13+, out of line).
(
	KLP_PPC64LE_CFLAGS=(${KLP_PPC64LE_CFLAGS[@]/#-pg/})
	KLP_PPC64LE_CFLAGS=(${KLP_PPC64LE_CFLAGS[@]/#-mprofile-kernel/} -fpatchable-function-entry=1)
	compile pfe-orig/t.c pfe-a.c $large
	compile pfe-patched/t.c pfe-b.c $large
	compile pfe-untraced/t.c pfe-b.c $large -DUNTRACED_ADD=4
)
d=$TAP_TMP/ppc64le
ld=$(klp_cross_tool ppc64le ld)
"$ld" -r -o "$d/vmlinux.o" "$d/orig/t.o" "$d/orig/lib.o"
"$ld" -r -o "$d/vmlinux-nonop.o" "$d/orig/nonop.o" "$d/orig/lib.o"

# 1-3: the patch object.
case_large()
{
	local l="ppc64le large"

	extract_ok "$l" "$d/orig/t.o" "$d/patched/t.o" "$d/vmlinux.o" || return 0
	tap_is "$(defined "$out")" "FUNC GLOBAL __klpdiff_new.vmlinux.target.0
FUNC LOCAL helper
FUNC LOCAL leaf
FUNC LOCAL target" "$l: target, and helper and leaf, which it reaches on its own TOC"
	tap_is "$(readelf -sW "$out" | awk '$8 == "target" { print $2, $7 }')" \
		"$(readelf -sW "$d/patched/t.o" | awk '$8 == "target" { print $2, $7 }')" \
		"$l: target at 8, after its TOC offset, with its local entry offset"
	tap_is "$(readelf -hW "$out" | sed -n 's/^ *Flags: *//p')" "0x2, abiv2" \
		"$l: ELFv2 in e_flags"
	tap_is "$(hexbytes "$out" .text.target)" "$(hexbytes "$d/patched/t.o" .text.target)" \
		"$l: target's code, its 8-byte prefix included"
	tap_is "$(klp "$out")" ".text.target+0x54 R_PPC64_REL24 .klp.sym.vmlinux.internal_fn,0 0
.toc+0x0 R_PPC64_ADDR64 .klp.sym.vmlinux.counter,0 0" \
		"$l: livepatch relocations: the call to internal_fn, counter's .toc entry"
	tap_is "$(refs "$out" .text.target)" \
		"$(expected_refs "$d/patched/t.o" .text.target '
			s/ internal_fn / .klp.sym.vmlinux.internal_fn,0 /')" \
		"$l: target's relocations as compiled, counter's entry now the first"
	tap_is "$(refs "$out" .text.helper)" ".text.helper+0x0 R_PPC64_REL64 .TOC. -8
.text.helper+0x14 R_PPC64_REL24 _mcount 0
.text.helper+0x28 R_PPC64_REL24 leaf 0
.text.helper+0x8 R_PPC64_ENTRY - 0" "$l: helper's sibling call to its own copy of leaf"
	tap_is "$(hexbytes "$out" .toc)" "00 00 00 00 00 00 00 00" \
		"$l: .toc: one entry, shared by target and leaf"
}

# 4: -Os.
case_os()
{
	local l="ppc64le -Os"

	extract_ok "$l" "$d/os-orig/t.o" "$d/os-patched/t.o" "$d/os-orig/t.o" || return 0
	tap_is "$(undefined "$out" | grep '^_restgpr0_' | xargs)" "_restgpr0_31" \
		"$l: _restgpr0_N stay undefined references, for the module's link"
}

# 5: feature fixups.
case_fixups()
{
	local l="ppc64le feature fixups" alt

	extract_ok "$l" "$d/fixups-orig/fixture.o" "$d/fixups-patched/fixture.o" \
		"$d/fixups-orig/fixture.o" || return 0
	# Each field is REL64 to its target + its own offset in the 48-byte entry:
	# the patch's copies of the functions (the offset taken off, they are
	# inside them), the alternatives copied.
	tap_is "$(refs "$out" __ftr_fixup)" "__ftr_fixup+0x10 R_PPC64_REL64 alt_changed 24
__ftr_fixup+0x18 R_PPC64_REL64 alt_changed 36
__ftr_fixup+0x20 R_PPC64_REL64 __ftr_alt_97 32
__ftr_fixup+0x28 R_PPC64_REL64 __ftr_alt_97 44
__ftr_fixup+0x40 R_PPC64_REL64 mask_changed 24
__ftr_fixup+0x48 R_PPC64_REL64 mask_changed 36
__ftr_fixup+0x50 R_PPC64_REL64 __ftr_alt_97 36
__ftr_fixup+0x58 R_PPC64_REL64 __ftr_alt_97 48
__ftr_fixup+0x70 R_PPC64_REL64 new_user 24
__ftr_fixup+0x78 R_PPC64_REL64 new_user 44
__ftr_fixup+0x80 R_PPC64_REL64 __ftr_alt_97 40
__ftr_fixup+0x88 R_PPC64_REL64 __ftr_alt_97 56" \
		"$l: alt_changed's, mask_changed's and new_user's entries, alternatives at 0, 4, 8"
	alt=$(hexbytes "$d/fixups-patched/fixture.o" __ftr_alt_97 | cut -d' ' -f1-16)
	tap_is "$(hexbytes "$out" __ftr_alt_97)" "$alt" \
		"$l: their alternative code, not unchanged()'s"
}

# 6: refusals.
case_refusals()
{
	extract "ppc64le medium" "$d/medium-orig/t.o" "$d/medium-patched/t.o" "$d/vmlinux.o"
	expect_failure "ppc64le medium" 2 "klpdiff: $d/medium-patched/t.o: refusing: .text.target: " \
		"counter is reached relative to the TOC"
	extract "ppc64le no nop" "$d/orig/nonop.o" "$d/patched/nonop.o" "$d/vmlinux-nonop.o"
	expect_failure "ppc64le no nop" 2 "klpdiff: $d/patched/nonop.o: refusing: .text.changed: " \
		"the call to internal_fn has no nop after it"
}

# 7: kallsyms listings of the running kernel: overridden()'s code nameless
# after shown()'s (another unit's overridden() far away), or named there.
case_weak_extent()
{
	local l="ppc64le weak extent" ks=$TAP_TMP/kallsyms-weak

	printf '%s\n' 'c000000000001000 t shown' 'c000000000001080 T show' \
		'c000000000009000 T overridden' >"$ks"
	extract_ok "$l" "$d/orig/weak.o" "$d/patched/weak.o" "$ks" || return 0
	manifest_is "$out" "$l: show patched too, calling the patch's shown" \
		"object vmlinux" "func vmlinux shown 0 __klpdiff_new.vmlinux.shown.0" \
		"func vmlinux show 0 __klpdiff_new.vmlinux.show.0"
	# A symbol table (vmlinux's ELF) names a weak function that was kept;
	# kallsyms listings' W lines are not read: there the callers are patched.
	l="ppc64le weak extent, kallsyms names it"
	printf '%s\n' 'c000000000001000 t shown' 'c000000000001060 T overridden' \
		'c000000000001080 T show' >"$ks"
	extract_ok "$l" "$d/orig/weak.o" "$d/patched/weak.o" "$ks" || return 0
	manifest_is "$out" "$l: shown alone" "object vmlinux" \
		"func vmlinux shown 0 __klpdiff_new.vmlinux.shown.0"
}

# 8: NOPs in __patchable_function_entries.
case_patchable()
{
	local l="ppc64le patchable function entries"

	tap_is "$(readelf -rW "$d/pfe-orig/t.o" | grep -c -e ' _mcount' || true)" 0 \
		"$l: no call to _mcount"
	extract_ok "$l" "$d/pfe-orig/t.o" "$d/pfe-patched/t.o" "$d/pfe-orig/t.o" || return 0
	tap_is "$(defined "$out" | grep -v __klpdiff_new)" "FUNC GLOBAL changed" \
		"$l: changed(), its NOP listed, patched"
	extract "$l" "$d/pfe-orig/t.o" "$d/pfe-untraced/t.o" "$d/pfe-orig/t.o"
	expect_failure "$l, notrace" 2 "klpdiff: " \
		"untraced changed, but the original has no ftrace entry"
}

case_large
case_os
case_fixups
case_refusals
case_weak_extent
case_patchable
tap_done
