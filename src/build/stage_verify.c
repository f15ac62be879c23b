// SPDX-License-Identifier: GPL-2.0-or-later
/* The verify stage: the originals compiled here are the code that runs. */
#include <errno.h>
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

/*
 * Ksplice's run-pre check, at build time: every original function that the
 * kernel has must be exactly the code that runs, or the source, config or
 * compiler is not what built it and the patch would rest on wrong ground.
 * With the arch's unit flags, the originals compiled as the kernel was.
 */
static int verify_originals(struct build_run *r)
{
	enum work_stage as_built = r->profile.arch->kbuild.unit_cflags ? WORK_AS_BUILT : WORK_ORIGINAL;
	struct verify_stats total = { 0 };
	int ret = 0;

	if (r->req->installed && build_shipped_image(r))
		return -1;
	for (size_t i = 0; !ret && i < r->objects.nr; i++) {
		const char *obj = r->objects.v[i];
		char *orig = work_path(r->kb.work, as_built, obj);
		const struct unit_module *um = unit_module_of(&r->modules, obj);
		const char *mod = um ? um->name : NULL;
		struct verify_stats one = { 0 };
		struct verify_opts vo = {
			.orig = orig, .display = obj, .objname = mod ? mod : "vmlinux",
			.shipped = mod ? um->symbols : r->shipped_vmlinux,
			.kallsyms = mod ? NULL : r->vmlinux_symbols, .target = &r->profile.layouts,
		};

		ret = !um ? -1 : verify_original(&vo, &one);
		total.compared += one.compared;
		total.skipped += one.skipped;
		free(orig);
	}
	if (!ret)
		build_progress("the originals are the code that runs: %zu function%s compared, %zu "
			       "not in the kernel (inlined)", total.compared,
			       total.compared == 1 ? "" : "s", total.skipped);
	return ret;
}

int stage_verify(struct build_run *r)
{
	if (r->kb.lto || r->req->no_verify) {
		build_progress("originals not compared with the code that runs (%s)",
			       r->kb.lto ? "LTO: the build's own vmlinux.o is the original" :
					   "--no-verify");
		return 0;
	}
	return verify_originals(r);
}
