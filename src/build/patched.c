// SPDX-License-Identifier: GPL-2.0-or-later
/* Compiling the touched units, original and patched, in a private namespace. */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/strmap.h"
#include "base/util.h"
#include "build/kbuild_internal.h"
#include "build/source_tree.h"

/*
 * Statuses of the compiles beside 0, -1 (said), KBUILD_LACKS_SOURCE and a
 * side's EXIT_TROUBLE: compile one after the other (compile_both()); the
 * patched build failed (for the caller to say).
 */
enum { COMPILE_ONE_BY_ONE = 4, PATCHED_FAILED = 5 };

struct patched_job {
	struct kbuild *kb;
	char *const *patches;
	size_t nr;
	const struct strlist *objects, *compared;
};

/*
 * Copy @obj (unless only @cmd_only) and its .cmd file (which holds its
 * exported symbols' CRCs) from @from to @to.
 */
static int save_object(const char *from, const char *to, const char *obj, bool cmd_only)
{
	char *a = xasprintf("%s/%s", from, obj), *b = xasprintf("%s/%s", to, obj);
	char *ca = kbuild_cmd_file(from, obj), *cb = kbuild_cmd_file(to, obj);
	int ret = cmd_only ? mkdir_parent(cb) : copy_file(a, b);

	if (!ret && access(ca, R_OK) == 0)
		ret = copy_file(ca, cb);
	free(a);
	free(b);
	free(ca);
	free(cb);
	return ret;
}

/* The compiled @objects' .cmd files, and the @compared objects. */
static int save_objects(const struct kbuild *kb, const char *from, const char *to,
			const struct strlist *objects, const struct strlist *compared)
{
	int ret = 0;

	for (size_t i = 0; !ret && i < objects->nr; i++)
		ret = save_object(from, to, objects->v[i], kb->lto);
	for (size_t i = 0; !ret && kb->lto && i < compared->nr; i++)
		ret = save_object(from, to, compared->v[i], false);
	return ret;
}

/* LTO: relink vmlinux.o and the modules' linked objects from the rebuilt bitcode. */
static int make_links(const struct kbuild *kb, const char *kcflags, const struct strlist *compared)
{
	struct strlist targets = { 0 };
	int ret;

	for (size_t i = 0; i < compared->nr; i++)
		strlist_add(&targets, xstrdup(streq(compared->v[i], "vmlinux.o") ? "vmlinux_o" :
					      compared->v[i]));
	ret = kbuild_make(kb, kcflags, targets.v);
	strlist_free(&targets);
	return ret;
}

/*
 * Linux 6.1 gives lld no ThinLTO cache, so relinking vmlinux.o would compile
 * every file's bitcode again. An ld.lld first in PATH that adds a cache in
 * klpdiff's cache directory keeps the commands kbuild records unchanged and
 * lets every later link recompile only the files whose bitcode or imports
 * changed (LLVM keys its cache entries on both).
 */
static int use_thinlto_cache(const struct kbuild *kb)
{
	char *bin = work_path(kb->work, WORK_BIN, NULL), *wrapper = xasprintf("%s/ld.lld", bin);
	const char *path = getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin";
	char *script = xasprintf("#!/bin/sh\nPATH='%s'\nexec ld.lld --thinlto-cache-dir='%s' \"$@\"\n",
				 path, kb->thinlto_cache);
	char *new_path = xasprintf("%s:%s", bin, path);
	int ret = mkdir_p(bin) || mkdir_p(kb->thinlto_cache) ||
		  write_file_atomic(wrapper, script, 0755) || setenv("PATH", new_path, 1);

	free(bin), free(wrapper), free(script), free(new_path);
	return ret ? error(kb->work, "cannot set up the ThinLTO cache") : 0;
}

/*
 * Put the patch-author headers (kpatch-macros.h, ...) into the overlaid
 * include/, where `#include "kpatch-macros.h"` finds them without a change
 * to the compiler's command line: kbuild would rebuild whatever it sees
 * built with other flags, which with LTO is every object of the kernel.
 */
