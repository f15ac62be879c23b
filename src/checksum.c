// SPDX-License-Identifier: GPL-2.0-or-later
#include "checksum.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "names.h"
#include "util.h"

/* A place in a byte range that is hashed by meaning instead of by its bytes. */
struct hole {
	uint64_t offset;
	unsigned size;
	const struct elf_reloc *reloc;	/* NULL: a branch the assembler resolved */
	uint64_t insn_end;		/* 0 if unknown */
	uint64_t target;		/* branch target (no reloc) */
};

struct hash_scratch {
	struct insn_ref *refs;
	size_t nr_refs, alloc_refs;
	struct elf_symbol **pieces;
	size_t nr_pieces, alloc_pieces;
};

enum token {
	TOKEN_STRING = 16,
	TOKEN_CONSTANT,
	TOKEN_IN_SYMBOL,
	TOKEN_IN_SECTION,
	TOKEN_BRANCH,
	TOKEN_ENTRY,
	TOKEN_PIECE,
	TOKEN_CONTENT,
};

static void put_u64(XXH3_state_t *st, uint64_t v)
{
	XXH3_64bits_update(st, &v, sizeof(v));
}

static void put_token(XXH3_state_t *st, enum token tok, uint64_t a, uint64_t b)
{
	uint64_t v[3] = { tok, a, b };

	XXH3_64bits_update(st, v, sizeof(v));
}

bool checksum_wanted(const struct elf_object *obj, const struct elf_symbol *sym)
{
	if (!sym->sec || !sym->size || !(sym_is_func(sym) || sym_is_object(sym)))
		return false;
	if (!(sym->sec->sh.sh_flags & SHF_ALLOC))
		return false;
	/* String literals (clang names them .L.str.N) are hashed where used. */
	if ((sym->sec->sh.sh_flags & SHF_STRINGS) || starts_with(sym->name, ".L"))
		return false;
	return !obj->arch->is_prefix_symbol(sym->name);
}

static int cmp_entry(const void *a, const void *b)
{
	const struct special_entry *x = a, *y = b;

	if (x->owner != y->owner)
		return x->owner < y->owner ? -1 : 1;
	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* The offset a relocation points at in its target symbol's section. */
static uint64_t reloc_target(const struct elf_object *obj, const struct elf_section *sec,
			     const struct elf_reloc *r, uint64_t insn_end)
{
	uint64_t t = r->sym->value + (uint64_t)r->addend;

	if (r->howto.kind == RELOC_PCREL && sec->is_code)
		t += insn_end ? insn_end - r->offset : obj->arch->pcrel_field_bias;
	return t;
}

static struct elf_symbol *entry_owner(struct elf_object *obj, struct elf_section *sec,
				      uint64_t off, int field)
{
	size_t i = elf_first_reloc(sec, off + (uint64_t)field);
	const struct elf_reloc *r;
	struct elf_symbol *owner;

	if (i >= sec->nr_relocs || sec->relocs[i].offset != off + (uint64_t)field)
		return NULL;
	r = &sec->relocs[i];
	if (!r->sym->sec || !r->sym->sec->is_code)
		return NULL;
	owner = elf_symbol_containing(r->sym->sec, reloc_target(obj, sec, r, 0));
	return owner && sym_is_func(owner) ? owner : NULL;
}

static void index_special_entries(struct checksum_ctx *ctx)
{
	struct elf_object *obj = ctx->obj;
	struct elf_section *sec;
	size_t alloc = 0;

	for_each_section(obj, sec) {
		const struct special_layout *l = sec->special;

		if (!l || !l->checksummed || !sec->data)
			continue;
		if (sec->sh.sh_size % l->entry_size)
			warn(obj->path, "section %s: size %#lx is not a multiple of the %u-byte "
			     "entries of Linux 6.1; entries ignored", sec->name,
			     (unsigned long)sec->sh.sh_size, l->entry_size);
		for (uint64_t off = 0; off + l->entry_size <= sec->sh.sh_size; off += l->entry_size) {
			struct elf_symbol *owner = entry_owner(obj, sec, off, l->owner_field);

			if (!owner)
				continue;
			GROW(ctx->entries, ctx->nr_entries, alloc, ctx->nr_entries + 1);
			ctx->entries[ctx->nr_entries++] = (struct special_entry){ owner, sec, off };
		}
	}
	qsort(ctx->entries, ctx->nr_entries, sizeof(*ctx->entries), cmp_entry);
	for (size_t i = 0; i < ctx->nr_entries; i++) {
		struct sym_sums *s = &ctx->sums[ctx->entries[i].owner->index];

		if (!s->nr_entries)
			s->first_entry = (uint32_t)i;
		s->nr_entries++;
	}
}

/*
 * The bug table exists in two sizes in Linux 6.1 (with and without
 * CONFIG_DEBUG_BUGVERBOSE): pick the layout whose relocated fields match
 * where the relocations are.
 */
static void choose_special_layouts(struct elf_object *obj)
{
	struct elf_section *sec;

	for_each_section(obj, sec) {
		const struct special_layout *l = sec->special;

		if (!l)
			continue;
		for (; l < obj->arch->special + obj->arch->nr_special &&
		       streq(l->section, sec->name); l++) {
			bool fits = sec->sh.sh_size % l->entry_size == 0;

			for (size_t i = 0; fits && i < sec->nr_relocs; i++) {
				uint64_t field = sec->relocs[i].offset % l->entry_size;

				fits = field < 32 && (l->reloc_fields & (1u << field));
			}
			if (fits) {
				sec->special = l;
				break;
			}
		}
	}
}

void checksum_init(struct checksum_ctx *ctx, struct elf_object *obj)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->obj = obj;
	ctx->sums = xcalloc(obj->nr_symbols, sizeof(*ctx->sums));
	ctx->scratch = xcalloc(1, sizeof(*ctx->scratch));
	choose_special_layouts(obj);
	index_special_entries(ctx);
}

