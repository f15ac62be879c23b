#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The checksum contract, case by case. Each tests/fixtures/sums/<case>/ holds
# a.c (before), b.c (after) and expect; both are compiled with gcc and clang,
# and with gcc for s390x (big-endian objects read on this little-endian host),
# ppc64le and arm64 (not the cases in x86-64 assembly), each with and without
# -ffunction-sections -fdata-sections, and `klpdiff sums` must agree with every
# line of expect (expect.gcc / expect.clang / expect.s390x / expect.ppc64le / expect.arm64
# replace it where the compilers genuinely differ; the cross compilers take
# expect.gcc otherwise; skip.CC-MODE says why a case cannot hold there):
#
#   same KEY          the checksums of KEY are equal in a and b
#   changed KEY       they differ
#   new KEY           KEY exists in b only
#   removed KEY       KEY exists in a only
#   renamed NA NB     the symbol named NA in a and the one named NB in b have
#                     different names, one key and the same checksum (a
#                     renumbered static local or clone)
#
# KEY may be a function or a data object; the function keys of a and b
# together must all be listed, so that a case notices when the compiler
# does something the case did not intend (another clone, an inlined helper).
# With several records of one key (two clones of one function), same and
# changed compare the sorted lists of their checksums.
#
# KLP_KEEP=1 keeps the build directory and prints its path.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/lib/compile.sh
. "$here/../lib/compile.sh"

fixtures=$here/../fixtures/sums
[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"

tap_tmpdir
if [ -n "${KLP_KEEP:-}" ]; then
	trap - EXIT
	tap_diag "keeping $TAP_TMP"
fi

# load_sums SIDE SUMS: index one sums file into the associative arrays
# SUMS_<side> (key -> its sorted checksums), NAMED_<side> (symbol name -> "key
# checksum") and FUNCS_<side> (function keys). Only the first six columns
# (UNIT KIND NAME KEY SIZE CHECKSUM) are read; later columns are not ours.
# shellcheck disable=SC2034,SC2004 # the namerefs fill the global arrays
load_sums()
{
	local -n sums=SUMS_$1 named=NAMED_$1 funcs=FUNCS_$1
	local tag a b c

	sums=() named=() funcs=()
	while read -r tag a b c; do
		case $tag in
		K) sums[$a]=$b ;;
		N) named[$a]="$b $c" ;;
		F) funcs[$a]=1 ;;
		esac
	done < <(sort -k4,4 -k6,6 "$2" | awk '
		/^#/ { next }
		{ print "N", $3, $4, $6 }
		$2 == "func" { print "F", $4 }
		{ all[$4] = ($4 in all) ? all[$4] "," $6 : $6 }
		END { for (k in all) print "K", k, all[k] }')
}
declare -A SUMS_a SUMS_b NAMED_a NAMED_b FUNCS_a FUNCS_b

# holds VERB KEY|NA NB: does the expect line hold for a.o and b.o? If not,
# $why shows what was found.
holds()
{
	local sa=${SUMS_a[$2]:-} sb=${SUMS_b[$2]:-} ra rb

	if [ "$1" == renamed ]; then
		ra=${NAMED_a[$2]:-}
		rb=${NAMED_b[$3]:-}
		if [ "$2" != "$3" ] && [ -n "$ra" ] && [ "$ra" == "$rb" ]; then
			return 0
		fi
		why="a: $2 -> '$ra'"$'\n'"b: $3 -> '$rb'"
		return 1
	fi
	case $1 in
	same) [ -n "$sa" ] && [ "$sa" == "$sb" ] && return 0 ;;
	changed) [ -n "$sa" ] && [ -n "$sb" ] && [ "$sa" != "$sb" ] && return 0 ;;
	new) [ -z "$sa" ] && [ -n "$sb" ] && return 0 ;;
	removed) [ -n "$sa" ] && [ -z "$sb" ] && return 0 ;;
	*) why="unknown expect verb '$1'"; return 1 ;;
	esac
	why="a: $(grep -F " $2 " "$dir/a.sums" | tr '\n' ';' || true)"
	why+=$'\n'"b: $(grep -F " $2 " "$dir/b.sums" | tr '\n' ';' || true)"
	return 1
}

