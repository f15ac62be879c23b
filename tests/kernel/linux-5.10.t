#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Objects of an older kernel than the profiles' own tests use: Linux 5.10
# (Debian bullseye-security's linux-source-5.10), compiled here for x86-64
# and ppc64le (cross) with Debian 12's gcc-12. Debian built 5.10 with gcc-10,
# which Debian 12 lacks; the special sections' layouts come from the
# kernel's headers, not from the compiler. 5.10's x86-64 bug entries count
# their file from the entry, its paravirt sites leave the last entry
# unpadded, its exception entries have a handler; its ppc64le bug entries
# and jump labels are absolute.
#  1. klpdiff profile -k reads each tree: exactly 5.10's layouts.
#  2. klpdiff sums reads the objects without -k and gives what it gives with
#     -k (every section got the kernel's own layout); the sizes show a
#     .parainstructions whose last entry is unpadded.
#  3. net/core/dev.c with an ASSERT_RTNL() added to the first function that
#     has none: diff reports that function alone; the functions below it
#     with an ASSERT_RTNL() are only line shifts (diff -v).
# The source comes through apt (a private sources list) into
# $KLPDIFF_E2E_WORKDIR/linux-5.10/ (default ~/.cache/klpdiff), with the
# prepared trees; a rerun reuses them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
[ -z "${KLPDIFF_SKIP_KERNEL:-}" ] || tap_skip_all "KLPDIFF_SKIP_KERNEL set: no kernel to build"
command -v gcc-12 >/dev/null || tap_skip_all "gcc-12 is not installed"
tap_tmpdir
export KLPDIFF_CACHE=$TAP_TMP/cache

work=${KLPDIFF_E2E_WORKDIR:-$HOME/.cache/klpdiff}/linux-5.10
mkdir -p "$work"
objects=(kernel/sched/core.o net/core/dev.o fs/ext4/inode.o mm/page_alloc.o)

# The source tree, unpacked once from the newest linux-source-5.10.
source_tree() {
	local apt=$work/apt deb
	local -a opts=(-o Dir::Etc::sourcelist="$apt/sources.list" -o Dir::Etc::sourceparts=/dev/null
		-o Dir::State::Lists="$apt/lists" -o Dir::State::status="$apt/status"
		-o Dir::Cache="$apt/cache")

	[ ! -f "$work/src/.unpacked" ] || return 0
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
	touch "$apt/status"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]" \
		"http://deb.debian.org/debian-security bullseye-security main" >"$apt/sources.list"
	apt-get "${opts[@]}" update >"$work/apt.log" 2>&1 || return 1
	(cd "$apt" && apt-get "${opts[@]}" download linux-source-5.10) >>"$work/apt.log" 2>&1 ||
		return 1
	deb=$(find "$apt" -maxdepth 1 -name "linux-source-5.10_*.deb" | sort -V | tail -1)
	rm -rf "$work/src" "$work/deb"
	dpkg-deb -x "$deb" "$work/deb"
	mkdir -p "$work/src"
	tar -C "$work/src" --strip-components=1 -xf "$work"/deb/usr/src/linux-source-5.10.tar.xz
	rm -rf "$work/deb"
	touch "$work/src/.unpacked"
}

# prepare ARCH: the configured, prepared tree $work/ARCH (out of the source
# tree), with the objects compiled.
prepare() {
	local arch=$1 o=$work/$1 log=$work/$1.log
	local -a mk=(make -C "$work/src" O="$o" -j"$(nproc)" CC=gcc-12 HOSTCC=gcc-12)

	[ "$arch" = x86_64 ] || mk+=(ARCH=powerpc CROSS_COMPILE=powerpc64le-linux-gnu-
		CC=powerpc64le-linux-gnu-gcc-12)
	[ ! -f "$o/.klpdiff-done" ] || return 0
	rm -rf "$o"
	mkdir -p "$o"
	{
		if [ "$arch" = x86_64 ]; then
			"${mk[@]}" defconfig
			"$work/src/scripts/config" --file "$o/.config" -e HYPERVISOR_GUEST -e PARAVIRT \
				-e PARAVIRT_SPINLOCKS -e KVM_GUEST -e EXT4_FS -d DEBUG_INFO
		else
			"${mk[@]}" ppc64le_defconfig
			"$work/src/scripts/config" --file "$o/.config" -e EXT4_FS -d DEBUG_INFO
		fi
		"${mk[@]}" olddefconfig
		"${mk[@]}" modules_prepare
		"${mk[@]}" "${objects[@]}"
	} >"$log" 2>&1 || return 1
	touch "$o/.klpdiff-done"
}

