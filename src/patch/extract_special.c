// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Special-section entries (alternatives, exception tables, jump labels,
 * static calls, bug entries...): a copied function's entries are copied
 * with it, the code an alternative owns with them; entries on the static
 * keys of other modules are resolved here instead (see below).
 */
#include <elf.h>
#include <inttypes.h>
#include <string.h>

#include "patch/extract_internal.h"
#include "elf/layouts.h"

/*
 * Where field @field of entry @e points: its section and offset, with the
 * relocation's index in @ri. A PC-relative field of a layout that counts
 * from the entry's start (ppc64's feature fixups) carries its own distance
 * from there in the addend, which does not point anywhere.
 */
static bool entry_field_target(const struct extractor *ex, const struct special_entry *e,
			       int field, struct elf_section **tsec, uint64_t *t, size_t *ri)
{
	const struct special_layout *l = e->sec->special;
	uint64_t at = e->offset + (uint64_t)field;
	size_t i = elf_first_reloc(e->sec, at);
	const struct elf_reloc *r;

	if (i >= e->sec->nr_relocs || e->sec->relocs[i].offset != at)
		return false;
	r = &e->sec->relocs[i];
	*ri = i;
	*tsec = elf_reloc_sym(ex->patched, r)->sec;
	*t = elf_reloc_sym(ex->patched, r)->value + (uint64_t)r->addend;
	if (l->relative_to_entry && elf_reloc_howto(ex->patched, r).kind == RELOC_PCREL)
		*t -= (uint64_t)field;
	return true;
}

/* The relocation of field @field of the copied entry at @out_entry: @tsym + @off. */
static void add_entry_field_reloc(struct extractor *ex, const struct special_entry *e, int field,
				  size_t ri, struct ow_section *out, uint64_t out_entry,
				  struct ow_symbol *tsym, uint64_t off)
{
	const struct elf_reloc *r = &e->sec->relocs[ri];
	int64_t addend = (int64_t)off;

	if (e->sec->special->relative_to_entry &&
	    elf_reloc_howto(ex->patched, r).kind == RELOC_PCREL)
		addend += field;
	ow_add_reloc(out, out_entry + (uint64_t)field, tsym, elf_reloc_type(r), addend);
}

/* An alternative's replacement code: only the bytes this entry uses. */
static void copy_entry_content(struct extractor *ex, const struct special_entry *e,
			       struct ow_section *out, uint64_t out_entry)
{
	const struct special_layout *l = e->sec->special;
	struct elf_section *tsec, *esec = NULL;
	struct ow_section *rout;
	uint64_t t, end = 0, len, roff;
	size_t ri, ei = 0;

	if (!entry_field_target(ex, e, l->content_field, &tsec, &t, &ri))
		return;
	if (l->content_end && entry_field_target(ex, e, l->content_len_field, &esec, &end, &ei) &&
	    esec == tsec && end >= t)
		len = end - t;
	else if (l->content_end)
		len = UINT64_MAX;	/* no end in the same section: refused below */
	else
		len = e->sec->data[e->offset + (uint64_t)l->content_len_field];
	if (!tsec || !tsec->data || t > tsec->sh->sh_size || len > tsec->sh->sh_size - t) {
		fail(ex, "%s+%#" PRIx64 ": replacement outside %s", e->sec->name,
		     e->offset, tsec ? tsec->name : "any section");
		return;
	}
	rout = ow_section(&ex->w, tsec->name, tsec->sh->sh_type, tsec->sh->sh_flags & ~SHF_GROUP,
			  tsec->sh->sh_addralign);
	roff = ow_append(rout, tsec->data + t, len, 1);
	copy_relocs(ex, tsec, t, t + len, rout, roff);
	add_entry_field_reloc(ex, e, l->content_field, ri, out, out_entry,
			      ow_section_symbol(&ex->w, rout), roff);
	if (l->content_end)
		add_entry_field_reloc(ex, e, l->content_len_field, ei, out, out_entry,
				      ow_section_symbol(&ex->w, rout), roff + len);
}

