// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Architectures whose code runs on a TOC (ppc64le; arch.h's address_table,
 * toc_symbol, branch_keeps_toc): the patch runs on its module's TOC. A .toc
 * entry the code loads is copied alone into the patch's .toc; a function's
 * large-model prefix (its offset to the TOC) goes with it; a callee reached
 * without a TOC restore is copied into the patch; a TOC-relative reference
 * to the running kernel is refused.
 */
#include <stdint.h>

#include "patch/extract_internal.h"

/* An address table entry is one 64-bit address, naturally aligned (ppc64's .toc). */
#define TABLE_ENTRY_SIZE ((uint64_t)sizeof(uint64_t))

/*
 * The bytes before function @sym that belong to it: ppc64 ELFv2's large
 * code model keeps the TOC's offset from the function there, for its global
 * entry to load (a relocation against the TOC symbol).
 */
unsigned function_prefix(const struct extractor *ex, const struct elf_symbol *sym)
{
	const struct arch *arch = ex->patched->arch;
	const struct elf_section *sec = sym->sec;
	unsigned n = arch->toc_offset_prefix;
	size_t k;

	if (!n || !sym_is_func(sym) || sym->value < n)
		return 0;
	k = elf_first_reloc(sec, sym->value - n);
	if (k >= sec->nr_relocs || sec->relocs[k].offset != sym->value - n ||
	    !streq(elf_reloc_sym(ex->patched, &sec->relocs[k])->name, arch->toc_symbol))
		return 0;
	return n;
}

bool is_table_entry(const struct extractor *ex, const struct elf_section *sec, uint64_t t)
{
	return elf_is_address_table(ex->patched, sec) && t + TABLE_ENTRY_SIZE <= sec->sh->sh_size;
}

/*
 * An entry of the address table (ppc64's .toc) that code loads an address
 * from, copied once with its relocation into the patch's own table: the
 * patch runs on its module's TOC. Returns the table's section symbol and,
 * in @out_off, where @t (an offset in @in) went.
 */
struct ow_symbol *copy_table_entry(struct extractor *ex, struct elf_section *in, uint64_t t,
				   uint64_t *out_off)
{
	uint64_t entry = t & ~(TABLE_ENTRY_SIZE - 1), *slot;

	if (!ex->table_slot) {
		ex->table_slot = xcalloc(in->sh->sh_size / TABLE_ENTRY_SIZE + 1,
					 sizeof(*ex->table_slot));
		ex->table_out = ow_section(&ex->w, in->name, in->sh->sh_type,
					   in->sh->sh_flags & ~SHF_GROUP, TABLE_ENTRY_SIZE);
	}
	slot = &ex->table_slot[entry / TABLE_ENTRY_SIZE];
	if (!*slot) {
		uint64_t off = ow_append(ex->table_out, in->data ? in->data + entry : NULL,
					 TABLE_ENTRY_SIZE, TABLE_ENTRY_SIZE);

		*slot = off + 1;
		copy_relocs(ex, in, entry, entry + TABLE_ENTRY_SIZE, ex->table_out, off);
	}
	*out_off = *slot - 1 + (t - entry);
	return ow_section_symbol(&ex->w, ex->table_out);
}

/* Why @sym is the module's own, never the running kernel's, or NULL. */
const char *module_own_symbol(const struct arch *arch, const struct elf_symbol *sym)
{
	if (arch->toc_symbol && streq(sym->name, arch->toc_symbol))
		return "the loader sets it to the module's TOC";
	if (!sym->sec && arch->is_link_provided && arch->is_link_provided(sym->name))
		return "the module's link provides it";
	return NULL;
}

/* Is the branch being copied one whose target must share the caller's TOC? */
static bool branch_keeps_toc(const struct extractor *ex)
{
	const struct elf_section *in = ex->site_sec;
	const struct arch *arch = ex->patched->arch;

	return arch->branch_keeps_toc && in && in->is_code && in->data &&
	       arch->branch_keeps_toc(in->data, in->sh->sh_size, ex->site_off);
}

/*
 * A branch whose target must share the caller's TOC reaches a copy in the
 * module: sets *@why for it, or refuses a target that cannot be copied.
 */
int toc_branch_reason(struct extractor *ex, const struct ow_section *out,
		      const struct elf_symbol *sym, const char **why)
{
	/* The loader gives the ftrace call a stub of its own, which needs no TOC. */
	if (!branch_keeps_toc(ex) || streq(sym->name, ex->patched->arch->kernel.fentry_name))
		return 0;
	if (!sym->sec || !sym_is_func(sym))
		return refuse(ex, "%s: the call to %s has no nop after it, where the module loader "
			      "restores the TOC after a call out of the module; gcc leaves one after "
			      "every call that may leave the unit: make the call in C", out->name,
			      sym->name);
	*why = "called on the caller's TOC (no nop after the call, or a sibling call): "
	       "it must be in the module";
	return 0;
}

/* Every such reference counts as an error; the first one to @sym says why. */
void refuse_toc_relative(struct extractor *ex, const struct ow_section *out,
			 struct elf_symbol *sym)
{
	void **said = strmap_slot(&ex->toc_refused, sym->name);

	if (!*said)
		refuse(ex, "%s: %s is reached relative to the TOC, and the running kernel's %s is "
		       "not on the module's TOC (compile it with -mcmodel=large, as klpdiff build does)",
		       out->name, sym->name, sym->name);
	else
		ex->errors++;
	*said = sym;
}
