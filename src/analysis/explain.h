/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Why a function counts as changed: its first differing instruction. */
#ifndef KLPDIFF_EXPLAIN_H
#define KLPDIFF_EXPLAIN_H

#include <stdio.h>

#include "elf/elf_object.h"

/* Returns 0 (explained or unchanged) or -1 (no such function: error printed). */
int explain_function(FILE *fp, const char *name, struct elf_object *orig,
		     struct elf_object *patched);

#endif
