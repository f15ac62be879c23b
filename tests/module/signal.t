#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SIGTERM or SIGINT to `klpdiff module` while kbuild builds the module (the
# hand-made patch object of kernel.t, against the e2e Linux 6.1 kernel): an
# ld first in PATH makes the module's links slow, and the signal comes while
# make waits for the first. klpdiff passes it on to make's process group and
# dies of it: no make, ld or other child is left (their command lines name
# the build directory, in the test's directory), no module is linked, and
# none written.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/module/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/lib/processes.sh
. "$here/../lib/processes.sh"

[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
kbuild=$(module_kernel_build)
tap_tmpdir
tmp=$TAP_TMP
build_cmdline_patch "$kbuild" "$tmp/patch" || tap_bail "cannot compile cmdline_patch.c"
mkdir "$tmp/out" "$tmp/bin"
real_ld=$(command -v ld) || tap_skip_all "ld is not installed"
cat >"$tmp/bin/ld" <<EOF
#!/bin/sh
# A link (-o FILE) waits a minute: the signal comes meanwhile.
for a; do [ "\$a" != -o ] || sleep 60; done
exec $real_ld "\$@"
EOF
chmod +x "$tmp/bin/ld"

# A background job of a script starts with SIGINT ignored: klpdiff handles it
# before it starts make, and make gets the default back.
for sig in TERM INT; do
	PATH=$tmp/bin:$PATH TMPDIR=$tmp "$KLPDIFF" module -o "$tmp/out/lp_cmdline.ko" \
		--kernel-build "$kbuild" "$tmp/patch/patch.o" >"$tmp/stdout" 2>"$tmp/stderr" &
	pid=$!
	if ! wait_for_process "$tmp" '/bin/ld .*-o '; then
		tap_fail "SIG$sig: kbuild links the module"
		kill -KILL "$pid" 2>/dev/null || true
		kill_listed "$(processes_in "$tmp")"
		wait "$pid" || true
		continue
	fi
	kill -"$sig" "$pid"
	status=0
	wait "$pid" || status=$?
	tap_is "$status" "$((128 + $(kill -l "$sig")))" "SIG$sig: klpdiff died of the signal"
	left=$(processes_left "$tmp" 2)
	tap_is "$left" "" "SIG$sig: no make, ld or other child left"
	kill_listed "$left"
	tap_is "$(cd "$tmp" && ls -d klpdiff-module.*/*.ko 2>/dev/null)" "" \
		"SIG$sig: no module linked"
	tap_is "$(ls "$tmp/out")" "" "SIG$sig: no module written"
	tap_is "$(cat "$tmp/stdout" "$tmp/stderr")" "" "SIG$sig: nothing said"
	rm -rf "$tmp"/klpdiff-module.*
done
tap_done
