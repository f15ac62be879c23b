// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The layouts catalogue and the choice of each special section's layout
 * when an object is opened.
 */
#include <elf.h>
#include <stdio.h>
#include <string.h>

#include "elf/layouts.h"
#include "elf/elf_internal.h"

/* At most this many layouts of one section fit it (each arch has two or three). */
#define LAYOUT_FITS_MAX 8

const char *layouts_read_kernels(void)
{
	static char text[32];

	if (!text[0])
		snprintf(text, sizeof(text), "Linux %u.%u to %u.%u", KV_MAJOR(KV_LAYOUTS_OLDEST),
			 KV_MINOR(KV_LAYOUTS_OLDEST), KV_MAJOR(KV_NEWEST), KV_MINOR(KV_NEWEST));
	return text;
}

const char *layouts_kernels(void)
{
	static char text[32];

	if (!text[0])
		snprintf(text, sizeof(text), "Linux %u.%u to %u.%u", KV_MAJOR(KV_OLDEST),
			 KV_MINOR(KV_OLDEST), KV_MAJOR(KV_NEWEST), KV_MINOR(KV_NEWEST));
	return text;
}

const struct special_layout *layout_first(const struct arch *arch, const char *section)
{
	for (size_t k = 0; k < arch->kernel.nr_special; k++)
		if (layout_names(&arch->kernel.special[k], section))
			return &arch->kernel.special[k];
	return NULL;
}

const struct special_layout *layouts_find(const struct elf_layouts *target, const char *section)
{
	for (size_t i = 0; target && i < target->nr; i++)
		if (layout_names(target->v[i], section))
			return target->v[i];
	return NULL;
}

/* Why a layout does not fit a section, most telling last. */
enum misfit_kind {
	FITS,
	MISFIT_SIZE,		/* no whole number of entries */
	MISFIT_ENTSIZE,		/* an sh_entsize (6.19+) of another size */
	MISFIT_RELOC,		/* a relocation in no field, or of another kind or width */
	MISFIT_HANDLER,		/* a handler field against a section, not a function */
	MISFIT_ENTRY,		/* an entry without its owner in code, its handler or string */
	MISFIT_CONTENT,		/* an entry with line 0, or data in its padding */
	MISFIT_ERA,		/* fits, but the layout is of kernels newer than the object */
};

struct misfit {
	enum misfit_kind kind;
	const struct special_layout *l;
	const struct elf_reloc *r;	/* MISFIT_RELOC, MISFIT_HANDLER */
	uint64_t entry;			/* MISFIT_ENTRY, MISFIT_CONTENT: the entry, and its field */
	int field;
	const char *why;		/* MISFIT_CONTENT: how; MISFIT_ERA: the section without */
};

/* The field of @l relocation @r sits in, of its kind and width, or NULL. */
static const struct special_reloc *reloc_field(const struct elf_object *obj,
					       const struct special_layout *l,
					       const struct elf_reloc *r)
{
	struct reloc_howto howto = elf_reloc_howto(obj, r);
	uint64_t at = r->offset % l->entry_size;

	for (const struct special_reloc *f = l->relocs; f < l->relocs + 4 && f->width; f++)
		if (at == (uint64_t)f->offset && howto.kind == f->kind && howto.width == f->width)
			return f;
	return NULL;
}

static bool size_fits(const struct elf_section *sec, const struct special_layout *l)
{
	uint64_t tail = sec->sh->sh_size % l->entry_size;

	return !tail || (l->last_size && tail == l->last_size);
}

/*
 * Every relocation in a field of @l; a handler field's against a named
 * symbol (an offset into a section is code of this object, not a handler).
 */
static enum misfit_kind relocs_fit(const struct elf_object *obj, const struct elf_section *sec,
				   const struct special_layout *l, const struct elf_reloc **bad)
{
	for (size_t i = 0; i < sec->nr_relocs; i++) {
		const struct elf_reloc *r = &sec->relocs[i];
		const struct special_reloc *f;

		if (elf_reloc_howto(obj, r).kind == RELOC_NONE)	/* objtool's deleted ones */
			continue;
		*bad = r;
		f = reloc_field(obj, l, r);
		if (!f)
			return MISFIT_RELOC;
		if (f->check == FIELD_HANDLER && elf_reloc_sym(obj, r)->type == STT_SECTION)
			return MISFIT_HANDLER;
	}
	return FITS;
}