static int add_headers(const struct kbuild *kb)
{
	DIR *d = opendir(kb->include_dir);
	struct dirent *e;
	int ret = 0;

	if (!d)
		return error(kb->include_dir, "cannot read the patch-author headers: %s",
			     strerror(errno));
	while (!ret && (e = readdir(d))) {
		char *from, *to;

		if (!ends_with(e->d_name, ".h"))
			continue;
		from = xasprintf("%s/%s", kb->include_dir, e->d_name);
		to = xasprintf("%s/include/%s", kb->src, e->d_name);
		ret = copy_file(from, to);
		free(from);
		free(to);
	}
	closedir(d);
	return ret;
}

/* The targets kbuild has "No rule to make" (not built with this config), logged since @from. */
static void unbuildable_targets(const char *log, long from, struct strmap *targets,
				struct strlist *names)
{
	char *text = read_file(log, NULL);
	const char *marker = "No rule to make target '";

	for (const char *p = text ? strstr(text + from, marker) : NULL; p; p = strstr(p, marker)) {
		p += strlen(marker);
		strlist_add(names, xstrndup(p, strcspn(p, "'")));
		*strmap_slot(targets, names->v[names->nr - 1]) = (void *)1;
	}
	free(text);
}

static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : (long)st.st_size;
}

/*
 * Which compiled objects to keep: all of them, but for the units that a
 * patched header brought in and that this config does not build. Any other
 * object missing is an error.
 */
static int keep_built(const struct kbuild *kb, const struct strlist *objects, long log_from,
		      struct strlist *built)
{
	struct strmap unbuildable;
	struct strlist names = { 0 };
	int ret = 0;

	strmap_init(&unbuildable, 64);
	unbuildable_targets(kb->log, log_from, &unbuildable, &names);
	for (size_t i = 0; !ret && i < objects->nr; i++) {
		const char *obj = objects->v[i];
		char *path = xasprintf("%s/%s", kb->orig, obj);

		/*
		 * kbuild compiles a single target whether or not the config
		 * builds it; one that does not even compile with the config is
		 * not part of the kernel either: only a patched file must.
		 */
		if (!access(path, R_OK))
			strlist_add(built, xstrdup(obj));
		else if (kbuild_from_header(kb, obj) || kb->check_only)
			;
		else if (!strmap_get(&unbuildable, obj))
			ret = error(NULL, "refusing: %.*s.c does not compile with this kernel's "
				    "configuration (not part of it?); see %s", (int)(strlen(obj) - 2),
				    obj, kb->log);
		else
			ret = error(NULL, "refusing: %.*s.c is not built with this kernel's "
				    "configuration", (int)(strlen(obj) - 2), obj);
		free(path);
	}
	strmap_free(&unbuildable);
	strlist_free(&names);
	return ret;
}

/*
 * Once more, one job at a time, the @objects make did not make: a unit that
 * kbuild compiles twice at once with -j loses one compile's dependency file
 * (6.12's arch/x86/lib/insn.o, before kbuild_make_units() made the arch's
 * top-level directories alone; kept for any other such double).
 */
static void make_missing_alone(struct kbuild *kb, const char *kcflags,
			       const struct strlist *objects)
{
	struct strlist missing = { 0 };
	int jobs = kb->jobs;

	for (size_t i = 0; i < objects->nr; i++) {
		char *path = xasprintf("%s/%s", kb->orig, objects->v[i]);

		if (access(path, R_OK))
			strlist_add(&missing, xstrdup(objects->v[i]));
		free(path);
	}
	if (missing.nr && jobs > 1) {
		kb->jobs = 1;
		kbuild_make(kb, kcflags, missing.v);
		kb->jobs = jobs;
	}
	strlist_free(&missing);
}

/*
 * A tree from the headers has the host programs of scripts/ that Debian's
 * linux-kbuild ships (fixdep, genksyms...), not those only some units' makes
 * run (6.1's scripts/selinux/genheaders for security/selinux/flask.h,
 * scripts/asn1_compiler for crypto/'s .asn1.h, without which make has "no
 * rule" for them): when a make since @log_from had no rule for a target,
 * kbuild's `make scripts` (in this run's overlay; -k: 7.x's Rust program
 * needs rustc) and the @objects again.
 */
