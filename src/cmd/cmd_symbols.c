// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klpdiff symbols (not listed in --help: plumbing for the tests): how well
 * same-named locals of a kernel are told apart (kernel_symbols_pick.c), on
 * compiled units or on every unit a -dbg vmlinux names; and the sympos of
 * one name for one unit.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cmd/commands.h"
#include "elf/arch.h"
#include "elf/elf_object.h"
#include "kernel/kernel_symbols.h"

static const char symbols_usage[] =
	"usage: klpdiff symbols [-v] [--truth ELF] KALLSYMS [ORIG.o...]\n"
	"       klpdiff symbols [-v] --units ELF KALLSYMS\n"
	"       klpdiff symbols --sympos NAME --unit ORIG.o KALLSYMS\n"
	"\n"
	"KALLSYMS: a kallsyms listing, or an ELF read as one (no files, no sizes).\n"
	"Prints how many local names it has more than once, and how many of the\n"
	"locals of those names of each unit klpdiff tells apart: units compiled\n"
	"here (ORIG.o, checked against the FILE symbols of --truth ELF, the -dbg\n"
	"vmlinux of the same kernel), or every unit of --units ELF (by the names\n"
	"of its locals only). --sympos: the sympos klpdiff writes for NAME of the\n"
	"unit ORIG.o, and where that symbol is, or why it cannot tell.\n";

struct figures {
	size_t units, cands, resolved, wrong, unknown;
};

/* A kallsyms listing; an ELF is read as one: no FILE symbols, no sizes. */
static int read_listing(struct kernel_symbols *ks, const char *path)
{
	if (kernel_symbols_read(ks, path))
		return -1;
	ks->has_units = false;
	for (size_t i = 0; i < ks->nr; i++) {
		ks->syms[i].unit = NULL;
		ks->syms[i].size = 0;
	}
	return 0;
}

static void print_duplicates(const struct kernel_symbols *ks)
{
	size_t names = 0, syms = 0;

	for (size_t i = 0; i < ks->nr; i++) {
		const struct ksym *k = ks->by_order[i], *s;
		bool local = false;
		size_t n = 0;

		if (k->first != k || !k->next)
			continue;
		for (s = k; s; s = s->next)
			n++, local |= s->local;
		if (local)
			names++, syms += n;
	}
	printf("%s: %zu symbols; %zu local names more than once (%zu symbols)\n", ks->path,
	       ks->nr, names, syms);
}

/* One local of a unit: told apart? @truth: its address, 0 if unknown. */
static void count(struct figures *f, struct kernel_symbols *ks, const char *name,
		  const char *unit, uint64_t size, uint64_t truth, const char *display)
{
	const struct ksym *k;
	long pos;

	f->cands++;
	k = kernel_symbols_find_local(ks, name, unit, size, &pos);
	if (k && truth && k->addr != truth)
		f->wrong++;
	if (k && !truth)
		f->unknown++;
	f->resolved += k != NULL;
	if (verbose && (!k || (truth && k->addr != truth)))
		fprintf(stderr, "%s: %s: %s\n", display, name, k ? "WRONG" : "not told apart");
}

/* The address of @unit's local @name in @truth, by its FILE symbol; 0 if not one. */
static uint64_t truth_address(const struct kernel_symbols *truth, const char *name,
			      const char *unit)
{
	const struct ksym *k = truth ? strmap_get(&truth->by_name, name) : NULL, *one = NULL;

	for (; k && unit; k = k->next) {
		if (!k->local || !k->unit || !streq(k->unit, unit))
			continue;
		if (one)
			return 0;
		one = k;
	}
	return one ? one->addr : 0;
}

static int count_object(struct figures *f, struct kernel_symbols *ks,
			const struct kernel_symbols *truth, const char *path)
{
	struct elf_object *obj = elf_open(path, NULL);
	struct elf_symbol *s;

	if (!obj)
		return -1;
	f->units++;
	kernel_symbols_set_unit(ks, obj);
	for_each_symbol(obj, s) {
		const struct ksym *k = strmap_get(&ks->by_name, s->name);

		if (!s->sec || !sym_has_name(s) || !sym_is_local(s) || !k || !k->next ||
		    (s->type != STT_FUNC && s->type != STT_OBJECT))
			continue;
		count(f, ks, s->name, s->unit, s->size, truth_address(truth, s->name, s->unit),
		      path);
	}
	kernel_symbols_unit_free(ks);
	elf_close(obj);
	return 0;
}

