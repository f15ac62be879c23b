#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Linux 7.3 as Debian ships its source (linux-source-7.3), configured and
# built here: the x86_64 defconfig with live patching, IBT, call-depth
# tracking and CONFIG_DEBUG_BUGVERBOSE, built with the host's gcc. Skipped
# unless that build exists: $KLPDIFF_LINUX7_BUILD (default
# ~/.cache/klpdiff/linux-7.3-build, an O= directory with its Module.symvers),
# made with
#   make -C SRC O=BUILD defconfig
#   SRC/scripts/kconfig/merge_config.sh -m -O BUILD BUILD/.config FRAGMENT
#   make -C SRC O=BUILD olddefconfig && make -C SRC O=BUILD -j2
# where FRAGMENT sets CONFIG_LIVEPATCH, FUNCTION_TRACER, DYNAMIC_FTRACE,
# UNWINDER_ORC, JUMP_LABEL, X86_KERNEL_IBT, DEBUG_BUGVERBOSE,
# MITIGATION_RETPOLINE, _RETHUNK, _CALL_DEPTH_TRACKING (as Debian's).
#  - klpdiff profile -k: Linux 7.3 and the probed layouts, exactly (the
#    16-byte bug entry with a format, the 14-byte alt_instr with its entry
#    size, the site lists objtool writes when it runs on the linked module).
#  - every x86-64 object of the build is read by sums -k (the vDSO's
#    32-bit and symbol-less ones aside), and by sums alone.
#  - units compiled again with -ffunction-sections -fdata-sections, as
#    klpdiff build does (fs/proc, kernel/sched/core.c, net/core/dev.c,
#    fs/dcache.c with its runtime constants), are read the same.
#  - with -k, a 12-byte bug table (which alone fits two layouts) is held to
#    the kernel's: refused, naming the section and the kernel's entry size.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
build=${KLPDIFF_LINUX7_BUILD:-$HOME/.cache/klpdiff/linux-7.3-build}
[ -s "$build/Module.symvers" ] && [ -f "$build/vmlinux.o" ] ||
	tap_skip_all "no Linux 7.3 build at $build (see the header of this test)"
tap_tmpdir
export KLPDIFF_CACHE=$TAP_TMP/cache

release=$(cat "$build/include/config/kernel.release")
tap_is "$("$KLPDIFF" profile -k "$build" 2>&1)" "kernel $release Linux 7.3 x86_64
layout .altinstructions 14 6.8+ (ft_flags)
layout __mcount_loc 8 4.18+
layout __ex_table 12 5.16+ (type and data)
layout .static_call_sites 8 5.10+
layout .return_sites 4 4.18+
layout .call_sites 4 4.18+
layout .ibt_endbr_seal 4 4.18+
layout .orc_unwind_ip 4 4.18+
layout __bug_table 16 7.0+ (format), CONFIG_DEBUG_BUGVERBOSE
layout __jump_table 16 4.20+ (relative)" "profile -k: Linux 7.3 and its layouts"

# read_all LABEL [-k DIR]: sums reads every object of the build.
read_all() {
	local label=$1 n=0 bad=
	shift
	while read -r o; do
		n=$((n + 1))
		"$KLPDIFF" sums "$@" "$o" -o /dev/null 2>>"$TAP_TMP/read.err" || bad="$bad $o"
	done < <(cd "$build" && find . -name '*.o' ! -name '*.mod.o' ! -path './tools/*' \
		! -path './scripts/*' ! -path './arch/x86/entry/vdso/*' ! -path './arch/x86/realmode/*' \
		! -path './arch/x86/boot/*' ! -name 'vmlinux.o' -size +0 | sort | sed "s|^\\.|$build|")
	tap_is "$bad" "" "$label: all $n objects read"
	[ -z "$bad" ] || tap_diag <"$TAP_TMP/read.err"
}
read_all "sums -k" -k "$build"
read_all "sums without -k"

# Units again with function sections: their recorded command, another output.
units="fs/proc/cmdline.o fs/proc/base.o fs/proc/array.o kernel/sched/core.o net/core/dev.o fs/dcache.o"
for u in $units; do
	cmd=$(sed -n "s/^savedcmd_${u//\//\\/} := //p" "$build/$(dirname "$u")/.$(basename "$u").cmd")
	out=$TAP_TMP/fsect/${u//\//_}
	mkdir -p "$TAP_TMP/fsect"
	cmd=${cmd//-Wp,-MMD,$(dirname "$u")\/.$(basename "$u").d/-Wp,-MMD,$out.d}
	cmd=${cmd/ -o $u / -o $out }
	if ! (cd "$build" && eval "$cmd -ffunction-sections -fdata-sections") >"$TAP_TMP/cc.log" 2>&1; then
		tap_fail "$u: compiled with function sections"
		tap_diag <"$TAP_TMP/cc.log"
		continue
	fi
	tap_ok "$u with function sections: read by sums -k" \
		"$KLPDIFF" sums -k "$build" "$out" -o "$out.sums"
done
tap_is "$(readelf -SW "$TAP_TMP/fsect/fs_dcache.o" 2>/dev/null | grep -o 'runtime_[a-z]*_[a-z_]*' |
	sort -u | tr '\n' ' ')" "runtime_ptr_dentry_hashtable runtime_shift_d_hash_shift " \
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
err=$("$KLPDIFF" sums -k "$build" "$TAP_TMP/b12.o" 2>&1 >/dev/null) || status=$?
tap_is "$status|$err" "2|klpdiff: $TAP_TMP/b12.o: section __bug_table: size 0xc is no multiple of 16, the entry size of the target kernel (Linux 7.0+ (format), CONFIG_DEBUG_BUGVERBOSE)" \
	"-k decides a 12-byte bug table: the kernel's 16-byte entries, refused"
tap_done
