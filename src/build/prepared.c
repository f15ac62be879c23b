// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The prepared tree units are compiled in, made once: from a distribution
 * kernel's headers (what `make prepare` would make, from the kernel's own
 * build), or a kernel configured and `make prepare`d.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "build/kbuild_internal.h"
#include "kernel/kconfig.h"

/* The stamp of a tree assembled from the headers; a make-prepared one's is empty. */
#define HEADERS_STAMP "headers\n"

/*
 * What compiling a unit reads from the build directory (besides the
 * source): the configuration as kbuild's makes read it, the generated
 * headers, and the host tools its commands run.
 */
static const char *const unit_needs[] = {
	".config",
	"include/config/auto.conf",
	"include/generated/autoconf.h",
	"include/generated/utsrelease.h",
	"include/generated/asm-offsets.h",
	"include/generated/bounds.h",
	"scripts/basic/fixdep",
};

/* The ELF machine of the program @path (0 if it is none), e.g. EM_X86_64. */
static unsigned elf_machine(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	unsigned machine = 0;
	GElf_Ehdr ehdr;
	Elf *elf;

	if (fd < 0)
		return 0;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (elf && elf_kind(elf) == ELF_K_ELF && gelf_getehdr(elf, &ehdr))
		machine = ehdr.e_machine;
	elf_end(elf);
	close(fd);
	return machine;
}

char *kbuild_headers_lack(const char *headers, const char *kbuild_arch)
{
	char *config_path = xasprintf("%s/.config", headers), *path, *why = NULL;
	struct kconfig config;
	bool config_read = !kconfig_read(&config, config_path);

	for (size_t i = 0; !why && i < ARRAY_SIZE(unit_needs); i++) {
		path = xasprintf("%s/%s", headers, unit_needs[i]);
		if (access(path, R_OK))
			why = xasprintf("no %s", unit_needs[i]);
		free(path);
	}
	/* Another architecture's headers (a --sysroot): programs this machine cannot run. */
	path = xasprintf("%s/scripts/basic/fixdep", headers);
	if (!why && elf_machine(path) != elf_machine("/proc/self/exe"))
		why = xstrdup("its kbuild programs are not for this machine");
	free(path);
	path = xasprintf("%s/arch/%s/include/generated", headers, kbuild_arch ? kbuild_arch : "");
	if (!why && kbuild_arch && access(path, R_OK))
		why = xasprintf("no arch/%s/include/generated", kbuild_arch);
	free(path);
	/* The tools kbuild runs on each object, as the config has them. */
	path = xasprintf("%s/tools/objtool/objtool", headers);
	if (!why && config_read && access(path, X_OK) &&
	    (kconfig_enabled(&config, "CONFIG_OBJTOOL") ||
	     kconfig_enabled(&config, "CONFIG_STACK_VALIDATION")))	/* before 5.19 */
		why = xstrdup("no tools/objtool/objtool");
	free(path);
	path = xasprintf("%s/scripts/genksyms/genksyms", headers);
	if (!why && config_read && kconfig_enabled(&config, "CONFIG_MODVERSIONS") &&
	    !kconfig_enabled(&config, "CONFIG_GENDWARFKSYMS") && access(path, X_OK))
		why = xstrdup("no scripts/genksyms/genksyms");
	free(path);
	path = xasprintf("%s/scripts/gendwarfksyms/gendwarfksyms", headers);
	if (!why && config_read && kconfig_enabled(&config, "CONFIG_GENDWARFKSYMS") &&
	    access(path, X_OK))
		why = xstrdup("no scripts/gendwarfksyms/gendwarfksyms");
	free(path);
	if (config_read)
		kconfig_free(&config);
	free(config_path);
	return why ? why : xstrdup("");
}

/* Is @path a program of the build (an ELF executable), not a script? */
static bool is_program(const char *path)
{
	return !access(path, X_OK) && elf_machine(path);
}

struct programs {
	const char *from, *to;
	int ret;
};

static int copy_program(void *ctx, const char *rel, const char *name, unsigned char type)
{
	struct programs *p = ctx;
	char *from = xasprintf("%s/%s", p->from, rel), *to = xasprintf("%s/%s", p->to, rel);

	(void)name;
	if ((type == DT_REG || type == DT_LNK) && is_program(from) &&
	    (copy_file(from, to) || chmod(to, 0755)))
		p->ret = error(to, "cannot copy a kbuild program here: %s", strerror(errno));
	free(from);
	free(to);
	return p->ret ? -1 : WALK_CONTINUE;
}

