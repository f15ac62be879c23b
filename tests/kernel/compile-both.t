#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# In a prepared tree klpdiff build compiles the originals and the patched at
# once (each in overlays of its own), and one after the other with -j1. A gcc
# first in PATH logs when each compile of the patched unit starts and ends
# (holding it a second, so that two compiles at once cannot miss each other):
#  - by default the two compiles overlap, and the answer is the expected change;
#  - with -j1 they do not, and the answer is the same;
#  - SIGTERM while both compile: klpdiff dies of it, no compiler or make is
#    left running, and the source tree is untouched.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
[ -n "${KLPDIFF_SKIP_KERNEL:-}" ] && tap_skip_all "KLPDIFF_SKIP_KERNEL set"
tap_skip_if_sanitized "own.t compiles in prepared trees sanitized"

kbuild=$("$here/kernel-tree" boot) || tap_bail "cannot build the e2e kernel"
ksrc=$(cat "$kbuild/.klpdiff-src")
tap_tmpdir
export KLPDIFF_NO_CCACHE=1
TIMES=$TAP_TMP/times
patch=$here/../../demo/cmdline.patch
want='changed: fs/proc/cmdline.o:cmdline_proc_show'

# The wrapper: kbuild's CC stays "gcc", so the prepared tree is not configured again.
mkdir -p "$TAP_TMP/bin"
real_gcc=$(command -v gcc)
cat >"$TAP_TMP/bin/gcc" <<EOF
#!/bin/sh
case "\$*" in
*fs/proc/cmdline.c*)
	echo "start \$(date +%s.%N) \$\$" >>"\$TIMES"
	sleep 1
	$real_gcc "\$@"; status=\$?
	echo "end \$(date +%s.%N) \$\$" >>"\$TIMES"
	exit \$status ;;
esac
exec $real_gcc "\$@"
EOF
chmod +x "$TAP_TMP/bin/gcc"
export PATH=$TAP_TMP/bin:$PATH

build_diff() { TIMES=$TIMES "$KLPDIFF" build --diff -s "$ksrc" -O "$kbuild" "$@" "$patch"; }
# "overlap" when the second compile started before the first ended.
overlap() {
	awk '$1 == "start" { s[++n] = $2 } $1 == "end" { e[++m] = $2 }
	     END { if (n != 2 || m != 2) print n "+" m " compiles";
		   else print (s[2] < e[1] ? "overlap" : "one after the other") }' "$TIMES"
}

# The prepared tree first (a first run prepares it, compiling with the wrapper too).
build_diff >/dev/null 2>&1 || true
rm -f "$TIMES"
tap_is "$(build_diff 2>"$TAP_TMP/err")" "$want" "by default: the expected change"
tap_is "$(overlap)" overlap "by default: the original and the patched compiled at once"

rm -f "$TIMES"
tap_is "$(build_diff -j1 2>"$TAP_TMP/err")" "$want" "-j1: the same change"
tap_is "$(overlap)" "one after the other" "-j1: one compile after the other"

# SIGTERM while both compiles hold in the wrapper. Every process of that
# build has TIMES (of its own value) in its environment; this shell has not.
TIMES=$TAP_TMP/times-term
before=$(cd "$ksrc" && find . -newer Makefile -type f | wc -l)
TIMES=$TIMES setsid bash -c 'exec "$0" build --diff -s "$1" -O "$2" "$3"' "$KLPDIFF" "$ksrc" \
	"$kbuild" "$patch" >/dev/null 2>"$TAP_TMP/term.err" &
pid=$!
for _ in $(seq 600); do
	[ "$(grep -c start "$TIMES" 2>/dev/null)" = 2 ] && break
	sleep 0.1
done
tap_is "$(grep -c start "$TIMES")" 2 "both compiles started"
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
tap_is "$status" 143 "SIGTERM: klpdiff died of it"
sleep 1
left=$( (grep -lsz "^TIMES=$TIMES\$" /proc/[0-9]*/environ || true) | wc -l)
tap_is "$left" 0 "no process of that build left running (make, gcc, the wrapper)"
tap_is "$(cd "$ksrc" && find . -newer Makefile -type f | wc -l)" "$before" \
	"the source tree is untouched"
tap_done
