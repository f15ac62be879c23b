#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A patch built on wrong assumptions is refused: klpdiff build compares the
# originals it compiles with the code Debian shipped, and here the config is
# not the one that built the kernel. The installed kernel is Debian's own,
# seen through a sysroot whose /boot/config-RELEASE has one option changed
# (RETHUNK off: every return becomes a plain `ret`, not a jump to the return
# thunk); everything else is the real installation. The build must stop with
# exit 2, one line naming the function and the first differing instruction
# on each side, and no module.
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

status=0
"$KLPDIFF" build --sysroot "$root" -r "$release" --kallsyms "$kallsyms" \
	-o "$TAP_TMP/out.ko" "$here/patches/cmdline.patch" >"$TAP_TMP/out" 2>"$TAP_TMP/err" || status=$?
errors=$(grep '^klpdiff:' "$TAP_TMP/err" || true)
tap_is "$status" 2 "a config that did not build the kernel: refused (exit 2)"
tap_is "$(printf '%s\n' "$errors" | grep -c .)" 1 "one error line"
tap_ok "it names the function, the instruction built and the one shipped" \
	grep -qE "^klpdiff: fs/proc/cmdline\.o: [a-z_]+\+0x[0-9a-f]+: built '[^']+' but the shipped kernel has '[^']+'" \
	"$TAP_TMP/err"
tap_ok "no module written" test ! -e "$TAP_TMP/out.ko"
[ "$TAP_LAST" = 0 ] || tap_diag <"$TAP_TMP/err"

status=0
"$KLPDIFF" build --sysroot "$root" -r "$release" --kallsyms "$kallsyms" --no-verify --diff \
	"$here/patches/cmdline.patch" >"$TAP_TMP/out" 2>"$TAP_TMP/err" || status=$?
tap_is "$status" 1 "--no-verify: builds anyway, and says so"
tap_ok "--no-verify is named in the output" grep -q -- '--no-verify' "$TAP_TMP/err"
tap_done
