// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * References: each relocation of the copied code and data is kept, pointed
 * at the patch's own copy of its target, or made a reference to the running
 * kernel: a normal relocation to an exported symbol, else a record of a
 * livepatch relocation (.klpdiff.relocs, with its placeholder where the
 * arch asks for one) that postlink.c turns into a .klp.rela section.
 */
#include <elf.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "patch/extract_internal.h"
#include "patch/patch_object.h"

/* ---- references to the running kernel ------------------------------------ */

/*
 * The offset of @s in .klpdiff.strings, written once; with @with (not NULL),
 * right after the string @with: see struct klp_reloc_entry.
 */
static uint64_t string_offset(struct extractor *ex, const char *with, const char *s)
{
	char *key = xasprintf(STRINGS_SECTION "\x01%s\x01%s", with ? with : "", s);
	void **slot = strmap_slot(&ex->string_offsets, key);

	if (!*slot) {
		/* Byte-aligned: @s follows @with right after its NUL. */
		if (with)
			ow_append(ex->strings, with, strlen(with) + 1, 1);
		*slot = (void *)(uintptr_t)(ow_append(ex->strings, s, strlen(s) + 1, 1) + 1);
	} else {
		free(key);
	}
	return (uint64_t)(uintptr_t)*slot - 1;
}

/* The weak undefined symbol PLACEHOLDER_PREFIX @name (see patch_object.h), made once. */
static struct ow_symbol *placeholder_symbol(struct extractor *ex, const char *name)
{
	char *full = xasprintf(PLACEHOLDER_PREFIX "%s", name);
	struct ow_symbol *sym = strmap_get(&ex->w.global_by_name, full);

	if (!sym)
		sym = ow_add_symbol(&ex->w, full, STB_WEAK, STT_NOTYPE, NULL, 0, 0);
	free(full);
	return sym;
}

/*
 * A module's livepatch relocation is applied again each time that module
 * loads: its place must be one the loader relocates, never rewrites
 * (arch.h, klp_place_align), so @out is aligned to keep it at such a place
 * in the module wherever the link puts @out. postlink.c refuses what no
 * alignment keeps.
 */
static void align_reapplied_place(struct extractor *ex, struct ow_section *out,
				  uint64_t place, uint32_t type, const char *applied_with)
{
	uint64_t (*place_align)(uint32_t, uint64_t) = ex->patched->arch->kernel.klp_place_align;
	uint64_t align = place_align && !streq(applied_with, "vmlinux") ?
			 place_align(type, place) : 1;

	if (align > out->align)
		out->align = align;
}

/*
 * Record a livepatch relocation for the post-link step (see klpdiff(1)), and
 * where the arch asks for one, its placeholder at the place. @with: the
 * patched module, for a symbol of a module it depends on (@obj); else NULL.
 */
static void add_klp_reloc(struct extractor *ex, struct ow_section *out, uint64_t place,
			  uint32_t type, const char *obj, const char *name, long sympos,
			  int64_t addend, const char *with)
{
	char *klp = xasprintf(KLP_SYM_PREFIX "%s.%s,%ld", obj, name, sympos);
	struct klp_reloc_entry entry = { .addend = addend, .type = type,
					 .with_back = with ? (uint32_t)strlen(with) + 1 : 0 };
	uint64_t off = ow_append(ex->relocs, &entry, sizeof(entry),
				 _Alignof(struct klp_reloc_entry));
	uint32_t abs64 = ex->patched->arch->reloc_abs64;

	ow_add_reloc(ex->relocs, off + offsetof(struct klp_reloc_entry, place),
		     ow_section_symbol(&ex->w, out), abs64, (int64_t)place);
	ow_add_reloc(ex->relocs, off + offsetof(struct klp_reloc_entry, name),
		     ow_section_symbol(&ex->w, ex->strings), abs64,
		     (int64_t)string_offset(ex, with, klp));
	if (ex->patched->arch->kernel.klp_placeholders)
		ow_add_reloc(out, place, placeholder_symbol(ex, klp + strlen(KLP_SYM_PREFIX)), type,
			     addend);
	align_reapplied_place(ex, out, place, type, with ? with : obj);
	free(klp);
}

