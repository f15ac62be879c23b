#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Same-named locals of the running kernel: which one is the patched unit's
# (src/kernel/kernel_symbols_pick.c), for the shipped-code check and for the
# sympos that extract writes, on tests/fixtures/verify/same-named: unit.c
# (the patched unit; unit-patched.c changes first()) and other.c have a
# helper() and once flags of the same names; with stubs.c, compiled without
# function sections and linked at 0xffffffff81000000, they are the "shipped
# vmlinux" (nm gives its kallsyms).
#
#  1. verify accepts the unit, every reference checked, none masked
#  2. extract, from a kallsyms listing laid out as a kernel's (the other
#     unit's flags right after a global only the patched unit has, which
#     made the count of unit names around each copy pick the other unit's
#     once2, as Debian's 6.1 picked another unit's __already_done.34 for
#     net/core/dev.c): helper is the unit's by the unit's names around it,
#     once0 and once2 by the offsets of the unit's flags from each other
#  3. where nothing tells helper's copies apart, extract refuses in one line
#     naming each candidate, its address and its neighbours
#  4. klpdiff symbols: the figures of a listing, and one name's sympos
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/lib/compile.sh
. "$here/../lib/compile.sh"

fixtures=$here/../fixtures/verify/same-named
klp_relocs=$here/../extract/klp-relocs.py
[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
for tool in python3 ld nm readelf; do
	command -v "$tool" >/dev/null || tap_skip_all "$tool is not installed"
done
klp_have_cc gcc || tap_skip_all "gcc is not installed"
tap_tmpdir
cd "$TAP_TMP"

symvers=$TAP_TMP/Module.symvers
printf '0x%08x\t%s\tvmlinux\tEXPORT_SYMBOL\t\n' 0x1b2c3d4e __fentry__ 0x22334455 sink >"$symvers"
# shellcheck source=tests/lib/extract.sh
. "$here/../lib/extract.sh"

mkdir -p orig patched
cp "$fixtures/unit.c" orig/unit.c
cp "$fixtures/unit-patched.c" patched/unit.c
if ! { klp_compile gcc plain "$fixtures/other.c" other.o &&
	klp_compile gcc plain "$fixtures/unit.c" unit-plain.o &&
	klp_compile gcc plain "$fixtures/stubs.c" stubs.o &&
	(cd orig && klp_compile gcc sections unit.c unit.o) &&
	(cd patched && klp_compile gcc sections unit.c unit.o) &&
	ld -o vmlinux -Ttext=0xffffffff81000000 -e first other.o unit-plain.o stubs.o; } \
	2>build.log; then
	tap_fail "fixtures build"
	tap_diag <build.log
	tap_done
fi
tap_pass "fixtures build"
{ echo "ffffffff81000000 T _text"; nm -n vmlinux; } >kallsyms

# 1. The shipped-code check.
status=0
out=$("$KLPDIFF" verify --objname vmlinux --shipped vmlinux --kallsyms kallsyms orig/unit.o 2>&1) ||
	status=$?
tap_check "$([[ $status == 0 && $out == "compared 2 skipped 0 checked "*" masked 0" ]]; echo $?)" \
	"verify: the unit's references go to its own copies, none left unchecked"
[ "$TAP_LAST" == 0 ] || tap_diag "$out"

# The unit's once flags at @1 + their offsets, in the order of their offsets.
flags_at()
{
	local value name

	readelf -sW orig/unit.o | awk '$4 == "OBJECT" && $8 ~ /^once/ { print $2, $8 }' |
		while read -r value name; do
			printf '%016x d %s\n' $((16#$1 + 16#$value)) "$name"
		done | sort
}

# 2. A listing as a kernel's: text, then data; the other unit's helper and
# flags first, its flags (laid out otherwise: two bytes apart) right after
# unit_state, which only the patched unit has.
{
	echo "ffffffff81000000 T _text"
	echo "ffffffff81000100 t helper"
	echo "ffffffff81000180 T other"
	echo "ffffffff81000200 t helper"
	echo "ffffffff81000280 T first"
	echo "ffffffff81000300 T sink"
	echo "ffffffff81000310 T __fentry__"
	echo "ffffffff82000000 D other_state"
	echo "ffffffff82000008 D unit_state"
	echo "ffffffff82000010 d once2"
	echo "ffffffff82000012 d once0"
	echo "ffffffff82000014 d once3"
	echo "ffffffff82000016 d once1"
	flags_at ffffffff82000100
	echo "ffffffff82000200 B sunk"
} >listing
if extract_ok "extract" orig/unit.o patched/unit.o listing; then
	manifest_is "$out" "extract: first is patched, the only one of its name" \
		"object vmlinux" "func vmlinux first 0 __klpdiff_new.vmlinux.first.0"
	tap_is "$(klp "$out" | awk '{ print $3 }' | LC_ALL=C sort -u | xargs)" \
		".klp.sym.vmlinux.helper,2 .klp.sym.vmlinux.once0,2 .klp.sym.vmlinux.once2,2 .klp.sym.vmlinux.unit_state,0" \
		"extract: helper, once0 and once2 are the unit's, the second of their names"
fi

# 3. The same with first and unit_state away from the rest of the unit: only
# other units' names beside either helper.
sed -e 's/^ffffffff81000280 T first$/ffffffff81000400 T first/' \
	-e 's/^ffffffff82000008 D unit_state$/ffffffff82000300 D unit_state/' listing |
	sort >listing.apart
extract "extract, helper apart" orig/unit.o patched/unit.o listing.apart
expect_failure "extract, helper apart" 2 "klpdiff: listing.apart: 2 symbols named 'helper', and unit.c's other symbols do not tell which one is its own: 2 could be: sympos 1 at 0xffffffff81000100 (after _text, before other); sympos 2 at 0xffffffff81000200 (after other, before sink)" helper

# 4. The figures, and one sympos.
tap_is "$("$KLPDIFF" symbols listing orig/unit.o 2>&1)" \
	"listing: 18 symbols; 5 local names more than once (10 symbols)
units 1: 5 locals of those names, 5 told apart (0 wrong, 5 unchecked), 0 not told apart" \
	"symbols: the figures of the listing and the unit"
tap_is "$("$KLPDIFF" symbols --sympos once2 --unit orig/unit.o listing 2>&1)" \
	"once2 sympos 2 at 0x$(flags_at ffffffff82000100 | awk '$3 == "once2" { print $1 }')" \
	"symbols --sympos: once2 is the second"
tap_done
