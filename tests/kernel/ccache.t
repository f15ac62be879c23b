#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# klpdiff build compiles through ccache when it is installed (and not when
# KLPDIFF_NO_CCACHE is set), with the same result: a private CCACHE_DIR
# counts the compilations of two identical patched builds, the second of
# which must hit ccache's cache.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
[ -n "${KLPDIFF_SKIP_KERNEL:-}" ] && tap_skip_all "KLPDIFF_SKIP_KERNEL set"
tap_skip_if_sanitized "own.t builds through ccache sanitized"
command -v ccache >/dev/null || tap_skip_all "ccache not installed (scripts/setup installs it)"

kbuild=$("$here/kernel-tree" boot) || tap_bail "cannot build the e2e kernel"
ksrc=$(cat "$kbuild/.klpdiff-src")
tap_tmpdir
export CCACHE_DIR=$TAP_TMP/ccache
patch=$here/../../demo/cmdline.patch
want='changed: fs/proc/cmdline.o:cmdline_proc_show'

stat_of() { ccache --print-stats | awk -v k="$1" '$1 == k { print $2 }'; }
build_diff() { "$KLPDIFF" build --diff -s "$ksrc" -O "$kbuild" "$patch" 2>"$TAP_TMP/err"; }

tap_is "$(KLPDIFF_NO_CCACHE=1 build_diff)" "$want" "KLPDIFF_NO_CCACHE: the expected change"
tap_is "$(stat_of cache_miss)" 0 "KLPDIFF_NO_CCACHE: ccache not used"
tap_is "$(build_diff)" "$want" "with ccache: the same change"
misses=$(stat_of cache_miss)
tap_ok "with ccache: compilations went through ccache ($misses misses)" test "$misses" -gt 0
tap_is "$(build_diff)" "$want" "again: the same change"
tap_ok "again: served from ccache ($(stat_of direct_cache_hit) direct hits)" \
	test "$(stat_of direct_cache_hit)" -gt 0
tap_done
