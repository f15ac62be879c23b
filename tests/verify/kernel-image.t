#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# kernel_image: the ELF vmlinux out of an x86 bzImage, and its banner
# (through `klpdiff verify --extract` and `--banner`). The bzImages are made
# here the way Linux makes them (setup header, payload_offset and
# payload_length, the payload followed by its uncompressed size, except
# gzip's), around a small linked ELF with a banner in .rodata:
#
#  1. every compression Linux 6.1 offers whose tool is installed
#  2. an ELF vmlinux is taken as it is
#  3. the banner
#  4. refusals in one line, and no output file left: not a bzImage, a
#     corrupt payload, an old boot protocol, a missing decompressor
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"
# shellcheck source=tests/lib/compile.sh
. "$here/../lib/compile.sh"
# shellcheck source=tests/lib/bzimage.sh
. "$here/../lib/bzimage.sh"

fixtures=$here/../fixtures/verify
[ -x "$KLPDIFF" ] || tap_bail "no klpdiff binary at $KLPDIFF (run make)"
for tool in python3 ld; do
	command -v "$tool" >/dev/null || tap_skip_all "$tool is not installed"
done
cc=gcc
klp_have_cc gcc || cc=clang
klp_have_cc "$cc" || tap_skip_all "neither gcc nor clang is installed"
tap_tmpdir
cd "$TAP_TMP"

klp_compile "$cc" plain "$fixtures/shipped.c" shipped.o
klp_compile "$cc" plain "$fixtures/stubs.c" stubs.o
ld -o vmlinux -Ttext=0xffffffff81000000 -e show shipped.o stubs.o

# The size of FILE as 4 little-endian bytes (Linux's size_append).
size_le32()
{
	local n

	n=$(stat -c %s "$1")
	# shellcheck disable=SC2059 # the format is the bytes
	printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $((n & 255)) $((n >> 8 & 255)) \
		$((n >> 16 & 255)) $((n >> 24 & 255)))"
}

# name tool compress-command... (the payload is on stdout)
formats=(
	"gzip gzip gzip -9 -n -c"
	"xz xz xz --check=crc32 -c"
	"zstd zstd zstd -19 -q -c"
	"lz4 lz4 lz4 -l -9 -q -c"
	"lzma xz xz --format=lzma -c"
	"bzip2 bzip2 bzip2 -9 -c"
	"lzo lzop lzop -9 -c"
)
for f in "${formats[@]}"; do
	read -r name tool cmd <<<"$f"
	if ! command -v "$tool" >/dev/null; then
		tap_skip "$name: extracted" "$tool is not installed"
		continue
	fi
	# shellcheck disable=SC2086 # the command's words
	$cmd <vmlinux >"payload.$name"
	[ "$name" == gzip ] || size_le32 vmlinux >>"payload.$name"
	make_bzimage "payload.$name" "bzImage.$name"
	rm -f out.elf
	tap_ok "$name: extracted" "$KLPDIFF" verify --extract "bzImage.$name" out.elf
	tap_ok "$name: the same ELF" cmp vmlinux out.elf
done

# 2. an ELF vmlinux
rm -f out.elf
tap_ok "an ELF vmlinux is copied" "$KLPDIFF" verify --extract vmlinux out.elf
tap_ok "the same ELF" cmp vmlinux out.elf

# 3. the banner
tap_is "$("$KLPDIFF" verify --banner vmlinux 2>&1)" \
	"Linux version 6.1.0-fixture (klpdiff@tests) (gcc) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-3 (2026-11-26)" \
	"the banner, from .rodata"
status=0
out=$("$KLPDIFF" verify --banner stubs.o 2>&1) || status=$?
tap_is "$status:$out" "2:klpdiff: stubs.o: no \"Linux version\" banner in the file" "no banner"

# 4. refusals
refused()
{
	local desc=$1 want=$2 status=0 out

	shift 2
	rm -f out.elf
	out=$("$@" 2>&1) || status=$?
	tap_is "$status:$out" "2:$want" "$desc"
	tap_check "$(ls out.elf* 2>/dev/null | wc -l)" "$desc: no output left"
}
head -c 4096 /dev/zero >zeros
refused "not a bzImage" \
	"klpdiff: zeros: neither an ELF vmlinux nor an x86 bzImage (no HdrS header)" \
	"$KLPDIFF" verify --extract zeros out.elf
if command -v xz >/dev/null; then
	head -c 200 payload.xz >payload.bad
	size_le32 vmlinux >>payload.bad
	make_bzimage payload.bad bzImage.bad
	refused "a corrupt payload" \
		"klpdiff: bzImage.bad: xz failed (exited with status 1) on the xz payload" \
		"$KLPDIFF" verify --extract bzImage.bad out.elf
	make_bzimage payload.xz bzImage.old 0x207
	refused "boot protocol 2.07" \
		"klpdiff: bzImage.old: boot protocol 2.07 is older than 2.08: no payload fields" \
		"$KLPDIFF" verify --extract bzImage.old out.elf
else
	tap_skip "a corrupt payload" "xz is not installed"
	tap_skip "boot protocol 2.07" "xz is not installed"
fi
printf '\x89LZO\0\r\n\x1a\nnot really lzo' >payload.lzo-fake
make_bzimage payload.lzo-fake bzImage.lzo-fake
refused "a missing decompressor names its Debian package" \
	"klpdiff: bzImage.lzo-fake: the payload is lzo-compressed: install lzop (Debian package lzop)" \
	env PATH=/nonexistent "$KLPDIFF" verify --extract bzImage.lzo-fake out.elf
tap_done