/* Where the entry at @off of @sec went in the patch: output offset + 1, 0 if not copied. */
static uint64_t *entry_slot(struct extractor *ex, const struct elf_section *sec, uint64_t off)
{
	uint64_t **slots = &ex->entry_slot[sec->index];

	if (!*slots)
		*slots = xcalloc(sec->sh->sh_size / sec->special->entry_size + 1, sizeof(**slots));
	return &(*slots)[off / sec->special->entry_size];
}

/* Copy entry @e once; its output section and offset. */
static struct ow_section *copy_entry(struct extractor *ex, const struct special_entry *e,
				     uint64_t *out_off)
{
	const struct special_layout *l = e->sec->special;
	struct ow_section *out = ow_section(&ex->w, e->sec->name, e->sec->sh->sh_type,
					    e->sec->sh->sh_flags & ~SHF_GROUP,
					    e->sec->sh->sh_addralign);
	uint64_t *slot = entry_slot(ex, e->sec, e->offset);
	uint64_t n = layout_entry_bytes(l, e->sec->sh->sh_size, e->offset);
	uint64_t cfield = e->offset + (uint64_t)l->content_field, off;
	/* A callback's function is referred to like any other field's target. */
	bool content = l->content_field >= 0 &&
		       !layout_entry_callback(l, e->sec->data + e->offset, n,
					      ex->patched->arch->elf_data);

	/* "aM" with an entry size (6.19+): the linker must see the same. */
	out->entsize = e->sec->sh->sh_entsize;
	if (*slot) {
		*out_off = *slot - 1;
		return out;
	}
	off = ow_append(out, e->sec->data + e->offset, n, 1);
	*slot = off + 1;
	*out_off = off;
	/* An unpadded last entry gets its padding: another entry may follow it here. */
	if (n < l->entry_size)
		ow_append(out, NULL, l->entry_size - n, 1);
	for (size_t i = elf_first_reloc(e->sec, e->offset);
	     i < e->sec->nr_relocs && e->sec->relocs[i].offset < e->offset + l->entry_size; i++) {
		const struct elf_reloc *r = &e->sec->relocs[i];

		/* The content and its end are copied with it (copy_entry_content()). */
		if (content && (r->offset == cfield ||
					      (l->content_end && r->offset == cfield -
					       (uint64_t)l->content_field +
					       (uint64_t)l->content_len_field)))
			continue;
		copy_reloc(ex, e->sec, r, 0, out, off + (r->offset - e->offset));
	}
	if (content)
		copy_entry_content(ex, e, out, off);
	if (l->companion) {
		struct elf_section *comp = elf_find_section(ex->patched, l->companion);
		uint64_t coff = e->offset / l->entry_size * l->companion_size;

		if (comp && comp->data && coff + l->companion_size <= comp->sh->sh_size) {
			struct ow_section *cout = ow_section(&ex->w, comp->name, comp->sh->sh_type,
							     comp->sh->sh_flags, comp->sh->sh_addralign);

			ow_append(cout, comp->data + coff, l->companion_size, 1);
		}
	}
	return out;
}

/* ---- static keys of other modules ------------------------------------------
 *
 * The module loader reads a module's jump labels and static call sites when
 * it comes (jump_label_add_module, static_call_add_module), but livepatch
 * relocations to another module are applied later, when the patch enables
 * (klp_init_object_loaded). An entry on a key of that module cannot be kept:
 * static calls then go through their trampoline, which every
 * static_call_update() retargets, so nothing is lost; jump labels are fixed
 * in one state: always taken for tracepoints (the code behind the branch
 * calls probes only if the tracepoint has some), as built for other keys.
 */

