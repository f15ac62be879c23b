#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# klpdiff build never modifies the kernel source tree or the kernel build it is
# given: not when a patch does not apply, not when the patched build fails,
# not when the patch is refused, not on SIGINT in the middle of a build. (The
# patches go into an overlay in a private mount namespace.) Each case also
# leaves no module at the output path and no overlay mounted.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
[ -n "${KLPDIFF_SKIP_KERNEL:-}" ] && tap_skip_all "KLPDIFF_SKIP_KERNEL set"

kbuild=$("$here/kernel-tree" boot) || tap_bail "cannot build the e2e kernel"
ksrc=$(cat "$kbuild/.klpdiff-src")
tap_tmpdir
tmp=$TAP_TMP

# Path, size and modification time of every file: any write shows.
snapshot() { find "$1" -printf '%p %s %T@ %m\n' | sort | md5sum; }
src_before=$(snapshot "$ksrc")
build_before=$(snapshot "$kbuild")

check_untouched() {
	tap_is "$(snapshot "$ksrc")" "$src_before" "$1: source tree unchanged"
	tap_is "$(snapshot "$kbuild")" "$build_before" "$1: kernel build unchanged"
	tap_ok "$1: no module written" test ! -e "$tmp/out.ko"
	tap_ok "$1: no overlay left mounted" sh -c "! grep -q ' $ksrc ' /proc/mounts"
}

run_build() {
	local status=0
	"$KLPDIFF" build -s "$ksrc" -O "$kbuild" -o "$tmp/out.ko" "$@" >"$tmp/log" 2>&1 || status=$?
	echo "$status"
}

# 1. A patch that does not apply.
cat >"$tmp/bad-context.patch" <<'PATCH'
--- a/fs/proc/cmdline.c
+++ b/fs/proc/cmdline.c
@@ -6,3 +6,3 @@
 static int cmdline_proc_show(struct seq_file *m, void *v)
-	this line is not in the file;
+	neither is this one;
PATCH
tap_is "$(run_build "$tmp/bad-context.patch")" 2 "patch does not apply: exit 2"
tap_ok "patch does not apply: says so" grep -q "does not apply" "$tmp/log"
check_untouched "patch does not apply"

# 2. A patch that breaks the build.
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
tap_is "$(run_build "$tmp/syntax.patch")" 2 "build fails: exit 2"
tap_ok "build fails: names the stage and the log" grep -q "patched build failed; see .*build.log" "$tmp/log"
check_untouched "build fails"

# 3. A refusal (a changed CRC of an exported symbol the module uses).
tap_is "$(run_build "$here/../e2e/patches/crc-FAIL.patch")" 2 "refusal: exit 2"
tap_ok "refusal: names the symbol" grep -q "CRC of exported symbol match_int" "$tmp/log"
check_untouched "refusal"

# 4. SIGINT and SIGTERM in the middle of the patched build (a header with several
# users). A background job of a script starts with SIGINT ignored: the wrapper
# restores the default, as in an interactive shell.
for sig in INT TERM; do
	python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])' \
		"$KLPDIFF" build -s "$ksrc" -O "$kbuild" -o "$tmp/out.ko" \
		"$here/../e2e/patches/crc-FAIL.patch" >"$tmp/log" 2>&1 &
	pid=$!
	for _ in $(seq 100); do
		grep -q "patched build of" "$tmp/log" 2>/dev/null && break
		sleep 0.1
	done
	sleep 1
	kill -"$sig" "$pid"
	status=0
	wait "$pid" || status=$?
	tap_is "$status" "$((128 + $(kill -l "$sig")))" "SIG$sig: klpdiff died of the signal"
	# make waits for its compilers before it dies: give it a few seconds.
	for _ in $(seq 100); do
		pgrep -f "make -C$ksrc" >/dev/null || break
		sleep 0.1
	done
	tap_ok "SIG$sig: no make left running" sh -c "! pgrep -f '[m]ake -C$ksrc' >/dev/null"
	check_untouched "SIG$sig"
done
tap_done
