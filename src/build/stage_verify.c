// SPDX-License-Identifier: GPL-2.0-or-later
/* The verify stage: the originals compiled here are the code that runs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build/stages.h"
#include "kernel/kernel_image.h"
#include "kernel/verify.h"

/*
 * The ELF vmlinux inside the installed kernel's image, extracted once into
 * the cache (keyed by the image's size and time); its banner must name the
 * Debian version the source was taken for.
 */
int build_shipped_image(struct build_run *r)
{
	const struct dist_kernel *dk = &r->dk;
	struct stat st;
	char *base = cache_base(), *banner, *version;
	int ret = 0;

	if (stat(dk->image, &st)) {
		free(base);
		return error(dk->image, "cannot read: %s", strerror(errno));
	}
	free(r->shipped_vmlinux);
	r->shipped_vmlinux = xasprintf("%s/images/vmlinux-%s-%lld-%lld", base, dk->release,
				       (long long)st.st_size, (long long)st.st_mtime);
	free(base);
	if (access(r->shipped_vmlinux, R_OK) &&
	    (mkdir_parent(r->shipped_vmlinux) ||
	     kernel_image_extract(dk->image, r->shipped_vmlinux)))
		return -1;
	banner = kernel_image_banner(r->shipped_vmlinux);
	version = banner ? strstr(banner, " Debian ") : NULL;
	if (version && strncmp(version + 8, dk->version, strlen(dk->version)))
		ret = error(dk->image, "its banner says '%s', but its package is %s", banner,
			    dk->version);
	free(banner);
	return ret;
}

/* Check one compiled original against the shipped code, adding its counts to @total. */
static int verify_unit(struct build_run *r, const char *obj, bool keep_going,
		       struct verify_stats *one, struct verify_stats *total)
{
	enum work_stage as_built = kbuild_as_built(&r->kb) ? WORK_AS_BUILT : WORK_ORIGINAL;
	char *orig = work_path(r->kb.work, as_built, obj);
	const struct unit_module *um = unit_module_of(&r->modules, obj);
	const char *mod = um ? um->name : NULL;
	struct verify_opts vo = {
		.orig = orig, .display = obj, .objname = mod ? mod : "vmlinux",
		.shipped = mod ? um->symbols : r->shipped_vmlinux,
		.kallsyms = mod ? NULL : r->vmlinux_symbols, .target = &r->profile.layouts,
		.keep_going = keep_going,
	};
	int ret;

	memset(one, 0, sizeof(*one));
	ret = !um ? -1 : verify_original(&vo, one);
	total->compared += one->compared;
	total->skipped += one->skipped;
	total->mismatched += one->mismatched;
	free(orig);
	return ret;
}

/*
 * Ksplice's run-pre check, at build time: every original function that the
 * kernel has must be exactly the code that runs, or the source, config or
 * compiler is not what built it and the patch would rest on wrong ground.
 * With the arch's unit flags, the originals compiled as the kernel was.
 */
static int verify_originals(struct build_run *r)
{
	struct verify_stats total = { 0 }, one;
	int ret = 0;

	if (r->req->installed && build_shipped_image(r))
		return -1;
	for (size_t i = 0; !ret && i < r->objects.nr; i++)
		ret = verify_unit(r, r->objects.v[i], false, &one, &total);
	if (!ret)
		build_progress("the originals are the code that runs: %zu function%s compared, %zu "
			       "not in the kernel (inlined)", total.compared,
			       total.compared == 1 ? "" : "s", total.skipped);
	return ret;
}

/*
 * --check-units: every function of every listed unit against the shipped
 * code, one line per unit on stdout ("UNIT compared N skipped N mismatched
 * N", "UNIT not compiled", or "UNIT not in the kernel" when the kernel has
 * none of its symbols), each differing function reported on stderr,
 * and the totals; then the run is done: 0 when every unit compiled and
 * every function is the shipped code, 1 when not.
 */
static int check_units(struct build_run *r)
{
	struct verify_stats total = { 0 }, one;
	struct strmap compiled;
	size_t units = 0, bad_units = 0, missing = 0;

	if (r->req->installed && build_shipped_image(r))
		return -1;
	for (size_t i = 0; i < r->objects.nr; i++) {
		const char *obj = r->objects.v[i];

		/* A mismatch is counted; anything else stops the run. */
		if (verify_unit(r, obj, true, &one, &total))
			return -1;
		units++;
		bad_units += one.mismatched != 0;
		printf("%s compared %zu skipped %zu mismatched %zu\n", obj, one.compared,
		       one.skipped, one.mismatched);
	}
	strmap_init(&compiled, r->objects.nr);
	for (size_t i = 0; i < r->objects.nr; i++)
		*strmap_slot(&compiled, r->objects.v[i]) = (void *)1;
	for (size_t i = 0; i < r->listed.nr; i++) {
		char *path;

		if (strmap_get(&compiled, r->listed.v[i]))
			continue;
		missing++;
		/* Compiled, but the kernel has none of its symbols. */
		path = work_path(r->kb.work, WORK_ORIGINAL, r->listed.v[i]);
		printf("%s %s\n", r->listed.v[i],
		       access(path, R_OK) ? "not compiled" : "not in the kernel");
		free(path);
	}
	strmap_free(&compiled);
	printf("units %zu checked %zu not-compiled %zu; functions compared %zu same %zu "
	       "mismatched %zu (in %zu units) skipped %zu\n", r->listed.nr, units, missing,
	       total.compared, total.compared - total.mismatched, total.mismatched, bad_units,
	       total.skipped);
	r->status = total.mismatched || missing ? EXIT_CHANGED : EXIT_SAME;
	return fflush(stdout) ? error("stdout", "cannot write") : STAGE_STOP;
}

int stage_verify(struct build_run *r)
{
	if (r->req->check_units && r->kb.lto)
		return error(NULL, "--check-units: an LTO kernel's originals are its own build, "
			     "there is nothing to check");
	if (r->req->check_units)
		return check_units(r);
	if (r->kb.lto || r->req->no_verify) {
		build_progress("originals not compared with the code that runs (%s)",
			       r->kb.lto ? "LTO: the build's own vmlinux.o is the original" :
					   "--no-verify");
		return 0;
	}
	return verify_originals(r);
}
