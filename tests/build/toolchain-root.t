#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The toolchain root (src/build/toolchain_root.c): Debian 13's kernels are
# built by trixie's gcc-14, which Debian 12 has not got. The root of trixie
# with it is made once (mmdebstrap, about a minute and 470 MB) in klpdiff's
# cache, kept across runs (${KLPDIFF_E2E_WORKDIR:-~/.cache/klpdiff}/build,
# klpdiff build's own), and reused without apt or mmdebstrap; a file compiles
# in it at its host path; the root's binutils must be the kernel's; an
# interrupted creation is never taken as complete; a version no suite has is
# one line naming it; a kernel with Rust gets a root with its rustc and
# bindgen. Needs Debian's archive (skipped without it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"

tap_tmpdir
d=$TAP_TMP
driver=$(dirname "$(readlink -f "$KLPDIFF")")/toolchain-root-driver
[ -x "$driver" ] || tap_bail "no $driver (make check builds it)"
command -v mmdebstrap >/dev/null || tap_skip_all "mmdebstrap is needed (scripts/setup)"
[ "$(id -u)" = 0 ] || unshare --map-root-user --mount true 2>/dev/null ||
	tap_skip_all "neither root nor user namespaces: no toolchain root"
timeout 30 /usr/lib/apt/apt-helper download-file \
	http://deb.debian.org/debian/dists/trixie/InRelease "$d/InRelease" >/dev/null 2>&1 ||
	tap_skip_all "Debian's archive (deb.debian.org) is unreachable"

export KLPDIFF_CACHE=${KLPDIFF_CACHE:-${KLPDIFF_E2E_WORKDIR:-$HOME/.cache/klpdiff}/build}
unset KLPDIFF_TOOLCHAIN_SUITES
# CONFIG_CC_VERSION_TEXT of trixie's 6.12 and trixie-backports' 7.3 kernels,
# and the binutils and pahole their configs record (linux-headers-*+deb13).
text="x86_64-linux-gnu-gcc-14 (Debian 14.2.0-19) 14.2.0"
config() {
	printf 'CONFIG_CC_VERSION_TEXT="%s"\nCONFIG_AS_VERSION=%s\nCONFIG_LD_VERSION=%s\nCONFIG_DEBUG_INFO_BTF=y\nCONFIG_PAHOLE_VERSION=130\n' \
		"$text" "${1:-24400}" "${2:-24400}" >"$d/config"
}
config

# tap_grep PATTERN FILE DESC: ok when FILE has a line matching PATTERN.
tap_grep() {
	if grep -q -- "$1" "$2"; then
		tap_pass "$3"
	else
		tap_fail "$3"
		tap_diag <"$2"
	fi
}

# (a) The root, made or found; then found again with nothing downloaded.
start=$(date +%s)
status=0
root=$("$driver" get "$text" "$d/config" 2>"$d/get1") || status=$?
tap_check "$status" "a root for '$text' (made or reused in $(($(date +%s) - start)) s)"
[ "$TAP_LAST" = 0 ] || tap_diag <"$d/get1"
! grep -q 'making' "$d/get1" || tap_diag "made now: $(tail -1 "$d/get1")"
[ -n "$root" ] || tap_bail "no root: $(cat "$d/get1")"

start=$(date +%s.%N)
status=0
again=$("$driver" get "$text" "$d/config" 2>"$d/get2") || status=$?
took=$(echo "$(date +%s.%N) - $start" | bc)
tap_check "$((status != 0 || $(echo "$took > 10" | bc) == 1))" \
	"reused: the same root again in ${took%??????} s"
tap_is "$again|$(cat "$d/get2")" "$root|" "no apt, no mmdebstrap the second time"

mkdir -p "$d/src"
printf 'int triple(int x)\n{\n\treturn x * 3;\n}\n' >"$d/src/triple.c"
status=0
says=$("$driver" run "$root" "$d/src" -- sh -c \
	"cd '$d/src' && x86_64-linux-gnu-gcc-14 -O2 -c triple.c && x86_64-linux-gnu-gcc-14 --version" \
	2>"$d/run") || status=$?
