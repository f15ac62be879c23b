/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside elf/: the steps of elf_open() that elf_object.c (file, sections,
 * symbols), elf_relocs.c and layouts.c share.
 */
#ifndef KLPDIFF_ELF_INTERNAL_H
#define KLPDIFF_ELF_INTERNAL_H

#include "elf/elf_object.h"
#include "elf/layouts.h"
#include "base/util.h"

#define BAD(obj, ...) error((obj)->path, __VA_ARGS__)

/* Read and check every relocation section (checksums_only: those checksums read). */
int elf_read_relocs(struct elf_object *obj);
/* Settle each special section's layout: @target's, else the first that fits. */
int elf_choose_layouts(struct elf_object *obj, const struct elf_layouts *target);

#endif
