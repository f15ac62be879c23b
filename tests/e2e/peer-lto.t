#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The same peer patches on a clang ThinLTO build of the same kernel: klpdiff
# build compares the LTO links (vmlinux.o, modules' objects), and each module
# must report exactly expect/clang-thin/X.diff, load and pass its check.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
peers=$here/../../../shared/peer-patches/kpatch-linux-6.2.0
[ -d "$peers" ] || { echo "1..0 # SKIP ../shared/peer-patches not present"; exit 0; }
[ -n "${KLPDIFF_SKIP_KERNEL:-}" ] && { echo "1..0 # SKIP KLPDIFF_SKIP_KERNEL set"; exit 0; }
[ -z "${KLPDIFF_SANITIZED:-}" ] || { echo "1..0 # SKIP sanitizer pass: the plain pass ran it (CI time)"; exit 0; }
exec "$here/run" --cc clang --lto thin --expect "$here/expect/clang-thin" "$peers"