/* Which loaded object defines @name, for a symbol the patched object only uses. */
static const char *owner_object(struct extractor *ex, const char *name, struct kernel_symbols **ks)
{
	if (is_vmlinux(ex)) {
		*ks = &ex->ksyms;
		return "vmlinux";
	}
	if (kernel_symbols_has(&ex->ksyms, name)) {
		*ks = &ex->ksyms;
		return objname(ex);
	}
	*ks = ex->have_vsyms ? &ex->vsyms : NULL;
	return "vmlinux";
}

/*
 * The name of the module exporting a symbol, from Module.symvers's
 * "net/netfilter/nf_flow_table" (as the kernel names it: '-' is '_'), kept
 * in ex->module_names.
 */
static const char *module_name(struct extractor *ex, const char *exporter)
{
	const char *base = strrchr(exporter, '/');
	void **slot = strmap_slot(&ex->module_names, exporter);

	if (!*slot) {
		char *name = xstrdup(base ? base + 1 : exporter);

		for (char *p = name; *p; p++)
			if (*p == '-')
				*p = '_';
		*slot = name;
	}
	return *slot;
}

/*
 * A symbol a module exports: never a normal relocation, which would make
 * the patch module depend on that module, unloadable before it. The
 * patched module's own exports and those of the modules it depends on are
 * livepatch relocations, resolved when it loads; another module's export
 * would be a new dependency.
 */
static enum kernel_ref module_export(struct extractor *ex, const char *exporter,
				     const char **obj, struct kernel_symbols **ks)
{
	const char *module = module_name(ex, exporter);

	*obj = module;
	*ks = NULL;
	if (is_vmlinux(ex))
		return REF_UNDECLARED;
	if (streq(module, objname(ex))) {
		*ks = &ex->ksyms;
		return REF_KLP;
	}
	return kernel_symbols_depends_on(&ex->ksyms, module) ? REF_DEPENDENCY : REF_UNDECLARED;
}

enum kernel_ref kernel_ref_of(struct extractor *ex, const struct elf_symbol *sym,
			      const char *name, const char **obj, struct kernel_symbols **ks)
{
	const char *exporter = symvers_owner(&ex->symvers, name);

	*ks = &ex->ksyms;
	*obj = sym->sec ? objname(ex) : owner_object(ex, name, ks);
	if (exporter && (!sym->sec || !sym_is_local(sym)))
		return streq(exporter, "vmlinux") ? REF_EXPORTED :
						    module_export(ex, exporter, obj, ks);
	if (!sym->sec && !is_vmlinux(ex) && !ex->have_vsyms)
		return REF_NO_VSYMS;
	if (!sym->sec && !kernel_symbols_has(&ex->ksyms, name) &&
	    !(ex->have_vsyms && kernel_symbols_has(&ex->vsyms, name)))
		return REF_NEW;
	return REF_KLP;
}

/* The name the running kernel knows @sym by (its twin's, for a renamed clone). */
const char *kernel_name(const struct extractor *ex, const struct elf_symbol *sym)
{
	const struct sum_record *twin = ex->x[sym->index].twin;

	return twin ? twin->name : sym->name;
}

/*
 * Under IBT, a reference that takes the address of @obj's @name (not a
 * direct call or jump) needs a function the running kernel lets an indirect
 * call reach: the patch cannot unseal what the kernel sealed at boot, or
 * the module loader when it loaded the patched module.
 */
static void check_indirect_target(struct extractor *ex, const struct ow_section *out,
				  uint64_t place, const char *obj, const char *name, long sympos)
{
	const struct arch *arch = ex->patched->arch;
	bool in_vmlinux = streq(obj, "vmlinux") && ex->opts->ibt;
	bool in_module = ex->ibt_module.ko && streq(obj, objname(ex));
	const char *why;

	if ((!in_vmlinux && !in_module) ||
	    ((out->flags & SHF_EXECINSTR) && arch->field_is_branch(out->data, place)))
		return;
	why = in_vmlinux ? ibt_not_callable(ex->opts->ibt, name, sympos)
			 : ibt_module_not_callable(&ex->ibt_module, name, sympos);
	if (why)
		refuse(ex, "%s: the patch takes the address of %s's %s, which an indirect call "
		     "cannot reach in the running kernel (IBT): %s; call it directly, or call it "
		     "from a new function of the patch and take that one's address",
		     out->name, obj, name, why);
}

/*
 * A reference from the patch to @sym of the running kernel: a normal
 * relocation if the symbol is exported, else a livepatch relocation.
 * @special: the reference is a static key or static call key field.
 */
