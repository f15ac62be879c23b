// SPDX-License-Identifier: GPL-2.0-or-later
#include "kbuild.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "inputs.h"
#include "util.h"

/*
 * Children run in process groups of their own, so that klpdiff decides what
 * a signal does to them: on SIGINT or SIGTERM it passes the signal on to the
 * running child's group (make and its compilers, or the namespace helper,
 * which passes it on in turn), then dies of it. Nothing is left running on
 * klpdiff's cache, and nothing needs restoring in the source tree.
 */
static volatile pid_t running_child;

static void pass_signal_on(int sig)
{
	if (running_child > 0)
		kill(-running_child, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

void kbuild_handle_signals(void)
{
	signal(SIGINT, pass_signal_on);
	signal(SIGTERM, pass_signal_on);
}

static pid_t start_child(void)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		running_child = 0;
	} else if (pid > 0) {
		setpgid(pid, pid);
		running_child = pid;
	}
	return pid;
}

/* The child's exit status, or -1. A child stopped by Ctrl-C stops us too. */
static int wait_child(pid_t pid)
{
	int ret, status;

	while ((ret = (int)waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	running_child = 0;
	if (ret < 0)
		return -1;
	if (WIFSIGNALED(status)) {
		if (WTERMSIG(status) == SIGINT || WTERMSIG(status) == SIGTERM)
			raise(WTERMSIG(status));
		return -1;
	}
	return WEXITSTATUS(status);
}

int run_logged(char *const argv[], const char *log)
{
	pid_t pid = start_child();

	if (pid < 0)
		return error(NULL, "fork: %s", strerror(errno));
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execvp(argv[0], argv);
		fprintf(stderr, "%s: cannot run %s: %s\n", progname, argv[0], strerror(errno));
		_exit(127);
	}
	return wait_child(pid);
}

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
 * an O= build of it is possible.
 */
static int overlay(const char *dir, const char *layers, bool hide_in_tree_build)
{
	static const char *const hidden[] = { ".config", "include/config",
					      "arch/x86/include/generated" };
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
	free(up);
	free(wk);
	return ret;
}

/* Run @fn in a child in a private mount namespace; its exit status. */
static int in_namespace(int (*fn)(void *), void *arg)
{
	pid_t pid;

	pid = start_child();
	if (pid < 0)
		return error(NULL, "fork: %s", strerror(errno));
	if (pid == 0)
		_exit(enter_private_namespace() ? 2 : fn(arg) ? 2 : 0);
	return wait_child(pid) ? -1 : 0;
}

static bool in_tree_build(const struct kbuild *kb)
{
	struct stat st;
	char *config = xasprintf("%s/.config", kb->src);
	bool yes = !stat(config, &st);

	free(config);
	return yes;
}

/* make -C SRC O=ORIG [LLVM=1] -jN KCFLAGS=... TARGETS... */
static int make(const struct kbuild *kb, const char *kcflags, char *const targets[])
{
	struct strlist argv = { 0 };
	int ret;

	strlist_add(&argv, xstrdup("make"));
	strlist_add(&argv, xasprintf("-C%s", kb->src));
	strlist_add(&argv, xasprintf("O=%s", kb->orig));
	strlist_add(&argv, xasprintf("-j%d", kb->jobs));
	if (kb->llvm)
		strlist_add(&argv, xstrdup("LLVM=1"));
	if (kb->ccache)
		strlist_add(&argv, xasprintf("CC=ccache %s", kb->llvm ? "clang" : "gcc"));
	if (kcflags)
		strlist_add(&argv, xasprintf("KCFLAGS=%s", kcflags));
	for (size_t i = 0; targets[i]; i++)
		strlist_add(&argv, xstrdup(targets[i]));
	ret = run_logged(argv.v, kb->log);
	strlist_free(&argv);
	return ret;
}

#define KCFLAGS_FSECT "-ffunction-sections -fdata-sections"

static int build_original_inside(void *arg)
{
	struct kbuild *kb = arg;
	char *layers = xasprintf("%s/orig-src", kb->work);
	char *olddefconfig[] = { "olddefconfig", NULL };
	char *all[] = { "vmlinux", "modules", NULL };
	int ret = overlay(kb->src, layers, in_tree_build(kb));

	free(layers);
	if (ret)
		return ret;
	if (make(kb, NULL, olddefconfig))
		return error(NULL, "configuring the original build failed; see %s", kb->log);
	if (make(kb, KCFLAGS_FSECT, all))
		return error(NULL, "the original build failed; see %s", kb->log);
	return 0;
}

int kbuild_original(struct kbuild *kb)
{
	char *stamp = xasprintf("%s/.klpdiff-complete", kb->orig);
	char *config_from = xasprintf("%s/.config", kb->target);
	char *config_to = xasprintf("%s/.config", kb->orig);
	struct stat st;
	int ret = 0;

	if (kb->lto || !stat(stamp, &st))
		goto out;
	ret = mkdir_p(kb->orig);
	if (!ret)
		ret = copy_file(config_from, config_to);
	if (!ret)
		ret = in_namespace(build_original_inside, kb);
	if (!ret) {
		FILE *fp = fopen(stamp, "w");

		ret = fp ? fclose(fp) : -1;
	}
out:
	free(stamp);
	free(config_from);
	free(config_to);
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

void kbuild_affected_objects(const struct kbuild *kb, const struct strlist *files,
			     struct strlist *objects)
{
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
	char *bin = xasprintf("%s/bin", kb->work), *wrapper = xasprintf("%s/ld.lld", bin);
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

static int build_patched_inside(void *arg)
{
	struct patched_job *job = arg;
	struct kbuild *kb = job->kb;
	char *src_layers = xasprintf("%s/patched-src", kb->work);
	char *build_layers = xasprintf("%s/patched-build", kb->work);
	char *out = xasprintf("%s/patched", kb->work);
	const char *kcflags = kb->lto ? NULL : KCFLAGS_FSECT;
	bool separate = !streq(kb->orig, kb->src);
	int ret = overlay(kb->src, src_layers, separate && in_tree_build(kb));

	if (!ret && separate)
		ret = overlay(kb->orig, build_layers, false);
	if (!ret && kb->thinlto_cache)
		ret = use_thinlto_cache(kb);
	if (!ret)
		ret = add_headers(kb);
	for (size_t i = 0; !ret && i < job->nr; i++) {
		char *argv[] = { "patch", "-p1", "--forward", "--batch", "--silent",
				 "--no-backup-if-mismatch", "-d", (char *)kb->src, "-i",
				 job->patches[i], NULL };

		if (run_logged(argv, kb->log))
			ret = error(job->patches[i], "does not apply to %s; see %s", kb->src, kb->log);
	}
	if (!ret && make(kb, kcflags, job->objects->v))
		ret = error(NULL, "the patched build failed; see %s", kb->log);
	if (!ret && kb->lto && make_links(kb, kcflags, job->compared))
		ret = error(NULL, "the patched link failed; see %s", kb->log);
	if (!ret)
		ret = save_objects(kb, kb->orig, out, job->objects, job->compared);
	free(src_layers);
	free(build_layers);
	free(out);
	return ret;
}

int kbuild_patched(struct kbuild *kb, char *const patches[], size_t nr,
		   const struct strlist *objects, const struct strlist *compared)
{
	struct patched_job job = { kb, patches, nr, objects, compared };
	char *orig_out = xasprintf("%s/orig", kb->work);
	int ret = save_objects(kb, kb->orig, orig_out, objects, compared);

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