static void make_kbuild_programs(struct kbuild *kb, const char *kcflags,
				 const struct strlist *objects, long log_from)
{
	char *text = kb->headers_tree ? read_file(kb->log, NULL) : NULL;
	const char *marker = "No rule to make target '";
	const char *p = text && (long)strlen(text) > log_from ? strstr(text + log_from, marker) : NULL;
	char *scripts[] = { "scripts", NULL };

	if (p) {
		p += strlen(marker);
		fprintf(stderr, "klpdiff build: no rule for %.*s in the tree from the headers: "
			"make scripts (kbuild's programs), then again\n", (int)strcspn(p, "'"), p);
		kbuild_make(kb, NULL, scripts);
		kbuild_make_units(kb, kcflags, objects->v);
	}
	free(text);
}

/*
 * In a source tree unpacked in part, whether an object of @objects that
 * kbuild did not make may have lacked a file of the source: a patched or
 * listed unit always (it must compile), one a patched header brought in
 * when the log since @log_from names a file the tree lacks.
 */
static bool lacked_source(struct kbuild *kb, const struct strlist *objects, long log_from)
{
	bool missing = false;

	for (size_t i = 0; source_tree_partial(kb->source) && i < objects->nr; i++) {
		char *path = xasprintf("%s/%s", kb->orig, objects->v[i]);

		if (access(path, R_OK) && !kbuild_from_header(kb, objects->v[i])) {
			free(path);
			return true;
		}
		missing |= access(path, R_OK) != 0;
		free(path);
	}
	return missing && source_tree_log_lacks(kb->source, kb->log, log_from);
}

/*
 * A prepared tree: compile the originals first, in the same overlay, and
 * keep them (in @built: those this config builds). kbuild recompiles what
 * the patches change afterwards. With the arch's unit flags, twice: as the
 * kernel was compiled (WORK/as-built, to check against the code that runs),
 * then with them (WORK/original, what the patched units are compared with).
 * @beside_patched: in compile_both(), where a make that fails (a unit this
 * config does not build, a second try needed) is COMPILE_ONE_BY_ONE.
 */
static int compile_originals(struct kbuild *kb, const struct strlist *objects,
			     struct strlist *built, bool beside_patched)
{
	char *out = work_path(kb->work, WORK_ORIGINAL, NULL);
	char *as_built = work_path(kb->work, WORK_AS_BUILT, NULL);
	long log_from = file_size(kb->log);
	char *kcflags = kbuild_unit_kcflags(kb);
	const char *flags = kbuild_as_built(kb) ? KCFLAGS_AS_BUILT : kcflags;
	int ret;

	/* The arch's unit flags last: the patched build recompiles only what changed. */
	kb->keep_going = true;
	if (kbuild_make_units(kb, flags, objects->v)) {
		/* The patched side would need the second try too: one after the other. */
		ret = COMPILE_ONE_BY_ONE;
		if (beside_patched)
			goto out;
		make_kbuild_programs(kb, flags, objects, log_from);
		make_missing_alone(kb, flags, objects);
	}
	kb->keep_going = false;
	if (lacked_source(kb, objects, log_from)) {
		ret = KBUILD_LACKS_SOURCE;
		goto out;
	}
	ret = keep_built(kb, objects, log_from, built);
	if (!ret && kbuild_as_built(kb))
		ret = save_objects(kb, kb->orig, as_built, built, built);
	if (!ret && kbuild_as_built(kb) && built->nr && kbuild_make_units(kb, kcflags, built->v))
		ret = error(NULL, "compiling the originals with %s failed; see %s", kcflags, kb->log);
	if (!ret)
		ret = save_objects(kb, kb->orig, out, built, built);
out:
	free(kcflags);
	free(as_built);
	free(out);
	return ret;
}

/*
 * Patch the source and compile @objects: 0, KBUILD_LACKS_SOURCE, or
 * PATCHED_FAILED (for the caller to say, naming the log).
 */
static int compile_patched(struct patched_job *job, const struct strlist *objects,
			   const struct strlist *compared)
{
	struct kbuild *kb = job->kb;
	char *out = work_path(kb->work, WORK_PATCHED, NULL);
	char *kcflags = kbuild_unit_kcflags(kb);
	struct strlist files = { 0 };
	long log_from;
	int ret = 0;

	if (kb->line_directives)
		ret = patch_touched_files(&files, job->patches, job->nr) ||
		      kbuild_keep_line_numbers(kb, &files, false);
	for (size_t i = 0; !ret && i < job->nr; i++)
		ret = kbuild_apply_patch(kb, kb->src, job->patches[i]);
	if (!ret && kb->line_directives)
		ret = kbuild_keep_line_numbers(kb, &files, true);
	log_from = file_size(kb->log);
	if (!ret && kbuild_make_units(kb, kcflags, objects->v))
		ret = source_tree_log_lacks(kb->source, kb->log, log_from) ? KBUILD_LACKS_SOURCE :
		      PATCHED_FAILED;
	if (!ret && kb->lto && make_links(kb, kcflags, compared))
		ret = error(NULL, "the patched link failed; see %s", kb->log);
	if (!ret)
		ret = save_objects(kb, kb->orig, out, objects, compared);
	strlist_free(&files);
	free(kcflags);
	free(out);
	return ret;
}