static void reference_kernel(struct extractor *ex, struct ow_section *out, uint64_t place,
			     uint32_t type, const struct elf_symbol *sym, int64_t addend,
			     const char *special)
{
	const struct sum_record *twin = ex->x[sym->index].twin;
	const char *name = kernel_name(ex, sym), *obj;
	struct kernel_symbols *ks;
	long pos;

	switch (kernel_ref_of(ex, sym, name, &obj, &ks)) {
	case REF_EXPORTED:
		trace_ref(ex, name, "normal relocation (exported by %s)",
			  symvers_owner(&ex->symvers, name));
		check_indirect_target(ex, out, place, symvers_owner(&ex->symvers, name), name, 0);
		ow_add_reloc(out, place, ow_global(&ex->w, name), type, addend);
		return;
	case REF_NO_VSYMS:
		fail(ex, "%s: a module's patch needs --vmlinux-symbols to tell "
		     "vmlinux's symbols from new ones", name);
		return;
	case REF_NEW:
		trace_ref(ex, name, "normal relocation (not in the running kernel: new in "
			  "another object of the patch)");
		ow_add_reloc(out, place, ow_global(&ex->w, name), type, addend);
		return;
	case REF_UNDECLARED:
		refuse(ex, "%s: %s is exported by module %s, which %s does not depend on: the "
		       "patch would create an undeclared module dependency", out->name, name, obj,
		       objname(ex));
		return;
	case REF_DEPENDENCY:
		/* Exported: the module's one global of that name, as the loader checks. */
		trace_ref(ex, name, "livepatch relocation to %s %s sympos 0 (exported by %s, "
			  "which %s depends on: resolved when %s loads)", obj, name, obj,
			  objname(ex), objname(ex));
		if (!special)
			add_klp_reloc(ex, out, place, type, obj, name, 0, addend, objname(ex));
		else
			fail(ex, "%s on %s of module %s reached the copy (klpdiff bug)", special,
			     name, obj);
		return;
	case REF_KLP:
		break;
	}
	/* Entries on module keys are handled by fix_module_key_entry(). */
	if (special && !streq(obj, "vmlinux")) {
		fail(ex, "%s on %s of module %s reached the copy (klpdiff bug)", special, name,
		     obj);
		return;
	}
	if (!ks) {
		fail(ex, "%s is not in %s and no --vmlinux-symbols was given",
		     name, ex->opts->kernel_symbols);
		return;
	}
	pos = kernel_symbols_sympos(ks, name, twin ? twin->unit : sym->unit,
				    twin ? twin->size : sym->size);
	if (pos < 0) {
		ex->errors++;
		return;
	}
	check_indirect_target(ex, out, place, obj, name, pos);
	trace_ref(ex, name, "livepatch relocation to %s %s sympos %ld (%s)", obj, name, pos,
		  !symvers_owner(&ex->symvers, name) ? "not exported" :
		  sym_is_local(sym)		      ? "a local of the same name as an export" :
							"exported by the patched module itself");
	add_klp_reloc(ex, out, place, type, obj, name, pos, addend, NULL);
}

/* ---- copying relocations ------------------------------------------------- */

/*
 * Emit the relocation at @out+@place for a reference to @sym+@addend (@addend
 * relative to @sym's start) of the patched object.
 */
static void emit_symbol_ref(struct extractor *ex, struct ow_section *out, uint64_t place,
			    uint32_t type, struct elf_symbol *sym, int64_t addend,
			    const char *special)
{
	const char *why = copy_reason(ex, sym);
	const char *own = module_own_symbol(ex->patched->arch, sym);

	if (own) {
		trace_ref(ex, sym->name, "normal relocation (%s)", own);
		ow_add_reloc(out, place, ow_global(&ex->w, sym->name), type, addend);
		return;
	}
	if (!why && toc_branch_reason(ex, out, sym, &why))
		return;
	if (why) {
		trace_ref(ex, sym->name, "the patch's own copy (%s)", why);
		ow_add_reloc(out, place, copy_symbol_why(ex, sym, why), type, addend);
		return;
	}
	if (elf_type_howto(ex->patched, type).toc_relative) {
		refuse_toc_relative(ex, out, sym);
		return;
	}
	reference_kernel(ex, out, place, type, sym, addend, special);
}

