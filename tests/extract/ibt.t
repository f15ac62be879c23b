#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# klpdiff extract --ibt for a module of an IBT kernel (Linux 6.12 as Debian
# builds it): a patch that takes the address of one of the module's own
# functions needs that function to keep its ENDBR once the module is loaded.
# tests/fixtures/extract/ibt-module/ibt.c, compiled with -fcf-protection=branch
# by gcc and clang; the original object stands for the module's .ko, seal list
# included. Exactly: sealed_fn (on the seal list) and asm_fn (no ENDBR) are
# refused in one line naming the function and why, nothing written; open_fn
# becomes a livepatch relocation; without --ibt nothing is checked; a seal
# list entry that is no 32-bit PC-relative reference is an error naming the
# section; --ibt for vmlinux is refused (its seals are in the image), and on
# ppc64le (no IBT there).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/lib/compile.sh
. "$here/../lib/compile.sh"

fixture=$here/../fixtures/extract/ibt-module
klp_relocs=$here/klp-relocs.py
[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
for tool in python3 readelf; do
	command -v "$tool" >/dev/null || tap_skip_all "$tool is not installed"
done
tap_tmpdir
# shellcheck source=tests/lib/extract.sh
. "$here/../lib/extract.sh"

symvers=$TAP_TMP/Module.symvers
printf '0x%08x\t%s\tvmlinux\tEXPORT_SYMBOL\t\n' 0x1b2c3d4e __fentry__ >"$symvers"

# compile CC OUT [FLAGS...]: ibt.c copied beside OUT (one unit name for every
# side), compiled with the kernel's flags and IBT's landings.
compile()
{
	local cc=$1 out=$2

	shift 2
	mkdir -p "${out%/*}"
	cp "$fixture/ibt.c" "${out%/*}/ibt.c"
	(cd "${out%/*}" && klp_compile "$cc" sections ibt.c "${out##*/}" \
		-I"$fixture/../include" -fcf-protection=branch "$@")
}

ran=
for cc in gcc clang; do
	klp_have_cc "$cc" || continue
	ran=1
	d=$TAP_TMP/$cc
	compile "$cc" "$d/orig/ibt.o" || { tap_fail "$cc: compile ibt.c"; continue; }
	compile "$cc" "$d/bad/ibt.o" -DBAD_SEAL || { tap_fail "$cc: compile ibt.c -DBAD_SEAL"; continue; }
	for target in sealed_fn asm_fn open_fn; do
		compile "$cc" "$d/$target/ibt.o" -DTARGET="$target" ||
			tap_fail "$cc: compile ibt.c -DTARGET=$target"
	done
	o=$d/orig/ibt.o
	opts=(--objname mymod --ibt)

	extract "$cc sealed" "$o" "$d/sealed_fn/ibt.o" "$o" "${opts[@]}"
	expect_failure "$cc: the address of a function the loader seals" 2 \
		"klpdiff: $d/sealed_fn/ibt.o: refusing: " \
		"takes the address of mymod's sealed_fn, which an indirect call cannot reach in the running kernel (IBT): its ENDBR is sealed when the module loads"
	extract "$cc asm" "$o" "$d/asm_fn/ibt.o" "$o" "${opts[@]}"
	expect_failure "$cc: the address of a function without ENDBR" 2 \
		"klpdiff: $d/asm_fn/ibt.o: refusing: " \
		"takes the address of mymod's asm_fn, which an indirect call cannot reach in the running kernel (IBT): it has no ENDBR"
	if extract_ok "$cc open" "$o" "$d/open_fn/ibt.o" "$o" "${opts[@]}"; then
		tap_is "$(klp "$out" | grep -c 'klp.sym.mymod.open_fn,0')" 2 \
			"$cc: open_fn: the call and the pointer are livepatch relocations"
	fi
	extract_ok "$cc sealed, no --ibt" "$o" "$d/sealed_fn/ibt.o" "$o" --objname mymod || true
	extract "$cc bad seal" "$d/bad/ibt.o" "$d/sealed_fn/ibt.o" "$d/bad/ibt.o" "${opts[@]}"
	expect_failure "$cc: a seal list entry no loader reads" 2 \
		"klpdiff: $d/bad/ibt.o: section .ibt_endbr_seal: " "fits no field"
done
[ -n "$ran" ] || tap_skip_all "neither gcc nor clang is installed"

extract "vmlinux" "$o" "$d/open_fn/ibt.o" "$o" --ibt
expect_failure "--ibt for vmlinux" 2 "klpdiff: --ibt: " "shipped image"

# An architecture without IBT: a plain C pair compiled for ppc64le.
if klp_have_cc ppc64le; then
	p=$TAP_TMP/ppc64le
	mkdir -p "$p/a" "$p/b"
	echo 'long f(long x) { return x + 1; }' >"$p/a/u.c"
	echo 'long f(long x) { return x + 2; }' >"$p/b/u.c"
	(cd "$p/a" && klp_compile ppc64le sections u.c u.o) && (cd "$p/b" && klp_compile ppc64le sections u.c u.o)
	extract "ppc64le" "$p/a/u.o" "$p/b/u.o" "$p/a/u.o" --objname mymod --ibt
	expect_failure "--ibt on ppc64le" 2 "klpdiff: $p/a/u.o: IBT: " "ppc64le kernels have no"
fi
tap_done