/* Where PC-relative field @field of entry @e points: its section offset, in @fn only. */
static bool entry_points_into(const struct extractor *ex, const struct special_entry *e,
			      int field, const struct elf_symbol *fn, uint64_t *off)
{
	uint64_t at = e->offset + (uint64_t)field;
	size_t i = elf_first_reloc(e->sec, at);
	const struct elf_symbol *rs;

	if (field < 0 || i >= e->sec->nr_relocs || e->sec->relocs[i].offset != at)
		return false;
	rs = elf_reloc_sym(ex->patched, &e->sec->relocs[i]);
	*off = rs->value + (uint64_t)e->sec->relocs[i].addend;
	return rs->sec == fn->sec && *off >= fn->value && *off < fn->value + fn->size;
}

/* The symbol entry @e's key field names, the key's offset in it and the flag bits. */
static struct elf_symbol *entry_key(const struct extractor *ex, const struct special_entry *e,
				    uint64_t *key_off, unsigned *flags)
{
	const struct special_layout *l = e->sec->special;
	uint64_t at = e->offset + (uint64_t)l->key_field;
	size_t i = elf_first_reloc(e->sec, at);
	struct elf_symbol *rs, *sym;
	uint64_t t;

	if (i >= e->sec->nr_relocs || e->sec->relocs[i].offset != at)
		return NULL;
	rs = elf_reloc_sym(ex->patched, &e->sec->relocs[i]);
	t = (rs->type == STT_SECTION ? rs->value : 0) + (uint64_t)e->sec->relocs[i].addend;
	*flags = (unsigned)(t & l->key_flags);
	t &= ~(uint64_t)l->key_flags;
	if (rs->type != STT_SECTION) {
		*key_off = t;
		return rs;
	}
	sym = rs->sec ? reference_target(ex->patched, rs->sec, t, NULL, true) : NULL;
	if (!sym || t < sym->value)
		return NULL;
	*key_off = t - sym->value;
	return sym;
}

/* The module holding @key, if the patch could reach it only by a livepatch relocation. */
static const char *key_module(struct extractor *ex, const struct elf_symbol *key)
{
	struct kernel_symbols *ks;
	enum kernel_ref ref;
	const char *obj;

	if (copy_reason(ex, key))
		return NULL;
	ref = kernel_ref_of(ex, key, kernel_name(ex, key), &obj, &ks);
	if (ref != REF_KLP && ref != REF_DEPENDENCY && ref != REF_UNDECLARED)
		return NULL;
	return streq(obj, "vmlinux") ? NULL : obj;
}

/* Once per key and run: the warnings say what became of a module's key. */
static bool first_time_for(struct extractor *ex, const char *key)
{
	void **slot = strmap_slot(&ex->module_keys, key);

	if (*slot)
		return false;
	*slot = (void *)key;
	return true;
}

/* Fix the jump-label site of entry @e (owned by @fn) on @key of @module. */
static void fix_jump_label(struct extractor *ex, const struct special_entry *e,
			   const struct elf_symbol *fn, const struct elf_symbol *key,
			   uint64_t key_off, unsigned flags, const char *module)
{
	const struct special_layout *l = e->sec->special;
	const struct arch *arch = ex->patched->arch;
	const struct xsym *x = &ex->x[fn->index];
	const char *name = kernel_name(ex, key);
	uint64_t site, target = 0;
	uint8_t *code;
	unsigned size;
	bool jump, branch = flags & l->branch_flag;

	if (!entry_points_into(ex, e, l->code_field, fn, &site)) {
		fail(ex, "%s+%#" PRIx64 ": jump label outside its function %s", e->sec->name,
		     e->offset, fn->name);
		return;
	}
	code = x->out_sec->data + x->out_off + (site - fn->value);
	size = arch->branch_site_size(code, fn->value + fn->size - site, &jump);
	if (!size) {
		fail(ex, "%s+%#" PRIx64 ": %s+%#" PRIx64 " is neither a jump nor a NOP",
		     e->sec->name, e->offset, fn->name, site - fn->value);
		return;
	}
	if (starts_with(name, arch->kernel.tracepoint_prefix) && key_off == arch->kernel.tracepoint_key_offset &&
	    !branch && entry_points_into(ex, e, l->target_field, fn, &target) &&
	    arch->write_branch_site(code, size, true, (int64_t)(target - (site + size)))) {
		trace(ex, "entry %s+0x%" PRIx64 ": dropped (tracepoint %s of module %s: the "
		      "branch in %s is always taken; the tracepoint calls its probes if it has "
		      "any)", e->sec->name, e->offset, name, module, fn->name);
		if (first_time_for(ex, name))
			note(shown_name(ex->opts), "tracepoint %s lives in module %s: its branches "
			     "in the patch are always taken, and it fires when enabled",
			     name + strlen(arch->kernel.tracepoint_prefix), module);
		return;
	}
	/* As built means after objtool, which NOPs the sites marked for it. */
	if (jump && (flags & l->nop_flag)) {
		arch->write_branch_site(code, size, false, 0);
		jump = false;
	}
	trace(ex, "entry %s+0x%" PRIx64 ": dropped (static key %s of module %s: the branch in "
	      "%s is fixed %s)", e->sec->name, e->offset, name, module, fn->name,
	      jump ? "taken" : "not taken");
	if (first_time_for(ex, name))
		warn(shown_name(ex->opts), "static key %s lives in module %s: its branches in "
		     "the patch stay as built, as if it were %s", name, module,
		     jump != branch ? "enabled" : "disabled");
}