void reference_variable(struct extractor *ex, struct ow_section *out, uint64_t place,
			uint32_t type, const char *name, int64_t addend)
{
	struct elf_symbol *sym = elf_find_symbol(ex->patched, name);
	struct kernel_symbols *ks;
	const char *obj;
	long pos;

	if (sym) {
		emit_symbol_ref(ex, out, place, type, sym, addend, NULL);
		return;
	}
	/* Not in the object: a global of vmlinux the unit only names in asm. */
	if (symvers_owner(&ex->symvers, name)) {
		trace_ref(ex, name, "normal relocation (exported by %s)",
			  symvers_owner(&ex->symvers, name));
		ow_add_reloc(out, place, ow_global(&ex->w, name), type, addend);
		return;
	}
	obj = owner_object(ex, name, &ks);
	if (!ks) {
		fail(ex, "%s is not in %s and no --vmlinux-symbols was given", name,
		     ex->opts->kernel_symbols);
		return;
	}
	pos = kernel_symbols_sympos(ks, name, NULL, 0);
	if (pos < 0) {
		ex->errors++;
		return;
	}
	trace_ref(ex, name, "livepatch relocation to %s %s sympos %ld (not exported)", obj, name,
		  pos);
	add_klp_reloc(ex, out, place, type, obj, name, pos, addend, NULL);
}

static const char *special_key_field(const struct elf_section *in, uint64_t offset)
{
	const struct special_layout *l = in->special;

	if (!l || l->key_kind == KEY_NONE || offset % l->entry_size != (uint64_t)l->key_field)
		return NULL;
	return l->key_kind == KEY_JUMP_LABEL ? "a jump label" : "a static call";
}

/* Copy the relocation @r of input section @in to @out, at @out_off + (r - start). */
void copy_reloc(struct extractor *ex, struct elf_section *in, const struct elf_reloc *r,
		uint64_t insn_end, struct ow_section *out, uint64_t place)
{
	struct elf_symbol *rs = elf_reloc_sym(ex->patched, r);
	struct elf_section *tsec = rs->sec;
	const char *special = special_key_field(in, r->offset);
	struct reloc_howto howto = elf_reloc_howto(ex->patched, r);
	uint32_t type = elf_reloc_type(r);
	uint64_t t, base = 0;

	ex->site_sec = in;
	ex->site_off = r->offset;
	/*
	 * A marker against no symbol, such as ppc64's large-model global entry,
	 * stays one; a relocation that writes nothing but names a symbol
	 * (objtool's deleted ones) goes the usual way.
	 */
	if (howto.kind == RELOC_NONE && !ELF64_R_SYM(r->info)) {
		ow_add_reloc(out, place, NULL, type, r->addend);
		return;
	}
	if (rs->type != STT_SECTION && !(tsec && (tsec->sh->sh_flags & SHF_MERGE))) {
		emit_symbol_ref(ex, out, place, type, rs, r->addend, special);
		return;
	}
	if (!tsec) {
		fail(ex, "%s+%#" PRIx64 ": relocation against an undefined section",
		     in->name, r->offset);
		return;
	}
	t = rs->value + (uint64_t)r->addend;
	if (howto.kind == RELOC_PCREL && in->is_code)
		t += insn_end ? insn_end - r->offset : (uint64_t)(int64_t)ex->patched->arch->pcrel_field_bias;
	/* Counted from the entry's start (ppc64 fixups, bug entries before 5.19). */
	if (howto.kind == RELOC_PCREL && in->special && in->special->relative_to_entry)
		t -= r->offset % in->special->entry_size;
	if (is_table_entry(ex, tsec, t)) {
		uint64_t off;
		struct ow_symbol *s = copy_table_entry(ex, tsec, t, &off);

		trace_ref(ex, tsec->name, "the patch's copy of the %s entry at %#" PRIx64, tsec->name,
			  t);
		ow_add_reloc(out, place, s, type, (int64_t)(off - (t - rs->value - (uint64_t)r->addend)));
		return;
	}
	if (tsec->special && !tsec->is_code) {
		uint64_t off;
		struct ow_symbol *s;

		/* Before the copy, whose relocations are sites of their own. */
		trace_ref(ex, tsec->name, "the patch's copy of the %s entry at %#" PRIx64,
			  tsec->name, t - t % tsec->special->entry_size);
		s = copy_entry_at(ex, tsec, t, &off);
		if (s)
			ow_add_reloc(out, place, s, type,
				     (int64_t)(off - (t - rs->value - (uint64_t)r->addend)));
		return;
	}
	if (tsec->sh->sh_flags & SHF_MERGE) {
		uint64_t off;
		struct ow_symbol *s = copy_merged(ex, tsec, t, &off);

		trace_ref(ex, tsec->name, "the patch's copy of the %s",
			  tsec->sh->sh_flags & SHF_STRINGS ? "string" : "constant");
		ow_add_reloc(out, place, s, type, (int64_t)(off - (t - rs->value - (uint64_t)r->addend)));
		return;
	}
	{
		struct elf_symbol *target = reference_target(ex->patched, tsec, t, ex->current_fn,
								   howto.kind == RELOC_ABS);

		if (target && (target->size ? t <= target->value + target->size : t == target->value)) {
			emit_symbol_ref(ex, out, place, type, target,
					(int64_t)(rs->value - target->value + (uint64_t)r->addend), special);
			return;
		}
	}
	trace_ref(ex, tsec->name, "the patch's copy of the whole section (no symbol covers "
		  "offset %#" PRIx64 ")", t);
	ow_add_reloc(out, place, ow_section_symbol(&ex->w, copy_anon_section(ex, tsec, &base)),
		     type, (int64_t)(base + rs->value + (uint64_t)r->addend));
}

