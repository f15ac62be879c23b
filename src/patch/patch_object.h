/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The records of a patch object (klpdiff(1), "PATCH OBJECTS"), defined once
 * for their writer and their readers:
 *  - .klpdiff.callbacks: written by the patch author's object
 *    (include/klpdiff/klpdiff-macros.h), read by extract.c;
 *  - .klpdiff.manifest: written by extract.c, read by klp_module.c (text
 *    lines, no record struct: klp_module.h describes them);
 *  - .klpdiff.relocs and .klpdiff.strings: written by extract.c, read by
 *    postlink.c once kbuild linked the patch objects into a module.
 */
#ifndef KLPDIFF_PATCH_OBJECT_H
#define KLPDIFF_PATCH_OBJECT_H

#include <stddef.h>
#include <stdint.h>

/* enum klpdiff_callback_kind and struct klpdiff_callback, without kernel headers. */
#include "../../include/klpdiff/klpdiff-macros.h"

#define CALLBACKS_SECTION ".klpdiff.callbacks"
/*
 * The kernel's own patch-author API (include/linux/livepatch_helpers.h,
 * Linux 6.19+): KLP_PRE_PATCH_CALLBACK(fn) and friends are a pointer to fn
 * in this section, named by the kind's prefix and the object's name.
 */
#define KERNEL_CALLBACKS_SECTION ".discard.klp_callback_ptrs"
#define MANIFEST_SECTION ".klpdiff.manifest"
#define RELOCS_SECTION ".klpdiff.relocs"
#define STRINGS_SECTION ".klpdiff.strings"

/*
 * One .klpdiff.relocs entry: a livepatch relocation to make. place and name
 * are filled by 64-bit absolute relocations: place points at the zeroed
 * field to relocate, name at the ".klp.sym.OBJNAME.SYMBOL,SYMPOS" string in
 * .klpdiff.strings. The relocation is applied with OBJNAME's klp_object
 * (.klp.rela.OBJNAME.*), unless with_back is set: then with the object
 * whose name (and its NUL) ends that many bytes before name's string, the
 * patched module, which links against OBJNAME (a module it depends on,
 * loaded before it).
 */
struct klp_reloc_entry {
	uint64_t place;
	uint64_t name;
	int64_t addend;
	uint32_t type;
	uint32_t with_back;
};

/* The name an entry points at: KLP_SYM_PREFIX "OBJNAME.SYMBOL,SYMPOS". */
#define KLP_SYM_PREFIX ".klp.sym."

/*
 * Where the arch asks for them (arch->kernel.klp_placeholders), an entry's place
 * also carries an ordinary relocation of its type against a weak undefined
 * symbol PLACEHOLDER_PREFIX "OBJNAME.SYMBOL,SYMPOS": objtool, which kbuild
 * runs on the linked module of an IBT or LTO kernel, then sees a call where
 * there is one (else it gives up on the module: no ORC, no return sites).
 * postlink drops these relocations and symbols.
 */
#define PLACEHOLDER_PREFIX "__klpdiff_klp."

_Static_assert(sizeof(struct klp_reloc_entry) == 32, "a .klpdiff.relocs entry is 32 bytes");
/* klpdiff reads the callback records of 64-bit kernels with its own (LP64) layout. */
_Static_assert(sizeof(struct klpdiff_callback) == 24, "a callback record is 24 bytes");

/*
 * A callback kind, by its record value: the manifest's name for it (also the
 * member of the kernel's struct klp_callbacks) and what it returns there.
 */
struct callback_kind {
	const char *name;
	const char *returns;
	const char *kernel_prefix;	/* its pointer's name in KERNEL_CALLBACKS_SECTION */
};

extern const struct callback_kind callback_kinds[KLPDIFF_NR_CALLBACK_KINDS];

#define for_each_callback_kind(k) \
	for (int k = KLPDIFF_PRE_PATCH; k < KLPDIFF_NR_CALLBACK_KINDS; k++)

/* The kind called @name, or 0. */
int callback_kind_by_name(const char *name);

#endif
