#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The shipped-code check's cases found on Debian's newer kernels, with their
# real objects: `klpdiff build -r RELEASE --dbg --check-units` compiles the
# unit as the originals of a patch are compiled and checks every function
# against the code Debian shipped (the -dbg vmlinux). Each was refused once:
# - Debian 13's 6.12 (tests/e2e/debian-kernel archive-release),
#   kernel/sched/fair.o: set_next_entity's schedstat_enabled() jump label is
#   5 bytes built (a loop aligned to 64 bytes between it and its label gets
#   56 bytes of padding with the function 16 bytes into its section) and 2
#   shipped (11 bytes of padding; objtool made the jump a 2-byte NOP):
#   'built jmp ... but the shipped kernel has nop';
# - trixie-backports' 7.3, net/ipv4/tcp_input.o: tcp_validate_incoming.cold's
#   jump back into its parent lands past other padding and a jump label
#   built as a jump, shipped as objtool's NOP.
# The packages, trixie's gcc-14 root and the sources are the ones
# debian-13.t and debian-7.3.t use (the cache); warm, about a minute.
# KLPDIFF_NO_DEBIAN_7=1 leaves the 7.3 case out.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/debian-archive.sh"

[ -z "${KLPDIFF_SKIP_KERNEL:-}" ] || tap_skip_all "KLPDIFF_SKIP_KERNEL set"
tap_skip_if_sanitized "the Debian tests run in the plain pass only"
command -v mmdebstrap >/dev/null || tap_skip_all "mmdebstrap is needed (scripts/setup)"
[ "$(dpkg --print-architecture 2>/dev/null)" = amd64 ] || tap_skip_all "an amd64 Debian machine is needed"
r612=$("$here/debian-kernel" archive-release 2>/dev/null) ||
	tap_skip_all "no trixie 6.12 release (is Debian's archive reachable?)"
r73=
if [ -z "${KLPDIFF_NO_DEBIAN_7:-}" ]; then
	r73=$(debian_newest_release trixie-backports 7.3 cloud-amd64) ||
		tap_skip_all "Debian's archive (trixie-backports) is unreachable from here"
fi
tap_tmpdir
d=$TAP_TMP

# case RELEASE UNIT FUNCTION: UNIT checked, FUNCTION compared and the same.
case_of() {
	local release=$1 unit=$2 fn=$3 status=0
	echo "$unit" >"$d/units"
	nice -n 10 "$KLPDIFF" build -r "$release" --dbg -v --check-units "$d/units" \
		>"$d/out" 2>"$d/err" || status=$?
	tap_is "$status:$(sed -E 's/(compared|same|skipped) [0-9]+/\1 N/g' "$d/out")" \
		"0:$unit compared N skipped N mismatched 0
units 1 checked 1 not-compiled 0; functions compared N same N mismatched 0 (in 0 units) skipped N" \
		"$release: $unit compiled, every function the shipped code"
	[ "$TAP_LAST" = 0 ] || grep -v ': masked: \|: same instructions' "$d/err" | tap_diag
	tap_is "$(grep -c "^$unit: $fn: skipped\\|^klpdiff: $unit: $fn+" "$d/err" || true)" 0 \
		"$release: $fn compared (not skipped), not refused"
}

case_of "$r612" kernel/sched/fair.o set_next_entity
if [ -n "$r73" ]; then
	case_of "$r73" net/ipv4/tcp_input.o tcp_validate_incoming.cold
else
	tap_skip "7.3: net/ipv4/tcp_input.o checked" "KLPDIFF_NO_DEBIAN_7 set, or no 7.3 release"
	tap_skip "7.3: tcp_validate_incoming.cold compared" "KLPDIFF_NO_DEBIAN_7 set, or no 7.3 release"
fi
tap_done
