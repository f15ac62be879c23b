#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Debian 13's kernel from this Debian 12 machine, as its users get it: trixie's
# newest Linux 6.12 cloud kernel (linux-image-6.12.N+deb13-cloud-amd64 whose
# headers and linux-source-6.12 of the same version trixie(-security) has:
# tests/e2e/debian-kernel archive-release), which is not installed here and was
# built by trixie's gcc-14, which Debian 12 has not got. The e2e runner's
# --archive mode builds each patch with `klpdiff build -r RELEASE --dbg`:
# klpdiff downloads the packages (and the -dbg package's vmlinux symbols) into
# its cache, makes the gcc-14 toolchain root once and compiles there, and the
# guest boots the image from that cache with the modules the patches and checks
# need from there. The set is tests/e2e/peer-set-6.12's (the own 6.12 patches,
# and with ../shared/peer-patches the peer patches), each built with exactly
# the changes in expect/debian-13, loaded, its check failing before and
# passing after (xfs-trace and module patch module xfs, loaded before and after
# it), disabled; the -FAIL ones refused. From an empty cache: about 525 MB of
# downloads, a 1-minute root, the prepared tree copied from the headers (seconds).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"

[ -z "${KLPDIFF_SKIP_KERNEL:-}" ] || tap_skip_all "KLPDIFF_SKIP_KERNEL set"
tap_skip_if_sanitized "the toolchain root and Debian 13's kernel"
command -v qemu-system-x86_64 >/dev/null || tap_skip_all "qemu-system-x86_64 not installed"
command -v mmdebstrap >/dev/null || tap_skip_all "mmdebstrap is needed (scripts/setup)"
[ "$(dpkg --print-architecture)" = amd64 ] || tap_skip_all "an amd64 machine is needed"

release=$("$here/debian-kernel" archive-release 2>"${TMPDIR:-/tmp}/debian-13-release.$$") || {
	why=$(cat "${TMPDIR:-/tmp}/debian-13-release.$$")
	rm -f "${TMPDIR:-/tmp}/debian-13-release.$$"
	tap_skip_all "no trixie 6.12 release to test: ${why#debian-kernel: }"
}
rm -f "${TMPDIR:-/tmp}/debian-13-release.$$"
echo "# Debian 13's newest 6.12 cloud kernel: $release"
tap_tmpdir
"$here/peer-set-6.12" "$TAP_TMP" 2>&1 | sed 's/^peer-set-6.12: /# /' || true
"$here/run" --archive "$release" --expect "$here/expect/debian-13" "$TAP_TMP"
