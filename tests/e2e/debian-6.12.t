#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A second kernel line: Debian's Linux 6.12 (bookworm-security's backport, the
# cloud flavour: IBT, call padding, call-depth tracking, static calls), the
# newest release with a linux-source-6.12 of its version, installed when
# missing. The project's own patches remade for 6.12 where 6.1's no longer
# apply (tests/e2e/patches-6.12: consoles-sympos, xfs-trace), each built with
# exactly the changes in expect/debian-6.12, loaded into the booted kernel,
# checked and disabled; the -FAIL ones refused, ibt-sealed-FAIL and
# ibt-sealed-module-FAIL for the reason in their .reason files (a function
# pointer to a function whose ENDBR the kernel sealed at boot, or xfs.ko's
# seal list has the module loader seal: IBT). With ../shared/peer-patches
# (else they skip, saying so), the peer patches that apply to 6.12 too (the
# set is tests/e2e/peer-set-6.12's); macro-callbacks (joydev, pcspkr) and
# symvers-disagreement-FAIL (USB) touch what the cloud flavour does not build:
# debian-6.12-generic.t runs them on the generic one.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

[ -n "${KLPDIFF_SKIP_KERNEL:-}" ] && { echo "1..0 # SKIP KLPDIFF_SKIP_KERNEL set"; exit 0; }
[ -n "${KLPDIFF_SANITIZED:-}" ] &&
	{ echo "1..0 # SKIP sanitizer pass: the plain pass ran it (CI time)"; exit 0; }
command -v apt-cache >/dev/null || { echo "1..0 # SKIP not a Debian system (no apt-cache)"; exit 0; }
command -v qemu-system-x86_64 >/dev/null || { echo "1..0 # SKIP qemu-system-x86_64 not installed"; exit 0; }

# bookworm-security has the 6.12 backport; an archive without it cannot run this.
release=$("$here/debian-kernel" release 6.12 2>/dev/null) ||
	{ echo "1..0 # SKIP apt knows no linux-image-6.12.N+deb12 with its linux-source-6.12"; exit 0; }
set6=$(mktemp -d "${TMPDIR:-/tmp}/klpdiff-peers-6.12.XXXXXX")
trap 'rm -rf "$set6"' EXIT
"$here/peer-set-6.12" "$set6" 2>&1 | sed 's/^peer-set-6.12: /# /' || true
"$here/run" --debian "$release" --expect "$here/expect/debian-6.12" "$set6"
