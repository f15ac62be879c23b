/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the parts of extract share (not for other callers: see extract.h):
 *  - extract.c: loading the pair, deciding what changed, messages, the run;
 *  - extract_closure.c: what goes into the patch object, and the copies;
 *  - extract_refs.c: the copied relocations, each kept, redirected to a copy,
 *    made a normal relocation to the running kernel or a livepatch one;
 *  - extract_special.c: the special-section entries of copied functions and
 *    the static keys of other modules;
 *  - extract_toc.c: architectures whose code runs on a TOC (ppc64le).
 */
#ifndef KLPDIFF_EXTRACT_INTERNAL_H
#define KLPDIFF_EXTRACT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/checksum.h"
#include "analysis/diff.h"
#include "analysis/sums.h"
#include "base/strmap.h"
#include "base/util.h"
#include "elf/elf_object.h"
#include "elf/elf_writer.h"
#include "kernel/ibt.h"
#include "kernel/kernel_symbols.h"
#include "patch/extract.h"

enum role {
	ROLE_NONE,	/* not in the patch */
	ROLE_PATCH,	/* changed function: replaces the original */
	ROLE_NEW,	/* new function or data: copied */
};

/* What extract knows about one symbol of the patched object. */
struct xsym {
	enum role role;
	const struct sum_record *twin;	/* the original's record, if paired */
	struct ow_symbol *out;		/* once copied */
	struct ow_section *out_sec;
	uint64_t out_off;
	unsigned prefix;		/* bytes before it that go with it */
	bool queued;
	bool ignored;			/* named by KLPDIFF_IGNORE_FUNCTION */
};

struct extractor {
	const struct extract_opts *opts;
	struct elf_object *orig, *patched;
	struct sum_list orig_sums, patched_sums;
	struct diff_result diff;
	struct xsym *x;
	struct elf_symbol **queue;
	size_t nr_queue, alloc_queue;
	struct checksum_ctx entries;	/* every special-section entry, by owner */
	struct kernel_symbols ksyms, vsyms;
	bool have_vsyms;
	struct ibt_module ibt_module;	/* the module's seal list (opts->ibt_module) */
	struct symvers symvers;
	struct elf_writer w;
	struct ow_section *relocs, *strings, *manifest;
	struct strmap string_offsets;	/* "secname\x01text" -> offset + 1 */
	struct strmap module_keys;	/* keys of other modules said once */
	struct strmap module_names;	/* Module.symvers module path -> module name */
	struct strmap toc_refused;	/* symbols reached TOC-relative, refused once */
	struct ow_section **anon_out;	/* by input section index: whole-section copies */
	uint64_t *anon_base;
	struct ow_section *table_out;	/* the address table's entries the patch uses */
	uint64_t *table_slot;		/* by input entry: output offset + 1 */
	uint64_t **entry_slot;		/* by special section, entry: output offset + 1 */
	int errors;
	size_t nr_patched;
	const struct elf_symbol *current_fn;	/* whose code copy_relocs is copying */
	const struct elf_section *site_sec;	/* where the reference being copied is */
	uint64_t site_off;
};

static inline const char *objname(const struct extractor *ex)
{
	return ex->opts->objname;
}

static inline bool is_vmlinux(const struct extractor *ex)
{
	return streq(objname(ex), "vmlinux");
}

/* The patched object as the user knows it (in the kernel build, not klpdiff's work directory). */
static inline const char *shown_name(const struct extract_opts *o)
{
	return o->display ? o->display : o->patched;
}

/* ---- extract.c: messages ------------------------------------------------- */

