#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The source tree's shape: src/LAYER/ folders, in the Makefile's LAYERS order
# (base, elf, analysis, kernel, patch, build, cmd). A file includes headers of
# its own layer and of the layers before it only; a file has at most 800
# lines and a function body at most 80 (tables are data, not functions).
# Each check lists every offender, so one run shows all of them.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
top=$(cd "$here/../.." && pwd)

read -r -a layers <<<"$(sed -n 's/^LAYERS := //p' "$top/Makefile")"
[ ${#layers[@]} -gt 1 ] || tap_bail "no LAYERS in $top/Makefile"
declare -A rank
for i in "${!layers[@]}"; do rank[${layers[$i]}]=$i; done

# Every folder of src/ is a layer, every source file is in one.
strays=$(cd "$top/src" && find . -mindepth 1 -maxdepth 1 | sed 's|^\./||' |
	while read -r d; do [ -n "${rank[$d]:-}" ] || echo "$d"; done)
tap_is "$strays" "" "every entry of src/ is a layer folder (${layers[*]})"

# Includes: "LAYER/file.h" only of a layer not above the includer's.
violations=$(cd "$top/src" && grep -rHn '^#include "' --include='*.[ch]' . |
	while IFS=: read -r file line text; do
		file=${file#./}
		own=${file%%/*}
		inc=$(sed 's/^#include "\([^"]*\)".*/\1/' <<<"$text")
		case $inc in ../*) continue ;; esac	# the installed headers, include/klpdiff
		target=${inc%%/*}
		if [ -z "${rank[$target]:-}" ]; then
			echo "$file:$line: includes \"$inc\", not LAYER/file.h"
		elif [ "${rank[$target]}" -gt "${rank[$own]}" ]; then
			echo "$file:$line: $own includes $target/ (a higher layer): \"$inc\""
		fi
	done)
tap_is "$violations" "" "no layer includes a higher one"

long_files=$(cd "$top/src" && find . -name '*.[ch]' -print0 | xargs -0 wc -l |
	awk '$2 != "total" && $1 > 800 { sub(/^\.\//, "", $2); print $2 ": " $1 " lines" }')
tap_is "$long_files" "" "no source file over 800 lines"

# A function body runs from a "{" at column 0 to the next "}" at column 0.
long_functions=$(cd "$top/src" && find . -name '*.c' | sort | while read -r f; do
	awk -v f="${f#./}" '
		/^[a-zA-Z_].*\(/ { name = $0 }
		/^\{/ { start = NR }
		/^\}/ && start { if (NR - start - 1 > 80) printf "%s:%d: %s: %d lines\n", f, start, name, NR - start - 1; start = 0 }
	' "$f"
done)
tap_is "$long_functions" "" "no function over 80 lines"

tap_done
