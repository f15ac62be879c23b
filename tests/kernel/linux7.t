#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Linux 7.3 as Debian ships its source (linux-source-7.3), prepared by
# tests/kernel/linux7-tree: the x86_64 defconfig with live patching, IBT,
# call-depth tracking and CONFIG_DEBUG_BUGVERBOSE (tests/kernel/linux7.config),
# the host's gcc, and some units compiled with function sections as klpdiff
# build compiles them; skipped without the source (see linux7-tree).
#  - klpdiff profile -k: Linux 7.3 and the probed layouts, exactly (the
#    16-byte bug entry with a format, the 14-byte alt_instr; the site lists
#    are objtool's, which runs on the linked module).
#  - every x86-64 object of the tree is read by sums -k and by sums alone
#    (the vDSO's, the real-mode and boot code aside).
#  - the units with function sections are among them; fs/dcache.o has its
#    runtime constants.
#  - with -k, a 12-byte bug table (read alone as 5.19's: no objtool marks)
#    is held to the kernel's: refused, naming the section and the kernel's
#    entry size.
#  - patches to fs/proc/cmdline.c (demo/cmdline.patch and a WARN() with
#    arguments) and fs/readdir.c (filldir64(), which inlines access_ok():
#    runtime_ptr_USER_PTR_MAX), compiled with the units' recorded commands:
#    exactly those functions change; extract keeps the WARN()'s bug entry
#    and makes the runtime constant a load of USER_PTR_MAX; klpdiff module
#    links both parts against the tree, objtool running on the linked module
#    without a word, with saved_command_line (unexported; from a stand-in
#    for vmlinux's symbols) a livepatch relocation.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
[ -z "${KLPDIFF_SKIP_KERNEL:-}" ] || tap_skip_all "KLPDIFF_SKIP_KERNEL set"
status=0
build=$("$here/linux7-tree") || status=$?
[ "$status" != 3 ] || tap_skip_all "no Linux 7.3 source (see tests/kernel/linux7-tree)"
[ "$status" = 0 ] || tap_bail "cannot prepare the Linux 7.3 tree"
tap_tmpdir
export KLPDIFF_CACHE=$TAP_TMP/cache

release=$(cat "$build/include/config/kernel.release")
status=0
out=$("$KLPDIFF" profile -k "$build" 2>&1) || status=$?
tap_is "$status|$out" "0|kernel $release Linux 7.3 x86_64
layout .altinstructions 14 6.8+ (ft_flags)
layout __bug_table 16 7.0+ (format), CONFIG_DEBUG_BUGVERBOSE
layout __jump_table 16 4.20+ (relative)
layout __ex_table 12 5.16+ (type and data)
layout .static_call_sites 8 5.10+
layout __mcount_loc 8 3.10+
layout .return_sites 4 5.19+
layout .call_sites 4 6.2+
layout .ibt_endbr_seal 4 5.18+
layout .orc_unwind_ip 4 4.14+" "profile -k: Linux 7.3 and its layouts"

# read_all LABEL [-k DIR]: sums reads every object of the tree.
read_all() {
	local label=$1 n=0 bad=
	shift
	: >"$TAP_TMP/read.err"
	while read -r o; do
		n=$((n + 1))
		"$KLPDIFF" sums "$@" "$o" -o "$TAP_TMP/read.sums" 2>>"$TAP_TMP/read.err" ||
			bad="$bad $o"
	done < <(find "$build" -name '*.o' ! -name '*.mod.o' ! -path "$build/tools/*" \
		! -path "$build/scripts/*" ! -path "$build/arch/x86/entry/vdso/*" \
		! -path "$build/arch/x86/realmode/*" ! -path "$build/arch/x86/boot/*" -size +0 | sort)
	tap_is "$bad" "" "$label: all $n objects read"
	[ -z "$bad" ] || tap_diag <"$TAP_TMP/read.err"
}
read_all "sums -k" -k "$build"
read_all "sums without -k"

for u in fs/proc/cmdline.o fs/proc/base.o kernel/sched/core.o net/core/dev.o fs/dcache.o; do
	tap_ok "$u: built with function sections" \
		grep -q -e '-ffunction-sections' "$build/$(dirname "$u")/.$(basename "$u").cmd"
done
tap_is "$(readelf -SW "$build/fs/dcache.o" | grep -o 'runtime_[a-z]*_[a-z_]*' | sort -u |
	tr '\n' ' ')" "runtime_ptr___dentry_cache runtime_ptr_dentry_hashtable runtime_shift_d_hash_shift " \
	"fs/dcache.o has its runtime constants"

cat >"$TAP_TMP/b12.s" <<-'EOS'
	.text
	.globl f
	.type f, @function
f:
1:	ud2
	.size f, . - f
	.section .rodata.str1.1, "aMS", @progbits, 1
2:	.string "f.c"
	.section __bug_table, "aw"
	.long 1b - ., 2b - .
	.word 3, 0
