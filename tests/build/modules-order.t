#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Finding a module of a kernel built here (-O) in its modules.order: up to
# Linux 6.1 the lines name the .ko (fs/xfs/xfs.ko), from 6.2 on the module's
# object (fs/xfs/xfs.o), its .ko beside it. Both find the .ko; a module the
# listing lacks is one line naming the listing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
tap_plan 5

driver=$(dirname "$(readlink -f "$KLPDIFF")")/module-driver
[ -x "$driver" ] || tap_bail "no $driver (make check builds it)"
tap_tmpdir
d=$TAP_TMP
mkdir -p "$d/old/fs/xfs" "$d/new/fs/xfs" "$d/new/drivers/net"
printf 'arch/x86/kvm/kvm.ko\nfs/xfs/xfs.ko\n' >"$d/old/modules.order"
printf 'arch/x86/kvm/kvm.o\nfs/xfs/xfs.o\ndrivers/net/dummy-net.o\n' >"$d/new/modules.order"

tap_is "$("$driver" --find "$d/old" modules.order xfs)" "$d/old/fs/xfs/xfs.ko" \
	"6.1's modules.order (.ko): xfs"
tap_is "$("$driver" --find "$d/new" modules.order xfs)" "$d/new/fs/xfs/xfs.ko" \
	"7.x's modules.order (.o): xfs, its .ko"
tap_is "$("$driver" --find "$d/new" modules.order dummy_net)" "$d/new/drivers/net/dummy-net.ko" \
	"'-' in a file name is '_' in the module's"
status=0
"$driver" --find "$d/new" modules.order kvm_amd >"$d/out" 2>"$d/err" || status=$?
tap_is "$status:$(wc -l <"$d/err")" "2:1" "a module it lacks: one line, exit 2"
tap_ok "the line names the listing and the module" grep -q "modules.order: no module kvm_amd" "$d/err"
tap_done
