#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The peer patches on a clang ThinLTO build: klpdiff build compares the LTO
# links (vmlinux.o, modules' objects); exactly expect/clang-thin/X.diff,
# loaded, checked. Each patch relinks vmlinux.o (10 min for the whole set
# on 2 cores), so without KLPDIFF_FULL=1 only the two that change modules
# run: module (xfs and vmlinux in one patch) and macro-callbacks (joydev,
# pcspkr), and only with KLPDIFF_LTO=1 (the kernel's build time). lto.t covers
# the vmlinux-only case on this kernel, and debian.t runs all of them on
# Debian's kernel.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
peers=$here/../../../shared/peer-patches/kpatch-linux-6.2.0
[ -d "$peers" ] || { echo "1..0 # SKIP ../shared/peer-patches not present"; exit 0; }
if [ -n "${KLPDIFF_FULL:-}" ]; then
	exec "$here/peers" clang thin "$here/expect/clang-thin" --not-sanitized
fi
[ -n "${KLPDIFF_SKIP_KERNEL:-}" ] && { echo "1..0 # SKIP KLPDIFF_SKIP_KERNEL set"; exit 0; }
. "$here/../lib/tap.sh"
tap_lto_kernel || { echo "1..0 # SKIP $TAP_LTO_SKIP"; exit 0; }
[ -n "${KLPDIFF_SANITIZED:-}" ] &&
	{ echo "1..0 # SKIP sanitizer pass: the plain pass ran it (CI time)"; exit 0; }
subset=$(mktemp -d "${TMPDIR:-/tmp}/klpdiff-peer-lto.XXXXXX")
trap 'rm -rf "$subset"' EXIT
for f in "$peers"/module.* "$peers"/macro-callbacks.*; do
	ln -s "$f" "$subset/"
done
echo "# the patches that change modules (all of them with KLPDIFF_FULL=1)"
status=0
"$here/run" --cc clang --lto thin --expect "$here/expect/clang-thin" "$subset" || status=$?
exit "$status"
