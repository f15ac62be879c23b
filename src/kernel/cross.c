// SPDX-License-Identifier: GPL-2.0-or-later
#include "kernel/cross.h"

#include <stdlib.h>
#include <string.h>

/*
 * The compiler a kernel was configured with: the first word of
 * CONFIG_CC_VERSION_TEXT (`$(CC) --version`'s first line, "powerpc64le-
 * linux-gnu-gcc (Debian 12.2.0-14) 12.2.0"). It is in every configured tree,
 * a build or a distribution's headers, where .cmd files are only in a built
 * one; and kbuild itself reconfigures a tree whose compiler says otherwise.
 */
static char *configured_compiler(const struct kconfig *config)
{
	const char *text = kconfig_value(config, "CONFIG_CC_VERSION_TEXT");

	return text ? xstrndup(text, strcspn(text, " ")) : NULL;
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
		return xstrdup(arch->kbuild.cross_prefix);
	return xstrndup(base, (size_t)(gcc - base));
}

int kernel_cross_find(struct kernel_cross *c, const char *kdir, const struct kconfig *config,
		      const struct arch *arch)
{
	char *cc, *found;
	size_t triplet;

	memset(c, 0, sizeof(*c));
	if (arch == arch_host())
		return 0;
	c->arch = arch->kbuild.kbuild_arch;
	/* clang: LLVM=1 finds its target from ARCH (scripts/Makefile.clang). */
	if (kconfig_enabled(config, "CONFIG_CC_IS_CLANG"))
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

void kernel_cross_args(const struct kernel_cross *c, struct strlist *argv)
{
	if (c && c->arch)
		strlist_add(argv, xasprintf("ARCH=%s", c->arch));
	if (c && c->compile)
		strlist_add(argv, xasprintf("CROSS_COMPILE=%s", c->compile));
}

void kernel_cross_free(struct kernel_cross *c)
{
	free(c->compile);
	free(c->cc);
	memset(c, 0, sizeof(*c));
}
