/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What klpdiff knows about a target kernel rather than about ELF or an
 * architecture: its version (one the layouts catalogue covers, KV_OLDEST to
 * KV_NEWEST of elf/layouts.h), its architecture and make variables, and its
 * special-section layouts, probed from the kernel itself.
 */
/*
 * Layer kernel (src/kernel/): includes base/, elf/ and analysis/ only.
 * tests/source/layers.t checks it.
 */
#ifndef KLPDIFF_KERNEL_PROFILE_H
#define KLPDIFF_KERNEL_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "elf/arch.h"
#include "kernel/cross.h"
#include "kernel/kconfig.h"
#include "elf/layouts.h"

/* A target kernel: a build tree, or a distribution's headers. */
struct kernel_profile {
	char *kdir;		/* where its .config and include/config/kernel.release are */
	char *release;		/* uname -r */
	unsigned version;	/* KV() */
	const struct arch *arch;
	struct kconfig config;	/* its .config */
	struct kernel_cross cross;	/* for make: ARCH=, CROSS_COMPILE= */
	char *probe;		/* the layout probe module, built against it (cached) */
	/* Its special-section layouts, one per section the probe fills: for elf_open(). */
	struct elf_layouts layouts;
};

/*
 * The release a build tree was made for (UTS_RELEASE, else
 * include/config/kernel.release), or NULL.
 */
char *kernel_release_of(const char *kdir);
/*
 * Read the kernel in @kdir (@release if not NULL, else its
 * include/config/kernel.release): an error, naming @kdir, for a version or
 * an architecture klpdiff has no profile for. Its .config is @config if not
 * NULL (taken over: the caller read it already), else read from @kdir.
 */
int kernel_profile_read(struct kernel_profile *p, const char *kdir, const char *release,
			struct kconfig *config);
/*
 * The livepatch API of the source tree @src: the module klpdiff generates
 * calls klp_enable_patch() and sets .replace (Linux 5.1's API; RHEL 8.1's 4.18
 * has it too, so the tree is asked, not the version).
 */
int kernel_profile_check_api(const struct kernel_profile *p, const char *src);
/* A configuration no live patch can be built for (LATENT_ENTROPY, RANDSTRUCT, ...): refused. */
int kernel_profile_check_config(const struct kernel_profile *p);
/*
 * Where the layout probe built against this kernel is cached under
 * @cache_dir: one file per kernel release, .config and probe source.
 */
char *kernel_profile_probe_path(const struct kernel_profile *p, const char *cache_dir);
/*
 * Read the layouts the entries of the layout probe @ko (built against the
 * kernel: build/kbuild.h's kbuild_probe_layouts()) have into @p->layouts,
 * for elf_open() of the kernel's objects.
 */
int kernel_profile_read_probe(struct kernel_profile *p, const char *ko);
void kernel_profile_free(struct kernel_profile *p);

#endif