struct branch_scan {
	struct insn_ref *refs;
	size_t nr, alloc;
};

static void collect_branch(const struct insn_ref *ref, void *arg)
{
	struct branch_scan *bs = arg;

	GROW(bs->refs, bs->nr, bs->alloc, bs->nr + 1);
	bs->refs[bs->nr++] = *ref;
}

/*
 * In a section shared by several functions the assembler resolved branches
 * between them: turn those leaving [start, end) into relocations again.
 */
static void copy_resolved_branches(struct extractor *ex, struct elf_section *in, uint64_t start,
				   uint64_t end, struct ow_section *out, uint64_t out_off)
{
	uint32_t pc32 = ex->patched->arch->reloc_pc32;
	unsigned width = elf_type_howto(ex->patched, pc32).width;	/* what it writes */
	struct branch_scan bs = { 0 };

	ex->patched->arch->scan_refs(in->data + start, end - start, start, collect_branch, &bs);
	for (size_t i = 0; i < bs.nr; i++) {
		const struct insn_ref *ref = &bs.refs[i];
		size_t ri = elf_first_reloc(in, ref->field);
		struct elf_symbol *target;

		if (!ref->branch || (ref->target >= start && ref->target < end) ||
		    (ri < in->nr_relocs && in->relocs[ri].offset == ref->field))
			continue;
		target = elf_symbol_containing(in, ref->target);
		if (ref->bits) {
			/* Its relocation would have to keep the opcode bits: not done yet. */
			fail(ex, "%s+%#" PRIx64 ": a branch between functions that the assembler "
			     "resolved, on %s", in->name, ref->field, ex->patched->arch->name);
			continue;
		}
		if (!target || ref->field_size != width) {
			fail(ex, "%s+%#" PRIx64 ": branch to %#" PRIx64
			     " outside any function", in->name, ref->field, ref->target);
			continue;
		}
		/* The copied bytes keep the displacement: zero it for the relocation. */
		memset(out->data + out_off + (ref->field - start), 0, width);
		ex->site_sec = in;
		ex->site_off = ref->field;
		emit_symbol_ref(ex, out, out_off + (ref->field - start), pc32, target,
				(int64_t)(ref->target - target->value - (ref->insn_end - ref->field)), NULL);
	}
	free(bs.refs);
}

void copy_relocs(struct extractor *ex, struct elf_section *in, uint64_t start, uint64_t end,
		 struct ow_section *out, uint64_t out_off)
{
	struct branch_scan bs = { 0 };
	size_t k = 0;

	/* PC-relative references into multi-symbol sections need the instruction's end. */
	if (in->is_code && in->data)
		ex->patched->arch->scan_refs(in->data + start, end - start, start, collect_branch, &bs);
	for (size_t i = elf_first_reloc(in, start); i < in->nr_relocs && in->relocs[i].offset < end;
	     i++) {
		const struct elf_reloc *r = &in->relocs[i];
		uint64_t insn_end = 0;

		while (k < bs.nr && bs.refs[k].field < r->offset)
			k++;
		if (k < bs.nr && bs.refs[k].field == r->offset)
			insn_end = bs.refs[k].insn_end;
		copy_reloc(ex, in, r, insn_end, out, out_off + (r->offset - start));
	}
	free(bs.refs);
	if (in->shared_code && in->data)
		copy_resolved_branches(ex, in, start, end, out, out_off);
}
