// SPDX-License-Identifier: GPL-2.0-or-later
/* klpdiff sums: a checksum for every function and data object. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "elf/elf_object.h"
#include "build/kbuild.h"
#include "kernel/kernel_profile.h"
#include "analysis/sums.h"
#include "base/util.h"

static const char sums_usage[] =
	"usage: klpdiff sums [-o FILE] [--json] [-k DIR] OBJECT...\n"
	"\n"
	"Print one line per function and data object of each OBJECT (a relocatable\n"
	"ELF file: a .o, or a vmlinux.o linked with ld -r):\n"
	"  UNIT KIND NAME KEY SIZE CHECKSUM LINESUM FLAGS OWNER\n"
	"UNIT is the source file (from FILE symbols), KIND func or object, KEY the\n"
	"name without compiler counters. CHECKSUM covers the code or data with\n"
	"relocation targets by identity, and what a function owns in special\n"
	"sections; LINESUM is the same without line numbers passed to helpers such\n"
	"as __might_sleep(). FLAGS: binding l/g/w, plus ,init or ,exit. OWNER: the\n"
	"function using a renamed static local, else -. Output is sorted, so two\n"
	"sums files compare with diff(1).\n"
	"\n"
	"  -o, --output FILE   write to FILE (atomically) instead of standard output\n"
	"      --json          print a JSON array instead of lines\n"
	"  -k, --kernel-build DIR  the objects are of the kernel configured in DIR:\n"
	"                      its special-section layouts (klpdiff profile) only\n"
	"  -h, --help          show this help\n";

int cmd_sums(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "kernel-build", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *output = "-", *kdir = NULL;
	struct kernel_profile profile = { 0 };
	struct sum_list list = { 0 };
	struct elf_object **objs;
	struct output out;
	bool json = false;
	int c, nobjs, ret = EXIT_TROUBLE;

	while ((c = getopt_long(argc, argv, "o:k:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'k':
			kdir = optarg;
			break;
		case 'h':
			fputs(sums_usage, stdout);
			return 0;
		default:
			fputs(sums_usage, stderr);
			return EXIT_TROUBLE;
		}
	}
	if (optind >= argc) {
		fputs(sums_usage, stderr);
		return EXIT_TROUBLE;
	}
	if (kdir && kbuild_target_profile(&profile, kdir)) {
		kernel_profile_free(&profile);
		return EXIT_TROUBLE;
	}
	nobjs = argc - optind;
	objs = xcalloc((size_t)nobjs, sizeof(*objs));
	for (int i = 0; i < nobjs; i++) {
		objs[i] = elf_open_for_checksums(argv[optind + i], &profile.layouts);
		if (!objs[i])
			goto out;
		sums_compute(&list, objs[i], NULL);
	}
	sums_sort(&list);
	if (output_open(&out, output))
		goto out;
	sums_write(out.fp, &list, json);
	if (!output_commit(&out))
		ret = 0;
out:
	for (int i = 0; i < nobjs; i++)
		elf_close(objs[i]);
	free(objs);
	sums_free(&list);
	kernel_profile_free(&profile);
	return ret;
}
