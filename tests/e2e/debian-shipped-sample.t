#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The shipped-code check over a seeded sample of Debian 6.1's vmlinux: 100 of
# its C units (from the -dbg vmlinux's DWARF; seed 27), compiled as
# `klpdiff build -r RELEASE` compiles originals and every function checked
# against the shipped code (bench/shipped-check, `klpdiff build
# --check-units`). Expected: every unit compiles, no function differs, and
# the counts add up. The whole kernel's figures are in bench/README.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/debian-archive.sh"

command -v readelf >/dev/null || tap_skip_all "readelf (binutils) is needed"
debian_61_dbg_needs "$here"

tap_tmpdir
out=$TAP_TMP/check
status=0
KLPDIFF=$KLPDIFF "$here/../../bench/shipped-check" -r "$release" --sysroot "$root" -n 100 -S 27 \
	-b 100 -o "$out" -q >"$TAP_TMP/summary" 2>"$TAP_TMP/err" || status=$?
tap_is "$status" 0 "bench/shipped-check: 100 units of $release, seed 27"
[ "$TAP_LAST" = 0 ] || tap_diag <"$TAP_TMP/err"
tap_diag <"$TAP_TMP/summary"
tap_is "$(wc -l <"$out/units")" 100 "100 units sampled"
tap_is "$(grep -c ' compared [0-9]* skipped [0-9]* mismatched 0$' "$out"/batch-*.out)" 100 \
	"each of the 100 compiled and checked, no function different"
tap_is "$(cat "$out/mismatches")" "" "no mismatch reported"
[ "$TAP_LAST" = 0 ] || tap_diag <"$out/mismatches"
tap_is "$(cat "$out/not-compiled")" "" "no unit that did not compile"
# The totals are the units' lines added up, and thousands of functions were compared.
sum=$(awk '/ compared / && !/^units/ { n += $3 } END { print n }' "$out"/batch-*.out)
tap_is "$(sed -n 's/^functions compared \([0-9]*\) same \1 mismatched 0 .*/\1/p' "$out/summary")" \
	"$sum" "functions compared: the units' sum, all the same ($sum)"
tap_ok "more than 1000 functions compared" test "$sum" -gt 1000

# --check-units itself: a unit kbuild cannot make, or that the kernel has none
# of the symbols of, is reported, not hidden (exit 1); a line that names no
# directory of the source is refused before any work.
check() {
	status=0
	"$KLPDIFF" build -r "$release" --sysroot "$root" --check-units "$TAP_TMP/list" \
		>"$TAP_TMP/out" 2>"$TAP_TMP/err" || status=$?
}
# Debian's official build prints its package id (LINUX_PACKAGE_ID, " Debian
# VERSION") in stack dumps and hung-task reports: compiled without Debian's make
# variables, both units differed from the shipped code.
# inflate_syms.c has exports only (whose __addressable_ locals the link drops):
# no function to check, but no unit the kernel lacks either.
printf 'kernel/hung_task.o\nlib/dump_stack.o\nlib/zlib_inflate/inflate_syms.o\n' >"$TAP_TMP/list"
check
tap_is "$status:$(sed -E 's/compared [0-9]+ (skipped [0-9]+ )?/compared N /; s/same [0-9]+/same N/' \
	"$TAP_TMP/out")" "0:kernel/hung_task.o compared N mismatched 0
lib/dump_stack.o compared N mismatched 0
lib/zlib_inflate/inflate_syms.o compared N mismatched 0
units 3 checked 3 not-compiled 0; functions compared N same N mismatched 0 (in 0 units) skipped 0" \
	"the units that print Debian's package id are the shipped code; a unit of exports only is checked"
[ "$TAP_LAST" = 0 ] || tap_diag <"$TAP_TMP/err"
# lib/test_min_heap.c compiles, but Debian's config leaves it out (TEST_MIN_HEAP).
printf '# a comment\nfs/proc/nonexistent.o\n\nlib/test_min_heap.o\n' >"$TAP_TMP/list"
check
tap_is "$status:$(cat "$TAP_TMP/out")" "1:fs/proc/nonexistent.o not compiled
lib/test_min_heap.o not in the kernel
units 2 checked 0 not-compiled 2; functions compared 0 same 0 mismatched 0 (in 0 units) skipped 0" \
	"--check-units: a unit that does not compile, one the kernel lacks: reported (exit 1)"
printf 'fs/proc/cmdline.o\nnope/x.o\n' >"$TAP_TMP/list"
check
tap_is "$status:$(cat "$TAP_TMP/out"):$(grep -v '^klpdiff build: \[' "$TAP_TMP/err")" \
	"2::klpdiff: $TAP_TMP/list: line 2: 'nope/x.o' is no object of a directory of $(sed -n 's/.*; source: //p' "$TAP_TMP/err")" \
	"--check-units: a line naming no directory of the source: refused in one line (exit 2)"
tap_done
