#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Print the relocations of an x86-64, ppc64le, s390x or arm64 relocatable object, one per line:

    SECTION+0xOFFSET TYPE TARGET ADDEND

klp-relocs.py OBJ
    the livepatch relocation records of a klpdiff patch object: each 32-byte
    entry of .klpdiff.relocs (u64 place, u64 name, s64 addend, u32 type,
    u32 with_back), whose place and name fields are filled by R_X86_64_64
    (R_PPC64_ADDR64) relocations: SECTION+OFFSET is where the place field points (a code or
    data section of the patch object), TARGET the .klp.sym.OBJ.NAME,POS
    string in .klpdiff.strings the name field points to; a record whose
    with_back is set ends in "with MODULE", the name that many bytes before
    TARGET's (the module the relocation is applied with).
klp-relocs.py --rela OBJ SECTION
    the ordinary relocations (.rela.SECTION) of SECTION; TARGET is the
    symbol's name, or the name of the section for a section symbol.
klp-relocs.py --contents OBJ SECTION
    no lines: the bytes of SECTION, as they are, on stdout.
klp-relocs.py --dump OBJ
    everything at once, for tests: "K " and a livepatch record (if OBJ has
    .klpdiff.relocs), "R " and a relocation of any section, "X SECTION" and
    the bytes of SECTION in hex (two digits a byte, space-separated).

