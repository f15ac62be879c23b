#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Bad input to `klpdiff build` for an installed distribution kernel: each
# case gets one line saying what is wrong and what to do (the package to
# install), exit 2, no module, and nothing written to the cache. The
# installed kernel is a fake one, unpacked under --sysroot, with a dpkg
# database of its own: no kernel build, no apt.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"

[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
command -v dpkg-query >/dev/null || tap_skip_all "dpkg-query is needed (Debian)"
command -v gcc-12 >/dev/null || tap_skip_all "gcc-12 is needed (the fake kernel's compiler)"

tap_tmpdir
d=$TAP_TMP
root=$d/root
release=6.1.0-99-amd64
cc_text=$(gcc-12 --version | head -1)
export KLPDIFF_CACHE=$d/cache

cat >"$d/p.patch" <<'EOF'
--- a/fs/proc/cmdline.c
+++ b/fs/proc/cmdline.c
@@ -1 +1 @@
-x
+y
EOF

# dpkg's status file: the packages the fake system has installed.
installed() {
	local pkg
	mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
	: >"$root/var/lib/dpkg/status"
	while [ $# -gt 1 ]; do
		pkg=$1
		printf 'Package: %s\nStatus: install ok installed\nPriority: optional\nSection: kernel\nMaintainer: x <x@example.org>\nArchitecture: amd64\nVersion: %s\nDescription: fake\n\n' \
			"$pkg" "$2" >>"$root/var/lib/dpkg/status"
		shift 2
	done
}

config() {
	mkdir -p "$root/boot"
	printf '#\n# Automatically generated file; DO NOT EDIT.\n# Linux/x86 6.1.192 Kernel Configuration\n#\nCONFIG_CC_VERSION_TEXT="%s"\nCONFIG_CC_IS_GCC=y\nCONFIG_LIVEPATCH=y\n' \
		"${1:-$cc_text}" >"$root/boot/config-$release"
}

# The whole fake installation; each case then breaks one thing.
full_install() {
	rm -rf "$root" "$KLPDIFF_CACHE"
	config
	mkdir -p "$root/usr/src/linux-headers-$release" "$root/lib/modules/$release" \
		"$root/usr/lib/debug/boot"
	: >"$root/usr/src/linux-headers-$release/Module.symvers"
	: >"$root/boot/vmlinuz-$release"
	: >"$root/lib/modules/$release/modules.dep"
	printf 'ffffffff81000000 T _text\n' >"$d/kallsyms"
	tar -C "$d" -cJf "$root/usr/src/linux-source-6.1.tar.xz" --files-from /dev/null
	installed "linux-image-$release-unsigned" 6.1.192-3 linux-source-6.1 6.1.192-3
}

# expect DESC PATTERN ARGS...: exit 2, one line naming PATTERN, no module, no cache.
expect() {
	local desc=$1 pattern=$2 status=0 lines
	shift 2
	rm -f "$d/out.ko"
	"$KLPDIFF" build --sysroot "$root" -r "$release" -o "$d/out.ko" "$@" "$d/p.patch" \
		>"$d/stdout" 2>"$d/stderr" || status=$?
	lines=$(grep -vc '^klpdiff build: \[' "$d/stderr" || true)
	if [ "$status" -eq 2 ] && [ "$lines" -eq 1 ] && grep -q -- "$pattern" "$d/stderr" &&
		[ ! -e "$d/out.ko" ] && [ ! -e "$KLPDIFF_CACHE" ]; then
		tap_pass "$desc"
	else
		tap_fail "$desc"
		tap_diag "exit $status, $lines error lines, want 2 and 1 matching '$pattern'; cache: $(ls "$KLPDIFF_CACHE" 2>&1)"
		tap_diag <"$d/stderr"
	fi
}

full_install
rm "$root/boot/config-$release"
expect "release not installed" "apt install linux-image-$release" --kallsyms "$d/kallsyms"

full_install
rm -r "$root/usr/src/linux-headers-$release"
expect "headers missing" "apt install linux-headers-$release" --kallsyms "$d/kallsyms"

full_install
expect "no symbols for vmlinux" "apt install linux-image-$release-dbg"

full_install
config "gcc-99 (GCC) 99.1.0"
expect "compiler not installed" "apt install gcc-99" --kallsyms "$d/kallsyms"

# A Debian gcc comes from a toolchain root (tests/build/toolchain-root.t);
# with no suite to search for it, nothing is downloaded.
full_install
config "gcc-99 (Debian 99.1.0-1) 99.1.0"
KLPDIFF_TOOLCHAIN_SUITES= expect "Debian compiler, no suite to search" \
	"names no Debian suite to find gcc-99 99.1.0-1" --kallsyms "$d/kallsyms"

full_install
config "$cc_text-other"
expect "another compiler version" "install that compiler" --kallsyms "$d/kallsyms"

full_install
installed "linux-image-$release-unsigned" 6.1.192-3 linux-source-6.1 6.1.190-1
expect "source of another Debian version" "apt install linux-source-6.1=6.1.192-3" \
	--kallsyms "$d/kallsyms"

full_install
rm "$root/usr/src/linux-source-6.1.tar.xz"
expect "source missing" "apt install linux-source-6.1=6.1.192-3" --kallsyms "$d/kallsyms"

full_install
mkdir -p "$d/src"
printf 'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 190\n' >"$d/src/Makefile"
expect "-s tree of another version" "is Linux 6.1.190, but $release is 6.1.192" \
	--kallsyms "$d/kallsyms" -s "$d/src"

full_install
installed linux-source-6.1 6.1.192-3
expect "image unknown to dpkg" "cannot tell its Debian version" --kallsyms "$d/kallsyms"

full_install
sed -i '/LIVEPATCH/d' "$root/boot/config-$release"
expect "kernel without livepatch" "without CONFIG_LIVEPATCH" --kallsyms "$d/kallsyms"

# 7.x's packages: config, System.map and image in /usr/lib/modules/RELEASE, nothing in /boot.
full_install7() {
	full_install
	mkdir -p "$root/usr/lib/modules/$release"
	mv "$root/boot/config-$release" "$root/usr/lib/modules/$release/config"
	mv "$root/boot/vmlinuz-$release" "$root/usr/lib/modules/$release/vmlinuz"
	rm -r "$root/boot" "$root/lib/modules/$release"
	: >"$root/usr/lib/modules/$release/modules.order"
	echo "ffffffffffffffff B The real System.map is in the linux-image-$release-dbg package" \
		>"$root/usr/lib/modules/$release/System.map"
	installed "linux-binary-$release" 6.1.192-3 linux-source-6.1 6.1.192-3
}

full_install7
expect "7.x layout: found, and its System.map stub is no symbol table" \
	"apt install linux-image-$release-dbg"

full_install7
rm "$root/usr/lib/modules/$release/vmlinuz"
expect "7.x layout: image missing" "vmlinuz: missing: apt install linux-image-$release" \
	--kallsyms "$d/kallsyms"

# A System.map that is a real symbol table gives vmlinux's symbols: the
# build goes on to the source (of another version here).
full_install7
for i in $(seq 4000); do printf 'ffffffff81%06x t sym_%d\n' "$i" "$i"; done \
	>"$root/usr/lib/modules/$release/System.map"
expect "a real System.map: symbols from it" "is Linux 6.1.190, but $release is 6.1.192" -s "$d/src"

tap_done
