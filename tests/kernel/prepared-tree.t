#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The prepared tree in klpdiff's cache (make prepare of one source, config
# and compiler) under concurrent and interrupted use:
#  - a build stopped with Ctrl-C while it prepares leaves no completed
#    tree: the next build prepares again and succeeds;
#  - two builds started at once on an empty cache both succeed with the same
#    answer, and only one of them prepares the tree.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
[ -n "${KLPDIFF_SKIP_KERNEL:-}" ] && tap_skip_all "KLPDIFF_SKIP_KERNEL set"
tap_skip_if_sanitized "own.t prepares and locks the tree sanitized"

kbuild=$("$here/kernel-tree" boot) || tap_bail "cannot build the e2e kernel"
ksrc=$(cat "$kbuild/.klpdiff-src")
tap_tmpdir
export KLPDIFF_CACHE=$TAP_TMP/cache
patch=$here/../../demo/cmdline.patch
want='changed: fs/proc/cmdline.o:cmdline_proc_show'

build_diff() { "$KLPDIFF" build --diff -s "$ksrc" -O "$kbuild" "$patch"; }
stamps() { find "$KLPDIFF_CACHE" -name .klpdiff-prepared 2>/dev/null | wc -l; }

# Interrupt while preparing: setsid gives the build a process group of its own,
# so that the signal reaches it as a terminal's Ctrl-C would (it passes it on to make).
setsid bash -c 'exec "$0" build --diff -s "$1" -O "$2" "$3"' "$KLPDIFF" "$ksrc" "$kbuild" "$patch" \
	>/dev/null 2>"$TAP_TMP/int.err" &
pid=$!
for _ in $(seq 600); do
	grep -q 'preparing' "$TAP_TMP/int.err" && break
	sleep 0.1
done
sleep 2
kill -INT -- "-$pid" 2>/dev/null || true
status=0
wait "$pid" || status=$?
tap_ok "interrupted while preparing: the build stopped (exit $status)" test "$status" -ne 0
tap_is "$(stamps)" 0 "interrupted: the tree is not marked prepared"

out=$(build_diff 2>"$TAP_TMP/again.err") || true
tap_is "$out" "$want" "the next build prepares again and finds the change"
tap_ok "it said it was preparing" grep -q 'preparing' "$TAP_TMP/again.err"

rm -rf "$KLPDIFF_CACHE"
build_diff >"$TAP_TMP/a.out" 2>"$TAP_TMP/a.err" &
a=$!
build_diff >"$TAP_TMP/b.out" 2>"$TAP_TMP/b.err" &
b=$!
sa=0 sb=0
wait "$a" || sa=$?
wait "$b" || sb=$?
tap_is "$sa $sb" "1 1" "two builds at once: both report changes (exit 1)"
tap_is "$(cat "$TAP_TMP/a.out")" "$want" "first: the expected change"
tap_is "$(cat "$TAP_TMP/b.out")" "$want" "second: the expected change"
tap_is "$(cat "$TAP_TMP/a.err" "$TAP_TMP/b.err" | grep -c 'preparing')" 1 \
	"only one of them prepared the tree"
tap_is "$(stamps)" 1 "one prepared tree, marked complete"
tap_done
