// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The closure: what goes into the patch object. Its roots are the changed
 * functions (each with its manifest line), the new ones and the callbacks;
 * every symbol their relocations need a copy of (copy_reason()) is copied
 * and queued in turn, with the special-section entries of every function.
 */
#include <elf.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "elf/names.h"
#include "patch/extract_internal.h"
#include "patch/patch_object.h"

/* Why the patch needs its own copy of @sym, or NULL: the running kernel's will do. */
const char *copy_reason(const struct extractor *ex, const struct elf_symbol *sym)
{
	const struct xsym *x = &ex->x[sym->index];

	if (!sym->sec || sym->type == STT_SECTION)
		return NULL;
	if (x->role == ROLE_PATCH)
		return "changed";
	if (x->role == ROLE_NEW)
		return sym_is_func(sym) ? "new function" : "new data";
	if (x->out)
		return "copied already";
	/* .cold pieces have no entry of their own: they go with their parent. */
	if (sym_is_func(sym) && name_is_cold_piece(sym->key))
		return "a .cold piece, which goes with its parent";
	/* Special static locals are never shared with the original. */
	if (sym_is_object(sym) && is_special_static(SUM_OBJECT, sym->key))
		return "a special static local, never shared with the original";
	return NULL;
}

/*
 * A copy is aligned as its section, up to a cache line: a page-aligned
 * section's symbols would otherwise each start a page of the patch's section
 * (the section itself keeps its alignment, so its first copy has it all).
 */
#define COPY_ALIGN_MAX 64

/* ---- copies ------------------------------------------------------------- */

static void enqueue(struct extractor *ex, struct elf_symbol *sym)
{
	if (ex->x[sym->index].queued)
		return;
	ex->x[sym->index].queued = true;
	GROW(ex->queue, ex->nr_queue, ex->alloc_queue, ex->nr_queue + 1);
	ex->queue[ex->nr_queue++] = sym;
}

static struct ow_section *out_section_for(struct extractor *ex, const struct elf_symbol *sym)
{
	const struct elf_section *in = sym->sec;
	char *name = sym_is_func(sym) && !starts_with(in->name, ".text.") ?
			     xasprintf(".text.%s", sym->name) : xstrdup(in->name);
	struct ow_section *sec;

	if (sym_is_func(sym) && starts_with(in->name, ".text.") && in->shared_code) {
		free(name);
		name = xasprintf(".text.%s", sym->name);
	}
	sec = ow_section(&ex->w, name, in->sh->sh_type, in->sh->sh_flags & ~SHF_GROUP,
			 in->sh->sh_addralign);
	free(name);
	return sec;
}

/* Copy @sym's bytes into the output (once, for the reason @why) and give it an output symbol. */
struct ow_symbol *copy_symbol_why(struct extractor *ex, struct elf_symbol *sym, const char *why)
{
	struct xsym *x = &ex->x[sym->index];
	const struct elf_section *in = sym->sec;
	uint64_t align = in->sh->sh_addralign ? in->sh->sh_addralign : 1;

	if (x->out)
		return x->out;
	trace(ex, "copy %s: %s", sym->name, why);
	x->out_sec = out_section_for(ex, sym);
	if (align > COPY_ALIGN_MAX)
		align = COPY_ALIGN_MAX;
	x->prefix = function_prefix(ex, sym);
	/* The prefix goes where the function's alignment would have put padding. */
	x->out_off = ow_append(x->out_sec, in->data ? in->data + sym->value - x->prefix : NULL,
			       sym->size + x->prefix, align) + x->prefix;
	x->out = ow_add_symbol(&ex->w, sym->name, sym->bind, sym->type, x->out_sec, x->out_off,
			       sym->size);
	/* Not the visibility: ppc64 ELFv2 keeps the local entry offset there. */
	x->out->other = sym->other & ~(unsigned char)ELF64_ST_VISIBILITY(0xff);
	enqueue(ex, sym);
	return x->out;
}

/* The same for a symbol that copy_reason() says the patch needs. */
static struct ow_symbol *copy_symbol(struct extractor *ex, struct elf_symbol *sym)
{
	return copy_symbol_why(ex, sym, copy_reason(ex, sym));
}

/* A whole anonymous section (no symbol covers the target): copied once. */
struct ow_section *copy_anon_section(struct extractor *ex, struct elf_section *in, uint64_t *base)
{
	if (!ex->anon_out[in->index]) {
		struct ow_section *out = ow_section(&ex->w, in->name, in->sh->sh_type,
						    in->sh->sh_flags & ~SHF_GROUP, in->sh->sh_addralign);

		ex->anon_base[in->index] = ow_append(out, in->data, in->sh->sh_size,
						     in->sh->sh_addralign);
		ex->anon_out[in->index] = out;
		copy_relocs(ex, in, 0, in->sh->sh_size, out, ex->anon_base[in->index]);
	}
	*base = ex->anon_base[in->index];
	return ex->anon_out[in->index];
}