/* The host programs under @headers/@dir (kbuild's: fixdep, objtool, ...) into @orig/@dir. */
static int copy_programs(const char *headers, const char *orig, const char *dir)
{
	char *link = xasprintf("%s/%s", headers, dir), *from = realpath(link, NULL);
	char *to = xasprintf("%s/%s", orig, dir);
	struct programs p = { from, to, 0 };

	if (from && walk_tree(from, copy_program, &p) < 0 && !p.ret)
		p.ret = -1;
	free(link), free(from), free(to);
	return p.ret;
}

/*
 * The prepared tree from the headers: their .config, include/ and arch/
 * (include/config, the generated headers) and kbuild's programs. An empty
 * auto.conf.cmd, newer than the .config, keeps kbuild from configuring
 * again (which would need every Kconfig file).
 */
static int assemble_from_headers(const struct kbuild *kb, const char *headers)
{
	char *argv[] = { "cp", "-a", NULL, NULL, NULL, NULL, NULL };
	const char *const newer[] = { "include/config/auto.conf", "include/generated/autoconf.h",
				      "include/generated/rustc_cfg" };
	char *cmd = xasprintf("%s/include/config/auto.conf.cmd", kb->orig);
	int ret;

	argv[2] = xasprintf("%s/.config", headers);
	argv[3] = xasprintf("%s/include", headers);
	argv[4] = xasprintf("%s/arch", headers);
	argv[5] = kb->orig;
	ret = run_logged(argv, kb->log) ? error(headers, "cannot copy into %s; see %s", kb->orig,
						  kb->log) : 0;
	if (!ret)
		ret = copy_programs(headers, kb->orig, "scripts") ||
		      copy_programs(headers, kb->orig, "tools") ||
		      write_file_atomic(cmd, "# klpdiff: the configuration of the kernel's build\n",
					0644);
	for (size_t i = 0; !ret && i < ARRAY_SIZE(newer); i++) {
		char *path = xasprintf("%s/%s", kb->orig, newer[i]);

		if (!access(path, F_OK) && utimensat(AT_FDCWD, path, NULL, 0))
			ret = error(path, "cannot touch: %s", strerror(errno));
		free(path);
	}
	free(argv[2]), free(argv[3]), free(argv[4]), free(cmd);
	return ret;
}

static int prepare_inside(void *arg)
{
	struct kbuild *kb = arg;
	char *layers = work_path(kb->work, WORK_OVERLAY, "prepare-src");
	char *olddefconfig[] = { "olddefconfig", NULL };
	char *prepare[] = { "prepare", NULL };
	char *kcflags = kbuild_unit_kcflags(kb);
	int ret = kbuild_overlay(kb->src, layers, kbuild_in_tree_build(kb), kb->arch->kbuild.kbuild_arch) ||
		  kbuild_use_ccache(kb);

	free(layers);
	if (!ret && kbuild_make(kb, NULL, olddefconfig))
		ret = error(NULL, "configuring the prepared tree failed; see %s", kb->log);
	/* With the units' flags: what prepare compiles (asm-offsets...) stays as it is. */
	if (!ret && kbuild_make(kb, kcflags, prepare))
		ret = error(NULL, "make prepare failed; see %s", kb->log);
	free(kcflags);
	return ret;
}

/* Under the exclusive lock: build the prepared tree from scratch, stamp it last. */
static int prepare_tree(struct kbuild *kb, const char *config, const char *stamp)
{
	char *config_path = xasprintf("%s/.config", kb->orig);
	char *lack = kb->dist_headers ?
		     kbuild_headers_lack(kb->target, kb->arch->kbuild.kbuild_arch) : NULL;
	int ret = remove_tree(kb->orig) || mkdir_p(kb->orig);

	if (!ret && lack && !*lack) {
		fprintf(stderr, "klpdiff build: preparing %s from the headers %s (no make prepare)\n",
			kb->orig, kb->target);
		ret = assemble_from_headers(kb, kb->target) ||
		      write_file_atomic(stamp, HEADERS_STAMP, 0644);
		kb->headers_tree = !ret;
		goto out;
	}
	if (lack)
		fprintf(stderr, "klpdiff build: %s: %s: preparing with make prepare instead\n",
			kb->target, lack);
	fprintf(stderr, "klpdiff build: preparing %s (make olddefconfig prepare)\n", kb->orig);
	if (!ret)
		ret = write_file_atomic(config_path, config, 0644) ||
		      kbuild_in_namespace(prepare_inside, kb);
	if (!ret)
		ret = write_file_atomic(stamp, "", 0644);
out:
	free(lack);
	free(config_path);
	return ret;
}

/* A prepared tree's stamp says how it was made. */
static bool made_from_headers(const char *stamp)
{
	char *text = read_file(stamp, NULL);
	bool yes = text && streq(text, HEADERS_STAMP);

	free(text);
	return yes;
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
	if (!ret)
		kb->headers_tree = made_from_headers(stamp);
	free(lock);
	free(stamp);
	return ret;
}
