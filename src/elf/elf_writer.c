// SPDX-License-Identifier: GPL-2.0-or-later
#include "elf/elf_writer.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

void ow_init(struct elf_writer *w, const GElf_Ehdr *like)
{
	memset(w, 0, sizeof(*w));
	w->machine = like->e_machine;
	w->data = like->e_ident[EI_DATA];
	w->flags = (unsigned)like->e_flags;
	strmap_init(&w->section_by_name, 64);
	strmap_init(&w->global_by_name, 64);
}

void ow_free(struct elf_writer *w)
{
	for (size_t i = 0; i < w->nr_sections; i++) {
		free(w->sections[i]->name);
		free(w->sections[i]->data);
		free(w->sections[i]->relocs);
		free(w->sections[i]);
	}
	for (size_t i = 0; i < w->nr_symbols; i++) {
		free(w->symbols[i]->name);
		free(w->symbols[i]);
	}
	free(w->sections);
	free(w->symbols);
	strmap_free(&w->section_by_name);
	strmap_free(&w->global_by_name);
	memset(w, 0, sizeof(*w));
}

struct ow_section *ow_find_section(struct elf_writer *w, const char *name)
{
	return strmap_get(&w->section_by_name, name);
}

struct ow_section *ow_section(struct elf_writer *w, const char *name, GElf_Word type,
			      GElf_Xword flags, GElf_Xword align)
{
	struct ow_section *sec = ow_find_section(w, name);

	if (sec) {
		if (align > sec->align)
			sec->align = align;
		return sec;
	}
	sec = xcalloc(1, sizeof(*sec));
	sec->name = xstrdup(name);
	sec->type = type;
	sec->flags = flags;
	sec->align = align ? align : 1;
	GROW(w->sections, w->nr_sections, w->alloc_sections, w->nr_sections + 1);
	w->sections[w->nr_sections++] = sec;
	*strmap_slot(&w->section_by_name, sec->name) = sec;
	return sec;
}

struct ow_section *ow_reloc_section(struct elf_writer *w, const char *name, GElf_Xword flags,
				    struct ow_section *target)
{
	struct ow_section *sec = ow_section(w, name, SHT_RELA, flags | SHF_INFO_LINK, 8);

	sec->entsize = sizeof(Elf64_Rela);
	sec->target = target;
	return sec;
}

uint64_t ow_append(struct ow_section *sec, const void *data, uint64_t size, uint64_t align)
{
	uint64_t off;

	if (!align)
		align = 1;
	if (align > sec->align)
		sec->align = align;
	off = (sec->size + align - 1) & ~(align - 1);
	if (sec->type != SHT_NOBITS) {
		GROW(sec->data, sec->size, sec->alloc, off + size);
		memset(sec->data + sec->size, 0, off - sec->size);
		if (data)
			memcpy(sec->data + off, data, size);
		else
			memset(sec->data + off, 0, size);
	}
	sec->size = off + size;
	return off;
}

void ow_add_reloc(struct ow_section *sec, uint64_t offset, struct ow_symbol *sym, uint32_t type,
		  int64_t addend)
{
	GROW(sec->relocs, sec->nr_relocs, sec->alloc_relocs, sec->nr_relocs + 1);
	sec->relocs[sec->nr_relocs++] = (struct ow_reloc){ offset, sym, type, addend };
}

struct ow_symbol *ow_add_symbol(struct elf_writer *w, const char *name, unsigned char bind,
				unsigned char type, struct ow_section *sec, uint64_t value,
				uint64_t size)
{
	struct ow_symbol *sym = xcalloc(1, sizeof(*sym));

	sym->name = xstrdup(name);
	sym->bind = bind;
	sym->type = type;
	sym->sec = sec;
	sym->value = value;
	sym->size = size;
	GROW(w->symbols, w->nr_symbols, w->alloc_symbols, w->nr_symbols + 1);
	w->symbols[w->nr_symbols++] = sym;
	if (bind != STB_LOCAL)
		*strmap_slot(&w->global_by_name, sym->name) = sym;
	return sym;
}

struct ow_symbol *ow_global(struct elf_writer *w, const char *name)
{
	struct ow_symbol *sym = strmap_get(&w->global_by_name, name);

	return sym ? sym : ow_add_symbol(w, name, STB_GLOBAL, STT_NOTYPE, NULL, 0, 0);
}

struct ow_symbol *ow_section_symbol(struct elf_writer *w, struct ow_section *sec)
{
	if (!sec->sec_sym)
		sec->sec_sym = ow_add_symbol(w, "", STB_LOCAL, STT_SECTION, sec, 0, 0);
	return sec->sec_sym;
}

/* A string table under construction. */
struct strtab {
	char *data;
	size_t size, alloc;
};

static size_t strtab_add(struct strtab *t, const char *s)
{
	size_t n = strlen(s) + 1, off = t->size;

	if (!*s && t->size)
		return 0;
	GROW(t->data, t->size, t->alloc, t->size + n);
	memcpy(t->data + off, s, n);
	t->size += n;
	return off;
}

