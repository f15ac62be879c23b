// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The diff stage (what changed; --diff stops there), the extract stage (one
 * patch object per changed object) and the module stage (the livepatch
 * module, refused if it would not load).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/diff.h"
#include "analysis/explain.h"
#include "analysis/inputs.h"
#include "build/modversions.h"
#include "build/stages.h"
#include "patch/extract.h"

/* What changed between the original and the patched objects, as klpdiff diff says it. */
static int write_diff(FILE *out, const struct kbuild *kb, const struct strlist *compared,
		      const struct elf_layouts *target)
{
	struct loaded orig = { .target = target }, patched = { .target = target };
	struct diff_result res = { 0 };
	int ret = EXIT_TROUBLE, failed = 0;

	for (size_t i = 0; !failed && i < compared->nr; i++) {
		const char *obj = compared->v[i];
		char *a = work_path(kb->work, WORK_ORIGINAL, obj);
		char *b = work_path(kb->work, WORK_PATCHED, obj);

		failed = load_object_pair(&orig, a, &patched, b, kbuild_is_link(kb, obj) ? NULL : obj);
		free(a);
		free(b);
	}
	sums_sort(&orig.sums);
	sums_sort(&patched.sums);
	if (!failed) {
		diff_sums(&res, &orig.sums, &patched.sums);
		diff_sort(&res);
		diff_print(out, &res, false, verbose > 0);
		ret = diff_has_changes(&res) ? EXIT_CHANGED : EXIT_SAME;
	}
	diff_free(&res);
	loaded_free(&orig);
	loaded_free(&patched);
	return ret;
}

const char *build_changes(struct build_run *r)
{
	size_t size;
	FILE *fp;

	if (r->changes)
		return r->changes;
	fp = open_memstream(&r->changes, &size);
	if (!fp)
		fatal("out of memory");
	r->diff_status = write_diff(fp, &r->kb, &r->compared, &r->profile.layouts);
	if (fclose(fp))
		fatal("out of memory");
	if (r->diff_status == EXIT_TROUBLE) {
		free(r->changes);
		r->changes = NULL;
	}
	return r->changes;
}

int build_write_changes(struct build_run *r, const char *path)
{
	const char *changes = build_changes(r);
	struct output out;

	if (!changes || output_open(&out, path))
		return -1;
	fputs(changes, out.fp);
	return output_commit(&out);
}

/* OBJ's function NAME: its first differing instruction, on stderr. */
static void explain_changed(struct build_run *r, const char *obj, const char *name)
{
	char *a = work_path(r->kb.work, WORK_ORIGINAL, obj);
	char *b = work_path(r->kb.work, WORK_PATCHED, obj);
	struct elf_object *orig = elf_open(a, &r->profile.layouts);
	struct elf_object *patched = orig ? elf_open(b, &r->profile.layouts) : NULL;

	if (orig && patched) {
		fprintf(stderr, "%s: ", obj);
		explain_function(stderr, name, orig, patched);
	}
	elf_close(orig);
	elf_close(patched);
	free(a);
	free(b);
}

/* --show-first-changed: each changed function of the diff ("changed: OBJ:NAME"), explained. */
static void show_first_changed(struct build_run *r)
{
	const char *changes = build_changes(r);
	char *copy, *line, *save = NULL, *name;

	if (!changes)
		return;
	copy = xstrdup(changes);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		/* Data objects end in " (object)": only functions have instructions. */
		if (!starts_with(line, "changed: ") || ends_with(line, ")"))
			continue;
		name = strrchr(line, ':');
		if (!name)
			continue;
		*name++ = '\0';
		explain_changed(r, line + strlen("changed: "), name);
	}
	free(copy);
}

int stage_diff(struct build_run *r)
{
	if (r->req->show_first_changed)
		show_first_changed(r);
	if (r->req->diff_only) {
		r->status = build_changes(r) ? r->diff_status : EXIT_TROUBLE;
		return STAGE_STOP;
	}
	for (size_t i = 0; i < r->objects.nr; i++)
		changed_crcs(r->kb.work, r->objects.v[i], &r->crc_changes);
	return 0;
}

/* Does kbuild run objtool on the linked module (the arch's objtool_link_kconfig)? */
static bool objtool_reads_links(const struct build_run *r)
{
	const char *const *opts = r->profile.arch->kbuild.objtool_link_kconfig;

	for (size_t i = 0; opts && opts[i]; i++)
		if (kconfig_enabled(r->config, opts[i]))
			return true;
	return false;
}