/* The relocation of @sec at @at, or NULL. */
static const struct elf_reloc *reloc_at(const struct elf_section *sec, uint64_t at)
{
	size_t i = elf_first_reloc(sec, at);

	return i < sec->nr_relocs && sec->relocs[i].offset == at ? &sec->relocs[i] : NULL;
}

/* Code, or the alternative code the arch keeps in sections that are not (ppc64). */
static bool holds_code(const struct elf_object *obj, const struct elf_section *sec)
{
	const char *alt = obj->arch->kernel.alt_code_prefix;

	return sec && (sec->is_code || (alt && starts_with(sec->name, alt)));
}

/*
 * Each entry's owner field is relocated into code (or by a relocation that
 * writes nothing), and its handler and string fields, if the layout has
 * them, at all (bug entries always pass __FILE__, 7.x's a format too).
 */
static bool entries_fit(const struct elf_object *obj, const struct elf_section *sec,
			const struct special_layout *l, struct misfit *m)
{
	for (uint64_t off = 0; layout_has_entry(l, sec->sh->sh_size, off); off += l->entry_size) {
		const struct elf_reloc *r = reloc_at(sec, off + (uint64_t)l->owner_field);
		const struct elf_symbol *s = r ? elf_reloc_sym(obj, r) : NULL;

		m->entry = off;
		m->field = l->owner_field;
		if (!r || (elf_reloc_howto(obj, r).kind != RELOC_NONE && !holds_code(obj, s->sec)))
			return false;
		for (const struct special_reloc *f = l->relocs; f < l->relocs + 4 && f->width; f++) {
			m->field = f->offset;
			if (f->check != FIELD_ANY && !reloc_at(sec, off + (uint64_t)f->offset))
				return false;
		}
	}
	return true;
}

/* Does an entry contradict @l: line 0 where it has a line, data in its padding? */
static bool contents_fit(const struct elf_section *sec, const struct special_layout *l,
			 struct misfit *m)
{
	static const uint8_t zeros[8];

	for (uint64_t off = 0; layout_has_entry(l, sec->sh->sh_size, off); off += l->entry_size) {
		const uint8_t *e = sec->data + off;

		m->entry = off;
		m->field = l->line_field;
		m->why = "has line 0";
		if (l->line_field >= 0 && !e[l->line_field] && !e[l->line_field + 1])
			return false;
		m->field = (int)(l->entry_size - l->zero_tail);
		m->why = "has data in its padding";
		if (l->zero_tail && memcmp(e + m->field, zeros, l->zero_tail))
			return false;
	}
	return true;
}

/*
 * Does @sec fit @l: its sh_entsize if it has one (6.19+), its size, every
 * relocation and, where its relocations were read, each entry's owner,
 * handler and strings; its entries' lines and padding? An object's
 * relocations say which fields it has: without them (a linked image, or a
 * section no checksum reads) only the size and contents can be checked, and
 * no entry has an owner. Last, a layout of kernels that give @old_era an
 * sh_entsize fits no object whose @old_era has none.
 */
static struct misfit fits_layout(const struct elf_object *obj, const struct elf_section *sec,
				 const struct special_layout *l, const char *old_era)
{
	struct misfit m = { FITS, l, NULL, 0, 0, NULL };

	if (sec->sh->sh_entsize && sec->sh->sh_entsize != l->entry_size)
		m.kind = MISFIT_ENTSIZE;
	else if (!size_fits(sec, l))
		m.kind = MISFIT_SIZE;
	else
		m.kind = relocs_fit(obj, sec, l, &m.r);
	if (m.kind != FITS)
		return m;
	if (sec->has_reloc_sec && l->owner_field >= 0 && !entries_fit(obj, sec, l, &m))
		m.kind = MISFIT_ENTRY;
	else if (!contents_fit(sec, l, &m))
		m.kind = MISFIT_CONTENT;
	else if (l->entsize_era && old_era) {
		m.kind = MISFIT_ERA;
		m.why = old_era;
	}
	return m;
}

