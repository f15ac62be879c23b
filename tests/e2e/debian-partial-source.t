#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# linux-source unpacked in part (src/build/source_tree.c), on Debian 6.1
# (installed, the -dbg vmlinux for the shipped-code check), each case from a
# cache of its own:
# - a patch to a .c file whose quoted #include reaches another directory
#   (fs/proc/base.c: "../../lib/kstrtox.h") and to a header (fs/proc/fd.h:
#   the units that include it) build with exactly the expected changes, the
#   tree still in part (no Documentation/, no drivers/gpu/);
# - a unit lacking a file of the tarball: the rest unpacked, said in one
#   line, and the patch built;
# - an unpack killed halfway is never taken as done: the next run redoes it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/debian-archive.sh"
debian_61_dbg_needs "$here"
tap_tmpdir
d=$TAP_TMP
patches=$here/partial-source
export KLPDIFF_NO_CCACHE=1

# build NAME CACHE PATCH [ENV...]: the patch built into $d/NAME.ko, its changes in $d/NAME.diff.
build() {
	local name=$1 cache=$2 patch=$3
	shift 3
	status=0
	env KLPDIFF_CACHE="$cache" "$@" nice -n 10 "$KLPDIFF" build -r "$release" --sysroot "$root" \
		--report "$d/$name.diff" -o "$d/$name.ko" "$patch" >/dev/null 2>"$d/$name.err" ||
		status=$?
	[ "$status" = 0 ] || tap_diag <"$d/$name.err"
}

# The tree of cache $1.
tree() { echo "$1"/src-*[0-9]; }

c=$d/cache
build base "$c" "$patches/oom-score.patch"
tap_is "$status" 0 "a .c file: built"
tap_is "$(cat "$d/base.diff")" "changed: fs/proc/base.o:proc_oom_score" "a .c file: exactly its change"
t=$(tree "$c")
tap_ok "the tree is in part" test ! -e "$t/.klpdiff-unpacked" -a -e "$t/.klpdiff-parts" \
	-a ! -e "$t/Documentation/process/coding-style.rst" -a ! -e "$t/drivers/gpu/drm/drm_drv.c"
tap_ok "the unit's directory, and the file its #include reaches elsewhere, with those beside it" \
	test -f "$t/fs/proc/base.c" -a -f "$t/fs/proc/internal.h" -a -f "$t/lib/kstrtox.h" \
	-a -f "$t/lib/vsprintf.c" -a ! -e "$t/lib/zstd/zstd_compress_module.c"
tap_is "$(grep -c '^klpdiff build: decompressing ' "$d/base.err")" 1 "the tarball decompressed once"

build header "$c" "$patches/fd-header.patch"
tap_is "$status" 0 "a header: built"
tap_is "$(cat "$d/header.diff")" "changed: fs/proc/fd.o:proc_fd_link
changed: fs/proc/fd.o:seq_show
changed: fs/proc/fd.o:tid_fd_revalidate" "a header: exactly the changes of the units that include it"
tap_is "$(grep -c '^klpdiff build: decompressing ' "$d/header.err" || true)" 0 \
	"not decompressed again"
tap_ok "still in part" test ! -e "$t/.klpdiff-unpacked" \
	-a ! -e "$t/Documentation/process/coding-style.rst"

# A file the tree lacks (as if the rule had missed it): the rest, in one line.
rm "$t/include/linux/proc_fs.h"
build whole "$c" "$here/patches/cmdline.patch"
tap_is "$status" 0 "a unit lacking a file: built"
tap_is "$(cat "$d/whole.diff")" "$(cat "$here/expect/debian-6.1/cmdline.diff")" \
	"a unit lacking a file: exactly its change"
tap_is "$(grep -c 'a unit lacked a file of the source unpacked in part: unpacking the rest' \
	"$d/whole.err" || true)" 1 "the rest unpacked, said in one line"
tap_ok "the tree whole, its uncompressed copy gone" \
	test -e "$t/.klpdiff-unpacked" -a -f "$t/Documentation/process/coding-style.rst" \
	-a ! -e "$t.tar"

# Killed while unpacking the unit's part: not recorded; the next run redoes it.
mkdir -p "$d/bin"
cat >"$d/bin/tar" <<EOF
#!/bin/sh
/bin/tar "\$@"
status=\$?
case "\$*" in
*fs/proc/\**) echo \$\$ >"$d/tar.pid"; touch "$d/unpacked"; sleep 60 ;;
esac
exit \$status
EOF
chmod +x "$d/bin/tar"
c=$d/cache2
KLPDIFF_CACHE=$c PATH=$d/bin:$PATH "$KLPDIFF" build -r "$release" --sysroot "$root" \
	-o "$d/killed.ko" "$here/patches/cmdline.patch" >/dev/null 2>"$d/killed.err" &
pid=$!
for _ in $(seq 1500); do
	[ ! -e "$d/unpacked" ] || break
	sleep 0.2
done
tap_ok "the unit's part unpacked, the run still going" test -e "$d/unpacked"
kill -TERM "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
kill -TERM "$(cat "$d/tar.pid")" 2>/dev/null || true
t=$(tree "$c")
tap_ok "killed: the part not recorded, the unit not in the tree" \
	sh -c "! grep -qx 'dir fs/proc' '$t/.klpdiff-parts' && test ! -e '$t/fs/proc/cmdline.c'"
build again "$c" "$here/patches/cmdline.patch"
tap_is "$status" 0 "after the kill: built"
tap_is "$(cat "$d/again.diff")" "$(cat "$here/expect/debian-6.1/cmdline.diff")" \
	"after the kill: exactly its change"
tap_is "$(grep -c '^klpdiff build: unpacking into .*: dir arch/x86, dir fs/proc' "$d/again.err")" \
	1 "after the kill: the part unpacked again"
tap_ok "after the kill: recorded" grep -qx 'dir fs/proc' "$t/.klpdiff-parts"
tap_done
