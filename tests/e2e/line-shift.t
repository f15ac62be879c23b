#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Line-shift invariance (klpdiff build's #line directives): each e2e patch with
# 40 more lines at the top of every file it changes must report exactly the
# changes of the patch as it is (expect/debian-6.1), on Debian's kernel
# (DYNAMIC_DEBUG: many pr_debug descriptors, might_sleep, WARN, FORTIFY's
# file:line strings). The project's own patches and three peer patches here
# (warn-detect-FAIL: only lines change; module: pr_debug and a module;
# shadow-newpid: three files full of WARN and might_sleep); with KLPDIFF_FULL=1
# every peer patch, the same on the gcc and clang ThinLTO e2e kernels, and the
# 6.12 patches on Debian's 6.12 (expect/debian-6.12).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
peers=$here/../../../shared/peer-patches/kpatch-linux-6.2.0

[ -n "${KLPDIFF_SKIP_KERNEL:-}" ] && tap_skip_all "KLPDIFF_SKIP_KERNEL set"
tap_skip_if_sanitized "own.t covers build sanitized (CI time)"
command -v apt-cache >/dev/null || tap_skip_all "not a Debian system (no apt-cache)"
tap_tmpdir

# pick SET DIR NAME...: link DIR/NAME.patch (NAME may be a pattern) into $TAP_TMP/SET.
pick() {
	local set=$1 dir=$2 name f
	shift 2
	mkdir -p "$TAP_TMP/$set"
	for name in "$@"; do
		for f in "$dir"/$name.patch; do
			[ ! -f "$f" ] || ln -sf "$f" "$TAP_TMP/$set/"
		done
	done
}

# run_set SET RUN-OPTIONS...: tests/e2e/run --shift-lines on $TAP_TMP/SET against
# expect/SET, its results renumbered into ours.
run_set() {
	local set=$1 line planned=''
	shift
	while IFS= read -r line; do
		case $line in
		"ok "[0-9]*"# SKIP"*)
			line=${line#ok [0-9]* - }
			tap_skip "$set: ${line%% # SKIP*}" "${line#* # SKIP }" ;;
		"ok "[0-9]*) tap_pass "$set: ${line#ok [0-9]* - }" ;;
		"not ok "[0-9]*) tap_fail "$set: ${line#not ok [0-9]* - }" ;;
		"Bail out!"*) tap_fail "$set: ${line#Bail out! }" ;;
		1..*) planned=1 ;;
		*) echo "# $line" ;;
		esac
	done < <("$here/run" "$@" --shift-lines --expect "$here/expect/$set" "$TAP_TMP/$set" 2>&1 ||
		true)
	[ -n "$planned" ] || tap_fail "$set: tests/e2e/run ended early"
}

pick debian-6.1 "$here/patches" '*'
if [ ! -d "$peers" ]; then
	tap_diag "../shared/peer-patches not present: the project's own patches only"
elif [ -n "${KLPDIFF_FULL:-}" ]; then
	pick debian-6.1 "$peers" '*'
else
	pick debian-6.1 "$peers" warn-detect-FAIL module shadow-newpid
fi
run_set debian-6.1 --debian auto
if [ -n "${KLPDIFF_FULL:-}" ]; then
	pick gcc "$here/patches" '*'
	pick clang-thin "$here/lto-patches" '*'
	if [ -d "$peers" ]; then
		pick gcc "$peers" '*'
		pick clang-thin "$peers" '*'
	fi
	run_set gcc
	run_set clang-thin --cc clang --lto thin
	if release=$("$here/debian-kernel" release 6.12); then
		pick debian-6.12 "$here/patches-6.12" '*'
		run_set debian-6.12 --debian "$release"
	else
		tap_fail "debian-6.12: no Debian 6.12 release to test"
	fi
fi
tap_done
