// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The check against a shipped module (see verify.c for the comparison).
 *
 * A shipped .ko was built without function sections: its functions
 * share .text, its relocations name section symbols (.text+0x971a0), calls
 * between its own functions were resolved by the assembler (no relocation
 * at all), and its strings are merged with the other units'. klpdiff's
 * checksums normalise all that, but not exactly enough here: on xfs_stats.o
 * and Debian's xfs.ko, xfs_init_procfs gets a different checksum with
 * identical code (the merged strings are hashed differently once linked),
 * and a checksum cannot say where two functions differ. So modules are
 * compared like vmlinux, with identities instead of addresses: bytes equal
 * outside the union of both sides' relocation sites, and each site of the
 * original naming the same target on the shipped side (symbol and offset,
 * strings by content; for a branch the assembler resolved, the symbol it
 * lands in).
 */
#include <gelf.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "kernel/verify_internal.h"

static bool reloc_identity(const struct elf_object *obj, const struct elf_reloc *r, char *buf,
			   size_t size)
{
	const struct elf_symbol *t = elf_reloc_sym(obj, r);
	struct reloc_howto h = elf_reloc_howto(obj, r);
	int64_t off = r->addend + (h.kind == RELOC_PCREL ? obj->arch->pcrel_field_bias : 0);

	if (t->type == STT_SECTION)
		return place_identity(t->sec, off, buf, size);
	if (!sym_has_name(t) || starts_with(t->name, ".L"))
		return false;
	name_offset(buf, size, t->name, off);
	/* A named target and a section-relative one must read alike. */
	if (t->sec && !(t->sec->sh->sh_flags & SHF_STRINGS))
		return place_identity(t->sec, (int64_t)t->value + off, buf, size) || true;
	return true;
}

/* Where a branch the assembler resolved at @field of @sec lands. */
static bool resolved_identity(const struct elf_section *sec, uint64_t field, int bias,
			      char *buf, size_t size)
{
	int32_t disp;

	if (field + 4 > sec->sh->sh_size)
		return false;
	memcpy(&disp, sec->data + field, 4);
	return place_identity(sec, (int64_t)(field + bias) + disp, buf, size);
}

/* A place in an object: a section and an offset in it. */
struct place {
	const struct elf_section *sec;
	int64_t off;
};

/*
 * The shipped module's symbol for the original's @sym: the only one defined
 * of its name, or of several the unit's own (kernel_symbols_pick.c); NULL
 * when there is none or which one cannot be told (*@ambiguous).
 */
static const struct elf_symbol *module_symbol(struct verify_ctx *c, const struct elf_object *ko,
					      const struct elf_symbol *sym, bool *ambiguous)
{
	const struct elf_symbol *s, *one = NULL;
	const struct ksym *k;
	size_t defined = 0;
	long pos;

	*ambiguous = false;
	for (s = elf_find_symbol(ko, sym->name); s; s = s->next_same_name)
		if (s->sec && s->type != STT_SECTION)
			defined++, one = s;
	if (defined <= 1)
		return one;
	k = kernel_symbols_find_local(&c->ks, sym->name, sym->unit, sym->size, &pos);
	*ambiguous = !k;
	for (s = elf_find_symbol(ko, sym->name); k && s; s = s->next_same_name)
		if (s->sec && s->type != STT_SECTION && s->sec->index == k->shndx &&
		    s->value == k->addr)
			return s;
	return NULL;
}

/*
 * Where @r of the original points, as a place in the shipped module: its
 * target's symbol (or the symbol its section holds there) found in the
 * module, and the offset from it (*@offset). Offsets, not names, are
 * compared: a PC-relative field followed by an immediate points a few
 * bytes before its symbol, into the one before. *@ambiguous: the target
 * is one of several of that name, which one cannot be told.
 */
static const struct elf_symbol *orig_place_in_module(struct verify_ctx *c,
						     const struct elf_reloc *r,
						     const struct elf_object *ko, int64_t *offset,
						     bool *ambiguous, const struct elf_symbol **orig)
{
	const struct elf_object *obj = c->obj;
	const struct elf_symbol *t = elf_reloc_sym(obj, r), *named = t, *k;
	struct reloc_howto h = elf_reloc_howto(obj, r);
	int64_t off = r->addend + (h.kind == RELOC_PCREL ? obj->arch->pcrel_field_bias : 0);

	*ambiguous = false;
	/* Strings are compared by content; undefined targets by their name. */
	if (t->sec && (t->sec->sh->sh_flags & SHF_STRINGS))
		return NULL;
	if (t->type == STT_SECTION) {
		named = elf_symbol_containing(t->sec, off < 0 ? 0 : (uint64_t)off);
		if (!named || !sym_has_name(named))
			return NULL;
		off -= (int64_t)named->value;
	}
	if (!sym_has_name(named))
		return NULL;
	k = module_symbol(c, ko, named, ambiguous);
	*offset = off;
	*orig = named;
	if (*ambiguous)
		return elf_find_symbol(ko, named->name);
	return k && k->sec ? k : NULL;
}

