#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `klpdiff build` for two of Debian's 6.1 releases in one run (-r twice),
# everything from Debian's archive: the newest linux-image-6.1.0-N-cloud-amd64
# whose -dbg package and linux-source-6.1 of the same version the archive
# has, and the newest older one of another Debian version (so that each has
# a source tree of its own); $KLPDIFF_RELEASES ("R1 R2") chooses others.
# Each release's module is built from its own source and prepared tree, the
# changes are exactly the expected ones for both, each module is for its
# release (vermagic), the table says so, and each module loads and works in
# its own kernel, booted in QEMU from the downloaded image. A release that
# fails beside others is tests/archive/releases.t's. Skipped when the
# archive is unreachable.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"

. "$here/../lib/debian-archive.sh"
debian_archive_needs

cache=${KLPDIFF_CACHE:-$HOME/.cache/klpdiff/build}
apt=$cache/archive/apt

# apt-cache with klpdiff's own lists when it has them (what klpdiff build
# will see), else this machine's.
kapt() {
	if [ -s "$apt/updated" ]; then
		apt-cache -q -o "Dir::Etc::sourcelist=$apt/sources.list" -o Dir::Etc::sourceparts=/dev/null \
			-o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" \
			-o Dir::Cache::pkgcache=pkgcache.bin -o Dir::Cache::srcpkgcache= \
			-o "Dir::State::status=$apt/status" "$@" 2>/dev/null
	else
		apt-cache "$@" 2>/dev/null
	fi
}

# The newest version of package $1 (nothing if the archive has not got it).
newest() { kapt madison "$1" | awk -F' *[|] *' 'NR == 1 { print $2 }'; }

# The two releases: newest first, each with its -dbg and its source, of two Debian versions.
pick_releases() {
	local sources p v first=''
	sources=$(kapt madison linux-source-6.1 | awk -F' *[|] *' '{ print $2 }')
	kapt pkgnames linux-image-6.1.0- | grep -E '^linux-image-6\.1\.0-[0-9]+-cloud-amd64$' |
		sort -t- -k4,4nr | while read -r p; do
			v=$(newest "$p")
			[ -n "$v" ] && [ "$(newest "$p-dbg")" = "$v" ] && grep -qxF "$v" <<<"$sources" ||
				continue
			if [ -z "$first" ]; then
				first=$v
				echo "${p#linux-image-}"
			elif [ "$v" != "$first" ]; then
				echo "${p#linux-image-}"
				break
			fi
		done
}

if [ -n "${KLPDIFF_RELEASES:-}" ]; then
	read -r -a releases <<<"$KLPDIFF_RELEASES"
else
	mapfile -t releases < <(pick_releases)
fi
[ "${#releases[@]}" = 2 ] ||
	tap_skip_all "the apt lists name no two 6.1 cloud releases to download (apt-get update?)"

tap_tmpdir
d=$TAP_TMP
name=klp_releases_cmdline
start=$(date +%s)
status=0
(cd "$d" && "$KLPDIFF" build -r "${releases[0]}" -r "${releases[1]}" --dbg -n "$name" -o out \
	"$here/patches/cmdline.patch" >"$d/table" 2>"$d/err") || status=$?
took=$(($(date +%s) - start))
echo "# klpdiff build for ${releases[*]} took $took s" >&2
tap_is "$status" 0 "built for ${releases[*]} in one run ($took s)"
[ "$status" = 0 ] || tap_diag <"$d/err"

# Each release: its Debian version, its source and prepared tree, from its own log.
declare -A version source prepared
for r in "${releases[@]}"; do
	log=$d/out/$r/$name.log
	version[$r]=$(sed -n "s/^klpdiff build: .*kernel $r (Debian \([^)]*\)).*/\1/p" "$log" 2>/dev/null)
	source[$r]=$(sed -n 's/^klpdiff build: .*vmlinux symbols: .*; source: //p' "$log" 2>/dev/null)
	prepared[$r]=$(sed -n 's/^klpdiff build: .*prepared tree: //p' "$log" 2>/dev/null)
	tap_is "${source[$r]}" "$cache/src-${version[$r]}" "$r: the source of its own version (${version[$r]:-none})"
	tap_is "$(cat "$d/out/$r/$name.report" 2>/dev/null)" \
		"$(cat "$here/expect/debian-6.1/cmdline.diff")" "$r: exactly the expected changes"
	tap_is "$(modinfo -F vermagic "$d/out/$r/$name.ko" 2>/dev/null | cut -d' ' -f1)|$(modinfo -F name "$d/out/$r/$name.ko" 2>/dev/null)" \
		"$r|$name" "$r: its module is for $r"
done
r0=${releases[0]} r1=${releases[1]}
tap_ok "two Debian versions, two source trees, two prepared trees" \
	test "${version[$r0]}" != "${version[$r1]}" -a "${source[$r0]}" != "${source[$r1]}" \
	-a -n "${prepared[$r0]}" -a -n "${prepared[$r1]}" -a "${prepared[$r0]}" != "${prepared[$r1]}"
tap_is "$(sed -E 's/ [0-9]+\.[0-9]s / N.Ns /; s/ +/ /g' "$d/table")" "RELEASE RESULT CHANGED MODULE TIME WHY
$r0 built 1: cmdline_proc_show out/$r0/$name.ko N.Ns -
$r1 built 1: cmdline_proc_show out/$r1/$name.ko N.Ns -" \
	"the table: both built, the function, the modules, the times"

# Each module in its own kernel, booted from the downloaded image.
for r in "${releases[@]}"; do
	ko=$d/out/$r/$name.ko
	if [ ! -f "$ko" ]; then
		tap_skip "booting $r" "no module"
		continue
	fi
	cat >"$d/guest.sh" <<GUEST
. /lib/klpdiff/guest.sh
check "booted $r" [ "\$(uname -r)" = "$r" ]
if sh /checks/cmdline.check; then nok 'check passes before loading'; else ok 'check fails before loading'; fi
if insmod /modules/$name.ko; then ok 'loaded'; else nok 'insmod failed'; dmesg | tail -20; fi
if wait_transition $name; then ok 'transition complete'; else nok 'transition stuck'; fi
check 'check passes after loading' sh /checks/cmdline.check
exit \$fails
GUEST
	status=0
	"$here/qemu-run" --kernel "$cache/archive/root/${r}_${version[$r]}/boot/vmlinuz-$r" \
		--module "$ko" --file "$here/patches/cmdline.check:/checks/cmdline.check" \
		--script "$d/guest.sh" >"$d/guest-$r.out" 2>&1 || status=$?
	tap_is "$status" 0 "$r: the module loads and works in $r booted in QEMU"
	[ "$status" = 0 ] || tap_diag <"$d/guest-$r.out"
done
tap_done
