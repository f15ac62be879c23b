#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A second architecture end to end: the project's ppc64le build of Linux 6.1
# (tests/kernel/kernel-tree boot --arch ppc64le, cross-compiled with Debian's
# powerpc64le-linux-gnu-gcc, e2e-ppc64le.config), booted on QEMU's pseries
# machine under TCG. The project's own patches that are not about x86 code
# (tests/e2e/patches), with patches-ppc64le/ in place of the x86 ones (and
# meminfo-kib: a static function called from its own unit, whose kallsyms
# extent holds an overridden weak function's ftrace site), each
# built by klpdiff build with exactly the changes in expect/ppc64le, loaded,
# checked, its transition complete, disabled; the -FAIL ones refused. Only
# with KLPDIFF_PPC64LE=1 or KLPDIFF_FULL=1: the kernel takes 15 minutes to
# build from scratch, more than CI's budget leaves. With
# KLPDIFF_FULL=1 (and ../shared/peer-patches), the peer patches too (CI's
# time): warn-detect-FAIL is about an x86 file (patches-ppc64le has its
# counterpart), and macro-callbacks goes without its x86 driver (pcspkr).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

[ -n "${KLPDIFF_SKIP_KERNEL:-}" ] && { echo "1..0 # SKIP KLPDIFF_SKIP_KERNEL set"; exit 0; }
[ -n "${KLPDIFF_SANITIZED:-}" ] &&
	{ echo "1..0 # SKIP sanitizer pass: the plain pass ran it (CI time)"; exit 0; }
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
tap_ppc64le_kernel || { echo "1..0 # SKIP $TAP_PPC64LE_SKIP"; exit 0; }
for tool in powerpc64le-linux-gnu-gcc qemu-system-ppc64; do
	command -v "$tool" >/dev/null ||
		{ echo "1..0 # SKIP $tool missing (scripts/setup installs it)"; exit 0; }
done

"$here/busybox-ppc64le" >/dev/null ||
	{ echo "1..0 # SKIP no ppc64le busybox (see above)"; exit 0; }

set_dir=$(mktemp -d "${TMPDIR:-/tmp}/klpdiff-ppc64le.XXXXXX")
trap 'rm -rf "$set_dir"' EXIT
for name in cmdline consoles-sympos xfs-trace unbuilt-FAIL match-int-notrace-FAIL; do
	ln -s "$here/patches/$name".* "$set_dir/"
done
ln -s "$here/patches-ppc64le"/* "$set_dir/"
peers=$here/../../../shared/peer-patches/kpatch-linux-6.2.0
if [ -n "${KLPDIFF_FULL:-}" ] && [ -d "$peers" ]; then
	for name in data-new gcc-static-local-var-6 module new-function new-globals shadow-newpid \
		special-static symvers-disagreement-FAIL syscall; do
		ln -s "$peers/$name".* "$set_dir/"
	done
	# pcspkr is an x86 driver: the callbacks of joydev (a module) and aio stay.
	awk '/^diff / { skip = index($0, "/drivers/input/misc/pcspkr.c") > 0 } !skip' \
		"$peers/macro-callbacks.patch" >"$set_dir/macro-callbacks.patch"
	ln -s "$peers/macro-callbacks.check" "$set_dir/"
else
	echo "# the peer patches on ppc64le need KLPDIFF_FULL=1 and ../shared/peer-patches"
fi
"$here/run" --arch ppc64le --expect "$here/expect/ppc64le" "$set_dir"
