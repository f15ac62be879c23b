#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Linux 7.3 for ppc64le: Debian's linux-source-7.3 cross-compiled here with
# Debian 12's powerpc64le-linux-gnu-gcc (tests/kernel/linux7-tree --arch
# ppc64le: ppc64le_defconfig with live patching and CONFIG_DEBUG_BUGVERBOSE,
# `make modules_prepare` and some 400 objects of arch/powerpc, the scheduler,
# time, mm, fs/proc and net/core, compiled with function sections); skipped
# without the source or the cross compiler, and, unless KLPDIFF_PPC64LE or
# KLPDIFF_FULL is set, without the tree built.
#  - klpdiff profile -k: Linux 7.3 ppc64le and the probed layouts, exactly
#    (5.19's 12-byte bug entry: powerpc's has no format; objtool's
#    __mcount_loc: gcc 12 fails the kernel's -fpatchable-function-entry check).
#  - every object is read by sums -k and by sums alone, with the same sums:
#    the objects alone get the kernel's own layouts (the vDSO's aside).
#  - the special sections the objects have: exactly the ones expected, each
#    in some object (assembly's feature fixups, the C code's bug entries...).
#  - fs/proc/cmdline.c with a WARN() with arguments ("%s:%d", __func__,
#    __LINE__) and a changed seq_puts(), compiled with the unit's recorded
#    command: exactly cmdline_proc_show changes; two lines added above it
#    move lines only (the line masking of ppc64le's li); extract and klpdiff
#    module make a livepatch module of it against the tree, with
#    saved_command_line (unexported) a livepatch relocation.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
[ -z "${KLPDIFF_SKIP_KERNEL:-}" ] || tap_skip_all "KLPDIFF_SKIP_KERNEL set"
# Building the tree takes half an hour on 2 busy cores: as the ppc64le
# kernel's tests, only with KLPDIFF_PPC64LE (or KLPDIFF_FULL), or once built.
work=${KLPDIFF_E2E_WORKDIR:-$HOME/.cache/klpdiff}
tap_ppc64le_kernel || [ -f "$work/linux-7.3-ppc64le-build/.klpdiff-complete" ] ||
	tap_skip_all "the ppc64le 7.3 tree is not built; KLPDIFF_PPC64LE=1 builds it"
status=0
build=$("$here/linux7-tree" --arch ppc64le) || status=$?
[ "$status" != 3 ] ||
	tap_skip_all "no Linux 7.3 source or no powerpc64le-linux-gnu-gcc (see tests/kernel/linux7-tree)"
[ "$status" = 0 ] || tap_bail "cannot prepare the ppc64le Linux 7.3 tree"
tap_tmpdir
export KLPDIFF_CACHE=$TAP_TMP/cache

release=$(cat "$build/include/config/kernel.release")
status=0
out=$("$KLPDIFF" profile -k "$build" 2>&1) || status=$?
tap_is "$status|$out" "0|kernel $release Linux 7.3 ppc64le
layout __bug_table 12 5.19+, CONFIG_DEBUG_BUGVERBOSE
layout __jump_table 16 5.13+ (relative)
layout __ex_table 8 4.10+
layout __ftr_fixup 48 3.10+
layout __mmu_ftr_fixup 48 3.10+
layout __fw_ftr_fixup 48 3.10+
layout __barrier_nospec_fixup 8 4.17+
layout __mcount_loc 8 3.10+" "profile -k: Linux 7.3 ppc64le and its layouts"

mapfile -t objects < <(find "$build" -name '*.o' ! -name '*.mod.o' ! -path "$build/tools/*" \
	! -path "$build/scripts/*" ! -path "*/vdso/*" -size +0 | sort)
tap_ok "some 400 objects (${#objects[@]})" test "${#objects[@]}" -ge 350

# Every object: read alone and with -k, the same sums.
bad= differ=
: >"$TAP_TMP/read.err"
for o in "${objects[@]}"; do
	if ! "$KLPDIFF" sums "$o" -o "$TAP_TMP/plain.sums" 2>>"$TAP_TMP/read.err" ||
		! "$KLPDIFF" sums -k "$build" "$o" -o "$TAP_TMP/k.sums" 2>>"$TAP_TMP/read.err"; then
		bad="$bad ${o#"$build"/}"
	elif ! cmp -s "$TAP_TMP/plain.sums" "$TAP_TMP/k.sums"; then
		differ="$differ ${o#"$build"/}"
	fi
done
tap_is "$bad" "" "all ${#objects[@]} objects read, with -k and without"
[ -z "$bad" ] || tap_diag <"$TAP_TMP/read.err"
tap_is "$differ" "" "... with the same sums: alone, each got the kernel's layouts"

