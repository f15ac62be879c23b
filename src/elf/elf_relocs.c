// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading an object's relocation sections: each checked against the arch
 * file's types and its section's bounds, read in place when it is SHT_RELA
 * sorted by offset (as assemblers and ld -r write them), else copied.
 */
#include <stdio.h>
#include <string.h>

#include "elf/elf_internal.h"

static int cmp_reloc(const void *a, const void *b)
{
	const struct elf_reloc *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static int64_t implicit_addend(const uint8_t *p, unsigned width)
{
	switch (width) {
	case 1:
		return (int8_t)p[0];
	case 2: {
		int16_t v;
		memcpy(&v, p, 2);
		return v;
	}
	case 4: {
		int32_t v;
		memcpy(&v, p, 4);
		return v;
	}
	case 8: {
		int64_t v;
		memcpy(&v, p, 8);
		return v;
	}
	}
	return 0;
}

/* Relocation types the arch file does not know: all of them are named, not only the first. */
struct unknown_types {
	struct {
		uint32_t type;
		const char *sec;	/* where the first one is */
		uint64_t offset;
		size_t count;
	} t[8];
	size_t n, more;		/* more: types beyond t[] */
};

static void note_unknown(struct unknown_types *u, const struct elf_section *base, uint32_t type,
			 uint64_t offset)
{
	for (size_t i = 0; i < u->n; i++)
		if (u->t[i].type == type) {
			u->t[i].count++;
			return;
		}
	if (u->n == ARRAY_SIZE(u->t)) {
		u->more++;
		return;
	}
	u->t[u->n].type = type;
	u->t[u->n].sec = base->name;
	u->t[u->n].offset = offset;
	u->t[u->n++].count = 1;
}

/* One line naming every unknown type, where its first relocation is, and how many there are. */
static int report_unknown(struct elf_object *obj, const struct unknown_types *u)
{
	char line[1024];
	size_t len = 0;

	if (u->n == 1 && u->t[0].count == 1)
		return BAD(obj, "%s+%#lx: unsupported relocation type %u", u->t[0].sec,
			   (unsigned long)u->t[0].offset, u->t[0].type);
	for (size_t i = 0; i < u->n && len < sizeof(line); i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, "%s%u at %s+0x%lx (%zu)",
					i ? ", " : "", u->t[i].type, u->t[i].sec,
					(unsigned long)u->t[i].offset, u->t[i].count);
	if (u->more && len < sizeof(line))
		snprintf(line + len, sizeof(line) - len, " and %zu more", u->more);
	return BAD(obj, "unsupported relocation type%s %s", u->n > 1 ? "s" : "", line);
}

static int check_reloc(struct elf_object *obj, const struct elf_section *base,
		       const Elf64_Rela *er, struct unknown_types *unknown)
{
	uint32_t type = (uint32_t)ELF64_R_TYPE(er->r_info);
	size_t symi = ELF64_R_SYM(er->r_info);
	struct reloc_howto howto;

	if (!obj->arch->reloc_howto(type, &howto)) {
		note_unknown(unknown, base, type, er->r_offset);
		return 0;
	}
	if (symi >= obj->nr_symbols)
		return BAD(obj, "%s+%#lx: relocation symbol index %zu out of range", base->name,
			   (unsigned long)er->r_offset, symi);
	if (er->r_offset > base->sh->sh_size || howto.width > base->sh->sh_size - er->r_offset)
		return BAD(obj, "%s+%#lx: relocation outside its section", base->name,
			   (unsigned long)er->r_offset);
	return 0;
}

/* A sorted copy of @rsec's entries, with the addends of SHT_REL ones. */
static struct elf_reloc *copy_relocs(struct elf_object *obj, const struct elf_section *rsec,
				     const struct elf_section *base, size_t n, bool sorted)
{
	bool rela = rsec->sh->sh_type == SHT_RELA;
	size_t entsize = rela ? sizeof(Elf64_Rela) : sizeof(Elf64_Rel);
	struct elf_reloc *relocs = xmalloc(n * sizeof(*relocs));

	for (size_t i = 0; i < n; i++) {
		const Elf64_Rela *er = (const void *)(rsec->data + i * entsize);
		struct elf_reloc *r = &relocs[i];

		r->offset = er->r_offset;
		r->info = er->r_info;
		r->addend = 0;
		if (rela)
			r->addend = er->r_addend;
		else if (base->data)
			r->addend = implicit_addend(base->data + r->offset,
						    elf_reloc_howto(obj, r).width);
	}
	if (!sorted)
		sort(relocs, n, sizeof(*relocs), cmp_reloc);
	return relocs;
}

static int read_reloc_section(struct elf_object *obj, struct elf_section *rsec,
			      struct unknown_types *unknown)
{
	bool rela = rsec->sh->sh_type == SHT_RELA;
	size_t entsize = rela ? sizeof(Elf64_Rela) : sizeof(Elf64_Rel);
	struct elf_section *base;
	uint64_t last = 0;
	bool sorted = true;
	size_t n;

	if (rsec->sh->sh_info == 0 || rsec->sh->sh_info >= obj->nr_sections)
		return BAD(obj, "relocation section %s: target section index out of range",
			   rsec->name);
	if (rsec->sh->sh_entsize != entsize || rsec->sh->sh_size % entsize)
		return BAD(obj, "relocation section %s: bad entry size", rsec->name);
	base = &obj->sections[rsec->sh->sh_info];
	if (base->has_reloc_sec)
		return BAD(obj, "section %s has two relocation sections", base->name);
	n = rsec->sh->sh_size / entsize;
	if (n > UINT32_MAX)
		return BAD(obj, "relocation section %s: too many entries", rsec->name);
	if (n && !rsec->data)
		return BAD(obj, "relocation section %s has no contents", rsec->name);
	base->has_reloc_sec = true;
	for (size_t i = 0; i < n; i++) {
		const Elf64_Rela *er = (const void *)(rsec->data + i * entsize);

		if (check_reloc(obj, base, er, unknown))
			return -1;
		sorted = sorted && er->r_offset >= last;
		last = er->r_offset;
	}
	if (unknown->n)
		return 0;	/* read no further: elf_read_relocs() reports them */
	base->nr_relocs = (uint32_t)n;
	/* Assemblers and ld -r emit them by offset: read them where they are. */
	if (rela && sorted) {
		base->relocs = (const struct elf_reloc *)rsec->data;
		return 0;
	}
	base->relocs = copy_relocs(obj, rsec, base, n, sorted);
	base->relocs_copied = true;
	return 0;
}

/* Does any checksum read the relocations of @sec? */
static bool checksum_reads(const struct elf_section *sec)
{
	if (!(sec->sh->sh_flags & SHF_ALLOC))
		return false;
	return !sec->special || sec->special->checksummed;
}

int elf_read_relocs(struct elf_object *obj)
{
	struct unknown_types unknown = { 0 };
	struct elf_section *sec;

	for_each_section(obj, sec) {
		if (sec->sh->sh_type != SHT_RELA && sec->sh->sh_type != SHT_REL)
			continue;
		if (obj->checksums_only && sec->sh->sh_info < obj->nr_sections &&
		    !checksum_reads(&obj->sections[sec->sh->sh_info]))
			continue;
		if (read_reloc_section(obj, sec, &unknown))
			return -1;
	}
	return unknown.n ? report_unknown(obj, &unknown) : 0;
}

