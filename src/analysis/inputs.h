/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Turning command-line inputs (objects, sums files, build trees) into sums. */
#ifndef KLPDIFF_INPUTS_H
#define KLPDIFF_INPUTS_H

#include "elf/elf_object.h"
#include "analysis/sums.h"

/* One loaded input: its sums, and the objects they point into. */
struct loaded {
	struct sum_list sums;
	struct elf_object **objs;
	size_t nr_objs, alloc_objs;
	char **owned;		/* paths and unit names the sums point to */
	size_t nr_owned, alloc_owned;
	/* Set before loading: its objects' kernel's layouts (NULL: recognised), see elf_open(). */
	const struct elf_layouts *target;
};

/* Sums of an object or a sums file; -1 after printing an error. */
int load_input(struct loaded *in, const char *path);
/* Load two inputs at once (objects are summed in parallel). */
int load_pair(struct loaded *orig, const char *orig_path, struct loaded *patched,
	      const char *patched_path);
/*
 * Two directories of objects (an original and a patched build tree): the
 * objects whose contents differ, paired by relative path, with the relative
 * path as their unit. Identical files are skipped unread.
 */
int load_tree_pair(struct loaded *orig, const char *orig_dir, struct loaded *patched,
		   const char *patched_dir);
/*
 * Two versions of one object, unless their contents are the same; @unit names
 * its functions' unit, or NULL where the object links several (FILE symbols
 * name them then).
 */
int load_object_pair(struct loaded *orig, const char *orig_path, struct loaded *patched,
		     const char *patched_path, const char *unit);
/* Whether @rel under the build tree @root is one compilation unit's object. */
bool is_unit_object(const char *root, const char *rel);
void loaded_free(struct loaded *in);

#endif
