#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Child processes (src/base/process.c), through the one command that needs no
# kernel to start one: `klpdiff verify --extract` of a bzImage, whose payload
# goes through a decompressor. A fake gzip first in PATH:
#
#  1. how it ended, in the one-line error: an exit status, a signal, an exec
#     that failed (a missing interpreter)
#  2. SIGTERM or SIGINT to klpdiff while the decompressor runs: klpdiff passes
#     it on to the decompressor's process group and dies of it; no process is
#     left, neither the decompressor nor its own child, and no output file
#  3. SIGTERM to the decompressor alone: klpdiff passes it on to the rest of
#     its group (its sleep) and dies of it too
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/lib/bzimage.sh
. "$here/../lib/bzimage.sh"
# shellcheck source=tests/lib/processes.sh
. "$here/../lib/processes.sh"

[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
command -v python3 >/dev/null || tap_skip_all "python3 is not installed"
tap_tmpdir
tmp=$TAP_TMP
mkdir "$tmp/bin"
printf '\x1f\x8b\x08\0not really gzip' >"$tmp/payload"
make_bzimage "$tmp/payload" "$tmp/bzImage"

# fake_gzip SCRIPT: the gzip klpdiff finds (PATH has nothing else).
fake_gzip()
{
	printf '#!/bin/sh\nPATH=/usr/bin:/bin\n%s\n' "$1" >"$tmp/bin/gzip"
	chmod +x "$tmp/bin/gzip"
}

# extract: klpdiff verify --extract in $tmp, in the background ($pid); stderr in $tmp/err.
extract()
{
	rm -f "$tmp/err" "$tmp/started"
	(cd "$tmp" && PATH=$tmp/bin exec "$KLPDIFF" verify --extract bzImage out.elf) \
		2>"$tmp/err" &
	pid=$!
}

# refused DESC WANT: klpdiff exits 2 with the one line WANT, and leaves no output.
refused()
{
	local status=0

	extract
	wait "$pid" || status=$?
	tap_is "$status:$(cat "$tmp/err")" "2:klpdiff: bzImage: $2" "$1"
	tap_is "$(cd "$tmp" && ls out.elf* 2>/dev/null)" "" "$1: no output left"
}

# 1. the status in the error
fake_gzip 'cat >/dev/null; exit 3'
refused "an exit status" "gzip failed (exited with status 3) on the gzip payload"
fake_gzip 'kill -KILL $$'
refused "a signal" "gzip failed (killed by signal 9) on the gzip payload"
printf '#!/nonexistent/sh\n' >"$tmp/bin/gzip"
refused "an exec that fails" \
	"gzip failed (could not be started: No such file or directory) on the gzip payload"

# 2. SIGTERM or SIGINT to klpdiff. The fake gzip waits on a child of its own.
# A background job of a script starts with SIGINT ignored; klpdiff handles it
# before it starts a child, and a child gets the default back.
fake_gzip 'echo $$ >started; sleep 300'
for sig in TERM INT; do
	extract
	if ! wait_for_file "$tmp/started"; then
		tap_fail "SIG$sig: the decompressor started"
		kill -KILL "$pid"
		continue
	fi
	kill -"$sig" "$pid"
	status=0
	wait "$pid" || status=$?
	tap_is "$status" "$((128 + $(kill -l "$sig")))" "SIG$sig: klpdiff died of the signal"
	left=$(processes_left "$tmp")
	tap_is "$left" "" "SIG$sig: no process left (the decompressor, its sleep)"
	kill_listed "$left"
	tap_is "$(cd "$tmp" && ls out.elf* 2>/dev/null)" "" "SIG$sig: no output left"
	tap_is "$(cat "$tmp/err")" "" "SIG$sig: nothing said"
done

# 3. SIGTERM to the child alone
extract
if wait_for_file "$tmp/started"; then
	kill -TERM "$(cat "$tmp/started")"
	status=0
	wait "$pid" || status=$?
	tap_is "$status" 143 "the decompressor killed by SIGTERM: klpdiff dies of it too"
	left=$(processes_left "$tmp")
	tap_is "$left" "" "the decompressor killed: no process left (its sleep)"
	kill_listed "$left"
	tap_is "$(cd "$tmp" && ls out.elf* 2>/dev/null)" "" "the decompressor killed: no output left"
else
	tap_fail "the decompressor started"
	kill -KILL "$pid"
fi
tap_done
