#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The checksum of special-section entries on objects compiled against real
# kernels' headers, with the kernel's own macros: tests/kernel/headers/fx.c,
# compiled as an external module once per variant against the e2e kernel,
# Debian's 6.1 and 6.12 headers (12-byte and 14-byte alt_instr, 6.12's IBT
# and call padding) and, with its source, Linux 7.3 prepared by
# tests/kernel/linux7-tree (a bug entry with the format; WARN() passes it to
# __WARN_trap),
# compared with `klpdiff diff -k` (the probed layouts):
#  - a changed alternative replacement or feature bit, exception fixup, jump
#    label branch, static call key or WARN() format: exactly "changed: fx_f";
#  - an identical copy, or WARN_ON() and WARN() on other lines: no change.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
[ -z "${KLPDIFF_SKIP_KERNEL:-}" ] || tap_skip_all "KLPDIFF_SKIP_KERNEL set"
tap_tmpdir

changed=(alt_repl alt_feature fixup likely call_key warn_fmt)
same=(same line)

# check LABEL KDIR: build every variant against KDIR, diff each with the base.
check() {
	local label=$1 kdir=$2 dir v out status
	dir=$TAP_TMP/$(echo "$label" | tr -c 'a-zA-Z0-9.\n' _)	# M= takes no spaces
	mkdir -p "$dir"
	for v in base "${changed[@]}" "${same[@]}"; do
		cp "$here/headers/fx.c" "$dir/fx_$v.c"
		printf 'obj-m += fx_%s.o\nCFLAGS_fx_%s.o := -DV_%s\n' "$v" "$v" "$v" >>"$dir/Kbuild"
	done
	if ! make -C "$kdir" M="$dir" modules >"$dir/build.log" 2>&1; then
		tap_fail "$label: the variants compile"
		tap_diag <"$dir/build.log"
		return
	fi
	for v in "${changed[@]}" "${same[@]}"; do
		status=0
		out=$("$KLPDIFF" diff -v -k "$kdir" "$dir/fx_base.o" "$dir/fx_$v.o" 2>&1) || status=$?
		if [[ " ${changed[*]} " == *" $v "* ]]; then
			tap_is "$status|$out" "1|changed: fx_base.c:fx_f" "$label: $v changes fx_f"
		else
			tap_is "$status|$out" "0|" "$label: $v changes nothing"
		fi
	done
}

check "gcc e2e kernel" "$("$here/kernel-tree" boot)"
dk=$here/../e2e/debian-kernel
for line in 6.1 6.12; do
	if ! release=$("$dk" release "$line" 2>/dev/null); then
		tap_skip "Debian $line: apt offers no such kernel with its source"
		continue
	fi
	"$dk" install "$release" >&2 || tap_bail "cannot install Debian's $release"
	check "Debian $release" "/usr/src/linux-headers-$release"
done
status=0
linux7=$("$here/linux7-tree") || status=$?
if [ "$status" = 0 ]; then
	check "Linux 7.3 prepared here" "$linux7"
elif [ "$status" = 3 ]; then
	tap_skip "Linux 7.3: no source (see tests/kernel/linux7-tree)"
else
	tap_fail "Linux 7.3: cannot prepare its tree (tests/kernel/linux7-tree)"
fi
tap_done
