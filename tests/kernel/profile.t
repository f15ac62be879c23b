#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# klpdiff profile: a kernel's version and architecture against the profiles
# klpdiff has (Linux 4.18 to 7.3, x86_64, ppc64le and arm64), and its special-section layouts
# read from the layout probe, a module built against that kernel with one
# entry of each kind. With -k, sums and diff accept only those layouts.
#  - Kernels without a profile (too new, too old, not Linux, another
#    architecture, big-endian ppc64, not configured, probe not buildable, a
#    cross kernel without its cross compiler) and, for build, a source tree
#    without Linux 5.1's livepatch API: one line naming the directory or
#    file, exit 2, nothing written. (The ppc64le kernel: profile-ppc64le.t.)
#  - The e2e kernels (gcc; clang ThinLTO, whose modules are linked from
#    bitcode) and Debian's 6.1 and 6.12 headers: exact layouts.
#  - An object of an older layout (a 13-byte alt_instr, absolute jump labels)
#    is read without -k and refused with -k, naming the section; one whose
#    12-byte bug table, marked for objtool, fits 5.19's and 7.x's layouts is
#    refused without -k and read with the kernel's.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
tap_tmpdir
export KLPDIFF_CACHE=$TAP_TMP/cache

# refused LABEL WANT CMD...: exit 2, exactly the one line WANT, no output.
refused() {
	local label=$1 want=$2 status=0 err
	shift 2
	err=$("$@" 2>&1 >"$TAP_TMP/out") || status=$?
	if [ "$status" = 2 ] && [ "$err" = "$want" ] && [ ! -s "$TAP_TMP/out" ]; then
		tap_pass "$label"
	else
		tap_fail "$label"
		tap_diag "exit $status: $err"
		tap_diag "wanted: $want"
	fi
}

# fake NAME RELEASE CONFIG-LINE: a configured "kernel" with only what the profile reads.
fake() {
	local dir=$TAP_TMP/$1
	mkdir -p "$dir/include/config"
	printf '%s\nCONFIG_LIVEPATCH=y\n' "$3" >"$dir/.config"
	[ -z "$2" ] || echo "$2" >"$dir/include/config/kernel.release"
	touch "$dir/vmlinux" "$dir/Module.symvers"
	echo "$dir"
}

# --- kernels klpdiff has no profile for --------------------------------------
k=$(fake new 7.4.0 CONFIG_X86_64=y)
refused "Linux 7.4: no profile" \
	"klpdiff: $k: Linux 7.4 (7.4.0): klpdiff has no profile for this kernel; it knows Linux 4.18 to 7.3" \
	"$KLPDIFF" profile -k "$k"
printf -- '--- a/f.c\n+++ b/f.c\n@@ -1 +1 @@\n-a\n+b\n' >"$TAP_TMP/x.patch"
refused "klpdiff build on Linux 7.4: the same line, before any work" \
	"klpdiff: $k: Linux 7.4 (7.4.0): klpdiff has no profile for this kernel; it knows Linux 4.18 to 7.3" \
	"$KLPDIFF" build --diff -s "$k" -O "$k" "$TAP_TMP/x.patch"
k=$(fake oldapi 4.19.0 CONFIG_X86_64=y)
mkdir -p "$k/include/linux"
echo 'int klp_register_patch(struct klp_patch *);' >"$k/include/linux/livepatch.h"
refused "klpdiff build with the livepatch API before 5.1: refused" \
	"klpdiff: $k/include/linux/livepatch.h: no klp_enable_patch(): the module klpdiff generates needs the livepatch API of Linux 5.1 or later (this is 4.19.0)" \
	"$KLPDIFF" build --diff -s "$k" -O "$k" "$TAP_TMP/x.patch"
k=$(fake old 4.9.337 CONFIG_X86_64=y)
refused "Linux 4.9: no profile" \
	"klpdiff: $k: Linux 4.9 (4.9.337): klpdiff has no profile for this kernel; it knows Linux 4.18 to 7.3" \
	"$KLPDIFF" profile -k "$k"
k=$(fake odd banana CONFIG_X86_64=y)
refused "a release that is no version" \
	"klpdiff: $k: kernel release 'banana' is not a Linux version" "$KLPDIFF" sums -k "$k" /dev/null
