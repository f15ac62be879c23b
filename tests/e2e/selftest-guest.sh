# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=dash
# The guest side of the boot self-tests (selftest-boot.t, debian-selftest.t): load the
# kernel's livepatch sample from /modules, see /proc/cmdline follow it, disable and
# remove it. TAP over the serial console, the plan last (a caller may prepend checks).
# shellcheck source=tests/e2e/guest.sh
. /lib/klpdiff/guest.sh
lp=/sys/kernel/livepatch/livepatch_sample

# shellcheck disable=SC2317 # called through check
cmdline_is() {
	got=$(cat /proc/cmdline)
	[ "$got" = "$1" ] && return 0
	echo "# /proc/cmdline: '$got', expected '$1'"
	return 1
}

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

echo "1..$n"
if [ "$fails" -ne 0 ]; then
	echo "# kernel log:"
	dmesg | sed 's/^/# /'
	exit 1
fi
exit 0
