#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `klpdiff build -r RELEASE` for releases that are not installed: their
# packages come from a Debian archive through apt, with klpdiff's own apt
# configuration, into klpdiff's cache. The archive is a local one of fake
# packages (lib.sh), signed with a key made here: no network. The fake
# kernels get as far as klpdiff's kernel profile, which their fake headers
# fail; what is checked is what was downloaded and unpacked, and where from.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/archive/lib.sh
. "$here/lib.sh"

archive_needs

tap_tmpdir
d=$TAP_TMP
r6=6.1.0-99-cloud-amd64
# Versions no machine has installed: the packages come from the test archive.
v6=6.1.999-3
r7=7.3.999+deb13-cloud-amd64
v7=7.3.999-1~bpo13+1
old=6.1.0-98-cloud-amd64

repo_init "$d/repo"
fake_kernel6 bookworm-security "$r6" "$v6"
fake_source bookworm-security 6.1 "$v6"
# An older release whose source the archive no longer has.
fake_kernel6 bookworm "$old" 6.1.998-1
# A release whose source does not fit on a small disk (4 MB, incompressible).
big=6.1.0-97-amd64
fake_kernel6 bookworm "$big" 6.1.997-1
fake_source bookworm 6.1 6.1.997-1 4000000
# And one whose source tree (8 MB of zeros) does not fit, though its package does.
bigtree=6.1.0-95-amd64
fake_kernel6 bookworm "$bigtree" 6.1.995-1
fake_source bookworm 6.1 6.1.995-1 8000000 zeros
fake_kernel7 trixie-backports "$r7" "$v7" 7.3
fake_source trixie-backports 7.3 "$v7"
repo_index
signed=$(repo_sources signed)
export KLPDIFF_APT_SOURCES=$signed
export KLPDIFF_CACHE=$d/cache
printf 'ffffffff81000000 T _text\n' >"$d/kallsyms"
cat >"$d/p.patch" <<'PATCH'
--- a/fs/proc/cmdline.c
+++ b/fs/proc/cmdline.c
@@ -1 +1 @@
-x
+y
PATCH

# build ARGS...: klpdiff build, its stderr in $d/err, its status in $status.
build() {
	status=0
	"$KLPDIFF" build -o "$d/out.ko" "$@" "$d/p.patch" >"$d/out" 2>"$d/err" || status=$?
}

# fails_with DESC PATTERN: exit 2 and one error line, which matches PATTERN.
fails_with() {
	local lines
	lines=$(grep -c '^klpdiff: ' "$d/err" || true)
	if [ "$status" -eq 2 ] && [ "$lines" -eq 1 ] && grep '^klpdiff: ' "$d/err" | grep -q -- "$2" &&
		[ ! -e "$d/out.ko" ]; then
		tap_pass "$1"
	else
		tap_fail "$1"
		tap_diag "exit $status, $lines error lines, want 2 and 1 matching '$2'"
		tap_diag <"$d/err"
	fi
}

# says DESC PATTERN...: stderr has a line matching each PATTERN.
says() {
	local desc=$1 p missing=''
	shift
	for p in "$@"; do
		grep -q -- "$p" "$d/err" || missing+=" '$p'"
	done
	if [ -z "$missing" ]; then
		tap_pass "$desc"
	else
		tap_fail "$desc"
		tap_diag "no line matches$missing"
		tap_diag <"$d/err"
	fi
}

root6=$KLPDIFF_CACHE/archive/root/${r6}_$v6
deb=$KLPDIFF_CACHE/archive/deb

# The fake headers stop the build at the kernel profile, after the packages.
build -r "$r6" --kallsyms "$d/kallsyms"
says "6.x release found in its suite and downloaded" \
	"linux-image-$r6 $v6: downloading from bookworm-security" \
	"linux-headers-$r6 $v6: downloading from bookworm-security" \
	"linux-headers-6.1.0-99-common $v6: downloading" \
	"linux-kbuild-6.1 $v6: downloading" \
	"linux-source-6.1 $v6: downloading" \
	"kernel $r6 (Debian $v6), built by gcc-12" \
	"config $root6/boot/config-$r6; headers $root6/usr/src/linux-headers-$r6; modules $root6/lib/modules/$r6" \
	"source: $KLPDIFF_CACHE/src-$v6"
