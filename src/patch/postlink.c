// SPDX-License-Identifier: GPL-2.0-or-later
#include "patch/postlink.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "elf/elf_writer.h"
#include "patch/patch_object.h"
#include "base/util.h"

/* From the kernel's include/uapi/linux/elf.h; libc's <elf.h> lacks them. */
#ifndef SHF_RELA_LIVEPATCH
#define SHF_RELA_LIVEPATCH 0x00100000
#endif
#ifndef SHN_LIVEPATCH
#define SHN_LIVEPATCH 0xff20
#endif
#ifndef SHT_LLVM_ADDRSIG
#define SHT_LLVM_ADDRSIG 0x6fff4c03
#endif

/* klp_resolve_symbols() reads the symbol name with %511[^,]. */
#define KLP_SYM_NAME_MAX 511
/* ... and the sympos with %lu: at most 19 digits always fit an unsigned long. */
#define KLP_SYMPOS_DIGITS_MAX 19

/* The .klpdiff.relocs table of one object. */
struct klp_table {
	struct elf_object *obj;
	struct elf_section *relocs, *strings;
	size_t nr;
};

/* One entry, resolved to where it applies. */
struct klp_reloc {
	struct elf_section *sec;
	uint64_t offset;
	const char *name;	/* .klp.sym.OBJNAME.SYMBOL,SYMPOS */
	char objname[KLP_MODULE_NAME_MAX + 1];
	const char *with;	/* the object it is applied with: objname, or a module using it */
	int64_t addend;
	uint32_t type;
	unsigned width;
	bool has_placeholder;	/* an ordinary relocation for objtool at the place */
};

