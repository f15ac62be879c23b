/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * From an original and a patched object to a patch object: the changed and
 * new functions with everything they need, their special-section entries,
 * references resolved the way a livepatch module needs them, and the
 * manifest of functions to patch (see klpdiff(1), "PATCH OBJECTS").
 */
/*
 * Layer patch (src/patch/): includes base/, elf/, analysis/ and kernel/ only.
 * tests/source/layers.t checks it.
 */
#ifndef KLPDIFF_EXTRACT_H
#define KLPDIFF_EXTRACT_H

#include <stdbool.h>

struct elf_layouts;
struct ibt_check;

struct extract_opts {
	const char *orig;
	const char *patched;
	const char *display;		/* how messages name the patched object (default: patched) */
	const char *output;
	const char *objname;		/* "vmlinux" or a module name */
	const char *kernel_symbols;	/* ELF the sympos of objname's symbols come from */
	const char *vmlinux_symbols;	/* for a module: vmlinux, for its references */
	const char *symvers;		/* Module.symvers: what is exported */
	const struct elf_layouts *target;	/* the kernel's layouts, for elf_open() */
	bool trace;			/* say every decision on stderr, one line each */
	/*
	 * IBT kernels: a function whose address the patch takes must be
	 * callable indirectly there: vmlinux's by @ibt (NULL without IBT),
	 * a module's by its .ko (@kernel_symbols) when @ibt_module.
	 */
	const struct ibt_check *ibt;
	bool ibt_module;
	/* kbuild runs objtool on the linked module: leave its sections to it. */
	bool objtool_at_link;
	bool quiet_no_change;		/* the caller says "no functional change" if it wants */
};

/* Returns 0 (written), 3 (nothing to patch) or 2 (refused or failed: nothing written). */
int extract(const struct extract_opts *opts);

#endif