/* Does relocation @r, read with @l, point at the start of a string? */
static bool at_string_start(const struct elf_object *obj, const struct special_layout *l,
			    const struct elf_reloc *r)
{
	const struct elf_symbol *s = elf_reloc_sym(obj, r);
	const struct elf_section *tsec = s->sec;
	uint64_t t = s->value + (uint64_t)r->addend;

	if (l->relative_to_entry && elf_reloc_howto(obj, r).kind == RELOC_PCREL)
		t -= r->offset % l->entry_size;
	return tsec && tsec->data && t < tsec->sh->sh_size && tsec->data[t] &&
	       (t == 0 || !tsec->data[t - 1]) &&
	       memchr(tsec->data + t, '\0', tsec->sh->sh_size - t);
}

/* How many of @sec's string fields, read with @l, point at the start of a string. */
static size_t strings_at_start(const struct elf_object *obj, const struct elf_section *sec,
			       const struct special_layout *l)
{
	size_t n = 0;

	for (size_t i = 0; i < sec->nr_relocs; i++) {
		const struct special_reloc *f = reloc_field(obj, l, &sec->relocs[i]);

		n += f && f->check == FIELD_STRING && at_string_start(obj, l, &sec->relocs[i]);
	}
	return n;
}

/*
 * Of @n layouts that fit, keep those whose string fields point at the start
 * of a string most often: a file name's pointer counted from the entry's
 * start rather than from its own field (bug_entry before 5.19) lands four
 * bytes into the string when read the other way. Returns how many are kept.
 */
static size_t keep_best_strings(const struct elf_object *obj, const struct elf_section *sec,
				const struct special_layout **fit, size_t n)
{
	size_t score[LAYOUT_FITS_MAX], best = 0, kept = 0;

	for (size_t i = 0; i < n; i++) {
		score[i] = strings_at_start(obj, sec, fit[i]);
		best = score[i] > best ? score[i] : best;
	}
	for (size_t i = 0; i < n; i++)
		if (score[i] == best)
			fit[kept++] = fit[i];
	return kept;
}

/* "GCC: (Debian 12.2.0-14) 12.2.0": major * 100 + minor, or 0 for another compiler. */
static unsigned gcc_version(const char *s, size_t len)
{
	char text[128];
	const char *p = text + 5;
	size_t n = len < sizeof(text) - 1 ? len : sizeof(text) - 1;
	unsigned major, minor;

	memcpy(text, s, n);
	text[n] = '\0';
	if (strncmp(text, "GCC: ", 5))
		return 0;
	if (*p == '(') {
		p = strchr(p, ')');
		if (!p)
			return 0;
		p++;
	}
	return sscanf(p, " %u.%u", &major, &minor) == 2 ? major * 100 + minor : 0;
}

/* The oldest gcc @obj's .comment names (several in a relocatable link), or 0. */
static unsigned comment_gcc(struct elf_object *obj)
{
	const struct elf_section *sec = elf_find_section(obj, ".comment");
	unsigned oldest = 0;

	if (!sec || !sec->data)
		return 0;
	for (size_t at = 0, len; at < sec->sh->sh_size; at += len + 1) {
		const char *s = (const char *)sec->data + at;
		unsigned v;

		len = strnlen(s, sec->sh->sh_size - at);
		v = gcc_version(s, len);
		if (v && (!oldest || v < oldest))
			oldest = v;
	}
	return oldest;
}

/*
 * Of @n layouts that fit, drop those of kernels that refuse the gcc the
 * object's .comment names (a kernel of 5.19 or later was never built by
 * gcc 4.8). Only ever a tie-breaker: it drops none if it would drop all.
 */
static size_t keep_by_compiler(struct elf_object *obj, const struct special_layout **fit,
			       size_t n)
{
	unsigned gcc = comment_gcc(obj);
	size_t kept = 0;

	for (size_t i = 0; gcc && i < n; i++)
		if (!fit[i]->min_gcc || gcc >= fit[i]->min_gcc)
			kept++;
	if (!kept)
		return n;
	for (size_t i = 0, k = 0; i < n; i++)
		if (!fit[i]->min_gcc || gcc >= fit[i]->min_gcc)
			fit[k++] = fit[i];
	return kept;
}

