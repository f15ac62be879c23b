# SPDX-License-Identifier: GPL-2.0-or-later
# Compile test fixtures the way Linux 6.1 compiles x86-64 kernel code, or with
# the cross compilers the way it compiles s390x code (big-endian objects: kind
# s390x), ppc64le code (ELFv2, the TOC: kind ppc64le) and, as Linux 7.3 does,
# arm64 code (kind arm64).
#
# Source it:  . tests/lib/compile.sh; klp_compile gcc sections a.c a.o
# or run it:  bash tests/lib/compile.sh gcc|clang plain|sections SRC OUT [CFLAGS...]
#
# The compilers are gcc-12 and clang-14 when installed (the versions the
# checksum contract is written for), else plain gcc and clang; $KLP_GCC and
# $KLP_CLANG override them.

# Flags both compilers take. clang rejects -mrecord-mcount ("unsupported option
# for target"): the kernel, too, passes it to gcc only.
KLP_CFLAGS=(-std=gnu11 -O2 -fno-PIE -mcmodel=kernel -mno-red-zone -fno-jump-tables
	-fno-asynchronous-unwind-tables -pg -mfentry)
KLP_GCC_CFLAGS=(-mrecord-mcount)
KLP_SECTION_CFLAGS=(-ffunction-sections -fdata-sections)
# arch/s390/Makefile of 6.1: -fPIE (vmlinux is relocatable), z10 as Debian's
# config sets it, -mnop-mcount and -mrecord-mcount as CONFIG_FTRACE_MCOUNT_USE_CC.
KLP_S390X_CFLAGS=(-std=gnu11 -O2 -fPIE -m64 -march=z10 -mpacked-stack -mbackchain
	-msoft-float -fno-jump-tables -fno-asynchronous-unwind-tables -pg -mfentry
	-mrecord-mcount -mnop-mcount)
# arch/powerpc/Makefile of 6.1 for a little-endian 64-bit kernel: ELFv2, the
# medium code model (data through the TOC), r13 for the paca, no Power10
# prefixed or PC-relative instructions, -mprofile-kernel ftrace entries.
KLP_PPC64LE_CFLAGS=(-std=gnu11 -O2 -mlittle-endian -mabi=elfv2 -mcmodel=medium
	-mno-pointers-to-nested-functions -mcpu=power8 -mno-altivec -mno-vsx -msoft-float
	-ffixed-r13 -mtraceback=no -mno-prefixed -mno-pcrel -fno-jump-tables
	-fno-asynchronous-unwind-tables -pg -mprofile-kernel)
# arch/arm64/Makefile of 7.3 with CONFIG_ARM64_BTI_KERNEL and
# DYNAMIC_FTRACE_WITH_ARGS: no FP/SIMD registers, BTI landing pads and
# pac-ret, two NOPs at each function's entry for ftrace (no call).
KLP_ARM64_CFLAGS=(-std=gnu11 -O2 -mgeneral-regs-only -mabi=lp64
	-fno-asynchronous-unwind-tables -fno-unwind-tables -mbranch-protection=pac-ret+bti
	-fpatchable-function-entry=2)
# The kinds the fixtures are compiled with: the last ones are gcc cross compilers.
KLP_KINDS=(gcc clang s390x ppc64le arm64)
declare -gA KLP_CROSS_TRIPLET=([s390x]=s390x-linux-gnu [ppc64le]=powerpc64le-linux-gnu
	[arm64]=aarch64-linux-gnu)

# klp_is_cross KIND: a gcc for another architecture (its IPA decisions are
# gcc's; x86-64 assembly does not compile for it).
klp_is_cross()
{
	[ -n "${KLP_CROSS_TRIPLET[$1]:-}" ]
}

# klp_source_arch FILE...: the architecture a fixture source is assembly for:
# x86-64 (kernel-asm.h) or ppc64le (ppc64le-asm.h); nothing for C alone.
klp_source_arch()
{
	if grep -q 'kernel-asm.h' "$@"; then
		echo x86-64
	elif grep -q 'ppc64le-asm.h' "$@"; then
		echo ppc64le
	fi
}

# klp_wrong_arch KIND FILE...: the sources are assembly for another
# architecture than KIND compiles for.
klp_wrong_arch()
{
	local arch kind=x86-64

	! klp_is_cross "$1" || kind=$1
	shift
	arch=$(klp_source_arch "$@")
	[ -n "$arch" ] && [ "$arch" != "$kind" ]
}

# klp_tool KIND TOOL: the binutils TOOL (ld, nm, objcopy, objdump) for KIND's objects.
klp_tool()
{
	if klp_is_cross "$1"; then
		klp_cross_tool "$1" "$2"
	else
		command -v "$2"
	fi
}

# klp_cross_tool KIND TOOL: that architecture's binutils TOOL (ld, objdump).
klp_cross_tool()
{
	command -v "${KLP_CROSS_TRIPLET[$1]}-$2"
}

