// SPDX-License-Identifier: GPL-2.0-or-later
/* klpdiff: find the functions a kernel live patch must replace, from object code. */
#include <stdio.h>
#include <string.h>

#include "elf/arch.h"
#include "cmd/commands.h"
#include "base/util.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "sums", cmd_sums, "print a checksum for every function and data object" },
	{ "diff", cmd_diff, "list the functions that changed between two builds" },
	{ "extract", cmd_extract, "write the patch object for one changed object file" },
	{ "module", cmd_module, "build a live patch module from patch objects" },
	{ "build", cmd_build, "kernel tree + patches -> livepatch module" },
	{ "profile", cmd_profile, "what klpdiff knows of a kernel: version, layouts" },
	{ "verify", cmd_verify, NULL },	/* plumbing for the tests: not listed */
};

static void usage(FILE *fp)
{
	fprintf(fp, "usage: klpdiff [--version] [--help] COMMAND [ARGS]\n\n"
		    "Find the functions a Linux kernel live patch must replace, from object code.\n\n"
		    "Commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (commands[i].summary)
			fprintf(fp, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(fp, "\nRun 'klpdiff COMMAND --help' for a command's options; see klpdiff(1).\n");
}

int main(int argc, char **argv)
{
	const char *name;
	int ret;

	if (argc < 2) {
		usage(stderr);
		return EXIT_TROUBLE;
	}
	name = argv[1];
	if (streq(name, "--help") || streq(name, "-h") || streq(name, "help")) {
		if (argc > 2 && !streq(name, "help"))
			name = argv[2];
		else if (argc > 2)
			return main(3, (char *[]){ argv[0], argv[2], "--help", NULL });
		usage(stdout);
		return 0;
	}
	if (streq(name, "--version")) {
		printf("klpdiff %s\n", KLPDIFF_VERSION);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		if (streq(name, commands[i].name)) {
			ret = commands[i].fn(argc - 1, argv + 1);
			arch_cleanup();
			return ret;
		}
	}
	error(NULL, "'%s' is not a klpdiff command; see 'klpdiff --help'", name);
	return EXIT_TROUBLE;
}
