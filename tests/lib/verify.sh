# SPDX-License-Identifier: GPL-2.0-or-later
# The fake kernel the verify tests check against (tests/fixtures/verify), for
# any kind tests/lib/compile.sh compiles: shipped.c compiled without function
# sections and linked with stubs.c at the kernel's base is the "shipped
# vmlinux" (kallsyms from nm, vmlinux.stripped without symbols), linked with
# ld -r the "shipped module" (fake.ko); shipped.c with function sections is
# the original (orig.o), and each variant differs from it in one way: a
# constant (scale.o), a string (greet.o), a call (call.o), -O1 (o1.o).
#
#   . tests/lib/compile.sh; . tests/lib/verify.sh
#   verify_fake_kernel KIND BASE 2>build.log   (in the current directory)

# What every refusal of the check ends with.
VERIFY_TAIL=": the source, config or compiler differs from what built this kernel (--no-verify skips this check)"

# run ARGS...: klpdiff; "$out" gets stdout and stderr, "$status" the exit status.
run()
{
	status=0
	out=$("$KLPDIFF" "$@" 2>&1) || status=$?
}

# verify_tool KIND TOOL: KIND's binutils program (the cross one, or the host's).
verify_tool()
{
	if [ -n "${KLP_CROSS_TRIPLET[$1]:-}" ]; then
		klp_cross_tool "$1" "$2"
	else
		command -v "$2"
	fi
}

# verify_have_tools KIND: skip the whole test unless KIND's compiler, ld, nm
# and strip are installed.
verify_have_tools()
{
	local tool

	klp_have_cc "$1" || tap_skip_all "the $1 compiler is not installed"
	for tool in ld nm strip; do
		verify_tool "$1" "$tool" >/dev/null || tap_skip_all "$1's $tool is not installed"
	done
}

# verify_have_assembler: skip the whole test unless the host's as, ld and nm
# are installed and it is x86-64 (the assembly fixtures').
verify_have_assembler()
{
	local tool

	for tool in as ld nm; do
		command -v "$tool" >/dev/null || tap_skip_all "$tool is not installed"
	done
	[ "$(uname -m)" = x86_64 ] || tap_skip_all "the fixture is x86-64 assembly"
}

# verify_fake_kernel KIND BASE: compile and link it all here; non-zero (the
# failing command's messages on stderr) if anything fails.
verify_fake_kernel()
{
	local kind=$1 base=$2 fixtures
	fixtures=$(cd "$(dirname "${BASH_SOURCE[0]}")/../fixtures/verify" && pwd)

	klp_compile "$kind" sections "$fixtures/shipped.c" orig.o &&
		klp_compile "$kind" plain "$fixtures/shipped.c" plain.o &&
		klp_compile "$kind" plain "$fixtures/stubs.c" stubs.o &&
		klp_compile "$kind" sections "$fixtures/shipped.c" scale.o -DSCALE=9 &&
		klp_compile "$kind" sections "$fixtures/shipped.c" greet.o \
			'-DGREETING="hello from the fixturE"' &&
		klp_compile "$kind" sections "$fixtures/shipped.c" call.o -Dseq_puts=seq_puts_x &&
		klp_compile "$kind" sections "$fixtures/shipped.c" o1.o -O1 &&
		"$(verify_tool "$kind" ld)" -o vmlinux -Ttext="$base" -e show plain.o stubs.o &&
		"$(verify_tool "$kind" ld)" -r -o fake.ko plain.o stubs.o &&
		"$(verify_tool "$kind" strip)" -o vmlinux.stripped vmlinux &&
		{ echo "${base#0x} T _text"; "$(verify_tool "$kind" nm)" -n vmlinux; } >kallsyms
}
