/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the kernel's macros look like in object code, in every kernel
 * klpdiff knows (Linux 4.18 to 7.3, KV_OLDEST to KV_NEWEST): the helpers
 * it passes source line numbers to, and the static locals it makes per call
 * site. These are unions over all those kernels, not one kernel's profile.
 */
#ifndef KLPDIFF_CONVENTIONS_H
#define KLPDIFF_CONVENTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A function the kernel calls with __LINE__ as an argument. */
struct line_helper {
	const char *name;
	uint8_t args;		/* bit N: argument N (0-based) may be the line */
};

/*
 * Every line helper of the kernels klpdiff knows: where a helper's line
 * moved between versions, both places are set. That is safe: only an
 * immediate loaded into that argument is left out of the line sum, and the
 * other kernels pass a pointer or nothing there.
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