# What profile prints after the kernel line: the probe's sections.
# (5.10's stable updates brought the return thunks of 5.19.)
x86_layouts='layout .altinstructions 12 3.10 to 4.0, 5.10 to 6.7
layout .orc_unwind_ip 4 4.14+
layout .return_sites 4 5.19+
layout .static_call_sites 8 5.10+
layout __bug_table 12 3.10 to 5.18, CONFIG_DEBUG_BUGVERBOSE (from the entry)
layout __ex_table 12 4.6 to 5.15 (handler)
layout __jump_table 16 4.20+ (relative)'
ppc_layouts='layout __ex_table 8 4.10+
layout __ftr_fixup 48 3.10+
layout __mmu_ftr_fixup 48 3.10+
layout __fw_ftr_fixup 48 3.10+
layout __barrier_nospec_fixup 8 4.17+
layout __mcount_loc 8 3.10+
layout __bug_table 24 3.10 to 5.10, CONFIG_DEBUG_BUGVERBOSE (absolute)
layout __jump_table 24 3.10 to 5.12 (absolute)'

# profile ARCH WANT: the kernel line, then exactly WANT's layouts in any order.
profile() {
	local arch=$1 want=$2 o=$work/$1 got
	if ! "$KLPDIFF" profile -k "$o" >"$TAP_TMP/profile" 2>"$TAP_TMP/profile.err"; then
		tap_fail "$arch 5.10: klpdiff profile -k"
		tap_diag <"$TAP_TMP/profile.err"
		return
	fi
	tap_is "$(head -1 "$TAP_TMP/profile")" \
		"kernel $(cat "$o/include/config/kernel.release") Linux 5.10 $arch" \
		"$arch 5.10: profile names the kernel"
	got=$(sed 1d "$TAP_TMP/profile" | sort)
	tap_is "$got" "$(sort <<<"$want")" "$arch 5.10: profile, exactly 5.10's layouts"
}

# sums ARCH: every object read without -k, and as with -k.
sums() {
	local arch=$1 o=$work/$1 f
	for f in "${objects[@]}"; do
		if ! "$KLPDIFF" sums "$o/$f" >"$TAP_TMP/plain.sums" 2>"$TAP_TMP/sums.err"; then
			tap_fail "$arch 5.10: $f read without -k"
			tap_diag <"$TAP_TMP/sums.err"
			continue
		fi
		tap_pass "$arch 5.10: $f read without -k"
		if "$KLPDIFF" sums -k "$o" "$o/$f" >"$TAP_TMP/k.sums" 2>"$TAP_TMP/sums.err"; then
			tap_ok "$arch 5.10: $f: the same sums with -k (the kernel's own layouts)" \
				cmp -s "$TAP_TMP/plain.sums" "$TAP_TMP/k.sums"
		else
			tap_fail "$arch 5.10: $f read with -k"
			tap_diag <"$TAP_TMP/sums.err"
		fi
	done
}

