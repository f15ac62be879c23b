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
# extract refuses. The kernel side (module PLTs for a patch's calls into
# vmlinux, a booted arm64 kernel) is a later step (docs/arm64.md).
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
tap_done
