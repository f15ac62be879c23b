#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Self-test of the end-to-end setup: can the e2e kernel boot under tests/e2e/qemu-run and
# run a live patch at all? Builds the kernel's own samples/livepatch/livepatch-sample.c
# out of tree against the cached boot kernel, boots it, enables and disables the patch
# and checks /proc/cmdline follows (tests/e2e/selftest-guest.sh). Prints TAP; exits 0
# only if every test passes.
#
#   tests/e2e/selftest-boot
#
# The kernel comes from `tests/kernel/kernel-tree boot` (built on first use, cached).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
tmp=''

cleanup() {
	[ -z "$tmp" ] || rm -rf "$tmp"
}

# Build livepatch-sample.ko in $tmp/mod against the kernel build in $1. Same compiler as
# the kernel (kernel-tree's default, gcc); modpost takes the symbol CRCs from the
# Module.symvers that the kernel build left in the O= dir.
build_sample_module() {
	local obj=$1
	mkdir -p "$tmp/mod"
	cp "$obj/source/samples/livepatch/livepatch-sample.c" "$tmp/mod/"
	echo 'obj-m += livepatch-sample.o' >"$tmp/mod/Kbuild"
	if ! make -s -C "$obj" M="$tmp/mod" -j"$(nproc)" modules >"$tmp/mod/build.log" 2>&1; then
		sed 's/^/# /' "$tmp/mod/build.log"
		echo "Bail out! building livepatch-sample.ko failed"
		exit 1
	fi
}

main() {
	local obj
	obj=$("$here/../kernel/kernel-tree" boot)
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/klpdiff-selftest.XXXXXX")
	trap cleanup EXIT
	build_sample_module "$obj"
	"$here/qemu-run" --kernel "$obj/arch/x86/boot/bzImage" \
		--module "$tmp/mod/livepatch-sample.ko" --script "$here/selftest-guest.sh"
}

main "$@"
