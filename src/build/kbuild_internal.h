/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the kbuild files (kbuild.c, prepared.c, patches.c, patched.c, affected.c) share. */
#ifndef KLPDIFF_KBUILD_INTERNAL_H
#define KLPDIFF_KBUILD_INTERNAL_H

#include "build/kbuild.h"

#define KCFLAGS_FSECT "-ffunction-sections -fdata-sections"
/*
 * The originals as the kernel was compiled, for the check against its code:
 * no -fdata-sections, which turns off gcc's section anchors (ppc64) and so
 * changes the code.
 */
#define KCFLAGS_AS_BUILT "-ffunction-sections"

/* Run @fn in a child in a private mount namespace; its exit status. */
int kbuild_in_namespace(int (*fn)(void *), void *arg);
/*
 * Overlay @dir with an upper layer under @layers: writes land there. For a
 * source tree built in place, hide what makes kbuild call it unclean, so that
 * an O= build of it is possible (@arch: its arch/ directory).
 */
int kbuild_overlay(const char *dir, const char *layers, bool hide_in_tree_build,
		   const char *arch);
/*
 * In a mount namespace of the caller's own, a further overlay on @dir (as it
 * is seen there), its layers in the new directory @layers: 0, or an errno
 * and nothing said (the caller has another way).
 */
int kbuild_overlay_again(const char *dir, const char *layers);
/* Was the source tree built in place (a .config there)? */
bool kbuild_in_tree_build(const struct kbuild *kb);
/*
 * make -C SRC O=ORIG [ARCH= CROSS_COMPILE=] [LLVM=1] -jN KCFLAGS=... TARGETS...,
 * in the toolchain root if there is one: its status.
 */
int kbuild_make(const struct kbuild *kb, const char *kcflags, char *const targets[]);
/*
 * kbuild_make() of units: those under a directory the arch Makefile adds to
 * the top level (arch/x86/power/) made after the rest, one job at a time.
 */
int kbuild_make_units(struct kbuild *kb, const char *kcflags, char *const objects[]);
/*
 * KCFLAGS of every make that compiles units: function sections, and the
 * arch's unit flags (NULL with LTO).
 */
char *kbuild_unit_kcflags(const struct kbuild *kb);
/* The arch's flags for every unit compiled, or NULL. */
const char *kbuild_unit_cflags(const struct kbuild *kb);
/* ccache as the compiler's namesake first in PATH. */
int kbuild_use_ccache(const struct kbuild *kb);
/* patch(1) applying @patch to @dir, quietly, its output in the log. */
int kbuild_apply_patch(const struct kbuild *kb, const char *dir, const char *patch);
/*
 * Before patching (!@patched): a copy of each of @files that takes #line
 * directives. After: the patched file rewritten so that the lines it did not
 * change keep their numbers.
 */
int kbuild_keep_line_numbers(const struct kbuild *kb, const struct strlist *files, bool patched);

#endif
