// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A reference by identity: the symbol a relocation or resolved branch means
 * (named, or found from a section and offset), with the addend as if it
 * were against that symbol; strings, constants and anonymous data by their
 * contents; a .toc entry by what it points at.
 */
#include <string.h>

#include "analysis/checksum_internal.h"
#include "elf/names.h"
#include "base/util.h"

struct elf_symbol *reloc_target_symbol(const struct elf_object *obj, const struct elf_section *sec,
				       const struct elf_reloc *r)
{
	struct elf_symbol *rs = elf_reloc_sym(obj, r);

	if (rs->type != STT_SECTION)
		return rs;
	if (!rs->sec)
		return NULL;
	return elf_symbol_containing(rs->sec, reloc_target(obj, sec, r, 0));
}

/*
 * Does @fn also take @sym's start address (as "p = array" does before a loop
 * to "array + n")? Only absolute address constants count.
 */
static bool takes_start_address(const struct elf_object *obj, const struct elf_symbol *fn,
				const struct elf_symbol *sym)
{
	const struct elf_section *sec = fn->sec;

	for (size_t i = elf_first_reloc(sec, fn->value);
	     i < sec->nr_relocs && sec->relocs[i].offset < fn->value + fn->size; i++) {
		const struct elf_reloc *r = &sec->relocs[i];
		const struct elf_symbol *rs = elf_reloc_sym(obj, r);

		if (elf_reloc_howto(obj, r).kind != RELOC_ABS)
			continue;
		if (rs == sym && r->addend == 0)
			return true;
		if (rs->type == STT_SECTION && rs->sec == sym->sec &&
		    reloc_target(obj, sec, r, 0) == sym->value)
			return true;
	}
	return false;
}

/* How far before a static a pointer to it may start (one element of a u64 array). */
#define NEAR_STATIC 8

/* The symbol ending exactly at @t, if any (a few steps back from @t). */
static struct elf_symbol *symbol_ending_at(const struct elf_section *sec, uint64_t t)
{
	size_t lo = 0, hi = sec->nr_syms;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sec->syms[mid]->value < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo, steps = 0; i-- > 0 && steps < 8; steps++)
		if (sec->syms[i]->size && sec->syms[i]->value + sec->syms[i]->size == t)
			return sec->syms[i];
	return NULL;
}

/*
 * A static symbol of @unit that @t points just before or just past. Only
 * its own unit refers to a static, but ld -r puts same-named sections of
 * several units together (.bss.slots of two files), so a pointer one element
 * before a static (ppc64's load-with-update loops start at "slots - 8") or
 * past its end may land inside another unit's symbol.
 */
static struct elf_symbol *static_of_unit_near(const struct elf_section *sec, uint64_t t,
					      const char *unit)
{
	struct elf_symbol *end = symbol_ending_at(sec, t);
	size_t lo = 0, hi = sec->nr_syms;

	if (end && end->unit == unit && sym_is_local(end))
		return end;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sec->syms[mid]->value <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < sec->nr_syms && sec->syms[lo]->value - t <= NEAR_STATIC; lo++)
		if (sec->syms[lo]->unit == unit && sym_is_local(sec->syms[lo]))
			return sec->syms[lo];
	return NULL;
}

struct elf_symbol *reference_target(const struct elf_object *obj, const struct elf_section *tsec,
				    uint64_t t, const struct elf_symbol *fn, bool address)
{
	struct elf_symbol *target, *before;

	/*
	 * A section holding one symbol (-fdata-sections) can only mean that one,
	 * wherever an instruction's immediate moved the addend.
	 */
	if (tsec->nr_syms == 1)
		return tsec->syms[0];
	/* Just before the section's first symbol ("slots - 8"): nothing else it can mean. */
	if (tsec->nr_syms && tsec->syms[0]->value - t - 1 < NEAR_STATIC)
		return tsec->syms[0];
	target = elf_symbol_containing(tsec, t);
	if (target && fn && fn->unit && sym_is_local(target) && target->unit != fn->unit) {
		struct elf_symbol *own = static_of_unit_near(tsec, t, fn->unit);

		if (own)
			return own;
	}

	if (target && target->value != t)
		return target;
	before = symbol_ending_at(tsec, t);
	if (before && (!target || (address && fn && takes_start_address(obj, fn, before))))
		return before;
	return target;
}