tap_is "$(grep -c 'downloading' "$d/err")" 5 "only what the build needs: no -dbg"
tap_is "$(cat "$root6/usr/src/linux-headers-$r6/Makefile")" \
	"include $root6/usr/src/linux-headers-6.1.0-99-common/Makefile" \
	"the headers' Makefile includes the -common one of the root"
tap_is "$(cat "$deb/linux-headers-${r6}_$v6/tree/usr/src/linux-headers-$r6/Makefile")" \
	"include /usr/src/linux-headers-6.1.0-99-common/Makefile" \
	"the unpacked package itself is unchanged"
tap_is "$(readlink "$root6/usr/src/linux-headers-$r6/scripts")" "../../lib/linux-kbuild-6.1/scripts" \
	"the headers' links reach linux-kbuild in the root"
tap_ok "the root's dpkg status knows the packages" \
	dpkg-query "--admindir=$root6/var/lib/dpkg" -W "linux-image-$r6" "linux-source-6.1"
tap_is "$(find "$deb" -name '*.deb' 2>/dev/null | wc -l)" 0 "no .deb kept after unpacking"

ino=$(stat -c %i "$deb/linux-image-${r6}_$v6" 2>/dev/null || echo none)
build -r "$r6" --kallsyms "$d/kallsyms"
says "second run: everything from the cache" \
	"linux-image-$r6 $v6: in the cache (from bookworm-security)" \
	"linux-source-6.1 $v6: in the cache" "kernel $r6 (Debian $v6)"
tap_is "$(grep -c 'downloading\|unpacking\|apt-get update' "$d/err" || true)" 0 \
	"second run: nothing downloaded or unpacked again, no apt-get update"
tap_is "$(stat -c %i "$deb/linux-image-${r6}_$v6" 2>/dev/null || true)" "$ino" "second run: the same unpacked image"

# An unpack interrupted by a kill: its temporary directory is never taken as complete.
mkdir -p "$d/slow"
cat >"$d/slow/dpkg-deb" <<SLOW
#!/bin/sh
/usr/bin/dpkg-deb "\$@"; status=\$?
case "\$1" in -x) touch "$d/slow/unpacked"; exec sleep 60 ;; esac
exit \$status
SLOW
chmod +x "$d/slow/dpkg-deb"
rm -rf "$deb/linux-kbuild-6.1_$v6" "$root6/.klpdiff/linux-kbuild-6.1_$v6"
PATH=$d/slow:$PATH "$KLPDIFF" build -r "$r6" --kallsyms "$d/kallsyms" "$d/p.patch" \
	>/dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do [ -e "$d/slow/unpacked" ] && break; sleep 0.1; done
kill -TERM "$pid" 2>/dev/null || true
wait "$pid" || true
tap_ok "killed while unpacking: no entry" test ! -e "$deb/linux-kbuild-6.1_$v6"
build -r "$r6" --kallsyms "$d/kallsyms"
says "after the kill: downloaded and unpacked again" "linux-kbuild-6.1 $v6: downloading"
tap_ok "after the kill: complete, nothing temporary left" \
	test -e "$deb/linux-kbuild-6.1_$v6/control" -a ! -e "$deb/linux-kbuild-6.1_$v6.tmp" \
	-a ! -e "$deb/linux-kbuild-6.1_$v6.download"

# A temporary directory left by an earlier run, and an entry without its control file.
rm -rf "$deb/linux-kbuild-6.1_$v6"
mkdir -p "$deb/linux-kbuild-6.1_$v6.tmp/tree" "$deb/linux-kbuild-6.1_$v6.download"
echo junk >"$deb/linux-kbuild-6.1_$v6.tmp/control"
build -r "$r6" --kallsyms "$d/kallsyms"
says "a leftover temporary directory is not taken as complete" "linux-kbuild-6.1 $v6: downloading"
tap_ok "the leftover is replaced by the package" \
	test -e "$deb/linux-kbuild-6.1_$v6/tree/usr/lib/linux-kbuild-6.1/scripts/fixdep"

build -r "$old" --kallsyms "$d/kallsyms"
fails_with "a source version the archive no longer has: one line naming it" \
	"linux-source-6.1=6.1.998-1: not in the archive"
tap_is "$(grep -c downloading "$d/err" || true)" 0 "nothing downloaded for it"

