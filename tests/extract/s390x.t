#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# klpdiff extract on big-endian objects, on a little-endian host: case 1 of
# extract.t (tests/fixtures/extract/basic) compiled with s390x-linux-gnu-gcc
# (the kernel's s390x flags, but with the ftrace call kept as a call,
# -mno-nop-mcount, so that the changed function shows its ftrace entry). The
# patch object is big-endian like its input, its code is the patched code
# byte for byte, and its relocations and livepatch records are those of
# x86-64: helper, counter and internal_fn through livepatch relocations (with
# s390x's addends, which count from the instruction's start), exported_fn
# and __fentry__ normal ones. A full s390x port (module, kernel) is a later
# step.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/lib/compile.sh
. "$here/../lib/compile.sh"

fixtures=$here/../fixtures/extract
klp_relocs=$here/klp-relocs.py
[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
klp_have_cc s390x || tap_skip_all "s390x-linux-gnu-gcc missing: apt-get install gcc-s390x-linux-gnu"
for tool in python3 readelf; do
	command -v "$tool" >/dev/null || tap_skip_all "$tool is not installed"
done
tap_tmpdir
# shellcheck source=tests/lib/extract.sh
. "$here/../lib/extract.sh"

symvers=$TAP_TMP/Module.symvers
printf '0x%08x\t%s\tvmlinux\tEXPORT_SYMBOL\t\n' 0x1b2c3d4e __fentry__ 0x12345678 exported_fn \
	>"$symvers"

d=$TAP_TMP/s390x
for src in "orig/basic.c a.c" "patched/basic.c b.c" "orig/lib.c lib.c"; do
	read -r path file <<<"$src"
	mkdir -p "$d/${path%/*}"
	cp "$fixtures/basic/$file" "$d/$path"
	(cd "$d/${path%/*}" && klp_compile s390x sections "${path#*/}" "$(basename "$path" .c).o" \
		-I"$fixtures/include" -mno-nop-mcount)
done
"$(klp_cross_tool s390x ld)" -r -o "$d/vmlinux.o" "$d/orig/basic.o" "$d/orig/lib.o"

l="s390x basic"
if extract_ok "$l" "$d/orig/basic.o" "$d/patched/basic.o" "$d/vmlinux.o"; then
	tap_is "$(readelf -hW "$out" | sed -n 's/^ *Data: *//p')" "2's complement, big endian" \
		"$l: the patch object is big-endian, as its input"
	tap_is "$(defined "$out")" "FUNC GLOBAL __klpdiff_new.vmlinux.target.0
FUNC LOCAL target" "$l: defines target and its manifest alias only"
	tap_is "$(hexbytes "$out" .text.target)" "$(hexbytes "$d/patched/basic.o" .text.target)" \
		"$l: target's code"
	tap_is "$(refs "$out" .text.target)" \
		"$(expected_refs "$d/patched/basic.o" .text.target '
			s/ helper / .klp.sym.vmlinux.helper,0 /
			s/ \.bss\.counter / .klp.sym.vmlinux.counter,0 /
			s/ internal_fn / .klp.sym.vmlinux.internal_fn,0 /')" \
		"$l: every relocation of target, at its place, with its addend"
	tap_is "$(klp "$out" | awk '{ print $3 }' | xargs)" \
		".klp.sym.vmlinux.helper,0 .klp.sym.vmlinux.counter,0 .klp.sym.vmlinux.internal_fn,0" \
		"$l: livepatch relocations for helper, counter and internal_fn"
fi
tap_done
