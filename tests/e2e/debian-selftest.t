#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Self-test of the Debian side of the end-to-end setup, without klpdiff: Debian's own
# kernel (tests/e2e/debian-kernel release, installed when missing) boots under
# tests/e2e/qemu-run, the cached /proc/kallsyms has the addresses of a nokaslr boot,
# modprobe finds a module and its dependencies, and the kernel's livepatch sample built
# against Debian's headers loads, patches /proc/cmdline and unloads
# (tests/e2e/selftest-guest.sh). Prints TAP.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dk=$here/debian-kernel
tmp=''

[ -n "${KLPDIFF_SKIP_KERNEL:-}" ] && { echo "1..0 # SKIP KLPDIFF_SKIP_KERNEL set"; exit 0; }
command -v apt-cache >/dev/null || { echo "1..0 # SKIP not a Debian system (no apt-cache)"; exit 0; }
command -v qemu-system-x86_64 >/dev/null || { echo "1..0 # SKIP qemu-system-x86_64 not installed"; exit 0; }

bail() {
	echo "Bail out! $*"
	exit 1
}

cleanup() {
	[ -z "$tmp" ] || rm -rf "$tmp"
}

# The guest checks before the sample's: the symbol address the cached kallsyms has (this
# boot is nokaslr too), and modprobe of xfs with its dependency libcrc32c.
write_guest_script() {
	local kallsyms=$1 addr
	addr=$(awk '$3 == "cmdline_proc_show" { print $1; exit }' "$kallsyms")
	{
		echo '. /lib/klpdiff/guest.sh'
		echo "check 'kallsyms: cmdline_proc_show at $addr, as cached' \\"
		echo "	grep -q '^$addr [tT] cmdline_proc_show\$' /proc/kallsyms"
		echo "check 'modprobe xfs' modprobe xfs"
		echo "check 'xfs and libcrc32c are loaded' sh -c 'grep -q \"^xfs \" /proc/modules && grep -q \"^libcrc32c \" /proc/modules'"
		cat "$here/selftest-guest.sh"
	} >"$tmp/guest.sh"
}

main() {
	local release kallsyms
	release=$("$dk" release) || bail "no Debian 6.1 release"
	"$dk" install "$release" | sed 's/^/# /'
	[ "${PIPESTATUS[0]}" = 0 ] || bail "cannot install $release"
	kallsyms=$("$dk" kallsyms "$release") || bail "no /proc/kallsyms of $release"
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/klpdiff-debian-selftest.XXXXXX")
	trap cleanup EXIT
	"$dk" sample "$release" "$tmp/mod" || bail "cannot build the livepatch sample"
	"$dk" module-tree "$release" "$tmp/tree" xfs || bail "cannot gather xfs"
	write_guest_script "$kallsyms"
	"$here/qemu-run" --kernel "/boot/vmlinuz-$release" --append nokaslr \
		--module "$tmp/mod/livepatch-sample.ko" --file "$tmp/tree/lib/modules:/lib/modules" \
		--script "$tmp/guest.sh"
}

main "$@"
