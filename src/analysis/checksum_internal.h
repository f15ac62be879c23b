/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside the checksum: what checksum.c (contexts, byte ranges and their
 * holes, a symbol's sums), checksum_refs.c (a reference's identity),
 * checksum_entries.c (special-section entries) and checksum_lines.c (line
 * numbers left out of the line sum) share.
 */
#ifndef KLPDIFF_CHECKSUM_INTERNAL_H
#define KLPDIFF_CHECKSUM_INTERNAL_H

#include <xxhash.h>

#include "analysis/checksum.h"

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

static inline void put_u64(XXH3_state_t *st, uint64_t v)
{
	XXH3_64bits_update(st, &v, sizeof(v));
}

static inline void put_token(XXH3_state_t *st, enum token tok, uint64_t a, uint64_t b)
{
	uint64_t v[3] = { tok, a, b };

	XXH3_64bits_update(st, v, sizeof(v));
}

/* The offset a relocation points at in its target symbol's section. */
static inline uint64_t reloc_target(const struct elf_object *obj, const struct elf_section *sec,
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

/* checksum.c */
/* Hash bytes [start, end) of @sec, holes by meaning, @masks left out. */
void hash_range_masked(struct checksum_ctx *ctx, XXH3_state_t *st, const struct elf_section *sec,
		       uint64_t start, uint64_t end, const struct elf_symbol *fn,
		       const struct hole *masks, size_t nr_masks);
void hash_range(struct checksum_ctx *ctx, XXH3_state_t *st, const struct elf_section *sec,
		uint64_t start, uint64_t end, const struct elf_symbol *fn);
/* A function or object's own bytes; for the line sum, without line numbers. */
void hash_own(struct checksum_ctx *ctx, XXH3_state_t *st, struct elf_symbol *sym);

/* checksum_refs.c */
/* The symbol a relocation refers to: named, or the one containing its target. */
struct elf_symbol *reloc_target_symbol(const struct elf_object *obj, const struct elf_section *sec,
				       const struct elf_reloc *r);
/* A relocation's target, by identity: symbol and addend, or contents. */
void hash_reloc(struct checksum_ctx *ctx, XXH3_state_t *st, const struct elf_section *sec,
		const struct hole *hole, const struct elf_symbol *fn);
/* A branch the assembler resolved, as if it had a relocation. */
void hash_branch(struct checksum_ctx *ctx, XXH3_state_t *st, const struct elf_section *sec,
		 const struct hole *hole, const struct elf_symbol *fn);

/* checksum_entries.c */
/* Find the owner of each special-section entry (@all: also those no checksum reads). */
void index_special_entries(struct checksum_ctx *ctx, bool all);
void hash_entry(struct checksum_ctx *ctx, XXH3_state_t *st, const struct special_entry *e);

/* checksum_lines.c */
/* Which symbols are line helpers and printk-style functions, by index. */
void find_line_helpers(struct checksum_ctx *ctx);
/* Into the scratch's lines: the immediates of @sym's code that pass a line. */
void find_line_masks(struct checksum_ctx *ctx, struct elf_symbol *sym);
/* A string by content; for the line sum, without the line numbers in it. */
void hash_string_at(struct checksum_ctx *ctx, XXH3_state_t *st, const struct elf_section *sec,
		    uint64_t t);

#endif
