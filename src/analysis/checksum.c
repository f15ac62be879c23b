// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A symbol's sums: the context and its indexes, byte ranges hashed with
 * their holes (relocations, resolved branches, masked line numbers) by
 * meaning, and a function with its entries and .cold/.part pieces.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis/checksum_internal.h"
#include "base/util.h"

bool checksum_wanted(const struct elf_object *obj, const struct elf_symbol *sym)
{
	if (!sym->sec || !sym->size || !(sym_is_func(sym) || sym_is_object(sym)))
		return false;
	if (!(sym->sec->sh->sh_flags & SHF_ALLOC))
		return false;
	/*
	 * The kernel's linker script drops .discard.*: with clang LTO, initcall
	 * stubs are kept alive there by objects whose names carry __LINE__.
	 */
	if (starts_with(sym->sec->name, ".discard"))
		return false;
	/* String literals (clang names them .L.str.N) are hashed where used. */
	if ((sym->sec->sh->sh_flags & SHF_STRINGS) || starts_with(sym->name, ".L"))
		return false;
	return !obj->arch->kernel.is_prefix_symbol(sym->name);
}

/* Static locals renamed with counters ("count.3") are told apart by their user. */
static bool is_counted_local(const struct elf_symbol *s)
{
	return s && sym_is_object(s) && sym_is_local(s) && !streq(s->name, s->key);
}

static void find_static_local_owners(struct checksum_ctx *ctx)
{
	struct elf_object *obj = ctx->obj;
	struct elf_section *sec;

	for_each_section(obj, sec) {
		if (!sec->is_code)
			continue;
		for (size_t i = 0; i < sec->nr_relocs; i++) {
			const struct elf_reloc *r = &sec->relocs[i];
			struct elf_symbol *rs = elf_reloc_sym(obj, r), *target, *user;
			struct sym_sums *ts;

			if (rs->type != STT_SECTION && !is_counted_local(rs))
				continue;
			target = reloc_target_symbol(obj, sec, r);
			if (!is_counted_local(target))
				continue;
			user = elf_symbol_containing(sec, r->offset);
			ts = &ctx->sums[target->index];
			if (user && sym_is_func(user) &&
			    (!ts->owner || strcmp(user->key, obj->symbols[ts->owner].key) < 0))
				ts->owner = user->index;
		}
	}
}

/*
 * Constant-propagation clones: gcc makes several of one function
 * ("f.constprop.0", "f.constprop.1") and may swap their numbers between
 * builds, so a call to one is told apart by the clone's body, not its key.
 */
static void find_clones_by_body(struct checksum_ctx *ctx)
{
	struct elf_symbol *sym;

	ctx->by_body = xcalloc(ctx->obj->nr_symbols, sizeof(*ctx->by_body));
	for_each_symbol(ctx->obj, sym)
		ctx->by_body[sym->index] = sym_is_func(sym) && sym->sec && sym_is_local(sym) &&
					     strstr(sym->key, ".constprop");
}

static struct hash_scratch *new_scratch(void)
{
	struct hash_scratch *sc = xcalloc(1, sizeof(*sc));

	for (int i = 0; i < 3; i++) {
		sc->state[i] = XXH3_createState();
		if (!sc->state[i])
			fatal("out of memory");
	}
	return sc;
}

static void free_scratch(struct hash_scratch *sc)
{
	if (!sc)
		return;
	free(sc->refs);
	free(sc->holes);
	free(sc->lines);
	free(sc->pieces);
	for (int i = 0; i < 3; i++)
		XXH3_freeState(sc->state[i]);
	free(sc);
}

static void free_anonymous_starts(struct checksum_ctx *ctx)
{
	for (size_t i = 0; ctx->anon && i < ctx->obj->nr_sections; i++)
		free(ctx->anon[i].v);
	free(ctx->anon);
	ctx->anon = NULL;
}

void checksum_init(struct checksum_ctx *ctx, struct elf_object *obj, bool all_entries)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->obj = obj;
	ctx->sums = xcalloc(obj->nr_symbols, sizeof(*ctx->sums));
	ctx->scratch = new_scratch();
	index_special_entries(ctx, all_entries);
	find_static_local_owners(ctx);
	find_line_helpers(ctx);
	find_clones_by_body(ctx);
}

void checksum_free(struct checksum_ctx *ctx)
{
	free(ctx->entries);
	free(ctx->sums);
	free(ctx->line_args);
	free(ctx->format_arg);
	free(ctx->by_body);
	free_anonymous_starts(ctx);
	free_scratch(ctx->scratch);
	memset(ctx, 0, sizeof(*ctx));
}

void checksum_fork(struct checksum_ctx *to, const struct checksum_ctx *from)
{
	size_t size = from->obj->nr_symbols * sizeof(*from->sums);

	*to = *from;
	to->sums = xmalloc(size ? size : 1);
	memcpy(to->sums, from->sums, size);
	to->scratch = new_scratch();
	to->anon = NULL;
}

