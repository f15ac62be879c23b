// SPDX-License-Identifier: GPL-2.0-or-later
/* klpdiff extract: the patch object for one changed object file. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "patch/extract.h"
#include "base/util.h"

static const char extract_usage[] =
	"usage: klpdiff extract [options] ORIG.o PATCHED.o -o OUT.o\n"
	"\n"
	"Write the patch object for one object file of a kernel build: the changed and\n"
	"new functions of PATCHED.o, what they use, their special-section entries, and\n"
	"references to the running kernel as normal relocations (exported symbols) or\n"
	"livepatch relocations (everything else), plus the list of functions to patch.\n"
	"`klpdiff module` turns patch objects into a livepatch module.\n"
	"\n"
	"  -o, --output OUT.o          the patch object to write (required)\n"
	"      --objname NAME          the object PATCHED.o belongs to: vmlinux (default)\n"
	"                              or a module name\n"
	"      --kernel-symbols ELF    where sympos comes from: the target vmlinux, the\n"
	"                              module's .ko, or for tests ORIG.o itself (required)\n"
	"      --vmlinux-symbols ELF   for a module: vmlinux, for the symbols it uses there\n"
	"      --symvers FILE          Module.symvers of the target kernel (required)\n"
	"      --ibt                   the target kernel has IBT: a function of the module\n"
	"                              whose address the patch takes must keep its ENDBR\n"
	"                              once loaded (the .ko's seal list says; for vmlinux,\n"
	"                              klpdiff build checks the shipped image)\n"
	"      --trace                 say each decision on stderr, one line each: each\n"
	"                              symbol copied and why, each reference and what it\n"
	"                              became, each special-section entry kept or dropped\n"
	"  -h, --help                  show this help\n"
	"\n"
	"Refuses (exit 2, nothing written), naming the symbol: changed existing data,\n"
	"changed __init/__exit code, a changed function without an ftrace entry, a jump\n"
	"label or static call whose key lives in a module.\n"
	"Exit status: 0 written, 2 refused or failed, 3 no functional change.\n";

int cmd_extract(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "objname", required_argument, NULL, 'n' },
		{ "kernel-symbols", required_argument, NULL, 'k' },
		{ "vmlinux-symbols", required_argument, NULL, 'V' },
		{ "symvers", required_argument, NULL, 's' },
		{ "trace", no_argument, NULL, 't' },
		{ "ibt", no_argument, NULL, 'I' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct extract_opts o = { .objname = "vmlinux" };
	int c;

	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o.output = optarg;
			break;
		case 'n':
			o.objname = optarg;
			break;
		case 'k':
			o.kernel_symbols = optarg;
			break;
		case 'V':
			o.vmlinux_symbols = optarg;
			break;
		case 's':
			o.symvers = optarg;
			break;
		case 't':
			o.trace = true;
			break;
		case 'I':
			o.ibt_module = true;
			break;
		case 'h':
			fputs(extract_usage, stdout);
			return 0;
		default:
			fputs(extract_usage, stderr);
			return EXIT_TROUBLE;
		}
	}
	if (argc - optind != 2 || !o.output || !o.kernel_symbols || !o.symvers) {
		fputs(extract_usage, stderr);
		return EXIT_TROUBLE;
	}
	if (strchr(o.objname, '.') || !*o.objname)
		return error(NULL, "--objname %s: not a module name", o.objname), EXIT_TROUBLE;
	if (o.ibt_module && streq(o.objname, "vmlinux"))
		return error(NULL, "--ibt: checks a module's .ko; vmlinux's seals are in the "
			     "shipped image, which klpdiff build reads"), EXIT_TROUBLE;
	o.orig = argv[optind];
	o.patched = argv[optind + 1];
	return extract(&o);
}
