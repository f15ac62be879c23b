/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Is the original compiled here the code the running kernel was built from?
 * Each function of the original object is compared with the same function
 * in the shipped vmlinux (through kallsyms addresses) or the shipped module,
 * before a patch is built on a wrong base.
 */
#ifndef KLPDIFF_VERIFY_H
#define KLPDIFF_VERIFY_H

#include <stdbool.h>
#include <stddef.h>

struct elf_layouts;

struct verify_opts {
	const char *orig;	/* original object compiled here (function sections) */
	const char *display;	/* how to name it in messages (e.g. fs/proc/cmdline.o) */
	const char *objname;	/* "vmlinux" or the module's name */
	const char *shipped;	/* vmlinux: the ELF from kernel_image_extract(); module: its .ko */
	const char *kallsyms;	/* vmlinux only: kallsyms, System.map or an ELF with symbols */
	const struct elf_layouts *target;	/* the kernel's layouts, for elf_open() */
	bool keep_going;	/* report every differing function, not only the first */
};

struct verify_stats {
	size_t compared;	/* functions found on both sides and compared */
	size_t skipped;		/* functions the shipped kernel does not have (inlined) */
	size_t checked;		/* relocation sites whose shipped value or target was checked */
	size_t masked;		/* relocation sites whose shipped value cannot be known */
	size_t mismatched;	/* functions compared and found different (reported) */
};

/*
 * 0: every function found on both sides is identical; -1: a mismatch or an
 * error, reported. With keep_going, each differing function is reported and
 * counted (st->mismatched), the rest still compared, and -1 is an error only.
 */
int verify_original(const struct verify_opts *o, struct verify_stats *st);

#endif