Livepatch records are sorted by section and offset, relocations by offset.
A malformed record is an error (exit
1, a message on stderr). Python 3 standard library only.
"""
import struct
import sys

R_X86_64 = {
    0: "R_X86_64_NONE", 1: "R_X86_64_64", 2: "R_X86_64_PC32", 3: "R_X86_64_GOT32",
    4: "R_X86_64_PLT32", 9: "R_X86_64_GOTPCREL", 10: "R_X86_64_32", 11: "R_X86_64_32S",
    24: "R_X86_64_PC64", 41: "R_X86_64_GOTPCRELX", 42: "R_X86_64_REX_GOTPCRELX",
}
R_PPC64 = {
    0: "R_PPC64_NONE", 10: "R_PPC64_REL24", 26: "R_PPC64_REL32", 38: "R_PPC64_ADDR64",
    44: "R_PPC64_REL64", 50: "R_PPC64_TOC16_HA", 63: "R_PPC64_TOC16_DS",
    64: "R_PPC64_TOC16_LO_DS", 48: "R_PPC64_TOC16_LO", 109: "R_PPC64_TOCSAVE",
    118: "R_PPC64_ENTRY", 249: "R_PPC64_REL16", 250: "R_PPC64_REL16_LO",
    252: "R_PPC64_REL16_HA",
}
R_390 = {
    0: "R_390_NONE", 19: "R_390_PC32DBL", 20: "R_390_PLT32DBL", 22: "R_390_64",
    23: "R_390_PC64",
}
R_AARCH64 = {
    0: "R_AARCH64_NONE", 257: "R_AARCH64_ABS64", 258: "R_AARCH64_ABS32",
    261: "R_AARCH64_PREL32", 275: "R_AARCH64_ADR_PREL_PG_HI21",
    277: "R_AARCH64_ADD_ABS_LO12_NC", 278: "R_AARCH64_LDST8_ABS_LO12_NC",
    282: "R_AARCH64_JUMP26", 283: "R_AARCH64_CALL26",
    285: "R_AARCH64_LDST32_ABS_LO12_NC", 286: "R_AARCH64_LDST64_ABS_LO12_NC",
}
# By e_machine: the names of relocation types, their prefix, the 64-bit absolute type.
MACHINES = {62: (R_X86_64, "R_X86_64", 1), 21: (R_PPC64, "R_PPC64", 38),
            22: (R_390, "R_390", 22), 183: (R_AARCH64, "R_AARCH64", 257)}
SHT_SYMTAB, SHT_STRTAB, SHT_RELA, SHT_NOBITS = 2, 3, 4, 8
STT_SECTION = 3


class Malformed(Exception):
    pass


def cstr(data, off):
    end = data.find(b"\0", off)
    if off >= len(data) or end < 0:
        raise Malformed(f"string offset {off:#x} outside its table")
    return data[off:end].decode()


class Elf:
    def __init__(self, path):
        with open(path, "rb") as f:
            self.data = f.read()
        d = self.data
        if d[:4] != b"\x7fELF" or d[4] != 2 or d[5] not in (1, 2):
            raise Malformed("not a 64-bit ELF file")
        e = self.order = "<" if d[5] == 1 else ">"
        machine, = struct.unpack_from(e + "H", d, 0x12)
        if machine not in MACHINES:
            raise Malformed(f"machine {machine} is not x86-64, ppc64, s390x or arm64")
        self.names, self.prefix, self.abs64 = MACHINES[machine]
        shoff, = struct.unpack_from(e + "Q", d, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from(e + "HHH", d, 0x3a)
        self.sections = []
        for i in range(shnum):
            f = struct.unpack_from(e + "IIQQQQIIQQ", d, shoff + i * shentsize)
            self.sections.append({"name_off": f[0], "type": f[1], "offset": f[4],
                                  "size": f[5], "link": f[6], "info": f[7],
                                  "entsize": f[9]})
        shstr = self.contents(shstrndx)
        for s in self.sections:
            s["name"] = cstr(shstr, s["name_off"])
        self.symbols = []
        for i, s in enumerate(self.sections):
            if s["type"] == SHT_SYMTAB:
                strtab = self.contents(s["link"])
                for k in range(s["size"] // 24):
                    name, info, _, shndx, value, size = struct.unpack_from(
                        e + "IBBHQQ", d, s["offset"] + k * 24)
                    sym = {"name": cstr(strtab, name), "type": info & 15,
                           "shndx": shndx, "value": value}
                    if sym["type"] == STT_SECTION and 0 < shndx < len(self.sections):
                        sym["name"] = self.sections[shndx]["name"]
                    self.symbols.append(sym)

    def contents(self, index):
        s = self.sections[index]
        if s["type"] == SHT_NOBITS:
            return bytes(s["size"])
        return self.data[s["offset"]:s["offset"] + s["size"]]

    def find(self, name):
        for i, s in enumerate(self.sections):
            if s["name"] == name:
                return i
        return None

    def relas(self, index):
        """The relocations applying to section @index: (offset, type, symbol, addend)."""
        out = []
        for s in self.sections:
            if s["type"] == SHT_RELA and s["info"] == index:
                for k in range(s["size"] // 24):
                    off, info, addend = struct.unpack_from(self.order + "QQq", self.data,
                                                           s["offset"] + k * 24)
                    out.append((off, info & 0xffffffff, self.symbols[info >> 32], addend))
        return sorted(out, key=lambda r: r[0])


def type_name(elf, t):
    return elf.names.get(t, f"{elf.prefix}_{t}")


def rela_lines(elf, index):
    secname = elf.sections[index]["name"]
    return [f"{secname}+{off:#x} {type_name(elf, t)} {sym['name'] or '-'} {addend}"
            for off, t, sym, addend in elf.relas(index)]


def find_section(elf, name):
    index = elf.find(name)
    if index is None:
        raise Malformed(f"no section {name}")
    return index


def klp_lines(elf):
    index = elf.find(".klpdiff.relocs")
    strings = elf.find(".klpdiff.strings")
    if index is None or strings is None:
        raise Malformed("no .klpdiff.relocs or .klpdiff.strings section")
    data = elf.contents(index)
    strdata = elf.contents(strings)
    if len(data) % 32:
        raise Malformed(f".klpdiff.relocs is {len(data)} bytes, not a multiple of 32")
    relocs = {}
    for off, t, sym, addend in elf.relas(index):
        if off in relocs:
            raise Malformed(f".klpdiff.relocs+{off:#x}: two relocations")
        relocs[off] = (t, sym, addend)
    lines = []
    for base in range(0, len(data), 32):
        # klpdiff writes its records in the host's byte order (little-endian here).
        place, name, addend, rtype, with_back = struct.unpack_from("<QQqII", data, base)
        if place or name:
            raise Malformed(f".klpdiff.relocs+{base:#x}: nonzero place or name bytes")
        fields = []
        for field in (base, base + 8):
            r = relocs.pop(field, None)
            if r is None or r[0] != elf.abs64:
                raise Malformed(f".klpdiff.relocs+{field:#x}: no 64-bit absolute relocation")
            shndx = r[1]["shndx"]
            if not 0 < shndx < len(elf.sections):
                raise Malformed(f".klpdiff.relocs+{field:#x}: relocation against "
                                f"{r[1]['name'] or 'a symbol'} outside any section")
            # In a relocatable object a symbol's value is its offset in its section.
            fields.append((elf.sections[shndx]["name"], r[1]["value"] + r[2]))
        (psec, poff), (nsec, noff) = fields
        if nsec != ".klpdiff.strings":
            raise Malformed(f".klpdiff.relocs+{base + 8:#x}: name field points into {nsec}")
        target = cstr(strdata, noff)
        if not target.startswith(".klp.sym."):
            raise Malformed(f".klpdiff.relocs+{base + 8:#x}: name '{target}' is not .klp.sym.*")
        line = f"{psec}+{poff:#x} {type_name(elf, rtype)} {target} {addend}"
        if with_back:
            if with_back > noff or strdata[noff - 1] != 0:
                raise Malformed(f".klpdiff.relocs+{base:#x}: no name {with_back} bytes "
                                f"before the symbol's")
            line += " with " + cstr(strdata, noff - with_back)
        lines.append((psec, poff, line))
    if relocs:
        raise Malformed(f".klpdiff.relocs: relocations outside the records at "
                        f"{', '.join(hex(o) for o in sorted(relocs))}")
    return [line for _, _, line in sorted(lines)]


def dump_lines(elf):
    lines = []
    if elf.find(".klpdiff.relocs") is not None:
        lines += ["K " + line for line in klp_lines(elf)]
    for i, s in enumerate(elf.sections):
        if i and s["type"] != SHT_RELA:
            lines += ["R " + line for line in rela_lines(elf, i)]
    for i, s in enumerate(elf.sections):
        if i and s["type"] not in (SHT_SYMTAB, SHT_STRTAB, SHT_RELA):
            lines.append(f"X {s['name']} " + " ".join(f"{b:02x}" for b in elf.contents(i)))
    return lines


def main(argv):
    try:
        if len(argv) == 2:
            lines = klp_lines(Elf(argv[1]))
        elif len(argv) == 4 and argv[1] == "--rela":
            elf = Elf(argv[2])
            lines = rela_lines(elf, find_section(elf, argv[3]))
        elif len(argv) == 3 and argv[1] == "--dump":
            lines = dump_lines(Elf(argv[2]))
        elif len(argv) == 4 and argv[1] == "--contents":
            elf = Elf(argv[2])
            sys.stdout.buffer.write(elf.contents(find_section(elf, argv[3])))
            return 0
        else:
            print(__doc__.strip(), file=sys.stderr)
            return 2
    except (Malformed, OSError, struct.error, UnicodeDecodeError, IndexError) as e:
        print(f"klp-relocs.py: {argv[-1] if len(argv) == 2 else argv[2]}: {e}", file=sys.stderr)
        return 1
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
