#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# klpdiff build never modifies the kernel source tree or the kernel build it is
# given: not when a patch does not apply, not when the patched build fails,
# not when the patch is refused, not on SIGINT or SIGTERM in the middle of a
# build. (The patches go into an overlay in a private mount namespace.) Each
# case also leaves no module at the output path and no overlay mounted. Run
# on the gcc build, and on the clang ThinLTO build, whose build directory is
# itself the original that the patched build relinks in an overlay.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
[ -n "${KLPDIFF_SKIP_KERNEL:-}" ] && tap_skip_all "KLPDIFF_SKIP_KERNEL set"
tap_skip_if_sanitized "own.t and lto.t take the same overlay paths sanitized"
tap_tmpdir
tmp=$TAP_TMP

# Path, size and modification time of every file: any write shows.
snapshot() { find "$1" -printf '%p %s %T@ %m\n' | sort | md5sum; }

check_untouched() {
	tap_is "$(snapshot "$ksrc")" "$src_before" "$kind, $1: source tree unchanged"
	tap_is "$(snapshot "$kbuild")" "$build_before" "$kind, $1: kernel build unchanged"
	tap_ok "$kind, $1: no module written" test ! -e "$tmp/out.ko"
	tap_ok "$kind, $1: no overlay left mounted" \
		sh -c "! grep -qE ' ($ksrc|$kbuild) ' /proc/mounts"
}

run_build() {
	local status=0
	"$KLPDIFF" build -s "$ksrc" -O "$kbuild" -o "$tmp/out.ko" "$@" >"$tmp/log" 2>&1 || status=$?
	echo "$status"
}

cat >"$tmp/bad-context.patch" <<'PATCH'
--- a/fs/proc/cmdline.c
+++ b/fs/proc/cmdline.c
@@ -6,3 +6,3 @@
 static int cmdline_proc_show(struct seq_file *m, void *v)
-	this line is not in the file;
+	neither is this one;
PATCH
cat >"$tmp/syntax.patch" <<'PATCH'
--- a/fs/proc/cmdline.c
+++ b/fs/proc/cmdline.c
@@ -8,5 +8,5 @@
 {
 	seq_puts(m, saved_command_line);
-	seq_putc(m, '\n');
+	seq_putc(m, '\n') this is not C;
 	return 0;
 }
PATCH

# SIGINT or SIGTERM in the middle of the patched build (a header with several
# users). A background job of a script starts with SIGINT ignored: the wrapper
# restores the default, as in an interactive shell. setsid: the build and every
# process it starts are in a session of their own (klpdiff gives its children
# process groups, not sessions), which tells them from other tests' builds of
# the same tree running at the same time (make check JOBS=N).
interrupt() {
	local sig=$1 pid status
	setsid python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])' \
		"$KLPDIFF" build -s "$ksrc" -O "$kbuild" -o "$tmp/out.ko" \
		"$here/../e2e/patches/crc-FAIL.patch" >"$tmp/log" 2>&1 &
	pid=$!
	for _ in $(seq 100); do
		grep -qE "patched build of|compiling" "$tmp/log" 2>/dev/null && break
		sleep 0.1
	done
	sleep 1
	kill -"$sig" "$pid"
	status=0
	wait "$pid" || status=$?
	tap_is "$status" "$((128 + $(kill -l "$sig")))" "$kind, SIG$sig: klpdiff died of the signal"
	# make waits for its compilers before it dies: give it a few seconds.
	for _ in $(seq 100); do
		pgrep -s "$pid" -x make >/dev/null || break
		sleep 0.1
	done
	tap_ok "$kind, SIG$sig: no make left running" sh -c "! pgrep -s $pid -x make >/dev/null"
	check_untouched "SIG$sig"
}

# all_cases KIND REFUSED_PATCH REFUSAL_TEXT KERNEL-TREE-ARGS...
all_cases() {
	kind=$1
	local refused=$2 reason=$3
	shift 3
	kbuild=$("$here/kernel-tree" boot "$@") || tap_bail "cannot build the e2e kernel ($kind)"
	ksrc=$(cat "$kbuild/.klpdiff-src")
	src_before=$(snapshot "$ksrc")
	build_before=$(snapshot "$kbuild")

	tap_is "$(run_build "$tmp/bad-context.patch")" 2 "$kind, patch does not apply: exit 2"
	tap_ok "$kind, patch does not apply: says so" grep -q "does not apply" "$tmp/log"
	check_untouched "patch does not apply"

	tap_is "$(run_build "$tmp/syntax.patch")" 2 "$kind, build fails: exit 2"
	tap_ok "$kind, build fails: names the stage and the log" \
		grep -q "patched build failed; see .*build.log" "$tmp/log"
	check_untouched "build fails"

	tap_is "$(run_build "$refused")" 2 "$kind, refusal: exit 2"
	tap_ok "$kind, refusal: says why" grep -q "$reason" "$tmp/log"
	check_untouched "refusal"

	interrupt INT
	interrupt TERM
}

# A prepared tree of its own: the snapshots of the kernel build, and failed runs
# of other tests (a concurrent test, a second CI) are no business of this one.
saved_cache=${KLPDIFF_CACHE-}
export KLPDIFF_CACHE=$tmp/cache
all_cases gcc "$here/../e2e/patches/crc-FAIL.patch" "CRC of exported symbol match_int"
if [ -n "$saved_cache" ]; then KLPDIFF_CACHE=$saved_cache; else unset KLPDIFF_CACHE; fi
# Under LTO match_int() is inlined and the module does not use its CRC: the
# LTO refusal is a changed function without an ftrace entry.
if tap_lto_kernel; then
	all_cases "clang ThinLTO" "$here/../e2e/lto-patches/match-int-notrace-FAIL.patch" \
		"parser.c:match_int changed, but the original has no ftrace entry" --cc clang --lto thin
else
	tap_skip "clang ThinLTO: every case" "$TAP_LTO_SKIP"
fi
tap_done