#define BAD_ENTRY(t, i, fmt, ...) \
	error((t)->obj->path, RELOCS_SECTION " entry %zu: " fmt, (i), ##__VA_ARGS__)

static int open_table(struct elf_object *obj, struct klp_table *t)
{
	memset(t, 0, sizeof(*t));
	t->obj = obj;
	t->relocs = elf_find_section(obj, RELOCS_SECTION);
	if (!t->relocs || !t->relocs->sh->sh_size)
		return 0;
	if (t->relocs->sh->sh_size % sizeof(struct klp_reloc_entry) || !t->relocs->data)
		return error(obj->path, RELOCS_SECTION " is not a table of %zu-byte entries",
			     sizeof(struct klp_reloc_entry));
	t->nr = t->relocs->sh->sh_size / sizeof(struct klp_reloc_entry);
	t->strings = elf_find_section(obj, STRINGS_SECTION);
	if (!t->strings || !t->strings->data)
		return error(obj->path, RELOCS_SECTION " without " STRINGS_SECTION);
	return 0;
}

/* Where the 64-bit absolute relocation filling field @field of entry @i points. */
static int field_target(const struct klp_table *t, size_t i, size_t field, const char *what,
			struct elf_section **sec, uint64_t *offset)
{
	uint64_t at = i * sizeof(struct klp_reloc_entry) + field;
	size_t k = elf_first_reloc(t->relocs, at);
	const struct elf_reloc *r;
	const struct elf_symbol *rs;

	if (k >= t->relocs->nr_relocs || t->relocs->relocs[k].offset != at)
		return BAD_ENTRY(t, i, "no relocation fills its %s field", what);
	r = &t->relocs->relocs[k];
	rs = elf_reloc_sym(t->obj, r);
	if (elf_reloc_type(r) != t->obj->arch->reloc_abs64)
		return BAD_ENTRY(t, i, "its %s field has relocation type %u, not a 64-bit "
				 "absolute one", what, elf_reloc_type(r));
	if (!rs->sec)
		return BAD_ENTRY(t, i, "its %s field refers to %s, which is not defined here",
				 what, rs->name);
	*sec = rs->sec;
	*offset = rs->value + (uint64_t)r->addend;
	if (*offset >= (*sec)->sh->sh_size)
		return BAD_ENTRY(t, i, "its %s field points past the end of %s", what,
				 (*sec)->name);
	return 0;
}

/* Check ".klp.sym.OBJNAME.SYMBOL,SYMPOS" as klp_resolve_symbols() parses it. */
static bool parse_klp_sym(const char *name, char *objname)
{
	const char *obj = name + strlen(KLP_SYM_PREFIX), *dot, *comma, *p;

	if (!starts_with(name, KLP_SYM_PREFIX))
		return false;
	dot = strchr(obj, '.');
	if (!dot || dot == obj || dot - obj > KLP_MODULE_NAME_MAX)
		return false;
	memcpy(objname, obj, (size_t)(dot - obj));
	objname[dot - obj] = '\0';
	if (!streq(objname, "vmlinux") && !klp_valid_module_name(objname))
		return false;
	comma = strchr(dot + 1, ',');
	if (!comma || comma == dot + 1 || comma - (dot + 1) > KLP_SYM_NAME_MAX)
		return false;
	for (p = comma + 1; *p >= '0' && *p <= '9'; p++)
		;
	return p > comma + 1 && !*p && p - (comma + 1) <= KLP_SYMPOS_DIGITS_MAX;
}

static bool all_zero(const uint8_t *p, unsigned n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

/* A relocation extract put at a livepatch relocation's place for objtool (patch_object.h). */
static bool is_placeholder(const struct elf_object *obj, const struct elf_reloc *r)
{
	const struct elf_symbol *rs = elf_reloc_sym(obj, r);

	return !rs->sec && rs->name && starts_with(rs->name, PLACEHOLDER_PREFIX);
}

/* The placeholder at @offset of @sec, or NULL. */
static const struct elf_reloc *placeholder_at(const struct elf_object *obj,
					      const struct elf_section *sec, uint64_t offset)
{
	for (size_t k = elf_first_reloc(sec, offset);
	     k < sec->nr_relocs && sec->relocs[k].offset == offset; k++)
		if (is_placeholder(obj, &sec->relocs[k]))
			return &sec->relocs[k];
	return NULL;
}

/* Does an ordinary relocation of @sec, not a placeholder, touch [@offset, @offset + @width)? */
static bool overlaps_reloc(const struct elf_object *obj, const struct elf_section *sec,
			   uint64_t offset, unsigned width)
{
	size_t k = elf_first_reloc(sec, offset);

	for (size_t j = k; j < sec->nr_relocs && sec->relocs[j].offset < offset + width; j++)
		if (!is_placeholder(obj, &sec->relocs[j]))
			return true;
	while (k-- > 0)
		if (!is_placeholder(obj, &sec->relocs[k]))
			return sec->relocs[k].offset + elf_reloc_howto(obj, &sec->relocs[k]).width >
			       offset;
	return false;
}

/*
 * The object a relocation of a module's symbol is applied with, if not that
 * module (with_back, see struct klp_reloc_entry): a module that depends on
 * it. The kernel resolves no vmlinux symbol in a module's relocations.
 */
static int read_with(const struct klp_table *t, size_t i, uint64_t off, uint32_t back,
		     struct klp_reloc *kr)
{
	const char *with;

	kr->with = kr->objname;
	if (!back)
		return 0;
	with = back <= off ? (const char *)t->strings->data + off - back : NULL;
	if (!with || with[back - 1] || strlen(with) != back - 1 || !klp_valid_module_name(with))
		return BAD_ENTRY(t, i, "(%s) no module name %u bytes before its name", kr->name,
				 back);
	if (streq(kr->objname, "vmlinux") || streq(kr->objname, with))
		return BAD_ENTRY(t, i, "(%s) applied with module %s: only another module's "
				 "symbols can be", kr->name, with);
	kr->with = with;
	return 0;
}

static int read_name(const struct klp_table *t, size_t i, uint32_t with_back,
		     struct klp_reloc *kr)
{
	struct elf_section *sec;
	uint64_t off;

	if (field_target(t, i, offsetof(struct klp_reloc_entry, name), "name", &sec, &off))
		return -1;
	if (sec != t->strings)
		return BAD_ENTRY(t, i, "its name points into %s, not " STRINGS_SECTION,
				 sec->name);
	kr->name = (const char *)sec->data + off;
	if (!memchr(kr->name, '\0', sec->sh->sh_size - off))
		return BAD_ENTRY(t, i, "its name is not NUL-terminated");
	if (!parse_klp_sym(kr->name, kr->objname))
		return BAD_ENTRY(t, i, "bad livepatch symbol name '%s' (want "
				 KLP_SYM_PREFIX "OBJNAME.SYMBOL,SYMPOS)", kr->name);
	return read_with(t, i, off, with_back, kr);
}

static int check_place(const struct klp_table *t, size_t i, struct klp_reloc *kr)
{
	const struct elf_section *sec = kr->sec;
	const struct elf_reloc *placeholder;

	if (starts_with(sec->name, ".klpdiff."))
		return BAD_ENTRY(t, i, "(%s) its place is in %s", kr->name, sec->name);
	if (!(sec->sh->sh_flags & SHF_ALLOC))
		return BAD_ENTRY(t, i, "(%s) its place is in %s, which is not loaded", kr->name,
				 sec->name);
	if (kr->offset + kr->width > sec->sh->sh_size)
		return BAD_ENTRY(t, i, "(%s) its place %s+%#lx runs past the section end",
				 kr->name, sec->name, (unsigned long)kr->offset);
	/* x86-64's apply_relocate_add() refuses to write over anything but zeros. */
	if (t->obj->arch->kernel.klp_place_zeroed && sec->data &&
	    !all_zero(sec->data + kr->offset, kr->width))
		return BAD_ENTRY(t, i, "(%s) the bytes at %s+%#lx are not zero", kr->name,
				 sec->name, (unsigned long)kr->offset);
	if (overlaps_reloc(t->obj, sec, kr->offset, kr->width))
		return BAD_ENTRY(t, i, "(%s) an ordinary relocation also writes at %s+%#lx",
				 kr->name, sec->name, (unsigned long)kr->offset);
	placeholder = placeholder_at(t->obj, sec, kr->offset);
	kr->has_placeholder = placeholder;
	if (placeholder && (elf_reloc_type(placeholder) != kr->type ||
			    !streq(elf_reloc_sym(t->obj, placeholder)->name +
				   strlen(PLACEHOLDER_PREFIX), kr->name + strlen(KLP_SYM_PREFIX))))
		return BAD_ENTRY(t, i, "(%s) the placeholder relocation at %s+%#lx is another "
				 "one (%s, type %u)", kr->name, sec->name,
				 (unsigned long)kr->offset, elf_reloc_sym(t->obj, placeholder)->name,
				 elf_reloc_type(placeholder));
	/*
	 * A module's livepatch relocations are applied when that module loads,
	 * possibly long after the patch module freed its init sections.
	 */
	if (!streq(kr->with, "vmlinux") && starts_with(sec->name, ".init"))
		return BAD_ENTRY(t, i, "(%s) its place is in init section %s", kr->name,
				 sec->name);
	/* ... and again at each load: where the loader rewrites it, over its own rewrite. */
	if (!streq(kr->with, "vmlinux") && t->obj->arch->kernel.klp_place_align &&
	    !t->obj->arch->kernel.klp_place_align(kr->type, kr->offset))
		return error(t->obj->path, "refusing livepatch relocation %s (type %u) at "
			     "%s+%#lx: the module loader rewrites the instruction there on some "
			     "CPUs (arm64: an ADRP in a page's last 8 bytes, Cortex-A53 erratum "
			     "843419), and relocates it again at each load of module %s",
			     kr->name, kr->type, sec->name, (unsigned long)kr->offset, kr->with);
	return 0;
}

static int read_entry(const struct klp_table *t, size_t i, const struct klp_manifest *m,
		      struct klp_reloc *kr)
{
	struct klp_reloc_entry e;
	struct reloc_howto howto;

	/* The section data need not be aligned for the struct. */
	memcpy(&e, t->relocs->data + i * sizeof(e), sizeof(e));
	memset(kr, 0, sizeof(*kr));
	kr->addend = e.addend;
	kr->type = e.type;
	if (read_name(t, i, e.with_back, kr) ||
	    field_target(t, i, offsetof(struct klp_reloc_entry, place), "place", &kr->sec,
			 &kr->offset))
		return -1;
	if (!t->obj->arch->kernel.klp_reloc_ok || !t->obj->arch->kernel.klp_reloc_ok(kr->type) ||
	    !t->obj->arch->reloc_howto(kr->type, &howto))
		return BAD_ENTRY(t, i, "(%s) relocation type %u is not one the kernel applies "
				 "to live patches", kr->name, kr->type);
	kr->width = howto.width;
	/*
	 * vmlinux relocations are applied by the module loader whatever the
	 * patch's objects; a module's only for a klp_object of that module.
	 */
	if (!streq(kr->with, "vmlinux") && !klp_manifest_object(m, kr->with))
		return BAD_ENTRY(t, i, "(%s) object %s is not in the manifest (add an "
				 "'object %s' record)", kr->name, kr->with, kr->with);
	return check_place(t, i, kr);
}

struct klp_place {
	size_t sec;
	uint64_t offset;
	unsigned width;
	const char *name;
};

static int cmp_place(const void *a, const void *b)
{
	const struct klp_place *x = a, *y = b;

	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* Two relocations at one place: the kernel would refuse the second one. */
static int check_overlaps(const struct elf_object *obj, struct klp_place *places, size_t n)
{
	sort(places, n, sizeof(*places), cmp_place);
	for (size_t i = 1; i < n; i++)
		if (places[i].sec == places[i - 1].sec &&
		    places[i - 1].offset + places[i - 1].width > places[i].offset)
			return error(obj->path, "livepatch relocations for %s and %s both "
				     "write at %s+%#lx", places[i - 1].name, places[i].name,
				     obj->sections[places[i].sec].name,
				     (unsigned long)places[i].offset);
	return 0;
}

int klp_relocs_check(struct elf_object *obj, const struct klp_manifest *m)
{
	struct klp_place *places;
	struct klp_table t;
	struct klp_reloc kr;
	int ret = 0;

	if (open_table(obj, &t))
		return -1;
	places = xcalloc(t.nr, sizeof(*places));
	for (size_t i = 0; i < t.nr && !ret; i++) {
		ret = read_entry(&t, i, m, &kr);
		places[i] = (struct klp_place){ kr.sec ? kr.sec->index : 0, kr.offset, kr.width,
						kr.name };
	}
	if (!ret)
		ret = check_overlaps(obj, places, t.nr);
	free(places);
	return ret;
}

/* The input module, and what each of its sections and symbols became. */
struct postlink {
	struct elf_object *obj;
	struct elf_writer w;
	struct ow_section **secs;	/* by input index; NULL: left out */
	struct ow_symbol **syms;
	const Elf64_Sym *raw_syms;	/* for st_shndx values the model drops */
	size_t strtab_index, shstrtab_index;
	size_t nr_placeholders;		/* placeholder relocations dropped */
};

static int find_tables(struct postlink *pl)
{
	struct elf_section *sec;

	pl->shstrtab_index = pl->obj->shstrndx;
	for_each_section(pl->obj, sec) {
		if (sec->sh->sh_type != SHT_SYMTAB)
			continue;
		pl->strtab_index = sec->sh->sh_link;
		pl->raw_syms = (const Elf64_Sym *)sec->data;
	}
	return 0;
}

/* 1: leave @sec out (rebuilt or klpdiff's own); 0: copy it; -1: cannot. */
static int leave_out(const struct postlink *pl, const struct elf_section *sec)
{
	const char *path = pl->obj->path;

	switch (sec->sh->sh_type) {
	case SHT_NULL:
	case SHT_SYMTAB:
	case SHT_SYMTAB_SHNDX:
	case SHT_LLVM_ADDRSIG:	/* only for the linker's identical code folding */
		return 1;
	case SHT_RELA:
		if (sec->sh->sh_flags & SHF_RELA_LIVEPATCH)
			return error(path, "already has livepatch relocations (%s)", sec->name);
		return 1;	/* rebuilt from the model, against the new symbol table */
	case SHT_REL:
		return error(path, "%s: SHT_REL relocations, not SHT_RELA", sec->name);
	case SHT_GROUP:
		return error(path, "%s: section groups are not supported", sec->name);
	case SHT_STRTAB:
		if (sec->index == pl->strtab_index || sec->index == pl->shstrtab_index)
			return 1;
		break;
	}
	if (starts_with(sec->name, ".klpdiff."))
		return 1;
	/* SHF_LINK_ORDER (__patchable_function_entries of CALL_PADDING kernels) is kept. */
	if ((sec->sh->sh_link && !(sec->sh->sh_flags & SHF_LINK_ORDER)) ||
	    (sec->sh->sh_flags & (SHF_GROUP | SHF_INFO_LINK)))
		return error(path, "%s: sections linked to other sections are not supported",
			     sec->name);
	return 0;
}

/* A copied SHF_LINK_ORDER section goes with the copy of its linked section. */
static int link_sections(struct postlink *pl)
{
	struct elf_section *sec;

	for_each_section(pl->obj, sec) {
		struct ow_section *ws = pl->secs[sec->index];

		if (!ws || !(sec->sh->sh_flags & SHF_LINK_ORDER))
			continue;
		if (sec->sh->sh_link >= pl->obj->nr_sections || !pl->secs[sec->sh->sh_link])
			return error(pl->obj->path, "%s: linked to section %u, which is not copied",
				     sec->name, sec->sh->sh_link);
		ws->link_to = pl->secs[sec->sh->sh_link];
	}
	return 0;
}

static int copy_sections(struct postlink *pl)
{
	struct elf_section *sec;

	for_each_section(pl->obj, sec) {
		struct ow_section *ws;
		int skip = leave_out(pl, sec);

		if (skip < 0)
			return -1;
		if (skip)
			continue;
		if (ow_find_section(&pl->w, sec->name))
			return error(pl->obj->path, "two sections named %s", sec->name);
		ws = ow_section(&pl->w, sec->name, sec->sh->sh_type, sec->sh->sh_flags,
				sec->sh->sh_addralign);
		ws->entsize = sec->sh->sh_entsize;
		ws->info = sec->sh->sh_info;
		if (sec->sh->sh_size)
			ow_append(ws, sec->data, sec->sh->sh_size, 1);
		pl->secs[sec->index] = ws;
	}
	return 0;
}

static int copy_symbols(struct postlink *pl)
{
	for (size_t i = 1; i < pl->obj->nr_symbols; i++) {
		const struct elf_symbol *s = &pl->obj->symbols[i];
		uint16_t shndx = pl->raw_syms[i].st_shndx;
		struct ow_section *ws = s->sec ? pl->secs[s->sec->index] : NULL;
		struct ow_symbol *os;

		if (s->sec && !ws)
			continue;	/* in a section left out */
		if (!s->sec && starts_with(s->name, PLACEHOLDER_PREFIX))
			continue;	/* its relocations are dropped */
		if (!s->sec && shndx == SHN_LIVEPATCH)
			return error(pl->obj->path, "already has livepatch symbols (%s)", s->name);
		if (s->type == STT_SECTION) {
			if (!ws)
				return error(pl->obj->path, "section symbol %zu without a section",
					     i);
			os = ow_add_symbol(&pl->w, "", STB_LOCAL, STT_SECTION, ws, 0, 0);
			ws->sec_sym = os;
		} else {
			os = ow_add_symbol(&pl->w, s->name, s->bind, s->type, ws, s->value,
					   s->size);
			os->other = s->other;
			if (!ws)
				os->shndx = shndx;	/* SHN_UNDEF, SHN_ABS, SHN_COMMON */
		}
		pl->syms[i] = os;
	}
	return 0;
}

static int copy_relocs(struct postlink *pl)
{
	struct elf_section *sec;

	for_each_section(pl->obj, sec) {
		struct ow_section *ws = pl->secs[sec->index];

		for (size_t k = 0; ws && k < sec->nr_relocs; k++) {
			const struct elf_reloc *r = &sec->relocs[k];
			const struct elf_symbol *rs = elf_reloc_sym(pl->obj, r);
			struct ow_symbol *os = pl->syms[rs->index];

			/* The livepatch relocation at its place replaces it. */
			if (is_placeholder(pl->obj, r)) {
				pl->nr_placeholders++;
				continue;
			}
			/* A marker (ppc64's R_PPC64_ENTRY) names no symbol: it stays so. */
			if (!rs->index && elf_reloc_howto(pl->obj, r).kind == RELOC_NONE) {
				ow_add_reloc(ws, r->offset, NULL, elf_reloc_type(r), r->addend);
				continue;
			}
			if (!os)
				return error(pl->obj->path, "%s+%#lx: relocation against %s, which "
					     "is not copied", sec->name, (unsigned long)r->offset,
					     rs->index ? rs->name : "symbol 0");
			ow_add_reloc(ws, r->offset, os, elf_reloc_type(r), r->addend);
		}
	}
	return 0;
}

/* The SHN_LIVEPATCH symbol @name, made on first use. */
static struct ow_symbol *klp_symbol(struct postlink *pl, const char *name)
{
	struct ow_symbol *s = strmap_get(&pl->w.global_by_name, name);

	if (s) {
		if (s->sec || s->shndx != SHN_LIVEPATCH) {
			error(pl->obj->path, "a symbol is already named %s", name);
			return NULL;
		}
		return s;
	}
	s = ow_add_symbol(&pl->w, name, STB_GLOBAL, STT_NOTYPE, NULL, 0, 0);
	s->shndx = SHN_LIVEPATCH;
	return s;
}

/* The ".klp.rela.OBJNAME.SECTION" section for @kr, made on first use. */
static struct ow_section *klp_rela_section(struct postlink *pl, const struct klp_reloc *kr)
{
	struct ow_section *target = pl->secs[kr->sec->index], *rs;
	char *name = xasprintf(".klp.rela.%s.%s", kr->with, kr->sec->name);

	rs = ow_find_section(&pl->w, name);
	if (!rs && target)
		rs = ow_reloc_section(&pl->w, name, SHF_ALLOC | SHF_RELA_LIVEPATCH, target);
	if (!target || rs->target != target) {
		error(pl->obj->path, "cannot make livepatch relocation section %s", name);
		rs = NULL;
	}
	free(name);
	return rs;
}

static int convert_entry(struct postlink *pl, const struct klp_table *t, size_t i,
			 const struct klp_manifest *m, struct klp_place *place)
{
	struct ow_section *rs;
	struct ow_symbol *sym;
	struct klp_reloc kr;

	if (read_entry(t, i, m, &kr))
		return -1;
	rs = klp_rela_section(pl, &kr);
	sym = rs ? klp_symbol(pl, kr.name) : NULL;
	if (!sym)
		return -1;
	ow_add_reloc(rs, kr.offset, sym, kr.type, kr.addend);
	*place = (struct klp_place){ kr.sec->index, kr.offset, kr.width, kr.name };
	if (kr.has_placeholder)
		pl->nr_placeholders--;
	return 0;
}

static int convert_klp_relocs(struct postlink *pl, const struct klp_manifest *m)
{
	struct klp_place *places;
	struct klp_table t;
	int ret = 0;

	if (open_table(pl->obj, &t))
		return -1;
	places = xcalloc(t.nr, sizeof(*places));
	for (size_t i = 0; i < t.nr && !ret; i++)
		ret = convert_entry(pl, &t, i, m, &places[i]);
	if (!ret)
		ret = check_overlaps(pl->obj, places, t.nr);
	/* check_place() matched each entry's placeholder: any other is dropped unread. */
	if (!ret && pl->nr_placeholders)
		ret = error(pl->obj->path, "%zu placeholder relocations (" PLACEHOLDER_PREFIX
			    "*) at no livepatch relocation's place", pl->nr_placeholders);
	free(places);
	return ret;
}

int postlink(const char *in, const char *out, const struct klp_manifest *m)
{
	struct postlink pl = { 0 };
	int ret = -1;

	pl.obj = elf_open(in, NULL);
	if (!pl.obj)
		return -1;
	ow_init(&pl.w, &pl.obj->ehdr);
	pl.secs = xcalloc(pl.obj->nr_sections, sizeof(*pl.secs));
	pl.syms = xcalloc(pl.obj->nr_symbols, sizeof(*pl.syms));
	if (!find_tables(&pl) && !copy_sections(&pl) && !link_sections(&pl) &&
	    !copy_symbols(&pl) && !copy_relocs(&pl) && !convert_klp_relocs(&pl, m))
		ret = ow_write(&pl.w, out);
	free(pl.secs);
	free(pl.syms);
	ow_free(&pl.w);
	elf_close(pl.obj);
	return ret;
}
