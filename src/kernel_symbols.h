/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the running kernel calls things: the symbol table of a vmlinux or a
 * module, in kallsyms order, for livepatch sympos; and Module.symvers, for
 * which symbols a module may link against normally.
 */
#ifndef KLPDIFF_KERNEL_SYMBOLS_H
#define KLPDIFF_KERNEL_SYMBOLS_H

#include <stdbool.h>
#include <stdint.h>

#include "strmap.h"

struct ksym {
	const char *name;
	const char *unit;	/* FILE symbol before it, for locals */
	uint64_t size;
	bool local;
	struct ksym *next;	/* next of the same name, in kallsyms order */
};

struct kernel_symbols {
	const char *path;
	struct ksym *syms;
	size_t nr;
	struct strmap by_name;	/* name -> first struct ksym */
	char *strtab;		/* copy of the string table */
};

/* Read @path (an ELF: vmlinux, a .ko or a .o); -1 after an error naming it. */
int kernel_symbols_read(struct kernel_symbols *ks, const char *path);
void kernel_symbols_free(struct kernel_symbols *ks);
bool kernel_symbols_has(const struct kernel_symbols *ks, const char *name);
/*
 * The livepatch sympos of @name: 0 if the name is unique, else the 1-based
 * position among same-named symbols, picking the one of @unit (a FILE name,
 * "name#N" for the Nth of that name) and, if still ambiguous, of @size.
 * Returns -1 after printing why it cannot be decided.
 */
long kernel_symbols_sympos(const struct kernel_symbols *ks, const char *name, const char *unit,
			   uint64_t size);

struct symvers {
	struct strmap exported;	/* symbol -> module name ("vmlinux" ...) */
	char *text;
};

int symvers_read(struct symvers *sv, const char *path);
void symvers_free(struct symvers *sv);
/* The object exporting @name, or NULL. */
const char *symvers_owner(const struct symvers *sv, const char *name);

#endif