k=$(fake riscv 6.1.0 CONFIG_RISCV=y)
refused "riscv: no profile for the architecture" \
	"klpdiff: $k/.config: no profile for this kernel's architecture: klpdiff knows x86_64, ppc64le, aarch64" \
	"$KLPDIFF" diff -k "$k" /dev/null /dev/null
k=$(fake ppc64be 6.1.0 $'CONFIG_PPC64=y\nCONFIG_CPU_BIG_ENDIAN=y')
refused "big-endian ppc64: refused, naming the byte order" \
	"klpdiff: $k/.config: CONFIG_PPC64=y without CONFIG_CPU_LITTLE_ENDIAN=y: klpdiff knows ppc64le kernels of this architecture only" \
	"$KLPDIFF" profile -k "$k"
# A cross kernel needs the compiler its .config names (CROSS_COMPILE is its prefix).
k=$(fake ppc64le-nocc 6.1.0 $'CONFIG_CC_VERSION_TEXT="powerpc64le-linux-gnu-gcc (Debian 12.2.0-14) 12.2.0"\nCONFIG_PPC64=y\nCONFIG_CPU_LITTLE_ENDIAN=y')
refused "ppc64le kernel, no cross compiler in PATH: refused, naming the package" \
	"klpdiff: powerpc64le-linux-gnu-gcc: not found (the compiler of the ppc64le kernel $k); apt-get install gcc-powerpc64le-linux-gnu" \
	env PATH=/nonexistent "$KLPDIFF" profile -k "$k"
refused "... and klpdiff build stops there, before any work" \
	"klpdiff: powerpc64le-linux-gnu-gcc: not found (the compiler of the ppc64le kernel $k); apt-get install gcc-powerpc64le-linux-gnu" \
	env PATH=/nonexistent "$KLPDIFF" build --diff -s "$k" -O "$k" "$TAP_TMP/x.patch"
k=$(fake ppc64le-7 7.4.0 $'CONFIG_PPC64=y\nCONFIG_CPU_LITTLE_ENDIAN=y')
refused "ppc64le Linux 7.4: the same versions as x86-64" \
	"klpdiff: $k: Linux 7.4 (7.4.0): klpdiff has no profile for this kernel; it knows Linux 4.18 to 7.3" \
	"$KLPDIFF" profile -k "$k"
k=$(fake unconfigured "" CONFIG_X86_64=y)
refused "no kernel.release: not configured" \
	"klpdiff: $k: not a configured kernel build: no include/config/kernel.release" \
	"$KLPDIFF" profile -k "$k"
refused "no .config" \
	"klpdiff: $TAP_TMP: not a kernel build: cannot read $TAP_TMP/.config: No such file or directory" \
	"$KLPDIFF" profile -k "$TAP_TMP"
tap_is "$(find "$KLPDIFF_CACHE" -name '*.ko' 2>/dev/null)" "" "no probe built for those kernels"
k=$(fake nomake 6.1.0 CONFIG_X86_64=y)
err=$("$KLPDIFF" profile -k "$k" 2>&1 >/dev/null) && status=0 || status=$?
tap_ok "a probe that does not build: exit 2, one line with its log, nothing cached" \
	test "$status" = 2 -a "$(printf '%s\n' "$err" | wc -l)" = 1 \
	-a -z "$(find "$KLPDIFF_CACHE" -name '*.ko')"
tap_ok "... naming the kernel and make's log" \
	grep -q "^klpdiff: $k: cannot build klpdiff's layout probe (make -C $k M=.*); log: .*/build.log$" \
	<<<"$err"

# --- layouts of real kernels ---------------------------------------------------
if [ -n "${KLPDIFF_SKIP_KERNEL:-}" ]; then
	tap_skip "KLPDIFF_SKIP_KERNEL set: no kernel to probe"
	tap_done
	exit 0
fi

# profile_is LABEL KDIR EXPECTED-LAYOUT-LINES
profile_is() {
	local release
	release=$(cat "$2/include/config/kernel.release" 2>/dev/null || echo "$4")
	if ! "$KLPDIFF" profile -k "$2" >"$TAP_TMP/profile" 2>"$TAP_TMP/profile.err"; then
		tap_fail "$1: klpdiff profile"
		tap_diag <"$TAP_TMP/profile.err"
		return
	fi
	tap_is "$(cat "$TAP_TMP/profile")" "$(printf 'kernel %s\n%s' "$release" "$3")" "$1: layouts"
}

