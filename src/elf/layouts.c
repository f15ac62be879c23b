// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The layouts catalogue and the choice of each special section's layout
 * when an object is opened.
 */
#include <stdio.h>
#include <string.h>

#include "elf/layouts.h"
#include "elf/elf_internal.h"

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
	for (size_t k = 0; k < arch->nr_special; k++)
		if (streq(section, arch->special[k].section))
			return &arch->special[k];
	return NULL;
}

const struct special_layout *layouts_find(const struct elf_layouts *target, const char *section)
{
	for (size_t i = 0; target && i < target->nr; i++)
		if (streq(target->v[i]->section, section))
			return target->v[i];
	return NULL;
}

/* Does relocation @r of @sec sit in a field of @l, of that field's kind and width? */
static bool fits_field(const struct elf_object *obj, const struct special_layout *l,
		       const struct elf_reloc *r)
{
	struct reloc_howto howto = elf_reloc_howto(obj, r);
	uint64_t at = r->offset % l->entry_size;

	if (howto.kind == RELOC_NONE)	/* writes nothing (objtool's deleted ones) */
		return true;
	for (const struct special_reloc *f = l->relocs; f < l->relocs + 4 && f->width; f++)
		if (at == (uint64_t)f->offset && howto.kind == f->kind && howto.width == f->width)
			return true;
	return false;
}

/* Does @sec fit @l: size and every relocation? The first that does not: @misfit. */
static bool fits_layout(const struct elf_object *obj, const struct elf_section *sec,
			const struct special_layout *l, const struct elf_reloc **misfit)
{
	if (sec->sh->sh_size % l->entry_size)
		return false;
	for (size_t i = 0; i < sec->nr_relocs; i++)
		if (!fits_field(obj, l, &sec->relocs[i])) {
			*misfit = &sec->relocs[i];
			return false;
		}
	return true;
}

/*
 * Kernel versions lay out their special sections differently (a 13-, 12- or
 * 14-byte alt_instr, absolute or relative jump labels...). With a target
 * kernel, its layout (from the probe) is the only one; else take the first
 * layout of the section's name that its size and relocations fit. None
 * fits: an error, not a guess; its entries would be misread or lost.
 */
static int choose_layout(struct elf_object *obj, struct elf_section *sec,
			 const struct elf_layouts *target)
{
	const struct special_layout *end = obj->arch->special + obj->arch->nr_special;
	const struct special_layout *want = layouts_find(target, sec->name);
	const struct elf_reloc *misfit = NULL;

	for (const struct special_layout *l = want ? want : sec->special;
	     l < end && streq(l->section, sec->name); l++) {
		if (fits_layout(obj, sec, l, &misfit)) {
			sec->special = l;
			return 0;
		}
		if (want)
			break;
	}
	if (want && !misfit)
		return BAD(obj, "section %s: size %#lx is no multiple of %u, the entry size of the "
			   "target kernel (Linux %s)", sec->name, (unsigned long)sec->sh->sh_size,
			   want->entry_size, want->kernels);
	if (!misfit)
		return BAD(obj, "section %s: size %#lx is no multiple of any entry size of the "
			   "kernels klpdiff knows (%s)", sec->name, (unsigned long)sec->sh->sh_size,
			   layouts_kernels());
	return BAD(obj, "section %s: a %u-byte %s relocation at %#lx fits no field of %s (%s%s)",
		   sec->name, elf_reloc_howto(obj, misfit).width,
		   elf_reloc_howto(obj, misfit).kind == RELOC_PCREL ? "PC-relative" : "absolute",
		   (unsigned long)misfit->offset,
		   want ? "the target kernel's layout" : "any entry layout of the kernels klpdiff knows",
		   want ? "Linux " : "", want ? want->kernels : layouts_kernels());
}

int elf_choose_layouts(struct elf_object *obj, const struct elf_layouts *target)
{
	struct elf_section *sec;

	for_each_section(obj, sec)
		if (sec->special && sec->data && choose_layout(obj, sec, target))
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

