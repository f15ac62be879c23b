#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# klpdiff module without a kernel: the manifests and .klpdiff.relocs tables
# of patch objects made with as(1), the generated struct klp_patch source
# (--print-source), the command line, and the post-link on a module that a
# stand-in kernel build tree links with ld -r. Every refused input must give
# exit status 2, exactly one line "klpdiff: ..." on stderr, nothing on stdout
# and no output file.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"

[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
command -v as >/dev/null || tap_skip_all "as (binutils) not installed"
tap_tmpdir
tmp=$TAP_TMP

# Code and data every test object has.
cat >"$tmp/base.s" <<'ASM'
	.text
	.globl new_foo, new_bar, new.baz, cb_pre, cb_post, __klpdiff_mod_x
	.type new_foo, @function
new_foo:
	movq 0(%rip), %rax
rip_end:
	call undefined_fn
	ret
	.size new_foo, . - new_foo
new_bar:
	ret
new.baz:
	ret
cb_pre:
	xorl %eax, %eax
	ret
cb_post:
	ret
__klpdiff_mod_x:
	ret
local_fn:
	ret
	.data
	.globl data_sym
data_sym:
	.quad 0
	.section .notalloc, "", @progbits
	.long 0
ASM

# mkobj NAME MANIFEST [ASM]: $tmp/NAME.o with that manifest text (with as(1)
# escapes such as \n) and more assembler text.
mkobj()
{
	{
		cat "$tmp/base.s"
		printf '\t.section .klpdiff.manifest, "", @progbits\n\t.ascii "%s"\n' "$2"
		printf '%s\n' "${3:-}"
	} >"$tmp/$1.s"
	as -o "$tmp/$1.o" "$tmp/$1.s"
}

# klp_entry PLACE NAME TYPE ADDEND: one .klpdiff.relocs entry in assembler.
klp_entry()
{
	printf '\t.section .klpdiff.strings, "", @progbits\n1:\t.asciz "%s"\n' "$2"
	printf '\t.section .klpdiff.relocs, "", @progbits\n\t.balign 8\n'
	printf '\t.quad %s, 1b, %s\n\t.long %s, 0\n' "$1" "$4" "$3"
}

# refused DESC PATTERN ARGS...: exit 2, one line on stderr matching
# "klpdiff: PATTERN" (an extended regex), nothing on stdout.
refused()
{
	local desc=$1 pattern=$2 status=0
	shift 2
	"$KLPDIFF" module "$@" >"$tmp/stdout" 2>"$tmp/stderr" || status=$?
	if [ "$status" = 2 ] && [ ! -s "$tmp/stdout" ] && [ "$(wc -l <"$tmp/stderr")" = 1 ] &&
		grep -qE "^klpdiff: ($pattern)" "$tmp/stderr"; then
		tap_pass "$desc"
	else
		tap_fail "$desc"
		tap_diag "exit $status; stdout: $(head -c 300 "$tmp/stdout")"
		tap_diag "stderr: $(cat "$tmp/stderr")"
		tap_diag "wanted: klpdiff: $pattern"
	fi
}

# --- manifests ---------------------------------------------------------------
as -o "$tmp/none.o" "$tmp/base.s"
refused "no manifest section" "$tmp/none.o: no .klpdiff.manifest section" \
	--print-source "$tmp/none.o"

bad_manifest()
{
	local desc=$1 manifest=$2 pattern=$3
	mkobj bad "$manifest"
	refused "$desc" "$tmp/bad.o: .klpdiff.manifest line $pattern" --print-source "$tmp/bad.o"
}
bad_manifest "unknown record" 'funk vmlinux foo 0 new_foo\n' "1: unknown record 'funk'"
bad_manifest "func with a field missing" 'func vmlinux foo 0\n' \
	"1: want 'func OBJNAME OLD_NAME SYMPOS NEW_SYMBOL'"
bad_manifest "func with a field too many" 'func vmlinux foo 0 new_foo x\n' "1: want 'func"
bad_manifest "a record of many fields" 'func vmlinux foo 0 new_foo x y z\n' "1: too many fields"
bad_manifest "two spaces between fields" 'func vmlinux  foo 0 new_foo\n' "1: empty field"
bad_manifest "a trailing space" 'func vmlinux foo 0 new_foo \n' "1: empty field"
bad_manifest "a tab" 'func\tvmlinux foo 0 new_foo\n' "1: unexpected character 0x09"
bad_manifest "an empty line" 'object xfs\n\nfunc vmlinux foo 0 new_foo\n' "2: empty line"
bad_manifest "sympos not a number" 'func vmlinux foo x new_foo\n' "1: bad symbol position 'x'"
bad_manifest "negative sympos" 'func vmlinux foo -1 new_foo\n' "1: bad symbol position '-1'"
bad_manifest "sympos too large" 'func vmlinux foo 99999999999999999999999 new_foo\n' \
	"1: bad symbol position"
bad_manifest "NEW_SYMBOL not defined" 'func vmlinux foo 0 nope\n' \
	"1: no global symbol nope defined in this object"
bad_manifest "NEW_SYMBOL local" 'func vmlinux foo 0 local_fn\n' \
	"1: no global symbol local_fn defined"
bad_manifest "NEW_SYMBOL undefined here" 'func vmlinux foo 0 undefined_fn\n' \
	"1: no global symbol undefined_fn defined"
bad_manifest "NEW_SYMBOL is data" 'object xfs\nfunc vmlinux foo 0 data_sym\n' \
	"2: symbol data_sym is not code \\(defined in section .data\\)"
bad_manifest "NEW_SYMBOL in the generated code's name space" 'func vmlinux foo 0 __klpdiff_mod_x\n' \
	"1: symbol __klpdiff_mod_x: names starting with __klpdiff_mod_ are reserved"
bad_manifest "object name with a dot" 'func vm.linux foo 0 new_foo\n' "1: bad object name 'vm.linux'"
long=$(printf 'm%.0s' {1..56})
bad_manifest "object name of 56 characters" "object $long\\n" "1: bad object name '$long'"
bad_manifest "function name with a quote" 'func vmlinux fo\"o 0 new_foo\n' "1: bad function name"
bad_manifest "unknown callback kind" 'callback vmlinux pre_load cb_pre\n' \
	"1: unknown callback kind 'pre_load'"
bad_manifest "callback not defined" 'callback vmlinux pre_patch nope\n' "1: no global symbol nope"
bad_manifest "object with two names" 'object xfs joydev\n' "1: want 'object OBJNAME'"
bad_manifest "the same function twice" 'func xfs foo 2 new_foo\nfunc xfs foo 2 new_bar\n' \
	"2: xfs function foo \\(sympos 2\\) is already patched by $tmp/bad.o line 1"
bad_manifest "sympos 0 and 1 are the same function" \
	'func vmlinux foo 0 new_foo\nfunc vmlinux foo 1 new_bar\n' "2: vmlinux function foo \\(sympos 1\\)"
bad_manifest "two pre_patch callbacks" \
	'callback vmlinux pre_patch cb_pre\ncallback vmlinux pre_patch cb_post\n' \
	"2: vmlinux already has a pre_patch callback \\(cb_pre, from $tmp/bad.o line 1\\)"
mkobj nul 'func vmlinux foo 0 new_foo\n\0object xfs\n'
refused "a NUL byte in the manifest" "$tmp/nul.o: .klpdiff.manifest contains a NUL byte" \
	--print-source "$tmp/nul.o"

mkobj a 'func xfs foo 3 new_foo\ncallback xfs pre_patch cb_pre\n'
mkobj b 'func xfs foo 3 new_bar\n'
refused "the same function in two patch objects" \
	"$tmp/b.o: .klpdiff.manifest line 1: xfs function foo \\(sympos 3\\) is already patched by $tmp/a.o line 1" \
	--print-source "$tmp/a.o" "$tmp/b.o"
mkobj b 'callback xfs pre_patch cb_pre\n'
refused "the same callback kind of one object in two patch objects" \
	"$tmp/b.o: .klpdiff.manifest line 1: xfs already has a pre_patch callback" \
	--print-source "$tmp/a.o" "$tmp/b.o"

# --- the generated source: objects merged across patch objects ---------------
mkobj a 'func xfs xfs_foo 2 new_foo\ncallback xfs pre_patch cb_pre\nfunc vmlinux foo 0 new_bar\n'
# No final newline, sympos 1 of another function, a dotted symbol.
mkobj b 'object joydev\ncallback joydev post_unpatch cb_post\nfunc vmlinux baz.isra.0 1 new.baz\ncallback xfs post_patch cb_post'
tap_ok "--print-source accepts them" "$KLPDIFF" module --print-source "$tmp/a.o" "$tmp/b.o"
"$KLPDIFF" module --print-source "$tmp/a.o" "$tmp/b.o" >"$tmp/source.c"
cat >"$tmp/expected.c" <<'SOURCE'
// SPDX-License-Identifier: GPL-2.0-or-later
/* Generated by klpdiff module: the live patch of the patch objects. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>

/* Defined in the patch objects. */
extern void __klpdiff_mod_func_0_0(void) __asm__("new_bar");
extern void __klpdiff_mod_func_0_1(void) __asm__("new.baz");
extern void __klpdiff_mod_func_1_0(void) __asm__("new_foo");
extern int __klpdiff_mod_pre_patch_1(struct klp_object *obj) __asm__("cb_pre");
extern void __klpdiff_mod_post_patch_1(struct klp_object *obj) __asm__("cb_post");
extern void __klpdiff_mod_post_unpatch_2(struct klp_object *obj) __asm__("cb_post");

static struct klp_func __klpdiff_mod_funcs_0[] = {
	{
		.old_name = "foo",
		.new_func = __klpdiff_mod_func_0_0,
		.old_sympos = 0,
	},
	{
		.old_name = "baz.isra.0",
		.new_func = __klpdiff_mod_func_0_1,
		.old_sympos = 1,
	},
	{ }
};

static struct klp_func __klpdiff_mod_funcs_1[] = {
	{
		.old_name = "xfs_foo",
		.new_func = __klpdiff_mod_func_1_0,
		.old_sympos = 2,
	},
	{ }
};

static struct klp_func __klpdiff_mod_funcs_2[] = {
	{ }
};

static struct klp_object __klpdiff_mod_objs[] = {
	{
		.name = NULL,	/* vmlinux */
		.funcs = __klpdiff_mod_funcs_0,
	},
	{
		.name = "xfs",
		.funcs = __klpdiff_mod_funcs_1,
		.callbacks = {
			.pre_patch = __klpdiff_mod_pre_patch_1,
			.post_patch = __klpdiff_mod_post_patch_1,
		},
	},
	{
		.name = "joydev",
		.funcs = __klpdiff_mod_funcs_2,
		.callbacks = {
			.post_unpatch = __klpdiff_mod_post_unpatch_2,
		},
	},
	{ }
};

static struct klp_patch __klpdiff_mod_patch = {
	.mod = THIS_MODULE,
	.objs = __klpdiff_mod_objs,
	.replace = true,
};

static int __init __klpdiff_mod_init(void)
{
	return klp_enable_patch(&__klpdiff_mod_patch);
}

static void __exit __klpdiff_mod_exit(void)
{
}

module_init(__klpdiff_mod_init);
module_exit(__klpdiff_mod_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
SOURCE
grep MODULE_DESCRIPTION "$tmp/source.c" >>"$tmp/expected.c" || true
tap_is "$(cat "$tmp/source.c")" "$(cat "$tmp/expected.c")" \
	"vmlinux first, then modules in order; funcs and callbacks merged per object"
tap_ok "MODULE_DESCRIPTION names klpdiff" \
	grep -q '^MODULE_DESCRIPTION("Live patch built by klpdiff [0-9.]*");$' "$tmp/source.c"
tap_is "$("$KLPDIFF" module --print-source --no-replace "$tmp/a.o" | grep replace)" \
	"	.replace = false," "--no-replace"

# --- .klpdiff.relocs -----------------------------------------------------------
good_entry=$(klp_entry "rip_end - 4" ".klp.sym.vmlinux.saved_command_line,0" 2 -4)
mkobj good 'func vmlinux foo 0 new_foo\n' "$good_entry"
tap_ok "a good .klpdiff.relocs entry passes" "$KLPDIFF" module --print-source "$tmp/good.o"

# bad_reloc DESC ASM PATTERN: refused, PATTERN after "klpdiff: $tmp/bad.o: "
bad_reloc()
{
	local desc=$1 entry=$2 pattern=$3
	mkobj bad 'func vmlinux foo 0 new_foo\n' "$entry"
	refused "$desc" "$tmp/bad.o: $pattern" --print-source "$tmp/bad.o"
}
bad_reloc "symbol string without sympos" \
	"$(klp_entry "rip_end - 4" ".klp.sym.vmlinux.saved_command_line" 2 -4)" \
	".klpdiff.relocs entry 0: bad livepatch symbol name '.klp.sym.vmlinux.saved_command_line'"
bad_reloc "symbol string without object" \
	"$(klp_entry "rip_end - 4" ".klp.sym.saved_command_line,0" 2 -4)" \
	".klpdiff.relocs entry 0: bad livepatch symbol name"
bad_reloc "symbol string with a bad sympos" \
	"$(klp_entry "rip_end - 4" ".klp.sym.vmlinux.x,1a" 2 -4)" \
	".klpdiff.relocs entry 0: bad livepatch symbol name"
bad_reloc "symbol of a module the manifest does not name" \
	"$(klp_entry "rip_end - 4" ".klp.sym.xfs.xfs_foo,0" 2 -4)" \
	".klpdiff.relocs entry 0: \\(.klp.sym.xfs.xfs_foo,0\\) object xfs is not in the manifest"
bad_reloc "place not zero" "$(klp_entry "rip_end" ".klp.sym.vmlinux.x,0" 2 -4)" \
	".klpdiff.relocs entry 0: \\(.klp.sym.vmlinux.x,0\\) the bytes at .text\\+0x7 are not zero"
bad_reloc "place where an ordinary relocation writes" \
	"$(klp_entry "rip_end + 1" ".klp.sym.vmlinux.x,0" 2 -4)" \
	".klpdiff.relocs entry 0: \\(.klp.sym.vmlinux.x,0\\) an ordinary relocation also writes at .text\\+0x8"
bad_reloc "place in a section not loaded" "$(klp_entry ".notalloc" ".klp.sym.vmlinux.x,0" 2 -4)" \
	".klpdiff.relocs entry 0: \\(.klp.sym.vmlinux.x,0\\) its place is in .notalloc, which is not loaded"
bad_reloc "relocation type the kernel does not apply (GOTPCREL)" \
	"$(klp_entry "rip_end - 4" ".klp.sym.vmlinux.x,0" 9 -4)" \
	".klpdiff.relocs entry 0: \\(.klp.sym.vmlinux.x,0\\) relocation type 9 is not one the kernel applies"
bad_reloc "an 8-byte relocation past the section end" \
	"$(klp_entry "data_sym + 4" ".klp.sym.vmlinux.x,0" 1 0)" \
	".klpdiff.relocs entry 0: .* runs past the section end"
bad_reloc "name field without a relocation" \
	"$(printf '\t.section .klpdiff.strings, "", @progbits\n\t.asciz "x"\n')
$(printf '\t.section .klpdiff.relocs, "", @progbits\n\t.quad rip_end - 4, 0, -4\n\t.long 2, 0\n')" \
	".klpdiff.relocs entry 0: no relocation fills its name field"
bad_reloc "a table that is not whole entries" "$good_entry
	.long 0" ".klpdiff.relocs is not a table of 32-byte entries"
bad_reloc "two entries for one place" \
	"$good_entry
$(klp_entry "rip_end - 4" ".klp.sym.vmlinux.other,0" 2 -4)" \
	"livepatch relocations for .klp.sym.vmlinux.saved_command_line,0 and .klp.sym.vmlinux.other,0 both write at .text\\+0x3"
mkobj xfs 'func xfs foo 0 new_foo\n' "$(klp_entry "rip_end - 4" ".klp.sym.xfs.xfs_foo,0" 2 -4)"
tap_ok "a module's symbol, with that module in the manifest" \
	"$KLPDIFF" module --print-source "$tmp/xfs.o"

# --- the command line ------------------------------------------------------------
tap_ok "--help" sh -c "'$KLPDIFF' module --help | grep -q '^usage: klpdiff module'"
status=0
"$KLPDIFF" module >/dev/null 2>&1 || status=$?
tap_is "$status" 2 "no arguments: exit 2"
status=0
"$KLPDIFF" module --kernel-build "$tmp" "$tmp/good.o" >/dev/null 2>&1 || status=$?
tap_is "$status" 2 "no -o: exit 2"
mkdir "$tmp/out" "$tmp/nolp"
echo "CONFIG_MODULES=y" >"$tmp/nolp/.config"
refused "bad -n" "bad module name 'a.b'" -n a.b -o "$tmp/out/x.ko" --kernel-build "$tmp/nolp" \
	"$tmp/good.o"
refused "a name from -o that cannot be a module name" \
	"bad module name 'x.y': .*\\(give one with -n\\)" -o "$tmp/out/x.y.ko" \
	--kernel-build "$tmp/nolp" "$tmp/good.o"
refused "a name of klpdiff's build files" "module name 'klpdiff_main' is reserved" \
	-o "$tmp/out/klpdiff_main.ko" --kernel-build "$tmp/nolp" "$tmp/good.o"
refused "no kernel build there" "$tmp/nokernel: not a kernel build directory" \
	-o "$tmp/out/x.ko" --kernel-build "$tmp/nokernel" "$tmp/good.o"
refused "a kernel without CONFIG_LIVEPATCH" \
	"$tmp/nolp: the kernel was configured without CONFIG_LIVEPATCH" \
	-o "$tmp/out/x.ko" --kernel-build "$tmp/nolp" "$tmp/good.o"
mkdir -p "$tmp/new/include/config"
printf 'CONFIG_X86_64=y\nCONFIG_LIVEPATCH=y\n' >"$tmp/new/.config"
echo 7.4.0 >"$tmp/new/include/config/kernel.release"
refused "a kernel klpdiff has no profile for" \
	"$tmp/new: Linux 7.4 \\(7.4.0\\): klpdiff has no profile for this kernel" \
	-o "$tmp/out/x.ko" --kernel-build "$tmp/new" "$tmp/good.o"
refused "an output directory that does not exist" "$tmp/none/x.ko: cannot write in" \
	-o "$tmp/none/x.ko" --kernel-build "$tmp/nolp" "$tmp/good.o"
refused "bad patch objects are refused before the build" "$tmp/bad.o: livepatch relocations" \
	-o "$tmp/out/x.ko" --kernel-build "$tmp/nolp" "$tmp/xfs.o" "$tmp/bad.o"
tap_is "$(ls "$tmp/out")" "" "no output file from any refused command"

# --- post-link, on a module that a stand-in kernel tree links with ld -r -------
# The stand-in records how it was called and links the patch objects as
# kbuild would, without the generated C (there are no kernel headers here).
mkdir -p "$tmp/kdir/include/config"
printf 'CONFIG_X86_64=y\nCONFIG_LIVEPATCH=y\nCONFIG_CC_IS_CLANG=y\n' >"$tmp/kdir/.config"
echo 6.1.0 >"$tmp/kdir/include/config/kernel.release"
cat >"$tmp/kdir/Makefile" <<'MAKE'
modules:
	echo "$(M) LLVM=$(LLVM)" >$(CURDIR)/args
	mkdir -p $(CURDIR)/shipped && cp $(M)/klpdiff_part*.o $(CURDIR)/shipped/
	cd $(M) && name=$$(sed -n 's/^obj-m := \(.*\)\.o$$/\1/p' Kbuild) && \
		ld -r -o $$name.ko $$(ls klpdiff_part*.o | sort -V)
MAKE
mkobj p1 'func vmlinux foo 0 new_foo\nobject xfs\n' "$good_entry
$(klp_entry "data_sym" ".klp.sym.xfs.xfs_data,2" 1 8)"
mkobj p2 'func vmlinux bar 0 p2_baz\n' "$good_entry"
# Not the same global symbols as p1's, but the same code.
objcopy --redefine-sym new_foo=p2_foo --redefine-sym new_bar=p2_bar --redefine-sym new.baz=p2_baz \
	--redefine-sym cb_pre=p2_pre \
	--redefine-sym cb_post=p2_post --redefine-sym __klpdiff_mod_x=p2_x --redefine-sym data_sym=p2_data \
	"$tmp/p2.o"
status=0
TMPDIR=$tmp "$KLPDIFF" module -o "$tmp/out/lp.ko" --kernel-build "$tmp/kdir" "$tmp/p1.o" \
	"$tmp/p2.o" >"$tmp/stdout" 2>"$tmp/stderr" || status=$?
tap_is "$status" 0 "post-link of a module linked by the stand-in kernel tree"
if [ "$TAP_LAST" != 0 ]; then
	tap_diag <"$tmp/stderr"
	cat "$tmp"/klpdiff-module.*/build.log 2>/dev/null | tap_diag
fi
tap_is "$(cat "$tmp/stdout" "$tmp/stderr")" "" "nothing on stdout or stderr"
tap_ok "kbuild runs with M= the build directory and LLVM=1 for a clang kernel" \
	grep -qE "^$tmp/klpdiff-module\\.[A-Za-z0-9]+ LLVM=1\$" "$tmp/kdir/args"
tap_is "$(ls -d "$tmp"/klpdiff-module.* 2>/dev/null || true)" "" "the build directory is removed"
# modpost warns about non-allocated sections it does not know: the objects
# the module link reads have their .klpdiff.* sections allocated.
tap_is "$(readelf -SW "$tmp"/kdir/shipped/klpdiff_part*.o | sed 's/^ *\[ *[0-9]*\] //' |
	awk '$1 ~ /^\.klpdiff\./ { print $1, $7 }' | sort -u)" \
	"$(readelf -SW "$tmp/p1.o" "$tmp/p2.o" | sed 's/^ *\[ *[0-9]*\] //' |
	awk '$1 ~ /^\.klpdiff\./ { print $1, "A" }' | sort -u)" \
	"the module link sees the .klpdiff.* sections flagged SHF_ALLOC"
# p2's .text comes after p1's, the size of p1's .text.
text1=$(readelf -SW "$tmp/p1.o" | sed 's/^ *\[ *[0-9]*\] //' | awk '$1 == ".text" { print $5 }')
tap_is "$(readelf -rW "$tmp/out/lp.ko" | awk '$1 == "Relocation" { sec = $3; if (sec ~ /klp/) print sec; next }
	$1 ~ /^[0-9a-f]+$/ && $5 ~ /^\.klp/ { print $1, $3, $5, $6, $7 }')" \
	"'.klp.rela.vmlinux..text'
0000000000000003 R_X86_64_PC32 .klp.sym.vmlinux.saved_command_line,0 - 4
$(printf '%016x' $((0x$text1 + 3))) R_X86_64_PC32 .klp.sym.vmlinux.saved_command_line,0 - 4
'.klp.rela.xfs..data'
0000000000000000 R_X86_64_64 .klp.sym.xfs.xfs_data,2 + 8" \
	"entries of both parts at their linked places, in .klp.rela.OBJNAME.SECTION sections"
tap_is "$(readelf -sW "$tmp/out/lp.ko" | awk '$NF ~ /^\.klp/ { print $4, $5, $(NF - 1), $NF }')" \
	"NOTYPE GLOBAL [0xff20] .klp.sym.vmlinux.saved_command_line,0
NOTYPE GLOBAL [0xff20] .klp.sym.xfs.xfs_data,2" "one SHN_LIVEPATCH symbol per name"
tap_is "$(readelf -SW "$tmp/out/lp.ko" | grep -c klpdiff || true)" 0 "no .klpdiff.* section left"
tap_ok "the output is a readable relocatable object" objdump -dr "$tmp/out/lp.ko"

# A post-link failure keeps the build directory and names it.
mkobj p3 'func vmlinux foo 0 new_foo\n' "$good_entry"
cat >>"$tmp/kdir/Makefile" <<'MAKE'
	cd $(M) && objcopy --rename-section .klpdiff.strings=.other $$(ls *.ko)
MAKE
status=0
TMPDIR=$tmp "$KLPDIFF" module -o "$tmp/out/lp2.ko" --kernel-build "$tmp/kdir" "$tmp/p3.o" \
	>"$tmp/stdout" 2>"$tmp/stderr" || status=$?
tap_is "$status" 2 "post-link failure: exit 2"
[ "$TAP_LAST" = 0 ] || tap_diag <"$tmp/stderr"
kept=$(sed -n 's/^klpdiff: .*: post-link of .* failed; build files kept in //p' "$tmp/stderr")
tap_ok "post-link failure: the build directory is kept and named" test -d "$kept"
tap_ok "post-link failure: the problem is said" \
	grep -q "^klpdiff: $kept/lp2.ko: .klpdiff.relocs without .klpdiff.strings" "$tmp/stderr"
tap_is "$(ls "$tmp/out")" "lp.ko" "post-link failure: no module written"
tap_done