/* Remember @target if it is a piece of @fn: "fn.cold", or "fn.part.N" jumped to. */
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
	struct hash_scratch *sc = ctx->scratch;

	put_token(st, TOKEN_IN_SYMBOL, target->key_hash, (uint64_t)addend);
	if (fn && target->sec && sec->data)
		note_piece(sc, fn, target,
			   sec->is_code && ctx->obj->arch->field_is_jump(sec->data, field));
	/* Clones sharing a key are told apart by their bodies (one level deep). */
	if (ctx->by_body[target->index] && !sc->nested) {
		XXH3_state_t *inner = sc->state[2];
		size_t nr_pieces = sc->nr_pieces;

		sc->nested = true;
		XXH3_64bits_reset(inner);
		hash_own(ctx, inner, target);
		put_u64(st, XXH3_64bits_digest(inner));
		sc->nr_pieces = nr_pieces;	/* the callee's pieces are not ours */
		sc->nested = false;
	}
}

void hash_branch(struct checksum_ctx *ctx, XXH3_state_t *st, const struct elf_section *sec,
		 const struct hole *hole, const struct elf_symbol *fn)
{
	struct elf_symbol *target = elf_symbol_containing(sec, hole->target);

	put_token(st, (enum token)RELOC_PCREL, hole->size, 0);
	if (!target) {
		put_token(st, TOKEN_BRANCH, 0, hole->target);
		return;
	}
	/* The displacement counts from the instruction's end, as a PC32 addend would. */
	hash_symbol_ref(ctx, st, sec, hole->offset, fn, target,
			(int64_t)(hole->target - target->value - (hole->insn_end - hole->offset)));
}

/*
 * Where pieces of anonymous data (string literals, compound literals, tables
 * without a symbol) start: the offsets relocations point at, per section,
 * sorted. Indexed once per object, on first need.
 */
static void index_anonymous_starts(struct checksum_ctx *ctx)
{
	const struct elf_object *obj = ctx->obj;
	const struct elf_section *sec;

	ctx->anon = xcalloc(obj->nr_sections, sizeof(*ctx->anon));
	for_each_section(obj, sec) {
		for (uint32_t i = 0; i < sec->nr_relocs; i++) {
			const struct elf_reloc *r = &sec->relocs[i];
			const struct elf_symbol *rs = elf_reloc_sym(obj, r);
			struct anon_starts *a;

			if (rs->type != STT_SECTION || !rs->sec || rs->sec->is_code ||
			    (rs->sec->sh->sh_flags & SHF_MERGE))
				continue;
			a = &ctx->anon[rs->sec->index];
			GROW(a->v, a->nr, a->alloc, a->nr + 1);
			a->v[a->nr++] = reloc_target(obj, sec, r, 0);
		}
	}
	for (size_t k = 0; k < obj->nr_sections; k++)
		sort(ctx->anon[k].v, ctx->anon[k].nr, sizeof(uint64_t), cmp_u64);
}