static int cmp_file(const void *a, const void *b)
{
	const struct ksym *x = *(const struct ksym *const *)a, *y = *(const struct ksym *const *)b;

	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Every unit of @elf (its FILE symbols), by the names of its locals only. */
static int count_units(struct figures *f, struct kernel_symbols *ks, const char *elf)
{
	struct kernel_symbols units;
	const struct arch *arch;
	const struct ksym **v;
	struct unit_sym *syms;
	size_t n = 0;

	if (kernel_symbols_read(&units, elf))
		return -1;
	arch = arch_for_machine(units.machine, units.elf_data);
	v = xcalloc(units.nr + 1, sizeof(*v));
	syms = xcalloc(units.nr + 1, sizeof(*syms));
	for (size_t i = 0; i < units.nr; i++)
		if (units.syms[i].file)
			v[n++] = &units.syms[i];
	sort(v, n, sizeof(*v), cmp_file);
	for (size_t i = 0, j; i < n; i = j) {
		size_t nr = 0;

		for (j = i; j < n && v[j]->file == v[i]->file; j++)
			syms[nr++] = (struct unit_sym){ .name = v[j]->name, .value = v[j]->addr,
							.local = true, .func = v[j]->func,
							.data = !v[j]->func };
		kernel_symbols_set_unit_syms(ks, syms, nr, arch ? arch->kernel.is_prefix_symbol : NULL);
		f->units++;
		for (size_t k = i; k < j; k++) {
			const struct ksym *c = strmap_get(&ks->by_name, v[k]->name);

			/* The link's __pfx_ symbols are no unit's, and never patched. */
			if (c && c->next && !(arch && arch->kernel.is_prefix_symbol(v[k]->name)))
				count(f, ks, v[k]->name, NULL, 0, v[k]->addr, v[k]->unit);
		}
	}
	kernel_symbols_unit_free(ks);
	free(syms);
	free(v);
	kernel_symbols_free(&units);
	return 0;
}

static int print_sympos(struct kernel_symbols *ks, const char *name, const char *unit_path)
{
	struct elf_object *obj = elf_open(unit_path, NULL);
	const struct elf_symbol *s = obj ? elf_find_symbol(obj, name) : NULL;
	const struct ksym *k;
	long pos;

	if (!obj)
		return EXIT_TROUBLE;
	kernel_symbols_set_unit(ks, obj);
	pos = kernel_symbols_sympos(ks, name, s ? s->unit : NULL, s ? s->size : 0);
	k = pos >= 0 ? kernel_symbols_at(ks, name, pos) : NULL;
	if (k)
		printf("%s sympos %ld at 0x%llx\n", name, pos, (unsigned long long)k->addr);
	kernel_symbols_unit_free(ks);
	elf_close(obj);
	return k ? 0 : EXIT_TROUBLE;
}

int cmd_symbols(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "truth", required_argument, NULL, 't' },
		{ "units", required_argument, NULL, 'u' },
		{ "sympos", required_argument, NULL, 's' },
		{ "unit", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *truth_path = NULL, *units = NULL, *sympos = NULL, *unit = NULL;
	struct kernel_symbols ks, truth;
	struct figures f = { 0 };
	int c, ret = 0;

	while ((c = getopt_long(argc, argv, "hv", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			truth_path = optarg;
			break;
		case 'u':
			units = optarg;
			break;
		case 's':
			sympos = optarg;
			break;
		case 'o':
			unit = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			fputs(symbols_usage, stdout);
			return 0;
		default:
			fputs(symbols_usage, stderr);
			return EXIT_TROUBLE;
		}
	}
	if (optind >= argc || !sympos != !unit || (sympos && (units || truth_path)) ||
	    (units && (truth_path || argc - optind != 1))) {
		fputs(symbols_usage, stderr);
		return EXIT_TROUBLE;
	}
	if (read_listing(&ks, argv[optind]))
		return EXIT_TROUBLE;
	if (sympos) {
		ret = print_sympos(&ks, sympos, unit);
		kernel_symbols_free(&ks);
		return ret;
	}
	if (truth_path && kernel_symbols_read(&truth, truth_path)) {
		kernel_symbols_free(&ks);
		return EXIT_TROUBLE;
	}
	print_duplicates(&ks);
	if (units)
		ret = count_units(&f, &ks, units);
	for (int i = optind + 1; !ret && i < argc; i++)
		ret = count_object(&f, &ks, truth_path ? &truth : NULL, argv[i]);
	if (!ret && f.units)
		printf("units %zu: %zu locals of those names, %zu told apart (%zu wrong, %zu "
		       "unchecked), %zu not told apart\n", f.units, f.cands, f.resolved, f.wrong,
		       f.unknown, f.cands - f.resolved);
	if (truth_path)
		kernel_symbols_free(&truth);
	kernel_symbols_free(&ks);
	return ret ? EXIT_TROUBLE : 0;
}
