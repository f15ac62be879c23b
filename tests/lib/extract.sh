# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# For the tests of klpdiff extract (tests/extract/*.t): looking at patch
# objects (through klp-relocs.py --dump) and running extract into an empty
# directory. The caller sets $TAP_TMP, $KLPDIFF, $klp_relocs and $symvers.

# ---- looking at objects ---------------------------------------------------

# readelf -sW without ppc64's "[<localentry>: N]" in the Vis column: 8 fields.
symbols()
{
	readelf -sW "$1" | sed 's/ \[<localentry>: [0-9]*\]//'
}

# Defined symbols other than sections and files: "TYPE BIND NAME", sorted.
defined()
{
	symbols "$1" | awk 'NR > 3 && $7 != "UND" && $4 != "SECTION" && $4 != "FILE" &&
		$8 != "" { print $4, $5, $8 }' | LC_ALL=C sort
}

# Undefined symbols, sorted; not the placeholders of livepatch relocations
# (placeholders_match checks those).
undefined()
{
	symbols "$1" | awk 'NR > 3 && $7 == "UND" && $8 != "" && $8 !~ /^__klpdiff_klp\./ {
		print $8 }' | LC_ALL=C sort
}

# Section names, without the symbol and string tables and relocation sections.
sections()
{
	readelf -SW "$1" | sed -n 's/^ *\[ *[0-9]*\] \([^ ]\+\) .*/\1/p' |
		grep -v -e '^\.rela' -e '^\.symtab$' -e '^\.strtab$' -e '^\.shstrtab$' |
		LC_ALL=C sort
}

# Sections with SHF_MERGE and SHF_STRINGS.
string_sections()
{
	readelf -SW "$1" | sed -n 's/^ *\[ *[0-9]*\] //p' |
		awk '$7 ~ /M/ && $7 ~ /S/ { print $1 }'
}

# dump OBJ: klp-relocs.py --dump of OBJ (one python run an object), cached
# beside it.
dump()
{
	if [ ! -f "$1.dump" ]; then
		python3 "$klp_relocs" --dump "$1" >"$1.dump.tmp" || return 1
		mv "$1.dump.tmp" "$1.dump"
	fi
	cat "$1.dump"
}

# Bytes of a section, as hex: "0a 1b ...".
hexbytes()
{
	dump "$1" | awk -v sec="$2" '$1 == "X" && $2 == sec { $1 = $2 = ""; print substr($0, 3) }'
}

# The bytes of TEXT and a NUL, in hex.
hexstring()
{
	printf '%s\0' "$1" | od -An -v -tx1 | xargs
}

# The livepatch relocation records: "SECTION+0xOFF TYPE .klp.sym... ADDEND".
klp()
{
	dump "$1" | sed -n 's/^K //p'
}

# All references from SECTION of a patch object, normal and livepatch, sorted;
# not the placeholders of livepatch relocations (placeholders_match checks those).
refs()
{
	dump "$1" | awk -v p="$2+" '($1 == "K" || $1 == "R") && index($2, p) == 1 &&
		$4 !~ /^__klpdiff_klp\./ { $1 = ""; print substr($0, 2) }' | LC_ALL=C sort
}

# placeholders_match OBJ DESC: on x86-64 every livepatch relocation record of
# OBJ has its placeholder, an ordinary relocation of the same place, type,
# target and addend against the weak symbol __klpdiff_klp.TARGET (for objtool,
# src/patch_object.h), and there are no others.
placeholders_match()
{
	local records placeholders

	records=$(dump "$1" | awk '$1 == "K" { sub(/^\.klp\.sym\./, "", $4); $1 = ""
		sub(/ with [^ ]*$/, ""); print substr($0, 2) }' | LC_ALL=C sort)
	placeholders=$(dump "$1" | awk '$1 == "R" && $4 ~ /^__klpdiff_klp\./ {
		sub(/^__klpdiff_klp\./, "", $4); $1 = ""; print substr($0, 2) }' | LC_ALL=C sort)
	tap_is "$placeholders" "$records" "$2"
	tap_is "$(symbols "$1" | awk '$8 ~ /^__klpdiff_klp\./ && ($5 != "WEAK" || $7 != "UND")')" \
		"" "$2: each placeholder symbol is weak and undefined"
}

