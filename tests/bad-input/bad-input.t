#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Bad input to `klpdiff sums`: files that are not objects, broken ELF
# headers, sections, symbols and relocations, files that cannot be read.
# The inputs are made at test time from one small object (compiled here) by
# tests/lib/elfpatch.py, head -c, strip and objcopy. For each, klpdiff must
#  - exit with status 2 (no crash, no hang) and print nothing on stdout;
#  - print exactly one line on stderr, starting "klpdiff: PATH: ";
#  - with -o OUT, create neither OUT nor any other file in OUT's directory.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/lib/compile.sh
. "$here/../lib/compile.sh"

[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
command -v python3 >/dev/null || tap_skip_all "python3 is needed to patch ELF files"
cc=
for kind in gcc clang; do
	if klp_have_cc "$kind"; then
		cc=$kind
		break
	fi
done
[ -n "$cc" ] || tap_skip_all "neither gcc nor clang is installed"

tap_tmpdir
d=$TAP_TMP
elfpatch=$here/../lib/elfpatch.py

# A hang (say, opening a FIFO) must fail the test, not stop the suite: each
# run gets $limit seconds, plenty for an error found in milliseconds.
limit=10
run_klpdiff()
{
	if command -v timeout >/dev/null; then
		timeout "$limit" "$KLPDIFF" "$@"
	else
		"$KLPDIFF" "$@"
	fi
}

cat >"$d/base.c" <<'EOF'
extern void sink(long v);
extern void log_str(const char *s);
static long counter;

static __attribute__((noinline)) long bump(long x)
{
	counter += x;
	return counter;
}

long base_fn(long x)
{
	log_str("base");
	sink(bump(x));
	return counter;
}
EOF
klp_compile "$cc" plain "$d/base.c" "$d/base.o" 2>/dev/null ||
	tap_bail "cannot compile the base object: $(cat "$d/base.o.log")"
base=$d/base.o
size=$(stat -c %s "$base")

# check_bad DESC PATH: the three properties above, one test each.
check_bad()
{
	local desc=$1 path=$2 status=0 first lines outdir

	run_klpdiff sums "$path" >"$d/stdout" 2>"$d/stderr" || status=$?
	if ((status == 2)) && [ ! -s "$d/stdout" ]; then
		tap_pass "$desc: exit status 2, nothing on stdout"
	else
		tap_fail "$desc: exit status 2, nothing on stdout"
		case $status in
		124) tap_diag "timed out after ${limit}s" ;;
		1[2-9][0-9] | 2[0-9][0-9]) tap_diag "exit status $status: killed by signal $((status - 128))?" ;;
		*) tap_diag "exit status $status, $(wc -c <"$d/stdout") bytes on stdout" ;;
		esac
	fi

	lines=$(wc -l <"$d/stderr")
	first=$(head -n 1 "$d/stderr")
	if ((lines == 1)) && [[ $first == "klpdiff: $path: "?* ]]; then
		tap_pass "$desc: one line on stderr naming the file"
	else
		tap_fail "$desc: one line on stderr naming the file"
		tap_diag "stderr ($lines lines):"
		head -n 5 "$d/stderr" | tap_diag
	fi

	outdir=$(mktemp -d "$d/out.XXXXXX")
	status=0
	run_klpdiff sums -o "$outdir/sums" "$path" >/dev/null 2>&1 || status=$?
	if ((status == 2)) && [ -z "$(ls -A "$outdir")" ]; then
		tap_pass "$desc: -o OUT exits 2 and leaves no file"
	else
		tap_fail "$desc: -o OUT exits 2 and leaves no file"
		tap_diag "exit status $status; left: $(ls -A "$outdir" | tr '\n' ' ')"
	fi
}

# The base object itself must be fine, or nothing below means anything.
if run_klpdiff sums "$base" >"$d/stdout" 2>"$d/stderr" && [ ! -s "$d/stderr" ]; then
	tap_pass "the base object is accepted"
else
	tap_fail "the base object is accepted"
	tap_diag <"$d/stderr"
fi