/*
 * Whether @k (or, when which one is the unit's cannot be told, one of the
 * module's symbols of that name) sits at @pl, @off before it.
 */
static bool symbol_at(const struct elf_symbol *k, bool ambiguous, int64_t off,
		      const struct place *pl)
{
	for (; k; k = ambiguous ? k->next_same_name : NULL)
		if (k->sec == pl->sec && (int64_t)k->value + off == pl->off)
			return true;
	return false;
}

/* Where @kr of the shipped module points, as a place in it. */
static bool module_place(const struct elf_object *ko, const struct elf_reloc *kr,
			 struct place *pl)
{
	const struct elf_symbol *t = elf_reloc_sym(ko, kr);
	struct reloc_howto h = elf_reloc_howto(ko, kr);

	if (!t->sec)
		return false;
	*pl = (struct place){ t->sec, (t->type == STT_SECTION ? 0 : (int64_t)t->value) + kr->addend +
					      (h.kind == RELOC_PCREL ? ko->arch->pcrel_field_bias : 0) };
	return true;
}

/*
 * A string @r of the original refers to, where the shipped module's linker
 * put it among other read-only data (7.x modules' .rodata has the strings,
 * no SHF_STRINGS): the same bytes, NUL included, at the shipped place. -1:
 * not that case.
 */
static int string_at_place(const struct elf_object *obj, const struct elf_reloc *r,
			   const struct elf_object *ko, const struct elf_reloc *kr)
{
	const struct elf_symbol *t = elf_reloc_sym(obj, r);
	const struct elf_section *sec = t->sec;
	struct reloc_howto h = elf_reloc_howto(obj, r);
	int64_t off = (t->type == STT_SECTION ? 0 : (int64_t)t->value) + r->addend +
		      (h.kind == RELOC_PCREL ? obj->arch->pcrel_field_bias : 0);
	const char *want;
	struct place pl;
	size_t len;

	if (!sec || !(sec->sh->sh_flags & SHF_STRINGS) || !sec->data || off < 0 ||
	    (uint64_t)off >= sec->sh->sh_size || !module_place(ko, kr, &pl) || !pl.sec->data ||
	    (pl.sec->sh->sh_flags & SHF_STRINGS) || pl.off < 0)
		return -1;
	want = (const char *)sec->data + off;
	len = strnlen(want, sec->sh->sh_size - (uint64_t)off);
	if ((uint64_t)pl.off + len + 1 > pl.sec->sh->sh_size)
		return 0;
	return !memcmp(pl.sec->data + pl.off, want, len) && pl.sec->data[pl.off + (int64_t)len] == 0;
}

/* Module: does the shipped field at @spos name what @r of the original does? */
int module_site(struct verify_ctx *c, const struct shipped_fn *sf,
		const struct elf_reloc *r, uint64_t spos)
{
	const struct elf_section *ksec = sf->kfn->sec;
	const struct elf_reloc *kr = reloc_at(ksec, sf->kfn->value + spos);
	struct reloc_howto h = elf_reloc_howto(c->obj, r);
	char want[320], got[320];
	bool known;

	const struct elf_symbol *k = NULL, *named = NULL;
	struct place pk;
	bool ambiguous;
	int64_t off;
	int same;

	if (kr)
		k = orig_place_in_module(c, r, sf->ko, &off, &ambiguous, &named);
	if (k && module_place(sf->ko, kr, &pk)) {
		if (symbol_at(k, ambiguous, off, &pk))
			return 1;
		/* Into another function, which has other alignment padding before it. */
		return !ambiguous && off > 0 && named != c->fn && compared_function(c->obj, named) &&
		       sym_is_func(k) && k->sec == pk.sec && k->sec->data &&
		       k->value + k->size <= k->sec->sh->sh_size &&
		       pk.off >= (int64_t)k->value &&
		       padded_landing(c, named, (uint64_t)off, k->sec->data + k->value, k->size,
				      k->value, (uint64_t)pk.off - k->value);
	}
	if (kr && (same = string_at_place(c->obj, r, sf->ko, kr)) >= 0)
		return same;
	if (!reloc_identity(c->obj, r, want, sizeof(want)))
		return -1;
	if (kr)
		known = reloc_identity(sf->ko, kr, got, sizeof(got));
	else if (h.kind == RELOC_PCREL && h.width == 4)
		known = resolved_identity(ksec, sf->kfn->value + spos,
					  sf->ko->arch->pcrel_field_bias, got, sizeof(got));
	else
		known = false;
	if (!known)
		return -1;
	return !strcmp(want, got);
}

