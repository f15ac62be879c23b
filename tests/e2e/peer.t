#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The peer patches with gcc: each X.patch built by klpdiff build with exactly
# the changes in expect/gcc/X.diff (recorded once, inspected by hand), loaded
# in a booted Linux 6.1 and checked with its X.check; each X-FAIL.patch refused.
# Only with KLPDIFF_FULL=1: debian.t runs the same patches on Debian's kernel,
# and own.t takes this build path (-O, the prepared tree): CI's time.
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${KLPDIFF_FULL:-}" ]; then
	echo "1..0 # SKIP debian.t runs these patches on Debian's kernel: set KLPDIFF_FULL=1"
	exit 0
fi
exec "$here/peers" gcc none "$here/expect/gcc" --not-sanitized
