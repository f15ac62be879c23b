# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the tests of `klpdiff module`. Source after tests/lib/tap.sh.

# module_kernel_build: the O= dir of the e2e boot kernel (built on first use,
# cached), or skip every test when kernel tests are turned off.
module_kernel_build()
{
	[ -z "${KLPDIFF_SKIP_KERNEL:-}" ] || tap_skip_all "KLPDIFF_SKIP_KERNEL set"
	"$(dirname "${BASH_SOURCE[0]}")/../kernel/kernel-tree" boot ||
		tap_bail "cannot build the e2e kernel"
}

# build_cmdline_patch KBUILD DIR: compile cmdline_patch.c as module code for
# the kernel in KBUILD (kbuild's single-object target: no modpost, no .ko) and
# add the manifest; the patch object is DIR/patch.o.
build_cmdline_patch()
{
	local kbuild=$1 dir=$2

	mkdir -p "$dir"
	cp "$(dirname "${BASH_SOURCE[0]}")/cmdline_patch.c" "$dir/"
	echo 'obj-m := cmdline_patch.o' >"$dir/Kbuild"
	if ! make -C "$kbuild" M="$dir" cmdline_patch.o >"$dir/build.log" 2>&1; then
		tap_diag <"$dir/build.log"
		return 1
	fi
	printf '%s\n' "func vmlinux cmdline_proc_show 0 cmdline_proc_show.klpdiff" \
		"callback pcspkr post_patch klpdiff_test_pcspkr_post_patch" >"$dir/manifest"
	objcopy --add-section .klpdiff.manifest="$dir/manifest" "$dir/cmdline_patch.o" \
		"$dir/patch.o"
}
