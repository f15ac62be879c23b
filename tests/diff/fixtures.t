#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `klpdiff diff` case by case, on objects compiled the way the kernel
# compiles them. Each tests/fixtures/diff/<case>/ holds the original and the
# patched source and the exact output expected (see its README):
#
#   a.c, b.c      one unit before and after. Both are compiled as <case>.c
#                 (copied into a/ and b/ of the work directory, compiled
#                 from there), so that the FILE symbol and __FILE__ agree.
#   a/, b/, build several units before and after; build says how they are
#                 put together: "ld-r" (ld -r -o vmlinux.o of all objects),
#                 "lto" (clang -flto=thin, ld.lld -r: ThinLTO code
#                 generation in the relocatable link) or "tree" (the two
#                 directories of objects are compared).
#   expect        exactly the lines of `klpdiff diff ORIG PATCHED`; empty
#                 means no functional change (exit 0), else exit 1.
#   expect.verbose  the same for `klpdiff diff -v` (optional).
#   inlined       optional lines "CALLER CALLEE": in the original object
#                 CALLER neither has a relocation naming CALLEE nor a branch
#                 the assembler resolved to it (the compiler really inlined
#                 it, which is what the case is about).
#
# expect.gcc, expect.clang (and expect.verbose.gcc, ...) replace expect
# where the compilers genuinely differ. Every case runs with gcc and clang,
# and with gcc for s390x (big-endian objects), ppc64le and arm64 (expect.gcc unless
# there is an expect.s390x, expect.ppc64le or expect.arm64; not the cases with x86-64
# assembly; skip.CC says why a case cannot hold there; expect.CC-MODE, as
# expect.s390x-plain, for one mode only),
# with -ffunction-sections -fdata-sections (as klpdiff's kernel builds) and
# without; "lto" cases run with clang and function sections only. Each run
# also checks that --json parses and says what -v says, and that diffing the
# two sums files (klpdiff sums) gives what diffing the objects gives.
#
# KLP_KEEP=1 keeps the work directory and prints its path.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/lib/compile.sh
. "$here/../lib/compile.sh"

