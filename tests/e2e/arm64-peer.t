#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The peer patches (../shared/peer-patches, ported to Linux 7.3 by
# tests/e2e/peers-7.3/port.sed as linux-7.3-peer.t ports them) on the project's
# arm64 build of Linux 7.3 (the kernel of arm64.t), booted on QEMU's virt
# machine under TCG: each built by klpdiff build with exactly the changes in
# expect/arm64, loaded, its check failing before and passing after, its
# transition complete, disabled; a patch to module xfs loaded again before
# xfs; the -FAIL ones refused. Left out or cut, as x86-only code:
# warn-detect-FAIL (a blank line at the top of arch/x86/kvm/x86.c, which arm64
# does not build; peers-arm64/warn-detect-FAIL.patch is its counterpart, on
# arch/arm64/kernel/traps.c) and macro-callbacks' hunk of
# drivers/input/misc/pcspkr.c (the PC speaker driver, x86 and MIPS only): the
# callbacks of joydev (a module) and aio stay. Only with KLPDIFF_ARM64=1 or
# KLPDIFF_FULL=1, as arm64.t.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
tap_arm64_e2e_needs "$here"

set_dir=$(mktemp -d "${TMPDIR:-/tmp}/klpdiff-arm64-peer.XXXXXX")
trap 'rm -rf "$set_dir"' EXIT
status=0
"$here/peers-7.3/ported" "$set_dir/all" || status=$?
[ "$status" -ne 77 ] || { echo "1..0 # SKIP ../shared/peer-patches not present"; exit 0; }
[ "$status" -eq 0 ] || exit 1
for name in data-new gcc-static-local-var-6 module new-function new-globals shadow-newpid \
	special-static symvers-disagreement-FAIL syscall; do
	mv "$set_dir/all/$name".* "$set_dir/"
done
mv "$set_dir/all/macro-callbacks.check" "$set_dir/"
awk '/^diff / { skip = index($0, "/drivers/input/misc/pcspkr.c") > 0 } !skip' \
	"$set_dir/all/macro-callbacks.patch" >"$set_dir/macro-callbacks.patch"
rm -r "$set_dir/all"
ln -s "$here/peers-arm64"/* "$set_dir/"
"$here/run" --arch arm64 --expect "$here/expect/arm64" "$set_dir"
