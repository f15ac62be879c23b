/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-symbol checksums that survive everything a rebuild changes except the
 * code itself: relocation targets are hashed by identity (name key plus
 * offset, string bytes, constant bytes), never by address; branches the
 * assembler resolved are hashed by target identity; special-section entries
 * and .cold pieces a function owns are part of its checksum.
 */
#ifndef KLPDIFF_CHECKSUM_H
#define KLPDIFF_CHECKSUM_H

#include <stdint.h>

#include "elf_object.h"

/* One special-section entry and the function it belongs to. */
struct special_entry {
	struct elf_symbol *owner;
	struct elf_section *sec;
	uint64_t offset;
};

struct checksum_ctx {
	struct elf_object *obj;
	struct special_entry *entries;	/* sorted by owner symbol index */
	size_t nr_entries;
	struct sym_sums *sums;		/* per symbol index */
	struct hash_scratch *scratch;
};

struct sym_sums {
	uint64_t own;		/* the symbol's own bytes and references */
	uint64_t full;		/* own + pieces + special entries */
	uint32_t first_entry;	/* index into ctx->entries */
	uint32_t nr_entries;
	bool done;
};

/* Does this symbol get a checksum (a sized function or data object)? */
bool checksum_wanted(const struct elf_object *obj, const struct elf_symbol *sym);

void checksum_init(struct checksum_ctx *ctx, struct elf_object *obj);
void checksum_free(struct checksum_ctx *ctx);
/* The full checksum of @sym (computed once, then cached). */
uint64_t checksum_symbol(struct checksum_ctx *ctx, struct elf_symbol *sym);

#endif
