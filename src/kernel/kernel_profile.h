/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What klpdiff knows about a target kernel rather than about ELF or an
 * architecture: its version (one the layouts catalogue covers, KV_OLDEST to
 * KV_NEWEST of elf/layouts.h), its architecture and make variables, and its
 * special-section layouts, probed from the kernel itself.
 */
#ifndef KLPDIFF_KERNEL_PROFILE_H
#define KLPDIFF_KERNEL_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "elf/arch.h"
#include "elf/layouts.h"
#include "build/kbuild.h"

/* A target kernel: a build tree, or a distribution's headers. */
struct kernel_profile {
	char *kdir;		/* where its .config and include/config/kernel.release are */
	char *release;		/* uname -r */
	unsigned version;	/* KV() */
	const struct arch *arch;
	struct kbuild_cross cross;	/* for make: ARCH=, CROSS_COMPILE= */
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
 * an architecture klpdiff has no profile for.
 */
int kernel_profile_read(struct kernel_profile *p, const char *kdir, const char *release);
/*
 * The livepatch API of the source tree @src: the module klpdiff generates
 * calls klp_enable_patch() and sets .replace (Linux 5.1's API; RHEL 8.1's 4.18
 * has it too, so the tree is asked, not the version).
 */
int kernel_profile_check_api(const struct kernel_profile *p, const char *src);
/*
 * Build the layout probe against the kernel (once: cached under @cache_dir,
 * keyed by the kernel's release and .config) and read the layouts its
 * entries have into @p->layouts, for elf_open() of the kernel's objects.
 */
int kernel_profile_probe(struct kernel_profile *p, const char *cache_dir);
/* Both, with klpdiff's cache: the kernel in @kdir and its layouts. */
int kernel_profile_target(struct kernel_profile *p, const char *kdir);
void kernel_profile_free(struct kernel_profile *p);

#endif
