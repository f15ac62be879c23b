#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A Debian 13 kernel on this Debian 12 machine: trixie's Linux 6.12 (cloud
# flavour) is built by trixie's gcc-14, which Debian 12 has not got, so
# klpdiff build compiles in its toolchain root (src/build/toolchain_root.c).
# The kernel's packages (image, headers, kbuild, linux-source-6.12 of the same
# version, and vmlinux from the -dbg package) come from trixie(-security)
# with apt-get download and a private sources list, unpacked once into
# $KLPDIFF_E2E_WORKDIR/debian-13/ as a --sysroot (with modules.dep, and the
# headers' Makefile including the common headers there: a stand-in until
# klpdiff downloads kernels itself). Two patches, one in vmlinux
# (cmdline_proc_show) and one in a module (tcp_bbr), are built there; the
# originals compiled in the root must be the shipped code; both modules load
# into the booted kernel, finish their transitions and disable again.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"

[ -z "${KLPDIFF_SKIP_KERNEL:-}" ] || tap_skip_all "KLPDIFF_SKIP_KERNEL set"
tap_skip_if_sanitized "the toolchain root and Debian 13's kernel"
command -v qemu-system-x86_64 >/dev/null || tap_skip_all "qemu-system-x86_64 not installed"
command -v mmdebstrap >/dev/null || tap_skip_all "mmdebstrap is needed (scripts/setup)"
[ "$(dpkg --print-architecture)" = amd64 ] || tap_skip_all "an amd64 machine is needed"
[ "$(x86_64-linux-gnu-gcc-14 --version 2>/dev/null | head -1)" = "" ] ||
	tap_skip_all "this machine has a gcc-14: no toolchain root to test"

work=${KLPDIFF_E2E_WORKDIR:-$HOME/.cache/klpdiff}/debian-13
apt_dir=$work/apt
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
{
	echo "deb [signed-by=$keyring] http://deb.debian.org/debian trixie main"
	echo "deb [signed-by=$keyring] http://deb.debian.org/debian-security trixie-security main"
} >"$apt_dir/sources.list"
apt_opts=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list" -o Dir::Etc::sourceparts=/dev/null
	-o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
	-o Dir::State::status=/dev/null -o APT::Architecture=amd64 -o APT::Architectures=amd64
	-o Acquire::Languages=none -o Debug::NoLocking=true -o APT::Sandbox::User=root)
apt-get "${apt_opts[@]}" -q update >"$work/update.log" 2>&1 ||
	tap_skip_all "Debian's archive is unreachable (apt-get update: $work/update.log)"

# The newest linux-source-6.12 of trixie(-security) and its cloud kernel.
version=$(apt-cache "${apt_opts[@]}" madison linux-source-6.12 | awk '{ print $3 }' |
	sort -V | tail -1)
upstream=${version%-*}
release=$upstream+deb13-cloud-amd64
sys=$work/sysroot-$version
[ -n "$version" ] || tap_bail "no linux-source-6.12 in trixie"