# Not ELF at all.
printf 'hello, world\n' >"$d/text.o"
check_bad "not an ELF file" "$d/text.o"
if command -v ar >/dev/null; then
	ar rc "$d/lib.a" "$base"
	check_bad "an ar archive" "$d/lib.a"
fi
: >"$d/empty.o"
check_bad "an empty file" "$d/empty.o"

# Truncated.
head -c $((size / 2)) "$base" >"$d/half.o"
check_bad "an object cut in half" "$d/half.o"
head -c 10 "$base" >"$d/cut10.o"
check_bad "an object cut inside e_ident" "$d/cut10.o"
head -c 40 "$base" >"$d/cut40.o"
check_bad "an object cut inside the ELF header" "$d/cut40.o"
head -c 64 "$base" >"$d/cut64.o"
check_bad "an object cut right after the ELF header" "$d/cut64.o"

# Broken headers, sections, symbols and relocations: patched copies of the
# base object, made by one elfpatch run. Each line: description|file|edits.
read -r text_size text_shndx < <(python3 "$elfpatch" --get "$base" 'shdr[.text].sh_size' \
	'sym[base_fn].st_shndx' | xargs)
patches=(
	"ELFCLASS32 in e_ident|class32.o|ehdr.ei_class=1"
	"another machine (e_machine RISC-V)|riscv.o|ehdr.e_machine=243"
	"e_type ET_EXEC|exec.o|ehdr.e_type=2"
	"e_type ET_DYN|dyn.o|ehdr.e_type=3"
	"section header table beyond the end of the file|shoff-eof.o|ehdr.e_shoff=filesize+4096"
	"section header table running past the end of the file|shoff-straddle.o|ehdr.e_shoff=filesize-10"
	"section header table offset near 2^64|shoff-huge.o|ehdr.e_shoff=0xffffffffffffff00"
	"section name table index out of range|shstrndx.o|ehdr.e_shstrndx=50"
	"section contents starting at the end of the file|text-offset.o|shdr[.text].sh_offset=filesize"
	"section contents running past the end of the file|text-size.o|shdr[.text].sh_size=0x100000"
	"section offset + size wrapping around 2^64|text-wrap.o|shdr[.text].sh_offset=0xffffffffffffff00 shdr[.text].sh_size=0x200"
	"section name offset out of range|sec-name.o|shdr[.text].sh_name=0x7fffffff"
	"symbol with a section index out of range|sym-shndx.o|sym[base_fn].st_shndx=0x7fff"
	"symbol with SHN_XINDEX and no SHT_SYMTAB_SHNDX|sym-xindex.o|sym[base_fn].st_shndx=0xffff"
	"symbol name offset out of range|sym-name.o|sym[base_fn].st_name=0x7fffffff"
	"symbol running past the end of its section|sym-size.o|sym[base_fn].st_size=0x100000"
	# Entry 0 must be all zeros; here it claims to be a function in .text.
	"symbol 0 not the null symbol|sym0.o|sym[0].st_info=0x12 sym[0].st_shndx=$text_shndx sym[0].st_size=8"
	"symbol table turned into PROGBITS (no symbol table)|no-symtab.o|shdr[.symtab].sh_type=1"
	"symbol table linked to no string table|symtab-link.o|shdr[.symtab].sh_link=999"
	"symbol string table of size 0|strtab-size.o|shdr[.strtab].sh_size=0"
	"relocation at the end of its section|rela-offset.o|rela[.rela.text][1].r_offset=$text_size"
	"relocation offset near 2^64|rela-offset-huge.o|rela[.rela.text][1].r_offset=0xfffffffffffffffe"
	"relocation symbol index out of range|rela-sym.o|rela[.rela.text][1].r_sym=100000"
	"unsupported relocation type|rela-type.o|rela[.rela.text][1].r_type=200"
	"relocation section for a section index out of range|rela-info.o|shdr[.rela.text].sh_info=999"
	"relocation entries of the wrong size|rela-entsize.o|shdr[.rela.text].sh_entsize=16"
)
for p in "${patches[@]}"; do
	IFS='|' read -r desc file edits <<<"$p"
	echo "$d/$file $edits"
