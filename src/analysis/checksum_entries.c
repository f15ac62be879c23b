// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Special-section entries (alternatives, exception fixups, jump labels,
 * static calls, bug table...): each is owned by the function its owner
 * field points into, and part of that function's checksum, its line field
 * left out and its anonymous code (an alternative's replacement) by content.
 */
#include <string.h>

#include "analysis/checksum_internal.h"
#include "base/util.h"
#include "elf/layouts.h"

static int cmp_entry(const void *a, const void *b)
{
	const struct special_entry *x = a, *y = b;

	int by_name;

	if (x->owner != y->owner)
		return x->owner < y->owner ? -1 : 1;
	/* By name: the assembler orders sections by first use, which an edit elsewhere moves. */
	if (x->sec != y->sec && (by_name = strcmp(x->sec->name, y->sec->name)))
		return by_name;
	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static struct elf_symbol *entry_owner(struct elf_object *obj, struct elf_section *sec,
				      uint64_t off, int field)
{
	size_t i = elf_first_reloc(sec, off + (uint64_t)field);
	struct elf_section *tsec;
	struct elf_symbol *owner;

	if (i >= sec->nr_relocs || sec->relocs[i].offset != off + (uint64_t)field)
		return NULL;
	tsec = elf_reloc_sym(obj, &sec->relocs[i])->sec;
	if (!tsec || !tsec->is_code)
		return NULL;
	owner = reloc_target_symbol(obj, sec, &sec->relocs[i]);
	return owner && sym_is_func(owner) ? owner : NULL;
}

void index_special_entries(struct checksum_ctx *ctx, bool all)
{
	struct elf_object *obj = ctx->obj;
	struct elf_section *sec;
	size_t alloc = 0;

	for_each_section(obj, sec) {
		if (!sec->special || !sec->data || (!all && !sec->special->checksummed))
			continue;
		for (uint64_t off = 0; layout_has_entry(sec->special, sec->sh->sh_size, off);
		     off += sec->special->entry_size) {
			struct elf_symbol *owner = entry_owner(obj, sec, off, sec->special->owner_field);

			if (!owner)
				continue;
			GROW(ctx->entries, ctx->nr_entries, alloc, ctx->nr_entries + 1);
			ctx->entries[ctx->nr_entries++] = (struct special_entry){ owner, sec, off };
		}
	}
	sort(ctx->entries, ctx->nr_entries, sizeof(*ctx->entries), cmp_entry);
	for (size_t i = 0; i < ctx->nr_entries; i++) {
		struct sym_sums *s = &ctx->sums[ctx->entries[i].owner->index];

		if (!s->nr_entries)
			s->first_entry = (uint32_t)i;
		s->nr_entries++;
	}
}

/* The relocation of @e at field @field, or NULL. */
static const struct elf_reloc *entry_reloc(const struct special_entry *e, int field)
{
	uint64_t at = e->offset + (uint64_t)field;
	size_t i = elf_first_reloc(e->sec, at);

	return i < e->sec->nr_relocs && e->sec->relocs[i].offset == at ? &e->sec->relocs[i] : NULL;
}

/* The width of @l's relocated field at @field (its content fields are relocations). */
static unsigned layout_field_width(const struct special_layout *l, int field)
{
	for (const struct special_reloc *f = l->relocs; f < l->relocs + 4 && f->width; f++)
		if (f->offset == field)
			return f->width;
	return 4;
}

/* The length of an entry's anonymous code: a u8 field, or the distance to its end. */
static bool entry_content_len(struct checksum_ctx *ctx, const struct special_entry *e,
			      const struct special_layout *l, uint64_t start, uint64_t *len)
{
	const struct elf_reloc *end;
	uint64_t t;

	if (!l->content_end) {
		*len = e->sec->data[e->offset + (uint64_t)l->content_len_field];
		return true;
	}
	end = entry_reloc(e, l->content_len_field);
	if (!end)
		return false;
	t = reloc_target(ctx->obj, e->sec, end, 0);
	*len = t - start;
	return t >= start;
}

/* An entry's anonymous code (an alternative's replacement), hashed by content. */
static void hash_entry_content(struct checksum_ctx *ctx, XXH3_state_t *st,
			       const struct special_entry *e, const struct special_layout *l)
{
	const struct elf_reloc *r = entry_reloc(e, l->content_field);
	const struct elf_section *tsec;
	uint64_t t, len;

	if (!r)
		return;
	tsec = elf_reloc_sym(ctx->obj, r)->sec;
	t = reloc_target(ctx->obj, e->sec, r, 0);
	if (!tsec || !entry_content_len(ctx, e, l, t, &len) || t > tsec->sh->sh_size ||
	    len > tsec->sh->sh_size - t)
		return;
	put_token(st, TOKEN_CONTENT, len, 0);
	hash_range(ctx, st, tsec, t, t + len, NULL);
}

void hash_entry(struct checksum_ctx *ctx, XXH3_state_t *st, const struct special_entry *e)
{
	const struct special_layout *l = e->sec->special;
	uint64_t n = layout_entry_bytes(l, e->sec->sh->sh_size, e->offset);
	/* A callback (no code of its own) is hashed by its identity, as any reference. */
	bool content = l->content_field >= 0 &&
		       !layout_entry_callback(l, e->sec->data + e->offset, n,
					      ctx->obj->arch->elf_data);
	struct hole masks[3];
	size_t nr_masks = 0;

	/* The line is not part of the code; the replacement is hashed by content below. */
	if (l->line_field >= 0)
		masks[nr_masks++] = (struct hole){ e->offset + (uint64_t)l->line_field, 2,
						   HOLE_MASK, NULL, 0, 0, 0, 0 };
	if (content)
		masks[nr_masks++] = (struct hole){ e->offset + (uint64_t)l->content_field,
						   layout_field_width(l, l->content_field),
						   HOLE_MASK, NULL, 0, 0, 0, 0 };
	if (content && l->content_end)
		masks[nr_masks++] = (struct hole){ e->offset + (uint64_t)l->content_len_field,
						   layout_field_width(l, l->content_len_field),
						   HOLE_MASK, NULL, 0, 0, 0, 0 };
	put_token(st, TOKEN_ENTRY, strmap_hash(e->sec->name), 0);
	hash_range_masked(ctx, st, e->sec, e->offset, e->offset + n, NULL, masks, nr_masks);
	if (content)
		hash_entry_content(ctx, st, e, l);
}

