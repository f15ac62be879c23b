#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The peer patches on Linux 7.3 (ported by tests/e2e/peers-7.3/ported: eight
# as they are, three with 7.3's context), as linux-7.3.t runs the own ones:
# each built with exactly the changes in expect/gcc-7.3, loaded and checked
# in a booted 7.3 kernel, each -FAIL refused. Only with KLPDIFF_LINUX7=1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
[ -z "${KLPDIFF_SKIP_KERNEL:-}" ] || tap_skip_all "KLPDIFF_SKIP_KERNEL set"
[ -n "${KLPDIFF_LINUX7:-}" ] ||
	tap_skip_all "the Linux 7.3 kernel build: set KLPDIFF_LINUX7=1"
src=$("$here/linux-7.3-source") || tap_skip_all "no Linux 7.3 source"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
"$here/peers-7.3/ported" "$tmp/peers" || status=$?
[ "$status" -ne 77 ] || tap_skip_all "../shared/peer-patches not present"
[ "$status" -eq 0 ] || exit 1
"$here/run" --kernel-src "$src" --expect "$here/expect/gcc-7.3" "$tmp/peers"
