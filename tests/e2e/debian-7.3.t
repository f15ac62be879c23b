#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Linux 7.3 from trixie-backports, on this Debian 12 host: the newest
# linux-image-7.3.N+deb13-cloud-amd64 with a linux-source-7.3 of its version
# (tests/lib/debian-archive.sh), not installed here. tests/e2e/run --archive
# builds each patch with `klpdiff build -r RELEASE --dbg` (the packages in
# klpdiff's cache, trixie's gcc-14 in its toolchain root: the prepared tree
# comes from the headers packages, so no Rust toolchain is needed),
# with exactly the changes in expect/debian-7.3, then boots the downloaded
# image in QEMU and loads, checks and disables each module; the -FAIL ones
# must be refused. The own patches that apply to 7.3 as they are
# (patches-6.12: cmdline and consoles-sympos in vmlinux, the -FAIL ones
# with the IBT refusals of module xfs and of vmlinux), patches-7.3/xfs-stats
# (module xfs prints one more stats line) and, with ../shared/peer-patches,
# the peer patches that apply: data-new, gcc-static-local-var-6, new-globals,
# shadow-newpid, syscall, warn-detect-FAIL (its check of kvm.ko maps
# kvm_arch_vcpu_ioctl.cold's jump back into its padded parent), module (made
# for 7.x at run time: the memcg key's new name, no slow_down_io) and
# new-function (6.6's const u8 *), as debian-6.12.t does. Not here:
# macro-callbacks (modules the cloud flavour does not build), special-static,
# symvers-disagreement-FAIL (do not apply),
# patches-debian-13/tcp-bbr (no check a guest can observe).
# Costs (2 cores, a busy machine): from an empty cache 15 minutes (measured
# at load average 17 to 19: packages, the gcc-14 root, unpacking, 116 checks
# in QEMU; with the Rust root and make prepare it was about 25), warm
# 6 minutes (5.7 measured with KVM; the guest part on TCG took 29 s): in
# make check by default since the prepared tree comes from the headers
# (CI's from-scratch time is in the session notes); KLPDIFF_NO_DEBIAN_7=1
# leaves it out.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/debian-archive.sh"

[ -z "${KLPDIFF_NO_DEBIAN_7:-}" ] || tap_skip_all "KLPDIFF_NO_DEBIAN_7 set"
[ -z "${KLPDIFF_SKIP_KERNEL:-}" ] || tap_skip_all "KLPDIFF_SKIP_KERNEL set"
tap_skip_if_sanitized "the Debian e2e tests run in the plain pass only"
command -v qemu-system-x86_64 >/dev/null || tap_skip_all "qemu-system-x86_64 not installed"
command -v mmdebstrap >/dev/null || tap_skip_all "mmdebstrap is needed for the toolchain root (scripts/setup)"
[ "$(dpkg --print-architecture 2>/dev/null)" = amd64 ] || tap_skip_all "an amd64 Debian machine is needed"

release=${KLPDIFF_73_RELEASE:-}
if [ -z "$release" ]; then
	release=$(debian_newest_release trixie-backports 7.3 cloud-amd64) ||
		tap_skip_all "Debian's archive (trixie-backports) is unreachable from here"
fi
[ -n "$release" ] || tap_skip_all "trixie-backports has no linux-image-7.3.N+deb13-cloud-amd64 with its linux-source-7.3"

set73=$(mktemp -d "${TMPDIR:-/tmp}/klpdiff-7.3.XXXXXX")
trap 'rm -rf "$set73"' EXIT
for name in cmdline consoles-sympos asm-FAIL ibt-sealed-FAIL ibt-sealed-module-FAIL \
	match-int-notrace-FAIL unbuilt-FAIL; do
	ln -s "$here/patches-6.12/$name".* "$set73/"
done
ln -s "$here/patches-7.3/xfs-stats".* "$set73/"
peers=$here/../../../shared/peer-patches/kpatch-linux-6.2.0
if [ -d "$peers" ]; then
	for name in data-new gcc-static-local-var-6 new-globals shadow-newpid syscall warn-detect-FAIL; do
		ln -s "$peers/$name".* "$set73/"
	done
	# Ported to 7.x as linux-7.3-peer.t ports them.
	for name in module new-function; do
		sed -f "$here/peers-7.3/port.sed" "$peers/$name.patch" >"$set73/$name.patch"
	done
	ln -s "$peers/module.check" "$set73/"
else
	echo "# the peer patches on 7.3 are skipped: ../shared/peer-patches is not present"
fi
echo "# Linux 7.3: $release (trixie-backports)"
"$here/run" --archive "$release" --expect "$here/expect/debian-7.3" "$set73"
