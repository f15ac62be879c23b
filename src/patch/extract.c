// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * extract(): load the pair, decide what changed, build the patch object
 * (extract_closure.c) and write it. extract_internal.h says what the other
 * parts do.
 */
#include "patch/extract.h"

#include <elf.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>

#include "patch/extract_internal.h"
#include "patch/patch_object.h"

/* One line "klpdiff: PATCHED: @what...", counted: extraction stops once all are said. */
static void vfail(struct extractor *ex, const char *what, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: %s: %s", progname, shown_name(ex->opts), what);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	ex->errors++;
}

/* An error in the input. */
void fail(struct extractor *ex, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(ex, "", fmt, ap);
	va_end(ap);
}

/* A change a live patch cannot make. */
int refuse(struct extractor *ex, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(ex, "refusing: ", fmt, ap);
	va_end(ap);
	return -1;
}

/* --trace: "trace: WHAT NAME: decision (why)". */
void trace(const struct extractor *ex, const char *fmt, ...)
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
void trace_ref(const struct extractor *ex, const char *target, const char *fmt, ...)
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
	/* Same-named locals of the running kernel: which one is the unit's. */
	kernel_symbols_set_unit(&ex->ksyms, ex->orig);
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

/*
 * A function's ftrace call has its relocation within its first bytes:
 * x86-64 at 1, or 5 after an endbr64; s390x at 2; ppc64le at 12, past the
 * global entry's TOC setup and an mflr. arm64's NOPs: at 0, or 4 after a BTI pad.
 */
#define FTRACE_CALL_WITHIN 16

/*
 * NOPs the compiler leaves for ftrace are listed in arch->kernel.ftrace_site_section,
 * at the function (-fpatchable-function-entry=N) or up to 8 bytes before it
 * (arm64 CALL_OPS: N,2): is one of them @sym's? -1: the object lists none,
 * its kernel calls fentry_name instead (ppc64le before a gcc that places
 * the NOPs after the local entry).
 */
static int has_ftrace_site(const struct extractor *ex, const struct elf_symbol *sym)
{
	const struct elf_section *sec;
	int found = -1;

	for_each_section(ex->orig, sec) {
		if (!ex->orig->arch->kernel.ftrace_site_section ||
		    !streq(sec->name, ex->orig->arch->kernel.ftrace_site_section))
			continue;
		found = 0;
		for (size_t i = 0; i < sec->nr_relocs; i++) {
			const struct elf_symbol *t = elf_reloc_sym(ex->orig, &sec->relocs[i]);
			uint64_t at = (t->sec ? t->value : 0) + (uint64_t)sec->relocs[i].addend;

			if (t->sec == sym->sec && at + 8 >= sym->value &&
			    at < sym->value + FTRACE_CALL_WITHIN)
				return 1;
		}
	}
	return found;
}

/* The original of a changed function must have an ftrace entry to be patched. */
bool has_ftrace_entry(const struct extractor *ex, const struct elf_symbol *sym)
{
	const struct elf_section *sec = sym->sec;
	int site = has_ftrace_site(ex, sym);

	if (site >= 0)
		return site;
	for (size_t i = elf_first_reloc(sec, sym->value);
	     i < sec->nr_relocs && sec->relocs[i].offset < sym->value + FTRACE_CALL_WITHIN; i++)
		if (streq(elf_reloc_sym(ex->orig, &sec->relocs[i])->name, ex->orig->arch->kernel.fentry_name))
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

static void cleanup(struct extractor *ex)
{
	free(ex->x);
	free(ex->queue);
	if (ex->entries.obj)
		checksum_free(&ex->entries);
	free(ex->anon_out);
	free(ex->anon_base);
	free(ex->table_slot);
	for (size_t i = 0; ex->entry_slot && i < ex->patched->nr_sections; i++)
		free(ex->entry_slot[i]);
	free(ex->entry_slot);
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
		strmap_for_each(&ex->module_names, slot)
			free(slot->value);
		strmap_free(&ex->module_names);
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
	patch_unreachable_sites(&ex);
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
	build_patch(&ex);
	if (ex.errors)
		goto out;
	if (!ow_write(&ex.w, opts->output))
		ret = 0;
out:
	cleanup(&ex);
	return ret;
}