/* One of compile_both()'s two compiles, in a namespace and overlays of its own. */
struct side {
	struct patched_job *job;
	const char *name;	/* its layers: WORK_OVERLAY/NAME (source), NAME-build */
	char *log;		/* its make's output, into kb->log afterwards */
	bool patched;
};

static int side_main(void *arg)
{
	struct side *side = arg;
	struct kbuild *kb = side->job->kb;
	char *src_layers = work_path(kb->work, WORK_OVERLAY, side->name);
	char *build_layers = xasprintf("%s-build", src_layers);
	struct strlist built = { 0 };
	int ret = unshare(CLONE_NEWNS) || kbuild_overlay_again(kb->orig, build_layers) ||
		  (side->patched && kbuild_overlay_again(kb->src, src_layers));

	free(src_layers);
	free(build_layers);
	if (ret)
		return COMPILE_ONE_BY_ONE;	/* no overlay on an overlay here */
	kb->log = side->log;	/* this process's copy of kb */
	if (side->patched)
		return compile_patched(side->job, side->job->objects, side->job->objects);
	ret = compile_originals(kb, side->job->objects, &built, true);
	strlist_free(&built);
	return ret;
}

static int append_log(const char *log, const char *part)
{
	size_t size;
	char *text = read_file(part, &size);
	FILE *f = text ? fopen(log, "a") : NULL;
	int ret = f && fwrite(text, 1, size, f) == size ? 0 : -1;

	if (f && fclose(f))
		ret = -1;
	free(text);
	return ret ? error(log, "cannot append %s to it", part) : 0;
}

/* The objects compile_both() compiled: those the originals' side kept. */
static void saved_originals(const struct kbuild *kb, const struct strlist *objects,
			    struct strlist *built)
{
	for (size_t i = 0; i < objects->nr; i++) {
		char *path = work_path(kb->work, WORK_ORIGINAL, objects->v[i]);

		if (!access(path, R_OK))
			strlist_add(built, xstrdup(objects->v[i]));
		free(path);
	}
}

/* What the two sides' statuses say, beside what they said themselves. */
static int both_status(const struct kbuild *kb, int originals, int patched)
{
	if (originals == COMPILE_ONE_BY_ONE || patched == COMPILE_ONE_BY_ONE)
		return COMPILE_ONE_BY_ONE;
	if (originals == KBUILD_LACKS_SOURCE || patched == KBUILD_LACKS_SOURCE)
		return KBUILD_LACKS_SOURCE;
	if (originals || patched == PATCHED_FAILED)
		return originals ? -1 : error(NULL, "the patched build failed; see %s", kb->log);
	return patched ? -1 : 0;
}

/*
 * The originals and the patched compiled at once (two compiles' time in
 * one's, on two cores), each side in a mount namespace of its own with a
 * further overlay on this one's, which neither side changes. Anything out of
 * the ordinary (a make of the originals that needs a second try, no overlay
 * on an overlay) returns COMPILE_ONE_BY_ONE with this namespace's overlays
 * as they were and no objects saved: the caller compiles one after the other.
 */