done | python3 "$elfpatch" --batch "$base"
for p in "${patches[@]}"; do
	IFS='|' read -r desc file edits <<<"$p"
	check_bad "$desc" "$d/$file"
done

# Real files of the wrong kind.
# A real 32-bit object: objcopy converts one without relocations.
printf 'int data_only = 1;\n' >"$d/data.c"
if klp_compile "$cc" plain "$d/data.c" "$d/data.o" 2>/dev/null &&
	objcopy -O elf32-i386 "$d/data.o" "$d/elf32.o" 2>/dev/null; then
	check_bad "a 32-bit object (objcopy -O elf32-i386)" "$d/elf32.o"
else
	tap_skip "a 32-bit object (objcopy -O elf32-i386)" "objcopy cannot make one here"
fi
ccbin=$(klp_cc "$cc")
printf 'void _start(void) { for (;;); }\n' >"$d/start.c"
if "$ccbin" -O2 -nostdlib -static -o "$d/exe" "$d/start.c" 2>/dev/null; then
	check_bad "a linked executable" "$d/exe"
else
	tap_skip "a linked executable" "cannot link one here"
fi
if "$ccbin" -O2 -nostdlib -shared -fPIC -o "$d/lib.so" "$d/start.c" 2>/dev/null; then
	check_bad "a shared library" "$d/lib.so"
else
	tap_skip "a shared library" "cannot link one here"
fi
# strip removes .symtab together with the relocations from a .o (binutils
# 2.40); if this one keeps a symbol table, the input is not what we want.
if strip -o "$d/stripped.o" "$base" 2>/dev/null; then
	if readelf -S "$d/stripped.o" | grep -q SYMTAB; then
		tap_skip "a stripped object" "strip kept a symbol table"
	else
		check_bad "a stripped object (strip, no symbol table)" "$d/stripped.o"
	fi
else
	tap_skip "a stripped object" "strip failed"
fi

# Files that are not readable objects.
mkdir "$d/a-directory"
check_bad "a directory" "$d/a-directory"
check_bad "a nonexistent file" "$d/no-such-file.o"
cp "$base" "$d/unreadable.o"
chmod 000 "$d/unreadable.o"
if [ "$(id -u)" -eq 0 ]; then
	tap_skip "an unreadable file" "running as root, who can read it anyway"
else
	check_bad "an unreadable file" "$d/unreadable.o"
fi
# open(2) of a FIFO blocks until a writer comes: klpdiff must not wait.
if mkfifo "$d/fifo"; then
	limit=1
	check_bad "a FIFO" "$d/fifo"
	limit=10
fi
check_bad "a character device" /dev/null

# A good object before a bad one: still exit 2, the bad one named, no output.
status=0
run_klpdiff sums -o "$d/both.sums" "$base" "$d/half.o" >/dev/null 2>"$d/stderr" || status=$?
tap_is "$status" 2 "good + bad object: exit status 2"
tap_is "$(wc -l <"$d/stderr") $(grep -c "^klpdiff: $d/half.o: " "$d/stderr" || true)" "1 1" \
	"good + bad object: one stderr line, naming the bad object"
tap_ok "good + bad object: no -o file" test ! -e "$d/both.sums"

# An existing -o file is left as it was when the input is bad.
echo "precious" >"$d/keep.sums"
status=0
run_klpdiff sums -o "$d/keep.sums" "$d/half.o" 2>/dev/null || status=$?
tap_is "$status:$(cat "$d/keep.sums")" "2:precious" "bad input leaves an existing -o file alone"

# Output that cannot be written.
status=0
run_klpdiff sums -o "$d/no-such-dir/out.sums" "$base" >/dev/null 2>"$d/stderr" || status=$?
tap_is "$status" 2 "-o into a missing directory: exit status 2"
tap_is "$(wc -l <"$d/stderr") $(grep -c "^klpdiff: $d/no-such-dir/out.sums: " "$d/stderr" || true)" \
	"1 1" "-o into a missing directory: one stderr line naming the output"

