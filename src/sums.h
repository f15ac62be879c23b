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
 * counter, the key of the function using it; "-" otherwise.
 */
#ifndef KLPDIFF_SUMS_H
#define KLPDIFF_SUMS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "elf_object.h"

#define SUMS_HEADER "# klpdiff-sums 1"

struct sum_record {
	const char *unit;	/* "-" when unknown */
	const char *kind;	/* "func" or "object" */
	const char *name;
	const char *key;
	uint64_t size;
	uint64_t checksum;
	uint64_t linesum;	/* checksum without line numbers */
	const char *flags;
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
/* "init", "exit" or NULL: code and data the running kernel no longer uses. */
const char *section_lifetime(const char *section_name);
bool flags_lifetime(const char *flags, const char *lifetime);
void sums_sort(struct sum_list *list);
void sums_write(FILE *fp, const struct sum_list *list, bool json);
/* Read a sums file; prints an error naming @path and returns -1 on bad input. */
int sums_read(struct sum_list *list, const char *path);
/* Does @path start like a sums file? */
bool sums_is_sums_file(const char *path);
void sums_free(struct sum_list *list);

#endif