fixtures=$here/../fixtures/diff
# The special-section helpers shared with the sums fixtures.
kernel_asm=$here/../fixtures/sums/include/kernel-asm.h
[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
[ -f "$kernel_asm" ] || tap_bail "no $kernel_asm"
have_jq=
! command -v jq >/dev/null 2>&1 || have_jq=1

tap_tmpdir
if [ -n "${KLP_KEEP:-}" ]; then
	trap - EXIT
	tap_diag "keeping $TAP_TMP"
fi

# How a case's objects are put together: single, ld-r, lto or tree.
case_build()
{
	local b=single

	[ ! -f "$fixtures/$1/build" ] || read -r b <"$fixtures/$1/build"
	echo "$b"
}

# The lld that reads this clang's bitcode (the same major version), if any.
klp_lld()
{
	local cc major cand

	cc=$(klp_cc clang) || return 1
	major=$("$cc" -dumpversion 2>/dev/null || echo 0)
	for cand in "ld.lld-${major%%.*}" ld.lld; do
		if command -v "$cand" >/dev/null 2>&1; then
			command -v "$cand"
			return 0
		fi
	done
	return 1
}

# The linker for `ld -r` of CC's objects: GNU ld for gcc, ld.lld for clang
# (as a kernel built with LLVM=1 links), GNU ld if there is no lld.
klp_ld()
{
	if [ "$1" == clang ] && klp_lld; then
		return 0
	fi
	if klp_is_cross "$1"; then
		klp_cross_tool "$1" ld
		return
	fi
	command -v ld
}

# spawn CMD...: run CMD in the background, at most one per CPU at a time.
njobs=$(nproc 2>/dev/null || echo 2)
spawn()
{
	while (($(jobs -rp | wc -l) >= njobs)); do
		wait -n || true
	done
	"$@" &
}

# compile_in DIR KIND MODE SRC OUT [CFLAGS...]: compile from DIR (so that
# __FILE__ is SRC as given); OUT.log says why OUT is missing.
# shellcheck disable=SC2317 # called through spawn
compile_in()
{
	local dir=$1

	shift
	(cd "$dir" && klp_compile "$@") >/dev/null 2>&1
}

# prepare CASE CC MODE: copy the sources of one run into its work directory
# and start their compilation.
prepare()
{
	local name=$1 cc=$2 mode=$3 src=$fixtures/$1 w=$TAP_TMP/$1-$2-$3 side f
	local -a extra=()

	[ "$(case_build "$name")" != lto ] || extra=(-flto=thin)
	for side in a b; do
		rm -rf "${w:?}/$side"
		mkdir -p "$w/$side"
		if [ -f "$src/$side.c" ]; then
			cp "$src/$side.c" "$w/$side/$name.c"
		else
			cp -R "$src/$side/." "$w/$side/"
		fi
		while IFS= read -r -d '' f; do
			cp "$kernel_asm" "$(dirname "$f")/"
			spawn compile_in "$(dirname "$f")" "$cc" "$mode" "$(basename "$f")" \
				"$(basename "${f%.c}").o" "${extra[@]}"
		done < <(find "$w/$side" -name '*.c' -print0 | sort -z)
	done
}

# expect_file CASE CC BASE [MODE]: BASE.CC-MODE, BASE.CC (BASE.gcc for a cross gcc) or BASE
# of the case, or nothing.
expect_file()
{
	local f=$fixtures/$1/$3

	if [ -n "${4:-}" ] && [ -f "$f.$2-$4" ]; then
		echo "$f.$2-$4"
	elif [ -f "$f.$2" ]; then
		echo "$f.$2"
	elif klp_is_cross "$2" && [ -f "$f.gcc" ]; then
		echo "$f.gcc"	# the cross compilers are gccs
	elif [ -f "$f" ]; then
		echo "$f"
	fi
}

# The lines of a `klpdiff diff --json` document, as -v prints them.
# shellcheck disable=SC2016 # jq's variables, not the shell's
json_lines='
	["changed", "new", "removed", "data_changed", "unpatchable", "ignored", "unpaired"]
		as $keys
	| if (keys | sort) != ($keys | sort) then error("keys are \(keys)") else . end
	| . as $doc
	| $keys[] as $k
	| $doc[$k][]
	| "\($k): \(.unit):\(.name)"
	  + (if .kind == "object" then " (object)" else "" end)
	  + (if .new_parts then " (with new \(.new_parts | join(", ")))" else "" end)
	  + (if .reason then ": \(.reason)" else "" end)'

# run_diff OUT ARGS...: klpdiff diff ARGS into OUT; $status is its exit status.
run_diff()
{
	local out=$1

	shift
	status=0
	"$KLPDIFF" diff "$@" >"$out" 2>"$out.err" || status=$?
}

# shows FILE STATUS: a file's lines and an exit status, for one comparison.
shows()
{
	cat "$1"
	echo "(exit $2)"
}

# wants EXPECT: what shows prints when EXPECT is right.
wants()
{
	cat "$1"
	if [ -s "$1" ]; then
		echo "(exit 1)"
	else
		echo "(exit 0)"
	fi
}

# check_inlined LABEL OBJ FILE CC: the inlined file's claims about OBJ.
check_inlined()
{
	local label=$1 obj=$2 caller callee body objdump=objdump

	! klp_is_cross "$4" || objdump=$(klp_cross_tool "$4" objdump)
	while read -r caller callee; do
		[ -n "$caller" ] || continue
		body=$("$objdump" -dr "$obj" | awk -v fn="<$caller>:" '
			index($0, fn) { on = 1; print; next }
			on && /^$/ { exit }
			on')
		if [ -z "$body" ]; then
			tap_fail "$label: $caller is in the original object"
		elif grep -qE "R_(X86_64|390|PPC64)_[A-Z0-9]+[[:space:]]+(\.text\.)?$callee([-+]|\$)|<$callee(\+0x[0-9a-f]+)?>" \
			<<<"$body"; then
			tap_fail "$label: $caller has $callee inlined"
			tap_diag "$body"
		else
			tap_pass "$label: $caller has $callee inlined"
		fi
	done <"$3"
}

# is_code_object OBJ: an ELF relocatable with machine code (not bitcode).
is_code_object()
{
	readelf -h "$1" 2>/dev/null | grep -qE 'Type:[[:space:]]+REL ' &&
		readelf -SW "$1" | sed -n 's/^ *\[ *[0-9]*\] *//p' |
		awk '$1 ~ /^\.text/ && $2 == "PROGBITS" && $5 !~ /^0+$/ { found = 1 }
			END { exit !found }'
}

# link CASE CC MODE: put the objects of one run together; prints nothing on
# success, else what went wrong.
link()
{
	local name=$1 cc=$2 w=$TAP_TMP/$1-$2-$3 build side ld f
	local -a objs

	build=$(case_build "$name")
	for side in a b; do
		mapfile -t objs < <(cd "$w/$side" && find . -name '*.c' | sort)
		for f in "${objs[@]}"; do
			if [ ! -f "$w/$side/${f%.c}.o" ]; then
				echo "compile $side/${f#./}:"
				cat "$w/$side/${f%.c}.o.log" 2>/dev/null || true
				return
			fi
		done
		case $build in
		single | tree) continue ;;
		lto) ld=$(klp_lld) ;;
		ld-r) ld=$(klp_ld "$cc") ;;
		*) echo "unknown build '$build'"; return ;;
		esac
		objs=("${objs[@]%.c}")
		if ! (cd "$w/$side" && "$ld" -r -o vmlinux.o "${objs[@]/%/.o}") \
			>"$w/$side/link.log" 2>&1; then
			echo "$ld -r in $side/:"
			cat "$w/$side/link.log"
			return
		fi
	done
	if [ "$build" == tree ]; then
		# Identical and not an object at all: only read if it was parsed.
		for side in a b; do
			echo "not an ELF object, the same in both trees" >"$w/$side/junk.o"
		done
	fi
}

