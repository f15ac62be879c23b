# SPDX-License-Identifier: GPL-2.0-or-later
# Minimal TAP producer for the bash tests (*.t, run by prove).
#
#   . "$(dirname "$0")/../lib/tap.sh"
#   tap_plan 3            # or leave the plan to tap_done
#   tap_ok "builds" make  # runs a command: ok if it exits 0
#   tap_is "$got" "$want" "output matches"
#   tap_skip "needs clang" "clang not installed"
#   tap_done              # prints the plan if needed and a summary, exits
#
# Diagnostics go to stderr, prefixed with '# ', so prove shows them even
# without -v. The exit status of tap_done is the number of failures (max 254).

# shellcheck disable=SC2034 # TAP_LAST is for the scripts that source this
TAP_RUN=0	# tests reported so far
TAP_FAILED=0
TAP_SKIPPED=0
TAP_PLANNED=	# the number given to tap_plan, if any
# The assertions return 0 even when the test fails, so that scripts under
# `set -e` go on to the next test; TAP_LAST is 0 after a pass, 1 after a
# failure, for a caller that wants to add diagnostics.
TAP_LAST=0

# The klpdiff binary under test: $KLPDIFF, or the repository's ./klpdiff.
KLPDIFF=${KLPDIFF:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/klpdiff}

tap_plan()
{
	TAP_PLANNED=$1
	echo "1..$1"
}

# Nothing to test here at all (e.g. a tool is missing): one line and exit.
tap_skip_all()
{
	echo "1..0 # SKIP $*"
	exit 0
}

# The sanitizer pass (KLPDIFF_SANITIZED) skips a test whose klpdiff code the
# plain pass ran and other tests run sanitized (CI's time): say which.
tap_skip_if_sanitized()
{
	[ -z "${KLPDIFF_SANITIZED:-}" ] || tap_skip_all "sanitizer pass: the plain pass ran it; $*"
}

# The clang ThinLTO e2e kernel takes about 25 minutes to build from scratch on
# 2 cores, more than CI's budget leaves: its tests run with KLPDIFF_LTO=1 or
# KLPDIFF_FULL=1. (tests/diff/fixtures.t covers ThinLTO links of objects.)
TAP_LTO_SKIP="the clang ThinLTO kernel (25 min to build from scratch) needs KLPDIFF_LTO=1 or KLPDIFF_FULL=1"
tap_lto_kernel()
{
	[ -n "${KLPDIFF_LTO:-}${KLPDIFF_FULL:-}" ]
}

# The ppc64le e2e kernel (cross-built, what the peer patches touch) takes 15
# minutes from scratch on 2 cores, which CI's budget does not leave beside the
# x86-64 ones: its tests run with KLPDIFF_PPC64LE=1 or KLPDIFF_FULL=1. (The
# object-level ppc64le tests, sums, diff, extract and verify, always run.)
TAP_PPC64LE_SKIP="the ppc64le kernel (15 min to build from scratch) needs KLPDIFF_PPC64LE=1 or KLPDIFF_FULL=1"
tap_ppc64le_kernel()
{
	[ -n "${KLPDIFF_PPC64LE:-}${KLPDIFF_FULL:-}" ]
}

# The arm64 e2e kernel (Linux 7.3, cross-built) takes longer still, and its
# guest runs on TCG: KLPDIFF_ARM64=1 or KLPDIFF_FULL=1. (The object-level
# arm64 tests, sums, diff and extract, always run.)
TAP_ARM64_SKIP="the arm64 kernel (Linux 7.3, 30+ min to build from scratch) needs KLPDIFF_ARM64=1 or KLPDIFF_FULL=1"
tap_arm64_kernel()
{
	[ -n "${KLPDIFF_ARM64:-}${KLPDIFF_FULL:-}" ]
}

# What the arm64 kernel's e2e tests (tests/e2e/arm64.t, arm64-peer.t) need: skip
# the whole test, saying why, without it. $1: tests/e2e.
tap_arm64_e2e_needs()
{
	local tool

	[ -z "${KLPDIFF_SKIP_KERNEL:-}" ] || tap_skip_all "KLPDIFF_SKIP_KERNEL set"
	tap_skip_if_sanitized "the arm64 e2e tests run in the plain pass only"
	tap_arm64_kernel || tap_skip_all "$TAP_ARM64_SKIP"
	for tool in aarch64-linux-gnu-gcc qemu-system-aarch64; do
		command -v "$tool" >/dev/null || tap_skip_all "$tool missing (scripts/setup installs it)"
	done
	"$1/linux-7.3-source" >/dev/null || tap_skip_all "no Linux 7.3 source"
	"$1/busybox-arm64" >/dev/null || tap_skip_all "no arm64 busybox (see above)"
}

