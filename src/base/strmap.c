// SPDX-License-Identifier: GPL-2.0-or-later
#include "base/strmap.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "base/util.h"

uint64_t strmap_hash(const char *key)
{
	return XXH3_64bits(key, strlen(key));
}

void strmap_init(struct strmap *map, size_t expected)
{
	size_t n = 16;

	while (n < expected * 2)
		n <<= 1;
	map->slots = xcalloc(n, sizeof(*map->slots));
	map->mask = n - 1;
	map->count = 0;
}

void strmap_free(struct strmap *map)
{
	free(map->slots);
	memset(map, 0, sizeof(*map));
}

static struct strmap_slot *find(const struct strmap *map, const char *key, uint64_t hash)
{
	size_t i = hash & map->mask;

	for (;; i = (i + 1) & map->mask) {
		struct strmap_slot *s = &map->slots[i];

		if (!s->key || (s->hash == hash && streq(s->key, key)))
			return s;
	}
}

void *strmap_get(const struct strmap *map, const char *key)
{
	struct strmap_slot *s;

	if (!map->slots)
		return NULL;
	s = find(map, key, strmap_hash(key));
	return s->key ? s->value : NULL;
}

static void grow(struct strmap *map)
{
	struct strmap old = *map;

	strmap_init(map, (old.mask + 1));
	for (size_t i = 0; i <= old.mask; i++) {
		if (old.slots[i].key)
			*find(map, old.slots[i].key, old.slots[i].hash) = old.slots[i];
	}
	map->count = old.count;
	free(old.slots);
}

void **strmap_slot(struct strmap *map, const char *key)
{
	uint64_t hash = strmap_hash(key);
	struct strmap_slot *s;

	if (!map->slots)
		strmap_init(map, 16);
	if ((map->count + 1) * 2 > map->mask + 1)
		grow(map);
	s = find(map, key, hash);
	if (!s->key) {
		s->key = key;
		s->hash = hash;
		s->value = NULL;
		map->count++;
	}
	return &s->value;
}
