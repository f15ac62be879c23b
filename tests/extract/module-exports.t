#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# klpdiff extract: what a module's patch uses of modules becomes livepatch
# relocations, resolved when the patched module loads, so that the patch
# module depends on no module and loads before the patched one (its
# "Unknown symbol" otherwise). tests/fixtures/extract/module-exports: a.c
# and b.c, the unit of module mymod before and after the patch, lib.c its
# other unit; the kernel symbols are the "mymod.ko" (both linked, with a
# .modinfo saying depends=dep-mod).
#
#  1. mymod's own export: a livepatch relocation to mymod, applied with mymod
#  2. the export of dep-mod, which mymod depends on: a livepatch relocation
#     to dep_mod (the kernel's name for it), applied with mymod
#     (.klp.rela.mymod.*: with_back names mymod), sympos 0
#  3. the export of a module mymod does not depend on, and a module's export
#     in a patch to vmlinux: refused, one line each (an undeclared module
#     dependency)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/lib/compile.sh
. "$here/../lib/compile.sh"

fixtures=$here/../fixtures/extract
klp_relocs=$here/klp-relocs.py
[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
for tool in python3 readelf ld objcopy; do
	command -v "$tool" >/dev/null || tap_skip_all "$tool is not installed"
done
klp_have_cc gcc || tap_skip_all "gcc is not installed"
tap_tmpdir
cd "$TAP_TMP"

symvers=$TAP_TMP/Module.symvers
printf '0x%08x\t%s\t%s\tEXPORT_SYMBOL_GPL\t\n' 0x1b2c3d4e __fentry__ vmlinux \
	0x11111111 mymod_export drivers/test/mymod 0x22222222 dep_export lib/dep-mod \
	0x33333333 other_export lib/othermod >"$symvers"
# shellcheck source=tests/lib/extract.sh
. "$here/../lib/extract.sh"

f=$fixtures/module-exports
mkdir -p orig patched undeclared
cp "$f/a.c" orig/mod.c
cp "$f/b.c" patched/mod.c
cp "$f/b.c" undeclared/mod.c
if ! { (cd orig && klp_compile gcc sections mod.c mod.o -I"$fixtures/include") &&
	(cd patched && klp_compile gcc sections mod.c mod.o -I"$fixtures/include") &&
	(cd undeclared && klp_compile gcc sections mod.c mod.o -I"$fixtures/include" \
		-DUNDECLARED) &&
	klp_compile gcc sections "$f/lib.c" lib.o -I"$fixtures/include" &&
	ld -r -o mymod-nomodinfo.ko orig/mod.o lib.o &&
	printf 'license=GPL\0depends=dep-mod\0name=mymod\0' >modinfo &&
	objcopy --add-section .modinfo=modinfo --set-section-flags .modinfo=alloc,readonly \
		mymod-nomodinfo.ko mymod.ko; } 2>build.log; then
	tap_fail "fixtures build"
	tap_diag <build.log
	tap_done
fi
tap_pass "fixtures build"

# 1, 2.
if extract_ok "mymod" orig/mod.o patched/mod.o mymod.ko --objname mymod; then
	manifest_is "$out" "mymod: manifest" \
		"object mymod" "func mymod mod_entry 0 __klpdiff_new.mymod.mod_entry.0"
	tap_is "$(klp "$out" | awk '{ $1 = ""; print substr($0, 2) }' | LC_ALL=C sort)" \
		"R_X86_64_PLT32 .klp.sym.dep_mod.dep_export,0 -4 with mymod
R_X86_64_PLT32 .klp.sym.mymod.mymod_export,0 -4" \
		"mymod: livepatch relocations to its own export and to dep-mod's, both applied with mymod"
	tap_is "$(undefined "$out")" "__fentry__" "mymod: no normal relocation but vmlinux's"
	placeholders_match "$out" "mymod: a placeholder for objtool at each livepatch relocation"
fi

# 3.
extract "othermod" orig/mod.o undeclared/mod.o mymod.ko --objname mymod
expect_failure "othermod" 2 "klpdiff: undeclared/mod.o: refusing: " \
	"other_export is exported by module othermod, which mymod does not depend on: the patch would create an undeclared module dependency"
extract "vmlinux" orig/mod.o undeclared/mod.o mymod.ko
expect_failure "vmlinux" 2 "klpdiff: undeclared/mod.o: refusing: " \
	"other_export is exported by module othermod, which vmlinux does not depend on"
tap_done