tap_check "$status" "a file compiles in the root, at its host path"
[ "$TAP_LAST" = 0 ] || tap_diag <"$d/run"
tap_is "$(head -1 <<<"$says")" "$text" "the root's gcc-14 says the kernel's CONFIG_CC_VERSION_TEXT"
tap_is "$(readelf -h "$d/src/triple.o" 2>/dev/null | sed -n 's/^ *Machine: *//p')" \
	"Advanced Micro Devices X86-64" "its object is the host's, x86-64 ELF"
tap_is "$(ls -A "$root/mnt")|$([ -e "$root$d" ] && echo "$root$d")" "|" \
	"the cached root is not written (mount points live in a tmpfs overlay)"

# The root's binutils must be those the kernel was built with.
config 24400 24000
status=0
"$driver" get "$text" "$d/config" 2>"$d/ld" >/dev/null || status=$?
tap_is "$status|$(wc -l <"$d/ld")" "2|1" "other binutils: one line, exit 2"
tap_grep "its ld says .* (24400), but the kernel was built with CONFIG_LD_VERSION=24000" \
	"$d/ld" "the line names ld and both versions"
config

# A kernel with Rust (trixie-backports' 7.x): olddefconfig would turn it off
# without the rustc and bindgen that built it, so its root is another one,
# with them (made once: 10 minutes and 1.7 GB here), whose tools must say
# what the config says.
rust_config() {
	config
	printf 'CONFIG_RUST=y\nCONFIG_RUSTC_VERSION_TEXT="%s"\nCONFIG_BINDGEN_VERSION_TEXT="%s"\n' \
		"$1" "$2" >>"$d/config"
}
rust_config "rustc 1.85.1 (4eb161250 2025-03-15) (built from a source tarball)" "bindgen 0.71.1"
status=0
rust_root=$("$driver" get "$text" "$d/config" 2>"$d/rust") || status=$?
tap_is "$status|$rust_root" "0|$root+rust" \
	"a kernel with Rust (7.3.4+deb13's rustc and bindgen): the root with Rust"
[ "$status" = 0 ] || tap_diag <"$d/rust"
rust_config "rustc 1.85.1" "bindgen 0.71.1"
status=0
"$driver" get "$text" "$d/config" 2>"$d/rust" >/dev/null || status=$?
tap_is "$status|$(wc -l <"$d/rust")" "2|1" "another rustc: one line, exit 2"
tap_grep "its rustc says 'rustc 1\.85\.1 (.*)', but the kernel was built with CONFIG_RUSTC_VERSION_TEXT=\"rustc 1.85.1\"" \
	"$d/rust" "the line names both rustc versions"
config

# klpdiff build takes a kernel built by it from the root (an installed
# kernel faked under --sysroot, as in tests/bad-input/installed-kernel.t).
if [ "$(x86_64-linux-gnu-gcc-14 --version 2>/dev/null | head -1)" = "$text" ]; then
	tap_skip "klpdiff build uses the root" "this machine has $text itself"
else
	sys=$d/sysroot release=6.12.118+deb13-cloud-amd64
	mkdir -p "$sys/boot" "$sys/usr/src/linux-headers-$release" "$sys/lib/modules/$release" \
		"$sys/var/lib/dpkg/info" "$sys/var/lib/dpkg/updates"
	{ printf '#\n# Linux/x86 6.12.118 Kernel Configuration\n#\nCONFIG_CC_IS_GCC=y\n'
	  printf 'CONFIG_LIVEPATCH=y\n'; cat "$d/config"; } >"$sys/boot/config-$release"
	: >"$sys/usr/src/linux-headers-$release/Module.symvers"
	: >"$sys/boot/vmlinuz-$release"
	: >"$sys/lib/modules/$release/modules.dep"
	printf 'Package: linux-image-%s\nStatus: install ok installed\nPriority: optional\nSection: kernel\nMaintainer: x <x@example.org>\nArchitecture: amd64\nVersion: 6.12.118-1\nDescription: fake\n\n' \
		"$release" >"$sys/var/lib/dpkg/status"
	printf 'ffffffff81000000 T _text\n' >"$d/kallsyms"
	printf -- '--- a/fs/proc/cmdline.c\n+++ b/fs/proc/cmdline.c\n@@ -1 +1 @@\n-x\n+y\n' >"$d/p.patch"
	mkdir -p "$d/linux" "$d/bcache"
	printf 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 118\n' >"$d/linux/Makefile"
	# A cache of its own for the build, with the same roots.
	ln -s "$KLPDIFF_CACHE/toolchains" "$d/bcache/toolchains"
	KLPDIFF_CACHE=$d/bcache "$KLPDIFF" build --sysroot "$sys" -r "$release" -s "$d/linux" \
		--kallsyms "$d/kallsyms" -o "$d/out.ko" "$d/p.patch" >/dev/null 2>"$d/build" || true
	tap_grep "built by x86_64-linux-gnu-gcc-14, in the toolchain root $d/bcache/toolchains/" \
		"$d/build" "klpdiff build: a kernel built by trixie's gcc-14 is compiled in the root"