# The special sections of the catalogue the objects have, each somewhere.
tap_is "$(for o in "${objects[@]}"; do readelf -SW "$o"; done |
	grep -o -w -e '__ex_table' -e '__jump_table' -e '__bug_table' -e '__ftr_fixup' \
		-e '__mmu_ftr_fixup' -e '__fw_ftr_fixup' -e '__lwsync_fixup' -e '__[a-z_]*_fixup' \
		-e '__mcount_loc' -e '__patchable_function_entries' -e '\.static_call_sites' |
	sort -u | tr '\n' ' ')" "__barrier_nospec_fixup __bug_table __entry_flush_fixup __ex_table \
__ftr_fixup __fw_ftr_fixup __jump_table __lwsync_fixup __mcount_loc __mmu_ftr_fixup \
__rfi_flush_fixup __scv_entry_flush_fixup __stf_entry_barrier_fixup __stf_exit_barrier_fixup \
__uaccess_flush_fixup " "the objects' special sections: every kind of the catalogue"

for u in fs/proc/cmdline.o kernel/sched/core.o net/core/dev.o fs/dcache.o; do
	tap_ok "$u: built with function sections" \
		grep -q -e '-ffunction-sections' "$build/$(dirname "$u")/.$(basename "$u").cmd"
done

# shellcheck source=tests/lib/recompile.sh
. "$here/../lib/recompile.sh"
p=$TAP_TMP/patch
mkdir -p "$p/new"
src=$(readlink -f "$build/source")
sed -e 's/^\tseq_puts(m, saved_command_line);$/\tseq_printf(m, "%s klpdiff_was_here\\n", saved_command_line);/' \
	-e '0,/^\treturn 0;$/s//\tWARN(!m->buf, "cmdline: %s:%d\\n", __func__, __LINE__);\n\treturn 0;/' \
	"$src/fs/proc/cmdline.c" >"$p/new/cmdline.c"
# moved.o: the patched file two lines lower (the same __FILE__): only line
# numbers differ.
if recompile fs/proc/cmdline.o "$src/fs/proc/cmdline.c" "$p/orig.o" &&
	recompile fs/proc/cmdline.o "$p/new/cmdline.c" "$p/patched.o" &&
	sed -i '1i\\n' "$p/new/cmdline.c" &&
	recompile fs/proc/cmdline.o "$p/new/cmdline.c" "$p/moved.o"; then
	status=0
	out=$("$KLPDIFF" diff "$p/orig.o" "$p/patched.o" 2>&1) || status=$?
	tap_is "$status|$out" "1|changed: cmdline.c:cmdline_proc_show" "the patched function, exactly"
	status=0
	out=$("$KLPDIFF" diff -v "$p/patched.o" "$p/moved.o" 2>&1) || status=$?
	tap_is "$status|$(grep -v '^unchanged' <<<"$out")" \
		"0|ignored: cmdline.c:cmdline_proc_show: only line numbers changed
ignored: cmdline.c:__func__.0 (object): special static local: not correlated, a patch gets its own" \
		"two lines lower: the WARN()'s line (a bug entry and an li) moved only"
	# vmlinux's symbols: the unit's, and saved_command_line (not exported).
	printf '.data\n.globl saved_command_line\nsaved_command_line: .quad 0\n' >"$p/stub.s"
	powerpc64le-linux-gnu-as -a64 -mlittle -o "$p/stub.o" "$p/stub.s"
	powerpc64le-linux-gnu-ld -r -o "$p/vmlinux-symbols.o" "$p/orig.o" "$p/stub.o"
	status=0
	"$KLPDIFF" extract --kernel-symbols "$p/vmlinux-symbols.o" --symvers "$build/Module.symvers" \
		--objname vmlinux "$p/orig.o" "$p/patched.o" -o "$p/part.o" 2>"$p/extract.err" ||
		status=$?
	tap_is "$status|$(cat "$p/extract.err")" "0|" "extract cmdline.o"
	status=0
	"$KLPDIFF" module -n lp7ppc --kernel-build "$build" --build-dir "$p/module" \
		-o "$p/lp7ppc.ko" "$p/part.o" >"$p/module.out" 2>&1 || status=$?
	tap_is "$status" 0 "klpdiff module: linked against the ppc64le 7.3 tree"
	[ "$status" = 0 ] || { tap_diag <"$p/module.out"; tap_diag <"$p/module/build.log"; }
	tap_is "$(readelf -sW "$p/lp7ppc.ko" 2>/dev/null |
		awk '$NF ~ /^\.klp\.sym\./ { print $(NF - 1), $NF }' | sort -u)" \
		"[0xff20] .klp.sym.vmlinux.saved_command_line,0" \
		"saved_command_line: a livepatch symbol (SHN_LIVEPATCH)"
else
	tap_fail "fs/proc/cmdline.c: compiled, original, patched and moved"
fi
tap_done