# klp_cc gcc|clang: the compiler binary for that kind (prints nothing if
# missing). $KLP_GCC / $KLP_CLANG name a command or a path, without arguments.
klp_cc()
{
	local kind=$1 override cand

	case $kind in
	gcc) override=${KLP_GCC:-} ;;
	clang) override=${KLP_CLANG:-} ;;
	s390x) override=${KLP_S390X:-}; kind=s390x-linux-gnu-gcc ;;
	ppc64le) override=${KLP_PPC64LE:-}; kind=powerpc64le-linux-gnu-gcc ;;
	arm64) override=${KLP_ARM64:-}; kind=aarch64-linux-gnu-gcc ;;
	*) echo "klp_cc: unknown compiler kind '$kind'" >&2; return 2 ;;
	esac
	for cand in $override "$kind-${KLP_CC_VERSION[$1]}" "$kind"; do
		if command -v "$cand" >/dev/null 2>&1; then
			command -v "$cand"
			return 0
		fi
	done
	return 1
}
declare -gA KLP_CC_VERSION=([gcc]=12 [clang]=14 [s390x]=12 [ppc64le]=12 [arm64]=12)

# klp_have_cc gcc|clang: is that compiler installed?
klp_have_cc()
{
	klp_cc "$1" >/dev/null
}

# klp_cc_version_note gcc|clang: a note when the compiler is not the major
# version the fixtures' expect files were written for (their clone names
# and inlining decisions may differ); nothing otherwise.
klp_cc_version_note()
{
	local cc version

	cc=$(klp_cc "$1") || return 0
	version=$("$cc" -dumpversion 2>/dev/null || echo unknown)
	if [ "${version%%.*}" != "${KLP_CC_VERSION[$1]}" ]; then
		echo "$1 is $cc version $version; the fixtures expect $1 ${KLP_CC_VERSION[$1]}"
	fi
}

# klp_cflags gcc|clang plain|sections: print the flags, one per line.
klp_cflags()
{
	local flags=("${KLP_CFLAGS[@]}")

	[ "$1" != s390x ] || flags=("${KLP_S390X_CFLAGS[@]}")
	[ "$1" != ppc64le ] || flags=("${KLP_PPC64LE_CFLAGS[@]}")
	[ "$1" != arm64 ] || flags=("${KLP_ARM64_CFLAGS[@]}")
	[ "$1" != gcc ] || flags+=("${KLP_GCC_CFLAGS[@]}")
	[ "$2" != sections ] || flags+=("${KLP_SECTION_CFLAGS[@]}")
	printf '%s\n' "${flags[@]}"
}

# klp_compile gcc|clang plain|sections SRC OUT [CFLAGS...]: compile SRC to the
# object OUT. On failure there is no OUT, and the compiler's messages are on
# stderr and in OUT.log.
klp_compile()
{
	local kind=$1 mode=$2 src=$3 out=$4 cc
	local -a flags

	shift 4
	rm -f "$out" "$out.log"
	if ! cc=$(klp_cc "$kind"); then
		echo "klp_compile: no $kind compiler" | tee "$out.log" >&2
		return 1
	fi
	mapfile -t flags < <(klp_cflags "$kind" "$mode")
	if ! "$cc" "${flags[@]}" "$@" -c "$src" -o "$out" >"$out.log" 2>&1; then
		sed -i "1i klp_compile: $cc failed on $src:" "$out.log"
		cat "$out.log" >&2
		rm -f "$out"
		return 1
	fi
	rm -f "$out.log"
}

# klp_compile_pair FIXTURE DIR KIND NAME: FIXTURE/a.c and b.c, copied to
# DIR/a/NAME.c and DIR/b/NAME.c (the same file name, so the same FILE symbol
# and __FILE__ on both sides), compiled with function sections to NAME.o there.
klp_compile_pair()
{
	local fixture=$1 dir=$2 kind=$3 name=$4 side

	for side in a b; do
		mkdir -p "$dir/$side"
		cp "$fixture/$side.c" "$dir/$side/$name.c"
		(cd "$dir/$side" && klp_compile "$kind" sections "$name.c" "$name.o") || return 1
	done
}

# klp_compile_all: compile many files at once, one per CPU. Reads
# NUL-terminated groups of four fields on stdin: KIND MODE SRC OUT. Check
# for each OUT afterwards (OUT.log says why one is missing).
klp_compile_all()
{
	xargs -0 -n 4 -P "$(nproc 2>/dev/null || echo 2)" bash "${BASH_SOURCE[0]}" \
		>/dev/null 2>&1 || true
}

# klp_compile_fixtures FIXTURES DIR KIND [CFLAGS...]: for each line
# "SIDE/NAME.c FILE" on stdin, copy FIXTURES/FILE to DIR/SIDE/NAME.c and
# compile it there with function sections (so that both sides of a pair have
# the same FILE symbol and __FILE__), one per CPU. A failed compile leaves no
# object (and its messages in NAME.o.log).
klp_compile_fixtures()
{
	local fixtures=$1 dir=$2 kind=$3 src file

	shift 3
	while read -r src file; do
		mkdir -p "$dir/${src%/*}"
		cp "$fixtures/$file" "$dir/$src"
		printf '%s\0' "$kind" "$dir/${src%/*}" "$(basename "$src" .c)"
	done | xargs -0 -n 3 -P "$(nproc 2>/dev/null || echo 2)" bash -c \
		'cd "${@: -2:1}" && bash "$0" "${@: -3:1}" sections "${@: -1}.c" "${@: -1}.o" \
			"${@:1:$#-3}"' "${BASH_SOURCE[0]}" "$@" >/dev/null 2>&1 || true
}

# Run as a script: compile one file.
if [ "${BASH_SOURCE[0]}" == "$0" ]; then
	set -euo pipefail
	if (($# < 4)); then
		echo "usage: $0 gcc|clang|s390x|ppc64le|arm64 plain|sections SRC OUT [CFLAGS...]" >&2
		exit 2
	fi
	klp_compile "$@"
fi
