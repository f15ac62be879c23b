// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Building an external module against a kernel (make -C KDIR M=DIR modules),
 * and the variables make needs for a kernel of another architecture.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf/arch.h"
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
 * The compiler a kernel was configured with: the first word of
 * CONFIG_CC_VERSION_TEXT (`$(CC) --version`'s first line, "powerpc64le-
 * linux-gnu-gcc (Debian 12.2.0-14) 12.2.0"). It is in every configured tree,
 * a build or a distribution's headers, where .cmd files are only in a built
 * one; and kbuild itself reconfigures a tree whose compiler says otherwise.
 */
static char *configured_compiler(const char *config)
{
	const char *key = "\nCONFIG_CC_VERSION_TEXT=\"";
	const char *p = strstr(config, key);

	if (!p)
		return NULL;
	p += strlen(key);
	return xstrndup(p, strcspn(p, " \"\n"));
}

/*
 * gcc's CROSS_COMPILE= prefix: what precedes "gcc" in its name (a versioned
 * "...-gcc-12" too); the arch's usual one when the kernel was configured by
 * a native gcc on a machine of its own architecture.
 */
static char *gcc_prefix(const char *cc, const struct arch *arch)
{
	const char *base = cc ? strrchr(cc, '/') : NULL, *gcc = NULL;

	base = base ? base + 1 : cc;
	for (const char *p = base ? strstr(base, "gcc") : NULL; p; p = strstr(p + 1, "gcc"))
		gcc = p;
	if (!gcc || gcc == base)
		return xstrdup(arch->cross_prefix);
	return xstrndup(base, (size_t)(gcc - base));
}

int kbuild_cross_find(struct kbuild_cross *c, const char *kdir, const char *config,
		      const struct arch *arch)
{
	char *cc, *found;
	size_t triplet;

	memset(c, 0, sizeof(*c));
	if (arch == arch_host())
		return 0;
	c->arch = arch->kbuild_arch;
	/* clang: LLVM=1 finds its target from ARCH (scripts/Makefile.clang). */
	if (strstr(config, "\nCONFIG_CC_IS_CLANG=y\n"))
		return 0;
	cc = configured_compiler(config);
	c->compile = gcc_prefix(cc, arch);
	c->cc = xasprintf("%sgcc", c->compile);
	free(cc);
	found = find_program(c->cc);
	if (found) {
		free(found);
		return 0;
	}
	triplet = strlen(c->compile) - ends_with(c->compile, "-");
	return error(c->cc, "not found (the compiler of the %s kernel %s); apt-get install "
		     "gcc-%.*s", arch->name, kdir, (int)triplet, c->compile);
}

void kbuild_cross_args(const struct kbuild_cross *c, struct strlist *argv)
{
	if (c && c->arch)
		strlist_add(argv, xasprintf("ARCH=%s", c->arch));
	if (c && c->compile)
		strlist_add(argv, xasprintf("CROSS_COMPILE=%s", c->compile));
}

void kbuild_cross_free(struct kbuild_cross *c)
{
	free(c->compile);
	free(c->cc);
	memset(c, 0, sizeof(*c));
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

void kbuild_root_wrap(const struct kbuild_cross *c, const char *kdir, const char *const more[],
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
			   const struct kbuild_cross *cross, const char *log)
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
	kbuild_cross_args(cross, &argv);
	kbuild_root_wrap(cross, kdir, (const char *const[]){ dir, NULL }, &argv);
	if (truncate(log, 0) && errno != ENOENT)
		status = -errno;
	else
		status = run_logged(argv.v, log);
	strlist_free(&argv);
	return status;
}
