// SPDX-License-Identifier: GPL-2.0-or-later
#include "analysis/checksum.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "kernel/kernel_profile.h"
#include "elf/names.h"
#include "base/util.h"

enum hole_kind {
	HOLE_RELOC,	/* a relocation: hash its target's identity */
	HOLE_BRANCH,	/* a branch the assembler resolved: hash its target's identity */
	HOLE_MASK,	/* bytes left out: a line number */
};

/* A place in a byte range that is hashed by meaning instead of by its bytes. */
struct hole {
	uint64_t offset;
	unsigned size;
	enum hole_kind kind;
	const struct elf_reloc *reloc;
	uint64_t insn_end;	/* 0 if unknown */
	uint64_t target;	/* HOLE_BRANCH */
	uint8_t shift, bits;	/* bits: only these of the field are the reference's */
};

struct hash_scratch {
	bool nested;		/* hashing a callee's body inside its caller's checksum */
	struct insn_ref *refs;
	size_t nr_refs, alloc_refs;
	struct hole *holes;
	size_t nr_holes, alloc_holes;
	struct hole *lines;	/* line-number immediates of the range */
	size_t nr_lines, alloc_lines;
	struct elf_symbol **pieces;
	size_t nr_pieces, alloc_pieces;
	bool mask_lines;	/* computing the line sum */
	bool saw_line_call;
	XXH3_state_t *state[3];
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
	TOKEN_MASK,
	TOKEN_VIA_TABLE,
	TOKEN_ENTRY_REF,
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
	return !obj->arch->is_prefix_symbol(sym->name);
}

/* The offset a relocation points at in its target symbol's section. */
static uint64_t reloc_target(const struct elf_object *obj, const struct elf_section *sec,
			     const struct elf_reloc *r, uint64_t insn_end)
{
	uint64_t t = elf_reloc_sym(obj, r)->value + (uint64_t)r->addend;
	bool pcrel = elf_reloc_howto(obj, r).kind == RELOC_PCREL;

	if (sec->is_code && pcrel)
		t += insn_end ? insn_end - r->offset : (uint64_t)(int64_t)obj->arch->pcrel_field_bias;
	if (pcrel && sec->special && sec->special->relative_to_entry)
		t -= r->offset % sec->special->entry_size;
	return t;
}

/* The symbol a relocation refers to: named, or the one containing its target. */
static struct elf_symbol *reloc_target_symbol(const struct elf_object *obj,
					      const struct elf_section *sec,
					      const struct elf_reloc *r)
{
	struct elf_symbol *rs = elf_reloc_sym(obj, r);

	if (rs->type != STT_SECTION)
		return rs;
	if (!rs->sec)
		return NULL;
	return elf_symbol_containing(rs->sec, reloc_target(obj, sec, r, 0));
}

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

