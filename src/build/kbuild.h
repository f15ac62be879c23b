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

#include "base/process.h"	/* run_logged() and the others, for every make */
#include "base/strmap.h"
#include "base/util.h"

/*
 * A run's work directory (kbuild.work), laid out by stage: what each stage
 * made is where --keep-tmp shows it, and where the next stage reads it.
 */
enum work_stage {
	WORK_ORIGINAL,	/* original objects (and their .cmd files) */
	WORK_PATCHED,	/* patched objects */
	WORK_DIFF,	/* the changes found (kept runs only) */
	WORK_EXTRACT,	/* one patch object per changed object */
	WORK_MODULE,	/* the module's kbuild directory */
	WORK_OVERLAY,	/* upper layers of the source and build overlays */
	WORK_SHIPPED,	/* the running kernel's modules, decompressed */
	WORK_BIN,	/* wrappers first in make's PATH (ccache, ld.lld) */
	/*
	 * An arch with unit_cflags: the originals compiled without them, as
	 * the kernel was, for the check against the code that runs.
	 */
	WORK_AS_BUILT,
};

struct arch;

/*
 * make's variables for a kernel of another architecture than the host's,
 * and the toolchain root for a compiler the host has not got: every make
 * klpdiff runs against the kernel passes them, or runs in it.
 */
struct kbuild_cross {
	const char *arch;	/* ARCH=, or NULL: the host's architecture, nothing passed */
	char *compile;		/* CROSS_COMPILE= (gcc), or NULL */
	char *cc;		/* the compiler make runs: CROSS_COMPILE + gcc, or NULL */
	const char *root;	/* build/toolchain_root.h's root make runs in, or NULL */
};

/*
 * Fill @c for the kernel in @kdir, whose .config text is @config, of
 * architecture @arch; an error if its cross compiler is not installed.
 */
int kbuild_cross_find(struct kbuild_cross *c, const char *kdir, const char *config,
		      const struct arch *arch);
/* Add its ARCH= and CROSS_COMPILE= (if any) to make's @argv. */
void kbuild_cross_args(const struct kbuild_cross *c, struct strlist *argv);
void kbuild_cross_free(struct kbuild_cross *c);
/*
 * With a toolchain root (@c->root): make @argv, a command against the kernel
 * build @kdir, run in it, with @kdir (and what it leads to) and the @more
 * paths (NULL-terminated) bound.
 */
void kbuild_root_wrap(const struct kbuild_cross *c, const char *kdir, const char *const more[],
		      struct strlist *argv);

/* WORK/STAGE, or WORK/STAGE/@rel. */
char *work_path(const char *work, enum work_stage stage, const char *rel);

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
	char *ccache;		/* compile through this ccache (same objects: not in the cache
				 * key), or NULL */
	bool per_unit;		/* orig is a prepared tree: each run compiles the originals
				 * of the touched units too (distribution kernels) */
	const char *cc;		/* the compiler to pass as CC=, or NULL for the default */
	char *kernelrelease;	/* KERNELRELEASE= of the running kernel (UTS_RELEASE) */
	const char *arch;	/* the kernel's arch/ directory ("x86"): includes, overlays */
	const struct kbuild_cross *cross;	/* ARCH=, CROSS_COMPILE= for every make */
	const char *unit_cflags;	/* the arch's flags for every unit, or NULL */
	char *include_graph;	/* per_unit: cache file of the source tree's #includes */
	struct strlist from_headers;	/* per_unit: units found through a patched header */
	struct strmap header_units;	/* the same, indexed */
	bool keep_going;	/* make -k: compile what can be compiled */
	bool line_directives;	/* unchanged lines of patched files keep their numbers */
	int prep_lock;		/* per_unit: held (shared) while the prepared tree is used */
	int jobs;
};

/* The compiler make runs: CC=, or kbuild's default (with CROSS_COMPILE). */
const char *kbuild_cc(const struct kbuild *kb);

/*
 * Prepare (or reuse) kb->orig for compiling single units: the kernel's
 * configuration @config, `make prepare` (generated headers, objtool). Safe
 * under concurrent use: one run prepares while others wait; an interrupted
 * preparation is never taken as complete. The tree stays locked (shared)
 * for this run.
 */
int kbuild_prepare(struct kbuild *kb, const char *config);
/* Whether @patches apply, one after the other, to copies of the @files they touch. */
int kbuild_check_patches(const struct kbuild *kb, char *const patches[], size_t nr,
			 const struct strlist *files);
/* Files the patches touch, relative to the tree. */
int patch_touched_files(struct strlist *files, char *const patches[], size_t nr);
/* Objects of the original build that the touched files can change. */
int kbuild_affected_objects(struct kbuild *kb, const struct strlist *files,
			    struct strlist *objects);
/* Whether @object was compiled because it includes a patched header. */
bool kbuild_from_header(const struct kbuild *kb, const char *object);
/* per_unit: drop the @objects this config does not build (none in WORK/original). */
void kbuild_drop_unbuilt(const struct kbuild *kb, struct strlist *objects);
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
 * originals go to WORK/original/, with the .cmd files of @objects, which hold
 * exported symbols' CRCs). Returns 0, or -1 with the failing stage reported.
 */
int kbuild_patched(struct kbuild *kb, char *const patches[], size_t nr,
		   const struct strlist *objects, const struct strlist *compared);
/* The module an object of the build is linked into, or NULL for vmlinux. */
char *kbuild_module_of(const struct kbuild *kb, const char *object, char **module_path);
/*
 * The module a compiled unit belongs to, from the command kbuild recorded
 * for it in WORK/original (-DMODULE, KBUILD_MODNAME), or NULL for vmlinux.
 */
char *kbuild_unit_module(const struct kbuild *kb, const char *object);
/*
 * The file of module @modname (KBUILD_MODNAME: '_' for '-') in DIR/LISTING,
 * a modules.dep or modules.order, as DIR/PATH; NULL after an error.
 */
char *kbuild_find_module(const char *dir, const char *listing, const char *modname);

/* kbuild_module.c: external modules. An empty directory for kbuild, by absolute path: @wanted, or a temporary one. */
char *kbuild_module_dir(const char *wanted);
/*
 * make -C @kdir M=@dir modules [ARCH=... CROSS_COMPILE=...], its output in
 * @log: its status (base/process.h), 0 if it succeeded.
 */
int kbuild_external_module(const char *kdir, const char *dir, bool llvm,
			   const struct kbuild_cross *cross, const char *log);

#endif
