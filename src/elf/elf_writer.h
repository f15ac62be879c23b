/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Building a new relocatable ELF object: sections with contents and
 * relocations, and a symbol table, written through libelf. Used by extract
 * (the patch object) and by the livepatch post-link step (the final module).
 */
#ifndef KLPDIFF_ELF_WRITER_H
#define KLPDIFF_ELF_WRITER_H

#include <gelf.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/strmap.h"

struct ow_symbol;

struct ow_reloc {
	uint64_t offset;
	struct ow_symbol *sym;
	uint32_t type;
	int64_t addend;
};

struct ow_section {
	char *name;
	GElf_Word type;
	GElf_Xword flags;
	GElf_Xword align;
	GElf_Xword entsize;
	GElf_Word info;		/* SHT_RELA written by hand: the target index */
	uint8_t *data;
	uint64_t size, alloc;
	struct ow_reloc *relocs;
	size_t nr_relocs, alloc_relocs;
	struct ow_symbol *sec_sym;
	struct ow_section *target;	/* a relocation section written as such: its target */
	struct ow_section *link_to;	/* SHF_LINK_ORDER: the section it goes with */
	size_t index;		/* assigned when written */
};

struct ow_symbol {
	char *name;
	unsigned char bind, type;
	unsigned char other;	/* st_other, kept whole (ppc64 ELFv2 local entry) */
	struct ow_section *sec;	/* NULL: undefined or @shndx */
	uint16_t shndx;		/* SHN_ABS, SHN_LIVEPATCH, ... when sec is NULL */
	uint64_t value, size;
	size_t index;		/* assigned when written */
};

struct elf_writer {
	/* Of the object it derives from: machine, byte order, flags (ppc64 ABI). */
	unsigned machine, flags;
	unsigned char data;
	struct ow_section **sections;
	size_t nr_sections, alloc_sections;
	struct ow_symbol **symbols;
	size_t nr_symbols, alloc_symbols;
	struct strmap section_by_name;
	struct strmap global_by_name;	/* globals and undefined symbols */
};

/* A writer for objects like @like: the same machine, byte order and e_flags. */
void ow_init(struct elf_writer *w, const GElf_Ehdr *like);
void ow_free(struct elf_writer *w);

/* The section called @name, created with these attributes if missing. */
struct ow_section *ow_section(struct elf_writer *w, const char *name, GElf_Word type,
			      GElf_Xword flags, GElf_Xword align);
struct ow_section *ow_find_section(struct elf_writer *w, const char *name);
/*
 * A relocation section of its own name and flags (a livepatch
 * ".klp.rela.OBJ.SEC"), applying to @target; add entries with ow_add_reloc().
 * Other sections' relocations go to ".rela<name>" sections made when writing.
 */
struct ow_section *ow_reloc_section(struct elf_writer *w, const char *name, GElf_Xword flags,
				    struct ow_section *target);
/* Append @size bytes (NULL: zeros) aligned to @align; returns their offset. */
uint64_t ow_append(struct ow_section *sec, const void *data, uint64_t size, uint64_t align);
/* @sym NULL: a relocation against no symbol (index 0), a marker. */
void ow_add_reloc(struct ow_section *sec, uint64_t offset, struct ow_symbol *sym, uint32_t type,
		  int64_t addend);

struct ow_symbol *ow_add_symbol(struct elf_writer *w, const char *name, unsigned char bind,
				unsigned char type, struct ow_section *sec, uint64_t value,
				uint64_t size);
/* The global or undefined symbol @name, created undefined if missing. */
struct ow_symbol *ow_global(struct elf_writer *w, const char *name);
/* The section symbol of @sec. */
struct ow_symbol *ow_section_symbol(struct elf_writer *w, struct ow_section *sec);

/* Write the object to @path atomically; prints an error and returns -1 on failure. */
int ow_write(struct elf_writer *w, const char *path);

#endif
