/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Driving a kernel build: the original build with function sections (cached),
 * and the patched rebuild of the touched objects, done in a private mount
 * namespace where the source tree and the build directory are overlays. The
 * patch lands in the overlay, so the user's tree is never modified, whatever
 * happens (errors, Ctrl-C): there is nothing to restore.
 *
 * kbuild.c runs processes and makes the namespace and its overlays;
 * prepared.c prepares the tree units are compiled in; affected.c finds the
 * objects the patches touch and the modules they belong to; patches.c reads
 * and applies the patches; patched.c compiles the originals and the patched.
 */
#ifndef KLPDIFF_KBUILD_H
#define KLPDIFF_KBUILD_H

#include <stdbool.h>
#include <stddef.h>

#include "base/process.h"	/* run_logged() and the others, for every make */
#include "base/strmap.h"
#include "base/util.h"
#include "elf/arch.h"
#include "kernel/cross.h"
#include "kernel/kernel_profile.h"

struct source_tree;

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

/*
 * With a toolchain root (@c->root): make @argv, a command against the kernel
 * build @kdir, run in it, with @kdir (and what it leads to) and the @more
 * paths (NULL-terminated) bound.
 */
void kbuild_root_wrap(const struct kernel_cross *c, const char *kdir, const char *const more[],
		      struct strlist *argv);

/* WORK/STAGE, or WORK/STAGE/@rel. */
char *work_path(const char *work, enum work_stage stage, const char *rel);
/* DIR/PATH/.NAME.cmd, the command kbuild recorded for the object PATH/NAME. */
char *kbuild_cmd_file(const char *dir, const char *obj);

/* The kernel build klpdiff drives. Every string is its own (kbuild_free()). */
struct kbuild {
	char *src;		/* kernel source tree (absolute) */
	char *target;		/* the build of the running kernel: .config, vmlinux, Module.symvers */
	char *orig;		/* the original build: klpdiff's cached function-sections
				 * build, or the target build itself (LTO, or a
				 * kernel built in its source tree) */
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
	char *cc;		/* the compiler to pass as CC=, or NULL for the default */
	char *kernelrelease;	/* KERNELRELEASE= of the running kernel (UTS_RELEASE) */
	struct strlist make_vars;	/* VAR=VALUE the kernel's own build had (the distribution's) */
	/* Borrowed: the arch table's (its arch/ directory, unit flags), and the profile's. */
	const struct arch *arch;
	const struct kernel_cross *cross;	/* ARCH=, CROSS_COMPILE= for every make */
	char *include_graph;	/* per_unit: cache file of the source tree's #includes */
	struct source_tree *source;	/* borrowed: src unpacked in part, or NULL */
	struct strlist from_headers;	/* per_unit: units found through a patched header */
	struct strmap header_units;	/* the same, indexed */
	bool keep_going;	/* make -k: compile what can be compiled */
	bool check_only;	/* no patch: originals only, a unit that does not compile left out */
	bool line_directives;	/* unchanged lines of patched files keep their numbers */
	int prep_lock;		/* per_unit: held (shared) while the prepared tree is used */
	bool dist_headers;	/* target is a distribution's headers tree: the prepared
				 * tree is assembled from it when it has what a unit needs */
	bool headers_tree;	/* orig was assembled from the headers: no make prepare */
	int jobs;
};

/*
 * The status of a compile in a source tree unpacked in part that lacked a
 * file of it: compiled again in the whole tree.
 */
#define KBUILD_LACKS_SOURCE 3

void kbuild_init(struct kbuild *kb);
/* Free what @kb owns and release its prepared tree's lock. */
void kbuild_free(struct kbuild *kb);

/* The compiler make runs: CC=, or kbuild's default (with CROSS_COMPILE). */
const char *kbuild_cc(const struct kbuild *kb);

/*
 * Prepare (or reuse) kb->orig for compiling single units: with
 * kb->dist_headers, assembled from the headers tree kb->target (its .config,
 * generated headers and kbuild's host tools: those of the kernel's own
 * build); else, or when the headers lack one of them (said in one line),
 * the kernel's configuration @config (a .config's text) and `make prepare`
 * (generated headers, objtool). Sets kb->headers_tree. Safe under concurrent
 * use: one run prepares while others wait; an interrupted preparation is
 * never taken as complete. The tree stays locked (shared) for this run.
 */
int kbuild_prepare(struct kbuild *kb, const char *config);
/*
 * "" if the headers tree @headers has what compiling a unit needs from a
 * prepared tree (the arch/@kbuild_arch part unless NULL), else what it
 * lacks ("no tools/objtool/objtool").
 */
char *kbuild_headers_lack(const char *headers, const char *kbuild_arch);

/* patches.c: files the patches touch, relative to the tree; an error for one that is no patch. */
int patch_touched_files(struct strlist *files, char *const patches[], size_t nr);
/* Whether @patches apply, one after the other, to copies of the @files they touch. */
int kbuild_check_patches(const struct kbuild *kb, char *const patches[], size_t nr,
			 const struct strlist *files);

/* affected.c: objects of the original build that the touched files can change. */
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
/* The module an object of the build is linked into, or NULL for vmlinux. */
char *kbuild_module_of(const struct kbuild *kb, const char *object, char **module_path);
/*
 * The module a compiled unit belongs to, from the command kbuild recorded
 * for it in WORK/original (-DMODULE, KBUILD_MODNAME), or NULL for vmlinux.
 */
char *kbuild_unit_module(const struct kbuild *kb, const char *object);

/*
 * patched.c: in a private namespace, apply @patches over the source tree,
 * rebuild @objects and then @compared, and copy @compared to WORK/patched/
 * (the originals go to WORK/original/, with the .cmd files of @objects,
 * which hold exported symbols' CRCs). Returns 0, or -1 with the failing
 * stage reported.
 */
int kbuild_patched(struct kbuild *kb, char *const patches[], size_t nr,
		   const struct strlist *objects, const struct strlist *compared);

/*
 * kbuild_module.c: external modules. An empty directory for kbuild, by
 * absolute path: @wanted, or a temporary one.
 */
char *kbuild_module_dir(const char *wanted);
/*
 * make -C @kdir M=@dir modules [ARCH=... CROSS_COMPILE=...], its output in
 * @log: its status (base/process.h), 0 if it succeeded.
 */
int kbuild_external_module(const char *kdir, const char *dir, bool llvm,
			   const struct kernel_cross *cross, const char *log);
/*
 * The target's special-section layouts: build the arch's layout probe
 * against the kernel of @p (once: cached under @cache_dir, keyed by the
 * kernel's release and .config) and read the layouts its entries have into
 * @p->layouts, for elf_open() of the kernel's objects.
 */
int kbuild_probe_layouts(struct kernel_profile *p, const char *cache_dir);
/*
 * kernel_profile_read() and the probe, with klpdiff's cache: the objects read
 * from now on are of the kernel in @kdir.
 */
int kbuild_target_profile(struct kernel_profile *p, const char *kdir);

/* Are the originals compiled as built too, for verify (unit flags, or sections change code)? */
bool kbuild_as_built(const struct kbuild *kb);

#endif
