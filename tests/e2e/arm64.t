#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The third architecture end to end: the project's arm64 build of Linux 7.3
# (tests/kernel/kernel-tree boot --arch arm64: Debian's linux-source-7.3,
# cross-compiled with Debian's aarch64-linux-gnu-gcc, e2e-arm64.config:
# DYNAMIC_FTRACE_WITH_ARGS and CALL_OPS, pointer authentication), booted on
# QEMU's virt machine under TCG. The project's own 7.3 patches that are not
# about x86 code (tests/e2e/patches-7.3), with patches-arm64/ in place of the
# x86 ones (asm-FAIL on arm64's strlen, meminfo-kib: a static function called
# from its own unit), each built by klpdiff build with exactly the changes in
# expect/arm64, loaded, checked, its transition complete, disabled; the -FAIL
# ones refused. Only with KLPDIFF_ARM64=1 or KLPDIFF_FULL=1: the kernel takes
# more than CI's budget leaves to build.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
tap_arm64_e2e_needs "$here"

set_dir=$(mktemp -d "${TMPDIR:-/tmp}/klpdiff-arm64.XXXXXX")
trap 'rm -rf "$set_dir"' EXIT
for name in cmdline consoles-sympos dev-read-mostly vma-name-inlined xfs-stats xfs-trace \
	unbuilt-FAIL match-int-notrace-FAIL; do
	ln -s "$here/patches-7.3/$name".* "$set_dir/"
done
ln -s "$here/patches-arm64"/* "$set_dir/"
"$here/run" --arch arm64 --expect "$here/expect/arm64" "$set_dir"
