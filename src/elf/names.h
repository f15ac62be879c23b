/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Symbol names as the compiler spells them, and their build-independent keys. */
#ifndef KLPDIFF_NAMES_H
#define KLPDIFF_NAMES_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The name with compiler counters removed, so that the same entity has the
 * same key in two builds: "foo.123" -> "foo", "bar.isra.0" -> "bar.isra",
 * "baz.llvm.8812" -> "baz", "__UNIQUE_ID_x42" -> "__UNIQUE_ID_x",
 * "__initcall__kmod_m__12_34_fn6" -> "__initcall__kmod_m__fn6".
 * Returns a newly allocated string.
 */
char *name_key(const char *name);

/* "foo.cold", "foo.cold.3": a piece of foo's code with no entry of its own. */
bool name_is_cold_piece(const char *key);
/* "foo.part.0" and friends: an outlined part of foo. */
bool name_is_part_piece(const char *key);
/* Length of the parent's name within a .cold/.part key ("foo.cold" -> 3). */
size_t name_piece_parent_len(const char *key);

#endif
