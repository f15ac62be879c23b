#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Asking for help: `klpdiff CMD --help`, `klpdiff --help CMD`, `klpdiff -h CMD`
# and `klpdiff help CMD` all print CMD's own help (its first line "usage:
# klpdiff CMD ..."), the same text, on stdout, nothing on stderr, and exit 0,
# for every command (verify too, which the general usage leaves out).
# `klpdiff`'s --help, -h and help alone print the general usage. An unknown
# CMD, in any of these forms: exit 2, nothing on stdout, one line on stderr.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"

[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
tap_tmpdir

# The commands the general usage lists, then the unlisted plumbing.
listed=(sums diff extract module build profile)
unlisted=(verify)
general="usage: klpdiff [--version] [--help] COMMAND [ARGS]"
unknown="klpdiff: 'nope' is not a klpdiff command; see 'klpdiff --help'"

# run ARGS...: klpdiff's exit status in $status, its stdout in $out, its stderr in $err.
run()
{
	status=0
	"$KLPDIFF" "$@" >"$TAP_TMP/out" 2>"$TAP_TMP/err" || status=$?
	out=$(cat "$TAP_TMP/out")
	err=$(cat "$TAP_TMP/err")
}

run --help
tap_is "$(sed -n '/^Commands:/,/^$/s/^  \([a-z]*\) .*/\1/p' <<<"$out" | tr '\n' ' ')" \
	"${listed[*]} " "klpdiff --help lists the commands this test knows"

for form in --help -h help; do
	run "$form"
	tap_is "$status|$err|$(head -1 <<<"$out")" "0||$general" \
		"klpdiff $form: the general usage on stdout, exit 0"
done

for cmd in "${listed[@]}" "${unlisted[@]}"; do
	run "$cmd" --help
	help=$out
	tap_is "$status|$err|$(head -1 <<<"$out" | cut -d' ' -f1-3)" "0||usage: klpdiff $cmd" \
		"klpdiff $cmd --help: $cmd's help on stdout, exit 0"
	for form in "--help $cmd" "-h $cmd" "help $cmd"; do
		# shellcheck disable=SC2086 # the form is words
		run $form
		tap_is "$status|$err|$out" "0||$help" "klpdiff $form: $cmd's help on stdout, exit 0"
	done
done

for form in "--help nope" "-h nope" "help nope" "nope --help" "nope"; do
	# shellcheck disable=SC2086 # the form is words
	run $form
	tap_is "$status|$out|$err" "2||$unknown" "klpdiff $form: one line on stderr, exit 2"
done

tap_done
