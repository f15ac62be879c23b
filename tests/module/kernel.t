#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# klpdiff module on a hand-made patch object (cmdline_patch.c) built against
# the e2e Linux 6.1 kernel: the module's livepatch ELF parts, checked with
# readelf and modinfo against Documentation/livepatch/module-elf-format.rst,
# what the post-link keeps of kbuild's .ko, a kbuild failure, and a placeholder
# relocation that no livepatch relocation entry claims.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/module/lib.sh
. "$here/lib.sh"

[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
kbuild=$(module_kernel_build)
tap_tmpdir
tmp=$TAP_TMP
build_cmdline_patch "$kbuild" "$tmp/patch" || tap_bail "cannot compile cmdline_patch.c"
mkdir "$tmp/out"

# --- a module from the patch object ------------------------------------------
status=0
TMPDIR=$tmp "$KLPDIFF" module -o "$tmp/out/lp_cmdline.ko" --kernel-build "$kbuild" \
	--keep-tmp "$tmp/patch/patch.o" >"$tmp/stdout" 2>"$tmp/stderr" || status=$?
tap_is "$status" 0 "klpdiff module exits 0"
[ "$TAP_LAST" = 0 ] || tap_diag <"$tmp/stderr"
[ -f "$tmp/out/lp_cmdline.ko" ] || tap_bail "no module written"
tap_is "$(cat "$tmp/stdout")" "" "nothing on stdout"
builddir=$(sed -n 's/^klpdiff: build files kept in //p' "$tmp/stderr")
tap_is "$(wc -l <"$tmp/stderr")" 1 "--keep-tmp: one line on stderr, naming the build directory"
tap_is "$(grep -v '^#' "$builddir/Kbuild" 2>/dev/null)" \
	"obj-m := lp_cmdline.o
lp_cmdline-y := klpdiff_main.o klpdiff_part0.o" "the Kbuild file links the generated code and the patch object"
tap_is "$(ls "$tmp/out")" "lp_cmdline.ko" "nothing else beside the module"

ko=$tmp/out/lp_cmdline.ko
readelf -SWt "$ko" >"$tmp/sections"
readelf -sW "$ko" >"$tmp/symbols"
readelf -rW "$ko" >"$tmp/relocs"

# The livepatch relocation sections: SHT_RELA, SHF_ALLOC | SHF_INFO_LINK |
# SHF_RELA_LIVEPATCH, applying to the section named after the object.
section_name() # the name of section number $1
{
	awk -v i="$1" '/^  \[ *[0-9]+\]/ { match($0, /\[ *[0-9]+\]/);
		if (substr($0, RSTART + 1, RLENGTH - 2) + 0 == i) print $NF }' "$tmp/sections"
}
# The callback's section: gcc puts it in .text.unlikely.
cb_sec=$(section_name "$(awk '$NF == "klpdiff_test_pcspkr_post_patch" { print $7 }' "$tmp/symbols")")
klp_sections=$(awk '/^  \[ *[0-9]+\] \.klp\.rela\./ { name = $2; getline; type = $1;
	getline; print name, type, $1 }' "$tmp/sections")
tap_is "$klp_sections" \
	".klp.rela.vmlinux..data RELA [0000000000100042]:
.klp.rela.vmlinux..text RELA [0000000000100042]:
.klp.rela.pcspkr.$cb_sec RELA [0000000000100042]:" \
	".klp.rela sections with flags ALLOC, INFO LINK, SHF_RELA_LIVEPATCH (0x100000)"
target_of() # the name of the section a relocation section applies to
{
	section_name "$(awk -v s="$1" '$NF == s { getline; print $7 }' "$tmp/sections")"
}
tap_is "$(target_of .klp.rela.vmlinux..text) $(target_of .klp.rela.vmlinux..data) $(target_of ".klp.rela.pcspkr.$cb_sec")" \
	".text .data $cb_sec" ".klp.rela sections apply to the sections they are named after"

# The livepatch symbols: GLOBAL NOTYPE, st_shndx SHN_LIVEPATCH (0xff20).
# readelf prints that index as "OS [0xff20]".
tap_is "$(awk '$NF ~ /^\.klp\.sym\./ { print $4, $5, $(NF - 1), $NF }' "$tmp/symbols" | sort)" \
	"NOTYPE GLOBAL [0xff20] .klp.sym.pcspkr.pcspkr_platform_driver,0
