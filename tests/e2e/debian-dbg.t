#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The -dbg path of `klpdiff build -r RELEASE` on Debian's own kernel: vmlinux's
# symbols from linux-image-RELEASE-dbg, where the package puts them
# (/usr/lib/debug/boot/vmlinux-RELEASE, seen through --sysroot: the package's
# 5 GB of module debug files are not unpacked), not from --kallsyms. Each
# module must be byte for byte the one built from kallsyms, and load and pass
# its checks in Debian's kernel booted in QEMU. The patches: consoles-sympos
# replaces a function whose name three units of vmlinux define (c_start,
# sympos 2), where kallsyms (same-named locals told apart by their
# neighbours) and the -dbg vmlinux (FILE symbols) could disagree; the peer
# patch special-static (when ../shared is there), whose copy_process() refers
# to clones that other units have too (__refcount_add.constprop.0 sympos 1,
# mod_lruvec_page_state.constprop.0 sympos 2); and cmdline, the smallest.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
peers=$here/../../../shared/peer-patches/kpatch-linux-6.2.0
. "$here/../lib/tap.sh"

[ -n "${KLPDIFF_SKIP_KERNEL:-}" ] && tap_skip_all "KLPDIFF_SKIP_KERNEL set"
tap_skip_if_sanitized "the Debian e2e tests run in the plain pass only"
command -v apt-get >/dev/null || tap_skip_all "not a Debian system (no apt-get)"
command -v qemu-system-x86_64 >/dev/null || tap_skip_all "qemu-system-x86_64 not installed"

tap_tmpdir
patches=$TAP_TMP/patches
mkdir -p "$patches"
# pick DIR NAME...: X.patch and X.check of DIR, where present.
pick() {
	local dir=$1 name f
	shift
	for name in "$@"; do
		for f in "$dir/$name.patch" "$dir/$name.check"; do
			[ -f "$f" ] && ln -s "$f" "$patches/"
		done
	done
	return 0
}
pick "$here/patches" cmdline consoles-sympos
if [ -d "$peers" ]; then
	pick "$peers" special-static
else
	echo "# ../shared/peer-patches not present: special-static left out"
fi
# Not exec: the EXIT trap removes $TAP_TMP.
status=0
KLPDIFF=${KLPDIFF:-$here/../../klpdiff} "$here/run" --debian auto --dbg \
	--expect "$here/expect/debian-6.1" "$patches" || status=$?
exit "$status"
