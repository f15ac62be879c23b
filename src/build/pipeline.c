// SPDX-License-Identifier: GPL-2.0-or-later
/* The pipeline: its stages in order, over one state it owns. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "build/stages.h"

static const struct stage {
	const char *name;
	int (*run)(struct build_run *r);
} stages[] = {
	{ "target", stage_target },   { "prepare", stage_prepare }, { "compile", stage_compile },
	{ "verify", stage_verify },   { "diff", stage_diff },	    { "extract", stage_extract },
	{ "module", stage_module },
};

static struct timespec start_time;

void build_progress(const char *fmt, ...)
{
	struct timespec now;
	va_list ap;

	clock_gettime(CLOCK_MONOTONIC, &now);
	fprintf(stderr, "klpdiff build: [%6.1fs] ", (double)(now.tv_sec - start_time.tv_sec) +
						       (double)(now.tv_nsec - start_time.tv_nsec) / 1e9);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void run_free(struct build_run *r)
{
	strlist_free(&r->files);
	strlist_free(&r->listed);
	strlist_free(&r->objects);
	strlist_free(&r->compared);
	strlist_free(&r->parts);
	strlist_free(&r->crc_changes);
	unit_modules_free(&r->modules);
	if (r->have_ibt)
		ibt_close(&r->ibt);
	kernel_symbols_free(&r->vmlinux);
	kbuild_free(&r->kb);
	kernel_profile_free(&r->profile);
	dist_kernel_free(&r->dk);
	source_tree_free(&r->source);
	free(r->cache), free(r->symvers), free(r->vmlinux_symbols), free(r->shipped_vmlinux);
	free(r->root);
	free(r->changes);
	free(r);
}

/* Run the stages in order until one fails or says the run is done. */
static int run_stages(struct build_run *r)
{
	for (size_t i = 0; i < ARRAY_SIZE(stages); i++) {
		int ret;

		if (verbose)
			build_progress("stage %s", stages[i].name);
		ret = stages[i].run(r);
		if (ret < 0)
			return EXIT_TROUBLE;
		if (ret == STAGE_STOP)
			return r->status;
	}
	return 0;
}

int build_pipeline_run(const struct build_request *req, struct build_result *res)
{
	struct build_run *r = xcalloc(1, sizeof(*r));
	bool failed;

	clock_gettime(CLOCK_MONOTONIC, &start_time);
	memset(res, 0, sizeof(*res));
	r->req = req;
	kbuild_init(&r->kb);
	unit_modules_init(&r->modules, &r->kb, req->installed ? &r->dk : NULL);
	res->status = run_stages(r);
	failed = res->status == EXIT_TROUBLE && !req->diff_only;
	if (req->diff_only && res->status != EXIT_TROUBLE) {
		res->changes = r->changes;
		r->changes = NULL;
	}
	if (r->kb.work)
		build_finish_work_dir(r, failed, res);
	run_free(r);
	return res->status;
}

void build_result_free(struct build_result *res)
{
	free(res->changes);
	free(res->work_kept);
	free(res->log_kept);
}