/* An IBT kernel: the functions a patch may not take the address of, from the code that runs. */
static int read_ibt(struct build_run *r)
{
	const struct arch *arch = r->profile.arch;

	if (!arch->kbuild.ibt_kconfig || !kconfig_enabled(r->config, arch->kbuild.ibt_kconfig))
		return 0;
	if (r->req->installed && !r->shipped_vmlinux && build_shipped_image(r))
		return -1;
	if (ibt_open(&r->ibt, arch, r->shipped_vmlinux, r->vmlinux_symbols))
		return -1;
	r->have_ibt = true;
	build_progress("IBT: %zu functions sealed in the running kernel; the patch may not take "
		       "their addresses", r->ibt.nr_sealed);
	return 0;
}

/* Extract @obj's changes into the next patch object, if it has any. */
static int extract_one(struct build_run *r, const char *obj)
{
	struct kbuild *kb = &r->kb;
	char *o = work_path(kb->work, WORK_ORIGINAL, obj);
	char *p = work_path(kb->work, WORK_PATCHED, obj);
	char *part = xasprintf("%03zu.o", r->parts.nr);
	char *out = work_path(kb->work, WORK_EXTRACT, part);
	const struct unit_module *um = unit_module_of(&r->modules, obj);
	const char *mod = um ? um->name : NULL;
	struct extract_opts eo = {
		.orig = o, .patched = p, .display = obj, .output = out,
		.objname = mod ? mod : "vmlinux",
		.kernel_symbols = mod ? um->symbols : r->vmlinux_symbols,
		.vmlinux_symbols = mod ? r->vmlinux_symbols : NULL, .symvers = r->symvers,
		.target = &r->profile.layouts,
		.trace = r->req->trace, .quiet_no_change = !verbose,
		.ibt = r->have_ibt ? &r->ibt : NULL, .ibt_module = r->have_ibt,
		.objtool_at_link = r->objtool_at_link,
	};
	int ret = 0;

	if (!um) {
		ret = -1;
	} else if (!same_file_contents(o, p)) {
		int rc = extract(&eo);

		if (rc == 0) {
			build_progress("%s (%s): extracted", obj, eo.objname);
			strlist_add(&r->parts, out);
			out = NULL;
		} else if (rc == EXIT_NO_CHANGE) {
			if (verbose)
				build_progress("%s: no functional change", obj);
		} else {
			ret = -1;
		}
	}
	free(out), free(o), free(p), free(part);
	return ret;
}

int stage_extract(struct build_run *r)
{
	r->objtool_at_link = objtool_reads_links(r);
	if (read_ibt(r))
		return -1;
	build_progress("comparing and extracting");
	for (size_t i = 0; i < r->compared.nr; i++)
		if (extract_one(r, r->compared.v[i]))
			return -1;
	if (r->parts.nr)
		return 0;
	build_progress("no functional change: nothing to patch");
	if (r->req->report && build_write_changes(r, r->req->report))
		return -1;
	r->status = EXIT_NO_CHANGE;
	return STAGE_STOP;
}

static int link_module(const struct build_run *r)
{
	const struct build_request *q = r->req;
	struct strlist argv = { 0 };
	int ret;

	strlist_add(&argv, xstrdup("/proc/self/exe"));
	strlist_add(&argv, xstrdup("module"));
	strlist_add(&argv, xasprintf("--name=%s", q->name));
	strlist_add(&argv, xasprintf("--kernel-build=%s", r->kb.target));
	strlist_add(&argv, xasprintf("--output=%s", q->output));
	strlist_add(&argv, xasprintf("--build-dir=%s/module", r->kb.work));
	if (q->no_replace)
		strlist_add(&argv, xstrdup("--no-replace"));
	if (r->root)
		strlist_add(&argv, xasprintf("--toolchain-root=%s", r->root));
	if (q->sign_key) {
		strlist_add(&argv, xstrdup("--sign"));
		strlist_add(&argv, xstrdup(q->sign_key));
		strlist_add(&argv, xstrdup(q->sign_cert));
	}
	for (size_t i = 0; i < r->parts.nr; i++)
		strlist_add(&argv, xstrdup(r->parts.v[i]));
	ret = run_logged(argv.v, r->kb.log);
	strlist_free(&argv);
	return ret ? error(NULL, "linking the module failed; see %s", r->kb.log) : 0;
}

int stage_module(struct build_run *r)
{
	if (check_crcs(&r->crc_changes, &r->parts))
		return -1;
	build_progress("linking %s", r->req->output);
	if (link_module(r))
		return -1;
	if (r->req->report && build_write_changes(r, r->req->report))
		return -1;
	return 0;
}