# The sysroot, once: unpacked in a temporary directory, renamed when complete.
unpack_sysroot() {
	local tmp=$sys.tmp debs=$work/debs deb
	rm -rf "$tmp" "$debs"
	mkdir -p "$tmp" "$debs"
	(cd "$debs" && apt-get "${apt_opts[@]}" -q download "linux-image-$release-unsigned" \
		"linux-headers-$release" "linux-headers-$upstream+deb13-common" \
		"linux-kbuild-$upstream+deb13" "linux-source-6.12=$version" \
		"linux-image-$release-dbg") >"$work/download.log" 2>&1 || return 1
	mkdir -p "$tmp/var/lib/dpkg/info" "$tmp/var/lib/dpkg/updates"
	for deb in "$debs"/*.deb; do
		case $deb in
		*-dbg_*) dpkg-deb --fsys-tarfile "$deb" |
			tar -C "$tmp" -x "./usr/lib/debug/boot/vmlinux-$release" ;;
		*) dpkg-deb -x "$deb" "$tmp" ;;
		esac
		printf 'Package: %s\nStatus: install ok installed\nPriority: optional\nSection: kernel\nMaintainer: x <x@example.org>\nArchitecture: %s\nVersion: %s\nDescription: unpacked\n\n' \
			"$(dpkg-deb -f "$deb" Package)" "$(dpkg-deb -f "$deb" Architecture)" \
			"$(dpkg-deb -f "$deb" Version)" >>"$tmp/var/lib/dpkg/status"
	done
	# A merged-/usr system: /lib/modules is /usr/lib/modules.
	ln -s usr/lib "$tmp/lib"
	depmod -b "$tmp" "$release"
	sed -i "s|^include /usr/src/|include $sys/usr/src/|" "$tmp/usr/src/linux-headers-$release/Makefile"
	rm -rf "$debs" "$sys"
	mv "$tmp" "$sys"
}
if [ ! -d "$sys" ]; then
	echo "# unpacking Debian $version's packages into $sys" >&2
	unpack_sysroot || tap_bail "cannot download or unpack Debian $version's kernel (see $work)"
fi

tap_tmpdir
d=$TAP_TMP
build() {
	local name=$1 status=0
	"$KLPDIFF" build --sysroot "$sys" -r "$release" -o "$d/$name.ko" -n "klp_${name//-/_}" \
		"$2" 2>"$d/$name.err" || status=$?
	tap_check "$status" "klpdiff build $name for Debian $version ($release)"
	[ "$TAP_LAST" = 0 ] || tap_diag <"$d/$name.err"
	tap_is "$(grep -c 'in the toolchain root' "$d/$name.err")" 1 \
		"$name: compiled with trixie's gcc-14, in the toolchain root"
	if grep -q 'the originals are the code that runs' "$d/$name.err"; then
		tap_pass "$name: $(sed -n 's/.*the originals are the code that runs: //p' "$d/$name.err")"
	else
		tap_fail "$name: the originals compiled in the root are the shipped code"
	fi
}
build cmdline "$here/patches-6.12/cmdline.patch"
build tcp-bbr "$here/patches-debian-13/tcp-bbr.patch"

xz -dc "$sys/lib/modules/$release/kernel/net/ipv4/tcp_bbr.ko.xz" >"$d/tcp_bbr.ko"
cat >"$d/guest.sh" <<'EOF'
. /lib/klpdiff/guest.sh
check "cmdline: not patched yet" sh -c '! grep -q klpdiff_was_here /proc/cmdline'
check "cmdline: the livepatch loads" insmod /modules/cmdline.ko
wait_transition klp_cmdline
check "cmdline: patched" grep -q klpdiff_was_here /proc/cmdline
check "tcp_bbr loads" insmod /modules/tcp_bbr.ko
check "tcp-bbr: the livepatch loads" insmod /modules/tcp-bbr.ko
wait_transition klp_tcp_bbr
check "tcp-bbr: transition done" [ "$(cat /sys/kernel/livepatch/klp_tcp_bbr/transition)" = 0 ]
for p in klp_tcp_bbr klp_cmdline; do
	echo 0 >/sys/kernel/livepatch/$p/enabled
	wait_transition $p
	check "$p: disabled" [ ! -d /sys/kernel/livepatch/$p ]
done
check "cmdline: back as it was" sh -c '! grep -q klpdiff_was_here /proc/cmdline'
[ "$fails" = 0 ]
EOF
if [ -e "$d/cmdline.ko" ] && [ -e "$d/tcp-bbr.ko" ]; then
	status=0
	"$here/qemu-run" --kernel "$sys/boot/vmlinuz-$release" --module "$d/cmdline.ko" \
		--module "$d/tcp_bbr.ko" --module "$d/tcp-bbr.ko" --timeout 300 \
		--script "$d/guest.sh" >"$d/guest.out" 2>&1 || status=$?
	tap_check "$status" "Debian $version boots, both livepatches load, apply and disable"
	[ "$TAP_LAST" = 0 ] || tap_diag <"$d/guest.out"
	tap_is "$(grep -c '^ok ' "$d/guest.out")" 9 "the guest's 9 checks passed"
else
	tap_skip "the boot" "a module is missing"
fi
tap_done
