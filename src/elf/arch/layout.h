/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * For the arch files: how a relocation writes its field, and for the
 * special_layout tables a relocated field and absent fields.
 */
#ifndef KLPDIFF_ARCH_LAYOUT_H
#define KLPDIFF_ARCH_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "elf/arch.h"

#define HOWTO(k, w) ((struct reloc_howto){ .kind = (k), .width = (w) })

/*
 * An arch file's relocation types as a table indexed by type: FIELD(kind,
 * width, other reloc_howto members), MARKER for a type that writes nothing;
 * types left out are unknown.
 */
struct howto_entry {
	bool known;
	struct reloc_howto howto;
};

#define FIELD(k, w, ...) { .known = true, .howto = { .kind = (k), .width = (w), __VA_ARGS__ } }
#define MARKER FIELD(RELOC_NONE, 0)

/* @type's entry of a table of @n: false if unknown. */
static inline bool howto_lookup(const struct howto_entry *table, size_t n, uint32_t type,
				struct reloc_howto *h)
{
	if (type >= n || !table[type].known)
		return false;
	*h = table[type].howto;
	return true;
}

#define PC32(off) { off, RELOC_PCREL, 4, FIELD_ANY }
#define PC64(off) { off, RELOC_PCREL, 8, FIELD_ANY }
#define ABS64(off) { off, RELOC_ABS, 8, FIELD_ANY }
/* A handler function's field (named, never an offset into a section). */
#define PC32_HANDLER(off) { off, RELOC_PCREL, 4, FIELD_HANDLER }
/* A file name's field (bug_entry::file): where it points tells relativities apart. */
#define PC32_FILE(off) { off, RELOC_PCREL, 4, FIELD_STRING }
#define ABS64_FILE(off) { off, RELOC_ABS, 8, FIELD_STRING }
/* gcc 5.1, the oldest Linux 5.15 and later accept (Documentation/process/changes.rst). */
#define GCC_5_1 501
/* gcc 8.1, the oldest Linux 6.15 and later accept. */
#define GCC_8_1 801
#define NO_KEY .key_kind = KEY_NONE, .code_field = -1, .target_field = -1, .key_field = -1
#define NO_CONTENT .content_field = -1, .content_len_field = -1

#endif
