#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Patch fields of a 64-bit little-endian ELF file, to make bad inputs for tests.

usage: elfpatch.py IN OUT EDIT...
       elfpatch.py --batch IN        (lines "OUT EDIT..." on stdin)
       elfpatch.py --get IN FIELD...

An EDIT is FIELD=VALUE; a FIELD is one of
  ehdr.NAME                      e_type, e_machine, e_shoff, e_shnum, ...;
                                 ei_class and ei_data are bytes of e_ident
  shdr[SEC].NAME                 sh_name, sh_type, sh_offset, sh_size, ...
  sym[SYM].NAME                  st_name, st_info, st_shndx, st_value, ...
                                 (in the one SHT_SYMTAB section)
  rela[SEC][N].NAME              r_offset, r_sym, r_type, r_addend of entry N
                                 of the SHT_RELA section SEC
SEC is a section name or index, SYM a symbol name or index. VALUE is an
integer (0x... for hex), optionally "filesize" or "filesize+N"/"filesize-N".
--batch writes one patched copy of IN per line of stdin (one Python start
for many files); --get prints the current value of each FIELD, one a line.
"""
import re
import struct
import sys

# (field, struct code) in the order of the structure; EHDR etc. are the structs.
EHDR_LAYOUT = (("e_ident", "16s"), ("e_type", "H"), ("e_machine", "H"), ("e_version", "I"),
               ("e_entry", "Q"), ("e_phoff", "Q"), ("e_shoff", "Q"), ("e_flags", "I"),
               ("e_ehsize", "H"), ("e_phentsize", "H"), ("e_phnum", "H"),
               ("e_shentsize", "H"), ("e_shnum", "H"), ("e_shstrndx", "H"))
SHDR_LAYOUT = (("sh_name", "I"), ("sh_type", "I"), ("sh_flags", "Q"), ("sh_addr", "Q"),
               ("sh_offset", "Q"), ("sh_size", "Q"), ("sh_link", "I"), ("sh_info", "I"),
               ("sh_addralign", "Q"), ("sh_entsize", "Q"))
SYM_LAYOUT = (("st_name", "I"), ("st_info", "B"), ("st_other", "B"), ("st_shndx", "H"),
              ("st_value", "Q"), ("st_size", "Q"))


def layout_struct(layout):
    return struct.Struct("<" + "".join(code for _, code in layout))


EHDR, SHDR, SYM = (layout_struct(x) for x in (EHDR_LAYOUT, SHDR_LAYOUT, SYM_LAYOUT))
EHDR_FIELDS, SHDR_FIELDS, SYM_FIELDS = ([name for name, _ in x]
                                        for x in (EHDR_LAYOUT, SHDR_LAYOUT, SYM_LAYOUT))
RELA = struct.Struct("<QQq")
EI_OFFSETS = {"ei_class": 4, "ei_data": 5, "ei_version": 6, "ei_osabi": 7}
SHT_SYMTAB, SHT_RELA = 2, 4


class Elf:
    """The headers of a valid ELF64 file held in a bytearray, read on demand."""

    def __init__(self, data):
        self.data = data
        if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
            sys.exit("elfpatch: not a 64-bit little-endian ELF file")

    def ehdr(self):
        return dict(zip(EHDR_FIELDS, EHDR.unpack_from(self.data, 0)))

    def shdr_offset(self, index):
        e = self.ehdr()
        if index >= e["e_shnum"]:
            sys.exit(f"elfpatch: no section {index}")
        return e["e_shoff"] + index * e["e_shentsize"]

    def shdr(self, index):
        return dict(zip(SHDR_FIELDS, SHDR.unpack_from(self.data, self.shdr_offset(index))))

    def section_name(self, index):
        strtab = self.shdr(self.ehdr()["e_shstrndx"])
        start = strtab["sh_offset"] + self.shdr(index)["sh_name"]
        return self.data[start:self.data.index(b"\0", start)].decode()

    def section(self, ref):
        """Index of the section named or numbered @ref."""
        if re.fullmatch(r"\d+", ref):
            return int(ref)
        for i in range(self.ehdr()["e_shnum"]):
            if self.section_name(i) == ref:
                return i
        sys.exit(f"elfpatch: no section {ref}")

    def symtab(self):
        for i in range(self.ehdr()["e_shnum"]):
            if self.shdr(i)["sh_type"] == SHT_SYMTAB:
                return self.shdr(i)
        sys.exit("elfpatch: no symbol table")

    def sym_offset(self, ref):
        tab = self.symtab()
        count = tab["sh_size"] // SYM.size
        if re.fullmatch(r"\d+", ref):
            if int(ref) >= count:
                sys.exit(f"elfpatch: no symbol {ref}")
            return tab["sh_offset"] + int(ref) * SYM.size
        strtab = self.shdr(tab["sh_link"])
        for i in range(count):
            off = tab["sh_offset"] + i * SYM.size
            start = strtab["sh_offset"] + SYM.unpack_from(self.data, off)[0]
            if self.data[start:self.data.index(b"\0", start)].decode() == ref:
                return off
        sys.exit(f"elfpatch: no symbol {ref}")

    def rela_offset(self, ref, n):
        sec = self.shdr(self.section(ref))
        if sec["sh_type"] != SHT_RELA or n >= sec["sh_size"] // RELA.size:
            sys.exit(f"elfpatch: no relocation {n} in {ref}")
        return sec["sh_offset"] + n * RELA.size


def locate(elf, field):
    """(offset, struct format, kind) of @field; kind says how to read it."""
    m = re.fullmatch(r"ehdr\.(\w+)", field)
    if m:
        name = m.group(1)
        if name in EI_OFFSETS:
            return EI_OFFSETS[name], "<B", "plain"
        return struct_field(0, EHDR_LAYOUT, name)
    m = re.fullmatch(r"shdr\[([^]]+)\]\.(\w+)", field)
    if m:
        off = elf.shdr_offset(elf.section(m.group(1)))
        return struct_field(off, SHDR_LAYOUT, m.group(2))
    m = re.fullmatch(r"sym\[([^]]+)\]\.(\w+)", field)
    if m:
        return struct_field(elf.sym_offset(m.group(1)), SYM_LAYOUT, m.group(2))
    m = re.fullmatch(r"rela\[([^]]+)\]\[(\d+)\]\.(\w+)", field)
    if m:
        off = elf.rela_offset(m.group(1), int(m.group(2)))
        name = m.group(3)
        if name == "r_offset":
            return off, "<Q", "plain"
        if name == "r_addend":
            return off + 16, "<q", "plain"
        if name in ("r_sym", "r_type"):
            return off + 8, "<Q", name
    sys.exit(f"elfpatch: unknown field {field}")


def struct_field(base, layout, name):
    """Where field @name of the structure at @base is, as for locate()."""
    offset = 0
    for field, code in layout:
        if field == name and field != "e_ident":
            return base + offset, "<" + code, "plain"
        offset += struct.calcsize("<" + code)
    sys.exit(f"elfpatch: unknown field {name}")


def get(elf, field):
    off, fmt, kind = locate(elf, field)
    value = struct.unpack_from(fmt, elf.data, off)[0]
    if kind == "r_sym":
        return value >> 32
    if kind == "r_type":
        return value & 0xffffffff
    return value


def put(elf, where, value):
    off, fmt, kind = where
    if kind in ("r_sym", "r_type"):
        info = struct.unpack_from(fmt, elf.data, off)[0]
        if kind == "r_sym":
            value = (value << 32) | (info & 0xffffffff)
        else:
            value = (info & ~0xffffffff) | value
    struct.pack_into(fmt, elf.data, off, value)


def parse_value(text, filesize):
    m = re.fullmatch(r"filesize(?:([+-])(\w+))?", text)
    if m:
        delta = int(m.group(2), 0) if m.group(2) else 0
        return filesize + delta if m.group(1) != "-" else filesize - delta
    return int(text, 0)


def patch(data, edits):
    """A patched copy of @data. Every field is located before any is
    changed, so that one edit cannot redirect another (a new e_shoff moves
    the section headers)."""
    data = bytearray(data)
    elf = Elf(data)
    where = []
    for edit in edits:
        field, _, value = edit.partition("=")
        where.append((locate(elf, field), parse_value(value, len(data))))
    for loc, value in where:
        put(elf, loc, value)
    return data


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    with open(argv[2] if argv[1].startswith("--") else argv[1], "rb") as f:
        data = f.read()
    if argv[1] == "--get":
        elf = Elf(bytearray(data))
        for field in argv[3:]:
            print(get(elf, field))
        return 0
    if argv[1] == "--batch":
        jobs = [line.split() for line in sys.stdin if line.strip()]
    elif len(argv) >= 4:
        jobs = [argv[2:]]
    else:
        sys.stderr.write(__doc__)
        return 2
    for out, *edits in jobs:
        with open(out, "wb") as f:
            f.write(patch(data, edits))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