# old_object NAME SECTION-BODY: f() with one entry of an older kernel's layout.
old_object() {
	cat >"$TAP_TMP/$1.s" <<-EOS
		.text
		.globl f
		.type f, @function
	f:
	1:	nop
	2:	ret
		.size f, . - f
		.section .altinstr_replacement, "ax"
	3:	int3
		.data
	key:	.quad 0, 0
	$2
	EOS
	as --64 -o "$TAP_TMP/$1.o" "$TAP_TMP/$1.s"
}
old_object alt13 '.section .altinstructions, "a"
	.long 1b - ., 3b - .
	.word 0
	.byte 1, 1, 0'
old_object jump24 '.section __jump_table, "aw"
	.quad 1b, 2b, key
	.quad 1b, 2b, key'
old_object alt14 '.section .altinstructions, "a"
	.long 1b - ., 3b - .
	.long 0
	.byte 1, 1'
# Both 12-byte bug entries fit (flags 3 at 8, 0 at 10), and objtool's mark
# says 7.x's may: without a kernel, an error.
old_object bug12 '.section .rodata.str1.1, "aMS", @progbits, 1
4:	.string "f.c"
	.section __bug_table, "aw"
5:	.long 1b - ., 4b - .
	.word 3, 0
	.section .discard.annotate_data, "M", @progbits, 8
	.long 5b - ., 1'
old_object alt12 '.section .altinstructions, "a"
	.long 1b - ., 3b - .
	.word 0
	.byte 1, 1'

# refused_object LABEL KDIR NAME WANT GOOD: sums -k refuses NAME.o naming its section, and
# so does diff -k of GOOD.o (of the kernel's layouts) and NAME.o.
refused_object() {
	refused "$1: sums -k refuses $3.o" "klpdiff: $TAP_TMP/$3.o: $4" \
		"$KLPDIFF" sums -k "$2" "$TAP_TMP/$3.o"
	refused "$1: diff -k refuses $3.o" "klpdiff: $TAP_TMP/$3.o: $4" \
		"$KLPDIFF" diff -k "$2" "$TAP_TMP/$5.o" "$TAP_TMP/$3.o"
}

# kernel_checks LABEL KDIR RELEASE LAYOUTS: the profile, printed exactly, and built once.
kernel_checks() {
	local label=$1 kdir=$2 probe mtime
	if ! "$KLPDIFF" profile -k "$kdir" >"$TAP_TMP/profile" 2>"$TAP_TMP/profile.err"; then
		tap_fail "$label: klpdiff profile"
		tap_diag <"$TAP_TMP/profile.err"
		return
	fi
	tap_is "$(cat "$TAP_TMP/profile")" "$(printf 'kernel %s\n%s' "$3" "$4")" "$label: profile"
	probe=$(ls -t "$KLPDIFF_CACHE"/layout-probe-*.ko | head -1)
	mtime=$(stat -c %y "$probe")
	"$KLPDIFF" profile -k "$kdir" >/dev/null
	tap_is "$(stat -c %y "$probe")" "$mtime" "$label: the probe is built once (cached)"
}

for o in alt12 alt13 alt14 jump24; do
	tap_ok "without -k, $o.o is read (the layouts of Linux 3.10 to 7.3)" \
		"$KLPDIFF" sums "$TAP_TMP/$o.o" -o "$TAP_TMP/$o.sums"
done