build -r "$old" --kallsyms "$d/kallsyms" -s "$d/nowhere"
says "with -s, no linux-source needed" "linux-image-$old 6.1.998-1: downloading from bookworm"

build -r 6.1.0-96-cloud-amd64 --kallsyms "$d/kallsyms"
fails_with "a release no suite has: one line" \
	"6.1.0-96-cloud-amd64: not installed, and the archive has no linux-image-6.1.0-96-cloud-amd64"

# A full disk: the packages' directory of the cache on a 6 MB tmpfs (in a
# namespace of its own), where the source's .deb fits but not unpacked too.
if unshare -rm true 2>/dev/null; then
	mkdir -p "$deb"
	status=0
	# shellcheck disable=SC2016 # the namespace's own shell expands them
	unshare -rm bash -c 'dir=$1 && shift && mount -t tmpfs -o size=6m tmpfs "$dir" &&
		"$@"; echo $? >"$0.status"; ls -a "$dir" >"$0.listing"' "$d/full" "$deb" \
		"$KLPDIFF" build -r "$big" --kallsyms "$d/kallsyms" -o "$d/out.ko" "$d/p.patch" \
		2>"$d/err" >/dev/null || true
	status=$(cat "$d/full.status")
	fails_with "a full disk: one line" "linux-source-6.1_6.1.997-1.tmp: cannot unpack .*: no space left on the device"
	tap_is "$(grep 'linux-source' "$d/full.listing")" "linux-source-6.1_6.1.997-1.lock" \
		"a full disk: no entry, nothing temporary left"
	build -r "$big" --kallsyms "$d/kallsyms"
	says "after the full disk: all there" "linux-source-6.1 6.1.997-1: downloading" \
		"kernel $big (Debian 6.1.997-1)"

	# The whole cache on a 6 MB tmpfs: the source tree is what does not fit.
	mkdir -p "$d/small"
	# shellcheck disable=SC2016 # the namespace's own shell expands them
	unshare -rm bash -c 'dir=$1 && shift && mount -t tmpfs -o size=6m tmpfs "$dir" &&
		"$@"; echo $? >"$0.status"; ls -a "$dir" >"$0.listing"' "$d/full" "$d/small" \
		env KLPDIFF_CACHE="$d/small" "$KLPDIFF" build -r "$bigtree" --kallsyms "$d/kallsyms" \
		-o "$d/out.ko" "$d/p.patch" 2>"$d/err" >/dev/null || true
	status=$(cat "$d/full.status")
	fails_with "a full disk under the source tree: one line" \
		"cannot [a-z]* .*into .*src-6.1.995-1[.a-z]*: no space left on the device"
	tap_is "$(grep src- "$d/full.listing" | tr '\n' ' ')" "src-6.1.995-1.lock " \
		"a full disk under the source tree: no tree, nothing temporary left"
else
	tap_skip "a full disk (3 tests)" "no mount namespace (unshare -rm) for a small tmpfs"
fi

root7=$KLPDIFF_CACHE/archive/root/${r7}_$v7
build -r "$r7" --kallsyms "$d/kallsyms"
says "7.x: base and binary, config and image in /usr/lib/modules" \
	"linux-base-$r7 $v7: downloading from trixie-backports" \
	"linux-binary-$r7 $v7: downloading" \
	"linux-headers-7.3.999+deb13-common $v7: downloading" \
	"linux-kbuild-7.3.999+deb13 $v7: downloading" \
	"kernel $r7 (Debian $v7)" \
	"config $root7/usr/lib/modules/$r7/config; headers $root7/usr/src/linux-headers-$r7; modules $root7/usr/lib/modules/$r7"
tap_is "$(grep -c "linux-modules-$r7\|linux-base-$r7 .*: downloading.*linux-base-$r7" "$d/err" || true)" 0 \
	"7.x: no modules package while no patched module needs it"
tap_is "$(head -1 "$root7/usr/src/linux-headers-$r7/Makefile")" \
	"KBUILD_OUTPUT=$root7/usr/src/linux-headers-$r7" "7.x: the headers' KBUILD_OUTPUT is the root's"