/* An error in the input: one line, counted (extraction stops once all are said). */
void fail(struct extractor *ex, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A change a live patch cannot make; returns -1. */
int refuse(struct extractor *ex, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* --trace: "trace: WHAT NAME: decision (why)". */
void trace(const struct extractor *ex, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "ref SITE -> TARGET: decision": SITE is the reference's place in the patched object. */
void trace_ref(const struct extractor *ex, const char *target, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- extract_closure.c: what goes into the patch ------------------------- */

/* The patch object in ex->w: changed and new functions, callbacks, their closure. */
void build_patch(struct extractor *ex);
/* Why the patch needs its own copy of @sym, or NULL: the running kernel's will do. */
const char *copy_reason(const struct extractor *ex, const struct elf_symbol *sym);
/* Copy @sym's bytes into the output (once, for the reason @why) and give it an output symbol. */
struct ow_symbol *copy_symbol_why(struct extractor *ex, struct elf_symbol *sym, const char *why);
/* A whole anonymous section (no symbol covers the target): copied once, at *@base. */
struct ow_section *copy_anon_section(struct extractor *ex, struct elf_section *in, uint64_t *base);
/* A string or constant of a merged section, copied (once) into the same-named section. */
struct ow_symbol *copy_merged(struct extractor *ex, const struct elf_section *in, uint64_t t,
			      uint64_t *out_off);

/* ---- extract_refs.c: references ------------------------------------------ */

/* How the patch refers to a symbol of the running kernel. */
enum kernel_ref {
	REF_EXPORTED,	/* a normal relocation: the symbol is exported */
	REF_NEW,	/* a normal relocation: new in another object of the patch */
	REF_NO_VSYMS,	/* cannot tell: a module's patch without --vmlinux-symbols */
	REF_KLP,	/* a livepatch relocation to object *obj */
	REF_DEPENDENCY,	/* one to the export of a module the patched one depends on */
	REF_UNDECLARED,	/* refused: the export of a module the patched one does not use */
};

enum kernel_ref kernel_ref_of(struct extractor *ex, const struct elf_symbol *sym,
			      const char *name, const char **obj, struct kernel_symbols **ks);
/* The name the running kernel knows @sym by (its twin's, for a renamed clone). */
const char *kernel_name(const struct extractor *ex, const struct elf_symbol *sym);
/*
 * A reference at @out+@place to the variable @name of the running kernel,
 * whether or not the patched object has a symbol for it.
 */
void reference_variable(struct extractor *ex, struct ow_section *out, uint64_t place,
			uint32_t type, const char *name, int64_t addend);
/* Copy the relocation @r of input section @in to @out at @place. */
void copy_reloc(struct extractor *ex, struct elf_section *in, const struct elf_reloc *r,
		uint64_t insn_end, struct ow_section *out, uint64_t place);
/* Copy the relocations of @in's [@start, @end) to @out, whose @out_off is @start. */
void copy_relocs(struct extractor *ex, struct elf_section *in, uint64_t start, uint64_t end,
		 struct ow_section *out, uint64_t out_off);

/* ---- extract_special.c: special-section entries --------------------------- */

/* The entries function @fn owns, copied with it (or fixed, for other modules' keys). */
void copy_entries_of(struct extractor *ex, const struct elf_symbol *fn);
/* --trace: the special-section entries left behind with their owners. */
void trace_dropped_entries(const struct extractor *ex);
/*
 * The patch's copy of the entry of special section @in holding offset @t
 * (the code refers to it: 7.x's WARN()), copied now if not yet: its
 * section's symbol, and @t's place there in *@out_off. NULL after an error.
 */
struct ow_symbol *copy_entry_at(struct extractor *ex, struct elf_section *in, uint64_t t,
				uint64_t *out_off);

/* ---- extract_toc.c: code on a TOC (ppc64le) ------------------------------- */

/* The bytes before function @sym that go with it (its offset to the TOC), or 0. */
unsigned function_prefix(const struct extractor *ex, const struct elf_symbol *sym);
/* Is offset @t of @sec an entry of the address table (.toc)? */
bool is_table_entry(const struct extractor *ex, const struct elf_section *sec, uint64_t t);
/* The patch's copy of the address table's entry at @t of @in: section symbol, offset. */
struct ow_symbol *copy_table_entry(struct extractor *ex, struct elf_section *in, uint64_t t,
				   uint64_t *out_off);
/* Why @sym is the module's own, never the running kernel's, or NULL. */
const char *module_own_symbol(const struct arch *arch, const struct elf_symbol *sym);
/*
 * For the branch being copied to @sym: sets *@why if it must reach a copy
 * in the module, to stay on the caller's TOC; -1 after refusing it.
 */
int toc_branch_reason(struct extractor *ex, const struct ow_section *out,
		      const struct elf_symbol *sym, const char **why);
/* Refuse (once per symbol) a TOC-relative reference to @sym of the running kernel. */
void refuse_toc_relative(struct extractor *ex, const struct ow_section *out,
			 struct elf_symbol *sym);

#endif
