// SPDX-License-Identifier: GPL-2.0-or-later
/* base/strmap.c: the string-keyed hash index. */
#include <stdlib.h>

#include "base/strmap.h"
#include "base/util.h"
#include "tap.h"

#define MANY 1000

static void empty_and_sizes(void)
{
	struct strmap m = { 0 };

	is_u64((uintptr_t)strmap_get(&m, "a"), 0, "get from a map never used: NULL");
	strmap_init(&m, 0);
	is_u64(m.mask, 15, "init for 0: 16 slots");
	is_u64(m.count, 0, "init: empty");
	strmap_free(&m);
	strmap_init(&m, 100);
	is_u64(m.mask, 255, "init for 100: 256 slots (twice as many, a power of two)");
	strmap_free(&m);
	ok(!m.slots && !m.mask && !m.count, "free: the map is zeroed");
	/* XXH3 of nothing: sums files and checksums depend on this hash. */
	is_u64(strmap_hash(""), 0x2d06800538d394c2ull, "strmap_hash(\"\") is XXH3-64 of nothing");
	ok(strmap_hash("abc") == strmap_hash("abc") && strmap_hash("abc") != strmap_hash("abd"),
	   "strmap_hash: same string same hash, another string another");
}

static void insert_and_get(void)
{
	struct strmap m = { 0 };
	char key[] = "key";
	void **a = strmap_slot(&m, key), **b;

	ok(a && *a == NULL, "a new slot's value is NULL");
	*a = (void *)1;
	b = strmap_slot(&m, "key");
	ok(a == b, "the same key (another copy) finds the same slot");
	is_u64(m.count, 1, "one key: count 1");
	is_u64((uintptr_t)strmap_get(&m, "key"), 1, "get returns the value stored");
	is_u64((uintptr_t)strmap_get(&m, "kez"), 0, "get of a missing key: NULL");
	is_u64((uintptr_t)m.slots[strmap_hash("key") & m.mask].key, (uintptr_t)key,
	       "keys are not copied: the slot holds the caller's pointer");
	strmap_free(&m);
}

static void growth(void)
{
	static char names[MANY][16];
	struct strmap m = { 0 };
	struct strmap_slot *slot;
	size_t seen = 0, wrong = 0, sum = 0;

	for (size_t i = 0; i < MANY; i++) {
		snprintf(names[i], sizeof(names[i]), "sym%zu", i);
		*strmap_slot(&m, names[i]) = (void *)(i + 1);
	}
	is_u64(m.count, MANY, "%d keys: count %d", MANY, MANY);
	is_u64(m.mask, 2047, "%d keys: 2048 slots (at most half full)", MANY);
	for (size_t i = 0; i < MANY; i++)
		wrong += strmap_get(&m, names[i]) != (void *)(i + 1);
	is_u64(wrong, 0, "every key keeps its value through the growth");
	strmap_for_each(&m, slot) {
		seen++;
		sum += (uintptr_t)slot->value;
	}
	is_u64(seen, MANY, "strmap_for_each visits each key once");
	is_u64(sum, (uint64_t)MANY * (MANY + 1) / 2, "... with its value");
	strmap_free(&m);
}

int main(void)
{
	empty_and_sizes();
	insert_and_get();
	growth();
	return tap_done();
}