void checksum_free(struct checksum_ctx *ctx)
{
	free(ctx->entries);
	free(ctx->sums);
	if (ctx->scratch) {
		free(ctx->scratch->refs);
		free(ctx->scratch->pieces);
		free(ctx->scratch);
	}
	memset(ctx, 0, sizeof(*ctx));
}

static void hash_string_at(XXH3_state_t *st, const struct elf_section *sec, uint64_t t)
{
	size_t len = 0;

	if (sec->data && t < sec->sh.sh_size)
		len = strnlen((const char *)sec->data + t, sec->sh.sh_size - t);
	put_token(st, TOKEN_STRING, len, 0);
	if (len)
		XXH3_64bits_update(st, sec->data + t, len);
}

static void note_piece(struct hash_scratch *sc, const struct elf_symbol *fn,
		       struct elf_symbol *target, bool jump)
{
	size_t plen;

	if (!fn || target == fn || !sym_is_func(target))
		return;
	if (!name_is_cold_piece(target->key) && !(jump && name_is_part_piece(target->key)))
		return;
	plen = name_piece_parent_len(target->key);
	if (strlen(fn->key) != plen || strncmp(fn->key, target->key, plen))
		return;
	for (size_t i = 0; i < sc->nr_pieces; i++)
		if (sc->pieces[i] == target)
			return;
	GROW(sc->pieces, sc->nr_pieces, sc->alloc_pieces, sc->nr_pieces + 1);
	sc->pieces[sc->nr_pieces++] = target;
}

/*
 * A reference is hashed as (target symbol, addend as if the relocation were
 * against that symbol), however the assembler expressed it: against a named
 * symbol, against a section symbol plus offset, or resolved into a branch
 * displacement. So the same instruction hashes the same with and without
 * -ffunction-sections and after ld -r.
 */
static void hash_symbol_ref(struct checksum_ctx *ctx, XXH3_state_t *st, const struct elf_section *sec,
			    uint64_t field, const struct elf_symbol *fn, struct elf_symbol *target,
			    int64_t addend)
{
	put_token(st, TOKEN_IN_SYMBOL, target->key_hash, (uint64_t)addend);
	if (target->sec && sec->data)
		note_piece(ctx->scratch, fn, target, ctx->obj->arch->field_is_jump(sec->data, field));
}