# A patch that changes a module: 7.x's linux-modules-RELEASE is downloaded
# then (module-driver: distro.c's side of it, without a kernel build).
driver=$(dirname "$(readlink -f "$KLPDIFF")")/module-driver
if [ -x "$driver" ]; then
	status=0
	"$driver" "$r7" "$d/kallsyms" foo "$d/shipped7" >"$d/out" 2>"$d/err" || status=$?
	tap_is "$status" 0 "7.x: a shipped module wanted"
	says "7.x: its modules package downloaded then" "linux-modules-$r7 $v7: downloading from trixie-backports"
	tap_is "$(cat "$(cat "$d/out")" 2>/dev/null)" "fake module" \
		"7.x: the module found through modules.order (no depmod), its .ko.xz decompressed"
	status=0
	"$driver" "$r6" "$d/kallsyms" foo "$d/shipped6" >"$d/out" 2>"$d/err" || status=$?
	tap_is "$(cat "$d/out")" "$root6/lib/modules/$r6/kernel/fs/foo/foo.ko" \
		"6.x: the module from the image package"
	tap_is "$(grep -c downloading "$d/err" || true)" 0 "6.x: nothing more downloaded for it"
else
	tap_skip "module-driver (5 tests)" "no $driver (make check builds it)"
fi

build -r "$r6" --dbg
says "--dbg: vmlinux from the -dbg package" \
	"linux-image-$r6-dbg $v6: downloading" \
	"vmlinux symbols: $root6/usr/lib/debug/boot/vmlinux-$r6 (the -dbg package)"
tap_is "$(cd "$deb/linux-image-$r6-dbg_${v6}_symbols/tree" && find . -type f)" \
	"./usr/lib/debug/boot/vmlinux-$r6" "--dbg: only vmlinux unpacked"
tap_is "$(readelf -SW "$root6/usr/lib/debug/boot/vmlinux-$r6" | grep -c '\.debug_' || true)" 0 \
	"--dbg: vmlinux without its debugging sections"
tap_ok "--dbg: vmlinux keeps its symbols" \
	bash -c "readelf -sW '$root6/usr/lib/debug/boot/vmlinux-$r6' | grep -q ' _text\$'"

build -r "$r6"
fails_with "no symbols and no --dbg: one line saying how" "or --dbg"

# Two runs at once for a release: one downloads, the other waits and finds it.
rm -rf "$KLPDIFF_CACHE"
"$KLPDIFF" build -r "$r6" --kallsyms "$d/kallsyms" "$d/p.patch" >/dev/null 2>"$d/err1" &
pid=$!
build -r "$r6" --kallsyms "$d/kallsyms"
wait "$pid" || true
cat "$d/err1" >>"$d/err"
tap_is "$(grep -c "linux-image-$r6 $v6: downloading" "$d/err")" 1 \
	"two runs at once: the image downloaded once"
tap_is "$(grep -c "apt-get update" "$d/err")" 1 "two runs at once: the lists fetched once"
says "two runs at once: both get their kernel" "kernel $r6 (Debian $v6)"
tap_is "$(grep -c "kernel $r6 (Debian $v6)" "$d/err")" 2 "two runs at once: both get there"

# apt must check the archive's signature: an unsigned one is refused.
unsigned=$d/unsigned-repo
cp -a "$d/repo" "$unsigned"
rm -f "$unsigned"/dists/*/InRelease
sed "s|\[signed-by=[^]]*\] file:$d/repo|file:$unsigned|" "$signed" >"$d/unsigned.list"
rm -rf "$KLPDIFF_CACHE"
KLPDIFF_APT_SOURCES=$d/unsigned.list build -r "$r6" --kallsyms "$d/kallsyms"
fails_with "an unsigned archive is refused" "apt-get update failed: .*not signed"
tap_ok "nothing unpacked from it" test ! -e "$KLPDIFF_CACHE/archive/deb"

sed "s|file:$unsigned|[trusted=yes] file:$unsigned|" "$d/unsigned.list" >"$d/trusted.list"
KLPDIFF_APT_SOURCES=$d/trusted.list build -r "$r6" --kallsyms "$d/kallsyms"
fails_with "a sources list with trusted=yes is refused" "trusted=yes"

# No network: the first thing that cannot be fetched, in one line.
rm -rf "$KLPDIFF_CACHE"
KLPDIFF_APT_SOURCES='' KLPDIFF_DEBIAN_MIRROR=http://127.0.0.1:9/debian \
	build -r "$r6" --kallsyms "$d/kallsyms"
fails_with "no network: one line naming what could not be fetched" \
	"apt-get update failed: .*http://127.0.0.1:9/debian.*"

tap_done