/* A string or constant of a merged section, copied (once) into the same-named section. */
struct ow_symbol *copy_merged(struct extractor *ex, const struct elf_section *in, uint64_t t,
			      uint64_t *out_off)
{
	bool strings = in->sh->sh_flags & SHF_STRINGS;
	uint64_t len = strings ? strnlen((const char *)in->data + t, in->sh->sh_size - t) + 1 :
				 in->sh->sh_entsize;
	char *key = xasprintf("%s\x01%.*s", in->name, (int)len, (const char *)in->data + t);
	void **slot = strmap_slot(&ex->string_offsets, key);
	struct ow_section *out = ow_section(&ex->w, in->name, in->sh->sh_type, in->sh->sh_flags,
					    in->sh->sh_addralign);

	out->entsize = in->sh->sh_entsize;
	if (*slot && strings) {
		free(key);
	} else {
		*slot = (void *)(uintptr_t)(ow_append(out, in->data + t, len,
						      strings ? 1 : in->sh->sh_addralign) + 1);
	}
	*out_off = (uint64_t)(uintptr_t)*slot - 1;
	return ow_section_symbol(&ex->w, out);
}

/* ---- the roots and the queue ---------------------------------------------- */

static void process_queue(struct extractor *ex)
{
	for (size_t i = 0; i < ex->nr_queue; i++) {
		struct elf_symbol *sym = ex->queue[i];
		struct xsym *x = &ex->x[sym->index];

		ex->current_fn = sym_is_func(sym) ? sym : NULL;
		copy_relocs(ex, sym->sec, sym->value - x->prefix, sym->value + sym->size, x->out_sec,
			    x->out_off - x->prefix);
		ex->current_fn = NULL;
		if (sym_is_func(sym))
			copy_entries_of(ex, sym);
	}
}

static void manifest(struct extractor *ex, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void manifest(struct extractor *ex, const char *fmt, ...)
{
	va_list ap;
	char *line;

	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) < 0)
		fatal("out of memory");
	va_end(ap);
	ow_append(ex->manifest, line, strlen(line), 1);
	free(line);
}

/* A global name for the copied function @out, for the generated module to use. */
static void add_alias(struct extractor *ex, const char *alias, const struct ow_symbol *out)
{
	ow_add_symbol(&ex->w, alias, STB_GLOBAL, STT_FUNC, out->sec, out->value, out->size)->other =
		out->other;
}

static void add_patched_function(struct extractor *ex, struct elf_symbol *sym)
{
	const struct sum_record *twin = ex->x[sym->index].twin;
	struct ow_symbol *out = copy_symbol(ex, sym);
	long pos = kernel_symbols_sympos(&ex->ksyms, twin->name, twin->unit, twin->size);
	char *alias;

	if (pos < 0) {
		ex->errors++;
		return;
	}
	alias = xasprintf("__klpdiff_new.%s.%s.%ld", objname(ex), twin->name, pos);
	add_alias(ex, alias, out);
	manifest(ex, "func %s %s %ld %s\n", objname(ex), twin->name, pos, alias);
	trace(ex, "patch %s: replaces %s %s sympos %ld", sym->name, objname(ex), twin->name, pos);
	free(alias);
}

/*
 * The function the relocation at @field of @sec (a callback's pointer)
 * names, or NULL after an error naming @where.
 */
static struct elf_symbol *callback_target(struct extractor *ex, const struct elf_section *sec,
					  uint64_t field, const char *where)
{
	size_t i = elf_first_reloc(sec, field);
	struct elf_symbol *fn;

	if (i >= sec->nr_relocs || sec->relocs[i].offset != field) {
		fail(ex, "%s+%#" PRIx64 ": malformed record", where, field);
		return NULL;
	}
	fn = elf_reloc_sym(ex->patched, &sec->relocs[i]);
	if (fn->type == STT_SECTION && fn->sec)
		fn = elf_symbol_containing(fn->sec, fn->value + (uint64_t)sec->relocs[i].addend);
	if (!fn || !sym_is_func(fn) || !fn->sec) {
		fail(ex, "%s+%#" PRIx64 ": not a function", where, field);
		return NULL;
	}
	return fn;
}

/* The function a callback record at @off of @sec names, or NULL after an error. */
static struct elf_symbol *callback_function(struct extractor *ex, const struct elf_section *sec,
					    uint64_t off, uint64_t *kind)
{
	memcpy(kind, sec->data + off + offsetof(struct klpdiff_callback, kind), sizeof(*kind));
	if (*kind < KLPDIFF_PRE_PATCH || *kind >= KLPDIFF_NR_CALLBACK_KINDS) {
		fail(ex, CALLBACKS_SECTION "+%#" PRIx64 ": malformed record", off);
		return NULL;
	}
	return callback_target(ex, sec, off + offsetof(struct klpdiff_callback, fn),
			       CALLBACKS_SECTION);
}