static void hash_reference(struct checksum_ctx *ctx, XXH3_state_t *st, const struct elf_section *sec,
			   const struct hole *hole, const struct elf_symbol *fn)
{
	const struct elf_reloc *r = hole->reloc;
	const struct elf_section *tsec;
	struct elf_symbol *target;
	uint64_t t;

	put_token(st, (enum token)(r ? r->howto.kind : RELOC_PCREL), hole->size, 0);
	if (!r) {
		/* A resolved branch: its displacement counts from the instruction's end. */
		target = elf_symbol_containing(sec, hole->target);
		if (target)
			hash_symbol_ref(ctx, st, sec, hole->offset, fn, target,
					(int64_t)(hole->target - target->value) -
						(int64_t)(hole->insn_end - hole->offset));
		else
			put_token(st, TOKEN_BRANCH, 0, hole->target);
		return;
	}
	tsec = r->sym->sec;
	if (r->sym->type != STT_SECTION && !(tsec && (tsec->sh.sh_flags & SHF_MERGE))) {
		hash_symbol_ref(ctx, st, sec, r->offset, fn, r->sym, r->addend);
		return;
	}
	if (!tsec) {
		put_token(st, TOKEN_IN_SECTION, 0, (uint64_t)r->addend);
		return;
	}
	t = reloc_target(ctx->obj, sec, r, hole->insn_end);
	if ((tsec->sh.sh_flags & SHF_MERGE) && (tsec->sh.sh_flags & SHF_STRINGS)) {
		hash_string_at(st, tsec, t);
		return;
	}
	if ((tsec->sh.sh_flags & SHF_MERGE) && tsec->sh.sh_entsize && tsec->data &&
	    t < tsec->sh.sh_size) {
		uint64_t n = tsec->sh.sh_entsize;

		if (n > tsec->sh.sh_size - t)
			n = tsec->sh.sh_size - t;
		put_token(st, TOKEN_CONSTANT, n, 0);
		XXH3_64bits_update(st, tsec->data + t, n);
		return;
	}
	target = elf_symbol_containing(tsec, t);
	if (target)
		hash_symbol_ref(ctx, st, sec, r->offset, fn, target,
				(int64_t)(r->sym->value - target->value) + r->addend);
	else
		put_token(st, TOKEN_IN_SECTION, strmap_hash(tsec->name), t);
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
static bool needs_decoding(const struct elf_section *sec, size_t first, uint64_t end)
{
	if (!sec->is_code)
		return false;
	if (sec->shared_code)
		return true;
	for (size_t i = first; i < sec->nr_relocs && sec->relocs[i].offset < end; i++) {
		const struct elf_reloc *r = &sec->relocs[i];
		const struct elf_section *tsec = r->sym->sec;

		if (r->howto.kind == RELOC_PCREL && r->sym->type == STT_SECTION && tsec &&
		    !(tsec->sh.sh_flags & SHF_MERGE) && tsec->nr_syms > 1)
			return true;
	}
	return false;
}

/*
 * Hash bytes [start, end) of @sec with relocations and resolved branches
 * replaced by what they point to. @skip_field/@skip_size: bytes to leave out
 * (a line number), relative to @start; skip_size 0 for none.
 */
static void hash_range(struct checksum_ctx *ctx, XXH3_state_t *st, const struct elf_section *sec,
		       uint64_t start, uint64_t end, const struct elf_symbol *fn,
		       uint64_t skip_field, unsigned skip_size)
{
	struct hash_scratch *sc = ctx->scratch;
	size_t ri = elf_first_reloc(sec, start), refi = 0;
	uint64_t pos = start;

	put_u64(st, end - start);
	sc->nr_refs = 0;
	if (sec->data && needs_decoding(sec, ri, end))
		ctx->obj->arch->scan_refs(sec->data + start, end - start, start, collect_ref, sc);
	while (pos < end) {
		struct hole hole = { .offset = end };

		/* The next hole: a relocation, or a branch to outside [start, end). */
		while (refi < sc->nr_refs && sc->refs[refi].field < pos)
			refi++;
		if (ri < sec->nr_relocs && sec->relocs[ri].offset < end) {
			hole.offset = sec->relocs[ri].offset;
			hole.size = sec->relocs[ri].howto.width;
			hole.reloc = &sec->relocs[ri];
		}
		for (size_t k = refi; k < sc->nr_refs && sc->refs[k].field <= hole.offset; k++) {
			const struct insn_ref *ref = &sc->refs[k];

			if (ref->field == hole.offset && hole.reloc) {
				hole.insn_end = ref->insn_end;
				break;
			}
			if (ref->branch && (ref->target < start || ref->target >= end) &&
			    ref->field < hole.offset) {
				hole = (struct hole){ .offset = ref->field, .size = ref->field_size,
						      .target = ref->target, .insn_end = ref->insn_end };
				break;
			}
		}
		if (skip_size && hole.offset > start + skip_field && pos <= start + skip_field) {
			hole = (struct hole){ .offset = start + skip_field, .size = skip_size };
			if (sec->data)
				XXH3_64bits_update(st, sec->data + pos, hole.offset - pos);
			pos = hole.offset + hole.size;
			continue;
		}
		if (sec->data && hole.offset > pos)
			XXH3_64bits_update(st, sec->data + pos, hole.offset - pos);
		if (hole.offset >= end)
			break;
		if (hole.reloc || hole.size)
			hash_reference(ctx, st, sec, &hole, fn);
		if (hole.reloc)
			ri++;
		pos = hole.offset + hole.size;
	}
}

/* An entry's anonymous code (an alternative's replacement), hashed by content. */
static void hash_entry_content(struct checksum_ctx *ctx, XXH3_state_t *st,
			       const struct special_entry *e, const struct special_layout *l)
{
	uint64_t field = e->offset + (uint64_t)l->content_field;
	size_t i = elf_first_reloc(e->sec, field);
	const struct elf_reloc *r;
	const struct elf_section *tsec;
	uint64_t t, len;

	if (i >= e->sec->nr_relocs || e->sec->relocs[i].offset != field)
		return;
	r = &e->sec->relocs[i];
	tsec = r->sym->sec;
	t = reloc_target(ctx->obj, e->sec, r, 0);
	len = e->sec->data[e->offset + (uint64_t)l->content_len_field];
	if (!tsec || t > tsec->sh.sh_size || len > tsec->sh.sh_size - t)
		return;
	put_token(st, TOKEN_CONTENT, len, 0);
	hash_range(ctx, st, tsec, t, t + len, NULL, 0, 0);
}

static void hash_entry(struct checksum_ctx *ctx, XXH3_state_t *st, const struct special_entry *e)
{
	const struct special_layout *l = e->sec->special;

	put_token(st, TOKEN_ENTRY, strmap_hash(e->sec->name), 0);
	hash_range(ctx, st, e->sec, e->offset, e->offset + l->entry_size, NULL,
		   l->line_field >= 0 ? (uint64_t)l->line_field : 0, l->line_field >= 0 ? 2 : 0);
	if (l->content_field >= 0)
		hash_entry_content(ctx, st, e, l);
}

static XXH3_state_t *new_state(void)
{
	XXH3_state_t *st = XXH3_createState();

	if (!st)
		fatal("out of memory");
	XXH3_64bits_reset(st);
	return st;
}

static uint64_t own_hash(struct checksum_ctx *ctx, struct elf_symbol *sym)
{
	XXH3_state_t *st = new_state();
	uint64_t h;

	put_u64(st, sym->type);
	hash_range(ctx, st, sym->sec, sym->value, sym->value + sym->size,
		   sym_is_func(sym) ? sym : NULL, 0, 0);
	h = XXH3_64bits_digest(st);
	XXH3_freeState(st);
	return h;
}

uint64_t checksum_symbol(struct checksum_ctx *ctx, struct elf_symbol *sym)
{
	struct sym_sums *s = &ctx->sums[sym->index];
	struct hash_scratch *sc = ctx->scratch;
	struct elf_symbol *pieces[16];
	size_t nr_pieces;
	XXH3_state_t *st;

	if (s->done)
		return s->full;
	sc->nr_pieces = 0;
	s->own = own_hash(ctx, sym);
	nr_pieces = sc->nr_pieces < ARRAY_SIZE(pieces) ? sc->nr_pieces : ARRAY_SIZE(pieces);
	memcpy(pieces, sc->pieces, nr_pieces * sizeof(*pieces));

	st = new_state();
	put_u64(st, s->own);
	for (size_t i = 0; i < s->nr_entries; i++)
		hash_entry(ctx, st, &ctx->entries[s->first_entry + i]);
	for (size_t i = 0; i < nr_pieces; i++) {
		struct sym_sums *ps = &ctx->sums[pieces[i]->index];

		put_token(st, TOKEN_PIECE, pieces[i]->key_hash, 0);
		put_u64(st, own_hash(ctx, pieces[i]));
		for (size_t k = 0; k < ps->nr_entries; k++)
			hash_entry(ctx, st, &ctx->entries[ps->first_entry + k]);
	}
	s->full = XXH3_64bits_digest(st);
	s->done = true;
	XXH3_freeState(st);
	return s->full;
}