/*
 * Of @n layouts that fit, drop those whose kernels always put a section
 * beside it (marked_by) that the object lacks. A tie-breaker like the
 * compiler: it drops none if it would drop all.
 */
static size_t keep_marked(struct elf_object *obj, const struct special_layout **fit, size_t n)
{
	size_t kept = 0;

	for (size_t i = 0; i < n; i++)
		if (!fit[i]->marked_by || elf_find_section(obj, fit[i]->marked_by))
			fit[kept++] = fit[i];
	return kept ? kept : n;
}

/* "Linux A (N bytes) and Linux B (M bytes)" for the error of two layouts or more. */
static const char *layouts_named(const struct special_layout **fit, size_t n)
{
	static char text[512];
	size_t len = 0;

	for (size_t i = 0; i < n && len < sizeof(text); i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%sLinux %s (%u bytes)",
					!i ? "" : i + 1 < n ? ", " : " and ", fit[i]->kernels,
					fit[i]->entry_size);
	return text;
}

/* What the field at @offset of @l holds, for messages. */
static const char *field_name(const struct special_layout *l, int offset)
{
	for (const struct special_reloc *f = l->relocs; f < l->relocs + 4 && f->width; f++)
		if (f->offset == offset && offset != l->owner_field)
			return f->check == FIELD_HANDLER ? "handler" :
			       offset == l->format_field ? "format" : "file name";
	return "owner";
}

/* The error for a section whose entries contradict the layout (or its era). */
static int entries_error(const struct elf_object *obj, const struct elf_section *sec,
			 const struct misfit *m, bool target)
{
	const char *what = target ? "the target kernel's layout" : "the layout";

	if (m->kind == MISFIT_ERA)
		return BAD(obj, "section %s: fits only layouts of kernels that give %s an entry "
			   "size (sh_entsize), but this object's has none (Linux %s)", sec->name,
			   m->why, m->l->kernels);
	if (m->kind == MISFIT_CONTENT)
		return BAD(obj, "section %s: the entry at %#lx does not fit %s of Linux %s: it %s",
			   sec->name, (unsigned long)m->entry, what, m->l->kernels, m->why);
	return BAD(obj, "section %s: the entry at %#lx has no relocation%s at +%d, where "
		   "the layout of Linux %s has its %s", sec->name, (unsigned long)m->entry,
		   m->field == m->l->owner_field ? " into code" : "", m->field, m->l->kernels,
		   field_name(m->l, m->field));
}

/* The error for a section no layout fits: the most telling reason found. */
static int misfit_error(const struct elf_object *obj, const struct elf_section *sec,
			const struct misfit *m, bool target)
{
	const char *what = target ? "the target kernel's layout" :
				    "any entry layout of the kernels klpdiff knows";
	const char *which = target ? m->l->kernels : layouts_read_kernels();
	struct reloc_howto h = m->r ? elf_reloc_howto(obj, m->r) : (struct reloc_howto){ 0 };

	switch (m->kind) {
	case MISFIT_SIZE:
		if (target)
			return BAD(obj, "section %s: size %#lx is no multiple of %u, the entry size "
				   "of the target kernel (Linux %s)", sec->name,
				   (unsigned long)sec->sh->sh_size, m->l->entry_size, m->l->kernels);
		return BAD(obj, "section %s: size %#lx is no multiple of any entry size of the "
			   "kernels klpdiff knows (%s)", sec->name, (unsigned long)sec->sh->sh_size,
			   layouts_read_kernels());
	case MISFIT_ENTSIZE:
		return BAD(obj, "section %s: its entry size (sh_entsize) %lu is not that of %s "
			   "(%s%s)", sec->name, (unsigned long)sec->sh->sh_entsize, what,
			   target ? "Linux " : "", which);
	case MISFIT_RELOC:
		return BAD(obj, "section %s: a %u-byte %s relocation at %#lx fits no field of %s (%s%s)",
			   sec->name, h.width, h.kind == RELOC_PCREL ? "PC-relative" : "absolute",
			   (unsigned long)m->r->offset, what, target ? "Linux " : "", which);
	case MISFIT_HANDLER:
		return BAD(obj, "section %s: the relocation at %#lx points into a section, where "
			   "the layout of Linux %s has a handler function", sec->name,
			   (unsigned long)m->r->offset, m->l->kernels);
	default:
		return entries_error(obj, sec, m, target);
	}
}