static Elf_Scn *new_section(Elf *elf, size_t *index)
{
	Elf_Scn *scn = elf_newscn(elf);

	if (!scn)
		fatal("libelf: elf_newscn: %s", elf_errmsg(-1));
	*index = elf_ndxscn(scn);
	return scn;
}

static void set_data(Elf_Scn *scn, void *buf, size_t size, Elf_Type type, size_t align)
{
	Elf_Data *d = elf_newdata(scn);

	if (!d)
		fatal("libelf: elf_newdata: %s", elf_errmsg(-1));
	d->d_buf = buf;
	d->d_size = size;
	d->d_type = type;
	d->d_align = align ? align : 1;
	d->d_version = EV_CURRENT;
}

static void set_header(Elf_Scn *scn, size_t name, GElf_Word type, GElf_Xword flags,
		       GElf_Xword align, GElf_Xword entsize, GElf_Word link, GElf_Word info,
		       GElf_Xword size)
{
	GElf_Shdr sh;

	if (!gelf_getshdr(scn, &sh))
		fatal("libelf: gelf_getshdr: %s", elf_errmsg(-1));
	sh.sh_name = (GElf_Word)name;
	sh.sh_type = type;
	sh.sh_flags = flags;
	sh.sh_addralign = align ? align : 1;
	sh.sh_entsize = entsize;
	sh.sh_link = link;
	sh.sh_info = info;
	sh.sh_size = size;
	if (!gelf_update_shdr(scn, &sh))
		fatal("libelf: gelf_update_shdr: %s", elf_errmsg(-1));
}

/* Locals first, as ELF requires; each symbol gets its index. */
static Elf64_Sym *build_symtab(struct elf_writer *w, struct strtab *strs, size_t *first_global)
{
	Elf64_Sym *syms = xcalloc(w->nr_symbols + 1, sizeof(*syms));
	size_t n = 1;

	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1)
			*first_global = n;
		for (size_t i = 0; i < w->nr_symbols; i++) {
			struct ow_symbol *s = w->symbols[i];
			Elf64_Sym *es = &syms[n];

			if ((s->bind == STB_LOCAL) != (pass == 0))
				continue;
			s->index = n++;
			es->st_name = (Elf64_Word)strtab_add(strs, s->name);
			es->st_info = ELF64_ST_INFO(s->bind, s->type);
			es->st_other = s->other;
			es->st_shndx = s->sec ? (Elf64_Section)s->sec->index : s->shndx;
			es->st_value = s->value;
			es->st_size = s->size;
		}
	}
	return syms;
}

static Elf64_Rela *build_relas(struct ow_section *sec)
{
	Elf64_Rela *r = xcalloc(sec->nr_relocs, sizeof(*r));

	for (size_t i = 0; i < sec->nr_relocs; i++) {
		r[i].r_offset = sec->relocs[i].offset;
		/* No symbol: a marker (ppc64's R_PPC64_ENTRY) */
		r[i].r_info = ELF64_R_INFO(sec->relocs[i].sym ? sec->relocs[i].sym->index : 0,
					   sec->relocs[i].type);
		r[i].r_addend = sec->relocs[i].addend;
	}
	return r;
}

/* The object being written: its ELF, its string tables, buffers to free after writing. */
struct elf_out {
	Elf *elf;
	struct strtab shstrs, strs;
	void **buffers;
	size_t nr_buffers;
};

static void begin_elf(struct elf_out *o, const struct elf_writer *w, int fd, GElf_Ehdr *eh)
{
	o->elf = elf_begin(fd, ELF_C_WRITE, NULL);
	if (!o->elf || !gelf_newehdr(o->elf, ELFCLASS64) || !gelf_getehdr(o->elf, eh))
		fatal("libelf: cannot create an ELF header: %s", elf_errmsg(-1));
	/* libelf translates headers, symbols and relocations into this byte order. */
	eh->e_ident[EI_DATA] = w->data;
	eh->e_type = ET_REL;
	eh->e_machine = (GElf_Half)w->machine;
	eh->e_flags = w->flags;
	eh->e_version = EV_CURRENT;
	o->buffers = xcalloc(w->nr_sections + 4, sizeof(*o->buffers));
	strtab_add(&o->shstrs, "");
	strtab_add(&o->strs, "");
}

/* Contents first, so that symbols know their section indexes. */
static void add_contents(struct elf_out *o, struct elf_writer *w)
{
	for (size_t i = 0; i < w->nr_sections; i++) {
		struct ow_section *sec = w->sections[i];
		Elf_Scn *scn;

		if (sec->target)
			continue;
		scn = new_section(o->elf, &sec->index);
		set_header(scn, strtab_add(&o->shstrs, sec->name), sec->type, sec->flags,
			   sec->align, sec->entsize, 0, sec->info, sec->size);
		set_data(scn, sec->data, sec->type == SHT_NOBITS ? 0 : sec->size, ELF_T_BYTE,
			 sec->align);
		if (sec->type == SHT_NOBITS)
			elf_getdata(scn, NULL)->d_size = sec->size;
	}
}