# The relocations of SECTION of an input object, renamed by sed SCRIPT, sorted.
expected_refs()
{
	dump "$1" | awk -v p="$2+" '$1 == "R" && index($2, p) == 1 { $1 = ""; print substr($0, 2) }' |
		sed -e "$3" | LC_ALL=C sort
}

# manifest_is OBJ DESC LINE...: the manifest of OBJ is exactly these lines.
manifest_is()
{
	local obj=$1 desc=$2 got

	shift 2
	got=$(printf '%b' "$(hexbytes "$obj" .klpdiff.manifest |
		sed 's/\([0-9a-f][0-9a-f]\) */\\x\1/g')"; echo .)
	tap_is "$got" "$(printf '%s\n' "$@"; echo .)" "$desc"
}

# ---- running extract ----------------------------------------------------------

# extract LABEL ORIG PATCHED KSYMS [OPTIONS...]: run klpdiff extract into the
# empty directory $TAP_TMP/out/LABEL; sets $out (the patch object), $rc,
# $err (its stderr).
extract()
{
	local label=$1 orig=$2 patched=$3 ksyms=$4

	shift 4
	outdir=$TAP_TMP/out/$label
	rm -rf "$outdir"
	mkdir -p "$outdir"
	out=$outdir/part.o
	rc=0
	"$KLPDIFF" extract "$orig" "$patched" -o "$out" --kernel-symbols "$ksyms" \
		--symvers "$symvers" "$@" 2>"$outdir.err" || rc=$?
	err=$(cat "$outdir.err")
}

# extract_ok LABEL ...: extract, which must succeed silently. Returns 1 (after
# a failed test) otherwise, for the caller to skip the checks of the output.
extract_ok()
{
	extract "$@"
	if ((rc == 0)) && [ -z "$err" ] && [ -f "$out" ]; then
		tap_pass "$1: extract writes the patch object"
		return 0
	fi
	tap_fail "$1: extract writes the patch object"
	tap_diag "exit $rc, stderr: $err"
	return 1
}

# expect_failure LABEL STATUS PREFIX WORD: the last extract exited STATUS,
# printed one line starting with PREFIX and containing WORD, wrote nothing.
expect_failure()
{
	local label=$1 status=$2 prefix=$3 word=$4 lines left

	lines=$(printf '%s' "$err" | grep -c '' || true)
	left=$(ls -A "$outdir")
	if ((rc == status)) && ((lines == 1)) && [[ $err == "$prefix"* ]] &&
		[[ $err == *"$word"* ]] && [ -z "$left" ]; then
		tap_pass "$label: exit $status, one line naming $word, no output"
		return
	fi
	tap_fail "$label: exit $status, one line naming $word, no output"
	tap_diag "exit $rc (want $status); $lines lines of stderr (want 1):"
	tap_diag "${err:-(none)}"
	tap_diag "want a line starting '$prefix' naming '$word'"
	[ -z "$left" ] || tap_diag "left in the output directory: $left"
}

# have CC NAME...: are the objects of these sources there? Fails a test if not.
have()
{
	local cc=$1 missing=

	shift
	for f in "$@"; do
		[ -f "$TAP_TMP/$cc/$f.o" ] || missing+=" $f"
	done
	[ -z "$missing" ] && return 0
	tap_fail "$cc: compile$missing"
	for f in $missing; do
		[ ! -f "$TAP_TMP/$cc/$f.o.log" ] || tap_diag <"$TAP_TMP/$cc/$f.o.log"
	done
	return 1
}

