// SPDX-License-Identifier: GPL-2.0-or-later
#include "elf/elf_object.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "elf/elf_internal.h"
#include "elf/names.h"

_Static_assert(sizeof(struct elf_reloc) == sizeof(Elf64_Rela) &&
		       offsetof(struct elf_reloc, info) == offsetof(Elf64_Rela, r_info) &&
		       offsetof(struct elf_reloc, addend) == offsetof(Elf64_Rela, r_addend),
	       "struct elf_reloc reads Elf64_Rela in place");

static int check_file(struct elf_object *obj, int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		return BAD(obj, "cannot stat: %s", strerror(errno));
	if (S_ISDIR(st.st_mode))
		return BAD(obj, "is a directory, not an object file");
	if (!S_ISREG(st.st_mode))
		return BAD(obj, "not a regular file");
	if (st.st_size == 0)
		return BAD(obj, "empty file, not an object file");
	obj->file_size = (uint64_t)st.st_size;
	return 0;
}

/*
 * The file is mapped by us and read by libelf through elf_memory(): only the
 * pages read count, libelf uses the section headers where they are (with
 * ELF_C_READ_MMAP it copies them to the heap, 11 MB for a vmlinux.o), and
 * the map outlives libelf's descriptor (see release_libelf()). Private and
 * writable as libelf's own ELF_C_READ_MMAP_PRIVATE map; nothing writes to it.
 */
