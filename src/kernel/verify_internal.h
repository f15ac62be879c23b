/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside verify: what the comparison (verify.c) and the refusal
 * (verify_report.c) share with the two kinds of shipped code, vmlinux
 * (verify_vmlinux.c: sites checked by address) and modules
 * (verify_module.c: sites checked by identity).
 */
#ifndef KLPDIFF_VERIFY_INTERNAL_H
#define KLPDIFF_VERIFY_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/strmap.h"
#include "elf/elf_object.h"
#include "kernel/kernel_image.h"
#include "kernel/kernel_symbols.h"
#include "kernel/verify.h"

/* sym_state, sec_state: whether the shipped address is known yet. */
enum { ADDR_UNSEEN, ADDR_KNOWN, ADDR_UNKNOWN };

/* The shipped function being compared with the original's. */
struct shipped_fn {
	const uint8_t *code;
	uint64_t size;		/* bytes readable from code */
	uint64_t base;		/* vmlinux: its address; module: its offset in its section */
	const struct elf_object *ko;	/* module only */
	const struct elf_symbol *kfn;
};

struct verify_ctx {
	const struct verify_opts *o;
	struct verify_stats *st;
	struct elf_object *obj;
	struct kernel_symbols ks;
	struct image im;
	uint64_t slide;		/* KASLR: kallsyms address minus the image's */
	uint8_t *sym_state;	/* by symbol index of obj */
	uint64_t *sym_addr;
	uint8_t *sec_state;	/* by section index of obj */
	uint64_t *sec_addr;
	uint8_t *mask;		/* scratch: one byte per byte of the function */
	size_t mask_alloc;
	const struct ksym **by_addr;	/* kallsyms sorted by address */
	struct strmap extra;	/* name -> struct extra_sym: see read_extras() */
	struct extra_sym {
		uint64_t addr;
		bool absolute;
		bool ambiguous;
	} *extras;
	char *extra_text;
	uint64_t *jump_sites;	/* jump-label sites: section index << 40 | offset, sorted */
	size_t nr_jump_sites;
	/* vmlinux: the function being compared, on both sides */
	const struct elf_symbol *fn;
	const struct shipped_fn *sf;
};

/* Where the comparison of a function stopped. */
struct mismatch {
	uint64_t off;		/* in the original */
	int64_t delta;		/* shipped offset minus the original's there */
	const struct elf_reloc *reloc;	/* the site that differs, if one does */
};

/* verify.c: the comparison, and what both kinds of shipped code use. */
void note_skipped(struct verify_ctx *c, const struct elf_symbol *fn, const char *why);
void note_masked(struct verify_ctx *c, const struct elf_object *obj,
		 const struct elf_symbol *fn, const struct elf_reloc *r);
const struct elf_reloc *reloc_at(const struct elf_section *sec, uint64_t offset);
bool compared_function(const struct elf_object *obj, const struct elf_symbol *s);
/* The bits of its field a relocation of @h writes, as the field reads in the object's order. */
uint64_t field_mask(struct reloc_howto h);
/* The string @r of @obj points at, with the bytes its section has from there (*@max); or NULL. */
const char *reloc_string(const struct elf_object *obj, const struct elf_reloc *r, size_t *max);
/* "name", "name+0x10", "name-0x4" into @buf */
void name_offset(char *buf, size_t size, const char *name, int64_t off);
/* The identity of the place @sec+@off ("name+0x10", a string), into @buf; false if unknowable. */
bool place_identity(const struct elf_section *sec, int64_t off, char *buf, size_t size);
/* Is @fn the shipped @sf? False with where they first differ in @m. */
bool same_function(struct verify_ctx *c, const struct elf_symbol *fn,
		   const struct shipped_fn *sf, struct mismatch *m);

/*
 * Whether a reference to @off of @fn lands at @shipped_off of the shipped
 * function at @code (@avail bytes, at @base), whose alignment padding may
 * differ: on the instruction paired with the original's there.
 */
bool padded_landing(struct verify_ctx *c, const struct elf_symbol *fn, uint64_t off,
		    const uint8_t *code, uint64_t avail, uint64_t base, uint64_t shipped_off);

/* verify_report.c: the refusal. */
/* A string as a message shows it: quoted, escaped, cut. */
char *quoted(const char *s, size_t max);
/* Two strings that differ, each quoted so that where they part shows. */
void quote_pair(const char *a, size_t amax, const char *b, size_t bmax, char **qa, char **qb);
/* How a relocation target reads in a message: "name", "name+0x10", a string. */
char *target_name(const struct elf_object *obj, const struct elf_reloc *r);
/*
 * The one-line refusal at @m, -1, counted in st->mismatched. A differing
 * site (m->reloc) names its target on each side: @expected, the original's
 * (target_name() or better), and @shipped_name, the shipped field's, if
 * known.
 */
int report_mismatch(struct verify_ctx *c, const struct elf_symbol *fn,
		    const struct shipped_fn *sf, const struct mismatch *m, const char *where,
		    const char *expected, const char *shipped_name);

/*
 * verify_field.c: what the linker writes into a field of @h for the value
 * @v; the bits of @field that @h writes; the TOC base TOC-relative fields
 * count from (ppc64's .TOC.); the shipped address of the symbol the
 * relocated shipped @field (at address @p) refers to, S = value - A [+ P],
 * from the field, a TOC offset's two halves or an address's pieces.
 */
uint64_t field_value(struct reloc_howto h, uint64_t v);
uint64_t read_field(const struct elf_object *obj, struct reloc_howto h, const uint8_t *field);
bool toc_base(const struct verify_ctx *c, uint64_t *toc);
bool shipped_target(const struct verify_ctx *c, const struct elf_reloc *r, struct reloc_howto h,
		    const uint8_t *field, uint64_t p, uint64_t *sym_addr);

/*
 * verify_vmlinux.c, verify_module.c: check every function; and whether
 * the shipped site at @spos holds what relocation @r of the original
 * does, or a shipped branch to @target goes where @r does, or where the
 * original's branch the assembler resolved to @off of @sec does: 1 yes,
 * 0 no, -1 cannot be known. vmlinux_site()'s @mask (@room bytes from the
 * field) gets any more bytes its check covers. *_place_name(): what is at
 * a shipped address (vmlinux) or offset in the function's section
 * (module), by name, for messages; NULL if unknown.
 */
int verify_vmlinux(struct verify_ctx *c);
int vmlinux_site(struct verify_ctx *c, const struct shipped_fn *sf,
		 const struct elf_section *sec, const struct elf_reloc *r, uint64_t spos,
		 uint8_t *mask, uint64_t room);
int vmlinux_branch(struct verify_ctx *c, const struct elf_section *sec,
		   const struct elf_reloc *r, uint64_t target);
int vmlinux_lands(struct verify_ctx *c, const struct elf_section *sec, uint64_t off,
		  uint64_t target);
char *vmlinux_place_name(const struct verify_ctx *c, uint64_t addr);
int verify_module(struct verify_ctx *c);
int module_site(struct verify_ctx *c, const struct shipped_fn *sf,
		const struct elf_reloc *r, uint64_t spos);
int module_branch(struct verify_ctx *c, const struct shipped_fn *sf,
		  const struct elf_reloc *r, uint64_t target);
int module_lands(const struct shipped_fn *sf, const struct elf_section *sec, uint64_t off,
		 uint64_t target);
char *module_place_name(const struct shipped_fn *sf, uint64_t off);

#endif
