#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A change LTO inlines across files (tests/e2e/lto-patches): on a clang
# ThinLTO kernel, match_int() (lib/parser.c) is inlined into devpts's
# parse_mount_options(), so klpdiff build must report and patch that caller
# too (expect/clang-thin), and the booted kernel must mount devpts with the
# patched parsing afterwards. Runs in the sanitizer pass too: it is the one
# LTO build that does. Only with KLPDIFF_LTO=1 or KLPDIFF_FULL=1 (the kernel's
# build time).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ -n "${KLPDIFF_SKIP_KERNEL:-}" ] && { echo "1..0 # SKIP KLPDIFF_SKIP_KERNEL set"; exit 0; }
. "$here/../lib/tap.sh"
tap_lto_kernel || { echo "1..0 # SKIP $TAP_LTO_SKIP"; exit 0; }
exec "$here/run" --cc clang --lto thin --expect "$here/expect/clang-thin" "$here/lto-patches"
