#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The prepared tree of a Debian kernel made from its headers packages
# (.config, include/config, the generated headers, kbuild's fixdep, genksyms
# and objtool of that very build) instead of `make olddefconfig prepare`:
# - units compiled in it are the objects the make-prepared tree gives
#   (KLPDIFF_MAKE_PREPARE=1: the same function sums, sections and kbuild
#   command lines), for units with local headers (kernel/sched/,
#   net/ipv4/), of a module (fs/xfs/, fs/xfs/libxfs/) and that need a
#   program of scripts/ the headers lack (security/selinux/'s flask.h,
#   crypto/'s .asn1.h: klpdiff makes scripts then), and they are
#   the code Debian shipped (the check against the -dbg vmlinux and xfs.ko);
# - an assembly killed halfway is never taken as complete: the next run
#   assembles it again and builds the patch;
# - headers that lack a program kbuild runs (objtool): one line, and make
#   prepare instead.
# On Debian 6.1 (installed, as tests/e2e/debian-shipped-sample.t).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/debian-archive.sh"
debian_61_dbg_needs "$here"
tap_tmpdir
d=$TAP_TMP
printf '%s\n' kernel/sched/core.o kernel/sched/fair.o net/ipv4/tcp_input.o \
	fs/xfs/xfs_super.o fs/xfs/libxfs/xfs_bmap.o security/selinux/ima.o crypto/rsa_helper.o \
	>"$d/units"

# check WAY [ENV...]: --check-units of the units, work files kept; the work dir in $d/WAY.work.
check() {
	local way=$1
	shift
	status=0
	env "$@" nice -n 10 "$KLPDIFF" build -r "$release" --sysroot "$root" --keep-tmp \
		--check-units "$d/units" >"$d/$way.out" 2>"$d/$way.err" || status=$?
	sed -n 's/^klpdiff build: work files kept in //p' "$d/$way.err" >"$d/$way.work"
}

check headers
tap_is "$status" 0 "from the headers: the units checked"
[ "$TAP_LAST" = 0 ] || tap_diag <"$d/headers.err"
tap_is "$(grep -c 'from the headers .* (no make prepare)' "$d/headers.err" || true)" \
	"$(grep -c 'preparing' "$d/headers.err" || true)" "prepared from the headers, if at all"
tap_is "$(tail -1 "$d/headers.out" | sed 's/ compared [0-9]* same [0-9]*//')" \
	"units 7 checked 7 not-compiled 0; functions mismatched 0 (in 0 units) skipped 1" \
	"from the headers: every function is the shipped code"
# selinux's flask.h and crypto's .asn1.h need programs of scripts/ that
# linux-kbuild does not ship: one line, make scripts, the units again.
tap_is "$(grep -c '^klpdiff build: no rule for .* in the tree from the headers: make scripts' \
	"$d/headers.err")" 1 "programs of scripts/ the headers lack: made once, said in one line"
check make KLPDIFF_MAKE_PREPARE=1
tap_is "$status" 0 "by make prepare: the units checked"
[ "$TAP_LAST" = 0 ] || tap_diag <"$d/make.err"
tap_is "$(grep -c '^klpdiff build: .*KLPDIFF_MAKE_PREPARE' "$d/make.err")" 1 \
	"KLPDIFF_MAKE_PREPARE said in one line"

# Same objects both ways: function sums, allocated sections, kbuild's command.
a=$(cat "$d/headers.work") b=$(cat "$d/make.work")
while read -r u; do
	"$KLPDIFF" sums "$a/original/$u" -o "$d/a.sums"
	"$KLPDIFF" sums "$b/original/$u" -o "$d/b.sums"
	tap_ok "$u: the same function sums both ways" cmp "$d/a.sums" "$d/b.sums"
	readelf -SW "$a/original/$u" | awk '/\] / && !/debug/ { print $2, $3, $6 }' >"$d/a.sec"
	readelf -SW "$b/original/$u" | awk '/\] / && !/debug/ { print $2, $3, $6 }' >"$d/b.sec"
	tap_ok "$u: the same sections both ways" cmp "$d/a.sec" "$d/b.sec"
	cmd=.$(basename "$u").cmd
	head -1 "$a/original/$(dirname "$u")/$cmd" | sed "s#${a%/run-*}/prepared##g" >"$d/a.cmd"
	head -1 "$b/original/$(dirname "$u")/$cmd" | sed "s#${b%/run-*}/prepared##g" >"$d/b.cmd"
	tap_ok "$u: the same compiler command both ways" cmp "$d/a.cmd" "$d/b.cmd"
