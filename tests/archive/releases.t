#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `klpdiff build` for several releases in one run (-r more than once,
# --releases FILE), without the network: the releases come from a local
# archive of fake packages (lib.sh). A release the archive has not got
# fails, and the next one still runs (its packages are downloaded, and its
# fake headers stop it at the kernel profile); the exit status is 2; the
# table has a row for each, in order. Bad input (a malformed release, one
# given twice, options of one kernel) is refused before any work. One -r
# says what it always said: no table. tests/e2e/debian-releases.t builds
# real modules for two of Debian's releases.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/archive/lib.sh
. "$here/lib.sh"

archive_needs

tap_tmpdir
d=$TAP_TMP
good=6.1.0-99-cloud-amd64
v=6.1.999-3
gone=6.1.0-98-cloud-amd64
repo_init "$d/repo"
fake_kernel6 bookworm-security "$good" "$v"
fake_source bookworm-security 6.1 "$v"
repo_index
export KLPDIFF_APT_SOURCES
KLPDIFF_APT_SOURCES=$(repo_sources signed)
export KLPDIFF_CACHE=$d/cache
cat >"$d/p.patch" <<'PATCH'
--- a/fs/proc/cmdline.c
+++ b/fs/proc/cmdline.c
@@ -1 +1 @@
-x
+y
PATCH

# build ARGS...: klpdiff build in $d, stdout in $d/out, stderr in $d/err, status in $status.
build() {
	status=0
	(cd "$d" && "$KLPDIFF" build "$@" p.patch >"$d/out" 2>"$d/err") || status=$?
}

# refused DESC PATTERN: exit 2, one error line matching PATTERN, nothing done.
refused() {
	local lines
	lines=$(grep -c '^klpdiff: ' "$d/err" || true)
	if [ "$status" -eq 2 ] && [ "$lines" -eq 1 ] && [ "$(wc -l <"$d/err")" -eq 1 ] &&
		grep -q -- "$2" "$d/err" && [ ! -s "$d/out" ] && [ ! -e "$KLPDIFF_CACHE" ] &&
		[ -z "$(ls "$d/outdir" 2>/dev/null)" ]; then
		tap_pass "$1"
	else
		tap_fail "$1"
		tap_diag "exit $status, $lines error lines, want 2 and 1 matching '$2'; cache: $(ls "$KLPDIFF_CACHE" 2>&1)"
		tap_diag <"$d/err"
		tap_diag <"$d/out"
	fi
}

printf '# the fleet\n%s   # gone from the archive\n\n  %s\n' "$gone" "$good" >"$d/fleet.list"

# Refused before any work: no cache, no output directory, no table.
build -r "$good" --releases fleet.list --dbg -o outdir
refused "a release given by -r and in the file" "^klpdiff: release $good is given twice"
build -r "$good" -r '6.1.0-99/../../x' --dbg -o outdir
refused "a malformed release among good ones" \
	"^klpdiff: '6.1.0-99/../../x' is not a kernel release"
build -r "$good" -r '' --dbg -o outdir
refused "an empty release" "^klpdiff: '' is not a kernel release"
build -r "$good" -r "$gone" -r "$good" --dbg -o outdir
refused "a release given twice" "^klpdiff: release $good is given twice"
build -r "$good" -r "$gone" --kallsyms "$d/p.patch" -o outdir
refused "--kallsyms with several releases" "^klpdiff: $d/p.patch: --kallsyms is one kernel's symbols"
build -r "$good" -r "$gone" --dbg -o "$d/x.ko"
refused "-o FILE.ko with several releases" "^klpdiff: $d/x.ko: with several releases, -o names a directory"
build -r "$good" -r "$gone" --dbg --report r.txt -o outdir
refused "--report with several releases" "^klpdiff: r.txt: with several releases, each one's list"
printf '# the fleet\n%s\n%s extra\n' "$good" "$gone" >"$d/bad.list"
build --releases bad.list --dbg -o outdir
refused "a releases file with two words on a line" "^klpdiff: bad.list: line 3: one release a line"
printf '# nothing\n\n' >"$d/empty.list"
build --releases empty.list --dbg -o outdir
refused "a releases file naming no release" "^klpdiff: empty.list: names no release"
build --releases missing.list --dbg -o outdir
refused "a missing releases file" "^klpdiff: missing.list: cannot read the releases"
build -r "$good" -r 'bad release' --dbg -o outdir
refused "a release with a space" "is not a kernel release"

# The first release fails; the second still runs. From a file with comments.
build --releases fleet.list --dbg -o outdir
tap_is "$status" 2 "one release failed: exit 2"
tap_is "$(awk '{ print $1, $2, $3, $4 }' "$d/out")" "RELEASE RESULT CHANGED MODULE
$gone failed - -
$good failed - -" "the table: a row per release, in the file's order"
tap_ok "the first one's reason: the archive has not got it" \
	grep -q "^$gone .* $gone: not installed, and the archive has no linux-image-$gone" "$d/out"
tap_ok "the second one's reason: its last error" \
	grep -q "^$good .* no profile for this kernel's architecture" "$d/out"
tap_ok "the second one ran after the first failed: its packages downloaded" \
	grep -q "^klpdiff build: linux-image-$good $v: downloading from bookworm-security" \
	"$d/outdir/$good/klp_p.log"
tap_is "$(grep -c 'downloading' "$d/outdir/$gone/klp_p.log" || true)|$(grep -c "$gone" "$d/outdir/$good/klp_p.log" || true)" \
	"0|0" "each release's log has its own run only"
tap_is "$(grep -c '^klpdiff build: release ' "$d/err")" 2 "stderr says each release as it starts"
tap_is "$(cd "$d/outdir" && find . -type f | sort)" "./$gone/klp_p.log
./$good/klp_p.log" "no module, a log each"

# One -r: what klpdiff build always said, no table.
build -r "$gone" --dbg -o one.ko
tap_is "$status|$(cat "$d/out")|$(grep -c '^klpdiff build: release \|RELEASE' "$d/err" || true)" \
	"2||0" "one release: exit 2, no table, no release header"
tap_ok "one release: its error, as always" \
	grep -q "^klpdiff: $gone: not installed, and the archive has no linux-image-$gone" "$d/err"

tap_done