tap_bail()
{
	echo "Bail out! $*"
	exit 255
}

# Every line of the arguments (or of stdin without arguments) as a diagnostic.
tap_diag()
{
	if (($#)); then
		printf '%s\n' "$*" | sed 's/^/# /' >&2
	else
		sed 's/^/# /' >&2
	fi
}

tap_pass()
{
	TAP_RUN=$((TAP_RUN + 1))
	echo "ok $TAP_RUN - $*"
}

tap_fail()
{
	TAP_RUN=$((TAP_RUN + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_RUN - $*"
	# Like Test::More: name the failure where prove shows it without -v.
	tap_diag "Failed test $TAP_RUN: $*"
}

# tap_check STATUS DESC: ok when STATUS is 0 (for conditions already evaluated).
tap_check()
{
	if [ "$1" -eq 0 ]; then
		tap_pass "$2"
		TAP_LAST=0
	else
		tap_fail "$2"
		TAP_LAST=1
	fi
}

# tap_ok DESC CMD...: ok when CMD exits 0; its output becomes diagnostics on failure.
tap_ok()
{
	local desc=$1 out status=0

	shift
	out=$("$@" 2>&1) || status=$?
	if ((status == 0)); then
		tap_pass "$desc"
		TAP_LAST=0
		return 0
	fi
	tap_fail "$desc"
	tap_diag "command failed (exit $status): $*"
	[ -z "$out" ] || tap_diag "$out"
	TAP_LAST=1
}

# tap_is GOT WANT DESC: string equality, showing both on failure.
tap_is()
{
	if [ "$1" == "$2" ]; then
		tap_pass "$3"
		TAP_LAST=0
		return 0
	fi
	tap_fail "$3"
	tap_diag "     got: '$1'"
	tap_diag "expected: '$2'"
	TAP_LAST=1
}

tap_skip()
{
	TAP_RUN=$((TAP_RUN + 1))
	TAP_SKIPPED=$((TAP_SKIPPED + 1))
	echo "ok $TAP_RUN - $1 # SKIP ${2:-}"
}

# tap_relay_guest OUT COUNT STATUS ERR: the TAP lines a guest script wrote
# (tests/e2e/guest.sh) to OUT as this test's checks, then that all COUNT of
# them ran and passed and that the script exited 0 (STATUS: qemu-run's);
# QEMU's messages (ERR) as diagnostics when it did not.
tap_relay_guest()
{
	local out=$1 count=$2 status=$3 err=$4 line

	while IFS= read -r line; do
		case $line in
		"ok "[0-9]*) tap_pass "guest: ${line#ok [0-9]* - }" ;;
		"not ok "[0-9]*) tap_fail "guest: ${line#not ok [0-9]* - }" ;;
		"# "*) tap_diag "${line#\# }" ;;
		esac
	done <"$out"
	tap_is "$(grep -c '^ok [0-9]' "$out" || true)" "$count" \
		"all $count guest checks ran and passed"
	tap_is "$status" 0 "the guest script exits 0"
	[ "$TAP_LAST" = 0 ] || tap_diag <"$err"
}

tap_done()
{
	local status

	if [ -z "$TAP_PLANNED" ]; then
		echo "1..$TAP_RUN"
	elif ((TAP_PLANNED != TAP_RUN)); then
		tap_diag "planned $TAP_PLANNED tests but ran $TAP_RUN"
	fi
	tap_diag "$TAP_RUN tests: $((TAP_RUN - TAP_FAILED)) passed, $TAP_FAILED failed," \
		"$TAP_SKIPPED skipped"
	status=$((TAP_FAILED > 254 ? 254 : TAP_FAILED))
	if [ -n "$TAP_PLANNED" ] && ((TAP_PLANNED != TAP_RUN && status == 0)); then
		status=255
	fi
	exit "$status"
}

# A scratch directory removed when the test exits; its path in $TAP_TMP.
tap_tmpdir()
{
	TAP_TMP=$(mktemp -d "${TMPDIR:-/tmp}/klpdiff-test.XXXXXX")
	# shellcheck disable=SC2064 # expand now: the path is fixed
	trap "rm -rf '$TAP_TMP'" EXIT
}
