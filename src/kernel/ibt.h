/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Indirect-branch tracking (x86 IBT): can the running kernel's function be
 * called indirectly? Only if it starts with the landing instruction (ENDBR)
 * and the kernel did not overwrite that at boot (objtool's seal list of
 * functions whose address nothing in the kernel takes). A live patch that
 * takes the address of one that cannot would fault (#CP) when it is called.
 */
#ifndef KLPDIFF_IBT_H
#define KLPDIFF_IBT_H

#include <stdbool.h>
#include <stdint.h>

#include "elf/arch.h"
#include "elf/elf_object.h"
#include "kernel/kernel_image.h"
#include "kernel/kernel_symbols.h"

struct ibt_check {
	const struct arch *arch;
	struct image im;
	struct kernel_symbols ks;	/* vmlinux's, with the running kernel's addresses */
	uint64_t slide;			/* KASLR: kallsyms address minus the image's */
	uint64_t *sealed;		/* image addresses of sealed landings, sorted */
	size_t nr_sealed;
};

/*
 * Read the shipped vmlinux ELF @image and @symbols (its kallsyms, or the
 * vmlinux with symbols) for @arch. -1 after an error naming the file.
 */
int ibt_open(struct ibt_check *c, const struct arch *arch, const char *image, const char *symbols);
void ibt_close(struct ibt_check *c);
/*
 * NULL if vmlinux's @name (livepatch position @sympos) can be called
 * indirectly, or is not code; else why not.
 */
const char *ibt_not_callable(const struct ibt_check *c, const char *name, long sympos);

/*
 * A module of an IBT kernel, from its .ko: the module loader seals the
 * ENDBRs the module's own seal list names (objtool's: the functions whose
 * address nothing in the module takes) when it loads the module.
 */
struct ibt_module {
	const struct arch *arch;
	struct elf_object *ko;
	struct ibt_landing {
		uint32_t shndx;
		uint64_t offset;
	} *sealed;			/* sorted */
	size_t nr_sealed;
};

/* Read @ko (@target: its kernel's layouts, or NULL). -1 after an error naming the file. */
int ibt_module_open(struct ibt_module *m, const struct arch *arch, const char *ko,
		    const struct elf_layouts *target);
void ibt_module_close(struct ibt_module *m);
/*
 * NULL if the module's @name (livepatch position @sympos) can be called
 * indirectly once loaded, or is not code; else why not.
 */
const char *ibt_module_not_callable(const struct ibt_module *m, const char *name, long sympos);

#endif
