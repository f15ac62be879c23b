#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Self-test of the end-to-end setup: can the e2e kernel boot under tests/e2e/qemu-run and
# run a live patch at all? Builds the kernel's own samples/livepatch/livepatch-sample.c
# out of tree against the cached boot kernel, boots it, enables and disables the patch
# and checks /proc/cmdline follows. Prints TAP; exits 0 only if every test passes.
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

# The guest side: TAP over the serial console.
write_guest_script() {
	cat >"$tmp/guest.sh" <<'EOF'
. /lib/klpdiff/guest.sh
lp=/sys/kernel/livepatch/livepatch_sample

cmdline_is() {
	got=$(cat /proc/cmdline)
	[ "$got" = "$1" ] && return 0
	echo "# /proc/cmdline: '$got', expected '$1'"
	return 1
}

echo 1..9
orig=$(cat /proc/cmdline)
check "/proc/cmdline reads before patching" [ -n "$orig" ]
check "insmod livepatch-sample.ko" insmod /modules/livepatch-sample.ko
check "$lp appears, enabled" [ "$(cat $lp/enabled 2>/dev/null)" = 1 ]
check "/proc/cmdline is live patched" cmdline_is "this has been live patched"
check "transition to patched completes" wait_transition livepatch_sample 30
check "disable the patch" sh -c "echo 0 > $lp/enabled"
check "transition to unpatched completes" wait_transition livepatch_sample 30
check "/proc/cmdline back to the original" cmdline_is "$orig"
check "rmmod livepatch-sample" rmmod livepatch_sample

if [ $fails -ne 0 ]; then
	echo "# kernel log:"
	dmesg | sed 's/^/# /'
	exit 1
fi
exit 0
EOF
}

main() {
	local obj
	obj=$("$here/../kernel/kernel-tree" boot)
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/klpdiff-selftest.XXXXXX")
	trap cleanup EXIT
	build_sample_module "$obj"
	write_guest_script
	"$here/qemu-run" --kernel "$obj/arch/x86/boot/bzImage" \
		--module "$tmp/mod/livepatch-sample.ko" --script "$tmp/guest.sh"
}

main "$@"
