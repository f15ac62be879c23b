#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The project's own end-to-end patches (tests/e2e/patches): a patch built with
# klpdiff build, loaded and checked in a booted Linux 6.1, and a patch that
# changes the CRC of an exported symbol the module uses, which must be refused.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ -n "${KLPDIFF_SKIP_KERNEL:-}" ] && { echo "1..0 # SKIP KLPDIFF_SKIP_KERNEL set"; exit 0; }
exec "$here/run" "$here/patches"