NOTYPE GLOBAL [0xff20] .klp.sym.vmlinux.saved_command_line,0
NOTYPE GLOBAL [0xff20] .klp.sym.vmlinux.version_proc_show,0" \
	".klp.sym symbols with shndx SHN_LIVEPATCH"

# The relocations themselves: where, type, symbol, addend.
klp_relocs()
{
	awk -v s="'$1'" '$1 == "Relocation" { on = ($3 == s); next }
		on && $1 ~ /^[0-9a-f]+$/ { print $1, $3, $5, $6, $7 }' "$tmp/relocs"
}
text_off=$(objdump -d -j .text "$ko" | awk '/mov +0x0\(%rip\)/ { sub(":", "", $1); print $1; exit }')
tap_is "$(klp_relocs .klp.rela.vmlinux..text)" \
	"$(printf '%016x' $((0x$text_off + 3))) R_X86_64_PC32 .klp.sym.vmlinux.saved_command_line,0 - 4" \
	"the PC32 livepatch relocation is at the displacement of the RIP-relative load"
lea_off=$(objdump -d -j "$cb_sec" "$ko" | awk '/lea +0x0\(%rip\)/ { sub(":", "", $1); print $1; exit }')
tap_is "$(klp_relocs ".klp.rela.pcspkr.$cb_sec")" \
	"$(printf '%016x' $((0x$lea_off + 3))) R_X86_64_PC32 .klp.sym.pcspkr.pcspkr_platform_driver,0 - 4" \
	"the module's livepatch relocation is at the displacement of the RIP-relative lea"
ptr=$(awk '$8 == "klpdiff_test_version_show" { print $2 }' "$tmp/symbols")
tap_is "$(klp_relocs .klp.rela.vmlinux..data)" \
	"$ptr R_X86_64_64 .klp.sym.vmlinux.version_proc_show,0 + 0" \
	"the R_X86_64_64 livepatch relocation is at the function pointer in .data"

tap_is "$(grep -c 'klpdiff\.' "$tmp/sections" || true)" 0 "no .klpdiff.* section is left"
tap_ok "the pcspkr klp_object is named" \
	sh -c "readelf -p .rodata.str1.1 '$ko' | grep -qw pcspkr"
tap_ok "the klp_func names cmdline_proc_show" \
	sh -c "readelf -p .rodata.str1.1 '$ko' | grep -qw cmdline_proc_show"
tap_is "$(modinfo -F livepatch "$ko")" "Y" "modinfo: livepatch: Y"
tap_is "$(modinfo -F name "$ko")" "lp_cmdline" "modinfo: name from the output file name"
tap_ok "modinfo: description names klpdiff" sh -c "modinfo -F description '$ko' | grep -q klpdiff"

# Everything else of kbuild's module is kept: every section (relocation
# sections included) with its type, flags, size and alignment, every symbol.
sections_of() # name type size entsize align flags [target], one line a section
{
	readelf -SWt "$1" | awk '
		/^  \[ *[0-9]+\]/ { match($0, /\[ *[0-9]+\]/); idx = substr($0, RSTART + 1, RLENGTH - 2) + 0;
			name[idx] = $NF; getline; line[idx] = $1 " " $4 " " $5 " " $8;
			info[idx] = ($1 == "RELA") ? $7 : ""; getline; line[idx] = line[idx] " " $1; n = idx }
		END { for (i = 1; i <= n; i++) {
			if (name[i] ~ /klpdiff|^\.klp\.|^\.(sym|str|shstr)tab$/) continue;
			print name[i], line[i], (info[i] != "" ? name[info[i]] : "") } }' | sort
}
tap_is "$(sections_of "$ko")" "$(sections_of "$builddir/lp_cmdline.ko")" \
	"every other section of kbuild's module is kept as it was"
symbols_of()
{
	readelf -sW "$1" | awk 'NR > 3 && $4 != "SECTION" && $NF !~ /^\.klp\.sym/ {
		print $2, $3, $4, $5, $6, $NF }' | sort
}
tap_is "$(symbols_of "$ko")" "$(symbols_of "$builddir/lp_cmdline.ko")" \
	"every other symbol of kbuild's module is kept as it was"
