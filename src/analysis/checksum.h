/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-symbol checksums that survive everything a rebuild changes except the
 * code itself: relocation targets are hashed by identity (name key plus
 * offset, string bytes, constant bytes), never by address; branches the
 * assembler resolved are hashed by target identity; special-section entries
 * and .cold pieces a function owns are part of its checksum.
 *
 * Each symbol gets two sums: the checksum, and the "line sum", the same with
 * source line numbers passed to line-taking helpers (might_sleep() and
 * friends) left out, so that `klpdiff diff` can tell a line shift from a
 * change.
 */
#ifndef KLPDIFF_CHECKSUM_H
#define KLPDIFF_CHECKSUM_H

#include <stdint.h>

#include "elf/elf_object.h"

/* One special-section entry and the function it belongs to. */
struct special_entry {
	struct elf_symbol *owner;
	struct elf_section *sec;
	uint64_t offset;
};

struct sym_sums {
	uint64_t checksum;
	uint64_t linesum;
	uint32_t owner;			/* index of a static local's user (smallest key), or 0 */
	uint32_t first_entry;		/* into checksum_ctx.entries */
	uint32_t nr_entries;
	bool done;
};

struct hash_scratch;

struct checksum_ctx {
	struct elf_object *obj;
	struct special_entry *entries;	/* sorted by owner */
	size_t nr_entries;
	struct sym_sums *sums;		/* by symbol index */
	uint8_t *line_args;		/* by symbol index: a line helper's line arguments (bit N) */
	uint8_t *format_arg;		/* by symbol index: a printk's format argument + 1, or 0 */
	bool *by_body;			/* by symbol index: a clone told apart by its body */
	struct hash_scratch *scratch;
	struct anon_starts {		/* by section index; see hash_anonymous_data() */
		uint64_t *v;
		size_t nr, alloc;
	} *anon;
};

/* Does this symbol get a checksum (a sized function or data object)? */
bool checksum_wanted(const struct elf_object *obj, const struct elf_symbol *sym);

/*
 * Index @obj for checksums. @all_entries: also index the special-section
 * entries that are not part of checksums (ftrace, ORC, retpoline sites), as
 * extract needs them.
 */
void checksum_init(struct checksum_ctx *ctx, struct elf_object *obj, bool all_entries);
void checksum_free(struct checksum_ctx *ctx);
/*
 * A context for another thread over the same object, once checksum_init()
 * is done: it shares the read-only indexes and has its own sums and scratch.
 */
void checksum_fork(struct checksum_ctx *to, const struct checksum_ctx *from);
void checksum_fork_free(struct checksum_ctx *ctx);
/* Compute (once) and return the sums of @sym. */
const struct sym_sums *checksum_symbol(struct checksum_ctx *ctx, struct elf_symbol *sym);
/* Hash of one byte range with references by identity (for `diff --explain`). */
uint64_t checksum_range(struct checksum_ctx *ctx, struct elf_section *sec, uint64_t start,
			uint64_t end);
/*
 * The symbol a reference to offset @t of @tsec means. An address just past
 * the end of an array (@address: an absolute address constant, not a memory
 * access) is also the start of whatever follows it: it means the array if
 * the function @fn (may be NULL) refers to the array elsewhere.
 */
struct elf_symbol *reference_target(const struct elf_object *obj, const struct elf_section *tsec,
				    uint64_t t, const struct elf_symbol *fn, bool address);
/* The special-section entries @sym owns. */
const struct special_entry *checksum_entries(const struct checksum_ctx *ctx,
					     const struct elf_symbol *sym, size_t *nr);

#endif
