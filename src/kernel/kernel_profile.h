/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What klpdiff knows about kernel versions rather than about ELF or an
 * architecture: which kernels it has a profile for, the target kernel's
 * special-section layouts (probed from the kernel itself), and the helpers
 * the kernel passes source line numbers to.
 */
#ifndef KLPDIFF_KERNEL_PROFILE_H
#define KLPDIFF_KERNEL_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "elf/arch.h"
#include "build/kbuild.h"

/* Linux MAJOR.MINOR as one ordered number. */
#define KV(major, minor) ((unsigned)(major) << 8 | (unsigned)(minor))
#define KV_MAJOR(kv) ((kv) >> 8)
#define KV_MINOR(kv) ((kv) & 0xff)
/* The kernel lines klpdiff has a profile for. */
#define KV_OLDEST KV(4, 18)
#define KV_NEWEST KV(7, 3)

/* "Linux 4.18 to 7.3": the kernels klpdiff has a profile for, for messages. */
const char *kernel_profile_known(void);

/* A target kernel: a build tree, or a distribution's headers. */
struct kernel_profile {
	char *kdir;		/* where its .config and include/config/kernel.release are */
	char *release;		/* uname -r */
	unsigned version;	/* KV() */
	const struct arch *arch;
	struct kbuild_cross cross;	/* for make: ARCH=, CROSS_COMPILE= */
	char *probe;		/* the layout probe module, built against it (cached) */
	/* Its special-section layouts, one per section the probe fills. */
	const struct special_layout *layouts[16];
	size_t nr_layouts;
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
 * entries have. From then on, objects read by elf_open() must have them.
 */
int kernel_profile_probe(struct kernel_profile *p, const char *cache_dir);
/* Both, with klpdiff's cache: the objects read from now on are of the kernel in @kdir. */
int kernel_profile_target(struct kernel_profile *p, const char *kdir);
void kernel_profile_free(struct kernel_profile *p);

/* A function the kernel calls with __LINE__ as an argument. */
struct line_helper {
	const char *name;
	uint8_t args;		/* bit N: argument N (0-based) may be the line */
};

/*
 * Every line helper of the kernels klpdiff knows (Linux 4.18 to 7.3): where
 * a helper's line moved between versions, both places are set. That is safe:
 * only an immediate loaded into that argument is left out of the line sum,
 * and the other kernels pass a pointer or nothing there.
 */
const struct line_helper *kernel_line_helpers(size_t *nr);

/*
 * printk-style functions and which argument is the format: a "%s:%d" in it
 * whose %s is the function's name (__func__) or the source file (__FILE__)
 * passes a line in the %d.
 */
struct format_helper {
	const char *name;
	uint8_t format_arg;
};

const struct format_helper *kernel_format_helpers(size_t *nr);

/*
 * Is @name (a static local's, without its function's prefix) one the
 * kernel's macros make per call site (lockdep keys, WARN_ONCE flags, dynamic
 * debug descriptors, ...)? Such statics hold line numbers or flags of their
 * own and are never shared with the original.
 */
bool kernel_special_static(const char *name);

#endif