static int compile_both(struct patched_job *job, struct strlist *built)
{
	struct kbuild *kb = job->kb;
	struct side sides[2] = {
		{ job, "both-original", xasprintf("%s.original", kb->log), false },
		{ job, "both-patched", xasprintf("%s.patched", kb->log), true },
	};
	int status[2] = { -1, -1 }, ret = 0;
	pid_t pid[2];

	ret = process_start_function(side_main, &sides[0], -1, &pid[0]);
	if (!ret) {
		ret = process_start_function(side_main, &sides[1], -1, &pid[1]);
		status[0] = process_wait(pid[0]);
		if (!ret)
			status[1] = process_wait(pid[1]);
	}
	for (int i = 0; i < 2; i++) {
		if (!access(sides[i].log, R_OK) && append_log(kb->log, sides[i].log))
			ret = -1;
		free(sides[i].log);
	}
	if (ret)
		return error(NULL, "cannot start the compiles: %s", strerror(-ret));
	ret = both_status(kb, status[0], status[1]);
	if (!ret)
		saved_originals(kb, job->objects, built);
	return ret;
}
/* What the compiles saved in the work directory. */
static int clear_saved(const struct kbuild *kb)
{
	static const enum work_stage stages[] = { WORK_ORIGINAL, WORK_AS_BUILT, WORK_PATCHED };
	int ret = 0;

	for (size_t i = 0; !ret && i < ARRAY_SIZE(stages); i++) {
		char *path = work_path(kb->work, stages[i], NULL);

		ret = remove_tree(path);
		free(path);
	}
	return ret;
}

/*
 * A prepared tree: the originals of @job's objects and the patched, at once
 * when make may run more than one job, and those this config builds in
 * @built.
 */
static int compile_per_unit(struct patched_job *job, struct strlist *built)
{
	struct kbuild *kb = job->kb;
	int ret = COMPILE_ONE_BY_ONE;

	if (!kb->check_only && kb->jobs > 1)
		ret = compile_both(job, built);
	if (ret != COMPILE_ONE_BY_ONE)
		return ret;
	ret = clear_saved(kb);
	if (!ret)
		ret = compile_originals(kb, job->objects, built, false);
	/* Nothing to patch: the originals are all there is. */
	if (ret || kb->check_only)
		return ret;
	return compile_patched(job, built, built);
}

static int build_patched_inside(void *arg)
{
	struct patched_job *job = arg;
	struct kbuild *kb = job->kb;
	char *src_layers = work_path(kb->work, WORK_OVERLAY, "patched-src");
	char *build_layers = work_path(kb->work, WORK_OVERLAY, "patched-build");
	struct strlist built = { 0 };
	bool separate = !streq(kb->orig, kb->src);
	const char *arch = kb->arch->kbuild.kbuild_arch;
	int ret = kbuild_overlay(kb->src, src_layers, separate && kbuild_in_tree_build(kb), arch);

	if (!ret && separate)
		ret = kbuild_overlay(kb->orig, build_layers, false, arch);
	if (!ret && kb->thinlto_cache)
		ret = use_thinlto_cache(kb);
	if (!ret)
		ret = kbuild_use_ccache(kb);
	if (!ret)
		ret = add_headers(kb);
	if (!ret)
		ret = kb->per_unit ? compile_per_unit(job, &built) :
		      compile_patched(job, job->objects, job->compared);
	if (ret == PATCHED_FAILED)
		ret = error(NULL, "the patched build failed; see %s", kb->log);
	strlist_free(&built);
	free(src_layers);
	free(build_layers);
	return ret;
}

/* What a compile in the namespace left in the work directory, before compiling again. */
static int clear_compiles(const struct kbuild *kb)
{
	char *overlay = work_path(kb->work, WORK_OVERLAY, NULL);
	int ret = clear_saved(kb) || remove_tree(overlay);

	free(overlay);
	return ret;
}

int kbuild_patched(struct kbuild *kb, char *const patches[], size_t nr,
		   const struct strlist *objects, const struct strlist *compared)
{
	struct patched_job job = { kb, patches, nr, objects, compared };
	char *orig_out = work_path(kb->work, WORK_ORIGINAL, NULL);
	int ret = kb->per_unit ? 0 : save_objects(kb, kb->orig, orig_out, objects, compared);

	free(orig_out);
	if (!ret)
		ret = kbuild_in_namespace(build_patched_inside, &job);
	/* A unit lacked a file of the source unpacked in part: all of it, and again. */
	if (ret == KBUILD_LACKS_SOURCE)
		ret = source_tree_need_whole(kb->source, "a unit lacked a file of the source "
					     "unpacked in part") || clear_compiles(kb) ? -1 :
		      kbuild_in_namespace(build_patched_inside, &job);
	return ret == KBUILD_LACKS_SOURCE ? error(kb->src, "a unit lacks a file of it; see %s",
						  kb->log) : ret;
}
