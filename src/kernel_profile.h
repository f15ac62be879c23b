/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What klpdiff knows about kernel versions rather than about ELF or an
 * architecture: here, the helpers the kernel passes source line numbers to.
 */
#ifndef KLPDIFF_KERNEL_PROFILE_H
#define KLPDIFF_KERNEL_PROFILE_H

#include <stddef.h>
#include <stdint.h>

/* A function the kernel calls with __LINE__ as an argument. */
struct line_helper {
	const char *name;
	uint8_t args;		/* bit N: argument N (0-based) may be the line */
};

/*
 * Every line helper of the kernels klpdiff knows (Linux 4.18 to 6.12): where
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

#endif