# check_two_arches ARCH OBJ: diff of the x86-64 base and OBJ, an ARCH object,
# is refused in one line naming both, with no output.
check_two_arches()
{
	local status=0

	run_klpdiff diff -o "$d/arch.diff" "$base" "$2" >/dev/null 2>"$d/stderr" || status=$?
	tap_is "$status|$(cat "$d/stderr")|$(ls "$d/arch.diff" 2>/dev/null)" \
		"2|klpdiff: $2: architecture $1, but $base is x86_64: objects of two architectures|" \
		"diff of x86-64 and $1 objects: exit 2, one line naming both, no output"
}

# Objects of two architectures given as a pair (s390x: big-endian too).
if klp_have_cc s390x && klp_compile s390x plain "$d/base.c" "$d/base-s390x.o" 2>/dev/null; then
	check_two_arches s390x "$d/base-s390x.o"
else
	tap_skip "diff of x86-64 and s390x objects" "no s390x cross compiler"
fi

# ppc64le: a relocation type its arch file does not know (R_PPC64_REL16DX_HA,
# 246: a field split over an instruction, which the kernel does not use), a
# big-endian ppc64 object (ELFv1: no arch file), and a pair with x86-64.
if klp_have_cc ppc64le && klp_compile ppc64le plain "$d/base.c" "$d/base-ppc.o" 2>/dev/null; then
	echo "$d/ppc-rela-type.o rela[.rela.text][1].r_type=246" |
		python3 "$elfpatch" --batch "$d/base-ppc.o"
	check_bad "ppc64le: unsupported relocation type" "$d/ppc-rela-type.o"
	tap_ok "ppc64le: the message names the relocation type" \
		grep -q ': unsupported relocation type 246$' "$d/stderr"
	# Every unknown type is named, with where its first one is and how many there are.
	python3 "$elfpatch" "$d/base-ppc.o" "$d/ppc-rela-types.o" "rela[.rela.text][0].r_type=246" \
		"rela[.rela.text][1].r_type=247" "rela[.rela.text][2].r_type=246"
	check_bad "ppc64le: two unsupported relocation types" "$d/ppc-rela-types.o"
	tap_ok "ppc64le: the message names both, their first places and counts" \
		grep -Eq ': unsupported relocation types 246 at \.text\+0x[0-9a-f]+ \(2\), 247 at \.text\+0x[0-9a-f]+ \(1\)$' \
		"$d/stderr"
	check_two_arches ppc64le "$d/base-ppc.o"
	if "$(klp_cc ppc64le)" -mbig-endian -c "$d/base.c" -o "$d/base-ppc64be.o" 2>/dev/null; then
		check_bad "a big-endian ppc64 object" "$d/base-ppc64be.o"
		tap_is "$(cat "$d/stderr")" \
			"klpdiff: $d/base-ppc64be.o: unsupported machine 21, big-endian (supported: x86_64, s390x, ppc64le, aarch64)" \
			"a big-endian ppc64 object: the message says machine and byte order"
	else
		tap_skip "a big-endian ppc64 object" "gcc for ppc64le makes no big-endian objects"
	fi
else
	tap_skip "ppc64le bad input" "no ppc64le cross compiler"
fi

# An output that is a FIFO or a device (-o /dev/null) is written in place:
# renaming a temporary over /dev/null had made it a regular file.
mkfifo "$d/out-fifo"
timeout 20 cat "$d/out-fifo" >"$d/out-fifo.out" &
reader=$!
status=0
run_klpdiff sums -o "$d/out-fifo" "$base" >/dev/null 2>&1 || status=$?
wait "$reader" || true
tap_ok "sums -o FIFO: written through the FIFO, which stays one" \
	test "$status" = 0 -a -p "$d/out-fifo" -a -s "$d/out-fifo.out"
tap_is "$(find "$d" -maxdepth 1 -name 'out-fifo.tmp.*' | wc -l)" 0 "sums -o FIFO: no temporary left"

tap_done
