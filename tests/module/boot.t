#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A module from `klpdiff module` in a booted Linux 6.1 (tests/e2e/qemu-run):
# the hand-made patch object cmdline_patch.c replaces cmdline_proc_show() with
# a function that reads the unexported saved_command_line and calls the
# static version_proc_show() through livepatch relocations. /proc/cmdline
# must change when the patch is enabled and come back when it is disabled. Its
# post_patch callback for the pcspkr module, loaded after the patch, reads a
# static variable of pcspkr through a module livepatch relocation.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/module/lib.sh
. "$here/lib.sh"

[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
command -v qemu-system-x86_64 >/dev/null || tap_skip_all "qemu-system-x86_64 not installed"
kbuild=$(module_kernel_build)
tap_tmpdir
tmp=$TAP_TMP

# What the livepatch relocations name must be in the booted kernel, once each
# (sympos 0), and not exported: else a normal relocation would do.
for sym in saved_command_line version_proc_show cmdline_proc_show; do
	tap_is "$(nm "$kbuild/vmlinux" | awk -v s="$sym" '$3 == s' | wc -l)" 1 \
		"vmlinux has one $sym"
	tap_is "$(awk -v s="$sym" '$2 == s' "$kbuild/Module.symvers" | wc -l)" 0 \
		"$sym is not exported"
done

pcspkr=$kbuild/drivers/input/misc/pcspkr.ko
tap_is "$(nm "$pcspkr" | awk '$3 == "pcspkr_platform_driver" { print $2 }')" d \
	"pcspkr.ko has a static pcspkr_platform_driver"

build_cmdline_patch "$kbuild" "$tmp/patch" || tap_bail "cannot compile cmdline_patch.c"
tap_ok "klpdiff module builds lp_cmdline.ko" "$KLPDIFF" module -o "$tmp/lp_cmdline.ko" \
	--kernel-build "$kbuild" "$tmp/patch/patch.o"
[ -f "$tmp/lp_cmdline.ko" ] || tap_bail "no module to boot with"

# The guest reports each check as a TAP line (tests/e2e/guest.sh), numbered anew here.
cat >"$tmp/guest.sh" <<'GUEST'
. /lib/klpdiff/guest.sh
lp=/sys/kernel/livepatch/lp_cmdline

is() {
	[ "$1" = "$2" ] && return 0
	echo "# got '$1', expected '$2'"
	return 1
}

orig=$(cat /proc/cmdline)
version=$(cat /proc/version)
check "insmod lp_cmdline.ko" insmod /modules/lp_cmdline.ko
check "the patch is enabled" is "$(cat $lp/enabled 2>/dev/null)" 1
check "the patch replaces vmlinux's cmdline_proc_show" test -d "$lp/vmlinux/cmdline_proc_show,1"
check "transition to patched completes" wait_transition lp_cmdline 30
check "/proc/cmdline prints saved_command_line through a PC32 livepatch relocation" \
	is "$(head -n 1 /proc/cmdline)" "klpdiff: $orig"
check "then /proc/version through version_proc_show, reached by an R_X86_64_64 one" \
	is "$(tail -n +2 /proc/cmdline)" "$version"
check "pcspkr is not loaded yet" is "$(grep -c '^pcspkr ' /proc/modules)" 0
check "insmod pcspkr.ko after the patch" insmod /modules/pcspkr.ko
check "the pcspkr object is patched" is "$(cat $lp/pcspkr/patched 2>/dev/null)" 1
check "the pcspkr post_patch callback read pcspkr's static driver through a .klp.rela.pcspkr relocation" \
	sh -c "dmesg | grep -q 'klpdiff-test: pcspkr post_patch: driver pcspkr\$'"
check "rmmod pcspkr" rmmod pcspkr
check "disable the patch" sh -c "echo 0 > $lp/enabled"
check "transition to unpatched completes" wait_transition lp_cmdline 30
check "/proc/cmdline is back to the original" is "$(cat /proc/cmdline)" "$orig"
check "rmmod lp_cmdline" rmmod lp_cmdline
if [ $fails -ne 0 ]; then
	echo "# kernel log:"
	dmesg | tail -n 30 | sed 's/^/# /'
fi
exit $fails
GUEST

status=0
"$here/../e2e/qemu-run" --kernel "$kbuild/arch/x86/boot/bzImage" --module "$tmp/lp_cmdline.ko" \
	--module "$pcspkr" \
	--timeout 300 --script "$tmp/guest.sh" >"$tmp/guest.out" 2>"$tmp/qemu.err" || status=$?
tap_relay_guest "$tmp/guest.out" 15 "$status" "$tmp/qemu.err"
tap_done