fi

# (c) A version no suite has: one line naming it, nothing left in the cache.
bad="x86_64-linux-gnu-gcc-14 (Debian 14.2.0-0klpdiff1) 14.2.0"
status=0
"$driver" get "$bad" "$d/config" 2>"$d/bad" >/dev/null || status=$?
# (Its lists may be refreshed first, which says so: one error line.)
tap_is "$status|$(grep -c '^klpdiff: ' "$d/bad")" "2|1" "a version no suite has: one line, exit 2"
tap_grep "gcc-14 14.2.0-0klpdiff1 is on neither this machine nor any Debian suite searched" \
	"$d/bad" "it names the package and version"
tap_is "$(ls -d "$KLPDIFF_CACHE"/toolchains/gcc-14_14.2.0-0klpdiff1* 2>/dev/null)" "" \
	"nothing left in the cache for it (root, temporary root, lock or log)"

# (b) Interrupted creation, in a cache of its own (one suite's lists only).
fresh=$d/cache
tmp_root=$fresh/toolchains/gcc-14_14.2.0-19.tmp
KLPDIFF_CACHE=$fresh KLPDIFF_TOOLCHAIN_SUITES=trixie "$driver" get "$text" "$d/config" \
	>/dev/null 2>"$d/killed" &
pid=$!
for _ in $(seq 600); do
	grep -q 'I: extracting archives' "$fresh/toolchains/gcc-14_14.2.0-19.log" 2>/dev/null && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.2
done
kill -TERM "$pid" 2>/dev/null || true
status=0
wait "$pid" || status=$?
tap_is "$status" "143" "root creation stopped mid-way by SIGTERM (as Ctrl-C would)"
for _ in $(seq 100); do
	pgrep -f "$tmp_root" >/dev/null || break
	sleep 0.2
done
tap_is "$(pgrep -f "$tmp_root" || true)" "" "mmdebstrap stopped with it"
tap_is "$(grep -c " $d" /proc/self/mountinfo || true)" "0" "nothing left mounted"
tap_is "$(ls -d "$fresh/toolchains/gcc-14_14.2.0-19" 2>/dev/null || true)" "" \
	"no root in place"
# Even a leftover that looks whole (stamp and all) is not taken as complete.
mkdir -p "$tmp_root"
cp "$root/.klpdiff-root" "$tmp_root/"
status=0
KLPDIFF_CACHE=$fresh KLPDIFF_TOOLCHAIN_SUITES= "$driver" get "$text" "$d/config" \
	>/dev/null 2>"$d/leftover" || status=$?
tap_is "$status|$(wc -l <"$d/leftover")" "2|1" \
	"a leftover temporary root is not used: the root would be made again"
tap_grep 'names no Debian suite' "$d/leftover" "(it says there is no suite to make it from)"
# A root stamped by another format of roots is made again too.
mkdir -p "$fresh/toolchains/gcc-14_14.2.0-19"
sed '1s/^[0-9]*/0/' "$root/.klpdiff-root" >"$fresh/toolchains/gcc-14_14.2.0-19/.klpdiff-root"
status=0
KLPDIFF_CACHE=$fresh KLPDIFF_TOOLCHAIN_SUITES= "$driver" get "$text" "$d/config" \
	>/dev/null 2>&1 || status=$?
tap_is "$status" "2" "a root of another format is not used"

tap_done
