#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The peer patches on a clang build without LTO (klpdiff's prepared tree with
# LLVM=1): exactly expect/clang/X.diff, loaded, checked. It needs a kernel
# build of its own (about 10 minutes on 2 cores) that no other test shares,
# so it runs only with KLPDIFF_FULL=1: CI's time goes to Debian's kernel.
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${KLPDIFF_FULL:-}" ]; then
	echo "1..0 # SKIP clang without LTO needs its own kernel build: set KLPDIFF_FULL=1"
	exit 0
fi
exec "$here/peers" clang none "$here/expect/clang" --not-sanitized
