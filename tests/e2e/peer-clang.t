#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The peer patches on a clang build without LTO (klpdiff's own function-
# sections build with LLVM=1): exactly expect/clang/X.diff, loaded, checked.
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/peers" clang none "$here/expect/clang" --not-sanitized
