/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which C files of a kernel source tree include a header, directly or
 * through other headers, without building anything: a scan of the tree's
 * #include lines, resolved the way the kernel's include paths do, and kept
 * in a cache file. It may name files that include the header only under a
 * condition the config does not meet: the build drops those (kbuild's
 * dependency files say what each unit really included).
 */
#ifndef KLPDIFF_INCLUDES_H
#define KLPDIFF_INCLUDES_H

#include "build/kbuild.h"

/* Call @fn for each #include line of @text: the name, and whether it is "quoted". */
typedef void include_fn(void *ctx, const char *name, bool quoted);
void include_names(const char *text, include_fn *fn, void *ctx);
/* "a/b/../c" -> "a/c", in place (never longer); false if it climbs out of the tree. */
bool include_path_normalize(char *path);

/*
 * Add to @units every .c file of @src (relative path) that includes
 * @header (relative path). @arch: the arch/ directory ("x86"). @cache: the
 * file the tree's include graph is kept in. -1 after an error.
 */
int includers_of(const char *src, const char *arch, const char *cache, const char *header,
		 struct strlist *units);

#endif
