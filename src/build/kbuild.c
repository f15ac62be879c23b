// SPDX-License-Identifier: GPL-2.0-or-later
#include "build/kbuild.h"

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "build/includes.h"
#include "analysis/inputs.h"
#include "build/line_directives.h"
#include "base/process.h"
#include "build/toolchain_root.h"
#include "base/strmap.h"
#include "base/util.h"

/* A mount namespace of our own; a user namespace too when not root. */
static int enter_private_namespace(void)
{
	uid_t uid = getuid();
	gid_t gid = getgid();

	if (uid == 0) {
		if (unshare(CLONE_NEWNS))
			return error(NULL, "cannot create a mount namespace: %s", strerror(errno));
	} else {
		char map[64];

		if (unshare(CLONE_NEWUSER | CLONE_NEWNS))
			return error(NULL, "cannot create a user and mount namespace (needed to "
				     "patch the tree in an overlay): %s", strerror(errno));
		write_in_place("/proc/self/setgroups", "deny");
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
		if (write_in_place("/proc/self/uid_map", map))
			return error(NULL, "cannot map user id in the namespace");
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
		if (write_in_place("/proc/self/gid_map", map))
			return error(NULL, "cannot map group id in the namespace");
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return error(NULL, "cannot make mounts private: %s", strerror(errno));
	return 0;
}

/*
 * Overlay @dir with an upper layer under @layers: writes land there. For a
 * source tree built in place, hide what makes kbuild call it unclean, so that
 * an O= build of it is possible (@arch: its arch/ directory).
 */
static int overlay(const char *dir, const char *layers, bool hide_in_tree_build,
		   const char *arch)
{
	char *generated = xasprintf("arch/%s/include/generated", arch);
	const char *const hidden[] = { ".config", "include/config", generated };
	char *up = xasprintf("%s/up", layers), *wk = xasprintf("%s/work", layers), *opts;
	int ret = 0;

	if (mkdir_p(up) || mkdir_p(wk)) {
		ret = -1;
		goto out;
	}
	for (size_t i = 0; hide_in_tree_build && i < ARRAY_SIZE(hidden); i++) {
		char *in_tree = xasprintf("%s/%s", dir, hidden[i]);
		char *whiteout = xasprintf("%s/%s", up, hidden[i]);
		struct stat st;

		if (!lstat(in_tree, &st)) {
			char *parent = xstrdup(whiteout);

			*strrchr(parent, '/') = '\0';
			mkdir_p(parent);
			free(parent);
			if (mknod(whiteout, S_IFCHR | 0000, makedev(0, 0)) && errno != EEXIST)
				ret = error(dir, "cannot hide %s from the build: %s", hidden[i],
					    strerror(errno));
		}
		free(in_tree);
		free(whiteout);
	}
	opts = xasprintf("lowerdir=%s,upperdir=%s,workdir=%s", dir, up, wk);
	if (!ret && mount("overlay", dir, "overlay", 0, opts))
		ret = error(dir, "cannot mount an overlay on it: %s", strerror(errno));
	free(opts);
out:
	free(generated);
	free(up);
	free(wk);
	return ret;
}

struct namespace_job {
	int (*fn)(void *);
	void *arg;
};

static int namespace_child(void *arg)
{
	struct namespace_job *job = arg;

	return enter_private_namespace() || job->fn(job->arg) ? -1 : 0;
}

/* Run @fn in a child in a private mount namespace; 0 if it returned 0. */
static int in_namespace(int (*fn)(void *), void *arg)
{
	struct namespace_job job = { fn, arg };
	int status = run_function(namespace_child, &job);

	/* Exit status 2: the child said what went wrong. */
	if (status && status != 2)
		error(NULL, "the build's namespace helper %s", process_status_text(status));
	return status ? -1 : 0;
}

char *work_path(const char *work, enum work_stage stage, const char *rel)
{
	static const char *const names[] = {
		[WORK_ORIGINAL] = "original", [WORK_PATCHED] = "patched", [WORK_DIFF] = "diff",
		[WORK_EXTRACT] = "extract",   [WORK_MODULE] = "module",   [WORK_OVERLAY] = "overlay",
		[WORK_SHIPPED] = "shipped",   [WORK_BIN] = "bin",	      [WORK_AS_BUILT] = "as-built",
	};

	return rel ? xasprintf("%s/%s/%s", work, names[stage], rel) :
		     xasprintf("%s/%s", work, names[stage]);
}

static bool in_tree_build(const struct kbuild *kb)
{
	struct stat st;
	char *config = xasprintf("%s/.config", kb->src);
	bool yes = !stat(config, &st);

	free(config);
	return yes;
}

/*
 * make -C SRC O=ORIG [ARCH= CROSS_COMPILE=] [LLVM=1] -jN KCFLAGS=... TARGETS...,
 * in the toolchain root if there is one.
 */
static int make(const struct kbuild *kb, const char *kcflags, char *const targets[])
{
	const char *const binds[] = { kb->src, kb->orig, kb->work, NULL };
	struct strlist argv = { 0 };
	int ret;

	strlist_add(&argv, xstrdup("make"));
	strlist_add(&argv, xasprintf("-C%s", kb->src));
	strlist_add(&argv, xasprintf("O=%s", kb->orig));
	kbuild_cross_args(kb->cross, &argv);
	strlist_add(&argv, xasprintf("-j%d", kb->jobs));
	if (kb->keep_going)
		strlist_add(&argv, xstrdup("-k"));
	if (kb->llvm)
		strlist_add(&argv, xstrdup("LLVM=1"));
	if (kb->ccache && kb->cc && strchr(kb->cc, '/'))
		strlist_add(&argv, xasprintf("CC=%s %s", kb->ccache, kb->cc));
	else if (kb->cc)
		strlist_add(&argv, xasprintf("CC=%s", kb->cc));
	if (kcflags)
		strlist_add(&argv, xasprintf("KCFLAGS=%s", kcflags));
	if (kb->kernelrelease)
		strlist_add(&argv, xasprintf("KERNELRELEASE=%s", kb->kernelrelease));
	for (size_t i = 0; targets[i]; i++)
		strlist_add(&argv, xstrdup(targets[i]));
	toolchain_root_wrap(kb->cross ? kb->cross->root : NULL, binds, &argv);
	ret = run_logged(argv.v, kb->log);
	strlist_free(&argv);
	return ret;
}

#define KCFLAGS_FSECT "-ffunction-sections -fdata-sections"
/*
 * The originals as the kernel was compiled, for the check against its code:
 * no -fdata-sections, which turns off gcc's section anchors (ppc64) and so
 * changes the code.
 */
#define KCFLAGS_AS_BUILT "-ffunction-sections"

/*
 * KCFLAGS of every make that compiles units: function sections, and the
 * arch's unit flags, for the originals and the patched alike (and for
 * prepare, so that what it compiled is not compiled again).
 */
static char *unit_kcflags(const struct kbuild *kb)
{
	if (kb->lto)
		return NULL;
	if (!kb->unit_cflags)
		return xstrdup(KCFLAGS_FSECT);
	return xasprintf("%s %s", KCFLAGS_FSECT, kb->unit_cflags);
}

const char *kbuild_cc(const struct kbuild *kb)
{
	if (kb->cc)
		return kb->cc;
	if (kb->llvm)
		return "clang";
	return kb->cross && kb->cross->cc ? kb->cross->cc : "gcc";
}

/*
 * ccache as the compiler's namesake first in PATH: make's CC stays what it
 * is without ccache. kbuild records CC in the prepared tree
 * (include/config/auto.conf.cmd), and any other CC made every later make in
 * it run syncconfig again. A compiler named by path gets "CC=ccache PATH".
 */
static int use_ccache(const struct kbuild *kb)
{
	const char *cc = kbuild_cc(kb);
	char *bin, *link, *new_path;
	int ret;

	if (!kb->ccache || strchr(cc, '/'))
		return 0;
	bin = work_path(kb->work, WORK_BIN, NULL);
	link = xasprintf("%s/%s", bin, cc);
	new_path = xasprintf("%s:%s", bin, getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	ret = mkdir_p(bin) || ((symlink(kb->ccache, link) && errno != EEXIST) ||
			       setenv("PATH", new_path, 1));
	free(bin), free(link), free(new_path);
	return ret ? error(kb->work, "cannot set up ccache: %s", strerror(errno)) : 0;
}

static int prepare_inside(void *arg)
{
	struct kbuild *kb = arg;
	char *layers = work_path(kb->work, WORK_OVERLAY, "prepare-src");
	char *olddefconfig[] = { "olddefconfig", NULL };
	char *prepare[] = { "prepare", NULL };
	char *kcflags = unit_kcflags(kb);
	int ret = overlay(kb->src, layers, in_tree_build(kb), kb->arch) || use_ccache(kb);

	free(layers);
	if (!ret && make(kb, NULL, olddefconfig))
		ret = error(NULL, "configuring the prepared tree failed; see %s", kb->log);
	/* With the units' flags: what prepare compiles (asm-offsets...) stays as it is. */
	if (!ret && make(kb, kcflags, prepare))
		ret = error(NULL, "make prepare failed; see %s", kb->log);
	free(kcflags);
	return ret;
}

/* Under the exclusive lock: build the prepared tree from scratch, stamp it last. */
static int prepare_tree(struct kbuild *kb, const char *config, const char *stamp)
{
	char *config_path = xasprintf("%s/.config", kb->orig);
	int ret = remove_tree(kb->orig) || mkdir_p(kb->orig) ||
		  write_file_atomic(config_path, config, 0644);

	fprintf(stderr, "klpdiff build: preparing %s (make olddefconfig prepare)\n", kb->orig);
	if (!ret)
		ret = in_namespace(prepare_inside, kb);
	if (!ret)
		ret = write_file_atomic(stamp, "", 0644);
	free(config_path);
	return ret;
}

int kbuild_prepare(struct kbuild *kb, const char *config)
{
	char *lock = xasprintf("%s.lock", kb->orig);
	char *stamp = xasprintf("%s/.klpdiff-prepared", kb->orig);
	int ret = 0;

	/* Shared while it is used; exclusive only to prepare it, then shared again. */
	kb->prep_lock = mkdir_parent(kb->orig) ? -1 : cache_lock(lock, false);
	if (kb->prep_lock < 0) {
		ret = -1;
	} else if (access(stamp, F_OK)) {
		if (flock(kb->prep_lock, LOCK_EX))
			ret = error(lock, "cannot lock: %s", strerror(errno));
		else if (access(stamp, F_OK))
			ret = prepare_tree(kb, config, stamp);
		if (!ret && flock(kb->prep_lock, LOCK_SH))
			ret = error(lock, "cannot lock: %s", strerror(errno));
	}
	free(lock);
	free(stamp);
	return ret;
}

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

static bool file_contains(const char *path, const char *needle)
{
	char *text = read_file(path, NULL);
	bool found = text && strstr(text, needle);

	free(text);
	return found;
}

struct users_walk {
	const char *root, *needle;
	struct strlist *objects;
};

/* Kbuild records each object's dependencies in DIR/.NAME.o.cmd. */
static int add_user(void *ctx, const char *rel, const char *name, unsigned char type)
{
	struct users_walk *uw = ctx;
	char *path, *obj;

	if (type == DT_DIR || name[0] != '.' || !ends_with(name, ".o.cmd") ||
	    ends_with(name, ".mod.o.cmd"))
		return WALK_CONTINUE;
	path = xasprintf("%s/%s", uw->root, rel);
	if (file_contains(path, uw->needle)) {
		/* DIR/.NAME.o.cmd -> DIR/NAME.o */
		obj = xasprintf("%.*s%.*s", (int)(strlen(rel) - strlen(name)), rel,
				(int)(strlen(name) - strlen(".cmd") - 1), name + 1);
		if (!streq(obj, "vmlinux.o") && !strlist_has(uw->objects, obj))
			strlist_add(uw->objects, obj);
		else
			free(obj);
	}
	free(path);
	return WALK_CONTINUE;
}

static void find_users(const char *root, const char *needle, struct strlist *objects)
{
	struct users_walk uw = { root, needle, objects };

	walk_tree(root, add_user, &uw);
}

/* The .o of each .c file in @units that is not in @objects yet. */
static void add_units(struct strlist *objects, struct strlist *units, struct strlist *record)
{
	struct strmap have;

	strmap_init(&have, objects->nr + units->nr);
	for (size_t i = 0; i < objects->nr; i++)
		*strmap_slot(&have, objects->v[i]) = (void *)1;
	for (size_t i = 0; i < units->nr; i++) {
		char *obj = xasprintf("%.*s.o", (int)(strlen(units->v[i]) - 2), units->v[i]);
		void **slot = strmap_slot(&have, obj);

		if (*slot) {
			free(obj);
			continue;
		}
		*slot = (void *)1;
		strlist_add(objects, obj);
		if (record)
			strlist_add(record, xstrdup(obj));
	}
	strmap_free(&have);
}

/* The .c files whose objects in the build tree (-O) include @header, by their .cmd files. */
static void header_users(const struct kbuild *kb, const char *header, struct strlist *units)
{
	char *needle = xasprintf("%s/%s", kb->src, header);
	struct strlist objects = { 0 };

	find_users(kb->target, needle, &objects);
	for (size_t i = 0; i < objects.nr; i++)
		strlist_add(units, xasprintf("%.*s.c", (int)(strlen(objects.v[i]) - 2), objects.v[i]));
	strlist_free(&objects);
	free(needle);
}

/*
 * A prepared tree has no objects yet: the units are the touched .c files,
 * and those that include a touched header (by the tree's #include lines).
 * Which of them this config builds is known once kbuild has compiled them.
 */
static int per_unit_objects(struct kbuild *kb, const struct strlist *files,
			    struct strlist *objects)
{
	struct strlist sources = { 0 }, users = { 0 };
	int ret = 0;

	for (size_t i = 0; !ret && i < files->nr; i++) {
		const char *f = files->v[i];

		if (ends_with(f, ".c"))
			strlist_add(&sources, xstrdup(f));
		else if (ends_with(f, ".S"))
			ret = error(f, "refusing: assembly code has no ftrace entry to patch; "
				    "patch its C callers instead");
		else if (ends_with(f, ".h") && kb->include_graph)
			ret = includers_of(kb->src, kb->arch, kb->include_graph, f, &users);
		else if (ends_with(f, ".h"))
			header_users(kb, f, &users);
	}
	add_units(objects, &sources, NULL);
	add_units(objects, &users, &kb->from_headers);
	strmap_init(&kb->header_units, kb->from_headers.nr);
	for (size_t i = 0; i < kb->from_headers.nr; i++)
		*strmap_slot(&kb->header_units, kb->from_headers.v[i]) = (void *)1;
	if (!ret && users.nr)
		fprintf(stderr, "klpdiff build: %zu file%s include%s the patched header%s\n",
			users.nr, users.nr == 1 ? "" : "s", users.nr == 1 ? "s" : "",
			files->nr > 1 ? "s" : "");
	strlist_free(&sources);
	strlist_free(&users);
	return ret;
}

bool kbuild_from_header(const struct kbuild *kb, const char *object)
{
	return strmap_get(&kb->header_units, object);
}

int kbuild_affected_objects(struct kbuild *kb, const struct strlist *files,
			    struct strlist *objects)
{
	if (kb->per_unit)
		return per_unit_objects(kb, files, objects);
	for (size_t i = 0; i < files->nr; i++) {
		const char *f = files->v[i];
		struct stat st;

		if (ends_with(f, ".c") || ends_with(f, ".S")) {
			char *obj = xasprintf("%.*s.o", (int)(strlen(f) - 2), f);
			char *path = xasprintf("%s/%s", kb->orig, obj);

			if (!stat(path, &st) && !strlist_has(objects, obj))
				strlist_add(objects, obj);
			else
				free(obj);
			free(path);
		} else if (ends_with(f, ".h")) {
			char *needle = xasprintf("%s/%s", kb->src, f);

			find_users(kb->orig, needle, objects);
			free(needle);
		}
	}
	return 0;
}

/* patch(1) applying @patch to @dir, quietly, as the patched build does. */
static int apply_patch(const struct kbuild *kb, const char *dir, const char *patch)
{
	char *argv[] = { "patch", "-p1", "--forward", "--batch", "--silent",
			 "--no-backup-if-mismatch", "-d", (char *)dir, "-i", (char *)patch, NULL };

	return run_logged(argv, kb->log) ? error(patch, "does not apply to %s; see %s", kb->src,
						 kb->log) : 0;
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
		ret = apply_patch(kb, dir, patches[i]);
	remove_tree(dir);
	free(dir);
	return ret;
}

struct patched_job {
	struct kbuild *kb;
	char *const *patches;
	size_t nr;
	const struct strlist *objects, *compared;
};

static char *cmd_file(const char *dir, const char *obj)
{
	const char *slash = strrchr(obj, '/');

	if (!slash)
		return xasprintf("%s/.%s.cmd", dir, obj);
	return xasprintf("%s/%.*s/.%s.cmd", dir, (int)(slash - obj), obj, slash + 1);
}

/*
 * Copy @obj (unless only @cmd_only) and its .cmd file (which holds its
 * exported symbols' CRCs) from @from to @to.
 */
static int save_object(const char *from, const char *to, const char *obj, bool cmd_only)
{
	char *a = xasprintf("%s/%s", from, obj), *b = xasprintf("%s/%s", to, obj);
	char *ca = cmd_file(from, obj), *cb = cmd_file(to, obj);
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
	ret = make(kb, kcflags, targets.v);
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
		else if (kbuild_from_header(kb, obj))
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
 * A prepared tree: compile the originals first, in the same overlay, and
 * keep them (in @built: those this config builds). kbuild recompiles what
 * the patches change afterwards. With the arch's unit flags, twice: as the
 * kernel was compiled (WORK/as-built, to check against the code that runs),
 * then with them (WORK/original, what the patched units are compared with).
 */
static int compile_originals(struct kbuild *kb, const struct strlist *objects,
			     struct strlist *built)
{
	char *out = work_path(kb->work, WORK_ORIGINAL, NULL);
	char *as_built = work_path(kb->work, WORK_AS_BUILT, NULL);
	long log_from = file_size(kb->log);
	char *kcflags = unit_kcflags(kb);
	int ret;

	/* The arch's unit flags last: the patched build recompiles only what changed. */
	kb->keep_going = true;
	make(kb, kb->unit_cflags ? KCFLAGS_AS_BUILT : kcflags, objects->v);
	kb->keep_going = false;
	ret = keep_built(kb, objects, log_from, built);
	if (!ret && kb->unit_cflags)
		ret = save_objects(kb, kb->orig, as_built, built, built);
	if (!ret && kb->unit_cflags && built->nr && make(kb, kcflags, built->v))
		ret = error(NULL, "compiling the originals with %s failed; see %s",
			    kb->unit_cflags, kb->log);
	if (!ret)
		ret = save_objects(kb, kb->orig, out, built, built);
	free(kcflags);
	free(as_built);
	free(out);
	return ret;
}

void kbuild_drop_unbuilt(const struct kbuild *kb, struct strlist *objects)
{
	size_t kept = 0;

	for (size_t i = 0; i < objects->nr; i++) {
		char *path = work_path(kb->work, WORK_ORIGINAL, objects->v[i]);

		if (access(path, R_OK))
			free(objects->v[i]);
		else
			objects->v[kept++] = objects->v[i];
		free(path);
	}
	objects->nr = kept;
	if (objects->v)
		objects->v[kept] = NULL;
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
static int keep_line_numbers(const struct kbuild *kb, const struct strlist *files, bool patched)
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

static int build_patched_inside(void *arg)
{
	struct patched_job *job = arg;
	struct kbuild *kb = job->kb;
	char *src_layers = work_path(kb->work, WORK_OVERLAY, "patched-src");
	char *build_layers = work_path(kb->work, WORK_OVERLAY, "patched-build");
	char *out = work_path(kb->work, WORK_PATCHED, NULL);
	char *kcflags = unit_kcflags(kb);
	const struct strlist *objects = job->objects, *compared = job->compared;
	struct strlist built = { 0 }, files = { 0 };
	bool separate = !streq(kb->orig, kb->src);
	int ret = overlay(kb->src, src_layers, separate && in_tree_build(kb), kb->arch);

	if (!ret && separate)
		ret = overlay(kb->orig, build_layers, false, kb->arch);
	if (!ret && kb->thinlto_cache)
		ret = use_thinlto_cache(kb);
	if (!ret)
		ret = use_ccache(kb);
	if (!ret)
		ret = add_headers(kb);
	if (!ret && kb->per_unit) {
		ret = compile_originals(kb, job->objects, &built);
		objects = compared = &built;
	}
	if (!ret && kb->line_directives)
		ret = patch_touched_files(&files, job->patches, job->nr) ||
		      keep_line_numbers(kb, &files, false);
	for (size_t i = 0; !ret && i < job->nr; i++)
		ret = apply_patch(kb, kb->src, job->patches[i]);
	if (!ret && kb->line_directives)
		ret = keep_line_numbers(kb, &files, true);
	if (!ret && make(kb, kcflags, objects->v))
		ret = error(NULL, "the patched build failed; see %s", kb->log);
	if (!ret && kb->lto && make_links(kb, kcflags, compared))
		ret = error(NULL, "the patched link failed; see %s", kb->log);
	if (!ret)
		ret = save_objects(kb, kb->orig, out, objects, compared);
	strlist_free(&built);
	strlist_free(&files);
	free(kcflags);
	free(src_layers);
	free(build_layers);
	free(out);
	return ret;
}

int kbuild_patched(struct kbuild *kb, char *const patches[], size_t nr,
		   const struct strlist *objects, const struct strlist *compared)
{
	struct patched_job job = { kb, patches, nr, objects, compared };
	char *orig_out = work_path(kb->work, WORK_ORIGINAL, NULL);
	int ret = kb->per_unit ? 0 : save_objects(kb, kb->orig, orig_out, objects, compared);

	free(orig_out);
	return ret ? ret : in_namespace(build_patched_inside, &job);
}

struct mod_search {
	const char *root, *object;
	char *found;
};

static int search_mod_file(void *ctx, const char *rel, const char *name, unsigned char type)
{
	struct mod_search *ms = ctx;
	char *path, line[4096];
	FILE *fp;

	if (name[0] == '.')
		return WALK_SKIP;
	if (type == DT_DIR || !ends_with(name, ".mod"))
		return WALK_CONTINUE;
	path = xasprintf("%s/%s", ms->root, rel);
	fp = fopen(path, "r");
	while (fp && !ms->found && fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\n")] = '\0';
		if (streq(line, ms->object))
			ms->found = xstrndup(rel, strlen(rel) - strlen(".mod"));
	}
	if (fp)
		fclose(fp);
	free(path);
	return ms->found ? WALK_STOP : WALK_CONTINUE;
}

/* Search the .mod files (one per module: its member objects) for @object. */
static char *search_mod_files(const char *root, const char *object)
{
	struct mod_search ms = { root, object, NULL };

	walk_tree(root, search_mod_file, &ms);
	return ms.found;
}

/* "dir/name" of the module whose kbuild .mod file is dir/name.mod for dir/name.o. */
static char *own_mod_file(const struct kbuild *kb, const char *object)
{
	char *base = xstrndup(object, strlen(object) - (ends_with(object, ".o") ? 2 : 0));
	char *mod = xasprintf("%s/%s.mod", kb->orig, base);
	bool exists = !access(mod, R_OK);

	free(mod);
	if (!exists)
		free(base);
	return exists ? base : NULL;
}

void kbuild_compared_objects(const struct kbuild *kb, const struct strlist *objects,
			     struct strlist *compared)
{
	for (size_t i = 0; i < objects->nr; i++) {
		char *obj = xstrdup(objects->v[i]);

		if (kb->lto) {
			char *mod = search_mod_files(kb->orig, obj);

			free(obj);
			obj = mod ? xasprintf("%s.o", mod) : xstrdup("vmlinux.o");
			free(mod);
		}
		if (strlist_has(compared, obj))
			free(obj);
		else
			strlist_add(compared, obj);
	}
}

bool kbuild_is_link(const struct kbuild *kb, const char *object)
{
	return !is_unit_object(kb->orig, object);
}

char *kbuild_module_of(const struct kbuild *kb, const char *object, char **module_path)
{
	char *mod = own_mod_file(kb, object);

	if (!mod)
		mod = search_mod_files(kb->orig, object);
	const char *base;
	char *name;

	*module_path = NULL;
	if (!mod)
		return NULL;
	base = strrchr(mod, '/');
	base = base ? base + 1 : mod;
	/* Module names use '_' where file names have '-'. */
	name = xstrdup(base);
	for (char *p = name; *p; p++)
		if (*p == '-')
			*p = '_';
	*module_path = xasprintf("%s/%s.ko", kb->target, mod);
	free(mod);
	return name;
}

/* The value of -D@name='"value"' in a kbuild command line. */
static char *define_value(const char *cmd, const char *name)
{
	char *pattern = xasprintf("-D%s='\"", name);
	const char *p = strstr(cmd, pattern);
	char *value = NULL;

	if (p) {
		p += strlen(pattern);
		value = xstrndup(p, strcspn(p, "\"'"));
	}
	free(pattern);
	return value;
}

char *kbuild_unit_module(const struct kbuild *kb, const char *object)
{
	char *dir = work_path(kb->work, WORK_ORIGINAL, NULL), *path = cmd_file(dir, object);
	char *cmd = read_file(path, NULL), *line, *name = NULL;

	line = cmd ? strstr(cmd, "cmd_") : NULL;
	if (line)
		line[strcspn(line, "\n")] = '\0';
	if (line && strstr(line, " -DMODULE "))
		name = define_value(line, "KBUILD_MODNAME");
	free(dir), free(path), free(cmd);
	return name;
}

/* "kernel/fs/xfs/xfs.ko.xz" names module xfs; '-' in file names is '_' in module names. */
static bool names_module(const char *path, size_t len, const char *modname)
{
	const char *base = path, *ext;
	size_t n;

	for (const char *p = path; p < path + len; p++)
		if (*p == '/')
			base = p + 1;
	ext = memmem(base, (size_t)(path + len - base), ".ko", 3);
	n = ext ? (size_t)(ext - base) : 0;
	if (!n || n != strlen(modname))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((base[i] == '-' ? '_' : base[i]) != modname[i])
			return false;
	return true;
}

char *kbuild_find_module(const char *dir, const char *listing, const char *modname)
{
	char *dep = xasprintf("%s/%s", dir, listing), *text = read_file(dep, NULL);
	char *found = NULL;

	for (char *line = text; line && *line && !found;) {
		size_t len = strcspn(line, ":\n");

		if (names_module(line, len, modname))
			found = xasprintf("%s/%.*s", dir, (int)len, line);
		line += strcspn(line, "\n");
		line += *line == '\n';
	}
	if (!text)
		error(dep, "cannot read: %s", strerror(errno));
	else if (!found)
		error(dep, "no module %s: it is not in this kernel's modules", modname);
	free(dep);
	free(text);
	return found;
}