# run_case CASE CC MODE: check one case one way.
run_case()
{
	local name=$1 cc=$2 mode=$3 w=$TAP_TMP/$1-$2-$3 build expect verbose orig patched f
	local label="$1 $2 $3" trouble vout vstatus

	build=$(case_build "$name")
	trouble=$(link "$name" "$cc" "$mode")
	if [ -n "$trouble" ]; then
		tap_fail "$label: build the objects"
		tap_diag "$trouble"
		return
	fi
	case $build in
	single)
		orig=$w/a/$name.o
		patched=$w/b/$name.o
		;;
	tree)
		orig=$w/a
		patched=$w/b
		;;
	*)
		orig=$w/a/vmlinux.o
		patched=$w/b/vmlinux.o
		;;
	esac
	if [ "$build" == lto ]; then
		if is_code_object "$orig" && is_code_object "$patched"; then
			tap_pass "$label: ld.lld -r made ELF relocatables with machine code"
		else
			tap_fail "$label: ld.lld -r made ELF relocatables with machine code"
			tap_diag "$(readelf -hSW "$orig" 2>&1 | head -40)"
		fi
	fi
	if [ "$build" == tree ]; then
		# Sources the same in a/ and b/ make byte-identical objects.
		local differ=
		while IFS= read -r f; do
			if cmp -s "$w/a/$f" "$w/b/$f" && ! cmp -s "$w/a/${f%.c}.o" "$w/b/${f%.c}.o"; then
				differ+=" ${f%.c}.o"
			fi
		done < <(cd "$w/a" && find . -name '*.c' | sort)
		tap_is "$differ" "" "$label: objects of unchanged sources are identical"
	fi
	[ ! -f "$fixtures/$name/inlined" ] ||
		check_inlined "$label" "${orig%/}" "$fixtures/$name/inlined" "$cc"

	expect=$(expect_file "$name" "$cc" expect "$mode")
	if [ -z "$expect" ]; then
		tap_fail "$label: has an expect file"
		return
	fi
	run_diff "$w/out" "$orig" "$patched"
	[ "$status" -ne 2 ] || tap_diag <"$w/out.err"
	tap_is "$(shows "$w/out" "$status")" "$(wants "$expect")" \
		"$label: exactly the expected changes and exit status"

	vout=$w/out-v
	run_diff "$vout" -v "$orig" "$patched"
	vstatus=$status
	verbose=$(expect_file "$name" "$cc" expect.verbose "$mode")
	if [ -n "$verbose" ]; then
		tap_is "$(shows "$vout" "$vstatus")" "$(cat "$verbose"; wants "$expect" | tail -n 1)" \
			"$label: -v: exactly the expected lines and exit status"
	fi

	if [ -n "$have_jq" ]; then
		run_diff "$w/out.json" --json "$orig" "$patched"
		if jq -r "$json_lines" "$w/out.json" >"$w/json-lines" 2>"$w/jq.err"; then
			tap_is "$(shows "$w/json-lines" "$status")" "$(shows "$vout" "$vstatus")" \
				"$label: --json parses and lists what -v lists"
		else
			tap_fail "$label: --json parses"
			tap_diag <"$w/jq.err"
			tap_diag <"$w/out.json"
		fi
	fi

	if [ "$build" != tree ]; then
		if "$KLPDIFF" sums "$orig" >"$w/a.sums" 2>"$w/sums.err" &&
			"$KLPDIFF" sums "$patched" >"$w/b.sums" 2>>"$w/sums.err"; then
			run_diff "$w/out-sums" -v "$w/a.sums" "$w/b.sums"
			tap_is "$(shows "$w/out-sums" "$status")" "$(shows "$vout" "$vstatus")" \
				"$label: diffing the sums files says the same"
		else
			tap_fail "$label: klpdiff sums"
			tap_diag <"$w/sums.err"
		fi
	fi
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
	name=$(basename "$src")
	if [ -f "$src/a.c" ] && [ -f "$src/b.c" ]; then
		cases+=("$name")
	elif [ -d "$src/a" ] && [ -d "$src/b" ] && [ -f "$src/build" ]; then
		cases+=("$name")
	fi
