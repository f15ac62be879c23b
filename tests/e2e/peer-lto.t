#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The peer patches on a clang ThinLTO build: klpdiff build compares the LTO
# links (vmlinux.o, modules' objects); exactly expect/clang-thin/X.diff,
# loaded, checked.
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/peers" clang thin "$here/expect/clang-thin" --not-sanitized
