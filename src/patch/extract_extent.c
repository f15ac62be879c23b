// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A changed function whose ftrace site livepatch may not find (arch.h's
 * ftrace_extent_search: ppc64le). Livepatch attaches to ftrace_location() of
 * the function's address, which searches the whole kallsyms extent, up to the
 * next symbol, for a site, and returns any one there. A weak function that
 * another unit overrides keeps its code (and its ftrace site, which such a
 * kernel keeps) where its unit put it, nameless: in the extent of the
 * function before it. Livepatch may then attach to a site that never runs,
 * load, complete its transition and change nothing (issue 28: show_val_kb()
 * of fs/proc/meminfo.c, followed by the weak arch_report_meminfo(), which
 * ppc64's overrides). Such a function's callers in its unit are patched too,
 * and call the patch's copy.
 */
#include <elf.h>
#include <stdlib.h>

#include "patch/extract_internal.h"

/* The function that follows @sym's section in its unit: the next code section's first. */
static const struct elf_symbol *next_function(const struct elf_object *obj,
					      const struct elf_symbol *sym)
{
	for (size_t i = sym->sec->index + 1; i < obj->nr_sections; i++) {
		const struct elf_section *sec = &obj->sections[i];

		if (!sec->is_code || !sec->nr_syms)
			continue;
		return sym_is_func(sec->syms[0]) ? sec->syms[0] : NULL;
	}
	return NULL;
}

/*
 * Does the running kernel's extent of @o (the original of a changed
 * function) hold the ftrace site of the weak function after it in its unit,
 * which another unit overrides? Sets *@weak to that function.
 */
static bool extent_holds_weak_site(struct extractor *ex, const struct sum_record *o,
				   const struct elf_symbol **weak)
{
	const struct kernel_symbols *ks = &ex->ksyms;
	const struct ksym *k, *next;
	long pos;

	*weak = next_function(ex->orig, o->sym);
	if (!*weak || (*weak)->bind != STB_WEAK || !has_ftrace_entry(ex, *weak))
		return false;
	pos = kernel_symbols_sympos(&ex->ksyms, o->name, o->unit, o->size);
	k = pos < 0 ? NULL : kernel_symbols_at(ks, o->name, pos);
	if (!k || ks->symtab_order || k->order + 1 >= ks->nr)
		return false;
	next = ks->by_order[k->order + 1];
	return !streq(next->name, (*weak)->name);
}

/*
 * Is @r a reference to @fn: against its symbol, or its section's with an
 * addend inside it (the assembler's choice for a local)? Special-section
 * entries (ftrace, bug and exception tables) are not references.
 */
static bool refers_to(const struct extractor *ex, const struct elf_section *sec,
		      const struct elf_reloc *r, const struct elf_symbol *fn)
{
	const struct elf_symbol *t = elf_reloc_sym(ex->patched, r);

	if (t == fn)
		return true;
	return t->type == STT_SECTION && t->sec == fn->sec && !sec->special && r->addend >= 0 &&
	       elf_symbol_containing(fn->sec, (uint64_t)r->addend) == fn;
}

/* Patch each function of the unit that calls @fn (in the patched object) too. */
static void patch_callers(struct extractor *ex, const struct elf_symbol *fn)
{
	const struct arch *arch = ex->patched->arch;
	const struct elf_section *sec;
	size_t callers = 0;

	for_each_section(ex->patched, sec) {
		for (size_t i = 0; i < sec->nr_relocs; i++) {
			const struct elf_reloc *r = &sec->relocs[i];
			struct elf_symbol *c;
			const struct sum_record *twin;

			if (!refers_to(ex, sec, r, fn))
				continue;
			c = sec->is_code ? elf_symbol_containing(sec, r->offset) : NULL;
			if (!c || !sym_is_func(c) || !arch->field_is_branch(sec->data, r->offset)) {
				refuse(ex, "%s: its address is taken in %s, where a call cannot be "
				       "sent to the patch's copy", fn->name, sec->name);
				continue;
			}
			callers++;
			twin = ex->x[c->index].twin;
			if (c == fn || ex->x[c->index].role == ROLE_PATCH)
				continue;
			if (!twin || !has_ftrace_entry(ex, twin->sym)) {
				refuse(ex, "%s: its caller %s cannot be patched (new, or without an "
				       "ftrace entry)", fn->name, c->name);
				continue;
			}
			ex->x[c->index].role = ROLE_PATCH;
			ex->nr_patched++;
			trace(ex, "patch %s: calls %s, whose ftrace site the running kernel may not "
			      "find", c->name, fn->name);
		}
	}
	if (!callers)
		refuse(ex, "%s: nothing in its unit calls it, and livepatch may attach to "
		       "another function's ftrace site", fn->name);
}

void patch_unreachable_sites(struct extractor *ex)
{
	bool more = ex->orig->arch->kernel.ftrace_extent_search;
	bool *done = more ? xcalloc(ex->patched->nr_symbols, sizeof(*done)) : NULL;

	/* Until no caller made patched here is such a function itself. */
	while (more) {
		more = false;
		for (size_t i = 0; i < ex->patched->nr_symbols; i++) {
			const struct elf_symbol *p = &ex->patched->symbols[i], *weak;
			const struct sum_record *o = ex->x[i].twin;

			if (done[i] || ex->x[i].role != ROLE_PATCH || !o)
				continue;
			done[i] = more = true;
			if (!extent_holds_weak_site(ex, o, &weak))
				continue;
			trace(ex, "callers %s: the running kernel's %s has the ftrace site of %s "
			      "(weak, overridden by another unit) after its own", p->name, o->name,
			      weak->name);
			if (!sym_is_local(p)) {
				refuse(ex, "%s: the running kernel's %s has the ftrace site of %s, "
				       "a weak function another unit overrides, after its own: "
				       "livepatch may attach to that one; patch its callers instead",
				       p->name, o->name, weak->name);
				continue;
			}
			patch_callers(ex, p);
		}
	}
	free(done);
}
