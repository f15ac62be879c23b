// SPDX-License-Identifier: GPL-2.0-or-later
/* elf/names.c: symbol names' build-independent keys and .cold/.part pieces. */
#include <stdlib.h>

#include "elf/names.h"
#include "tap.h"

static const struct {
	const char *name, *key;
} keys[] = {
	{ "foo", "foo" },
	{ "", "" },
	{ "foo.123", "foo" },				/* gcc's static local counter */
	{ "bar.isra.0", "bar.isra" },
	{ "f.constprop.0.isra.0", "f.constprop.isra" },
	{ "f.part.0.cold", "f.part.cold" },
	{ "foo.cold.3", "foo.cold" },
	{ "__func__.12", "__func__" },
	{ "baz.llvm.8812", "baz" },			/* clang's promoted local */
	{ "baz.llvm.abc", "baz.llvm.abc" },		/* not a hash: kept */
	{ "baz.llvm.88.1", "baz.llvm" },
	{ ".L123", ".L123" },				/* a label, not a counter */
	{ ".LC0.5", ".LC0.5" },
	{ "a.1.b.2", "a.b" },
	{ "__UNIQUE_ID_x42", "__UNIQUE_ID_x" },
	{ "__UNIQUE_ID_ddebug386.5", "__UNIQUE_ID_ddebug" },
	{ "func.__UNIQUE_ID_ddebug386", "func.__UNIQUE_ID_ddebug" },	/* clang's */
	{ "x__UNIQUE_ID_y1", "x__UNIQUE_ID_y1" },	/* not at a name's start */
	{ "__UNIQUE_ID_123", "__UNIQUE_ID_" },
	{ "__initcall__kmod_m__12_34_fn6", "__initcall__kmod_m__fn6" },
	{ "__initstub__kmod_m__12_34_fn6", "__initstub__kmod_m__fn6" },
	{ "__initcall__kmod_m__fn6", "__initcall__kmod_m__fn6" },	/* no counter */
	{ "__initcall__kmod_m__12_fn6", "__initcall__kmod_m__12_fn6" },	/* no line */
};

static const struct {
	const char *key;
	bool cold, part;
	size_t parent;
} pieces[] = {
	{ "foo", false, false, 3 },
	{ "foo.cold", true, false, 3 },
	{ "foo.cold.3", true, false, 3 },
	{ "foo.colder", false, false, 10 },
	{ "foo.part.0", false, true, 3 },
	{ "foo.part", false, true, 3 },
	{ "foo.partial", false, false, 11 },
	{ "a.b.cold", true, false, 3 },
	{ "foo.isra.cold", true, false, 8 },
	{ "foo.part.cold", true, false, 8 },		/* .cold first: the piece is cold */
};

int main(void)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char *key = name_key(keys[i].name);

		is_str(key, keys[i].key, "name_key(\"%s\")", keys[i].name);
		free(key);
	}
	for (size_t i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
		const char *k = pieces[i].key;

		ok(name_is_cold_piece(k) == pieces[i].cold, "name_is_cold_piece(\"%s\") is %s", k,
		   pieces[i].cold ? "true" : "false");
		ok(name_is_part_piece(k) == pieces[i].part, "name_is_part_piece(\"%s\") is %s", k,
		   pieces[i].part ? "true" : "false");
		is_u64(name_piece_parent_len(k), pieces[i].parent, "name_piece_parent_len(\"%s\")", k);
	}
	return tap_done();
}
