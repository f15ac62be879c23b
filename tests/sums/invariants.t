#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Properties of `klpdiff sums` that hold for any input, checked on every
# fixture source (tests/fixtures/sums/*/{a,b}.c and link/*.c) built with gcc
# and clang, and with the s390x, ppc64le and arm64 cross compilers (not the cases in
# another architecture's assembly):
#  - an object built with and without -ffunction-sections -fdata-sections
#    has the same checksum for every symbol whose code is the same size in
#    both (clang relaxes a jump within one section to a 2-byte jmp, which
#    is other code); x86-64 only: without -fdata-sections gcc for s390x and
#    ppc64le addresses static data from a section anchor plus a displacement
#    in the instruction, which is other code too;
#  - linking objects with ld -r (as vmlinux.o is made) keeps every checksum,
#    and the unit column tells apart static symbols of one name (a case's
#    ld-r-known.CC-MODE lists the records known to differ, and why);
#  - the output is sorted and byte-for-byte stable; --json holds the same
#    records; -o writes the same bytes to a file and leaves nothing else.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/lib/compile.sh
. "$here/../lib/compile.sh"

fixtures=$here/../fixtures/sums
[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
tap_tmpdir
out=$TAP_TMP

compilers=()
for cc in "${KLP_KINDS[@]}"; do
	if klp_have_cc "$cc"; then
		compilers+=("$cc")
	else
		tap_skip "build with $cc" "$cc is not installed"
	fi
done
((${#compilers[@]})) || tap_skip_all "neither gcc nor clang is installed"

# Every fixture source as "case/side" (side a, b, first, second).
sources=()
for src in "$fixtures"/*/*.c; do
	sources+=("$(basename "$(dirname "$src")")/$(basename "$src" .c)")
done

# Objects go to $out/<case>-<side>-<cc>-<mode>.o; compiled in parallel.
obj()
{
	echo "$out/${1%/*}-${1#*/}-$2-$3.o"
}

# runs S CC: does source S (case/side) compile for CC?
runs()
{
	! klp_wrong_arch "$2" "$fixtures/$1.c"
}

for s in "${sources[@]}"; do
	for cc in "${compilers[@]}"; do
		runs "$s" "$cc" || continue
		for mode in plain sections; do
			printf '%s\0' "$cc" "$mode" "$fixtures/$s.c" "$(obj "$s" "$cc" "$mode")"
		done
	done
done | klp_compile_all

# sums OBJECT... : the records (first six columns) of klpdiff sums, no header.
sums()
{
	"$KLPDIFF" sums "$@" | awk '!/^#/ { print $1, $2, $3, $4, $5, $6 }'
}

# -ffunction-sections -fdata-sections must not change a checksum. Records
# are paired by unit, kind and name; a pair whose sizes differ holds
# different code and is left out (and counted).
for s in "${sources[@]}"; do
	for cc in "${compilers[@]}"; do
		runs "$s" "$cc" || continue
		! klp_is_cross "$cc" || continue	# section anchors (see the top)
		desc="$s $cc: same sums with and without function/data sections"
		plain=$(obj "$s" "$cc" plain)
		sect=$(obj "$s" "$cc" sections)
		if [ ! -f "$plain" ] || [ ! -f "$sect" ]; then
			tap_fail "$desc"
			cat "$plain.log" "$sect.log" 2>/dev/null | tap_diag
			continue
		fi
		sums "$plain" >"$out/p.sums"
		sums "$sect" >"$out/s.sums"
		bad=$(awk '
			FNR == 1 { side++ }
			{ id = $1 " " $2 " " $3 }
			side == 1 { size[id] = $5; sum[id] = $6; next }
			!(id in size) { print "only with sections:", $0; next }
			{ seen[id] = 1 }
			size[id] != $5 { next }
			sum[id] != $6 { print "plain", sum[id], "sections", $6, id }
			END { for (id in size) if (!(id in seen)) print "only without sections:", id }
		' "$out/p.sums" "$out/s.sums")
		if [ -z "$bad" ]; then
			tap_pass "$desc"
		else
			tap_fail "$desc"
			tap_diag "$bad"
		fi
	done
done

# linked_report LINKED SEPARATE...: for every record of the separate
# objects' sums, "ok UNIT KIND NAME" when the linked object's sums have it
# with the same kind, key, size and checksum, else "bad UNIT KIND NAME ...".
# A name that occurs once in the linked object needs no unit (ld -r merges
# the sections of globals from several units); a name that occurs more
# than once (static symbols of several units) is found by its unit.
linked_report()
{
	local linked=$1

	shift
	awk '
		FNR == 1 { file++ }
		file == 1 { n[$3]++; rec[$3, n[$3]] = $0; total++; next }
		{
			want = $2 " " $4 " " $5 " " $6
			got = ""
			for (i = 1; i <= n[$3]; i++) {
				split(rec[$3, i], r, " ")
				if (n[$3] == 1 || r[1] == $1)
					got = r[2] " " r[4] " " r[5] " " r[6]
			}
			if (got == want)
				print "ok", $1, $2, $3
			else
				print "bad", $1, $2, $3, "key", $4, "size", $5, $6, \
					"- linked:", (got == "" ? "missing" : got)
			separate++
		}
		END {
			if (total != separate)
				print "bad: linked has", total, "records, the objects", separate
		}
	' "$linked" "$@"
}

# ld -r of two units whose static functions and data have the same names.
for cc in "${compilers[@]}"; do
	runs link/first "$cc" || continue
	for mode in plain sections; do
		first=$(obj link/first "$cc" "$mode")
		second=$(obj link/second "$cc" "$mode")
		linked=$out/linked-$cc-$mode.o
		if ! "$(klp_tool "$cc" ld)" -r -o "$linked" "$first" "$second" 2>"$out/err"; then
			tap_fail "link $cc $mode: ld -r"
			tap_diag <"$out/err"
			continue
		fi
		sums "$first" >"$out/first.sums"
		sums "$second" >"$out/second.sums"
		sums "$linked" >"$out/linked.sums"
		# One test per symbol, to show which kinds of reference survive.
		while read -r verdict unit kind sym rest; do
			if [ "$verdict" == ok ]; then
				tap_pass "link $cc $mode: ld -r keeps $unit $kind $sym"
			else
				tap_fail "link $cc $mode: ld -r keeps $unit $kind $sym"
				tap_diag "$rest"
			fi
		done < <(linked_report "$out/linked.sums" "$out/first.sums" "$out/second.sums")
		# The statics of one name: one record per unit, with different sums.
		for name in helper state; do
			units=$(awk -v n="$name" '$3 == n { print $1 }' "$out/linked.sums" | sort | xargs)
			tap_is "$units" "first.c second.c" \
				"link $cc $mode: the two static $name have their units"
			nsums=$(awk -v n="$name" '$3 == n { print $6 }' "$out/linked.sums" | sort -u | wc -l)
			tap_is "$nsums" 2 "link $cc $mode: the two static $name have different checksums"
		done
	done
done

# The same for every fixture case: ld -r of a.o and b.o, b.o's globals
# renamed (NAME__b) so that the link succeeds; its statics keep their names.
for s in "${sources[@]}"; do
	case $s in */a) ;; *) continue ;; esac
	name=${s%/a}
	for cc in "${compilers[@]}"; do
		runs "$s" "$cc" || continue
		for mode in plain sections; do
			desc="$name $cc $mode: ld -r of a.o and b.o keeps every checksum"
			a=$(obj "$name/a" "$cc" "$mode")
			b=$(obj "$name/b" "$cc" "$mode")
			if [ ! -f "$a" ] || [ ! -f "$b" ]; then
				tap_fail "$desc"
				cat "$a.log" "$b.log" 2>/dev/null | tap_diag
				continue
			fi
			"$(klp_tool "$cc" nm)" --defined-only -g "$b" |
				awk '{ print $3, $3 "__b" }' >"$out/renames"
			if ! "$(klp_tool "$cc" objcopy)" --redefine-syms="$out/renames" "$b" "$out/b.o" \
				2>"$out/err" ||
				! "$(klp_tool "$cc" ld)" -r -o "$out/ab.o" "$a" "$out/b.o" 2>>"$out/err"; then
				tap_fail "$desc"
				tap_diag <"$out/err"
				continue
			fi
			sums "$a" >"$out/a.sums"
			sums "$out/b.o" >"$out/b.sums"
			sums "$out/ab.o" >"$out/ab.sums"
			bad=$(linked_report "$out/ab.sums" "$out/a.sums" "$out/b.sums" | grep -v '^ok' || true)
			known=$fixtures/$name/ld-r-known.$cc-$mode
			if [ -f "$known" ]; then
				# Records known to differ (UNIT KIND NAME), exactly; # lines say why.
				tap_is "$(awk '{ print $2, $3, $4 }' <<<"$bad" | sed '/^ *$/d')" \
					"$(grep -v '^#' "$known")" "$desc but those of $(basename "$known")"
			else
				tap_is "$bad" "" "$desc"
			fi
		done
	done
done

# Output order and stability, on a linked object with several units.
cc=${compilers[0]}
first=$(obj link/first "$cc" plain)
second=$(obj link/second "$cc" plain)
linked=$out/linked-$cc-plain.o
"$KLPDIFF" sums "$linked" >"$out/run1"
"$KLPDIFF" sums "$linked" >"$out/run2"
tap_ok "two runs give identical bytes" cmp "$out/run1" "$out/run2"
"$KLPDIFF" sums "$first" "$second" >"$out/fs"
"$KLPDIFF" sums "$second" "$first" >"$out/sf"
tap_ok "the order of the objects on the command line does not matter" cmp "$out/fs" "$out/sf"
tap_is "$(head -n 1 "$out/run1")" "# klpdiff-sums 1" "the output starts with the header"
# Sorted by unit, then key, kind and name, in byte order (what sums.c does).
tap_ok "records are sorted by unit, key, kind, name" \
	env LC_ALL=C sort -c -s -k1,1 -k4,4 -k2,2 -k3,3 <(tail -n +2 "$out/run1")
tap_ok "each record has at least the six documented columns" \
	awk 'NR > 1 && NF < 6 { exit 1 }' "$out/run1"

# --json: valid JSON with the same records.
if command -v jq >/dev/null; then
	if "$KLPDIFF" sums --json "$linked" >"$out/json" && jq empty "$out/json" 2>"$out/err"; then
		tap_pass "--json output parses"
	else
		tap_fail "--json output parses"
		tap_diag <"$out/err"
	fi
	jq -r '.[] | "\(.unit) \(.kind) \(.name) \(.key) \(.size) \(.checksum)"' "$out/json" \
		>"$out/json.txt" 2>/dev/null || true
	sums "$linked" >"$out/text.txt"
	if cmp -s "$out/json.txt" "$out/text.txt"; then
		tap_pass "--json has the same records as the text output, in the same order"
	else
		tap_fail "--json has the same records as the text output, in the same order"
		diff "$out/text.txt" "$out/json.txt" | head -20 | tap_diag
	fi
	tap_is "$(jq -r 'map(select(.name == "helper")) | length' "$out/json" 2>/dev/null)" 2 \
		"--json keeps both static helpers"
else
	tap_skip "--json output parses" "jq is not installed"
fi

# -o FILE: the same bytes as standard output, nothing printed, no temporary left.
mkdir "$out/o"
status=0
"$KLPDIFF" sums -o "$out/o/sums.txt" "$linked" >"$out/stdout" 2>"$out/stderr" || status=$?
tap_is "$status" 0 "-o FILE exits 0"
tap_ok "-o FILE writes what standard output gets" cmp "$out/o/sums.txt" "$out/run1"
tap_is "$(cat "$out/stdout" "$out/stderr")" "" "-o FILE prints nothing"
tap_is "$(ls -A "$out/o")" "sums.txt" "-o FILE leaves no other file in the directory"
echo stale >"$out/o/sums.txt"
"$KLPDIFF" sums --json -o "$out/o/sums.txt" "$linked"
tap_ok "-o FILE replaces an existing file (--json)" cmp "$out/o/sums.txt" "$out/json"
tap_is "$(ls -A "$out/o")" "sums.txt" "replacing leaves no other file either"

tap_done