void checksum_fork_free(struct checksum_ctx *ctx)
{
	free(ctx->sums);
	free_anonymous_starts(ctx);
	free_scratch(ctx->scratch);
	memset(ctx, 0, sizeof(*ctx));
}

const struct special_entry *checksum_entries(const struct checksum_ctx *ctx,
					     const struct elf_symbol *sym, size_t *nr)
{
	const struct sym_sums *s = &ctx->sums[sym->index];

	*nr = s->nr_entries;
	return ctx->entries + s->first_entry;
}

static void collect_ref(const struct insn_ref *ref, void *arg)
{
	struct hash_scratch *sc = arg;

	GROW(sc->refs, sc->nr_refs, sc->alloc_refs, sc->nr_refs + 1);
	sc->refs[sc->nr_refs++] = *ref;
}

/*
 * Decoding is the expensive part: do it only where the bytes and relocations
 * alone cannot say what the code refers to. That is when other code shares
 * the section (the assembler may have resolved branches to it), or when a
 * PC-relative relocation points into a section holding several symbols (the
 * instruction's end is needed to know which one).
 */
static bool needs_decoding(const struct elf_object *obj, const struct elf_section *sec,
			   size_t first, uint64_t end)
{
	if (!sec->is_code)
		return false;
	if (sec->shared_code)
		return true;
	for (size_t i = first; i < sec->nr_relocs && sec->relocs[i].offset < end; i++) {
		const struct elf_reloc *r = &sec->relocs[i];
		const struct elf_symbol *rs = elf_reloc_sym(obj, r);
		const struct elf_section *tsec = rs->sec;

		if (rs->type == STT_SECTION && tsec && elf_reloc_howto(obj, r).kind == RELOC_PCREL &&
		    !(tsec->sh->sh_flags & SHF_MERGE) && tsec->nr_syms > 1)
			return true;
	}
	return false;
}

static void add_hole(struct hash_scratch *sc, struct hole h)
{
	GROW(sc->holes, sc->nr_holes, sc->alloc_holes, sc->nr_holes + 1);
	sc->holes[sc->nr_holes++] = h;
}

static struct hole branch_hole(const struct insn_ref *ref)
{
	return (struct hole){ ref->field, ref->field_size, HOLE_BRANCH, NULL, ref->insn_end,
			      ref->target, ref->shift, ref->bits };
}

static int cmp_hole(const void *a, const void *b)
{
	const struct hole *x = a, *y = b;

	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	/* A mask wins over a relocation at the same place. */
	return (y->kind == HOLE_MASK) - (x->kind == HOLE_MASK);
}

/*
 * The holes of [start, end): relocations (with their instruction's end when
 * decoded), branches out of the range the assembler resolved, and @masks.
 */
static void gather_holes(struct checksum_ctx *ctx, const struct elf_section *sec, uint64_t start,
			 uint64_t end, const struct hole *masks, size_t nr_masks)
{
	struct hash_scratch *sc = ctx->scratch;
	size_t ri = elf_first_reloc(sec, start), k = 0;
	bool sorted = true;

	sc->nr_holes = 0;
	sc->nr_refs = 0;
	if (sec->data && needs_decoding(ctx->obj, sec, ri, end))
		ctx->obj->arch->scan_refs(sec->data + start, end - start, start, collect_ref, sc);
	for (; ri < sec->nr_relocs && sec->relocs[ri].offset < end; ri++) {
		const struct elf_reloc *r = &sec->relocs[ri];
		struct reloc_howto howto = elf_reloc_howto(ctx->obj, r);
		struct hole h = { r->offset, howto.width, HOLE_RELOC, r, 0, 0, howto.shift,
				  howto.bits };

		for (; k < sc->nr_refs && sc->refs[k].field <= r->offset; k++) {
			const struct insn_ref *ref = &sc->refs[k];

			if (ref->field == r->offset)
				h.insn_end = ref->insn_end;
			else if (ref->branch && (ref->target < start || ref->target >= end))
				add_hole(sc, branch_hole(ref));
		}
		add_hole(sc, h);
	}
	for (; k < sc->nr_refs; k++) {
		const struct insn_ref *ref = &sc->refs[k];

		if (ref->branch && (ref->target < start || ref->target >= end))
			add_hole(sc, branch_hole(ref));
	}
	for (size_t i = 0; i < nr_masks; i++) {
		add_hole(sc, masks[i]);
		sorted = false;
	}
	if (!sorted)
		sort(sc->holes, sc->nr_holes, sizeof(*sc->holes), cmp_hole);
}

