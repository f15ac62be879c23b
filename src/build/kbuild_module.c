// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Building an external module against a kernel (make -C KDIR M=DIR modules):
 * the livepatch module, and the layout probe whose entries the kernel's own
 * macros make.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build/kbuild.h"
#include "build/toolchain_root.h"
#include "base/util.h"

/* kbuild passes M= through make and the shell unquoted. */
static bool kbuild_safe_path(const char *path)
{
	for (const char *p = path; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("/._-+,", *p)))
			return false;
	return true;
}

/* An empty directory for kbuild, by absolute path: @wanted, or a temporary one. */
char *kbuild_module_dir(const char *wanted)
{
	const char *base = getenv("TMPDIR");
	char *tmpl, *dir;

	if (!base || !*base)
		base = "/tmp";
	tmpl = wanted ? xstrdup(wanted) : xasprintf("%s/klpdiff-module.XXXXXX", base);
	if (wanted && mkdir(tmpl, 0755)) {
		error(tmpl, "cannot create the build directory: %s", strerror(errno));
		free(tmpl);
		return NULL;
	} else if (!wanted && !mkdtemp(tmpl)) {
		error(tmpl, "cannot create a temporary directory: %s", strerror(errno));
		free(tmpl);
		return NULL;
	}
	dir = realpath(tmpl, NULL);
	if (!dir || !kbuild_safe_path(dir)) {
		error(tmpl, "temporary directory path unusable by kbuild; set TMPDIR to a "
			    "plain path");
		remove_tree(tmpl);
		free(dir);
		dir = NULL;
	}
	free(tmpl);
	return dir;
}

/*
 * What make -C @kdir reads, to bind in a toolchain root: @kdir, where its
 * links lead (Debian's headers: scripts -> /usr/lib/linux-kbuild-V/scripts)
 * and the directories of the makefiles it includes by absolute path
 * (include /usr/src/linux-headers-V-common/Makefile).
 */
static void kdir_binds(const char *kdir, struct strlist *binds)
{
	char *makefile = xasprintf("%s/Makefile", kdir), *text = read_file(makefile, NULL);
	DIR *d = opendir(kdir);
	struct dirent *e;

	strlist_add(binds, xstrdup(kdir));
	while (d && (e = readdir(d))) {
		char *path = xasprintf("%s/%s", kdir, e->d_name), *target = NULL;

		if (e->d_type == DT_LNK && (target = realpath(path, NULL)))
			strlist_add(binds, target);
		free(path);
	}
	for (char *line = text, *next; line; line = next) {
		char *slash;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		slash = strrchr(line, '/');
		if (!strncmp(line, "include /", 9) && slash > line + 8)
			strlist_add(binds, xstrndup(line + 8, (size_t)(slash - line - 8)));
	}
	if (d)
		closedir(d);
	free(makefile);
	free(text);
}

void kbuild_root_wrap(const struct kernel_cross *c, const char *kdir, const char *const more[],
		      struct strlist *argv)
{
	struct strlist binds = { 0 };

	if (!c || !c->root)
		return;
	kdir_binds(kdir, &binds);
	for (size_t i = 0; more && more[i]; i++)
		strlist_add(&binds, xstrdup(more[i]));
	toolchain_root_wrap(c->root, (const char *const *)binds.v, argv);
	strlist_free(&binds);
}

/* Run make for the module with its output in @log (a new one): its status. */
int kbuild_external_module(const char *kdir, const char *dir, bool llvm,
			   const struct kernel_cross *cross, const char *log)
{
	struct strlist argv = { 0 };
	/*
	 * Debug info names the generated files without the directory, which
	 * is a temporary one: the same patch objects give the same module.
	 */
	const char *user_kcflags = getenv("KCFLAGS");
	int status;

	strlist_add(&argv, xstrdup("make"));
	strlist_add(&argv, xstrdup("-C"));
	strlist_add(&argv, xstrdup(kdir));
	strlist_add(&argv, xasprintf("M=%s", dir));
	strlist_add(&argv, xasprintf("KCFLAGS=%s%s-ffile-prefix-map=%s/=",
				     user_kcflags ? user_kcflags : "", user_kcflags ? " " : "", dir));
	strlist_add(&argv, xstrdup("modules"));
	if (llvm)
		strlist_add(&argv, xstrdup("LLVM=1"));
	kernel_cross_args(cross, &argv);
	kbuild_root_wrap(cross, kdir, (const char *const[]){ dir, NULL }, &argv);
	if (truncate(log, 0) && errno != ENOENT)
		status = -errno;
	else
		status = run_logged(argv.v, log);
	strlist_free(&argv);
	return status;
}


/*
 * Build the probe module in a directory beside @ko and move it there. Runs
 * that start together build it side by side (a directory each): the last
 * rename wins, with the same module.
 */
static int build_probe(const struct kernel_profile *p, const char *ko)
{
	char *tmpl = xasprintf("%s.tmp.%d", ko, (int)getpid()), *dir, *src, *kbuild, *log, *built;
	bool llvm = kconfig_enabled(&p->config, "CONFIG_CC_IS_CLANG");
	int ret, status;

	remove_tree(tmpl);
	if (mkdir_parent(ko) || !(dir = kbuild_module_dir(tmpl))) {
		free(tmpl);
		return -1;
	}
	src = xasprintf("%s/klpdiff_probe.c", dir);
	kbuild = xasprintf("%s/Kbuild", dir);
	log = xasprintf("%s/build.log", dir);
	built = xasprintf("%s/klpdiff_probe.ko", dir);
	ret = write_file_atomic(src, p->arch->kbuild.layout_probe, 0644) ||
	      write_file_atomic(kbuild, "obj-m := klpdiff_probe.o\n", 0644);
	status = ret ? 0 : kbuild_external_module(p->kdir, dir, llvm, &p->cross, log);
	if (status)
		ret = error(p->kdir, "cannot build klpdiff's layout probe (make -C %s M=%s "
			    "modules %s); log: %s", p->kdir, dir, process_status_text(status), log);
	else if (!ret && rename(built, ko))
		ret = error(ko, "cannot write: %s", strerror(errno));
	if (!ret)
		remove_tree(dir);
	free(built);
	free(log);
	free(kbuild);
	free(src);
	free(dir);
	free(tmpl);
	return ret;
}

int kbuild_probe_layouts(struct kernel_profile *p, const char *cache_dir)
{
	char *ko;
	int ret;

	if (!p->arch->kbuild.layout_probe)
		return 0;	/* no probe: layouts are recognised from the objects */
	ko = kernel_profile_probe_path(p, cache_dir);
	ret = access(ko, R_OK) && build_probe(p, ko) ? -1 : kernel_profile_read_probe(p, ko);
	free(ko);
	return ret;
}

int kbuild_target_profile(struct kernel_profile *p, const char *kdir)
{
	char *cache = cache_base();
	int ret = kernel_profile_read(p, kdir, NULL, NULL) || kbuild_probe_layouts(p, cache) ?
		  -1 : 0;

	free(cache);
	return ret;
}