/* Once every index is known: SHF_LINK_ORDER sections name the section they go with. */
static void add_links(struct elf_out *o, struct elf_writer *w)
{
	for (size_t i = 0; i < w->nr_sections; i++) {
		struct ow_section *sec = w->sections[i];
		Elf_Scn *scn;
		GElf_Shdr sh;

		if (!sec->link_to || sec->target)
			continue;
		scn = elf_getscn(o->elf, sec->index);
		if (!scn || !gelf_getshdr(scn, &sh))
			fatal("libelf: section %zu: %s", sec->index, elf_errmsg(-1));
		sh.sh_link = (GElf_Word)sec->link_to->index;
		if (!gelf_update_shdr(scn, &sh))
			fatal("libelf: gelf_update_shdr: %s", elf_errmsg(-1));
	}
}

/* ".rela<name>" for each section with relocations, or the relocation section it is. */
static void add_relocations(struct elf_out *o, struct elf_writer *w, size_t symtab_index)
{
	for (size_t i = 0; i < w->nr_sections; i++) {
		struct ow_section *sec = w->sections[i];
		Elf64_Rela *relas;
		size_t idx;
		char *name;
		Elf_Scn *scn;

		if (!sec->nr_relocs)
			continue;
		relas = build_relas(sec);
		o->buffers[o->nr_buffers++] = relas;
		name = sec->target ? xstrdup(sec->name) : xasprintf(".rela%s", sec->name);
		scn = new_section(o->elf, sec->target ? &sec->index : &idx);
		set_header(scn, strtab_add(&o->shstrs, name), SHT_RELA,
			   sec->target ? sec->flags : SHF_INFO_LINK, 8, sizeof(Elf64_Rela),
			   (GElf_Word)symtab_index,
			   (GElf_Word)(sec->target ? sec->target->index : sec->index),
			   sec->nr_relocs * sizeof(Elf64_Rela));
		free(name);
		set_data(scn, relas, sec->nr_relocs * sizeof(Elf64_Rela), ELF_T_RELA, 8);
	}
}

/* .strtab, made earlier at @strtab, and .shstrtab last; returns .shstrtab's index. */
static size_t add_string_tables(struct elf_out *o, Elf_Scn *strtab)
{
	size_t shstrtab_index, name;
	Elf_Scn *shstrtab = new_section(o->elf, &shstrtab_index);

	name = strtab_add(&o->shstrs, ".shstrtab");
	set_header(strtab, strtab_add(&o->shstrs, ".strtab"), SHT_STRTAB, 0, 1, 0, 0, 0,
		   o->strs.size);
	set_data(strtab, o->strs.data, o->strs.size, ELF_T_BYTE, 1);
	/* Its own name is in it: add every name before sizing it. */
	set_header(shstrtab, name, SHT_STRTAB, 0, 1, 0, 0, 0, o->shstrs.size);
	set_data(shstrtab, o->shstrs.data, o->shstrs.size, ELF_T_BYTE, 1);
	return shstrtab_index;
}

static void end_elf(struct elf_out *o)
{
	elf_end(o->elf);
	for (size_t i = 0; i < o->nr_buffers; i++)
		free(o->buffers[i]);
	free(o->buffers);
	free(o->shstrs.data);
	free(o->strs.data);
}

static int write_elf(struct elf_writer *w, int fd, const char *path)
{
	struct elf_out o = { 0 };
	size_t symtab_index, strtab_index, shstrtab_index, first_global = 1;
	size_t symtab_size = (w->nr_symbols + 1) * sizeof(Elf64_Sym);
	Elf_Scn *symtab, *strtab;
	Elf64_Sym *syms;
	GElf_Ehdr eh;
	int ret = 0;

	begin_elf(&o, w, fd, &eh);
	add_contents(&o, w);
	add_links(&o, w);
	symtab = new_section(o.elf, &symtab_index);
	strtab = new_section(o.elf, &strtab_index);
	syms = build_symtab(w, &o.strs, &first_global);
	o.buffers[o.nr_buffers++] = syms;
	add_relocations(&o, w, symtab_index);
	set_header(symtab, strtab_add(&o.shstrs, ".symtab"), SHT_SYMTAB, 0, 8, sizeof(Elf64_Sym),
		   (GElf_Word)strtab_index, (GElf_Word)first_global, symtab_size);
	set_data(symtab, syms, symtab_size, ELF_T_SYM, 8);
	shstrtab_index = add_string_tables(&o, strtab);
	if (shstrtab_index >= SHN_LORESERVE)
		fatal("%s: too many sections for klpdiff's writer", path);
	eh.e_shstrndx = (GElf_Half)shstrtab_index;
	if (!gelf_update_ehdr(o.elf, &eh))
		fatal("libelf: gelf_update_ehdr: %s", elf_errmsg(-1));
	if (elf_update(o.elf, ELF_C_WRITE) < 0)
		ret = error(path, "cannot write: %s", elf_errmsg(-1));
	end_elf(&o);
	return ret;
}

static int fill_elf(int fd, const char *path, void *w)
{
	return write_elf(w, fd, path);
}

int ow_write(struct elf_writer *w, const char *path)
{
	elf_version(EV_CURRENT);
	return write_atomically(path, 0644, fill_elf, w);
}