/* The end of the anonymous piece at @t: the next start, symbol or the section's end. */
static uint64_t anonymous_end(struct checksum_ctx *ctx, const struct elf_section *tsec, uint64_t t)
{
	const struct anon_starts *a;
	uint64_t end = tsec->sh->sh_size;
	size_t lo = 0, hi;

	if (!ctx->anon)
		index_anonymous_starts(ctx);
	a = &ctx->anon[tsec->index];
	hi = a->nr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->v[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < a->nr && a->v[lo] < end)
		end = a->v[lo];
	for (lo = 0, hi = tsec->nr_syms; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;

		if (tsec->syms[mid]->value <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < tsec->nr_syms && tsec->syms[lo]->value < end)
		end = tsec->syms[lo]->value;
	return end;
}

/*
 * Data no symbol covers, by content rather than by offset: a relocatable
 * link (an LTO vmlinux.o) concatenates same-named sections of many files,
 * such as clang's .rodata..L.str.N, so an offset moves whenever another
 * file's piece changes size. The piece is its bytes and what its own
 * relocations point at, by name.
 */
static void hash_anonymous_data(struct checksum_ctx *ctx, XXH3_state_t *st,
				const struct elf_section *tsec, uint64_t t)
{
	uint64_t end;

	/*
	 * Code without a symbol (.altinstr_aux) stays by offset: its pieces
	 * end in jumps back, not at a referenced offset.
	 */
	if (tsec->is_code || !tsec->data || t >= tsec->sh->sh_size) {
		put_token(st, TOKEN_IN_SECTION, strmap_hash(tsec->name), t);
		return;
	}
	end = anonymous_end(ctx, tsec, t);
	put_token(st, TOKEN_CONTENT, end - t, 0);
	XXH3_64bits_update(st, tsec->data + t, end - t);
	for (size_t i = elf_first_reloc(tsec, t); i < tsec->nr_relocs &&
	     tsec->relocs[i].offset < end; i++) {
		const struct elf_reloc *r = &tsec->relocs[i];
		const struct elf_symbol *rs = elf_reloc_sym(ctx->obj, r);
		uint64_t at = (uint64_t)r->addend;

		if (rs->type == STT_SECTION && rs->sec && (rs->sec->sh->sh_flags & SHF_STRINGS)) {
			put_token(st, TOKEN_IN_SYMBOL, r->offset - t, 0);
			hash_string_at(ctx, st, rs->sec, rs->value + at);
			continue;
		}
		/* A switch table's entries: the function they jump into, not .text's offset. */
		if (rs->type == STT_SECTION && rs->sec) {
			const struct elf_symbol *in = elf_symbol_containing(rs->sec, rs->value + at);

			at += rs->value - (in ? in->value : 0);
			rs = in ? in : rs;
		}
		put_token(st, TOKEN_IN_SYMBOL, r->offset - t,
			  strmap_hash(rs->type == STT_SECTION && rs->sec ? rs->sec->name : rs->key));
		put_u64(st, at);
	}
}

/*
 * A load through an address table (ppc64's TOC) is a reference to what the
 * entry points at: entries of a linked table move whenever another file's do.
 */
static bool hash_via_table(struct checksum_ctx *ctx, XXH3_state_t *st,
			   const struct elf_section *table, uint64_t t, const struct elf_symbol *fn)
{
	size_t i = elf_first_reloc(table, t);
	const struct elf_reloc *r;
	struct reloc_howto howto;

	if (i >= table->nr_relocs || table->relocs[i].offset != t)
		return false;
	r = &table->relocs[i];
	howto = elf_reloc_howto(ctx->obj, r);
	put_token(st, TOKEN_VIA_TABLE, 0, 0);
	hash_reloc(ctx, st, table, &(struct hole){ t, howto.width, HOLE_RELOC, r, 0, 0, 0, 0 },
		   fn);
	return true;
}

/*
 * A reference to a special-section entry (7.x's WARN() passes its bug
 * entry's address to __WARN_trap) is one to that entry, by content: its
 * offset moves whenever an entry before it comes or goes.
 */
static bool hash_entry_ref(struct checksum_ctx *ctx, XXH3_state_t *st,
			   const struct elf_section *tsec, uint64_t t)
{
	const struct special_layout *l = tsec->special;
	uint64_t in = t % l->entry_size;

	if (tsec->is_code || !tsec->data || t >= tsec->sh->sh_size ||
	    !layout_has_entry(l, tsec->sh->sh_size, t - in))
		return false;
	put_token(st, TOKEN_ENTRY_REF, in, 0);
	hash_entry(ctx, st, &(struct special_entry){ NULL, (struct elf_section *)tsec, t - in });
	return true;
}

void hash_reloc(struct checksum_ctx *ctx, XXH3_state_t *st, const struct elf_section *sec,
		const struct hole *hole, const struct elf_symbol *fn)
{
	const struct elf_reloc *r = hole->reloc;
	struct reloc_howto howto = elf_reloc_howto(ctx->obj, r);
	struct elf_symbol *rs = elf_reloc_sym(ctx->obj, r), *target;
	const struct elf_section *tsec = rs->sec;
	uint64_t t;

	put_token(st, (enum token)howto.kind, howto.width, 0);
	if (ctx->line_args[rs->index])
		ctx->scratch->saw_line_call = true;
	if (rs->type != STT_SECTION && !(tsec && (tsec->sh->sh_flags & SHF_MERGE))) {
		hash_symbol_ref(ctx, st, sec, r->offset, fn, rs, r->addend);
		return;
	}
	if (!tsec) {
		put_token(st, TOKEN_IN_SECTION, 0, (uint64_t)r->addend);
		return;
	}
	t = reloc_target(ctx->obj, sec, r, hole->insn_end);
	if (elf_is_address_table(ctx->obj, tsec) && hash_via_table(ctx, st, tsec, t, fn))
		return;
	if (tsec->special && hash_entry_ref(ctx, st, tsec, t))
		return;
	if ((tsec->sh->sh_flags & SHF_MERGE) && (tsec->sh->sh_flags & SHF_STRINGS)) {
		hash_string_at(ctx, st, tsec, t);
		return;
	}
	if ((tsec->sh->sh_flags & SHF_MERGE) && tsec->sh->sh_entsize && tsec->data &&
	    t < tsec->sh->sh_size) {
		uint64_t n = tsec->sh->sh_entsize;

		if (n > tsec->sh->sh_size - t)
			n = tsec->sh->sh_size - t;
		put_token(st, TOKEN_CONSTANT, n, 0);
		XXH3_64bits_update(st, tsec->data + t, n);
		return;
	}
	target = reference_target(ctx->obj, tsec, t, fn, howto.kind == RELOC_ABS);
	if (target)
		hash_symbol_ref(ctx, st, sec, r->offset, fn, target,
				(int64_t)(rs->value - target->value + (uint64_t)r->addend));
	else
		hash_anonymous_data(ctx, st, tsec, t);
}

