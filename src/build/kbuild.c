// SPDX-License-Identifier: GPL-2.0-or-later
#include "build/kbuild_internal.h"

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

/* An overlay on @dir, upper layer @up, work directory @wk: 0 or errno. */
static int mount_layers(const char *dir, const char *up, const char *wk)
{
	char *opts = xasprintf("lowerdir=%s,upperdir=%s,workdir=%s", dir, up, wk);
	int err = mount("overlay", dir, "overlay", 0, opts) ? errno : 0;

	free(opts);
	return err;
}

int kbuild_overlay_again(const char *dir, const char *layers)
{
	char *up = xasprintf("%s/up", layers), *wk = xasprintf("%s/work", layers);
	int err = mkdir(layers, 0755) || mkdir(up, 0755) || mkdir(wk, 0755) ? errno :
		  mount_layers(dir, up, wk);

	free(up);
	free(wk);
	return err;
}

int kbuild_overlay(const char *dir, const char *layers, bool hide_in_tree_build,
		   const char *arch)
{
	char *generated = xasprintf("arch/%s/include/generated", arch);
	const char *const hidden[] = { ".config", "include/config", generated };
	char *up = xasprintf("%s/up", layers), *wk = xasprintf("%s/work", layers);
	int ret = 0, err;

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
	if (!ret && (err = mount_layers(dir, up, wk)))
		ret = error(dir, "cannot mount an overlay on it: %s", strerror(err));
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
	int ret = enter_private_namespace() ? -1 : job->fn(job->arg);

	return ret == KBUILD_LACKS_SOURCE ? ret : ret ? EXIT_TROUBLE : 0;
}

/* Run @fn in a child in a private mount namespace; 0 if it returned 0. */
static int in_namespace(int (*fn)(void *), void *arg)
{
	struct namespace_job job = { fn, arg };
	pid_t pid;
	int status = process_start_function(namespace_child, &job, -1, &pid);

	if (!status)
		status = process_wait(pid);
	if (status == KBUILD_LACKS_SOURCE)
		return status;
	/* Exit status 2: the child said what went wrong. */
	if (status && status != EXIT_TROUBLE)
		error(NULL, "the build's namespace helper %s", process_status_text(status));
	return status ? -1 : 0;
}

