#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A live patch whose calls into vmlinux need module PLTs, on the arm64 kernel of
# arm64.t. A branch (CALL26, JUMP26) reaches +-128 MiB; 7.3's arm64 loader puts
# modules into the 128 MiB around the kernel while they fit and into a 2 GiB
# region below it after that (arch/arm64/mm/init.c), where each branch into
# vmlinux goes through a PLT entry the loader makes (module-plts.c), from the
# slots module_frob_arch_sections() counted in the module's SHT_RELA sections,
# the patch's .klp.rela.vmlinux..text among them (SHN_LIVEPATCH symbols, never
# the code's own section). Here filler modules (a .bss each, 64 MiB down to 64
# KiB) fill the 128 MiB, and the patch (plt-arm64/meminfo-far.patch:
# meminfo-kib's change and 160 KiB of NOPs, too large for the pages the
# fillers' freed init sections leave) loads in the 2 GiB region: its code is
# checked to be more than 128 MiB from the kernel's, its check fails before
# and passes after, it is disabled. On the host, what the loader counts: the
# exact calls of .klp.rela.vmlinux..text, SHT_RELA on the executable .text,
# against SHN_LIVEPATCH symbols. Only with KLPDIFF_ARM64=1 or KLPDIFF_FULL=1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
tap_arm64_e2e_needs "$here"

kbuild=$("$here/../kernel/kernel-tree" boot --arch arm64) || tap_bail "the arm64 kernel did not build"
ksrc=$(cat "$kbuild/.klpdiff-src")
tap_tmpdir
name=klp_meminfo_far
ko=$TAP_TMP/$name.ko

# The fillers, largest first (their names sort so): a .bss of N KiB each.
fill=$TAP_TMP/fill
mkdir -p "$fill"
i=0
for kib in 65536 32768 16384 8192 4096 2048 1024 512 256 128 64 64 64; do
	i=$((i + 1))
	f=$(printf 'klpdiff_fill%02d' "$i")
	printf '#include <linux/module.h>\nstatic char fill[%dUL << 10] __used;\n%s\n%s\n' "$kib" \
		'MODULE_LICENSE("GPL");' 'MODULE_DESCRIPTION("klpdiff test: fills module space");' \
		>"$fill/$f.c"
	echo "obj-m += $f.o" >>"$fill/Kbuild"
done
make -C "$kbuild" M="$fill" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- -j2 modules \
	>"$TAP_TMP/fill.log" 2>&1 || { tap_diag <"$TAP_TMP/fill.log"; tap_bail "the fillers did not build"; }

"$KLPDIFF" build -s "$ksrc" -O "$kbuild" -n "$name" -o "$ko" --report "$TAP_TMP/changes" \
	"$here/plt-arm64/meminfo-far.patch" >"$TAP_TMP/build.log" 2>&1 ||
	{ tap_diag <"$TAP_TMP/build.log"; tap_bail "klpdiff build failed"; }
tap_is "$(cat "$TAP_TMP/changes")" "changed: fs/proc/meminfo.o:meminfo_proc_show" \
	"meminfo-far: exactly the expected changes"

# What count_plts() sees: the section, its target, the calls and their symbols.
sec=$(readelf -SW "$ko" | sed 's/^ *\[ *\([0-9]*\)\]/\1/' |
	awk '$2 == ".klp.rela.vmlinux..text" { print $3, $(NF - 1) }')
text=$(readelf -SW "$ko" | sed 's/^ *\[ *\([0-9]*\)\]/\1/' | awk '$2 == ".text" { print $1, $8 }')
tap_is "$sec" "RELA ${text%% *}" ".klp.rela.vmlinux..text is SHT_RELA on .text"
tap_is "${text#* }" AX ".text is executable: the loader counts PLTs for its relocations"
calls=$(readelf -rW "$ko" | awk '/^Relocation section/ { s = $3 }
	s == "'"'"'.klp.rela.vmlinux..text'"'"'" && $3 ~ /CALL26|JUMP26/ { print $3, $5 }' |
	LC_ALL=C sort -u)
tap_is "$calls" "$(cat "$here/plt-arm64/meminfo-far.calls")" \
	"the calls into vmlinux that are livepatch relocations: exactly plt-arm64/meminfo-far.calls"
# readelf shows SHN_LIVEPATCH (0xff20, SHN_LOOS) as "OS [0xff20]".
tap_is "$(readelf -sW "$ko" | sed -n 's/.* \(OS \[0x[0-9a-f]*\]\) *\.klp\.sym\.vmlinux\..*/\1/p' |
	sort -u)" "OS [0xff20]" "their symbols are SHN_LIVEPATCH, not in .text: each gets a PLT slot"

cat >"$TAP_TMP/guest.sh" <<GUEST
. /lib/klpdiff/guest.sh
dmesg | grep 'pages in range for' | sed 's/^/# /'
for f in /fill/*.ko; do insmod \$f || nok "insmod \$f"; done
check "meminfo-far: check fails before loading" eval '! sh /checks/meminfo-far.check'
check "meminfo-far: loaded" insmod /modules/$name.ko
check "meminfo-far: transition complete" wait_transition $name
t=\$(cat /sys/module/$name/sections/.text)
k=\$(awk '\$3 == "_text" { print \$1 }' /proc/kallsyms)
t=\${t#0x}
d=\$((0x\${k#????} - 0x\${t#????}))
echo "# the patch's .text at \$t, the kernel's _text at \$k"
check "meminfo-far: its code is more than 128 MiB below the kernel's (\$((d >> 20)) MiB)" \
	[ "\$d" -gt $((128 << 20)) ]
check "meminfo-far: check passes after loading" sh /checks/meminfo-far.check
check "meminfo-far: disabled" sh -c 'echo 0 > /sys/kernel/livepatch/$name/enabled'
check "meminfo-far: transition to unpatched complete" wait_transition $name
check "meminfo-far: check fails again" eval '! sh /checks/meminfo-far.check'
check "meminfo-far: removed" rmmod $name
no_new_warning "meminfo-far: no kernel warning (taint W)"
[ \$fails -eq 0 ] || dmesg | tail -n 30 | sed 's/^/# /'
exit \$fails
GUEST
files=(--file "$here/patches-arm64/meminfo-kib.check:/checks/meminfo-far.check")
for f in "$fill"/*.ko; do files+=(--file "$f:/fill/$(basename "$f")"); done
status=0
"$here/qemu-run" --arch arm64 --kernel "$kbuild/arch/arm64/boot/Image" --module "$ko" \
	"${files[@]}" --timeout 600 --script "$TAP_TMP/guest.sh" >"$TAP_TMP/guest.out" \
	2>"$TAP_TMP/qemu.err" || status=$?
tap_relay_guest "$TAP_TMP/guest.out" 10 "$status" "$TAP_TMP/qemu.err"
tap_done
