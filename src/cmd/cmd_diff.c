// SPDX-License-Identifier: GPL-2.0-or-later
/* klpdiff diff: which functions changed between an original and a patched build. */
#include <getopt.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "cmd/commands.h"
#include "analysis/diff.h"
#include "elf/elf_object.h"
#include "analysis/explain.h"
#include "analysis/inputs.h"
#include "build/kbuild.h"
#include "kernel/kernel_profile.h"
#include "base/util.h"

static const char diff_usage[] =
	"usage: klpdiff diff [-v] [--json] [-o FILE] [-k DIR] ORIG PATCHED\n"
	"       klpdiff diff --explain NAME ORIG.o PATCHED.o\n"
	"\n"
	"Compare an original and a patched build: two objects, two sums files (from\n"
	"klpdiff sums), or two directories of objects (paired by relative path).\n"
	"Prints one line per difference:\n"
	"  changed: UNIT:FUNC        code changed: the live patch replaces it\n"
	"  new: UNIT:NAME            only in the patched build\n"
	"  removed: UNIT:NAME        only in the original build\n"
	"  data_changed: UNIT:OBJ    existing data changed: cannot be live-patched\n"
	"  unpatchable: UNIT:FUNC    changed __init/__exit code, with the reason\n"
	"  unpaired: UNIT:NAME       could not be correlated, with the reason\n"
	"  ignored: UNIT:NAME        (-v) differs, but not functionally, with the reason\n"
	"\n"
	"  -v, --verbose       also list what was ignored and why\n"
	"      --json          one JSON object with the keys changed, new, removed,\n"
	"                      data_changed, unpatchable, ignored, unpaired\n"
	"      --explain NAME  show NAME's first differing instruction on each side\n"
	"  -o, --output FILE   write to FILE (atomically)\n"
	"  -k, --kernel-build DIR  the objects are of the kernel configured in DIR:\n"
	"                      its special-section layouts (klpdiff profile) only\n"
	"  -h, --help          show this help\n"
	"\n"
	"Exit status: 0 no functional change, 1 changes found, 2 trouble.\n";

struct diff_opts {
	bool json;
	const char *explain;
	const char *output;
	const char *kdir;
	const struct elf_layouts *target;	/* -k: the kernel's layouts */
};

static int parse_options(int argc, char **argv, struct diff_opts *o)
{
	static const struct option opts[] = {
		{ "verbose", no_argument, NULL, 'v' },	{ "json", no_argument, NULL, 'j' },
		{ "explain", required_argument, NULL, 'e' },
		{ "output", required_argument, NULL, 'o' }, { "help", no_argument, NULL, 'h' },
		{ "kernel-build", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "vo:k:h", opts, NULL)) != -1) {
		switch (c) {
		case 'v':
			verbose++;
			break;
		case 'j':
			o->json = true;
			break;
		case 'e':
			o->explain = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'k':
			o->kdir = optarg;
			break;
		case 'h':
			fputs(diff_usage, stdout);
			exit(0);
		default:
			fputs(diff_usage, stderr);
			return -1;
		}
	}
	if (argc - optind != 2) {
		fputs(diff_usage, stderr);
		return -1;
	}
	return 0;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int load(struct loaded *orig, struct loaded *patched, const char *a, const char *b)
{
	if (is_dir(a) != is_dir(b))
		return error(is_dir(a) ? b : a, "not a directory, but %s is: compare two objects, "
				 "two sums files or two directories", is_dir(a) ? a : b);
	if (is_dir(a))
		return load_tree_pair(orig, a, patched, b);
	return load_pair(orig, a, patched, b);
}

/* The one unit of a list, or NULL if it has several. */
static const char *only_unit(const struct sum_list *l)
{
	for (size_t i = 1; i < l->nr; i++)
		if (!streq(l->recs[i].unit, l->recs[0].unit))
			return NULL;
	return l->nr ? l->recs[0].unit : NULL;
}

/*
 * Two single-unit objects are two builds of one source file, whatever the
 * file was called in each build: compare them as one unit.
 */
static void unify_single_units(struct loaded *orig, struct loaded *patched)
{
	const char *ou = only_unit(&orig->sums), *pu = only_unit(&patched->sums);

	if (!ou || !pu || streq(ou, pu))
		return;
	for (size_t i = 0; i < patched->sums.nr; i++)
		patched->sums.recs[i].unit = ou;
}

static int explain(const struct diff_opts *o, const char *a, const char *b)
{
	struct elf_object *orig = elf_open(a, o->target);
	struct elf_object *patched = orig ? elf_open(b, o->target) : NULL;
	int ret = EXIT_TROUBLE;

	if (orig && patched && !explain_function(stdout, o->explain, orig, patched))
		ret = 0;
	elf_close(orig);
	elf_close(patched);
	return ret;
}

/* Every object of both sides is of one architecture. */
static bool same_machines(const struct loaded *orig, const struct loaded *patched)
{
	const struct elf_object *first = orig->nr_objs ? orig->objs[0] : NULL;

	for (size_t i = 1; first && i < orig->nr_objs; i++)
		if (elf_same_machine(first, orig->objs[i]))
			return false;
	for (size_t i = 0; first && i < patched->nr_objs; i++)
		if (elf_same_machine(first, patched->objs[i]))
			return false;
	return true;
}

static int diff(const struct diff_opts *o, const char *a, const char *b)
{
	struct loaded orig = { .target = o->target }, patched = { .target = o->target };
	struct diff_result res = { 0 };
	struct output out;
	int ret = EXIT_TROUBLE;

	if (load(&orig, &patched, a, b))
		goto out;
	/* Two objects (not directories or sums files): of one kernel. */
	if (orig.nr_objs == 1 && patched.nr_objs == 1 &&
	    elf_same_layouts(orig.objs[0], patched.objs[0]))
		goto out;
	if (!same_machines(&orig, &patched))
		goto out;
	unify_single_units(&orig, &patched);
	diff_sums(&res, &orig.sums, &patched.sums);
	diff_sort(&res);
	if (output_open(&out, o->output))
		goto out;
	diff_print(out.fp, &res, o->json, verbose > 0);
	if (!output_commit(&out))
		ret = diff_has_changes(&res) ? EXIT_CHANGED : EXIT_SAME;
out:
	diff_free(&res);
	loaded_free(&orig);
	loaded_free(&patched);
	return ret;
}

int cmd_diff(int argc, char **argv)
{
	struct kernel_profile profile = { 0 };
	struct diff_opts o = { .output = "-", .target = &profile.layouts };
	int ret;

	if (parse_options(argc, argv, &o))
		return EXIT_TROUBLE;
	if (o.kdir && kbuild_target_profile(&profile, o.kdir))
		ret = EXIT_TROUBLE;
	else if (o.explain)
		ret = explain(&o, argv[optind], argv[optind + 1]);
	else
		ret = diff(&o, argv[optind], argv[optind + 1]);
	kernel_profile_free(&profile);
	return ret;
}
