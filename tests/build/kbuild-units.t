#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# kbuild hands a single goal under a directory the arch Makefile adds to the
# top level (x86's drivers-$(CONFIG_PM) += arch/x86/power/) to the descent
# into arch/x86/ as well, which compiles it with arch/x86's flags: with -j
# at the same time as power/'s own compile (Debian 6.12's arch/x86/power/cpu.o
# came out stack-protected, or not at all, in a batch with arch/x86/kernel/
# units). kbuild_make_units() (tests/build/kbuild-units-driver) makes such
# goals after the others, one job at a time; checked with a make that
# records its arguments:
#  1. the rest with -jN first, then the goals under lib/, pci/, power/ with -j1
#     (an indented line and a word that is no directory of the arch count too)
#  2. only such goals: one make, -j1
#  3. no arch Makefile: every goal in one make
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"

driver=$(dirname "$(readlink -f "$KLPDIFF")")/kbuild-units-driver
[ -x "$driver" ] || tap_bail "no $driver (make check builds it)"
[ "$(uname -m)" = x86_64 ] || tap_skip_all "the driver uses the host's arch; the Makefile here is x86's"
tap_tmpdir
mkdir -p "$TAP_TMP/bin" "$TAP_TMP/src/arch/x86"
printf '#!/bin/sh\necho "make $*"\n' >"$TAP_TMP/bin/make"
chmod +x "$TAP_TMP/bin/make"
cat >"$TAP_TMP/src/arch/x86/Makefile" <<'MK'
libs-y  += arch/x86/lib/
core-y += arch/x86/
drivers-$(CONFIG_MATH_EMULATION) += arch/x86/math-emu/
drivers-$(CONFIG_PCI)            += arch/x86/pci/ $(other-y)
ifdef CONFIG_PM
	drivers-$(CONFIG_PM) += arch/x86/power/
endif
# drivers-y += arch/x86/kernel/ in a comment is none
obj-y += arch/x86/video/
MK

units()
{
	rm -f "$TAP_TMP/log"
	status=0
	PATH=$TAP_TMP/bin:$PATH "$driver" "$TAP_TMP/src" "$TAP_TMP/log" "$@" || status=$?
	out=$(sed "s|$TAP_TMP|T|g" "$TAP_TMP/log")
}

units 2 arch/x86/kernel/irqinit.o arch/x86/power/cpu.o kernel/fork.o arch/x86/lib/insn.o \
	arch/x86/pci/init.o arch/x86/video/fbdev.o arch/x86/powerx/a.o
tap_is "$status:$out" "0:make -CT/src O=T/src -j2 arch/x86/kernel/irqinit.o kernel/fork.o arch/x86/video/fbdev.o arch/x86/powerx/a.o
make -CT/src O=T/src -j1 arch/x86/power/cpu.o arch/x86/lib/insn.o arch/x86/pci/init.o" \
	"the goals under the arch's top-level directories last, one job at a time"
units 2 arch/x86/power/cpu.o
tap_is "$status:$out" "0:make -CT/src O=T/src -j1 arch/x86/power/cpu.o" "only such a goal: one make, -j1"
rm "$TAP_TMP/src/arch/x86/Makefile"
units 2 arch/x86/power/cpu.o kernel/fork.o
tap_is "$status:$out" "0:make -CT/src O=T/src -j2 arch/x86/power/cpu.o kernel/fork.o" \
	"no arch Makefile: one make"
tap_done
