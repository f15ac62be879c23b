/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A string-keyed hash index (open addressing). Keys are not copied. */
#ifndef KLPDIFF_STRMAP_H
#define KLPDIFF_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap_slot {
	uint64_t hash;
	const char *key;
	void *value;
};

struct strmap {
	struct strmap_slot *slots;
	size_t mask;
	size_t count;
};

void strmap_init(struct strmap *map, size_t expected);
void strmap_free(struct strmap *map);
uint64_t strmap_hash(const char *key);
void *strmap_get(const struct strmap *map, const char *key);
/* Returns the slot's value pointer, inserting an empty slot if missing. */
void **strmap_slot(struct strmap *map, const char *key);

#define strmap_for_each(map, slot)                                             \
	for ((slot) = (map)->slots; (slot) && (slot) <= (map)->slots + (map)->mask; \
	     (slot)++)                                                          \
		if ((slot)->key)

#endif
