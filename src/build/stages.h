/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state of one klpdiff build run, which the pipeline owns and hands to
 * each stage in turn, and the stages (pipeline.h says what each one does).
 */
#ifndef KLPDIFF_STAGES_H
#define KLPDIFF_STAGES_H

#include <stdbool.h>

#include "base/util.h"
#include "build/kbuild.h"
#include "build/pipeline.h"
#include "build/source_tree.h"
#include "build/unit_modules.h"
#include "kernel/distro.h"
#include "kernel/ibt.h"
#include "kernel/kconfig.h"
#include "kernel/kernel_profile.h"
#include "kernel/kernel_symbols.h"

struct build_run {
	const struct build_request *req;
	struct kbuild kb;
	struct dist_kernel dk;		/* an installed distribution kernel (req->installed) */
	struct source_tree source;	/* its source tarball, unpacked in part */
	struct kernel_profile profile;	/* the target kernel: version, arch, layouts */
	const struct kconfig *config;	/* its .config: dk's, or the profile's */
	struct kernel_symbols vmlinux;	/* per_unit: vmlinux's symbols, read before any work */
	char *cache;			/* the cache of this source, config and compiler */
	char *symvers;			/* Module.symvers of the kernel */
	char *vmlinux_symbols;		/* vmlinux, or a kallsyms listing */
	char *root;			/* the toolchain root the kernel's compiler is in, or NULL */
	char *shipped_vmlinux;		/* the ELF of the code that runs (vmlinux, or the image's) */
	struct strlist files;		/* what the patches touch */
	struct strlist listed;		/* --check-units: the units asked for */
	struct strlist objects;		/* the units compiled */
	struct strlist compared;	/* the objects holding their code */
	struct strlist parts;		/* patch objects extracted */
	struct strlist crc_changes;	/* "SYMBOL OBJECT": exported CRCs the patch changes */
	struct unit_modules modules;	/* object -> module, asked by each stage */
	struct ibt_check ibt;		/* an IBT kernel's sealed functions */
	bool have_ibt;
	bool objtool_at_link;		/* kbuild runs objtool on linked modules */
	char *changes;			/* the diff, once made */
	int diff_status;		/* and its status: EXIT_CHANGED or EXIT_SAME */
	int status;			/* the exit status when a stage stops the run */
};

/* A stage returns 0 to go on, STAGE_STOP when the run is done (r->status), or -1. */
#define STAGE_STOP 1

int stage_target(struct build_run *r);	/* stage_target.c */
int stage_prepare(struct build_run *r);	/* stage_compile.c */
int stage_compile(struct build_run *r);
int stage_verify(struct build_run *r);	/* stage_verify.c */
int stage_diff(struct build_run *r);	/* stage_module.c */
int stage_extract(struct build_run *r);
int stage_module(struct build_run *r);

/* The diff of the compared objects, made once: NULL after an error. */
const char *build_changes(struct build_run *r);
/* The changes into @path, whole or not at all. */
int build_write_changes(struct build_run *r, const char *path);
/* The ELF vmlinux of the installed kernel's image (its shipped_vmlinux), extracted once. */
int build_shipped_image(struct build_run *r);

/* workdir.c: the end of a run's work directory: kept, removed or trimmed to its log. */
void build_finish_work_dir(struct build_run *r, bool failed, struct build_result *res);

#endif
