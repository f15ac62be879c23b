/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The live patch a module implements, read from the .klpdiff.manifest
 * sections of the patch objects that `klpdiff extract` writes, and the C
 * source of the module's struct klp_patch generated from it.
 *
 * A manifest is text, one record per line, fields separated by one space:
 *   func OBJNAME OLD_NAME SYMPOS NEW_SYMBOL
 *   callback OBJNAME KIND SYMBOL     (KIND: pre_patch, post_patch, ...)
 *   object OBJNAME
 * OBJNAME is "vmlinux" or a module name.
 */
#ifndef KLPDIFF_KLP_MODULE_H
#define KLPDIFF_KLP_MODULE_H

#include <stdbool.h>
#include <stdio.h>

#include "elf/elf_object.h"
#include "patch/patch_object.h"
#include "base/strmap.h"

/* The longest module name the kernel takes (MODULE_NAME_LEN - 1). */
#define KLP_MODULE_NAME_MAX 55

/* Where a record came from, for error messages. */
struct klp_origin {
	const char *file;
	unsigned line;
};

struct klp_func_spec {
	char *old_name;
	unsigned long sympos;
	char *new_sym;
	struct klp_origin origin;
};

struct klp_callback_spec {
	char *sym;		/* NULL: none */
	struct klp_origin origin;
};

struct klp_object_spec {
	char *name;		/* "vmlinux" or a module name */
	struct klp_func_spec *funcs;
	size_t nr_funcs, alloc_funcs;
	struct klp_callback_spec callbacks[KLPDIFF_NR_CALLBACK_KINDS];	/* by kind */
};

/* Every object of the patch: vmlinux first, then modules as first named. */
struct klp_manifest {
	struct klp_object_spec *objs;
	size_t nr_objs, alloc_objs;
	struct strmap funcs;	/* "OBJNAME OLD_NAME SYMPOS" -> its struct klp_origin */
};

void klp_manifest_free(struct klp_manifest *m);
/*
 * Merge the manifest of patch object @obj into @m, checking that each
 * symbol it names is defined there. Prints "FILE: problem" and returns -1
 * on a bad manifest.
 */
int klp_manifest_add(struct klp_manifest *m, struct elf_object *obj);
struct klp_object_spec *klp_manifest_object(const struct klp_manifest *m, const char *name);

/* A module name the kernel and the livepatch section names can carry. */
bool klp_valid_module_name(const char *name);

/* Write the C source that defines and enables the module's struct klp_patch. */
void klp_write_source(FILE *fp, const struct klp_manifest *m, bool replace);

#endif
