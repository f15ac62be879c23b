// SPDX-License-Identifier: GPL-2.0-or-later
#include "patch/extract.h"

#include <elf.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/checksum.h"
#include "analysis/diff.h"
#include "elf/elf_object.h"
#include "elf/elf_writer.h"
#include "kernel/ibt.h"
#include "kernel/kernel_symbols.h"
#include "elf/names.h"
#include "patch/patch_object.h"
#include "analysis/sums.h"
#include "base/util.h"

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
	struct strmap toc_refused;	/* symbols reached TOC-relative, refused once */
	struct ow_section **anon_out;	/* by input section index: whole-section copies */
	uint64_t *anon_base;
	struct ow_section *table_out;	/* the address table's entries the patch uses */
	uint64_t *table_slot;		/* by input entry: output offset + 1 */
	int errors;
	size_t nr_patched;
	const struct elf_symbol *current_fn;	/* whose code copy_relocs is copying */
	const struct elf_section *site_sec;	/* where the reference being copied is */
	uint64_t site_off;
};

static const char *objname(const struct extractor *ex)
{
	return ex->opts->objname;
}

static bool is_vmlinux(const struct extractor *ex)
{
	return streq(objname(ex), "vmlinux");
}

/* The patched object as the user knows it (in the kernel build, not klpdiff's work directory). */
static const char *shown_name(const struct extract_opts *o)
{
	return o->display ? o->display : o->patched;
}

/* One line "klpdiff: PATCHED: @what...", counted: extraction stops once all are said. */
static void vfail(struct extractor *ex, const char *what, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: %s: %s", progname, shown_name(ex->opts), what);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	ex->errors++;
}

/* An error in the input. */
static void fail(struct extractor *ex, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct extractor *ex, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(ex, "", fmt, ap);
	va_end(ap);
}