relocs_of() # section, offset, type, symbol and addend of every ordinary relocation
{
	readelf -rW "$1" | awk '$1 == "Relocation" { sec = $3; next }
		sec !~ /klpdiff|^.\.klp\./ && $1 ~ /^[0-9a-f]+$/ { print sec, $1, $3, $5, $6, $7 }'
}
tap_is "$(relocs_of "$ko")" "$(relocs_of "$builddir/lp_cmdline.ko")" \
	"every other relocation of kbuild's module is kept as it was"
same_bytes()
{
	local sec=$1
	objcopy -O binary --only-section="$sec" "$ko" "$tmp/a.bin" &&
		objcopy -O binary --only-section="$sec" "$builddir/lp_cmdline.ko" "$tmp/b.bin" &&
		cmp -s "$tmp/a.bin" "$tmp/b.bin"
}
status=0
same_bytes .text && same_bytes .data && same_bytes .modinfo || status=1
tap_check "$status" "the contents of .text, .data and .modinfo are kept"
# modpost of 6.1 warns about non-allocated sections it does not know: the
# module link must see the .klpdiff.* sections allocated.
tap_is "$(grep 'WARNING: modpost: .*(\.klpdiff\.' "$builddir/build.log" || true)" "" \
	"modpost says nothing about the patch object's .klpdiff.* sections"
rm -rf "$builddir"

# module_of_asm NAME OUT: assemble $tmp/NAME.s and run klpdiff module on it,
# writing $tmp/out/OUT.ko; sets $status, with its output in $tmp/stdout and stderr.
module_of_asm() {
	as -o "$tmp/$1.o" "$tmp/$1.s"
	status=0
	TMPDIR=$tmp "$KLPDIFF" module -o "$tmp/out/$2.ko" --kernel-build "$kbuild" "$tmp/$1.o" \
		>"$tmp/stdout" 2>"$tmp/stderr" || status=$?
}

# --- kbuild failure: one line naming the stage and the log, files kept -------
cat >"$tmp/undef.s" <<'ASM'
	.text
	.globl new_fn
	.type new_fn, @function
new_fn:
	call klpdiff_test_no_such_symbol
	ret
	.size new_fn, . - new_fn
	.section .klpdiff.manifest, "", @progbits
	.ascii "func vmlinux cmdline_proc_show 0 new_fn\n"
ASM
module_of_asm undef bad
tap_is "$status" 2 "kbuild failure: exit 2"
tap_is "$(wc -l <"$tmp/stderr")" 1 "kbuild failure: one line on stderr"
log=$(sed -n 's/^klpdiff: .*: kbuild failed (make .*); log: \(.*\)$/\1/p' "$tmp/stderr")
tap_ok "the line names the stage and the log file" test -n "$log"
[ "$TAP_LAST" = 0 ] || tap_diag <"$tmp/stderr"
tap_ok "the log is kept and tells why" grep -q klpdiff_test_no_such_symbol "$log"
tap_is "$(ls "$tmp/out")" "lp_cmdline.ko" "no module written"

# --- a placeholder relocation no livepatch relocation entry claims ----------
# (src/patch_object.h): post-link would drop it and leave the call unrelocated.
cat >"$tmp/orphan.s" <<'ASM'
	.text
	.globl new_fn
	.type new_fn, @function
new_fn:
	call "__klpdiff_klp.vmlinux.version_proc_show,0"
	ret
	.size new_fn, . - new_fn
	.weak "__klpdiff_klp.vmlinux.version_proc_show,0"
	.section .klpdiff.manifest, "", @progbits
	.ascii "func vmlinux cmdline_proc_show 0 new_fn\n"
ASM
module_of_asm orphan orphan
tap_is "$status" 2 "an orphan placeholder: exit 2"
tap_ok "an orphan placeholder: named" \
	grep -q "1 placeholder relocations (__klpdiff_klp\.\*) at no livepatch relocation's place" \
	"$tmp/stderr"
[ "$TAP_LAST" = 0 ] || tap_diag <"$tmp/stderr"
tap_is "$(ls "$tmp/out")" "lp_cmdline.ko" "an orphan placeholder: no module written"
tap_done
