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

#include "base/strmap.h"

struct ksym {
	const char *name;
	const char *unit;	/* FILE symbol before it, for locals (ELF only) */
	uint64_t addr;
	uint64_t size;		/* 0: unknown (kallsyms lists no sizes) */
	bool local;
	size_t order;		/* position in kallsyms order */
	struct ksym *next;	/* next of the same name, in kallsyms order */
};

struct kernel_symbols {
	const char *path;
	struct ksym *syms;
	size_t nr;
	struct ksym **by_order;	/* kallsyms order (address order for vmlinux) */
	struct strmap by_name;	/* name -> first struct ksym */
	char *strtab;		/* copy of the string table, or the kallsyms text */
	bool has_units;		/* FILE symbols tell locals apart (ELF with symbols) */
	struct strmap unit_names;	/* without units: names defined in the patched unit */
};

/*
 * Read @path: an ELF with a symbol table (vmlinux, a .ko or a .o), or a
 * kallsyms listing ("ADDRESS TYPE NAME [MODULE]" lines: /proc/kallsyms,
 * System.map), of which only vmlinux's lines are taken. -1 after an error
 * naming it.
 */
int kernel_symbols_read(struct kernel_symbols *ks, const char *path);
/*
 * Without FILE symbols (kallsyms), same-named locals are told apart by
 * their neighbours: the one surrounded by other names of the patched unit.
 * @names: the names the unit defines.
 */
void kernel_symbols_set_unit_names(struct kernel_symbols *ks, const char *const *names,
				   size_t nr);
/*
 * Without FILE symbols: the one of several locals called @name that the
 * unit's names surround (and its livepatch position), or NULL if that does
 * not tell (nothing printed).
 */
const struct ksym *kernel_symbols_pick_local(const struct kernel_symbols *ks, const char *name,
					     long *sympos);
/*
 * kernel_symbols_sympos() without a word: the symbol (and *@sympos), or NULL
 * when the name is unknown or which one cannot be told.
 */
const struct ksym *kernel_symbols_find_local(const struct kernel_symbols *ks, const char *name,
					     const char *unit, uint64_t size, long *sympos);
/* The symbol of @name at livepatch position @sympos (0: the only one), or NULL. */
const struct ksym *kernel_symbols_at(const struct kernel_symbols *ks, const char *name,
				     long sympos);
void kernel_symbols_free(struct kernel_symbols *ks);
bool kernel_symbols_has(const struct kernel_symbols *ks, const char *name);
/*
 * The livepatch sympos of @name: 0 if the name is unique, else the 1-based
 * position among same-named symbols, picking the one of @unit (a FILE name,
 * "name#N" for the Nth of that name) and, if still ambiguous, of @size;
 * without FILE symbols, the one among the unit's names (see above).
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
