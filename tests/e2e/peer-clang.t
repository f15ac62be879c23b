#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The peer patches on a clang build without LTO: klpdiff's own function-
# sections build with LLVM=1, exactly expect/clang/X.diff, loaded and checked.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
peers=$here/../../../shared/peer-patches/kpatch-linux-6.2.0
[ -d "$peers" ] || { echo "1..0 # SKIP ../shared/peer-patches not present"; exit 0; }
[ -n "${KLPDIFF_SKIP_KERNEL:-}" ] && { echo "1..0 # SKIP KLPDIFF_SKIP_KERNEL set"; exit 0; }
[ -z "${KLPDIFF_SANITIZED:-}" ] || { echo "1..0 # SKIP sanitizer pass: the plain pass ran it (CI time)"; exit 0; }
exec "$here/run" --cc clang --lto none --expect "$here/expect/clang" "$peers"
