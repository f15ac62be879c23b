/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The livepatch post-link step: kbuild links the patch objects into a .ko,
 * and this turns their .klpdiff.relocs tables into what the kernel's
 * livepatch core applies (Documentation/livepatch/module-elf-format.rst):
 * ".klp.rela.OBJNAME.SECTION" relocation sections flagged SHF_RELA_LIVEPATCH,
 * against ".klp.sym.OBJNAME.SYMBOL,SYMPOS" symbols of index SHN_LIVEPATCH.
 *
 * The .klpdiff.relocs entries are struct klp_reloc_entry (patch_object.h).
 */
#ifndef KLPDIFF_POSTLINK_H
#define KLPDIFF_POSTLINK_H

#include "elf/elf_object.h"
#include "patch/klp_module.h"

/*
 * Check every .klpdiff.relocs entry of patch object @obj: well formed, with
 * a symbol of an object the patch concerns. Prints "FILE: problem" on error.
 */
int klp_relocs_check(struct elf_object *obj, const struct klp_manifest *m);

/*
 * Copy the module @in to @out without the .klpdiff.* sections, with their
 * entries as livepatch relocations. @out is written atomically.
 */
int postlink(const char *in, const char *out, const struct klp_manifest *m);

#endif
