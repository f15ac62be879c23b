#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The peer patches that touch what Debian's cloud flavour of Linux 6.12 does not
# build, on its generic flavour (linux-image-6.12.N+deb12-amd64, the version
# debian-6.12.t uses for the cloud one): macro-callbacks (joydev and pcspkr,
# modules, and fs/aio.c, with callbacks for each object: built with exactly
# the changes in expect/debian-6.12/macro-callbacks.diff, loaded, its check
# passing, disabled) and symvers-disagreement-FAIL (USB; made for 6.12 at run
# time: other lines follow core.c's includes there), which on 6.12 changes no
# code, only CRCs, so "no functional change". Needs ../shared/peer-patches
# (one more Debian kernel and prepared tree: about 2 minutes from scratch).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

[ -n "${KLPDIFF_SKIP_KERNEL:-}" ] && { echo "1..0 # SKIP KLPDIFF_SKIP_KERNEL set"; exit 0; }
[ -n "${KLPDIFF_SANITIZED:-}" ] &&
	{ echo "1..0 # SKIP sanitizer pass: the plain pass ran it (CI time)"; exit 0; }
peers=$here/../../../shared/peer-patches/kpatch-linux-6.2.0
if [ ! -d "$peers" ]; then
	echo "1..0 # SKIP ../shared/peer-patches not present"
	exit 0
fi
command -v apt-cache >/dev/null || { echo "1..0 # SKIP not a Debian system (no apt-cache)"; exit 0; }
command -v qemu-system-x86_64 >/dev/null || { echo "1..0 # SKIP qemu-system-x86_64 not installed"; exit 0; }
cloud=$("$here/debian-kernel" release 6.12 2>/dev/null) ||
	{ echo "1..0 # SKIP apt knows no linux-image-6.12.N+deb12 with its linux-source-6.12"; exit 0; }
release=${cloud/-cloud-amd64/-amd64}
set6=$(mktemp -d "${TMPDIR:-/tmp}/klpdiff-peers-6.12g.XXXXXX")
trap 'rm -rf "$set6"' EXIT
ln -s "$peers/macro-callbacks".* "$set6/"
sed -e 's|^ #ifdef CONFIG_SYSFS_DEPRECATED$| /* Device links support. */|' \
	-e 's|^ #ifdef CONFIG_SYSFS_DEPRECATED_V2$| static LIST_HEAD(deferred_sync);|' \
	-e 's|^ long sysfs_deprecated = 1;$| static unsigned int defer_sync_state_count = 1;|' \
	"$peers/symvers-disagreement-FAIL.patch" >"$set6/symvers-disagreement-FAIL.patch"
"$here/run" --debian "$release" --expect "$here/expect/debian-6.12" "$set6"