/* A change a live patch cannot make. */
static int refuse(struct extractor *ex, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int refuse(struct extractor *ex, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(ex, "refusing: ", fmt, ap);
	va_end(ap);
	return -1;
}

/* --trace: "trace: WHAT NAME: decision (why)". */
static void trace(const struct extractor *ex, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void trace(const struct extractor *ex, const char *fmt, ...)
{
	va_list ap;

	if (!ex->opts->trace)
		return;
	fputs("trace: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* "ref SITE -> TARGET: decision": SITE is the reference's place in the patched object. */
static void trace_ref(const struct extractor *ex, const char *target, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void trace_ref(const struct extractor *ex, const char *target, const char *fmt, ...)
{
	const struct elf_symbol *in;
	va_list ap;

	if (!ex->opts->trace)
		return;
	in = elf_symbol_containing(ex->site_sec, ex->site_off);
	if (in && in->type != STT_SECTION && *in->name)
		fprintf(stderr, "trace: ref %s+0x%" PRIx64 " -> %s: ", in->name,
			ex->site_off - in->value, target);
	else
		fprintf(stderr, "trace: ref %s+0x%" PRIx64 " -> %s: ", ex->site_sec->name,
			ex->site_off, target);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- loading and deciding ------------------------------------------------ */

/* Kernel symbols without FILE symbols (kallsyms) tell locals apart by the unit's names. */
static void tell_unit_names(struct extractor *ex)
{
	const char **names = xcalloc(ex->orig->nr_symbols + 1, sizeof(*names));
	struct elf_symbol *sym;
	size_t n = 0;

	for_each_symbol(ex->orig, sym)
		if (sym->sec && *sym->name && (sym->type == STT_FUNC || sym->type == STT_OBJECT))
			names[n++] = sym->name;
	kernel_symbols_set_unit_names(&ex->ksyms, names, n);
	free(names);
}

static int load(struct extractor *ex)
{
	const struct extract_opts *o = ex->opts;

	ex->orig = elf_open(o->orig, o->target);
	ex->patched = ex->orig ? elf_open(o->patched, o->target) : NULL;
	if (!ex->patched)
		return -1;
	if (ex->orig->ehdr.e_machine != ex->patched->ehdr.e_machine)
		return error(o->patched, "machine %u, but %s is for machine %u",
			     ex->patched->ehdr.e_machine, o->orig, ex->orig->ehdr.e_machine);
	if (elf_same_layouts(ex->orig, ex->patched))
		return -1;
	if (ex->orig->nr_units == 1 && ex->patched->nr_units == 1 &&
	    !streq(ex->orig->units[0], ex->patched->units[0]))
		return error(o->patched, "built from %s, but %s is built from %s: not a pair",
			     ex->patched->units[0], o->orig, ex->orig->units[0]);
	if (kernel_symbols_read(&ex->ksyms, o->kernel_symbols) || symvers_read(&ex->symvers, o->symvers))
		return -1;
	if (!ex->ksyms.has_units)
		tell_unit_names(ex);
	if (o->vmlinux_symbols) {
		if (kernel_symbols_read(&ex->vsyms, o->vmlinux_symbols))
			return -1;
		ex->have_vsyms = true;
	}
	if (o->ibt_module && !streq(o->objname, "vmlinux") &&
	    ibt_module_open(&ex->ibt_module, ex->patched->arch, o->kernel_symbols, o->target))
		return -1;
	sums_compute(&ex->orig_sums, ex->orig, NULL);
	sums_compute(&ex->patched_sums, ex->patched, NULL);
	sums_sort(&ex->orig_sums);
	sums_sort(&ex->patched_sums);
	/* A pair of single-unit objects is one unit, however each was named. */
	if (ex->orig->nr_units == 1)
		for (size_t i = 0; i < ex->patched_sums.nr; i++)
			ex->patched_sums.recs[i].unit = ex->orig_sums.nr ? ex->orig_sums.recs[0].unit :
									    ex->patched_sums.recs[i].unit;
	diff_sums(&ex->diff, &ex->orig_sums, &ex->patched_sums);
	return 0;
}

/* The original of a changed function must have an ftrace entry to be patched. */
static bool has_ftrace_entry(const struct extractor *ex, const struct elf_symbol *sym)
{
	const struct elf_section *sec = sym->sec;

	for (size_t i = elf_first_reloc(sec, sym->value);
	     i < sec->nr_relocs && sec->relocs[i].offset < sym->value + 16; i++)
		if (streq(elf_reloc_sym(ex->orig, &sec->relocs[i])->name, ex->orig->arch->fentry_name))
			return true;
	return false;
}

static void decide_item(struct extractor *ex, const struct diff_item *it)
{
	const struct sum_record *o = it->orig, *p = it->patched;
	const struct sum_record *r = p ? p : o;

	switch (it->change) {
	case CHANGE_NONE:
	case CHANGE_IGNORED:
		if (p && o)
			ex->x[p->sym->index].twin = o;
		break;
	case CHANGE_CHANGED:
		ex->x[p->sym->index].twin = o;
		if (ex->x[p->sym->index].ignored) {
			/* KLPDIFF_IGNORE_FUNCTION: the author says so */
			trace(ex, "skip %s: changed, but marked KLPDIFF_IGNORE_FUNCTION", p->name);
			break;
		}
		if (!has_ftrace_entry(ex, o->sym)) {
			refuse(ex, "%s:%s changed, but the original has no ftrace entry (notrace, "
			       "or its file is built without ftrace, as lib/ is): patch the functions "
			       "that call it instead", r->unit, r->name);
			break;
		}
		ex->x[p->sym->index].role = ROLE_PATCH;
		ex->nr_patched++;
		trace(ex, "patch %s: changed since %s:%s (paired %s)", p->name, o->unit, o->name,
		      pair_rule_names[it->rule]);
		break;
	case CHANGE_NEW:
		ex->x[p->sym->index].role = ROLE_NEW;
		break;
	case CHANGE_REMOVED:
		break;
	case CHANGE_DATA:
		refuse(ex, "%s:%s: existing data changed (%s); a live patch cannot change data in "
		       "place: use shadow variables or callbacks", r->unit, r->name, it->reason);
		break;
	case CHANGE_UNPATCHABLE:
		refuse(ex, "%s:%s: %s", r->unit, r->name, it->reason);
		break;
	case CHANGE_UNPAIRED:
		refuse(ex, "%s:%s: cannot be correlated with the original (%s)", r->unit, r->name,
		       it->reason);
		break;
	default:
		break;
	}
}

/* ---- copying symbols ---------------------------------------------------- */

static void enqueue(struct extractor *ex, struct elf_symbol *sym);

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

static const char *copy_reason(const struct extractor *ex, const struct elf_symbol *sym);

/*
 * The bytes before function @sym that belong to it: ppc64 ELFv2's large
 * code model keeps the TOC's offset from the function there, for its global
 * entry to load (a relocation against the TOC symbol).
 */
static unsigned function_prefix(const struct extractor *ex, const struct elf_symbol *sym)
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

/* Copy @sym's bytes into the output (once, for the reason @why) and give it an output symbol. */
static struct ow_symbol *copy_symbol_why(struct extractor *ex, struct elf_symbol *sym,
					 const char *why)
{
	struct xsym *x = &ex->x[sym->index];
	const struct elf_section *in = sym->sec;
	uint64_t align = in->sh->sh_addralign ? in->sh->sh_addralign : 1;

	if (x->out)
		return x->out;
	trace(ex, "copy %s: %s", sym->name, why);
	x->out_sec = out_section_for(ex, sym);
	if (align > 64)
		align = 64;
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

static void enqueue(struct extractor *ex, struct elf_symbol *sym)
{
	if (ex->x[sym->index].queued)
		return;
	ex->x[sym->index].queued = true;
	GROW(ex->queue, ex->nr_queue, ex->alloc_queue, ex->nr_queue + 1);
	ex->queue[ex->nr_queue++] = sym;
}

/* A whole anonymous section (no symbol covers the target): copied once. */
static struct ow_section *copy_anon_section(struct extractor *ex, struct elf_section *in,
					    uint64_t *base);
static void copy_relocs(struct extractor *ex, struct elf_section *in, uint64_t start,
			uint64_t end, struct ow_section *out, uint64_t out_off);

static struct ow_section *copy_anon_section(struct extractor *ex, struct elf_section *in,
					    uint64_t *base)
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
static struct ow_symbol *copy_merged(struct extractor *ex, const struct elf_section *in, uint64_t t,
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

/*
 * An entry of the address table (ppc64's .toc) that code loads an address
 * from, copied once with its relocation into the patch's own table: the
 * patch runs on its module's TOC. Returns the table's section symbol and,
 * in @out_off, where @t (an offset in @in) went.
 */
static struct ow_symbol *copy_table_entry(struct extractor *ex, struct elf_section *in, uint64_t t,
					  uint64_t *out_off)
{
	uint64_t entry = t & ~(uint64_t)7, *slot;

	if (!ex->table_slot) {
		ex->table_slot = xcalloc(in->sh->sh_size / 8 + 1, sizeof(*ex->table_slot));
		ex->table_out = ow_section(&ex->w, in->name, in->sh->sh_type,
					   in->sh->sh_flags & ~SHF_GROUP, 8);
	}
	slot = &ex->table_slot[entry / 8];
	if (!*slot) {
		uint64_t off = ow_append(ex->table_out, in->data ? in->data + entry : NULL, 8, 8);

		*slot = off + 1;
		copy_relocs(ex, in, entry, entry + 8, ex->table_out, off);
	}
	*out_off = *slot - 1 + (t - entry);
	return ow_section_symbol(&ex->w, ex->table_out);
}

/* ---- references ------------------------------------------------------- */

static uint64_t string_offset(struct extractor *ex, const char *s)
{
	char *key = xasprintf(STRINGS_SECTION "\x01%s", s);
	void **slot = strmap_slot(&ex->string_offsets, key);

	if (!*slot)
		*slot = (void *)(uintptr_t)(ow_append(ex->strings, s, strlen(s) + 1, 1) + 1);
	else
		free(key);
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
 * Record a livepatch relocation for the post-link step (see klpdiff(1)), and
 * where the arch asks for one, its placeholder at the place.
 */
static void add_klp_reloc(struct extractor *ex, struct ow_section *out, uint64_t place,
			  uint32_t type, const char *obj, const char *name, long sympos,
			  int64_t addend)
{
	char *klp = xasprintf(KLP_SYM_PREFIX "%s.%s,%ld", obj, name, sympos);
	struct klp_reloc_entry entry = { .addend = addend, .type = type };
	uint64_t off = ow_append(ex->relocs, &entry, sizeof(entry), 8);
	uint32_t abs64 = ex->patched->arch->reloc_abs64;

	ow_add_reloc(ex->relocs, off + offsetof(struct klp_reloc_entry, place),
		     ow_section_symbol(&ex->w, out), abs64, (int64_t)place);
	ow_add_reloc(ex->relocs, off + offsetof(struct klp_reloc_entry, name),
		     ow_section_symbol(&ex->w, ex->strings), abs64,
		     (int64_t)string_offset(ex, klp));
	if (ex->patched->arch->klp_placeholders)
		ow_add_reloc(out, place, placeholder_symbol(ex, klp + strlen(KLP_SYM_PREFIX)), type,
			     addend);
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

/* How the patch refers to a symbol of the running kernel. */
enum kernel_ref {
	REF_EXPORTED,	/* a normal relocation: the symbol is exported */
	REF_NEW,	/* a normal relocation: new in another object of the patch */
	REF_NO_VSYMS,	/* cannot tell: a module's patch without --vmlinux-symbols */
	REF_KLP,	/* a livepatch relocation to object *obj */
};

static enum kernel_ref kernel_ref_of(struct extractor *ex, const struct elf_symbol *sym,
				     const char *name, const char **obj, struct kernel_symbols **ks)
{
	const char *exporter = symvers_owner(&ex->symvers, name);

	*ks = &ex->ksyms;
	*obj = sym->sec ? objname(ex) : owner_object(ex, name, ks);
	if (exporter && (!sym->sec || !sym_is_local(sym)))
		return REF_EXPORTED;
	if (!sym->sec && !is_vmlinux(ex) && !ex->have_vsyms)
		return REF_NO_VSYMS;
	if (!sym->sec && !kernel_symbols_has(&ex->ksyms, name) &&
	    !(ex->have_vsyms && kernel_symbols_has(&ex->vsyms, name)))
		return REF_NEW;
	return REF_KLP;
}

/* The name the running kernel knows @sym by (its twin's, for a renamed clone). */
static const char *kernel_name(const struct extractor *ex, const struct elf_symbol *sym)
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
		  !symvers_owner(&ex->symvers, name) ? "not exported"
						      : "a local of the same name as an export");
	add_klp_reloc(ex, out, place, type, obj, name, pos, addend);
}

/* Why the patch needs its own copy of @sym, or NULL: the running kernel's will do. */
static const char *copy_reason(const struct extractor *ex, const struct elf_symbol *sym)
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

/* Why @sym is the module's own, never the running kernel's, or NULL. */
static const char *module_own_symbol(const struct arch *arch, const struct elf_symbol *sym)
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
 * Emit the relocation at @out+@place for a reference to @sym+@addend (@addend
 * relative to @sym's start) of the patched object.
 */
static void emit_symbol_ref(struct extractor *ex, struct ow_section *out, uint64_t place,
			    uint32_t type, struct elf_symbol *sym, int64_t addend,
			    const char *special)
{
	const char *why = copy_reason(ex, sym);
	const struct arch *arch = ex->patched->arch;

	const char *own = module_own_symbol(arch, sym);

	if (own) {
		trace_ref(ex, sym->name, "normal relocation (%s)", own);
		ow_add_reloc(out, place, ow_global(&ex->w, sym->name), type, addend);
		return;
	}
	/* The loader gives the ftrace call a stub of its own, which needs no TOC. */
	if (!why && branch_keeps_toc(ex) && !streq(sym->name, arch->fentry_name)) {
		if (!sym->sec || !sym_is_func(sym)) {
			refuse(ex, "%s: the call to %s has no nop after it, where the module loader "
			       "restores the TOC after a call out of the module; gcc leaves one after "
			       "every call that may leave the unit: make the call in C", out->name,
			       sym->name);
			return;
		}
		why = "called on the caller's TOC (no nop after the call, or a sibling call): "
		      "it must be in the module";
	}
	if (why) {
		trace_ref(ex, sym->name, "the patch's own copy (%s)", why);
		ow_add_reloc(out, place, copy_symbol_why(ex, sym, why), type, addend);
		return;
	}
	if (elf_type_howto(ex->patched, type).toc_relative) {
		void **said = strmap_slot(&ex->toc_refused, sym->name);

		if (!*said)
			refuse(ex, "%s: %s is reached relative to the TOC, and the running kernel's %s is "
			       "not on the module's TOC (compile it with -mcmodel=large, as klpdiff build does)",
			       out->name, sym->name, sym->name);
		else
			ex->errors++;
		*said = sym;
		return;
	}
	reference_kernel(ex, out, place, type, sym, addend, special);
}

static const char *special_key_field(const struct elf_section *in, uint64_t offset)
{
	const struct special_layout *l = in->special;

	if (!l || l->key_kind == KEY_NONE || offset % l->entry_size != (uint64_t)l->key_field)
		return NULL;
	return l->key_kind == KEY_JUMP_LABEL ? "a jump label" : "a static call";
}

/* Copy the relocation @r of input section @in to @out, at @out_off + (r - start). */
static void copy_reloc(struct extractor *ex, struct elf_section *in, const struct elf_reloc *r,
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
	if (elf_is_address_table(ex->patched, tsec) && t + 8 <= tsec->sh->sh_size) {
		uint64_t off;
		struct ow_symbol *s = copy_table_entry(ex, tsec, t, &off);

		trace_ref(ex, tsec->name, "the patch's copy of the %s entry at %#" PRIx64, tsec->name,
			  t);
		ow_add_reloc(out, place, s, type, (int64_t)(off - (t - rs->value - (uint64_t)r->addend)));
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
		if (!target || ref->field_size != 4) {
			fail(ex, "%s+%#" PRIx64 ": branch to %#" PRIx64
			     " outside any function", in->name, ref->field, ref->target);
			continue;
		}
		/* The copied bytes keep the displacement: zero it for the relocation. */
		memset(out->data + out_off + (ref->field - start), 0, 4);
		ex->site_sec = in;
		ex->site_off = ref->field;
		emit_symbol_ref(ex, out, out_off + (ref->field - start), ex->patched->arch->reloc_pc32,
				target,
				(int64_t)(ref->target - target->value - (ref->insn_end - ref->field)), NULL);
	}
	free(bs.refs);
}

static void copy_relocs(struct extractor *ex, struct elf_section *in, uint64_t start,
			uint64_t end, struct ow_section *out, uint64_t out_off)
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

/* ---- special sections ---------------------------------------------------- */

/* An alternative's replacement code: only the bytes this entry uses. */
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

static void copy_entry(struct extractor *ex, const struct special_entry *e)
{
	const struct special_layout *l = e->sec->special;
	struct ow_section *out = ow_section(&ex->w, e->sec->name, e->sec->sh->sh_type,
					    e->sec->sh->sh_flags & ~SHF_GROUP,
					    e->sec->sh->sh_addralign);
	uint64_t off = ow_append(out, e->sec->data + e->offset, l->entry_size, 1);
	uint64_t cfield = e->offset + (uint64_t)l->content_field;

	for (size_t i = elf_first_reloc(e->sec, e->offset);
	     i < e->sec->nr_relocs && e->sec->relocs[i].offset < e->offset + l->entry_size; i++) {
		const struct elf_reloc *r = &e->sec->relocs[i];

		/* The content and its end are copied with it (copy_entry_content()). */
		if (l->content_field >= 0 && (r->offset == cfield ||
					      (l->content_end && r->offset == cfield -
					       (uint64_t)l->content_field +
					       (uint64_t)l->content_len_field)))
			continue;
		copy_reloc(ex, e->sec, r, 0, out, off + (r->offset - e->offset));
	}
	if (l->content_field >= 0)
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
	const char *obj;

	if (copy_reason(ex, key))
		return NULL;
	if (kernel_ref_of(ex, key, kernel_name(ex, key), &obj, &ks) != REF_KLP)
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
	if (starts_with(name, arch->tracepoint_prefix) && key_off == arch->tracepoint_key_offset &&
	    !branch && entry_points_into(ex, e, l->target_field, fn, &target) &&
	    arch->write_branch_site(code, size, true, (int64_t)(target - (site + size)))) {
		trace(ex, "entry %s+0x%" PRIx64 ": dropped (tracepoint %s of module %s: the "
		      "branch in %s is always taken; the tracepoint calls its probes if it has "
		      "any)", e->sec->name, e->offset, name, module, fn->name);
		if (first_time_for(ex, name))
			note(shown_name(ex->opts), "tracepoint %s lives in module %s: its branches "
			     "in the patch are always taken, and it fires when enabled",
			     name + strlen(arch->tracepoint_prefix), module);
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

/* Does the call at the site of static call entry @e go to a trampoline (__SCT__*)? */
static bool calls_trampoline(const struct extractor *ex, const struct special_entry *e,
			     const struct elf_symbol *fn)
{
	const char *prefix = ex->patched->arch->static_call_tramp_prefix;
	uint64_t site;

	if (!entry_points_into(ex, e, e->sec->special->code_field, fn, &site))
		return false;
	for (size_t i = elf_first_reloc(fn->sec, site);
	     i < fn->sec->nr_relocs && fn->sec->relocs[i].offset < site + 8; i++) {
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
	const char *const *names = ex->patched->arch->objtool_link_sections;

	for (size_t i = 0; ex->opts->objtool_at_link && names && names[i]; i++)
		if (streq(sec->name, names[i]))
			return true;
	return false;
}

static void copy_entries_of(struct extractor *ex, const struct elf_symbol *fn)
{
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
		trace(ex, "entry %s+0x%" PRIx64 ": kept (its owner %s is in the patch)",
		      e[i].sec->name, e[i].offset, fn->name);
		copy_entry(ex, &e[i]);
	}
}

/* --trace: the special-section entries left behind with their owners. */
static void trace_dropped_entries(const struct extractor *ex)
{
	for (size_t i = 0; ex->opts->trace && i < ex->entries.nr_entries; i++) {
		const struct special_entry *e = &ex->entries.entries[i];

		if (!ex->x[e->owner->index].out)
			trace(ex, "entry %s+0x%" PRIx64 ": dropped (its owner %s is not in the "
			      "patch)", e->sec->name, e->offset, e->owner->name);
	}
}

/* ---- the closure ---------------------------------------------------------- */

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

/* The function a callback record at @off of @sec names, or NULL after an error. */
static struct elf_symbol *callback_function(struct extractor *ex, const struct elf_section *sec,
					    uint64_t off, uint64_t *kind)
{
	uint64_t fn_field = off + offsetof(struct klpdiff_callback, fn);
	size_t i = elf_first_reloc(sec, fn_field);
	struct elf_symbol *fn;

	memcpy(kind, sec->data + off + offsetof(struct klpdiff_callback, kind), sizeof(*kind));
	if (i >= sec->nr_relocs || sec->relocs[i].offset != fn_field ||
	    *kind < KLPDIFF_PRE_PATCH || *kind >= KLPDIFF_NR_CALLBACK_KINDS) {
		fail(ex, CALLBACKS_SECTION "+%#" PRIx64 ": malformed record", off);
		return NULL;
	}
	fn = elf_reloc_sym(ex->patched, &sec->relocs[i]);
	if (fn->type == STT_SECTION && fn->sec)
		fn = elf_symbol_containing(fn->sec, fn->value + (uint64_t)sec->relocs[i].addend);
	if (!fn || !sym_is_func(fn) || !fn->sec) {
		fail(ex, CALLBACKS_SECTION "+%#" PRIx64 ": not a function", off);
		return NULL;
	}
	return fn;
}

/* Callbacks registered with KLPDIFF_*_CALLBACK (include/klpdiff/klpdiff-macros.h). */
static void add_callbacks(struct extractor *ex)
{
	struct elf_section *sec = elf_find_section(ex->patched, CALLBACKS_SECTION);

	if (!sec || !sec->data)
		return;
	/* The compiler may align the records: walk them by their symbols. */
	for (size_t k = 0; k < sec->nr_syms; k++) {
		uint64_t off = sec->syms[k]->value, kind;
		struct elf_symbol *fn;
		struct ow_symbol *out;
		const char *name;
		char *alias;

		if (!sym_is_object(sec->syms[k]) ||
		    off + sizeof(struct klpdiff_callback) > sec->sh->sh_size)
			continue;
		fn = callback_function(ex, sec, off, &kind);
		if (!fn)
			continue;
		name = callback_kinds[kind].name;
		trace(ex, "callback %s: %s", name, fn->name);
		out = copy_symbol_why(ex, fn, "a callback");
		alias = xasprintf("__klpdiff_callback.%s.%s.%s", objname(ex), name, fn->name);
		add_alias(ex, alias, out);
		manifest(ex, "callback %s %s %s\n", objname(ex), name, alias);
		free(alias);
	}
}

static bool is_init_or_exit(const struct extractor *ex, const struct elf_symbol *sym)
{
	return section_lifetime(ex->patched->arch, sym->sec->name) != 0;
}

static void build(struct extractor *ex)
{
	struct elf_symbol *sym;

	ow_init(&ex->w, &ex->patched->ehdr);
	strmap_init(&ex->string_offsets, 256);
	strmap_init(&ex->module_keys, 16);
	strmap_init(&ex->toc_refused, 16);
	ex->relocs = ow_section(&ex->w, RELOCS_SECTION, SHT_PROGBITS, 0, 8);
	ex->strings = ow_section(&ex->w, STRINGS_SECTION, SHT_PROGBITS, 0, 1);
	ex->manifest = ow_section(&ex->w, MANIFEST_SECTION, SHT_PROGBITS, 0, 1);
	ex->anon_out = xcalloc(ex->patched->nr_sections, sizeof(*ex->anon_out));
	ex->anon_base = xcalloc(ex->patched->nr_sections, sizeof(*ex->anon_base));
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
	add_callbacks(ex);
	process_queue(ex);
	trace_dropped_entries(ex);
}

static void cleanup(struct extractor *ex)
{
	free(ex->x);
	free(ex->queue);
	if (ex->entries.obj)
		checksum_free(&ex->entries);
	free(ex->anon_out);
	free(ex->anon_base);
	free(ex->table_slot);
	diff_free(&ex->diff);
	sums_free(&ex->orig_sums);
	sums_free(&ex->patched_sums);
	kernel_symbols_free(&ex->ksyms);
	if (ex->have_vsyms)
		kernel_symbols_free(&ex->vsyms);
	ibt_module_close(&ex->ibt_module);
	symvers_free(&ex->symvers);
	if (ex->w.sections) {
		struct strmap_slot *slot;

		strmap_for_each(&ex->string_offsets, slot)
			free((char *)slot->key);
		strmap_free(&ex->string_offsets);
		strmap_free(&ex->module_keys);
		strmap_free(&ex->toc_refused);
		ow_free(&ex->w);
	}
	elf_close(ex->orig);
	elf_close(ex->patched);
}

/* Functions the patch author marked with KLPDIFF_IGNORE_FUNCTION (or kpatch's). */
static void mark_ignored(struct extractor *ex)
{
	struct elf_section *sec = elf_find_section(ex->patched, ".klpdiff.ignore.functions");

	for (size_t i = 0; sec && i < sec->nr_relocs; i++) {
		const struct elf_reloc *r = &sec->relocs[i];
		struct elf_symbol *fn = elf_reloc_sym(ex->patched, r);

		if (fn->type == STT_SECTION && fn->sec)
			fn = elf_symbol_containing(fn->sec, fn->value + (uint64_t)r->addend);
		if (fn)
			ex->x[fn->index].ignored = true;
	}
}

int extract(const struct extract_opts *opts)
{
	struct extractor ex = { .opts = opts };
	int ret = EXIT_TROUBLE;
	bool new_code = false;

	if (load(&ex))
		goto out;
	trace(&ex, "extract %s: %s's code", shown_name(opts), objname(&ex));
	ex.x = xcalloc(ex.patched->nr_symbols, sizeof(*ex.x));
	mark_ignored(&ex);
	for (size_t i = 0; i < ex.diff.nr; i++)
		decide_item(&ex, &ex.diff.items[i]);
	for (size_t i = 0; i < ex.patched->nr_symbols; i++)
		new_code |= ex.x[i].role == ROLE_NEW && sym_is_func(&ex.patched->symbols[i]);
	if (ex.errors)
		goto out;
	if (!ex.nr_patched && !new_code &&
	    !elf_find_section(ex.patched, CALLBACKS_SECTION)) {
		if (!opts->quiet_no_change)
			fprintf(stderr, "%s: %s: no functional change\n", progname,
				shown_name(opts));
		ret = EXIT_NO_CHANGE;
		goto out;
	}
	build(&ex);
	if (ex.errors)
		goto out;
	if (!ow_write(&ex.w, opts->output))
		ret = 0;
out:
	cleanup(&ex);
	return ret;
}
