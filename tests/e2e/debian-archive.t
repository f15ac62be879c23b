#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `klpdiff build -r RELEASE` for a Debian kernel that is not installed here,
# everything from Debian's archive: the release is the newest
# linux-image-6.1.0-N-cloud-amd64 (gcc-12, as Debian 12's) that is not
# installed, whose linux-source-6.1 of the same version the archive has, and
# of another version than an installed linux-source-6.1 (so that the source
# is downloaded too); $KLPDIFF_ARCHIVE_RELEASE chooses another. vmlinux's
# symbols come from the -dbg package (--dbg). The changed functions must be
# exactly the expected ones (tests/e2e/expect/debian-6.1), and the module
# must load and work in that kernel, booted in QEMU from the downloaded image.
# Skipped when the archive is unreachable.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"

. "$here/../lib/debian-archive.sh"
debian_archive_needs

installed_version() {
	{ dpkg-query -W -f='${db:Status-Abbrev} ${Version}\n' "$1" 2>/dev/null || true; } |
		awk '$1 == "ii" { print $2 }'
}

# The newest not-installed cloud release with its source in the archive (this
# machine's apt lists say which; klpdiff's own lists are its own business).
pick_release() {
	local src_installed sources p v
	src_installed=$(installed_version linux-source-6.1)
	sources=$(apt-cache madison linux-source-6.1 2>/dev/null | awk -F' *[|] *' '{ print $2 }')
	apt-cache pkgnames linux-image-6.1.0- 2>/dev/null |
		grep -E '^linux-image-6\.1\.0-[0-9]+-cloud-amd64$' | sort -t- -k4,4nr |
		while read -r p; do
			[ -z "$(installed_version "$p")" ] || continue
			[ -z "$(installed_version "$p-unsigned")" ] || continue
			v=$(apt-cache madison "$p" 2>/dev/null | awk -F' *[|] *' 'NR == 1 { print $2 }')
			if [ -n "$v" ] && [ "$v" != "$src_installed" ] && grep -qxF "$v" <<<"$sources"; then
				echo "${p#linux-image-}"
				break
			fi
		done
}

release=${KLPDIFF_ARCHIVE_RELEASE:-$(pick_release)}
[ -n "$release" ] || tap_skip_all "this machine's apt lists name no 6.1 cloud release to download (apt-get update?)"
tap_is "$(installed_version "linux-image-$release")$(installed_version "linux-image-$release-unsigned")" "" \
	"$release is not installed"

tap_tmpdir
d=$TAP_TMP
cache=${KLPDIFF_CACHE:-$HOME/.cache/klpdiff/build}

# build NAME PATCH...: the module NAME.ko, its report NAME.report, stderr in NAME.err.
build() {
	local name=$1 start
	shift
	start=$(date +%s)
	status=0
	"$KLPDIFF" build -r "$release" --dbg -n "$name" -o "$d/$name.ko" --report "$d/$name.report" \
		"$@" >"$d/$name.out" 2>"$d/$name.err" || status=$?
	echo "# $name: klpdiff build took $(($(date +%s) - start)) s" >&2
	tap_is "$status" 0 "$name: built for $release"
	[ "$status" = 0 ] || tap_diag <"$d/$name.err"
}

build klp_archive_cmdline "$here/patches/cmdline.patch"
version=$(sed -n "s/^klpdiff build: .*kernel $release (Debian \([^)]*\)).*/\1/p" "$d/klp_archive_cmdline.err")
root=$cache/archive/root/${release}_$version
missing=''
for p in "linux-image-$release" "linux-headers-$release" linux-source-6.1 "linux-image-$release-dbg"; do
	grep -qE "^klpdiff build: $p $version: (downloading from|in the cache \(from) bookworm" \
		"$d/klp_archive_cmdline.err" || missing+=" $p"
done
tap_is "$missing" "" "the image, headers, source and -dbg came from the archive (or its copy in the cache)"
tap_ok "config, headers, modules and vmlinux symbols of the release's root in the cache" \
	grep -qF "config $root/boot/config-$release; headers $root/usr/src/linux-headers-$release" \
	"$d/klp_archive_cmdline.err"
tap_ok "the originals are the code that the downloaded image runs" \
	grep -q 'the originals are the code that runs' "$d/klp_archive_cmdline.err"
tap_is "$(cat "$d/klp_archive_cmdline.report" 2>/dev/null)" \
	"$(cat "$here/expect/debian-6.1/cmdline.diff")" "cmdline: exactly the expected changes"
tap_is "$(modinfo -F vermagic "$d/klp_archive_cmdline.ko" 2>/dev/null | cut -d' ' -f1)" "$release" \
	"cmdline: a module for $release"

# A module's function: xfs ships in the image package, as a module.
build klp_archive_xfs "$here/patches/xfs-trace.patch"
tap_is "$(cat "$d/klp_archive_xfs.report" 2>/dev/null)" \
	"$(cat "$here/expect/debian-6.1/xfs-trace.diff")" "xfs-trace: exactly the expected changes"

# The module in the downloaded kernel itself.
cat >"$d/guest.sh" <<GUEST
. /lib/klpdiff/guest.sh
check "booted $release" [ "\$(uname -r)" = "$release" ]
if sh /checks/cmdline.check; then nok 'check passes before loading'; else ok 'check fails before loading'; fi
if insmod /modules/klp_archive_cmdline.ko; then ok 'loaded'; else nok 'insmod failed'; dmesg | tail -20; fi
if wait_transition klp_archive_cmdline; then ok 'transition complete'; else nok 'transition stuck'; fi
check 'check passes after loading' sh /checks/cmdline.check
exit \$fails
GUEST
if [ -f "$d/klp_archive_cmdline.ko" ]; then
	status=0
	"$here/qemu-run" --kernel "$root/boot/vmlinuz-$release" --module "$d/klp_archive_cmdline.ko" \
		--file "$here/patches/cmdline.check:/checks/cmdline.check" --script "$d/guest.sh" \
		>"$d/guest.out" 2>&1 || status=$?
	tap_is "$status" 0 "the module loads and works in $release booted in QEMU"
	[ "$status" = 0 ] || tap_diag <"$d/guest.out"
else
	tap_skip "booting $release" "no module"
fi
echo "# cache: $(du -sh "$cache/archive" | cut -f1) in archive/, $(du -sh "$cache/src-$version" 2>/dev/null | cut -f1) in src-$version/" >&2
tap_done