# run_case CASE CC MODE: compile, sum and check one case one way.
run_case()
{
	local name=$1 cc=$2 mode=$3 src=$fixtures/$1 expect verb x y k missing
	local label="$name $cc $mode"
	local -A listed

	dir=$TAP_TMP/$name-$cc-$mode
	expect=$src/expect
	# The cross compilers are gccs: their IPA decisions are gcc's.
	! klp_is_cross "$cc" || [ ! -f "$src/expect.gcc" ] || expect=$src/expect.gcc
	[ ! -f "$src/expect.$cc" ] || expect=$src/expect.$cc
	if [ ! -f "$expect" ]; then
		tap_fail "$label: has an expect file"
		return
	fi
	for side in a b; do
		if [ ! -f "$dir/$side.o" ]; then
			tap_fail "$label: compile $side.c"
			tap_diag <"$dir/$side.o.log"
			return
		fi
		if ! "$KLPDIFF" sums "$dir/$side.o" >"$dir/$side.sums" 2>"$dir/err"; then
			tap_fail "$label: klpdiff sums $side.o"
			tap_diag <"$dir/err"
			return
		fi
		load_sums "$side" "$dir/$side.sums"
	done
	listed=()
	while read -r verb x y; do
		case $verb in
		'' | '#'*) continue ;;
		renamed)
			# The renamed symbol's key, as a.o spells it.
			k=${NAMED_a[$x]:-}
			[ -z "$k" ] || listed[${k%% *}]=1
			;;
		*) listed[$x]=1 ;;
		esac
		if holds "$verb" "$x" "$y"; then
			tap_pass "$label: $verb $x${y:+ $y}"
		else
			tap_fail "$label: $verb $x${y:+ $y}"
			tap_diag "$why"
		fi
	done <"$expect"
	missing=
	for x in "${!FUNCS_a[@]}" "${!FUNCS_b[@]}"; do
		[ -n "${listed[$x]:-}" ] || missing+=" $x"
	done
	tap_is "$missing" "" "$label: every function key is listed in $(basename "$expect")"
}

compilers=()
for cc in "${KLP_KINDS[@]}"; do
	if klp_have_cc "$cc"; then
		compilers+=("$cc")
		note=$(klp_cc_version_note "$cc")
		[ -z "$note" ] || tap_diag "$note"
	fi
done

cases=()
for src in "$fixtures"/*/; do
	[ -f "$src/a.c" ] && [ -f "$src/b.c" ] && cases+=("$(basename "$src")")
done
[ ${#cases[@]} -gt 0 ] || tap_bail "no fixture cases in $fixtures"

# wrong_arch CASE CC: the case is assembly for another architecture than CC's.
wrong_arch()
{
	klp_wrong_arch "$2" "$fixtures/$1/a.c" "$fixtures/$1/b.c"
}

# Compile everything first, in parallel: that is most of the time taken.
for name in "${cases[@]}"; do
	for cc in "${compilers[@]}"; do
		! wrong_arch "$name" "$cc" || continue
		for mode in plain sections; do
			mkdir -p "$TAP_TMP/$name-$cc-$mode"
			for side in a b; do
				printf '%s\0' "$cc" "$mode" "$fixtures/$name/$side.c" \
					"$TAP_TMP/$name-$cc-$mode/$side.o"
			done
		done
	done
done | klp_compile_all

for name in "${cases[@]}"; do
	for cc in "${KLP_KINDS[@]}"; do
		for mode in plain sections; do
			if [[ " ${compilers[*]} " != *" $cc "* ]]; then
				tap_skip "$name $cc $mode" "$cc is not installed"
			elif wrong_arch "$name" "$cc"; then
				tap_skip "$name $cc $mode" \
					"$(klp_source_arch "$fixtures/$name/a.c" "$fixtures/$name/b.c") assembly"
			elif [ -f "$fixtures/$name/skip.$cc-$mode" ]; then
				tap_skip "$name $cc $mode" "$(head -1 "$fixtures/$name/skip.$cc-$mode")"
			else
				run_case "$name" "$cc" "$mode"
			fi
		done
	done
done
tap_done
