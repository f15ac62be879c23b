// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The prepare stage (the patches apply, the tree to compile in, the kernel's
 * layouts) and the compile stage (the touched units, original and patched,
 * and of those only what the kernel that runs has).
 */
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build/stages.h"
#include "elf/elf_object.h"

/* The target's special-section layouts, from the probe: every object must have them. */
static int target_layouts(struct build_run *r)
{
	const struct kernel_profile *p = &r->profile;
	char line[512];
	size_t len = 0;

	if (kbuild_probe_layouts(&r->profile, r->cache))
		return -1;
	for (size_t i = 0; i < p->layouts.nr && len < sizeof(line); i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, "%s %s %u", i ? "," : "",
					p->layouts.v[i]->section, p->layouts.v[i]->entry_size);
	build_progress("Linux %u.%u layouts (probe):%s", KV_MAJOR(p->version),
		       KV_MINOR(p->version), p->layouts.nr ? line : " none");
	return 0;
}

/*
 * A source unpacked in part: what the patched files (or the units listed)
 * need of it, or all of it for a tree `make prepare` prepares (every
 * Kconfig file, objtool's source...).
 */
static int source_needed(struct build_run *r)
{
	struct kbuild *kb = &r->kb;
	const char *arch = kb->arch->kbuild.kbuild_arch;
	char *lack = kb->dist_headers ? kbuild_headers_lack(kb->target, arch) : NULL;
	struct strlist files = { 0 };
	int ret;

	if (!source_tree_partial(kb->source)) {
		free(lack);
		return 0;
	}
	ret = !lack || *lack ? source_tree_need_whole(kb->source, "make prepare needs all of "
						   "the source") : 0;
	for (size_t i = 0; i < r->files.nr; i++)
		strlist_add(&files, xstrdup(r->files.v[i]));
	for (size_t i = 0; i < r->listed.nr; i++)
		strlist_add(&files, xasprintf("%.*s.c", (int)(strlen(r->listed.v[i]) - 2),
					      r->listed.v[i]));
	if (!ret)
		ret = source_tree_need_units(kb->source, arch, &files);
	strlist_free(&files);
	free(lack);
	return ret;
}

int stage_prepare(struct build_run *r)
{
	const struct build_request *q = r->req;
	struct kbuild *kb = &r->kb;

	if (patch_touched_files(&r->files, q->patches, q->nr_patches) || source_needed(r) ||
	    kbuild_check_patches(kb, q->patches, q->nr_patches, &r->files))
		return -1;
	/* The original: a prepared tree to compile units in, or with LTO the target build. */
	if (kb->lto) {
		build_progress("LTO kernel: comparing the links (vmlinux.o, modules) of %s",
			       kb->orig);
	} else if (streq(kb->orig, kb->src)) {
		build_progress("built in its source tree: compiling in %s (in an overlay)",
			       kb->orig);
	} else {
		build_progress("prepared tree: %s", kb->orig);
		if (kbuild_prepare(kb, r->config->text))
			return -1;
	}
	return target_layouts(r);
}

/*
 * Whether the kernel that runs has the unit compiled as @obj: kbuild
 * compiles any single file it is asked for, configured or not. A unit is
 * there if the kernel has one of its global functions or data (or, for a
 * unit with none, one of its locals); one without functions is kept.
 */
static bool unit_in_kernel(struct build_run *r, const char *obj)
{
	char *path = work_path(r->kb.work, WORK_ORIGINAL, obj);
	struct elf_object *o = elf_open(path, &r->profile.layouts);
	const char *probe = NULL;
	struct elf_symbol *sym;
	bool there, code = false;

	free(path);
	if (!o)
		return true;	/* reported, and the diff will fail on it */
	for_each_symbol(o, sym) {
		if (!sym->sec || !*sym->name || (sym->type != STT_FUNC && sym->type != STT_OBJECT))
			continue;
		code |= sym->type == STT_FUNC;
		if (!probe || (sym->bind != STB_LOCAL && !strchr(sym->name, '.')))
			probe = sym->name;
		if (sym->bind != STB_LOCAL && !strchr(sym->name, '.'))
			break;
	}
	/*
	 * Without functions there is nothing to tell (lib/zlib_inflate/
	 * inflate_syms.c: exports only, whose __addressable_ locals the link
	 * drops), and nothing to patch or check either.
	 */
	there = !probe || !code || unit_module_has_symbol(&r->modules, obj, &r->vmlinux, probe);
	elf_close(o);
	return there;
}

/*
 * Drop the units a patched header brought in that this kernel does not
 * have; refuse a patched file the kernel does not have.
 */
static int units_in_kernel(struct build_run *r)
{
	struct strlist *objects = &r->objects;
	size_t kept = 0;
	int ret = 0;

	for (size_t i = 0; i < objects->nr; i++) {
		char *obj = objects->v[i];

		if (unit_in_kernel(r, obj)) {
			objects->v[kept++] = obj;
			continue;
		}
		if (!kbuild_from_header(&r->kb, obj) && !r->kb.check_only && !ret)
			ret = error(NULL, "refusing: %.*s.c is not built with this kernel's "
				    "configuration (the kernel has none of its symbols)",
				    (int)(strlen(obj) - 2), obj);
		free(obj);
	}
	objects->nr = kept;
	if (objects->v)
		objects->v[kept] = NULL;
	return ret;
}

/* What the units a patched header brought in need of a source unpacked in part. */
static int units_source(struct build_run *r)
{
	struct strlist files = { 0 };
	int ret;

	for (size_t i = 0; i < r->objects.nr; i++)
		strlist_add(&files, xasprintf("%.*s.c", (int)(strlen(r->objects.v[i]) - 2),
					      r->objects.v[i]));
	ret = source_tree_need_units(r->kb.source, r->kb.arch->kbuild.kbuild_arch, &files);
	strlist_free(&files);
	return ret;
}

static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

int stage_compile(struct build_run *r)
{
	const struct build_request *q = r->req;
	struct kbuild *kb = &r->kb;

	kb->check_only = q->check_units;
	if (q->check_units)
		for (size_t i = 0; i < r->listed.nr; i++)
			strlist_add(&r->objects, xstrdup(r->listed.v[i]));
	else if (kbuild_affected_objects(kb, &r->files, &r->objects))
		return -1;
	if (!r->objects.nr)
		return error(NULL, "the patches touch no object of the kernel build");
	if (kb->from_headers.nr && units_source(r))
		return -1;
	kbuild_compared_objects(kb, &r->objects, &r->compared);
	if (kb->check_only)
		build_progress("compiling %zu file%s to check", r->objects.nr,
			       plural(r->objects.nr));
	else if (kb->per_unit)
		build_progress("compiling %zu file%s, original and patched", r->objects.nr,
			       plural(r->objects.nr));
	else
		build_progress("patched build of %zu object%s", r->objects.nr,
			       plural(r->objects.nr));
	if (kbuild_patched(kb, q->patches, q->nr_patches, &r->objects, &r->compared))
		return -1;
	if (!kb->per_unit)
		return 0;
	kbuild_drop_unbuilt(kb, &r->objects);
	if (units_in_kernel(r))
		return -1;
	strlist_free(&r->compared);
	kbuild_compared_objects(kb, &r->objects, &r->compared);
	if (kb->from_headers.nr)
		build_progress("%zu file%s of this configuration compiled", r->objects.nr,
			       plural(r->objects.nr));
	return 0;
}
