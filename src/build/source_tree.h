/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A distribution's source tarball (linux-source-X.Y.tar.xz) unpacked into
 * klpdiff's cache in part, as runs need it: xz once into an uncompressed
 * copy beside the tree (CACHE/src-VERSION.tar, and its member list), from
 * which tar takes each part a run needs. A part is in the tree once its
 * name is in TREE/.klpdiff-parts: it is unpacked into a staging directory
 * and linked into the tree file by file, never replacing a file there
 * (other runs may be reading the tree), so that a killed unpack leaves
 * whole files only and is redone. TREE/.klpdiff-unpacked: all of it.
 *
 * What a run needs, besides the parts every unit's compile reads (the
 * top-level files, include/, scripts/, every Makefile and Kbuild file, and
 * arch/ARCH/): for each unit (or patched file), its directory and all
 * below it, the files of each directory above it, the directories its
 * Makefiles add with -I $(srctree)/..., and every file its "quoted"
 * #include lines reach, wherever it is, with the files beside it. A patched
 * header needs every .c and .h file (to find the units that include it).
 * A unit that then lacks a file (kbuild's log says so) is compiled again
 * in the whole tree, unpacked then.
 */
#ifndef KLPDIFF_SOURCE_TREE_H
#define KLPDIFF_SOURCE_TREE_H

#include <stdbool.h>

#include "base/strmap.h"
#include "base/util.h"

struct source_tree {
	char *tree;		/* CACHE/src-VERSION */
	char *tarball;		/* linux-source-X.Y.tar.xz */
	char *tar, *members;	/* its uncompressed copy and member list, beside the tree */
	char *lock;
	char *top;		/* the tarball's top directory */
	char *members_text;
	struct strmap member;	/* tree-relative path -> MEMBER_* bits */
	struct strlist owned;	/* keys of @member not in @members_text */
	char *arch;		/* arch/ARCH/, once a unit needs it */
	bool whole;		/* every member is in the tree */
};

/*
 * Open the tree @tree of the tarball @tarball, with what every run needs
 * unpacked (said in one line the first time). 0, or -1 after an error.
 */
int source_tree_open(struct source_tree *st, const char *tarball, const char *tree);
/*
 * What compiling the units of @files (tree-relative .c or .h files, patched
 * or to compile) needs, arch/@arch/ included; a patched header (@sources)
 * needs every .c and .h file first.
 */
int source_tree_need_units(struct source_tree *st, const char *arch,
			   const struct strlist *files);
int source_tree_need_sources(struct source_tree *st);
/* All of it, said in one line with @why. */
int source_tree_need_whole(struct source_tree *st, const char *why);
/* Whether the tarball has the directory @rel (any tree has when whole). */
bool source_tree_has_dir(struct source_tree *st, const char *rel);
/* Whether the tree is in part. */
bool source_tree_partial(const struct source_tree *st);
/*
 * Whether kbuild's log @log (from byte @from) says a file was missing that
 * the tarball has and the tree lacks ("No such file or directory", "No
 * rule to make target").
 */
bool source_tree_log_lacks(struct source_tree *st, const char *log, long from);
void source_tree_free(struct source_tree *st);

#endif
