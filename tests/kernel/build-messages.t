#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What klpdiff build says besides the changes, as the kernel's klp-build does
# (bench/README.md, "bench/klp-build"), with `--diff` on the e2e kernel (Linux
# 6.1): a patch that applies only at other lines or with fuzz is built, with a
# warning that names the patch, the file and patch(1)'s words for the hunk
# (the code around it may not be what its author changed), one that applies as
# written with none; --show-first-changed shows each changed function's first
# differing instruction on each side, on stderr, and leaves stdout as it was.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
[ -n "${KLPDIFF_SKIP_KERNEL:-}" ] && tap_skip_all "KLPDIFF_SKIP_KERNEL set"
tap_tmpdir
tmp=$TAP_TMP
kbuild=$("$here/kernel-tree" boot)
ksrc=$(cat "$kbuild/.klpdiff-src")

# cmdline.patch of the e2e set, its hunk said to start at LINE, its first
# context line replaced by FIRST.
variant() {
	sed -e "s/^@@ -6,8 +6,7 @@/@@ -$1,8 +$1,7 @@/" -e "$2" \
		"$here/../e2e/patches/cmdline.patch" >"$tmp/$3.patch"
}
variant 6 '' exact
variant 9 '' offset
variant 6 '5s/^ static int cmdline_proc_show.*/ static int cmdline_proc_show(void)/' fuzz

for kind in exact offset fuzz; do
	status=0
	"$KLPDIFF" build -s "$ksrc" -O "$kbuild" --diff "$tmp/$kind.patch" \
		>"$tmp/$kind.out" 2>"$tmp/$kind.err" || status=$?
	tap_is "$status" 1 "$kind: built, the change found (exit 1)"
	tap_is "$(cat "$tmp/$kind.out")" "changed: fs/proc/cmdline.o:cmdline_proc_show" \
		"$kind: exactly the change"
done
tap_is "$(grep -c 'Hunk' "$tmp/exact.err" || true)" 0 "exact: no warning about its hunk"
tap_is "$(grep 'Hunk' "$tmp/offset.err")" \
	"klpdiff: warning: $tmp/offset.patch: fs/proc/cmdline.c: Hunk #1 succeeded at 6 (offset -3 lines)." \
	"offset: the warning names the patch, the file and the offset"
tap_is "$(grep 'Hunk' "$tmp/fuzz.err")" \
	"klpdiff: warning: $tmp/fuzz.patch: fs/proc/cmdline.c: Hunk #1 succeeded at 6 with fuzz 2." \
	"fuzz: the warning names the patch, the file and the fuzz"
status=0
"$KLPDIFF" build -s "$ksrc" -O "$kbuild" --diff --show-first-changed "$tmp/exact.patch" \
	>"$tmp/first.out" 2>"$tmp/first.err" || status=$?
tap_is "$status" 1 "--show-first-changed: exit 1 as without it"
tap_is "$(cat "$tmp/first.out")" "$(cat "$tmp/exact.out")" "--show-first-changed: stdout as without it"
tap_is "$(grep -v '^klpdiff build: \[' "$tmp/first.err")" \
	"fs/proc/cmdline.o: cmdline_proc_show: changed
  first difference at instruction 1:
  orig     cmdline_proc_show+0x5: push rax
  patched  cmdline_proc_show+0x5: mov rdx, qword ptr [rip] <saved_command_line-4>" \
	"--show-first-changed: the function, where it first differs, both instructions"
tap_done
