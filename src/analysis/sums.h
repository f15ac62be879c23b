/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sums: one record per function and data object of an object file, the
 * plumbing format shared by `klpdiff sums` (writes it) and `klpdiff diff`
 * (reads it or computes it).
 *
 * Text form, one record per line after a "# klpdiff-sums 1" header:
 *   UNIT KIND NAME KEY SIZE CHECKSUM LINESUM FLAGS OWNER
 * FLAGS: binding (l, g, w), then ",init" or ",exit" for code and data that
 * only runs at boot or unload. OWNER: for a static local renamed with a
 * counter, the key of the function using it; "-" otherwise. The text form is
 * a stable interface; in memory KIND and FLAGS are typed, and only
 * sums_write() and sums_read() spell them.
 */
/*
 * Layer analysis (src/analysis/): includes base/ and elf/ only.
 * tests/source/layers.t checks it.
 */
#ifndef KLPDIFF_SUMS_H
#define KLPDIFF_SUMS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "elf/elf_object.h"

#define SUMS_HEADER "# klpdiff-sums 1"

/* In the order of their names ("func", "object"): records sort by it. */
enum sum_kind {
	SUM_FUNC,
	SUM_OBJECT,
};

/* FLAGS: the binding (neither bit: global, "g") and the lifetime. */
enum sum_flags {
	SUM_LOCAL = 1 << 0,	/* "l" */
	SUM_WEAK = 1 << 1,	/* "w" */
	SUM_INIT = 1 << 2,	/* ",init": runs or is used at boot only */
	SUM_EXIT = 1 << 3,	/* ",exit": at unload only */
};

struct sum_record {
	const char *unit;	/* "-" when unknown */
	enum sum_kind kind;
	const char *name;
	const char *key;
	uint64_t size;
	uint64_t checksum;
	uint64_t linesum;	/* checksum without line numbers */
	unsigned flags;		/* enum sum_flags */
	const char *owner;	/* "-" when none */
	size_t ordinal;		/* position in the object, for pairing duplicates */
	struct elf_symbol *sym;	/* NULL when read from a sums file */
};

struct sum_list {
	struct sum_record *recs;
	size_t nr, alloc;
	char *text;		/* backing store when read from a file */
};

/* Append the records of @obj (unsorted); @unit_prefix, if set, replaces units. */
void sums_compute(struct sum_list *list, struct elf_object *obj, const char *unit_override);
/* SUM_INIT, SUM_EXIT or 0: code and data the running kernel no longer uses. */
unsigned section_lifetime(const struct arch *arch, const char *section_name);
const char *sum_kind_name(enum sum_kind kind);
void sums_sort(struct sum_list *list);
void sums_write(FILE *fp, const struct sum_list *list, bool json);
/* Read a sums file; prints an error naming @path and returns -1 on bad input. */
int sums_read(struct sum_list *list, const char *path);
/* Does @path start like a sums file? */
bool sums_is_sums_file(const char *path);
void sums_free(struct sum_list *list);

#endif
