/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The unit-to-module map of a run: which module (or vmlinux) each compiled
 * object is part of, and where the running module's symbols are. Asked by
 * several stages, found once per object.
 */
#ifndef KLPDIFF_UNIT_MODULES_H
#define KLPDIFF_UNIT_MODULES_H

#include <stdbool.h>

#include "base/strmap.h"
#include "build/kbuild.h"
#include "kernel/distro.h"
#include "kernel/kernel_symbols.h"

struct unit_module {
	char *name;			/* NULL: vmlinux */
	char *symbols;			/* the running module's symbols (a .ko) */
	struct kernel_symbols *ks;	/* read from @symbols when first needed */
	bool failed;			/* reported: no symbols for the module */
};

struct unit_modules {
	struct strmap map;		/* object -> struct unit_module */
	const struct kbuild *kb;
	struct dist_kernel *dk;	/* an installed kernel's packages, or NULL */
};

void unit_modules_init(struct unit_modules *um, const struct kbuild *kb,
		       struct dist_kernel *dk);
/*
 * The module @obj is part of (name NULL: vmlinux) and where the running
 * one's symbols are; NULL when they cannot be read (reported once).
 */
const struct unit_module *unit_module_of(struct unit_modules *um, const char *obj);
/* Whether @name is a symbol of @vmlinux or of the running module @obj belongs to. */
bool unit_module_has_symbol(struct unit_modules *um, const char *obj,
			    const struct kernel_symbols *vmlinux, const char *name);
void unit_modules_free(struct unit_modules *um);

#endif
