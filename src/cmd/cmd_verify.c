// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klpdiff verify (not listed in --help: plumbing for the tests): check an
 * original object against the shipped kernel or module; also extracts a
 * bzImage's vmlinux and prints its banner.
 */
#include <getopt.h>
#include <stdlib.h>

#include "cmd/commands.h"
#include "kernel/kernel_image.h"
#include "base/util.h"
#include "kernel/verify.h"

static const char verify_usage[] =
	"usage: klpdiff verify --objname NAME --shipped FILE [--kallsyms FILE]\n"
	"                      [--display NAME] [--keep-going] ORIG.o\n"
	"       klpdiff verify --extract VMLINUZ OUT.elf\n"
	"       klpdiff verify --banner VMLINUX\n"
	"\n"
	"Compare each function of ORIG.o (compiled with function sections) with the\n"
	"shipped code: for vmlinux, the ELF vmlinux of the kernel image at the\n"
	"addresses kallsyms gives; for a module, its .ko. Prints\n"
	"  compared N skipped N checked N masked N\n"
	"(functions compared, functions the shipped side lacks, relocation sites\n"
	"checked and masked; -v lists the masked ones)\n"
	"and exits 0, or names the first differing instruction and exits 2.\n"
	"--keep-going names each differing function and goes on; the counts then\n"
	"end with 'mismatched N', and the exit status is 1 when N is not 0.\n";

int cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "objname", required_argument, NULL, 'n' },
		{ "shipped", required_argument, NULL, 's' },
		{ "kallsyms", required_argument, NULL, 'k' },
		{ "display", required_argument, NULL, 'd' },
		{ "extract", no_argument, NULL, 'x' },
		{ "banner", no_argument, NULL, 'b' },
		{ "keep-going", no_argument, NULL, 'K' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct verify_opts o = { .objname = "vmlinux" };
	struct verify_stats st;
	bool extract = false, banner = false;
	int c;

	while ((c = getopt_long(argc, argv, "hv", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			o.objname = optarg;
			break;
		case 's':
			o.shipped = optarg;
			break;
		case 'k':
			o.kallsyms = optarg;
			break;
		case 'd':
			o.display = optarg;
			break;
		case 'x':
			extract = true;
			break;
		case 'b':
			banner = true;
			break;
		case 'K':
			o.keep_going = true;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			fputs(verify_usage, stdout);
			return 0;
		default:
			fputs(verify_usage, stderr);
			return EXIT_TROUBLE;
		}
	}
	if (extract && argc - optind == 2)
		return kernel_image_extract(argv[optind], argv[optind + 1]) ? EXIT_TROUBLE : 0;
	if (banner && argc - optind == 1) {
		char *text = kernel_image_banner(argv[optind]);

		if (!text)
			return EXIT_TROUBLE;
		puts(text);
		free(text);
		return 0;
	}
	if (extract || banner || argc - optind != 1 || !o.shipped) {
		fputs(verify_usage, stderr);
		return EXIT_TROUBLE;
	}
	o.orig = argv[optind];
	if (verify_original(&o, &st))
		return EXIT_TROUBLE;
	printf("compared %zu skipped %zu checked %zu masked %zu", st.compared, st.skipped,
	       st.checked, st.masked);
	if (o.keep_going)
		printf(" mismatched %zu", st.mismatched);
	putchar('\n');
	return st.mismatched ? EXIT_CHANGED : 0;
}