done <"$d/units"
rm -rf "$a" "$b"

# Killed while copying from the headers: the tree is not stamped, and the
# next run (the same cache) assembles it again. A private cache, the
# source of the runs above.
src=$(sed -n 's/.*; source: //p' "$d/headers.err")
mkdir -p "$d/bin" "$d/cache"
cat >"$d/bin/cp" <<EOF
#!/bin/sh
echo \$\$ >"$d/cp.pid"
/bin/cp "\$@"
touch "$d/copied"
sleep 60
EOF
chmod +x "$d/bin/cp"
patch=$here/patches/cmdline.patch
PATH=$d/bin:$PATH KLPDIFF_CACHE=$d/cache "$KLPDIFF" build -r "$release" --sysroot "$root" \
	-s "$src" -o "$d/killed.ko" "$patch" >/dev/null 2>"$d/killed.err" &
pid=$!
for _ in $(seq 600); do
	[ ! -e "$d/copied" ] || break
	sleep 0.2
done
tap_ok "the headers copied, the run still going" test -e "$d/copied"
kill -TERM "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
kill -TERM "$(cat "$d/cp.pid")" 2>/dev/null || true
tap_is "$(find "$d/cache" -name .klpdiff-prepared | wc -l)" 0 "killed: no prepared tree stamped"
status=0
KLPDIFF_CACHE=$d/cache "$KLPDIFF" build -r "$release" --sysroot "$root" -s "$src" \
	-o "$d/again.ko" "$patch" >/dev/null 2>"$d/again.err" || status=$?
tap_is "$status" 0 "after the kill: the patch built"
[ "$TAP_LAST" = 0 ] || tap_diag <"$d/again.err"
tap_is "$(grep -c 'from the headers .* (no make prepare)' "$d/again.err")" 1 \
	"after the kill: the tree assembled again"
tap_is "$(cat "$d"/cache/*/prepared/.klpdiff-prepared)" "headers" "stamped as made from the headers"
tap_is "$(grep -c 'extracted' "$d/again.err")" 1 "cmdline.o extracted"

# Headers without objtool (a sysroot whose linux-kbuild has no tools/): one
# line naming what they lack, and make prepare instead (stopped once begun).
f=$d/sysroot
mkdir -p "$f/usr/src" "$f/usr/lib/linux-kbuild-6.1/tools" "$d/cache2"
for x in boot lib var; do ln -s "$(readlink -f "$root/$x")" "$f/$x"; done
ln -s "$(readlink -f "$root/usr/lib/debug")" "$f/usr/lib/debug"
ln -s /usr/lib/linux-kbuild-6.1/scripts "$f/usr/lib/linux-kbuild-6.1/scripts"
cp -a "$(readlink -f "$root/usr/src/linux-headers-$release")" "$f/usr/src/"
headers=$f/usr/src/linux-headers-$release
KLPDIFF_CACHE=$d/cache2 "$KLPDIFF" build -r "$release" --sysroot "$f" -s "$src" \
	-o "$d/fallback.ko" "$patch" >/dev/null 2>"$d/fallback.err" &
pid=$!
for _ in $(seq 600); do
	! grep -q 'make olddefconfig prepare' "$d/fallback.err" || break
	sleep 0.2
done
kill -TERM "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
tap_is "$(grep '^klpdiff build: .*: preparing with make prepare instead' "$d/fallback.err")" \
	"klpdiff build: $headers: no tools/objtool/objtool: preparing with make prepare instead" \
	"headers without objtool: said in one line"
tap_is "$(grep -c 'preparing .* (make olddefconfig prepare)' "$d/fallback.err")" 1 \
	"headers without objtool: make prepare instead"
tap_done
