#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kpatch's integration patches (../shared/peer-patches), end to end with gcc:
# each X.patch built by klpdiff build, exactly the changes recorded in
# expect/gcc/X.diff (recorded once, inspected by hand), loaded in a booted
# Linux 6.1 with its X.check; each X-FAIL.patch refused.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
peers=$here/../../../shared/peer-patches/kpatch-linux-6.2.0
[ -d "$peers" ] || { echo "1..0 # SKIP ../shared/peer-patches not present"; exit 0; }
[ -n "${KLPDIFF_SKIP_KERNEL:-}" ] && { echo "1..0 # SKIP KLPDIFF_SKIP_KERNEL set"; exit 0; }
exec "$here/run" --expect "$here/expect/gcc" "$peers"
