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

struct elf_object;
struct ksym_unit;

struct ksym {
	const char *name;
	const char *unit;	/* FILE symbol before it, for locals (ELF only) */
	uint32_t file;		/* that FILE symbol's ordinal, from 1 (0: none) */
	uint64_t addr;		/* in a relocatable object (a .ko): the offset in shndx */
	uint64_t size;		/* 0: unknown (kallsyms lists no sizes) */
	uint32_t shndx;		/* section, in a relocatable object; else 0 */
	bool local;
	bool func;		/* code: STT_FUNC, kallsyms's t or T */
	bool absolute;		/* kallsyms's A (per-CPU): binding and kind unknown */
	size_t order;		/* position in kallsyms order */
	struct ksym *next;	/* next of the same name, in kallsyms order */
	struct ksym *first;	/* the first of the same name */
};

struct kernel_symbols {
	const char *path;
	struct ksym *syms;
	size_t nr;
	struct ksym **by_order;	/* kallsyms order (address order for vmlinux) */
	struct ksym **by_place;	/* by shndx and address, once a lookup needs it */
	struct strmap by_name;	/* name -> first struct ksym */
	char *strtab;		/* copy of the string table, or the kallsyms text */
	bool has_units;		/* FILE symbols tell locals apart (ELF with symbols) */
	bool symtab_order;	/* listed in symbol-table order (a module), not by address */
	char *depends;		/* a module's "depends=", from its .modinfo; else NULL */
	unsigned machine;	/* an ELF's e_machine and EI_DATA; 0 for kallsyms */
	unsigned char elf_data;
	struct ksym_unit *unit;	/* the patched unit, for same-named locals */
	uint32_t *seen, stamp;	/* scratch of kernel_symbols_pick.c, by a name's first entry */
};

/*
 * Read @path: an ELF with a symbol table (vmlinux, a .ko or a .o), or a
 * kallsyms listing ("ADDRESS TYPE NAME [MODULE]" lines: /proc/kallsyms,
 * System.map), of which only vmlinux's lines are taken. -1 after an error
 * naming it.
 */
int kernel_symbols_read(struct kernel_symbols *ks, const char *path);
/*
 * The patched unit, compiled here (its original object), whose same-named
 * locals are to be told apart from other units' (kernel_symbols_pick.c).
 */
void kernel_symbols_set_unit(struct kernel_symbols *ks, const struct elf_object *unit);
/* What kernel_symbols_set_unit() takes of a unit's symbol. */
struct unit_sym {
	const char *name;
	uint32_t sec;		/* its section's index (the order of function and data sections) */
	uint32_t group;		/* sec, if that holds other named symbols; else 0 */
	uint32_t index;		/* in the symbol table */
	uint64_t value;		/* in its section */
	uint64_t size;
	bool local;
	bool func, data;	/* STT_FUNC; STT_OBJECT or STT_TLS */
};
/*
 * The same from a list of symbols (@syms is copied; the names are not).
 * @linker_made: names the link adds beside the unit's (the arch's
 * is_prefix_symbol: __pfx_ padding symbols), or NULL.
 */
void kernel_symbols_set_unit_syms(struct kernel_symbols *ks, const struct unit_sym *syms,
				  size_t nr, bool (*linker_made)(const char *name));
/*
 * kernel_symbols_sympos() without a word: the symbol (and *@sympos), or NULL
 * when the name is unknown or which one cannot be told.
 */
const struct ksym *kernel_symbols_find_local(struct kernel_symbols *ks, const char *name,
					     const char *unit, uint64_t size, long *sympos);
/* The symbol of @name at livepatch position @sympos (0: the only one), or NULL. */
const struct ksym *kernel_symbols_at(const struct kernel_symbols *ks, const char *name,
				     long sympos);
void kernel_symbols_free(struct kernel_symbols *ks);
bool kernel_symbols_has(const struct kernel_symbols *ks, const char *name);
/* Does this module (a .ko) depend on @module, by its .modinfo? */
bool kernel_symbols_depends_on(const struct kernel_symbols *ks, const char *module);
/*
 * The livepatch sympos of @name: 0 if the name is unique, else the 1-based
 * position among same-named symbols of the one that is the unit's (@unit:
 * its FILE name, "name#N" for the Nth of that name; @size: its size), by
 * the evidence kernel_symbols_pick.c describes. Returns -1 after printing
 * why it cannot be decided, naming the candidates.
 */
long kernel_symbols_sympos(struct kernel_symbols *ks, const char *name, const char *unit,
			   uint64_t size);
/* Free what kernel_symbols_set_unit() made (kernel_symbols_free() does). */
void kernel_symbols_unit_free(struct kernel_symbols *ks);

struct symvers {
	struct strmap exported;	/* symbol -> module name ("vmlinux" ...) */
	char *text;
};

int symvers_read(struct symvers *sv, const char *path);
void symvers_free(struct symvers *sv);
/* The object exporting @name, or NULL. */
const char *symvers_owner(const struct symvers *sv, const char *name);

#endif