static void index_special_entries(struct checksum_ctx *ctx, bool all)
{
	struct elf_object *obj = ctx->obj;
	struct elf_section *sec;
	size_t alloc = 0;

	for_each_section(obj, sec) {
		if (!sec->special || !sec->data || (!all && !sec->special->checksummed))
			continue;
		for (uint64_t off = 0; off + sec->special->entry_size <= sec->sh->sh_size;
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

/* By a scan, not elf_find_symbol(): its name index would outweigh the rest of sums. */
static void find_line_helpers(struct checksum_ctx *ctx)
{
	struct strmap lines = { 0 }, formats = { 0 };
	struct elf_symbol *sym;
	size_t nr_lines, nr_formats;
	const struct line_helper *lh = kernel_line_helpers(&nr_lines);
	const struct format_helper *fh = kernel_format_helpers(&nr_formats);

	ctx->line_args = xcalloc(ctx->obj->nr_symbols, 1);
	ctx->format_arg = xcalloc(ctx->obj->nr_symbols, 1);
	for (size_t i = 0; i < nr_lines; i++)
		*strmap_slot(&lines, lh[i].name) = (void *)&lh[i];
	for (size_t i = 0; i < nr_formats; i++)
		*strmap_slot(&formats, fh[i].name) = (void *)&fh[i];
	for_each_symbol(ctx->obj, sym) {
		const struct line_helper *l;
		const struct format_helper *f;

		if (!sym_has_name(sym))
			continue;
		l = strmap_get(&lines, sym->name);
		f = l ? NULL : strmap_get(&formats, sym->name);
		if (l)
			ctx->line_args[sym->index] = l->args;
		if (f)
			ctx->format_arg[sym->index] = f->format_arg + 1;
	}
	strmap_free(&lines);
	strmap_free(&formats);
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

/*
 * The length of the line number at @s[@i] if it follows a source file name
 * and a colon ("arch/x86/kvm/x86.c:8493": __FILE__ ":" __stringify(__LINE__),
 * as in FORTIFY's field-spanning warnings), else 0.
 */
static size_t line_in_string(const char *s, size_t len, size_t i)
{
	size_t n = 0;

	if (i < 4 || s[i - 1] != ':' || s[i - 3] != '.' || (s[i - 2] != 'c' && s[i - 2] != 'h') ||
	    !(isalnum((unsigned char)s[i - 4]) || strchr("_-/.", s[i - 4])))
		return 0;
	while (i + n < len && s[i + n] >= '0' && s[i + n] <= '9')
		n++;
	return n;
}

/* A string by content; for the line sum, without the line numbers in it. */
static void hash_string_at(struct checksum_ctx *ctx, XXH3_state_t *st,
			   const struct elf_section *sec, uint64_t t)
{
	struct hash_scratch *sc = ctx->scratch;
	const char *s = NULL;
	size_t len = 0, from = 0;

	/* @t comes from a relocation: past the section, there is no string (and no pointer). */
	if (sec->data && t < sec->sh->sh_size) {
		s = (const char *)sec->data + t;
		len = strnlen(s, sec->sh->sh_size - t);
	}
	put_token(st, TOKEN_STRING, sc->mask_lines ? 0 : len, 0);
	/* A format that may print __LINE__ ("%s:%d"): see format_line_arg(). */
	if (len && memmem(s, len, "s:%", 3))
		sc->saw_line_call = true;
	for (size_t i = 0; i < len; i++) {
		size_t n = line_in_string(s, len, i);

		if (!n)
			continue;
		sc->saw_line_call = true;
		if (!sc->mask_lines)
			break;
		XXH3_64bits_update(st, s + from, i - from);
		put_token(st, TOKEN_MASK, 0, 0);
		from = i + n;
		i += n - 1;
	}
	if (len > from)
		XXH3_64bits_update(st, s + from, len - from);
}

static void hash_range(struct checksum_ctx *ctx, XXH3_state_t *st, const struct elf_section *sec,
		       uint64_t start, uint64_t end, const struct elf_symbol *fn);
static void hash_own(struct checksum_ctx *ctx, XXH3_state_t *st, struct elf_symbol *sym);

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

static void hash_branch(struct checksum_ctx *ctx, XXH3_state_t *st, const struct elf_section *sec,
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

static void hash_reloc(struct checksum_ctx *ctx, XXH3_state_t *st, const struct elf_section *sec,
		       const struct hole *hole, const struct elf_symbol *fn);
static void hash_entry(struct checksum_ctx *ctx, XXH3_state_t *st, const struct special_entry *e);

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
	    t - in + l->entry_size > tsec->sh->sh_size)
		return false;
	put_token(st, TOKEN_ENTRY_REF, in, 0);
	hash_entry(ctx, st, &(struct special_entry){ NULL, (struct elf_section *)tsec, t - in });
	return true;
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

static void hash_reloc(struct checksum_ctx *ctx, XXH3_state_t *st, const struct elf_section *sec,
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

/* Hash bytes [start, end) of @sec, holes by meaning. */
static void hash_range_masked(struct checksum_ctx *ctx, XXH3_state_t *st,
			      const struct elf_section *sec, uint64_t start, uint64_t end,
			      const struct elf_symbol *fn, const struct hole *masks, size_t nr_masks)
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

static void hash_range(struct checksum_ctx *ctx, XXH3_state_t *st, const struct elf_section *sec,
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

static void hash_entry(struct checksum_ctx *ctx, XXH3_state_t *st, const struct special_entry *e)
{
	const struct special_layout *l = e->sec->special;
	struct hole masks[3];
	size_t nr_masks = 0;

	/* The line is not part of the code; the replacement is hashed by content below. */
	if (l->line_field >= 0)
		masks[nr_masks++] = (struct hole){ e->offset + (uint64_t)l->line_field, 2,
						   HOLE_MASK, NULL, 0, 0, 0, 0 };
	if (l->content_field >= 0)
		masks[nr_masks++] = (struct hole){ e->offset + (uint64_t)l->content_field,
						   layout_field_width(l, l->content_field),
						   HOLE_MASK, NULL, 0, 0, 0, 0 };
	if (l->content_field >= 0 && l->content_end)
		masks[nr_masks++] = (struct hole){ e->offset + (uint64_t)l->content_len_field,
						   layout_field_width(l, l->content_len_field),
						   HOLE_MASK, NULL, 0, 0, 0, 0 };
	put_token(st, TOKEN_ENTRY, strmap_hash(e->sec->name), 0);
	hash_range_masked(ctx, st, e->sec, e->offset, e->offset + l->entry_size, NULL, masks,
			  nr_masks);
	if (l->content_field >= 0)
		hash_entry_content(ctx, st, e, l);
}

struct line_scan {
	struct checksum_ctx *ctx;
	const struct elf_section *sec;
	const struct elf_symbol *fn;
};

/* Where the relocation at @t + @field of *@sec points: its section (in *@sec) and offset. */
static uint64_t entry_field_target(const struct elf_object *obj, const struct elf_section **sec,
				   uint64_t t, unsigned field)
{
	size_t i = elf_first_reloc(*sec, t + field);
	const struct elf_reloc *r;

	if (i >= (*sec)->nr_relocs || (*sec)->relocs[i].offset != t + field) {
		*sec = NULL;
		return 0;
	}
	r = &(*sec)->relocs[i];
	t = reloc_target(obj, *sec, r, 0);
	*sec = elf_reloc_sym(obj, r)->sec;
	return t;
}

/* The string literal argument @arg was loaded with, or NULL. */
static const char *loaded_string(const struct line_scan *ls, const struct arg_loads *loads,
				 int arg)
{
	const struct elf_section *tsec;
	const struct elf_reloc *r;
	size_t i;
	uint64_t t;

	if (arg < 0 || arg >= 6 || !loads->size[arg])
		return NULL;
	i = elf_first_reloc(ls->sec, loads->field[arg]);
	if (i >= ls->sec->nr_relocs || ls->sec->relocs[i].offset != loads->field[arg])
		return NULL;
	r = &ls->sec->relocs[i];
	tsec = elf_reloc_sym(ls->ctx->obj, r)->sec;
	t = reloc_target(ls->ctx->obj, ls->sec, r, loads->insn_end[arg]);
	/*
	 * Loaded from an address table (ppc64's large code model): the entry's
	 * target. A special-section entry with a format (7.x's bug entry,
	 * which WARN() passes to __WARN_trap): that format.
	 */
	if (tsec && elf_is_address_table(ls->ctx->obj, tsec))
		t = entry_field_target(ls->ctx->obj, &tsec, t, 0);
	else if (tsec && tsec->special && tsec->special->format_field && !tsec->is_code)
		t = entry_field_target(ls->ctx->obj, &tsec, t - t % tsec->special->entry_size,
				       tsec->special->format_field);
	/* Literals are merged strings; gcc's __func__ is an object in .rodata. */
	if (!tsec || tsec->is_code || !tsec->data || t >= tsec->sh->sh_size ||
	    !memchr(tsec->data + t, '\0', tsec->sh->sh_size - t))
		return NULL;
	return (const char *)tsec->data + t;
}

/* Is @s __func__ of the function being hashed, or __FILE__ of its unit? */
static bool names_this_place(const struct line_scan *ls, const char *s)
{
	const char *name = ls->fn->name, *unit = ls->fn->unit;
	size_t len = strcspn(name, "."), slen = strlen(s), ulen = unit ? strlen(unit) : 0;

	if (slen == len && !strncmp(s, name, len))
		return true;
	return ulen && slen >= ulen && streq(s + slen - ulen, unit) &&
	       (slen == ulen || s[slen - ulen - 1] == '/');
}

/*
 * A printk-style format's "%s:%d" (or %i, %u) whose %s is __func__ or
 * __FILE__: the %d is __LINE__. Returns the argument it is, or -1.
 */
static int format_line_arg(const struct line_scan *ls, const struct arg_loads *loads, int fmt)
{
	const char *f = loaded_string(ls, loads, fmt), *s_end = NULL;
	int arg = fmt + 1, s_arg = -1;

	for (const char *c = f; c && *c; c++) {
		const char *start = c;

		if (*c != '%' || *++c == '%')
			continue;
		c += strspn(c, "-+ #0");
		arg += *c == '*', c += *c == '*' ? 1 : strspn(c, "0123456789");
		if (*c == '.') {
			c++;
			arg += *c == '*', c += *c == '*' ? 1 : strspn(c, "0123456789");
		}
		c += strspn(c, "hlzjtL");
		if (!*c)
			break;
		if (strchr("diu", *c) && s_end && start == s_end + 1 && *s_end == ':' &&
		    names_this_place(ls, loaded_string(ls, loads, s_arg) ?: ""))
			return arg;
		s_arg = *c == 's' ? arg : -1;
		s_end = *c == 's' ? c + 1 : NULL;
		if (*c == 'p')
			c += strspn(c + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
		arg++;
	}
	return -1;
}

static unsigned line_args_at(void *arg, uint64_t field, const struct arg_loads *loads)
{
	struct line_scan *ls = arg;
	size_t i = elf_first_reloc(ls->sec, field);
	const struct elf_symbol *callee;
	unsigned args;
	int line;

	if (i >= ls->sec->nr_relocs || ls->sec->relocs[i].offset != field)
		return 0;
	callee = elf_reloc_sym(ls->ctx->obj, &ls->sec->relocs[i]);
	args = ls->ctx->line_args[callee->index];
	if (ls->ctx->format_arg[callee->index]) {
		line = format_line_arg(ls, loads, ls->ctx->format_arg[callee->index] - 1);
		if (line >= 0 && line < 8)
			args |= 1u << line;
	}
	return args;
}

static void add_line_mask(void *arg, uint64_t imm_field, unsigned imm_size)
{
	struct hash_scratch *sc = ((struct line_scan *)arg)->ctx->scratch;

	GROW(sc->lines, sc->nr_lines, sc->alloc_lines, sc->nr_lines + 1);
	sc->lines[sc->nr_lines++] = (struct hole){ imm_field, imm_size, HOLE_MASK, NULL, 0, 0, 0, 0 };
}

/* Hash a function or object's own bytes; for the line sum, without line numbers. */
static void hash_own(struct checksum_ctx *ctx, XXH3_state_t *st, struct elf_symbol *sym)
{
	struct hash_scratch *sc = ctx->scratch;
	uint64_t start = sym->value, end = sym->value + sym->size;

	put_u64(st, sym->type);
	sc->nr_lines = 0;
	if (sc->mask_lines && sym->sec->data && sym->sec->is_code) {
		struct line_scan ls = { ctx, sym->sec, sym };

		ctx->obj->arch->scan_line_args(sym->sec->data + start, sym->size, start,
					       line_args_at, add_line_mask, &ls);
	}
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
