/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ELF object model: a 64-bit relocatable object read through libelf,
 * with sections, symbols and relocations linked to each other and indexed:
 * symbols by name (hash) and by index, "which symbol contains section+offset"
 * by binary search over each section's address-sorted symbols, and each
 * section's relocations sorted by offset.
 */
/*
 * Layer elf (src/elf/), the ELF core: includes base/ only.
 * tests/source/layers.t checks it.
 */
#ifndef KLPDIFF_ELF_OBJECT_H
#define KLPDIFF_ELF_OBJECT_H

#include <gelf.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "elf/arch.h"
#include "elf/layouts.h"
#include "base/strmap.h"

struct elf_symbol;

/*
 * Laid out as Elf64_Rela: a section's relocations are read in place from the
 * mapped file (a vmlinux.o has over a million), copied only when they need
 * sorting or are SHT_REL. Read them with the elf_reloc_*() helpers.
 */
struct elf_reloc {
	uint64_t offset;
	uint64_t info;		/* ELF64_R_INFO(symbol index, type) */
	int64_t addend;
};

struct elf_section {
	const char *name;
	const Elf64_Shdr *sh;		/* in the mapped file */
	const uint8_t *data;		/* NULL for SHT_NOBITS */
	const struct elf_reloc *relocs;	/* sorted by offset */
	struct elf_symbol **syms;	/* defined here, sorted by address */
	const struct special_layout *special;
	/* A vmlinux.o has 180k sections: 32-bit counts keep this small. */
	uint32_t index;
	uint32_t nr_relocs;
	uint32_t nr_syms;
	bool has_reloc_sec;	/* a SHT_RELA/SHT_REL section applies here */
	bool relocs_copied;	/* relocs is ours, not the file's */
	bool shared_code;	/* holds code of more than one function */
	bool is_code;
};

struct elf_symbol {
	const char *name;
	const char *key;	/* name_key(name); the name itself when they are equal */
	uint64_t key_hash;
	struct elf_section *sec;	/* NULL unless defined in a section */
	uint64_t value;
	uint64_t size;
	const char *unit;	/* source file, from the FILE symbols */
	struct elf_symbol *next_same_name;	/* set by the first elf_find_symbol() */
	uint32_t index;
	unsigned char type, bind;
	unsigned char other;	/* st_other: visibility; ppc64 ELFv2: local entry offset */
};

struct elf_object {
	const char *path;
	void *map;		/* the file, mapped privately */
	uint64_t file_size;
	Elf *elf;		/* NULL once released after indexing */
	const struct arch *arch;
	GElf_Ehdr ehdr;
	struct elf_section *sections;
	size_t nr_sections;
	size_t shstrndx;		/* the section name table */
	struct elf_symbol *symbols;
	size_t nr_symbols;
	struct strmap by_name;		/* name -> first symbol; built on first lookup */
	struct strmap section_by_name;	/* name -> first section; built on first lookup */
	char **units;
	size_t nr_units;
	bool checksums_only;	/* opened with elf_open_for_checksums() */
};

/*
 * Open and index @path; prints "klpdiff: PATH: problem" and returns NULL on
 * bad input. @target: the target kernel's layouts, which its special
 * sections must have (NULL: recognised from the object, see elf/layouts.h).
 */
struct elf_object *elf_open(const char *path, const struct elf_layouts *target);
/*
 * The same, for checksums only: relocations of sections no checksum reads
 * (ORC, ftrace and retpoline site lists, non-allocated sections) are left
 * unread. In a vmlinux.o that is half of them.
 */
struct elf_object *elf_open_for_checksums(const char *path, const struct elf_layouts *target);
void elf_close(struct elf_object *obj);

struct elf_symbol *elf_find_symbol(const struct elf_object *obj, const char *name);
struct elf_section *elf_find_section(struct elf_object *obj, const char *name);
/* The function or object containing @offset of @sec (a label if none), or NULL. */
struct elf_symbol *elf_symbol_containing(const struct elf_section *sec, uint64_t offset);
/* Index of the first relocation of @sec at or after @offset. */
size_t elf_first_reloc(const struct elf_section *sec, uint64_t offset);

static inline struct elf_symbol *elf_reloc_sym(const struct elf_object *obj,
					       const struct elf_reloc *r)
{
	return &obj->symbols[ELF64_R_SYM(r->info)];
}

static inline uint32_t elf_reloc_type(const struct elf_reloc *r)
{
	return (uint32_t)ELF64_R_TYPE(r->info);
}

/* How relocation type @type of @obj's architecture writes its field. */
static inline struct reloc_howto elf_type_howto(const struct elf_object *obj, uint32_t type)
{
	struct reloc_howto howto = { .kind = RELOC_NONE };

	obj->arch->reloc_howto(type, &howto);
	return howto;
}

/* Known for every relocation of an object: elf_open() checks the types. */
static inline struct reloc_howto elf_reloc_howto(const struct elf_object *obj,
						 const struct elf_reloc *r)
{
	return elf_type_howto(obj, elf_reloc_type(r));
}

/* Is @sec the architecture's address table (ppc64's .toc)? */
static inline bool elf_is_address_table(const struct elf_object *obj, const struct elf_section *sec)
{
	return obj->arch->address_table && sec->name && !strcmp(sec->name, obj->arch->address_table);
}

/* @n bytes at @p read in the object's byte order, whatever the host's. */
static inline uint64_t elf_read_uint(const struct elf_object *obj, const uint8_t *p, unsigned n)
{
	bool big = obj->ehdr.e_ident[EI_DATA] == ELFDATA2MSB;
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[big ? i : n - 1 - i] << (8 * (n - 1 - i));
	return v;
}

/* The bits of a field a relocation or branch displacement leaves alone. */
static inline uint64_t field_kept_bits(const struct elf_object *obj, const uint8_t *p,
				       unsigned width, unsigned shift, unsigned bits)
{
	uint64_t mask = (bits >= 64 ? ~0ull : (1ull << bits) - 1) << shift;

	return elf_read_uint(obj, p, width) & ~mask;
}

static inline bool sym_is_func(const struct elf_symbol *s)
{
	return s->type == STT_FUNC;
}

static inline bool sym_is_object(const struct elf_symbol *s)
{
	return s->type == STT_OBJECT || s->type == STT_TLS;
}

/* Found by name: not a section or file symbol, and not nameless. */
static inline bool sym_has_name(const struct elf_symbol *s)
{
	return *s->name && s->type != STT_SECTION && s->type != STT_FILE;
}

static inline bool sym_is_local(const struct elf_symbol *s)
{
	return s->bind == STB_LOCAL;
}

#define for_each_section(obj, sec) \
	for ((sec) = (obj)->sections; (sec) < (obj)->sections + (obj)->nr_sections; (sec)++)
#define for_each_symbol(obj, sym) \
	for ((sym) = (obj)->symbols; (sym) < (obj)->symbols + (obj)->nr_symbols; (sym)++)

/* Do both objects lay out each special section alike? Else an error naming it. */
int elf_same_layouts(const struct elf_object *orig, struct elf_object *patched);
/* The same architecture and byte order; else an error naming @patched. */
int elf_same_machine(const struct elf_object *orig, const struct elf_object *patched);

#endif