# Linux 6.1 as the e2e config builds it (the site lists follow the config).
layouts_61='layout .altinstructions 12 3.10 to 4.0, 5.10 to 6.7
layout __mcount_loc 8 3.10+
layout __ex_table 12 5.16+ (type and data)
layout .return_sites 4 5.19+
layout .orc_unwind_ip 4 4.14+
layout __bug_table 12 5.19 to 6.19, CONFIG_DEBUG_BUGVERBOSE
layout __jump_table 16 4.20+ (relative)
layout .static_call_sites 8 5.10+'
# The same with clang ThinLTO (objtool runs on each module's LTO link).
layouts_61_clang='layout .altinstructions 12 3.10 to 4.0, 5.10 to 6.7
layout __bug_table 12 5.19 to 6.19, CONFIG_DEBUG_BUGVERBOSE
layout __jump_table 16 4.20+ (relative)
layout __ex_table 12 5.16+ (type and data)
layout .static_call_sites 8 5.10+
layout __mcount_loc 8 3.10+
layout .orc_unwind_ip 4 4.14+'
# Debian's: 6.1 the same as the e2e kernel (no IBT); 6.12 with the 14-byte
# alt_instr and the site lists of IBT and call-depth tracking.
layouts_debian_61=$layouts_61
layouts_debian_612='layout .altinstructions 14 6.8+ (ft_flags)
layout __mcount_loc 8 3.10+
layout __ex_table 12 5.16+ (type and data)
layout .return_sites 4 5.19+
layout .call_sites 4 6.2+
layout .ibt_endbr_seal 4 5.18+
layout .orc_unwind_ip 4 4.14+
layout __bug_table 12 5.19 to 6.19, CONFIG_DEBUG_BUGVERBOSE
layout __jump_table 16 4.20+ (relative)
layout .static_call_sites 8 5.10+'
kbuild=$("$here/kernel-tree" boot) || tap_bail "cannot build the e2e kernel"
kernel_checks "gcc e2e kernel" "$kbuild" "$(cat "$kbuild/include/config/kernel.release") Linux 6.1 x86_64" \
	"$layouts_61"
tap_ok "gcc e2e kernel: sums -k reads an object of its layouts" \
	"$KLPDIFF" sums -k "$kbuild" "$TAP_TMP/alt12.o" -o "$TAP_TMP/alt12.sums"
refused_object "gcc e2e kernel" "$kbuild" alt13 \
	"section .altinstructions: size 0xd is no multiple of 12, the entry size of the target kernel (Linux 3.10 to 4.0, 5.10 to 6.7)" alt12
refused "a 12-byte bug table both layouts fit: refused without -k" \
	"klpdiff: $TAP_TMP/bug12.o: section __bug_table: its entries fit the layouts of Linux 5.19 to 6.19, CONFIG_DEBUG_BUGVERBOSE (12 bytes) and Linux 7.0+ (format), no CONFIG_DEBUG_BUGVERBOSE (12 bytes) alike; klpdiff cannot tell which kernel made it (give it with -k)" \
	"$KLPDIFF" sums "$TAP_TMP/bug12.o"
tap_ok "gcc e2e kernel: sums -k reads it with the kernel's (5.19's, with a line)" \
	"$KLPDIFF" sums -k "$kbuild" "$TAP_TMP/bug12.o" -o "$TAP_TMP/bug12.sums"
refused_object "gcc e2e kernel" "$kbuild" jump24 \
	"section __jump_table: a 8-byte absolute relocation at 0 fits no field of the target kernel's layout (Linux 4.20+ (relative))" alt12

# The clang ThinLTO kernel: the probe's objects are bitcode, its .ko is not.
if tap_lto_kernel; then
	kbuild=$("$here/kernel-tree" boot --cc clang --lto thin) ||
		tap_bail "cannot build the clang ThinLTO kernel"
	kernel_checks "clang ThinLTO kernel" "$kbuild" \
		"$(cat "$kbuild/include/config/kernel.release") Linux 6.1 x86_64" "$layouts_61_clang"
else
	tap_skip "clang ThinLTO kernel" "$TAP_LTO_SKIP"
fi

# Debian's kernels, from their headers packages (installed here as the e2e tests would).
dk=$here/../e2e/debian-kernel
for line in 6.1 6.12; do
	if ! release=$("$dk" release "$line" 2>/dev/null); then
		tap_skip "Debian $line: apt offers no such kernel with its source"
		continue
	fi
	"$dk" install "$release" >&2 || tap_bail "cannot install Debian's $release"
	headers=/usr/src/linux-headers-$release
	if [ "$line" = 6.1 ]; then
		kernel_checks "Debian $release" "$headers" "$release Linux 6.1 x86_64" "$layouts_debian_61"
		refused_object "Debian $release" "$headers" alt13 \
			"section .altinstructions: size 0xd is no multiple of 12, the entry size of the target kernel (Linux 3.10 to 4.0, 5.10 to 6.7)" alt12
	else
		kernel_checks "Debian $release" "$headers" "$release Linux 6.12 x86_64" "$layouts_debian_612"
		refused_object "Debian $release" "$headers" alt12 \
			"section .altinstructions: size 0xc is no multiple of 14, the entry size of the target kernel (Linux 6.8+ (ft_flags))" alt14
	fi
done
tap_done
