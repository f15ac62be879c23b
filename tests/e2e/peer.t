#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The peer patches with gcc: each X.patch built by klpdiff build with exactly
# the changes in expect/gcc/X.diff (recorded once, inspected by hand), loaded
# in a booted Linux 6.1 and checked with its X.check; each X-FAIL.patch refused.
here=$(cd "$(dirname "$0")" && pwd)
# Not in the sanitizer pass: own.t takes the same build path sanitized.
exec "$here/peers" gcc none "$here/expect/gcc" --not-sanitized
