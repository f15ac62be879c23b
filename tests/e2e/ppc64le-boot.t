#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Self-test of the ppc64le end-to-end setup, without klpdiff: the cross-built ppc64le
# kernel (tests/kernel/kernel-tree boot --arch ppc64le, cached) boots on QEMU's pseries
# machine under TCG (tests/e2e/qemu-run --arch ppc64le), and the livepatch sample that
# the kernel build made itself (samples/livepatch/livepatch-sample.ko) loads, patches
# /proc/cmdline, and unpatches again (tests/e2e/selftest-guest.sh). Prints TAP: the
# guest's, after two checks of its own in front.
#
#   tests/e2e/ppc64le-boot.t
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"

[ -z "${KLPDIFF_SKIP_KERNEL:-}" ] || tap_skip_all "KLPDIFF_SKIP_KERNEL set"
tap_ppc64le_kernel || tap_skip_all "$TAP_PPC64LE_SKIP"
tap_skip_if_sanitized "it runs no klpdiff"
command -v powerpc64le-linux-gnu-gcc >/dev/null ||
	tap_skip_all "powerpc64le-linux-gnu-gcc missing: apt-get install gcc-powerpc64le-linux-gnu"
command -v qemu-system-ppc64 >/dev/null ||
	tap_skip_all "qemu-system-ppc64 missing: apt-get install qemu-system-ppc"
"$here/busybox-ppc64le" >/dev/null || tap_skip_all "no ppc64le busybox (see above)"

# The checks in front of the sample's: the guest is the ppc64le kernel, and it has
# livepatch at all.
write_guest_script() {
	cat <<-'EOF'
		. /lib/klpdiff/guest.sh
		check "uname -m is ppc64le" [ "$(uname -m)" = ppc64le ]
		check "/sys/kernel/livepatch exists" [ -d /sys/kernel/livepatch ]
	EOF
	cat "$here/selftest-guest.sh"
}

main() {
	local obj ko
	obj=$("$here/../kernel/kernel-tree" boot --arch ppc64le) || tap_bail "the ppc64le kernel did not build"
	ko=$obj/samples/livepatch/livepatch-sample.ko
	[ -f "$ko" ] || tap_bail "the kernel build made no $ko (CONFIG_SAMPLE_LIVEPATCH=m?)"
	tap_tmpdir
	write_guest_script >"$TAP_TMP/guest.sh"
	# The guest prints the TAP (its plan last); its exit status is ours.
	"$here/qemu-run" --arch ppc64le --kernel "$obj/vmlinux" --module "$ko" \
		--timeout 600 --script "$TAP_TMP/guest.sh"
}

main "$@"
