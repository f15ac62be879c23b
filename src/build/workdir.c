// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The end of a run's work directory: kept when asked, removed when the run
 * succeeded, else trimmed to what says why it failed (the newest few).
 */
#include <dirent.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build/stages.h"

/* Failed runs kept in the cache (run-XXXXXX/failed marks them); older ones are removed. */
#define KEPT_FAILED_RUNS 5

static int trim_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (flag == FTW_DP)
		rmdir(path);	/* only empty directories go */
	else if (!ends_with(path, "/build.log") && !ends_with(path, ".rej"))
		unlink(path);
	return 0;
}

struct failed_run {
	char *path;
	time_t when;
};

static int newest_first(const void *a, const void *b)
{
	const struct failed_run *x = a, *y = b;

	return x->when != y->when ? (x->when < y->when ? 1 : -1) : strcmp(x->path, y->path);
}

/* Remove all but the newest KEPT_FAILED_RUNS failed runs of @cache. */
static void prune_failed_runs(const char *cache)
{
	struct failed_run *runs = NULL;
	size_t nr = 0, alloc = 0;
	DIR *d = opendir(cache);
	struct dirent *e;
	struct stat st;

	while (d && (e = readdir(d))) {
		char *mark = xasprintf("%s/%s/failed", cache, e->d_name);

		if (starts_with(e->d_name, "run-") && !stat(mark, &st)) {
			GROW(runs, nr, alloc, nr + 1);
			runs[nr++] = (struct failed_run){ xasprintf("%s/%s", cache, e->d_name),
							  st.st_mtime };
		}
		free(mark);
	}
	if (d)
		closedir(d);
	sort(runs, nr, sizeof(*runs), newest_first);
	for (size_t i = 0; i < nr; i++) {
		if (i >= KEPT_FAILED_RUNS)
			remove_tree(runs[i].path);
		free(runs[i].path);
	}
	free(runs);
}

/* --keep-tmp: the diff stage's answer beside the objects it compared. */
static void keep_changes(struct build_run *r)
{
	char *dir = work_path(r->kb.work, WORK_DIFF, NULL);
	char *path = work_path(r->kb.work, WORK_DIFF, "changes");
	char *patched = work_path(r->kb.work, WORK_PATCHED, NULL);

	/* Not when the run stopped before both builds were there. */
	if (r->compared.nr && !access(patched, F_OK) && !mkdir_p(dir))
		build_write_changes(r, path);
	free(dir), free(path), free(patched);
}

/*
 * A failed run keeps what says why: its log and any rejected hunks. A run
 * that failed before it ran anything has no log: nothing is kept.
 */
static void keep_failure(struct build_run *r, struct build_result *res)
{
	char *mark = xasprintf("%s/failed", r->kb.work);

	if (access(r->kb.log, F_OK)) {
		remove_tree(r->kb.work);
	} else {
		nftw(r->kb.work, trim_entry, 16, FTW_DEPTH | FTW_PHYS);
		write_file_atomic(mark, "", 0644);
		res->log_kept = xstrdup(r->kb.log);
		prune_failed_runs(r->cache);
	}
	free(mark);
}

void build_finish_work_dir(struct build_run *r, bool failed, struct build_result *res)
{
	if (r->req->keep_tmp) {
		if (!r->req->diff_only)
			keep_changes(r);
		res->work_kept = xstrdup(r->kb.work);
	} else if (!failed) {
		remove_tree(r->kb.work);
	} else {
		keep_failure(r, res);
	}
}
