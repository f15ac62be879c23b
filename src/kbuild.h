/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Driving a kernel build: the original build with function sections (cached),
 * and the patched rebuild of the touched objects, done in a private mount
 * namespace where the source tree and the build directory are overlays. The
 * patch lands in the overlay, so the user's tree is never modified, whatever
 * happens (errors, Ctrl-C): there is nothing to restore.
 */
#ifndef KLPDIFF_KBUILD_H
#define KLPDIFF_KBUILD_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct kbuild {
	const char *src;	/* kernel source tree (absolute) */
	const char *target;	/* the build of the running kernel: .config, vmlinux, Module.symvers */
	char *orig;		/* the original build: klpdiff's cached function-sections
				 * build, or with LTO the target build itself */
	char *thinlto_cache;	/* LTO: lld's ThinLTO cache, kept across runs */
	char *work;		/* temporary directory of this run */
	char *log;		/* where make's output goes */
	char *include_dir;	/* patch-author headers */
	bool llvm;
	bool lto;		/* clang LTO: objects are bitcode, code is in the links */
	bool ccache;		/* compile through ccache (same objects: not in the cache key) */
	int jobs;
};

/* From now on, SIGINT/SIGTERM stop the running child (make) before klpdiff. */
void kbuild_handle_signals(void);
/* Run argv (NULL-terminated) with stdout/stderr appended to @log; exit status or -1. */
int run_logged(char *const argv[], const char *log);

/*
 * Build (or reuse) the original function-sections build; -1 on failure
 * (reported). With LTO the target build is the original: lld's LTO code
 * generation puts every function in a section of its own anyway, and its
 * vmlinux.o is exactly what the running kernel was linked from.
 */
int kbuild_original(struct kbuild *kb);
/* Files the patches touch, relative to the tree. */
int patch_touched_files(struct strlist *files, char *const patches[], size_t nr);
/* Objects of the original build that the touched files can change. */
void kbuild_affected_objects(const struct kbuild *kb, const struct strlist *files,
			     struct strlist *objects);
/*
 * The objects that hold the machine code of @objects, to compare: the objects
 * themselves, or with LTO vmlinux.o and the linked objects of modules.
 */
void kbuild_compared_objects(const struct kbuild *kb, const struct strlist *objects,
			     struct strlist *compared);
/* Whether @object links several compilation units (vmlinux.o, a module's link). */
bool kbuild_is_link(const struct kbuild *kb, const char *object);
/*
 * In a private namespace: apply @patches over the source tree, rebuild
 * @objects and then @compared, and copy @compared to WORK/patched/ (the
 * originals go to WORK/orig/, with the .cmd files of @objects, which hold
 * exported symbols' CRCs). Returns 0, or -1 with the failing stage reported.
 */
int kbuild_patched(struct kbuild *kb, char *const patches[], size_t nr,
		   const struct strlist *objects, const struct strlist *compared);
/* The module an object of the build is linked into, or NULL for vmlinux. */
char *kbuild_module_of(const struct kbuild *kb, const char *object, char **module_path);

#endif
