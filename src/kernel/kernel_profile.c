// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernel/kernel_profile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "elf/elf_object.h"
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

/* The version and architecture of the kernel @p: ones klpdiff has a profile for. */
static int check_known(struct kernel_profile *p, const char *config_path)
{
	const struct arch *partial;
	unsigned major, minor;

	if (!p->release)
		return error(p->kdir, "not a configured kernel build: no "
			     "include/config/kernel.release");
	if (sscanf(p->release, "%u.%u", &major, &minor) != 2 || major > KV_PART_MAX ||
	    minor > KV_PART_MAX)
		return error(p->kdir, "kernel release '%s' is not a Linux version", p->release);
	p->version = KV(major, minor);
	if (p->version < KV_OLDEST || p->version > KV_NEWEST)
		return error(p->kdir, "Linux %u.%u (%s): klpdiff has no profile for this kernel; "
			     "it knows %s", major, minor, p->release, layouts_kernels());
	p->arch = arch_for_kconfig(kconfig_enabled_fn, &p->config, &partial);
	if (!p->arch && partial)
		return error(config_path, "%s=y without %s=y: klpdiff knows %s kernels of this "
			     "architecture only", partial->kbuild.kconfig, partial->kbuild.kconfig_also,
			     partial->name);
	if (!p->arch)
		return error(config_path, "no profile for this kernel's architecture: klpdiff "
			     "knows %s", arch_names(true));
	return kernel_cross_find(&p->cross, p->kdir, &p->config, p->arch);
}

int kernel_profile_read(struct kernel_profile *p, const char *kdir, const char *release,
			struct kconfig *config)
{
	char *path = xasprintf("%s/.config", kdir);
	int ret = 0;

	memset(p, 0, sizeof(*p));
	p->kdir = xstrdup(kdir);
	p->release = release ? xstrdup(release) : kernel_release_of(kdir);
	if (config) {
		p->config = *config;
		memset(config, 0, sizeof(*config));
	} else if (kconfig_read(&p->config, path)) {
		ret = error(kdir, "not a kernel build: cannot read %s: %s", path, strerror(errno));
	}
	if (!ret)
		ret = check_known(p, path);
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

/*
 * Configurations whose build a recompile cannot reproduce, or whose kernel
 * may lack what a patch names: each refused with why (klp-build refuses the
 * same ones). RANDSTRUCT could be served by carrying the build's seed into
 * the prepared tree; it is not yet.
 */
static const struct {
	const char *option;
	const char *why;
} unpatchable_configs[] = {
	{ "CONFIG_GCC_PLUGIN_LATENT_ENTROPY",
	  "its gcc plugin puts a new random constant into the instrumented functions at every "
	  "compile, so no recompiled unit is the code that runs" },
	{ "CONFIG_RANDSTRUCT",
	  "structure layouts come from the build's random seed, which klpdiff's compile does "
	  "not use" },
	{ "CONFIG_GCC_PLUGIN_RANDSTRUCT",	/* before 5.19 */
	  "structure layouts come from the build's random seed, which klpdiff's compile does "
	  "not use" },
	{ "CONFIG_LD_DEAD_CODE_DATA_ELIMINATION",
	  "the linker dropped every function nothing referenced, so a function the patch "
	  "changes or calls may not be in the kernel" },
};

int kernel_profile_check_config(const struct kernel_profile *p)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(unpatchable_configs); i++)
		if (kconfig_enabled(&p->config, unpatchable_configs[i].option))
			return error(p->config.path, "%s=y: no live patch can be built for this kernel: %s",
				     unpatchable_configs[i].option, unpatchable_configs[i].why);
	return 0;
}

char *kernel_profile_probe_path(const struct kernel_profile *p, const char *cache_dir)
{
	char *text = xasprintf("%s\n%s\n%s\n%s", KLPDIFF_VERSION, p->release,
			       p->arch->kbuild.layout_probe, p->config.text ? p->config.text : "");
	uint64_t key = XXH3_64bits(text, strlen(text));

	free(text);
	return xasprintf("%s/layout-probe-%016llx.ko", cache_dir, (unsigned long long)key);
}

int kernel_profile_read_probe(struct kernel_profile *p, const char *ko)
{
	struct elf_object *obj;
	struct elf_section *sec;

	free(p->probe);
	p->probe = xstrdup(ko);
	obj = elf_open(p->probe, NULL);
	if (!obj)
		return error(p->probe, "cannot read klpdiff's layout probe");
	for_each_section(obj, sec)
		if (sec->special && sec->data && p->layouts.nr < ARRAY_SIZE(p->layouts.v))
			p->layouts.v[p->layouts.nr++] = sec->special;
	elf_close(obj);
	return 0;
}

void kernel_profile_free(struct kernel_profile *p)
{
	kernel_cross_free(&p->cross);
	kconfig_free(&p->config);
	free(p->kdir);
	free(p->release);
	free(p->probe);
}