/* Module: does a shipped branch to @target (offset in its section) go where @r does? */
int module_branch(struct verify_ctx *c, const struct shipped_fn *sf,
		  const struct elf_reloc *r, uint64_t target)
{
	char want[320], got[320];

	if (!reloc_identity(c->obj, r, want, sizeof(want)) ||
	    !place_identity(sf->kfn->sec, (int64_t)target, got, sizeof(got)))
		return -1;
	return !strcmp(want, got);
}

/* Module: does the shipped branch to @target land where a resolved one to @off of @sec does? */
int module_lands(const struct shipped_fn *sf, const struct elf_section *sec, uint64_t off,
		 uint64_t target)
{
	char want[320], got[320];

	if (!place_identity(sec, (int64_t)off, want, sizeof(want)) ||
	    !place_identity(sf->kfn->sec, (int64_t)target, got, sizeof(got)))
		return -1;
	return !strcmp(want, got);
}

/* What is at @off of the shipped function's section, by identity. */
char *module_place_name(const struct shipped_fn *sf, uint64_t off)
{
	char name[320];

	return place_identity(sf->kfn->sec, (int64_t)off, name, sizeof(name)) ? xstrdup(name) :
										NULL;
}

/* The string at @pl, with the bytes its section has from there (*@max); or NULL. */
static const char *place_string(const struct place *pl, size_t *max)
{
	const struct elf_section *sec = pl->sec;

	if (!(sec->sh->sh_flags & SHF_STRINGS) || !sec->data || pl->off < 0 ||
	    (uint64_t)pl->off >= sec->sh->sh_size)
		return NULL;
	*max = sec->sh->sh_size - (uint64_t)pl->off;
	return (const char *)sec->data + pl->off;
}

/*
 * What the two sides of a mismatching site at @spos refer to, for the
 * message: the original's target, and what the shipped field names;
 * strings by content, both quoted where they part.
 */
static void site_names(const struct verify_ctx *c, const struct shipped_fn *sf,
		       const struct elf_reloc *r, uint64_t spos, char **expected, char **got)
{
	const struct elf_section *ksec = sf->kfn->sec;
	const struct elf_reloc *kr = reloc_at(ksec, sf->kfn->value + spos);
	const char *want, *str;
	char name[320];
	struct place pk;
	size_t max, smax;

	*expected = target_name(c->obj, r);
	*got = NULL;
	if (kr && module_place(sf->ko, kr, &pk) && (str = place_string(&pk, &smax))) {
		if (!(want = reloc_string(c->obj, r, &max))) {
			*got = quoted(str, smax);
			return;
		}
		free(*expected);
		quote_pair(want, max, str, smax, expected, got);
		return;
	}
	if (kr ? reloc_identity(sf->ko, kr, name, sizeof(name)) :
		 resolved_identity(ksec, sf->kfn->value + spos, sf->ko->arch->pcrel_field_bias,
				   name, sizeof(name)))
		*got = xstrdup(name);
}

int verify_module(struct verify_ctx *c)
{
	struct elf_object *ko = elf_open(c->o->shipped, c->o->target);
	struct elf_symbol *fn;
	int ret = 0;

	if (!ko || kernel_symbols_read(&c->ks, c->o->shipped)) {
		if (ko)
			elf_close(ko);
		return -1;
	}
	kernel_symbols_set_unit(&c->ks, c->obj);
	for_each_symbol(c->obj, fn) {
		const struct elf_symbol *kfn;
		struct shipped_fn sf;
		struct mismatch m;
		char *expected = NULL, *got = NULL;
		bool ambiguous;

		if (!compared_function(c->obj, fn))
			continue;
		kfn = module_symbol(c, ko, fn, &ambiguous);
		if (!kfn || !sym_is_func(kfn) || !kfn->sec->data ||
		    kfn->value > kfn->sec->sh->sh_size ||
		    kfn->sec->sh->sh_size - kfn->value < kfn->size) {
			note_skipped(c, fn, ambiguous ? "which of the module's functions of that "
							"name is the unit's cannot be told" :
							"no function of that name in the module");
			continue;
		}
		c->st->compared++;
		sf = (struct shipped_fn){ .code = kfn->sec->data + kfn->value, .size = kfn->size,
					  .base = kfn->value, .ko = ko, .kfn = kfn };
		if (same_function(c, fn, &sf, &m))
			continue;
		if (m.reloc)
			site_names(c, &sf, m.reloc, m.reloc->offset - fn->value + (uint64_t)m.delta,
				   &expected, &got);
		ret = report_mismatch(c, fn, &sf, &m, "the shipped module", expected, got);
		free(expected);
		free(got);
		if (!c->o->keep_going)
			break;
		ret = 0;	/* counted: the next one is compared */
	}
	elf_close(ko);
	return ret;
}