/*
 * A static call site's relocation is within its first bytes: x86-64, the one
 * architecture with static call sites, has a 5-byte call or jump there, its
 * displacement at +1.
 */
#define STATIC_CALL_SITE_SIZE 8

/* Does the call at the site of static call entry @e go to a trampoline (__SCT__*)? */
static bool calls_trampoline(const struct extractor *ex, const struct special_entry *e,
			     const struct elf_symbol *fn)
{
	const char *prefix = ex->patched->arch->kernel.static_call_tramp_prefix;
	uint64_t site;

	if (!entry_points_into(ex, e, e->sec->special->code_field, fn, &site))
		return false;
	for (size_t i = elf_first_reloc(fn->sec, site);
	     i < fn->sec->nr_relocs && fn->sec->relocs[i].offset < site + STATIC_CALL_SITE_SIZE;
	     i++) {
		const struct elf_symbol *target = elf_reloc_sym(ex->patched, &fn->sec->relocs[i]);

		if (starts_with(kernel_name(ex, target), prefix))
			return true;
	}
	return false;
}

/* An entry on a key of another module: handled here (and true), or copied. */
static bool fix_module_key_entry(struct extractor *ex, const struct special_entry *e,
				 const struct elf_symbol *fn)
{
	const struct special_layout *l = e->sec->special;
	const struct elf_symbol *key;
	const char *module;
	uint64_t key_off;
	unsigned flags;

	if (l->key_kind == KEY_NONE)
		return false;
	key = entry_key(ex, e, &key_off, &flags);
	module = key ? key_module(ex, key) : NULL;
	if (!module)
		return false;
	if (l->key_kind == KEY_STATIC_CALL) {
		if (!calls_trampoline(ex, e, fn)) {
			refuse(ex, "%s+%#" PRIx64 ": the static call on %s of module %s in %s does "
			       "not call its trampoline, and its site entry cannot be kept",
			       e->sec->name, e->offset, kernel_name(ex, key), module, fn->name);
			return true;
		}
		trace(ex, "entry %s+0x%" PRIx64 ": dropped (static call key %s of module %s: "
		      "the call in %s goes through the trampoline)", e->sec->name, e->offset,
		      kernel_name(ex, key), module, fn->name);
		return true;
	}
	fix_jump_label(ex, e, fn, key, key_off, flags, module);
	return true;
}

/* Is @sec one objtool writes for the linked module (opts->objtool_at_link)? */
static bool left_to_objtool(const struct extractor *ex, const struct elf_section *sec)
{
	const char *const *names = ex->patched->arch->kernel.objtool_link_sections;

	for (size_t i = 0; ex->opts->objtool_at_link && names && names[i]; i++)
		if (streq(sec->name, names[i]))
			return true;
	return false;
}

