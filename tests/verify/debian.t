#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# klpdiff verify on Debian's own Linux 6.1 (the installed kernel package),
# when this machine has what it takes, else skipped with the reason:
#   /boot/vmlinuz-$KLP_DEBIAN_RELEASE and its modules in /lib/modules,
#   a kallsyms listing of it booted, in $WORKDIR/debian/RELEASE/kallsyms,
#   originals built with function sections in $WORKDIR/verify-prep:
#     cp /boot/config-RELEASE PREP/.config
#     make -C SRC O=PREP CC=gcc-12 olddefconfig prepare
#     make -C SRC O=PREP CC=gcc-12 KCFLAGS='-ffunction-sections -fdata-sections' \
#          fs/proc/cmdline.o fs/proc/meminfo.o kernel/fork.o fs/xfs/xfs_stats.o
# ($WORKDIR is $KLPDIFF_E2E_WORKDIR, default ~/.cache/klpdiff; SRC the
# linux-source-6.1 tree of the same version.)
#
#  1. the banner of the extracted vmlinux names the release
#  2. the three vmlinux objects and xfs_stats.o (against xfs.ko) are accepted
#  3. cmdline.o with its seq_puts call turned into seq_putc is refused
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"

[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
release=${KLP_DEBIAN_RELEASE:-6.1.0-57-amd64}
workdir=${KLPDIFF_E2E_WORKDIR:-$HOME/.cache/klpdiff}
prep=$workdir/verify-prep
kallsyms=$workdir/debian/$release/kallsyms
vmlinuz=/boot/vmlinuz-$release
xfs=/lib/modules/$release/kernel/fs/xfs/xfs.ko
vmlinux_objs=(fs/proc/cmdline.o fs/proc/meminfo.o kernel/fork.o)
for f in "$vmlinuz" "$kallsyms" "$xfs" "${vmlinux_objs[@]/#/$prep/}" "$prep/fs/xfs/xfs_stats.o"; do
	[ -r "$f" ] || tap_skip_all "no $f (see the header of $0)"
done
command -v python3 >/dev/null || tap_skip_all "python3 is not installed"
tap_tmpdir

vmlinux=$TAP_TMP/vmlinux
tap_ok "the vmlinux of $vmlinuz" "$KLPDIFF" verify --extract "$vmlinuz" "$vmlinux"
banner=$("$KLPDIFF" verify --banner "$vmlinux" 2>&1 || true)
tap_check "$([[ $banner == "Linux version $release "*" Debian 6.1."* ]]; echo $?)" \
	"the banner names the release"
tap_diag "$banner"

for o in "${vmlinux_objs[@]}"; do
	status=0
	out=$("$KLPDIFF" verify --objname vmlinux --shipped "$vmlinux" --kallsyms "$kallsyms" \
		--display "$o" "$prep/$o" 2>&1) || status=$?
	tap_check "$([[ $status == 0 && $out == "compared "* ]]; echo $?)" "$o: $out"
	[ "$TAP_LAST" == 0 ] || tap_diag "$out"
done
status=0
out=$("$KLPDIFF" verify --objname xfs --shipped "$xfs" --display fs/xfs/xfs_stats.o \
	"$prep/fs/xfs/xfs_stats.o" 2>&1) || status=$?
tap_check "$([[ $status == 0 && $out == "compared 7 skipped 0 "* ]]; echo $?)" \
	"fs/xfs/xfs_stats.o against xfs.ko: $out"

# The call to seq_puts made a call to seq_putc: relocation 2 of cmdline_proc_show.
index=$(readelf -sW "$prep/fs/proc/cmdline.o" | awk '$8 == "seq_putc" { sub(":", "", $1); print $1 }')
python3 "$here/../lib/elfpatch.py" "$prep/fs/proc/cmdline.o" "$TAP_TMP/cmdline.o" \
	"rela[.rela.text.cmdline_proc_show][2].r_sym=$index"
seq_puts=$(awk '$3 == "seq_puts" { print $1 }' "$kallsyms" | sed 's/^0*//')
status=0
out=$("$KLPDIFF" verify --objname vmlinux --shipped "$vmlinux" --kallsyms "$kallsyms" \
	--display fs/proc/cmdline.o "$TAP_TMP/cmdline.o" 2>&1) || status=$?
tap_is "$status:$out" "2:klpdiff: fs/proc/cmdline.o: cmdline_proc_show+0x10: built 'call seq_putc' but the shipped kernel has 'call 0x$seq_puts <seq_puts>' (not seq_putc): the source, config or compiler differs from what built this kernel (--no-verify skips this check)" \
	"a changed call in cmdline_proc_show is refused"
tap_done
