#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Every input the fuzzers (fuzz/run) crashed klpdiff with, kept as a regression
# test: `klpdiff sums` must end normally (exit 0 or 2), never by a signal.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
for f in "$here"/../fixtures/fuzz/*; do
	status=0
	"$KLPDIFF" sums "$f" >/dev/null 2>&1 || status=$?
	if [ "$status" -eq 0 ] || [ "$status" -eq 2 ]; then
		tap_pass "$(basename "$f"): exit $status"
	else
		tap_fail "$(basename "$f"): exit $status (a crash?)"
	fi
done
tap_done
