/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * klpdiff build for several kernel releases in one run: each release is
 * built in a child process of its own, one after the other, so that a
 * failure (even a crash) stops that release only; what the releases share
 * (downloads, unpacked sources, toolchain roots) is in the cache, keyed by
 * package version, source version and compiler, under its locks. Each
 * release has its own work directory (the pipeline's) and its own log:
 * everything its run said on stderr, which is shown as it comes too.
 */
#ifndef KLPDIFF_RELEASES_H
#define KLPDIFF_RELEASES_H

#include <stdbool.h>
#include <stdio.h>

#include "base/util.h"

/* One release of the run: where its outputs go, then what its run left. */
struct release_run {
	const char *release;
	char *dir;		/* its outputs' directory (made before it runs) */
	char *module;		/* its module, its list of changes, its log, in dir */
	char *report, *log;
	int status;		/* its exit status (klpdiff build's) */
	char *reason;		/* when it failed: the last error it said, or how it ended */
	struct strlist changed;	/* the changed and new functions its report names */
	double seconds;
};

/*
 * Run @build_one(@run, @arg) for each of @runs in turn, in a child process
 * whose exit status is what it returns; fill in each run's result. The
 * exit status of the whole: 0 when every release built (--diff: like klpdiff
 * diff, 1 when one changed), 2 when one failed, else 3 (no functional
 * change in one).
 */
int build_releases(struct release_run *runs, size_t nr,
		   int (*build_one)(struct release_run *run, void *arg), void *arg, bool diff_only);
/* The summary: release, result, changed functions, module, time; one row each. */
void build_releases_table(FILE *fp, const struct release_run *runs, size_t nr, bool diff_only);
void release_runs_free(struct release_run *runs, size_t nr);

#endif
