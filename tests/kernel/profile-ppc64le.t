#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# klpdiff profile on the cross-built ppc64le kernel (tests/kernel/kernel-tree boot
# --arch ppc64le): klpdiff finds ARCH=powerpc and CROSS_COMPILE=powerpc64le-linux-gnu-
# from the tree itself, builds its layout probe against it and prints exactly the
# Linux 6.1 ppc64 layouts of src/arch/ppc64le.c (one entry each of the exception
# table, jump labels, bug table, CPU, MMU and firmware feature fixups and the
# speculation barrier fixup, plus ftrace's call sites). sums -k then reads the tree's
# own objects with those layouts. Bad input (big-endian ppc64, no cross compiler) is
# in profile.t.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
[ -z "${KLPDIFF_SKIP_KERNEL:-}" ] || tap_skip_all "KLPDIFF_SKIP_KERNEL set: no kernel to probe"
tap_ppc64le_kernel || tap_skip_all "$TAP_PPC64LE_SKIP"
command -v powerpc64le-linux-gnu-gcc >/dev/null ||
	tap_skip_all "powerpc64le-linux-gnu-gcc missing: apt-get install gcc-powerpc64le-linux-gnu"
tap_tmpdir
export KLPDIFF_CACHE=$TAP_TMP/cache

kbuild=$("$here/kernel-tree" boot --arch ppc64le) || tap_bail "the ppc64le kernel did not build"
release=$(cat "$kbuild/include/config/kernel.release")
layouts='layout __ex_table 8 4.10+
layout __ftr_fixup 48 3.10+
layout __mmu_ftr_fixup 48 3.10+
layout __fw_ftr_fixup 48 3.10+
layout __barrier_nospec_fixup 8 4.17+
layout __mcount_loc 8 3.10+
layout __bug_table 12 5.19+, CONFIG_DEBUG_BUGVERBOSE
layout __jump_table 16 5.13+ (relative)'

if "$KLPDIFF" profile -k "$kbuild" >"$TAP_TMP/profile" 2>"$TAP_TMP/profile.err"; then
	tap_is "$(cat "$TAP_TMP/profile")" "$(printf 'kernel %s Linux 6.1 ppc64le\n%s' "$release" "$layouts")" \
		"ppc64le kernel: profile, every layout exactly"
else
	tap_fail "ppc64le kernel: klpdiff profile"
	tap_diag <"$TAP_TMP/profile.err"
fi
probe=$(ls "$KLPDIFF_CACHE"/layout-probe-*.ko 2>/dev/null | head -1)
tap_ok "the probe is a ppc64le module" sh -c "file -L '$probe' | grep -q '64-bit LSB relocatable, 64-bit PowerPC'"
mtime=$(stat -c %y "$probe")
"$KLPDIFF" profile -k "$kbuild" >/dev/null
tap_is "$(stat -c %y "$probe")" "$mtime" "the probe is built once (cached)"
# Objects of the tree itself have the layouts the probe found.
tap_ok "sums -k reads the tree's kernel/fork.o" \
	"$KLPDIFF" sums -k "$kbuild" "$kbuild/kernel/fork.o" -o "$TAP_TMP/fork.sums"
tap_done
