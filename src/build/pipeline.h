/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * klpdiff build as a pipeline of named stages, each reading what the stages
 * before it left in the run's state and its work directory:
 *
 *   target   the kernel to patch (installed or built here), its config,
 *            symbols, profile and source; the cache and the work directory
 *   prepare  the patches apply; the prepared tree; the kernel's layouts
 *   compile  the touched units, original and patched
 *   verify   the originals are the code that runs
 *   diff     what changed (--diff stops here), exported symbols' CRCs
 *   extract  one patch object per changed object
 *   module   the livepatch module
 *
 * Everything the user gave is checked in the target stage, before any work.
 */
/*
 * Layer build (src/build/): includes every layer but cmd/.
 * tests/source/layers.t checks it.
 */
#ifndef KLPDIFF_PIPELINE_H
#define KLPDIFF_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>

/* What the user asked for: klpdiff build's options. */
struct build_request {
	const char *src;	/* -s, or NULL */
	const char *target;	/* -O, or NULL: an installed kernel */
	bool installed;		/* patch an installed distribution kernel */
	const char *release, *kallsyms, *compiler, *sysroot;
	const char *name, *output, *report;
	const char *sign_key, *sign_cert;
	int jobs;		/* 0: one per CPU */
	bool no_replace, keep_tmp, diff_only, no_verify, trace, line_directives;
	bool dbg;		/* vmlinux's symbols from the -dbg package (downloaded if need be) */
	bool show_first_changed; /* each changed function's first differing instruction */
	const char *check_units;	/* no patch: check these units (a file of objects) */
	char *const *patches;	/* absolute paths */
	size_t nr_patches;
};

/* What a run leaves for its caller to say. */
struct build_result {
	int status;		/* the exit status */
	char *changes;		/* --diff: what changed, as klpdiff diff says it */
	char *work_kept;	/* --keep-tmp: the work directory */
	char *log_kept;		/* a failed run: its build log */
};

/* Run every stage for @req; 0 or the failing stage's status in @res->status. */
int build_pipeline_run(const struct build_request *req, struct build_result *res);
void build_result_free(struct build_result *res);

/* "klpdiff build: [ 12.3s] ..." on stderr: a stage's progress, with the run's time. */
void build_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
