// SPDX-License-Identifier: GPL-2.0-or-later
/* The patches: which files they touch, whether they apply, #line directives. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/process.h"
#include "base/util.h"
#include "build/kbuild_internal.h"
#include "build/line_directives.h"

int patch_touched_files(struct strlist *files, char *const patches[], size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		FILE *fp = fopen(patches[i], "r");
		char line[4096];
		bool any = false;

		if (!fp)
			return error(patches[i], "cannot open: %s", strerror(errno));
		while (fgets(line, sizeof(line), fp)) {
			char *path, *end;

			if (strncmp(line, "+++ ", 4))
				continue;
			/* "+++ b/fs/proc/cmdline.c<TAB>date": strip one directory (-p1). */
			path = strchr(line + 4, '/');
			if (!path)
				continue;
			path++;
			end = path + strcspn(path, "\t\n ");
			*end = '\0';
			any = true;
			if (!strlist_has(files, path))
				strlist_add(files, xstrdup(path));
		}
		fclose(fp);
		if (!any)
			return error(patches[i], "not a patch (no '+++ ' lines)");
	}
	return 0;
}

static int not_applying(const struct kbuild *kb, const char *patch)
{
	return error(patch, "does not apply to %s; see %s", kb->src, kb->log);
}

/* patch(1) applying @patch to @dir, quietly, as the patched build does. */
int kbuild_apply_patch(const struct kbuild *kb, const char *dir, const char *patch)
{
	char *argv[] = { "patch", "-p1", "--forward", "--batch", "--silent",
			 "--no-backup-if-mismatch", "-d", (char *)dir, "-i", (char *)patch, NULL };

	return run_logged(argv, kb->log) ? not_applying(kb, patch) : 0;
}

/*
 * patch(1)'s report of @patch, applied to the copy in @dir: a hunk that only
 * applied at another line or with fuzz is said, naming the file, since the
 * code around it may no longer be the code its author changed.
 */
static int check_drift(const struct kbuild *kb, const char *dir, const char *patch)
{
	char *argv[] = { "patch", "-p1", "--forward", "--batch", "--no-backup-if-mismatch",
			 "-d", (char *)dir, "-i", (char *)patch, NULL };
	char *out, *line, *save = NULL;
	const char *file = "?";
	int status;

	out = run_capture_status(argv, &status);
	if (status) {
		FILE *log = fopen(kb->log, "a");

		if (log) {
			fputs(out, log);
			fclose(log);
		}
		free(out);
		return not_applying(kb, patch);
	}
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (starts_with(line, "patching file "))
			file = line + strlen("patching file ");
		else if (strstr(line, " with fuzz ") || strstr(line, " (offset "))
			warn(patch, "%s: %s", file, line);
	}
	free(out);
	return 0;
}

int kbuild_check_patches(const struct kbuild *kb, char *const patches[], size_t nr,
			 const struct strlist *files)
{
	char *dir = xasprintf("%s/apply-check", kb->work);
	int ret = mkdir_p(dir);

	for (size_t i = 0; !ret && i < files->nr; i++) {
		char *from = xasprintf("%s/%s", kb->src, files->v[i]);
		char *to = xasprintf("%s/%s", dir, files->v[i]);

		if (!access(from, R_OK))
			ret = copy_file(from, to);
		free(from);
		free(to);
	}
	for (size_t i = 0; !ret && i < nr; i++)
		ret = check_drift(kb, dir, patches[i]);
	remove_tree(dir);
	free(dir);
	return ret;
}

/* The sources a patch changes that #line directives apply to: C files and headers. */
static bool takes_line_directives(const char *path)
{
	return ends_with(path, ".c") || ends_with(path, ".h");
}

/*
 * Before patching (!@patched): a copy of each such file as it is. After: the
 * patched file rewritten so that the lines it did not change keep their numbers.
 */
int kbuild_keep_line_numbers(const struct kbuild *kb, const struct strlist *files, bool patched)
{
	char *originals = work_path(kb->work, WORK_OVERLAY, "originals");
	int ret = 0;

	for (size_t i = 0; !ret && i < files->nr; i++) {
		char *src = xasprintf("%s/%s", kb->src, files->v[i]);
		char *orig = xasprintf("%s/%s", originals, files->v[i]);

		if (takes_line_directives(files->v[i]) && !access(src, R_OK))
			ret = patched ? line_directives_add(orig, src, files->v[i]) :
					copy_file(src, orig);
		free(src), free(orig);
	}
	free(originals);
	return ret;
}
