#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# klpdiff extract on arm64 objects, on an x86-64 host: case 1 of extract.t
# (tests/fixtures/extract/basic) compiled with aarch64-linux-gnu-gcc and the
# flags of Linux 7.3's arm64 kernel (tests/lib/compile.sh: BTI and pac-ret,
# -fpatchable-function-entry=2, so no ftrace call: the entry NOPs are listed
# in __patchable_function_entries instead). The patch object is arm64 like
# its input, its code is the patched code byte for byte (the BTI pad and the
# NOPs included), and its relocations and livepatch records are those of
# x86-64: helper (CALL26, against .text.helper in gcc's object), counter[2]
# (ADRP and the load's LDST32_ABS_LO12_NC, addend 8 from counter, not from
# .bss.counter) and internal_fn (CALL26) through livepatch relocations,
# exported_fn a normal one. Case 2: without the NOPs (no
# __patchable_function_entries) the changed function has no ftrace entry and
# extract refuses. Case 3, erratum 843419, below.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/lib/compile.sh
. "$here/../lib/compile.sh"

fixtures=$here/../fixtures/extract
klp_relocs=$here/klp-relocs.py
[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
klp_have_cc arm64 || tap_skip_all "aarch64-linux-gnu-gcc missing: apt-get install gcc-aarch64-linux-gnu"
for tool in python3 readelf; do
	command -v "$tool" >/dev/null || tap_skip_all "$tool is not installed"
done
tap_tmpdir
# shellcheck source=tests/lib/extract.sh
. "$here/../lib/extract.sh"

symvers=$TAP_TMP/Module.symvers
printf '0x%08x\t%s\tvmlinux\tEXPORT_SYMBOL\t\n' 0x12345678 exported_fn >"$symvers"

d=$TAP_TMP/arm64
for src in "orig/basic.c a.c" "patched/basic.c b.c" "orig/lib.c lib.c"; do
	read -r path file <<<"$src"
	mkdir -p "$d/${path%/*}"
	cp "$fixtures/basic/$file" "$d/$path"
	(cd "$d/${path%/*}" && klp_compile arm64 sections "${path#*/}" \
		"$(basename "$path" .c).o" -I"$fixtures/include")
done
"$(klp_cross_tool arm64 ld)" -r -o "$d/vmlinux.o" "$d/orig/basic.o" "$d/orig/lib.o"

l="arm64 basic"
if extract_ok "$l" "$d/orig/basic.o" "$d/patched/basic.o" "$d/vmlinux.o"; then
	tap_is "$(readelf -hW "$out" | sed -n 's/^ *Machine: *//p')" "AArch64" \
		"$l: the patch object is arm64, as its input"
	tap_is "$(defined "$out")" "FUNC GLOBAL __klpdiff_new.vmlinux.target.0
FUNC LOCAL target" "$l: defines target and its manifest alias only"
	tap_is "$(hexbytes "$out" .text.target)" "$(hexbytes "$d/patched/basic.o" .text.target)" \
		"$l: target's code, its BTI pad and entry NOPs included"
	tap_is "$(refs "$out" .text.target)" \
		"$(expected_refs "$d/patched/basic.o" .text.target '
			s/ \.text\.helper / .klp.sym.vmlinux.helper,0 /
			s/ \.bss\.counter / .klp.sym.vmlinux.counter,0 /
			s/ internal_fn / .klp.sym.vmlinux.internal_fn,0 /')" \
		"$l: every relocation of target, at its place, with its addend"
	tap_is "$(klp "$out" | awk '{ print $2, $3 }' | xargs)" \
		"R_AARCH64_CALL26 .klp.sym.vmlinux.helper,0 R_AARCH64_ADR_PREL_PG_HI21 .klp.sym.vmlinux.counter,0 R_AARCH64_LDST32_ABS_LO12_NC .klp.sym.vmlinux.counter,0 R_AARCH64_CALL26 .klp.sym.vmlinux.internal_fn,0" \
		"$l: livepatch relocations for helper, counter and internal_fn"
fi

# Without -fpatchable-function-entry there are no ftrace NOPs and no
# __patchable_function_entries: target has no ftrace entry, extract refuses.
n=$TAP_TMP/arm64-notrace
for src in "orig/basic.c a.c" "patched/basic.c b.c"; do
	read -r path file <<<"$src"
	mkdir -p "$n/${path%/*}"
	cp "$fixtures/basic/$file" "$n/$path"
	(cd "$n/${path%/*}" && klp_compile arm64 sections "${path#*/}" \
		"$(basename "$path" .c).o" -I"$fixtures/include" -fpatchable-function-entry=0)
done
l="arm64 no ftrace NOPs"
extract "$l" "$n/orig/basic.o" "$n/patched/basic.o" "$d/vmlinux.o"
expect_failure "$l" 2 "klpdiff: " "no ftrace entry"

# Case 3: Cortex-A53 erratum 843419 and a module's livepatch relocations. On such a CPU, Linux 7.3's arm64 loader relocates an ADRP whose
# address ends in 0xff8 or 0xffc by making it an ADR or a branch to a veneer
# (reloc_insn_adrp()); the others it keeps out of those places by aligning their
# section to 2 << ffz(offset | 7) (count_plts()). A module's livepatch
# relocations are applied again each time that module loads, and arm64 has no
# clear_relocate_add(): an ADRP made a branch would be relocated as an ADRP, its
# register read from the branch. So extract aligns the function section of a
# module's ADRP as the loader would (the ADRP keeps its low bits in the linked
# module), and klpdiff module refuses one that no alignment keeps clear (at
# 0xff8 of its section), in a patch object as in the linked module. vmlinux's
# are applied once, when the patch loads: the loader's rewrite is fine there.
#
# target() loads a static of its unit (adrp + ldr, both livepatch relocations)
# after N nops: the adrp is at 12 + 4N.

# unit N K: the unit's source, target() after N nops, returning counter + x + K.
unit() {
	cat <<EOF
static int counter;
int target(int x);
int target(int x)
{
	asm volatile(".rept $1\n\tnop\n\t.endr" ::: "memory");
	return counter + x + $2;
}
void bump(void);
void bump(void) { counter++; }
EOF
}

# patch_object N OBJNAME: the patch object of target() after N nops, for OBJNAME.
patch_object() {
	local d=$TAP_TMP/843419/n$1 k
	for k in 0 1; do
		if [ ! -f "$d/$k/m.o" ]; then
			mkdir -p "$d/$k"
			unit "$1" "$k" >"$d/$k/m.c"
			(cd "$d/$k" && klp_compile arm64 sections m.c m.o)
		fi
	done
	"$KLPDIFF" extract "$d/0/m.o" "$d/1/m.o" -o "$d/$2.o" --objname "$2" \
		--kernel-symbols "$d/0/m.o" --symvers "$symvers"
	echo "$d/$2.o"
}

align() {
	readelf -SW "$1" | sed 's/^ *\[ *[0-9]*\]//' | awk '$1 == ".text.target" { print $NF }'
}

adrp() {
	python3 "$klp_relocs" "$1" | awk '$2 == "R_AARCH64_ADR_PREL_PG_HI21" { print $1, $3 }'
}

# N=11: the adrp at 0x38, bits 3 to 5 set: aligned to 128.
o=$(patch_object 11 mymod)
tap_is "$(adrp "$o")" ".text.target+0x38 .klp.sym.mymod.counter,0" \
	"module, adrp at 0x38: a livepatch relocation of mymod's counter"
tap_is "$(align "$o")" 128 "module, adrp at 0x38: .text.target aligned to 128"
# N=507: at 0x7f8, bits 3 to 10 set: 4096.
o=$(patch_object 507 mymod)
tap_is "$(adrp "$o")" ".text.target+0x7f8 .klp.sym.mymod.counter,0" \
	"module, adrp at 0x7f8: a livepatch relocation of mymod's counter"
tap_is "$(align "$o")" 4096 "module, adrp at 0x7f8: .text.target aligned to 4096"
tap_ok "module, adrp at 0x7f8: klpdiff module takes it" \
	"$KLPDIFF" module --print-source "$o"
# vmlinux's relocations are applied once: the function keeps gcc's alignment.
o=$(patch_object 507 vmlinux)
tap_is "$(adrp "$o")" ".text.target+0x7f8 .klp.sym.vmlinux.counter,0" \
	"vmlinux, adrp at 0x7f8: a livepatch relocation of vmlinux's counter"
tap_is "$(align "$o")" 16 "vmlinux, adrp at 0x7f8: .text.target keeps gcc's 16"
# N=1019: at 0xff8, where no alignment helps: refused for a module, not for vmlinux.
o=$(patch_object 1019 mymod)
tap_is "$(align "$o")" 16 "module, adrp at 0xff8: no alignment keeps it clear"
rc=0
err=$("$KLPDIFF" module --print-source "$o" 2>&1 >/dev/null) || rc=$?
tap_is "$rc $(printf '%s\n' "$err" | grep -c '')" "2 1" \
	"module, adrp at 0xff8: klpdiff module exits 2 with one line"
tap_is "$err" "klpdiff: $o: refusing livepatch relocation .klp.sym.mymod.counter,0 (type 275) at .text.target+0xff8: the module loader rewrites the instruction there on some CPUs (arm64: an ADRP in a page's last 8 bytes, Cortex-A53 erratum 843419), and relocates it again at each load of module mymod" \
	"module, adrp at 0xff8: the refusal names the relocation, its place and the module"
o=$(patch_object 1019 vmlinux)
tap_ok "vmlinux, adrp at 0xff8: klpdiff module takes it" \
	"$KLPDIFF" module --print-source "$o"

# Case 4: an alternative with a callback (7.3's ALTERNATIVE_CB, as
# alternative_has_cap_likely() makes for every cpus_have_final_cap()): the
# cpucap has ARM64_CB_BIT, the replacement length is 0, and the second field
# points at the callback, a function of vmlinux (alt_cb_patch_nops, exported).
# The entry goes with target (its nop at +12), its callback an ordinary
# reference.
cb=$TAP_TMP/callback
for k in 0 1; do
	mkdir -p "$cb/$k"
	cat >"$cb/$k/c.c" <<EOF
int target(int x);
int target(int x)
{
	asm volatile("661:\\n\\tnop\\n662:\\n"
		     ".pushsection .altinstructions,\\"a\\"\\n"
		     " .word 661b - .\\n .word alt_cb_patch_nops - .\\n .hword 0x8005\\n"
		     " .byte 662b-661b\\n .byte 664f-663f\\n"
		     ".popsection\\n663:\\n664:\\n");
	return x + $k;
}
EOF
	(cd "$cb/$k" && klp_compile arm64 sections c.c c.o)
done
printf '0x%08x\t%s\tvmlinux\tEXPORT_SYMBOL\t\n' 0x12345679 alt_cb_patch_nops >>"$symvers"
l="arm64 alternative callback"
if extract_ok "$l" "$cb/0/c.o" "$cb/1/c.o" "$cb/0/c.o"; then
	tap_is "$(refs "$out" .altinstructions)" \
		".altinstructions+0x0 R_AARCH64_PREL32 target 12
.altinstructions+0x4 R_AARCH64_PREL32 alt_cb_patch_nops 0" \
		"$l: the entry with target, its callback an ordinary reference"
fi
tap_done
