#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# klpdiff verify skips a weak definition the kernel may have replaced, and
# its .cold piece with it: a replaced one's .cold piece jumps back into the
# weak body, which has no name in kallsyms, not into the strong function
# kallsyms names (tests/fixtures/verify/weak-cold.s). Debian 6.1's
# drivers/acpi/sleep.o was refused for it in the whole-kernel check:
# "acpi_s2idle_setup.cold+0xc: built 'jmp acpi_s2idle_setup+0x12' but the
# shipped kernel has 'jmp ... <acpi_sleep_state_supported+0xa2>'".
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/lib/verify.sh
. "$here/../lib/verify.sh"

fixture=$here/../fixtures/verify/weak-cold.s
[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
verify_have_assembler
tap_tmpdir
cd "$TAP_TMP"

if ! { as --64 -o orig.o "$fixture" && as --64 --defsym SHIPPED=1 -o shipped.o "$fixture" &&
	as --64 --defsym STRONG=1 -o strong.o "$fixture" &&
	ld -o vmlinux -e before -Ttext=0xffffffff81000000 shipped.o strong.o; } 2>build.log; then
	tap_diag <build.log
	tap_bail "the fixture does not assemble"
fi
{ echo "ffffffff81000000 T _text"; nm -n vmlinux; } >kallsyms
tap_is "$(awk '$3 == "setup" { print $2 }' kallsyms)" "T" "kallsyms's setup is the strong one"

run verify -v --objname vmlinux --shipped vmlinux --kallsyms kallsyms orig.o
tap_is "$status:$out" "0:orig.o: setup.cold: skipped: weak (or a piece of a weak one), may be replaced
orig.o: setup: skipped: weak (or a piece of a weak one), may be replaced
compared 1 skipped 2 checked 0 masked 0" "the weak function and its .cold piece are skipped"
tap_done
