# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# What the e2e tests of Debian's 6.1 kernels from Debian's archive need
# (tests/e2e/debian-archive.t, debian-releases.t): skip the whole test,
# saying why, when this machine has not got it or the archive is unreachable.
debian_archive_needs() {
	[ -n "${KLPDIFF_SKIP_KERNEL:-}" ] && tap_skip_all "KLPDIFF_SKIP_KERNEL set"
	tap_skip_if_sanitized "the Debian e2e tests run in the plain pass only"
	command -v apt-cache >/dev/null || tap_skip_all "not a Debian system (no apt-cache)"
	command -v qemu-system-x86_64 >/dev/null || tap_skip_all "qemu-system-x86_64 not installed"
	command -v gcc-12 >/dev/null ||
		tap_skip_all "gcc-12 (Debian 12's, which built Debian's 6.1) is needed"

	local mirror=${KLPDIFF_DEBIAN_MIRROR:-http://deb.debian.org/debian} host port=80
	host=$(sed -E 's|^[a-z]+://([^/:]+).*|\1|' <<<"$mirror")
	[[ $mirror == https:* ]] && port=443
	timeout 20 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null ||
		tap_skip_all "Debian's archive ($mirror) is unreachable from here"
}