EOS
as --64 -o "$TAP_TMP/b12.o" "$TAP_TMP/b12.s"
status=0
err=$("$KLPDIFF" sums -k "$build" "$TAP_TMP/b12.o" -o "$TAP_TMP/b12.sums" 2>&1) || status=$?
tap_is "$status|$err" "2|klpdiff: $TAP_TMP/b12.o: section __bug_table: size 0xc is no multiple of 16, the entry size of the target kernel (Linux 7.0+ (format), CONFIG_DEBUG_BUGVERBOSE)" \
	"-k decides a 12-byte bug table: the kernel's 16-byte entries, refused"

# shellcheck source=tests/lib/recompile.sh
. "$here/../lib/recompile.sh"
p=$TAP_TMP/patch
mkdir -p "$p/orig" "$p/new"
src=$(readlink -f "$build/source")
sed -e 's/^\tseq_puts(m, saved_command_line);$/\tseq_printf(m, "%s klpdiff_was_here\\n", saved_command_line);/' \
	-e '/^\tseq_putc(m, .\\n.);$/d' \
	-e '0,/^\treturn 0;$/s//\tWARN(!m->buf, "cmdline: %s:%d\\n", __func__, __LINE__);\n\treturn 0;/' \
	"$src/fs/proc/cmdline.c" >"$p/cmdline.c"
awk '{ print } /^static bool filldir64\(/ { f = 1 } f && /^{$/ { print "\tif (namlen == 4242)\n\t\treturn false;"; f = 0 }' \
	"$src/fs/readdir.c" >"$p/readdir.c"
ok=1
for u in fs/proc/cmdline fs/readdir; do
	n=$(basename "$u")
	if ! recompile "$u.o" "$src/$u.c" "$p/orig/$n.o" || ! recompile "$u.o" "$p/$n.c" "$p/new/$n.o"
	then
		ok=
		tap_fail "$u: compiled, original and patched"
	fi
done
if [ -n "$ok" ]; then
	tap_is "$("$KLPDIFF" diff "$p/orig/cmdline.o" "$p/new/cmdline.o"; "$KLPDIFF" diff \
		"$p/orig/readdir.o" "$p/new/readdir.o")" "changed: cmdline.c:cmdline_proc_show
changed: readdir.c:filldir64" "the patched functions, exactly"
	# vmlinux's symbols: the units', and saved_command_line (not exported).
	printf '.data\n.globl saved_command_line\nsaved_command_line: .quad 0\n.section .note.GNU-stack, "", @progbits\n' \
		>"$p/stub.s"
	as --64 -o "$p/stub.o" "$p/stub.s"
	ld -r -o "$p/vmlinux-symbols.o" "$p/orig/cmdline.o" "$p/orig/readdir.o" "$p/stub.o"
	for n in cmdline readdir; do
		status=0
		"$KLPDIFF" extract --kernel-symbols "$p/vmlinux-symbols.o" \
			--symvers "$build/Module.symvers" --objname vmlinux --trace \
			"$p/orig/$n.o" "$p/new/$n.o" -o "$p/$n-part.o" 2>"$p/$n.trace" || status=$?
		tap_is "$status|$(grep -v '^trace: ' "$p/$n.trace")" "0|" "extract $n.o"
	done
	tap_is "$(grep -c 'the patch.s copy of the __bug_table entry' "$p/cmdline.trace")" 1 \
		"cmdline_proc_show's WARN() refers to the patch's copy of its bug entry"
	tap_is "$(grep -o 'filldir64 loads USER_PTR_MAX instead' "$p/readdir.trace" | sort -u)" \
		"filldir64 loads USER_PTR_MAX instead" "filldir64's access_ok(): a load of USER_PTR_MAX"
	status=0
	"$KLPDIFF" module -n lp7 --kernel-build "$build" --build-dir "$p/module" -o "$p/lp7.ko" \
		"$p/cmdline-part.o" "$p/readdir-part.o" >"$p/module.out" 2>&1 || status=$?
	tap_is "$status" 0 "klpdiff module: both parts linked against Linux 7.3"
	[ "$status" = 0 ] || { tap_diag <"$p/module.out"; tap_diag <"$p/module/build.log"; }
	tap_is "$(grep -i -e 'objtool' -e 'warning' -e 'error' "$p/module/build.log" 2>&1)" "" \
		"objtool ran on the linked module, without a word"
	tap_is "$(readelf -SW "$p/lp7.ko" | grep -o -e ' \.orc_unwind_ip ' -e ' \.return_sites ' |
		tr -d ' ' | sort | tr '\n' ' ')" ".orc_unwind_ip .return_sites " \
		"... and wrote the sections extract left to it"
	tap_is "$(readelf -sW "$p/lp7.ko" | awk '$NF ~ /^\.klp\.sym\./ { print $(NF - 1), $NF }' |
		sort -u)" "[0xff20] .klp.sym.vmlinux.saved_command_line,0" \
		"saved_command_line: a livepatch symbol (SHN_LIVEPATCH)"
fi
tap_done