# A paravirt site list whose last entry is 12 bytes: RHEL's "size 0x18c".
unpadded_paravirt() {
	local o=$work/x86_64 f size found=
	for f in "${objects[@]}"; do
		size=$(readelf -SW "$o/$f" | awk '$2 == ".parainstructions" { print $6 }')
		[ -n "$size" ] && (((16#$size) % 16 == 12)) && found+=" $f"
	done
	tap_ok "x86_64 5.10: objects whose .parainstructions ends with a 12-byte entry:${found:- none}" \
		test -n "$found"
}

# assert_rtnl ARCH: dev.c with one more ASSERT_RTNL(), recompiled; diff says
# the function alone changed, and the later ASSERT_RTNL()s moved only.
assert_rtnl() {
	local arch=$1 o=$work/$1 fn out orig status=0
	local -a mk=(make -C "$work/src" O="$o" CC=gcc-12 HOSTCC=gcc-12)

	[ "$arch" = x86_64 ] || mk+=(ARCH=powerpc CROSS_COMPILE=powerpc64le-linux-gnu-
		CC=powerpc64le-linux-gnu-gcc-12)
	# dev_set_alias(): a function of dev.c without an ASSERT_RTNL(), above
	# many that have one (__dev_open, __dev_close_many, ...).
	fn=dev_set_alias
	# Both compiled in place by the same command (the same __FILE__ and
	# flags); the original waits beside the patched file until restored.
	orig=$work/src/net/core/dev.c.klpdiff-orig
	[ ! -f "$orig" ] || mv "$orig" "$work/src/net/core/dev.c"
	touch "$work/src/net/core/dev.c"
	"${mk[@]}" net/core/dev.o >"$TAP_TMP/rtnl.log" 2>&1 &&
		cp "$o/net/core/dev.o" "$TAP_TMP/dev-orig.o"
	cp -p "$work/src/net/core/dev.c" "$orig"
	awk -v fn="$fn" '
		$0 ~ "^int " fn "\\(" { on = 1 }
		on && /^{$/ { print; print "\tASSERT_RTNL();"; on = 0; next }
		{ print }' "$orig" >"$work/src/net/core/dev.c"
	if [ -f "$TAP_TMP/dev-orig.o" ] && "${mk[@]}" net/core/dev.o >>"$TAP_TMP/rtnl.log" 2>&1; then
		cp "$o/net/core/dev.o" "$TAP_TMP/dev-patched.o"
	fi
	mv "$orig" "$work/src/net/core/dev.c"
	touch "$work/src/net/core/dev.c"
	"${mk[@]}" net/core/dev.o >>"$TAP_TMP/rtnl.log" 2>&1 || true
	if [ ! -f "$TAP_TMP/dev-patched.o" ]; then
		tap_fail "$arch 5.10: dev.c, and with one more ASSERT_RTNL(), compile"
		tap_diag "$(tail -20 "$TAP_TMP/rtnl.log")"
		return
	fi
	null_ok
	out=$("$KLPDIFF" diff "$TAP_TMP/dev-orig.o" "$TAP_TMP/dev-patched.o" 2>&1) || status=$?
	tap_is "$status|$out" "1|changed: dev.c:$fn" \
		"$arch 5.10: an ASSERT_RTNL() added to $fn(): it alone changed"
	out=$("$KLPDIFF" diff -v "$TAP_TMP/dev-orig.o" "$TAP_TMP/dev-patched.o" 2>&1 || true)
	tap_ok "$arch 5.10: ... and __dev_open(), with an ASSERT_RTNL() below it, moved only" \
		grep -qx "ignored: dev.c:__dev_open: only line numbers changed" <<<"$out"
	rm -f "$TAP_TMP/dev-orig.o" "$TAP_TMP/dev-patched.o"
}

# kbuild's cc-option compiles /dev/null: as a regular file (something wrote
# over it) options drop at random, and so do the objects' equality.
null_ok() {
	[ -c /dev/null ] || tap_bail "/dev/null is not a device: compiler options would drop at random"
}

null_ok
source_tree || tap_skip_all "apt cannot get linux-source-5.10 from bullseye-security (see $work/apt.log)"
for arch in x86_64 ppc64le; do
	if [ "$arch" = ppc64le ] && ! command -v powerpc64le-linux-gnu-gcc-12 >/dev/null; then
		tap_skip "ppc64le 5.10" "powerpc64le-linux-gnu-gcc-12 is not installed"
		continue
	fi
	if ! prepare "$arch"; then
		tap_fail "$arch 5.10: the tree is prepared and the objects compile"
		tap_diag "$(tail -30 "$work/$arch.log")"
		continue
	fi
	null_ok
	tap_pass "$arch 5.10: the tree is prepared and the objects compile (gcc-12)"
	if [ "$arch" = x86_64 ]; then
		profile "$arch" "$x86_layouts"
		unpadded_paravirt
	else
		profile "$arch" "$ppc_layouts"
	fi
	sums "$arch"
	assert_rtnl "$arch"
done
tap_done
