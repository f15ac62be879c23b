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

[ -n "${KLPDIFF_SKIP_KERNEL:-}" ] && { echo "1..0 # SKIP KLPDIFF_SKIP_KERNEL set"; exit 0; }
[ -n "${KLPDIFF_SANITIZED:-}" ] &&
	{ echo "1..0 # SKIP sanitizer pass: the plain pass ran it (CI time)"; exit 0; }
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
tap_arm64_kernel || { echo "1..0 # SKIP $TAP_ARM64_SKIP"; exit 0; }
for tool in aarch64-linux-gnu-gcc qemu-system-aarch64; do
	command -v "$tool" >/dev/null ||
		{ echo "1..0 # SKIP $tool missing (scripts/setup installs it)"; exit 0; }
done
"$here/linux-7.3-source" >/dev/null || { echo "1..0 # SKIP no Linux 7.3 source"; exit 0; }
"$here/busybox-arm64" >/dev/null || { echo "1..0 # SKIP no arm64 busybox (see above)"; exit 0; }

set_dir=$(mktemp -d "${TMPDIR:-/tmp}/klpdiff-arm64.XXXXXX")
trap 'rm -rf "$set_dir"' EXIT
for name in cmdline consoles-sympos dev-read-mostly vma-name-inlined xfs-stats xfs-trace \
	unbuilt-FAIL match-int-notrace-FAIL; do
	ln -s "$here/patches-7.3/$name".* "$set_dir/"
done
ln -s "$here/patches-arm64"/* "$set_dir/"
"$here/run" --arch arm64 --expect "$here/expect/arm64" "$set_dir"
