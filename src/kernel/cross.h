/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * make's variables for a kernel of another architecture than the host's
 * (ppc64le on x86-64): ARCH= from the arch file, CROSS_COMPILE= from the
 * compiler its .config names; and the toolchain root for a compiler the host
 * has not got. Every make klpdiff runs against the kernel passes them, or runs
 * in the root.
 */
#ifndef KLPDIFF_CROSS_H
#define KLPDIFF_CROSS_H

#include "base/util.h"
#include "elf/arch.h"
#include "kernel/kconfig.h"

struct kernel_cross {
	const char *arch;	/* ARCH= (the arch file's, static), or NULL: the host's
				 * architecture, nothing passed */
	char *compile;		/* CROSS_COMPILE= (gcc), or NULL */
	char *cc;		/* the compiler make runs: CROSS_COMPILE + gcc, or NULL */
	const char *root;	/* build/toolchain_root.h's root make runs in, or NULL */
};

/*
 * Fill @c for the kernel in @kdir, configured by @config, of architecture
 * @arch; an error if its cross compiler is not installed.
 */
int kernel_cross_find(struct kernel_cross *c, const char *kdir, const struct kconfig *config,
		      const struct arch *arch);
/* Add its ARCH= and CROSS_COMPILE= (if any) to make's @argv. */
void kernel_cross_args(const struct kernel_cross *c, struct strlist *argv);
void kernel_cross_free(struct kernel_cross *c);

#endif