/*
 * A runtime constant (x86 6.11+: runtime_ptr_*, runtime_shift_*,
 * runtime_mask_*): the kernel writes the immediate once at boot, in vmlinux
 * only; a module's copy of the code would keep the placeholder. A whole
 * value becomes a load of its variable (the arch's runtime_load); a shift
 * count or mask, which no instruction of the same length loads, is refused.
 */
static bool fix_runtime_const(struct extractor *ex, const struct special_entry *e,
			      const struct elf_symbol *fn)
{
	const struct special_layout *l = e->sec->special;
	const struct arch *arch = ex->patched->arch;
	const struct xsym *x = &ex->x[fn->index];
	const char *var = e->sec->name + strlen(l->section);
	uint64_t site, field = 0;
	int64_t addend;

	if (l->runtime_const == RUNTIME_NONE)
		return false;
	if (l->runtime_const == RUNTIME_VALUE && arch->runtime_load &&
	    entry_points_into(ex, e, l->owner_field, fn, &site))
		field = arch->runtime_load(x->out_sec->data + x->out_off, fn->size,
					   site - fn->value, &addend);
	if (!field) {
		refuse(ex, "%s: uses the runtime constant %s (%s): the kernel patches its "
		       "immediate at boot, in vmlinux only, and the patch's copy would keep the "
		       "placeholder", fn->name, var, e->sec->name);
		return true;
	}
	trace(ex, "entry %s+0x%" PRIx64 ": dropped (a runtime constant: %s loads %s instead)",
	      e->sec->name, e->offset, fn->name, var);
	ex->site_sec = fn->sec;
	ex->site_off = fn->value + field;
	reference_variable(ex, x->out_sec, x->out_off + field, arch->reloc_pc32, var, addend);
	return true;
}

void copy_entries_of(struct extractor *ex, const struct elf_symbol *fn)
{
	uint64_t off;
	size_t nr;
	const struct special_entry *e = checksum_entries(&ex->entries, fn, &nr);

	for (size_t i = 0; i < nr; i++) {
		if (left_to_objtool(ex, e[i].sec)) {
			trace(ex, "entry %s+0x%" PRIx64 ": dropped (objtool writes %s for the "
			      "linked module)", e[i].sec->name, e[i].offset, e[i].sec->name);
			continue;
		}
		if (fix_module_key_entry(ex, &e[i], fn))
			continue;
		if (fix_runtime_const(ex, &e[i], fn))
			continue;
		trace(ex, "entry %s+0x%" PRIx64 ": kept (its owner %s is in the patch)",
		      e[i].sec->name, e[i].offset, fn->name);
		copy_entry(ex, &e[i], &off);
	}
}

/* --trace: the special-section entries left behind with their owners. */
void trace_dropped_entries(const struct extractor *ex)
{
	for (size_t i = 0; ex->opts->trace && i < ex->entries.nr_entries; i++) {
		const struct special_entry *e = &ex->entries.entries[i];

		if (!ex->x[e->owner->index].out)
			trace(ex, "entry %s+0x%" PRIx64 ": dropped (its owner %s is not in the "
			      "patch)", e->sec->name, e->offset, e->owner->name);
	}
}

struct ow_symbol *copy_entry_at(struct extractor *ex, struct elf_section *in, uint64_t t,
				uint64_t *out_off)
{
	const struct special_layout *l = in->special;
	uint64_t start = t - t % l->entry_size, off;
	struct ow_section *out;

	if (!in->data || start + l->entry_size > in->sh->sh_size || l->key_kind != KEY_NONE ||
	    l->runtime_const || left_to_objtool(ex, in)) {
		fail(ex, "%s+%#" PRIx64 ": the code refers to an entry of %s, which the patch "
		     "cannot keep", in->name, t, in->name);
		return NULL;
	}
	out = copy_entry(ex, &(struct special_entry){ NULL, in, start }, &off);
	*out_off = off + (t - start);
	return ow_section_symbol(&ex->w, out);
}
