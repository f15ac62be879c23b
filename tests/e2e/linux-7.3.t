#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The project's own e2e patches on Linux 7.3 (tests/e2e/patches-7.3: those
# that apply as they are, and vma-name-inlined, consoles-sympos and xfs-trace
# ported to 7.3's code), through -O as on 6.1: Debian's linux-source-7.3,
# the e2e config with e2e-7.config (CONFIG_KLP_BUILD, the renamed return
# thunks and retpolines), gcc, built and booted by tests/e2e/run with exactly
# the changes in expect/gcc-7.3. crc-FAIL is not ported: 7.3's devpts parses
# its options with fs_parser and calls no match_int().
#
# Only with KLPDIFF_LINUX7=1: the 7.3 kernel is a build of
# its own, beside the 6.1 one, more than CI's budget leaves (bench/README.md,
# "bench/klp-build"). The source: $KLPDIFF_LINUX7_SOURCE or the tree
# tests/kernel/linux7-tree unpacks into $KLPDIFF_E2E_WORKDIR/linux-7.3-src.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
[ -z "${KLPDIFF_SKIP_KERNEL:-}" ] || tap_skip_all "KLPDIFF_SKIP_KERNEL set"
[ -n "${KLPDIFF_LINUX7:-}" ] ||
	tap_skip_all "the Linux 7.3 kernel build: set KLPDIFF_LINUX7=1"
src=$("$here/linux-7.3-source") || tap_skip_all "no Linux 7.3 source"
exec "$here/run" --kernel-src "$src" --expect "$here/expect/gcc-7.3" "$here/patches-7.3"
