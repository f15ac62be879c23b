// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernel/kernel_profile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "elf/elf_object.h"
#include "build/kbuild.h"
#include "base/util.h"

/* KV() holds the major and the minor version in a byte each. */
#define KV_PART_MAX 0xff

/* UTS_RELEASE of include/generated/utsrelease.h: what uname -r says. */
static char *uts_release(const char *kdir)
{
	char *path = xasprintf("%s/include/generated/utsrelease.h", kdir);
	char *text = read_file(path, NULL), *p, *end, *release = NULL;

	p = text ? strstr(text, "UTS_RELEASE \"") : NULL;
	if (p && (end = strchr(p += strlen("UTS_RELEASE \""), '"')))
		release = xstrndup(p, (size_t)(end - p));
	free(text);
	free(path);
	return release;
}

char *kernel_release_of(const char *kdir)
{
	char *path, *release = uts_release(kdir);

	if (release)
		return release;
	/* Debian's headers have the upstream version here, not the release. */
	path = xasprintf("%s/include/config/kernel.release", kdir);
	release = read_file(path, NULL);
	if (release)
		release[strcspn(release, "\n")] = '\0';
	free(path);
	return release;
}

int kernel_profile_read(struct kernel_profile *p, const char *kdir, const char *release)
{
	char *path = xasprintf("%s/.config", kdir), *config = read_file(path, NULL);
	const struct arch *partial;
	unsigned major, minor;
	int ret = 0;

	memset(p, 0, sizeof(*p));
	p->kdir = xstrdup(kdir);
	p->release = release ? xstrdup(release) : kernel_release_of(kdir);
	if (!config)
		ret = error(kdir, "not a kernel build: cannot read %s: %s", path, strerror(errno));
	else if (!p->release)
		ret = error(kdir, "not a configured kernel build: no include/config/kernel.release");
	else if (sscanf(p->release, "%u.%u", &major, &minor) != 2 || major > KV_PART_MAX ||
		 minor > KV_PART_MAX)
		ret = error(kdir, "kernel release '%s' is not a Linux version", p->release);
	else if ((p->version = KV(major, minor)) < KV_OLDEST || p->version > KV_NEWEST)
		ret = error(kdir, "Linux %u.%u (%s): klpdiff has no profile for this kernel; it "
			    "knows %s", major, minor, p->release, layouts_kernels());
	else if (!(p->arch = arch_for_kconfig(config, &partial)) && partial)
		ret = error(path, "%s=y without %s=y: klpdiff knows %s kernels of this "
			    "architecture only", partial->kconfig, partial->kconfig_also,
			    partial->name);
	else if (!p->arch)
		ret = error(path, "no profile for this kernel's architecture: klpdiff knows %s",
			    arch_names(true));
	else
		ret = kbuild_cross_find(&p->cross, kdir, config, p->arch);
	free(config);
	free(path);
	return ret;
}

int kernel_profile_check_api(const struct kernel_profile *p, const char *src)
{
	char *path = xasprintf("%s/include/linux/livepatch.h", src);
	char *text = read_file(path, NULL);
	int ret = 0;

	if (!text)
		ret = error(path, "cannot read: %s (not a kernel source tree?)", strerror(errno));
	else if (!strstr(text, "klp_enable_patch("))
		ret = error(path, "no klp_enable_patch(): the module klpdiff generates needs the "
			    "livepatch API of Linux 5.1 or later (this is %s)", p->release);
	free(text);
	free(path);
	return ret;
}

/* The probe module's cache file: one per kernel release, config and probe source. */
static char *probe_path(const struct kernel_profile *p, const char *cache_dir)
{
	char *path = xasprintf("%s/.config", p->kdir), *config = read_file(path, NULL);
	char *text = xasprintf("%s\n%s\n%s\n%s", KLPDIFF_VERSION, p->release,
			       p->arch->layout_probe, config ? config : "");
	uint64_t key = XXH3_64bits(text, strlen(text));

	free(text);
	free(config);
	free(path);
	return xasprintf("%s/layout-probe-%016llx.ko", cache_dir, (unsigned long long)key);
}

/*
 * Build the probe module in a directory beside @ko and move it there. Runs
 * that start together build it side by side (a directory each): the last
 * rename wins, with the same module.
 */
static int build_probe(const struct kernel_profile *p, const char *ko)
{
	char *tmpl = xasprintf("%s.tmp.%d", ko, (int)getpid()), *dir, *src, *kbuild, *log, *built;
	char *config = xasprintf("%s/.config", p->kdir), *text = read_file(config, NULL);
	bool llvm = text && strstr(text, "\nCONFIG_CC_IS_CLANG=y");
	int ret, status;

	free(text);
	free(config);
	remove_tree(tmpl);
	if (mkdir_parent(ko) || !(dir = kbuild_module_dir(tmpl))) {
		free(tmpl);
		return -1;
	}
	src = xasprintf("%s/klpdiff_probe.c", dir);
	kbuild = xasprintf("%s/Kbuild", dir);
	log = xasprintf("%s/build.log", dir);
	built = xasprintf("%s/klpdiff_probe.ko", dir);
	ret = write_file_atomic(src, p->arch->layout_probe, 0644) ||
	      write_file_atomic(kbuild, "obj-m := klpdiff_probe.o\n", 0644);
	if (!ret && (status = kbuild_external_module(p->kdir, dir, llvm, &p->cross, log)))
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

int kernel_profile_probe(struct kernel_profile *p, const char *cache_dir)
{
	struct elf_object *obj;
	struct elf_section *sec;

	if (!p->arch->layout_probe)
		return 0;	/* no probe: layouts are recognised from the objects */
	p->probe = probe_path(p, cache_dir);
	if (access(p->probe, R_OK) && build_probe(p, p->probe))
		return -1;
	obj = elf_open(p->probe, NULL);
	if (!obj)
		return error(p->probe, "cannot read klpdiff's layout probe");
	for_each_section(obj, sec)
		if (sec->special && sec->data && p->layouts.nr < ARRAY_SIZE(p->layouts.v))
			p->layouts.v[p->layouts.nr++] = sec->special;
	elf_close(obj);
	return 0;
}

int kernel_profile_target(struct kernel_profile *p, const char *kdir)
{
	char *cache = cache_base();
	int ret = kernel_profile_read(p, kdir, NULL) || kernel_profile_probe(p, cache) ? -1 : 0;

	free(cache);
	return ret;
}

void kernel_profile_free(struct kernel_profile *p)
{
	kbuild_cross_free(&p->cross);
	free(p->kdir);
	free(p->release);
	free(p->probe);
}