/*
 * Kernel versions lay out their special sections differently (a 13-, 12- or
 * 14-byte alt_instr, absolute or relative jump labels, bug entries relative
 * to the entry or to each field, with a format from 7.0...). With a target
 * kernel, its layout (from the probe) is the only one. Else every layout of
 * the section's name that its entry size, size, relocations, owners and
 * contents fit, and whose era the object's sh_entsize (@old_era) allows; of
 * several, those whose file names are read whole, then those whose kernels
 * accept the object's gcc, then those whose marks the object has. Two
 * left, or none: an error, not a guess; the entries would be misread.
 */
static int choose_layout(struct elf_object *obj, struct elf_section *sec,
			 const struct elf_layouts *target, const char *old_era)
{
	const struct special_layout *end = obj->arch->kernel.special + obj->arch->kernel.nr_special;
	const struct special_layout *want = layouts_find(target, sec->name);
	const struct special_layout *fit[LAYOUT_FITS_MAX];
	struct misfit m, worst = { MISFIT_SIZE, sec->special, NULL, 0, 0, NULL };
	size_t n = 0;

	if (want) {
		m = fits_layout(obj, sec, want, NULL);
		if (m.kind != FITS)
			return misfit_error(obj, sec, &m, true);
		sec->special = want;
		return 0;
	}
	for (const struct special_layout *l = sec->special; l < end && layout_names(l, sec->name);
	     l++) {
		m = fits_layout(obj, sec, l, old_era);
		if (m.kind == FITS && n < LAYOUT_FITS_MAX)
			fit[n++] = l;
		else if (m.kind != FITS && m.kind >= worst.kind)
			worst = m;
	}
	if (!n)
		return misfit_error(obj, sec, &worst, false);
	/* Without relocations no entry has an owner: nothing reads the entries. */
	if (n > 1 && sec->has_reloc_sec)
		n = keep_best_strings(obj, sec, fit, n);
	if (n > 1 && sec->has_reloc_sec)
		n = keep_by_compiler(obj, fit, n);
	if (n > 1 && sec->has_reloc_sec)
		n = keep_marked(obj, fit, n);
	if (n > 1 && sec->has_reloc_sec)
		return BAD(obj, "section %s: its entries fit the layouts of %s alike; klpdiff "
			   "cannot tell which kernel made it (give it with -k)", sec->name,
			   layouts_named(fit, n));
	sec->special = fit[0];
	return 0;
}

/* A section of @obj the kernel gives an sh_entsize from 6.19 on, without one; or NULL. */
static const char *older_than_entsize(const struct elf_object *obj)
{
	const char *const *names = obj->arch->kernel.entsize_sections;
	const struct elf_section *sec;

	for_each_section(obj, sec)
		for (size_t i = 0; names && names[i]; i++)
			if (sec->data && !sec->sh->sh_entsize && streq(sec->name, names[i]))
				return sec->name;
	return NULL;
}

int elf_choose_layouts(struct elf_object *obj, const struct elf_layouts *target)
{
	const char *old_era = older_than_entsize(obj);
	struct elf_section *sec;

	for_each_section(obj, sec)
		if (sec->special && sec->data && choose_layout(obj, sec, target, old_era))
			return -1;
	return 0;
}

int elf_same_layouts(const struct elf_object *orig, struct elf_object *patched)
{
	const struct elf_section *a, *b;

	if (elf_same_machine(orig, patched))
		return -1;
	for_each_section(orig, a) {
		if (!a->special || !a->data)
			continue;
		b = elf_find_section(patched, a->name);
		if (b && b->special && b->data && b->special != a->special)
			return error(patched->path, "section %s has the entry layout of Linux %s, but in "
				     "%s that of Linux %s: objects of two kernels", a->name,
				     b->special->kernels, orig->path, a->special->kernels);
	}
	return 0;
}