done
[ ${#cases[@]} -gt 0 ] || tap_bail "no fixture cases in $fixtures"

# runs_of CASE CC: the modes CASE runs in with CC, or "skip: REASON".
runs_of()
{
	if [[ " ${compilers[*]} " != *" $2 "* ]]; then
		echo "skip: $2 is not installed"
	elif klp_is_cross "$2" && grep -qs 'asm' "$fixtures/$1/a.c" "$fixtures/$1/b.c"; then
		echo "skip: x86-64 assembly"
	elif [ -f "$fixtures/$1/skip.$2" ]; then
		echo "skip: $(head -1 "$fixtures/$1/skip.$2")"
	elif [ "$(case_build "$1")" != lto ]; then
		echo plain sections
	elif [ "$2" != clang ]; then
		echo "skip: ThinLTO with ld.lld -r is clang's"
	elif ! klp_lld >/dev/null; then
		echo "skip: no ld.lld"
	else
		echo sections
	fi
}

# Compile everything first, in parallel: that is most of the time taken.
for name in "${cases[@]}"; do
	for cc in "${KLP_KINDS[@]}"; do
		runs=$(runs_of "$name" "$cc")
		[[ $runs == skip:* ]] && continue
		for mode in $runs; do
			prepare "$name" "$cc" "$mode"
		done
	done
done
wait

for name in "${cases[@]}"; do
	for cc in "${KLP_KINDS[@]}"; do
		runs=$(runs_of "$name" "$cc")
		if [[ $runs == skip:* ]]; then
			tap_skip "$name $cc" "${runs#skip: }"
			continue
		fi
		for mode in $runs; do
			run_case "$name" "$cc" "$mode"
		done
	done
done
[ -n "$have_jq" ] || tap_skip "--json checks" "jq is not installed"
tap_done
