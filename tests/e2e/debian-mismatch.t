#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A patch built on wrong assumptions is refused. The installed kernel is
# Debian's own, seen through a sysroot whose /boot/config-RELEASE has one
# option changed (RETHUNK off: every return becomes a plain `ret`, not a jump
# to the return thunk); everything else is the real installation.
# - klpdiff compiles with the headers' .config, the build's own: a given
#   config that contradicts it is refused before any work, in one line
#   naming the option and both files.
# - With KLPDIFF_MAKE_PREPARE=1 it compiles with the given config: then the
#   check of the originals against the code Debian shipped is the net, one
#   line naming the function and the first differing instruction on each
#   side. Exit 2 and no module either way.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
[ -n "${KLPDIFF_SKIP_KERNEL:-}" ] && tap_skip_all "KLPDIFF_SKIP_KERNEL set"
command -v apt-cache >/dev/null || tap_skip_all "not a Debian system (no apt-cache)"
if [ -n "${KLPDIFF_SANITIZED:-}" ]; then
	tap_skip_all "sanitizer pass: the plain pass ran it (CI time)"
fi

release=$("$here/debian-kernel" release) || tap_bail "no Debian release to test"
"$here/debian-kernel" install "$release" >&2 || tap_bail "cannot install $release"
kallsyms=$("$here/debian-kernel" kallsyms "$release") || tap_bail "no kallsyms for $release"
tap_tmpdir
root=$TAP_TMP/root
mkdir -p "$root/boot" "$root/usr/src" "$root/lib/modules" "$root/var/lib"
for f in "boot/vmlinuz-$release" "usr/src/linux-headers-$release" "lib/modules/$release" \
	usr/src/linux-source-6.1.tar.xz var/lib/dpkg; do
	ln -s "/$f" "$root/$f"
done
sed 's/^CONFIG_RETHUNK=y$/# CONFIG_RETHUNK is not set/' "/boot/config-$release" \
	>"$root/boot/config-$release"
tap_ok "the changed config differs in RETHUNK" \
	grep -q '^# CONFIG_RETHUNK is not set' "$root/boot/config-$release"

# refused MESSAGE-RE WHAT [ENV...]: klpdiff build of cmdline.patch in that
# sysroot exits 2 with one error line matching MESSAGE-RE, and no module.
refused() {
	local re=$1 what=$2 status=0 errors
	shift 2
	rm -f "$TAP_TMP/out.ko"
	env "$@" "$KLPDIFF" build --sysroot "$root" -r "$release" --kallsyms "$kallsyms" \
		-o "$TAP_TMP/out.ko" "$here/patches/cmdline.patch" >"$TAP_TMP/out" 2>"$TAP_TMP/err" ||
		status=$?
	errors=$(grep '^klpdiff:' "$TAP_TMP/err" || true)
	tap_is "$status" 2 "$what: refused (exit 2)"
	tap_is "$(printf '%s\n' "$errors" | grep -c .)" 1 "$what: one error line"
	tap_ok "$what: the line says why" grep -qE "$re" "$TAP_TMP/err"
	tap_ok "$what: no module written" test ! -e "$TAP_TMP/out.ko"
	[ "$TAP_LAST" = 0 ] || tap_diag <"$TAP_TMP/err"
}
refused "^klpdiff: $root/boot/config-$release: CONFIG_RETHUNK is not set here but y in .*/linux-headers-$release/\.config: not the configuration that built this kernel" \
	"a config the headers contradict"
refused "^klpdiff: fs/proc/cmdline\.o: [a-z_]+\+0x[0-9a-f]+: built '[^']+' but the shipped kernel has '[^']+'" \
	"with make prepare, the shipped code" KLPDIFF_MAKE_PREPARE=1

status=0
KLPDIFF_MAKE_PREPARE=1 "$KLPDIFF" build --sysroot "$root" -r "$release" --kallsyms "$kallsyms" --no-verify --diff \
	"$here/patches/cmdline.patch" >"$TAP_TMP/out" 2>"$TAP_TMP/err" || status=$?
tap_is "$status" 1 "--no-verify: builds anyway, and says so"
tap_ok "--no-verify is named in the output" grep -q -- '--no-verify' "$TAP_TMP/err"
tap_done
