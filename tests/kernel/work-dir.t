#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# klpdiff build's work directory, laid out by stage: with --keep-tmp, what
# each stage made is where the man page says (original/, patched/,
# diff/changes, extract/, module/, build.log); without it, a run that
# succeeds leaves nothing. And the same inputs give the same module, byte for
# byte, although each run links it in a directory of its own.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
[ -n "${KLPDIFF_SKIP_KERNEL:-}" ] && tap_skip_all "KLPDIFF_SKIP_KERNEL set"

kbuild=$("$here/kernel-tree" boot) || tap_bail "cannot build the e2e kernel"
ksrc=$(cat "$kbuild/.klpdiff-src")
tap_tmpdir
# A cache of its own: "no work directory left" counts the runs of the prepared
# tree, and another test's build of the same tree (make check runs them at
# once) must not count. It costs one `make prepare`.
export KLPDIFF_CACHE=$TAP_TMP/cache
patch=$here/../../demo/cmdline.patch
obj=fs/proc/cmdline.o

build() { "$KLPDIFF" build -s "$ksrc" -O "$kbuild" -n klp_cmdline "$@" "$patch"; }
differ() { ! cmp -s "$1" "$2"; }

build -o "$TAP_TMP/kept.ko" --keep-tmp 2>"$TAP_TMP/kept.err" || tap_bail "build failed: $(tail -3 "$TAP_TMP/kept.err")"
work=$(sed -n 's/^klpdiff build: work files kept in //p' "$TAP_TMP/kept.err")
# The runs of this prepared tree (failed ones are kept: count only the others).
runs() { find "$(dirname "$work")" -maxdepth 1 -name 'run-*' ! -exec test -e {}/failed \; -print | sort; }
tap_ok "--keep-tmp says where the work directory is" test -d "$work"
tap_ok "original/ has the original object and its .cmd" \
	test -f "$work/original/$obj" -a -f "$work/original/fs/proc/.cmdline.o.cmd"
tap_ok "patched/ has the patched object" test -f "$work/patched/$obj"
tap_ok "the two differ" differ "$work/original/$obj" "$work/patched/$obj"
tap_is "$(cat "$work/diff/changes" 2>&1)" "changed: $obj:cmdline_proc_show" \
	"diff/changes: what changed"
tap_is "$(cd "$work/extract" && ls)" "000.o" "extract/: one patch object"
tap_ok "module/: the module's kbuild directory, with its log" \
	test -f "$work/module/klp_cmdline.ko" -a -f "$work/module/build.log"
tap_ok "build.log: make's output" grep -q "Entering directory" "$work/build.log"
rm -rf "$work"
before=$(runs)

build -o "$TAP_TMP/again.ko" 2>"$TAP_TMP/again.err" || tap_bail "second build failed"
tap_is "$(runs)" "$before" "without --keep-tmp: no work directory left"
tap_ok "the same inputs give the same module, byte for byte" cmp "$TAP_TMP/kept.ko" "$TAP_TMP/again.ko"
tap_done