static int open_file(struct elf_object *obj)
{
	/* O_NONBLOCK: a FIFO must not hang us; it is refused below. */
	int fd = open(obj->path, O_RDONLY | O_NONBLOCK);
	void *map;

	if (fd < 0)
		return BAD(obj, "cannot open: %s", strerror(errno));
	if (check_file(obj, fd)) {
		close(fd);
		return -1;
	}
	map = mmap(NULL, obj->file_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return BAD(obj, "cannot map: %s", strerror(errno));
	obj->map = map;
	obj->elf = elf_memory(obj->map, obj->file_size);
	if (!obj->elf)
		return BAD(obj, "cannot read: %s", elf_errmsg(-1));
	return 0;
}

static bool in_map(const struct elf_object *obj, const void *p)
{
	uintptr_t start = (uintptr_t)obj->map;

	return (uintptr_t)p >= start && (uintptr_t)p - start < obj->file_size;
}

/*
 * Once the sections are read, libelf's descriptors (200 bytes a section,
 * 37 MB for a vmlinux.o) are no longer needed: release them, unless the
 * model points into copies libelf made (of byte-swapped or misaligned data).
 */
static void release_libelf(struct elf_object *obj)
{
	struct elf_section *sec;

	for_each_section(obj, sec)
		if (!in_map(obj, sec->sh) || !in_map(obj, sec->name) ||
		    (sec->data && !in_map(obj, sec->data)))
			return;
	elf_end(obj->elf);
	obj->elf = NULL;
}

static int check_header(struct elf_object *obj)
{
	if (elf_kind(obj->elf) != ELF_K_ELF)
		return BAD(obj, "not an ELF file");
	if (gelf_getclass(obj->elf) != ELFCLASS64)
		return BAD(obj, "not a 64-bit ELF file (only ELFCLASS64 is supported)");
	if (!gelf_getehdr(obj->elf, &obj->ehdr))
		return BAD(obj, "bad ELF header: %s", elf_errmsg(-1));
	if (obj->ehdr.e_type != ET_REL)
		return BAD(obj, "not a relocatable object (ELF type %u, expected ET_REL)",
			   obj->ehdr.e_type);
	obj->arch = arch_for_machine(obj->ehdr.e_machine, obj->ehdr.e_ident[EI_DATA]);
	if (!obj->arch)
		return BAD(obj, "unsupported machine %u, %s (supported: %s)", obj->ehdr.e_machine,
			   obj->ehdr.e_ident[EI_DATA] == ELFDATA2MSB ? "big-endian" : "little-endian",
			   arch_names(false));
	if (obj->ehdr.e_shoff > obj->file_size)
		return BAD(obj, "section header table offset %#lx beyond end of file",
			   (unsigned long)obj->ehdr.e_shoff);
	if (obj->ehdr.e_shnum && (uint64_t)obj->ehdr.e_shnum * obj->ehdr.e_shentsize >
					 obj->file_size - obj->ehdr.e_shoff)
		return BAD(obj, "section header table extends beyond end of file (truncated?)");
	return 0;
}

static bool is_aligned(const void *p, size_t align)
{
	return (uintptr_t)p % align == 0;
}

/* Symbols and relocations are read in place, as 8-byte aligned structures. */
static bool holds_entries(const struct elf_section *sec)
{
	return sec->sh->sh_type == SHT_SYMTAB || sec->sh->sh_type == SHT_RELA ||
	       sec->sh->sh_type == SHT_REL;
}

static const uint8_t *section_bytes(struct elf_object *obj, struct elf_section *sec, Elf_Scn *scn)
{
	Elf_Data *data;

	if (sec->sh->sh_type == SHT_NOBITS || sec->sh->sh_size == 0)
		return NULL;
	data = elf_getdata(scn, NULL);
	if (!data || data->d_size != sec->sh->sh_size) {
		BAD(obj, "section %s: cannot read its contents: %s", sec->name,
		    data ? "size mismatch" : elf_errmsg(-1));
		return (const uint8_t *)-1;
	}
	return data->d_buf;
}

static int read_sections(struct elf_object *obj)
{
	size_t shnum, shstrndx;

	if (elf_getshdrnum(obj->elf, &shnum) || elf_getshdrstrndx(obj->elf, &shstrndx))
		return BAD(obj, "bad section headers: %s", elf_errmsg(-1));
	if (shstrndx >= shnum)
		return BAD(obj, "section name table index %zu out of range", shstrndx);
	if (shnum > UINT32_MAX)
		return BAD(obj, "too many sections (%zu)", shnum);
	obj->nr_sections = shnum;
	obj->shstrndx = shstrndx;
	obj->sections = xcalloc(shnum, sizeof(*obj->sections));
	for (size_t i = 0; i < shnum; i++) {
		struct elf_section *sec = &obj->sections[i];
		Elf_Scn *scn = elf_getscn(obj->elf, i);

		sec->index = (uint32_t)i;
		sec->sh = scn ? elf64_getshdr(scn) : NULL;
		if (!sec->sh)
			return BAD(obj, "bad section header %zu: %s", i, elf_errmsg(-1));
		/* libelf on x86 hands out misaligned headers in place; C may not read them. */
		if (!is_aligned(sec->sh, _Alignof(Elf64_Shdr)))
			return BAD(obj, "section header table at offset %#lx is not 8-byte aligned",
				   (unsigned long)obj->ehdr.e_shoff);
		sec->name = elf_strptr(obj->elf, shstrndx, sec->sh->sh_name);
		if (!sec->name)
			return BAD(obj, "section %zu: name offset out of range", i);
		if (sec->sh->sh_type != SHT_NOBITS &&
		    (sec->sh->sh_offset > obj->file_size ||
		     sec->sh->sh_size > obj->file_size - sec->sh->sh_offset))
			return BAD(obj, "section %s: contents (offset %#lx, size %#lx) beyond end of file",
				   sec->name, (unsigned long)sec->sh->sh_offset,
				   (unsigned long)sec->sh->sh_size);
		sec->data = section_bytes(obj, sec, scn);
		if (sec->data == (const uint8_t *)-1)
			return -1;
		if (sec->data && holds_entries(sec) && !is_aligned(sec->data, 8))
			return BAD(obj, "section %s at offset %#lx is not 8-byte aligned", sec->name,
				   (unsigned long)sec->sh->sh_offset);
		sec->is_code = sec->sh->sh_flags & SHF_EXECINSTR;
		sec->special = layout_first(obj->arch, sec->name);	/* elf_choose_layouts() */
	}
	release_libelf(obj);
	return 0;
}

static struct elf_section *find_symtab(struct elf_object *obj)
{
	struct elf_section *sec, *found = NULL;

	for_each_section(obj, sec) {
		if (sec->sh->sh_type != SHT_SYMTAB)
			continue;
		if (found) {
			BAD(obj, "more than one symbol table");
			return NULL;
		}
		found = sec;
	}
	if (!found)
		BAD(obj, "no symbol table (stripped object?)");
	return found;
}

static const Elf32_Word *find_shndx_table(struct elf_object *obj, struct elf_section *symtab)
{
	struct elf_section *sec;

	for_each_section(obj, sec)
		if (sec->sh->sh_type == SHT_SYMTAB_SHNDX && sec->sh->sh_link == symtab->index &&
		    sec->data && sec->sh->sh_size / 4 >= obj->nr_symbols)
			return (const Elf32_Word *)sec->data;
	return NULL;
}

static int read_symbol(struct elf_object *obj, struct elf_symbol *sym, const Elf64_Sym *es,
		       const Elf32_Word *shndx_table, struct elf_section *strtab)
{
	size_t shndx = es->st_shndx;

	if (es->st_name >= strtab->sh->sh_size)
		return BAD(obj, "symbol %u: name offset out of range", sym->index);
	sym->name = (const char *)strtab->data + es->st_name;
	sym->type = ELF64_ST_TYPE(es->st_info);
	sym->bind = ELF64_ST_BIND(es->st_info);
	sym->other = es->st_other;
	sym->value = es->st_value;
	sym->size = es->st_size;
	if (shndx == SHN_XINDEX) {
		if (!shndx_table)
			return BAD(obj, "symbol %s: extended section index without SHT_SYMTAB_SHNDX",
				   sym->name);
		shndx = shndx_table[sym->index];
	} else if (shndx >= SHN_LORESERVE) {
		return 0;	/* SHN_ABS, SHN_COMMON, SHN_LIVEPATCH: not in a section */
	}
	if (shndx == SHN_UNDEF)
		return 0;
	if (shndx >= obj->nr_sections)
		return BAD(obj, "symbol %s: section index %zu out of range", sym->name, shndx);
	sym->sec = &obj->sections[shndx];
	if (sym->type == STT_SECTION) {
		sym->name = sym->sec->name;
	} else if (sym->value > sym->sec->sh->sh_size ||
		   sym->size > sym->sec->sh->sh_size - sym->value) {
		return BAD(obj, "symbol %s: extends beyond its section %s", sym->name,
			   sym->sec->name);
	}
	return 0;
}

/* Most names are their own key: share the string then. */
static void set_key(struct elf_symbol *sym)
{
	char *key = name_key(sym->name);

	if (streq(key, sym->name)) {
		free(key);
		sym->key = sym->name;
	} else {
		sym->key = key;
	}
	sym->key_hash = XXH3_64bits(sym->key, strlen(sym->key));
}

/* A later FILE symbol of an already seen name gets "name#2", "name#3", ... */
static const char *add_unit(struct elf_object *obj, struct strmap *seen, size_t *alloc,
			    const char *name)
{
	void **count = strmap_slot(seen, name);
	uintptr_t n = (uintptr_t)*count + 1;
	char *unit = n == 1 ? xstrdup(name) : xasprintf("%s#%lu", name, (unsigned long)n);

	*count = (void *)n;
	GROW(obj->units, obj->nr_units, *alloc, obj->nr_units + 1);
	obj->nr_units++;
	obj->units[obj->nr_units - 1] = unit;
	return unit;
}

static int read_symbols(struct elf_object *obj)
{
	struct elf_section *symtab = find_symtab(obj), *strtab;
	const Elf32_Word *shndx_table;
	const Elf64_Sym *esyms;
	const char *unit = NULL;
	struct strmap seen_units = { 0 };
	size_t units_alloc = 0;
	int ret = 0;

	if (!symtab)
		return -1;
	if (symtab->sh->sh_link >= obj->nr_sections || !symtab->data ||
	    symtab->sh->sh_entsize != sizeof(Elf64_Sym))
		return BAD(obj, "malformed symbol table");
	strtab = &obj->sections[symtab->sh->sh_link];
	if (!strtab->data || strtab->data[strtab->sh->sh_size - 1] != '\0')
		return BAD(obj, "malformed symbol string table");
	esyms = (const Elf64_Sym *)symtab->data;
	obj->nr_symbols = symtab->sh->sh_size / sizeof(Elf64_Sym);
	if (obj->nr_symbols > UINT32_MAX)
		return BAD(obj, "too many symbols");
	obj->symbols = xcalloc(obj->nr_symbols, sizeof(*obj->symbols));
	shndx_table = find_shndx_table(obj, symtab);
	for (size_t i = 0; i < obj->nr_symbols && !ret; i++) {
		struct elf_symbol *sym = &obj->symbols[i];

		sym->index = (uint32_t)i;
		if (i == 0) {
			static const Elf64_Sym null_sym;

			if (memcmp(&esyms[0], &null_sym, sizeof(null_sym)))
				ret = BAD(obj, "symbol 0 is not the null symbol");
			sym->name = sym->key = "";
			continue;
		}
		ret = read_symbol(obj, sym, &esyms[i], shndx_table, strtab);
		if (ret)
			continue;
		if (sym->type == STT_FILE)
			unit = add_unit(obj, &seen_units, &units_alloc, sym->name);
		else if (sym->bind == STB_LOCAL)
			sym->unit = unit;	/* ld.lld -r: section symbols follow their FILE */
		set_key(sym);
	}
	strmap_free(&seen_units);
	return ret;
}

/* Symbols that name a place in a section: functions, objects, labels. */
static bool is_addressable(const struct elf_symbol *sym)
{
	return sym->sec && sym->type != STT_SECTION && sym->type != STT_FILE && *sym->name &&
	       !(sym->name[0] == '.' && sym->name[1] == 'L');
}

static int rank(const struct elf_symbol *s)
{
	/* Among symbols at one address, the best name for it sorts last. */
	if (s->type == STT_FUNC || s->type == STT_OBJECT || s->type == STT_TLS)
		return s->bind == STB_LOCAL ? 2 : 3;
	return s->bind == STB_LOCAL ? 0 : 1;
}

static int cmp_sym_addr(const void *a, const void *b)
{
	const struct elf_symbol *x = *(struct elf_symbol *const *)a;
	const struct elf_symbol *y = *(struct elf_symbol *const *)b;

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	if (rank(x) != rank(y))
		return rank(x) - rank(y);
	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void index_section_symbols(struct elf_object *obj)
{
	struct elf_symbol *sym, **pool;
	struct elf_section *sec;
	size_t total = 0;

	for_each_symbol(obj, sym)
		if (is_addressable(sym)) {
			sym->sec->nr_syms++;
			total++;
		}
	pool = xmalloc(total * sizeof(*pool));
	for_each_section(obj, sec) {
		sec->syms = pool;
		pool += sec->nr_syms;
		sec->nr_syms = 0;
	}
	for_each_symbol(obj, sym)
		if (is_addressable(sym))
			sym->sec->syms[sym->sec->nr_syms++] = sym;
	for_each_section(obj, sec) {
		size_t funcs = 0;

		sort(sec->syms, sec->nr_syms, sizeof(*sec->syms), cmp_sym_addr);
		for (size_t i = 0; i < sec->nr_syms; i++)
			funcs += sym_is_func(sec->syms[i]);
		sec->shared_code = sec->is_code && (funcs > 1 || sec->nr_syms > funcs + 0 ||
						    (funcs == 1 && sec->syms[0]->size != sec->sh->sh_size));
	}
}

/*
 * Globals have no FILE symbol before them. A section's unit is that of the
 * locals defined in it (and of its section symbol, which ld.lld -r puts after
 * the FILE symbol of its input). But ld -r merges same-named sections of
 * several inputs: a global outside the span of the unit's locals there may
 * come from another input, and stays unknown. A section holding only globals
 * belongs to the unit on both sides of it, when both sides agree (ld -r keeps
 * sections in input order).
 */
struct section_units {
	const char **unit;
	uint64_t *lo, *hi;	/* span of the unit's sized locals */
};

static void find_section_units(struct elf_object *obj, struct section_units *su, const char *mixed)
{
	struct elf_symbol *sym;

	for_each_symbol(obj, sym) {
		size_t i;

		if (!sym->unit || !sym->sec)
			continue;
		i = sym->sec->index;
		su->unit[i] = !su->unit[i] || su->unit[i] == sym->unit ? sym->unit : mixed;
		if (sym->type == STT_SECTION || !sym->size)
			continue;
		if (su->lo[i] == su->hi[i] || sym->value < su->lo[i])
			su->lo[i] = sym->value;
		if (sym->value + sym->size > su->hi[i])
			su->hi[i] = sym->value + sym->size;
	}
}

static void assign_global_units(struct elf_object *obj)
{
	struct section_units su = {
		xcalloc(obj->nr_sections, sizeof(*su.unit)),
		xcalloc(obj->nr_sections, sizeof(*su.lo)),
		xcalloc(obj->nr_sections, sizeof(*su.hi)),
	};
	const char **before = xcalloc(obj->nr_sections, sizeof(*before));
	const char *mixed = "", *last = NULL;
	struct elf_symbol *sym;

	find_section_units(obj, &su, mixed);
	for (size_t i = 0; i < obj->nr_sections; i++) {
		before[i] = last;
		if (su.unit[i] && su.unit[i] != mixed)
			last = su.unit[i];
	}
	last = NULL;
	for (size_t i = obj->nr_sections; i-- > 0;) {
		if (!su.unit[i] && before[i] == last)
			su.unit[i] = last;
		else if (su.unit[i] && su.unit[i] != mixed)
			last = su.unit[i];
	}
	for_each_symbol(obj, sym) {
		size_t i;
		const char *u;

		if (sym->unit || !sym->sec || sym->type == STT_SECTION)
			continue;
		i = sym->sec->index;
		u = su.unit[i];
		if (su.lo[i] != su.hi[i] && (sym->value < su.lo[i] || sym->value >= su.hi[i]))
			u = NULL;
		if (obj->nr_units == 1)
			u = obj->units[0];
		sym->unit = u == mixed ? NULL : u;
	}
	free(su.unit);
	free(su.lo);
	free(su.hi);
	free(before);
}

int elf_same_machine(const struct elf_object *orig, const struct elf_object *patched)
{
	if (orig->arch != patched->arch)
		return error(patched->path, "architecture %s, but %s is %s: objects of two "
			     "architectures", patched->arch->name, orig->path, orig->arch->name);
	if (orig->ehdr.e_ident[EI_DATA] != patched->ehdr.e_ident[EI_DATA])
		return error(patched->path, "byte order differs from %s's", orig->path);
	return 0;
}

static struct elf_object *open_object(const char *path, bool checksums_only,
				      const struct elf_layouts *target)
{
	struct elf_object *obj = xcalloc(1, sizeof(*obj));

	obj->path = path;
	obj->checksums_only = checksums_only;
	elf_version(EV_CURRENT);
	if (open_file(obj) || check_header(obj) || read_sections(obj) || read_symbols(obj) ||
	    elf_read_relocs(obj) || elf_choose_layouts(obj, target)) {
		elf_close(obj);
		return NULL;
	}
	index_section_symbols(obj);
	assign_global_units(obj);
	return obj;
}

struct elf_object *elf_open(const char *path, const struct elf_layouts *target)
{
	return open_object(path, false, target);
}

struct elf_object *elf_open_for_checksums(const char *path, const struct elf_layouts *target)
{
	return open_object(path, true, target);
}

void elf_close(struct elf_object *obj)
{
	if (!obj)
		return;
	for (size_t i = 0; i < obj->nr_sections; i++)
		if (obj->sections[i].relocs_copied)
			free((void *)obj->sections[i].relocs);
	if (obj->nr_sections)
		free(obj->sections[0].syms);
	free(obj->sections);
	for (size_t i = 0; i < obj->nr_symbols; i++)
		if (obj->symbols[i].key != obj->symbols[i].name)
			free((char *)obj->symbols[i].key);
	free(obj->symbols);
	for (size_t i = 0; i < obj->nr_units; i++)
		free(obj->units[i]);
	free(obj->units);
	strmap_free(&obj->by_name);
	strmap_free(&obj->section_by_name);
	if (obj->elf)
		elf_end(obj->elf);
	if (obj->map)
		munmap(obj->map, obj->file_size);
	free(obj);
}

/* Built on first lookup: sums never looks symbols up by name. */
static void index_symbol_names(struct elf_object *obj)
{
	strmap_init(&obj->by_name, obj->nr_symbols);
	/* Backwards, prepending: each name's chain is in symbol order. */
	for (size_t i = obj->nr_symbols; i-- > 0;) {
		struct elf_symbol *sym = &obj->symbols[i];
		void **slot;

		if (!sym_has_name(sym))
			continue;
		slot = strmap_slot(&obj->by_name, sym->name);
		sym->next_same_name = *slot;
		*slot = sym;
	}
}

struct elf_symbol *elf_find_symbol(const struct elf_object *obj, const char *name)
{
	/* The index is a cache: building it does not change the object. */
	if (!obj->by_name.slots)
		index_symbol_names((struct elf_object *)obj);
	return strmap_get(&obj->by_name, name);
}

struct elf_section *elf_find_section(struct elf_object *obj, const char *name)
{
	/* Indexed on first use: sums never looks sections up by name. */
	if (!obj->section_by_name.slots) {
		strmap_init(&obj->section_by_name, obj->nr_sections);
		for (size_t i = obj->nr_sections; i-- > 0;)
			*strmap_slot(&obj->section_by_name, obj->sections[i].name) = &obj->sections[i];
	}
	return strmap_get(&obj->section_by_name, name);
}

static bool covers(const struct elf_symbol *s, uint64_t offset)
{
	return s->value <= offset && (offset < s->value + s->size ||
				      (s->size == 0 && offset == s->value));
}

static bool sym_starts_by(const void *elem, const void *key)
{
	return (*(struct elf_symbol *const *)elem)->value <= *(const uint64_t *)key;
}

struct elf_symbol *elf_symbol_containing(const struct elf_section *sec, uint64_t offset)
{
	/* Past the last symbol starting at or before @offset. */
	size_t lo = partition_point(sec->syms, sec->nr_syms, sizeof(*sec->syms), &offset,
				    sym_starts_by);

	if (!lo)
		return NULL;
	/* Prefer a sized symbol covering @offset; look back past a few nested labels. */
	for (size_t i = lo, steps = 0; i-- > 0 && steps < 8; steps++)
		if (sec->syms[i]->size && covers(sec->syms[i], offset))
			return sec->syms[i];
	return sec->syms[lo - 1];
}

static bool reloc_before(const void *elem, const void *key)
{
	return ((const struct elf_reloc *)elem)->offset < *(const uint64_t *)key;
}

size_t elf_first_reloc(const struct elf_section *sec, uint64_t offset)
{
	return partition_point(sec->relocs, sec->nr_relocs, sizeof(*sec->relocs), &offset,
			       reloc_before);
}
