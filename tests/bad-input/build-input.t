#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Bad input to `klpdiff build` is found before any work: a PATCH that is not
# a patch, a --kallsyms FILE that is not a kallsyms listing. Each gets one
# line naming the file, exit 2, no module, and nothing written to the cache
# (no work directory, no unpacked source). The kernels are fake ones: a
# configured "build" (-O) with an empty vmlinux, and an installed kernel
# unpacked under --sysroot with a dpkg database of its own.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"

[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
[ "$(uname -m)" = x86_64 ] || tap_skip_all "the fake kernels are x86_64 ones"

tap_tmpdir
d=$TAP_TMP
export KLPDIFF_CACHE=$d/cache

cat >"$d/p.patch" <<'EOF'
--- a/fs/proc/cmdline.c
+++ b/fs/proc/cmdline.c
@@ -1 +1 @@
-x
+y
EOF
printf 'This is not a patch.\nIt has no file headers.\n' >"$d/not.patch"
printf 'ffffffff81000000 T _text\n' >"$d/kallsyms"
printf 'x\x01\x02 garbage\n\x7f\x00 more garbage\n' >"$d/garbage-kallsyms"

# A configured and built kernel of a version klpdiff knows, as far as files
# go, with its source tree beside it.
src=$d/src
kb=$d/kbuild
mkdir -p "$src/include/linux" "$kb/include/config"
printf 'int klp_enable_patch(struct klp_patch *);\n' >"$src/include/linux/livepatch.h"
printf 'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 192\n' >"$src/Makefile"
printf '#\n# Linux/x86 6.1.192 Kernel Configuration\n#\nCONFIG_CC_IS_GCC=y\nCONFIG_X86_64=y\nCONFIG_LIVEPATCH=y\n' \
	>"$kb/.config"
printf '6.1.192\n' >"$kb/include/config/kernel.release"
: >"$kb/vmlinux"
: >"$kb/Module.symvers"

# An installed kernel (see installed-kernel.t), complete but for the headers'
# build files, which no case here gets to.
root=$d/root
release=6.1.0-99-amd64
if command -v dpkg-query >/dev/null && command -v gcc-12 >/dev/null; then
	mkdir -p "$root/boot" "$root/usr/src/linux-headers-$release" "$root/lib/modules/$release" \
		"$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
	printf '#\n# Linux/x86 6.1.192 Kernel Configuration\n#\nCONFIG_CC_VERSION_TEXT="%s"\nCONFIG_CC_IS_GCC=y\nCONFIG_LIVEPATCH=y\n' \
		"$(gcc-12 --version | head -1)" >"$root/boot/config-$release"
	: >"$root/usr/src/linux-headers-$release/Module.symvers"
	: >"$root/boot/vmlinuz-$release"
	: >"$root/lib/modules/$release/modules.dep"
	tar -C "$d" -cJf "$root/usr/src/linux-source-6.1.tar.xz" --files-from /dev/null
	for pkg in "linux-image-$release-unsigned" linux-source-6.1; do
		printf 'Package: %s\nStatus: install ok installed\nPriority: optional\nSection: kernel\nMaintainer: x <x@example.org>\nArchitecture: amd64\nVersion: 6.1.192-3\nDescription: fake\n\n' \
			"$pkg" >>"$root/var/lib/dpkg/status"
	done
	have_installed=1
else
	have_installed=
fi

# expect DESC FILE PATTERN ARGS...: exit 2, one line "klpdiff: FILE: ..."
# matching PATTERN, no module, no cache.
expect() {
	local desc=$1 file=$2 pattern=$3 status=0 lines
	shift 3
	rm -rf "$d/out.ko" "$KLPDIFF_CACHE"
	"$KLPDIFF" build -o "$d/out.ko" "$@" >"$d/stdout" 2>"$d/stderr" || status=$?
	lines=$(grep -vc '^klpdiff build: \[' "$d/stderr" || true)
	if [ "$status" -eq 2 ] && [ "$lines" -eq 1 ] && grep -q "^klpdiff: $file: .*$pattern" "$d/stderr" &&
		[ ! -s "$d/stdout" ] && [ ! -e "$d/out.ko" ] && [ ! -e "$KLPDIFF_CACHE" ]; then
		tap_pass "$desc"
	else
		tap_fail "$desc"
		tap_diag "exit $status, $lines error lines, want 2 and 1: 'klpdiff: $file: ...$pattern'; cache: $(ls -R "$KLPDIFF_CACHE" 2>&1 | head -5)"
		tap_diag <"$d/stderr"
	fi
}

expect "-O: a file that is not a patch" "$d/not.patch" "not a patch" \
	-s "$src" -O "$kb" "$d/not.patch"
expect "-O: the second of two patches is not one" "$d/not.patch" "not a patch" \
	-s "$src" -O "$kb" "$d/p.patch" "$d/not.patch"
expect "-O: a patch that is not there" "$d/missing.patch" "cannot read the patch" \
	-s "$src" -O "$kb" "$d/missing.patch"
expect "-O: the output's directory does not exist" "$d/nodir/out.ko" "cannot write in" \
	-s "$src" -O "$kb" -o "$d/nodir/out.ko" "$d/p.patch"
expect "-O: vmlinux is no ELF file" "$kb/vmlinux" "" -s "$src" -O "$kb" "$d/p.patch"
printf 'fs/proc/cmdline.o\n' >"$d/units"
expect "--check-units: a list that is not there" "$d/missing-units" "cannot read" \
	-s "$src" -O "$kb" --check-units "$d/missing-units"
expect "--check-units: makes no module (-o given)" "$d/units" "makes no module" \
	-s "$src" -O "$kb" --check-units "$d/units"
# What a recompile cannot reproduce (klp-build refuses the same configs).
for option in GCC_PLUGIN_LATENT_ENTROPY RANDSTRUCT GCC_PLUGIN_RANDSTRUCT \
	LD_DEAD_CODE_DATA_ELIMINATION; do
	cp "$kb/.config" "$d/config.saved"
	echo "CONFIG_$option=y" >>"$kb/.config"
	expect "-O: CONFIG_$option refused" "$kb/.config" \
		"CONFIG_$option=y: no live patch can be built for this kernel: " \
		-s "$src" -O "$kb" "$d/p.patch"
	mv "$d/config.saved" "$kb/.config"
done
sed -i '/LIVEPATCH/d' "$kb/.config"
expect "-O: a kernel without livepatch" "$kb/.config" "without CONFIG_LIVEPATCH" \
	-s "$src" -O "$kb" "$d/p.patch"

if [ -n "$have_installed" ]; then
	expect "installed: a file that is not a patch" "$d/not.patch" "not a patch" \
		--sysroot "$root" -r "$release" --kallsyms "$d/kallsyms" "$d/not.patch"
	expect "installed: --kallsyms of garbage" "$d/garbage-kallsyms" \
		"neither an ELF file nor a kallsyms listing" \
		--sysroot "$root" -r "$release" --kallsyms "$d/garbage-kallsyms" "$d/p.patch"
	: >"$d/empty-kallsyms"
	expect "installed: an empty --kallsyms" "$d/empty-kallsyms" "no vmlinux symbols" \
		--sysroot "$root" -r "$release" --kallsyms "$d/empty-kallsyms" "$d/p.patch"
else
	for desc in "a file that is not a patch" "--kallsyms of garbage" "an empty --kallsyms"; do
		tap_skip "installed: $desc" "dpkg-query and gcc-12 are needed (Debian)"
	done
fi

tap_done
