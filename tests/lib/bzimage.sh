# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# x86 bzImages for the tests of kernel_image.c, made the way Linux makes them:
# the setup header, payload_offset and payload_length around the payload.

# make_bzimage PAYLOAD OUT [VERSION]: a bzImage around PAYLOAD (one setup sector).
make_bzimage()
{
	python3 - "$@" <<'PY'
import struct, sys
payload = open(sys.argv[1], "rb").read()
version = int(sys.argv[3], 16) if len(sys.argv) > 3 else 0x20f
setup = bytearray(1024)
setup[0x1f1] = 1
setup[0x202:0x206] = b"HdrS"
struct.pack_into("<H", setup, 0x206, version)
struct.pack_into("<II", setup, 0x248, 0x40, len(payload))
open(sys.argv[2], "wb").write(bytes(setup) + b"\x90" * 0x40 + payload + b"\0" * 64)
PY
}