void hash_range_masked(struct checksum_ctx *ctx, XXH3_state_t *st, const struct elf_section *sec,
		       uint64_t start, uint64_t end, const struct elf_symbol *fn,
		       const struct hole *masks, size_t nr_masks)
{
	struct hash_scratch *sc = ctx->scratch;
	struct hole *holes;
	size_t nr_holes;
	uint64_t pos = start;

	put_u64(st, end - start);
	gather_holes(ctx, sec, start, end, masks, nr_masks);
	/* Hashing a reference may not recurse into hash_range: take the list. */
	holes = sc->holes;
	nr_holes = sc->nr_holes;
	sc->holes = NULL;
	sc->alloc_holes = sc->nr_holes = 0;
	for (size_t i = 0; i < nr_holes; i++) {
		const struct hole *h = &holes[i];

		if (h->offset < pos)	/* overlapping (a mask on a relocation): first wins */
			continue;
		if (sec->data)
			XXH3_64bits_update(st, sec->data + pos, h->offset - pos);
		if (h->kind == HOLE_RELOC)
			hash_reloc(ctx, st, sec, h, fn);
		else if (h->kind == HOLE_BRANCH)
			hash_branch(ctx, st, sec, h, fn);
		else
			put_token(st, TOKEN_MASK, h->size, 0);
		/* An opcode sharing the field's bytes (a call or a jump) is part of the code. */
		if (h->bits && sec->data)
			put_u64(st, field_kept_bits(ctx->obj, sec->data + h->offset, h->size, h->shift,
						    h->bits));
		pos = h->offset + h->size;
	}
	if (sec->data && end > pos)
		XXH3_64bits_update(st, sec->data + pos, end - pos);
	free(sc->holes);
	sc->holes = holes;
	sc->alloc_holes = nr_holes;
}

void hash_range(struct checksum_ctx *ctx, XXH3_state_t *st, const struct elf_section *sec,
		uint64_t start, uint64_t end, const struct elf_symbol *fn)
{
	hash_range_masked(ctx, st, sec, start, end, fn, NULL, 0);
}

uint64_t checksum_range(struct checksum_ctx *ctx, struct elf_section *sec, uint64_t start,
			uint64_t end)
{
	XXH3_state_t *st = ctx->scratch->state[1];

	XXH3_64bits_reset(st);
	ctx->scratch->mask_lines = false;	/* line numbers are part of what this shows */
	hash_range(ctx, st, sec, start, end, NULL);
	return XXH3_64bits_digest(st);
}

void hash_own(struct checksum_ctx *ctx, XXH3_state_t *st, struct elf_symbol *sym)
{
	struct hash_scratch *sc = ctx->scratch;
	uint64_t start = sym->value, end = sym->value + sym->size;

	put_u64(st, sym->type);
	sc->nr_lines = 0;
	if (sc->mask_lines && sym->sec->data && sym->sec->is_code)
		find_line_masks(ctx, sym);
	hash_range_masked(ctx, st, sym->sec, start, end, sym_is_func(sym) ? sym : NULL,
			  sc->lines, sc->nr_lines);
}

/* Own bytes, special entries, and the same for each .cold/.part piece. */
static uint64_t hash_symbol(struct checksum_ctx *ctx, struct elf_symbol *sym, bool mask_lines)
{
	struct hash_scratch *sc = ctx->scratch;
	XXH3_state_t *st = sc->state[0];
	const struct sym_sums *s = &ctx->sums[sym->index];

	XXH3_64bits_reset(st);
	sc->mask_lines = mask_lines;
	sc->nr_pieces = 0;
	hash_own(ctx, st, sym);
	for (size_t i = 0; i < s->nr_entries; i++)
		if (ctx->entries[s->first_entry + i].sec->special->checksummed)
			hash_entry(ctx, st, &ctx->entries[s->first_entry + i]);
	/* Pieces found while hashing pieces are appended: the loop covers them. */
	for (size_t i = 0; i < sc->nr_pieces; i++) {
		struct elf_symbol *piece = sc->pieces[i];
		const struct sym_sums *ps = &ctx->sums[piece->index];

		put_token(st, TOKEN_PIECE, piece->key_hash, 0);
		hash_own(ctx, st, piece);
		for (size_t k = 0; k < ps->nr_entries; k++)
			if (ctx->entries[ps->first_entry + k].sec->special->checksummed)
				hash_entry(ctx, st, &ctx->entries[ps->first_entry + k]);
	}
	return XXH3_64bits_digest(st);
}

const struct sym_sums *checksum_symbol(struct checksum_ctx *ctx, struct elf_symbol *sym)
{
	struct sym_sums *s = &ctx->sums[sym->index];

	if (s->done)
		return s;
	ctx->scratch->saw_line_call = false;
	s->checksum = hash_symbol(ctx, sym, false);
	/* Only code that calls a line-taking helper needs a second, masked pass. */
	s->linesum = ctx->scratch->saw_line_call ? hash_symbol(ctx, sym, true) : s->checksum;
	s->done = true;
	return s;
}