/* @fn, a callback of @kind: copied, and named in the manifest. */
static void add_callback(struct extractor *ex, struct elf_symbol *fn, int kind)
{
	const char *name = callback_kinds[kind].name;
	struct ow_symbol *out;
	char *alias;

	trace(ex, "callback %s: %s", name, fn->name);
	out = copy_symbol_why(ex, fn, "a callback");
	alias = xasprintf("__klpdiff_callback.%s.%s.%s", objname(ex), name, fn->name);
	add_alias(ex, alias, out);
	manifest(ex, "callback %s %s %s\n", objname(ex), name, alias);
	free(alias);
}

/* Callbacks registered with KLPDIFF_*_CALLBACK (include/klpdiff/klpdiff-macros.h). */
static void add_klpdiff_callbacks(struct extractor *ex)
{
	struct elf_section *sec = elf_find_section(ex->patched, CALLBACKS_SECTION);

	if (!sec || !sec->data)
		return;
	/* The compiler may align the records: walk them by their symbols. */
	for (size_t k = 0; k < sec->nr_syms; k++) {
		uint64_t off = sec->syms[k]->value, kind;
		struct elf_symbol *fn;

		if (!sym_is_object(sec->syms[k]) ||
		    off + sizeof(struct klpdiff_callback) > sec->sh->sh_size)
			continue;
		fn = callback_function(ex, sec, off, &kind);
		if (fn)
			add_callback(ex, fn, (int)kind);
	}
}

/* The kind whose kernel prefix @name has, or 0. */
static int kernel_callback_kind(const char *name)
{
	for_each_callback_kind(k)
		if (starts_with(name, callback_kinds[k].kernel_prefix))
			return k;
	return 0;
}

/*
 * Callbacks registered with the kernel's KLP_*_CALLBACK: a pointer each,
 * named by its kind. Any other symbol there is one klpdiff cannot place.
 */
static void add_kernel_callbacks(struct extractor *ex)
{
	struct elf_section *sec = elf_find_section(ex->patched, KERNEL_CALLBACKS_SECTION);

	for (size_t k = 0; sec && k < sec->nr_syms; k++) {
		const struct elf_symbol *ptr = sec->syms[k];
		struct elf_symbol *fn;
		int kind;

		if (!sym_is_object(ptr))
			continue;
		kind = kernel_callback_kind(ptr->name);
		if (!kind) {
			fail(ex, KERNEL_CALLBACKS_SECTION ": %s is no callback klpdiff knows",
			     ptr->name);
			continue;
		}
		fn = callback_target(ex, sec, ptr->value, KERNEL_CALLBACKS_SECTION);
		if (fn)
			add_callback(ex, fn, kind);
	}
}

static bool is_init_or_exit(const struct extractor *ex, const struct elf_symbol *sym)
{
	return section_lifetime(ex->patched->arch, sym->sec->name) != 0;
}

void build_patch(struct extractor *ex)
{
	struct elf_symbol *sym;

	ow_init(&ex->w, &ex->patched->ehdr);
	strmap_init(&ex->string_offsets, 256);
	strmap_init(&ex->module_keys, 16);
	strmap_init(&ex->module_names, 16);
	strmap_init(&ex->toc_refused, 16);
	ex->relocs = ow_section(&ex->w, RELOCS_SECTION, SHT_PROGBITS, 0,
				_Alignof(struct klp_reloc_entry));
	ex->strings = ow_section(&ex->w, STRINGS_SECTION, SHT_PROGBITS, 0, 1);
	ex->manifest = ow_section(&ex->w, MANIFEST_SECTION, SHT_PROGBITS, 0, 1);
	ex->anon_out = xcalloc(ex->patched->nr_sections, sizeof(*ex->anon_out));
	ex->anon_base = xcalloc(ex->patched->nr_sections, sizeof(*ex->anon_base));
	ex->entry_slot = xcalloc(ex->patched->nr_sections, sizeof(*ex->entry_slot));
	manifest(ex, "object %s\n", objname(ex));
	checksum_init(&ex->entries, ex->patched, true);
	for_each_symbol(ex->patched, sym) {
		const struct xsym *x = &ex->x[sym->index];

		if (x->role == ROLE_PATCH)
			add_patched_function(ex, sym);
		else if (x->role == ROLE_NEW && sym_is_func(sym) && !is_init_or_exit(ex, sym) &&
			 !name_is_cold_piece(sym->key))
			copy_symbol(ex, sym);
	}
	add_klpdiff_callbacks(ex);
	add_kernel_callbacks(ex);
	process_queue(ex);
	trace_dropped_entries(ex);
}