int kbuild_in_namespace(int (*fn)(void *), void *arg)
{
	return in_namespace(fn, arg);
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

char *kbuild_cmd_file(const char *dir, const char *obj)
{
	const char *slash = strrchr(obj, '/');

	if (!slash)
		return xasprintf("%s/.%s.cmd", dir, obj);
	return xasprintf("%s/%.*s/.%s.cmd", dir, (int)(slash - obj), obj, slash + 1);
}

bool kbuild_in_tree_build(const struct kbuild *kb)
{
	struct stat st;
	char *config = xasprintf("%s/.config", kb->src);
	bool yes = !stat(config, &st);

	free(config);
	return yes;
}

int kbuild_make(const struct kbuild *kb, const char *kcflags, char *const targets[])
{
	const char *const binds[] = { kb->src, kb->orig, kb->work, NULL };
	struct strlist argv = { 0 };
	int ret;

	strlist_add(&argv, xstrdup("make"));
	if (kb->headers_tree) {
		/*
		 * What `make O=` does in its last make, without prepare: the
		 * tree has what prepare makes, from the kernel's own build.
		 * -o is not passed on to a sub-make, which 7.x's Makefile
		 * starts without --no-print-directory.
		 */
		strlist_add(&argv, xasprintf("-C%s", kb->orig));
		strlist_add(&argv, xasprintf("-f%s/Makefile", kb->src));
		strlist_add(&argv, xstrdup("--no-print-directory"));
		strlist_add(&argv, xstrdup("-o"));
		strlist_add(&argv, xstrdup("prepare"));
	} else {
		strlist_add(&argv, xasprintf("-C%s", kb->src));
		strlist_add(&argv, xasprintf("O=%s", kb->orig));
	}
	kernel_cross_args(kb->cross, &argv);
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
	for (size_t i = 0; i < kb->make_vars.nr; i++)
		strlist_add(&argv, xstrdup(kb->make_vars.v[i]));
	for (size_t i = 0; targets[i]; i++)
		strlist_add(&argv, xstrdup(targets[i]));
	toolchain_root_wrap(kb->cross ? kb->cross->root : NULL, binds, &argv);
	ret = run_logged(argv.v, kb->log);
	strlist_free(&argv);
	return ret;
}

/*
 * Whether @obj is under a directory arch/ARCH/Makefile adds to the top
 * level (@makefile: its text), as x86's core-, libs- and drivers- lines add
 * arch/x86/lib/, pci/, power/ and video/.
 */
static bool in_arch_top_dir(const char *makefile, const char *arch, const char *obj)
{
	size_t alen = strlen("arch/") + strlen(arch) + 1;
	const char *line, *end;

	for (line = makefile; line && *line; line = *end ? end + 1 : end) {
		const char *t = line + strspn(line, " \t"), *eq = NULL, *w;

		end = line + strcspn(line, "\n");
		if (starts_with(t, "core-") || starts_with(t, "libs-") || starts_with(t, "drivers-"))
			eq = memchr(t, '=', (size_t)(end - t));
		for (w = eq ? eq + 1 : end; w < end;) {
			size_t len;

			w += strspn(w, " \t");
			len = strcspn(w, " \t\n");
			if (len > alen && w[len - 1] == '/' && !strncmp(w, "arch/", 5) &&
			    !strncmp(w + 5, arch, alen - 6) && w[alen - 1] == '/' &&
			    !strncmp(obj, w, len))
				return true;
			w += len;
		}
	}
	return false;
}

/*
 * make the units @objects. kbuild hands a goal under a directory the arch
 * Makefile adds to the top level (arch/x86/power/cpu.o) to the descent into
 * arch/ARCH/ too, which compiles it with its own flags (not power/'s
 * CFLAGS_cpu.o := -fno-stack-protector): with -j both at once, the wrong
 * object or none left. Those goals go last, one job at a time, so that the
 * directory's own compile comes after (Kbuild descends into arch/ARCH/ first).
 */
int kbuild_make_units(struct kbuild *kb, const char *kcflags, char *const objects[])
{
	const char *arch = kb->arch ? kb->arch->kbuild.kbuild_arch : NULL;
	char *path = arch ? xasprintf("%s/arch/%s/Makefile", kb->src, arch) : NULL;
	char *makefile = path ? read_file(path, NULL) : NULL;
	struct strlist rest = { 0 }, nested = { 0 };
	int ret = 0, jobs = kb->jobs;

	for (size_t i = 0; objects[i]; i++)
		strlist_add(makefile && in_arch_top_dir(makefile, arch, objects[i]) ? &nested : &rest,
			    xstrdup(objects[i]));
	if (rest.nr || !nested.nr)
		ret = kbuild_make(kb, kcflags, rest.nr ? rest.v : objects);
	if (nested.nr) {
		kb->jobs = 1;
		ret |= kbuild_make(kb, kcflags, nested.v);
		kb->jobs = jobs;
	}
	strlist_free(&rest);
	strlist_free(&nested);
	free(makefile);
	free(path);
	return ret;
}

/*
 * KCFLAGS of every make that compiles units: function sections, and the
 * arch's unit flags, for the originals and the patched alike (and for
 * prepare, so that what it compiled is not compiled again).
 */
char *kbuild_unit_kcflags(const struct kbuild *kb)
{
	const char *unit = kbuild_unit_cflags(kb);

	if (kb->lto)
		return NULL;
	return xasprintf("%s%s%s", KCFLAGS_FSECT, unit ? " " : "", unit ? unit : "");
}

const char *kbuild_unit_cflags(const struct kbuild *kb)
{
	return kb->arch ? kb->arch->kbuild.unit_cflags : NULL;
}

bool kbuild_as_built(const struct kbuild *kb)
{
	return kbuild_unit_cflags(kb) || (kb->arch && kb->arch->kbuild.sections_change_code);
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
int kbuild_use_ccache(const struct kbuild *kb)
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

void kbuild_init(struct kbuild *kb)
{
	memset(kb, 0, sizeof(*kb));
	kb->prep_lock = -1;
}

void kbuild_free(struct kbuild *kb)
{
	free(kb->src), free(kb->target), free(kb->orig), free(kb->thinlto_cache);
	free(kb->work), free(kb->log), free(kb->include_dir), free(kb->ccache);
	free(kb->cc), free(kb->kernelrelease), free(kb->include_graph);
	strlist_free(&kb->make_vars);
	strlist_free(&kb->from_headers);
	strmap_free(&kb->header_units);
	if (kb->prep_lock >= 0)
		close(kb->prep_lock);
	kbuild_init(kb);
}
