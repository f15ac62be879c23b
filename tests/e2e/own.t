#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The project's own end-to-end patches (tests/e2e/patches) with gcc: each
# built with klpdiff build with exactly the changes in expect/gcc, loaded and
# checked in a booted Linux 6.1; and a patch that changes the CRC of an
# exported symbol the module uses, which must be refused. match-int-inlined
# is the LTO case (lto.t); gcc does not inline across files, so only
# match_int() itself changes here.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ -n "${KLPDIFF_SKIP_KERNEL:-}" ] && { echo "1..0 # SKIP KLPDIFF_SKIP_KERNEL set"; exit 0; }
exec "$here/run" --expect "$here/expect/gcc" "$here/patches"
